"""Loss settings and valid random inputs for the common tests.

``SETTINGS`` holds every registered loss with each parameter setting worth
testing; ``inputs(loss, shape, rng)`` draws ``(y_true, y_pred)`` inside the
loss's domain and away from its kinks (where only a subgradient exists), in
float64 NumPy.
"""

from __future__ import annotations

import numpy as np

import losskit as lk

PARAMS: dict[str, list[dict]] = {
    "mse": [{}],
    "rmse": [{}],
    "mae": [{}],
    "huber": [{}, {"delta": 0.5}, {"delta": 2.5}],
    "pseudo_huber": [{}, {"delta": 0.5}, {"delta": 3.0}],
    "log_cosh": [{}],
    "quantile": [{}, {"quantile": 0.1}, {"quantile": 0.9}],
    "poisson": [{}, {"from_logits": True}],
    "msle": [{}],
    "mape": [{}],
    "binary_cross_entropy": [
        {},
        {"from_logits": True},
        {"pos_weight": 2.5},
        {"from_logits": True, "pos_weight": 0.4},
        {"label_smoothing": 0.1},
        {"from_logits": True, "label_smoothing": 0.2},
        {"eps": 0.01},
    ],
    "sigmoid_cross_entropy": [{}, {"pos_weight": 2.0}, {"label_smoothing": 0.1}],
    "hinge": [{}],
    "squared_hinge": [{}],
    "binary_focal": [
        {},
        {"gamma": 0.0},
        {"gamma": 0.5},
        {"gamma": 1.0},
        {"gamma": 3.0, "alpha": 0.25},
        {"from_logits": True},
        {"from_logits": True, "gamma": 0.5, "alpha": 0.75},
        {"from_logits": True, "gamma": 0.0},
    ],
    "modified_huber": [{}],
    "exponential": [{}],
    "brier": [{}],
    "categorical_cross_entropy": [
        {},
        {"from_logits": True},
        {"label_smoothing": 0.1},
        {"from_logits": True, "label_smoothing": 0.2},
        {"class_weight": [0.5, 2.0, 1.0, 3.0, 0.25]},
        {"eps": 0.02},
    ],
    "softmax_cross_entropy": [{}, {"label_smoothing": 0.1}, {"class_weight": [0.5, 2.0, 1.0, 3.0, 0.25]}],
    "sparse_categorical_cross_entropy": [
        {},
        {"from_logits": True},
        {"from_logits": True, "label_smoothing": 0.1},
        {"from_logits": True, "class_weight": [0.5, 2.0, 1.0, 3.0, 0.25], "ignore_index": -1},
        {"ignore_index": -100},
        {"class_weight": [0.5, 2.0, 1.0, 3.0, 0.25], "ignore_index": -1},
        {"label_smoothing": 0.1},
    ],
    "kl_divergence": [{}, {"from_logits": True}],
    "categorical_hinge": [{}],
    "multi_margin": [{}, {"margin": 0.5}, {"margin": 2.0}],
}

K = 5  # classes in the class-axis cases (class_weight above has 5 entries)

assert set(PARAMS) == set(lk.names()), "every registered loss needs test settings"

SETTINGS = [lk.get(name, **p) for name in lk.names() for p in PARAMS[name]]


def setting_id(loss: lk.Loss) -> str:
    return repr(loss)


def _away(x: np.ndarray, kinks: list[float], gap: float = 1e-2) -> np.ndarray:
    """Move values within ``gap`` of a kink out of its neighbourhood."""
    for k in kinks:
        close = np.abs(x - k) < gap
        x = np.where(close, k + np.where(x >= k, gap, -gap) * 2, x)
    return x


def inputs(loss: lk.Loss, shape: tuple[int, ...], rng: np.random.Generator, soft: bool = False):
    """Valid float64 ``(y_true, y_pred)`` of ``shape`` (``shape[-1]`` classes for class-axis losses)."""
    name = loss.name
    if loss.class_axis:
        logits = rng.normal(0.0, 2.0, shape)
        lead = shape[:-1]
        k = shape[-1]
        labels = rng.integers(0, k, lead)
        if name == "multi_margin":
            s = _margin_scores(labels, logits, loss.margin)
            return labels, s
        if name == "categorical_hinge":
            onehot = np.eye(k)[labels]
            return onehot, _crammer_scores(labels, logits)
        if loss.integer_labels:
            y = labels
            if loss.params.get("ignore_index") is not None:
                y = np.where(rng.random(lead) < 0.25, loss.ignore_index, labels)
        elif soft or name == "kl_divergence":
            y = rng.dirichlet(np.ones(k), lead) if lead else rng.dirichlet(np.ones(k))
        else:
            y = np.eye(k)[labels]
        if loss.from_logits:
            return y, logits
        q = np.exp(logits - logits.max(-1, keepdims=True))
        q /= q.sum(-1, keepdims=True)
        q = np.clip(q, 0.03, None)  # away from eps clipping (0.02 in a setting)
        return y, q / q.sum(-1, keepdims=True)

    if loss.task == "binary":
        y = rng.integers(0, 2, shape).astype(float)
        if soft and name in ("binary_cross_entropy", "sigmoid_cross_entropy", "brier"):
            y = rng.random(shape)
        if getattr(loss, "from_logits", name in ("hinge", "squared_hinge", "modified_huber", "exponential")):
            s = rng.normal(0.0, 2.0, shape)
            t = np.where(y == 0, -1.0, y)
            z = _away(t * s, [1.0, -1.0])
            return y, z * t if not soft else s
        p = rng.uniform(0.03, 0.97, shape)
        return y, p

    y = rng.normal(0.0, 2.0, shape)
    r = rng.normal(0.0, 2.0, shape)
    if name in ("mae", "quantile", "mape", "rmse"):
        r = _away(r, [0.0])
    if name in ("huber",):
        r = _away(r, [loss.delta, -loss.delta, 0.0])
    if name == "poisson":
        y = rng.poisson(2.0, shape).astype(float)
        f = rng.normal(0.5, 1.0, shape) if loss.from_logits else rng.uniform(0.2, 5.0, shape)
        return y, f
    if name == "msle":
        y = rng.uniform(-0.5, 4.0, shape)
        return y, rng.uniform(-0.5, 4.0, shape)
    if name == "mape":
        y = np.where(np.abs(y) < 0.1, 0.5, y)
    return y, y + r


def _margin_scores(labels: np.ndarray, s: np.ndarray, margin: float) -> np.ndarray:
    """Scores with every ``margin - s_y + s_k`` at least 1e-2 from 0."""
    s_y = np.take_along_axis(s, labels[..., None], -1)
    d = _away(margin - s_y + s, [0.0])
    out = s_y - margin + d
    np.put_along_axis(out, labels[..., None], s_y, -1)
    return out


def _crammer_scores(labels: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Scores with a unique best wrong class and ``1 + max_wrong - s_y`` away from 0."""
    k = s.shape[-1]
    s = s + np.arange(k) * 1e-1  # break ties in the best wrong class
    s_y = np.take_along_axis(s, labels[..., None], -1)[..., 0]
    wrong = np.where(np.eye(k, dtype=bool)[labels], -np.inf, s)
    m = 1.0 + wrong.max(-1) - s_y
    shift = np.where(np.abs(m) < 1e-2, 0.5, 0.0)
    np.put_along_axis(s, labels[..., None], (s_y + shift)[..., None], -1)
    return s
