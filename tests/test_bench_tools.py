"""The benchmark suite's own code (benchmarks/lkbench): cheap checks, no timing assertions.

The gate evaluator and the table on synthetic cases, the contention arithmetic, the exact
reference against exact rational and mpmath arithmetic, the agreement check, the formulas
the anchors use against losskit, and the command line.
"""

from __future__ import annotations

import doctest
import math
from fractions import Fraction

import numpy as np
import pytest

import bench
import losskit as lk
from lkbench import conformance, contenders, gates, machine, reference, report, specs, startup, timing
from lkbench.runner import CaseResult, Measured, make_data, measure_floor, run_contender
from lkbench.timing import Contention, CpuSnapshot, TimingPolicy


def _timed(seconds: float, other_share: float = 0.0) -> Measured:
    flagged = other_share > 0.1
    cont = Contention(1.0, 1.0, 2 * other_share, 2.0, other_share, flagged)
    return Measured("ok", seconds, timing=timing.Timing(seconds, [seconds], 1, 1, cont))


def _case(spec: str = "mse", call: str = "vg", shape=(10**7,), dtype: str = "float64", **ms: float) -> CaseResult:
    case = CaseResult(spec, specs.BY_ID[spec].name, {}, call, shape, dtype)
    case.results = {key: _timed(seconds * 1e-3) for key, seconds in ms.items()}
    return case


# -- timing and contention ------------------------------------------------------------------------


def test_proc_stat_counts_steal_as_busy_and_guest_once():
    # user nice system idle iowait irq softirq steal guest guest_nice (ticks of 10 ms)
    busy, total = timing.parse_proc_stat("cpu  100 5 50 800 45 3 2 10 40 0\ncpu0 1 2 3 4\n", tick_s=0.01)
    assert busy == pytest.approx(1.70)  # 100 + 5 + 50 + 3 + 2 + 10 ticks; guest is inside user
    assert total == pytest.approx(10.15)
    with pytest.raises(ValueError, match="cpu"):
        timing.parse_proc_stat("intr 1 2 3\n")


def test_contention_is_what_the_system_spent_beyond_this_process():
    before = CpuSnapshot(wall=0.0, system_busy=10.0, system_total=100.0, own=1.0)
    # over 1 s on 2 CPUs the system was busy 1.5 s, this process 0.9 s: others took 0.6 s of 2 s
    after = CpuSnapshot(wall=1.0, system_busy=11.5, system_total=102.0, own=1.9)
    c = timing.contention(before, after, cpus=2, threshold=0.1)
    assert c.other_cpu_s == pytest.approx(0.6)
    assert c.other_share == pytest.approx(0.3)
    assert c.flagged
    assert not timing.contention(before, after, cpus=2, threshold=0.5).flagged
    # this process alone: nothing left for others, and a negative remainder (tick rounding) is 0
    alone = CpuSnapshot(wall=1.0, system_busy=11.88, system_total=102.0, own=2.9)
    assert timing.contention(before, alone, cpus=2).other_cpu_s == 0.0
    # a large share of a tiny interval is tick rounding, not contention
    short = CpuSnapshot(wall=0.01, system_busy=10.01, system_total=100.02, own=1.0)
    assert not timing.contention(before, short, cpus=2, threshold=0.1, min_other_s=0.02).flagged
    unknown = CpuSnapshot(wall=1.0, system_busy=math.nan, system_total=math.nan, own=1.5)
    assert not timing.contention(before, unknown, cpus=2).flagged


def test_repeats_follow_the_budget_within_bounds():
    policy = TimingPolicy(budget_s=0.2, min_repeats=3, max_repeats=50, min_sample_s=1e-3)
    assert timing.plan_repeats(1e-6, policy) == (1000, 50)  # batched calls, capped repeats
    assert timing.plan_repeats(0.01, policy) == (1, 20)
    assert timing.plan_repeats(1.0, policy) == (1, 3)  # over budget: still the minimum
    assert timing.plan_repeats(0.0, policy)[1] == 50


def test_measure_returns_the_median_of_its_samples():
    calls = []
    t = timing.measure(lambda: calls.append(1), TimingPolicy(budget_s=0.01, max_repeats=7))
    assert t.repeats == len(t.samples_s) <= 7
    assert t.median_s == sorted(t.samples_s)[len(t.samples_s) // 2]
    assert len(calls) >= t.repeats * t.number


# -- the exact reference and the agreement check -----------------------------------------------------


def test_exact_mean_is_exact_where_float64_sums_are_not():
    y = np.zeros(3)
    f = np.array([1e8, 1.0, 1.0])  # squares 1e16, 1, 1: a float64 sum loses both 1s
    exact = Fraction(10**16 + 2, 3)
    got = reference.exact_mean(specs.BY_ID["mse"], y, f)
    assert got == float(exact)
    assert float(np.mean((f - y) ** 2)) != float(exact)


def test_exact_mean_of_float32_inputs_uses_their_exact_values():
    rng = np.random.default_rng(3)
    y = rng.normal(size=1000).astype(np.float32)
    f = rng.normal(size=1000).astype(np.float32)
    exact = sum((Fraction(float(b)) - Fraction(float(a))) ** 2 for a, b in zip(y, f, strict=True)) / 1000
    assert reference.exact_mean(specs.BY_ID["mse"], y, f) == pytest.approx(float(exact), rel=1e-16, abs=0)


def test_exact_mean_of_a_transcendental_loss_matches_mpmath():
    mpmath = pytest.importorskip("mpmath")
    spec = specs.BY_ID["bce:logits"]
    y, f = spec.inputs(np.random.default_rng(5), (200,), np.dtype("float64"))
    with mpmath.workdps(40):
        mp = [(mpmath.mpf(t), mpmath.mpf(s)) for t, s in zip(y, f, strict=True)]
        total = mpmath.fsum(mpmath.log1p(mpmath.exp(s)) - t * s for t, s in mp)
        exact = float(total / 200)
    assert reference.relative_error(reference.exact_mean(spec, y, f), exact) < 1e-16


def test_disagreement_catches_a_contender_computing_something_else():
    spec = specs.BY_ID["huber"]
    data = make_data(spec, 0, (500,), "float64")
    ref = reference.reference(spec, data.y, data.f)
    loss = lk.get("huber")
    value, grad = loss.value_and_gradient(data.y, data.f)
    good = reference.Outputs(float(value), grad)
    assert reference.disagreement(good, ref, "float64", (500,)) == ""
    half = reference.Outputs(float(value) / 2, grad / 2)  # sklearn's half losses, unscaled
    problem = reference.disagreement(half, ref, "float64", (500,))
    assert "value" in problem
    assert "gradient off by" in problem
    wrong_shape = reference.Outputs(grad=grad[:, None])
    assert "shape" in reference.disagreement(wrong_shape, ref, "float64", (500,))
    nan = reference.Outputs(grad=np.full(500, np.nan))
    assert "gradient off by inf" in reference.disagreement(nan, ref, "float64", (500,))


@pytest.mark.parametrize("spec", specs.SPECS, ids=lambda s: s.id)
def test_the_anchors_formulas_are_losskits_losses(spec):
    """Each setting's formulas (naive NumPy, JAX, torch fallback, the exact reference) agree with
    losskit's reference path: the numbers the benchmark compares are the same computation."""
    data = make_data(spec, 0, specs.shape_for(spec, 200), "float64")
    ref = reference.reference(spec, data.y, data.f)
    loss = lk.get(spec.name, **spec.params)
    value, grad = loss.value_and_gradient(data.y, data.f)
    hess = loss.hessian(data.y, data.f) if spec.has_hessian else None
    out = reference.Outputs(float(value), grad, hess)
    assert reference.disagreement(out, ref, "float64", data.f.shape) == ""
    assert reference.relative_error(float(value), ref.value) < 1e-13


# -- gates ------------------------------------------------------------------------------------------


def _by_id(results: list[gates.GateResult]) -> dict[str, gates.GateResult]:
    return {r.id: r for r in results}


def test_gates_met_missed_and_not_measurable_on_synthetic_cases():
    ok = _case("mse", floor=10.0, losskit=12.0, lk_alloc=25.0, torch=84.0, sklearn=30.0)
    ok.results["kernel"] = Measured("n/a", detail="losskit._fast.raw_kernel does not exist yet")
    fine = _case("huber", dtype="float32", floor=5.0, losskit=5.5, lk_alloc=9.0, torch=40.0, sklearn=30.0)
    small = _case("mse", shape=(10**5,), floor=0.01, losskit=0.04)
    small.results["kernel"] = Measured("n/a", detail="losskit._fast.raw_kernel does not exist yet")
    small.accuracy = 3e-15
    got = _by_id(gates.evaluate(gates.Results([ok, fine, small])))

    assert got["simple-floor"].status == "MET"  # 1.2 is within 1.2
    assert got["simple-floor"].value == pytest.approx(1.2)
    assert got["simple-floor"].observations == 2
    assert got["simple-floor-alloc"].status == "MISSED"
    assert got["simple-floor-alloc"].value == pytest.approx(2.5)
    assert got["simple-floor-alloc"].missed == ["mse v+g 1e7 float64"]
    assert got["simple-torch"].status == "MET"
    assert got["simple-torch"].value == pytest.approx(7.0)
    assert got["simple-sklearn"].status == "MISSED"
    assert got["simple-sklearn"].value == pytest.approx(2.5)
    assert got["bce-floor"].status == "NOT MEASURABLE"
    assert "no such case" in got["bce-floor"].reason
    assert got["api-overhead"].status == "NOT MEASURABLE"
    assert "raw_kernel" in got["api-overhead"].reason
    assert got["api-latency"].status == "MET"  # 0.04 ms < 0.05 ms
    assert got["accuracy-float64"].status == "MET"
    assert got["accuracy-float32"].status == "NOT MEASURABLE"  # no float32 value in these cases
    assert got["import-time"].status == "NOT MEASURABLE"


def test_gates_read_the_start_up_and_conformance_figures():
    extras = {
        "import_ms": {"byte-compiled": 12.0},
        "first_call_ms": {"mse": 3.0, "bce:logits": 25.0},
        "conformance": {"passed": 2240, "failed": 1},
    }
    got = _by_id(gates.evaluate(gates.Results([], extras)))
    assert got["import-time"].status == "MET"
    assert got["first-call"].status == "MISSED"
    assert got["first-call"].where == "first call bce:logits"
    assert got["conformance"].status == "MISSED"
    errored = _by_id(gates.evaluate(gates.Results([], {"conformance": {"error": "not found at x"}})))
    assert errored["conformance"].status == "NOT MEASURABLE"
    assert errored["conformance"].reason == "not found at x"


def test_a_contended_worst_case_is_said_so():
    case = _case("mse", floor=10.0, losskit=20.0)
    case.results["losskit"] = _timed(20e-3, other_share=0.4)
    (res,) = gates.evaluate(gates.Results([case]), [g for g in gates.GATES if g.id == "simple-floor"])
    assert res.status == "MISSED"
    assert "other processes" in res.reason
    assert "MISSED" in gates.summary([res])[0]


# -- table and JSON ------------------------------------------------------------------------------------


def test_table_row_shows_medians_ratios_and_marks():
    case = _case("mse", floor=10.0, losskit=12.0, lk_alloc=25.0, torch=84.0, jax=6.0)
    case.results["sklearn"] = Measured("disagrees", detail="value 1 vs 2")
    case.results["numpy"] = Measured("n/a", detail="no such thing")
    case.results["busy"] = _timed(1.0, other_share=0.35)
    cells = dict(zip([c.header for c in report.COLUMNS], [c.cell(case) for c in report.COLUMNS], strict=True))
    assert cells["loss"] == "mse"
    assert cells["call"] == "v+g"
    assert cells["shape"] == "1e7"
    assert cells["lk ms"] == "12"
    assert cells["×floor"] == "1.20"
    assert cells["al×fl"] == "2.50"
    assert cells["torch"] == "7.00"
    assert cells["jax"] == "0.50"
    assert cells["sklrn"] == "≠"
    assert cells["numpy"] == "-"
    assert cells["lk@trch"] == ""  # lk_torch was not run
    assert cells["busy"] == "!35%"
    assert len(report.row(case)) <= len(report.header()) + 6
    assert report.untimed([case]) == ["sklearn   disagrees mse v+g 1e7 float64: value 1 vs 2"]


def test_anchor_columns_follow_the_run():
    headers = [c.header for c in report.columns(["torch", "reference"])]
    assert headers[-3:] == ["ref", "torch", "busy"]
    assert "lk ms" in headers
    assert "sklrn" not in headers


def test_wide_shapes_and_json_values():
    assert report.fmt_shape((1000, 32000)) == "1e3x32000"
    assert report.jsonable({"a": (1.0, math.nan), "b": np.float32(2.5)}) == {"a": [1.0, None], "b": 2.5}


# -- specs, command line, helpers ---------------------------------------------------------------------------


def test_loss_selection_by_id_name_alias_and_glob():
    assert [s.id for s in specs.select(["bce"], lk.canonical_name)] == ["bce"]
    assert [s.id for s in specs.select(["log_loss"], lk.canonical_name)] == ["bce", "bce:logits"]
    logits = ["bce:logits", "focal:logits", "cce:logits", "sparse_ce:logits", "kl:logits"]
    assert [s.id for s in specs.select(["*:logits"])] == logits
    assert {s.name for s in specs.select(None)} == set(lk.names())  # every loss is benchmarked
    with pytest.raises(ValueError, match="matches no benchmarked loss"):
        specs.select(["nope"], lk.canonical_name)


def test_command_line_plans():
    plan = bench.make_plan(bench.parse_args(["--quick", "--loss", "mse,softmax_ce", "--calls", "v+g"]))
    assert plan.sizes == [1000, 100_000]
    assert plan.calls == ["vg"]
    assert plan.wide_shapes == []
    assert plan.count() == 2 * 2 * 2
    full = bench.make_plan(bench.parse_args(["--loss", "softmax_ce", "--dtype", "f64", "--anchors", "none"]))
    sweep = [(100, 10), (10_000, 10), (100_000, 10), (1_000_000, 10)]
    assert full.shapes(specs.BY_ID["softmax_ce"]) == [*sweep, (10_000, 1000), (1000, 32_000)]
    assert full.contenders == []
    assert full.count() == 6 * 3
    with pytest.raises(SystemExit, match="--anchors: unknown"):
        bench.make_plan(bench.parse_args(["--anchors", "tensorflow"]))


def test_machine_and_checker_parsing():
    info = machine.cpuinfo("model name : Z\nflags : sse4_2 avx avx2 bmi1 bmi2 f16c fma abm movbe xsave\n")
    assert info["level"] == "x86-64"  # no v2 flags (popcnt, ...): not v3 either
    assert conformance.parse_summary("2241 passed, 0 failed, 3 skipped") == {"passed": 2241, "failed": 0, "skipped": 3}
    assert conformance.parse_summary("Traceback ...") is None


@pytest.mark.parametrize("module", [timing, reference, report, gates, specs, machine, startup, conformance])
def test_doctests(module):
    assert doctest.testmod(module).failed == 0


# -- the library's hooks, and contenders that disagree -----------------------------------------------


class _FakeNative:
    """Stands in for losskit._native: only the floor pass the suite looks for."""

    def __init__(self) -> None:
        self.calls = 0

    def floor_pass(self, a, b, out):
        self.calls += 1
        np.add(a, b, out=out)


def _env_with_hooks(native=None, raw_kernel=None) -> contenders.Env:
    env = contenders.Env(threads=2)
    env.__dict__["native"] = native  # the cached properties, set as the library would provide them
    env.__dict__["raw_kernel"] = raw_kernel
    return env


QUICK = TimingPolicy(budget_s=0.002, min_repeats=3, max_repeats=5)


def test_the_floor_uses_the_native_pass_when_the_extension_has_it():
    native = _FakeNative()
    (exact,) = contenders.floor_passes(_env_with_hooks(native), 1000, "float32")
    assert exact.exact
    assert exact.label == "losskit._native.floor_pass"
    m = measure_floor(_env_with_hooks(native), 1000, "float32", QUICK)
    assert m.status == "ok"
    assert m.detail == "losskit._native.floor_pass"
    assert native.calls > 0
    approx = contenders.floor_passes(_env_with_hooks(None), 1000, "float64")
    assert [p.exact for p in approx] == [False, False]
    assert all(p.label.startswith("approx.") for p in approx)
    for p in approx:
        p.fn()
        assert p.check()


def test_the_kernel_hook_is_timed_when_it_exists_and_reported_when_not():
    spec = specs.BY_ID["mse"]
    data = make_data(spec, 0, (1000,), "float64")
    ref = reference.reference(spec, data.y, data.f)
    seen = []

    def raw_kernel(loss, kind, y, f, out):
        seen.append(kind)
        return getattr(loss, kind)(y, f, out=out)

    measured, _ = run_contender("kernel", _env_with_hooks(raw_kernel=raw_kernel), spec, "vg", data, ref, QUICK)
    assert measured.status == "ok"
    assert set(seen) == {"value_and_gradient"}
    missing, _ = run_contender("kernel", _env_with_hooks(), spec, "vg", data, ref, QUICK)
    assert missing.status == "n/a"
    assert "raw_kernel" in missing.detail


def test_a_contender_that_computes_something_else_is_reported_not_timed(monkeypatch):
    spec = specs.BY_ID["huber"]
    data = make_data(spec, 0, (1000,), "float32")
    ref = reference.reference(spec, data.y, data.f)
    loss = lk.get("huber", delta=2.0)  # another parameter: the classic silent difference
    bogus = contenders.Contender("bogus", lambda: loss.value_and_gradient(data.y, data.f), contenders.api_outputs("vg"))
    monkeypatch.setitem(contenders.BUILDERS, "bogus", lambda *args: bogus)
    measured, outputs = run_contender("bogus", _env_with_hooks(), spec, "vg", data, ref, QUICK)
    assert measured.status == "disagrees"
    assert measured.timing is None
    assert measured.median_s is None
    assert "value" in measured.detail
    assert outputs is not None
