"""`.csv` / `.tsv` / `.txt`: parsed in batches of rows (numpy's C parser on plain numbers, the
`csv` module on quoted batches); with a spool, the floats go to a temporary memory-mapped file."""
from __future__ import annotations

import csv
import itertools
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from headcheck.errors import EmptyInput, InputError
from headcheck.io._columns import label_index
from headcheck.io._registry import Format, Pair, ReadContext, Request
from headcheck.io._spool import Sink, Spool

EXTENSIONS = (".csv", ".tsv", ".txt")
HEADER_NAMES = {"label", "labels", "y", "y_true", "target", "targets", "class", "true"}
# Rows parsed at once: the text of one batch and its floats are what a parse holds in memory, so
# a batch is also capped at about CHUNK_TEXT_BYTES of text (wide rows: fewer rows per batch).
CHUNK_ROWS = 65_536
CHUNK_TEXT_BYTES = 16 << 20


@dataclass(frozen=True)
class CsvTable:
    """A CSV file parsed in batches: the labels column (if one was asked for) and the other columns
    as floats (memory-mapped when parsed with a spool). `header` is None when the file had none."""

    path: str
    header: tuple[str, ...] | None
    label_index: int | None
    labels: np.ndarray | None  # parsed: int, bool, float or str
    values: np.ndarray  # (N, columns) float64: every column but the labels

    def label_name(self) -> str:
        i = self.label_index
        return repr(self.header[i]) if self.header and i is not None else f"{i} (0-based)"


def read_array(path: str, *, role: str = "array", key: str | None = None,
               ctx: ReadContext | None = None) -> np.ndarray:
    """Every column of a CSV: the labels when it has one column, else the (N, columns) floats."""
    ctx = ctx or ReadContext()
    table = read_csv(path, spool=ctx.spool, progress=ctx.progress)
    if table.labels is not None:  # one column: labels (or one score per row)
        return table.labels
    return table.values


def read_pair(path: str, request: Request, ctx: ReadContext) -> Pair:
    """The labels column (--label-column, default the first) and the other columns as scores."""
    table = read_csv(path, label_column=request.label_column, with_labels=True, spool=ctx.spool,
                     progress=ctx.progress)
    scores = table.values
    ctx.note(f"labels: column {table.label_name()}; scores: the other {scores.shape[1]} column(s)")
    assert table.labels is not None
    return Pair(table.labels, scores[:, 0] if scores.shape[1] == 1 else scores)


def _is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


def read_csv(path: str, *, label_column: str | None = None, with_labels: bool = False,
             batch_rows: int | None = None, spool: Spool | None = None,
             progress: bool = False) -> CsvTable:
    """Stream a CSV in batches of `batch_rows` rows (default `CHUNK_ROWS`, fewer for rows wider
    than `CHUNK_TEXT_BYTES / CHUNK_ROWS` characters); each batch becomes
    floats at once (numpy's C parser), so memory holds one batch of text, not the file; with a
    `spool` the floats go to a temporary memory-mapped file. With `with_labels`, one column
    (`label_column`, by name or 0-based index; default the first) is kept apart as labels.
    A ragged row is an InputError naming its line.
    """
    delim = "\t" if path.lower().endswith(".tsv") else ","
    try:
        f = open(path, newline="", encoding="utf-8")
    except OSError as e:
        raise InputError(f"{path}: cannot be opened ({e}). Check the path and its permissions.") from e
    with f:
        try:
            head = list(itertools.islice(f, 2))
            parsed = list(csv.reader(head, delimiter=delim))
        except (csv.Error, UnicodeDecodeError) as e:
            raise InputError(f"{path}: is not a readable text CSV ({e}).") from e
        if not parsed:
            raise EmptyInput(f"{path}: is empty; expected a CSV with a labels column and score columns.")
        first, second = parsed[0], (parsed[1] if len(parsed) > 1 else None)
        header = tuple(first) if _detect_header(first, second, label_column) else None
        width = len(first)
        idx = label_index(path, header, width, label_column) if with_labels else None
        parser = _BatchParser(path, width, idx, header, delim, spool)
        try:
            rows = batch_rows or min(CHUNK_ROWS, max(1, CHUNK_TEXT_BYTES // max(1, len(head[-1]))))
            bar = ReadContext(spool, progress).bar(os.path.getsize(path), path)
            _feed(f, head[1:] if header else head, parser, rows, bar)
        finally:
            parser.sink.close()
    return parser.table()


def _feed(f: Iterable[str], lines: list[str], parser: _BatchParser, batch_rows: int,
          advance: Callable[[int], None] | None) -> None:
    done = 0
    it = iter(f)
    try:
        while True:
            try:
                lines.extend(itertools.islice(it, batch_rows - len(lines)))
            except UnicodeDecodeError as e:
                raise InputError(f"{parser.path}: line {parser.line + len(lines)}: cannot be parsed as "
                                 f"CSV ({e}).") from e
            if not lines:
                break
            parser.add_lines(lines)
            if advance is not None:
                done += sum(map(len, lines))
                advance(done)
            lines = []
    finally:
        if advance is not None:
            advance(1 << 62)  # stops the bar (its total is bytes, lines count characters)


def _detect_header(first: list[str], second: list[str] | None, label_column: str | None) -> bool:
    """A first row is a header when a label column is named, when one of its fields is not a number
    where the next row has a number, or when it starts with a usual label-column name."""
    if label_column is not None and not label_column.lstrip("-").isdigit():
        return True
    if first and first[0].strip().lower() in HEADER_NAMES:
        return True
    if second is None:
        return False
    return any(not _is_number(a) and _is_number(b) for a, b in zip(first, second))


class _BatchParser:
    """Checks and converts batches of CSV lines; keeps label strings, writes float blocks to a sink."""

    def __init__(self, path: str, width: int, label_index: int | None, header: tuple[str, ...] | None,
                 delim: str = ",", spool: Spool | None = None):
        self.path, self.width, self.idx, self.header, self.delim = path, width, label_index, header, delim
        self.line = 2 if header else 1  # file line of the next row
        self.labels: list[np.ndarray] = []
        self.sink = Sink(path, "scores", spool)
        # a one-column file without a labels column may hold labels (strings): keep it as text
        self.text_only = label_index is None and width == 1
        self.score_cols = [c for c in range(width) if c != label_index]

    def add_lines(self, lines: list[str]) -> None:
        """The fast path: plain delimited numbers go through numpy's C parser; a batch with quotes
        goes through the csv module (whose quoting rules the fast path does not implement)."""
        if any('"' in line for line in lines):
            try:
                rows = list(csv.reader(lines, delimiter=self.delim))
            except csv.Error as e:
                raise InputError(f"{self.path}: line {self.line}..{self.line + len(lines) - 1}: cannot be "
                                 f"parsed as CSV ({e}).") from e
            self.add(rows)
            return
        lines = [line.rstrip("\r\n") for line in lines]
        d = self.delim
        counts = np.fromiter((line.count(d) + 1 if line else 0 for line in lines), np.int64, len(lines))
        bad = np.flatnonzero(counts != self.width)
        if bad.size:
            self._ragged(int(bad[0]), int(counts[bad[0]]))
        if self.idx == 0:
            self.labels.append(np.array([line.split(d, 1)[0] for line in lines], dtype=str))
        elif self.idx is not None:
            self.labels.append(np.array([line.split(d)[self.idx] for line in lines], dtype=str))
        if self.text_only:
            self.labels.append(np.array(lines, dtype=str))
        else:
            self.sink.add(self._parse_floats(lines))
        self.line += len(lines)

    def _parse_floats(self, lines: list[str]) -> np.ndarray:
        try:
            return np.loadtxt(lines, delimiter=self.delim, dtype=np.float64, usecols=self.score_cols,
                              comments=None, ndmin=2)
        except ValueError:
            # numpy's parser is stricter than float() in corners (e.g. '1_000'); the slow path
            # accepts what float() accepts and names the first cell that is not a number
            text = np.array([line.split(self.delim) for line in lines], dtype=str)
            return self._floats(text[:, self.score_cols])

    def _ragged(self, i: int, n: int) -> None:
        raise InputError(
            f"{self.path}: line {self.line + i} has {n} field(s) but the first row has "
            f"{self.width}; every row must have the same columns (a labels column and one column "
            "per class). Fix or drop that line."
        )

    def add(self, rows: list[list[str]]) -> None:
        for i, row in enumerate(rows):
            if len(row) != self.width:
                self._ragged(i, len(row))
        text = np.array(rows, dtype=str)
        if self.text_only:
            self.labels.append(text[:, 0])
        else:
            if self.idx is not None:
                self.labels.append(text[:, self.idx])
                text = np.delete(text, self.idx, axis=1)
            self.sink.add(self._floats(text))
        self.line += len(rows)

    def _floats(self, text: np.ndarray) -> np.ndarray:
        try:
            return text.astype(np.float64)
        except ValueError:
            cols = self.score_cols
            for r, row in enumerate(text):
                for j, v in enumerate(row):
                    if not _is_number(v):
                        raise InputError(
                            f"{self.path}: line {self.line + r}, column {cols[j]}: expected a number for "
                            f"the scores; got {v!r}. Score columns must hold numbers only (empty cells "
                            "are not allowed); pass --label-column if the labels are not the first column."
                        ) from None
            raise

    def table(self) -> CsvTable:
        if not self.labels and not self.sink.rows:
            raise EmptyInput(f"{self.path}: has a header but no data rows; expected at least one sample.")
        labels = parse_labels(np.concatenate(self.labels)) if self.labels else None
        values = self.sink.array() if self.sink.rows else np.empty((len(labels), 0))
        return CsvTable(self.path, self.header, self.idx, labels, values)


def parse_labels(col: np.ndarray) -> np.ndarray:
    """Integers if every value is one, then booleans, then floats, else strings (class names)."""
    try:
        return col.astype(np.int64)
    except ValueError:
        pass
    low = np.char.lower(np.char.strip(col))
    if np.isin(low, ("true", "false")).all():
        return low == "true"
    try:
        f = col.astype(np.float64)
        return f.astype(np.int64) if np.array_equal(f, np.floor(f)) and np.isfinite(f).all() else f
    except ValueError:
        return col


FORMAT = Format(name="csv", extensions=EXTENSIONS, read_array=read_array, read_pair=read_pair)
