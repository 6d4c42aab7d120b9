"""Array namespaces, conversion, dtype rules and lazy-array detection.

Every loss is written once against the Python array API standard; this module
finds the namespace (``xp``) of the user's arrays and brings every input into
it. NumPy inputs take a fast lane: ``numpy`` (>= 2.1) follows the standard
itself, so neither ``array_api_compat.numpy`` (about 150 ms to import) nor
the per-call dispatch cost is paid for the most common case.
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np

__all__ = [
    "as_array",
    "compute_dtype",
    "constant",
    "device_of",
    "errstate",
    "is_lazy",
    "namespace",
]

_NUMPY_TYPES = (np.ndarray, np.generic)
# Plain Python data is converted to the namespace of the other inputs.
_PLAIN = (list, tuple, int, float, bool)


def _library(x: Any) -> str:
    """A short name for the library an array comes from, for messages."""
    module = type(x).__module__.split(".")[0]
    return {"jaxlib": "jax", "array_api_strict": "array_api_strict"}.get(module, module)


def namespace(*arrays: Any) -> tuple[Any, Any]:
    """``(xp, device)`` shared by ``arrays`` (``None`` entries ignored).

    NumPy arrays, NumPy scalars and plain Python data (lists, tuples,
    numbers) go with any other library: they are converted to it, on the
    device of the first array of that library. Two different array
    libraries raise ``TypeError`` naming both.
    """
    foreign = [a for a in arrays if a is not None and not isinstance(a, (*_NUMPY_TYPES, *_PLAIN))]
    if not foreign:
        return np, None
    first = foreign[0]
    for other in foreign[1:]:
        if type(other) is not type(first) and _library(other) != _library(first):
            msg = (
                f"inputs come from two array libraries that cannot be combined: "
                f"{_library(first)} ({type(first).__name__}) and {_library(other)} "
                f"({type(other).__name__}); convert one of them first."
            )
            raise TypeError(msg)
    from array_api_compat import array_namespace, device

    try:
        xp = array_namespace(*foreign)
    except TypeError as exc:
        kinds = ", ".join(sorted({f"{_library(a)} ({type(a).__name__})" for a in foreign}))
        msg = f"inputs must be arrays of one array library (or lists / NumPy arrays); got {kinds}: {exc}"
        raise TypeError(msg) from None
    return xp, device(first)


def device_of(x: Any, xp: Any) -> Any:
    """The device of ``x`` (``None`` for NumPy)."""
    if xp is np:
        return None
    from array_api_compat import device

    return device(x)


def as_array(x: Any, xp: Any, device: Any = None, name: str = "input") -> Any:
    """``x`` as an array of namespace ``xp``, on ``device``; arrays of ``xp`` pass through."""
    if xp is np:
        if type(x) is np.ndarray:
            return x
        try:
            return np.asarray(x)
        except (ValueError, TypeError) as exc:
            msg = f"`{name}` must be an array or a (nested) sequence of numbers; {exc}"
            raise TypeError(msg) from None
    if isinstance(x, (*_NUMPY_TYPES, *_PLAIN)):
        if isinstance(x, _PLAIN):
            x = np.asarray(x)
        if x.dtype.kind in "fc" and x.dtype.itemsize == 8 and not has_float64(xp, device):
            x = x.astype(np.float32)
        return xp.asarray(x, device=device)
    return x


def constant(v: np.ndarray, like: Any, xp: Any) -> Any:
    """A parameter vector (host float64) as an array of ``like``'s namespace, dtype and device."""
    if xp is np:
        return v.astype(like.dtype, copy=False)
    # a writable copy: torch warns on read-only NumPy buffers
    return xp.asarray(np.array(v, dtype=np.float64), dtype=like.dtype, device=device_of(like, xp))


_FLOAT64: dict[str, bool] = {}


def has_float64(xp: Any, device: Any = None) -> bool:
    """Whether ``xp`` computes in float64 on ``device``.

    JAX has it only with ``jax_enable_x64`` (otherwise it downgrades to
    float32 with a warning); torch's MPS devices lack it.
    """
    if xp is np:
        return True
    name = getattr(xp, "__name__", "")
    if "jax" in name:
        import jax

        return bool(jax.config.jax_enable_x64)
    if "torch" in name:
        return getattr(device, "type", "cpu") != "mps"
    if name not in _FLOAT64:
        try:
            _FLOAT64[name] = xp.asarray(0.0, dtype=xp.float64).dtype == xp.float64
        except Exception:
            _FLOAT64[name] = False
    return _FLOAT64[name]


def is_floating(dtype: Any, xp: Any) -> bool:
    return bool(xp.isdtype(dtype, "real floating"))


def compute_dtype(y_pred_dtype: Any, y_true_dtype: Any, xp: Any) -> tuple[Any, Any]:
    """(dtype the loss is computed in, dtype the result is returned in).

    The prediction's float dtype wins (the model's precision); integer or
    boolean predictions take the target's float dtype, else the namespace's
    default float. Half precision (float16, bfloat16) is computed in float32
    and returned in its own dtype.
    """
    if xp.isdtype(y_pred_dtype, "complex floating") or (
        y_true_dtype is not None and xp.isdtype(y_true_dtype, "complex floating")
    ):
        msg = "complex inputs are not supported: losses are defined for real values."
        raise TypeError(msg)
    if is_floating(y_pred_dtype, xp):
        out = y_pred_dtype
    elif y_true_dtype is not None and is_floating(y_true_dtype, xp):
        out = y_true_dtype
    else:
        out = _default_float(xp)
    if xp.finfo(out).bits < 32:
        return xp.float32, out
    return out, out


def _default_float(xp: Any) -> Any:
    if xp is np:
        return np.float64
    try:
        return xp.__array_namespace_info__().default_dtypes()["real floating"]
    except Exception:  # pragma: no cover - namespaces before the 2023.12 standard
        return xp.float64


def accumulation_dtype(dtype: Any, xp: Any, device: Any = None) -> Any:
    """Sums of float32 (and lower) are accumulated in float64 where the backend has it."""
    if xp.finfo(dtype).bits < 64 and has_float64(xp, device):
        return xp.float64
    return dtype


def is_lazy(x: Any) -> bool:
    """True for arrays whose values cannot be read without forcing a computation.

    JAX tracers (under ``jit``, ``grad``, ``vmap``) and Dask arrays are lazy;
    value checks are skipped for them (shape and dtype checks still run).
    """
    if isinstance(x, _NUMPY_TYPES):
        return False
    module = type(x).__module__
    if module.startswith(("jax", "jaxlib")):
        import jax

        return isinstance(x, jax.core.Tracer)
    if module.startswith("dask"):
        return True
    from array_api_compat import is_lazy_array

    return bool(is_lazy_array(x))


def row_sum(x: Any, xp: Any, *, keepdims: bool = False, dtype: Any = None) -> Any:
    """The sum over the last (class) axis, optionally accumulated in ``dtype``.

    NumPy reduces a short contiguous last axis one row at a time (2 ms for 10**5 rows of 10
    values); its ``einsum`` sums the same rows 2-5x faster. The order of the additions differs
    from ``np.sum``'s by at most an ulp per row, so the kernels' references (softmax rows, which
    the native path reproduces bit for bit) keep ``xp.sum``; this serves the checks and the
    class-axis losses without a kernel.
    """
    if _is_numpy_namespace(xp) and isinstance(x, np.ndarray) and x.ndim >= 1 and x.dtype.kind == "f":
        s = np.einsum("...k->...", x, dtype=dtype)
        return s[..., None] if keepdims else s
    if dtype is not None and dtype != x.dtype:
        return xp.sum(x, axis=-1, keepdims=keepdims, dtype=dtype)
    return xp.sum(x, axis=-1, keepdims=keepdims)


# below this many classes a loop over the columns beats NumPy's row-at-a-time max (measured,
# 10**6 values: K = 2 17.6 -> 0.34 ms, K = 10 4.4 -> 0.57 ms, K = 32 1.6 -> 0.9; K = 64 even)
_COLUMN_MAX_BELOW = 48


def row_max(x: Any, xp: Any, *, keepdims: bool = False) -> Any:
    """The maximum over the last (class) axis.

    NumPy reduces a short contiguous last axis one row at a time (4.4 ms for 10**5 rows of
    10 values); under 48 classes this takes the running maximum of the columns instead (0.6
    ms). The maximum does not depend on the order (nan propagates either way; only the sign
    of a zero maximum may differ, which no caller can see: they subtract it).
    """
    k = x.shape[-1] if x.ndim else 0
    if _is_numpy_namespace(xp) and isinstance(x, np.ndarray) and 1 < k < _COLUMN_MAX_BELOW and x.ndim >= 2:
        m = x[..., 0].copy()
        for j in range(1, k):
            np.maximum(m, x[..., j], out=m)
        return m[..., None] if keepdims else m
    return xp.max(x, axis=-1, keepdims=keepdims)


def _is_numpy_namespace(xp: Any) -> bool:
    return xp is np or getattr(xp, "__name__", "") == "array_api_compat.numpy"


def errstate(xp: Any) -> contextlib.AbstractContextManager[Any]:
    """Silence NumPy's floating-point warnings: the losses handle 0, inf and nan themselves."""
    if _is_numpy_namespace(xp):
        return np.errstate(all="ignore")
    return contextlib.nullcontext()
