"""The streaming evaluator on a file of two million rows: the in-memory result, in flat memory."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

import losskit as lk

pa = pytest.importorskip("pyarrow")
pacsv = pytest.importorskip("pyarrow.csv")
pq = pytest.importorskip("pyarrow.parquet")

ROWS = 2_000_000
LOSSES = ["binary_cross_entropy", "brier", "binary_focal"]


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """A CSV of 2,000,000 rows (labels, probabilities, weights), written once."""
    rng = np.random.default_rng(2024)
    y = (rng.random(ROWS) < 0.3).astype(np.float64)
    p = np.clip(0.3 + 0.5 * (y - 0.3) + rng.normal(0.0, 0.2, ROWS), 1e-6, 1 - 1e-6)
    w = rng.uniform(0.1, 3.0, ROWS)
    path = tmp_path_factory.mktemp("big") / "two_million.csv"
    pacsv.write_csv(pa.table({"y": y, "p": p, "w": w}), path)
    return path


def test_two_million_rows_stream_to_the_in_memory_result_in_flat_memory(big):
    # The peak is read from /proc (VmHWM, this process since exec): ru_maxrss would also count the
    # pages of the forked parent (pytest, with torch and jax loaded) on Linux.
    code = f"""
import json, resource
from losskit.evaluate import evaluate_file
r = evaluate_file({str(big)!r}, y_true="y", y_pred="p", weight="w", losses={LOSSES!r})
try:
    peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"values": r.values, "rows": r.rows, "peak_kb": peak}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=600)
    result = json.loads(out.stdout)
    assert result["rows"] == ROWS
    peak_mb = result["peak_kb"] / 1024
    assert peak_mb < 200, f"peak memory {peak_mb:.0f} MB"
    # the whole file in memory (read back, so the values are exactly those of the file)
    table = pacsv.read_csv(big)
    y, p, w = (table.column(c).to_numpy() for c in ("y", "p", "w"))
    assert table.num_rows == ROWS
    for name in LOSSES:
        expected = float(lk.get(name)(y, p, sample_weight=w))
        assert math.isclose(result["values"][name], expected, rel_tol=1e-12), (name, result["values"][name], expected)


def test_neumaier_summation_keeps_what_plain_addition_loses():
    from losskit.evaluate import Neumaier

    acc = Neumaier()
    plain = 0.0
    for x in [1.0, 1e100, 1.0, -1e100] * 1000:
        acc.add(x)
        plain += x
    assert acc.value == 2000.0 and plain == 0.0


def test_batches_sum_to_the_whole(tmp_path, rng):
    from losskit.evaluate import evaluate_file

    y, f = rng.normal(size=5000), rng.normal(size=5000)
    path = tmp_path / "r.parquet"

    pq.write_table(pa.table({"y": y, "f": f}), path)
    for batch_rows in (7, 4096, 10_000):
        r = evaluate_file(path, y_true="y", y_pred="f", losses=["mse", "rmse", "mae"], batch_rows=batch_rows)
        assert r.rows == 5000
        assert math.isclose(r.values["rmse"], float(lk.rmse(y, f)), rel_tol=1e-13)
        assert math.isclose(r.values["mae"], float(lk.mae(y, f)), rel_tol=1e-13)
