"""Reading labels, scores and weights from files; iterating over them in chunks.

Formats: `.npy` (memory-mapped, never unpickled), `.npz`, `.csv`/`.tsv` (header or not) and
`.parquet` (needs pyarrow: `pip install headcheck[parquet]`). Either one file holds labels and
scores (npz, csv, parquet) or two files hold one each (any format).

>>> import numpy as np, tempfile, os
>>> d = tempfile.mkdtemp()
>>> np.save(os.path.join(d, "y.npy"), np.array([0, 1])); np.save(os.path.join(d, "p.npy"), np.array([.2, .9]))
>>> load_inputs([os.path.join(d, "y.npy"), os.path.join(d, "p.npy")]).y_score.tolist()
[0.2, 0.9]
"""
from __future__ import annotations

import csv
import os
import sys
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

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


@dataclass(frozen=True)
class Inputs:
    """Arrays read from files (memory-mapped where the format allows) and how they were found."""

    y_true: np.ndarray
    y_score: np.ndarray
    sample_weight: np.ndarray | None
    source: str
    notes: tuple[str, ...] = ()


def load_inputs(
    paths: Sequence[str],
    *,
    labels_key: str | None = None,
    scores_key: str | None = None,
    label_column: str | None = None,
    weights: str | None = None,
) -> Inputs:
    """Read `[data_file]` (labels + scores in one npz/csv/parquet) or `[labels_file, scores_file]`."""
    paths = [str(p) for p in paths]
    if len(paths) not in (1, 2):
        raise InputError(
            f"expected one data file (labels and scores together) or two files (labels, then scores); "
            f"got {len(paths)} paths. Example: headcheck report labels.npy scores.npy"
        )
    notes: list[str] = []
    if len(paths) == 1:
        y_true, y_score, w = _load_combined(paths[0], labels_key, scores_key, label_column, notes)
        source = paths[0]
    else:
        y_true = load_array(paths[0], key=labels_key, role="labels", notes=notes)
        y_score = load_array(paths[1], key=scores_key, role="scores", notes=notes)
        w, source = None, f"{paths[0]} + {paths[1]}"
    if weights is not None:
        w = load_array(weights, role="weights", notes=notes)
    return Inputs(y_true, y_score, w, source, tuple(notes))


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
               notes: list[str] | None = None) -> np.ndarray:
    """One array from a file: a .npy, one array of a .npz, or every column of a csv/parquet file."""
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
            return _npz_get(z, key, path, role)
    if ext in _CSV_EXT:
        table = read_csv(path)
        arr = table.columns_array()
        return arr[:, 0] if arr.shape[1] == 1 else arr
    if ext in _PARQUET_EXT:
        cols = read_parquet(path)
        arrays = [c for _, c in cols]
        return _stack_columns(arrays, path)
    raise _unknown_format(path, ext)


def _load_npy(path: str) -> np.ndarray:
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


@contextmanager
def _open_npz(path: str) -> Iterator[np.lib.npyio.NpzFile]:
    try:
        z = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        raise InputError(f"{path}: cannot be read as .npz ({e}). Re-save it with np.savez.") from e
    if not isinstance(z, np.lib.npyio.NpzFile):
        raise InputError(f"{path}: is a single array saved with a .npz name; rename it to .npy.")
    try:
        yield z
    finally:
        z.close()


def _npz_get(z: np.lib.npyio.NpzFile, key: str, path: str, role: str) -> np.ndarray:
    if key not in z.files:
        raise InputError(f"{path}: has no array {key!r} for the {role}; it holds {z.files}. "
                         f"Pass --{role}-key with one of those names.")
    try:
        return z[key]
    except ValueError as e:
        raise InputError(f"{path}: array {key!r} holds Python objects (pickled); headcheck never "
                         "unpickles files. Re-save it as a numeric or string array.") from e


def _load_combined(path: str, labels_key: str | None, scores_key: str | None,
                   label_column: str | None, notes: list[str]
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    ext = _check_path(path)
    if ext == ".npz":
        return _load_npz_pair(path, labels_key, scores_key, notes)
    if ext in _CSV_EXT:
        table = read_csv(path, label_column=label_column)
        idx = table.label_index(label_column)
        notes.append(f"labels: column {table.name(idx)}; scores: the other {table.width - 1} column(s)")
        labels, scores = table.split(idx)
        return labels, scores, None
    if ext in _PARQUET_EXT:
        return _parquet_pair(path, label_column, notes)
    if ext == ".npy":
        raise InputError(f"{path}: a .npy file holds one array; expected labels and scores. Pass two "
                         "files (headcheck report labels.npy scores.npy) or one .npz with both.")
    raise _unknown_format(path, ext)


def _load_npz_pair(path: str, labels_key: str | None, scores_key: str | None, notes: list[str]
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
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
        w = _npz_get(z, wk, path, "weights") if wk else None
        if wk:
            notes.append(f"{path}: sample weights from {wk!r}")
        return _npz_get(z, lk, path, "labels"), _npz_get(z, sk, path, "scores"), w


# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CsvTable:
    """A CSV file as columns of strings parsed in batches; `header` is None when there was none."""

    path: str
    header: tuple[str, ...] | None
    columns: tuple[np.ndarray, ...]  # one array of str per column

    @property
    def width(self) -> int:
        return len(self.columns)

    def name(self, i: int) -> str:
        return repr(self.header[i]) if self.header else f"{i} (0-based)"

    def label_index(self, label_column: str | None) -> int:
        if label_column is None:
            return 0
        if self.header and label_column in self.header:
            return self.header.index(label_column)
        if label_column.lstrip("-").isdigit():
            i = int(label_column)
            if -self.width <= i < self.width:
                return i % self.width
        raise InputError(f"{self.path}: no column {label_column!r}; columns: "
                         f"{list(self.header) if self.header else f'0..{self.width - 1} (no header)'}. "
                         "Pass --label-column with a column name or a 0-based index.")

    def split(self, idx: int) -> tuple[np.ndarray, np.ndarray]:
        if self.width < 2:
            raise InputError(f"{self.path}: has one column; expected a labels column and score "
                             "column(s). Pass a scores file as a second argument.")
        labels = _parse_labels(self.columns[idx])
        rest = [c for i, c in enumerate(self.columns) if i != idx]
        scores = _parse_floats(rest, self.path, [i for i in range(self.width) if i != idx], self.header)
        return labels, (scores[:, 0] if scores.shape[1] == 1 else scores)

    def columns_array(self) -> np.ndarray:
        if self.width == 1:
            return _parse_labels(self.columns[0])[:, None]
        return _parse_floats(list(self.columns), self.path, list(range(self.width)), self.header)


def _is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


def read_csv(path: str, *, label_column: str | None = None, batch_rows: int = 65_536) -> CsvTable:
    """Stream a CSV in batches of rows into columns; a ragged row is an InputError naming its line."""
    delim = "\t" if path.lower().endswith(".tsv") else ","
    try:
        f = open(path, newline="", encoding="utf-8")
    except OSError as e:
        raise InputError(f"{path}: cannot be opened ({e}). Check the path and its permissions.") from e
    with f:
        reader = csv.reader(f, delimiter=delim)
        try:
            first = next(reader, None)
            second = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as e:
            raise InputError(f"{path}: is not a readable text CSV ({e}).") from e
        if first is None:
            raise InputError(f"{path}: is empty; expected a CSV with a labels column and score columns.")
        header = _detect_header(first, second, label_column)
        rows: list[list[str]] = [] if header else [first]
        if second is not None:
            rows.append(second)
        width = len(first)
        batches: list[np.ndarray] = []
        line0 = 1
        try:
            for row in reader:
                rows.append(row)
                if len(rows) >= batch_rows:
                    batches.append(_batch(rows, width, path, line0 + (1 if header else 0)))
                    line0 += len(rows)
                    rows = []
        except (csv.Error, UnicodeDecodeError) as e:
            raise InputError(f"{path}: line {reader.line_num}: cannot be parsed as CSV ({e}).") from e
        if rows:
            batches.append(_batch(rows, width, path, line0 + (1 if header else 0)))
    if not batches:
        raise InputError(f"{path}: has a header but no data rows; expected at least one sample.")
    data = np.concatenate(batches) if len(batches) > 1 else batches[0]
    return CsvTable(path, tuple(first) if header else None, tuple(data[:, i] for i in range(width)))


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


def _batch(rows: list[list[str]], width: int, path: str, first_line: int) -> np.ndarray:
    for i, row in enumerate(rows):
        if len(row) != width:
            raise InputError(
                f"{path}: line {first_line + i} has {len(row)} field(s) but the first row has {width}; "
                "every row must have the same columns (a labels column and one column per class). "
                "Fix or drop that line."
            )
    return np.array(rows, dtype=str)


def _parse_floats(cols: list[np.ndarray], path: str, indices: list[int],
                  header: tuple[str, ...] | None) -> np.ndarray:
    block = np.stack(cols, axis=1)
    try:
        return block.astype(np.float64)
    except ValueError:
        for j, col in enumerate(cols):
            bad = [i for i, v in enumerate(col) if not _is_number(v)]
            if bad:
                line = bad[0] + 1 + (1 if header else 0)
                raise InputError(
                    f"{path}: line {line}, column {indices[j]}: expected a number for the scores; got "
                    f"{col[bad[0]]!r}. Score columns must hold numbers only (empty cells are not "
                    "allowed); pass --label-column if the labels are not the first column."
                ) from None
        raise


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
# Parquet (optional extra)
# ---------------------------------------------------------------------------------------------
def read_parquet(path: str) -> list[tuple[str, np.ndarray]]:
    """(name, array) per column; list columns become 2-D arrays."""
    try:
        import pyarrow.parquet as pq
    except ImportError as e:
        raise InputError(f"{path}: reading .parquet needs pyarrow, which is not installed. Install "
                         "it with: pip install headcheck[parquet]") from e
    try:
        table = pq.read_table(path)
    except Exception as e:  # pyarrow raises its own ArrowInvalid/OSError family
        raise InputError(f"{path}: cannot be read as parquet ({e}).") from e
    if table.num_rows == 0:
        raise InputError(f"{path}: has no rows; expected at least one sample.")
    out = []
    for name in table.column_names:
        col = table.column(name)
        try:
            arr = col.to_numpy()
        except Exception as e:
            raise InputError(f"{path}: column {name!r} cannot be converted to an array ({e}).") from e
        if arr.dtype == object:
            first = arr[0]
            if isinstance(first, np.ndarray):
                arr = np.stack(list(arr))
            elif isinstance(first, str):
                arr = arr.astype(str)
            else:
                raise InputError(f"{path}: column {name!r} holds {type(first).__name__} values; "
                                 "expected numbers, strings or fixed-length lists of numbers.")
        out.append((name, arr))
    return out


def _stack_columns(arrays: list[np.ndarray], path: str) -> np.ndarray:
    if len(arrays) == 1:
        return arrays[0]
    parts = [a[:, None] if a.ndim == 1 else a for a in arrays]
    if any(p.dtype.kind not in "biuf" for p in parts):
        raise InputError(f"{path}: several columns must all be numeric to form scores.")
    return np.concatenate(parts, axis=1)


def _parquet_pair(path: str, label_column: str | None, notes: list[str]
                  ) -> tuple[np.ndarray, np.ndarray, None]:
    cols = read_parquet(path)
    names = [n for n, _ in cols]
    if len(cols) < 2:
        raise InputError(f"{path}: has one column {names}; expected a labels column and score "
                         "column(s). Pass a scores file as a second argument.")
    if label_column is None:
        idx = 0
    elif label_column in names:
        idx = names.index(label_column)
    elif label_column.lstrip("-").isdigit() and -len(names) <= int(label_column) < len(names):
        idx = int(label_column) % len(names)
    else:
        raise InputError(f"{path}: no column {label_column!r}; columns: {names}. Pass --label-column.")
    rest = [a for i, (_, a) in enumerate(cols) if i != idx]
    notes.append(f"labels: column {names[idx]!r}; scores: {[n for i, n in enumerate(names) if i != idx]}")
    scores = _stack_columns(rest, path)
    return cols[idx][1], scores, None


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
