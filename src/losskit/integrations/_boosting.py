r"""A loss as a gradient booster sees it: raw scores in, per-sample gradients and positive Hessians out.

Shared by the LightGBM and XGBoost adapters, and usable with any booster that
takes a custom objective (:class:`BoostingLoss`). Nothing here imports a
booster.

Raw scores
    A booster's trees add up to an unbounded *raw score* per sample (one per
    class for a multiclass model). A probabilistic loss is therefore used on
    logits, ``from_logits=True`` (the log-rate for ``poisson``); a loss that
    only takes probabilities (``brier``) has no form on raw scores and is
    refused, with the losses that have one.

Hessians
    A booster's leaf value is the Newton step ``-sum(g) / (sum(h) + lambda)``
    over the samples in the leaf, so the Hessian must be positive.

    * ``hessian="exact"``: the loss's own Hessian, floored at ``min_hessian``
      (default ``1e-6``, times the sample weight). The floor keeps a Hessian
      that underflows (a confident logit under cross-entropy) or turns
      negative (the focal loss's, for confidently wrong logits) from reaching
      the booster; the boosters' ``min_child_weight`` / ``min_sum_hessian_in_leaf``
      then refuse leaves whose Hessian sum is that small.
    * ``hessian="surrogate"``: ``max(exact Hessian, 1)`` (times the weight): the
      unit Hessian of LightGBM's own ``l1``, ``quantile`` and ``huber``
      objectives where the exact one is smaller, the exact one where it is
      larger (2 in the quadratic zone of ``modified_huber``). For ``mape`` the
      unit is its scale ``1 / max(|y|, eps)`` (as LightGBM's ``mape``
      objective), so that a leaf's step is a weighted mean of signs.
    * ``hessian="auto"`` (default): the surrogate for the losses whose catalog
      record has ``approx_hessian`` (their Hessian is 0 almost everywhere, or
      on whole regions where the gradient is not: ``mae``, ``quantile``,
      ``mape``, ``hinge``, ``huber``, ``modified_huber``, ``categorical_hinge``,
      ``multi_margin``), the exact Hessian for every other loss.

    No Hessian handed to a booster is 0 or negative, except for a sample of
    weight 0, whose gradient and Hessian are both 0 (it takes no part, as
    under the boosters' own objectives).

Weights
    Neither LightGBM nor XGBoost applies the sample weights to the gradients
    of a custom objective, so the adapters do, once: ``w * dl/df`` and
    ``w * h``, exactly as the boosters' own objectives do.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar, Literal

import numpy as np

from .._base import Loss
from .._catalog import info
from .._constant import best_constant
from .._raw import logit_form
from .._registry import get

__all__ = [
    "DEFAULT_MIN_HESSIAN",
    "BoostingLoss",
    "MetricBase",
    "ObjectiveBase",
    "evaluate",
    "metric_loss",
    "raw_score_loss",
    "start_scores",
]

HessianMode = Literal["auto", "exact", "surrogate"]
_MODES = ("auto", "exact", "surrogate")
DEFAULT_MIN_HESSIAN = 1e-6
_WITH_LOGIT_FORM = ("binary_cross_entropy", "binary_focal", "softmax_cross_entropy", "sparse_categorical_cross_entropy")


def raw_score_loss(loss: str | Loss, /, **params: Any) -> Loss:
    """``loss`` in a booster's raw-score space: a probabilistic loss on logits (log-rates).

    Parameters
    ----------
    loss
        A loss name, alias or :class:`~losskit.Loss` object.
    **params
        Its parameters. ``from_logits`` is set to True for the losses that
        have it; an explicit ``from_logits=False`` is an error, since raw
        scores are not probabilities.

    Raises
    ------
    ValueError
        For a loss that only takes probabilities (``brier``,
        ``kl_divergence``): there is no form of it on raw scores.

    Examples
    --------
    >>> from losskit.integrations import raw_score_loss
    >>> raw_score_loss("bce", pos_weight=2.0)
    BinaryCrossEntropy(from_logits=True, pos_weight=2.0)
    """
    loss = logit_form(loss, params, model="a booster", users="the adapters")
    rec = info(loss)
    if rec.link != "identity":
        msg = (
            f"{loss.name!r} takes {rec.y_pred} and has no form on a booster's raw scores (no `from_logits`); "
            f"use a loss with a logit form, e.g. {', '.join(repr(n) for n in _WITH_LOGIT_FORM)}."
        )
        raise ValueError(msg)
    return loss


class _Frozen:
    """Immutable, compared, hashed and pickled by its fields (the adapters' objectives and metrics)."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _library: ClassVar[str] = ""

    def __init__(self, *values: Any) -> None:
        for field, value in zip(self._fields, values, strict=True):
            object.__setattr__(self, field, value)

    def _state(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f) for f in self._fields)

    def __setattr__(self, key: str, value: Any) -> None:
        msg = f"{type(self).__name__} objects are immutable."
        raise AttributeError(msg)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._state() == other._state()

    def __hash__(self) -> int:
        return hash((type(self), self._state()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), self._state())


class BoostingLoss(_Frozen):
    """A loss as a gradient booster sees it: raw scores in, per-sample gradients and positive Hessians out.

    The LightGBM and XGBoost adapters are built on it; use it directly for
    another booster's custom-objective hook.

    Parameters
    ----------
    loss
        A loss name, alias or :class:`~losskit.Loss`; a probabilistic loss is
        used on logits (see :func:`raw_score_loss`).
    hessian
        ``"auto"`` (default), ``"exact"`` or ``"surrogate"``: see the module
        documentation. ``"exact"`` is refused for a loss whose Hessian is 0
        almost everywhere (``mae``, ``hinge``, ...): every leaf step would be
        ``sum(g) / min_hessian``.
    min_hessian
        The floor of the exact Hessian (per unit of weight), ``> 0``.
    **params
        The loss's parameters (``gamma=2.0``, ``quantile=0.9``, ...).

    Attributes
    ----------
    loss
        The loss on raw scores.
    hessian
        The Hessian handed to the booster: ``"exact"`` or ``"surrogate"``.
    min_hessian
        The floor of the exact Hessian.

    Examples
    --------
    >>> import numpy as np
    >>> from losskit.integrations import BoostingLoss
    >>> b = BoostingLoss("mae")
    >>> b.hessian
    'surrogate'
    >>> g, h = b.gradient_and_hessian(np.array([1.0, 2.0]), np.array([0.0, 3.0]))
    >>> g.tolist(), h.tolist()
    ([-1.0, 1.0], [1.0, 1.0])
    >>> float(b.start_score(np.array([1.0, 2.0, 10.0])))   # the median
    2.0
    """

    __slots__ = ("hessian", "loss", "min_hessian")
    _fields = ("loss", "hessian", "min_hessian")
    loss: Loss
    hessian: str
    min_hessian: float

    def __init__(
        self,
        loss: str | Loss,
        /,
        *,
        hessian: HessianMode = "auto",
        min_hessian: float = DEFAULT_MIN_HESSIAN,
        **params: Any,
    ) -> None:
        raw = raw_score_loss(loss, **params)
        if not raw.hessian_diagonal:
            msg = (
                f"{raw.name!r} is not a sum of per-sample losses (its Hessian is not diagonal), so it cannot "
                f"be a boosting objective; use 'mse' (the same minimiser). It works as a metric."
            )
            raise ValueError(msg)
        if hessian not in _MODES:
            msg = f"`hessian` must be one of {', '.join(map(repr, _MODES))}; got {hessian!r}."
            raise ValueError(msg)
        if isinstance(min_hessian, bool) or not isinstance(min_hessian, (int, float)):
            msg = f"`min_hessian` must be a positive number; got {min_hessian!r}."
            raise TypeError(msg)
        if not (math.isfinite(min_hessian) and min_hessian > 0):
            msg = f"`min_hessian` must be positive and finite; got min_hessian={min_hessian!r}."
            raise ValueError(msg)
        rec = info(raw)
        if hessian == "exact" and rec.zero_hessian:
            msg = (
                f"the Hessian of {raw.name!r} is 0 almost everywhere: with hessian='exact' every leaf step "
                f"would be sum(gradient) / min_hessian. Use hessian='auto' (the surrogate max(Hessian, 1))."
            )
            raise ValueError(msg)
        if hessian == "auto":
            hessian = "surrogate" if rec.approx_hessian else "exact"
        super().__init__(raw, hessian, float(min_hessian))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.loss!r}, hessian={self.hessian!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), *self._state()))

    # -- what a booster calls -------------------------------------------------------------------
    def gradient_and_hessian(self, y_true: Any, raw_score: Any, sample_weight: Any = None) -> tuple[Any, Any]:
        """Per-sample ``(w * dl/ds, w * h)`` at the raw scores, shaped like ``raw_score``.

        Parameters
        ----------
        y_true
            The booster's labels, shape ``(n,)`` (class indices for a
            multiclass loss; ``(n, K)`` target rows are accepted too).
        raw_score
            The raw scores: ``(n,)``, or ``(n, K)`` for a multiclass loss.
        sample_weight
            ``(n,)`` weights, or None (an empty array counts as None).

        Returns
        -------
        (ndarray, ndarray)
            Gradient and Hessian in the dtype of the scores (float32 or
            float64); the Hessian is positive wherever the weight is.
        """
        y, f, w = booster_inputs(self.loss, y_true, raw_score, sample_weight)
        dtype = f.dtype
        # float32 scores (XGBoost's) are computed in float64 and rounded once: the kernels would
        # compute them in float32 arithmetic, a few ulps off instead of half
        f = f.astype(np.float64, copy=False)
        try:
            g, h = self.loss.gradient_and_hessian(y, f, sample_weight=w, reduction="none")
        except ValueError as e:
            raise ValueError(_context(self.loss, e)) from e
        floor = self._floor(y, h.dtype)
        if w is not None:
            floor = floor * (w[:, None] if h.ndim == 2 else w)
        h = np.maximum(h, floor, out=h)
        return g.astype(dtype, copy=False), h.astype(dtype, copy=False)

    def value(self, y_true: Any, raw_score: Any, sample_weight: Any = None) -> float:
        """The loss of the raw scores: the weighted mean over the samples, as a Python float."""
        return evaluate(self.loss, y_true, raw_score, sample_weight)

    def start_score(self, y_true: Any, sample_weight: Any = None, *, n_classes: int | None = None) -> Any:
        """The loss-minimising constant raw score: a float, or a ``(K,)`` array (one per class or target).

        :func:`losskit.best_constant` of the raw-score loss: the mean for
        ``mse``, the weighted median for ``mae``, the log-odds for
        ``binary_cross_entropy``, the log of the mean for ``poisson``, the
        class log-priors for softmax cross-entropy. ``n_classes`` (multiclass
        losses) defaults to the largest label + 1. Targets of shape ``(n, T)``
        under an elementwise loss (XGBoost's multi-target models) get one
        constant per column.

        Raises
        ------
        ValueError
            When the constant is infinite (a class absent from ``y_true``
            under cross-entropy, all-zero counts under ``poisson``): a booster
            needs a finite start.
        """
        y = np.asarray(y_true)
        loss = self.loss
        if y.ndim not in (1, 2):
            msg = f"`y_true` must hold one label per sample, shape (n,) (or (n, K) rows); got shape {y.shape}."
            raise ValueError(msg)
        w = _weights(sample_weight, y.shape[0])
        if loss.class_axis:
            k = _n_classes(y, n_classes, loss)
            if not loss.integer_labels:
                y = _rows(y, k, loss)
            c = best_constant(loss, y, w, n_classes=k if loss.integer_labels else None)
        elif n_classes is not None:
            msg = f"`n_classes` is only for multiclass losses, not {loss.name!r}."
            raise TypeError(msg)
        elif y.ndim == 2:  # one target per column
            c = [best_constant(loss, y[:, j], w) for j in range(y.shape[1])]
        else:
            c = best_constant(loss, y, w)
        c = np.asarray(c, dtype=np.float64)
        if not np.all(np.isfinite(c)):
            msg = (
                f"the best constant raw score of {loss!r} on these targets is infinite ({c.tolist()}): "
                f"a class (or every count) has no weight, so no finite start is optimal. Check the labels, "
                f"or pass your own start score."
            )
            raise ValueError(msg)
        return float(c) if c.ndim == 0 else c

    def _floor(self, y: Any, dtype: Any) -> Any:
        """The least Hessian per unit of weight: 1 (or mape's scale) for the surrogate, else ``min_hessian``."""
        if self.hessian == "exact":
            return self.min_hessian
        if self.loss.name == "mape":  # its unit is its scale 1 / max(|y|, eps), as in its gradient
            return 1.0 / np.maximum(np.abs(y.astype(dtype)), np.finfo(dtype).eps)
        return 1.0


class ObjectiveBase(_Frozen):
    """A booster's custom objective around a :class:`BoostingLoss` (``boosting``)."""

    __slots__ = ("boosting",)
    _fields = ("boosting",)
    boosting: BoostingLoss

    @property
    def loss(self) -> Loss:
        """The loss on raw scores."""
        return self.boosting.loss

    def __repr__(self) -> str:
        return f"{self._library}.Objective({self.loss!r}, hessian={self.boosting.hessian!r})"


class MetricBase(_Frozen):
    """A booster's custom metric: the weighted mean of ``loss``, recorded under ``name``; lower is better."""

    __slots__ = ("loss", "name")
    _fields = ("loss", "name")
    loss: Loss
    name: str

    def __repr__(self) -> str:
        return f"{self._library}.Metric({self.loss!r}, name={self.name!r})"


def booster_inputs(loss: Loss, y_true: Any, raw_score: Any, sample_weight: Any) -> tuple[Any, Any, Any]:
    """The booster's labels, scores and weights as ``loss`` takes them (target rows, weights or None).

    Scores keep their float32 or float64 (XGBoost's are float32, and so are its probabilities, whose rows
    sum to 1 only to float32 precision); anything else becomes float64.
    """
    f = np.asarray(raw_score)
    if f.dtype not in (np.float32, np.float64):
        f = f.astype(np.float64)
    y = np.asarray(y_true)
    if loss.class_axis:
        if f.ndim != 2 or f.shape[1] < 2:
            msg = (
                f"{loss.name!r} is a multiclass loss: it needs one raw score per class, shape "
                f"(n_samples, n_classes); got raw scores of shape {f.shape}. Set `num_class` in the "
                f"booster's parameters (LGBMClassifier and XGBClassifier do it for more than 2 classes)."
            )
            raise ValueError(msg)
        n, k = f.shape
        if loss.integer_labels:
            if y.shape != (n,):
                msg = f"{loss.name!r} needs one class label per sample, shape ({n},); got labels of shape {y.shape}."
                raise ValueError(msg)
        else:
            y = _rows(y, k, loss, n)
    else:
        if f.ndim == 2 and f.shape[1] > 1 and y.ndim == 1 and y.shape[0] == f.shape[0]:
            msg = (
                f"{loss.name!r} needs one raw score per sample; got raw scores of shape {f.shape}, one per "
                f"class: a multiclass booster (num_class={f.shape[1]}) needs a multiclass loss such as "
                f"'softmax_cross_entropy' or 'multi_margin'."
            )
            raise ValueError(msg)
        if y.size != f.size:
            msg = f"the labels ({y.shape}) and the raw scores ({f.shape}) do not match: one label per raw score."
            raise ValueError(msg)
        y = y.reshape(f.shape)
    return y, f, _weights(sample_weight, f.shape[0])


def metric_loss(loss: str | Loss, /, *, raw_score: bool = True, **params: Any) -> Loss:
    """The loss a metric evaluates: on raw scores (:func:`raw_score_loss`), or as given for transformed predictions."""
    return raw_score_loss(loss, **params) if raw_score else get(loss, **params)


def evaluate(loss: Loss, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
    """The weighted mean of ``loss`` over the booster's samples, as a Python float."""
    y, f, w = booster_inputs(loss, y_true, y_pred, sample_weight)
    try:
        return float(loss(y, f, sample_weight=w))
    except ValueError as e:
        raise ValueError(_context(loss, e)) from e


def start_scores(
    boosting: BoostingLoss, y_true: Any, sample_weight: Any, n_samples: int | None, n_classes: int | None
) -> Any:
    """The best constant raw score repeated for ``n_samples`` samples: ``(n,)``, or ``(n, K)`` for a multiclass loss."""
    c = np.asarray(boosting.start_score(y_true, sample_weight, n_classes=n_classes))
    if n_samples is None:
        n_samples = np.shape(y_true)[0]
    elif isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 0:
        msg = f"`n_samples` must be a non-negative integer; got {n_samples!r}."
        raise ValueError(msg)
    return np.tile(c, (int(n_samples), 1)) if c.ndim else np.full(int(n_samples), float(c))


def _context(loss: Loss, e: ValueError) -> str:
    return f"{loss!r} on the booster's labels (y_true) and scores (y_pred): {e}"


def _rebuild(cls: type, loss: Loss, hessian: str, min_hessian: float) -> Any:
    return cls(loss, hessian=hessian, min_hessian=min_hessian)


def _weights(sample_weight: Any, n: int) -> Any:
    """The booster's sample weights as a float64 ``(n,)`` array, or None (LightGBM: None; XGBoost: empty)."""
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.size == 0:
        return None
    if w.shape != (n,):
        msg = f"`sample_weight` must hold one weight per sample, shape ({n},); got shape {w.shape}."
        raise ValueError(msg)
    return w


def _n_classes(y: Any, n_classes: int | None, loss: Loss) -> int:
    if n_classes is not None:
        if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 2:
            msg = f"`n_classes` must be an integer >= 2; got {n_classes!r}."
            raise ValueError(msg)
        return int(n_classes)
    if y.ndim == 2:
        return y.shape[1]
    cw = loss.params.get("class_weight")
    if cw is not None:
        return int(np.shape(cw)[0])
    labels = y[y >= 0] if y.size else y
    if labels.size == 0:
        msg = "`y_true` holds no class label: pass `n_classes`."
        raise ValueError(msg)
    return max(int(labels.max()) + 1, 2)


def _rows(y: Any, k: int, loss: Loss, n: int | None = None) -> Any:
    """Target rows ``(n, k)`` for a loss on rows: one-hot of class labels, or rows passed as they are."""
    n = y.shape[0] if n is None else n
    if y.shape == (n, k):
        return y
    if y.shape != (n,):
        msg = (
            f"{loss.name!r} needs one class label per sample, shape ({n},), or target rows ({n}, {k}); "
            f"got labels of shape {y.shape}."
        )
        raise ValueError(msg)
    labels = y.astype(np.float64, copy=False)
    bad = (labels != np.floor(labels)) | (labels < 0) | (labels >= k) | ~np.isfinite(labels)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        msg = (
            f"the labels must be class indices in [0, {k}) for {loss.name!r} with {k} raw scores per sample; "
            f"{int(bad.sum())} are not, e.g. {y[i].item()!r} at index {i}."
        )
        raise ValueError(msg)
    rows = np.zeros((n, k))
    rows[np.arange(n), labels.astype(np.intp)] = 1.0
    return rows
