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
import math
import os
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np

from ._array import row_sum

REFERENCE_ENV = "LOSSKIT_REFERENCE"
_native_module: Any = None
_import_error: str | None = None
_loaded = False

# Kernel flags (module.c)
_BAD, _SAW_ZERO, _SAW_MINUS = 1, 2, 4
# Op ids: the order of the drivers in src/native/elementwise.h
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
            "xent_prob",
            "kl_prob",
            "rmse",
        ]
    )
}
_DTYPES = {np.dtype(np.float64): 0, np.dtype(np.float32): 1}
_CE = 1000  # the softmax cross-entropy kernel (class axis)
_CLASS_PROB = 1001  # cross-entropy and KL from probabilities: an elementwise kernel over the classes
_SOFTMAX_CE, _MULTI_MARGIN, _CATEGORICAL_HINGE, _KL_LOGITS = 0, 1, 2, 3  # kinds of the class-axis kernel
_RMSE = 1002  # two elementwise passes: the sum of squares, then the gradient divided by the RMSE


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
        params = (-1.0 if pw is None else pw, ls, 1.0 - ls, 0.5 * ls, *_clip_bounds(eps))
        return _OPS["bce_logit" if from_logits else "bce_prob"], params
    if name == "binary_focal":
        gamma, alpha = v["gamma"], v["alpha"]
        if gamma not in (0.0, 1.0, 2.0):
            return None  # pow(q, gamma) for other exponents: reference path
        eps = eps_t if v["eps"] is None else v["eps"]
        a = -1.0 if alpha is None else alpha
        params = (gamma, a, 1.0 - a, *_clip_bounds(eps), 2.0 * gamma + 1.0)
        return _OPS["focal_logit" if v["from_logits"] else "focal_prob"], params
    if name in ("categorical_cross_entropy", "softmax_cross_entropy", "sparse_categorical_cross_entropy"):
        labels = name == "sparse_categorical_cross_entropy"
        if not loss.from_logits:  # probabilities are clipped to [eps, 1] (eps = 0: no clip)
            eps = eps_t if v["eps"] is None else v["eps"]
            bounds = (eps, 1.0) if eps > 0 else (-np.inf, np.inf)
            op = _OPS["xent_prob"]
            return _CLASS_PROB, (op, *bounds, v["label_smoothing"], v["class_weight"], v.get("ignore_index"), labels)
        return _CE, (v["label_smoothing"], v["class_weight"], v.get("ignore_index"), labels, _SOFTMAX_CE, 0.0)
    if name == "multi_margin":  # the class-axis kernel's multiclass hinges (margin.h)
        return _CE, (0.0, None, None, True, _MULTI_MARGIN, v["margin"])
    if name == "categorical_hinge":
        return _CE, (0.0, None, None, False, _CATEGORICAL_HINGE, 0.0)
    if name == "rmse":
        return _RMSE, (_OPS["rmse"], _OPS["mae"])
    if name == "kl_divergence" and v["from_logits"]:  # softmax's kernel with KL's value
        return _CE, (0.0, None, None, False, _KL_LOGITS, 0.0)
    if name == "kl_divergence":
        eps = eps_t if v["eps"] is None else v["eps"]
        bounds = (eps, 1.0) if eps > 0 else (-np.inf, np.inf)
        return _CLASS_PROB, (_OPS["kl_prob"], *bounds, 0.0, None, None, False)
    return None


_NONE = (-1, (), -1)  # no kernel: the reference path


def _clip_bounds(eps: float) -> tuple[float, float]:
    """Probabilities are clipped to [eps, 1 - eps]; eps = 0: no clip (infinite bounds)."""
    return (eps, 1.0 - eps) if eps > 0 else (-np.inf, np.inf)


def _kernel(loss: Any, dtype: np.dtype) -> tuple[int, tuple[float, ...], int]:
    """``(op, params, dtype code)`` of ``loss``'s kernel for ``dtype`` (op -1: none), cached on the loss."""
    cache = loss._kernels
    try:
        return cache[dtype]
    except KeyError:
        code = _DTYPES.get(dtype)
        spec = None if code is None else _spec(loss, dtype)
        cache[dtype] = result = _NONE if spec is None else (spec[0], spec[1], code)
        return result


# -- calls --------------------------------------------------------------------------------------

NOT_HANDLED: Any = NotImplemented


def _coerce(y_true: Any, f: np.ndarray) -> Any:
    """``y_true`` as an array of ``f``'s shape and dtype, or None (the reference path explains)."""
    if type(y_true) is not np.ndarray:
        if not isinstance(y_true, (list, tuple, float, int, np.generic)):
            return None
        y_true = np.asarray(y_true)
    if y_true.shape != f.shape or y_true.dtype.kind not in "biuf":
        return None
    return y_true.astype(f.dtype)


def _weights(w: Any, f: np.ndarray) -> tuple[Any, float] | None:
    """``(weights of f's shape and dtype, sum(w) as the reference computes it)`` or None."""
    if type(w) is not np.ndarray:
        if not isinstance(w, (list, tuple)):
            return None
        w = np.asarray(w)
    if w.dtype.kind not in "biuf" or w.ndim == 0 or w.shape != f.shape[: w.ndim]:
        return None
    if w.dtype != f.dtype:
        w = w.astype(f.dtype)
    total = float(np.sum(w, dtype=np.float64)) * float(f.size // w.size)
    if w.ndim < f.ndim:  # row weights: one per leading index, repeated over the trailing axes
        w = np.ascontiguousarray(np.broadcast_to(w.reshape(w.shape + (1,) * (f.ndim - w.ndim)), f.shape))
    return w, total


def _rejected(flags: int, validate: bool) -> bool:
    """The kernel saw data outside the loss's domain (the reference path raises the error)."""
    return validate and bool(flags & _BAD or (flags & _SAW_ZERO and flags & _SAW_MINUS))


def _buffer(out: Any, f: np.ndarray) -> Any:
    """The caller's ``out`` if the kernel can write into it directly, else None (checked later)."""
    if out is None:
        return np.empty(f.shape, f.dtype)
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

    Returns what the public method returns (a value, an array, or a pair), or NOT_HANDLED
    when the reference path must take the call. Kept lean: it runs on every NumPy call.
    """
    if type(y_pred) is not np.ndarray:
        if type(y_pred).__module__ == "torch":
            return _torch_call(loss, y_true, y_pred, sample_weight, reduction, validate, value, grad, hess, out, out2)
        return NOT_HANDLED
    f = y_pred
    op, params, code = _kernel(loss, f.dtype)
    n = f.size
    if op < 0 or n == 0:
        return NOT_HANDLED
    if op == _CE:
        return _softmax_ce(params, code, y_true, f, sample_weight, reduction, validate, value, grad, hess, out, out2)
    if op == _CLASS_PROB:
        return _class_prob(params, code, y_true, f, sample_weight, reduction, validate, value, grad, hess, out, out2)
    if op == _RMSE:
        return _rmse(params, code, y_true, f, sample_weight, reduction, validate, value, grad, out)
    return _elementwise(op, params, code, y_true, f, sample_weight, reduction, validate, value, grad, hess, out, out2)


def _elementwise(
    op: int,
    params: tuple[float, ...],
    code: int,
    y_true: Any,
    f: np.ndarray,
    sample_weight: Any,
    reduction: str,
    validate: bool,
    value: bool,
    grad: bool,
    hess: bool,
    out: Any,
    out2: Any,
) -> Any:
    """An elementwise loss's kernel call (``call``'s work for every op but the class-axis ones)."""
    n = f.size
    y = y_true
    if type(y) is not np.ndarray or y.dtype is not f.dtype or y.shape != f.shape:
        y = _coerce(y, f)
        if y is None:
            return NOT_HANDLED
    mean = reduction == "mean"
    if not mean and reduction != "none" and reduction != "sum":
        return NOT_HANDLED
    w = sample_weight
    denominator = n
    if w is not None:
        weighted = _weights(w, f)
        if weighted is None:
            return NOT_HANDLED
        w, denominator = weighted
        if mean and validate and not denominator > 0:  # nan, negative or all-zero weights
            return NOT_HANDLED
    none = reduction == "none"
    values = np.empty(f.shape, f.dtype) if value and none else None
    g = h = None
    if grad:
        g = _buffer(out, f)
        if g is None:
            return NOT_HANDLED  # an out= the kernel cannot write into: the reference path copies
    if hess:
        h = _buffer(out2 if grad else out, f)
        if h is None:
            return NOT_HANDLED
    scale = 1.0 / denominator if mean and (grad or hess) and denominator else 1.0
    args = (op, code, params, n, y, f, w, values, g, h, value and not none, scale)
    try:
        total, flags = _native_module.elementwise(*args)
    except (ValueError, BufferError):  # a strided input: contiguous copies, then once more
        y, f = np.ascontiguousarray(y), np.ascontiguousarray(f)
        w = None if w is None else np.ascontiguousarray(w)
        total, flags = _native_module.elementwise(op, code, params, n, y, f, w, values, g, h, value and not none, scale)
    if flags and _rejected(flags, validate):
        return NOT_HANDLED
    return _assemble(value, grad, hess, none, mean, total, denominator, values, g, h, code)


def _rmse(
    params: tuple[int, int],
    code: int,
    y_true: Any,
    f: np.ndarray,
    sample_weight: Any,
    reduction: str,
    validate: bool,
    value: bool,
    grad: bool,
    out: Any,
) -> Any:
    """RMSE: ``sqrt`` of the sum of ``w r^2`` (over ``sum(w)`` for the mean), then ``w r / (sum(w) rmse)``.

    The gradient needs the RMSE first: two passes over the data, the first with the checks
    (the second sees the same data). The RMSE is rounded to the dtype before the gradient
    divides by it, as the reference does; where it is 0 the kernel divides by inf, giving
    the reference's zero gradient. ``reduction="none"`` is ``w |r|``: MAE's kernel.
    """
    op, mae = params
    y, w = y_true, sample_weight
    if reduction == "none":
        return _elementwise(mae, (), code, y, f, w, reduction, validate, value, grad, False, out, None)
    total = _elementwise(op, (1.0,), code, y, f, w, reduction, validate, True, False, False, None, None)
    if total is NOT_HANDLED:
        return total
    with np.errstate(invalid="ignore"):  # validate=False: a negative or nan sum gives nan, as the reference
        root = np.sqrt(total)
    if not grad:
        return root
    divisor = float(root) if root != 0 else math.inf
    g = _elementwise(op, (divisor,), code, y, f, w, reduction, False, False, True, False, out, None)
    if g is NOT_HANDLED:
        return g
    return (root, g) if value else g


def _torch_call(
    loss: Any,
    y_true: Any,
    y_pred: Any,
    sample_weight: Any,
    reduction: str,
    validate: bool,
    value: bool,
    grad: bool,
    hess: bool,
    out: Any,
    out2: Any,
) -> Any:
    """PyTorch CPU tensors outside autograd: the kernels on zero-copy NumPy views of them.

    Taken when every tensor argument is a plain ``torch.Tensor`` on the CPU that does not
    require grad (``y_true`` and ``sample_weight`` may also be lists or NumPy arrays), outside
    ``torch.compile``, functorch transforms (``vmap``, ``grad``) and torch dispatch or
    function modes. There the result has no autograd history to lose, and it is the kernels'
    result on NumPy arrays of the same data (held to the reference path by test_native.py).
    Results are tensors of the reference path's kinds: a 0-d tensor for a reduced value, an
    ``out=`` tensor itself. Anything else, or data the kernel rejects, goes to the reference
    path.
    """
    torch = sys.modules["torch"]
    if torch.compiler.is_compiling() or torch._C._len_torch_dispatch_stack() or torch._C._len_torch_function_stack():
        return NOT_HANDLED  # tracing, or a mode that wants to see the torch operations (fake, flop counting)
    wrapped = getattr(torch._C._functorch, "is_functorch_wrapped_tensor", None)
    views = []
    for i, a in enumerate((y_true, y_pred, sample_weight, out, out2)):
        if a is None or (i in (0, 2) and type(a) is not torch.Tensor):
            views.append(a)  # labels or weights as lists or NumPy arrays: ``call`` takes or declines them
            continue
        if type(a) is not torch.Tensor or a.requires_grad or a.device.type != "cpu" or a.layout != torch.strided:
            return NOT_HANDLED
        if wrapped is not None and wrapped(a):
            return NOT_HANDLED
        try:
            views.append(a.numpy())
        except (RuntimeError, TypeError):  # no storage, a conjugate or negative bit, bfloat16, ...
            return NOT_HANDLED
    y, f, w, o, o2 = views
    r = call(loss, y, f, w, reduction, validate, value, grad, hess, o, o2)
    if r is NOT_HANDLED:
        return r

    def tensor(x: Any) -> Any:
        if x is o:
            return out
        if x is o2:
            return out2
        return torch.from_numpy(np.asarray(x))

    return tuple(tensor(x) for x in r) if type(r) is tuple else tensor(r)


def _softmax_ce(
    params: tuple[Any, ...],
    code: int,
    y_true: Any,
    f: np.ndarray,
    sample_weight: Any,
    reduction: str,
    validate: bool,
    value: bool,
    grad: bool,
    hess: bool,
    out: Any,
    out2: Any,
) -> Any:
    """Softmax cross-entropy (sparse labels or target rows) or KL divergence from logits, or a
    multiclass hinge (``multi_margin`` of labels, ``categorical_hinge`` of one-hot rows): the
    class-axis kernel.

    Row weights are formed as the reference forms them: the sample weight, times 0 for an
    ignored label, times the class weight of the row's true class (``sum_k cw_k y_k``).
    """
    ls, class_weight, ignore_index, labels, kind, margin = params
    inputs = _class_inputs(y_true, f, labels, sample_weight, class_weight, ignore_index, reduction, validate)
    if inputs is None:
        return NOT_HANDLED
    y, rows_shape, k, rows_w, sample_w, denominator = inputs
    n = f.size // k
    mean, none = reduction == "mean", reduction == "none"
    outputs = _class_outputs(rows_shape, f, value and none, grad, hess, out, out2)
    if outputs is None:
        return NOT_HANDLED
    values, g, h = outputs
    scale = 1.0 / denominator if mean and (grad or hess) and denominator else 1.0
    row_tol = float(np.sqrt(np.finfo(f.dtype).eps))
    fc = np.ascontiguousarray(f)
    total, flags = _native_module.softmax_ce(
        code,
        n,
        k,
        fc,
        y if labels else None,
        None if labels else y,
        rows_w,
        sample_w,
        values,
        g,
        h,
        value and not none,
        scale,
        ls,
        ignore_index,
        row_tol,
        kind,
        margin,
    )
    if flags and validate:
        return NOT_HANDLED
    return _assemble(value, grad, hess, none, mean, total, denominator, values, g, h, code)


def _class_prob(
    params: tuple[Any, ...],
    code: int,
    y_true: Any,
    f: np.ndarray,
    sample_weight: Any,
    reduction: str,
    validate: bool,
    value: bool,
    grad: bool,
    hess: bool,
    out: Any,
    out2: Any,
) -> Any:
    """Cross-entropy (categorical, sparse) and KL divergence from probabilities.

    Each term ``y_k log q_k`` is one element's, so the elementwise kernel runs over the classes
    (the value checks of each element in its pass) with the row weights repeated along them;
    the mean and the sum come from its sum, per-row values from a sum over each row. Labels
    become one-hot rows first, as the reference makes them. What the kernel cannot check value
    by value -- rows that sum to one, labels in range -- is checked here; anything doubtful
    goes to the reference path, which explains or computes.
    """
    op, lo, hi, ls, class_weight, ignore_index, labels = params
    inputs = _class_inputs(y_true, f, labels, sample_weight, class_weight, ignore_index, reduction, validate)
    if inputs is None:
        return NOT_HANDLED
    y, rows_shape, k, rows_w, _, denominator = inputs
    n = f.size // k
    if labels:
        safe = y if ignore_index is None else np.where(y == ignore_index, 0, y)
        if validate and (safe.min() < 0 or safe.max() >= k):  # call() sent no empty input
            return NOT_HANDLED
    if validate and not all(_rows_sum_to_one(x) for x in ((f,) if labels else (y, f))):
        return NOT_HANDLED
    if labels:
        if validate:  # every label in range: a 1 in each row
            onehot = np.zeros((n, k), f.dtype)
            onehot[np.arange(n), safe.reshape(-1)] = 1.0
            y = onehot.reshape(f.shape)
        else:  # as the reference: a label outside [0, K) gives a row of zeros
            y = (safe[..., None] == np.arange(k, dtype=safe.dtype)).astype(f.dtype)
    elif ls and validate and not (y.min() >= 0.0 and y.max() <= 1.0):
        return NOT_HANDLED  # the kernel sees the smoothed targets: their range is checked here
    if ls:
        y = y * (1.0 - ls) + ls / k  # as the reference smooths them (_CrossEntropyBase._smooth)
    w = None
    if rows_w is not None:
        w = np.ascontiguousarray(np.broadcast_to(rows_w.astype(f.dtype).reshape(*rows_shape, 1), f.shape))
    mean, none = reduction == "mean", reduction == "none"
    outputs = _class_outputs(f.shape, f, value and none, grad, hess, out, out2)
    if outputs is None:
        return NOT_HANDLED
    values, g, h = outputs
    scale = 1.0 / denominator if mean and (grad or hess) and denominator else 1.0
    fc = np.ascontiguousarray(f)
    total, flags = _native_module.elementwise(
        op, code, (lo, hi), f.size, y, fc, w, values, g, h, value and not none, scale
    )
    if flags and _rejected(flags, validate):
        return NOT_HANDLED
    if values is not None:
        values = row_sum(values, np)
    return _assemble(value, grad, hess, none, mean, total, denominator, values, g, h, code)


def _class_inputs(
    y_true: Any,
    f: np.ndarray,
    labels: bool,
    sample_weight: Any,
    class_weight: Any,
    ignore_index: Any,
    reduction: str,
    validate: bool,
) -> tuple[Any, ...] | None:
    """The class-axis kernels' inputs: ``(y, rows_shape, K, rows_w, sample_w, denominator)``.

    ``y``: int64 labels of the rows' shape, or target rows of ``f``'s shape and dtype; the
    weights as :func:`_row_weights` forms them. None: the reference path takes the call.
    """
    if f.ndim == 0 or reduction not in ("none", "mean", "sum"):
        return None
    rows_shape, k = f.shape[:-1], f.shape[-1]
    y = y_true if type(y_true) is np.ndarray else None
    if y is None:
        if not isinstance(y_true, (list, tuple)):
            return None
        y = np.asarray(y_true)
    if labels:
        if y.shape != rows_shape or y.dtype.kind not in "iu":
            return None
        y = np.ascontiguousarray(y, np.int64)
    elif y.shape != f.shape or y.dtype.kind not in "biuf":
        return None
    else:
        y = np.ascontiguousarray(y, f.dtype)
    weights = _row_weights(y, labels, k, rows_shape, f.dtype, sample_weight, class_weight, ignore_index, validate)
    if weights is None or (reduction == "mean" and validate and not weights[2] > 0):
        return None
    return (y, rows_shape, k, *weights)


def _class_outputs(
    values_shape: tuple[int, ...], f: np.ndarray, values: bool, grad: bool, hess: bool, out: Any, out2: Any
) -> tuple[Any, Any, Any] | None:
    """``(values, g, h)`` buffers of a class-axis call (None where not asked), or None (reference path)."""
    g = _buffer(out, f) if grad else None
    h = _buffer(out2 if grad else out, f) if hess else None
    if (grad and g is None) or (hess and h is None):
        return None
    return (np.empty(values_shape, f.dtype) if values else None), g, h


def _rows_sum_to_one(x: np.ndarray) -> bool:
    """Every row of ``x`` surely sums to 1 within the reference's ``sqrt(eps)`` (_base).

    One pass in the extension (module.c: rows summed in double, accepted only where the
    difference to the reference's float64 row sum cannot matter). False means "not sure":
    the reference path decides (values outside [0, 1] make the kernel refuse anyway).
    """
    k = x.shape[-1]
    tol = math.sqrt(float(np.finfo(x.dtype).eps))
    return _native_module.rows_sum_to_one(_DTYPES[x.dtype], np.ascontiguousarray(x), x.size // k, k, tol)


def _row_weights(
    y: np.ndarray,
    labels: bool,
    k: int,
    rows_shape: tuple[int, ...],
    dtype: np.dtype,
    sample_weight: Any,
    class_weight: Any,
    ignore_index: Any,
    validate: bool,
) -> tuple[Any, Any, float] | None:
    """The class-axis losses' row weights, as the reference forms them, or None (reference path).

    ``(rows_w, sample_w, denominator)``: the sample weight times 0 for an ignored label times
    the class weight of the row's true class (``sum_k cw_k y_k``; 0 for a label outside [0, K),
    whose one-hot row is 0), flat float64 per row or None where every row weighs 1; the sample
    weights alone, likewise; and the sum of the row weights.
    """
    n = math.prod(rows_shape)
    w = sample_weight
    given = None
    if w is not None:
        if type(w) is not np.ndarray:
            if not isinstance(w, (list, tuple)):
                return None
            w = np.asarray(w)
        if w.dtype.kind not in "biuf" or w.ndim == 0 or w.shape != rows_shape[: w.ndim]:
            return None
        given = w.astype(np.float64)
    extras = []
    if labels and ignore_index is not None:
        extras.append((y != ignore_index).astype(np.float64))
    if class_weight is not None:
        if class_weight.shape[0] != k:
            return None  # the reference path explains
        if labels:
            safe = y if ignore_index is None else np.where(y == ignore_index, 0, y)
            inside = (safe >= 0) & (safe < k)
            if validate and not inside.all():
                return None
            extras.append(np.where(inside, class_weight[np.clip(safe, 0, k - 1)], 0.0))
        else:
            extras.append(np.sum(y * class_weight.astype(dtype), axis=-1, dtype=np.float64))
    rows_w = None
    if given is not None:
        aligned = given.reshape(given.shape + (1,) * (len(rows_shape) - given.ndim))
        if extras:
            full = aligned
            for e in extras:
                full = full * e
            rows_w = np.ascontiguousarray(np.broadcast_to(full, rows_shape), np.float64).reshape(-1)
            denominator = float(np.sum(rows_w))
        else:
            denominator = float(np.sum(given)) * float(n // given.size)
            rows_w = np.ascontiguousarray(np.broadcast_to(aligned, rows_shape), np.float64).reshape(-1)
        sample_w = np.ascontiguousarray(np.broadcast_to(aligned, rows_shape), np.float64).reshape(-1)
    else:
        sample_w = None
        if extras:
            full = extras[0]
            for e in extras[1:]:
                full = full * e
            rows_w = np.ascontiguousarray(full, np.float64).reshape(-1)
            denominator = float(np.sum(rows_w))
        else:
            denominator = float(n)
    return rows_w, sample_w, denominator


def _assemble(value, grad, hess, none, mean, total, denominator, values, g, h, code):
    """What the public method returns, from a kernel's outputs."""
    if value:
        if none:
            result = values
        else:
            if mean:
                if denominator:
                    total = total / denominator
                else:  # validate=False with weights summing to 0: nan or inf, as the reference path
                    with np.errstate(all="ignore"):
                        total = float(np.float64(total) / np.float64(0.0))
            if code == 0:
                result = np.float64(total)
            elif abs(total) < 3.4e38:
                result = np.float32(total)
            else:  # beyond float32's range (or nan): inf without NumPy's overflow warning, as the reference
                with np.errstate(over="ignore"):
                    result = np.float32(total)
        return result if not grad else (result, g)
    if grad and hess:
        return g, h
    return g if grad else h


def raw_kernel(loss: Any, kind: str, y: np.ndarray, f: np.ndarray, out: Any = None) -> Any:
    """The bare kernel call, for the benchmarks: the public API's cost is the difference.

    ``kind`` is ``"value"``, ``"value_and_gradient"`` or ``"gradient_and_hessian"``; the
    reduction is the mean, without weights; ``y`` and ``f`` must already be contiguous arrays
    the kernel takes as they are (``f`` float32 or float64; ``y`` of ``f``'s dtype, or int64
    labels for sparse cross-entropy). Returns what the public method returns. No checks.
    """
    op, params, code = _kernel(loss, f.dtype)
    if op < 0:
        msg = f"{loss!r} has no native kernel for {f.dtype}"
        raise ValueError(msg)
    value, grad, hess = kind == "value", kind == "value_and_gradient", kind == "gradient_and_hessian"
    g, h = (out if hess else (out, None)) if out is not None else (None, None)
    if (grad or hess) and g is None:
        g = np.empty_like(f)
    if hess and h is None:
        h = np.empty_like(f)
    if op == _CE:
        ls, _, ignore_index, labels, ce_kind, margin = params
        k = f.shape[-1]
        n = f.size // k
        total, _ = _native_module.softmax_ce(
            code, n, k, f, y if labels else None, None if labels else y, None, None, None, g, h,
            not hess, 1.0 / n, ls, ignore_index, float(np.sqrt(np.finfo(f.dtype).eps)), ce_kind, margin,
        )  # fmt: skip
    elif op == _CLASS_PROB:
        op, lo, hi, ls, _, _, labels = params
        k = f.shape[-1]
        n = f.size // k
        if labels:
            y = (y[..., None] == np.arange(k, dtype=y.dtype)).astype(f.dtype)
        if ls:
            y = y * (1.0 - ls) + ls / k
        total, _ = _native_module.elementwise(op, code, (lo, hi), f.size, y, f, None, None, g, h, not hess, 1.0 / n)
    elif op == _RMSE:
        n = f.size
        total, _ = _native_module.elementwise(params[0], code, (1.0,), n, y, f, None, None, None, None, True, 1.0)
        root = np.sqrt(np.float64(total / n) if code == 0 else np.float32(total / n))
        if grad:
            divisor = float(root) if root != 0 else math.inf
            _native_module.elementwise(params[0], code, (divisor,), n, y, f, None, None, g, None, False, 1.0 / n)
        return (root, g) if grad else root
    else:
        n = f.size
        total, _ = _native_module.elementwise(op, code, params, n, y, f, None, None, g, h, not hess, 1.0 / n)
    mean = np.float64(total / n) if code == 0 else np.float32(total / n)
    if value:
        return mean
    return (mean, g) if grad else (g, h)
