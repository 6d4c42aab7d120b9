"""NumPy's throughput on the inputs of check_vmath --bench (same layout of the table).

Run: python3 benchmarks/vmath/bench_numpy.py [reps]

ns per element, one thread, N = 1e6 elements per timing, median of the timings,
thread CPU time.  chunked: np.<fn>(block, out=...) on an 8192-element block, 122
times (includes about 1 us of call overhead per block, 0.1 ns per element);
stream: one call on 1e6-element arrays with out=.
"""

from __future__ import annotations

import sys
import time

import numpy as np

N = 1_000_000
CHUNK = 8192


def inputs(n):
    u = np.fmod((np.arange(n) + 0.5) / n * 7919.0, 1.0)
    return {
        "exp": -10 + 20 * u,
        "expm1": -5 + 10 * u,
        "log": np.exp(np.log(1e-3) + u * np.log(1e6)),
        "log1p": -0.9 + 10.9 * u,
        "log1p(exp(-|x|))": -10 + 20 * u,
    }


def softplus(x, out, tmp):
    np.abs(x, out=tmp)
    np.negative(tmp, out=tmp)
    np.exp(tmp, out=tmp)
    np.log1p(tmp, out=out)


def one_pass(name, x, y, tmp, xc, yc, tmpc, stream):
    fn = getattr(np, name, None)
    t0 = time.thread_time_ns()
    if stream:
        if fn is None:
            softplus(x, y, tmp)
        else:
            fn(x, out=y)
    else:
        for _ in range(N // CHUNK):
            if fn is None:
                softplus(xc, yc, tmpc)
            else:
                fn(xc, out=yc)
    n = N if stream else (N // CHUNK) * CHUNK
    return (time.thread_time_ns() - t0) / n


def main():
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 11
    print(f"NumPy {np.__version__}: ns per element, one thread, median of {reps} timings (thread CPU time)")
    print("(log1p(exp(-|x|)) is four ufunc calls with out=: abs, negative, exp, log1p)\n")
    print(f"{'function':17s} {'dtype':6s} | chunked  stream")
    for dtype in (np.float64, np.float32):
        for name, x64 in inputs(N).items():
            x = x64.astype(dtype)
            y, tmp = np.empty_like(x), np.empty_like(x)
            xc = x[:CHUNK].copy()
            yc, tmpc = np.empty_like(xc), np.empty_like(xc)
            res = []
            for stream in (False, True):
                one_pass(name, x, y, tmp, xc, yc, tmpc, stream)
                ts = sorted(one_pass(name, x, y, tmp, xc, yc, tmpc, stream) for _ in range(reps))
                res.append(ts[len(ts) // 2])
            label = "double" if dtype == np.float64 else "float"
            print(f"{name:17s} {label:6s} | {res[0]:7.2f} {res[1]:7.2f}")


if __name__ == "__main__":
    main()
