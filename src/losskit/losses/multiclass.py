r"""Multiclass and distribution losses: the class axis is the last axis.

``y`` a target distribution (one-hot or soft) or integer labels, ``s``
logits or scores, ``q`` predicted probabilities. One value per sample: the
class axis is removed by ``reduction="none"``; gradients and Hessians are
shaped like ``y_pred``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

from .. import _params as P
from .._array import constant, device_of, row_max, row_sum
from .._base import Loss, _fail_if
from .._registry import functional, register
from .._stable import all_finite, log_softmax, softmax, xdivy, xlogy

__all__ = [
    "CategoricalCrossEntropy",
    "CategoricalHinge",
    "KLDivergence",
    "MultiMargin",
    "SoftmaxCrossEntropy",
    "SparseCategoricalCrossEntropy",
    "categorical_cross_entropy",
    "categorical_hinge",
    "kl_divergence",
    "multi_margin",
    "softmax_cross_entropy",
    "sparse_categorical_cross_entropy",
]

_FROM_LOGITS = P.Param("from_logits", False, P.boolean, "bool", "y_pred holds logits, not probabilities")
_EPS = P.Param(
    "eps",
    None,
    P.optional(P.eps_range),
    "None or in [0, 0.5)",
    "probabilities are clipped to [eps, 1]; None: the machine epsilon of the dtype",
)
_SMOOTHING = P.Param("label_smoothing", 0.0, P.closed_unit, "in [0, 1]", "y -> y (1 - ls) + ls / K")
_CLASS_WEIGHT = P.Param(
    "class_weight",
    None,
    P.optional(P.weight_vector),
    "None or K numbers >= 0",
    "each sample is weighted by the weight of its true class",
)


class _ClassAxis(Loss):
    __slots__ = ()
    task = "multiclass"
    class_axis = True

    def _vector(self, v: Any, f: Any, xp: Any, name: str) -> Any:
        k = f.shape[-1]
        if v.shape[0] != k:
            msg = f"`{name}` has {v.shape[0]} entries but `y_pred` has {k} classes (its last axis); give one per class."
            raise ValueError(msg)
        return constant(v, f, xp)

    def _onehot(self, labels: Any, f: Any, xp: Any) -> Any:
        """A boolean one-hot of integer labels, shaped like ``f``."""
        classes = xp.arange(f.shape[-1], dtype=labels.dtype, device=device_of(f, xp))
        return labels[..., None] == classes

    def _check_labels(self, y: Any, f: Any, xp: Any, active: Any) -> None:
        k = f.shape[-1]
        _fail_if(
            (y < 0) | (y >= k),
            active,
            y,
            xp,
            "y_true",
            f"class labels in [0, {k}) for {self.name!r}",
            self._label_hint(),
        )

    def _label_hint(self) -> str:
        return ""


class _CrossEntropyBase(_ClassAxis):
    """The mathematics shared by categorical cross-entropy, its sparse form and KL."""

    __slots__ = ()

    def _pred_domain(self) -> str:
        return "logits" if self.from_logits else "distribution"

    def _clipped(self, q: Any, xp: Any) -> Any:
        eps = xp.finfo(q.dtype).eps if self.eps is None else self.eps
        return xp.clip(q, eps, 1.0) if eps > 0 else q

    def _finite_log_q(self, f: Any, xp: Any) -> bool:
        """True when ``log q`` is surely finite: clipped probabilities (eps > 0), or finite logits.

        Then ``y log q`` and ``y / q`` are 0 where ``y`` is, without the guards of ``xlogy`` and
        ``xdivy`` (two ``where`` each: the slowest operation on PyTorch's CPU).
        """
        if self.from_logits:
            return all_finite(f, xp)
        return self.eps is None or self.eps > 0

    def _smooth(self, y: Any, k: int) -> Any:
        ls = getattr(self, "label_smoothing", 0.0)
        return y * (1.0 - ls) + ls / k if ls else y

    def _value(self, y: Any, f: Any, xp: Any) -> Any:
        if self.from_logits:  # the softmax kernels reproduce these sums (np.sum): no row_sum
            log_q = log_softmax(f, xp)
            if self._finite_log_q(f, xp):
                return -xp.sum(y * log_q, axis=-1)
            zero = y == 0.0  # -inf logits (masked classes): 0 * -inf is 0 here
            return -xp.sum(xp.where(zero, 0.0, y * xp.where(zero, 0.0, log_q)), axis=-1)
        q = self._clipped(f, xp)  # probabilities: no kernel, NumPy's faster row sum
        return -row_sum(y * xp.log(q) if self._finite_log_q(f, xp) else xlogy(y, q, xp), xp)

    def _gradient(self, y: Any, f: Any, xp: Any) -> Any:
        if self.from_logits:
            return softmax(f, xp) * xp.sum(y, axis=-1, keepdims=True) - y
        q = self._clipped(f, xp)
        return -(y / q) if self._finite_log_q(f, xp) else -xdivy(y, q, xp)

    def _hessian(self, y: Any, f: Any, xp: Any) -> Any:
        if self.from_logits:
            q = softmax(f, xp)
            return q * (1.0 - q) * xp.sum(y, axis=-1, keepdims=True)
        q = self._clipped(f, xp)
        return y / (q * q) if self._finite_log_q(f, xp) else xdivy(y, q * q, xp)


@register
class CategoricalCrossEntropy(_CrossEntropyBase):
    r"""Categorical cross-entropy against a target distribution (one-hot or soft).

    .. math::
        \ell = -\sum_k y_k \log q_k,\quad q = \operatorname{softmax}(s)
        \ \text{ or }\ q = \operatorname{clip}(q, \epsilon, 1)

    Logits: :math:`\partial\ell/\partial s = \operatorname{softmax}(s)\sum_k y_k - y`,
    Hessian diagonal :math:`\operatorname{softmax}(s)(1 - \operatorname{softmax}(s))\sum_k y_k`.
    Probabilities (used as given, not renormalised):
    :math:`\partial\ell/\partial q_k = -y_k / q_k`, :math:`y_k / q_k^2`.

    ``class_weight`` weights each sample by ``sum_k class_weight_k y_k`` (the
    weight of its true class for one-hot ``y``) and the mean divides by the
    sum of those weights. ``label_smoothing`` replaces ``y`` by
    ``y (1 - ls) + ls/K``. The negative log-likelihood of a categorical
    distribution, in nats: ``H(y, q) = H(y) + KL(y || q)``.

    Same as ``torch.nn.functional.cross_entropy`` (probability targets),
    ``keras.losses.CategoricalCrossentropy`` and ``optax.losses.softmax_cross_entropy``.
    """

    __slots__ = ()
    name = "categorical_cross_entropy"
    formula = "-sum_k y_k log q_k"
    aliases = ("cross_entropy", "cce")
    parameters = (_FROM_LOGITS, _SMOOTHING, _CLASS_WEIGHT, _EPS)
    y_true_domain = "distribution"

    def _targets(self, y: Any, f: Any, b: Any) -> Any:
        xp = b.xp
        if self.class_weight is not None:
            cw = self._vector(self.class_weight, f, xp, "class_weight")
            b.multiply_weight(xp.sum(y * cw, axis=-1))
        return self._smooth(y, f.shape[-1])


@register
class SoftmaxCrossEntropy(CategoricalCrossEntropy):
    r"""Categorical cross-entropy from logits: ``categorical_cross_entropy(from_logits=True)``.

    .. math:: \ell = -\sum_k y_k \log\operatorname{softmax}(s)_k,
        \quad \partial\ell/\partial s = \operatorname{softmax}(s)\sum_k y_k - y

    Same as ``optax.losses.softmax_cross_entropy``.
    """

    __slots__ = ()
    name = "softmax_cross_entropy"
    formula = "-sum_k y_k log softmax(s)_k"
    aliases = ()
    parameters = (_SMOOTHING, _CLASS_WEIGHT)
    fixed: ClassVar[Mapping[str, Any]] = {"from_logits": True, "eps": None}


@register
class SparseCategoricalCrossEntropy(_CrossEntropyBase):
    r"""Cross-entropy against integer class labels: ``-log q_y``.

    .. math::
        \ell = -\log q_y, \quad \partial\ell/\partial s = \operatorname{softmax}(s) - \operatorname{onehot}(y),
        \quad \text{Hessian diagonal } \operatorname{softmax}(s)(1 - \operatorname{softmax}(s))

    ``y_true`` holds labels in ``[0, K)`` with shape ``y_pred.shape[:-1]``.
    Samples whose label equals ``ignore_index`` contribute neither loss,
    gradient nor weight. ``class_weight`` weights each sample by the weight of
    its label (the mean divides by the sum of those weights, as torch).
    ``label_smoothing`` mixes the one-hot target with the uniform
    distribution, ``onehot (1 - ls) + ls/K``; the whole smoothed sample loss
    carries its label's class weight.

    Same as ``torch.nn.functional.cross_entropy`` (index targets),
    ``keras.losses.SparseCategoricalCrossentropy`` and
    ``optax.losses.softmax_cross_entropy_with_integer_labels``.
    """

    __slots__ = ()
    name = "sparse_categorical_cross_entropy"
    formula = "-log q_y  (y an integer label)"
    aliases = ("sparse_cross_entropy", "nll")
    parameters = (
        _FROM_LOGITS,
        _SMOOTHING,
        _CLASS_WEIGHT,
        P.Param(
            "ignore_index",
            None,
            P.optional(P.integer),
            "None or an integer",
            "samples with this label are left out entirely",
        ),
        _EPS,
    )
    integer_labels = True
    y_true_domain = "class_labels"

    def _label_hint(self) -> str:
        if self.ignore_index is None:
            return "Set ignore_index to leave out padding labels (such as -100)."
        return f"(ignore_index={self.ignore_index} is allowed too.)"

    def _check_values(self, y: Any, f: Any, xp: Any, active: Any) -> bool:
        if self.ignore_index is not None:
            kept = y != self.ignore_index
            active = kept if active is None else active & kept
        self._check_labels(y, f, xp, active)
        return super()._check_values(y, f, xp, active)

    def _targets(self, y: Any, f: Any, b: Any) -> Any:
        xp = b.xp
        if self.ignore_index is not None:
            ignored = y == self.ignore_index
            b.multiply_weight(xp.astype(~ignored, f.dtype))
            y = xp.where(ignored, xp.zeros_like(y), y)
        onehot = xp.astype(self._onehot(y, f, xp), f.dtype)
        if self.class_weight is not None:
            cw = self._vector(self.class_weight, f, xp, "class_weight")
            b.multiply_weight(xp.sum(onehot * cw, axis=-1))
        return self._smooth(onehot, f.shape[-1])


@register
class KLDivergence(_CrossEntropyBase):
    r"""Kullback-Leibler divergence ``KL(p || q)`` of the prediction ``q`` from the target ``p``.

    .. math::
        \ell = \sum_k p_k (\log p_k - \log q_k) \quad (\text{terms with } p_k = 0 \text{ are } 0)

    The extra nats per sample lost by coding ``p`` with ``q``; zero when
    ``q = p``. Its derivatives equal categorical cross-entropy's (the entropy
    of ``p`` does not depend on ``q``). ``q`` is clipped to ``[eps, 1]`` for
    probabilities.

    Same as ``torch.nn.functional.kl_div(log q, p)``,
    ``keras.losses.KLDivergence`` and ``optax.losses.kl_divergence``.
    """

    __slots__ = ()
    name = "kl_divergence"
    formula = "sum_k p_k (log p_k - log q_k)"
    aliases = ("kl_div", "relative_entropy")
    task = "distribution"
    parameters = (_FROM_LOGITS, _EPS)
    y_true_domain = "distribution"

    def _value(self, p: Any, f: Any, xp: Any) -> Any:
        log_q = log_softmax(f, xp) if self.from_logits else xp.log(self._clipped(f, xp))
        zero = p == 0.0
        log_p = xp.log(xp.where(zero, 1.0, p))
        # from logits the softmax kernel reproduces np.sum over the classes (xp.sum); else row_sum
        total = (lambda x: xp.sum(x, axis=-1)) if self.from_logits else (lambda x: row_sum(x, xp))
        if self._finite_log_q(f, xp):  # p = 0 gives 0 (log 1 - log q) = 0 unguarded
            return total(p * (log_p - log_q))
        return total(xp.where(zero, 0.0, p * (log_p - xp.where(zero, 0.0, log_q))))


@register
class CategoricalHinge(_ClassAxis):
    r"""Crammer-Singer multiclass hinge loss, one-hot ``y``.

    .. math:: \ell = \max\left(0,\ 1 + \max_{k \ne y} s_k - s_y\right)

    Subgradient: where the loss is positive, ``+1`` at the best wrong class
    (the first one on ties) and ``-1`` at the true class; Hessian 0.

    Same as ``optax.losses.multiclass_hinge_loss`` (which takes integer
    labels). ``keras.losses.CategoricalHinge`` differs when every wrong score
    is negative (its maximum includes a 0).

    References: Crammer, K. and Singer, Y. (2001). On the Algorithmic
    Implementation of Multiclass Kernel-based Vector Machines.
    """

    __slots__ = ()
    name = "categorical_hinge"
    formula = "max(0, 1 + max_{k != y} s_k - s_y)"
    aliases = ("crammer_singer",)
    y_true_domain = "onehot"

    def _parts(self, y: Any, s: Any, xp: Any) -> tuple[Any, Any, Any]:
        true = y == 1.0
        s_true = xp.sum(xp.where(true, s, 0.0), axis=-1)  # np.sum's order: the kernel's (margin.h)
        wrong = xp.where(true, -math.inf, s)
        return true, wrong, 1.0 + row_max(wrong, xp) - s_true

    def _value(self, y: Any, s: Any, xp: Any) -> Any:
        return xp.maximum(self._parts(y, s, xp)[2], 0.0)

    def _gradient(self, y: Any, s: Any, xp: Any) -> Any:
        return self._gradient_of(*self._parts(y, s, xp), s, xp)

    def _value_and_gradient(self, y: Any, s: Any, xp: Any) -> tuple[Any, Any]:
        parts = self._parts(y, s, xp)  # once for both
        return xp.maximum(parts[2], 0.0), self._gradient_of(*parts, s, xp)

    def _gradient_of(self, true: Any, wrong: Any, margin: Any, s: Any, xp: Any) -> Any:
        best = xp.argmax(wrong, axis=-1)
        best_onehot = xp.astype(self._onehot(best, s, xp), s.dtype)
        return xp.astype(margin > 0.0, s.dtype)[..., None] * (best_onehot - xp.astype(true, s.dtype))

    def _hessian(self, y: Any, s: Any, xp: Any) -> Any:
        return xp.zeros_like(s)


@register
class MultiMargin(_ClassAxis):
    r"""Weston-Watkins multiclass hinge loss, integer labels.

    .. math:: \ell = \frac1K \sum_{k \ne y} \max(0,\ m - s_y + s_k)

    Subgradient: ``1/K`` at each wrong class inside the margin, minus their
    count over ``K`` at the true class; Hessian 0. Same as
    ``torch.nn.functional.multi_margin_loss`` (``p=1``).

    References: Weston, J. and Watkins, C. (1999). Support Vector Machines for
    Multi-Class Pattern Recognition.
    """

    __slots__ = ()
    name = "multi_margin"
    formula = "sum_{k != y} max(0, margin - s_y + s_k) / K"
    aliases = ("weston_watkins",)
    parameters = (P.Param("margin", 1.0, P.positive, "> 0", "the margin m"),)
    integer_labels = True
    y_true_domain = "class_labels"

    def _check_values(self, y: Any, f: Any, xp: Any, active: Any) -> bool:
        self._check_labels(y, f, xp, active)
        return super()._check_values(y, f, xp, active)

    def _targets(self, y: Any, f: Any, b: Any) -> Any:
        return self._onehot(y, f, b.xp)

    def _terms(self, true: Any, s: Any, xp: Any) -> Any:
        s_true = row_sum(xp.where(true, s, 0.0), xp, keepdims=True)
        return xp.where(true, 0.0, self.margin - s_true + s)

    # the sums over the classes are np.sum's (xp.sum), which the native kernel reproduces (margin.h)
    def _value(self, true: Any, s: Any, xp: Any) -> Any:
        return xp.sum(xp.maximum(self._terms(true, s, xp), 0.0), axis=-1) / s.shape[-1]

    def _gradient(self, true: Any, s: Any, xp: Any) -> Any:
        inside = xp.astype(self._terms(true, s, xp) > 0.0, s.dtype) / s.shape[-1]
        return inside - xp.astype(true, s.dtype) * xp.sum(inside, axis=-1, keepdims=True)

    def _hessian(self, true: Any, s: Any, xp: Any) -> Any:
        return xp.zeros_like(s)


categorical_cross_entropy = functional(CategoricalCrossEntropy)
softmax_cross_entropy = functional(SoftmaxCrossEntropy)
sparse_categorical_cross_entropy = functional(SparseCategoricalCrossEntropy)
kl_divergence = functional(KLDivergence)
categorical_hinge = functional(CategoricalHinge)
multi_margin = functional(MultiMargin)
