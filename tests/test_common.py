"""Tests every registered loss gets for free: derivatives, reductions, weights, dtypes, identity."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import losskit as lk
from cases import SETTINGS, K, inputs, setting_id
from conftest import backend

REDUCTIONS = ["none", "mean", "sum"]
DIAGONAL = [loss for loss in SETTINGS if loss.hessian_diagonal]


def _shape(loss, elementwise=(4, 3)):
    return (6, K) if loss.class_axis else elementwise


def _stencil(fun, x, index_sets, h):
    """4th-order central difference of ``fun`` along each boolean mask in ``index_sets``."""
    out = np.zeros_like(x)
    for mask in index_sets:
        step = np.where(mask, h * np.maximum(1.0, np.abs(x)), 0.0)
        d = (-fun(x + 2 * step) + 8 * fun(x + step) - 8 * fun(x - step) + fun(x - 2 * step)) / 12.0
        out = out + np.where(mask, d / np.where(mask, step, 1.0), 0.0)
    return out


def _masks(loss, x, reduction):
    """Perturbation groups: elements whose derivatives can be read off one evaluation."""
    if reduction != "none":
        return [np.arange(x.size).reshape(x.shape) == i for i in range(x.size)]
    if loss.class_axis:  # one class column at a time: each sample's value depends on its row only
        return [np.broadcast_to(np.arange(x.shape[-1]) == k, x.shape) for k in range(x.shape[-1])]
    return [np.ones(x.shape, dtype=bool)]


def _summed(values, reduction, loss, x_shape):
    """Make a per-value "none" result comparable elementwise with the perturbed input."""
    values = np.asarray(values)
    if reduction == "none" and loss.class_axis:
        return np.broadcast_to(values[..., None], x_shape)
    return values


# Finite differences need thousands of small evaluations: on the eager backends. Dask and JAX
# run the same code and are held to the NumPy results exactly (test_backends.py, conformance).
EAGER = ["numpy", "array_api_strict", "torch"]


@pytest.fixture(params=EAGER)
def eager(request):
    return backend(request.param)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("loss", SETTINGS, ids=setting_id)
def test_gradient_matches_finite_differences(loss, reduction, weighted, rng, eager):
    xp = eager
    y, f = inputs(loss, _shape(loss), rng)
    w = rng.uniform(0.5, 2.0, f.shape[:1]) if weighted else None
    yb, wb = xp.asarray(y), xp.asarray(w)

    def value(x):
        # perturbed probability rows leave the simplex: no validation inside the stencil
        value = loss(yb, xp.asarray(x), reduction=reduction, sample_weight=wb, validate=False)
        return _summed(xp.numpy(value), reduction, loss, x.shape)

    numeric = _stencil(value, f, _masks(loss, f, reduction), 1e-4 if loss.name != "exponential" else 1e-5)
    analytic = loss.gradient(yb, xp.asarray(f), reduction=reduction, sample_weight=wb)
    assert xp.is_native(analytic)
    assert analytic.shape == f.shape
    np.testing.assert_allclose(xp.numpy(analytic), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("loss", DIAGONAL, ids=setting_id)
def test_hessian_matches_finite_differences_of_gradient(loss, reduction, rng, eager):
    xp = eager
    y, f = inputs(loss, _shape(loss), rng)
    w = rng.uniform(0.5, 2.0, f.shape[:1])
    yb, wb = xp.asarray(y), xp.asarray(w)

    def grad(x):
        return xp.numpy(loss.gradient(yb, xp.asarray(x), reduction=reduction, sample_weight=wb, validate=False))

    # d g_i / d f_i: perturbing one class column (or every element) at once reads the diagonal
    masks = [np.broadcast_to(np.arange(f.shape[-1]) == k, f.shape) for k in range(f.shape[-1])]
    numeric = _stencil(grad, f, masks, 1e-4)
    analytic = loss.hessian(yb, xp.asarray(f), reduction=reduction, sample_weight=wb)
    assert xp.is_native(analytic)
    assert analytic.shape == f.shape
    np.testing.assert_allclose(xp.numpy(analytic), numeric, rtol=1e-6, atol=1e-7)


def test_rmse_hessian_is_refused_for_every_reduction():
    loss = lk.get("rmse")
    for reduction in REDUCTIONS:
        with pytest.raises(NotImplementedError, match="not diagonal"):
            loss.hessian([1.0, 2.0], [1.5, 2.5], reduction=reduction)


@pytest.mark.parametrize("loss", SETTINGS, ids=setting_id)
def test_reductions_agree(loss, rng, xp):
    """The "sum" is the sum of "none"; "mean" is "sum" over the number of values: value, gradient, Hessian."""
    y, f = inputs(loss, _shape(loss), rng)
    yb, fb = xp.asarray(y), xp.asarray(f)
    none = xp.numpy(loss(yb, fb, reduction="none"))
    total = xp.numpy(loss(yb, fb, reduction="sum"))
    mean = xp.numpy(loss(yb, fb))
    n = none.size
    if loss.name == "rmse":
        np.testing.assert_allclose(mean, np.sqrt(np.mean(none**2)), rtol=1e-12)
        np.testing.assert_allclose(total, np.sqrt(np.sum(none**2)), rtol=1e-12)
        return
    if loss.params.get("ignore_index") is not None:
        n = int(np.sum(y != loss.ignore_index))
    if loss.params.get("class_weight") is None:
        np.testing.assert_allclose(total, none.sum(), rtol=1e-12)
        np.testing.assert_allclose(mean * n, total, rtol=1e-12)
        derivatives = [loss.gradient] + ([loss.hessian] if loss.hessian_diagonal else [])
        for d in derivatives:
            d_sum = xp.numpy(d(yb, fb, reduction="sum"))
            np.testing.assert_allclose(d_sum, xp.numpy(d(yb, fb, reduction="none")), rtol=1e-12)
            np.testing.assert_allclose(xp.numpy(d(yb, fb)) * n, d_sum, rtol=1e-12)


@pytest.mark.parametrize("loss", SETTINGS, ids=setting_id)
def test_weights(loss, rng):
    """Unit weights are no weights; integer weights repeat rows; zero weights mask inf and nan."""
    y, f = inputs(loss, _shape(loss), rng)
    n = f.shape[0]
    ones = np.ones(n)
    for call in (loss.__call__, loss.gradient):
        for reduction in REDUCTIONS:
            np.testing.assert_allclose(
                call(y, f, sample_weight=ones, reduction=reduction),
                call(y, f, reduction=reduction),
                rtol=1e-13,
            )
    counts = rng.integers(0, 4, n)
    counts[0] = max(counts[0], 1)
    repeated = loss(np.repeat(y, counts, axis=0), np.repeat(f, counts, axis=0))
    np.testing.assert_allclose(loss(y, f, sample_weight=counts), repeated, rtol=1e-12)
    if loss.name != "rmse":
        np.testing.assert_allclose(
            loss(y, f, sample_weight=counts, reduction="sum"),
            loss(np.repeat(y, counts, axis=0), np.repeat(f, counts, axis=0), reduction="sum"),
            rtol=1e-12,
        )


@pytest.mark.parametrize("loss", SETTINGS, ids=setting_id)
def test_zero_weight_rows_are_masked_even_with_bad_data(loss, rng, xp):
    """A weight of 0 removes a row entirely: its value may be anything, even nan."""
    y, f = inputs(loss, _shape(loss), rng)
    w = np.ones(f.shape[0])
    w[1] = 0.0
    f_bad = f.copy()
    f_bad[1] = np.nan
    yb, wb = xp.asarray(y), xp.asarray(w)
    for call in (loss.__call__, loss.gradient):
        for reduction in REDUCTIONS:
            ref = xp.numpy(call(yb, xp.asarray(f), sample_weight=wb, reduction=reduction))
            got = xp.numpy(call(yb, xp.asarray(f_bad), sample_weight=wb, reduction=reduction))
            assert not np.isnan(got).any()
            np.testing.assert_allclose(got, ref, rtol=1e-13)
    g = xp.numpy(loss.gradient(yb, xp.asarray(f_bad), sample_weight=wb, reduction="none"))
    assert np.all(g[1] == 0)


@pytest.mark.parametrize("loss", [s for s in SETTINGS if not s.class_axis], ids=setting_id)
def test_element_weights_and_row_weights(loss, rng, xp):
    """A (N,) weight on (N, K) elementwise values equals the same weight repeated on each element."""
    y, f = inputs(loss, (5, 3), rng)
    w = rng.uniform(0.0, 2.0, 5)
    full = np.repeat(w[:, None], 3, axis=1)
    yb, fb = xp.asarray(y), xp.asarray(f)
    for call in (loss.__call__, loss.gradient):
        for reduction in REDUCTIONS:
            np.testing.assert_allclose(
                xp.numpy(call(yb, fb, sample_weight=xp.asarray(w), reduction=reduction)),
                xp.numpy(call(yb, fb, sample_weight=xp.asarray(full), reduction=reduction)),
                rtol=1e-13,
            )


@pytest.mark.parametrize("loss", SETTINGS, ids=setting_id)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_library_and_dtype_are_kept(loss, dtype, rng, xp):
    """Arrays of a library in, arrays of that library out, in the input's dtype."""
    y, f = inputs(loss, _shape(loss), rng)
    fb = xp.asarray(f.astype(dtype))
    yb = xp.asarray(y if loss.integer_labels else y.astype(dtype))
    calls = [loss.__call__, loss.gradient] + ([loss.hessian] if loss.hessian_diagonal else [])
    for call in calls:
        for reduction in REDUCTIONS:
            out = call(yb, fb, reduction=reduction)
            assert xp.is_native(out), type(out)
            assert out.dtype == xp.dtype(dtype)


@pytest.mark.parametrize("loss", SETTINGS, ids=setting_id)
def test_float32_agrees_with_float64(loss, rng, xp):
    """float32 results are within a few float32 ulps of the float64 result on the same values."""
    y, f = inputs(loss, _shape(loss, (200,)), rng)
    f32 = f.astype(np.float32)
    y32 = y if loss.integer_labels else y.astype(np.float32)
    y64 = y if loss.integer_labels else y32.astype(np.float64)
    eps = np.finfo(np.float32).eps
    calls = [loss.__call__, loss.gradient] + ([loss.hessian] if loss.hessian_diagonal else [])
    for call in calls:
        # float32 rows summing to 1 within float32 rounding do not within float64's sqrt(eps)
        ref = np.asarray(call(y64, f32.astype(np.float64), reduction="none", validate=False))
        got = xp.numpy(call(xp.asarray(y32), xp.asarray(f32), reduction="none")).astype(np.float64)
        scale = np.max(np.abs(ref)) if ref.size else 1.0
        np.testing.assert_allclose(got, ref, rtol=8 * eps, atol=8 * eps * scale)


@pytest.mark.parametrize("name", ["numpy", "torch"])
def test_mean_of_ten_million_float32_accumulates_in_float64(name):
    xp = backend(name)
    rng = np.random.default_rng(0)
    n = 10_000_000
    y = rng.normal(size=n).astype(np.float32)
    f = (y + rng.normal(size=n)).astype(np.float32)
    got = lk.mse(xp.asarray(y), xp.asarray(f))
    assert got.dtype == xp.dtype("float32")
    got = xp.numpy(got)
    r = f.astype(np.float64) - y.astype(np.float64)
    exact = np.sum(r * r) / n
    assert abs(float(got) - exact) <= 1e-6 * exact


# -- identity of Loss objects ---------------------------------------------------------------------


@pytest.mark.parametrize("loss", SETTINGS, ids=setting_id)
def test_loss_objects_pickle_compare_and_hash(loss):
    clone = pickle.loads(pickle.dumps(loss))
    assert clone == loss
    assert hash(clone) == hash(loss)
    assert repr(clone) == repr(loss)
    assert lk.get(loss.name, **loss.params) == loss
    assert eval(repr(loss), vars(lk.losses)) == loss  # the repr is the constructor call


@pytest.mark.parametrize("loss", SETTINGS, ids=setting_id)
def test_loss_objects_are_immutable(loss):
    with pytest.raises(AttributeError, match="immutable"):
        loss.name = "other"
    with pytest.raises(AttributeError, match="immutable"):
        loss.anything = 1


@pytest.mark.parametrize("loss", SETTINGS, ids=setting_id)
def test_functional_form_equals_the_object(loss, rng):
    y, f = inputs(loss, _shape(loss), rng)
    fn = getattr(lk, loss.name)
    np.testing.assert_array_equal(fn(y, f, reduction="none", **loss.params), loss(y, f, reduction="none"))


@pytest.mark.parametrize("name", lk.names())
def test_aliases_equal_their_canonical_loss(name, rng):
    canonical = lk.get(name)
    y, f = inputs(canonical, _shape(canonical), rng)
    for alias, in_upper in [(a, a.upper()) for a in type(canonical).aliases]:
        for spelled in (alias, in_upper, alias.replace("_", "-")):
            loss = lk.get(spelled)
            assert loss == canonical
            np.testing.assert_array_equal(loss(y, f, reduction="none"), canonical(y, f, reduction="none"))
