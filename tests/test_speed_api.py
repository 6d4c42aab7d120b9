"""The API for speed: out= buffers and the fused value_and_gradient / gradient_and_hessian."""

from __future__ import annotations

import numpy as np
import pytest

import losskit as lk
from cases import SETTINGS, K, inputs, setting_id
from conftest import backend

REDUCTIONS = ["none", "mean", "sum"]


def _shape(loss):
    return (6, K) if loss.class_axis else (4, 3)


@pytest.mark.parametrize("loss", SETTINGS, ids=setting_id)
def test_fused_calls_equal_the_separate_ones(loss, rng):
    y, f = inputs(loss, _shape(loss), rng)
    w = rng.uniform(0.0, 2.0, f.shape[0])
    for reduction in REDUCTIONS:
        kw = {"sample_weight": w, "reduction": reduction}
        value, grad = loss.value_and_gradient(y, f, **kw)
        np.testing.assert_array_equal(value, loss(y, f, **kw))
        np.testing.assert_array_equal(grad, loss.gradient(y, f, **kw))
        if loss.hessian_diagonal:
            grad2, hess = loss.gradient_and_hessian(y, f, **kw)
            np.testing.assert_array_equal(grad2, grad)
            np.testing.assert_array_equal(hess, loss.hessian(y, f, **kw))
        else:
            with pytest.raises(NotImplementedError, match="not diagonal"):
                loss.gradient_and_hessian(y, f, **kw)


@pytest.mark.parametrize("loss", SETTINGS, ids=setting_id)
@pytest.mark.parametrize("name", ["numpy", "torch"])
def test_out_buffers_are_written_and_returned(loss, name, rng):
    b = backend(name)
    y, f = inputs(loss, _shape(loss), rng)
    yb, fb = b.asarray(y), b.asarray(f)
    g_out = b.asarray(np.full(f.shape, np.nan))
    got = loss.gradient(yb, fb, out=g_out)
    assert got is g_out
    np.testing.assert_array_equal(b.numpy(g_out), b.numpy(loss.gradient(yb, fb)))
    g_out = b.asarray(np.full(f.shape, np.nan))
    value, got = loss.value_and_gradient(yb, fb, out=g_out, reduction="sum")
    assert got is g_out
    np.testing.assert_array_equal(b.numpy(value), b.numpy(loss(yb, fb, reduction="sum")))
    np.testing.assert_array_equal(b.numpy(g_out), b.numpy(loss.gradient(yb, fb, reduction="sum")))
    if loss.hessian_diagonal:
        pair = (b.asarray(np.full(f.shape, np.nan)), b.asarray(np.full(f.shape, np.nan)))
        g, h = loss.gradient_and_hessian(yb, fb, out=pair)
        assert g is pair[0] and h is pair[1]
        np.testing.assert_array_equal(b.numpy(h), b.numpy(loss.hessian(yb, fb)))


def test_out_must_match_shape_dtype_and_library():
    loss = lk.get("mse")
    y, f = np.zeros(4), np.ones(4)
    with pytest.raises(ValueError, match=r"`out` must have shape \(4,\) and dtype float64; got shape \(3,\)"):
        loss.gradient(y, f, out=np.empty(3))
    with pytest.raises(ValueError, match="dtype float64; got shape \\(4,\\) and dtype float32"):
        loss.gradient(y, f, out=np.empty(4, np.float32))
    with pytest.raises(TypeError, match="`out` must be an array of the type of `y_pred`"):
        loss.gradient(y, f, out=[0.0] * 4)
    jnp = pytest.importorskip("jax.numpy")
    with pytest.raises(TypeError, match="immutable"):
        loss.gradient(jnp.zeros(4), jnp.ones(4), out=jnp.empty(4))


def test_num_threads_and_config():
    before = lk.get_num_threads()
    assert before >= 1
    lk.set_num_threads(1)
    try:
        assert lk.get_num_threads() == 1
        assert lk.mse([1.0, 2.0], [1.5, 1.0]) == 0.625
    finally:
        lk.set_num_threads(before)
    with pytest.raises(ValueError, match="`n` must be a positive integer"):
        lk.set_num_threads(0)
    config = lk.show_config(print_=False)
    assert config["path"] in ("native", "reference")
    assert config["version"] == lk.__version__
