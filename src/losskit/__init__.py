"""losskit: loss functions with exact gradients and Hessians, on any array library.

>>> import losskit as lk
>>> float(lk.mse([1.0, 2.0], [1.5, 1.0]))
0.625
>>> loss = lk.get("huber", delta=1.35)
>>> loss
Huber(delta=1.35)

Every loss is a function (``lk.huber(y_true, y_pred, delta=2.0)``) and a
:class:`Loss` object (``lk.get("huber", delta=2.0)``) with ``__call__``,
``gradient`` and ``hessian``. ``lk.names()`` lists the catalog.
"""

from ._base import Loss, Param
from ._catalog import LossInfo, info
from ._config import get_num_threads, set_num_threads, show_config
from ._constant import best_constant
from ._registry import canonical_name, get, names, register
from .losses.binary import (
    binary_cross_entropy,
    binary_focal,
    brier,
    exponential,
    hinge,
    modified_huber,
    sigmoid_cross_entropy,
    squared_hinge,
)
from .losses.multiclass import (
    categorical_cross_entropy,
    categorical_hinge,
    kl_divergence,
    multi_margin,
    softmax_cross_entropy,
    sparse_categorical_cross_entropy,
)
from .losses.regression import (
    huber,
    log_cosh,
    mae,
    mape,
    mse,
    msle,
    poisson,
    pseudo_huber,
    quantile,
    rmse,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "Loss",
    "LossInfo",
    "Param",
    "__version__",
    "best_constant",
    "binary_cross_entropy",
    "binary_focal",
    "brier",
    "canonical_name",
    "categorical_cross_entropy",
    "categorical_hinge",
    "cross_entropy_decomposition",
    "describe",
    "entropy",
    "evaluate_file",
    "exponential",
    "gaussian_nll",
    "get",
    "get_num_threads",
    "hinge",
    "huber",
    "info",
    "kl_divergence",
    "laplace_nll",
    "log_cosh",
    "mae",
    "mape",
    "modified_huber",
    "mse",
    "msle",
    "multi_margin",
    "names",
    "perplexity",
    "plot",
    "poisson",
    "pseudo_huber",
    "quantile",
    "register",
    "rmse",
    "set_num_threads",
    "show_config",
    "sigmoid_cross_entropy",
    "softmax_cross_entropy",
    "sparse_categorical_cross_entropy",
    "squared_hinge",
    "to_bits",
    "to_nats",
]


# Loaded on first use, so that `import losskit` stays cheap: the information view, the plots
# (matplotlib, extra `losskit[plot]`), the streaming evaluator (pyarrow, extra `losskit[io]`), the CLI,
# the boosting adapters (`losskit.integrations.lightgbm` / `.xgboost`, extras of those names), the linear
# models (`losskit.linear_model`, extra `losskit[sklearn]`).
_LAZY = {
    "cross_entropy_decomposition": "explain",
    "describe": "explain",
    "entropy": "explain",
    "gaussian_nll": "explain",
    "laplace_nll": "explain",
    "perplexity": "explain",
    "to_bits": "explain",
    "to_nats": "explain",
    "evaluate_file": "evaluate",
}
_SUBMODULES = ("cli", "evaluate", "explain", "integrations", "linear_model", "plot")


def __getattr__(name: str):
    """Aliases as functions too (``lk.bce is lk.binary_cross_entropy``), and the lazily loaded parts."""
    import importlib

    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    from ._registry import _ALIASES

    canonical = _ALIASES.get(name)
    if canonical is not None and canonical != name:
        return globals()[canonical]
    msg = f"module 'losskit' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, *_SUBMODULES})
