"""The catalog: register losses by name and alias, look them up, list them."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from ._base import Loss

__all__ = ["canonical_name", "functional", "get", "names", "register"]

_LOSSES: dict[str, type[Loss]] = {}
_ALIASES: dict[str, str] = {}
TASKS = ("regression", "binary", "multiclass", "distribution")

L = TypeVar("L", bound=type[Loss])


def _key(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def register(cls: L) -> L:
    """Class decorator: add a :class:`Loss` subclass to the catalog under its name and aliases."""
    if not cls.name or cls.task not in TASKS:
        msg = f"{cls.__name__} needs a name and a task in {TASKS}"
        raise ValueError(msg)
    for n in (cls.name, *cls.aliases):
        if n in _ALIASES:
            msg = f"the loss name {n!r} is already taken by {_ALIASES[n]!r}"
            raise ValueError(msg)
        _ALIASES[n] = cls.name
    _LOSSES[cls.name] = cls
    return cls


def canonical_name(name: str) -> str:
    """The canonical name of a loss name or alias (case and ``-``/``_`` insensitive)."""
    if not isinstance(name, str):
        msg = f"a loss name must be a string; got {type(name).__name__}."
        raise TypeError(msg)
    key = _key(name)
    if key in _ALIASES:
        return _ALIASES[key]
    import difflib

    near = difflib.get_close_matches(key, list(_ALIASES), n=4, cutoff=0.6)
    hint = f" Did you mean {', '.join(repr(n) for n in near)}?" if near else ""
    msg = f"unknown loss {name!r}.{hint} losskit.names() lists every loss."
    raise ValueError(msg)


def get(name: str | Loss, /, **params: Any) -> Loss:
    """A :class:`Loss` object by name or alias, with parameters.

    >>> import losskit as lk
    >>> lk.get("huber", delta=1.35)
    Huber(delta=1.35)
    >>> lk.get("l1") == lk.get("mae")
    True

    A ``Loss`` passed in is returned as is (or with ``params`` replaced).
    """
    if isinstance(name, Loss):
        return name.replace(**params) if params else name
    return _LOSSES[canonical_name(name)](**params)


def loss_class(name: str) -> type[Loss]:
    return _LOSSES[canonical_name(name)]


def names(task: str | None = None, *, aliases: bool = False) -> list[str] | dict[str, list[str]]:
    """The canonical loss names in catalog order (by task, then as registered), optionally of one task.

    With ``aliases=True``, a dict from each canonical name to its aliases.
    """
    if task is not None and task not in TASKS:
        msg = f"unknown task {task!r}; choose from {', '.join(TASKS)}."
        raise ValueError(msg)
    # task order (regression, binary, multiclass, distribution), then the order of registration
    ordered = sorted(_LOSSES.items(), key=lambda item: TASKS.index(item[1].task))
    chosen = [n for n, c in ordered if task is None or c.task == task]
    if aliases:
        return {n: list(_LOSSES[n].aliases) for n in chosen}
    return chosen


def functional(cls: type[Loss]) -> Callable[..., Any]:
    """The module-level function of a loss: ``lk.huber(y_true, y_pred, delta=2.0)``."""

    def fn(
        y_true: Any,
        y_pred: Any,
        *,
        sample_weight: Any = None,
        reduction: str = "mean",
        validate: bool = True,
        **params: Any,
    ) -> Any:
        loss = cls(**params)
        return loss(y_true, y_pred, sample_weight=sample_weight, reduction=reduction, validate=validate)

    fn.__name__ = fn.__qualname__ = cls.name
    fn.__module__ = cls.__module__
    fn.__doc__ = cls.__doc__
    kw = inspect.Parameter.KEYWORD_ONLY
    pos = inspect.Parameter.POSITIONAL_OR_KEYWORD
    fn.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("y_true", pos),
            inspect.Parameter("y_pred", pos),
            *(inspect.Parameter(p.name, kw, default=p.default) for p in cls.parameters),
            inspect.Parameter("sample_weight", kw, default=None),
            inspect.Parameter("reduction", kw, default="mean"),
            inspect.Parameter("validate", kw, default=True),
        ]
    )
    fn._loss_class = cls  # type: ignore[attr-defined]
    return fn
