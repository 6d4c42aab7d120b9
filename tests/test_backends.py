"""One implementation on every array library: autodiff through it, lazy and traced arrays,
devices and host copies, mixed inputs, half precision and integer labels."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import losskit as lk
from cases import SETTINGS, K, inputs, setting_id
from conftest import backend
from losskit import _fast

REDUCTIONS = ["none", "mean", "sum"]
DIAGONAL = [s for s in SETTINGS if s.hessian_diagonal]


def _shape(loss):
    return (6, K) if loss.class_axis else (4, 3)


def _calls(loss):
    return [loss.__call__, loss.gradient] + ([loss.hessian] if loss.hessian_diagonal else [])


# -- autodiff through the value equals the analytic derivatives ---------------------------------


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("loss", SETTINGS, ids=setting_id)
def test_torch_autograd_equals_the_analytic_gradient(loss, weighted, rng):
    torch = backend("torch").module
    y, f = inputs(loss, _shape(loss), rng)
    w = torch.asarray(rng.uniform(0.5, 2.0, f.shape[0])) if weighted else None
    yt, ft = torch.asarray(y), torch.asarray(f).requires_grad_(True)
    value = loss(yt, ft, sample_weight=w)
    value.backward()
    analytic = loss.gradient(yt, ft.detach(), sample_weight=w)
    torch.testing.assert_close(ft.grad, analytic, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("loss", DIAGONAL, ids=setting_id)
def test_torch_double_backward_equals_the_analytic_hessian(loss, rng):
    torch = backend("torch").module
    y, f = inputs(loss, _shape(loss), rng)
    yt, ft = torch.asarray(y), torch.asarray(f).requires_grad_(True)
    (grad,) = torch.autograd.grad(loss(yt, ft, reduction="sum"), ft, create_graph=True)
    diag = torch.zeros_like(ft)
    for k in range(
        f.shape[-1] if grad.requires_grad else 0
    ):  # a piecewise-linear loss: 0  # samples are independent: one class column at a time reads the diagonal
        column = torch.zeros_like(ft)
        column[..., k] = 1.0
        (row,) = torch.autograd.grad(grad, ft, grad_outputs=column, retain_graph=True, allow_unused=True)
        if row is not None:
            diag[..., k] = row[..., k]
    analytic = loss.hessian(yt, ft.detach(), reduction="sum")
    torch.testing.assert_close(diag, analytic, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("loss", SETTINGS, ids=setting_id)
def test_jax_grad_and_hessian_equal_the_analytic_ones(loss, rng):
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    y, f = inputs(loss, _shape(loss), rng)
    yj, fj = jnp.asarray(y), jnp.asarray(f)
    w = jnp.asarray(rng.uniform(0.5, 2.0, f.shape[0]))
    grad = jax.grad(lambda x: loss(yj, x, sample_weight=w))(fj)
    np.testing.assert_allclose(grad, loss.gradient(yj, fj, sample_weight=w), rtol=1e-10, atol=1e-12)
    if loss.hessian_diagonal:
        full = jax.hessian(lambda x: loss(yj, x, reduction="sum"))(fj).reshape(f.size, f.size)
        diag = jnp.diagonal(full).reshape(f.shape)
        np.testing.assert_allclose(diag, loss.hessian(yj, fj, reduction="sum"), rtol=1e-9, atol=1e-11)


# -- lazy and traced arrays: nothing forces evaluation -------------------------------------------


@pytest.mark.parametrize("loss", SETTINGS, ids=setting_id)
def test_every_loss_under_jax_jit(loss, rng):
    jax = pytest.importorskip("jax")
    y, f = inputs(loss, _shape(loss), rng)
    w = rng.uniform(0.0, 2.0, f.shape[0])
    yj, fj, wj = (jax.numpy.asarray(a) for a in (y, f, w))
    for call in _calls(loss):
        for reduction in REDUCTIONS:
            jitted = jax.jit(lambda a, b, c, call=call, r=reduction: call(a, b, sample_weight=c, reduction=r))
            got = jitted(yj, fj, wj)
            np.testing.assert_allclose(got, call(y, f, sample_weight=w, reduction=reduction), rtol=1e-12, atol=1e-14)


def _no_compute(*args, **kwargs):
    raise AssertionError("losskit forced a Dask computation")


@pytest.mark.parametrize("loss", SETTINGS, ids=setting_id)
def test_every_loss_on_dask_stays_lazy(loss, rng):
    dask = pytest.importorskip("dask")
    b = backend("dask")
    y, f = inputs(loss, _shape(loss), rng)
    w = rng.uniform(0.0, 2.0, f.shape[0])
    for call in _calls(loss):
        for reduction in REDUCTIONS:
            with dask.config.set(scheduler=_no_compute):
                out = call(b.asarray(y), b.asarray(f), sample_weight=b.asarray(w), reduction=reduction)
            assert b.is_native(out)
            got = out.compute(scheduler="sync")
            np.testing.assert_allclose(got, call(y, f, sample_weight=w, reduction=reduction), rtol=1e-12, atol=1e-14)


def test_lazy_arrays_skip_value_checks_but_not_shape_checks():
    jax = pytest.importorskip("jax")
    b = backend("dask")
    bad_p = np.array([0.5, 1.5])
    # on eager arrays a probability of 1.5 is an error; a lazy array is not read to find it
    with pytest.raises(ValueError, match="probabilities in"):
        lk.bce(jax.numpy.asarray([0.0, 1.0]), jax.numpy.asarray(bad_p))
    lk.bce(b.asarray([0.0, 1.0]), b.asarray(bad_p))
    jax.jit(lambda a, c: lk.bce(a, c))(jax.numpy.asarray([0.0, 1.0]), jax.numpy.asarray(bad_p))
    with pytest.raises(ValueError, match="same shape"):
        lk.mse(b.asarray(np.zeros(3)), b.asarray(np.zeros(2)))
    with pytest.raises(ValueError, match="same shape"):
        jax.jit(lambda a, c: lk.mse(a, c))(jax.numpy.zeros(3), jax.numpy.zeros(2))


# -- devices and host copies -------------------------------------------------------------------


@pytest.mark.parametrize("loss", SETTINGS, ids=setting_id)
def test_torch_meta_tensors_prove_no_data_is_read(loss, rng):
    """A meta tensor has a device, a dtype and a shape but no data: any host copy, .item(),
    float() or bool() on it raises. With validate=False every loss runs on it end to end."""
    torch = backend("torch").module
    y, f = inputs(loss, _shape(loss), rng)
    ym = torch.asarray(y).to("meta")
    fm = torch.asarray(f).to("meta")
    wm = torch.ones(f.shape[0], dtype=torch.float64, device="meta")
    for call in _calls(loss):
        for reduction in REDUCTIONS:
            out = call(ym, fm, sample_weight=wm, reduction=reduction, validate=False)
            assert out.device.type == "meta"
            assert out.dtype == torch.float64


@pytest.mark.parametrize("loss", SETTINGS, ids=setting_id)
def test_no_host_conversion_of_torch_tensors_with_validation_on(loss, rng, monkeypatch):
    """Validation reads only booleans (``bool(any(bad))``); nothing converts a tensor to NumPy or a float.

    On the array-API path: the path of tensors on every other device and under autograd (CPU
    tensors outside autograd take the kernels through NumPy views: test_torch_route.py)."""
    torch = backend("torch").module
    y, f = inputs(loss, _shape(loss), rng)
    yt, ft = torch.asarray(y), torch.asarray(f)

    def forbidden(*args, **kwargs):
        raise AssertionError("a tensor was copied to the host")

    for name in ("numpy", "item", "tolist", "__float__", "__array__"):
        monkeypatch.setattr(torch.Tensor, name, forbidden)
    with _fast.reference_path():
        for call in _calls(loss):
            assert isinstance(call(yt, ft), torch.Tensor)


# -- mixed inputs ------------------------------------------------------------------------------


def test_lists_and_numpy_targets_join_the_prediction_library():
    torch = backend("torch").module
    jnp = pytest.importorskip("jax.numpy")
    out = lk.mse([1.0, 2.0], torch.tensor([1.5, 1.0], dtype=torch.float32))
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float32 and float(out) == 0.625
    out = lk.sparse_categorical_cross_entropy(np.array([0, 2]), jnp.zeros((2, 3)), from_logits=True)
    assert type(out).__module__.startswith("jax") and float(out) == pytest.approx(np.log(3))
    # a NumPy prediction with a torch target: everything becomes torch, on the target's device
    out = lk.mae(torch.tensor([1.0, 2.0], dtype=torch.float64), np.array([1.5, 1.0]))
    assert isinstance(out, torch.Tensor)
    out = lk.mse(np.zeros(2), np.ones(2), sample_weight=torch.tensor([1.0, 3.0]))
    assert isinstance(out, torch.Tensor)


def test_two_array_libraries_that_cannot_combine_name_both():
    torch = backend("torch").module
    jnp = pytest.importorskip("jax.numpy")
    with pytest.raises(TypeError, match=r"two array libraries.*torch \(Tensor\) and jax \(ArrayImpl\)"):
        lk.mse(torch.zeros(2), jnp.zeros(2))
    strict = backend("array_api_strict").module
    with pytest.raises(TypeError, match=r"array_api_strict \(Array\) and torch \(Tensor\)"):
        lk.mse(strict.zeros(2), torch.zeros(2))


# -- dtypes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["torch", "jax"])
@pytest.mark.parametrize("half", ["float16", "bfloat16"])
def test_half_precision_computes_in_float32_and_returns_half(name, half):
    """Cross-entropy on half-precision logits is the float32 result rounded once to half
    (not the quantised result of computing in half: optax#1020, pytorch#85791)."""
    b = backend(name)
    dtype, f32 = b.dtype(half), b.dtype("float32")

    def cast(x, to):
        return x.to(to) if name == "torch" else x.astype(to)

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 64)
    logits = cast(b.module.asarray(rng.normal(0, 8, (64, 10)).astype(np.float32)), dtype)
    same_values = b.numpy(cast(logits, f32))  # the half inputs, exactly, in float32
    ulp = float(b.module.finfo(dtype).eps)
    loss = lk.get("sparse_categorical_cross_entropy", from_logits=True)
    for call in (loss.__call__, loss.gradient):
        for reduction in ("none", "mean"):
            out = call(b.asarray(labels), logits, reduction=reduction)
            assert out.dtype == dtype
            ref = call(labels, same_values, reduction=reduction)  # NumPy, float32
            np.testing.assert_allclose(b.numpy(cast(out, f32)), ref, rtol=ulp, atol=ulp * 1e-3)


@pytest.mark.parametrize("int_dtype", ["int8", "int16", "int32", "int64", "uint8"])
def test_integer_labels_of_any_integer_dtype(int_dtype, xp):
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 5, 8)
    scores = rng.normal(size=(8, 5))
    for loss in (lk.get("nll", from_logits=True, ignore_index=3), lk.get("multi_margin")):
        for call in (loss.__call__, loss.gradient):
            ref = call(labels, scores, reduction="none")
            got = call(xp.asarray(labels.astype(int_dtype)), xp.asarray(scores), reduction="none")
            np.testing.assert_allclose(xp.numpy(got), ref, rtol=1e-13)


@pytest.mark.parametrize("name", ["numpy", "array_api_strict", "torch", "jax"])
def test_bad_values_raise_the_same_error_on_every_eager_backend(name):
    b = backend(name)
    with pytest.raises(ValueError, match=r"`y_pred` must be probabilities in \[0, 1\]; 1 value is not, e\.g\. 1\.5"):
        lk.bce(b.asarray(np.array([0.0, 1.0])), b.asarray(np.array([0.5, 1.5])))
    with pytest.raises(ValueError, match=r"class labels in \[0, 3\).*e\.g\. 7 at index \(1,\)"):
        lk.nll(b.asarray(np.array([0, 7])), b.asarray(np.zeros((2, 3))), from_logits=True)
    with pytest.raises(ValueError, match="every value has weight 0"):
        lk.mse(b.asarray(np.zeros(2)), b.asarray(np.ones(2)), sample_weight=b.asarray(np.zeros(2)))


def test_jax_without_64_bit_mode_computes_in_float32_without_warnings():
    """JAX's default: no float64. losskit must not ask for it (JAX would warn and downgrade)."""
    pytest.importorskip("jax")
    code = (
        "import warnings; warnings.simplefilter('error');"
        "import jax.numpy as jnp, numpy as np, losskit as lk;"
        "y = np.array([0.0, 1.0, 1.0]); s = jnp.asarray([-1.0, 2.0, 0.5]);"
        "v = lk.bce(y, s, from_logits=True); g = lk.get('bce', from_logits=True).gradient(y, s);"
        "c = lk.nll(np.array([0, 2]), jnp.zeros((2, 3)), from_logits=True, class_weight=[1.0, 2.0, 3.0]);"
        "assert v.dtype == jnp.float32 and g.dtype == jnp.float32 and c.dtype == jnp.float32;"
        "print(float(v), float(c))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    v, c = map(float, out.stdout.split())
    assert v == pytest.approx(lk.bce([0.0, 1.0, 1.0], [-1.0, 2.0, 0.5], from_logits=True), rel=1e-6)
    assert c == pytest.approx(np.log(3), rel=1e-6)
