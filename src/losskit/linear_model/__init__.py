"""Linear models fitted with any losskit loss: scikit-learn estimators and four solvers.

``LossRegressor`` and ``LossClassifier`` minimise the mean loss of a linear
model plus an L2 penalty with losskit's analytic gradients (and Hessians, for
``solver="newton"``). Needs scikit-learn and scipy (``pip install
'losskit[sklearn]'``); ``import losskit`` does not import this package.

>>> from losskit.linear_model import LossRegressor
>>> LossRegressor(loss="huber", loss_params={"delta": 1.35})   # doctest: +SKIP
"""

from __future__ import annotations

try:
    import scipy.optimize  # noqa: F401
    import sklearn  # noqa: F401
except ImportError as e:  # pragma: no cover - exercised by a test that hides both
    msg = f"losskit.linear_model needs scikit-learn and scipy ({e.name} is missing): pip install 'losskit[sklearn]'"
    raise ImportError(msg) from e

from ._estimators import LossClassifier, LossRegressor

__all__ = ["LossClassifier", "LossRegressor"]
