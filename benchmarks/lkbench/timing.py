"""Timing: medians over adaptive repeats, and whether other processes used the CPU meanwhile.

The contention flag compares two readings of the system-wide CPU time in ``/proc/stat``
with this process's own CPU time (every thread: PyTorch's, OpenMP's, XLA's). What the
system spent beyond what this process spent went to other processes (or was stolen by
the hypervisor); when that is a meaningful share of the machine's capacity over the
measurement, the measurement is flagged.
"""

from __future__ import annotations

import gc
import math
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PROC_STAT = "/proc/stat"
# /proc/stat counts in USER_HZ ticks: its resolution bounds what a short measurement can see
_TICK_S = 1.0 / os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 0.01
WARMUPS = 5  # estimate calls at most, before the timed samples


@dataclass(frozen=True)
class CpuSnapshot:
    """One reading of the clocks the contention flag needs (seconds)."""

    wall: float  # time.perf_counter()
    system_busy: float  # CPU time spent by every process on every CPU since boot (nan: unknown)
    system_total: float  # busy plus idle, every CPU (about wall time x CPUs)
    own: float  # this process's CPU time, every thread


@dataclass(frozen=True)
class Contention:
    """What other processes used while one measurement ran."""

    wall_s: float
    own_cpu_s: float
    other_cpu_s: float  # system busy time minus this process's: other processes and steal
    capacity_s: float  # CPU seconds the machine had over the interval (CPUs x wall)
    other_share: float  # other_cpu_s / capacity_s
    flagged: bool


def parse_proc_stat(text: str, tick_s: float = _TICK_S) -> tuple[float, float]:
    """(busy, total) CPU seconds from the aggregate ``cpu`` line of ``/proc/stat``.

    Fields: user nice system idle iowait irq softirq steal guest guest_nice. Guest time is
    already inside user and nice, so it is not added again; steal (the hypervisor running
    someone else) counts as busy: it is CPU this benchmark did not get.

    >>> parse_proc_stat("cpu  100 0 50 800 50 0 0 0 0 0\\n", tick_s=0.01)
    (1.5, 10.0)
    """
    for line in text.splitlines():
        if line.startswith("cpu "):
            ticks = [int(x) for x in line.split()[1:]] + [0] * 10
            user, nice, system, idle, iowait, irq, softirq, steal = ticks[:8]
            busy = user + nice + system + irq + softirq + steal
            return busy * tick_s, (busy + idle + iowait) * tick_s
    msg = "no aggregate 'cpu' line in /proc/stat"
    raise ValueError(msg)


def snapshot() -> CpuSnapshot:
    """Read the clocks now (system figures are nan where ``/proc/stat`` does not exist)."""
    try:
        with open(PROC_STAT) as fh:
            busy, total = parse_proc_stat(fh.read())
    except (OSError, ValueError):
        busy = total = math.nan
    return CpuSnapshot(time.perf_counter(), busy, total, time.process_time())


def contention(
    before: CpuSnapshot,
    after: CpuSnapshot,
    cpus: int,
    threshold: float = 0.10,
    min_other_s: float = 2 * _TICK_S,
) -> Contention:
    """How much CPU other processes took between two snapshots, and whether to flag it.

    Flagged when other processes used more than ``threshold`` of the machine's capacity
    (CPUs x wall time) and at least ``min_other_s`` CPU seconds: ``/proc/stat`` counts in
    ticks (10 ms), so a share read over a short interval is mostly rounding.
    """
    wall = after.wall - before.wall
    own = after.own - before.own
    busy = after.system_busy - before.system_busy
    if math.isnan(busy):
        return Contention(wall, own, math.nan, math.nan, math.nan, False)
    other = max(0.0, busy - own)
    total = after.system_total - before.system_total
    capacity = total if total > 0 else wall * cpus
    share = other / capacity if capacity > 0 else 0.0
    return Contention(wall, own, other, capacity, share, share > threshold and other >= min_other_s)


@dataclass
class Timing:
    """A measured call: the median of ``repeats`` samples, each the mean of ``number`` calls."""

    median_s: float
    samples_s: list[float] = field(repr=False)
    number: int
    repeats: int  # samples taken
    contention: Contention

    @property
    def flagged(self) -> bool:
        return self.contention.flagged


@dataclass(frozen=True)
class TimingPolicy:
    """How long to measure: a budget per measurement, within repeat bounds."""

    budget_s: float = 0.1  # wall time to aim for per measurement (after the warm-up calls)
    min_repeats: int = 3  # even when one call exceeds the budget
    max_repeats: int = 200
    min_sample_s: float = 2e-4  # batch calls shorter than this, so the clock's cost is negligible
    cpus: int = field(default_factory=lambda: len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)
    contention_threshold: float = 0.10


def plan_repeats(estimate_s: float, policy: TimingPolicy) -> tuple[int, int]:
    """``(number, repeats)`` for a call that took about ``estimate_s``.

    Small calls are batched (``number`` calls per sample, each sample at least
    ``min_sample_s``) and repeated until the budget is spent, up to ``max_repeats``;
    a call longer than the budget still gets ``min_repeats`` samples.

    >>> plan_repeats(1e-6, TimingPolicy(budget_s=0.1))
    (200, 200)
    >>> plan_repeats(0.5, TimingPolicy(budget_s=0.1))
    (1, 3)
    """
    estimate_s = max(estimate_s, 1e-9)
    number = max(1, math.ceil(policy.min_sample_s / estimate_s * (1 - 1e-9)))  # 1e-3 / 1e-6 is 1000.0000000000001
    repeats = int(policy.budget_s // (estimate_s * number))
    return number, max(policy.min_repeats, min(policy.max_repeats, repeats))


def measure(fn: Callable[[], Any], policy: TimingPolicy) -> Timing:
    """Time ``fn`` (already called once by the caller: the first warm-up) by the policy.

    More warm-up calls (up to ``WARMUPS``, within a tenth of the budget) estimate the cost:
    their minimum, since one call can be stretched by a preempted thread (a 6 us OpenMP call
    here sometimes takes 30 ms) and would leave too few repeats. Then ``repeats`` samples,
    stopped at twice the budget once ``min_repeats`` are in (under contention, calls take far
    longer than the estimate). A call longer than the budget is warm by its estimate call,
    which then counts as the first sample. The garbage collector is off, as in ``timeit``.
    """
    before = snapshot()
    gc_enabled = gc.isenabled()
    gc.disable()
    try:
        warmups = []
        deadline = time.perf_counter() + 0.1 * policy.budget_s
        while len(warmups) < WARMUPS:
            start = time.perf_counter()
            fn()
            warmups.append(time.perf_counter() - start)
            if start + warmups[-1] > deadline:
                break
        number, repeats = plan_repeats(min(warmups), policy)
        samples = [warmups[-1]] if warmups[-1] > policy.budget_s else []
        deadline = time.perf_counter() + 2 * policy.budget_s
        while len(samples) < repeats:
            start = time.perf_counter()
            for _ in range(number):
                fn()
            end = time.perf_counter()
            samples.append((end - start) / number)
            if len(samples) >= policy.min_repeats and end > deadline:
                break
    finally:
        if gc_enabled:
            gc.enable()
    after = snapshot()
    flag = contention(before, after, policy.cpus, policy.contention_threshold)
    return Timing(statistics.median(samples), samples, number, len(samples), flag)
