"""Shared fixtures: the conformance vectors and the array libraries under test.

The ``xp`` fixture yields a :class:`Backend` for each array library: NumPy,
array-api-strict, PyTorch (CPU), JAX (CPU, 64-bit enabled), Dask and CuPy.
A library that is not installed is skipped with its name, never silently.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
# The vectors live beside the repository (../shared/conformance); LOSSKIT_CONFORMANCE overrides.
CONFORMANCE = Path(os.environ.get("LOSSKIT_CONFORMANCE", ROOT.parent / "shared" / "conformance"))

BACKEND_NAMES = ["numpy", "array_api_strict", "torch", "jax", "dask", "cupy"]


def pytest_configure(config):
    # JAX computes in float32 unless 64-bit mode is on; the tests compare float64 results.
    if importlib.util.find_spec("jax") is not None:
        import jax

        jax.config.update("jax_enable_x64", True)


class Backend:
    """One array library: make its arrays from NumPy, read them back, recognise them."""

    def __init__(self, name: str) -> None:
        self.name = name
        if name == "numpy":
            self.module = np
        elif name == "jax":
            self.module = importlib.import_module("jax.numpy")
        elif name == "dask":
            self.module = importlib.import_module("dask.array")
        else:
            self.module = importlib.import_module(name)
        self.lazy = name == "dask"

    def __repr__(self) -> str:
        return self.name

    def asarray(self, a):
        """A NumPy array (or None) as an array of this library."""
        if a is None:
            return None
        a = np.asarray(a)
        if self.name == "numpy":
            return a
        if self.name == "dask":
            return self.module.from_array(a, chunks=max(1, (a.shape[0] + 1) // 2) if a.ndim else ())
        if self.name == "torch":
            return self.module.asarray(a.copy())
        return self.module.asarray(a)

    def numpy(self, x) -> np.ndarray:
        """An array of this library (or a Python number) read back into NumPy."""
        if self.name == "torch" and isinstance(x, self.module.Tensor):
            return x.detach().cpu().numpy()
        if self.name == "dask" and hasattr(x, "compute"):
            return np.asarray(x.compute())
        if self.name == "cupy":
            return self.module.asnumpy(x)
        if self.name == "array_api_strict":
            return np.from_dlpack(x)
        return np.asarray(x)

    def is_native(self, x) -> bool:
        module = type(x).__module__.split(".")[0]
        expected = {"jax": "jaxlib", "cupy": "cupy"}.get(self.name, self.name)
        if self.name == "numpy":
            return isinstance(x, (np.ndarray, np.generic))
        return module == expected or (self.name == "jax" and module == "jax")

    def dtype(self, name: str):
        return getattr(self.module, name)


def backend(name: str) -> Backend:
    """The backend, or skip naming it when the library is not installed."""
    try:
        return Backend(name)
    except ImportError:
        pytest.skip(f"backend {name} is not installed")


@pytest.fixture(params=BACKEND_NAMES)
def xp(request) -> Backend:
    """Each array library under test; a missing one is skipped with its name."""
    if request.param == "cupy":
        try:
            import cupy

            cupy.cuda.runtime.getDeviceCount()
        except Exception:
            pytest.skip("backend cupy is not installed or has no GPU")
    return backend(request.param)


def load_checker():
    """The conformance checker module (``check.py``), or skip with the reason."""
    path = CONFORMANCE / "check.py"
    if not (CONFORMANCE / "public" / "cases.json").is_file() or not path.is_file():
        pytest.skip(f"conformance vectors not found at {CONFORMANCE} (set LOSSKIT_CONFORMANCE)")
    spec = importlib.util.spec_from_file_location("losskit_conformance_check", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
