"""Shared fixtures: the conformance vectors and the array namespaces under test."""

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

# Backends of the `xp` fixture: (pytest id, module to import).
BACKENDS = [("numpy", "numpy"), ("array_api_strict", "array_api_strict")]


def load_checker():
    """The conformance checker module (``check.py``), or skip with the reason."""
    path = CONFORMANCE / "check.py"
    if not (CONFORMANCE / "public" / "cases.json").is_file() or not path.is_file():
        pytest.skip(f"conformance vectors not found at {CONFORMANCE} (set LOSSKIT_CONFORMANCE)")
    spec = importlib.util.spec_from_file_location("losskit_conformance_check", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(params=[b[0] for b in BACKENDS])
def xp(request):
    """Each array namespace under test; a missing backend is skipped with its name."""
    module_name = dict(BACKENDS)[request.param]
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        pytest.skip(f"backend {request.param} is not installed")
    return module


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
