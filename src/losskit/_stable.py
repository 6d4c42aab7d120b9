"""Numerically stable building blocks, written against the array API.

Each function is finite wherever its mathematical value is finite, and safe
under automatic differentiation: where a branch would be ``nan`` or ``inf``
where it is not selected, its input is replaced first (the "double where"),
so that neither the value nor an autodiff gradient picks up a ``nan``.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
from collections.abc import Iterator
from typing import Any

from ._array import row_max

LOG2 = math.log(2.0)


def softplus(x: Any, xp: Any) -> Any:
    r"""``log(1 + exp(x))`` without overflow: ``max(x, 0) + log1p(exp(-|x|))``."""
    return xp.maximum(x, 0.0) + xp.log1p(xp.exp(-xp.abs(x)))


def sigmoid_pair(x: Any, xp: Any) -> tuple[Any, Any]:
    r"""``(sigmoid(x), sigmoid(-x))``, both to full relative precision.

    ``1 - sigmoid(x)`` cancels for large ``x``; computing ``sigmoid(-x)``
    from ``e = exp(-|x|)`` keeps every digit of the small one.
    """
    e = xp.exp(-xp.abs(x))
    big = 1.0 / (1.0 + e)
    small = e * big  # one division (the native kernels compute the same)
    # m big + (1 - m) small with m in {0, 1} selects exactly (both are finite): on PyTorch's CPU
    # a blend of multiplications is ~8x faster than ``where`` on an unpredictable condition
    m = xp.astype(x >= 0.0, x.dtype)
    n = 1.0 - m
    return m * big + n * small, n * big + m * small


# While a call computes: (may a formula read a value back, the array its checks proved finite).
# Reading back is allowed only when the call validates eager data: with validate=False no call
# waits on a device for it. The proven array spares the formulas a second sum of the same data.
_READ_BACK: contextvars.ContextVar[tuple[bool, Any]] = contextvars.ContextVar(
    "losskit_read_back", default=(False, None)
)


@contextlib.contextmanager
def read_back(allowed: bool, proven_finite: Any = None) -> Iterator[None]:
    token = _READ_BACK.set((allowed, proven_finite))
    try:
        yield
    finally:
        _READ_BACK.reset(token)


def all_finite(x: Any, xp: Any) -> bool:
    """True when every value of ``x`` is finite (a finite sum), decided without a mask.

    True at once for the array the call's value checks proved finite. Otherwise False unless
    the call validates eager data (``read_back``): lazy arrays (JAX tracers, Dask)
    cannot steer Python, and ``validate=False`` promises no read back from a device. The caller
    then takes its general form. A formula may take a cheaper form where no infinity can meet a
    zero factor.
    """
    from ._array import is_lazy

    allowed, proven = _READ_BACK.get()
    if proven is not None and x is proven:
        return True
    if not allowed or is_lazy(x):
        return False
    return bool(xp.isfinite(xp.sum(x)))


def sigmoid_product(x: Any, xp: Any) -> Any:
    r"""``sigmoid(x) * sigmoid(-x) = e / (1 + e)^2`` with ``e = exp(-|x|)``, as ``(e b) b``, ``b = 1/(1 + e)``."""
    e = xp.exp(-xp.abs(x))
    big = 1.0 / (1.0 + e)
    return (e * big) * big


def log_softmax(s: Any, xp: Any) -> Any:
    r"""``s - logsumexp(s)`` over the last axis.

    Computed as ``(s - max) - log(sum(exp(s - max)))``, which stays exact for
    huge logits where ``s - (max + log(...))`` loses every digit (float32,
    logits of 1e6). ``-inf`` logits (masked classes) give ``-inf``; a row
    that is all ``-inf`` gives ``nan`` only where the data has no meaning.
    """
    m = row_max(s, xp, keepdims=True)
    m = xp.where(xp.isfinite(m), m, 0.0)
    z = s - m
    return z - xp.log(xp.sum(xp.exp(z), axis=-1, keepdims=True))


def softmax(s: Any, xp: Any) -> Any:
    """Softmax over the last axis (max-shifted): ``e * (1 / sum(e))``, one division per row."""
    m = row_max(s, xp, keepdims=True)
    m = xp.where(xp.isfinite(m), m, 0.0)
    e = xp.exp(s - m)
    return e * (1.0 / xp.sum(e, axis=-1, keepdims=True))


def xlogy(x: Any, y: Any, xp: Any) -> Any:
    """``x * log(y)`` with ``0 * log(0) = 0`` (and no ``nan`` under autodiff)."""
    zero = x == 0.0
    return xp.where(zero, 0.0, x * xp.log(xp.where(zero, 1.0, y)))


def xdivy(x: Any, y: Any, xp: Any) -> Any:
    """``x / y`` with ``0 / y = 0`` even where ``y`` is 0."""
    zero = x == 0.0
    return xp.where(zero, 0.0, x / xp.where(zero, 1.0, y))


def log_cosh(r: Any, xp: Any) -> Any:
    r"""``log(cosh(r))``, finite for every finite ``r`` and exact for tiny ``r``.

    For ``|r| <= 1``: ``log1p(2 sinh(r/2)^2)`` (``cosh r - 1 = 2 sinh^2(r/2)``
    has no cancellation). Beyond: ``|r| - log 2 + log1p(exp(-2|r|))``, which
    never overflows (``cosh`` itself overflows at ``|r| ~ 710``).
    """
    a = xp.abs(r)
    small = a <= 1.0
    sh = xp.sinh(0.5 * xp.where(small, a, 0.0))
    far_a = xp.where(small, 2.0, a)
    # one log1p for both branches (the same operations on each: 0 + x is x for x >= 0)
    arg = xp.where(small, 2.0 * sh * sh, xp.exp(-2.0 * far_a))
    return xp.where(small, 0.0, far_a - LOG2) + xp.log1p(arg)


def hypot1(a: Any, xp: Any) -> Any:
    r"""``hypot(a, 1) = sqrt(a^2 + 1)`` for ``a >= 0``, without overflow.

    Beyond ``2**60`` (float64; ``2**30`` float32) ``a^2 + 1`` rounds to ``a^2``
    and the result is ``a``; below, ``sqrt(a*a + 1)`` rounds three times and stays
    within an ulp. Plain arithmetic rather than ``hypot``: the native kernels
    compute the same operations and agree to the last bit.
    """
    big = a > (2.0**60 if xp.finfo(a.dtype).bits >= 64 else 2.0**30)
    small = xp.where(big, 0.0, a)
    return xp.where(big, a, xp.sqrt(small * small + 1.0))


def sech2(r: Any, xp: Any) -> Any:
    r"""``1 / cosh(r)^2 = 4 e / (1 + e)^2`` with ``e = exp(-2|r|)``: no ``1 - tanh^2`` cancellation."""
    e = xp.exp(-2.0 * xp.abs(r))
    return 4.0 * e / ((1.0 + e) * (1.0 + e))
