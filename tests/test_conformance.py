"""The public conformance vectors of ../shared/conformance, run through the checker's own logic
on every array library: inputs converted to the library, results required back in it."""

from __future__ import annotations

import json

import numpy as np
import pytest

import losskit as lk
from conftest import BACKEND_NAMES, CONFORMANCE, load_checker


def _case_ids():
    path = CONFORMANCE / "public" / "cases.json"
    if not path.is_file():
        return ["absent"]
    return [c["id"] for c in json.loads(path.read_text())]


@pytest.fixture(scope="module")
def vectors():
    check = load_checker()
    cases, arrays = check.load_set(str(CONFORMANCE / "public"))
    return check, {c["id"]: c for c in cases}, {k: arrays[k] for k in arrays.files}


_converters: dict[str, tuple] = {}


def converters(check, backend):
    if backend not in _converters:
        try:
            to, back, prefix = check.backend_converters(backend)
        except ImportError:
            pytest.skip(f"backend {backend} is not installed")
        # check.py expects a JAX result's type to live in module "jax", but JAX's arrays are
        # jaxlib._jax.ArrayImpl: accept that module (its values are judged unchanged).
        _converters[backend] = (to, back, "jaxlib" if backend == "jax" else prefix)
    return _converters[backend]


@pytest.mark.parametrize("backend", [b for b in BACKEND_NAMES if b != "cupy"])
@pytest.mark.parametrize("case_id", _case_ids())
def test_conformance_case(vectors, case_id, backend):
    check, cases, arrays = vectors
    with np.errstate(all="ignore"):
        status, message, max_abs, max_rel = check.run_case(lk, cases[case_id], arrays, True, converters(check, backend))
    assert status == "pass", f"{case_id} on {backend}: {message} (max_abs={max_abs}, max_rel={max_rel})"


def test_checker_reports_all_passed(vectors, capsys):
    """The checker's own command line: 'N passed, 0 failed' (every backend: the cases above)."""
    check, cases, _ = vectors
    assert check.main(["--quiet"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last == f"{len(cases)} passed, 0 failed"
