"""The numerical requirements of LOSSES.md: extreme logits, exact 0/1 probabilities, huge and tiny residuals."""

from __future__ import annotations

import math

import numpy as np
import pytest
from mpmath import mp

import losskit as lk
from losskit import _stable

FLOATS = [np.float32, np.float64]
mp.dps = 50


def _all_finite(*arrays):
    return all(np.all(np.isfinite(np.asarray(a, dtype=np.float64))) for a in arrays)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", ["binary_cross_entropy", "binary_focal"])
def test_binary_logits_up_to_1e4_and_dtype_max(name, dtype):
    loss = lk.get(name, from_logits=True)
    big = np.finfo(dtype).max
    s = np.array([-1e4, -50.0, 0.0, 50.0, 1e4, -big, big], dtype=dtype)
    for label in (0.0, 1.0):
        y = np.full_like(s, label)
        v = loss(y, s, reduction="none")
        g = loss.gradient(y, s, reduction="none")
        h = loss.hessian(y, s, reduction="none")
        assert _all_finite(v, g, h)
    # a confident wrong logit of 1e4 costs 1e4 nats and its gradient saturates at -1
    one = np.ones(1, dtype)
    v = lk.binary_cross_entropy(one, np.array([-1e4], dtype), from_logits=True, reduction="none")
    assert v[0] == pytest.approx(1e4, rel=1e-7)
    g = lk.get("bce", from_logits=True).gradient(one, np.array([-1e4], dtype), reduction="none")
    assert g[0] == -1.0
    # the right answer costs exactly 0 in the limit, and never a negative number
    v = lk.binary_cross_entropy(one, np.array([big], dtype), from_logits=True, reduction="none")
    assert v[0] == 0.0


@pytest.mark.parametrize("dtype", FLOATS)
def test_bce_logit_gradient_keeps_tiny_values(dtype):
    """sigmoid(s) - y for y = 1 and large s is -sigmoid(-s): kept to full relative precision."""
    s = np.array([30.0], dtype)
    g = lk.get("bce", from_logits=True).gradient(np.ones(1, dtype), s, reduction="none")
    assert g[0] == pytest.approx(-math.exp(-30.0) / (1 + math.exp(-30.0)), rel=1e-6)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", ["binary_cross_entropy", "binary_focal", "brier"])
def test_probabilities_of_exactly_zero_and_one(name, dtype):
    y = np.array([0.0, 0.0, 1.0, 1.0], dtype)
    p = np.array([0.0, 1.0, 0.0, 1.0], dtype)
    loss = lk.get(name)
    v, g = loss(y, p, reduction="none"), loss.gradient(y, p, reduction="none")
    assert _all_finite(v, g, loss.hessian(y, p, reduction="none"))
    if name == "brier":
        return
    assert v[0] < 1e-6 and v[3] < 1e-6  # right answers cost (almost) nothing
    eps = np.finfo(dtype).eps
    assert v[1] == pytest.approx(-math.log(eps), rel=1e-5)  # clipped to eps
    exact = lk.get(name, eps=0.0)
    v0 = exact(y, p, reduction="none")
    assert v0[0] == 0.0 and v0[3] == 0.0
    assert np.isinf(v0[1]) and np.isinf(v0[2]) and v0[1] > 0
    assert not np.isnan(exact.gradient(y, p, reduction="none")).any()
    assert not np.isnan(exact.hessian(y, p, reduction="none")).any()


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", ["softmax_cross_entropy", "sparse_categorical_cross_entropy", "kl_divergence"])
def test_class_logits_up_to_1e4_and_masked_classes(name, dtype):
    loss = lk.get(name, from_logits=True) if name != "softmax_cross_entropy" else lk.get(name)
    s = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 3.0], [2.0, -np.inf, 1.0], [-np.inf, 0.0, 1.0]], dtype)
    labels = np.array([0, 0, 0, 1])
    y = labels if loss.integer_labels else np.eye(3, dtype=dtype)[labels]
    v = loss(y, s, reduction="none")
    g = loss.gradient(y, s, reduction="none")
    assert _all_finite(v, g, loss.hessian(y, s, reduction="none"))
    assert v[0] == 0.0
    assert v[1] == pytest.approx(2e4, rel=1e-6)
    assert v[2] == pytest.approx(math.log1p(math.exp(-1.0)), rel=1e-6)  # -inf class has no probability
    # a -inf logit on the true class: infinite loss, never nan
    v = loss(y[:1], np.array([[-np.inf, 0.0, 1.0]], dtype), reduction="none")
    assert np.isposinf(v[0])


def test_float32_log_softmax_with_huge_logits_is_exact():
    """(s - max) - log(sum(exp(s - max))) keeps logits of 1e6 exact in float32 (FACTS.md)."""
    s = np.array([[1e6, 1e6 - 1.0, 1e6 - 2.0]], np.float32)
    v = lk.sparse_categorical_cross_entropy(np.array([1]), s, from_logits=True, reduction="none")
    expected = float(mp.log(1 + mp.e + mp.e**-1))
    assert v[0] == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("dtype", FLOATS)
def test_pseudo_huber_huge_and_tiny_residuals(dtype):
    big = np.finfo(dtype).max
    y = np.zeros(4, dtype)
    f = np.array([big, -big / 2, 1e-20, dtype(np.finfo(dtype).tiny) * 4], dtype)
    loss = lk.get("pseudo_huber", delta=1.0)
    v = loss(y, f, reduction="none")
    g = loss.gradient(y, f, reduction="none")
    assert _all_finite(v[:2], g)
    assert v[0] == pytest.approx(float(big), rel=1e-6)  # delta * |r| for huge r
    assert g[0] == pytest.approx(1.0, rel=1e-6) and g[1] == pytest.approx(-1.0, rel=1e-6)
    assert v[2] == pytest.approx(0.5e-40, rel=1e-6) if dtype is np.float64 else v[2] >= 0
    # no sqrt(1 + x) - 1 cancellation: a small residual keeps every digit
    r = dtype(1e-3)
    ref = float(mp.sqrt(1 + mp.mpf(float(r)) ** 2) - 1)
    assert loss(np.zeros(1, dtype), np.array([r]), reduction="none")[0] == pytest.approx(ref, rel=4e-7)


@pytest.mark.parametrize("dtype", FLOATS)
def test_log_cosh_huge_and_tiny_residuals(dtype):
    big = np.finfo(dtype).max
    r = np.array([big, -big, 800.0, 1e-10, 0.5, 3.0], dtype)
    loss = lk.get("log_cosh")
    v = loss(np.zeros_like(r), r, reduction="none")
    assert _all_finite(v, loss.gradient(np.zeros_like(r), r), loss.hessian(np.zeros_like(r), r))
    for got, x in zip(v, r.astype(np.float64), strict=True):
        ref = float(mp.log(mp.cosh(mp.mpf(float(x))))) if abs(x) < 1e6 else abs(float(x)) - math.log(2)
        assert got == pytest.approx(ref, rel=4 * float(np.finfo(dtype).eps), abs=0)


@pytest.mark.parametrize("dtype", FLOATS)
def test_log_cosh_hessian_has_no_cancellation(dtype):
    """sech^2(r) for r = 20 is 4e^-40: 1 - tanh^2 would give exactly 0."""
    h = lk.get("log_cosh").hessian(np.zeros(1, dtype), np.array([20.0], dtype), reduction="none")
    assert h[0] == pytest.approx(float(1 / mp.cosh(20) ** 2), rel=1e-5)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", ["mse", "mae", "huber", "quantile", "mape", "rmse"])
def test_huge_residuals_are_inf_only_where_the_value_overflows(name, dtype):
    big = np.finfo(dtype).max / 4
    y = np.array([1.0, 1.0], dtype)
    f = np.array([big, -big], dtype)
    v = lk.get(name)(y, f, reduction="none")
    assert not np.isnan(v).any()
    if name == "mse":
        assert np.isposinf(v).all()  # (max/4)^2 overflows: inf is the right float answer
    else:
        assert np.isfinite(v).all()
    assert np.isfinite(lk.get(name).gradient(y, f, reduction="none")).all() or name == "mse"


def test_stable_helpers_at_extremes():
    x = np.array([-np.inf, -1e308, -745.0, 0.0, 745.0, 1e308, np.inf])
    sp = _stable.softplus(x, np)
    assert sp[0] == 0.0 and sp[-1] == np.inf and sp[3] == pytest.approx(math.log(2))
    sig, sig_neg = _stable.sigmoid_pair(x, np)
    np.testing.assert_array_equal(sig + sig_neg, np.ones_like(x))
    assert not np.isnan(_stable.sigmoid_product(x, np)).any()
    np.testing.assert_array_equal(_stable.xlogy(np.zeros(2), np.array([0.0, 1.0]), np), [0.0, 0.0])
    np.testing.assert_array_equal(_stable.xdivy(np.zeros(2), np.array([0.0, 1.0]), np), [0.0, 0.0])


@pytest.mark.parametrize("shape", [(7,), (100, 10), (3, 4, 33), (5, 0), (2, 1000)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_row_sum_is_the_class_axis_sum(shape, dtype, rng):
    """``_array.row_sum`` (einsum on NumPy): the sum over the last axis, in the asked dtype."""
    from losskit._array import row_sum

    x = rng.normal(size=shape).astype(dtype)
    expect = np.sum(x.astype(np.float64), axis=-1)
    got = row_sum(x, np)
    assert got.dtype == dtype and got.shape == shape[:-1]
    np.testing.assert_allclose(got, expect, rtol=1e-5 if dtype == np.float32 else 1e-13, atol=1e-5)
    wide = row_sum(x, np, dtype=np.float64, keepdims=True)
    assert wide.dtype == np.float64 and wide.shape == (*shape[:-1], 1)
    np.testing.assert_allclose(wide[..., 0], expect, rtol=1e-13, atol=1e-12)


@pytest.mark.parametrize(
    "shape", [(7,), (100, 1), (100, 2), (100, 10), (3, 4, 33), (5, 0, 3), (20, 47), (2, 48), (2, 1000)]
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_row_max_is_the_class_axis_max(shape, dtype, rng):
    """``_array.row_max`` (a loop over the columns on NumPy under 48 classes): np.max's values,
    nan and infinities included, in the input's dtype, with and without keepdims."""
    from losskit._array import row_max

    x = rng.normal(size=shape).astype(dtype)
    if x.size >= 20:
        flat = x.reshape(-1)
        flat[[1, 5, 11]] = [np.nan, np.inf, -np.inf]
        flat[-8:] = -np.inf  # rows of -inf only, where the last axis is short
    expect = np.max(x, axis=-1, keepdims=True)
    got = row_max(x, np, keepdims=True)
    assert got.dtype == dtype and got.shape == expect.shape
    np.testing.assert_array_equal(got, expect)
    np.testing.assert_array_equal(row_max(x, np), expect[..., 0])
    assert np.shares_memory(row_max(x, np), x) is False  # a new array, never a view of the input


def test_all_finite_reads_back_only_when_allowed_and_trusts_the_checked_array():
    """``all_finite`` (the cheaper-form switch): False without permission to read data back
    (validate=False, lazy arrays); True without a second sum for the array the checks proved."""
    from losskit._stable import all_finite, read_back

    x = np.array([1.0, 2.0])
    bad = np.array([1.0, np.inf])
    assert not all_finite(x, np)  # outside a call: no permission
    with read_back(False):
        assert not all_finite(x, np)
    with read_back(True):
        assert all_finite(x, np) and not all_finite(bad, np)
    with read_back(False, bad):  # identity, not values: what the call's checks proved
        assert all_finite(bad, np) and not all_finite(x, np)


def test_binary_cross_entropy_from_logits_sums_its_logits_once(rng):
    """The value checks' finite screen of y_pred is reused by the formula: on torch one
    full-size sum for the check, one for the mean (y_true's screen is min/max)."""
    torch = pytest.importorskip("torch")
    from torch.utils._python_dispatch import TorchDispatchMode

    n = 1000
    y = torch.asarray((rng.uniform(size=n) < 0.5).astype(np.float64))
    f = torch.asarray(rng.normal(size=n))

    class CountSums(TorchDispatchMode):
        sums = 0

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            if func.__name__.startswith("sum") and tuple(args[0].shape) == (n,):
                CountSums.sums += 1
            return func(*args, **(kwargs or {}))

    with CountSums():
        lk.sigmoid_cross_entropy(y, f)
    assert CountSums.sums == 2
