"""The exact reference, and the check every contender passes before it is timed.

The reference cost evaluates the spec's per-value formula in extended precision
(``numpy.longdouble``: 64-bit mantissa on x86) on the benchmarked inputs, converted exactly,
and sums exactly: chunk sums in extended precision, each split into two float64 parts,
added with ``math.fsum``. Its relative error is about 1e-18 per value plus 1e-16 for the
final division: far inside the accuracy gates (1e-14 for float64, 1e-7 for float32).

The reference gradient and Hessian are computed the same way on the first rows only
(a contender that computes something else is wrong there too).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .specs import Spec

EXTENDED = np.longdouble
CHUNK = 1 << 20  # elements per extended-precision chunk (bounds the temporaries)
SAMPLE = 4096  # elements of the gradient and Hessian compared

# Agreement before timing: contenders compute the same thing when they agree with the exact
# reference to these tolerances (relative; normwise for arrays). Loose enough for float32
# sums accumulated in float32 (torch, JAX, NumPy's pairwise mean) and torch's 1e-8 inside
# the Poisson log; tight enough to catch a different formula, parameter or scaling.
RTOL = {"float32": 2e-4, "float64": 1e-7}


@dataclass
class Outputs:
    """What one call produced, in losskit's convention (float64 NumPy): the cost and the
    gradient and Hessian diagonal of the cost, shaped like ``y_pred``."""

    value: float | None = None
    grad: np.ndarray | None = None
    hess: np.ndarray | None = None


@dataclass
class Reference:
    """The exact cost, and the gradient and Hessian of the cost on the first ``rows`` rows."""

    value: float
    rows: int
    grad: np.ndarray
    hess: np.ndarray | None


def exact_sum(parts: list[Any]) -> float:
    """The sum of extended-precision numbers, exact but for the final rounding to float64.

    >>> exact_sum([np.longdouble(1e16), np.longdouble(1.0), np.longdouble(-1e16)])
    1.0
    """
    split = []
    for p in parts:
        hi = float(p)
        split += [hi, float(p - EXTENDED(hi))]
    return math.fsum(split)


def _rows_per_chunk(f: np.ndarray) -> int:
    per_row = f.shape[-1] if f.ndim > 1 else 1
    return max(1, CHUNK // per_row)


def _extended(spec: Spec, y: np.ndarray, f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return (y if spec.labels else y.astype(EXTENDED)), f.astype(EXTENDED)


def exact_mean(spec: Spec, y: np.ndarray, f: np.ndarray) -> float:
    """The mean of the per-value losses, from extended-precision values summed exactly."""
    step = _rows_per_chunk(f)
    parts = []
    count = 0
    for start in range(0, f.shape[0], step):
        yy, ff = _extended(spec, y[start : start + step], f[start : start + step])
        values = spec.formulas.value(np, yy, ff)
        parts.append(np.sum(values, dtype=EXTENDED))
        count += values.size
    return exact_sum(parts) / count


def reference(spec: Spec, y: np.ndarray, f: np.ndarray, with_hessian: bool = True) -> Reference:
    """The exact cost, and the derivatives of the cost on the first rows."""
    mean = exact_mean(spec, y, f)
    n = math.prod(f.shape[:-1]) if spec.class_axis else f.size
    rows = max(1, min(f.shape[0], SAMPLE // (f.shape[-1] if spec.class_axis else 1)))
    yy, ff = _extended(spec, y[:rows], f[:rows])
    scale = spec.cost_slope(EXTENDED(mean)) / n
    grad = (spec.formulas.grad(np, yy, ff) * scale).astype(np.float64)
    hess = None
    if with_hessian and spec.formulas.hess is not None:
        hess = (spec.formulas.hess(np, yy, ff) / n).astype(np.float64)
    return Reference(float(spec.cost(mean)), rows, grad, hess)


def relative_error(got: float, exact: float) -> float:
    """``|got - exact| / |exact|`` (absolute where the exact value is 0).

    >>> relative_error(1.5, 1.0)
    0.5
    """
    err = abs(got - exact)
    return err / abs(exact) if exact != 0 else err


def normwise_error(got: np.ndarray, exact: np.ndarray) -> float:
    """``max |got - exact| / max |exact|`` (absolute where ``exact`` is all 0)."""
    got = np.asarray(got, dtype=np.float64)
    if got.shape != exact.shape:
        return math.inf
    scale = float(np.max(np.abs(exact))) if exact.size else 0.0
    err = float(np.max(np.abs(got - exact))) if exact.size else 0.0
    if math.isnan(err):
        return math.inf
    return err / scale if scale > 0 else err


def disagreement(out: Outputs, ref: Reference, dtype: str, shape: tuple[int, ...]) -> str:
    """Why ``out`` is not what losskit computes ("" when it agrees), to the dtype's tolerance.

    Only what the call produced is compared (a gradient+Hessian call has no value).
    """
    rtol = RTOL[dtype]
    problems = []
    if out.value is not None:
        err = relative_error(out.value, ref.value)
        if not err <= rtol:
            problems.append(f"value {out.value:.9g} vs {ref.value:.9g} (rel. error {err:.1e})")
    for what, got, exact in (("gradient", out.grad, ref.grad), ("Hessian", out.hess, ref.hess)):
        if got is None or exact is None:
            continue
        got = np.asarray(got)
        if tuple(got.shape) != tuple(shape):
            problems.append(f"{what} has shape {tuple(got.shape)}, expected {tuple(shape)}")
            continue
        err = normwise_error(got[: ref.rows], exact)
        if not err <= rtol:
            problems.append(f"{what} off by {err:.1e} (normwise)")
    return "; ".join(problems)
