"""Pictures of what is lost: loss curves and their gradients, and the pull of one outlier.

Needs matplotlib (``pip install 'losskit[plot]'``), imported when a function
here is called, never by ``import losskit``. Every function returns a
matplotlib :class:`~matplotlib.figure.Figure` (a pyplot figure when pyplot is
already in use, so ``plt.show()`` shows it; a plain one otherwise, which
``fig.savefig(...)`` writes without any GUI), except :func:`history`, which
draws on an Axes (yours, or a new figure's) and returns it.

>>> import losskit as lk
>>> fig = lk.plot.curves(["mse", "mae", "huber"], derivative=True)   # doctest: +SKIP
>>> fig.savefig("regression.png")                                     # doctest: +SKIP
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._base import Loss
from ._catalog import info, setting_label
from ._constant import best_constant
from ._registry import get

__all__ = ["curves", "history", "label", "outliers"]

# The x-axis each loss is drawn against, its label and the derivative's label.
_AXES = {
    "residual": ("residual r = f - y", "d loss / d r", "Loss against the residual"),
    "prediction": ("prediction f (target y = {target:g})", "d loss / d f", "Loss against the prediction"),
    "log-rate": ("log-rate s (target count y = {target:g})", "d loss / d s", "Loss against the log-rate"),
    "margin": ("margin t s (true class score minus the other's)", "d loss / d (t s)", "Loss against the margin"),
    "probability": (
        "predicted probability of the true class",
        "d loss / d p",
        "Loss against the probability of the true class",
    ),
}


_OF_THE_RESIDUAL = ("mse", "rmse", "mae", "huber", "pseudo_huber", "log_cosh", "quantile")


def _matplotlib() -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        msg = "losskit.plot needs matplotlib: pip install 'losskit[plot]'"
        raise ImportError(msg) from None
    if "matplotlib.pyplot" in sys.modules:  # a pyplot session: make figures it manages
        import matplotlib.pyplot as plt

        return plt.figure
    return Figure


def label(loss: Loss) -> str:
    """A legend label: the canonical name and the parameters that differ from the defaults."""
    return setting_label(loss)


@dataclass
class _Curve:
    loss: Loss
    x: np.ndarray
    value: np.ndarray
    slope: np.ndarray


def _axis(loss: Loss) -> str:
    rec = info(loss)
    if rec.task == "regression":
        if rec.y_pred == "log-rates":
            return "log-rate"
        return (
            "residual"
            if loss.name in ("mse", "rmse", "mae", "huber", "pseudo_huber", "log_cosh", "quantile")
            else "prediction"
        )
    return "margin" if rec.y_pred in ("logits", "scores") else "probability"


def _curve(loss: Loss, kind: str, x: np.ndarray, target: float) -> _Curve:
    """The loss and its derivative along the x-axis, computed by the loss itself."""
    n = x.size
    if kind == "residual":
        y, f = np.zeros(n), x
    elif kind in ("prediction", "log-rate"):
        y, f = np.full(n, target), x
    elif loss.class_axis:  # two classes, the first is true: scores (x, 0) or probabilities (p, 1 - p)
        f = np.column_stack([x, np.zeros(n)]) if kind == "margin" else np.column_stack([x, 1.0 - x])
        y = np.zeros(n, dtype=np.int64) if loss.integer_labels else np.tile([1.0, 0.0], (n, 1))
    else:
        y, f = np.ones(n), x
    with np.errstate(all="ignore"):
        value = np.asarray(loss(y, f, reduction="none"), dtype=float)
        g = np.asarray(loss.gradient(y, f, reduction="none"), dtype=float)
    if g.ndim == 2:  # along the path: d/dx of (x, 0) is (1, 0); of (p, 1 - p) is (1, -1)
        g = g[:, 0] if kind == "margin" else g[:, 0] - g[:, 1]
    return _Curve(loss, x, value, g)


def _grid(kind: str, losses: list[Loss], target: float, points: int) -> np.ndarray:
    if kind == "residual":
        reach = 3.0 * max([1.0, *(float(loss.params.get("delta", 1.0)) for loss in losses)])
        return np.linspace(-reach, reach, points)
    if kind == "prediction":
        lo = 0.0 if any(info(loss).y_pred.startswith("rates") for loss in losses) else -1.0
        return np.linspace(lo + 1e-3, 3.0 * max(target, 1.0), points)
    if kind == "log-rate":
        return np.linspace(np.log(target) - 3.0, np.log(target) + 3.0, points)
    if kind == "margin":
        return np.linspace(-3.0, 3.0, points)
    return np.linspace(2e-3, 1.0 - 2e-3, points)


def _limits(curves: list[np.ndarray], keep: np.ndarray, zero: bool) -> tuple[float, float]:
    """Axis limits that show the interesting region: data within ``keep``, padded."""
    inside = np.concatenate([c[keep & np.isfinite(c)] for c in curves])
    lo, hi = float(inside.min()), float(inside.max())
    if zero:
        lo = min(lo, 0.0)
    pad = 0.06 * (hi - lo or 1.0)
    return lo - pad, hi + pad


def _losses(losses: str | Loss | Iterable[str | Loss]) -> list[Loss]:
    items = [losses] if isinstance(losses, (str, Loss)) else list(losses)
    if not items:
        msg = "`losses` is empty: name at least one loss."
        raise ValueError(msg)
    return [get(item) for item in items]


def curves(
    losses: str | Loss | Iterable[str | Loss],
    *,
    derivative: bool = False,
    target: float = 2.0,
    points: int = 801,
    title: str | None = None,
) -> Any:
    """The loss (and its derivative) of each loss, each against its natural axis.

    Regression losses of the residual against ``r = f - y``; ``poisson``,
    ``msle`` and ``mape`` against the prediction for a fixed ``target``;
    binary losses on scores or logits against the margin ``t s`` (with the
    0-1 loss for reference); losses on probabilities against the predicted
    probability of the true class. Multiclass losses are drawn for two
    classes. One column per axis, a second row for the derivative.

    Parameters
    ----------
    losses
        Names or :class:`Loss` objects (``lk.get("huber", delta=2)``).
    derivative
        Also draw the derivative of each loss along the x-axis.
    target
        The target of the losses drawn against the prediction.
    points
        Points per curve.
    title
        The figure's title (default: the losses' names).

    Returns
    -------
    matplotlib.figure.Figure
    """
    make = _matplotlib()
    chosen = _losses(losses)
    if not target > 0:
        msg = f"`target` must be positive (a count or value for poisson, msle, mape); got {target!r}."
        raise ValueError(msg)
    panels: dict[str, list[Loss]] = {}
    for loss in chosen:
        panels.setdefault(_axis(loss), []).append(loss)
    rows = 2 if derivative else 1
    fig = make(figsize=(5.4 * len(panels), 3.5 * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, len(panels), squeeze=False)
    for col, (kind, members) in enumerate(panels.items()):
        x = _grid(kind, members, target, points)
        drawn = [_curve(loss, kind, x, target) for loss in members]
        xlabel, dlabel, heading = _AXES[kind]
        keep = (x >= 0.01) if kind == "probability" else (np.abs(x - x.mean()) <= (x.max() - x.min()) / 3.0)
        ax = axes[0, col]
        for c in drawn:
            (line,) = ax.plot(x, c.value, label=label(c.loss), linewidth=1.8)
            line.set_gid(label(c.loss))
        if kind == "margin":
            (line,) = ax.plot(x, (x < 0).astype(float), "k--", linewidth=1.0, label="0-1 loss")
            line.set_gid("0-1 loss")
        ax.set_ylim(*_limits([c.value for c in drawn], keep if kind != "probability" else x >= 0.002, zero=True))
        ax.set_title(heading)
        ax.set_ylabel("loss")
        ax.set_xlabel(xlabel.format(target=target))
        ax.axhline(0.0, color="0.8", linewidth=0.8, zorder=0)
        ax.axvline(0.0, color="0.8", linewidth=0.8, zorder=0)
        ax.legend(fontsize="small")
        ax.grid(alpha=0.25)
        if derivative:
            dax = axes[1, col]
            for c in drawn:
                (line,) = dax.plot(x, c.slope, label=label(c.loss), linewidth=1.8)
                line.set_gid(label(c.loss))
            dkeep = (x >= 0.05) if kind == "probability" else keep  # -1/p: show the shape, not the pole
            dax.set_ylim(*_limits([c.slope for c in drawn], dkeep, zero=False))
            dax.set_title("Its derivative: how hard it pushes")
            dax.set_ylabel(dlabel)
            dax.set_xlabel(xlabel.format(target=target))
            dax.axhline(0.0, color="0.8", linewidth=0.8, zorder=0)
            dax.axvline(0.0, color="0.8", linewidth=0.8, zorder=0)
            dax.grid(alpha=0.25)
    heading = title if title is not None else "losskit: " + ", ".join(label(loss) for loss in chosen)
    fig.suptitle(textwrap.fill(heading, width=int(11 * 5.4 * len(panels))))
    return fig


def outliers(
    losses: str | Loss | Iterable[str | Loss] = ("mse", "mae", "huber"),
    *,
    y: Sequence[float] | np.ndarray | None = None,
    outlier: tuple[float, float] = (-5.0, 50.0),
    points: int = 221,
    title: str | None = None,
) -> Any:
    """How one outlier moves the best constant under each regression loss: mean against median against Huber.

    Left: the values, one of them the outlier at ``outlier[1]``, and the
    constant each loss fits. Right: the fitted constant (computed by
    :func:`losskit.best_constant`) as the outlier moves over ``outlier``: a
    line without bound for ``mse`` (the mean), a bounded step for ``mae``
    (the median) and ``huber``.

    Parameters
    ----------
    losses
        Regression losses (names or :class:`Loss` objects).
    y
        The other values (default: 19 draws of a standard normal, seed 0).
    outlier
        The range the outlier moves over.
    points
        Positions of the outlier.
    title
        The figure's title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    make = _matplotlib()
    chosen = _losses(losses)
    for loss in chosen:
        if loss.task != "regression":
            msg = f"`outliers` draws regression losses; {loss.name!r} is a {loss.task} loss."
            raise ValueError(msg)
    base = np.random.default_rng(0).normal(size=19) if y is None else np.asarray(y, dtype=float).ravel()
    lo, hi = (float(v) for v in outlier)
    if not (lo < hi and base.size):
        msg = f"`outlier` must be (low, high) with low < high and `y` non-empty; got {outlier!r}."
        raise ValueError(msg)
    positions = np.linspace(lo, hi, points)
    fig = make(figsize=(11.0, 4.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    sample = np.append(base, hi)
    left.plot(base, np.zeros(base.size), "o", color="0.35", label=f"{base.size} values")
    left.plot([hi], [0.0], "o", color="crimson", markersize=8, label=f"one outlier at {hi:g}")
    for i, loss in enumerate(chosen):
        c = float(best_constant(loss, sample))
        color = f"C{i}"
        line = left.axvline(c, color=color, linewidth=1.8, label=f"{label(loss)}: {c:.3g}")
        line.set_gid(label(loss))
        track = [float(best_constant(loss, np.append(base, v))) for v in positions]
        (curve,) = right.plot(positions, track, color=color, linewidth=1.8, label=label(loss))
        curve.set_gid(label(loss))
    left.set_yticks([])
    left.set_ylim(-1.0, 1.0)
    left.set_xlabel("value")
    left.set_title("The constant each loss fits")
    left.legend(fontsize="small", loc="upper center")
    right.set_xlabel("value of the outlier")
    right.set_ylabel("best constant")
    right.set_title("The fitted constant as one value moves")
    right.legend(fontsize="small")
    right.grid(alpha=0.25)
    fig.suptitle(title if title is not None else "One outlier: the mean follows it, the median and Huber do not")
    return fig


def history(
    estimators: Any,
    ax: Any = None,
    *,
    labels: Sequence[str] | None = None,
    log: bool | None = None,
    title: str | None = None,
) -> Any:
    """The cost at every iteration of fitted :mod:`losskit.linear_model` estimators: their ``history_``.

    Parameters
    ----------
    estimators
        A fitted ``LossRegressor`` or ``LossClassifier``, or a list of them.
    ax
        The matplotlib Axes to draw on; None for a new figure's.
    labels
        One legend label per estimator; by default the loss (``huber (delta=1.35)``) and the solver.
    log
        A logarithmic cost axis; by default when every cost is positive and they span more than a
        factor of 10.
    title
        The title; by default "The cost at every iteration".

    Returns
    -------
    matplotlib.axes.Axes
        One line per estimator (its ``gid`` is its label): x the iteration (0 is the start, the best
        constant model), y the cost (mean loss plus penalty).
    """
    items = list(estimators) if isinstance(estimators, (list, tuple)) else [estimators]
    if not items:
        msg = "`estimators` is empty: pass a fitted estimator or a list of them."
        raise ValueError(msg)
    for est in items:
        if not hasattr(est, "history_"):
            msg = f"`estimators`: {type(est).__name__} has no `history_`; fit a losskit.linear_model estimator first."
            raise ValueError(msg)
    if labels is None:
        labels = [f"{label(est.loss_)}, {est.solver}" for est in items]
    elif len(labels) != len(items):
        msg = f"`labels` must hold one label per estimator ({len(items)}); got {len(labels)}."
        raise ValueError(msg)
    if ax is None:
        ax = _matplotlib()(figsize=(6.4, 4.2), layout="constrained").add_subplot()
    costs = [np.asarray(est.history_, dtype=float) for est in items]
    for cost, name in zip(costs, labels, strict=True):
        (line,) = ax.plot(np.arange(cost.size), cost, marker="." if cost.size < 30 else None, label=name)
        line.set_gid(name)
    if log is None:
        every = np.concatenate(costs)
        log = bool(np.all(every > 0) and every.max() > 10 * every.min())
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost (mean loss + penalty)")
    ax.set_title(title if title is not None else "The cost at every iteration")
    ax.grid(alpha=0.25)
    ax.legend(fontsize="small")
    return ax
