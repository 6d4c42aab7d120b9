"""Any losskit loss as an XGBoost objective and metric, with its loss-minimising start score.

Needs XGBoost >= 2.1 (``pip install 'losskit[xgboost]'``, or the CPU-only
wheel ``xgboost-cpu``)::

    import xgboost as xgb
    from losskit.integrations import xgboost as lk_xgb

    params = {"base_score": lk_xgb.base_score("log_cosh", y), "disable_default_eval_metric": 1}
    booster = xgb.train(params, dtrain, 100, obj=lk_xgb.objective("log_cosh"),
                        custom_metric=lk_xgb.metric("log_cosh"), evals=[(dvalid, "valid")])
    model = xgb.XGBRegressor(objective=lk_xgb.sklearn_objective("quantile", quantile=0.9),
                             base_score=lk_xgb.base_score("quantile", y, quantile=0.9))

What XGBoost does with a custom objective, and what this module does about it:

* The objective receives raw margins (``(n,)``, or ``(n, K)`` with
  ``num_class=K``) and returns per-sample gradients and Hessians of the same
  shape; probabilistic losses are used on logits (``from_logits=True``).
* XGBoost does not weight a custom objective's gradients: the objective
  multiplies by the ``DMatrix`` weights (or the ``sample_weight`` the
  scikit-learn wrapper passes), once, as XGBoost's own objectives do.
* Zero or undefined Hessians get the surrogate ``max(Hessian, 1)``; see
  :mod:`losskit.integrations` and ``lk.info(name).approx_hessian``.
* With a custom objective XGBoost starts from ``base_score`` = 0.5 as a raw
  margin and does not estimate it: pass ``base_score(...)`` (stored in the
  model, so ``predict`` includes it) or per-sample ``init_score(...)`` as
  ``base_margin`` (needed again at ``predict``).
* ``XGBClassifier`` trains a custom objective under ``binary:logistic`` or
  ``multi:softprob``, so ``predict_proba`` applies the sigmoid or softmax
  to the margins (right for cross-entropy on logits) and reads a binary
  ``base_score`` as a probability: use ``base_score(..., classifier=True)``.
* Custom metrics receive raw margins when the objective is custom.
"""

from __future__ import annotations

import math
from typing import Any

try:
    import xgboost as _xgb
except ImportError as e:  # pragma: no cover - exercised in a subprocess by the tests
    msg = (
        "losskit.integrations.xgboost needs XGBoost >= 2.1: pip install 'losskit[xgboost]' "
        "(or the CPU-only wheel: pip install xgboost-cpu)."
    )
    raise ImportError(msg) from e

from .._base import Loss
from ._boosting import (
    DEFAULT_MIN_HESSIAN,
    BoostingLoss,
    HessianMode,
    MetricBase,
    ObjectiveBase,
    evaluate,
    metric_loss,
    start_scores,
)

_VERSION = tuple(int(p) for p in _xgb.__version__.split(".")[:2] if p.isdigit())
if _VERSION < (2, 1):  # pragma: no cover - the test extra installs XGBoost 3
    msg = f"losskit.integrations.xgboost needs XGBoost >= 2.1 ((n, K) gradients); found {_xgb.__version__}."
    raise ImportError(msg)

__all__ = ["Metric", "Objective", "base_score", "init_score", "metric", "objective", "sklearn_objective"]


class Objective(ObjectiveBase):
    """A losskit loss as an XGBoost objective: ``xgb.train(obj=...)`` and ``XGBModel(objective=...)``.

    ``xgb.train`` calls it as ``(predt, dtrain)``; the scikit-learn wrappers
    as ``(y_true, y_pred)`` or ``(y_true, y_pred, sample_weight=w)``. Both
    return ``(grad, hess)`` per sample, weighted, shaped like the margins.
    Immutable and picklable.
    """

    __slots__ = ()
    _library = "xgboost"

    def __call__(self, y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> tuple[Any, Any]:
        if isinstance(y_pred, _xgb.DMatrix):  # xgb.train: (predt, dtrain)
            predt, data = y_true, y_pred
            return self.boosting.gradient_and_hessian(data.get_label(), predt, data.get_weight())
        return self.boosting.gradient_and_hessian(y_true, y_pred, sample_weight)


class Metric(MetricBase):
    """A losskit loss as an XGBoost metric (``custom_metric=``, or ``eval_metric=`` of the wrappers).

    ``xgb.train`` calls it as ``(predt, dmatrix)`` and gets ``(name,
    value)``; the scikit-learn wrappers call it as ``(y_true, y_pred)`` or
    with ``sample_weight=`` and get the value, recorded under ``__name__``.
    The value is the weighted mean loss; lower is better.
    """

    __slots__ = ()
    _library = "xgboost"

    @property
    def __name__(self) -> str:  # what XGBoost's scikit-learn wrapper records the values under
        return self.name

    def __call__(self, y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> Any:
        if isinstance(y_pred, _xgb.DMatrix):  # xgb.train: (predt, dmatrix)
            predt, data = y_true, y_pred
            return self.name, evaluate(self.loss, data.get_label(), predt, data.get_weight())
        return evaluate(self.loss, y_true, y_pred, sample_weight)


def objective(
    loss: str | Loss,
    /,
    *,
    hessian: HessianMode = "auto",
    min_hessian: float = DEFAULT_MIN_HESSIAN,
    **params: Any,
) -> Objective:
    """A loss as an XGBoost objective: ``xgb.train(params, dtrain, obj=objective(...))``.

    ``loss`` is a name, alias or :class:`~losskit.Loss` and ``params`` its
    parameters; probabilistic losses are used on logits, and a loss with no
    logit form (``brier``) is a ``ValueError``. ``hessian`` and
    ``min_hessian`` choose the Hessian XGBoost gets, as for
    :class:`~losskit.integrations.BoostingLoss`: the exact one (floored at
    ``min_hessian``), or the surrogate ``max(Hessian, 1)`` for the losses
    with ``lk.info(name).approx_hessian`` (``mae``, ``quantile``, ``hinge``, ...).

    Returns
    -------
    Objective
        Also accepted by ``XGBRegressor(objective=...)`` and
        ``XGBClassifier`` (it is what :func:`sklearn_objective` returns).

    Examples
    --------
    >>> import numpy as np, xgboost as xgb
    >>> from losskit.integrations import xgboost as lk_xgb
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3)); y = X[:, 0] + rng.normal(size=200)
    >>> params = {"base_score": lk_xgb.base_score("log_cosh", y), "disable_default_eval_metric": 1}
    >>> booster = xgb.train(params, xgb.DMatrix(X, label=y), 10, obj=lk_xgb.objective("log_cosh"))
    >>> pred = booster.predict(xgb.DMatrix(X))    # base_score is in the model
    """
    return Objective(BoostingLoss(loss, hessian=hessian, min_hessian=min_hessian, **params))


def sklearn_objective(loss: str | Loss, /, **options: Any) -> Objective:
    """A loss as the objective of XGBoost's scikit-learn wrappers: ``XGBRegressor(objective=...)``.

    The same object as :func:`objective` (it recognises both calling
    conventions); the wrapper passes ``(y_true, y_pred)``, with
    ``sample_weight=`` when the fit has weights.

    Examples
    --------
    >>> import xgboost as xgb
    >>> from losskit.integrations import xgboost as lk_xgb
    >>> model = xgb.XGBRegressor(objective=lk_xgb.sklearn_objective("quantile", quantile=0.9))
    """
    return objective(loss, **options)


def metric(loss: str | Loss, /, *, name: str | None = None, raw_score: bool = True, **params: Any) -> Metric:
    """A loss as an XGBoost metric: ``xgb.train(..., custom_metric=metric(...))`` or ``XGBModel(eval_metric=...)``.

    Parameters
    ----------
    loss
        A loss name, alias or :class:`~losskit.Loss` object.
    name
        The name XGBoost records the values under; default: the loss's name.
    raw_score
        True (default): the predictions are raw margins, which XGBoost
        passes when the objective is custom; probabilistic losses are
        evaluated on logits. False: they are a built-in objective's
        transformed predictions (probabilities), evaluated by the loss as given.
    **params
        The loss's parameters.

    Examples
    --------
    >>> from losskit.integrations import xgboost as lk_xgb
    >>> lk_xgb.metric("log_cosh").__name__
    'log_cosh'
    """
    chosen = metric_loss(loss, raw_score=raw_score, **params)
    return Metric(chosen, chosen.name if name is None else str(name))


def base_score(
    loss: str | Loss,
    y_true: Any,
    sample_weight: Any = None,
    *,
    classifier: bool = False,
    n_classes: int | None = None,
    **params: Any,
) -> Any:
    """The loss-minimising constant raw margin, as XGBoost's ``base_score`` parameter.

    With a custom objective XGBoost starts from ``base_score`` (default 0.5)
    and stores it in the model. The constant is :func:`losskit.best_constant`
    of the loss on raw scores (the mean, median, quantile, log-odds,
    log-mean, class log-priors).

    Parameters
    ----------
    loss
        A loss name, alias or :class:`~losskit.Loss` object.
    y_true
        The training labels (class indices for a multiclass loss).
    sample_weight
        The training weights, or None.
    classifier
        True for ``XGBClassifier`` with two classes: it trains a custom
        objective under ``binary:logistic`` and reads ``base_score`` as a
        probability, so the constant ``c`` is returned as ``sigmoid(c)``.
        (Multiclass ``XGBClassifier`` reads raw margins.)
    n_classes
        For a multiclass loss (default: the largest label + 1).
    **params
        The loss's parameters.

    Returns
    -------
    float or list of float
        A list of margins for a multiclass loss (one per class) or for
        ``(n, T)`` targets (one per target): XGBoost >= 3.1 takes a vector
        ``base_score``; with older versions use :func:`init_score` as
        ``base_margin``.

    Examples
    --------
    >>> from losskit.integrations import xgboost as lk_xgb
    >>> round(lk_xgb.base_score("bce", [0, 0, 0, 1]), 4)          # the log-odds, log(1/3)
    -1.0986
    >>> round(lk_xgb.base_score("bce", [0, 0, 0, 1], classifier=True), 4)   # the rate, for XGBClassifier
    0.25
    """
    c = BoostingLoss(loss, **params).start_score(y_true, sample_weight, n_classes=n_classes)
    if isinstance(c, float):
        if classifier:  # binary:logistic reads base_score as a probability
            return 1.0 / (1.0 + math.exp(-c)) if c >= 0 else math.exp(c) / (1.0 + math.exp(c))
        return c
    if _VERSION < (3, 1):  # pragma: no cover - the test extra installs XGBoost 3
        msg = (
            f"XGBoost {_xgb.__version__} takes one base_score; a start per class or target needs "
            f"XGBoost >= 3.1, or pass init_score(...) as base_margin."
        )
        raise ValueError(msg)
    return [float(v) for v in c]


def init_score(
    loss: str | Loss,
    y_true: Any,
    sample_weight: Any = None,
    *,
    n_samples: int | None = None,
    n_classes: int | None = None,
    **params: Any,
) -> Any:
    """The loss-minimising constant raw margin, one per sample: ``DMatrix(base_margin=...)``, ``fit(base_margin=...)``.

    The per-sample form of :func:`base_score`; unlike ``base_score`` it is
    not stored in the model, so pass it to ``predict`` too
    (``n_samples=len(X_test)`` gives the rows for another data set).

    Returns
    -------
    ndarray
        ``(n_samples,)``, or ``(n_samples, n_classes)`` for a multiclass loss.

    Examples
    --------
    >>> from losskit.integrations import xgboost as lk_xgb
    >>> lk_xgb.init_score("quantile", [1.0, 2.0, 3.0, 4.0, 5.0], quantile=0.7, n_samples=2).tolist()
    [4.0, 4.0]
    """
    return start_scores(BoostingLoss(loss, **params), y_true, sample_weight, n_samples, n_classes)
