"""``best_constant``: the constant prediction that minimises a loss over given targets.

The baseline every model must beat, and the starting score of gradient
boosting (``init_score``). It is computed in ``y_pred`` space, for the loss's
own parameters: the mean for ``mse``, the weighted median for ``mae``, the
log-odds for ``binary_cross_entropy(from_logits=True)``, the class
frequencies (or their logs) for cross-entropy. Targets, weights, class
weights, label smoothing and ``ignore_index`` go through the loss's own
checks and transformations, so the constant minimises exactly what
``loss(y_true, constant, sample_weight=...)`` computes.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._array import as_array, compute_dtype, errstate, namespace
from ._base import Loss
from ._registry import get
from ._stable import sigmoid_pair, softplus

__all__ = ["best_constant"]

_BISECTIONS = 200  # more than enough to reach adjacent floats from any bracket


def best_constant(loss: str | Loss, y_true: Any, sample_weight: Any = None, *, n_classes: int | None = None) -> Any:
    """The constant prediction that minimises ``loss`` over ``y_true``.

    Parameters
    ----------
    loss
        A loss name or :class:`Loss` object (its parameters are respected).
    y_true
        The targets, as ``loss`` takes them.
    sample_weight
        Optional weights, as ``loss`` takes them.
    n_classes
        For losses on integer class labels: the number of classes ``K``.
        By default the length of ``class_weight``, else the largest label + 1.

    Returns
    -------
    array
        In ``y_pred`` space, in the array library of ``y_true``: a 0-d array
        for elementwise losses (one constant for every value), a ``(K,)`` row
        for class-axis losses. ``loss(y_true, full(shape, c))`` is minimal
        over every constant ``c``. Where the minimisers form an interval (an
        even number of values under ``mae``) it is the interval's midpoint.
        Where the infimum is approached only in the limit, the limit is
        returned: ``-inf`` for the log-rate of all-zero counts, ``+-inf`` for
        the logit when one class is absent.

    Examples
    --------
    >>> import losskit as lk
    >>> float(lk.best_constant("mae", [1.0, 2.0, 10.0]))
    2.0
    >>> round(float(lk.best_constant(lk.get("bce", from_logits=True), [0, 0, 0, 1])), 4)   # log(1/3)
    -1.0986
    """
    loss = get(loss)
    constant = _CONSTANTS.get(loss.name)
    if constant is None:
        msg = f"losskit does not know the loss-minimising constant of {loss.name!r}."
        raise NotImplementedError(msg)
    b, dev = _prepared(loss, y_true, sample_weight, n_classes)
    xp = b.xp
    with errstate(xp):
        total = _weight_total(b)
        if not total > 0.0:
            msg = "every value has weight 0 (or `y_true` is empty): no constant is better than another."
            raise ValueError(msg)
        c = constant(loss, b, total)
    return xp.asarray(c, dtype=b.out_dtype, device=dev)


# -- preparing: the loss's own checks, targets and weights ----------------------------------------


def _prepared(loss: Loss, y_true: Any, sample_weight: Any, n_classes: int | None) -> tuple[Any, Any]:
    """The loss's batch for ``y_true`` against a placeholder prediction inside its domain."""
    xp, dev = namespace(y_true, sample_weight)
    y = as_array(y_true, xp, dev, name="y_true")
    _, dtype = compute_dtype(y.dtype, None, xp)
    if loss.class_axis:
        if loss.integer_labels:
            k = _n_classes(loss, y, n_classes, xp)
            shape = (*tuple(y.shape), k)
        else:
            if y.ndim == 0 or y.shape[-1] == 0:
                msg = f"`y_true` must have a class axis (the last axis) for {loss.name!r}; got shape {tuple(y.shape)}."
                raise ValueError(msg)
            shape, k = tuple(y.shape), y.shape[-1]
        placeholder = xp.full(shape, 1.0 / k, dtype=dtype, device=dev)
    else:
        if n_classes is not None:
            msg = f"`n_classes` is only for losses on integer class labels, not {loss.name!r}."
            raise TypeError(msg)
        placeholder = xp.full(tuple(y.shape), 0.5, dtype=dtype, device=dev)
    return loss._batch(y, placeholder, sample_weight, "sum", True), dev


def _n_classes(loss: Loss, y: Any, n_classes: int | None, xp: Any) -> int:
    if n_classes is not None:
        if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes < 1:
            msg = f"`n_classes` must be a positive integer; got {n_classes!r}."
            raise ValueError(msg)
        return n_classes
    cw = loss.params.get("class_weight")
    if cw is not None:
        return int(cw.shape[0])
    labels = y
    ignore = loss.params.get("ignore_index")
    if ignore is not None:
        labels = xp.where(y == ignore, -1, y) if xp.isdtype(y.dtype, "integral") else xp.where(y == ignore, -1.0, y)
    if math.prod(labels.shape) == 0 or int(xp.max(labels)) < 0:
        msg = "`y_true` holds no class label: pass `n_classes`."
        raise ValueError(msg)
    return int(xp.max(labels)) + 1


def _weight_total(b: Any) -> float:
    """``sum(w)`` over every value (the "mean" denominator), 0 for an empty input."""
    shape = tuple(b.result_shape)
    if math.prod(shape) == 0:
        return 0.0
    ones = b.xp.ones(shape, dtype=b.dtype, device=_device(b))
    return float(b.total(ones, "sum"))


def _device(b: Any) -> Any:
    from ._array import device_of

    return device_of(b.f, b.xp)


def _sum(b: Any, x: Any) -> float:
    """``sum(w * x)`` over every value, as a Python float."""
    return float(b.total(x, "sum"))


def _flat_weights(b: Any) -> Any:
    """One weight per value of ``b.y``, flattened (ones without weights)."""
    xp = b.xp
    w = b.weight_like(b.y)
    w = xp.ones_like(b.y) if w is None else xp.broadcast_to(w, b.y.shape)
    return xp.reshape(w, (-1,))


# -- elementwise losses ---------------------------------------------------------------------------


def _mean(loss: Loss, b: Any, total: float) -> float:
    return _sum(b, b.y) / total


def _poisson(loss: Loss, b: Any, total: float) -> float:
    mean = _sum(b, b.y) / total
    if not loss.from_logits:
        return mean
    return math.log(mean) if mean > 0.0 else -math.inf


def _msle(loss: Loss, b: Any, total: float) -> float:
    return math.expm1(_sum(b, b.xp.log1p(b.y)) / total)


def weighted_quantile(values: Any, weights: Any, q: float, xp: Any) -> float:
    """The ``q``-quantile of ``values`` under ``weights`` (1-D, weights >= 0, their sum > 0).

    The smallest value whose cumulative weight reaches ``q`` times the total;
    where the cumulative weight equals it exactly (up to rounding), the
    minimisers of the pinball loss form an interval up to the next value with
    weight, and its midpoint is returned (the usual median of an even count).
    """
    order = xp.argsort(values)
    v = xp.take(values, order)
    cw = xp.cumulative_sum(xp.take(weights, order))
    total = float(cw[-1])
    target = q * total
    tol = 8.0 * float(xp.finfo(cw.dtype).eps) * total
    n = v.shape[0]
    i = min(int(xp.sum(xp.astype(cw < target - tol, xp.int64))), n - 1)
    lower = float(v[i])
    if abs(float(cw[i]) - target) > tol:
        return lower
    j = int(xp.sum(xp.astype(cw <= float(cw[i]) + tol, xp.int64)))
    return lower if j >= n else 0.5 * (lower + float(v[j]))


def _quantile_of(b: Any, q: float, scale: Any = None) -> float:
    xp = b.xp
    w = _flat_weights(b)
    y = xp.reshape(b.y, (-1,))
    if scale is not None:
        w = w / xp.reshape(scale, (-1,))
    return weighted_quantile(y, w, q, xp)


def _median(loss: Loss, b: Any, total: float) -> float:
    return _quantile_of(b, 0.5)


def _quantile(loss: Loss, b: Any, total: float) -> float:
    return _quantile_of(b, loss.quantile)


def _mape(loss: Loss, b: Any, total: float) -> float:
    xp = b.xp
    return _quantile_of(b, 0.5, xp.maximum(xp.abs(b.y), xp.finfo(b.y.dtype).eps))


def _location(loss: Loss, b: Any, total: float) -> float:
    """The root of the (nondecreasing) summed gradient of a location loss, by bisection.

    Where the summed gradient is 0 on an interval (Huber with the data split
    far apart), the midpoint of that interval.
    """
    xp = b.xp
    w = b.weight_like(b.y)
    if w is None:
        lo, hi = float(xp.min(b.y)), float(xp.max(b.y))
    else:  # the values that count
        active = xp.broadcast_to(w, b.y.shape) > 0.0
        lo = float(xp.min(xp.where(active, b.y, math.inf)))
        hi = float(xp.max(xp.where(active, b.y, -math.inf)))

    def slope(c: float) -> float:
        return _sum(b, loss._gradient(b.y, xp.full_like(b.y, c), xp))

    if lo == hi:
        return lo
    lower = _bisect(slope, lo, hi, lambda g: g >= 0.0)  # sup{c: slope(c) < 0}
    upper = _bisect(slope, lo, hi, lambda g: g > 0.0)  # inf{c: slope(c) > 0}
    return 0.5 * (lower + upper)


def _bisect(fun: Any, lo: float, hi: float, right: Any) -> float:
    """The boundary in ``[lo, hi]`` where ``right(fun(c))`` turns true (``fun`` monotone)."""
    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if right(fun(mid)):
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


def _log_ratio(a: float, b: float) -> float:
    """``log(a / b)`` with the limits ``+-inf`` when one side has no weight."""
    if a <= 0.0:
        return -math.inf
    if b <= 0.0:
        return math.inf
    return math.log(a) - math.log(b)


def _cross_entropy(loss: Loss, b: Any, total: float) -> float:
    xp = b.xp
    positive = _sum(b, loss._pos(b.y, b.f, xp))
    negative = _sum(b, 1.0 - b.y)
    if loss.from_logits:
        return _log_ratio(positive, negative)
    return positive / (positive + negative)


def _signs(b: Any) -> tuple[float, float]:
    """The weight of the positive and of the negative targets (``b.y`` holds ``t`` in {-1, +1})."""
    return _sum(b, 0.5 * (1.0 + b.y)), _sum(b, 0.5 * (1.0 - b.y))


def _hinge(loss: Loss, b: Any, total: float) -> float:
    positive, negative = _signs(b)
    if abs(positive - negative) <= 8.0 * np.finfo(np.float64).eps * total:
        return 0.0
    return 1.0 if positive > negative else -1.0


def _mean_sign(loss: Loss, b: Any, total: float) -> float:
    return _sum(b, b.y) / total


def _exponential(loss: Loss, b: Any, total: float) -> float:
    positive, negative = _signs(b)
    return 0.5 * _log_ratio(positive, negative)


def _focal(loss: Loss, b: Any, total: float) -> float:
    alpha_t = loss._alpha_t(b.y)
    positive = _sum(b, alpha_t * b.y)
    negative = _sum(b, alpha_t * (1.0 - b.y))
    if loss.gamma == 0.0 or positive <= 0.0 or negative <= 0.0:
        s = _log_ratio(positive, negative)
    else:
        s = _focal_logit(positive, negative, loss.gamma)
    if loss.from_logits:
        return s
    return float(sigmoid_pair(np.float64(s), np)[0])


def _focal_logit(a: float, b: float, gamma: float) -> float:
    """The logit minimising ``a phi(s) + b phi(-s)``, ``phi(z) = sigmoid(-z)^gamma softplus(-z)``.

    A dense grid finds the global minimum (the focal loss of a constant need
    not be convex in the logit), bisection on the derivative refines it.
    """

    def phi(z: Any) -> Any:
        return sigmoid_pair(z, np)[1] ** gamma * softplus(-z, np)

    def dphi(z: Any) -> Any:  # d phi / dz, from the focal loss's gradient with t = 1, alpha = 1
        p, q = sigmoid_pair(z, np)
        return -(q**gamma) * (gamma * p * softplus(-z, np) + q)

    reach = abs(math.log(a) - math.log(b)) + 40.0
    grid = np.linspace(-reach, reach, 8001)
    with np.errstate(all="ignore"):
        i = int(np.argmin(a * phi(grid) + b * phi(-grid)))
        lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
        return _bisect(lambda s: float(a * dphi(np.float64(s)) - b * dphi(np.float64(-s))), lo, hi, lambda g: g >= 0)


# -- class-axis losses ----------------------------------------------------------------------------


def _class_totals(b: Any) -> Any:
    """``sum_i w_i y_ik`` for each class ``k`` (``b.y`` one-hot or soft rows, weights folded in)."""
    xp = b.xp
    y = b.y if xp.isdtype(b.y.dtype, "real floating") else xp.astype(b.y, b.dtype)
    w = b.weight_like(y)
    wy = y if w is None else xp.where(w == 0.0, 0.0, w * y)
    k = y.shape[-1]
    acc = b.acc_dtype
    return xp.sum(xp.astype(xp.reshape(wy, (-1, k)), acc), axis=0)


def _frequencies(loss: Loss, b: Any, total: float) -> Any:
    xp = b.xp
    t = _class_totals(b)
    q = t / xp.sum(t)
    if not loss.from_logits:
        return q
    return xp.where(q > 0.0, xp.log(xp.where(q > 0.0, q, 1.0)), -math.inf)


def _crammer_singer(loss: Loss, b: Any, total: float) -> Any:
    """Score 1 (gap 1) for the heaviest class when it holds more than half the weight, else equal scores.

    With the heaviest class ``h`` ``g`` above all others (the best the
    others can do is to be equal), the cost is ``W_h max(0, 1 - g) + (W -
    W_h)(1 + g)``, linear in ``g`` on ``[0, 1]`` and increasing beyond.
    """
    xp = b.xp
    w = np.asarray([float(v) for v in _class_totals(b)])
    total = float(w.sum())
    h = int(np.argmax(w))
    excess = w[h] - 0.5 * total
    gap = 0.5 if abs(excess) <= 8.0 * np.finfo(np.float64).eps * total else (1.0 if excess > 0 else 0.0)
    c = np.zeros(w.size)
    c[h] = gap
    return xp.asarray(c)


def _weston_watkins(loss: Loss, b: Any, total: float) -> Any:
    """Scores in tiers ``margin`` apart, the heaviest classes on top, by dynamic programming.

    With the classes sorted by weight (heaviest first) and cut into tiers,
    a tier spanning sorted positions ``s..e`` (1-based) costs ``W[s..e] (e - 1)``
    for the pairs whose higher score is not ``margin`` ahead, plus
    ``e W[e+1..K]`` for the cut below it: tiers further apart only cost the
    lower classes more, so adjacent tiers are exactly ``margin`` apart.
    """
    xp = b.xp
    w = np.asarray([float(v) for v in _class_totals(b)])
    k = w.size
    order = np.argsort(-w, kind="stable")
    prefix = np.concatenate([[0.0], np.cumsum(w[order])])
    best = np.zeros(k + 1)
    start = np.zeros(k + 1, dtype=int)
    for e in range(1, k + 1):
        s = np.arange(1, e + 1)
        cut = e * (prefix[k] - prefix[e]) if e < k else 0.0
        costs = best[s - 1] + (prefix[e] - prefix[s - 1]) * (e - 1) + cut
        j = int(np.argmin(costs))
        best[e], start[e] = costs[j], s[j]
    tiers = []
    e = k
    while e > 0:
        tiers.append(order[start[e] - 1 : e])
        e = start[e] - 1
    c = np.zeros(k)
    for level, members in enumerate(tiers):  # tiers[0] is the lowest
        c[members] = level * loss.margin
    return xp.asarray(c)


_CONSTANTS = {
    "mse": _mean,
    "rmse": _mean,
    "mae": _median,
    "huber": _location,
    "pseudo_huber": _location,
    "log_cosh": _location,
    "quantile": _quantile,
    "poisson": _poisson,
    "msle": _msle,
    "mape": _mape,
    "binary_cross_entropy": _cross_entropy,
    "sigmoid_cross_entropy": _cross_entropy,
    "hinge": _hinge,
    "squared_hinge": _mean_sign,
    "binary_focal": _focal,
    "modified_huber": _mean_sign,
    "exponential": _exponential,
    "brier": _mean,
    "categorical_cross_entropy": _frequencies,
    "softmax_cross_entropy": _frequencies,
    "sparse_categorical_cross_entropy": _frequencies,
    "kl_divergence": _frequencies,
    "categorical_hinge": _crammer_singer,
    "multi_margin": _weston_watkins,
}
