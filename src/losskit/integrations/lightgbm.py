"""Any losskit loss as a LightGBM objective and metric, with its loss-minimising start score.

Needs LightGBM >= 4 (``pip install 'losskit[lightgbm]'``).

>>> import lightgbm as lgb
>>> from losskit.integrations import lightgbm as lk_lgb
>>> params = {"objective": lk_lgb.objective("binary_focal", gamma=2.0), "metric": "None"}
>>> train = lgb.Dataset(X, y, init_score=lk_lgb.init_score("binary_focal", y, gamma=2.0))  # doctest: +SKIP
>>> booster = lgb.train(params, train, feval=lk_lgb.metric("binary_focal", gamma=2.0))  # doctest: +SKIP
>>> lgb.LGBMRegressor(objective=lk_lgb.sklearn_objective("pseudo_huber", delta=2.0))  # doctest: +SKIP

What LightGBM does with a custom objective, and what this module does about it:

* The objective receives raw scores (``(n,)``, or ``(n, K)`` with
  ``num_class=K``) and returns per-sample gradients and Hessians of the same
  shape; probabilistic losses are used on logits (``from_logits=True``).
* LightGBM does not weight a custom objective's gradients: the objective
  multiplies by the data set's weights, once, as LightGBM's own objectives do.
* Zero or undefined Hessians get the surrogate ``max(Hessian, 1)``; see
  :mod:`losskit.integrations` and ``lk.info(name).approx_hessian``.
* LightGBM starts a custom objective from 0 and does not store a start
  score in the model: pass ``init_score(...)`` to the training (and
  validation) ``Dataset`` or to ``fit(init_score=...)``, and add the same
  constant to ``predict(X, raw_score=True)``.
* With a custom objective, ``LGBMClassifier.predict`` and
  ``predict_proba`` return raw scores (LightGBM warns); map them with the
  loss's link (``scipy.special.expit`` or ``softmax`` for cross-entropy).
"""

from __future__ import annotations

from typing import Any

try:
    import lightgbm as _lgb
except ImportError as e:  # pragma: no cover - exercised in a subprocess by the tests
    msg = "losskit.integrations.lightgbm needs LightGBM >= 4: pip install 'losskit[lightgbm]'."
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

if int(_lgb.__version__.split(".")[0]) < 4:  # pragma: no cover - the test extra installs LightGBM 4
    msg = f"losskit.integrations.lightgbm needs LightGBM >= 4 (a callable objective); found {_lgb.__version__}."
    raise ImportError(msg)

__all__ = ["Metric", "Objective", "init_score", "metric", "objective", "sklearn_objective"]


class Objective(ObjectiveBase):
    """A losskit loss as a LightGBM objective, for ``lgb.train`` and the scikit-learn wrappers.

    ``lgb.train`` (``params["objective"]``) calls it as ``(preds, train_set)``;
    ``LGBMModel(objective=...)`` as ``(y_true, y_pred, weight)``. Both return
    ``(grad, hess)`` per sample, weighted, shaped like the raw scores.
    Immutable and picklable (a fitted scikit-learn model pickles with it).
    """

    __slots__ = ()
    _library = "lightgbm"

    def __call__(self, y_true: Any, y_pred: Any, weight: Any = None) -> tuple[Any, Any]:
        if isinstance(y_pred, _lgb.Dataset):  # lgb.train: (preds, train_set)
            preds, data = y_true, y_pred
            return self.boosting.gradient_and_hessian(data.get_label(), preds, data.get_weight())
        return self.boosting.gradient_and_hessian(y_true, y_pred, weight)


class Metric(MetricBase):
    """A losskit loss as a LightGBM evaluation metric (``feval=`` or ``eval_metric=``); lower is better.

    ``lgb.train`` calls it as ``(preds, eval_set)``, the scikit-learn
    wrappers as ``(y_true, y_pred, weight)``; both get ``(name, value,
    False)``: the weighted mean loss over the evaluation set.
    """

    __slots__ = ()
    _library = "lightgbm"

    def __call__(self, y_true: Any, y_pred: Any, weight: Any = None) -> tuple[str, float, bool]:
        if isinstance(y_pred, _lgb.Dataset):  # lgb.train: (preds, eval_set)
            preds, data = y_true, y_pred
            return self.name, evaluate(self.loss, data.get_label(), preds, data.get_weight()), False
        return self.name, evaluate(self.loss, y_true, y_pred, weight), False


def objective(
    loss: str | Loss,
    /,
    *,
    hessian: HessianMode = "auto",
    min_hessian: float = DEFAULT_MIN_HESSIAN,
    **params: Any,
) -> Objective:
    """A loss as a LightGBM objective: ``lgb.train({"objective": objective(...)}, ...)``.

    ``loss`` is a name, alias or :class:`~losskit.Loss` and ``params`` its
    parameters; probabilistic losses are used on logits, and a loss with no
    logit form (``brier``) is a ``ValueError``. ``hessian`` and
    ``min_hessian`` choose the Hessian LightGBM gets, as for
    :class:`~losskit.integrations.BoostingLoss`: the exact one (floored at
    ``min_hessian``), or the surrogate ``max(Hessian, 1)`` for the losses
    with ``lk.info(name).approx_hessian`` (``mae``, ``quantile``, ``hinge``, ...).

    Returns
    -------
    Objective
        Also accepted by ``LGBMRegressor(objective=...)`` and
        ``LGBMClassifier`` (it is what :func:`sklearn_objective` returns).

    Examples
    --------
    >>> import numpy as np, lightgbm as lgb
    >>> from losskit.integrations import lightgbm as lk_lgb
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3)); y = X[:, 0] + rng.normal(size=200)
    >>> obj = lk_lgb.objective("pseudo_huber", delta=2.0)
    >>> init = lk_lgb.init_score("pseudo_huber", y, delta=2.0)
    >>> booster = lgb.train({"objective": obj, "verbose": -1}, lgb.Dataset(X, y, init_score=init), 10)
    >>> pred = booster.predict(X, raw_score=True) + init[0]    # LightGBM does not store the start
    """
    return Objective(BoostingLoss(loss, hessian=hessian, min_hessian=min_hessian, **params))


def sklearn_objective(loss: str | Loss, /, **options: Any) -> Objective:
    """A loss as the objective of LightGBM's scikit-learn wrappers: ``LGBMRegressor(objective=...)``.

    The same object as :func:`objective` (it recognises both calling
    conventions); the wrapper passes it ``(y_true, y_pred, weight)``.
    ``LGBMClassifier`` sets ``num_class`` for more than two classes; with a
    custom objective its ``predict`` returns raw scores.

    Examples
    --------
    >>> import lightgbm as lgb
    >>> from losskit.integrations import lightgbm as lk_lgb
    >>> model = lgb.LGBMRegressor(objective=lk_lgb.sklearn_objective("quantile", quantile=0.9), verbose=-1)
    """
    return objective(loss, **options)


def metric(loss: str | Loss, /, *, name: str | None = None, raw_score: bool = True, **params: Any) -> Metric:
    """A loss as a LightGBM metric: ``lgb.train(..., feval=metric(...))`` or ``fit(eval_metric=...)``.

    Parameters
    ----------
    loss
        A loss name, alias or :class:`~losskit.Loss` object.
    name
        The name LightGBM records the values under; default: the loss's name.
    raw_score
        True (default): the predictions are raw scores, which LightGBM passes
        when the objective is custom; probabilistic losses are evaluated on
        logits. False: they are a built-in objective's transformed
        predictions (probabilities), evaluated by the loss as given.
    **params
        The loss's parameters.

    Examples
    --------
    >>> from losskit.integrations import lightgbm as lk_lgb
    >>> feval = lk_lgb.metric("binary_focal", gamma=2.0)
    >>> feval.name
    'binary_focal'
    """
    chosen = metric_loss(loss, raw_score=raw_score, **params)
    return Metric(chosen, chosen.name if name is None else str(name))


def init_score(
    loss: str | Loss,
    y_true: Any,
    sample_weight: Any = None,
    *,
    n_samples: int | None = None,
    n_classes: int | None = None,
    **params: Any,
) -> Any:
    """The loss-minimising constant raw score, one per sample: ``Dataset(init_score=...)``, ``fit(init_score=...)``.

    A custom objective otherwise starts from 0. The constant is
    :func:`losskit.best_constant` of the loss on raw scores: the mean
    (``mse``), the weighted median (``mae``) or quantile, the log-odds
    (``binary_cross_entropy``), the log of the mean (``poisson``), the
    class log-priors (``softmax_cross_entropy``).

    Parameters
    ----------
    loss
        A loss name, alias or :class:`~losskit.Loss` object.
    y_true
        The training labels (class indices for a multiclass loss).
    sample_weight
        The training weights, or None.
    n_samples
        How many rows to return (default ``len(y_true)``): pass the size of
        a validation or test set to start it from the training constant.
    n_classes
        For a multiclass loss (default: the largest label + 1).
    **params
        The loss's parameters.

    Returns
    -------
    ndarray
        ``(n_samples,)``, or ``(n_samples, n_classes)`` for a multiclass loss.
        Every row is the same constant: add ``init[0]`` to
        ``predict(X, raw_score=True)``.

    Examples
    --------
    >>> from losskit.integrations import lightgbm as lk_lgb
    >>> lk_lgb.init_score("binary_cross_entropy", [0, 0, 0, 1]).round(4).tolist()   # log(1/3)
    [-1.0986, -1.0986, -1.0986, -1.0986]
    >>> lk_lgb.init_score("mae", [1.0, 2.0, 10.0], n_samples=2).tolist()
    [2.0, 2.0]
    """
    return start_scores(BoostingLoss(loss, **params), y_true, sample_weight, n_samples, n_classes)
