"""The `losskit` command, run as a user runs it: in a subprocess, reading stdout, stderr and the exit status."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import losskit as lk
from conftest import ROOT

pytest.importorskip("pyarrow")


def run(*args, cwd=None, env=None):
    return subprocess.run(
        [sys.executable, "-m", "losskit", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def ok(*args, **kw):
    out = run(*args, **kw)
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    return out.stdout


def fails(*args, match, code=1, **kw):
    out = run(*args, **kw)
    assert out.returncode == code, (out.returncode, out.stdout, out.stderr)
    assert "Traceback" not in out.stderr
    assert match in out.stderr, out.stderr
    return out.stderr


def test_version_and_help_everywhere():
    assert ok("--version").strip() == lk._config.version_line()
    assert ok("--version").startswith(f"losskit {lk.__version__} (")
    assert "examples:" in ok("--help")
    for command in ("list", "describe", "plot", "eval", "demo"):
        assert "examples:" in ok(command, "--help")
    assert ok() == ok("--help")


def test_the_console_script_is_the_same_program():
    script = os.path.join(os.path.dirname(sys.executable), "losskit")
    out = subprocess.run([script, "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == lk._config.version_line()


def test_list():
    table = ok("list")
    for name in lk.names():
        assert any(line.startswith(name + " ") for line in table.splitlines())
    binary = ok("list", "--task", "binary")
    assert "hinge" in binary and "mse " not in binary
    records = json.loads(ok("list", "--task", "regression", "--format", "json"))
    assert [r["name"] for r in records] == lk.names("regression")
    assert records[0] == lk.info("mse").to_dict()


def test_docs_catalog_is_generated_from_the_records():
    assert (ROOT / "docs" / "catalog.md").read_text() == ok("list", "--format", "markdown")


def test_describe():
    assert ok("describe", "huber") == lk.describe("huber", file=None) + "\n"
    logits = ok("describe", "bce", "--param", "from_logits=true")
    assert "y_pred: logits" in logits
    fails("describe", "hubr", match="unknown loss 'hubr'. Did you mean 'huber'")
    fails("describe", "huber", "--param", "delta=-1", match="`delta` must be > 0")


def test_plot_writes_the_picture(tmp_path):
    from matplotlib.image import imread

    out = tmp_path / "huber.png"
    assert ok("plot", "mse", "huber", "--param", "delta=2", "--derivative", "--out", out).strip() == f"wrote {out}"
    assert imread(out).shape[0] > 300
    svg = tmp_path / "margin.svg"
    ok("plot", "hinge,exponential", "--out", svg)
    assert svg.read_text().lstrip().startswith("<?xml") and "0-1 loss" in svg.read_text()
    ok("plot", "mse", "mae", "huber", "--outliers", "--out", tmp_path / "outliers.png")
    fails("plot", "mse", "--out", tmp_path / "x.gif", match="--out must end in .png, .svg or .pdf", code=2)
    fails("plot", "mse", "--param", "delta=2", "--out", out, match="no chosen loss takes the parameter 'delta'", code=2)
    fails("plot", "mse", "--out", tmp_path / "no" / "such" / "dir.png", match="cannot write", code=2)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    import pyarrow as pa
    import pyarrow.csv
    import pyarrow.parquet

    d = tmp_path_factory.mktemp("eval")
    rng = np.random.default_rng(7)
    n = 1000
    y = (rng.random(n) < 0.4).astype(float)
    p = np.clip(y * 0.6 + rng.random(n) * 0.4, 0.001, 0.999)
    logits = rng.normal(size=(n, 3))
    label = rng.integers(0, 3, n)
    table = pa.table(
        {
            "y": y,
            "p": p,
            "score": np.log(p / (1 - p)),
            "w": rng.uniform(0.5, 2.0, n),
            "target": rng.normal(size=n),
            "pred": rng.normal(size=n),
            "label": label,
            "s0": logits[:, 0],
            "s1": logits[:, 1],
            "s2": logits[:, 2],
        }
    )
    pa.csv.write_csv(table, d / "preds.csv")
    pa.parquet.write_table(table, d / "preds.parquet")
    (d / "bad.csv").write_text("y,p,w\n1,0.5,1\n0,0.25,1\n1,oops,1\n0,0.1,1\n")
    (d / "na.csv").write_text("y,p\n1,0.5\n0,\n1,NaN\n0,0.2\n")
    (d / "range.csv").write_text("y,p\n1,0.5\n0,0.25\n1,1.5\n")
    (d / "labels.csv").write_text("label,s0,s1\n0,1.0,2.0\n1,0.5,0.1\n3,0.0,0.0\n")
    (d / "empty.csv").write_text("")
    return d, table.to_pydict()


def test_eval_binary_matches_the_losses_in_memory(files):
    d, data = files
    y, p, w = (np.array(data[c]) for c in ("y", "p", "w"))
    for name in ("preds.csv", "preds.parquet"):
        result = json.loads(
            ok("eval", d / name, "--y-true", "y", "--y-pred", "p", "--task", "binary", "--format", "json")
        )
        assert result["rows"] == 1000 and result["rows_dropped_na"] == 0
        assert set(result["losses"]) == {"binary_cross_entropy", "brier", "binary_focal"}
        assert result["losses"]["binary_cross_entropy"] == pytest.approx(float(lk.bce(y, p)), rel=1e-13)
        assert result["losses"]["binary_focal"] == pytest.approx(float(lk.binary_focal(y, p)), rel=1e-13)
    weighted = json.loads(
        ok(
            "eval",
            d / "preds.csv",
            "--y-true",
            "y",
            "--y-pred",
            "p",
            "--loss",
            "bce,brier",
            "--weight",
            "w",
            "--format",
            "json",
        )
    )
    assert weighted["losses"]["brier"] == pytest.approx(float(lk.brier(y, p, sample_weight=w)), rel=1e-13)
    assert weighted["weight_sum"] == pytest.approx(w.sum(), rel=1e-13)
    logits = json.loads(
        ok(
            "eval",
            d / "preds.csv",
            "--y-true",
            "y",
            "--y-pred",
            "score",
            "--task",
            "binary",
            "--logits",
            "--format",
            "json",
        )
    )
    assert logits["losses"]["binary_cross_entropy (from_logits=True)"] == pytest.approx(float(lk.bce(y, p)), rel=1e-9)
    assert logits["losses"]["hinge"] == pytest.approx(float(lk.hinge(y, np.log(p / (1 - p)))), rel=1e-12)


def test_eval_regression_multiclass_formats_and_per_sample(files, tmp_path):
    d, data = files
    t, f = np.array(data["target"]), np.array(data["pred"])
    csv = ok(
        "eval",
        d / "preds.csv",
        "--y-true",
        "target",
        "--y-pred",
        "pred",
        "--loss",
        "mse,rmse,huber",
        "--param",
        "delta=0.5",
        "--format",
        "csv",
    )
    lines = csv.strip().splitlines()
    assert lines[0] == "loss,value" and len(lines) == 4
    values = dict(line.rsplit(",", 1) for line in lines[1:])
    assert float(values['"rmse"']) == pytest.approx(float(lk.rmse(t, f)), rel=1e-13)
    assert float(values['"huber (delta=0.5)"']) == pytest.approx(float(lk.huber(t, f, delta=0.5)), rel=1e-13)
    labels = np.array(data["label"])
    s = np.column_stack([data["s0"], data["s1"], data["s2"]])
    out = tmp_path / "rows.csv"
    table = ok(
        "eval", d / "preds.parquet", "--y-true", "label", "--y-pred", "s0,s1,s2", "--logits", "--per-sample", out
    )
    nll = float(lk.nll(labels, s, from_logits=True))
    assert f"{nll:.10g}" in table and "multi_margin" in table and "categorical_hinge" in table
    rows = np.genfromtxt(out, delimiter=",", names=True)
    np.testing.assert_array_equal(rows["row"], np.arange(1, 1001))
    per = lk.nll(labels, s, from_logits=True, reduction="none")
    np.testing.assert_allclose(rows["sparse_categorical_cross_entropy_from_logitsTrue"], per, rtol=1e-15)


def test_eval_user_errors_are_clear_and_never_a_traceback(files):
    d, _ = files
    args = ("--y-true", "y", "--y-pred", "p", "--loss", "bce")
    fails("eval", d / "missing.csv", *args, match="missing.csv: no such file")
    fails(
        "eval",
        d / "preds.csv",
        "--y-true",
        "truth",
        "--y-pred",
        "p",
        "--loss",
        "bce",
        match="no column 'truth'. The columns are: y, p, score, w",
    )
    fails("eval", d / "bad.csv", *args, match="row 3, column 'p': 'oops' is not a number")
    err = fails("eval", d / "na.csv", *args, match="2 empty or NaN cells")
    assert "the first at row 2, column 'p'" in err and "--drop-na" in err
    dropped = ok("eval", d / "na.csv", *args, "--drop-na")
    assert "rows        2 (2 dropped: empty or NaN cells)" in dropped
    assert f"{float(lk.bce([1.0, 0.0], [0.5, 0.2])):.10g}" in dropped
    fails("eval", d / "range.csv", *args, match="row 3: `y_pred` must be probabilities in [0, 1]")
    labels = ("eval", d / "labels.csv", "--y-true", "label", "--y-pred", "s0,s1", "--loss")
    fails(*labels, "nll", "--logits", match="row 3: `y_true` must be class labels in [0, 2)")
    fails(*labels, "categorical_hinge", match="row 3: class labels must be integers in [0, 2)")
    fails("eval", d / "empty.csv", *args, match="the file is empty")
    fails("eval", d / "preds.csv", "--y-true", "y", "--y-pred", "p", match="say which losses", code=2)
    fails("eval", d / "preds.csv", *args, "--format", "xml", match="invalid choice", code=2)


_PTY = """
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, "-m", "losskit", *sys.argv[1:]])
chunks = []
while True:
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    chunks.append(data)
_, status = os.waitpid(pid, 0)
sys.stdout.write(b"".join(chunks).decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _pty_run(args, env):
    """Run on a pseudo-terminal (as on a terminal) and return everything it wrote.

    The fork happens in a fresh helper process: forking pytest itself (with JAX's threads) could deadlock.
    """
    out = subprocess.run(
        [sys.executable, "-c", _PTY, *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def test_progress_bar_only_on_a_terminal(files):
    d, _ = files
    args = ["eval", d / "preds.csv", "--y-true", "y", "--y-pred", "p", "--loss", "bce"]
    shown = _pty_run(args, {"LOSSKIT_PROGRESS_AFTER": "0", "COLUMNS": "100"})
    assert "losskit eval preds.csv" in shown  # the bar's label, drawn on the terminal
    piped = run(*args, env={"LOSSKIT_PROGRESS_AFTER": "0"})
    assert piped.returncode == 0 and piped.stderr == "" and "losskit eval preds.csv" not in piped.stdout
    quiet = _pty_run(args, {"LOSSKIT_PROGRESS_AFTER": "1000"})  # a quick run on a terminal: no bar
    assert "losskit eval preds.csv" not in quiet


def _console_blocks():
    import re

    for page in (ROOT / "README.md", ROOT / "docs" / "cli.md"):
        for block in re.findall(r"```console\n(.*?)```", page.read_text(), flags=re.S):
            command, _, output = block.partition("\n")
            assert command.startswith("$ losskit ")
            yield pytest.param(command[len("$ losskit ") :].split(), output, id=f"{page.name}:{command[10:40]}")


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("docs")
    ok("demo", "--no-plots", cwd=d)
    return d


@pytest.mark.parametrize(("args", "output"), list(_console_blocks()))
def test_docs_show_real_output(args, output, demo_files):
    """The README's and docs' `$ losskit ...` examples print exactly what they show."""
    assert ok(*args, cwd=demo_files) == output
