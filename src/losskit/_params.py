"""Declarative loss parameters: a default, a range check and a description.

A loss lists its parameters as :class:`Param` records; :class:`~losskit.Loss`
checks and normalises them once, at construction, and the same records give
the catalog its "parameters with defaults and valid ranges".
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Param:
    """One parameter of a loss.

    ``check(name, value)`` returns the normalised value or raises
    ``ValueError``/``TypeError`` naming the parameter; ``valid`` says in words
    what is accepted (``"> 0"``, ``"in (0, 1)"``).
    """

    name: str
    default: Any
    check: Callable[[str, Any], Any]
    valid: str
    doc: str = ""


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        # 0-d arrays of any library: accept when they hold one real number
        try:
            if getattr(value, "shape", None) == () and not isinstance(value, (str, bytes)):
                return _number(name, float(value))
        except (TypeError, ValueError):
            pass
        msg = f"`{name}` must be a real number; got {value!r} of type {type(value).__name__}."
        raise TypeError(msg)
    value = float(value)
    if not math.isfinite(value):
        msg = f"`{name}` must be finite; got {name}={value!r}."
        raise ValueError(msg)
    return value


def _ranged(test: Callable[[float], bool], valid: str) -> Callable[[str, Any], float]:
    def check(name: str, value: Any) -> float:
        x = _number(name, value)
        if not test(x):
            msg = f"`{name}` must be {valid}; got {name}={value!r}."
            raise ValueError(msg)
        return x

    return check


positive = _ranged(lambda x: x > 0, "> 0")
nonnegative = _ranged(lambda x: x >= 0, ">= 0")
open_unit = _ranged(lambda x: 0 < x < 1, "in the open interval (0, 1)")
closed_unit = _ranged(lambda x: 0 <= x <= 1, "in [0, 1]")
eps_range = _ranged(lambda x: 0 <= x < 0.5, "in [0, 0.5)")


def boolean(name: str, value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    msg = f"`{name}` must be True or False; got {value!r}."
    raise TypeError(msg)


def integer(name: str, value: Any) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        msg = f"`{name}` must be an integer; got {value!r} of type {type(value).__name__}."
        raise TypeError(msg)
    return int(value)


def optional(check: Callable[[str, Any], Any]) -> Callable[[str, Any], Any]:
    def optional_check(name: str, value: Any) -> Any:
        return None if value is None else check(name, value)

    return optional_check


def _host_vector(name: str, value: Any) -> np.ndarray:
    """A 1-D float64 NumPy copy of a parameter vector from any array library."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, RuntimeError):
        try:  # GPU tensors and other arrays NumPy cannot read directly
            arr = np.asarray(value.tolist(), dtype=np.float64)
        except Exception:
            msg = f"`{name}` must be a sequence of numbers; got {type(value).__name__}."
            raise TypeError(msg) from None
    return arr


def weight_vector(name: str, value: Any) -> np.ndarray:
    """A read-only 1-D float64 vector of finite, non-negative weights (one per class)."""
    arr = _host_vector(name, value)
    if arr.ndim != 1 or arr.size == 0:
        msg = f"`{name}` must be a non-empty 1-D sequence (one weight per class); got shape {arr.shape}."
        raise ValueError(msg)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        msg = f"`{name}` must hold finite, non-negative numbers; got {arr.tolist()!r}."
        raise ValueError(msg)
    arr = arr.copy()
    arr.flags.writeable = False
    return arr


def nonnegative_or_vector(name: str, value: Any) -> float | np.ndarray:
    """A non-negative number, or a vector of them broadcast along the last axis."""
    if getattr(value, "shape", None) == () or isinstance(value, numbers.Real):
        return nonnegative(name, value)
    return weight_vector(name, value)


def same(a: Any, b: Any) -> bool:
    """Parameter equality that understands NumPy vectors."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.shape == b.shape
            and bool(np.array_equal(a, b))
        )
    return bool(a == b) and type(a) is type(b)


def hashable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return ("ndarray", value.shape, value.tobytes())
    return value


def show(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return np.array2string(value, separator=", ", threshold=8, edgeitems=3)
    return repr(value)
