"""Any losskit loss as a gradient-boosting objective: LightGBM and XGBoost adapters.

``from losskit.integrations import lightgbm as lk_lgb`` (extra
``losskit[lightgbm]``) and ``from losskit.integrations import xgboost as
lk_xgb`` (extra ``losskit[xgboost]``) each give ``objective``,
``sklearn_objective``, ``metric`` and ``init_score`` (XGBoost also
``base_score``). Importing this package imports neither booster.

The adapters hand the booster, for each sample, the gradient and Hessian of
the loss with respect to the raw score (``reduction="none"``, weighted once),
with probabilistic losses on logits (``from_logits=True``). See
``docs/boosting.md``.

Hessians: ``hessian="auto"`` uses the exact Hessian, floored at
``min_hessian`` (1e-6 per unit of weight), except for the losses whose
catalog record has ``approx_hessian`` -- their Hessian is 0 almost everywhere
(``mae``, ``quantile``, ``mape``, ``hinge``, ``categorical_hinge``,
``multi_margin``) or on whole regions where the gradient is not (``huber``,
``modified_huber``) -- which get the surrogate ``max(Hessian, 1)``, the unit
Hessian of LightGBM's own ``l1``, ``quantile`` and ``huber`` objectives
(``mape``: its scale ``1 / max(|y|, eps)`` in place of 1, as LightGBM's
``mape``). No zero or negative Hessian reaches a booster, except for a sample
of weight 0, which takes no part.

:class:`BoostingLoss` is the booster-independent core, for any other
booster's custom-objective hook.
"""

from ._boosting import DEFAULT_MIN_HESSIAN, BoostingLoss, raw_score_loss

__all__ = ["DEFAULT_MIN_HESSIAN", "BoostingLoss", "raw_score_loss"]
