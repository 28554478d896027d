"""Reading labels, scores and weights from files; iterating over them in chunks.

Formats: `.npy` (memory-mapped, never unpickled), `.npz`, `.csv`/`.tsv` (header or not) and
`.parquet` (needs pyarrow: `pip install headcheck[parquet]`). Either one file holds labels and
scores (npz, csv, parquet) or two files hold one each (any format).

Every format streams: `.npy` and uncompressed `.npz` members are memory-mapped where they lie;
CSV/TSV is parsed `CSV_CHUNK_ROWS` rows at a time and parquet `PARQUET_BATCH_ROWS` rows at a time,
and compressed `.npz` members are decompressed piece by piece; with a `Spool` (as `open_inputs`
makes) the parsed scores go to temporary memory-mapped files, so peak memory is one chunk plus the
labels, whatever the size of the file. The temporary files are removed when `open_inputs` exits.

>>> import numpy as np, tempfile, os
>>> d = tempfile.mkdtemp()
>>> np.save(os.path.join(d, "y.npy"), np.array([0, 1])); np.save(os.path.join(d, "p.npy"), np.array([.2, .9]))
>>> load_inputs([os.path.join(d, "y.npy"), os.path.join(d, "p.npy")]).y_score.tolist()
[0.2, 0.9]
"""
from __future__ import annotations

import csv
import itertools
import mmap
import os
import shutil
import struct
import sys
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from headcheck.errors import InputError, describe_array

LABEL_KEYS = ("y_true", "labels", "y")
SCORE_KEYS = ("y_score", "scores", "y_pred", "probs")
WEIGHT_KEYS = ("sample_weight", "weights")
HEADER_NAMES = {"label", "labels", "y", "y_true", "target", "targets", "class", "true"}
_CSV_EXT = (".csv", ".tsv", ".txt")
_PARQUET_EXT = (".parquet", ".pq")
# Target bytes of scores per chunk: large enough to amortise per-chunk overhead, small enough to
# keep a memory-mapped file's resident pages bounded.
CHUNK_BYTES = 32 << 20
# Rows parsed at once: the text of one chunk and its floats are what a parse holds in memory, so
# a CSV chunk is also capped at about CSV_CHUNK_BYTES of text (wide rows: fewer rows per chunk).
CSV_CHUNK_ROWS = 65_536
CSV_CHUNK_BYTES = 16 << 20
PARQUET_BATCH_ROWS = 65_536
# A compressed .npz member up to this size (uncompressed) is read whole rather than spooled.
NPZ_READ_WHOLE_BYTES = CHUNK_BYTES


@dataclass(frozen=True)
class Inputs:
    """Arrays read from files (memory-mapped where the format allows) and how they were found."""

    y_true: np.ndarray
    y_score: np.ndarray
    sample_weight: np.ndarray | None
    source: str
    notes: tuple[str, ...] = ()


class Spool:
    """A private temporary directory for parsed inputs (in `tmp_dir`, else TMPDIR), made on first
    use and removed by `close()`; files there are memory-mapped read-only once written.

    >>> with Spool() as s:
    ...     d = os.path.dirname(s.path("scores.bin"))
    >>> os.path.exists(d)
    False
    """

    def __init__(self, tmp_dir: str | None = None) -> None:
        self.tmp_dir = tmp_dir
        self.dir: str | None = None
        self._n = 0

    def path(self, name: str) -> str:
        if self.dir is None:
            try:
                self.dir = tempfile.mkdtemp(prefix="headcheck-", dir=self.tmp_dir)
            except OSError as e:
                where = self.tmp_dir or tempfile.gettempdir()
                raise InputError(f"temporary directory {where}: cannot create files there ({e}); "
                                 "headcheck spools parsed csv/parquet/npz data to temporary files. "
                                 "Pass --tmp-dir with a writable directory (or set TMPDIR).") from e
        self._n += 1
        return os.path.join(self.dir, f"{self._n}-{name}")

    def close(self) -> None:
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Sink:
    """Collects row blocks of one array: appended to a raw temporary file that is memory-mapped at
    the end (numeric data with a spool), else kept in memory and concatenated."""

    def __init__(self, path: str, name: str, spool: Spool | None) -> None:
        self.path, self.name, self.spool = path, name, spool
        self.blocks: list[np.ndarray] = []
        self.file: IO[bytes] | None = None
        self.file_name = ""
        self.rows = 0
        self.tail: tuple[int, ...] | None = None
        self.dtype: np.dtype | None = None

    def add(self, block: np.ndarray) -> None:
        if self.tail is None:
            self.tail, self.dtype = block.shape[1:], block.dtype
            if self.spool is not None and block.dtype.kind in "biuf":
                self.file_name = self.spool.path(f"{self.name}.bin")
                self.file = open(self.file_name, "wb")
        elif block.shape[1:] != self.tail:
            raise InputError(f"{self.path}: {self.name} rows {self.rows}.. have shape {block.shape[1:]} "
                             f"but earlier rows have {self.tail}; every row must have the same number "
                             "of values (lists of one length per row). Fix the file.")
        if self.file is not None:
            np.ascontiguousarray(block, dtype=self.dtype).tofile(self.file)
        else:
            self.blocks.append(block)
        self.rows += len(block)

    def array(self) -> np.ndarray:
        if self.file is None:
            return np.concatenate(self.blocks) if self.blocks else np.empty((0,))
        self.file.close()
        if self.rows == 0 or self.dtype is None or self.dtype.itemsize * int(np.prod(self.tail)) == 0:
            return np.empty((self.rows, *(self.tail or ())), self.dtype)
        return np.memmap(self.file_name, dtype=self.dtype, mode="r", shape=(self.rows, *(self.tail or ())))

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


@contextmanager
def open_inputs(
    paths: Sequence[str],
    *,
    labels_key: str | None = None,
    scores_key: str | None = None,
    label_column: str | None = None,
    weights: str | None = None,
    tmp_dir: str | None = None,
    progress: bool = False,
) -> Iterator[Inputs]:
    """`load_inputs` with bounded memory: parsed csv/parquet data and compressed npz members go to
    temporary memory-mapped files in `tmp_dir` (default TMPDIR), removed on exit, even on error.

    >>> # with open_inputs(["data.csv"], tmp_dir="/scratch") as inp: report(inp.y_true, inp.y_score)
    """
    with Spool(tmp_dir) as spool:
        yield load_inputs(paths, labels_key=labels_key, scores_key=scores_key, label_column=label_column,
                          weights=weights, spool=spool, progress=progress)


def load_inputs(
    paths: Sequence[str],
    *,
    labels_key: str | None = None,
    scores_key: str | None = None,
    label_column: str | None = None,
    weights: str | None = None,
    spool: Spool | None = None,
    progress: bool = False,
) -> Inputs:
    """Read `[data_file]` (labels + scores in one npz/csv/parquet) or `[labels_file, scores_file]`.

    Without a `spool`, parsed formats are held in memory; `open_inputs` streams them to disk."""
    paths = [str(p) for p in paths]
    if len(paths) not in (1, 2):
        raise InputError(
            f"expected one data file (labels and scores together) or two files (labels, then scores); "
            f"got {len(paths)} paths. Example: headcheck report labels.npy scores.npy"
        )
    notes: list[str] = []
    rd = _Reader(spool, progress)
    if len(paths) == 1:
        y_true, y_score, w = _load_combined(paths[0], labels_key, scores_key, label_column, notes, rd)
        source = paths[0]
    else:
        y_true = load_array(paths[0], key=labels_key, role="labels", notes=notes, _rd=rd)
        y_score = load_array(paths[1], key=scores_key, role="scores", notes=notes, _rd=rd)
        w, source = None, f"{paths[0]} + {paths[1]}"
    if weights is not None:
        w = load_array(weights, role="weights", notes=notes, _rd=rd)
    return Inputs(y_true, y_score, w, source, tuple(notes))


@dataclass(frozen=True)
class _Reader:
    """Where parsed data goes (a spool or memory) and whether to draw a progress bar."""

    spool: Spool | None = None
    progress: bool = False

    def bar(self, total: int, path: str) -> Callable[[int], None] | None:
        return progress_callback(total, f"reading {os.path.basename(path)}") if self.progress else None


# ---------------------------------------------------------------------------------------------
# paths and formats
# ---------------------------------------------------------------------------------------------
def _check_path(path: str) -> str:
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file. Expected a .npy, .npz, .csv or .parquet file; "
                         "check the path (it is read relative to the current directory).")
    if os.path.isdir(path):
        raise InputError(f"{path}: is a directory, expected a file (.npy, .npz, .csv or .parquet). "
                         "Name the file inside it.")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: cannot be read (permission denied). Fix its permissions or copy it.")
    return os.path.splitext(path)[1].lower()


def _unknown_format(path: str, ext: str) -> InputError:
    return InputError(f"{path}: unknown file type {ext or '(no extension)'!r}; expected .npy, .npz, "
                      ".csv/.tsv or .parquet. Convert the data, e.g. np.save('scores.npy', scores).")


def load_array(path: str, *, key: str | None = None, role: str = "array",
               notes: list[str] | None = None, _rd: _Reader | None = None) -> np.ndarray:
    """One array from a file: a .npy, one array of a .npz, or every column of a csv/parquet file."""
    rd = _rd or _Reader()
    ext = _check_path(path)
    if ext == ".npy":
        return _load_npy(path)
    if ext == ".npz":
        with _open_npz(path) as z:
            if key is None:
                keys = {"labels": LABEL_KEYS, "scores": SCORE_KEYS, "weights": WEIGHT_KEYS}.get(role, ())
                key = next((k for k in keys if k in z.files), None)
                if key is None and len(z.files) == 1:
                    key = z.files[0]
                if key is None:
                    raise InputError(f"{path}: holds arrays {z.files}; expected one array or a key "
                                     f"for the {role}. Pass --{role}-key NAME.")
            return _npz_get(z, key, path, role, rd)
    if ext in _CSV_EXT:
        table = read_csv(path, spool=rd.spool, progress=rd.progress)
        if table.labels is not None:  # one column: labels (or one score per row)
            return table.labels
        return table.values
    if ext in _PARQUET_EXT:
        return _read_parquet(path, None, with_labels=False, rd=rd)[2]
    raise _unknown_format(path, ext)


_NPY_MAGIC = b"\x93NUMPY"


def _load_npy(path: str) -> np.ndarray:
    # np.load takes any file without the .npy magic for a pickle; say what the file really is
    try:
        with open(path, "rb") as f:
            head = f.read(len(_NPY_MAGIC))
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror or e}). Check the path and its permissions.") from e
    if head != _NPY_MAGIC and not head.startswith(b"\x80"):  # \x80: a pickle's protocol byte
        raise InputError(
            f"{path}: is not a .npy file (it does not start with the .npy magic bytes; "
            f"it starts with {head!r}). Save arrays with np.save(path, array), or give a .csv / .npz "
            "/ .parquet file its own extension."
        )
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except ValueError as e:
        if "pickle" in str(e) or "object" in str(e).lower():
            raise InputError(
                f"{path}: holds Python objects (a pickled array); headcheck never unpickles files, "
                "since unpickling can run arbitrary code. Re-save it as a numeric or string array: "
                "np.save(path, np.asarray(a, dtype=float)) (or dtype=str for string labels)."
            ) from e
        raise InputError(f"{path}: is not a valid .npy file ({e}). Re-save it with np.save.") from e
    except (OSError, EOFError) as e:
        raise InputError(f"{path}: cannot be read as .npy ({e}). Re-save it with np.save.") from e


# ---------------------------------------------------------------------------------------------
# .npz: stored members memory-mapped in place, compressed ones decompressed in pieces
# ---------------------------------------------------------------------------------------------
class _Npz:
    """The arrays of a .npz (a zip of .npy files), read without unpickling and without loading
    members whole where avoidable."""

    def __init__(self, path: str, zf: zipfile.ZipFile) -> None:
        self.path, self.zip = path, zf
        names = zf.namelist()
        self.files = [n[:-4] if n.endswith(".npy") else n for n in names]
        self._member = dict(zip(self.files, names))

    def get(self, key: str, rd: _Reader) -> np.ndarray:
        info = self.zip.getinfo(self._member[key])
        if info.compress_type == zipfile.ZIP_STORED:
            mapped = self._map_stored(info)
            if mapped is not None:
                return mapped
        if rd.spool is not None and info.file_size > NPZ_READ_WHOLE_BYTES:
            return self._spool_member(info, key, rd.spool)
        with self.zip.open(info) as fh:
            return np.lib.format.read_array(fh, allow_pickle=False)

    def _map_stored(self, info: zipfile.ZipInfo) -> np.ndarray | None:
        """A memmap of an uncompressed member where it lies; None if its header is unusual."""
        with open(self.path, "rb") as fh:
            fh.seek(info.header_offset)
            local = fh.read(30)
            if len(local) < 30 or local[:4] != b"PK\x03\x04":
                return None
            name_len, extra_len = struct.unpack("<HH", local[26:30])
            start = info.header_offset + 30 + name_len + extra_len
            fh.seek(start)
            version = np.lib.format.read_magic(fh)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
            elif version == (2, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
            else:
                return None
            offset = fh.tell()
        if dtype.hasobject:
            raise ValueError("Object arrays cannot be loaded when allow_pickle=False")
        size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if size == 0 or offset - start + size != info.file_size:
            return None
        return np.memmap(self.path, dtype=dtype, mode="r", offset=offset, shape=shape,
                         order="F" if fortran else "C")

    def _spool_member(self, info: zipfile.ZipInfo, key: str, spool: Spool) -> np.ndarray:
        out = spool.path(f"{key}.npy")
        with self.zip.open(info) as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst, CHUNK_BYTES // 4)
        return np.load(out, mmap_mode="r", allow_pickle=False)


@contextmanager
def _open_npz(path: str) -> Iterator[_Npz]:
    with open(path, "rb") as fh:
        magic = fh.read(6)
    if magic == b"\x93NUMPY":
        raise InputError(f"{path}: is a single array saved with a .npz name; rename it to .npy.")
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        raise InputError(f"{path}: cannot be read as .npz ({e}). Re-save it with np.savez.") from e
    try:
        yield _Npz(path, zf)
    finally:
        zf.close()


def _npz_get(z: _Npz, key: str, path: str, role: str, rd: _Reader) -> np.ndarray:
    if key not in z.files:
        raise InputError(f"{path}: has no array {key!r} for the {role}; it holds {z.files}. "
                         f"Pass --{role}-key with one of those names.")
    try:
        return z.get(key, rd)
    except ValueError as e:
        if "pickle" in str(e) or "object" in str(e).lower():
            raise InputError(f"{path}: array {key!r} holds Python objects (pickled); headcheck never "
                             "unpickles files. Re-save it as a numeric or string array.") from e
        raise InputError(f"{path}: array {key!r} is not a valid .npy member ({e}). "
                         "Re-save the file with np.savez.") from e
    except (OSError, EOFError, zipfile.BadZipFile) as e:
        raise InputError(f"{path}: array {key!r} cannot be read ({e}). Re-save the file with np.savez.") from e


def _load_combined(path: str, labels_key: str | None, scores_key: str | None,
                   label_column: str | None, notes: list[str], rd: _Reader
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    ext = _check_path(path)
    if ext == ".npz":
        return _load_npz_pair(path, labels_key, scores_key, notes, rd)
    if ext in _CSV_EXT:
        table = read_csv(path, label_column=label_column, with_labels=True, spool=rd.spool,
                         progress=rd.progress)
        scores = table.values
        notes.append(f"labels: column {table.label_name()}; scores: the other {scores.shape[1]} column(s)")
        assert table.labels is not None
        return table.labels, (scores[:, 0] if scores.shape[1] == 1 else scores), None
    if ext in _PARQUET_EXT:
        names, idx, labels, scores = _read_parquet(path, label_column, with_labels=True, rd=rd)
        notes.append(f"labels: column {names[idx]!r}; scores: {[n for i, n in enumerate(names) if i != idx]}")
        return labels, scores, None
    if ext == ".npy":
        raise InputError(f"{path}: a .npy file holds one array; expected labels and scores. Pass two "
                         "files (headcheck report labels.npy scores.npy) or one .npz with both.")
    raise _unknown_format(path, ext)


def _load_npz_pair(path: str, labels_key: str | None, scores_key: str | None, notes: list[str],
                   rd: _Reader) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    with _open_npz(path) as z:
        files = list(z.files)
        lk = labels_key or next((k for k in LABEL_KEYS if k in files), None)
        sk = scores_key or next((k for k in SCORE_KEYS if k in files), None)
        if (lk is None or sk is None) and len(files) == 2:
            # np.savez(f, y, p) stores arr_0, arr_1: file order is labels, then scores
            lk = lk or next(k for k in files if k != sk)
            sk = sk or next(k for k in files if k != lk)
            notes.append(f"{path}: labels = {lk!r}, scores = {sk!r} (the two arrays, in file order)")
        if lk is None or sk is None:
            raise InputError(
                f"{path}: expected arrays named one of {list(LABEL_KEYS)} (labels) and "
                f"{list(SCORE_KEYS)} (scores), or exactly two arrays; got {files}. "
                "Pass --labels-key and --scores-key."
            )
        wk = next((k for k in WEIGHT_KEYS if k in files), None)
        w = _npz_get(z, wk, path, "weights", rd) if wk else None
        if wk:
            notes.append(f"{path}: sample weights from {wk!r}")
        return _npz_get(z, lk, path, "labels", rd), _npz_get(z, sk, path, "scores", rd), w


# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------
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


def _is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


def read_csv(path: str, *, label_column: str | None = None, with_labels: bool = False,
             batch_rows: int | None = None, spool: Spool | None = None,
             progress: bool = False) -> CsvTable:
    """Stream a CSV in batches of `batch_rows` rows (default `CSV_CHUNK_ROWS`, fewer for rows wider
    than `CSV_CHUNK_BYTES / CSV_CHUNK_ROWS` characters); each batch becomes
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
            raise InputError(f"{path}: is empty; expected a CSV with a labels column and score columns.")
        first, second = parsed[0], (parsed[1] if len(parsed) > 1 else None)
        header = tuple(first) if _detect_header(first, second, label_column) else None
        width = len(first)
        idx = _label_index(path, header, width, label_column) if with_labels else None
        parser = _BatchParser(path, width, idx, header, delim, spool)
        try:
            rows = batch_rows or min(CSV_CHUNK_ROWS, max(1, CSV_CHUNK_BYTES // max(1, len(head[-1]))))
            _feed(f, head[1:] if header else head, parser, rows,
                  _Reader(spool, progress).bar(os.path.getsize(path), path))
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


def _label_index(path: str, header: tuple[str, ...] | None, width: int, label_column: str | None) -> int:
    if width < 2:
        raise InputError(f"{path}: has one column; expected a labels column and score column(s). "
                         "Pass a scores file as a second argument.")
    if label_column is None:
        return 0
    if header and label_column in header:
        return header.index(label_column)
    if label_column.lstrip("-").isdigit() and -width <= int(label_column) < width:
        return int(label_column) % width
    raise InputError(f"{path}: no column {label_column!r}; columns: "
                     f"{list(header) if header else f'0..{width - 1} (no header)'}. "
                     "Pass --label-column with a column name or a 0-based index.")


class _BatchParser:
    """Checks and converts batches of CSV lines; keeps label strings, writes float blocks to a sink."""

    def __init__(self, path: str, width: int, label_index: int | None, header: tuple[str, ...] | None,
                 delim: str = ",", spool: Spool | None = None):
        self.path, self.width, self.idx, self.header, self.delim = path, width, label_index, header, delim
        self.line = 2 if header else 1  # file line of the next row
        self.labels: list[np.ndarray] = []
        self.sink = _Sink(path, "scores", spool)
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
            raise InputError(f"{self.path}: has a header but no data rows; expected at least one sample.")
        labels = _parse_labels(np.concatenate(self.labels)) if self.labels else None
        values = self.sink.array() if self.sink.rows else np.empty((len(labels), 0))
        return CsvTable(self.path, self.header, self.idx, labels, values)


def _parse_labels(col: np.ndarray) -> np.ndarray:
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


# ---------------------------------------------------------------------------------------------
# Parquet (optional extra), read in row batches
# ---------------------------------------------------------------------------------------------
@contextmanager
def _parquet_file(path: str) -> Iterator[Any]:
    try:
        import pyarrow.parquet as pq
    except ImportError as e:
        raise InputError(f"{path}: reading .parquet needs pyarrow, which is not installed. Install "
                         "it with: pip install headcheck[parquet]") from e
    try:
        # pre-buffering and threaded reads hold many row groups at once (about the whole file in
        # the bench); a small read buffer keeps memory to about one row group
        pf = pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 20)
    except Exception as e:  # pyarrow raises its own ArrowInvalid/OSError family
        raise InputError(f"{path}: cannot be read as parquet ({e}).") from e
    try:
        yield pf
    finally:
        getattr(pf, "close", lambda: None)()


def _batches(pf: Any, path: str, batch_rows: int) -> Iterator[Any]:
    try:
        yield from pf.iter_batches(batch_size=batch_rows, use_threads=False)
    except InputError:
        raise
    except Exception as e:
        raise InputError(f"{path}: cannot be read as parquet ({e}).") from e


def _column_numpy(col: Any, name: str, path: str) -> np.ndarray:
    lists = _list_column(col, name, path)
    if lists is not None:
        return lists
    try:
        arr = col.to_numpy(zero_copy_only=False)
    except Exception as e:
        raise InputError(f"{path}: column {name!r} cannot be converted to an array ({e}).") from e
    if arr.dtype == object and len(arr):
        first = arr[0]
        if isinstance(first, np.ndarray):
            try:
                arr = np.stack(list(arr))
            except ValueError as e:
                raise InputError(f"{path}: column {name!r} holds lists of different lengths ({e}); "
                                 "expected one list of K scores per row.") from e
        elif isinstance(first, str):
            arr = arr.astype(str)
        else:
            raise InputError(f"{path}: column {name!r} holds {type(first).__name__} values; "
                             "expected numbers, strings or fixed-length lists of numbers.")
    return arr


def _list_column(col: Any, name: str, path: str) -> np.ndarray | None:
    """A list column (one list of K scores per row) as an (n, K) array straight from its flat
    values; None for other columns (and lists with nulls, left to the general conversion)."""
    import pyarrow as pa

    t = col.type
    if not (pa.types.is_fixed_size_list(t) or pa.types.is_list(t) or pa.types.is_large_list(t)):
        return None
    if col.null_count or not len(col) or not pa.types.is_primitive(t.value_type):
        return None
    if pa.types.is_fixed_size_list(t):
        k = t.list_size
    else:
        lengths = np.diff(col.offsets.to_numpy())
        k = int(lengths[0])
        if (lengths != k).any():
            raise InputError(f"{path}: column {name!r} holds lists of different lengths ({k} and "
                             f"{int(lengths[lengths != k][0])}); expected one list of K scores per row.")
    return col.flatten().to_numpy(zero_copy_only=False).reshape(len(col), k)


def _stack_columns(arrays: list[np.ndarray], path: str) -> np.ndarray:
    if len(arrays) == 1:
        return arrays[0]
    parts = [a[:, None] if a.ndim == 1 else a for a in arrays]
    if any(p.dtype.kind not in "biuf" for p in parts):
        raise InputError(f"{path}: several columns must all be numeric to form scores.")
    return np.concatenate(parts, axis=1)


def _parquet_label_index(path: str, names: list[str], label_column: str | None) -> int:
    if len(names) < 2:
        raise InputError(f"{path}: has one column {names}; expected a labels column and score "
                         "column(s). Pass a scores file as a second argument.")
    if label_column is None:
        return 0
    if label_column in names:
        return names.index(label_column)
    if label_column.lstrip("-").isdigit() and -len(names) <= int(label_column) < len(names):
        return int(label_column) % len(names)
    raise InputError(f"{path}: no column {label_column!r}; columns: {names}. Pass --label-column.")


def _read_parquet(path: str, label_column: str | None, *, with_labels: bool, rd: _Reader,
                  batch_rows: int | None = None
                  ) -> tuple[list[str], int | None, np.ndarray | None, np.ndarray]:
    """(column names, label index, labels, scores): batches of rows, the scores (every column but
    the labels, stacked) written to a sink."""
    with _parquet_file(path) as pf:
        names = list(pf.schema_arrow.names)
        idx = _parquet_label_index(path, names, label_column) if with_labels else None
        n = pf.metadata.num_rows
        if n == 0:
            raise InputError(f"{path}: has no rows; expected at least one sample.")
        labels: list[np.ndarray] = []
        sink = _Sink(path, "scores", rd.spool)
        advance = rd.bar(n, path)
        try:
            for batch in _batches(pf, path, batch_rows or PARQUET_BATCH_ROWS):
                cols = [_column_numpy(batch.column(j), names[j], path) for j in range(len(names))]
                if idx is not None:
                    labels.append(cols.pop(idx))
                sink.add(_stack_columns(cols, path))
                if advance is not None:
                    advance(sink.rows)
        finally:
            sink.close()
            if advance is not None:
                advance(n)
    return names, idx, (np.concatenate(labels) if labels else None), sink.array()


# ---------------------------------------------------------------------------------------------
# chunks and progress
# ---------------------------------------------------------------------------------------------
def default_chunk_rows(y_score: np.ndarray) -> int:
    row_bytes = max(1, int(np.prod(y_score.shape[1:], dtype=np.int64)) * y_score.dtype.itemsize)
    return int(max(1024, min(1 << 20, CHUNK_BYTES // row_bytes)))


def iter_chunks(n: int, chunk_rows: int) -> Iterator[tuple[int, int]]:
    """(start, stop) row ranges covering 0..n."""
    for start in range(0, n, chunk_rows):
        yield start, min(n, start + chunk_rows)


def release_rows(a: np.ndarray, start: int, stop: int) -> None:
    """Let the kernel drop rows [start, stop) of a read-only memory-mapped array from this process's
    resident memory (the pages stay in the page cache and fault back in if read again), so a pass
    over a file larger than RAM keeps its resident set to about one chunk. A no-op for arrays that
    are not views of a read-only np.memmap.

    >>> import tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "s.npy"); np.save(path, np.arange(6.0).reshape(3, 2))
    >>> m = np.load(path, mmap_mode="r"); release_rows(m, 0, 2); m[:2].tolist()
    [[0.0, 1.0], [2.0, 3.0]]
    """
    mm, _ = _readonly_mmap(a)
    if mm is None or a.ndim == 0 or a.strides[0] <= 0 or stop <= start:
        return
    try:
        mm_addr = np.frombuffer(mm, np.uint8, count=1).ctypes.data
        lo = a.ctypes.data - mm_addr + start * a.strides[0]
        hi = min(len(mm), a.ctypes.data - mm_addr + stop * a.strides[0])
        lo -= lo % mmap.PAGESIZE
        if hi > lo >= 0:
            mm.madvise(mmap.MADV_DONTNEED, lo, hi - lo)
    except (AttributeError, OSError, ValueError, TypeError):
        pass  # only a hint: platforms without madvise keep the pages until memory is needed


def _readonly_mmap(a: np.ndarray) -> tuple[Any, Any]:
    """The mmap under `a` when `a` is (a view of) an np.memmap opened read-only."""
    obj: Any = a
    while obj is not None:
        if isinstance(obj, np.memmap) and getattr(obj, "mode", None) == "r" and isinstance(
                getattr(obj, "_mmap", None), mmap.mmap):
            return obj._mmap, obj
        obj = getattr(obj, "base", None)
    return None, None


def check_weights(w: object, n: int) -> np.ndarray:
    """Sample weights as a 1-D float array of length n, finite and non-negative."""
    a = np.asarray(w)
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
    if a.ndim != 1 or a.shape[0] != n or a.dtype.kind not in "biuf":
        raise InputError(f"weights: expected {n} numbers, one per sample; got {describe_array(a)}. "
                         "Pass a 1-D array of sample weights in the same order as the labels.")
    if not np.isfinite(a).all() or (a < 0).any():
        bad = np.flatnonzero(~np.isfinite(a) | (a < 0))
        raise InputError(f"weights: expected finite non-negative weights; got {bad.size} bad value(s) "
                         f"(first rows: {', '.join(map(str, bad[:5]))}). Fix those weights.")
    return a


def progress_callback(total: int, description: str = "reading") -> Callable[[int], None] | None:
    """A callback taking the rows done so far, drawing a rich progress bar on stderr; None unless
    stderr is a terminal (never in pipes, files or tests)."""
    if not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import Progress

    progress = Progress(console=Console(stderr=True), transient=True)
    task = progress.add_task(description, total=total)
    progress.start()

    def advance(done: int) -> None:
        progress.update(task, completed=done)
        if done >= total:
            progress.stop()

    return advance
