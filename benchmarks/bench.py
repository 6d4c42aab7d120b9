"""losskit's benchmark suite (issue 7): every loss against the floor, PyTorch, scikit-learn,
JAX and NumPy, with the issue's gates evaluated on the run.

    python benchmarks/bench.py                      # the full default run (make bench)
    python benchmarks/bench.py --quick              # N = 1e3 and 1e5, short budgets: a minute or two
    python benchmarks/bench.py --loss mse,huber --n 1e6 --dtype float64 --calls vg
    python benchmarks/bench.py --list               # the loss settings --loss accepts

See benchmarks/README.md for the columns, the floor and the contention flag.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from lkbench import conformance, gates, machine, report, specs, startup
from lkbench.contenders import ANCHORS, CALLS, OPTIONAL, SLOW_MAX_N, Env
from lkbench.runner import CaseResult, Plan, run
from lkbench.timing import TimingPolicy

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
SIZES = (10**3, 10**5, 10**6, 10**7)
QUICK_SIZES = (10**3, 10**5)
WIDE_SHAPES = ((100_000, 10), (10_000, 1000), (1000, 32_000))
CALL_ALIASES = {
    "value": "value",
    "v": "value",
    "vg": "vg",
    "v+g": "vg",
    "value_and_gradient": "vg",
    "gh": "gh",
    "g+h": "gh",
    "gradient_and_hessian": "gh",
}
DTYPE_ALIASES = {"float32": "float32", "f32": "float32", "float64": "float64", "f64": "float64"}
BUDGET_S = 0.05
QUICK_BUDGET_S = 0.03
HEADER_EVERY = 40


def _items(values: list[str] | None) -> list[str]:
    """Comma-separated and repeated options, flattened."""
    return [v.strip() for arg in values or [] for v in arg.split(",") if v.strip()]


def _sizes(values: list[str]) -> list[int]:
    try:
        return [int(float(v)) for v in values]
    except ValueError as exc:
        msg = f"--n takes numbers such as 1e6; {exc}"
        raise SystemExit(msg) from None


def _shape(text: str) -> tuple[int, int]:
    rows, _, classes = text.lower().partition("x")
    try:
        return int(float(rows)), int(float(classes))
    except ValueError:
        msg = f"--shapes takes ROWSxCLASSES such as 1e4x1000; got {text!r}"
        raise SystemExit(msg) from None


def _pick(values: list[str], aliases: dict[str, str], option: str) -> list[str]:
    bad = [v for v in values if v not in aliases]
    if bad:
        msg = f"{option}: unknown {', '.join(bad)}; choose from {', '.join(aliases)}"
        raise SystemExit(msg)
    return list(dict.fromkeys(aliases[v] for v in values))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="N = 1e3, 1e5, no wide shapes, short budgets")
    p.add_argument("--loss", action="append", help="spec ids, losskit names or aliases, or globs (see --list)")
    p.add_argument("--n", action="append", help="elements of y_pred (default 1e3,1e5,1e6,1e7)")
    p.add_argument("--dtype", action="append", help="float32, float64 (default both)")
    p.add_argument("--calls", action="append", help="value, vg (value+gradient), gh (gradient+Hessian)")
    p.add_argument(
        "--anchors",
        action="append",
        help=f"contenders besides losskit and the floor: {', '.join(ANCHORS + OPTIONAL)}, 'all' or 'none' "
        f"(default {','.join(ANCHORS)})",
    )
    p.add_argument("--shapes", action="append", help="extra ROWSxCLASSES for softmax/sparse CE, or 'none'")
    p.add_argument("--budget", type=float, help=f"seconds per measurement (default {BUDGET_S}, quick {QUICK_BUDGET_S})")
    p.add_argument("--min-repeats", type=int, default=3, help="samples per measurement at least (default 3)")
    p.add_argument("--threads", type=int, default=2, help="threads for losskit, torch and sklearn (default 2)")
    p.add_argument(
        "--slow-max-n",
        type=float,
        default=SLOW_MAX_N,
        help="largest N for torch's double-backward Hessian and losskit on torch/JAX arrays (default 1e6)",
    )
    p.add_argument("--contention-threshold", type=float, default=0.10, help="flag above this CPU share (0.10)")
    p.add_argument("--startup-runs", type=int, help="fresh processes per start-up figure (default 7, quick 3)")
    p.add_argument("--no-startup", action="store_true", help="skip the import-time and first-call measurements")
    p.add_argument("--conformance", type=Path, help="path of the conformance checker (../shared/conformance/check.py)")
    p.add_argument("--no-conformance", action="store_true", help="skip the conformance run")
    p.add_argument("--json", type=Path, help="where to write the results (default benchmarks/results/bench-TIME.json)")
    p.add_argument("--strict", action="store_true", help="exit 1 when a gate is missed")
    p.add_argument("--list", action="store_true", help="list the loss settings and exit")
    return p.parse_args(argv)


def make_plan(args: argparse.Namespace, canonical: Callable[[str], str] | None = None) -> Plan:
    quick = args.quick
    anchors = _items(args.anchors)
    if not anchors:
        anchors = list(ANCHORS)
    elif anchors == ["none"]:
        anchors = []
    elif anchors == ["all"]:
        anchors = list(ANCHORS + OPTIONAL)
    bad = [a for a in anchors if a not in ANCHORS + OPTIONAL]
    if bad:
        msg = f"--anchors: unknown {', '.join(bad)}; choose from {', '.join(ANCHORS + OPTIONAL)}"
        raise SystemExit(msg)
    shapes = _items(args.shapes)
    if shapes == ["none"] or (quick and not shapes):
        wide: list[tuple[int, int]] = []
    else:
        wide = [_shape(s) for s in shapes] if shapes else list(WIDE_SHAPES)
    try:
        chosen = specs.select(_items(args.loss), canonical)
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    budget = args.budget if args.budget is not None else (QUICK_BUDGET_S if quick else BUDGET_S)
    return Plan(
        specs=chosen,
        sizes=_sizes(_items(args.n)) or list(QUICK_SIZES if quick else SIZES),
        dtypes=_pick(_items(args.dtype), DTYPE_ALIASES, "--dtype") or ["float32", "float64"],
        calls=_pick(_items(args.calls), CALL_ALIASES, "--calls") or list(CALLS),
        contenders=anchors,
        wide_shapes=wide,
        policy=TimingPolicy(
            budget_s=budget, min_repeats=args.min_repeats, contention_threshold=args.contention_threshold
        ),
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        for s in specs.SPECS:
            params = ", ".join(f"{k}={v}" for k, v in s.params.items())
            anchors = [a for a, has in (("torch.nn.functional", s.torch), ("sklearn._loss", s.sklearn)) if has]
            print(f"{s.id:<18} {s.name}({params})  {' '.join(anchors)}")
        return 0
    started = time.perf_counter()
    env = Env(args.threads, int(args.slow_max_n))
    lk = env.lk
    plan = make_plan(args, lk.canonical_name)
    config = lk.show_config(print_=False)
    info = machine.describe(REPO, config)
    print("\n".join(machine.headline(info)))
    if config.get("path") != "native":
        print("note      the reference path is active: the speed gates target the native path")
    print(
        f"plan      {plan.count()} cases, N {', '.join(report.fmt_count(n) for n in plan.sizes)}, "
        f"{'/'.join(plan.dtypes)}, anchors {', '.join(plan.contenders) or 'none'}, "
        f"budget {plan.policy.budget_s:g} s per measurement\n"
    )
    print(report.LEGEND + "\n")

    cols = report.columns(plan.contenders)

    def emit(case: CaseResult, count: list[int] = [0]) -> None:  # noqa: B006  (a counter)
        if count[0] % HEADER_EVERY == 0:
            print(report.header(cols), flush=True)
        count[0] += 1
        print(report.row(case, cols), flush=True)

    cases: list[CaseResult] = []
    interrupted = False
    try:
        cases.extend(run(plan, env, emit))
    except KeyboardInterrupt:  # a long run stopped by hand still reports what it measured
        interrupted = True
        print(f"\ninterrupted after {len(cases)} of {plan.count()} cases: the report covers those")
    busy = sum(c.contended for c in cases)
    if busy:
        print(f"\n{busy} of {len(cases)} cases were measured while other processes used the CPU (busy column)")
    lines = report.untimed(cases)
    if lines:
        print("\nNot timed (checked against the exact reference before timing):")
        print("\n".join("  " + line for line in lines))

    extras: dict[str, object] = {}
    if not args.no_startup and not interrupted:
        runs = args.startup_runs or (3 if args.quick else 7)
        measured = startup.measure(runs)
        extras.update(measured)
        print("\nStart-up (fresh processes, byte-compiled):")
        for label, times in measured["runs"].items():
            print(f"  {label:<32} {startup.describe(times)}")  # type: ignore[arg-type]
    if not args.no_conformance and not interrupted:
        got = conformance.run(args.conformance or conformance.default_checker(REPO))
        extras["conformance"] = got
        print(f"\nConformance: {got.get('error') or '{passed} passed, {failed} failed'.format(**got)}")

    results = gates.evaluate(gates.Results(cases, extras))
    print(f"\nGates of issue 7 (path: {config.get('path')}):")
    print("\n".join("  " + line for line in gates.summary(results)))

    path = args.json or RESULTS / f"bench-{datetime.now():%Y%m%d-%H%M%S}.json"
    elapsed = time.perf_counter() - started
    report.write_json(
        path,
        {
            "machine": info,
            "arguments": vars(args),
            "plan": plan.describe(),
            "elapsed_s": elapsed,
            "interrupted": interrupted,
            "cases": cases,
            "extras": extras,
            "gates": results,
        },
    )
    print(f"\n{len(cases)} cases in {elapsed / 60:.1f} min; every measurement in {path}")
    missed = [r for r in results if r.status == "MISSED"]
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
