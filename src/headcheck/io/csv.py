"""`.csv` / `.tsv` / `.txt`: parsed in batches of rows (numpy's C parser on plain numbers, the
`csv` module on quoted batches); with a spool, the floats go to a temporary memory-mapped file."""
from __future__ import annotations

import csv
import itertools
import os
import re
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
# Separators sniffed (besides a space, see sniff_separator) and the lines they are sniffed from.
SEPARATORS = (",", "\t", ";", "|")
SEPARATOR_NAMES = {",": "','", "\t": "tab", ";": "';'", "|": "'|'", " ": "space"}
SNIFF_LINES = 20


@dataclass(frozen=True)
class CsvTable:
    """A CSV file parsed in batches: the labels column (if one was asked for) and the other columns
    as floats (memory-mapped when parsed with a spool). `header` is None when the file had none."""

    path: str
    header: tuple[str, ...] | None
    label_index: int | None
    labels: np.ndarray | None  # parsed: int, bool, float or str
    values: np.ndarray  # (N, columns) float64: every column but the labels
    notes: tuple[str, ...] = ()  # what was detected (separator, skipped lines)

    def label_name(self) -> str:
        i = self.label_index
        return repr(self.header[i]) if self.header and i is not None else f"{i} (0-based)"


def read_array(path: str, *, role: str = "array", key: str | None = None,
               ctx: ReadContext | None = None) -> np.ndarray:
    """Every column of a CSV: the labels when it has one column, else the (N, columns) floats."""
    ctx = ctx or ReadContext()
    table = read_csv(path, spool=ctx.spool, progress=ctx.progress)
    for note in table.notes:
        ctx.note(note)
    if table.labels is not None:  # one column: labels (or one score per row)
        return table.labels
    return table.values


def read_pair(path: str, request: Request, ctx: ReadContext) -> Pair:
    """The labels column (--label-column, default the first) and the other columns as scores."""
    table = read_csv(path, label_column=request.label_column, with_labels=True, spool=ctx.spool,
                     progress=ctx.progress)
    scores = table.values
    for note in table.notes:
        ctx.note(note)
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

    A UTF-8 byte-order mark and leading comment ('#') or blank lines are skipped; the separator is
    sniffed (`sniff_separator`); blank lines may end the file. A ragged row, a blank line before
    data, an empty label or a score that is not a number is an InputError naming its line.
    """
    default = "\t" if path.lower().endswith(".tsv") else ","
    _refuse_utf16(path)
    try:
        f = open(path, newline="", encoding="utf-8-sig")
    except OSError as e:
        raise InputError(f"{path}: cannot be opened ({e}). Check the path and its permissions.") from e
    with f:
        start = _start(f, path, default, label_column)
        width = len(start.first)
        idx = None
        if with_labels:
            why = "" if width > 1 else (
                f" (no ',', tab, ';' or '|' separates values on its first line, "
                f"{_clip(start.delim.join(start.first))!r})")
            idx = label_index(path, start.header, width, label_column, one_column_why=why)
        parser = _BatchParser(path, width, idx, start.header, start.delim, spool, start.line)
        try:
            rows = batch_rows or min(CHUNK_ROWS, max(1, CHUNK_TEXT_BYTES // start.line_chars))
            bar = ReadContext(spool, progress).bar(os.path.getsize(path), path)
            _feed(f, start.lines, parser, rows, bar)
        finally:
            parser.sink.close()
    return parser.table(start.notes)


@dataclass(frozen=True)
class _Start:
    """What the first lines of a CSV say: separator, header, the first row's fields, the lines
    still to parse (from the first data row) and the file line of the first of them."""

    delim: str
    header: tuple[str, ...] | None
    first: list[str]
    lines: list[str]
    line: int
    notes: tuple[str, ...]
    line_chars: int  # the longest of the first lines, to size batches


def _start(f: Iterable[str], path: str, default: str, label_column: str | None) -> _Start:
    skipped, comment, first_line = 0, None, None
    it = iter(f)
    try:
        for line in it:
            if line.strip() and not line.lstrip().startswith("#"):
                first_line = line
                break
            skipped += 1
            comment = line if line.strip() else comment
        if first_line is None:
            what = "holds only comment ('#') and blank lines" if skipped else "is empty"
            raise EmptyInput(f"{path}: {what}; expected a CSV with a labels column and score columns.")
        head = [first_line, *itertools.islice(it, SNIFF_LINES - 1)]
    except UnicodeDecodeError as e:
        raise _not_utf8(path, e) from e
    sample = [line for line in head if line.strip()]
    chars = max(map(len, sample))
    delim = sniff_separator(sample, default)
    try:
        rows = list(csv.reader(sample[:2], delimiter=delim))
        commented = next(csv.reader([comment.lstrip()[1:].strip()], delimiter=delim), None) if comment else None
    except csv.Error as e:
        raise InputError(f"{path}: line {skipped + 1}: cannot be parsed as CSV ({e}).") from e
    first, second = rows[0], (rows[1] if len(rows) > 1 else None)
    notes = [f"{path}: separator {SEPARATOR_NAMES.get(delim, repr(delim))} (detected)"] if delim != default else []
    if commented and len(commented) == len(first) and _commented_header(commented, first, second, label_column):
        header: tuple[str, ...] | None = tuple(commented)
        notes.append(f"{path}: skipped {skipped} leading comment/blank line(s); the last comment "
                     f"is the header")
        return _Start(delim, header, first, head, skipped + 1, tuple(notes), chars)
    if skipped:
        notes.append(f"{path}: skipped {skipped} leading comment/blank line(s)")
    if _detect_header(first, second, label_column):
        return _Start(delim, tuple(first), first, head[1:], skipped + 2, tuple(notes), chars)
    return _Start(delim, None, first, head, skipped + 1, tuple(notes), chars)


def _not_utf8(path: str, e: UnicodeDecodeError) -> InputError:
    """The message for text that is not UTF-8, naming the first line that is not (found again in
    bytes: text is decoded in blocks, so the decoder does not know the line)."""
    line = None
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                line = n
                break
    where = f" line {line}:" if line else ""
    bad = e.object[e.start:e.start + 1]
    return InputError(f"{path}:{where} is not UTF-8 text (byte {bad!r}: {e.reason}). Save it as UTF-8 "
                      "(e.g. 'CSV UTF-8'), or convert it: iconv -f LATIN1 -t UTF-8.")


def _clip(line: str, n: int = 60) -> str:
    line = line.rstrip("\r\n")
    return line if len(line) <= n else line[:n] + "..."


def _refuse_utf16(path: str) -> None:
    try:
        with open(path, "rb") as fh:
            bom = fh.read(4)
    except OSError as e:
        raise InputError(f"{path}: cannot be opened ({e}). Check the path and its permissions.") from e
    for mark, name in ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
                       (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16")):
        if bom.startswith(mark):
            raise InputError(f"{path}: is {name} text; expected UTF-8. Save it as UTF-8 (e.g. 'CSV "
                             "UTF-8'), or convert it: iconv -f UTF-16 -t UTF-8.")


def sniff_separator(lines: list[str], default: str = ",") -> str:
    r"""The separator of the first lines of a CSV: of ',', tab, ';' and '|', those that split every
    line into the same number (two or more) of fields; of those, the one that gives the last line
    the most numbers (scores are numbers), ties going to `default` (the extension's) and then that
    order. A space only when nothing else splits and every field is a number (np.savetxt's
    default). Else `default`.

    >>> sniff_separator(["label;p0;p1", "0;0.2;0.8"]), sniff_separator(["0\t0.2\t0.8"])
    (';', '\t')
    """
    best, score = None, -1
    for d in dict.fromkeys((default, *SEPARATORS)):
        rows = _split(lines, d)
        if rows is None:
            continue
        numbers = sum(map(_is_number, rows[-1]))
        if numbers > score:
            best, score = d, numbers
    if best is None:
        rows = _split(lines, " ")
        if rows is not None and all(_is_number(v) for row in rows for v in row):
            best = " "
    return best or default


def _split(lines: list[str], d: str) -> list[list[str]] | None:
    """The lines split by `d`, if every line gives the same number (two or more) of fields."""
    try:
        rows = list(csv.reader(lines, delimiter=d))
    except csv.Error:
        return None
    widths = {len(r) for r in rows}
    return rows if len(widths) == 1 and widths.pop() >= 2 else None


def _feed(f: Iterable[str], lines: list[str], parser: _BatchParser, batch_rows: int,
          advance: Callable[[int], None] | None) -> None:
    """Hands `lines`, then the rest of `f`, to the parser in batches of `batch_rows` lines."""
    done = 0
    it = iter(f)
    lines = list(lines)  # the caller's list is not grown (it would keep the first batch alive)
    try:
        while True:
            if len(lines) < batch_rows:
                try:
                    lines.extend(itertools.islice(it, batch_rows - len(lines)))
                except UnicodeDecodeError as e:
                    raise _not_utf8(parser.path, e) from e
            if not lines:
                break
            batch, lines = lines[:batch_rows], lines[batch_rows:]
            parser.add_lines(batch)
            if advance is not None:
                done += sum(map(len, batch))
                advance(done)
            del batch  # before the next batch is read: memory holds one batch of text, not two
    finally:
        if advance is not None:
            advance(1 << 62)  # stops the bar (its total is bytes, lines count characters)


def _plain_header(first: list[str], second: list[str] | None) -> bool:
    """A row is a header when it starts with a usual label-column name, or when one of its fields
    is not a number where the next row has a number."""
    if first and first[0].strip().lower() in HEADER_NAMES:
        return True
    return second is not None and any(not _is_number(a) and _is_number(b) for a, b in zip(first, second))


def _detect_header(first: list[str], second: list[str] | None, label_column: str | None) -> bool:
    """The first row is a header when a label column is named, or when it looks like one."""
    if label_column is not None and not label_column.lstrip("-").isdigit():
        return True
    return _plain_header(first, second)


def _commented_header(commented: list[str], first: list[str], second: list[str] | None,
                      label_column: str | None) -> bool:
    """The last leading comment is the header (np.savetxt(header=...) writes '# a,b,c') when it
    holds the named label column or looks like a header over the first row, and the first row
    does not look like one itself."""
    if _plain_header(first, second):
        return False
    if label_column is not None and not label_column.lstrip("-").isdigit():
        return label_column in [c.strip() for c in commented]
    return _plain_header(commented, first)


class _BatchParser:
    """Checks and converts batches of CSV lines; keeps label strings, writes float blocks to a sink."""

    def __init__(self, path: str, width: int, label_index: int | None, header: tuple[str, ...] | None,
                 delim: str = ",", spool: Spool | None = None, first_line: int = 1):
        self.path, self.width, self.idx, self.header, self.delim = path, width, label_index, header, delim
        self.line = first_line  # file line of the next row
        self.blank_at: int | None = None  # the first of the blank lines seen last (trailing so far)
        self.labels: list[np.ndarray] = []
        self.sink = Sink(path, "scores", spool)
        # a one-column file without a labels column may hold labels (strings): keep it as text
        self.text_only = label_index is None and width == 1
        self.score_cols = [c for c in range(width) if c != label_index]

    def add_lines(self, lines: list[str]) -> None:
        """The fast path: plain delimited numbers go through numpy's C parser; a batch with quotes
        goes through the csv module (whose quoting rules the fast path does not implement)."""
        n = len(lines)
        quoted = any('"' in line for line in lines)
        # plain rows of two or more columns need no blank-line scan: a blank line shows up as a
        # row of one field in _add_plain's count
        if quoted or self.width == 1 or self.blank_at is not None:
            lines = self._drop_trailing_blanks(lines)
        if quoted:
            try:
                rows = list(csv.reader(lines, delimiter=self.delim))
            except csv.Error as e:
                raise InputError(f"{self.path}: line {self.line}..{self.line + len(lines) - 1}: cannot be "
                                 f"parsed as CSV ({e}).") from e
            self.add(rows)
        elif lines:
            self._add_plain([line.rstrip("\r\n") for line in lines])
        self.line += n

    def _drop_trailing_blanks(self, lines: list[str]) -> list[str]:
        """Blank lines may end the file; one with data after it is an error naming it. Returns the
        lines up to the last one holding data (the blanks after it may yet turn out trailing)."""
        blank = [not line.strip() for line in lines]
        data = [i for i, b in enumerate(blank) if not b]
        if data and self.blank_at is not None:
            self._blank_before_data(self.blank_at)
        if not data:
            self.blank_at = self.line if self.blank_at is None else self.blank_at
            return []
        first_blank = blank.index(True) if True in blank else len(lines)
        if first_blank < data[-1]:
            self._blank_before_data(self.line + first_blank)
        if first_blank < len(lines):
            self.blank_at = self.line + first_blank
        return lines[:data[-1] + 1]

    def _blank_before_data(self, line: int) -> None:
        raise InputError(f"{self.path}: line {line} is blank but rows of data follow it; blank lines "
                         "are allowed only at the end of the file. Remove that line.")

    def _add_plain(self, lines: list[str]) -> None:
        d = self.delim
        counts = np.fromiter((line.count(d) + 1 for line in lines), np.int64, len(lines))
        bad = np.flatnonzero(counts != self.width)
        if bad.size and not lines[bad[0]].strip():
            lines = self._drop_trailing_blanks(lines)
            counts = counts[:len(lines)]
            bad = np.flatnonzero(counts != self.width)
        if bad.size:
            self._ragged(int(bad[0]), int(counts[bad[0]]))
        if not lines:
            return
        if self.text_only:
            self._add_labels(np.array(lines, dtype=str))
            return
        if self.idx == 0:
            self._add_labels(np.array([line.split(d, 1)[0] for line in lines], dtype=str))
        elif self.idx is not None:
            self._add_labels(np.array([line.split(d)[self.idx] for line in lines], dtype=str))
        self.sink.add(self._parse_floats(lines))

    def _add_labels(self, labels: np.ndarray) -> None:
        empty = np.flatnonzero(np.char.str_len(np.char.strip(labels)) == 0)
        if empty.size:
            col = self.idx or 0
            name = f" ({self.header[col]!r})" if self.header else ""
            raise InputError(f"{self.path}: line {self.line + int(empty[0])}, column {col}{name}: the "
                             "label is empty; every row needs a label. Fill it in or drop the row.")
        self.labels.append(labels)

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
            self._add_labels(text[:, 0])
        else:
            if self.idx is not None:
                self._add_labels(text[:, self.idx])
                text = np.delete(text, self.idx, axis=1)
            self.sink.add(self._floats(text))

    def _floats(self, text: np.ndarray) -> np.ndarray:
        try:
            return text.astype(np.float64)
        except ValueError:
            cols = self.score_cols
            for r, row in enumerate(text):
                for j, v in enumerate(row):
                    if not _is_number(v):
                        hint = (" (decimal commas are not read: write 0.5, not 0,5)"
                                if re.fullmatch(r"\s*[-+]?\d*,\d+\s*", str(v)) else "")
                        raise InputError(
                            f"{self.path}: line {self.line + r}, column {cols[j]}: expected a number for "
                            f"the scores; got {str(v)!r}{hint}. Score columns must hold numbers only "
                            "(empty cells are not allowed); pass --label-column if the labels are not "
                            "the first column."
                        ) from None
            raise

    def table(self, notes: tuple[str, ...] = ()) -> CsvTable:
        if not self.labels and not self.sink.rows:
            raise EmptyInput(f"{self.path}: has a header but no data rows; expected at least one sample.")
        labels = parse_labels(np.concatenate(self.labels)) if self.labels else None
        values = self.sink.array() if self.sink.rows else np.empty((len(labels), 0))
        return CsvTable(self.path, self.header, self.idx, labels, values, notes)


def parse_labels(col: np.ndarray) -> np.ndarray:
    """Integers if every value is one, then booleans, then floats, else strings (class names)."""
    try:
        return col.astype(np.int64)
    except (ValueError, OverflowError):  # OverflowError: an integer beyond int64
        pass
    low = np.char.lower(np.char.strip(col))
    if np.isin(low, ("true", "false")).all():
        return low == "true"
    try:
        f = col.astype(np.float64)
    except ValueError:
        return col
    # '2.0' is the class 2; a float beyond int64 stays a float (a cast would wrap it)
    whole = np.isfinite(f).all() and np.array_equal(f, np.floor(f)) and (np.abs(f) < 2.0 ** 63).all()
    return f.astype(np.int64) if whole else f


FORMAT = Format(name="csv", extensions=EXTENSIONS, read_array=read_array, read_pair=read_pair)
