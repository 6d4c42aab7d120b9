r"""What every loss is: one metadata record per loss, the single source of truth.

``lk.info(name_or_loss)`` (and ``Loss.info``) returns a :class:`LossInfo`:
what the loss measures, its input kinds, parameters, formulas for the
value, gradient and Hessian (plain text and LaTeX), the likelihood it is the
negative log of, convexity, smoothness, robustness, its loss-minimising
constant, and its names in PyTorch, Keras, optax and scikit-learn.
``lk.describe``, ``losskit list``, the plots and ``docs/catalog.md`` are built
from these records, never written a second time.

The name, aliases, task, value formula and parameters come from the loss
classes; everything else from ``_TABLE`` below, keyed by canonical name. Some
facts depend on the parameters (a probability or a logit form; the focal
loss's ``gamma``): a record describes one setting, the defaults for
``lk.info("bce")``, the loss's own for ``lk.info(lk.get("bce", from_logits=True))``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields
from typing import Any

from ._base import Loss
from ._registry import get

__all__ = ["Equivalents", "Formulas", "LossInfo", "ParamInfo", "info"]

SMOOTHNESS = ("smooth", "C1", "C0")  # infinitely differentiable; a jump in l''; a kink in l


@dataclass(frozen=True)
class ParamInfo:
    """One parameter: its default, the values it accepts and what it does."""

    name: str
    default: Any
    valid: str
    doc: str


@dataclass(frozen=True)
class Formulas:
    """The value, the derivative and the second derivative with respect to ``y_pred``."""

    value: str
    gradient: str
    hessian: str


@dataclass(frozen=True)
class Equivalents:
    """The same loss elsewhere ("none" where a library has no equivalent)."""

    pytorch: str
    keras: str
    optax: str
    sklearn: str
    others: str  # gradient boosting libraries and other places it appears


@dataclass(frozen=True)
class LossInfo:
    """Everything losskit knows about one loss, for one parameter setting.

    Attributes
    ----------
    name, aliases, task
        The canonical name, its aliases, and ``"regression"``, ``"binary"``,
        ``"multiclass"`` or ``"distribution"``.
    setting
        The loss this record describes, as its ``repr`` (``"Huber(delta=2.0)"``).
    summary
        What is measured, in one sentence.
    y_true, y_pred
        The input kinds: ``"values"``, ``"counts"``, ``"probabilities"``,
        ``"logits"``, ``"scores"``, ``"class labels"``, ...
    logit_form
        Whether the loss has a form on logits (``from_logits``, or fixed to it).
    link
        The usual map from an unbounded model score to ``y_pred``:
        ``"identity"``, ``"sigmoid"``, ``"exp"`` or ``"softmax"``.
    parameters
        The parameters with their defaults and valid ranges.
    formula, latex
        The value, gradient and Hessian diagonal, in plain text and in LaTeX.
    likelihood
        The distribution whose negative log-likelihood the loss is, or what
        it is instead ("none: a margin loss", "a robust M-estimator").
    convex, convexity
        Convex in ``y_pred`` (for this setting), and the detail.
    smoothness, kinks
        ``"smooth"`` (infinitely differentiable), ``"C1"`` (the second
        derivative jumps) or ``"C0"`` (a kink), and where.
    robust, robustness
        Bounded influence: whether the pull of a prediction far from its
        target stays bounded relative to a near one; and the detail.
    best_constant
        The constant prediction that minimises the loss (computed by
        :func:`losskit.best_constant`).
    zero_hessian
        True where the Hessian is 0 almost everywhere (or not available):
        Newton steps and gradient boosters need a surrogate.
    approx_hessian
        True where losskit's gradient-boosting objectives
        (:mod:`losskit.integrations`) hand the booster an approximate
        Hessian, ``max(exact Hessian, 1)`` (for ``mape``, its scale
        ``1 / max(|y|, eps)`` in place of 1), instead of the exact one: the
        losses whose Hessian is 0 almost everywhere, and those whose Hessian
        is 0 on whole regions where the gradient is not (``huber`` beyond
        ``delta``, ``modified_huber`` below ``t s = -1``).
    hessian_diagonal
        False where the Hessian is not diagonal (``rmse``).
    equivalents
        The same loss in PyTorch, Keras, optax, scikit-learn and elsewhere.
    references
        Where the loss comes from.
    """

    name: str
    aliases: tuple[str, ...]
    task: str
    setting: str
    summary: str
    y_true: str
    y_pred: str
    logit_form: bool
    link: str
    parameters: tuple[ParamInfo, ...]
    formula: Formulas
    latex: Formulas
    likelihood: str
    convex: bool
    convexity: str
    smoothness: str
    kinks: str
    robust: bool
    robustness: str
    best_constant: str
    zero_hessian: bool
    approx_hessian: bool
    hessian_diagonal: bool
    equivalents: Equivalents
    references: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The record as plain JSON-ready data (nested records become dicts, tuples lists)."""

        def plain(v: Any) -> Any:
            if hasattr(v, "__dataclass_fields__"):
                return {f.name: plain(getattr(v, f.name)) for f in fields(v)}
            if isinstance(v, tuple):
                return [plain(x) for x in v]
            return v

        return plain(self)


# ---------------------------------------------------------------------------------------------
# The table. Plain formulas use r = f - y, t = 2y - 1 in {-1, +1}, s a logit or score, p or q a
# probability, w+ = pos_weight. Each entry may hold `variants`: (condition on the loss, fields
# that replace the entry's) applied in order -- a logit form, or gamma = 0 for the focal loss.
# ---------------------------------------------------------------------------------------------

_HUBER_REF = "Huber, P. J. (1964). Robust Estimation of a Location Parameter. Annals of Mathematical Statistics 35(1)."
_ESL = "Hastie, T., Tibshirani, R. and Friedman, J. (2009). The Elements of Statistical Learning, 2nd ed., Springer."
_COX = "Cox, D. R. (1958). The Regression Analysis of Binary Sequences. JRSS B 20(2)."
_GOOD = "Good, I. J. (1952). Rational Decisions. JRSS B 14(1)."
_SHANNON = "Shannon, C. E. (1948). A Mathematical Theory of Communication. Bell System Technical Journal 27."
_KL = "Kullback, S. and Leibler, R. A. (1951). On Information and Sufficiency. Annals of Mathematical Statistics 22(1)."
_NONE = "none"


def _logits(loss: Loss) -> bool:
    return bool(loss.params.get("from_logits", loss.fixed.get("from_logits", False)))


def _eq(pytorch: str, keras: str, optax: str, sklearn: str, others: str = _NONE) -> Equivalents:
    return Equivalents(pytorch, keras, optax, sklearn, others)


_BINARY_LOGITS: dict[str, Any] = {
    "y_pred": "logits",
    "link": "identity",
    "formula": ("max(s, 0) - s y + log(1 + exp(-|s|))", "sigmoid(s) - y", "sigmoid(s) (1 - sigmoid(s))"),
    "latex": (
        r"\log(1 + e^{s}) - y s",
        r"\sigma(s) - y",
        r"\sigma(s)\,(1 - \sigma(s))",
    ),
    "robust": True,
    "robustness": (
        "bounded influence on the logit: the gradient sigmoid(s) - y stays in [-1, 1] ([-w+, 1] with "
        "pos_weight w+), although the loss of a confidently wrong logit grows linearly"
    ),
    "best_constant": (
        "the logit of the (pos_weight-weighted) rate of positives, log(A / B); +-inf if one class is absent"
    ),
}

_MULTI_LOGITS: dict[str, Any] = {
    "y_pred": "logits",
    "link": "identity",
    "robust": True,
    "robustness": (
        "bounded influence on the logits: the gradient softmax(s) sum_k y_k - y stays in [-1, 1] "
        "per class, although the loss of a confidently wrong logit grows linearly"
    ),
    "best_constant": (
        "the log class frequencies (log-priors; -inf for an absent class): the logits of the weighted mean target"
    ),
}

# What the cross-entropies on probability rows share.
_CATEGORICAL: dict[str, Any] = {
    "convex": True,
    "convexity": "convex in the probabilities and in the logits",
    "smoothness": "smooth",
    "kinks": "none",
    "robust": False,
    "robustness": (
        "not robust: a confident wrong prediction (q_y -> 0) costs -log q_y without bound, "
        "and its gradient -1/q_y pushes it ever harder"
    ),
}

_TABLE: dict[str, dict[str, Any]] = {
    # -- regression --------------------------------------------------------------------------
    "mse": {
        "summary": "the squared miss: a miss twice as large costs four times as much",
        "y_true": "values",
        "y_pred": "values",
        "link": "identity",
        "formula": ("r^2", "2 r", "2"),
        "latex": ("r^2", "2r", "2"),
        "likelihood": "Gaussian with fixed variance sigma^2: the NLL is mse / (2 sigma^2) + log(sigma sqrt(2 pi))",
        "convex": True,
        "convexity": "strictly convex",
        "smoothness": "smooth",
        "kinks": "none",
        "robust": False,
        "robustness": "not robust: the gradient 2 r grows without bound, so one extreme miss can dominate the fit",
        "best_constant": "the weighted mean of y",
        "equivalents": _eq(
            "torch.nn.functional.mse_loss (nn.MSELoss)",
            "keras.losses.MeanSquaredError",
            "optax.losses.squared_error (elementwise; l2_loss is half of it)",
            "sklearn.metrics.mean_squared_error",
            "XGBoost reg:squarederror, LightGBM regression (l2)",
        ),
        "references": ("Gauss, C. F. (1809). Theoria Motus Corporum Coelestium.", _ESL),
    },
    "rmse": {
        "summary": (
            "the root of the mean squared miss, in the units of y: one number over all values, not a per-sample loss"
        ),
        "y_true": "values",
        "y_pred": "values",
        "link": "identity",
        "formula": (None, "w r / (sum(w) rmse)", "not diagonal (hessian raises NotImplementedError)"),
        "latex": (
            r"\sqrt{\textstyle\sum_i w_i r_i^2 / \sum_i w_i}",
            r"w_i r_i / (\textstyle\sum_j w_j \cdot \mathrm{RMSE})",
            r"\text{not diagonal}",
        ),
        "likelihood": "Gaussian with fixed variance, like mse (a monotone function of it with the same minimiser)",
        "convex": True,
        "convexity": "convex (a weighted Euclidean norm of the residuals)",
        "smoothness": "C0",
        "kinks": "at a perfect prediction (every r = 0)",
        "robust": False,
        "robustness": "not robust: each value pulls in proportion to its residual, as under mse",
        "best_constant": "the weighted mean of y",
        "equivalents": _eq(
            _NONE + " (torch.sqrt of mse_loss)",
            "keras.metrics.RootMeanSquaredError (a metric)",
            _NONE,
            "sklearn.metrics.root_mean_squared_error (per column for 2-D input; losskit flattens)",
            "XGBoost and LightGBM metric rmse",
        ),
        "references": (_ESL,),
    },
    "mae": {
        "summary": "the absolute miss: every unit of error costs the same",
        "y_true": "values",
        "y_pred": "values",
        "link": "identity",
        "formula": ("|r|", "sign(r) (0 at r = 0)", "0"),
        "latex": ("|r|", r"\operatorname{sign}(r)", "0"),
        "likelihood": "Laplace with fixed scale b: the NLL is mae / b + log(2 b)",
        "convex": True,
        "convexity": "convex, not strictly (linear on each side of r = 0)",
        "smoothness": "C0",
        "kinks": "at r = 0",
        "robust": True,
        "robustness": "bounded influence: every miss pulls with force 1, however large it is",
        "best_constant": "the weighted median of y (the midpoint of the middle interval when it is not unique)",
        "equivalents": _eq(
            "torch.nn.functional.l1_loss (nn.L1Loss)",
            "keras.losses.MeanAbsoluteError",
            _NONE,
            "sklearn.metrics.mean_absolute_error",
            "XGBoost reg:absoluteerror, LightGBM regression_l1",
        ),
        "references": ("Laplace, P.-S. (1774). Memoire sur la probabilite des causes par les evenements.", _ESL),
    },
    "huber": {
        "summary": "squared miss for small misses, absolute miss beyond delta",
        "y_true": "values",
        "y_pred": "values",
        "link": "identity",
        "formula": (None, "clip(r, -delta, delta)", "1 if |r| <= delta else 0"),
        "latex": (
            r"\tfrac12 r^2 \text{ if } |r| \le \delta \text{ else } \delta(|r| - \tfrac12\delta)",
            r"\operatorname{clip}(r, -\delta, \delta)",
            r"\mathbb 1\{|r| \le \delta\}",
        ),
        "likelihood": (
            "a robust M-estimator (formally the NLL of Huber's least favourable distribution: "
            "Gaussian in the centre, Laplace tails)"
        ),
        "convex": True,
        "convexity": "convex (strictly only within delta)",
        "smoothness": "C1",
        "kinks": "the second derivative jumps at |r| = delta",
        "robust": True,
        "robustness": "bounded influence: a miss pulls with force |r| up to delta, then no harder",
        "best_constant": (
            "Huber's M-estimate of location, the root of sum w clip(c - y, -delta, delta) = 0 "
            "(between the median and the mean)"
        ),
        "equivalents": _eq(
            "torch.nn.functional.huber_loss (nn.HuberLoss; SmoothL1Loss is huber / beta)",
            "keras.losses.Huber",
            "optax.losses.huber_loss",
            "sklearn.linear_model.HuberRegressor (with a jointly fitted scale)",
            "LightGBM huber (alpha = delta)",
        ),
        "references": (_HUBER_REF,),
    },
    "pseudo_huber": {
        "summary": "a smooth Huber: quadratic for small misses, linear (slope delta) for large ones",
        "y_true": "values",
        "y_pred": "values",
        "link": "identity",
        "formula": (None, "r / sqrt(1 + (r/delta)^2)", "(1 + (r/delta)^2)^(-3/2)"),
        "latex": (
            r"\delta^2\left(\sqrt{1 + (r/\delta)^2} - 1\right)",
            r"r / \sqrt{1 + (r/\delta)^2}",
            r"\left(1 + (r/\delta)^2\right)^{-3/2}",
        ),
        "likelihood": "a robust M-estimator (formally the NLL of a symmetric hyperbolic distribution)",
        "convex": True,
        "convexity": "strictly convex",
        "smoothness": "smooth",
        "kinks": "none",
        "robust": True,
        "robustness": "bounded influence: the pull of a miss approaches delta and never exceeds it",
        "best_constant": "the M-estimate of location, the root of sum w r / sqrt(1 + (r/delta)^2) = 0",
        "equivalents": _eq(_NONE, _NONE, _NONE, _NONE, "XGBoost reg:pseudohubererror (huber_slope = delta)"),
        "references": (
            "Charbonnier, P., Blanc-Feraud, L., Aubert, G. and Barlaud, M. (1997). Deterministic "
            "Edge-Preserving Regularization in Computed Imaging. IEEE Transactions on Image Processing 6(2).",
            "Hartley, R. and Zisserman, A. (2003). Multiple View Geometry in Computer Vision, 2nd ed., Appendix 6.8.",
        ),
    },
    "log_cosh": {
        "summary": "log(cosh(r)): about r^2/2 for small misses and |r| - log 2 for large ones",
        "y_true": "values",
        "y_pred": "values",
        "link": "identity",
        "formula": (None, "tanh(r)", "1 - tanh(r)^2"),
        "latex": (r"\log\cosh r", r"\tanh r", r"1 - \tanh^2 r"),
        "likelihood": (
            "a robust M-estimator (formally the NLL of the hyperbolic secant distribution, density sech(r) / pi)"
        ),
        "convex": True,
        "convexity": "strictly convex",
        "smoothness": "smooth",
        "kinks": "none",
        "robust": True,
        "robustness": "bounded influence: the pull tanh(r) of a miss never exceeds 1",
        "best_constant": "the M-estimate of location, the root of sum w tanh(c - y) = 0",
        "equivalents": _eq(_NONE, "keras.losses.LogCosh", "optax.losses.log_cosh", _NONE),
        "references": (
            "Chen, P., Chen, G. and Zhang, S. (2019). Log Hyperbolic Cosine Loss Improves Variational "
            "Auto-Encoder. OpenReview.",
        ),
    },
    "quantile": {
        "summary": "an asymmetric absolute miss: under-predictions cost q, over-predictions 1 - q per unit",
        "y_true": "values",
        "y_pred": "values",
        "link": "identity",
        "formula": (None, "-q if y >= f else 1 - q", "0"),
        "latex": (
            r"q\,(y - f) \text{ if } y \ge f \text{ else } (1 - q)(f - y)",
            r"-q \text{ if } y \ge f \text{ else } 1 - q",
            "0",
        ),
        "likelihood": "asymmetric Laplace with fixed scale",
        "convex": True,
        "convexity": "convex, not strictly (piecewise linear)",
        "smoothness": "C0",
        "kinks": "at r = 0",
        "robust": True,
        "robustness": "bounded influence: every miss pulls with force q or 1 - q, however large it is",
        "best_constant": (
            "the weighted q-quantile of y (the midpoint of the interval of minimisers when it is not unique)"
        ),
        "equivalents": _eq(
            _NONE,
            _NONE,
            _NONE,
            "sklearn.metrics.mean_pinball_loss(alpha=q), QuantileRegressor",
            "XGBoost reg:quantileerror, LightGBM quantile",
        ),
        "references": ("Koenker, R. and Bassett, G. (1978). Regression Quantiles. Econometrica 46(1).",),
    },
    "poisson": {
        "summary": "the surprise of a count y under a Poisson rate f",
        "y_true": "counts (y >= 0)",
        "y_pred": "rates (f >= 0)",
        "link": "exp",
        "formula": ("f - y log f", "1 - y / f", "y / f^2"),
        "latex": (r"f - y\log f", r"1 - y/f", r"y/f^2"),
        "likelihood": "Poisson (up to the constant log(y!), which does not depend on f)",
        "convex": True,
        "convexity": "convex in the rate (strictly where y > 0)",
        "smoothness": "smooth",
        "kinks": "none",
        "robust": False,
        "robustness": (
            "not robust: the fitted rate is the mean count, so one huge count moves it without bound; "
            "the gradient 1 - y/f is unbounded as f -> 0"
        ),
        "best_constant": "the weighted mean of y",
        "equivalents": _eq(
            "torch.nn.functional.poisson_nll_loss(log_input=from_logits, full=False)",
            "keras.losses.Poisson",
            _NONE,
            "sklearn.linear_model.PoissonRegressor; metrics.mean_poisson_deviance is 2 (loss - (y - y log y))",
            "XGBoost count:poisson, LightGBM poisson (both on log-rates)",
        ),
        "references": (
            "Nelder, J. A. and Wedderburn, R. W. M. (1972). Generalized Linear Models. JRSS A 135(3).",
            "McCullagh, P. and Nelder, J. A. (1989). Generalized Linear Models, 2nd ed., Chapman and Hall.",
        ),
        "variants": (
            (
                _logits,
                {
                    "y_pred": "log-rates",
                    "link": "identity",
                    "formula": ("exp(s) - y s", "exp(s) - y", "exp(s)"),
                    "latex": (r"e^s - y s", r"e^s - y", r"e^s"),
                    "convexity": "convex in the log-rate (strictly)",
                    "robustness": (
                        "not robust: the fitted rate is the mean count, so one huge count moves it without "
                        "bound; the gradient exp(s) - y is unbounded"
                    ),
                    "best_constant": "the log of the weighted mean of y (-inf when every count is 0)",
                },
            ),
        ),
    },
    "msle": {
        "summary": "the squared miss on the log(1 + y) scale: relative misses of large values",
        "y_true": "values > -1",
        "y_pred": "values > -1",
        "link": "identity",
        "formula": (None, "2 d / (1 + f), d = log(1 + f) - log(1 + y)", "2 (1 - d) / (1 + f)^2"),
        "latex": (
            r"\left(\log(1 + f) - \log(1 + y)\right)^2",
            r"2d/(1 + f),\ d = \log(1 + f) - \log(1 + y)",
            r"2(1 - d)/(1 + f)^2",
        ),
        "likelihood": "log-normal for 1 + y with median 1 + f and fixed sigma (up to terms in y only)",
        "convex": False,
        "convexity": "not convex in f: concave where log(1 + f) - log(1 + y) > 1 (convex in log(1 + f))",
        "smoothness": "smooth",
        "kinks": "none",
        "robust": False,
        "robustness": (
            "not robust, but damped: the fit moves with log(1 + y), so an outlier's pull grows like its logarithm; "
            "the gradient is unbounded as f -> -1"
        ),
        "best_constant": "expm1 of the weighted mean of log1p(y) (a geometric mean of 1 + y, minus 1)",
        "equivalents": _eq(
            _NONE,
            "keras.losses.MeanSquaredLogarithmicError",
            _NONE,
            "sklearn.metrics.mean_squared_log_error",
            "XGBoost reg:squaredlogerror",
        ),
        "references": (_ESL,),
    },
    "mape": {
        "summary": "the absolute miss as a fraction of the target",
        "y_true": "values",
        "y_pred": "values",
        "link": "identity",
        "formula": (None, "sign(r) / max(|y|, eps)", "0"),
        "latex": (r"|r| / \max(|y|, \epsilon)", r"\operatorname{sign}(r) / \max(|y|, \epsilon)", "0"),
        "likelihood": "none: a relative error (mae with each value weighted by 1 / |y|)",
        "convex": True,
        "convexity": "convex, not strictly (piecewise linear)",
        "smoothness": "C0",
        "kinks": "at r = 0",
        "robust": True,
        "robustness": (
            "bounded influence for each target (pull 1 / |y|): large targets pull weakly, "
            "but targets near 0 pull hardest (weight up to 1 / eps)"
        ),
        "best_constant": "the weighted median of y with weights w / max(|y|, eps)",
        "equivalents": _eq(
            _NONE,
            "keras.losses.MeanAbsolutePercentageError (in percent: 100 times this)",
            _NONE,
            "sklearn.metrics.mean_absolute_percentage_error",
            "LightGBM mape",
        ),
        "references": (
            "de Myttenaere, A., Golden, B., Le Grand, B. and Rossi, F. (2016). Mean Absolute Percentage "
            "Error for Regression Models. Neurocomputing 192.",
        ),
    },
    # -- binary ------------------------------------------------------------------------------
    "binary_cross_entropy": {
        "summary": "the surprise, in nats, of the true label under the predicted probability",
        "y_true": "probabilities (labels in {0, 1} or soft targets in [0, 1])",
        "y_pred": "probabilities",
        "link": "sigmoid",
        "formula": (None, "-y / p + (1 - y) / (1 - p)", "y / p^2 + (1 - y) / (1 - p)^2"),
        "latex": (
            r"-\left(y\log p + (1 - y)\log(1 - p)\right)",
            r"-y/p + (1 - y)/(1 - p)",
            r"y/p^2 + (1 - y)/(1 - p)^2",
        ),
        "likelihood": "Bernoulli (in nats; divide by ln 2 for bits)",
        "convex": True,
        "convexity": "convex in the probability and in the logit",
        "smoothness": "smooth",
        "kinks": "none",
        "robust": False,
        "robustness": (
            "not robust: a confident wrong prediction costs -log p without bound, and its gradient -1/p "
            "pushes it ever harder"
        ),
        "best_constant": (
            "the (pos_weight-weighted) rate of positives, A / (A + B) with A = sum w w+ y, B = sum w (1 - y)"
        ),
        "equivalents": _eq(
            "torch.nn.functional.binary_cross_entropy (_with_logits; nn.BCELoss, nn.BCEWithLogitsLoss)",
            "keras.losses.BinaryCrossentropy",
            "optax.losses.sigmoid_binary_cross_entropy (logits)",
            "sklearn.metrics.log_loss, LogisticRegression",
            "XGBoost binary:logistic, LightGBM binary (xentropy for soft labels)",
        ),
        "references": (_COX, _GOOD),
        "variants": ((_logits, _BINARY_LOGITS),),
    },
    "sigmoid_cross_entropy": {
        "summary": "binary cross-entropy of a logit: the surprise, in nats, of the true label under sigmoid(s)",
        "y_true": "probabilities (labels in {0, 1} or soft targets in [0, 1])",
        "y_pred": "logits",
        "link": "identity",
        "formula": (None, "sigmoid(s) - y", "sigmoid(s) (1 - sigmoid(s))"),
        "latex": _BINARY_LOGITS["latex"],
        "likelihood": "Bernoulli with p = sigmoid(s) (in nats)",
        "convex": True,
        "convexity": "convex in the logit",
        "smoothness": "smooth",
        "kinks": "none",
        "robust": True,
        "robustness": _BINARY_LOGITS["robustness"],
        "best_constant": _BINARY_LOGITS["best_constant"],
        "equivalents": _eq(
            "torch.nn.functional.binary_cross_entropy_with_logits (nn.BCEWithLogitsLoss)",
            "keras.losses.BinaryCrossentropy(from_logits=True)",
            "optax.losses.sigmoid_binary_cross_entropy",
            "sklearn.linear_model.LogisticRegression (its decision_function is s)",
            "XGBoost binary:logitraw, LightGBM binary",
        ),
        "references": (_COX,),
    },
    "hinge": {
        "summary": "how far a score falls short of the margin t s = 1 on the right side",
        "y_true": "binary labels in {0, 1} or {-1, +1}",
        "y_pred": "scores",
        "link": "identity",
        "formula": (None, "-t if t s < 1 else 0", "0"),
        "latex": (r"\max(0, 1 - ts)", r"-t\,\mathbb 1\{ts < 1\}", "0"),
        "likelihood": "none: a margin loss (a convex surrogate of the 0-1 loss)",
        "convex": True,
        "convexity": "convex, not strictly (piecewise linear)",
        "smoothness": "C0",
        "kinks": "at the margin t s = 1",
        "robust": True,
        "robustness": "bounded influence: a wrong score pulls with force 1, however wrong",
        "best_constant": "+1 or -1, the side with more weight (0 on an exact tie)",
        "equivalents": _eq(
            _NONE + " (nn.HingeEmbeddingLoss is a different loss)",
            "keras.losses.Hinge",
            "optax.losses.hinge_loss",
            "sklearn.metrics.hinge_loss, SGDClassifier(loss='hinge'), LinearSVC(loss='hinge')",
            "XGBoost binary:hinge",
        ),
        "references": ("Cortes, C. and Vapnik, V. (1995). Support-Vector Networks. Machine Learning 20(3).",),
    },
    "squared_hinge": {
        "summary": "the squared shortfall from the margin t s = 1",
        "y_true": "binary labels in {0, 1} or {-1, +1}",
        "y_pred": "scores",
        "link": "identity",
        "formula": (None, "-2 t max(0, 1 - t s)", "2 if t s < 1 else 0"),
        "latex": (r"\max(0, 1 - ts)^2", r"-2t\max(0, 1 - ts)", r"2\,\mathbb 1\{ts < 1\}"),
        "likelihood": "none: a margin loss",
        "convex": True,
        "convexity": "convex (strictly only inside the margin)",
        "smoothness": "C1",
        "kinks": "the second derivative jumps at the margin t s = 1",
        "robust": False,
        "robustness": "not robust: the pull of a wrong score grows linearly with how wrong it is",
        "best_constant": "the weighted mean of t (2 x the rate of positives - 1)",
        "equivalents": _eq(
            _NONE,
            "keras.losses.SquaredHinge",
            _NONE,
            "sklearn.svm.LinearSVC (its default loss), SGDClassifier(loss='squared_hinge')",
        ),
        "references": ("Cortes, C. and Vapnik, V. (1995). Support-Vector Networks. Machine Learning 20(3).",),
    },
    "binary_focal": {
        "summary": "cross-entropy down-weighted by (1 - p_t)^gamma on examples that are already well classified",
        "y_true": "binary labels in {0, 1}",
        "y_pred": "probabilities",
        "link": "sigmoid",
        "formula": (
            None,
            "t alpha_t (1 - p_t)^gamma (gamma log(p_t) / (1 - p_t) - 1 / p_t)",
            "alpha_t [(1 - p_t)^gamma / p_t^2 + gamma (1 - p_t)^(gamma - 1) "
            "(2 / p_t - (gamma - 1) log(p_t) / (1 - p_t))]",
        ),
        "latex": (
            r"-\alpha_t (1 - p_t)^\gamma \log p_t",
            r"t\,\alpha_t (1 - p_t)^\gamma \left(\frac{\gamma \log p_t}{1 - p_t} - \frac{1}{p_t}\right)",
            r"\alpha_t \left[\frac{(1 - p_t)^\gamma}{p_t^2} + \gamma (1 - p_t)^{\gamma - 1}"
            r"\left(\frac{2}{p_t} - \frac{(\gamma - 1)\log p_t}{1 - p_t}\right)\right]",
        ),
        "likelihood": "none for gamma > 0: a reweighted cross-entropy (gamma = 0 is the Bernoulli NLL)",
        "convex": True,
        "convexity": "convex in the probability for every gamma >= 0; not convex in the logit for gamma > 0",
        "smoothness": "smooth",
        "kinks": "none",
        "robust": False,
        "robustness": "not robust: a confident wrong probability costs about -log p and pulls like 1/p",
        "best_constant": (
            "the probability minimising A (1 - p)^gamma (-log p) + B p^gamma (-log(1 - p)), A and B the "
            "alpha-weighted weights of positives and negatives (found numerically; A / (A + B) for gamma = 0)"
        ),
        "equivalents": _eq(
            "torchvision.ops.sigmoid_focal_loss (logits)",
            "keras.losses.BinaryFocalCrossentropy",
            "optax.losses.sigmoid_focal_loss (logits)",
            _NONE,
        ),
        "references": (
            "Lin, T.-Y., Goyal, P., Girshick, R., He, K. and Dollar, P. (2017). Focal Loss for Dense Object "
            "Detection. ICCV.",
        ),
        "variants": (
            (
                _logits,
                {
                    "y_pred": "logits",
                    "link": "identity",
                    "formula": (
                        "alpha_t q^gamma softplus(-t s), q = sigmoid(-t s) = 1 - p_t",
                        "-t alpha_t q^gamma (gamma (1 - q) softplus(-t s) + q)",
                        "alpha_t q^gamma (1 - q) (gamma softplus(-t s) (gamma (1 - q) - q) + (2 gamma + 1) q)",
                    ),
                    "latex": (
                        r"\alpha_t q^\gamma \operatorname{softplus}(-ts),\ q = \sigma(-ts)",
                        r"-t\,\alpha_t q^\gamma \left(\gamma (1-q)\operatorname{softplus}(-ts) + q\right)",
                        r"\alpha_t q^\gamma (1-q) \left(\gamma\operatorname{softplus}(-ts)(\gamma(1-q) - q)"
                        r" + (2\gamma+1) q\right)",
                    ),
                    "convex": False,
                    "robust": True,
                    "robustness": "bounded influence on the logit: the gradient tends to -t alpha_t for a wrong logit",
                    "best_constant": "the logit of the probability minimising the focal loss of a constant",
                },
            ),
            (
                lambda loss: loss.gamma == 0.0,
                {
                    "likelihood": "Bernoulli (alpha-weighted): gamma = 0 is binary cross-entropy",
                    "convex": True,
                    "convexity": "convex in the probability and in the logit (gamma = 0)",
                },
            ),
        ),
    },
    "modified_huber": {
        "summary": "the squared hinge near the margin, linear for bad mistakes (t s < -1)",
        "y_true": "binary labels in {0, 1} or {-1, +1}",
        "y_pred": "scores",
        "link": "identity",
        "formula": (
            None,
            "-4 t if t s < -1; -2 t (1 - t s) if -1 <= t s < 1; else 0",
            "2 if -1 <= t s < 1 else 0",
        ),
        "latex": (
            r"\max(0, 1 - ts)^2 \text{ if } ts \ge -1 \text{ else } -4ts",
            r"-4t \text{ if } ts < -1,\ -2t(1 - ts) \text{ if } -1 \le ts < 1,\ 0 \text{ else}",
            r"2\,\mathbb 1\{-1 \le ts < 1\}",
        ),
        "likelihood": "none: a margin loss (its minimiser estimates probabilities: p = (clip(s, -1, 1) + 1) / 2)",
        "convex": True,
        "convexity": "convex (strictly only inside the margin)",
        "smoothness": "C1",
        "kinks": "the second derivative jumps at t s = -1 and t s = 1",
        "robust": True,
        "robustness": "bounded influence: a wrong score pulls with force at most 4",
        "best_constant": "the weighted mean of t (2 x the rate of positives - 1)",
        "equivalents": _eq(_NONE, _NONE, _NONE, "sklearn.linear_model.SGDClassifier(loss='modified_huber')"),
        "references": (
            "Zhang, T. (2004). Solving Large Scale Linear Prediction Problems Using Stochastic Gradient "
            "Descent Algorithms. ICML.",
        ),
    },
    "exponential": {
        "summary": "exp(-t s): the cost of a score grows exponentially with how wrong it is",
        "y_true": "binary labels in {0, 1} or {-1, +1}",
        "y_pred": "scores",
        "link": "identity",
        "formula": (None, "-t exp(-t s)", "exp(-t s)"),
        "latex": (r"e^{-ts}", r"-t e^{-ts}", r"e^{-ts}"),
        "likelihood": "none: a margin loss (its population minimiser is half the log-odds)",
        "convex": True,
        "convexity": "strictly convex",
        "smoothness": "smooth",
        "kinks": "none",
        "robust": False,
        "robustness": "not robust: a wrong score pulls exponentially hard (AdaBoost's sensitivity to label noise)",
        "best_constant": "half the log-odds, log(W+ / W-) / 2 (+-inf if one class is absent)",
        "equivalents": _eq(_NONE, _NONE, _NONE, "sklearn.ensemble.GradientBoostingClassifier(loss='exponential')"),
        "references": (
            "Freund, Y. and Schapire, R. E. (1997). A Decision-Theoretic Generalization of On-Line Learning "
            "and an Application to Boosting. JCSS 55(1).",
            "Friedman, J., Hastie, T. and Tibshirani, R. (2000). Additive Logistic Regression: a Statistical "
            "View of Boosting. Annals of Statistics 28(2).",
        ),
    },
    "brier": {
        "summary": "the squared miss of a predicted probability",
        "y_true": "probabilities (labels in {0, 1} or soft targets in [0, 1])",
        "y_pred": "probabilities",
        "link": "sigmoid",
        "formula": (None, "2 (p - y)", "2"),
        "latex": (r"(p - y)^2", r"2(p - y)", "2"),
        "likelihood": "none: a strictly proper scoring rule (the squared error of a probability)",
        "convex": True,
        "convexity": "strictly convex",
        "smoothness": "smooth",
        "kinks": "none",
        "robust": True,
        "robustness": "bounded: a confident wrong probability costs at most 1 and pulls with force at most 2",
        "best_constant": "the weighted mean of y (the rate of positives)",
        "equivalents": _eq(_NONE + " (mse_loss on probabilities)", _NONE, _NONE, "sklearn.metrics.brier_score_loss"),
        "references": (
            "Brier, G. W. (1950). Verification of Forecasts Expressed in Terms of Probability. Monthly "
            "Weather Review 78(1).",
        ),
    },
    # -- multiclass and distributions --------------------------------------------------------
    "categorical_cross_entropy": {
        "summary": "the surprise, in nats, of the target distribution under the predicted one",
        "y_true": "distributions (one-hot or soft rows)",
        "y_pred": "probability rows",
        "link": "softmax",
        "formula": (None, "-y_k / q_k", "y_k / q_k^2"),
        "latex": (r"-\sum_k y_k \log q_k", r"-y_k / q_k", r"y_k / q_k^2"),
        "likelihood": "categorical (in nats): H(y, q) = H(y) + KL(y || q)",
        **_CATEGORICAL,
        "best_constant": "the class frequencies: the weighted mean of the target rows",
        "equivalents": _eq(
            "torch.nn.functional.cross_entropy with probability targets (logits)",
            "keras.losses.CategoricalCrossentropy",
            "optax.losses.softmax_cross_entropy (logits)",
            "sklearn.metrics.log_loss",
            "XGBoost multi:softprob, LightGBM multiclass",
        ),
        "references": (_SHANNON, _GOOD),
        "variants": (
            (
                _logits,
                {
                    **_MULTI_LOGITS,
                    "formula": (
                        "-sum_k y_k log softmax(s)_k",
                        "softmax(s) sum_k y_k - y",
                        "softmax(s) (1 - softmax(s)) sum_k y_k",
                    ),
                    "latex": (
                        r"-\sum_k y_k \log\operatorname{softmax}(s)_k",
                        r"\operatorname{softmax}(s)\textstyle\sum_k y_k - y",
                        r"\operatorname{softmax}(s)(1 - \operatorname{softmax}(s))\textstyle\sum_k y_k",
                    ),
                },
            ),
        ),
    },
    "softmax_cross_entropy": {
        "summary": "categorical cross-entropy of logits: the surprise, in nats, of the target under softmax(s)",
        "y_true": "distributions (one-hot or soft rows)",
        "y_pred": "logits",
        "link": "identity",
        "formula": (None, "softmax(s) sum_k y_k - y", "softmax(s) (1 - softmax(s)) sum_k y_k"),
        "latex": (
            r"-\sum_k y_k \log\operatorname{softmax}(s)_k",
            r"\operatorname{softmax}(s)\textstyle\sum_k y_k - y",
            r"\operatorname{softmax}(s)(1 - \operatorname{softmax}(s))\textstyle\sum_k y_k",
        ),
        "likelihood": "categorical with q = softmax(s) (in nats)",
        "convex": True,
        "convexity": "convex in the logits (log-sum-exp)",
        "smoothness": "smooth",
        "kinks": "none",
        "robust": True,
        "robustness": _MULTI_LOGITS["robustness"],
        "best_constant": _MULTI_LOGITS["best_constant"],
        "equivalents": _eq(
            "torch.nn.functional.cross_entropy with probability targets",
            "keras.losses.CategoricalCrossentropy(from_logits=True)",
            "optax.losses.softmax_cross_entropy",
            "sklearn.linear_model.LogisticRegression (multinomial)",
            "XGBoost multi:softprob, LightGBM multiclass",
        ),
        "references": (_SHANNON,),
    },
    "sparse_categorical_cross_entropy": {
        "summary": "the surprise, in nats, of the true class: -log of its predicted probability",
        "y_true": "class labels (integers in [0, K))",
        "y_pred": "probability rows",
        "link": "softmax",
        "formula": (None, "-1 / q_y at the label, 0 elsewhere", "1 / q_y^2 at the label, 0 elsewhere"),
        "latex": (r"-\log q_y", r"-\mathbb 1\{k = y\} / q_k", r"\mathbb 1\{k = y\} / q_k^2"),
        "likelihood": "categorical (in nats)",
        **_CATEGORICAL,
        "best_constant": "the class frequencies (weighted by sample and class weights; ignored labels left out)",
        "equivalents": _eq(
            "torch.nn.functional.cross_entropy with class indices (nll_loss on log-probabilities)",
            "keras.losses.SparseCategoricalCrossentropy",
            "optax.losses.softmax_cross_entropy_with_integer_labels (logits)",
            "sklearn.metrics.log_loss",
            "XGBoost multi:softprob, LightGBM multiclass",
        ),
        "references": (_SHANNON, _GOOD),
        "variants": (
            (
                _logits,
                {
                    **_MULTI_LOGITS,
                    "formula": (
                        "-log softmax(s)_y",
                        "softmax(s) - onehot(y)",
                        "softmax(s) (1 - softmax(s))",
                    ),
                    "latex": (
                        r"-\log\operatorname{softmax}(s)_y",
                        r"\operatorname{softmax}(s) - \operatorname{onehot}(y)",
                        r"\operatorname{softmax}(s)(1 - \operatorname{softmax}(s))",
                    ),
                },
            ),
        ),
    },
    "kl_divergence": {
        "summary": "the extra nats per sample lost by coding the target distribution p with the prediction q",
        "y_true": "distributions (rows of probabilities)",
        "y_pred": "probability rows",
        "link": "softmax",
        "formula": (None, "-p_k / q_k", "p_k / q_k^2"),
        "latex": (r"\sum_k p_k (\log p_k - \log q_k)", r"-p_k / q_k", r"p_k / q_k^2"),
        "likelihood": "none itself: the categorical NLL H(p, q) minus the entropy H(p), which q cannot change",
        "convex": True,
        "convexity": "convex in the probabilities and in the logits",
        "smoothness": "smooth",
        "kinks": "none",
        "robust": False,
        "robustness": "not robust: a class with p_k > 0 and q_k -> 0 costs without bound and pulls like 1/q_k",
        "best_constant": "the weighted mean of the target rows",
        "equivalents": _eq(
            "torch.nn.functional.kl_div(log q, p) (nn.KLDivLoss; reduction='batchmean' for this mean)",
            "keras.losses.KLDivergence",
            "optax.losses.kl_divergence (log-predictions)",
            _NONE + " (scipy.special.rel_entr summed over classes)",
        ),
        "references": (_KL,),
        "variants": (
            (
                _logits,
                {
                    **_MULTI_LOGITS,
                    "formula": (
                        "sum_k p_k (log p_k - log softmax(s)_k)",
                        "softmax(s) sum_k p_k - p",
                        "softmax(s) (1 - softmax(s)) sum_k p_k",
                    ),
                    "latex": (
                        r"\sum_k p_k (\log p_k - \log\operatorname{softmax}(s)_k)",
                        r"\operatorname{softmax}(s)\textstyle\sum_k p_k - p",
                        r"\operatorname{softmax}(s)(1 - \operatorname{softmax}(s))\textstyle\sum_k p_k",
                    ),
                    "best_constant": "the logs of the weighted mean of the target rows (-inf where it is 0)",
                },
            ),
        ),
    },
    "categorical_hinge": {
        "summary": "how far the true class's score falls short of beating the best wrong class by 1",
        "y_true": "one-hot rows",
        "y_pred": "scores",
        "link": "identity",
        "formula": (
            None,
            "where the loss is > 0: +1 at the best wrong class, -1 at the true class; else 0",
            "0",
        ),
        "latex": (
            r"\max\left(0,\ 1 + \max_{k \ne y} s_k - s_y\right)",
            r"\mathbb 1\{\ell > 0\}\left(\mathbb 1\{k = k^*\} - \mathbb 1\{k = y\}\right)",
            "0",
        ),
        "likelihood": "none: a margin loss (Crammer-Singer)",
        "convex": True,
        "convexity": "convex, not strictly (piecewise linear)",
        "smoothness": "C0",
        "kinks": "where the margin 1 + max_{k != y} s_k - s_y is 0, and where the best wrong class changes",
        "robust": True,
        "robustness": "bounded influence: a wrong score vector pulls with force 1 on two classes, however wrong",
        "best_constant": (
            "score 1 for the heaviest class and 0 for the others when it holds more than half the weight "
            "(a gap of 0.5 at exactly half), all scores equal (0) otherwise"
        ),
        "equivalents": _eq(
            _NONE,
            _NONE + " (keras.losses.CategoricalHinge differs: its max includes 0)",
            "optax.losses.multiclass_hinge_loss (integer labels)",
            "sklearn.metrics.hinge_loss (multiclass), LinearSVC(multi_class='crammer_singer')",
        ),
        "references": (
            "Crammer, K. and Singer, Y. (2001). On the Algorithmic Implementation of Multiclass Kernel-based "
            "Vector Machines. JMLR 2.",
        ),
    },
    "multi_margin": {
        "summary": "the average shortfall of the true class's score from beating each wrong class by the margin",
        "y_true": "class labels (integers in [0, K))",
        "y_pred": "scores",
        "link": "identity",
        "formula": (
            None,
            "1/K at each wrong class inside the margin; minus their count / K at the true class",
            "0",
        ),
        "latex": (
            r"\frac1K \sum_{k \ne y} \max(0,\ m - s_y + s_k)",
            r"\tfrac1K \mathbb 1\{m - s_y + s_k > 0\} \text{ at } k \ne y,"
            r"\ -\tfrac1K \textstyle\sum_{k \ne y} \mathbb 1\{m - s_y + s_k > 0\} \text{ at } y",
            "0",
        ),
        "likelihood": "none: a margin loss (Weston-Watkins)",
        "convex": True,
        "convexity": "convex, not strictly (piecewise linear)",
        "smoothness": "C0",
        "kinks": "where any s_y - s_k equals the margin",
        "robust": True,
        "robustness": "bounded influence: each wrong class pulls with force 1/K, however wrong",
        "best_constant": (
            "tiers of classes by weight, the margin apart: the heaviest classes on top "
            "(found exactly by dynamic programming over the sorted class weights)"
        ),
        "equivalents": _eq("torch.nn.functional.multi_margin_loss (nn.MultiMarginLoss, p=1)", _NONE, _NONE, _NONE),
        "references": (
            "Weston, J. and Watkins, C. (1999). Support Vector Machines for Multi-Class Pattern Recognition. ESANN.",
        ),
    },
}

_ZERO_HESSIAN = {"mae", "quantile", "mape", "hinge", "categorical_hinge", "multi_margin"}
# The losses whose boosting Hessian is a surrogate: the above, and those whose Hessian vanishes on a
# whole region where the gradient does not (a leaf there would take the step sum(g) / 0).
_APPROX_HESSIAN = _ZERO_HESSIAN | {"huber", "modified_huber"}
_REQUIRED = (
    "summary",
    "y_true",
    "y_pred",
    "link",
    "formula",
    "latex",
    "likelihood",
    "convex",
    "convexity",
    "smoothness",
    "kinks",
    "robust",
    "robustness",
    "best_constant",
    "equivalents",
    "references",
)


def _entry(loss: Loss) -> dict[str, Any]:
    """The table entry of ``loss`` with the variants that apply to its parameters."""
    try:
        entry = _TABLE[loss.name]
    except KeyError:
        msg = (
            f"the loss {loss.name!r} has no record in losskit's catalog (losskit/_catalog.py): "
            "every registered loss needs one."
        )
        raise LookupError(msg) from None
    data = {k: v for k, v in entry.items() if k != "variants"}
    for applies, changes in entry.get("variants", ()):
        if applies(loss):
            data.update(changes)
    return data


@functools.lru_cache(maxsize=256)
def _info(loss: Loss) -> LossInfo:
    cls = type(loss)
    data = _entry(loss)
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        msg = f"the catalog record of {loss.name!r} lacks {', '.join(missing)}."
        raise LookupError(msg)
    value, gradient, hessian = data["formula"]
    return LossInfo(
        name=cls.name,
        aliases=tuple(cls.aliases),
        task=cls.task,
        setting=repr(loss),
        summary=data["summary"],
        y_true=data["y_true"],
        y_pred=data["y_pred"],
        logit_form="from_logits" in loss.params or "from_logits" in cls.fixed,
        link=data["link"],
        parameters=tuple(ParamInfo(p.name, p.default, p.valid, p.doc) for p in cls.parameters),
        formula=Formulas(value or cls.formula, gradient, hessian),
        latex=Formulas(*data["latex"]),
        likelihood=data["likelihood"],
        convex=data["convex"],
        convexity=data["convexity"],
        smoothness=data["smoothness"],
        kinks=data["kinks"],
        robust=data["robust"],
        robustness=data["robustness"],
        best_constant=data["best_constant"],
        zero_hessian=cls.name in _ZERO_HESSIAN,
        approx_hessian=cls.name in _APPROX_HESSIAN,
        hessian_diagonal=cls.hessian_diagonal,
        equivalents=data["equivalents"],
        references=tuple(data["references"]),
    )


def setting_label(loss: Loss) -> str:
    """A short label: the canonical name and the parameters that differ from the defaults."""
    shown = repr(loss)
    inner = shown[shown.index("(") + 1 : -1]
    return f"{loss.name} ({inner})" if inner else loss.name


def info(loss: str | Loss, /, **params: Any) -> LossInfo:
    """The record of a loss: what it measures, its formulas, likelihood, robustness and equivalents.

    Parameters
    ----------
    loss
        A loss name or alias (``"huber"``, ``"l1"``) or a :class:`Loss` object.
    **params
        Parameters of the loss (``from_logits=True``): some facts depend on them.

    Returns
    -------
    LossInfo
        A frozen record; ``lk.info(name).to_dict()`` gives plain data.

    Examples
    --------
    >>> import losskit as lk
    >>> rec = lk.info("huber")
    >>> rec.robust, rec.best_constant.split(",")[0]
    (True, "Huber's M-estimate of location")
    >>> lk.info("bce", from_logits=True).y_pred
    'logits'
    """
    return _info(get(loss, **params))
