"""The printed table, the notes on what was not timed, and the JSON file.

Table cells: losskit's medians in milliseconds; ``×floor`` columns divide losskit's median by
the floor's; anchor columns divide the anchor's median by losskit's (``out=``): above 1,
losskit is faster. ``lk@torch`` and ``lk@jax`` divide losskit on that library's arrays by
the library's own contender (at most 1.3 wanted). ``-`` the anchor has no such computation,
``≠`` it computed something else (listed below the table), ``err`` it failed.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .runner import CaseResult

CALL_LABELS = {"value": "v", "vg": "v+g", "gh": "g+h"}
STATUS_MARKS = {"n/a": "-", "disagrees": "≠", "error": "err"}


def fmt_count(n: int) -> str:
    """A count as ``1e7`` or ``3.2e4``; below 1000 as it is.

    >>> [fmt_count(n) for n in (100, 1000, 32000, 10_000_000)]
    ['100', '1e3', '3.2e4', '1e7']
    """
    if n < 1000:
        return str(n)
    e = math.floor(math.log10(n))
    return f"{n / 10**e:.2g}e{e}"


def fmt_shape(shape: tuple[int, ...]) -> str:
    """``1e7`` for an elementwise case, ``rows x classes`` (``1e4x1000``) for a class-axis one."""
    if len(shape) == 1:
        return fmt_count(shape[0])
    return f"{fmt_count(math.prod(shape[:-1]))}x{shape[-1]}"


def fmt_ms(seconds: float | None) -> str:
    """Milliseconds to 3 significant digits, without exponents.

    >>> [fmt_ms(s) for s in (1.234e-5, 0.0123, 1.5, None)]
    ['0.0123', '12.3', '1500', '']
    """
    if seconds is None:
        return ""
    ms = seconds * 1e3
    return f"{ms:.0f}" if ms >= 1000 else f"{ms:.3g}"


def fmt_ratio(r: float | None) -> str:
    """A ratio to 3 significant digits (at least the units).

    >>> [fmt_ratio(r) for r in (1.234, 12.34, 123.4, None)]
    ['1.23', '12.3', '123', '']
    """
    if r is None:
        return ""
    if r >= 99.5:
        return f"{r:.0f}"
    return f"{r:.1f}" if r >= 9.995 else f"{r:.2f}"


def _mark(case: CaseResult, *keys: str) -> str | None:
    """The mark of the first contender among ``keys`` that was not timed, if any."""
    for key in keys:
        m = case.results.get(key)
        if m is None:
            return ""
        if m.status != "ok":
            return STATUS_MARKS.get(m.status, "?")
    return None


def ratio_cell(num: str, den: str) -> Callable[[CaseResult], str]:
    """A column of ``num / den``, or the mark saying why it is missing."""

    def cell(case: CaseResult) -> str:
        mark = _mark(case, num, den)
        return mark if mark is not None else fmt_ratio(case.ratio(num, den))

    return cell


def ms_cell(key: str) -> Callable[[CaseResult], str]:
    def cell(case: CaseResult) -> str:
        mark = _mark(case, key)
        return mark if mark is not None else fmt_ms(case.time(key))

    return cell


def api_cell(case: CaseResult) -> str:
    """losskit minus the bare kernel, in microseconds (blank without the kernel hook)."""
    lk, kern = case.time("losskit"), case.time("kernel")
    return "" if lk is None or kern is None else f"{(lk - kern) * 1e6:.1f}"


def busy_cell(case: CaseResult) -> str:
    """``!`` and the largest share of the CPU other processes took, when a measurement was flagged."""
    shares = [m.timing.contention.other_share for m in case.results.values() if m.flagged and m.timing]
    return f"!{max(shares):.0%}" if shares else ""


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    cell: Callable[[CaseResult], str]
    left: bool = False
    needs: str = ""  # the contender this column shows (dropped when the run has none)


COLUMNS: tuple[Column, ...] = (
    Column("loss", 16, lambda c: c.spec, left=True),
    Column("call", 4, lambda c: CALL_LABELS.get(c.call, c.call), left=True),
    Column("shape", 9, lambda c: fmt_shape(c.shape), left=True),
    Column("dtype", 5, lambda c: c.dtype.replace("float", "f"), left=True),
    Column("lk ms", 8, ms_cell("losskit")),
    Column("alloc", 8, ms_cell("lk_alloc")),
    Column("floor", 8, ms_cell("floor")),
    Column("×floor", 6, ratio_cell("losskit", "floor")),
    Column("al×fl", 6, ratio_cell("lk_alloc", "floor")),
    Column("api µs", 6, api_cell),
    Column("ref", 6, ratio_cell("reference", "losskit"), needs="reference"),
    Column("torch", 6, ratio_cell("torch", "losskit"), needs="torch"),
    Column("sklrn", 6, ratio_cell("sklearn", "losskit"), needs="sklearn"),
    Column("jax", 6, ratio_cell("jax", "losskit"), needs="jax"),
    Column("numpy", 6, ratio_cell("numpy", "losskit"), needs="numpy"),
    Column("lk@trch", 7, ratio_cell("lk_torch", "torch"), needs="lk_torch"),
    Column("lk@jax", 6, ratio_cell("lk_jax", "jax"), needs="lk_jax"),
    Column("ref@tr", 6, ratio_cell("lk_torch_ref", "torch"), needs="lk_torch_ref"),
    Column("busy", 5, busy_cell, left=True),
)


def columns(contenders: Iterable[str]) -> tuple[Column, ...]:
    """The table's columns for a run with these contenders (besides losskit and the floor)."""
    keys = set(contenders)
    return tuple(c for c in COLUMNS if not c.needs or c.needs in keys)


LEGEND = """\
lk ms    losskit, out= buffers (value: the plain call), median ms    alloc  losskit allocating its results
floor    the floor: one pass reading two arrays and writing one, same N and dtype (ms)
×floor   lk ms / floor        al×fl  alloc / floor        api µs  lk ms - bare kernel (µs)
ref torch sklrn jax numpy     the anchor's median / lk ms: how many times faster losskit is (ref: the reference path)
lk@trch lk@jax                losskit on torch / JAX arrays, divided by that library's own (<= 1.3 wanted)
ref@tr                        lk@trch on the array-API path (what tensors under autograd or off the CPU take)
busy     !share: other processes used this share of the CPU during a measurement of the case
-  the anchor has no such computation   ≠  it computes something else (see below)   err  it failed"""


def _fit(text: str, col: Column) -> str:
    return text.ljust(col.width) if col.left else text.rjust(col.width)


def header(columns: Iterable[Column] = COLUMNS) -> str:
    return " ".join(_fit(c.header, c) for c in columns).rstrip()


def row(case: CaseResult, columns: Iterable[Column] = COLUMNS) -> str:
    return " ".join(_fit(c.cell(case), c) for c in columns).rstrip()


def untimed(cases: Iterable[CaseResult]) -> list[str]:
    """One line per contender that disagreed with the reference or failed (n/a is not listed)."""
    lines = []
    for case in cases:
        for key, m in case.results.items():
            if m.status in ("disagrees", "error"):
                where = f"{case.spec} {CALL_LABELS[case.call]} {fmt_shape(case.shape)} {case.dtype}"
                lines.append(f"{key:<9} {m.status:<9} {where}: {m.detail.splitlines()[0] if m.detail else ''}")
    return lines


def jsonable(obj: Any) -> Any:
    """Dataclasses, tuples and non-finite floats turned into what JSON holds (nan -> None)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if hasattr(obj, "item") and callable(obj.item):  # NumPy scalars
        return jsonable(obj.item())
    return obj


def write_json(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(jsonable(payload), indent=1, ensure_ascii=False, default=str) + "\n")
