"""The :class:`Loss` base class: everything shared by every loss, written once.

A loss subclass holds only mathematics: ``_value``, ``_gradient`` and
``_hessian`` of one element (or one sample, for class-axis losses). This
module finds the array namespace, converts and checks the inputs (shapes,
dtypes, domains), applies sample weights, class weights and ``ignore_index``
masks, and reduces -- the same way for the value, the gradient and the
Hessian, so that ``gradient(..., reduction=r)`` is the derivative of
``__call__(..., reduction=r)``.

Reductions (``w`` the weight of each value, ``l`` its loss):

============  ==========================  ===================================
reduction     value                       gradient / Hessian
============  ==========================  ===================================
``"none"``    ``w * l`` per value         ``w * dl/df`` per element
``"sum"``     ``sum(w * l)``              ``w * dl/df``
``"mean"``    ``sum(w * l) / sum(w)``     ``w * dl/df / sum(w)``
============  ==========================  ===================================

A value whose weight is 0 contributes exactly 0, even where its loss is
``inf`` or ``nan``, and its data are not validated (weights double as masks).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import numpy as np

from . import _fast, _params
from ._array import (
    accumulation_dtype,
    as_array,
    compute_dtype,
    device_of,
    errstate,
    is_lazy,
    namespace,
    row_sum,
)
from ._params import Param
from ._stable import read_back

Reduction = Literal["none", "mean", "sum"]
_REDUCTIONS = ("none", "mean", "sum")

__all__ = ["Loss", "Param"]


class _Batch:
    """The inputs of one call, converted, checked and ready for the mathematics."""

    __slots__ = (
        "_denominator",
        "acc_dtype",
        "dtype",
        "f",
        "finite_pred",
        "lazy",
        "out_dtype",
        "result_shape",
        "validate",
        "w",
        "xp",
        "y",
    )

    def __init__(self, xp: Any) -> None:
        self.xp = xp
        self.finite_pred = False  # the value checks proved y_pred finite (validated calls)
        self.w: Any = None  # weights aligned with the result shape (trailing axes of size 1)
        self._denominator: Any = None

    # -- weights and reductions ---------------------------------------------------------
    def weight_like(self, x: Any) -> Any:
        """The weights (or None) reshaped to broadcast against ``x`` (a trailing class axis)."""
        return None if self.w is None else _align(self.w, x.ndim, self.xp)

    def multiply_weight(self, extra: Any) -> None:
        """Fold a per-sample weight (class weights, ignore mask) into ``w``."""
        if extra is None:
            return
        self.w = extra if self.w is None else self.w * extra  # both aligned with the result shape

    def denominator(self) -> Any:
        """``sum(w)`` over every value (``n`` without weights), in the accumulation dtype."""
        if self._denominator is None:
            xp = self.xp
            n = math.prod(self.result_shape)  # never 0 here: _batch refuses an empty mean
            if self.w is None:
                self._denominator = float(n)
            else:
                repeat = n // max(1, math.prod(self.w.shape))
                total = xp.sum(self.w, dtype=self.acc_dtype) * float(repeat)
                if self.validate and not self.lazy and not bool(total > 0):
                    msg = (
                        "every value has weight 0 (zero `sample_weight`, zero `class_weight` or "
                        'every label equal to `ignore_index`): the weighted mean is undefined; use reduction="sum".'
                    )
                    raise ValueError(msg)
                self._denominator = total
        return self._denominator

    def total(self, values: Any, reduction: str) -> Any:
        """The weighted sum or mean of ``values``, in the accumulation dtype (not cast back)."""
        xp = self.xp
        w = self.weight_like(values)
        if w is not None:
            values = xp.where(w == 0.0, 0.0, w * values)
        acc = self.acc_dtype
        s = xp.sum(values, dtype=acc) if values.dtype != acc else xp.sum(values)
        if reduction == "sum":
            return s
        return s / self.denominator()

    def reduce(self, values: Any, reduction: str) -> Any:
        """Apply the reduction to per-value losses and return in the output dtype."""
        if reduction == "none":
            return self.scale(values, "none")
        return self.out(self.total(values, reduction))

    def scale(self, d: Any, reduction: str, out: Any = None) -> Any:
        """Weight (and for "mean", divide by ``sum(w)``) a per-element derivative or loss."""
        xp = self.xp
        w = self.weight_like(d)
        if reduction == "mean":
            denom = self.denominator()
            if w is None:
                d = d * (1.0 / denom)
            else:
                w = w * xp.astype(1.0 / denom, d.dtype)
        if w is not None:
            d = xp.where(w == 0.0, 0.0, w * d)
        return self.out(d) if out is None else write_into(out, self.out(d), self.xp)

    def computing(self) -> contextlib.ExitStack:
        """The context of computing the formulas: NumPy's warnings off, and a formula may read a
        value back (``_stable.all_finite``) only when this call validates eager data."""
        stack = contextlib.ExitStack()
        stack.enter_context(errstate(self.xp))
        stack.enter_context(read_back(self.validate and not self.lazy, self.f if self.finite_pred else None))
        return stack

    def out(self, x: Any) -> Any:
        if x.dtype != self.out_dtype:
            x = self.xp.astype(x, self.out_dtype)
        return x


class Loss:
    r"""A loss function: its value, gradient and Hessian diagonal.

    Instances are immutable, compare equal by (name, parameters), hash,
    pickle and have a readable ``repr``. Get one with :func:`losskit.get`.

    Every method takes ``(y_true, y_pred)`` -- the target first -- and the
    keywords ``sample_weight=None``, ``reduction="mean"`` and
    ``validate=True``. ``validate=False`` skips the checks on values
    (ranges, labels, ``nan``) for speed; shape and dtype checks always run.
    """

    # -- what a subclass declares ------------------------------------------------------------
    name: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    formula: ClassVar[str] = ""  # the value in one line of plain text (r = f - y, t = 2y - 1)
    task: ClassVar[str] = ""  # regression | binary | multiclass | distribution
    parameters: ClassVar[tuple[Param, ...]] = ()
    fixed: ClassVar[Mapping[str, Any]] = {}  # parameters pinned by this variant (from_logits=True)
    class_axis: ClassVar[bool] = False  # the last axis holds classes; one value per sample
    integer_labels: ClassVar[bool] = False  # y_true holds class indices, shape y_pred.shape[:-1]
    y_true_domain: ClassVar[str] = "real"
    y_pred_domain: ClassVar[str] = "real"
    hessian_diagonal: ClassVar[bool] = True

    __slots__ = ("_kernels", "_values")

    def __init__(self, **params: Any) -> None:
        values = {}
        specs = {p.name: p for p in self.parameters}
        for key, value in params.items():
            if key in specs:
                continue
            if key in self.fixed:
                if _params.same(value, self.fixed[key]) or value == self.fixed[key]:
                    continue
                msg = f"`{key}` is fixed to {self.fixed[key]!r} for {self.name!r}; got {key}={value!r}."
                raise ValueError(msg)
            valid = ", ".join(specs) or "none"
            msg = f"unknown parameter `{key}` for loss {self.name!r}; valid parameters: {valid}."
            raise TypeError(msg)
        for spec in self.parameters:
            value = params.get(spec.name, spec.default)
            values[spec.name] = spec.check(spec.name, value) if value is not spec.default else value
        object.__setattr__(self, "_values", values)
        object.__setattr__(self, "_kernels", {})  # the native kernel for each dtype (_fast)
        self._check_params()

    def _check_params(self) -> None:
        """Checks that involve several parameters."""

    # -- attribute access, immutability and identity ------------------------------------
    def __getattr__(self, key: str) -> Any:
        try:
            values = object.__getattribute__(self, "_values")
        except AttributeError:
            raise AttributeError(key) from None
        if key in values:
            return values[key]
        if key in self.fixed:
            return self.fixed[key]
        msg = f"{type(self).__name__!r} object has no attribute {key!r}"
        raise AttributeError(msg)

    def __setattr__(self, key: str, value: Any) -> None:
        msg = f"Loss objects are immutable; use loss.replace({key}=...) for a changed copy."
        raise AttributeError(msg)

    def __delattr__(self, key: str) -> None:
        msg = "Loss objects are immutable."
        raise AttributeError(msg)

    @property
    def params(self) -> dict[str, Any]:
        """The parameters, as a new dict."""
        return dict(self._values)

    @property
    def info(self) -> Any:
        """The catalog record of this loss with its parameters: ``lk.info(self)`` (a :class:`LossInfo`)."""
        from ._catalog import info

        return info(self)

    def replace(self, **changes: Any) -> Loss:
        """A copy with some parameters changed."""
        return type(self)(**{**self._values, **changes})

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Loss):
            return NotImplemented
        return (
            self.name == other.name
            and self._values.keys() == other._values.keys()
            and all(_params.same(v, other._values[k]) for k, v in self._values.items())
        )

    def __hash__(self) -> int:
        return hash((self.name, tuple((k, _params.hashable(v)) for k, v in self._values.items())))

    def __repr__(self) -> str:
        shown = [
            f"{p.name}={_params.show(self._values[p.name])}"
            for p in self.parameters
            if not _params.same(self._values[p.name], p.default)
        ]
        return f"{type(self).__name__}({', '.join(shown)})"

    def __reduce__(self) -> tuple[Any, ...]:
        from ._registry import get

        return (_rebuild, (get, self.name, self._values))

    # -- the public calls ----------------------------------------------------------------------
    def __call__(
        self,
        y_true: Any,
        y_pred: Any,
        *,
        sample_weight: Any = None,
        reduction: Reduction = "mean",
        validate: bool = True,
    ) -> Any:
        """The loss: per value (``"none"``), summed (``"sum"``) or the weighted mean, the cost."""
        if _fast.ENABLED:
            r = _fast.call(self, y_true, y_pred, sample_weight, reduction, validate, True, False, False)
            if r is not _fast.NOT_HANDLED:
                return r
        b = self._batch(y_true, y_pred, sample_weight, reduction, validate)
        with b.computing():
            return b.reduce(self._value(b.y, b.f, b.xp), reduction)

    def gradient(
        self,
        y_true: Any,
        y_pred: Any,
        *,
        sample_weight: Any = None,
        reduction: Reduction = "mean",
        validate: bool = True,
        out: Any = None,
    ) -> Any:
        """The derivative of ``__call__`` (same arguments) with respect to ``y_pred``, shaped like it.

        ``out``: an array of ``y_pred``'s shape and the result's dtype to write into (NumPy or
        PyTorch); it is returned.
        """
        if _fast.ENABLED:
            r = _fast.call(self, y_true, y_pred, sample_weight, reduction, validate, False, True, False, out)
            if r is not _fast.NOT_HANDLED:
                return r
        b = self._batch(y_true, y_pred, sample_weight, reduction, validate)
        with b.computing():
            return b.scale(self._gradient(b.y, b.f, b.xp), reduction, out)

    def hessian(
        self,
        y_true: Any,
        y_pred: Any,
        *,
        sample_weight: Any = None,
        reduction: Reduction = "mean",
        validate: bool = True,
        out: Any = None,
    ) -> Any:
        """The diagonal of the Hessian of ``__call__`` with respect to ``y_pred``, shaped like it."""
        self._require_diagonal_hessian()
        if _fast.ENABLED:
            r = _fast.call(self, y_true, y_pred, sample_weight, reduction, validate, False, False, True, out)
            if r is not _fast.NOT_HANDLED:
                return r
        b = self._batch(y_true, y_pred, sample_weight, reduction, validate)
        with b.computing():
            return b.scale(self._hessian(b.y, b.f, b.xp), reduction, out)

    def value_and_gradient(
        self,
        y_true: Any,
        y_pred: Any,
        *,
        sample_weight: Any = None,
        reduction: Reduction = "mean",
        validate: bool = True,
        out: Any = None,
    ) -> tuple[Any, Any]:
        """``(self(...), self.gradient(...))`` from one pass over the data; ``out`` for the gradient."""
        if _fast.ENABLED:
            r = _fast.call(self, y_true, y_pred, sample_weight, reduction, validate, True, True, False, out)
            if r is not _fast.NOT_HANDLED:
                return r
        b = self._batch(y_true, y_pred, sample_weight, reduction, validate)
        with b.computing():
            if type(self)._value_and_gradient is Loss._value_and_gradient:
                # one after the other: the per-value losses are reduced (and freed) before the
                # gradient's temporaries exist, one large array fewer alive at a time
                value = b.reduce(self._value(b.y, b.f, b.xp), reduction)
                return value, b.scale(self._gradient(b.y, b.f, b.xp), reduction, out)
            value, grad = self._value_and_gradient(b.y, b.f, b.xp)
            return b.reduce(value, reduction), b.scale(grad, reduction, out)

    def gradient_and_hessian(
        self,
        y_true: Any,
        y_pred: Any,
        *,
        sample_weight: Any = None,
        reduction: Reduction = "mean",
        validate: bool = True,
        out: tuple[Any, Any] | None = None,
    ) -> tuple[Any, Any]:
        """``(self.gradient(...), self.hessian(...))`` from one pass; ``out`` a pair of arrays (or None)."""
        self._require_diagonal_hessian()
        g_out, h_out = (None, None) if out is None else out
        if _fast.ENABLED:
            r = _fast.call(self, y_true, y_pred, sample_weight, reduction, validate, False, True, True, g_out, h_out)
            if r is not _fast.NOT_HANDLED:
                return r
        b = self._batch(y_true, y_pred, sample_weight, reduction, validate)
        with b.computing():
            grad, hess = self._gradient_and_hessian(b.y, b.f, b.xp)
            return b.scale(grad, reduction, g_out), b.scale(hess, reduction, h_out)

    def _require_diagonal_hessian(self) -> None:
        """Losses whose Hessian is not diagonal (rmse) refuse here, before any work."""

    # -- what a subclass implements ------------------------------------------------------------
    def _value(self, y: Any, f: Any, xp: Any) -> Any:
        raise NotImplementedError

    def _gradient(self, y: Any, f: Any, xp: Any) -> Any:
        raise NotImplementedError

    def _hessian(self, y: Any, f: Any, xp: Any) -> Any:
        raise NotImplementedError

    def _value_and_gradient(self, y: Any, f: Any, xp: Any) -> tuple[Any, Any]:
        """Both at once; a loss overrides this when they share work."""
        return self._value(y, f, xp), self._gradient(y, f, xp)

    def _gradient_and_hessian(self, y: Any, f: Any, xp: Any) -> tuple[Any, Any]:
        return self._gradient(y, f, xp), self._hessian(y, f, xp)

    def _targets(self, y: Any, f: Any, b: _Batch) -> Any:
        """Turn checked targets into what the formulas use (label smoothing, {-1,+1} margins,
        one-hot rows); may fold per-sample weights into the batch with ``b.multiply_weight``."""
        return y

    def _pred_domain(self) -> str:
        return self.y_pred_domain

    # -- preparing one call ---------------------------------------------------------------------
    def _batch(self, y_true: Any, y_pred: Any, sample_weight: Any, reduction: str, validate: bool) -> _Batch:
        if reduction not in _REDUCTIONS:
            msg = f"`reduction` must be one of 'none', 'mean', 'sum'; got {reduction!r}."
            raise ValueError(msg)
        if y_true is None or y_pred is None:
            which = "y_true" if y_true is None else "y_pred"
            msg = f"`{which}` is None; pass an array."
            raise TypeError(msg)
        xp, dev = namespace(y_true, y_pred, sample_weight)
        f = as_array(y_pred, xp, dev, name="y_pred")
        y = as_array(y_true, xp, dev, name="y_true")
        w = None if sample_weight is None else as_array(sample_weight, xp, dev, name="sample_weight")

        b = _Batch(xp)
        _check_numeric(f, "y_pred", xp)
        _check_numeric(y, "y_true", xp)
        b.dtype, b.out_dtype = compute_dtype(f.dtype, None if self.integer_labels else y.dtype, xp)
        b.acc_dtype = accumulation_dtype(b.dtype, xp, dev)
        b.validate = validate
        b.result_shape = self._check_shapes(y, f)
        b.lazy = is_lazy(f) or is_lazy(y) or (w is not None and is_lazy(w))

        if w is not None:
            w = self._check_weight(w, b)
        if reduction == "mean" and math.prod(b.result_shape) == 0:
            msg = 'the mean of an empty input is undefined; use reduction="sum" or "none".'
            raise ValueError(msg)

        if f.dtype != b.dtype:
            f = xp.astype(f, b.dtype)
        if self.integer_labels:
            y = self._as_labels(y, b)
        elif y.dtype != b.dtype:
            y = xp.astype(y, b.dtype)

        if validate and not b.lazy:
            with errstate(xp):
                active = None if w is None else w > 0.0
                b.finite_pred = self._check_values(y, f, xp, active)
        b.w = w
        b.f = f
        with errstate(xp):
            b.y = self._targets(y, f, b)
        return b

    def _check_shapes(self, y: Any, f: Any) -> tuple[int, ...]:
        """Check ``y_true`` against ``y_pred`` and return the shape of the per-value result."""
        fs, ys = tuple(f.shape), tuple(y.shape)
        if self.class_axis:
            if len(fs) == 0:
                msg = f"`y_pred` must have a class axis (the last axis) for {self.name!r}; got a 0-d array."
                raise ValueError(msg)
            expected = fs[:-1] if self.integer_labels else fs
            if ys != expected:
                what = "integer labels of shape y_pred.shape[:-1]" if self.integer_labels else "the same shape"
                msg = (
                    f"`y_true` and `y_pred` do not match for {self.name!r}: expected {what} "
                    f"{expected}; got y_true {ys} and y_pred {fs}."
                )
                if self.integer_labels and ys == fs:
                    msg += " For one-hot or probability targets use 'categorical_cross_entropy'."
                raise ValueError(msg)
            if fs[-1] == 0:
                msg = f"`y_pred` has no classes (its last axis has length 0); got shape {fs}."
                raise ValueError(msg)
            return fs[:-1]
        if ys != fs:
            msg = (
                f"`y_true` and `y_pred` must have the same shape (nothing is broadcast); "
                f"got y_true {ys} and y_pred {fs}."
            )
            if ys[:1] == fs[:1] and (ys[1:] == (1,) or fs[1:] == (1,)):
                msg += " An (N, 1) against an (N,) is the classic silent bug: reshape one of them."
            raise ValueError(msg)
        return fs

    def _check_weight(self, w: Any, b: _Batch) -> Any:
        xp = b.xp
        _check_numeric(w, "sample_weight", xp)
        rs, ws = b.result_shape, tuple(w.shape)
        if not (ws == rs[: len(ws)] and (len(ws) >= 1 or len(rs) == 0)):
            per = "per sample" if self.class_axis else "per value"
            msg = (
                f"`sample_weight` must have the shape of the leading axes of the {per} result {rs} "
                f"(e.g. {rs[:1]} or {rs}); got {ws}."
            )
            raise ValueError(msg)
        if w.dtype != b.dtype:
            w = xp.astype(w, b.dtype)
        if b.validate and not b.lazy:
            with errstate(xp):
                if not _surely_inside("nonnegative", w, xp, "sample_weight") and bool(
                    xp.any(~(xp.isfinite(w) & (w >= 0.0)))
                ):
                    _fail_if(~xp.isfinite(w), None, w, xp, "sample_weight", "finite")
                    _fail_if(w < 0.0, None, w, xp, "sample_weight", "non-negative")
        return _align(w, len(rs), xp)

    def _as_labels(self, y: Any, b: _Batch) -> Any:
        xp = b.xp
        if xp.isdtype(y.dtype, "integral"):
            # int32/int64 as they are; other widths (uint8, int16, uint64) compared against
            # arange(K) and ignore_index need a signed type wide enough for both
            return y if y.dtype in (xp.int32, xp.int64) else xp.astype(y, xp.int64)
        if xp.isdtype(y.dtype, "bool"):
            return xp.astype(y, xp.int64)
        # float labels: accepted when they hold whole numbers
        if b.validate and not b.lazy:
            with errstate(xp):
                bad = (y != xp.floor(y)) | ~xp.isfinite(y)
                _fail_if(bad, None, y, xp, "y_true", "integer class labels")
        return xp.astype(y, xp.int64)

    # -- value checks (skipped for lazy arrays and with validate=False) ---------------------
    def _check_values(self, y: Any, f: Any, xp: Any, active: Any) -> bool:
        """Raise on values outside the domains; return True when ``f`` was proven finite."""
        y_active = _align(active, y.ndim, xp) if active is not None else None
        f_active = _align(active, f.ndim, xp) if active is not None else None
        _check_domain(self.y_true_domain, y, xp, "y_true", y_active, self)
        return _check_domain(self._pred_domain(), f, xp, "y_pred", f_active, self)


def check_out(out: Any, like: Any, dtype: Any, name: str = "out") -> None:
    """``out`` must be a writable array of ``like``'s library and shape, in ``dtype``."""
    if type(out) is not type(like):
        msg = f"`{name}` must be an array of the type of `y_pred` ({type(like).__name__}); got {type(out).__name__}."
        raise TypeError(msg)
    if tuple(out.shape) != tuple(like.shape) or out.dtype != dtype:
        msg = (
            f"`{name}` must have shape {tuple(like.shape)} and dtype {dtype}; "
            f"got shape {tuple(out.shape)} and dtype {out.dtype}."
        )
        raise ValueError(msg)


def write_into(out: Any, result: Any, xp: Any) -> Any:
    """Copy ``result`` into the caller's buffer ``out`` and return ``out``."""
    check_out(out, result, result.dtype)
    if xp is np:
        np.copyto(out, result)
    elif hasattr(out, "copy_"):  # torch
        out.copy_(result)
    else:
        msg = f"`out=` needs a mutable array (NumPy or PyTorch); {type(out).__name__} arrays are immutable."
        raise TypeError(msg)
    return out


def _rebuild(get: Any, name: str, values: dict[str, Any]) -> Loss:
    return get(name, **values)


def _align(w: Any, ndim: int, xp: Any) -> Any:
    if w.ndim == ndim:
        return w
    return xp.reshape(w, (*w.shape, *((1,) * (ndim - w.ndim))))


def _check_numeric(x: Any, name: str, xp: Any) -> None:
    try:
        ok = xp.isdtype(x.dtype, ("bool", "integral", "real floating"))
    except Exception:
        ok = False
    if not ok:
        if xp.isdtype(x.dtype, "complex floating") if _is_known_dtype(x, xp) else False:
            msg = f"`{name}` is complex ({x.dtype}); losses are defined for real values."
        else:
            msg = f"`{name}` must hold real numbers; got dtype {x.dtype}."
        raise TypeError(msg)


def _is_known_dtype(x: Any, xp: Any) -> bool:
    try:
        xp.isdtype(x.dtype, "numeric")
    except Exception:
        return False
    return True


def _first_bad(bad: Any, values: Any, xp: Any) -> tuple[int, tuple[int, ...], Any]:
    """(count, index of the first offending position, the value there) -- error path only."""
    if xp is np:
        flat = np.flatnonzero(bad)
        count = int(flat.size)
        first = int(flat[0])
    else:
        flat = xp.reshape(xp.astype(bad, xp.int32), (-1,))
        count = int(xp.sum(flat))
        first = int(xp.argmax(flat))
    index = tuple(int(i) for i in np.unravel_index(first, tuple(bad.shape))) if bad.ndim else ()
    value = None
    if values is not None:
        v = values
        if tuple(v.shape) != tuple(bad.shape):
            v = xp.broadcast_to(v, bad.shape)
        v = xp.reshape(v, (-1,))[first] if v.ndim else v
        try:
            value = float(v) if not xp.isdtype(v.dtype, "integral") else int(v)
        except Exception:  # pragma: no cover
            value = None
    return count, index, value


def _fail_if(bad: Any, active: Any, values: Any, xp: Any, arg: str, expected: str, hint: str = "") -> None:
    """Raise ``ValueError`` naming ``arg`` when any (active) position of ``bad`` is set."""
    if active is not None:
        bad = bad & active
    if not bool(xp.any(bad)):
        return
    count, index, value = _first_bad(bad, values, xp)
    where = f" at index {index}" if index else ""
    example = f"{value!r}{where}" if value is not None else f"the value{where}"
    some = "1 value is" if count == 1 else f"{count} values are"
    msg = f"`{arg}` must be {expected}; {some} not, e.g. {example}."
    if hint:
        msg += " " + hint
    raise ValueError(msg)


def _violations(domain: str, x: Any, xp: Any, arg: str) -> Any:
    """One boolean array: where ``x`` is outside its domain (including nan and inf where not allowed)."""
    floating = xp.isdtype(x.dtype, "real floating")
    if domain in ("real", "logits") and arg == "y_pred":
        bad = xp.isnan(x) if floating else None
        if domain == "logits" and floating:
            bad = bad | (x == math.inf)
        return bad
    if domain in ("real", "finite"):
        return ~xp.isfinite(x) if floating else None
    # comparisons are false for nan, so each "inside" test below also rejects nan
    inside = {
        "nonnegative": lambda: x >= 0.0,
        "gt_minus_one": lambda: x > -1.0,
        "probability": lambda: (x >= 0.0) & (x <= 1.0),
        "distribution": lambda: (x >= 0.0) & (x <= 1.0),
        "binary": lambda: (x == 0.0) | (x == 1.0),
        "margin_labels": lambda: (x == 0.0) | (x == 1.0) | (x == -1.0),
        "onehot": lambda: (x == 0.0) | (x == 1.0),
    }[domain]()
    if floating and domain in ("nonnegative", "gt_minus_one"):
        inside = inside & xp.isfinite(x)
    return ~inside


def _surely_inside(domain: str, x: Any, xp: Any, arg: str) -> bool:
    """A cheap screen: True only when every value of ``x`` is surely inside its domain.

    Whole-array reductions instead of elementwise masks: a sum is finite only when every term
    is (one nan or inf makes it nan or inf), and ``min``/``max`` propagate nan. Each costs one
    read of ``x`` and no temporary the size of ``x``, where the masks of ``_violations`` cost
    three or four passes and as many fresh temporaries (on PyTorch, ``isfinite`` alone takes
    1 ms for 10**6 values; the screen 0.04 ms). False means "look closer", not "bad": a sum of
    large finite values can overflow, and the masks then decide.
    """
    if not xp.isdtype(x.dtype, "real floating") or math.prod(x.shape) == 0:
        return False

    def finite_sum(v: Any) -> bool:
        return bool(xp.isfinite(xp.sum(v)))

    if domain in ("real", "logits", "finite"):
        return finite_sum(x)  # no nan, no inf (y_pred "real" allows inf: the masks let it pass)
    if domain in ("nonnegative", "gt_minus_one"):
        low = xp.min(x)
        return bool(low >= 0.0 if domain == "nonnegative" else low > -1.0) and finite_sum(x)
    if domain in ("probability", "distribution", "binary", "onehot"):
        inside = bool((xp.min(x) >= 0.0) & (xp.max(x) <= 1.0))  # false for nan
        if not inside or domain in ("probability", "distribution"):
            return inside
        # {0, 1}: x (1 - x) is >= 0 on [0, 1] and 0 only at 0 and 1 (never underflows to 0
        # for 0 < x < 1), so a sum without cancellation is 0 exactly when every value is 0 or 1
        return bool(xp.sum(x * (1.0 - x)) == 0.0)
    if domain == "margin_labels":
        if not bool((xp.min(x) >= -1.0) & (xp.max(x) <= 1.0)):
            return False
        a = xp.abs(x)
        return bool(xp.sum(a * (1.0 - a)) == 0.0)  # every value in {-1, 0, 1}
    return False


def _check_domain(domain: str, x: Any, xp: Any, arg: str, active: Any, loss: Loss) -> bool:
    """The value checks of one input, by its declared domain; True when the screen cleared it.

    The screen (``_surely_inside``) first; one combined mask and one ``any`` (one read back from
    the device) when it cannot decide; the checks one by one, for the precise message, only
    when something is wrong. Every domain's screen proves its values finite, so True also
    tells the formulas that ``x`` holds no inf (``_stable.all_finite``).
    """
    if domain == "class_labels":
        return False  # checked by the class-axis base, which knows the number of classes
    screened = active is None and _surely_inside(domain, x, xp, arg)
    bad = None if screened else _violations(domain, x, xp, arg)
    if bad is not None:
        if active is not None:
            bad = bad & active
        if bool(xp.any(bad)):
            _explain_domain(domain, x, xp, arg, active, loss)
            msg = f"`{arg}` holds values outside the domain of {loss.name!r} ({domain})."  # pragma: no cover
            raise ValueError(msg)  # pragma: no cover - _explain_domain raises first
    if domain == "margin_labels":
        if screened and bool(xp.min(x) >= 0.0):
            return screened  # inside {-1, 0, 1} without a -1: the {0, 1} encoding alone
        _check_margin_encodings(x, xp, active, loss)
    elif domain == "onehot":
        _check_onehot_rows(x, xp, arg, active)
    elif domain == "distribution":
        hint = "Pass from_logits=True for logits." if arg == "y_pred" and "from_logits" in loss.params else ""
        _check_rows_sum_to_one(x, xp, arg, active, hint)
    return screened


def _check_margin_encodings(x: Any, xp: Any, active: Any, loss: Loss) -> None:
    zeros, minus = x == 0.0, x == -1.0
    if active is not None:
        zeros, minus = zeros & active, minus & active
    if bool(xp.any(minus)) and bool(xp.any(zeros)):
        msg = (
            f"`y_true` mixes the label encodings {{0, 1}} and {{-1, +1}} (it holds both 0 and -1); "
            f"use one of them for {loss.name!r}."
        )
        raise ValueError(msg)


def _check_onehot_rows(x: Any, xp: Any, arg: str, active: Any) -> None:
    ones = row_sum(xp.astype(x == 1.0, x.dtype), xp)  # whole numbers, exact in floating point
    row_active = None if active is None else active[..., 0]
    _fail_if(
        ones != 1.0,
        row_active,
        xp.astype(ones, xp.int64),
        xp,
        arg,
        "one-hot rows with exactly one 1 (the count of 1s is shown)",
    )


def _explain_domain(domain: str, x: Any, xp: Any, arg: str, active: Any, loss: Loss) -> None:
    """The checks one at a time, raising the first that fails with its precise message."""
    if xp.isdtype(x.dtype, "real floating"):
        if arg == "y_true" or domain not in ("real", "logits"):
            _fail_if(~xp.isfinite(x), active, x, xp, arg, "finite (no nan or inf)")
        else:
            _fail_if(
                xp.isnan(x),
                active,
                x,
                xp,
                arg,
                "a number (not nan)",
                "A nan prediction usually means training diverged.",
            )
    if domain in ("real", "finite"):
        return
    if domain == "logits":
        _fail_if(x == math.inf, active, x, xp, arg, "logits below +inf (a +inf logit has no softmax)")
        return
    if domain == "nonnegative":
        _fail_if(x < 0.0, active, x, xp, arg, f">= 0 for {loss.name!r}")
    elif domain == "gt_minus_one":
        _fail_if(x <= -1.0, active, x, xp, arg, f"> -1 for {loss.name!r} (log1p of it is taken)")
    elif domain in ("probability", "distribution"):
        hint = "Pass from_logits=True for logits." if arg == "y_pred" and "from_logits" in loss.params else ""
        _fail_if((x < 0.0) | (x > 1.0), active, x, xp, arg, "probabilities in [0, 1]", hint)
    elif domain == "binary":
        _fail_if((x != 0.0) & (x != 1.0), active, x, xp, arg, f"binary labels in {{0, 1}} for {loss.name!r}")
    elif domain == "margin_labels":
        _fail_if(
            (x != 0.0) & (x != 1.0) & (x != -1.0),
            active,
            x,
            xp,
            arg,
            f"binary labels in {{0, 1}} or {{-1, +1}} for {loss.name!r}",
        )
    elif domain == "onehot":
        _fail_if((x != 0.0) & (x != 1.0), active, x, xp, arg, f"one-hot rows (0 or 1) for {loss.name!r}")
    else:  # pragma: no cover - a programming error in a loss declaration
        msg = f"unknown domain {domain!r}"
        raise AssertionError(msg)


def _check_rows_sum_to_one(x: Any, xp: Any, arg: str, active: Any, hint: str) -> None:
    acc = accumulation_dtype(x.dtype, xp, device_of(x, xp))
    sums = row_sum(x, xp, dtype=acc)
    tol = math.sqrt(xp.finfo(x.dtype).eps)
    row_active = None if active is None else active[..., 0]
    bad = xp.abs(sums - 1.0) > tol
    if not bool(xp.any(bad if row_active is None else bad & row_active)):
        return
    sums = xp.sum(x, axis=-1, dtype=acc)  # the message shows the library's own row sum
    _fail_if(
        bad,
        row_active,
        sums,
        xp,
        arg,
        f"probability rows that sum to 1 (within {tol:.1e}; the row sum is shown)",
        hint,
    )
