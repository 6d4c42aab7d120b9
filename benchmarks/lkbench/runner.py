"""Run the cases: inputs, the exact reference, the floor, then each contender checked and timed.

Cases come in groups of one setting, shape and dtype: the inputs, the exact reference and
the floor are made once per group and shared by its calls (value, vg, gh), so the floor is
measured next to the cases it is compared with.
"""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import contenders as C
from .reference import Reference, disagreement, reference, relative_error
from .specs import WIDE_SPECS, Spec, shape_for
from .timing import Timing, TimingPolicy, measure

SEED = 20240607


@dataclass
class Measured:
    """One contender in one case: timed (``ok``), or why not (``n/a``, ``disagrees``, ``error``)."""

    status: str
    median_s: float | None = None
    detail: str = ""  # a note on the work done, or the reason it was not timed
    timing: Timing | None = None
    check_s: float = 0.0  # building the contender, its first call (JAX compiles here) and the check

    @property
    def flagged(self) -> bool:
        return self.timing is not None and self.timing.flagged


@dataclass
class CaseResult:
    """Every measurement of one (setting, call, shape, dtype)."""

    spec: str
    loss: str
    params: dict[str, Any]
    call: str
    shape: tuple[int, ...]
    dtype: str
    results: dict[str, Measured] = field(default_factory=dict)
    exact_value: float | None = None
    accuracy: float | None = None  # relative error of losskit's cost against the exact reference
    wall_s: float = 0.0  # the case's contenders, checks included
    setup_s: float = 0.0  # its group's inputs, exact reference and floor (shared by the group's calls)

    @property
    def n(self) -> int:
        """Elements of ``y_pred``."""
        return math.prod(self.shape)

    @property
    def classes(self) -> int | None:
        return self.shape[-1] if len(self.shape) > 1 else None

    def time(self, key: str) -> float | None:
        """The median seconds of a contender that was timed, else None."""
        m = self.results.get(key)
        return m.median_s if m is not None and m.status == "ok" else None

    def ratio(self, num: str, den: str) -> float | None:
        a, b = self.time(num), self.time(den)
        return a / b if a is not None and b is not None and b > 0 else None

    @property
    def contended(self) -> bool:
        return any(m.flagged for m in self.results.values())


@dataclass(frozen=True)
class Plan:
    """What to run."""

    specs: list[Spec]
    sizes: list[int]  # elements of y_pred in the N sweep
    dtypes: list[str]
    calls: list[str]
    contenders: list[str]  # besides losskit and the floor, always run
    wide_shapes: list[tuple[int, int]]  # extra (rows, classes) shapes of WIDE_SPECS
    policy: TimingPolicy

    def shapes(self, spec: Spec) -> list[tuple[int, ...]]:
        shapes = [shape_for(spec, n) for n in self.sizes]
        if spec.id in WIDE_SPECS:
            shapes += [s for s in self.wide_shapes if s not in shapes]
        return shapes

    def describe(self) -> dict[str, Any]:
        """The plan as JSON holds it (spec ids, not the specs' formulas)."""
        return {
            "specs": [s.id for s in self.specs],
            "sizes": self.sizes,
            "dtypes": self.dtypes,
            "calls": self.calls,
            "contenders": ["losskit", "lk_alloc", "kernel", *self.contenders],
            "wide_shapes": self.wide_shapes,
            "policy": self.policy,
            "cases": self.count(),
        }

    def count(self) -> int:
        """Cases in the plan."""
        return sum(
            len(self.shapes(s)) * len(self.dtypes) * sum(1 for c in self.calls if c != "gh" or s.has_hessian)
            for s in self.specs
        )


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def measure_floor(env: C.Env, n: int, dtype: str, policy: TimingPolicy) -> Measured:
    """The floor for ``n`` elements of ``dtype``: the fastest of the available passes."""
    best: Measured | None = None
    for p in C.floor_passes(env, n, dtype):
        try:
            p.fn()
            if not p.check():
                return Measured("error", detail=f"{p.label}: out != a + b")
            timing = measure(p.fn, policy)
        except Exception as exc:
            return Measured("error", detail=f"{p.label}: {_describe(exc)}")
        if best is None or timing.median_s < (best.median_s or math.inf):
            best = Measured("ok", timing.median_s, p.label, timing)
    assert best is not None
    return best


def run_contender(
    key: str, env: C.Env, spec: Spec, call: str, data: C.Data, ref: Reference, policy: TimingPolicy
) -> tuple[Measured, Any]:
    """Build, check against the reference, then time one contender; also its outputs (or None)."""
    start = time.perf_counter()
    measured, outputs = _check_and_time(key, env, spec, call, data, ref, policy)
    measured.check_s = time.perf_counter() - start - (measured.timing.contention.wall_s if measured.timing else 0.0)
    return measured, outputs


def _check_and_time(
    key: str, env: C.Env, spec: Spec, call: str, data: C.Data, ref: Reference, policy: TimingPolicy
) -> tuple[Measured, Any]:
    try:
        contender = C.BUILDERS[key](env, spec, call, data)
    except C.NotApplicable as exc:
        return Measured("n/a", detail=str(exc)), None
    except ImportError as exc:
        return Measured("n/a", detail=f"not installed ({exc.name or exc})"), None
    except Exception as exc:
        return Measured("error", detail=_describe(exc)), None
    try:
        outputs = contender.outputs(contender.fn())  # the first warm-up call
    except Exception as exc:
        detail = _describe(exc)
        if key == "losskit":
            detail += "\n" + traceback.format_exc(limit=3)
        return Measured("error", detail=detail), None
    problem = disagreement(outputs, ref, data.dtype, tuple(data.f.shape))
    if problem:
        return Measured("disagrees", detail=problem), outputs
    try:
        timing = measure(contender.fn, policy)
    except Exception as exc:
        return Measured("error", detail=_describe(exc)), outputs
    return Measured("ok", timing.median_s, contender.note, timing), outputs


def make_data(spec: Spec, index: int, shape: tuple[int, ...], dtype: str) -> C.Data:
    """The group's inputs: the same draws for float32 and float64 (a fixed seed per setting and shape)."""
    rng = np.random.default_rng([SEED, index, *shape])
    y, f = spec.inputs(rng, shape, np.dtype(dtype))
    return C.Data(spec, y, f, dtype)


def run(plan: Plan, env: C.Env, emit: Callable[[CaseResult], None]) -> Iterator[CaseResult]:
    """Run the plan, group by group, calling ``emit`` on each case as it completes."""
    keys = ["losskit", "lk_alloc", "kernel", *plan.contenders]
    for index, spec in enumerate(plan.specs):
        for shape in plan.shapes(spec):
            for dtype in plan.dtypes:
                calls = [c for c in plan.calls if c != "gh" or spec.has_hessian]
                if not calls:
                    continue
                start = time.perf_counter()
                data = make_data(spec, index, shape, dtype)
                ref = reference(spec, data.y, data.f, with_hessian="gh" in calls)
                floor = measure_floor(env, data.f.size, dtype, plan.policy)
                setup = time.perf_counter() - start
                for call in calls:
                    start = time.perf_counter()
                    case = CaseResult(spec.id, spec.name, dict(spec.params), call, shape, dtype, setup_s=setup)
                    case.exact_value = ref.value
                    case.results["floor"] = floor
                    for key in keys:
                        measured, outputs = run_contender(key, env, spec, call, data, ref, plan.policy)
                        case.results[key] = measured
                        if key == "losskit" and outputs is not None and outputs.value is not None:
                            case.accuracy = relative_error(outputs.value, ref.value)
                    case.wall_s = time.perf_counter() - start
                    emit(case)
                    yield case
                del data
