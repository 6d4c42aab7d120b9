"""The guided tour of ``losskit demo``: the catalog, the worked examples, a real data set, the plots.

Every number printed is computed by losskit when the tour runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ._registry import loss_class, names


def catalog() -> str:
    """One line per loss, by task: name, task, aliases, formula (from the catalog records)."""
    from ._catalog import info
    from ._registry import TASKS

    rows = [("loss", "family", "aliases", "formula")]
    for task in TASKS:
        for name in names(task):
            rec = info(name)
            rows.append((name, rec.task, ", ".join(rec.aliases) or "-", loss_class(name).formula))
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


def real_data(out: Path) -> str:
    """Out-of-fold predictions on scikit-learn's bundled data sets: what the models lose, against the best constant."""
    try:
        from sklearn.datasets import load_breast_cancer, load_diabetes
        from sklearn.linear_model import LogisticRegression, Ridge
        from sklearn.model_selection import cross_val_predict
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
    except ImportError:
        return "Example 3 needs scikit-learn: pip install 'losskit[demo]'."
    from ._constant import best_constant
    from .explain import entropy, to_bits
    from .losses.binary import BinaryCrossEntropy, Brier
    from .losses.regression import MAE, MSE, Huber

    x, y = load_breast_cancer(return_X_y=True)
    malignant = (y == 0).astype(float)  # scikit-learn codes malignant as 0
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=1000))
    p = cross_val_predict(model, x, malignant, cv=5, method="predict_proba")[:, 1]
    rate = float(best_constant(BinaryCrossEntropy(), malignant))
    prior = np.full_like(p, rate)
    h = float(entropy(np.array([rate, 1.0 - rate])))
    out_lines = [
        f"Example 3. Real data: scikit-learn's breast cancer set, {x.shape[0]} tumours, "
        f"{int(malignant.sum())} malignant.",
        "  A logistic regression, its probabilities out of fold (5-fold cross-validation), against the best",
        f"  constant: the rate of malignant tumours, {rate:.4f} (lk.best_constant).",
        "",
        "  loss                    model     best constant",
    ]
    for name, loss in (("binary_cross_entropy", BinaryCrossEntropy()), ("brier", Brier())):
        out_lines.append(f"  {name:<22}{float(loss(malignant, p)):>7.4f}  {float(loss(malignant, prior)):>12.4f}")
    ce = float(BinaryCrossEntropy()(malignant, p))
    out_lines += [
        "",
        f"  Knowing only the base rate costs the entropy of the labels, H = {h:.4f} nats = "
        f"{float(to_bits(h)):.4f} bits",
        f"  per tumour. The model loses {ce:.4f} nats ({float(to_bits(ce)):.4f} bits): it removes "
        f"{1 - ce / h:.1%} of the uncertainty.",
    ]
    xd, yd = load_diabetes(return_X_y=True)
    pred = cross_val_predict(Ridge(alpha=1.0), xd, yd, cv=5)
    out_lines += [
        "",
        f"  And scikit-learn's diabetes set ({xd.shape[0]} patients, disease progression after a year), a ridge",
        "  regression out of fold, against each loss's best constant (the mean, the median, Huber's middle):",
        "",
        "  loss        model     best constant",
    ]
    for name, loss in (("mse", MSE()), ("mae", MAE()), ("huber", Huber(delta=10.0))):
        c = float(best_constant(loss, yd))
        model, constant = float(loss(yd, pred)), float(loss(yd, np.full_like(yd, c)))
        out_lines.append(f"  {name:<10}{model:>9.2f}  {constant:>12.2f}   (constant {c:.2f})")
    r2 = 1.0 - float(MSE()(yd, pred)) / float(MSE()(yd, np.full_like(yd, yd.mean())))
    out_lines.append(f"  R^2 = 1 - mse / mse(best constant) = {r2:.4f}")

    # The same numbers from the files, streamed by the evaluator of `losskit eval`.
    out.mkdir(parents=True, exist_ok=True)
    cancer = out / "breast_cancer.csv"
    np.savetxt(cancer, np.column_stack([malignant, p]), delimiter=",", header="malignant,p", comments="", fmt="%.17g")
    diabetes = out / "diabetes.csv"
    np.savetxt(
        diabetes, np.column_stack([yd, pred]), delimiter=",", header="progression,prediction", comments="", fmt="%.17g"
    )
    try:
        from .cli import format_evaluation
        from .evaluate import evaluate_file

        result = evaluate_file(cancer, y_true="malignant", y_pred="p", losses=["binary_cross_entropy", "brier"])
    except ImportError:
        return "\n".join([*out_lines, "", "  (losskit eval needs pyarrow: pip install 'losskit[io]'.)"])
    out_lines += [
        "",
        f"  The predictions are in {cancer} and {diabetes}; losskit eval streams such files:",
        f"  $ losskit eval {cancer} --y-true malignant --y-pred p --loss binary_cross_entropy,brier",
        *("  " + line for line in format_evaluation(result, "table").splitlines()),
    ]
    return "\n".join(out_lines)


def pictures(out: Path) -> str:
    """The loss curves and the outlier picture, written as PNG files into ``out``."""
    try:
        from . import plot

        out.mkdir(parents=True, exist_ok=True)
        figures = {
            "regression.png": plot.curves(["mse", "mae", "huber", "pseudo_huber", "log_cosh"], derivative=True),
            "margin.png": plot.curves(
                ["hinge", "squared_hinge", "sigmoid_cross_entropy", "exponential", "modified_huber"], derivative=True
            ),
            "probability.png": plot.curves(["binary_cross_entropy", "brier", "binary_focal"], derivative=True),
            "outliers.png": plot.outliers(["mse", "mae", "huber"]),
        }
        for name, fig in figures.items():
            fig.savefig(out / name, dpi=110)
    except ImportError as exc:
        return f"The pictures need matplotlib ({exc})."
    return "\n".join(
        [
            f"Pictures written to {out}/:",
            "  regression.png   mse, mae, huber, pseudo-huber, log-cosh and their derivatives against the residual",
            "  margin.png       the margin losses with the 0-1 loss they stand in for",
            "  probability.png  -log(p): cross-entropy against the probability of the true class, steep near 0",
            "  outliers.png     one outlier drags the mean without bound; the median and Huber stay put",
        ]
    )


def run(out: str | Path = "losskit-demo", plots: bool = True) -> int:
    """``losskit demo``: print the tour, the real-data example and write the pictures."""
    rule = "=" * 100
    folder = Path(out)
    print(tour(), flush=True)
    print(rule, flush=True)
    print(real_data(folder), flush=True)
    if plots:
        print(rule)
        print(pictures(folder))
    return 0
