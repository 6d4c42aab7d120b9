"""The gates of issue 7, evaluated on one run's results.

Each gate collects observations (one per case it covers, or one per start-up figure), takes
the worst, and is MET when the worst satisfies the bound, MISSED otherwise, and NOT
MEASURABLE when the run has no such case or the library lacks what the gate needs (the
reason is given). Ratios use losskit with ``out=`` buffers unless the gate says allocating;
anchor ratios are the anchor's median over losskit's (how many times faster losskit is).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from .report import CALL_LABELS, fmt_count, fmt_shape
from .runner import CaseResult
from .specs import SPECS

OPS: dict[str, Callable[[float, float], bool]] = {"<=": operator.le, "<": operator.lt, ">=": operator.ge}


@dataclass(frozen=True)
class Observation:
    """One measured figure a gate looks at, and where it comes from."""

    value: float
    where: str
    contended: bool = False


@dataclass
class Results:
    """What the gates look at: the cases, start-up figures and the conformance run."""

    cases: list[CaseResult]
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass
class GateResult:
    id: str
    text: str
    status: str  # MET | MISSED | NOT MEASURABLE
    op: str
    threshold: float
    unit: str
    value: float | None = None  # the worst observation
    where: str = ""
    observations: int = 0
    missed: list[str] = field(default_factory=list)  # where each missing observation comes from
    reason: str = ""  # NOT MEASURABLE: why; otherwise a remark (contention)


Observe = Callable[[Results], "list[Observation] | str"]


@dataclass(frozen=True)
class Gate:
    id: str
    text: str  # the gate as the issue states it
    op: str
    threshold: float
    unit: str  # "x", "us", "ms", "rel", "cases"
    observe: Observe

    def evaluate(self, results: Results) -> GateResult:
        got = self.observe(results)
        res = GateResult(self.id, self.text, "NOT MEASURABLE", self.op, self.threshold, self.unit)
        if isinstance(got, str):
            res.reason = got
            return res
        ok = OPS[self.op]
        worst = (max if self.op in ("<=", "<") else min)(got, key=lambda o: o.value)
        res.value, res.where, res.observations = worst.value, worst.where, len(got)
        res.missed = [o.where for o in got if not ok(o.value, self.threshold)]
        res.status = "MISSED" if res.missed else "MET"
        if worst.contended:
            res.reason = "the worst case was measured while other processes used the CPU"
        return res


def where(case: CaseResult) -> str:
    return f"{case.spec} {CALL_LABELS.get(case.call, case.call)} {fmt_shape(case.shape)} {case.dtype}"


@dataclass(frozen=True)
class Select:
    """Which cases a gate covers."""

    specs: Collection[str] | None = None
    calls: Collection[str] = ("vg",)
    n_min: int = 0
    n: int | None = None
    dtypes: Collection[str] = ("float32", "float64")
    k_min: int | None = None
    k: int | None = None

    def __call__(self, c: CaseResult) -> bool:
        k = c.classes
        return (
            (self.specs is None or c.spec in self.specs)
            and c.call in self.calls
            and c.n >= self.n_min
            and (self.n is None or c.n == self.n)
            and c.dtype in self.dtypes
            and (self.k_min is None or (k is not None and k >= self.k_min))
            and (self.k is None or k == self.k)
        )

    def scope(self) -> str:
        parts = [
            f"losses {', '.join(self.specs)}" if self.specs is not None else "every loss",
            "calls " + ", ".join(CALL_LABELS.get(c, c) for c in self.calls),
        ]
        if self.n is not None:
            parts.append(f"N = {fmt_count(self.n)}")
        elif self.n_min:
            parts.append(f"N >= {fmt_count(self.n_min)}")
        if self.k is not None:
            parts.append(f"K = {self.k}")
        elif self.k_min is not None:
            parts.append(f"K >= {self.k_min}")
        parts.append("/".join(self.dtypes))
        return "; ".join(parts)


@dataclass(frozen=True)
class Metric:
    """A figure of one case from the medians of contenders ``keys``."""

    keys: tuple[str, ...]
    fn: Callable[[CaseResult], float | None]


def ratio(num: str, den: str) -> Metric:
    return Metric((num, den), lambda c: c.ratio(num, den))


def overhead_us() -> Metric:
    def fn(c: CaseResult) -> float | None:
        lk, kern = c.time("losskit"), c.time("kernel")
        return None if lk is None or kern is None else (lk - kern) * 1e6

    return Metric(("losskit", "kernel"), fn)


def latency_ms() -> Metric:
    return Metric(("losskit",), lambda c: None if c.time("losskit") is None else c.time("losskit") * 1e3)


def accuracy() -> Metric:
    return Metric(("losskit",), lambda c: c.accuracy)


def _why_missing(cases: Iterable[CaseResult], keys: tuple[str, ...]) -> str:
    """Why no case gave a figure: the first contender that was not timed, and its reason."""
    for c in cases:
        for key in keys:
            m = c.results.get(key)
            if m is None:
                return f"{key} was not run (see --anchors)"
            if m.status != "ok":
                return f"{key}: {m.status} ({m.detail.splitlines()[0] if m.detail else 'no detail'})"
    return "no figure"


def per_case(select: Select, metric: Metric) -> Observe:
    def observe(results: Results) -> list[Observation] | str:
        chosen = [c for c in results.cases if select(c)]
        if not chosen:
            return f"no such case in this run ({select.scope()})"
        got = []
        for c in chosen:
            value = metric.fn(c)
            if value is not None and not math.isnan(value):
                got.append(Observation(value, where(c), c.contended))
        return got or _why_missing(chosen, metric.keys)

    return observe


def extra(key: str, read: Callable[[Any], list[Observation] | str]) -> Observe:
    """Observations from ``results.extras[key]`` (start-up, conformance)."""

    def observe(results: Results) -> list[Observation] | str:
        data = results.extras.get(key)
        if data is None:
            return f"not measured in this run ({key} skipped)"
        if isinstance(data, dict) and data.get("error"):
            return str(data["error"])
        return read(data)

    return observe


def _medians(label: str) -> Callable[[Any], list[Observation] | str]:
    def read(data: dict[str, Any]) -> list[Observation] | str:
        got = [Observation(v, f"{label} {k}") for k, v in data.items() if isinstance(v, (int, float))]
        return got or "no figure"

    return read


def _conformance(data: dict[str, Any]) -> list[Observation] | str:
    if "failed" not in data:
        return "the checker's summary line was not found"
    return [Observation(float(data["failed"]), f"{data.get('passed', '?')} passed, {data['failed']} failed")]


SIMPLE = ("mse", "mae", "huber", "pseudo_huber", "hinge", "sq_hinge", "quantile")
SIMPLE_SKLEARN = ("mse", "mae", "huber", "quantile")  # the simple losses sklearn._loss has
TRANSCENDENTAL = ("bce:logits", "poisson:log", "focal:logits", "log_cosh")
TRANSCENDENTAL_SKLEARN = ("bce:logits", "poisson:log")  # sklearn has no focal or log-cosh loss
SOFTMAX = ("softmax_ce", "sparse_ce:logits")
F64 = ("float64",)
VALUE_VG = ("value", "vg")
TORCH_BUILTIN = tuple(s.id for s in SPECS if s.torch is not None)  # torch.nn.functional has these

_S = "MSE, MAE, Huber, pseudo-Huber, hinge, squared hinge, quantile; N >= 1e6, float32 and float64: value+gradient"
_T = "BCE from logits, Poisson (log-rate), focal, log-cosh; N = 1e7 with out="
_W = "Softmax / sparse cross-entropy: K >= 1000"
_K = "Softmax / sparse cross-entropy: K = 10"

_LESS_SK = "sklearn has no other of these"
_API = "N = 1e5, float64: a whole call through the public API (namespace, checks, reduction)"


def _gate(id: str, text: str, op: str, threshold: float, unit: str, select: Select, metric: Metric) -> Gate:
    return Gate(id, text, op, threshold, unit, per_case(select, metric))


GATES: tuple[Gate, ...] = (
    _gate("simple-floor", f"{_S} within 1.2x of the floor with out=", "<=", 1.2, "x",
          Select(SIMPLE, n_min=10**6), ratio("losskit", "floor")),
    _gate("simple-floor-alloc", f"{_S} within 2x of the floor allocating", "<=", 2.0, "x",
          Select(SIMPLE, n_min=10**6), ratio("lk_alloc", "floor")),
    _gate("simple-torch", f"{_S} at least 6x faster than PyTorch", ">=", 6.0, "x",
          Select(SIMPLE, n_min=10**6), ratio("torch", "losskit")),
    _gate("simple-sklearn", f"{_S} at least 4x faster than sklearn._loss (MSE, MAE, Huber, quantile: {_LESS_SK})",
          ">=", 4.0, "x", Select(SIMPLE_SKLEARN, n_min=10**6), ratio("sklearn", "losskit")),
    _gate("bce-floor", f"{_T}: BCE within 2.5x of the floor", "<=", 2.5, "x",
          Select(("bce:logits",), n=10**7), ratio("losskit", "floor")),
    _gate("logcosh-floor", f"{_T}: log-cosh within 3.5x of the floor", "<=", 3.5, "x",
          Select(("log_cosh",), n=10**7), ratio("losskit", "floor")),
    _gate("transcendental-torch", f"{_T}: at least 8x faster than PyTorch", ">=", 8.0, "x",
          Select(TRANSCENDENTAL, n=10**7), ratio("torch", "losskit")),
    _gate("transcendental-sklearn", f"{_T}: at least 9x faster than sklearn._loss (BCE, Poisson: {_LESS_SK})",
          ">=", 9.0, "x", Select(TRANSCENDENTAL_SKLEARN, n=10**7), ratio("sklearn", "losskit")),
    _gate("softmax-wide-floor", f"{_W} within 2x of the floor", "<=", 2.0, "x",
          Select(SOFTMAX, k_min=1000), ratio("losskit", "floor")),
    _gate("softmax-wide-torch", f"{_W} at least 6x faster than PyTorch", ">=", 6.0, "x",
          Select(SOFTMAX, k_min=1000), ratio("torch", "losskit")),
    _gate("softmax-wide-sklearn", f"{_W} at least 4x faster than sklearn._loss", ">=", 4.0, "x",
          Select(SOFTMAX, k_min=1000), ratio("sklearn", "losskit")),
    _gate("softmax-k10-torch", f"{_K} (N >= 1e6) at least 5x faster than PyTorch", ">=", 5.0, "x",
          Select(SOFTMAX, k=10, n_min=10**6), ratio("torch", "losskit")),
    _gate("softmax-k10-sklearn", f"{_K} (N >= 1e6) at least 2.5x faster than sklearn._loss", ">=", 2.5, "x",
          Select(SOFTMAX, k=10, n_min=10**6), ratio("sklearn", "losskit")),
    _gate("api-overhead", f"{_API} costs at most 5 us more than the kernel", "<=", 5.0, "us",
          Select(n=10**5, dtypes=F64), overhead_us()),
    _gate("api-latency", "N = 1e5, float64: MSE and Huber value+gradient under 0.05 ms", "<", 0.05, "ms",
          Select(("mse", "huber"), n=10**5, dtypes=F64), latency_ms()),
    _gate("accuracy-float64", "the mean within 1e-14 relative of an exact reference (float64)", "<=", 1e-14, "rel",
          Select(calls=VALUE_VG, dtypes=F64), accuracy()),
    _gate("accuracy-float32", "the mean within 1e-7 relative of an exact reference (float32)", "<=", 1e-7, "rel",
          Select(calls=VALUE_VG, dtypes=("float32",)), accuracy()),
    Gate("conformance", "every conformance case passes", "<=", 0.0, "failed", extra("conformance", _conformance)),
    Gate("import-time", "import losskit adds under 40 ms to numpy's", "<", 40.0, "ms",
         extra("import_ms", _medians("import"))),
    Gate("first-call", "the first kernel call in a fresh process under 20 ms", "<", 20.0, "ms",
         extra("first_call_ms", _medians("first call"))),
    _gate("torch-inputs", "torch inputs (CPU, no autograd) within 1.3x of torch's built-in loss (N >= 1e6)",
          "<=", 1.3, "x", Select(TORCH_BUILTIN, calls=VALUE_VG, n_min=10**6), ratio("lk_torch", "torch")),
    _gate("jax-inputs", "JAX inputs (array-API path, jit) within 1.3x of the loss in jax.numpy (N >= 1e6)",
          "<=", 1.3, "x", Select(calls=VALUE_VG, n_min=10**6), ratio("lk_jax", "jax")),
)  # fmt: skip


def evaluate(results: Results, gates: Iterable[Gate] = GATES) -> list[GateResult]:
    return [g.evaluate(results) for g in gates]


def fmt_value(value: float, unit: str) -> str:
    """A gate's figure with its unit.

    >>> fmt_value(1.234, "x"), fmt_value(3.2e-15, "rel"), fmt_value(12.5, "ms")
    ('1.23x', '3.2e-15', '12.5 ms')
    """
    if unit == "x":
        return f"{value:.3g}x"
    if unit == "rel":
        return f"{value:.1e}"
    if unit == "failed":
        return f"{value:.0f} failed"
    return f"{value:.3g} {unit}"


def summary(results: list[GateResult]) -> list[str]:
    """One line per gate, then the misses' cases, indented."""
    lines = []
    for r in results:
        bound = f"{r.op} {fmt_value(r.threshold, r.unit)}"
        if r.status == "NOT MEASURABLE":
            lines.append(f"{r.status:<15} {r.id:<23} ({bound}): {r.reason}")
            continue
        measured = f"worst {fmt_value(r.value or 0.0, r.unit)} at {r.where}"
        count = f"{r.observations} case{'s' if r.observations != 1 else ''}"
        if r.missed:
            count = f"{len(r.missed)} of {count} missed"
        line = f"{r.status:<15} {r.id:<23} ({bound}): {measured}; {count}"
        lines.append(line + (f" [{r.reason}]" if r.reason else ""))
    return lines
