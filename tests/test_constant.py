"""best_constant: the claimed loss-minimising constant is what numerical minimisation finds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize

import losskit as lk
from cases import SETTINGS, inputs, setting_id
from conftest import backend

K = 5  # the class_weight settings of cases.py have 5 entries
N = 40


def _data(loss, rng):
    """Targets with every class (and both labels) present, and positive weights."""
    shape = (N, K) if loss.class_axis else (N,)
    for _ in range(100):
        y, _ = inputs(loss, shape, rng)
        if loss.class_axis:
            labels = y if loss.integer_labels else np.argmax(y, axis=-1)
            if set(np.unique(labels[labels >= 0]).tolist()) == set(range(K)):
                break
        elif loss.task != "binary" or len(np.unique(y)) == 2:
            break
    return y, rng.uniform(0.2, 3.0, N)


def _cost(loss, y, w, c):
    shape = (*y.shape, K) if loss.integer_labels else y.shape
    return float(loss(y, np.broadcast_to(np.asarray(c, dtype=float), shape).copy(), sample_weight=w))


def _bounds(loss, y):
    kind = loss.info.y_pred
    if kind == "probabilities":
        return 1e-9, 1.0 - 1e-9
    if kind == "rates (f >= 0)":
        return 1e-9, float(y.max()) + 1.0
    if kind == "values > -1":
        return -1.0 + 1e-9, float(y.max()) + 1.0
    if kind in ("logits", "scores", "log-rates"):
        return -30.0, 30.0
    return float(y.min()) - 1.0, float(y.max()) + 1.0


def _scalar_minimum(loss, y, w):
    """A global minimum over one constant: a dense grid, then Brent's method around its best point."""
    lo, hi = _bounds(loss, y)
    grid = np.linspace(lo, hi, 801)
    costs = [_cost(loss, y, w, c) for c in grid]
    i = int(np.argmin(costs))
    a, b = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    res = optimize.minimize_scalar(
        lambda c: _cost(loss, y, w, c), bounds=(a, b), method="bounded", options={"xatol": 1e-12}
    )
    return min(res.fun, costs[i])


def _class_weights(loss, y, w):
    """Per-class total weight, as the loss weighs samples (class weights, ignored labels)."""
    labels = y if loss.integer_labels else np.argmax(y, axis=-1)
    keep = labels >= 0
    cw = loss.params.get("class_weight")
    ws = w * (cw[labels.clip(0)] if cw is not None else 1.0) * keep
    return np.bincount(labels[keep], weights=ws[keep], minlength=K), ws.sum()


def _lp_minimum(loss, y, w):
    """The exact minimum of the piecewise-linear multiclass hinges over a constant score row, by LP."""
    wk, total = _class_weights(loss, y, w)
    pairs = [(j, k) for j in range(K) for k in range(K) if j != k]
    if loss.name == "multi_margin":  # min sum_j W_j sum_{k != j} u_jk / K,  u_jk >= m + c_k - c_j
        n = K + len(pairs)
        cost = np.concatenate([np.zeros(K), [wk[j] / K for j, _ in pairs]])
        a = np.zeros((len(pairs), n))
        for row, (j, k) in enumerate(pairs):
            a[row, k], a[row, j], a[row, K + row] = 1.0, -1.0, -1.0
        b = np.full(len(pairs), -loss.margin)
    else:  # categorical hinge: min sum_j W_j v_j,  v_j >= 1 + c_k - c_j
        n = 2 * K
        cost = np.concatenate([np.zeros(K), wk])
        a = np.zeros((len(pairs), n))
        for row, (j, k) in enumerate(pairs):
            a[row, k], a[row, j], a[row, K + j] = 1.0, -1.0, -1.0
        b = np.full(len(pairs), -1.0)
    bounds = [(None, None)] * K + [(0, None)] * (n - K)
    res = optimize.linprog(cost, A_ub=a, b_ub=b, bounds=bounds, method="highs")
    assert res.status == 0
    return res.fun / total


def _vector_minimum(loss, y, w):
    """A minimum over one row of K: softmax-parametrised for probability rows, BFGS from several starts."""
    if loss.name in ("multi_margin", "categorical_hinge"):
        return _lp_minimum(loss, y, w)
    probabilities = loss.info.y_pred == "probability rows"

    def row(z):
        z = np.concatenate([[0.0], z])
        if probabilities:
            e = np.exp(z - z.max())
            return e / e.sum()
        return z

    best = math.inf
    for start in (np.zeros(K - 1), np.linspace(-1, 1, K - 1), np.linspace(1, -1, K - 1)):
        res = optimize.minimize(lambda z: _cost(loss, y, w, row(z)), start, method="BFGS", options={"gtol": 1e-10})
        best = min(best, res.fun)
    return best


@pytest.mark.parametrize("loss", SETTINGS, ids=setting_id)
def test_best_constant_is_the_numerical_minimiser(loss, rng):
    y, w = _data(loss, rng)
    c = lk.best_constant(loss, y, w)
    assert isinstance(c, np.ndarray) and c.dtype == np.float64
    assert c.shape == ((K,) if loss.class_axis else ())
    found = _vector_minimum(loss, y, w) if loss.class_axis else _scalar_minimum(loss, y, w)
    at_c = _cost(loss, y, w, c)
    assert at_c <= found + 1e-9 * (1.0 + abs(found)), (at_c, found)
    if not loss.class_axis:  # and it is a local minimum to the last digits
        for h in (1e-6, -1e-6):
            assert at_c <= _cost(loss, y, w, float(c) + h * max(1.0, abs(float(c)))) + 1e-13 * (1 + abs(at_c))


def test_claimed_constants_are_the_named_statistics(rng):
    y = rng.normal(size=30)
    w = rng.uniform(0.5, 2.0, 30)
    assert float(lk.best_constant("mse", y, w)) == pytest.approx(np.average(y, weights=w), rel=1e-14)
    assert float(lk.best_constant("rmse", y)) == pytest.approx(y.mean(), rel=1e-14)
    assert float(lk.best_constant("mae", y)) == pytest.approx(np.median(y), rel=1e-15)  # even count: the midpoint
    assert float(lk.best_constant("mae", y[:29])) == np.median(y[:29])
    assert float(lk.best_constant(lk.get("quantile", quantile=0.9), y[:21])) == np.quantile(y[:21], 0.9)
    counts = rng.poisson(3.0, 30).astype(float)
    assert float(lk.best_constant("poisson", counts)) == pytest.approx(counts.mean(), rel=1e-14)
    assert float(lk.best_constant(lk.get("poisson", from_logits=True), counts)) == pytest.approx(np.log(counts.mean()))
    assert float(lk.best_constant("msle", counts)) == pytest.approx(np.expm1(np.log1p(counts).mean()), rel=1e-14)
    labels = (rng.random(30) < 0.3).astype(float)
    rate = labels.mean()
    assert float(lk.best_constant("bce", labels)) == pytest.approx(rate, rel=1e-14)
    assert float(lk.best_constant("sigmoid_cross_entropy", labels)) == pytest.approx(np.log(rate / (1 - rate)))
    assert float(lk.best_constant("exponential", labels)) == pytest.approx(0.5 * np.log(rate / (1 - rate)))
    assert float(lk.best_constant("squared_hinge", labels)) == pytest.approx(2 * rate - 1)
    assert float(lk.best_constant("hinge", labels)) == -1.0
    classes = rng.integers(0, 3, 30)
    freq = np.bincount(classes, minlength=3) / 30
    np.testing.assert_allclose(lk.best_constant("nll", classes), freq, rtol=1e-14)
    np.testing.assert_allclose(lk.best_constant(lk.get("nll", from_logits=True), classes), np.log(freq), rtol=1e-14)
    np.testing.assert_allclose(lk.best_constant("cce", np.eye(3)[classes]), freq, rtol=1e-14)


def test_huber_constant_lies_between_median_and_mean_and_ignores_a_far_outlier():
    y = np.array([0.9, 1.0, 1.05, 1.1, 1000.0])
    c = float(lk.best_constant("huber", y))
    assert np.median(y) < c < y.mean()
    assert c == pytest.approx(1.2625, abs=1e-12)  # 4c - 4.05 = 1: four inliers against the outlier's capped pull
    assert float(lk.best_constant("huber", np.array([0.9, 1.0, 1.05, 1.1, 1e9]))) == pytest.approx(c, abs=1e-12)


def test_intervals_of_minimisers_give_their_midpoint():
    assert float(lk.best_constant("mae", [1.0, 2.0, 4.0, 10.0])) == 3.0
    assert float(lk.best_constant("huber", [-10.0, 10.0])) == 0.0  # flat between -9 and 9
    assert float(lk.best_constant("hinge", [0.0, 1.0])) == 0.0
    np.testing.assert_array_equal(lk.best_constant("categorical_hinge", np.eye(2)[[0, 0, 1, 1]]), [0.5, 0.0])


def test_limits_where_no_finite_minimiser_exists():
    assert float(lk.best_constant(lk.get("poisson", from_logits=True), [0.0, 0.0])) == -math.inf
    assert float(lk.best_constant("sigmoid_cross_entropy", [1.0, 1.0])) == math.inf
    assert float(lk.best_constant(lk.get("focal", from_logits=True), [0.0, 0.0])) == -math.inf
    logits = lk.best_constant(lk.get("nll", from_logits=True), [0, 0, 2], n_classes=4)
    np.testing.assert_array_equal(logits, [np.log(2 / 3), -np.inf, np.log(1 / 3), -np.inf])
    # and the loss takes them: -inf logits on absent classes are masks
    assert float(lk.nll([0, 0, 2], np.tile(logits, (3, 1)), from_logits=True)) == pytest.approx(-np.log(4 / 27) / 3)


def test_weights_class_weights_and_ignored_labels_count_as_the_loss_counts_them():
    labels = np.array([0, 1, 1, -100, 2])
    loss = lk.get("nll", class_weight=[2.0, 1.0, 1.0], ignore_index=-100)
    np.testing.assert_allclose(lk.best_constant(loss, labels, [1.0, 1.0, 1.0, 5.0, 2.0]), [2 / 6, 2 / 6, 2 / 6])
    assert float(lk.best_constant("mse", [1.0, 5.0], [3.0, 1.0])) == 2.0
    assert float(lk.best_constant("mse", [1.0, 5.0, 100.0], [1.0, 1.0, 0.0])) == 3.0  # weight 0: left out
    pw = lk.get("bce", pos_weight=[1.0, 3.0])
    y = np.array([[1.0, 1.0], [0.0, 0.0]])
    assert float(lk.best_constant(pw, y)) == pytest.approx(4 / 6)  # (1 + 3) / (1 + 3 + 2)


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="weight 0"):
        lk.best_constant("mse", [1.0, 2.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="weight 0"):
        lk.best_constant("mse", np.zeros(0))
    with pytest.raises(ValueError, match="binary labels"):
        lk.best_constant("hinge", [0.0, 2.0])
    with pytest.raises(ValueError, match="class labels in"):
        lk.best_constant("nll", [0, 3], n_classes=3)
    with pytest.raises(TypeError, match="n_classes"):
        lk.best_constant("mse", [1.0], n_classes=2)
    with pytest.raises(ValueError, match="unknown loss"):
        lk.best_constant("msee", [1.0])


@pytest.mark.parametrize("name", ["numpy", "array_api_strict", "torch"])
def test_the_constant_comes_back_in_the_targets_library(name, rng):
    xp = backend(name)
    y = rng.normal(size=20)
    for loss in ("mse", "mae", "huber"):
        c = lk.best_constant(loss, xp.asarray(y))
        assert xp.is_native(c)
        assert float(xp.numpy(c)) == pytest.approx(float(lk.best_constant(loss, y)), rel=1e-12)
    probs = lk.best_constant("nll", xp.asarray(rng.integers(0, 3, 20)))
    assert xp.is_native(probs) and tuple(probs.shape) == (3,)


@pytest.mark.parametrize("seed", range(12))
def test_weston_watkins_tiers_match_linear_programming_for_skewed_classes(seed):
    rng = np.random.default_rng(seed)
    loss = lk.get("multi_margin", margin=float(rng.uniform(0.3, 2.0)))
    counts = rng.geometric(0.3, K) * rng.integers(1, 4, K)  # skewed class sizes: several tiers pay off
    labels = np.repeat(np.arange(K), counts)
    w = rng.uniform(0.5, 1.5, labels.size)
    c = lk.best_constant(loss, labels, w, n_classes=K)
    assert _cost(loss, labels, w, c) <= _lp_minimum(loss, labels, w) + 1e-12
