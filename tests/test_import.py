"""What `import losskit` costs: no optional dependency, and few modules beyond numpy's."""

from __future__ import annotations

import json
import subprocess
import sys

OPTIONAL = [
    "torch",
    "jax",
    "dask",
    "matplotlib",
    "scipy",
    "sklearn",
    "pandas",
    "pyarrow",
    "lightgbm",
    "xgboost",
    "array_api_compat.numpy",
]


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"import sys; {code}; import json; print(json.dumps(sorted(sys.modules)))"],
        check=True,
        capture_output=True,
        text=True,
    )
    return set(json.loads(out.stdout))


def test_import_loads_no_optional_dependency():
    modules = _modules_after("import losskit")
    loaded = [m for m in OPTIONAL if m in modules]
    assert not loaded, f"import losskit loaded {loaded}"


def test_first_numpy_call_loads_no_array_api_compat_numpy():
    """NumPy inputs take a fast lane: array_api_compat.numpy costs ~150 ms to import (FACTS.md)."""
    modules = _modules_after("import losskit as lk; lk.mse([1.0], [2.0]); lk.get('huber').gradient([1.0], [2.0])")
    assert "array_api_compat.numpy" not in modules
    assert "numpy.testing" not in modules


def test_import_adds_few_modules_beyond_numpy():
    """A proxy for import time that does not depend on machine load (the time is in benchmarks/)."""
    extra = _modules_after("import losskit") - _modules_after("import numpy")
    assert len(extra) < 60, sorted(extra)
