"""Evaluate losses over a CSV or Parquet file of predictions, streaming, in constant memory.

The file is read in batches with pyarrow (``pip install 'losskit[io]'``);
for each loss the weighted sum ``sum(w l)`` and the weight ``sum(w)`` of each
batch are added up with Neumaier's compensated summation, so the result
equals evaluating the whole array in memory (to about 1e-15 relative) while
memory stays that of one batch, however large the file. Every user error
(missing file or column, a non-numeric or empty cell, a value outside a
loss's domain) raises :class:`EvaluationError` naming the row and column.

>>> import losskit as lk                                               # doctest: +SKIP
>>> result = lk.evaluate_file("preds.csv", y_true="y", y_pred="p",
...                           losses=["binary_cross_entropy", "brier"])
>>> result.values["brier"]
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._array import errstate
from ._base import Loss
from ._catalog import setting_label
from ._registry import get

__all__ = ["Evaluation", "EvaluationError", "Neumaier", "evaluate_file"]

BATCH_ROWS = 1 << 16
_CSV_BLOCK = 1 << 20  # bytes per CSV block: pyarrow reads a few ahead, so this sets the memory used


class EvaluationError(ValueError):
    """A problem with the file or the data, explained for the user (no traceback needed)."""


class Neumaier:
    """Compensated summation (Neumaier's variant of Kahan's): the error of each addition is carried."""

    __slots__ = ("compensation", "total")

    def __init__(self) -> None:
        self.total = 0.0
        self.compensation = 0.0

    def add(self, x: float) -> None:
        t = self.total + x
        if abs(self.total) >= abs(x):
            self.compensation += (self.total - t) + x
        else:
            self.compensation += (x - t) + self.total
        self.total = t

    @property
    def value(self) -> float:
        return self.total + self.compensation


@dataclass(frozen=True)
class Evaluation:
    """The result of :func:`evaluate_file`: the cost of each loss and what was counted."""

    path: str
    rows: int  # rows evaluated
    dropped: int  # rows skipped for empty or NaN cells (drop_na=True)
    weight_sum: float  # sum of the --weight column over the rows evaluated (rows without one: their count)
    values: dict[str, float] = field(default_factory=dict)  # loss label -> weighted mean

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "rows": self.rows,
            "rows_dropped_na": self.dropped,
            "weight_sum": self.weight_sum,
            "losses": dict(self.values),
        }


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.compute
        import pyarrow.csv
        import pyarrow.parquet
    except ImportError:
        msg = "reading CSV and Parquet files needs pyarrow: pip install 'losskit[io]'"
        raise ImportError(msg) from None
    return pyarrow


def _columns(spec: str | Sequence[str], what: str) -> list[str]:
    cols = [c.strip() for c in spec.split(",")] if isinstance(spec, str) else [str(c) for c in spec]
    if not cols or any(not c for c in cols):
        msg = f"{what}: give column names separated by commas; got {spec!r}."
        raise EvaluationError(msg)
    return cols


# -- reading --------------------------------------------------------------------------------------


class _Source:
    """Batches of the wanted columns as float64 NumPy arrays, with the row number of their first row."""

    def __init__(self, path: str, columns: list[str], batch_rows: int) -> None:
        self.path = path
        self.columns = columns
        self.batch_rows = batch_rows
        if not os.path.exists(path):
            msg = f"{path}: no such file."
            raise EvaluationError(msg)
        if os.path.isdir(path):
            msg = f"{path}: is a directory, not a CSV or Parquet file."
            raise EvaluationError(msg)
        self.parquet = path.lower().endswith((".parquet", ".pq"))
        self.size = os.path.getsize(path)
        available = self._names()
        missing = [c for c in dict.fromkeys(columns) if c not in available]
        if missing:
            which = ", ".join(repr(c) for c in missing)
            msg = f"{path}: no column {which}. The columns are: {', '.join(available)}."
            raise EvaluationError(msg)

    def _names(self) -> list[str]:
        pa = _pyarrow()
        if self.parquet:
            try:
                return list(pa.parquet.ParquetFile(self.path).schema_arrow.names)
            except pa.ArrowException as exc:
                msg = f"{self.path}: not a readable Parquet file ({exc})."
                raise EvaluationError(msg) from None
        with open(self.path, newline="", encoding="utf-8", errors="replace") as fh:
            header = next(csv.reader(fh), None)
        if not header:
            msg = f"{self.path}: the file is empty (a CSV file needs a header line naming its columns)."
            raise EvaluationError(msg)
        return [h.strip() for h in header]

    def batches(self) -> Iterator[tuple[int, dict[str, np.ndarray], int]]:
        """``(first row number, {column: values}, bytes or rows done)``; rows count from 1."""
        pa = _pyarrow()
        row = 1
        try:
            for batch, done in self._arrow_batches(pa):
                arrays = {}
                for name in dict.fromkeys(self.columns):
                    col = batch.column(batch.schema.get_field_index(name))
                    arrays[name] = self._floats(pa, col, name, row)
                yield row, arrays, done
                row += batch.num_rows
        except pa.ArrowInvalid as exc:
            raise self._explain(pa, exc) from None

    def _arrow_batches(self, pa: Any) -> Iterator[tuple[Any, int]]:
        if self.parquet:
            pf = pa.parquet.ParquetFile(self.path)
            done = 0
            for batch in pf.iter_batches(batch_size=self.batch_rows, columns=list(dict.fromkeys(self.columns))):
                done += batch.num_rows
                yield batch, done
            return
        types = {c: pa.float64() for c in self.columns}
        with open(self.path, "rb") as fh:
            reader = pa.csv.open_csv(
                fh,
                read_options=pa.csv.ReadOptions(block_size=_CSV_BLOCK),
                convert_options=pa.csv.ConvertOptions(include_columns=list(types), column_types=types),
            )
            for batch in reader:
                yield batch, fh.tell()

    def _floats(self, pa: Any, col: Any, name: str, row: int) -> np.ndarray:
        if not pa.types.is_floating(col.type):
            if pa.types.is_integer(col.type) or pa.types.is_boolean(col.type) or pa.types.is_decimal(col.type):
                col = col.cast(pa.float64())
            else:  # strings in a Parquet file: numbers written as text, or not numbers at all
                try:
                    col = pa.compute.cast(col, pa.float64())
                except pa.ArrowInvalid:
                    raise self._bad_cell(col.to_pylist(), name, row) from None
        return np.asarray(col.to_numpy(zero_copy_only=False), dtype=np.float64)

    def _bad_cell(self, values: list[Any], name: str, row: int) -> EvaluationError:
        for i, v in enumerate(values):
            if v is None:
                continue
            try:
                float(v)
            except (TypeError, ValueError):
                return EvaluationError(f"{self.path}: row {row + i}, column {name!r}: {v!r} is not a number.")
        return EvaluationError(f"{self.path}: column {name!r} does not hold numbers.")

    def _explain(self, pa: Any, exc: Exception) -> EvaluationError:
        """Find the non-numeric cell pyarrow refused (its message names neither the row nor the column)."""
        if self.parquet:
            return EvaluationError(f"{self.path}: {exc}")
        with open(self.path, "rb") as fh:
            types = {c: pa.string() for c in self.columns}
            reader = pa.csv.open_csv(
                fh,
                read_options=pa.csv.ReadOptions(block_size=_CSV_BLOCK),
                convert_options=pa.csv.ConvertOptions(include_columns=list(types), column_types=types),
            )
            row = 1
            for batch in reader:
                for name in self.columns:
                    col = batch.column(batch.schema.get_field_index(name))
                    try:
                        pa.compute.cast(col, pa.float64())
                    except pa.ArrowInvalid:
                        return self._bad_cell(col.to_pylist(), name, row)
                row += batch.num_rows
        return EvaluationError(f"{self.path}: {exc}")


# -- evaluating -----------------------------------------------------------------------------------


@dataclass
class _Plan:
    """One loss and how the columns become its inputs."""

    loss: Loss
    label: str
    numerator: Neumaier = field(default_factory=Neumaier)
    denominator: Neumaier = field(default_factory=Neumaier)


def _inputs(loss: Loss, y: np.ndarray, f: np.ndarray, y_cols: list[str], f_cols: list[str]) -> tuple[Any, Any]:
    """The columns shaped as ``loss`` takes them: labels, one-hot rows, or values."""
    if loss.class_axis:
        if f.ndim == 1:
            msg = (
                f"{loss.name!r} needs one --y-pred column per class (probabilities, logits or scores); "
                f"got one column {f_cols[0]!r}."
            )
            raise EvaluationError(msg)
        k = f.shape[1]
        if y.ndim == 1 and not loss.integer_labels:  # labels to one-hot rows, for losses on distributions
            bad = (y != np.floor(y)) | (y < 0) | (y >= k)
            if np.any(bad):
                i = int(np.argmax(bad))
                msg = f"class labels must be integers in [0, {k}) (one per --y-pred column); got {y[i]!r}"
                raise _RowError(i, msg)
            return np.eye(k)[y.astype(np.int64)], f
        if y.ndim == 2 and loss.integer_labels:
            msg = f"{loss.name!r} takes one --y-true column of class labels; got {len(y_cols)} columns."
            raise EvaluationError(msg)
        return y, f
    if y.shape != f.shape:
        msg = (
            f"{loss.name!r} compares each --y-pred column with a --y-true column: "
            f"give as many of each (got {len(y_cols)} and {len(f_cols)})."
        )
        raise EvaluationError(msg)
    return y, f


class _RowError(Exception):
    """A bad value found at position ``index`` of a batch."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.message = message


def _batch_sums(loss: Loss, y: Any, f: Any, w: Any) -> tuple[float, float]:
    """``sum(w l)`` and ``sum(w)`` of one batch, through the loss's own checks, weights and masks."""
    b = loss._batch(y, f, w, "sum", True)
    with errstate(np):
        values = (b.f - b.y) ** 2 if loss.name == "rmse" else loss._value(b.y, b.f, np)
        numerator = float(b.total(values, "sum"))
        denominator = float(b.total(np.ones(b.result_shape), "sum"))
    return numerator, denominator


def _first_bad_row(loss: Loss, y: Any, f: Any, w: Any) -> int:
    """The first row of a batch the loss refuses, by bisection on prefixes (error path only)."""
    lo, hi = 0, y.shape[0]  # the prefix of length hi fails, that of length lo passes
    while hi - lo > 1:
        mid = (lo + hi) // 2
        try:
            _batch_sums(loss, y[:mid], f[:mid], None if w is None else w[:mid])
            lo = mid
        except ValueError:
            hi = mid
    return lo


def _stack(arrays: dict[str, np.ndarray], cols: list[str]) -> np.ndarray:
    return arrays[cols[0]] if len(cols) == 1 else np.column_stack([arrays[c] for c in cols])


def evaluate_file(
    path: str | os.PathLike[str],
    *,
    y_true: str | Sequence[str],
    y_pred: str | Sequence[str],
    losses: Sequence[str | Loss],
    weight: str | None = None,
    drop_na: bool = False,
    batch_rows: int = BATCH_ROWS,
    per_sample: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Evaluation:
    """Evaluate losses over a CSV or Parquet file, streaming.

    Parameters
    ----------
    path
        A CSV file with a header line, or a Parquet file (``.parquet``, ``.pq``).
    y_true, y_pred
        Column names (a list, or one string with commas). Multiclass losses
        take one ``y_pred`` column per class and ``y_true`` as one column of
        class labels or one column per class.
    losses
        Names or :class:`Loss` objects.
    weight
        A column of sample weights.
    drop_na
        Skip rows with an empty or NaN cell in a used column (counted in
        ``dropped``); otherwise they are an error.
    batch_rows
        Rows per batch (Parquet) -- CSV is read in blocks of 1 MiB.
    per_sample
        A CSV or Parquet path to write each row's losses to (``row`` and
        one column per loss, as ``reduction="none"`` gives them, without the
        weight).
    progress
        Called with ``(done, total)`` (bytes of a CSV, rows of a Parquet file) after each batch.

    Returns
    -------
    Evaluation
        ``values`` maps each loss's label to its weighted mean over the file.
    """
    path = os.fspath(path)
    y_cols, f_cols = _columns(y_true, "--y-true"), _columns(y_pred, "--y-pred")
    plans = [_Plan(loss, setting_label(loss)) for loss in (get(x) for x in losses)]
    if not plans:
        msg = "no loss to evaluate."
        raise EvaluationError(msg)
    used = [*y_cols, *f_cols, *([weight] if weight else [])]
    source = _Source(path, used, batch_rows)
    total = source.size if not source.parquet else _parquet_rows(path)
    writer = _Writer(os.fspath(per_sample), [p.label for p in plans]) if per_sample is not None else None
    rows = dropped = 0
    weights = Neumaier()
    na_cells: dict[str, int] = {}
    first_na: tuple[int, str] | None = None
    try:
        for start, arrays, done in source.batches():
            n = arrays[used[0]].shape[0]
            bad_rows = np.zeros(n, dtype=bool)
            for c in dict.fromkeys(used):
                mask = np.isnan(arrays[c])
                if mask.any():
                    bad_rows |= mask
                    na_cells[c] = na_cells.get(c, 0) + int(mask.sum())
            if first_na is None and bad_rows.any():
                i = int(np.argmax(bad_rows))
                first_na = (start + i, next(c for c in used if np.isnan(arrays[c][i])))
            row_numbers = np.arange(start, start + n)
            if bad_rows.any():
                if not drop_na:
                    continue  # keep counting to the end, then refuse
                keep = ~bad_rows
                dropped += int(bad_rows.sum())
                arrays = {c: a[keep] for c, a in arrays.items()}
                row_numbers = row_numbers[keep]
            if na_cells and not drop_na:
                continue
            y, f = _stack(arrays, y_cols), _stack(arrays, f_cols)
            w = arrays[weight] if weight else None
            per_row = []
            for plan in plans:
                num, den = _evaluate_batch(plan.loss, y, f, w, y_cols, f_cols, row_numbers, path)
                plan.numerator.add(num)
                plan.denominator.add(den)
                if writer is not None:
                    yy, ff = _inputs(plan.loss, y, f, y_cols, f_cols)
                    with errstate(np):
                        losses_of_rows = np.asarray(plan.loss(yy, ff, reduction="none", validate=False), dtype=float)
                    if losses_of_rows.ndim != 1:
                        msg = f"per-sample losses need one value per row; {plan.label!r} gives one per column."
                        raise EvaluationError(msg)
                    per_row.append(losses_of_rows)
            rows += row_numbers.size
            weights.add(float(np.sum(w)) if w is not None else float(row_numbers.size))
            if writer is not None:
                writer.write(row_numbers, per_row)
            if progress is not None:
                progress(done, total)
    finally:
        if writer is not None:
            writer.close()
    if na_cells and not drop_na:
        count = sum(na_cells.values())
        where = ", ".join(f"{c!r}: {k}" for c, k in na_cells.items())
        row, col = first_na  # type: ignore[misc]
        msg = (
            f"{path}: {count} empty or NaN cell{'s' if count > 1 else ''} ({where}; the first at row {row}, "
            f"column {col!r}). Pass --drop-na (drop_na=True) to skip those rows."
        )
        raise EvaluationError(msg)
    if rows == 0:
        msg = f"{path}: no rows to evaluate" + (" (every row has an empty or NaN cell)." if dropped else ".")
        raise EvaluationError(msg)
    values = {}
    for plan in plans:
        den = plan.denominator.value
        if not den > 0:
            msg = f"{path}: every row has weight 0 for {plan.label!r}: its mean is undefined."
            raise EvaluationError(msg)
        mean = plan.numerator.value / den
        values[plan.label] = math.sqrt(mean) if plan.loss.name == "rmse" else mean
    return Evaluation(path, rows, dropped, weights.value, values)


def _evaluate_batch(
    loss: Loss,
    y: np.ndarray,
    f: np.ndarray,
    w: np.ndarray | None,
    y_cols: list[str],
    f_cols: list[str],
    row_numbers: np.ndarray,
    path: str,
) -> tuple[float, float]:
    columns = f"(`y_true` is {_named(y_cols)}, `y_pred` {_named(f_cols)})"
    try:
        yy, ff = _inputs(loss, y, f, y_cols, f_cols)
        return _batch_sums(loss, yy, ff, w)
    except _RowError as exc:
        msg = f"{path}: row {row_numbers[exc.index]}: {exc.message} for {loss.name!r} {columns}."
        raise EvaluationError(msg) from None
    except ValueError as exc:
        if isinstance(exc, EvaluationError):
            raise
        i = _first_bad_row(loss, yy, ff, w)
        try:
            _batch_sums(loss, yy[i : i + 1], ff[i : i + 1], None if w is None else w[i : i + 1])
            detail = str(exc)
        except ValueError as single:
            detail = str(single).replace(" at index (0,)", "").replace(" at index (0, ", " at (class ")
        msg = f"{path}: row {row_numbers[i]}: {detail} [{loss.name}] {columns}"
        raise EvaluationError(msg) from None


def _named(cols: list[str]) -> str:
    return f"column {cols[0]!r}" if len(cols) == 1 else "columns " + ", ".join(repr(c) for c in cols)


def _parquet_rows(path: str) -> int:
    return int(_pyarrow().parquet.ParquetFile(path).metadata.num_rows)


class _Writer:
    """Per-row losses to CSV or Parquet, batch by batch."""

    def __init__(self, path: str, labels: list[str]) -> None:
        pa = _pyarrow()
        self.pa = pa
        self.schema = pa.schema([("row", pa.int64()), *((label, pa.float64()) for label in labels)])
        try:
            if path.lower().endswith((".parquet", ".pq")):
                self.writer = pa.parquet.ParquetWriter(path, self.schema)
            else:
                self.writer = pa.csv.CSVWriter(path, self.schema)
        except (OSError, pa.ArrowException) as exc:
            msg = f"{path}: cannot write the per-sample losses ({exc})."
            raise EvaluationError(msg) from None

    def write(self, rows: np.ndarray, columns: list[np.ndarray]) -> None:
        arrays = [self.pa.array(rows, self.pa.int64()), *(self.pa.array(c) for c in columns)]
        self.writer.write_table(self.pa.Table.from_arrays(arrays, schema=self.schema))

    def close(self) -> None:
        self.writer.close()
