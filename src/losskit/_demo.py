"""The guided tour printed by ``python -m losskit``: the catalog and two worked examples.

Every number printed is computed by losskit when the tour runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ._registry import loss_class, names

FAMILY = {
    "regression": "regression",
    "binary": "binary",
    "multiclass": "multiclass",
    "distribution": "distribution",
}


def catalog() -> str:
    """One line per loss: name, family, aliases, formula."""
    rows = [("loss", "family", "aliases", "formula")]
    for name in names():
        cls = loss_class(name)
        rows.append((name, cls.task, ", ".join(cls.aliases) or "-", cls.formula))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = []
    for i, r in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(r[:3], widths, strict=True)) + "  " + r[3])
        if i == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 30)
    notation = (
        "r = f - y (prediction minus target), p a probability, s a logit or score, t = 2y - 1, "
        "q predicted class probabilities"
    )
    return "\n".join([*lines, "", notation])


def near_miss() -> str:
    """0.49 vs 0.51 and 0.96 vs 0.98 for the label 1: squared error against cross-entropy."""
    from .losses.binary import BinaryCrossEntropy, Brier

    se, ce = Brier(), BinaryCrossEntropy()
    y = np.ones(4)
    p = np.array([0.49, 0.51, 0.96, 0.98])
    l_se, g_se = se(y, p, reduction="none"), se.gradient(y, p, reduction="none")
    l_ce, g_ce = ce(y, p, reduction="none"), ce.gradient(y, p, reduction="none")
    out = [
        "Example 1. The label is 1. Two pairs of predictions, each pair 0.02 apart:",
        "",
        "  prediction   squared error  its gradient   cross-entropy  its gradient",
        *(
            f"  {p[i]:>10.2f}   {l_se[i]:>13.4f}  {g_se[i]:>12.4f}   {l_ce[i]:>13.4f}  {g_ce[i]:>12.4f}"
            for i in range(4)
        ),
    ]
    d_se = (l_se[0] - l_se[1], l_se[2] - l_se[3])
    d_ce = (l_ce[0] - l_ce[1], l_ce[2] - l_ce[3])
    out += [
        "",
        f"  Moving 0.49 -> 0.51 lowers squared error by {d_se[0]:.4f}; moving 0.96 -> 0.98 by {d_se[1]:.4f}",
        f"  ({d_se[0] / d_se[1]:.0f} times less). Cross-entropy lowers by {d_ce[0]:.4f} and {d_ce[1]:.4f}"
        f" ({d_ce[0] / d_ce[1]:.1f} times less):",
        "  the same step is worth about as much near the top as in the middle.",
        f"  Squared error's gradient shrinks towards the label ({g_se[0]:.2f} -> {g_se[3]:.2f}); cross-entropy's",
        f"  stays at least 1 in size ({g_ce[0]:.2f} -> {g_ce[3]:.2f}).",
        "",
        "  As the prediction for the true class goes to 0:",
        "  prediction   squared error   cross-entropy (nats)   cross-entropy gradient",
    ]
    exact = BinaryCrossEntropy(eps=0.0)
    for q in (1e-1, 1e-3, 1e-6, 1e-12, 0.0):
        v_se = float(se(np.ones(1), np.array([q])))
        v_ce = float(exact(np.ones(1), np.array([q])))
        g = float(exact.gradient(np.ones(1), np.array([q]))[0])
        out.append(f"  {q:>10.0e}   {v_se:>13.6f}   {v_ce:>20.4f}   {g:>22.4g}")
    out += [
        "",
        "  Squared error never exceeds 1 however wrong the prediction; cross-entropy grows without bound",
        "  (it is the number of nats the model is surprised by), and its gradient pushes a confident",
        "  mistake ever harder.",
    ]
    return "\n".join(out)


def _best_constant(slope: Callable[[float], float], lo: float, hi: float) -> float:
    """The constant where a convex cost's slope changes sign, by bisection."""
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if slope(mid) > 0:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


def outlier() -> str:
    """One prediction of 1000 among predictions near the true value 1."""
    from .losses.regression import MAE, MSE, Huber

    y = np.ones(5)
    f = np.array([0.9, 1.0, 1.05, 1.1, 1000.0])
    losses = [("mse", MSE()), ("mae", MAE()), ("huber", Huber(delta=1.0))]
    out = [
        "Example 2. Five predictions of the true value 1; one of them is 1000:",
        f"  predictions {f.tolist()}",
        "",
        "  loss     cost (mean)   outlier's share of the cost   outlier's gradient   a 0.1 miss's gradient",
    ]
    pull = {}
    for name, loss in losses:
        per = loss(y, f, reduction="none")
        grad = loss.gradient(y, f, reduction="none")
        pull[name] = grad[-1] / grad[3]
        out.append(
            f"  {name:<7}{float(loss(y, f)):>13.4f}   {per[-1] / per.sum():>27.6%}"
            f"   {grad[-1]:>18.4g}   {grad[3]:>21.4g}"
        )
    out += [
        "",
        "  Every loss charges the outlier most of the cost. What differs is its pull on the fit: under",
        f"  MSE its gradient is {pull['mse']:,.0f} times a 0.1 miss's, so it decides where gradient descent goes.",
        "  MAE and Huber cap every prediction's pull at 1 (Huber at delta): the outlier pushes no harder",
        "  than any miss of size 1 or more.",
        "",
        "  The constant that best fits the targets [0.9, 1.0, 1.05, 1.1, 1000] under each loss:",
    ]
    targets = np.array([0.9, 1.0, 1.05, 1.1, 1000.0])
    for name, loss in losses:
        # d cost / d c for a constant prediction c is the sum of the gradient over the samples
        c = _best_constant(lambda c, loss=loss: float(np.sum(loss.gradient(targets, np.full(5, c)))), 0.0, 2000.0)
        what = {"mse": "the mean", "mae": "the median", "huber": "a robust middle"}[name]
        out.append(f"  {name:<7}{c:>10.4f}   ({what})")
    out.append("  One extreme value drags the MSE fit to 200; MAE and Huber stay near 1.")
    return "\n".join(out)


def loss_vs_cost() -> str:
    from .losses.regression import MSE

    y = np.array([1.0, 2.0, 3.0])
    f = np.array([1.5, 2.0, 5.0])
    per = MSE()(y, f, reduction="none")
    return "\n".join(
        [
            "Loss versus cost: the loss is per sample, the cost is what gradient descent minimises.",
            f"  lk.mse(y, f, reduction='none') = {per.tolist()}   (the per-sample losses)",
            f"  lk.mse(y, f)                   = {float(MSE()(y, f)):.4f}              (the cost: their mean)",
            f"  lk.mse(y, f, reduction='sum')  = {float(MSE()(y, f, reduction='sum')):.4f}",
        ]
    )


def tour() -> str:
    from . import __version__

    rule = "=" * 100
    return "\n\n".join(
        [
            f"losskit {__version__}: {len(names())} losses, each with its gradient and Hessian.",
            catalog(),
            rule,
            loss_vs_cost(),
            rule,
            near_miss(),
            rule,
            outlier(),
            f"Nats to bits: divide by ln 2 = {math.log(2):.6f}.",
        ]
    )
