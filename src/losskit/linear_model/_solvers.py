"""The four solvers: L-BFGS (scipy), Newton with a line search, gradient descent, mini-batch SGD.

Each takes a :class:`LinearObjective` and a start, and returns a
:class:`Result`: the coefficients, the cost at the start and after every
iteration, and how it ended. None of them returns a non-finite coefficient:
gradient descent and SGD stop when the cost overflows or grows ``DIVERGED``
times past its start, and return the best iterate they saw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._objective import LinearObjective

__all__ = ["DIVERGED", "Result", "bfgs_nonsmooth", "gd", "lbfgs", "newton", "sgd"]

DIVERGED = 1e4  # a cost this many times its start (or at least 1), or not finite: the iteration diverged
_ARMIJO = 1e-4  # sufficient decrease of the backtracking line searches
_HALVINGS = 60
_WOLFE = 0.9  # the curvature condition of the weak Wolfe line search
_NONSMOOTH_MAX_SIZE = 2000  # above this many coefficients, the d x d BFGS matrix is too large: scipy's L-BFGS-B
_SGD_PATIENCE = 5  # epochs without an improvement of tol before SGD stops


@dataclass
class Result:
    theta: np.ndarray
    history: list[float]
    n_iter: int
    status: str = "converged"  # converged | max_iter | diverged | stalled
    detail: dict[str, Any] = field(default_factory=dict)


def _largest(g: np.ndarray) -> float:
    return float(np.max(np.abs(g))) if g.size else 0.0


def lbfgs(obj: LinearObjective, theta: np.ndarray, *, max_iter: int, tol: float) -> Result:
    """scipy's L-BFGS-B on losskit's value and gradient; stops when the largest gradient entry is <= ``tol``."""
    from scipy.optimize import minimize

    history = [obj.value_and_gradient(theta)[0]]

    def record(intermediate_result: Any) -> None:
        history.append(float(intermediate_result.fun))

    res = minimize(
        obj.value_and_gradient,
        theta,
        jac=True,
        method="L-BFGS-B",
        callback=record,
        options={"maxiter": max_iter, "gtol": tol, "ftol": 64 * np.finfo(float).eps, "maxls": 50},
    )
    # status 2: the line search found no decrease -- at a kink of a piecewise-linear loss, or at the
    # limit of float64 precision; the iterate is as good as this method gets
    status = {0: "converged", 1: "max_iter"}.get(res.status, "stalled")
    return Result(res.x, history, int(res.nit), status, {"gradient": _largest(res.jac), "message": str(res.message)})


def bfgs_nonsmooth(obj: LinearObjective, theta: np.ndarray, *, max_iter: int, tol: float) -> Result:
    """BFGS with a weak Wolfe line search, for losses with kinks (Lewis and Overton, 2013).

    scipy's L-BFGS-B stops at the first kink of a piecewise-linear loss (its strong Wolfe line search
    asks the slope to shrink in size, which a kink never grants) and ends 1e-2 to 1e-5 above the
    minimum; a limited memory stalls there too. Full BFGS with the weak Wolfe conditions (bracketing
    by doubling and bisection) keeps converging, to the precision of the line search. Stops when the
    line search finds no step, or the largest gradient entry is ``<= tol``.

    Lewis, A. S. and Overton, M. L. (2013). Nonsmooth optimization via quasi-Newton methods.
    Mathematical Programming 141.
    """
    if theta.size > _NONSMOOTH_MAX_SIZE:
        return lbfgs(obj, theta, max_iter=max_iter, tol=tol)
    f, g = obj.value_and_gradient(theta)
    history = [f]
    H = np.eye(theta.size)
    scaled = False
    for it in range(1, max_iter + 1):
        if _largest(g) <= tol:
            return Result(theta, history, it - 1, "converged", {"gradient": _largest(g)})
        d = -H @ g
        slope = float(g @ d)
        if not slope < 0.0:  # lost positive definiteness to rounding: restart from steepest descent
            H = np.eye(theta.size)
            d, slope = -g, -float(g @ g)
        lo, hi, t = 0.0, math.inf, 1.0
        for _ in range(_HALVINGS):
            fn, gn = obj.value_and_gradient(theta + t * d)
            if fn > f + _ARMIJO * t * slope:
                hi = t
            elif float(gn @ d) < _WOLFE * slope:
                lo = t
            else:
                break
            t = 0.5 * (lo + hi) if math.isfinite(hi) else 2.0 * lo
        else:
            return Result(theta, history, it - 1, "stalled", {"gradient": _largest(g)})
        s, y = t * d, gn - g
        sy = float(s @ y)
        if sy > 0.0:
            if not scaled:  # the first update sets the scale of the inverse Hessian
                H *= sy / float(y @ y)
                scaled = True
            rho = 1.0 / sy
            Hy = H @ y
            H += (rho * rho * float(y @ Hy) + rho) * np.outer(s, s) - rho * (np.outer(Hy, s) + np.outer(s, Hy))
        theta, f, g = theta + s, fn, gn
        history.append(f)
    status = "converged" if _largest(g) <= tol else "max_iter"
    return Result(theta, history, max_iter, status, {"gradient": _largest(g)})


def newton(obj: LinearObjective, theta: np.ndarray, *, max_iter: int, tol: float) -> Result:
    """Newton steps ``-H^{-1} g`` (one block per score column) with a backtracking line search."""
    f = obj.value(theta)
    history = [f]
    g = np.zeros_like(theta)
    for it in range(1, max_iter + 1):
        g, blocks = obj.gradient_and_hessian_blocks(theta)
        if _largest(g) <= tol:
            return Result(theta, history, it - 1, "converged", {"gradient": _largest(g)})
        step = np.concatenate([_solve(h, gj) for h, gj in zip(blocks, np.split(g, obj.k), strict=True)])
        if not (np.all(np.isfinite(step)) and float(step @ g) > 0.0):
            step = g  # not a descent direction (a singular Hessian): a gradient step
        theta, f, t = _backtrack(obj, theta, f, g, step, 1.0)
        history.append(f)
        if t == 0.0:
            return Result(theta, history, it, "stalled", {"gradient": _largest(g)})
    g, _ = obj.gradient_and_hessian_blocks(theta)
    status = "converged" if _largest(g) <= tol else "max_iter"
    return Result(theta, history, max_iter, status, {"gradient": _largest(g)})


def gd(obj: LinearObjective, theta: np.ndarray, *, max_iter: int, tol: float, learning_rate: float | None) -> Result:
    """Gradient descent: a fixed step ``learning_rate``, or (None) backtracking from twice the last step."""
    f, g = obj.value_and_gradient(theta)
    history = [f]
    best = (f, theta)
    t = 1.0
    for it in range(1, max_iter + 1):
        if _largest(g) <= tol:
            return Result(theta, history, it - 1, "converged", {"gradient": _largest(g)})
        if learning_rate is None:
            theta, f, t = _backtrack(obj, theta, f, g, g, 2.0 * t)
            if t == 0.0:
                return Result(theta, history, it - 1, "stalled", {"gradient": _largest(g)})
            f, g = obj.value_and_gradient(theta)
        else:
            theta = theta - learning_rate * g
            f, g = obj.value_and_gradient(theta)
        history.append(f)
        if _diverged(f, history[0]):
            return Result(best[1], _finite(history), it, "diverged", {"cost": f, "learning_rate": learning_rate})
        if f < best[0]:
            best = (f, theta)
    return Result(
        theta, history, max_iter, "converged" if _largest(g) <= tol else "max_iter", {"gradient": _largest(g)}
    )


def sgd(
    obj: LinearObjective,
    theta: np.ndarray,
    *,
    max_iter: int,
    tol: float,
    learning_rate: float,
    batch_size: int,
    rng: np.random.RandomState,
) -> Result:
    """Mini-batch SGD over shuffled epochs, step ``learning_rate / sqrt(epoch)``; the cost is recorded per epoch.

    Stops when the full cost has not improved by ``tol`` (relative, at least absolute ``tol``) for
    ``_SGD_PATIENCE`` epochs in a row.
    """
    n = obj.Xa.shape[0]
    weights = obj.sw
    f = obj.value(theta)
    history = [f]
    best = (f, theta)
    stale = 0
    for epoch in range(1, max_iter + 1):
        eta = learning_rate / math.sqrt(epoch)
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            rows = order[start : start + batch_size]
            if weights is not None and not np.any(weights[rows] > 0):
                continue  # a batch of weight 0 has no mean
            _, g = obj.value_and_gradient(theta, rows)
            theta = theta - eta * g
        f = obj.value(theta)
        history.append(f)
        if _diverged(f, history[0]):
            return Result(best[1], _finite(history), epoch, "diverged", {"cost": f, "learning_rate": learning_rate})
        if f < best[0] - tol * max(1.0, abs(best[0])):
            stale = 0
        else:
            stale += 1
        if f < best[0]:
            best = (f, theta)
        if stale >= _SGD_PATIENCE:
            return Result(best[1], history, epoch, "converged")
    return Result(best[1], history, max_iter, "max_iter", {"gradient": _largest(obj.value_and_gradient(best[1])[1])})


def _backtrack(
    obj: LinearObjective, theta: np.ndarray, f: float, g: np.ndarray, step: np.ndarray, t: float
) -> tuple[np.ndarray, float, float]:
    """Armijo backtracking along ``-step``: halve ``t`` until the cost falls; returns ``t`` too (0: no decrease)."""
    slope = float(step @ g)
    for _ in range(_HALVINGS):
        candidate = theta - t * step
        fc = obj.value(candidate)
        if fc <= f - _ARMIJO * t * slope:
            return candidate, fc, t
        t *= 0.5
    return theta, f, 0.0


def _solve(h: np.ndarray, g: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(h, g)
    except np.linalg.LinAlgError:  # singular (alpha = 0 and too few samples with curvature)
        return np.linalg.lstsq(h, g, rcond=None)[0]


def _diverged(f: float, start: float) -> bool:
    return not math.isfinite(f) or f > DIVERGED * max(abs(start), 1.0)


def _finite(history: list[float]) -> list[float]:
    return [v for v in history if math.isfinite(v)]
