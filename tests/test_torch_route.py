"""PyTorch CPU tensors outside autograd take the native kernels through zero-copy NumPy views.

The route must give what the kernels give on the same data as NumPy arrays (bit for bit),
in the reference path's kinds of result (a 0-d tensor for a reduced value, tensors of the
input's dtype, the caller's ``out=`` tensor itself), and leave to the reference path every
call where the kernels would lose something: tensors that require grad (autograd), functorch
transforms (``vmap``, ``grad``), tensors the kernels cannot view, and data they reject (whose
error the reference path raises).
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest

import losskit as lk
from cases import SETTINGS, inputs, setting_id
from losskit import _fast

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.skipif(
    _fast.native() is None, reason=f"native kernels not built: {_fast.unavailable_reason()}"
)

WITH_KERNEL = [s for s in SETTINGS if _fast._kernel(s, np.dtype(np.float64))[0] >= 0]


class Counting:
    """The native module, counting the kernel calls."""

    def __init__(self, module):
        self.module, self.calls = module, 0

    def __getattr__(self, name):
        attr = getattr(self.module, name)
        if name not in ("elementwise", "softmax_ce"):
            return attr

        def counted(*args):
            self.calls += 1
            return attr(*args)

        return counted


@pytest.fixture
def kernels():
    counting = Counting(_fast.native())
    with mock.patch.object(_fast, "_native_module", counting):
        yield counting


def _calls(loss):
    calls = [("__call__", loss.__call__), ("gradient", loss.gradient), ("value_and_gradient", loss.value_and_gradient)]
    if loss.hessian_diagonal:
        calls += [("hessian", loss.hessian), ("gradient_and_hessian", loss.gradient_and_hessian)]
    return calls


def _passes(loss, name, reduction):
    """The kernel calls a call makes: RMSE's reduced gradient needs the RMSE first (two passes)."""
    return 2 if loss.name == "rmse" and reduction != "none" and "gradient" in name else 1


def _same_kind(got, reference, what):
    """Tensors of the reference's dtype and shape, as deep as the reference goes."""
    if isinstance(reference, tuple):
        assert isinstance(got, tuple) and len(got) == len(reference), what
        for g, r in zip(got, reference, strict=True):
            _same_kind(g, r, what)
        return
    assert type(got) is torch.Tensor, f"{what}: {type(got)}"
    assert got.dtype == reference.dtype and got.shape == reference.shape, f"{what}: {got.dtype} {got.shape}"


def _numpy(x):
    return tuple(_numpy(v) for v in x) if isinstance(x, tuple) else np.asarray(x)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("loss", WITH_KERNEL, ids=setting_id)
def test_cpu_tensors_get_the_kernels_results(loss, dtype, kernels):
    rng = np.random.default_rng(11)
    shape = (40, 5) if loss.class_axis else (200,)
    y, f = inputs(loss, shape, rng)
    y, f = (y if loss.integer_labels else y.astype(dtype)), f.astype(dtype)
    w = rng.uniform(0.0, 2.0, shape[:1])
    ty, tf, tw = torch.from_numpy(y), torch.from_numpy(f), torch.from_numpy(w)
    for reduction in ("none", "mean", "sum"):
        for name, call in _calls(loss):
            what = f"{loss!r} {dtype} {reduction} {name}"
            before = kernels.calls
            got = call(ty, tf, sample_weight=tw, reduction=reduction)
            assert kernels.calls == before + _passes(loss, name, reduction), f"{what}: not through the kernel"
            expected = call(y, f, sample_weight=w, reduction=reduction)
            for g, e in zip(_numpy(got) if isinstance(got, tuple) else (_numpy(got),),
                            expected if isinstance(expected, tuple) else (expected,), strict=True):  # fmt: skip
                np.testing.assert_array_equal(g, e, err_msg=what)
            with _fast.reference_path():
                reference = call(ty, tf, sample_weight=tw, reduction=reduction)
            _same_kind(got, reference, what)


def test_out_tensors_are_written_and_returned(kernels):
    rng = np.random.default_rng(0)
    y, f = torch.from_numpy(rng.normal(size=1000)), torch.from_numpy(rng.normal(size=1000))
    loss = lk.get("huber")
    g, h = torch.empty(1000, dtype=torch.float64), torch.empty(1000, dtype=torch.float64)
    _, got = loss.value_and_gradient(y, f, out=g)
    assert got is g and kernels.calls == 1
    pair = loss.gradient_and_hessian(y, f, out=(g, h))
    assert pair[0] is g and pair[1] is h and kernels.calls == 2
    np.testing.assert_array_equal(h.numpy(), loss.hessian(y.numpy(), f.numpy()))
    # a strided out= tensor: the reference path writes it
    strided = torch.empty(2000, dtype=torch.float64)[::2]
    assert loss.gradient(y, f, out=strided) is strided
    np.testing.assert_array_equal(strided.numpy(), g.numpy())


def test_strided_and_integer_tensors(kernels):
    """Views with strides (a transposed matrix, every other value) and integer targets: the
    kernels take contiguous copies; the results are those of the same values in NumPy."""
    rng = np.random.default_rng(5)
    y = torch.from_numpy(rng.normal(size=(30, 20)))
    f = torch.from_numpy(rng.normal(size=(20, 30))).T
    loss = lk.get("huber")
    value, grad = loss.value_and_gradient(y, f)
    assert kernels.calls >= 1
    expected = loss.value_and_gradient(y.numpy(), np.ascontiguousarray(f.numpy()))
    assert value.item() == expected[0]
    np.testing.assert_array_equal(grad.numpy(), expected[1])
    labels = torch.from_numpy(rng.integers(0, 2, 40))
    s = torch.from_numpy(rng.normal(size=80))[::2]
    bce = lk.get("bce", from_logits=True)
    assert bce(labels, s).item() == bce(labels.numpy().astype(np.float64), s.numpy())


def test_tensors_that_require_grad_keep_autograd(kernels):
    rng = np.random.default_rng(1)
    y = torch.from_numpy(rng.uniform(size=50))
    f = torch.from_numpy(rng.uniform(0.05, 0.95, size=50)).requires_grad_()
    loss = lk.get("binary_cross_entropy")
    value = loss(y, f)
    assert value.grad_fn is not None and kernels.calls == 0
    value.backward()
    analytic = loss.gradient(y, f.detach())
    assert kernels.calls == 1
    np.testing.assert_allclose(f.grad.numpy(), analytic.numpy(), rtol=1e-12)


def test_functorch_transforms_take_the_reference_path(kernels):
    rng = np.random.default_rng(2)
    y = torch.from_numpy(rng.normal(size=6))
    batch = torch.from_numpy(rng.normal(size=(3, 6)))
    loss = lk.get("mse")
    per_row = torch.vmap(lambda f: loss(y, f, validate=False))(batch)
    grad = torch.func.grad(lambda f: loss(y, f, validate=False))(batch[0])
    assert kernels.calls == 0
    np.testing.assert_allclose(per_row.numpy(), ((batch - y) ** 2).mean(dim=1).numpy(), rtol=1e-14)
    np.testing.assert_allclose(grad.numpy(), loss.gradient(y.numpy(), batch[0].numpy()), rtol=1e-14)


def test_torch_modes_see_the_torch_operations(kernels):
    """Under a dispatch or function mode (fake tensors, flop counters, tracers) the calls stay
    torch operations: the reference path."""
    from torch.overrides import TorchFunctionMode
    from torch.utils._python_dispatch import TorchDispatchMode

    class Seen(TorchDispatchMode):
        ops = 0

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            Seen.ops += 1
            return func(*args, **(kwargs or {}))

    class Passing(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            return func(*args, **(kwargs or {}))

    y, f = torch.linspace(0, 1, 8), torch.linspace(1, 0, 8)
    with Seen():
        lk.mse(y, f)
    with Passing():
        lk.mse(y, f)
    assert kernels.calls == 0 and Seen.ops > 0
    lk.mse(y, f)
    assert kernels.calls == 1


def test_tensors_the_kernels_cannot_view_take_the_reference_path(kernels):
    loss = lk.get("mse")
    y = torch.linspace(0, 1, 8)
    for f in (torch.linspace(0, 1, 8, dtype=torch.bfloat16), torch.linspace(0, 1, 8, dtype=torch.float16)):
        with _fast.reference_path():
            expected = loss(y.to(f.dtype), f)
        assert torch.equal(loss(y.to(f.dtype), f), expected)
    assert kernels.calls == 0
    # labels and weights as NumPy arrays or lists next to a tensor, as the reference path takes them
    expected = float((y**2).mean())
    assert loss(np.zeros(8, np.float32), y).item() == pytest.approx(expected)
    assert loss([0.0] * 8, y, sample_weight=[1.0] * 8).item() == pytest.approx(expected)
    assert kernels.calls == 2
    # a tensor on another device: the reference path (which cannot read a meta tensor's values)
    with pytest.raises(RuntimeError, match="meta tensors"):
        loss(torch.zeros(8, device="meta"), y)
    assert kernels.calls == 2


@pytest.mark.parametrize(
    ("name", "y", "f", "message"),
    [
        ("bce", [0.0, 1.0, 1.0], [0.5, 1.5, 0.2], r"`y_pred` must be probabilities in \[0, 1\]"),
        ("huber", [0.0, 1.0, 1.0], [0.5, float("nan"), 0.2], r"`y_pred` must be a number \(not nan\)"),
    ],
)
def test_data_the_kernels_reject_raise_the_reference_error(name, y, f, message, kernels):
    loss = lk.get(name)
    y, f = torch.tensor(y, dtype=torch.float64), torch.tensor(f, dtype=torch.float64)
    with pytest.raises(ValueError, match=message):
        loss.value_and_gradient(y, f)
    assert kernels.calls == 1  # tried, rejected, explained by the reference path
    sparse = lk.get("sparse_cross_entropy", from_logits=True)
    with pytest.raises(ValueError, match="y_true"):
        sparse(torch.tensor([0, 7]), torch.zeros((2, 3), dtype=torch.float32))
