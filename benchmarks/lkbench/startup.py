"""Start-up costs, each in fresh processes: what ``import losskit`` adds to ``import numpy``
(``python -X importtime``), and the first kernel call after the import.

Byte-compiled: the ``.pyc`` files are written once first (as an installed package has them);
"from source" compiles every module at each import (an empty, unwritten cache folder).
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent.parent
IMPORT_CODE = "import numpy; import losskit"
# the first call times lk.get and one value_and_gradient on 1000 elements, after the imports
FIRST_CALL_CODE = """
import sys, time
sys.path.insert(0, {bench_dir!r})
import numpy as np
import losskit as lk
from lkbench.specs import BY_ID, shape_for
spec = BY_ID[{spec!r}]
y, f = spec.inputs(np.random.default_rng(0), shape_for(spec, 1000), np.dtype("float64"))
start = time.perf_counter()
lk.get(spec.name, **spec.params).value_and_gradient(y, f)
print(time.perf_counter() - start)
"""
FIRST_CALL_SPECS = ("mse", "bce:logits", "sparse_ce:logits")


def compiled_env() -> dict[str, str]:
    """The environment with byte-compiled files, written once here."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-c", "import losskit"], env=env, check=True)
    return env


def source_env() -> dict[str, str]:
    """Every module compiled from source at each import."""
    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": tempfile.mkdtemp()}


def parse_importtime(stderr: str, module: str) -> int:
    """The cumulative microseconds of a top-level import in ``-X importtime`` output.

    >>> parse_importtime("import time:       120 |        950 | losskit\\n", "losskit")
    950
    """
    for line in stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\s*)(\S+)$", line)
        if m and m.group(3) == module and m.group(2) == "":
            return int(m.group(1))
    msg = f"{module} not found in the importtime output"
    raise RuntimeError(msg)


def import_ms(env: dict[str, str], runs: int) -> list[float]:
    """What ``import losskit`` adds after ``import numpy``, in ms, once per fresh process."""
    times = []
    for _ in range(runs):
        err = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", IMPORT_CODE], env=env, capture_output=True, text=True, check=True
        ).stderr
        times.append(parse_importtime(err, "losskit") / 1000)
    return times


def first_call_ms(env: dict[str, str], spec: str, runs: int) -> list[float]:
    """The first ``value_and_gradient`` in a fresh process (after the imports), in ms."""
    code = FIRST_CALL_CODE.format(bench_dir=str(BENCH_DIR), spec=spec)
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
        times.append(float(out.split()[-1]) * 1e3)
    return times


def describe(times: list[float]) -> str:
    return f"median {statistics.median(times):.1f} ms (min {min(times):.1f}, max {max(times):.1f}, {len(times)} runs)"


def measure(runs: int, with_source: bool = False) -> dict[str, dict[str, float] | dict[str, list[float]]]:
    """Medians (for the gates) and every run's time (for the JSON)."""
    env = compiled_env()
    imports = {"byte-compiled": import_ms(env, runs)}
    if with_source:
        imports["from source"] = import_ms(source_env(), runs)
    calls = {spec: first_call_ms(env, spec, runs) for spec in FIRST_CALL_SPECS}
    return {
        "import_ms": {"byte-compiled": statistics.median(imports["byte-compiled"])},
        "first_call_ms": {k: statistics.median(v) for k, v in calls.items()},
        "runs": {**{f"import {k}": v for k, v in imports.items()}, **{f"first call {k}": v for k, v in calls.items()}},
    }
