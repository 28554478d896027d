"""`.parquet` (needs pyarrow: `pip install headcheck[parquet]`), read in row batches; a list column
holds a whole row of scores."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from headcheck.errors import EmptyInput, InputError
from headcheck.io._columns import label_index
from headcheck.io._registry import Format, Pair, ReadContext, Request
from headcheck.io._spool import Sink

EXTENSIONS = (".parquet", ".pq")
BATCH_ROWS = 65_536


def read_array(path: str, *, role: str = "array", key: str | None = None,
               ctx: ReadContext | None = None) -> np.ndarray:
    """Every column of a parquet file: the one column (labels or scores), or the columns stacked
    (scores)."""
    return _read_parquet(path, None, with_labels=False, ctx=ctx or ReadContext())[3]


def read_pair(path: str, request: Request, ctx: ReadContext) -> Pair:
    """The labels column (--label-column, default the first) and the other columns as scores."""
    names, idx, labels, scores = _read_parquet(path, request.label_column, with_labels=True, ctx=ctx)
    assert idx is not None and labels is not None
    ctx.note(f"labels: column {names[idx]!r}; scores: {[n for i, n in enumerate(names) if i != idx]}")
    return Pair(labels, scores)


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


def column_numpy(col: Any, name: str, path: str) -> np.ndarray:
    """One column of a record batch as an array: numbers, strings, or (n, K) from a list column."""
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


def _read_parquet(path: str, label_column: str | None, *, with_labels: bool, ctx: ReadContext,
                  batch_rows: int | None = None
                  ) -> tuple[list[str], int | None, np.ndarray | None, np.ndarray]:
    """(column names, label index, labels, scores): batches of rows, the scores (every column but
    the labels, stacked) written to a sink."""
    with _parquet_file(path) as pf:
        names = list(pf.schema_arrow.names)
        idx = label_index(path, tuple(names), len(names), label_column) if with_labels else None
        n = pf.metadata.num_rows
        if n == 0:
            raise EmptyInput(f"{path}: has no rows; expected at least one sample.")
        labels: list[np.ndarray] = []
        sink = Sink(path, "scores", ctx.spool)
        advance = ctx.bar(n, path)
        try:
            for batch in _batches(pf, path, batch_rows or BATCH_ROWS):
                cols = [column_numpy(batch.column(j), names[j], path) for j in range(len(names))]
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


FORMAT = Format(name="parquet", extensions=EXTENSIONS, read_array=read_array, read_pair=read_pair)
