r"""``LossRegressor`` and ``LossClassifier``: linear models that minimise any losskit loss.

The objective (``C`` the *cost*, ``l`` the loss on the raw scores ``S = X W^T + b``,
``s_i`` the sample weights, 1 when not given):

.. math::
    C(W, b) = \frac{\sum_i s_i \sum_k l(y_{ik}, S_{ik})}{\sum_i s_i} + \frac{\alpha}{2} \lVert W \rVert_F^2

-- the loss's ``reduction="mean"`` with ``sample_weight`` (a class-axis loss
has one term per sample; a one-vs-rest model sums the columns' costs), plus
an L2 penalty on the coefficients, never on the intercept. Probabilistic
losses are used on the scores in their logit form (``from_logits=True``,
``poisson``'s log-rate); ``brier``, which takes probabilities only, is
composed with the sigmoid. See ``docs/linear_model.md``.
"""

from __future__ import annotations

import math
import warnings
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from .._base import Loss
from .._catalog import info
from .._constant import best_constant
from .._raw import apply_inverse_link, inverse_link, logit_form
from .._registry import names
from .._stable import sigmoid_pair
from . import _solvers
from ._objective import LinearObjective

__all__ = ["LossClassifier", "LossRegressor"]

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data as _validate_data
except ImportError:  # pragma: no cover - scikit-learn 1.5

    def _validate_data(estimator: Any, *args: Any, **kwargs: Any) -> Any:
        return estimator._validate_data(*args, **kwargs)


SOLVERS = ("lbfgs", "newton", "gd", "sgd")
_ESTIMATOR_OF = {"regression": "LossRegressor", "binary": "LossClassifier", "multiclass": "LossClassifier"}


class _LossLinearModel(BaseEstimator):
    """What both estimators share: the loss on raw scores, the solvers, the warnings."""

    _tasks: ClassVar[tuple[str, ...]] = ()
    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "loss": [str, Loss],
        "loss_params": [dict, None],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "solver": [StrOptions(set(SOLVERS))],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "learning_rate": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    # -- the loss ------------------------------------------------------------------------------
    def _raw_loss(self) -> tuple[Loss, bool]:
        """The loss on raw scores, and whether it is composed with the sigmoid (a loss on probabilities only)."""
        owner = type(self).__name__
        loss = logit_form(self.loss, dict(self.loss_params or {}), model="a linear model", users=owner)
        if loss.task not in self._tasks:
            takes = " and ".join(self._tasks)
            other = _ESTIMATOR_OF.get(loss.task)
            fix = (
                f"use {other} for it"
                if other
                else "fit class labels with 'softmax_cross_entropy' (the KL divergence to one-hot targets)"
            )
            msg = (
                f"`loss`: {loss.name!r} is a {loss.task} loss and {owner} takes {takes} losses "
                f"({', '.join(n for t in self._tasks for n in names(t))}); {fix}."
            )
            raise ValueError(msg)
        rec = info(loss)
        if rec.link == "identity":
            return loss, False
        if rec.link == "sigmoid" and not rec.logit_form:
            return loss, True
        msg = (
            f"`loss`: {loss.name!r} takes {rec.y_pred} and has no form on a linear model's scores."  # pragma: no cover
        )
        raise ValueError(msg)  # pragma: no cover - every loss on probabilities has a logit form or the sigmoid

    def _check_solver(self, loss: Loss) -> None:
        if self.solver != "newton":
            return
        rec = info(loss)
        if rec.zero_hessian or not rec.hessian_diagonal:
            why = (
                f"the Hessian of {loss.name!r} is 0 almost everywhere (lk.info({loss.name!r}).zero_hessian)"
                if rec.zero_hessian
                else f"the Hessian of {loss.name!r} is not diagonal ('mse' has the same minimiser)"
            )
            msg = f"solver='newton' needs the loss's Hessian: {why}. Use solver='lbfgs' (the default), 'gd' or 'sgd'."
            raise ValueError(msg)
        if loss.class_axis:
            msg = (
                f"solver='newton' is not available for the multiclass loss {loss.name!r}: its Hessian couples "
                f"the classes of a sample, and losskit gives its diagonal only. Use solver='lbfgs' (the default)."
            )
            raise ValueError(msg)

    # -- fitting -------------------------------------------------------------------------------
    def _fit(self, X: Any, y: Any, sample_weight: Any, *, regression: bool) -> Any:
        self._validate_params()
        loss, sigmoid = self._raw_loss()
        self._sigmoid = sigmoid
        self._check_solver(loss)
        X, y = _validate_data(self, X, y, dtype=np.float64, y_numeric=regression)
        sw = None
        if sample_weight is not None:
            sw = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
        Y, k = self._targets(y, loss)
        obj = LinearObjective(
            loss, X, Y, sw, alpha=self.alpha, fit_intercept=self.fit_intercept, n_scores=k, sigmoid=sigmoid
        )
        theta = np.zeros((k, obj.d))
        if self.fit_intercept and not (info(loss).zero_hessian and not regression):
            # margin losses with kinks start at 0 scores: at their best constant every sample of the
            # majority class sits exactly on the kink (margin 1), where no descent direction is known
            theta[:, -1] = _start(loss, Y, sw, k, sigmoid)
        theta = theta.ravel()
        try:  # the loss checks the targets and the weights once, with its own messages
            obj.value(theta, validate=True)
        except ValueError as e:
            msg = f"`y` or `sample_weight` do not fit the loss {loss!r}: {e}"
            raise ValueError(msg) from e
        result = self._solve(obj, theta)
        coef = obj.coefficients(result.theta)
        self.loss_ = loss
        self.history_ = np.asarray(result.history, dtype=np.float64)
        self.n_iter_ = int(result.n_iter)
        W = coef[:, : X.shape[1]]
        b = coef[:, -1] if self.fit_intercept else np.zeros(k)
        return W, b

    def _solve(self, obj: LinearObjective, theta: np.ndarray) -> _solvers.Result:
        common = {"max_iter": self.max_iter, "tol": self.tol}
        rate = None if self.learning_rate == "auto" else float(self.learning_rate)
        if self.solver == "lbfgs":
            kinks = info(obj.loss).zero_hessian  # piecewise linear: scipy's line search stalls at a kink
            result = (_solvers.bfgs_nonsmooth if kinks else _solvers.lbfgs)(obj, theta, **common)
        elif self.solver == "newton":
            result = _solvers.newton(obj, theta, **common)
        elif self.solver == "gd":
            result = _solvers.gd(obj, theta, learning_rate=rate, **common)
        else:
            rate = _auto_rate(obj, theta) if rate is None else rate
            rng = check_random_state(self.random_state)
            result = _solvers.sgd(obj, theta, learning_rate=rate, batch_size=self.batch_size, rng=rng, **common)
        self._warn(result)
        return result

    def _warn(self, result: _solvers.Result) -> None:
        who = f"{type(self).__name__}(solver={self.solver!r})"
        if result.status == "diverged":
            msg = (
                f"{who} diverged at iteration {result.n_iter}: the cost rose from {result.history[0]:.4g} to "
                f"{result.detail['cost']:.4g} with learning_rate={result.detail['learning_rate']:.3g}. Use a smaller "
                f"learning_rate, or learning_rate='auto'. The coefficients are those of the lowest cost reached."
            )
            warnings.warn(msg, ConvergenceWarning, stacklevel=4)
        elif result.status == "max_iter":
            what = "epochs" if self.solver == "sgd" else "iterations"
            msg = (
                f"{who} did not converge in max_iter={self.max_iter} {what}: the largest entry of the cost's "
                f"gradient is {result.detail.get('gradient', math.nan):.3g} (tol={self.tol:g}). Raise max_iter, "
                f"standardise the features, or raise alpha."
            )
            warnings.warn(msg, ConvergenceWarning, stacklevel=4)

    def _positive_targets(self) -> bool:
        try:
            loss, _ = self._raw_loss()
        except (ValueError, TypeError):
            return False
        return loss.y_true_domain in ("nonnegative", "gt_minus_one")

    def _decision(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = _validate_data(self, X, dtype=np.float64, reset=False)
        return X @ np.asarray(self.coef_).T + self.intercept_


def _start(loss: Loss, Y: np.ndarray, sw: Any, k: int, sigmoid: bool) -> np.ndarray:
    """The intercepts of the best constant model (``lk.best_constant``); 0 where it is infinite."""
    try:
        with np.errstate(all="ignore"):
            if loss.class_axis:
                c = best_constant(loss, Y, sw, n_classes=k if loss.integer_labels else None)
            elif k == 1:
                c = best_constant(loss, Y, sw)
            else:
                c = [best_constant(loss, Y[:, j], sw) for j in range(k)]
            c = np.asarray(c, dtype=np.float64)
            if sigmoid:  # a constant probability: its logit
                p = np.clip(c, 1e-12, 1 - 1e-12)
                c = np.log(p) - np.log1p(-p)
    except (NotImplementedError, ValueError):
        c = np.zeros(k)
    return np.where(np.isfinite(c), c, 0.0)


def _auto_rate(obj: LinearObjective, theta: np.ndarray) -> float:
    """SGD's first step: ``1 / L``, ``L`` bounding the cost's curvature by the largest Hessian at the start."""
    rec = info(obj.loss)
    if rec.hessian_diagonal and not rec.zero_hessian and not obj.sigmoid:
        _, blocks = obj.gradient_and_hessian_blocks(theta)
        return 1.0 / max(max(float(np.linalg.norm(b, 2)) for b in blocks), 1e-12)
    # no usable Hessian: a loss whose slope is at most 1 per unit of score, through X
    return 1.0 / (float(np.mean(np.sum(obj.Xa**2, axis=1))) + obj.alpha)


# ---------------------------------------------------------------------------------------------
_COMMON_DOC = """
    loss_params
        The loss's parameters (``{"delta": 1.35}``), or None.
    alpha
        The L2 penalty ``alpha / 2 ||W||^2`` added to the mean loss (``>= 0``); the intercept is not
        penalised. scikit-learn's ``C`` (``C sum(loss) + ||w||^2 / 2``) is ``alpha = 1 / (C n)``.
    fit_intercept
        Whether to fit an intercept (started at the loss-minimising constant, ``lk.best_constant``).
    solver
        ``"lbfgs"`` (default: scipy's L-BFGS-B with losskit's value and gradient), ``"newton"`` (the
        loss's Hessian, a backtracking line search; refused for losses whose Hessian is 0 or not
        diagonal, and for multiclass losses), ``"gd"`` (gradient descent, for teaching), ``"sgd"``
        (mini-batch stochastic gradient descent).
    max_iter
        The most iterations (epochs for ``"sgd"``), ``>= 1``.
    tol
        Stop when the largest entry of the gradient is ``<= tol`` (``"sgd"``: when the cost has not
        improved by ``tol`` (relative) for 5 epochs).
    learning_rate
        ``"gd"``: a fixed step, or ``"auto"`` for a backtracking (Armijo) line search. ``"sgd"``: the first
        step ``eta0`` of the schedule ``eta0 / sqrt(epoch)``; ``"auto"`` estimates ``1 / L`` from the
        Hessian at the start. Ignored by ``"lbfgs"`` and ``"newton"``.
    batch_size
        The mini-batch size of ``"sgd"``.
    random_state
        Seeds the shuffling of ``"sgd"``.
"""

_ATTRIBUTES_DOC = """
    loss_
        The loss that was minimised, on the raw scores (a :class:`~losskit.Loss`).
    n_iter_
        The number of iterations (epochs for ``"sgd"``).
    history_
        The cost (mean loss plus penalty) at the start and after every iteration: ``n_iter_ + 1`` values.
    n_features_in_, feature_names_in_
        As in every scikit-learn estimator.
"""


class LossRegressor(RegressorMixin, _LossLinearModel):
    __doc__ = (
        r"""A linear model ``f(x) = x . w + b`` fitted by minimising any regression loss.

    Minimises the mean loss plus ``alpha / 2 ||w||^2`` (see the module documentation). A loss on
    log-rates (``poisson``) predicts ``exp(x . w + b)``.

    Parameters
    ----------
    loss
        A regression loss name or :class:`~losskit.Loss` (``"mse"``, ``"huber"``, ``"quantile"``, ...).
    """
        + _COMMON_DOC
        + """
    Attributes
    ----------
    coef_, intercept_
        ``w`` (shape ``(n_features,)``) and ``b`` (a float).
    """
        + _ATTRIBUTES_DOC
        + """
    Examples
    --------
    >>> import numpy as np
    >>> from losskit.linear_model import LossRegressor
    >>> X = np.arange(10.0)[:, None]; y = 2 * X[:, 0] + 1; y[-1] = 100.0   # one outlier
    >>> reg = LossRegressor(loss="mae").fit(X, y)                       # the median line ignores it
    >>> round(float(reg.coef_[0]), 3), round(float(reg.intercept_), 3)
    (2.0, 1.0)
    """
    )

    _tasks = ("regression",)

    def __init__(
        self,
        loss: str | Loss = "mse",
        *,
        loss_params: dict[str, Any] | None = None,
        alpha: float = 0.0,
        fit_intercept: bool = True,
        solver: str = "lbfgs",
        max_iter: int = 1000,
        tol: float = 1e-6,
        learning_rate: float | str = "auto",
        batch_size: int = 32,
        random_state: Any = None,
    ) -> None:
        self.loss = loss
        self.loss_params = loss_params
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.random_state = random_state

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LossRegressor:
        """Fit the coefficients; ``sample_weight`` weights each sample's loss in the mean."""
        W, b = self._fit(X, y, sample_weight, regression=True)
        self.coef_ = W[0]
        self.intercept_ = float(b[0])
        return self

    def _targets(self, y: np.ndarray, loss: Loss) -> tuple[np.ndarray, int]:
        return np.asarray(y, dtype=np.float64), 1

    def predict(self, X: Any) -> np.ndarray:
        """The predictions: the scores ``X w + b`` through the loss's link (``exp`` for log-rates)."""
        scores = self._decision(X)
        return apply_inverse_link(inverse_link(self.loss_), scores)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.positive_only = self._positive_targets()
        return tags

    def _more_tags(self) -> dict[str, Any]:  # pragma: no cover - scikit-learn 1.5
        return {"requires_positive_y": self._positive_targets()}


class LossClassifier(ClassifierMixin, _LossLinearModel):
    __doc__ = (
        r"""A linear classifier fitted by minimising any binary or multiclass loss.

    Binary losses fit one score per sample for two classes (``classes_[1]`` is the positive
    class: label 1 of the loss) and one-vs-rest for more. Multiclass losses
    (``softmax_cross_entropy``, ``categorical_hinge``, ``multi_margin``, ...) fit one score per
    class. Losses on logits and ``brier`` give ``predict_proba`` (sigmoid, softmax, or the
    normalised sigmoids of one-vs-rest); ``modified_huber`` gives scikit-learn's
    ``(clip(s, -1, 1) + 1) / 2``; margin losses only ``decision_function``.

    Parameters
    ----------
    loss
        A binary or multiclass loss name or :class:`~losskit.Loss`.
    """
        + _COMMON_DOC
        + """
    Attributes
    ----------
    classes_
        The class labels, sorted.
    coef_, intercept_
        Shape ``(1, n_features)`` and ``(1,)`` for two classes, ``(n_classes, n_features)`` and
        ``(n_classes,)`` for more. A multiclass loss on two classes stores the difference of the
        two classes' scores.
    """
        + _ATTRIBUTES_DOC
        + """
    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from losskit.linear_model import LossClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = LossClassifier(loss="softmax_cross_entropy", alpha=1e-2).fit(X, y)
    >>> clf.predict_proba(X[:1]).round(2)
    array([[0.98, 0.02, 0.  ]])
    """
    )

    _tasks = ("binary", "multiclass")

    def __init__(
        self,
        loss: str | Loss = "binary_cross_entropy",
        *,
        loss_params: dict[str, Any] | None = None,
        alpha: float = 1e-4,
        fit_intercept: bool = True,
        solver: str = "lbfgs",
        max_iter: int = 1000,
        tol: float = 1e-6,
        learning_rate: float | str = "auto",
        batch_size: int = 32,
        random_state: Any = None,
    ) -> None:
        self.loss = loss
        self.loss_params = loss_params
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.random_state = random_state

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LossClassifier:
        """Fit the coefficients; ``sample_weight`` weights each sample's loss in the mean."""
        W, b = self._fit(X, y, sample_weight, regression=False)
        if self.loss_.class_axis and len(self.classes_) == 2:  # one score: the second class's minus the first's
            W, b = W[1:] - W[:1], b[1:] - b[:1]
        self.coef_ = W
        self.intercept_ = b
        self._proba = _proba_kind(self.loss_, self._sigmoid)
        return self

    def _targets(self, y: np.ndarray, loss: Loss) -> tuple[np.ndarray, int]:
        check_classification_targets(y)
        self.classes_, index = np.unique(y, return_inverse=True)
        K = len(self.classes_)
        if K < 2:
            msg = f"`y` holds one class ({self.classes_[0]!r}); a classifier needs at least 2 classes."
            raise ValueError(msg)
        if loss.class_axis:
            return (index if loss.integer_labels else np.eye(K)[index]), K
        if K == 2:
            return index.astype(np.float64), 1
        return np.eye(K)[index], K  # one-vs-rest: a {0, 1} column per class

    def decision_function(self, X: Any) -> np.ndarray:
        """The scores ``X W^T + b``: shape ``(n,)`` for two classes (positive: ``classes_[1]``), else ``(n, K)``."""
        scores = self._decision(X)
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict(self, X: Any) -> np.ndarray:
        """The class of the largest score (two classes: ``classes_[1]`` where the score is positive)."""
        scores = self.decision_function(X)
        index = (scores > 0).astype(np.intp) if scores.ndim == 1 else np.argmax(scores, axis=1)
        return self.classes_[index]

    def _has_proba(self) -> bool:
        try:
            loss, sigmoid = self._raw_loss()
        except (ValueError, TypeError):
            return False
        return _proba_kind(loss, sigmoid) is not None

    @available_if(_has_proba)
    def predict_proba(self, X: Any) -> np.ndarray:
        """The class probabilities, ``(n, n_classes)``, from the loss's link (see the class documentation)."""
        scores = self.decision_function(X)
        if self._proba == "softmax" and scores.ndim == 2:  # two classes: one score, the sigmoid of the difference
            return apply_inverse_link("softmax", scores)
        if self._proba == "modified_huber":
            P = (np.clip(scores, -1.0, 1.0) + 1.0) / 2.0
            Q = 1.0 - P
        else:
            P, Q = sigmoid_pair(scores, np)
        if scores.ndim == 1:
            return np.column_stack([Q, P])
        total = P.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, P / total, 1.0 / P.shape[1])  # one-vs-rest: normalised

    @available_if(_has_proba)
    def predict_log_proba(self, X: Any) -> np.ndarray:
        """The log of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))


def _proba_kind(loss: Loss, sigmoid: bool) -> str | None:
    """How scores become probabilities: the loss's link, or None for a margin loss."""
    if sigmoid:
        return "sigmoid"
    link = inverse_link(loss)
    if link in ("sigmoid", "softmax"):
        return link
    if loss.name == "modified_huber":  # scikit-learn's SGDClassifier: (clip(s, -1, 1) + 1) / 2
        return "modified_huber"
    return None
