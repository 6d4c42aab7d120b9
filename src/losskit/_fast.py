"""The fast path for NumPy inputs: fused native kernels, when the extension is built.

The array-API implementation in ``_base`` is the reference and the path for
every other library. A call takes the native path when its inputs are float32
or float64 NumPy arrays and the loss (with its parameters) has a kernel;
anything else -- and any data the kernel's checks reject -- goes to the
reference path, which computes or raises the precise error. Both paths agree
to within 2 ulps (``tests/test_native.py`` holds them to it).

``LOSSKIT_REFERENCE=1`` in the environment (read at import) forces the
reference path; :func:`reference_path` does so for a block of code.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

REFERENCE_ENV = "LOSSKIT_REFERENCE"
_native_module: Any = None
_import_error: str | None = None
_loaded = False

# Kernel flags (module.c)
_BAD, _SAW_ZERO, _SAW_MINUS = 1, 2, 4
# Op ids: the order of the drivers in _native/elementwise.h
_OPS = {
    name: i
    for i, name in enumerate(
        [
            "mse",
            "mae",
            "huber",
            "pseudo_huber",
            "log_cosh",
            "quantile",
            "poisson_rate",
            "poisson_log",
            "msle",
            "mape",
            "bce_prob",
            "bce_logit",
            "hinge",
            "squared_hinge",
            "modified_huber",
            "exponential",
            "brier",
            "focal_logit",
            "focal_prob",
        ]
    )
}
_DTYPES = {np.dtype(np.float64): 0, np.dtype(np.float32): 1}


def forced_reference() -> bool:
    return os.environ.get(REFERENCE_ENV, "") not in ("", "0")


def native() -> Any:
    """The ``losskit._native`` extension module, or None when it is not built."""
    global _native_module, _import_error, _loaded
    if not _loaded:
        _loaded = True
        try:
            from . import _native as module  # type: ignore[attr-defined]
        except ImportError as exc:
            _import_error = f"the native extension is not built ({exc})"
        else:
            _native_module = module
    return _native_module


def unavailable_reason() -> str:
    native()
    return _import_error or ""


ENABLED = not forced_reference() and native() is not None


@contextlib.contextmanager
def reference_path() -> Iterator[None]:
    """Run the block on the array-API reference path (for tests and comparisons)."""
    global ENABLED
    before = ENABLED
    ENABLED = False
    try:
        yield
    finally:
        ENABLED = before


# -- which kernel, with which parameters --------------------------------------------------------


def _spec(loss: Any, dtype: np.dtype) -> tuple[int, tuple[float, ...]] | None:
    """The op id and the parameters of ``loss``'s kernel for ``dtype``, or None (reference path).

    Scalar expressions (1 - q, 1 - eps, ...) are computed here in double, as NumPy computes
    the reference's Python scalars, and rounded once to the dtype in the kernel.
    """
    name, v = loss.name, loss._values
    eps_t = float(np.finfo(dtype).eps)
    if name in ("mse", "mae", "log_cosh", "msle", "hinge", "squared_hinge", "modified_huber", "exponential", "brier"):
        return _OPS[name], ()
    if name in ("huber", "pseudo_huber"):
        return _OPS[name], (v["delta"],)
    if name == "quantile":
        return _OPS[name], (v["quantile"], 1.0 - v["quantile"])
    if name == "poisson":
        return _OPS["poisson_log" if v["from_logits"] else "poisson_rate"], ()
    if name == "mape":
        return _OPS[name], (eps_t,)
    if name in ("binary_cross_entropy", "sigmoid_cross_entropy"):
        pw = v["pos_weight"]
        if isinstance(pw, np.ndarray):
            return None  # one weight per column: reference path
        ls = v["label_smoothing"]
        from_logits = loss.from_logits
        eps = (eps_t if loss.eps is None else loss.eps) if not from_logits else 0.0
        params = (-1.0 if pw is None else pw, ls, 1.0 - ls, 0.5 * ls, eps, 1.0 - eps)
        return _OPS["bce_logit" if from_logits else "bce_prob"], params
    if name == "binary_focal":
        gamma, alpha = v["gamma"], v["alpha"]
        if gamma not in (0.0, 1.0, 2.0):
            return None  # pow(q, gamma) for other exponents: reference path
        eps = eps_t if v["eps"] is None else v["eps"]
        a = -1.0 if alpha is None else alpha
        params = (gamma, a, 1.0 - a, eps, 1.0 - eps, 2.0 * gamma + 1.0)
        return _OPS["focal_logit" if v["from_logits"] else "focal_prob"], params
    return None


def _kernel(loss: Any, dtype: np.dtype) -> tuple[int, tuple[float, ...]] | None:
    cache = loss._kernels
    try:
        return cache[dtype]
    except KeyError:
        spec = cache[dtype] = None if loss.class_axis else _spec(loss, dtype)
        return spec


# -- calls --------------------------------------------------------------------------------------

NOT_HANDLED: Any = NotImplemented


def _inputs(loss: Any, y_true: Any, y_pred: np.ndarray, sample_weight: Any) -> Any:
    """(op, params, y, f, w, code) ready for a kernel, or None for the reference path."""
    code = _DTYPES.get(y_pred.dtype)
    if code is None or y_pred.size == 0:
        return None
    spec = _kernel(loss, y_pred.dtype)
    if spec is None:
        return None
    f = y_pred if y_pred.flags.c_contiguous else np.ascontiguousarray(y_pred)
    if type(y_true) is not np.ndarray:
        if not isinstance(y_true, (list, tuple, float, int, np.generic)):
            return None
        y_true = np.asarray(y_true)
    if y_true.shape != f.shape or y_true.dtype.kind not in "biuf":
        return None  # the reference path explains the mismatch
    y = y_true if y_true.dtype == f.dtype and y_true.flags.c_contiguous else np.ascontiguousarray(y_true, f.dtype)
    w = sample_weight
    w_sum = None  # the mean's denominator, computed as the reference computes it
    if w is not None:
        if type(w) is not np.ndarray:
            if not isinstance(w, (list, tuple)):
                return None
            w = np.asarray(w)
        if w.dtype.kind not in "biuf" or w.ndim == 0 or w.shape != f.shape[: w.ndim]:
            return None
        if w.dtype != f.dtype:
            w = w.astype(f.dtype)
        w_sum = lambda w=w: float(np.sum(w, dtype=np.float64)) * float(f.size // w.size)  # noqa: E731
        if w.ndim < f.ndim:  # row weights: one per leading index, repeated over the trailing axes
            w = np.broadcast_to(w.reshape(w.shape + (1,) * (f.ndim - w.ndim)), f.shape)
        if not w.flags.c_contiguous:
            w = np.ascontiguousarray(w)
    return spec[0], spec[1], y, f, w, w_sum, code


def _rejected(flags: int, validate: bool) -> bool:
    """The kernel saw data outside the loss's domain (the reference path raises the error)."""
    return validate and bool(flags & _BAD or (flags & _SAW_ZERO and flags & _SAW_MINUS))


def _buffer(out: Any, f: np.ndarray) -> Any:
    """The caller's ``out`` if the kernel can write into it directly, else None (checked later)."""
    if out is None:
        return np.empty_like(f)
    usable = type(out) is np.ndarray and out.shape == f.shape and out.dtype == f.dtype
    return out if usable and out.flags.c_contiguous and out.flags.writeable else None


def call(
    loss: Any,
    y_true: Any,
    y_pred: np.ndarray,
    sample_weight: Any,
    reduction: str,
    validate: bool,
    value: bool,
    grad: bool,
    hess: bool,
    out: Any = None,
    out2: Any = None,
) -> Any:
    """One fused kernel call: the value (reduced), the gradient and/or the Hessian.

    Returns the result the public method returns (a value, an array, or a pair), or
    NOT_HANDLED when the reference path must take the call.
    """
    prepared = _inputs(loss, y_true, y_pred, sample_weight)
    if prepared is None or reduction not in ("none", "mean", "sum"):
        return NOT_HANDLED
    op, params, y, f, w, w_sum, code = prepared
    kernel = _native_module
    n = f.size
    scale = 1.0
    denominator = float(n)
    if reduction == "mean":
        if w is not None:
            denominator = w_sum()
            if validate and not denominator > 0:  # nan, negative or all-zero weights: the reference explains
                return NOT_HANDLED
        if grad or hess:
            with np.errstate(all="ignore"):
                scale = float(np.float64(1.0) / np.float64(denominator))
    values = None
    if value and reduction == "none":
        values = np.empty_like(f)
    g = _buffer(out, f) if grad else None
    h = _buffer(out2 if grad else out, f) if hess else None
    if (grad and g is None) or (hess and h is None):
        return NOT_HANDLED  # an out= the kernel cannot write into: the reference path copies
    total, flags = kernel.elementwise(op, code, params, y, f, w, values, g, h, value and reduction != "none", scale)
    if _rejected(flags, validate):
        return NOT_HANDLED
    result = []
    if value:
        if reduction == "none":
            result.append(values)
        else:
            if reduction == "mean":
                with np.errstate(all="ignore"):
                    total = np.float64(total) / np.float64(denominator)
            result.append(np.float64(total).astype(f.dtype)[()] if code else np.float64(total))
    if grad:
        result.append(g)
    if hess:
        result.append(h)
    return result[0] if len(result) == 1 else tuple(result)
