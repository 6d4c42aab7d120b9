"""The ``losskit`` command: list, describe, plot and evaluate losses, and the guided tour.

``python -m losskit`` is the same program. Every user error prints one clear
line on stderr and exits non-zero, never a traceback (set ``LOSSKIT_DEBUG=1``
to see one).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

from ._catalog import info
from ._config import version_line
from ._registry import TASKS, get, loss_class, names

__all__ = ["main"]

EXAMPLES = {
    None: """examples:
  losskit list --task binary
  losskit describe huber
  losskit plot mse mae huber --derivative --out regression.png
  losskit eval preds.csv --y-true label --y-pred p --task binary
  losskit demo""",
    "list": """examples:
  losskit list
  losskit list --task multiclass --format json""",
    "describe": """examples:
  losskit describe huber
  losskit describe bce --param from_logits=true""",
    "plot": """examples:
  losskit plot mse mae huber pseudo_huber log_cosh --derivative --out regression.png
  losskit plot hinge squared_hinge sigmoid_cross_entropy exponential modified_huber --out margin.svg
  losskit plot huber --param delta=2 --out huber.png
  losskit plot mse mae huber --outliers --out outliers.png""",
    "eval": """examples:
  losskit eval preds.csv --y-true y --y-pred p --task binary
  losskit eval preds.parquet --y-true y --y-pred yhat --loss mse,mae,huber --param delta=2 --format json
  losskit eval preds.csv --y-true label --y-pred p0,p1,p2 --task multiclass --weight w --drop-na
  losskit eval preds.csv --y-true y --y-pred score --task binary --logits --per-sample losses.csv

For multiclass, --y-pred lists one column per class (probabilities, or logits
with --logits) and --y-true is one column of class labels 0..K-1 (or one
column per class). The losses of a --task are those defined for any data of
that kind; name others (poisson, msle, quantile...) with --loss.""",
    "demo": """examples:
  losskit demo
  losskit demo --out /tmp/tour --no-plots""",
}

# The losses `eval --task T` computes: those defined for any data of that kind.
_TASK_LOSSES: dict[tuple[str, bool], list[tuple[str, dict[str, Any]]]] = {
    ("regression", False): [(n, {}) for n in ("mse", "rmse", "mae", "huber", "pseudo_huber", "log_cosh", "mape")],
    ("binary", False): [("binary_cross_entropy", {}), ("brier", {}), ("binary_focal", {})],
    ("binary", True): [
        ("binary_cross_entropy", {"from_logits": True}),
        ("binary_focal", {"from_logits": True}),
        ("hinge", {}),
        ("squared_hinge", {}),
        ("modified_huber", {}),
        ("exponential", {}),
    ],
    ("multiclass", False): [("sparse_categorical_cross_entropy", {})],
    ("multiclass", True): [
        ("sparse_categorical_cross_entropy", {"from_logits": True}),
        ("multi_margin", {}),
        ("categorical_hinge", {}),
    ],
    ("distribution", False): [("categorical_cross_entropy", {}), ("kl_divergence", {})],
    ("distribution", True): [
        ("categorical_cross_entropy", {"from_logits": True}),
        ("kl_divergence", {"from_logits": True}),
    ],
}


class UsageError(Exception):
    """A mistake on the command line, explained."""


# -- helpers --------------------------------------------------------------------------------------


def _value(text: str) -> Any:
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _params(pairs: Sequence[str] | None) -> dict[str, Any]:
    out = {}
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            msg = f"--param takes NAME=VALUE (such as delta=2); got {pair!r}."
            raise UsageError(msg)
        out[key.strip()] = _value(value)
    return out


def _losses(specs: Sequence[tuple[str, dict[str, Any]]], params: dict[str, Any], logits: bool = False) -> list[Any]:
    """Loss objects from names, each with the --param values it takes (every --param must be taken)."""
    used: set[str] = set()
    out = []
    for name, base in specs:
        cls_params = {p.name for p in type(get(name)).parameters}
        mine = {**base, **{k: v for k, v in params.items() if k in cls_params}}
        if logits and "from_logits" in cls_params:
            mine["from_logits"] = True
        used.update(k for k in params if k in cls_params)
        out.append(get(name, **mine))
    unused = [k for k in params if k not in used]
    if unused:
        msg = f"no chosen loss takes the parameter {', '.join(repr(k) for k in unused)}."
        raise UsageError(msg)
    return out


def _names(text: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
    return [(n, {}) for item in text for n in item.split(",") if n.strip()]


# -- commands -------------------------------------------------------------------------------------


def _list(args: argparse.Namespace) -> int:
    chosen = names(args.task) if args.task else [n for t in TASKS for n in names(t)]
    records = [info(n) for n in chosen]
    if args.format == "json":
        print(json.dumps([r.to_dict() for r in records], indent=2))
    elif args.format == "markdown":
        print(catalog_markdown(records))
    else:
        rows = [("loss", "task", "y_pred", "aliases", "formula")]
        rows += [(r.name, r.task, r.y_pred, ", ".join(r.aliases) or "-", loss_class(r.name).formula) for r in records]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for i, row in enumerate(rows):
            print("  ".join(c.ljust(w) for c, w in zip(row[:4], widths, strict=True)) + "  " + row[4])
            if i == 0:
                print("  ".join("-" * w for w in widths) + "  " + "-" * 7)
    return 0


def catalog_markdown(records: Sequence[Any] | None = None) -> str:
    """The catalog as Markdown (``docs/catalog.md`` is this, generated, never written by hand)."""
    if records is None:
        records = [info(n) for t in TASKS for n in names(t)]

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [
        "# The loss catalog",
        "",
        "Generated from losskit's catalog records (`losskit list --format markdown`); `lk.info(name)`",
        "returns each row as a record and `losskit describe NAME` explains it. Formulas use `r = f - y`,",
        "`t = 2y - 1`, `s` a logit or score, `p`/`q` a probability.",
    ]
    for task in TASKS:
        rows = [r for r in records if r.task == task]
        if not rows:
            continue
        lines += [
            "",
            f"## {task.capitalize()}",
            "",
            "| loss | inputs (`y_true`; `y_pred`) | loss | negative log-likelihood of | best constant "
            "| convex | robust | Hessian 0 | PyTorch | scikit-learn |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in rows:
            name = f"`{r.name}`" + (f" ({', '.join(f'`{a}`' for a in r.aliases)})" if r.aliases else "")
            lines.append(
                "| "
                + " | ".join(
                    cell(x)
                    for x in (
                        name,
                        f"{r.y_true}; {r.y_pred}",
                        f"`{r.formula.value}`",
                        r.likelihood,
                        r.best_constant,
                        "yes" if r.convex else "no",
                        "yes" if r.robust else "no",
                        "yes" if r.zero_hessian else "no",
                        r.equivalents.pytorch,
                        r.equivalents.sklearn,
                    )
                )
                + " |"
            )
    return "\n".join(lines)


def _describe(args: argparse.Namespace) -> int:
    from .explain import describe

    describe(get(args.name, **_params(args.param)))
    return 0


def _plot(args: argparse.Namespace) -> int:
    from . import plot

    out = args.out
    ext = os.path.splitext(out)[1].lower().lstrip(".")
    if ext not in ("png", "svg", "pdf"):
        msg = f"--out must end in .png, .svg or .pdf; got {out!r}."
        raise UsageError(msg)
    losses = _losses(_names(args.names), _params(args.param))
    fig = plot.outliers(losses) if args.outliers else plot.curves(losses, derivative=args.derivative)
    try:
        fig.savefig(out, dpi=120)
    except OSError as exc:
        msg = f"cannot write {out}: {exc.strerror or exc}."
        raise UsageError(msg) from None
    print(f"wrote {out}")
    return 0


def _eval_losses(args: argparse.Namespace) -> list[Any]:
    params = _params(args.param)
    if args.loss:
        return _losses(_names([args.loss]), params, logits=args.logits)
    task = args.task
    n_pred = len([c for c in args.y_pred.split(",") if c.strip()])
    if task is None:
        if n_pred < 2:
            msg = "say which losses: --loss NAMES or --task regression|binary|multiclass|distribution."
            raise UsageError(msg)
        task = "multiclass"
    n_true = len([c for c in args.y_true.split(",") if c.strip()])
    if task == "multiclass" and n_true > 1:
        task = "distribution"  # one column per class: target distributions
    return _losses(_TASK_LOSSES[(task, args.logits)], params)


class _Progress:
    """A progress bar (rich) on stderr: only on a terminal, and only once a run has taken a while."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.start = time.monotonic()
        self.after = float(os.environ.get("LOSSKIT_PROGRESS_AFTER", "1.0"))
        self.enabled = sys.stderr.isatty()
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if time.monotonic() - self.start < self.after:
                return
            try:
                from rich.console import Console
                from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
            except ImportError:
                self.enabled = False
                return
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TaskProgressColumn(),
                TimeRemainingColumn(),
                console=Console(file=sys.stderr),
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=max(total, 1))
        self.bar.update(self.task, completed=min(done, total))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _eval(args: argparse.Namespace) -> int:
    from .evaluate import evaluate_file

    losses = _eval_losses(args)
    bar = _Progress(f"losskit eval {os.path.basename(args.file)}")
    try:
        result = evaluate_file(
            args.file,
            y_true=args.y_true,
            y_pred=args.y_pred,
            losses=losses,
            weight=args.weight,
            drop_na=args.drop_na,
            per_sample=args.per_sample,
            progress=bar,
        )
    finally:
        bar.close()
    print(format_evaluation(result, args.format))
    return 0


def format_evaluation(result: Any, fmt: str) -> str:
    """An :class:`~losskit.evaluate.Evaluation` as a table, JSON or CSV."""
    if fmt == "json":
        return json.dumps(result.to_dict(), indent=2)
    if fmt == "csv":
        return "\n".join(["loss,value", *(f'"{k}",{v!r}' for k, v in result.values.items())])
    dropped = f" ({result.dropped:,} dropped: empty or NaN cells)" if result.dropped else ""
    width = max(len(k) for k in result.values)
    lines = [
        f"file        {result.path}",
        f"rows        {result.rows:,}{dropped}",
        f"weight sum  {result.weight_sum:,.6g}",
        "",
        f"{'loss'.ljust(width)}  value (weighted mean)",
        f"{'-' * width}  {'-' * 21}",
        *(f"{k.ljust(width)}  {v:.10g}" for k, v in result.values.items()),
    ]
    return "\n".join(lines)


def _demo(args: argparse.Namespace) -> int:
    from ._demo import run

    return run(out=args.out, plots=not args.no_plots)


# -- the parser -----------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    formatter = argparse.RawDescriptionHelpFormatter
    top = argparse.ArgumentParser(
        prog="losskit",
        description="Loss functions with exact gradients and Hessians: see, explain and evaluate what is lost.",
        epilog=EXAMPLES[None],
        formatter_class=formatter,
    )
    top.add_argument("--version", action="version", version=version_line())
    sub = top.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("list", help="the catalog of losses", epilog=EXAMPLES["list"], formatter_class=formatter)
    p.add_argument("--task", choices=TASKS, help="only the losses of this task")
    p.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    p.set_defaults(run=_list)

    p = sub.add_parser("describe", help="explain one loss", epilog=EXAMPLES["describe"], formatter_class=formatter)
    p.add_argument("name", help="a loss name or alias")
    p.add_argument("--param", action="append", metavar="NAME=VALUE", help="a parameter of the loss (repeatable)")
    p.set_defaults(run=_describe)

    p = sub.add_parser(
        "plot", help="draw losses and their derivatives", epilog=EXAMPLES["plot"], formatter_class=formatter
    )
    p.add_argument("names", nargs="+", metavar="NAME", help="loss names (or comma-separated lists)")
    p.add_argument("--out", required=True, metavar="FILE", help="the image to write: .png, .svg or .pdf")
    p.add_argument("--derivative", action="store_true", help="also draw each loss's derivative")
    p.add_argument("--outliers", action="store_true", help="draw the pull of one outlier on the best constant")
    p.add_argument("--param", action="append", metavar="NAME=VALUE", help="a parameter, for every loss that takes it")
    p.set_defaults(run=_plot)

    p = sub.add_parser(
        "eval", help="evaluate losses over a CSV or Parquet file", epilog=EXAMPLES["eval"], formatter_class=formatter
    )
    p.add_argument("file", help="a CSV (with a header line) or Parquet file")
    p.add_argument("--y-true", required=True, metavar="COL[,COL...]", help="the target column(s)")
    p.add_argument("--y-pred", required=True, metavar="COL[,COL...]", help="the prediction column(s)")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--loss", metavar="NAMES", help="comma-separated loss names")
    which.add_argument("--task", choices=TASKS, help="every loss of the task defined for any such data")
    p.add_argument("--logits", action="store_true", help="the predictions are logits or scores, not probabilities")
    p.add_argument("--weight", metavar="COL", help="a column of sample weights")
    p.add_argument("--param", action="append", metavar="NAME=VALUE", help="a parameter, for every loss that takes it")
    p.add_argument("--drop-na", action="store_true", help="skip rows with an empty or NaN cell (and say how many)")
    p.add_argument("--per-sample", metavar="OUT", help="write each row's losses to OUT (.csv or .parquet)")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.set_defaults(run=_eval)

    p = sub.add_parser("demo", help="the guided tour", epilog=EXAMPLES["demo"], formatter_class=formatter)
    p.add_argument("--out", default="losskit-demo", metavar="DIR", help="where to write the plots and data")
    p.add_argument("--no-plots", action="store_true", help="skip the pictures (no matplotlib needed)")
    p.set_defaults(run=_demo)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``losskit`` command; returns the exit status."""
    args = parser().parse_args(argv)
    if args.command is None:
        parser().print_help()
        return 0
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader of a pipe went away (`losskit list | head`): not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (UsageError, ValueError, TypeError, LookupError, ImportError, OSError) as exc:
        if os.environ.get("LOSSKIT_DEBUG"):
            raise
        print(f"losskit {args.command}: error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, UsageError) else 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
