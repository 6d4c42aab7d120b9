"""Accuracy of NumPy's own exp/expm1/log/log1p on this machine, for comparison with vmath.h.

Run: python3 benchmarks/vmath/numpy_accuracy.py   (a few seconds)

Reference: the same ufunc on np.longdouble (x87 80-bit on x86-64 Linux) for
float64 inputs, on float64 for float32 inputs.  Random inputs, 2-4 million per
function and dtype.  Matters for the fast path: a kernel within 0.66 ulp of the
exact value can still be several ulps away from a float32 NumPy reference.
"""

from __future__ import annotations

import numpy as np

N = 2_000_000


def ulp_error(y, ref, p, emin):
    ref = ref.astype(np.longdouble)
    e = np.maximum(np.floor(np.log2(np.abs(ref))).astype(np.int64), emin)
    ulp = np.ldexp(np.longdouble(1), (e - p + 1).astype(np.int32))
    return np.abs(y.astype(np.longdouble) - ref) / ulp


def samples(rng, name, dtype):
    big = 700.0 if dtype == np.float64 else 87.0
    if name == "exp":
        x = rng.uniform(-big, big, N)
    elif name == "expm1":
        x = np.concatenate([rng.uniform(-5, 5, N), rng.uniform(-0.5, 0.5, N)])
    elif name == "log":
        x = np.exp(rng.uniform(-big, big, N))
    else:
        x = np.concatenate([rng.uniform(-0.99, 10, N), rng.uniform(-0.3, 0.5, N)])
    return x.astype(dtype)


def main():
    rng = np.random.default_rng(1)
    print(f"NumPy {np.__version__}: max ulp error on random inputs (and share above 0.5 ulp)")
    for name in ("exp", "expm1", "log", "log1p"):
        fn = getattr(np, name)
        cells = []
        for dtype, wide, p, emin in ((np.float64, np.longdouble, 53, -1022), (np.float32, np.float64, 24, -126)):
            x = samples(rng, name, dtype)
            err = ulp_error(fn(x), fn(x.astype(wide)), p, emin)
            cells.append(f"{np.dtype(dtype).name} {float(np.max(err)):.3f} ({float(np.mean(err > 0.5)) * 100:.2f} %)")
        print(f"  {name:6s} " + "   ".join(cells))


if __name__ == "__main__":
    main()
