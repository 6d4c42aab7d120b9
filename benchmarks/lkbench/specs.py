"""The benchmarked loss settings: inputs, formulas for the anchors, and which anchor has what.

Every setting (a :class:`Spec`) carries its formulas once, written against the array API
(``xp`` is ``numpy``, ``jax.numpy`` or ``array_api_compat.torch``): the per-value loss, its
derivative and the Hessian's diagonal, each per element. They serve four purposes:

- the naive NumPy contender (whole-array expressions of the formula and its derivatives);
- the JAX contender (``jax.value_and_grad`` of the mean of the per-value loss);
- the PyTorch contender where ``torch.nn.functional`` has no such loss;
- the exact reference (the same formulas on ``numpy.longdouble`` inputs).

The cost is ``finish(mean(value))`` (``finish`` is the identity except for RMSE), so the
gradient of the cost is ``dfinish(mean) * grad / n`` with ``n`` the number of per-value
losses (elements, or rows for class-axis losses).
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

Array = Any
Formula = Callable[[Any, Array, Array], Array]
Inputs = Callable[[np.random.Generator, tuple[int, ...], Any], tuple[np.ndarray, np.ndarray]]

LN2 = math.log(2.0)  # a float64 constant: 1e-17 absolute off in the extended-precision reference


@dataclass(frozen=True)
class Formulas:
    """Per-element formulas: ``value`` per value (row for class-axis losses), ``grad`` and
    ``hess`` per element of ``y_pred`` (``hess`` None: the Hessian is not diagonal)."""

    value: Formula
    grad: Formula
    hess: Formula | None


@dataclass(frozen=True)
class SklearnAnchor:
    """A ``sklearn._loss.loss`` class that computes this loss, and how its numbers map to ours.

    scikit-learn returns per-value losses and per-element derivatives (not of the mean);
    ``value_scale`` and ``grad_scale`` turn its values and derivatives into losskit's
    (2 for the half squared error). ``hessian`` False: its Hessian is a placeholder (1)
    where the true one is 0 or undefined, so it is not compared.
    """

    cls: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    value_scale: float = 1.0
    grad_scale: float = 1.0
    hessian: bool = True
    note: str = ""

    def make(self, n_classes: int | None) -> Any:
        from sklearn._loss import loss as sk_loss

        kwargs = dict(self.kwargs)
        if n_classes is not None:
            kwargs["n_classes"] = n_classes
        return getattr(sk_loss, self.cls)(**kwargs)


@dataclass(frozen=True)
class Spec:
    """One benchmarked loss setting."""

    id: str  # short and unique: the table's label and what --loss matches
    name: str  # losskit's canonical name
    params: Mapping[str, Any]
    inputs: Inputs
    formulas: Formulas
    torch: Callable[[Any, Any, Any], Any] | None = None  # (F, y, f) -> the cost, with torch.nn.functional
    torch_note: str = ""
    sklearn: SklearnAnchor | None = None
    class_axis: bool = False
    labels: bool = False  # y_true holds integer class labels
    finish: Callable[[Any], Any] | None = None  # cost = finish(mean), for RMSE
    dfinish: Callable[[Any], Any] | None = None

    @property
    def has_hessian(self) -> bool:
        return self.formulas.hess is not None

    def cost(self, mean: Any) -> Any:
        return mean if self.finish is None else self.finish(mean)

    def cost_slope(self, mean: Any) -> Any:
        """d cost / d mean at ``mean``."""
        return 1.0 if self.dfinish is None else self.dfinish(mean)


# -- inputs: float64 draws, cast to the benchmarked dtype; integer labels stay int64 --------------


def _cast(y: np.ndarray, f: np.ndarray, dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    y = y if y.dtype.kind in "iu" else y.astype(dtype)
    return y, f.astype(dtype)


def _softmax(s: np.ndarray) -> np.ndarray:
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _onehot_of(labels: np.ndarray, k: int) -> np.ndarray:
    y = np.zeros((labels.shape[0], k))
    y[np.arange(labels.shape[0]), labels] = 1.0
    return y


def residuals(rng: np.random.Generator, shape: tuple[int, ...], dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    """Regression: ``f = y + noise``; about half the residuals beyond 1 (Huber's kink)."""
    y = rng.normal(size=shape)
    return _cast(y, y + rng.normal(size=shape), dtype)


def positives(rng: np.random.Generator, shape: tuple[int, ...], dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    """MSLE and MAPE: both in [0.5, 3], away from MAPE's division by 0."""
    return _cast(rng.uniform(0.5, 3.0, shape), rng.uniform(0.5, 3.0, shape), dtype)


def counts_rates(rng: np.random.Generator, shape: tuple[int, ...], dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    """Poisson: counts and rates in [0.5, 3] (torch's eps=1e-8 in the log stays negligible)."""
    return _cast(rng.poisson(2.0, shape).astype(float), rng.uniform(0.5, 3.0, shape), dtype)


def counts_log_rates(rng: np.random.Generator, shape: tuple[int, ...], dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    return _cast(rng.poisson(2.0, shape).astype(float), rng.normal(0.5, 0.5, shape), dtype)


def binary_probs(rng: np.random.Generator, shape: tuple[int, ...], dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    """Labels in {0, 1} and probabilities in [0.01, 0.99] (no clipping by any contender)."""
    return _cast(rng.integers(0, 2, shape).astype(float), rng.uniform(0.01, 0.99, shape), dtype)


def binary_logits(rng: np.random.Generator, shape: tuple[int, ...], dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    """Labels in {0, 1} and logits (scores) ~ N(0, 2)."""
    return _cast(rng.integers(0, 2, shape).astype(float), rng.normal(0.0, 2.0, shape), dtype)


def onehot_logits(rng: np.random.Generator, shape: tuple[int, ...], dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    labels = rng.integers(0, shape[-1], shape[0])
    return _cast(_onehot_of(labels, shape[-1]), rng.normal(0.0, 2.0, shape), dtype)


def onehot_probs(rng: np.random.Generator, shape: tuple[int, ...], dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    labels = rng.integers(0, shape[-1], shape[0])
    return _cast(_onehot_of(labels, shape[-1]), _softmax(rng.normal(size=shape)), dtype)


def labels_logits(rng: np.random.Generator, shape: tuple[int, ...], dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    return _cast(rng.integers(0, shape[-1], shape[0]), rng.normal(0.0, 2.0, shape), dtype)


def labels_probs(rng: np.random.Generator, shape: tuple[int, ...], dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    return _cast(rng.integers(0, shape[-1], shape[0]), _softmax(rng.normal(size=shape)), dtype)


def soft_probs(rng: np.random.Generator, shape: tuple[int, ...], dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    return _cast(_softmax(rng.normal(size=shape)), _softmax(rng.normal(size=shape)), dtype)


def soft_logits(rng: np.random.Generator, shape: tuple[int, ...], dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    return _cast(_softmax(rng.normal(size=shape)), rng.normal(0.0, 2.0, shape), dtype)


def onehot_scores(rng: np.random.Generator, shape: tuple[int, ...], dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    labels = rng.integers(0, shape[-1], shape[0])
    return _cast(_onehot_of(labels, shape[-1]), rng.normal(size=shape), dtype)


def labels_scores(rng: np.random.Generator, shape: tuple[int, ...], dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    return _cast(rng.integers(0, shape[-1], shape[0]), rng.normal(size=shape), dtype)


# -- formula helpers (array API) ---------------------------------------------------------------


def _softplus(xp: Any, x: Array) -> Array:
    return xp.maximum(x, 0.0) + xp.log1p(xp.exp(-xp.abs(x)))


def _sigmoid(xp: Any, x: Array) -> Array:
    return 1.0 / (1.0 + xp.exp(-x))


def _mask(xp: Any, cond: Array, like: Array) -> Array:
    return xp.astype(cond, like.dtype)


def _log_softmax(xp: Any, s: Array) -> Array:
    z = s - xp.max(s, axis=-1, keepdims=True)
    return z - xp.log(xp.sum(xp.exp(z), axis=-1, keepdims=True))


def _onehot(xp: Any, labels: Array, like: Array) -> Array:
    return _mask(xp, labels[..., None] == xp.arange(like.shape[-1]), like)


def _rowsum(xp: Any, x: Array) -> Array:
    return xp.sum(x, axis=-1)


def _zeros(xp: Any, y: Array, f: Array) -> Array:
    return xp.zeros_like(f)


def _twos(xp: Any, y: Array, f: Array) -> Array:
    return xp.full_like(f, 2.0)


def _squared(xp: Any, y: Array, f: Array) -> Array:
    r = f - y
    return r * r


def _twice_residual(xp: Any, y: Array, f: Array) -> Array:
    return 2.0 * (f - y)


def _margin(y: Array, s: Array) -> tuple[Array, Array]:
    """``t = 2y - 1`` in {-1, +1} and the margin ``z = t s``."""
    t = 2.0 * y - 1.0
    return t, t * s


# Huber, pseudo-Huber: delta = 1; quantile: q = 0.5; focal: gamma = 2, alpha = None.
DELTA = 1.0
Q = 0.5


def _huber_value(xp: Any, y: Array, f: Array) -> Array:
    a = xp.abs(f - y)
    m = xp.minimum(a, DELTA)
    return 0.5 * m * m + DELTA * (a - m)


def _pseudo_huber_value(xp: Any, y: Array, f: Array) -> Array:
    r = (f - y) / DELTA
    return DELTA * DELTA * (xp.sqrt(1.0 + r * r) - 1.0)


def _pseudo_huber_grad(xp: Any, y: Array, f: Array) -> Array:
    r = f - y
    return r / xp.sqrt(1.0 + (r / DELTA) ** 2)


def _pseudo_huber_hess(xp: Any, y: Array, f: Array) -> Array:
    u = 1.0 + ((f - y) / DELTA) ** 2
    return 1.0 / (u * xp.sqrt(u))


def _log_cosh_value(xp: Any, y: Array, f: Array) -> Array:
    a = xp.abs(f - y)
    return a + xp.log1p(xp.exp(-2.0 * a)) - LN2


def _log_cosh_hess(xp: Any, y: Array, f: Array) -> Array:
    t = xp.tanh(f - y)
    return 1.0 - t * t


def _msle_d(xp: Any, y: Array, f: Array) -> Array:
    return xp.log1p(f) - xp.log1p(y)


def _msle_value(xp: Any, y: Array, f: Array) -> Array:
    d = _msle_d(xp, y, f)
    return d * d


def _msle_hess(xp: Any, y: Array, f: Array) -> Array:
    g = 1.0 + f
    return 2.0 * (1.0 - _msle_d(xp, y, f)) / (g * g)


def _bce_probs_value(xp: Any, y: Array, p: Array) -> Array:
    return -(y * xp.log(p) + (1.0 - y) * xp.log1p(-p))


def _bce_probs_hess(xp: Any, y: Array, p: Array) -> Array:
    q = 1.0 - p
    return y / (p * p) + (1.0 - y) / (q * q)


def _sigmoid_slope(xp: Any, y: Array, s: Array) -> Array:
    p = _sigmoid(xp, s)
    return p * (1.0 - p)


def _squared_hinge_value(xp: Any, y: Array, s: Array) -> Array:
    m = xp.maximum(1.0 - _margin(y, s)[1], 0.0)
    return m * m


def _squared_hinge_grad(xp: Any, y: Array, s: Array) -> Array:
    t, z = _margin(y, s)
    return -2.0 * t * xp.maximum(1.0 - z, 0.0)


def _focal_probs_terms(xp: Any, y: Array, p: Array) -> tuple[Array, Array, Array]:
    """(t, p_t, u = 1 - p_t) for probabilities."""
    one = y == 1.0
    return 2.0 * y - 1.0, xp.where(one, p, 1.0 - p), xp.where(one, 1.0 - p, p)


def _focal_probs_value(xp: Any, y: Array, p: Array) -> Array:
    _, pt, u = _focal_probs_terms(xp, y, p)
    return -(u * u) * xp.log(pt)


def _focal_probs_grad(xp: Any, y: Array, p: Array) -> Array:
    t, pt, u = _focal_probs_terms(xp, y, p)
    return t * (2.0 * u * xp.log(pt) - u * u / pt)


def _focal_probs_hess(xp: Any, y: Array, p: Array) -> Array:
    _, pt, u = _focal_probs_terms(xp, y, p)
    return -2.0 * xp.log(pt) + 4.0 * u / pt + (u * u) / (pt * pt)


def _focal_logits_terms(xp: Any, y: Array, s: Array) -> tuple[Array, Array, Array]:
    """(t, q = 1 - p_t = sigmoid(-z), softplus(-z) = -log p_t) for logits."""
    t, z = _margin(y, s)
    return t, _sigmoid(xp, -z), _softplus(xp, -z)


def _focal_logits_value(xp: Any, y: Array, s: Array) -> Array:
    _, q, sp = _focal_logits_terms(xp, y, s)
    return q * q * sp


def _focal_logits_grad(xp: Any, y: Array, s: Array) -> Array:
    t, q, sp = _focal_logits_terms(xp, y, s)
    return -t * q * q * (2.0 * (1.0 - q) * sp + q)


def _focal_logits_hess(xp: Any, y: Array, s: Array) -> Array:
    _, q, sp = _focal_logits_terms(xp, y, s)
    p = 1.0 - q
    return q * q * p * (2.0 * sp * (2.0 * p - q) + 5.0 * q)


def _modified_huber_value(xp: Any, y: Array, s: Array) -> Array:
    z = _margin(y, s)[1]
    m = xp.maximum(1.0 - z, 0.0)
    return xp.where(z >= -1.0, m * m, -4.0 * z)


def _modified_huber_grad(xp: Any, y: Array, s: Array) -> Array:
    t, z = _margin(y, s)
    return t * xp.where(z >= -1.0, -2.0 * xp.maximum(1.0 - z, 0.0), -4.0)


def _modified_huber_hess(xp: Any, y: Array, s: Array) -> Array:
    z = _margin(y, s)[1]
    return 2.0 * _mask(xp, (z >= -1.0) & (z < 1.0), s)


def _exponential_value(xp: Any, y: Array, s: Array) -> Array:
    return xp.exp(-_margin(y, s)[1])


def _exponential_grad(xp: Any, y: Array, s: Array) -> Array:
    t, z = _margin(y, s)
    return -t * xp.exp(-z)


def _softmax_ce_value(xp: Any, y: Array, s: Array) -> Array:
    return -_rowsum(xp, y * _log_softmax(xp, s))


def _softmax_ce_grad(xp: Any, y: Array, s: Array) -> Array:
    return xp.exp(_log_softmax(xp, s)) * xp.sum(y, axis=-1, keepdims=True) - y


def _softmax_ce_hess(xp: Any, y: Array, s: Array) -> Array:
    q = xp.exp(_log_softmax(xp, s))
    return q * (1.0 - q) * xp.sum(y, axis=-1, keepdims=True)


def _sparse_logits_value(xp: Any, labels: Array, s: Array) -> Array:
    return -_rowsum(xp, _onehot(xp, labels, s) * _log_softmax(xp, s))


def _sparse_logits_grad(xp: Any, labels: Array, s: Array) -> Array:
    return xp.exp(_log_softmax(xp, s)) - _onehot(xp, labels, s)


def _sparse_logits_hess(xp: Any, labels: Array, s: Array) -> Array:
    q = xp.exp(_log_softmax(xp, s))
    return q * (1.0 - q)


def _sparse_probs_value(xp: Any, labels: Array, q: Array) -> Array:
    return -xp.log(_rowsum(xp, _onehot(xp, labels, q) * q))


def _kl_logits_value(xp: Any, p: Array, s: Array) -> Array:
    return _rowsum(xp, p * (xp.log(p) - _log_softmax(xp, s)))


def _categorical_hinge_parts(xp: Any, y: Array, s: Array) -> tuple[Array, Array]:
    """(the score of the best wrong class, the margin 1 + best wrong - true)."""
    true = y == 1.0
    wrong = xp.where(true, -math.inf, s)
    return wrong, 1.0 + xp.max(wrong, axis=-1) - _rowsum(xp, xp.where(true, s, 0.0))


def _categorical_hinge_grad(xp: Any, y: Array, s: Array) -> Array:
    wrong, margin = _categorical_hinge_parts(xp, y, s)
    best = _onehot(xp, xp.argmax(wrong, axis=-1), s)
    return _mask(xp, margin > 0.0, s)[..., None] * (best - y)


def _multi_margin_terms(xp: Any, labels: Array, s: Array) -> tuple[Array, Array]:
    onehot = _onehot(xp, labels, s)
    s_true = xp.sum(onehot * s, axis=-1, keepdims=True)
    return onehot, xp.where(onehot == 1.0, 0.0, 1.0 - s_true + s)


def _multi_margin_value(xp: Any, labels: Array, s: Array) -> Array:
    return _rowsum(xp, xp.maximum(_multi_margin_terms(xp, labels, s)[1], 0.0)) / s.shape[-1]


def _multi_margin_grad(xp: Any, labels: Array, s: Array) -> Array:
    onehot, terms = _multi_margin_terms(xp, labels, s)
    inside = _mask(xp, terms > 0.0, s) / s.shape[-1]
    return inside - onehot * xp.sum(inside, axis=-1, keepdims=True)


# -- the catalogue ------------------------------------------------------------------------------

MSE = Formulas(_squared, _twice_residual, _twos)
SOFTMAX_CE = Formulas(_softmax_ce_value, _softmax_ce_grad, _softmax_ce_hess)
PER_ELEMENT = "per-element derivatives (not divided by N: less work than the gradient of the mean)"


def _torch_cross_entropy(F: Any, y: Any, s: Any) -> Any:
    return F.cross_entropy(s, y)


# losses that are another's from_logits=True variant share its setting (sigmoid_ce, cce:logits)
BCE_LOGITS_SPEC = Spec(
    "bce:logits",
    "binary_cross_entropy",
    {"from_logits": True},
    binary_logits,
    Formulas(
        lambda xp, y, s: _softplus(xp, s) - y * s,
        lambda xp, y, s: _sigmoid(xp, s) - y,
        _sigmoid_slope,
    ),
    torch=lambda F, y, s: F.binary_cross_entropy_with_logits(s, y),
    sklearn=SklearnAnchor("HalfBinomialLoss", note=PER_ELEMENT),
)
SOFTMAX_CE_SPEC = Spec(
    "softmax_ce",
    "softmax_cross_entropy",
    {},
    onehot_logits,
    SOFTMAX_CE,
    torch=_torch_cross_entropy,
    torch_note="F.cross_entropy with probability targets",
    sklearn=SklearnAnchor(
        "HalfMultinomialLoss", note="sklearn reads the labels, not the one-hot matrix; per-sample derivatives"
    ),
    class_axis=True,
)


SPECS: tuple[Spec, ...] = (
    # regression
    Spec(
        "mse",
        "mse",
        {},
        residuals,
        MSE,
        torch=lambda F, y, f: F.mse_loss(f, y),
        sklearn=SklearnAnchor(
            "HalfSquaredError",
            value_scale=2.0,
            grad_scale=2.0,
            note="half squared error (r^2/2: same passes, half the value); " + PER_ELEMENT,
        ),
    ),
    Spec(
        "rmse",
        "rmse",
        {},
        residuals,
        Formulas(_squared, _twice_residual, None),
        torch_note="sqrt of F.mse_loss",
        torch=lambda F, y, f: F.mse_loss(f, y).sqrt(),
        finish=lambda m: m**0.5,
        dfinish=lambda m: 0.5 / m**0.5,
    ),
    Spec(
        "mae",
        "mae",
        {},
        residuals,
        Formulas(lambda xp, y, f: xp.abs(f - y), lambda xp, y, f: xp.sign(f - y), _zeros),
        torch=lambda F, y, f: F.l1_loss(f, y),
        sklearn=SklearnAnchor("AbsoluteError", hessian=False, note="Hessian is a placeholder (1); " + PER_ELEMENT),
    ),
    Spec(
        "huber",
        "huber",
        {"delta": DELTA},
        residuals,
        Formulas(
            _huber_value,
            lambda xp, y, f: xp.clip(f - y, -DELTA, DELTA),
            lambda xp, y, f: _mask(xp, xp.abs(f - y) <= DELTA, f),
        ),
        torch=lambda F, y, f: F.huber_loss(f, y, delta=DELTA),
        sklearn=SklearnAnchor("HuberLoss", {"delta": DELTA}, note=PER_ELEMENT),
    ),
    Spec(
        "pseudo_huber",
        "pseudo_huber",
        {"delta": DELTA},
        residuals,
        Formulas(_pseudo_huber_value, _pseudo_huber_grad, _pseudo_huber_hess),
    ),
    Spec(
        "log_cosh",
        "log_cosh",
        {},
        residuals,
        Formulas(_log_cosh_value, lambda xp, y, f: xp.tanh(f - y), _log_cosh_hess),
    ),
    Spec(
        "quantile",
        "quantile",
        {"quantile": Q},
        residuals,
        Formulas(
            lambda xp, y, f: xp.maximum(-Q * (f - y), (1.0 - Q) * (f - y)),
            lambda xp, y, f: (1.0 - Q) - _mask(xp, y >= f, f),
            _zeros,
        ),
        sklearn=SklearnAnchor(
            "PinballLoss", {"quantile": Q}, hessian=False, note="Hessian is a placeholder (1); " + PER_ELEMENT
        ),
    ),
    Spec(
        "poisson",
        "poisson",
        {},
        counts_rates,
        Formulas(lambda xp, y, f: f - y * xp.log(f), lambda xp, y, f: 1.0 - y / f, lambda xp, y, f: y / (f * f)),
        torch=lambda F, y, f: F.poisson_nll_loss(f, y, log_input=False, full=False),
        torch_note="torch takes log(f + 1e-8)",
    ),
    Spec(
        "poisson:log",
        "poisson",
        {"from_logits": True},
        counts_log_rates,
        Formulas(
            lambda xp, y, s: xp.exp(s) - y * s,
            lambda xp, y, s: xp.exp(s) - y,
            lambda xp, y, s: xp.exp(s),
        ),
        torch=lambda F, y, s: F.poisson_nll_loss(s, y, log_input=True, full=False),
        sklearn=SklearnAnchor("HalfPoissonLoss", note=PER_ELEMENT),
    ),
    Spec(
        "msle",
        "msle",
        {},
        positives,
        Formulas(_msle_value, lambda xp, y, f: 2.0 * _msle_d(xp, y, f) / (1.0 + f), _msle_hess),
    ),
    Spec(
        "mape",
        "mape",
        {},
        positives,
        Formulas(
            lambda xp, y, f: xp.abs(f - y) / xp.abs(y),
            lambda xp, y, f: xp.sign(f - y) / xp.abs(y),
            _zeros,
        ),
    ),
    # binary
    Spec(
        "bce",
        "binary_cross_entropy",
        {},
        binary_probs,
        Formulas(
            _bce_probs_value,
            lambda xp, y, p: (1.0 - y) / (1.0 - p) - y / p,
            _bce_probs_hess,
        ),
        torch=lambda F, y, p: F.binary_cross_entropy(p, y),
    ),
    BCE_LOGITS_SPEC,
    replace(BCE_LOGITS_SPEC, id="sigmoid_ce", name="sigmoid_cross_entropy", params={}),
    Spec(
        "hinge",
        "hinge",
        {},
        binary_logits,
        Formulas(
            lambda xp, y, s: xp.maximum(1.0 - _margin(y, s)[1], 0.0),
            lambda xp, y, s: -_margin(y, s)[0] * _mask(xp, _margin(y, s)[1] < 1.0, s),
            _zeros,
        ),
    ),
    Spec(
        "sq_hinge",
        "squared_hinge",
        {},
        binary_logits,
        Formulas(
            _squared_hinge_value,
            _squared_hinge_grad,
            lambda xp, y, s: 2.0 * _mask(xp, _margin(y, s)[1] < 1.0, s),
        ),
    ),
    Spec(
        "focal",
        "binary_focal",
        {"gamma": 2.0},
        binary_probs,
        Formulas(_focal_probs_value, _focal_probs_grad, _focal_probs_hess),
    ),
    Spec(
        "focal:logits",
        "binary_focal",
        {"gamma": 2.0, "from_logits": True},
        binary_logits,
        Formulas(_focal_logits_value, _focal_logits_grad, _focal_logits_hess),
    ),
    Spec(
        "mod_huber",
        "modified_huber",
        {},
        binary_logits,
        Formulas(_modified_huber_value, _modified_huber_grad, _modified_huber_hess),
    ),
    Spec(
        "exponential",
        "exponential",
        {},
        binary_logits,
        Formulas(_exponential_value, _exponential_grad, _exponential_value),
        sklearn=SklearnAnchor("ExponentialLoss", note=PER_ELEMENT),
    ),
    Spec(
        "brier",
        "brier",
        {},
        binary_probs,
        MSE,
        torch=lambda F, y, p: F.mse_loss(p, y),
    ),
    # class axis (the last axis)
    Spec(
        "cce",
        "categorical_cross_entropy",
        {},
        onehot_probs,
        Formulas(
            lambda xp, y, q: -_rowsum(xp, y * xp.log(q)),
            lambda xp, y, q: -y / q,
            lambda xp, y, q: y / (q * q),
        ),
        class_axis=True,
    ),
    replace(SOFTMAX_CE_SPEC, id="cce:logits", name="categorical_cross_entropy", params={"from_logits": True}),
    SOFTMAX_CE_SPEC,
    Spec(
        "sparse_ce",
        "sparse_categorical_cross_entropy",
        {},
        labels_probs,
        Formulas(
            _sparse_probs_value,
            lambda xp, labels, q: -_onehot(xp, labels, q) / q,
            lambda xp, labels, q: _onehot(xp, labels, q) / (q * q),
        ),
        torch=lambda F, labels, q: F.nll_loss(q.log(), labels),
        class_axis=True,
        labels=True,
    ),
    Spec(
        "sparse_ce:logits",
        "sparse_categorical_cross_entropy",
        {"from_logits": True},
        labels_logits,
        Formulas(_sparse_logits_value, _sparse_logits_grad, _sparse_logits_hess),
        torch=_torch_cross_entropy,
        sklearn=SklearnAnchor("HalfMultinomialLoss", note="per-sample derivatives"),
        class_axis=True,
        labels=True,
    ),
    Spec(
        "kl",
        "kl_divergence",
        {},
        soft_probs,
        Formulas(
            lambda xp, p, q: _rowsum(xp, p * (xp.log(p) - xp.log(q))),
            lambda xp, p, q: -p / q,
            lambda xp, p, q: p / (q * q),
        ),
        torch=lambda F, p, q: F.kl_div(q.log(), p, reduction="batchmean"),
        class_axis=True,
    ),
    Spec(
        "kl:logits",
        "kl_divergence",
        {"from_logits": True},
        soft_logits,
        Formulas(_kl_logits_value, _softmax_ce_grad, _softmax_ce_hess),
        torch=lambda F, p, s: F.kl_div(F.log_softmax(s, dim=-1), p, reduction="batchmean"),
        class_axis=True,
    ),
    Spec(
        "cat_hinge",
        "categorical_hinge",
        {},
        onehot_scores,
        Formulas(
            lambda xp, y, s: xp.maximum(_categorical_hinge_parts(xp, y, s)[1], 0.0),
            _categorical_hinge_grad,
            _zeros,
        ),
        class_axis=True,
    ),
    Spec(
        "multi_margin",
        "multi_margin",
        {"margin": 1.0},
        labels_scores,
        Formulas(_multi_margin_value, _multi_margin_grad, _zeros),
        torch=lambda F, labels, s: F.multi_margin_loss(s, labels, margin=1.0),
        class_axis=True,
        labels=True,
    ),
)

BY_ID: dict[str, Spec] = {s.id: s for s in SPECS}

# the softmax / sparse cross-entropy settings also run at the (rows, classes) shapes
WIDE_SPECS = ("softmax_ce", "sparse_ce:logits")
CLASSES = 10  # classes of the class-axis losses in the N sweep: shape (N / 10, 10)


def shape_for(spec: Spec, n: int) -> tuple[int, ...]:
    """The input shape with ``n`` elements of ``y_pred``."""
    return (n // CLASSES, CLASSES) if spec.class_axis else (n,)


def select(patterns: list[str] | None, canonical: Callable[[str], str] | None = None) -> list[Spec]:
    """The specs ``--loss`` asks for, in catalogue order.

    A pattern is a spec id (``bce:logits``), a losskit name or alias (``bce`` is a spec id;
    ``binary_cross_entropy`` or ``log_loss`` select every setting of that loss), or a glob
    on spec ids (``'sparse*'``). ``canonical`` maps an alias to its name (``lk.canonical_name``).

    >>> [s.id for s in select(["huber", "poisson"])]
    ['huber', 'poisson']
    >>> [s.id for s in select(["sparse*"])]
    ['sparse_ce', 'sparse_ce:logits']
    """
    if not patterns:
        return list(SPECS)
    chosen: set[str] = set()
    for pattern in patterns:
        if pattern in BY_ID:
            chosen.add(pattern)
            continue
        name = pattern
        if canonical is not None:
            try:
                name = canonical(pattern)
            except (ValueError, KeyError):
                name = pattern
        hits = {s.id for s in SPECS if s.name == name} or set(fnmatch.filter(BY_ID, pattern))
        if not hits:
            msg = f"--loss {pattern!r} matches no benchmarked loss; the ids are: {', '.join(BY_ID)}"
            raise ValueError(msg)
        chosen |= hits
    return [s for s in SPECS if s.id in chosen]
