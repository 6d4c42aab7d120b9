"""The contenders of one case, each as a zero-argument call, and the memory-bandwidth floor.

A case is (loss setting, call, shape, dtype); the calls are ``value`` (the mean),
``vg`` (value and gradient of the mean) and ``gh`` (gradient and Hessian diagonal of the
mean). Every contender gets the same inputs (PyTorch tensors share NumPy's memory; JAX
holds one copy made before timing) and computes the same reduction, the mean. Each
contender also says how to turn what it returns into losskit's convention
(:class:`~lkbench.reference.Outputs`), so that it is checked before it is timed.

Contenders (keys as in the JSON; the table shows each anchor's time divided by losskit's):

============ ==================================================================================
losskit      the public API with ``out=`` buffers (value: the plain call)
lk_alloc     the public API, allocating its results (vg and gh)
kernel       ``losskit._fast.raw_kernel``: the bare kernel, when the library has the hook
reference    the public API with ``out=`` buffers on the reference path (opt-in; needs the native path built)
torch        ``torch.nn.functional`` (or the formula in torch ops) + autograd; Hessian by double backward
sklearn      ``sklearn._loss`` with ``n_threads`` and preallocated outputs
jax          ``jax.jit`` of the mean, ``jax.value_and_grad``; Hessian by a Hessian-vector product
numpy        the formula and its derivatives as whole-array NumPy expressions
lk_torch     losskit's public API on torch CPU tensors (no autograd: the kernels on NumPy views of them),
             allocating; value and vg, N <= 1e6
lk_jax       losskit's public API on JAX arrays under ``jax.jit``; value and vg, N <= 1e6
lk_torch_ref lk_torch on the array-API path (opt-in): what tensors under autograd or off the CPU take
============ ==================================================================================
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from .reference import Outputs
from .specs import Spec

CALLS = ("value", "vg", "gh")
KIND = {"value": "value", "vg": "value_and_gradient", "gh": "gradient_and_hessian"}
ANCHORS = ("torch", "sklearn", "jax", "numpy", "lk_torch", "lk_jax")  # the default anchors
OPTIONAL = ("reference", "lk_torch_ref")
# torch's double-backward Hessian ("only where cheap") and losskit on torch / JAX arrays cost
# seconds per call at N = 1e7: timed up to this N by default (--slow-max-n)
SLOW_MAX_N = 10**6


def _not_too_slow(env: Env, data: Data, what: str) -> None:
    if data.f.size > env.slow_max_n:
        raise NotApplicable(f"{what} is timed up to N = {env.slow_max_n:.0e} (--slow-max-n): seconds per call above")


class NotApplicable(Exception):
    """This contender has no such computation (the message says why)."""


@dataclass
class Data:
    """The inputs of one group of cases (one setting, shape and dtype), in NumPy."""

    spec: Spec
    y: np.ndarray
    f: np.ndarray
    dtype: str
    _jax: tuple[Any, Any] | None = field(default=None, repr=False)

    @property
    def n_values(self) -> int:
        """Per-value losses: rows for class-axis losses, elements otherwise."""
        return math.prod(self.f.shape[:-1]) if self.spec.class_axis else self.f.size

    @property
    def classes(self) -> int | None:
        return self.f.shape[-1] if self.spec.class_axis else None

    def jax_arrays(self, jnp: Any) -> tuple[Any, Any]:
        """``(y, f)`` as JAX arrays: one copy per group, shared by the JAX contenders."""
        if self._jax is None:
            self._jax = (jnp.asarray(self.y), jnp.asarray(self.f))
        return self._jax


@dataclass
class Contender:
    """A timed call and the way to read its result in losskit's convention."""

    key: str
    fn: Callable[[], Any]
    outputs: Callable[[Any], Outputs]
    note: str = ""


class Env:
    """The libraries the contenders need, imported on first use, and the run's settings."""

    def __init__(self, threads: int, slow_max_n: int = SLOW_MAX_N) -> None:
        self.threads = threads
        self.slow_max_n = slow_max_n

    @cached_property
    def lk(self) -> Any:
        import losskit

        losskit.set_num_threads(self.threads)
        return losskit

    @cached_property
    def raw_kernel(self) -> Callable[..., Any] | None:
        from losskit import _fast

        return getattr(_fast, "raw_kernel", None)

    @cached_property
    def native(self) -> Any:
        from losskit import _fast

        return _fast.native()

    @cached_property
    def forced_reference(self) -> Callable[[], Any] | None:
        """``losskit._fast.reference_path`` when there is a native path to turn off, else None."""
        from losskit import _fast

        return _fast.reference_path if _fast.ENABLED else None

    @cached_property
    def torch(self) -> Any:
        import torch

        torch.set_num_threads(self.threads)
        return torch

    @cached_property
    def xp_torch(self) -> Any:
        import array_api_compat.torch

        return array_api_compat.torch

    @cached_property
    def jax(self) -> Any:
        os.environ.setdefault("JAX_PLATFORMS", "cpu")
        import jax

        jax.config.update("jax_enable_x64", True)  # float64 cases; float32 inputs stay float32
        return jax


def to_numpy(x: Any) -> np.ndarray:
    """A NumPy view or copy of a NumPy, torch or JAX array."""
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy(force=True)  # force: torch's ZeroTensor (a zero Hessian) too
    return np.asarray(x)


def to_float(x: Any) -> float:
    """A Python float of a scalar from any of the libraries (torch's may require grad)."""
    return float(x.detach()) if hasattr(x, "detach") else float(x)


def api_outputs(call: str) -> Callable[[Any], Outputs]:
    """Read a result shaped like losskit's: a value, ``(value, grad)`` or ``(grad, hess)``."""
    if call == "value":
        return lambda r: Outputs(value=to_float(r))
    if call == "vg":
        return lambda r: Outputs(value=to_float(r[0]), grad=to_numpy(r[1]))
    return lambda r: Outputs(grad=to_numpy(r[0]), hess=to_numpy(r[1]))


def _out_buffers(call: str, f: np.ndarray) -> Any:
    if call == "vg":
        return np.empty_like(f)
    if call == "gh":
        return np.empty_like(f), np.empty_like(f)
    return None


def _api_call(loss: Any, call: str, y: Any, f: Any, out: Any = None) -> Callable[[], Any]:
    if call == "value":
        return lambda: loss(y, f)
    method = getattr(loss, KIND[call])
    if out is None:
        return lambda: method(y, f)
    return lambda: method(y, f, out=out)


def _loss(env: Env, spec: Spec) -> Any:
    return env.lk.get(spec.name, **spec.params)


def losskit(env: Env, spec: Spec, call: str, data: Data) -> Contender:
    out = _out_buffers(call, data.f)
    note = "out= buffers" if out is not None else ""
    return Contender("losskit", _api_call(_loss(env, spec), call, data.y, data.f, out), api_outputs(call), note)


def lk_alloc(env: Env, spec: Spec, call: str, data: Data) -> Contender:
    if call == "value":
        raise NotApplicable("the value has no out= buffer")
    return Contender("lk_alloc", _api_call(_loss(env, spec), call, data.y, data.f), api_outputs(call), "allocating")


def kernel(env: Env, spec: Spec, call: str, data: Data) -> Contender:
    raw = env.raw_kernel
    if raw is None:
        raise NotApplicable("losskit._fast.raw_kernel does not exist yet")
    loss, kind, y, f, out = _loss(env, spec), KIND[call], data.y, data.f, _out_buffers(call, data.f)
    return Contender("kernel", lambda: raw(loss, kind, y, f, out), api_outputs(call), "raw_kernel, no API")


def _on_reference_path(env: Env, run: Callable[[], Any]) -> Callable[[], Any]:
    """``run`` with the reference path forced (what ``LOSSKIT_REFERENCE=1`` does at import)."""
    forced = env.forced_reference
    if forced is None:
        raise NotApplicable("losskit has no native path to turn off")

    def on_reference() -> Any:
        with forced():
            return run()

    return on_reference


def reference_path(env: Env, spec: Spec, call: str, data: Data) -> Contender:
    run = _api_call(_loss(env, spec), call, data.y, data.f, _out_buffers(call, data.f))
    return Contender("reference", _on_reference_path(env, run), api_outputs(call), "the reference path, out= buffers")


def torch_anchor(env: Env, spec: Spec, call: str, data: Data) -> Contender:
    torch = env.torch
    F = torch.nn.functional
    xt = env.xp_torch
    if spec.torch is not None:
        builtin = spec.torch

        def cost(y: Any, f: Any) -> Any:
            return builtin(F, y, f)

        note = spec.torch_note or "torch.nn.functional"
    else:

        def cost(y: Any, f: Any) -> Any:
            return spec.cost(xt.mean(spec.formulas.value(xt, y, f)))

        note = "the formula in torch ops"
    ty, tf = torch.from_numpy(data.y), torch.from_numpy(data.f)
    if call == "value":
        return Contender("torch", lambda: cost(ty, tf), api_outputs(call), note)
    fr = torch.from_numpy(data.f).requires_grad_(True)
    if call == "vg":

        def value_and_grad() -> Any:
            v = cost(ty, fr)
            (g,) = torch.autograd.grad(v, fr)
            return v, g

        return Contender("torch", value_and_grad, api_outputs(call), note + " + autograd")
    if spec.class_axis:
        raise NotApplicable("double backward gives the class-axis Hessian's row sums, not its diagonal")
    if not spec.has_hessian:
        raise NotApplicable("the Hessian is not diagonal")
    _not_too_slow(env, data, "double backward")

    def grad_and_hess() -> Any:
        v = cost(ty, fr)
        (g,) = torch.autograd.grad(v, fr, create_graph=True)
        if not g.requires_grad:  # a piecewise-linear loss: its gradient does not depend on f
            return g, torch.zeros_like(fr)
        (h,) = torch.autograd.grad(g.sum(), fr, allow_unused=True, materialize_grads=True)
        return g.detach(), h

    return Contender("torch", grad_and_hess, api_outputs(call), note + " + double backward")


def sklearn_anchor(env: Env, spec: Spec, call: str, data: Data) -> Contender:
    sk = spec.sklearn
    if sk is None:
        raise NotApplicable("sklearn._loss has no such loss")
    obj = sk.make(data.classes)
    f, threads, n = data.f, env.threads, data.n_values
    if spec.labels:
        y = data.y.astype(f.dtype)
    elif spec.class_axis:
        y = np.argmax(data.y, axis=-1).astype(f.dtype)  # one-hot rows -> the labels sklearn takes
    else:
        y = data.y
    loss_out = np.empty(n, f.dtype)
    vs, gs = sk.value_scale, sk.grad_scale / n
    if call == "value":

        def value() -> Any:
            obj.loss(y_true=y, raw_prediction=f, loss_out=loss_out, n_threads=threads)
            return loss_out.mean()

        return Contender("sklearn", value, lambda r: Outputs(value=vs * float(r)), sk.note)
    g_out = np.empty_like(f)
    if call == "vg":

        def value_and_grad() -> Any:
            obj.loss_gradient(y_true=y, raw_prediction=f, loss_out=loss_out, gradient_out=g_out, n_threads=threads)
            return loss_out.mean(), g_out

        return Contender("sklearn", value_and_grad, lambda r: Outputs(value=vs * float(r[0]), grad=gs * r[1]), sk.note)
    h_out = np.empty_like(f)

    def grad_and_hess() -> Any:
        obj.gradient_hessian(y_true=y, raw_prediction=f, gradient_out=g_out, hessian_out=h_out, n_threads=threads)
        return g_out, h_out

    def outputs(r: Any) -> Outputs:
        return Outputs(grad=gs * r[0], hess=gs * r[1] if sk.hessian else None)

    return Contender("sklearn", grad_and_hess, outputs, sk.note)


def jax_anchor(env: Env, spec: Spec, call: str, data: Data) -> Contender:
    jax = env.jax
    jnp = jax.numpy

    def cost(y: Any, f: Any) -> Any:
        return spec.cost(jnp.mean(spec.formulas.value(jnp, y, f)))

    if call == "value":
        fn, note = jax.jit(cost), "jit"
    elif call == "vg":
        fn, note = jax.jit(jax.value_and_grad(cost, argnums=1)), "jit(value_and_grad)"
    else:
        if spec.class_axis:
            raise NotApplicable("a Hessian-vector product gives the class-axis Hessian's row sums, not its diagonal")
        if not spec.has_hessian:
            raise NotApplicable("the Hessian is not diagonal")
        grad = jax.grad(cost, argnums=1)

        def grad_and_hess(y: Any, f: Any) -> Any:
            return jax.jvp(lambda x: grad(y, x), (f,), (jnp.ones_like(f),))  # H @ 1 = diag(H) here

        fn, note = jax.jit(grad_and_hess), "jit(grad, jvp of grad)"
    jy, jf = data.jax_arrays(jnp)
    return Contender("jax", lambda: jax.block_until_ready(fn(jy, jf)), api_outputs(call), note)


def numpy_anchor(env: Env, spec: Spec, call: str, data: Data) -> Contender:
    form, y, f, n = spec.formulas, data.y, data.f, data.n_values
    if call == "value":
        return Contender("numpy", lambda: spec.cost(np.mean(form.value(np, y, f))), api_outputs(call))
    if call == "vg":

        def value_and_grad() -> Any:
            mean = np.mean(form.value(np, y, f))
            return spec.cost(mean), form.grad(np, y, f) * (spec.cost_slope(mean) / n)

        return Contender("numpy", value_and_grad, api_outputs(call))
    hess = form.hess
    if hess is None:
        raise NotApplicable("the Hessian is not diagonal")
    return Contender("numpy", lambda: (form.grad(np, y, f) * (1.0 / n), hess(np, y, f) * (1.0 / n)), api_outputs(call))


CROSS_LIBRARY = "losskit on other libraries is compared for the value and value+gradient (the gate's calls)"


def lk_torch(env: Env, spec: Spec, call: str, data: Data) -> Contender:
    if call == "gh":
        raise NotApplicable(CROSS_LIBRARY)
    _not_too_slow(env, data, "losskit on torch tensors")
    torch = env.torch
    run = _api_call(_loss(env, spec), call, torch.from_numpy(data.y), torch.from_numpy(data.f))
    return Contender("lk_torch", run, api_outputs(call), "losskit on torch tensors, allocating")


def lk_torch_ref(env: Env, spec: Spec, call: str, data: Data) -> Contender:
    run = lk_torch(env, spec, call, data).fn
    return Contender("lk_torch_ref", _on_reference_path(env, run), api_outputs(call), "the array-API path on torch")


def lk_jax(env: Env, spec: Spec, call: str, data: Data) -> Contender:
    if call == "gh":
        raise NotApplicable(CROSS_LIBRARY)
    _not_too_slow(env, data, "losskit on JAX arrays")
    jax = env.jax
    loss = _loss(env, spec)
    fn = jax.jit(lambda y, f: _api_call(loss, call, y, f)())
    jy, jf = data.jax_arrays(jax.numpy)
    return Contender("lk_jax", lambda: jax.block_until_ready(fn(jy, jf)), api_outputs(call), "losskit under jax.jit")


BUILDERS: dict[str, Callable[[Env, Spec, str, Data], Contender]] = {
    "losskit": losskit,
    "lk_alloc": lk_alloc,
    "kernel": kernel,
    "reference": reference_path,
    "torch": torch_anchor,
    "sklearn": sklearn_anchor,
    "jax": jax_anchor,
    "numpy": numpy_anchor,
    "lk_torch": lk_torch,
    "lk_jax": lk_jax,
    "lk_torch_ref": lk_torch_ref,
}


# -- the floor: a 2-thread fused pass that reads two arrays and writes one --------------------

_pool: ThreadPoolExecutor | None = None


def _split_add(parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> None:
    """``out = a + b`` over the parts, one thread per part (np.add releases the GIL)."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="floor")
    futures = [_pool.submit(np.add, a, b, out) for a, b, out in parts[1:]]
    a, b, out = parts[0]
    np.add(a, b, out=out)
    for fut in futures:
        fut.result()


@dataclass
class FloorPass:
    """One way to run the floor pass over fresh buffers of ``n`` elements."""

    label: str
    fn: Callable[[], Any]
    out: np.ndarray
    exact: bool  # the compiled pass of the native extension, not an approximation

    def check(self) -> bool:
        """``out`` holds ``a + b`` (1.5 + 0.25, exact in every float type)."""
        step = max(1, self.out.size // 4096)
        return bool(np.all(self.out[::step] == 1.75))


def floor_passes(env: Env, n: int, dtype: str) -> list[FloorPass]:
    """The floor for ``n`` elements: the native ``floor_pass``, or, when the extension does not
    have it, an approximation: ``np.add`` in one thread and split over ``env.threads`` threads
    (the run takes the faster: one thread wins for small ``n``)."""
    a, b, out = np.full(n, 1.5, dtype), np.full(n, 0.25, dtype), np.empty(n, dtype)
    native = env.native
    floor_pass = getattr(native, "floor_pass", None) if native is not None else None
    if floor_pass is not None:
        return [FloorPass("losskit._native.floor_pass", lambda: floor_pass(a, b, out), out, True)]
    passes = [FloorPass("approx.: np.add, 1 thread", lambda: np.add(a, b, out=out), out, False)]
    t = env.threads
    if t > 1:
        bounds = [n * i // t for i in range(t + 1)]
        parts = [(a[lo:hi], b[lo:hi], out[lo:hi]) for lo, hi in itertools.pairwise(bounds)]
        passes.append(FloorPass(f"approx.: np.add, {t} threads", lambda: _split_add(parts), out, False))
    return passes
