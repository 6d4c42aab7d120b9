r"""Binary classification losses (elementwise).

``y`` the label, ``p`` a probability, ``s`` a logit or score, ``t = 2y - 1``
the label as ``{-1, +1}`` and ``z = t s`` the margin. Margin losses accept
labels in ``{0, 1}`` or ``{-1, +1}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from .. import _params as P
from .._array import constant
from .._base import Loss
from .._registry import functional, register
from .._stable import all_finite, sigmoid_pair, sigmoid_product, softplus, xdivy

__all__ = [
    "BinaryCrossEntropy",
    "BinaryFocal",
    "Brier",
    "Exponential",
    "Hinge",
    "ModifiedHuber",
    "SigmoidCrossEntropy",
    "SquaredHinge",
    "binary_cross_entropy",
    "binary_focal",
    "brier",
    "exponential",
    "hinge",
    "modified_huber",
    "sigmoid_cross_entropy",
    "squared_hinge",
]

_FROM_LOGITS = P.Param("from_logits", False, P.boolean, "bool", "y_pred holds logits, not probabilities")
_EPS = P.Param(
    "eps",
    None,
    P.optional(P.eps_range),
    "None or in [0, 0.5)",
    "probabilities are clipped to [eps, 1 - eps]; None: the machine epsilon of the dtype",
)


def _mul0(a: Any, b: Any, xp: Any) -> Any:
    """``a * b`` with ``0 * b = 0`` even where ``b`` is infinite."""
    zero = a == 0.0
    return xp.where(zero, 0.0, a * xp.where(zero, 0.0, b))


def _clip_probability(loss: Loss, p: Any, xp: Any) -> Any:
    eps = xp.finfo(p.dtype).eps if loss.eps is None else loss.eps
    return xp.clip(p, eps, 1.0 - eps) if eps > 0 else p


class _Binary(Loss):
    __slots__ = ()
    task = "binary"


class _Margin(_Binary):
    """Losses of the margin ``z = t s``, labels in {0, 1} or {-1, +1}."""

    __slots__ = ()
    y_true_domain = "margin_labels"

    def _targets(self, y: Any, f: Any, b: Any) -> Any:
        # t in {-1, +1}: y^2 + y - 1 maps 0 -> -1, 1 -> 1, -1 -> -1 exactly; cheaper than a
        # where() on PyTorch's CPU
        return (y * y + y) - 1.0


@register
class BinaryCrossEntropy(_Binary):
    r"""Binary cross-entropy (log loss), from probabilities or from logits.

    .. math::
        \ell = -\left(w_+\, y \log p + (1 - y)\log(1 - p)\right),
        \quad p = \operatorname{clip}(p, \epsilon, 1-\epsilon)
        \ \text{ or }\ p = \sigma(s)

    Probabilities: :math:`\ell' = -w_+ y/p + (1-y)/(1-p)`,
    :math:`\ell'' = w_+ y/p^2 + (1-y)/(1-p)^2`. Logits:
    :math:`\ell = w_+ y\,\mathrm{softplus}(-s) + (1-y)\,\mathrm{softplus}(s)`,
    :math:`\ell' = (1-y)\sigma(s) - w_+ y\,\sigma(-s)` (:math:`= \sigma(s) - y`
    for :math:`w_+ = 1`), :math:`\ell'' = (w_+ y + 1 - y)\,\sigma(s)\sigma(-s)`.

    ``y`` may be a soft target in ``[0, 1]``. ``pos_weight`` (``w_+``, a
    number or one per column of the last axis) multiplies the positive term,
    as in torch; ``label_smoothing`` replaces ``y`` by ``y(1 - ls) + ls/2``, as
    in keras. ``eps`` (default: the dtype's machine epsilon) clips
    probabilities, never logits; ``eps=0`` gives the exact ``inf``. The
    negative log-likelihood of a Bernoulli, in nats.

    Same as ``torch.nn.functional.binary_cross_entropy`` /
    ``binary_cross_entropy_with_logits``, ``keras.losses.BinaryCrossentropy``
    and ``sklearn.metrics.log_loss``.
    """

    __slots__ = ()
    name = "binary_cross_entropy"
    formula = "-(y log p + (1 - y) log(1 - p))"
    aliases = ("bce", "log_loss", "logistic")
    parameters = (
        _FROM_LOGITS,
        P.Param(
            "pos_weight",
            None,
            P.optional(P.nonnegative_or_vector),
            "None, a number >= 0, or one per column",
            "weight of the positive term",
        ),
        P.Param("label_smoothing", 0.0, P.closed_unit, "in [0, 1]", "y -> y (1 - ls) + ls / 2"),
        _EPS,
    )
    y_true_domain = "probability"

    def _pred_domain(self) -> str:
        return "real" if self.from_logits else "probability"

    def _targets(self, y: Any, f: Any, b: Any) -> Any:
        ls = self.label_smoothing
        return y * (1.0 - ls) + 0.5 * ls if ls else y

    def _pos(self, y: Any, f: Any, xp: Any) -> Any:
        """``w_+ y``: the weight of the positive term."""
        pw = self.pos_weight
        if pw is None:
            return y
        if isinstance(pw, float):
            return pw * y
        if f.ndim == 0 or f.shape[-1] != pw.shape[0]:
            msg = (
                f"`pos_weight` has {pw.shape[0]} entries but `y_pred` has {f.shape[-1] if f.ndim else 0} "
                f"columns in its last axis; give one weight per column, or a number."
            )
            raise ValueError(msg)
        return constant(pw, f, xp) * y

    def _value(self, y: Any, f: Any, xp: Any) -> Any:
        pos, neg = self._pos(y, f, xp), 1.0 - y
        if self.from_logits:
            # softplus(-f) and softplus(f) share log1p(exp(-|f|)) (as the native kernel computes)
            lg = xp.log1p(xp.exp(-xp.abs(f)))
            sp_neg = xp.maximum(-f, 0.0) + lg
            sp_pos = xp.maximum(f, 0.0) + lg
            if all_finite(f, xp):  # no infinite softplus to meet a zero weight
                return pos * sp_neg + neg * sp_pos
            return _mul0(pos, sp_neg, xp) + _mul0(neg, sp_pos, xp)
        p = _clip_probability(self, f, xp)
        return -(_mul0(pos, xp.log(p), xp) + _mul0(neg, xp.log1p(-p), xp))

    def _gradient(self, y: Any, f: Any, xp: Any) -> Any:
        pos, neg = self._pos(y, f, xp), 1.0 - y
        if self.from_logits:
            sig, sig_neg = sigmoid_pair(f, xp)
            return neg * sig - pos * sig_neg
        p = _clip_probability(self, f, xp)
        return xdivy(neg, 1.0 - p, xp) - xdivy(pos, p, xp)

    def _hessian(self, y: Any, f: Any, xp: Any) -> Any:
        pos, neg = self._pos(y, f, xp), 1.0 - y
        if self.from_logits:
            return (pos + neg) * sigmoid_product(f, xp)
        p = _clip_probability(self, f, xp)
        q = 1.0 - p
        return xdivy(pos, p * p, xp) + xdivy(neg, q * q, xp)


@register
class SigmoidCrossEntropy(BinaryCrossEntropy):
    r"""Binary cross-entropy from logits: ``binary_cross_entropy(from_logits=True)``.

    .. math:: \ell = w_+ y\,\mathrm{softplus}(-s) + (1-y)\,\mathrm{softplus}(s), \quad \ell' = \sigma(s) - y

    Same as ``optax.losses.sigmoid_binary_cross_entropy`` and
    ``torch.nn.functional.binary_cross_entropy_with_logits``.
    """

    __slots__ = ()
    name = "sigmoid_cross_entropy"
    formula = "max(s, 0) - s y + log(1 + exp(-|s|))"
    aliases = ()
    parameters = tuple(p for p in BinaryCrossEntropy.parameters if p.name not in ("from_logits", "eps"))
    fixed: ClassVar[Mapping[str, Any]] = {"from_logits": True, "eps": None}


@register
class Hinge(_Margin):
    r"""Hinge loss, the margin loss of support vector machines.

    .. math:: \ell = \max(0, 1 - ts), \quad \ell' = -t\,\mathbb 1\{ts < 1\}, \quad \ell'' = 0

    A convex surrogate of the 0-1 loss; not a likelihood. Same as
    ``keras.losses.Hinge``, ``sklearn.metrics.hinge_loss`` and
    ``optax.losses.hinge_loss``.
    """

    __slots__ = ()
    name = "hinge"
    formula = "max(0, 1 - t s)"

    def _value(self, t: Any, s: Any, xp: Any) -> Any:
        return xp.maximum(1.0 - t * s, 0.0)

    def _gradient(self, t: Any, s: Any, xp: Any) -> Any:
        return -t * xp.astype(t * s < 1.0, s.dtype)

    def _hessian(self, t: Any, s: Any, xp: Any) -> Any:
        return xp.zeros_like(s)


@register
class SquaredHinge(_Margin):
    r"""Squared hinge loss, the loss of ``LinearSVC``'s default.

    .. math:: \ell = \max(0, 1 - ts)^2, \quad \ell' = -2t\max(0, 1 - ts), \quad \ell'' = 2\,\mathbb 1\{ts < 1\}

    Same as ``keras.losses.SquaredHinge`` and ``sklearn.svm.LinearSVC``.
    """

    __slots__ = ()
    name = "squared_hinge"
    formula = "max(0, 1 - t s)^2"

    def _value(self, t: Any, s: Any, xp: Any) -> Any:
        m = xp.maximum(1.0 - t * s, 0.0)
        return m * m

    def _gradient(self, t: Any, s: Any, xp: Any) -> Any:
        return -2.0 * t * xp.maximum(1.0 - t * s, 0.0)

    def _hessian(self, t: Any, s: Any, xp: Any) -> Any:
        return 2.0 * xp.astype(t * s < 1.0, s.dtype)


@register
class BinaryFocal(_Binary):
    r"""Binary focal loss: cross-entropy down-weighted on well-classified examples.

    .. math::
        \ell = -\alpha_t (1 - p_t)^\gamma \log p_t,
        \quad p_t = p \text{ if } y = 1 \text{ else } 1 - p,
        \quad \alpha_t = \alpha \text{ if } y = 1 \text{ else } 1 - \alpha

    (``alpha_t = 1`` when ``alpha`` is None). From logits, with the margin
    ``z = t s`` and ``q = 1 - p_t = sigma(-z)``:

    .. math::
        \ell = \alpha_t q^\gamma \operatorname{softplus}(-z),
        \quad \frac{\partial\ell}{\partial s} = -t\,\alpha_t q^\gamma
              \left(\gamma (1-q)\operatorname{softplus}(-z) + q\right),
        \quad \frac{\partial^2\ell}{\partial s^2} = \alpha_t q^\gamma (1-q)
              \left(\gamma\operatorname{softplus}(-z)(\gamma(1-q) - q) + (2\gamma+1) q\right)

    From probabilities the derivatives are taken with respect to the clipped
    ``p`` (see ``eps``). ``gamma=0`` is (alpha-weighted) binary
    cross-entropy. Labels are hard, in ``{0, 1}``. Same as
    ``keras.losses.BinaryFocalCrossentropy`` and
    ``optax.losses.sigmoid_focal_loss``.

    References: Lin, T.-Y. et al. (2017). Focal Loss for Dense Object Detection.
    """

    __slots__ = ()
    name = "binary_focal"
    formula = "-alpha_t (1 - p_t)^gamma log(p_t)"
    aliases = ("focal",)
    parameters = (
        P.Param("gamma", 2.0, P.nonnegative, ">= 0", "focusing exponent"),
        P.Param("alpha", None, P.optional(P.closed_unit), "None or in [0, 1]", "weight of the positive class"),
        _FROM_LOGITS,
        _EPS,
    )
    y_true_domain = "binary"

    def _pred_domain(self) -> str:
        return "real" if self.from_logits else "probability"

    def _alpha_t(self, y: Any) -> Any:
        a = self.alpha
        return 1.0 if a is None else a * y + (1.0 - a) * (1.0 - y)

    def _prob_terms(self, y: Any, f: Any, xp: Any) -> tuple[Any, Any, Any, Any]:
        """(p_t, u = 1 - p_t, log p_t, t) at the clipped probability."""
        p = _clip_probability(self, f, xp)
        one = y == 1.0
        pt = xp.where(one, p, 1.0 - p)
        u = xp.where(one, 1.0 - p, p)
        log_pt = xp.where(one, xp.log(p), xp.log1p(-p))
        t = 2.0 * y - 1.0
        return pt, u, log_pt, t

    def _logit_terms(self, y: Any, s: Any, xp: Any) -> tuple[Any, Any, Any, Any]:
        """(q = 1 - p_t, 1 - q, softplus(-z) = -log p_t, t)."""
        t = 2.0 * y - 1.0
        z = t * s
        sig, q = sigmoid_pair(z, xp)
        return q, sig, softplus(-z, xp), t

    def _value(self, y: Any, f: Any, xp: Any) -> Any:
        g = self.gamma
        if self.from_logits:
            q, _, sp, _ = self._logit_terms(y, f, xp)
            return self._alpha_t(y) * _pow(q, g, xp) * sp
        _, u, log_pt, _ = self._prob_terms(y, f, xp)
        return -self._alpha_t(y) * _pow(u, g, xp) * log_pt

    def _gradient(self, y: Any, f: Any, xp: Any) -> Any:
        g = self.gamma
        if self.from_logits:
            q, p, sp, t = self._logit_terms(y, f, xp)
            inner = g * (p * sp) + q if g else q
            return -t * self._alpha_t(y) * _pow(q, g, xp) * inner
        pt, u, log_pt, t = self._prob_terms(y, f, xp)
        inner = -1.0 / pt
        if g:
            inner = inner + g * _log_ratio(log_pt, u, xp)
        return t * self._alpha_t(y) * _pow(u, g, xp) * inner

    def _hessian(self, y: Any, f: Any, xp: Any) -> Any:
        g = self.gamma
        if self.from_logits:
            q, p, sp, _ = self._logit_terms(y, f, xp)
            # p * sp first: it tends to 0 where sp alone overflows (p = sigmoid(z), sp ~ -z)
            h = (2.0 * g + 1.0) * q * p
            if g:
                h = h + g * (p * sp) * (g * p - q)
            return self._alpha_t(y) * _pow(q, g, xp) * h
        pt, u, log_pt, _ = self._prob_terms(y, f, xp)
        h = _pow(u, g, xp) / (pt * pt)
        if g:
            big = -(g - 1.0) * _log_ratio(log_pt, u, xp) + 2.0 / pt
            h = h + g * _pow(u, g - 1.0, xp) * big
        return self._alpha_t(y) * h


def _pow(x: Any, e: float, xp: Any) -> Any:
    if e == 0.0:
        return xp.ones_like(x)
    if e == 1.0:
        return x
    if e == 2.0:
        return x * x
    return xp.pow(x, e)


def _log_ratio(log_pt: Any, u: Any, xp: Any) -> Any:
    """``log(p_t) / (1 - p_t)``, which tends to -1 as ``p_t -> 1``."""
    zero = u == 0.0
    return xp.where(zero, -1.0, log_pt / xp.where(zero, 1.0, u))


@register
class ModifiedHuber(_Margin):
    r"""Modified Huber loss: squared hinge near the margin, linear for bad mistakes.

    .. math::
        \ell = \max(0, 1 - z)^2 \text{ if } z \ge -1 \text{ else } -4z,
        \quad \ell' = t\,(-2\max(0, 1 - z) \text{ if } z \ge -1 \text{ else } -4),
        \quad \ell'' = 2\,\mathbb 1\{-1 \le z < 1\}

    Same as ``sklearn.linear_model.SGDClassifier(loss="modified_huber")``.
    """

    __slots__ = ()
    name = "modified_huber"
    formula = "max(0, 1 - t s)^2 if t s >= -1 else -4 t s"

    def _value(self, t: Any, s: Any, xp: Any) -> Any:
        z = t * s
        m = xp.maximum(1.0 - z, 0.0)
        return xp.where(z >= -1.0, m * m, -4.0 * z)

    def _gradient(self, t: Any, s: Any, xp: Any) -> Any:
        z = t * s
        return t * xp.where(z >= -1.0, -2.0 * xp.maximum(1.0 - z, 0.0), -4.0)

    def _hessian(self, t: Any, s: Any, xp: Any) -> Any:
        z = t * s
        return 2.0 * xp.astype((z >= -1.0) & (z < 1.0), s.dtype)


@register
class Exponential(_Margin):
    r"""Exponential loss, the loss AdaBoost minimises.

    .. math:: \ell = e^{-ts}, \quad \ell' = -t e^{-ts}, \quad \ell'' = e^{-ts}

    Same as scikit-learn's ``ExponentialLoss`` (labels ``{0, 1}``:
    ``y e^{-s} + (1-y) e^{s}``).
    """

    __slots__ = ()
    name = "exponential"
    formula = "exp(-t s)"

    def _value(self, t: Any, s: Any, xp: Any) -> Any:
        return xp.exp(-t * s)

    def _gradient(self, t: Any, s: Any, xp: Any) -> Any:
        return -t * xp.exp(-t * s)

    def _hessian(self, t: Any, s: Any, xp: Any) -> Any:
        return xp.exp(-t * s)


@register
class Brier(_Binary):
    r"""Brier score: the squared error of a predicted probability.

    .. math:: \ell = (p - y)^2, \quad \ell' = 2(p - y), \quad \ell'' = 2

    A strictly proper scoring rule. ``y`` may be a soft target in ``[0, 1]``.
    Same as ``sklearn.metrics.brier_score_loss``.
    """

    __slots__ = ()
    name = "brier"
    formula = "(p - y)^2"
    y_true_domain = "probability"
    y_pred_domain = "probability"

    def _value(self, y: Any, f: Any, xp: Any) -> Any:
        r = f - y
        return r * r

    def _gradient(self, y: Any, f: Any, xp: Any) -> Any:
        return 2.0 * (f - y)

    def _hessian(self, y: Any, f: Any, xp: Any) -> Any:
        return xp.full_like(f, 2.0)


binary_cross_entropy = functional(BinaryCrossEntropy)
sigmoid_cross_entropy = functional(SigmoidCrossEntropy)
hinge = functional(Hinge)
squared_hinge = functional(SquaredHinge)
binary_focal = functional(BinaryFocal)
modified_huber = functional(ModifiedHuber)
exponential = functional(Exponential)
brier = functional(Brier)
