"""Dask arrays and DataFrames as parts of a pass: one part per block (rows) or partition.

A part holds the Dask objects (delayed) of its block: the Dask executor makes them inputs of the
task that folds the part, so the block is computed on the worker that folds it and freed once
folded; the thread executor computes each block in its worker thread (Dask's synchronous
scheduler). Blocks of an array whose row chunks are known number their rows globally, as
`report()` does; partitions of a DataFrame (and blocks of unknown size) number rows within
themselves, and errors name them ('partition 3 of 40').

Nothing here imports dask at module level: the objects given are Dask collections already.
"""
from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from headcheck.errors import InputError, describe_array
from headcheck.io._load import Inputs
from headcheck.io.shards import checked_inputs, raw_chunks


def is_dask(x: object) -> bool:
    """A Dask collection (array, DataFrame, Series, delayed): it has a task graph."""
    return callable(getattr(x, "__dask_graph__", None))


@dataclass(frozen=True)
class Columns:
    """Which DataFrame columns are the labels, the scores and the weights."""

    label: str
    scores: tuple[str, ...]
    weights: str | None = None

    def arrays(self, df: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        y = df[self.label].to_numpy()
        s = df[list(self.scores)].to_numpy()
        if len(self.scores) == 1:
            s = s[:, 0]
            if s.dtype == object and len(s) and isinstance(s[0], (list, tuple, np.ndarray)):
                s = np.stack([np.asarray(v) for v in s])  # a list column: one row of K scores
        if y.dtype == object:  # pandas strings: numpy strings
            y = _strings(y, "labels")
        if s.dtype == object:
            s = _strings(s, "scores")
        w = None if self.weights is None else df[self.weights].to_numpy(dtype=np.float64)
        return y, s, w


def _strings(a: np.ndarray, what: str) -> np.ndarray:
    if all(isinstance(v, str) for v in a):
        return a.astype(str)
    raise InputError(f"{what}: the column holds {sorted({type(v).__name__ for v in a[:100]})} "
                     "values; expected numbers or strings (class names).")


@dataclass(frozen=True, eq=False)  # holds Dask objects: compared by identity
class DaskPart:
    """Block or partition `index` of `count`: its Dask inputs (labels, scores, weights blocks,
    or one DataFrame partition with `columns`), computed where the part is folded."""

    index: int
    count: int
    inputs: tuple[Any, ...]
    unit: str = "block"
    start: int | None = None  # global row of the first row, when the chunks are known
    columns: Columns | None = None
    chunk_rows: int | None = None

    @property
    def where(self) -> str | None:
        """None when rows are numbered globally (messages need no part name)."""
        return None if self.start is not None else f"{self.unit} {self.index + 1} of {self.count}"

    def dask_inputs(self) -> tuple[Any, ...]:
        return self.inputs

    def unbound(self) -> DaskPart:
        """This part without its Dask inputs (which travel as the fold task's dependencies)."""
        return replace(self, inputs=())

    def bind(self, *computed: Any) -> BoundPart:
        """This part with its inputs computed (numpy blocks, or a pandas partition)."""
        if self.columns is not None:
            y, s, w = self.columns.arrays(computed[0])
        else:
            y, s = computed[0], computed[1]
            w = computed[2] if len(computed) > 2 else None
        return BoundPart(self, np.asarray(y), np.asarray(s), None if w is None else np.asarray(w))

    @contextmanager
    def open(self) -> Iterator[Inputs | None]:
        import dask

        computed = dask.compute(*self.inputs, scheduler="sync")
        with self.bind(*computed).open() as inputs:
            yield inputs

    def chunks(self) -> Iterator[Any]:
        with self.open() as inputs:
            if inputs is not None:
                yield from raw_chunks(inputs, self.chunk_rows, self.start or 0)

    def release(self) -> None:
        """Nothing is held between folds."""


@dataclass(frozen=True, eq=False)
class BoundPart:
    """A Dask part with its block computed: what a worker folds."""

    part: DaskPart
    y_true: np.ndarray
    y_score: np.ndarray
    sample_weight: np.ndarray | None

    @property
    def where(self) -> str | None:
        return self.part.where

    @contextmanager
    def open(self) -> Iterator[Inputs | None]:
        yield checked_inputs(self.y_true, self.y_score, self.sample_weight,
                             self.where or f"{self.part.unit} {self.part.index + 1}")

    def chunks(self) -> Iterator[Any]:
        with self.open() as inputs:
            if inputs is not None:
                yield from raw_chunks(inputs, self.part.chunk_rows, self.part.start or 0)

    def release(self) -> None:
        pass


@dataclass(frozen=True, eq=False)
class DaskParts:
    """The parts of Dask inputs, iterable again for each attempt; `tree = True` (one state per
    part, merged in the pass's fixed tree)."""

    parts: tuple[DaskPart, ...]
    unit: str = "block"
    tree = True
    n_rows: int | None = None

    def __len__(self) -> int:
        return len(self.parts)

    def __iter__(self) -> Iterator[DaskPart]:
        return iter(self.parts)

    def describe(self) -> str:
        rows = "" if self.n_rows is None else f", {self.n_rows} rows"
        what = "DataFrame" if self.unit == "partition" else "arrays"
        return f"Dask {what}: {len(self)} {self.unit}(s){rows}"

    @contextmanager
    def first(self) -> Iterator[tuple[DaskPart, Inputs]]:
        """The first part with rows, computed here (task inference reads it)."""
        for part in self.parts:
            with part.open() as inputs:
                if inputs is not None:
                    yield part, inputs
                    return
        raise InputError(f"{self.describe()}: every {self.unit} is empty; expected at least one row.")

    def with_chunk_rows(self, rows: int) -> DaskParts:
        return DaskParts(tuple(replace(p, chunk_rows=int(rows)) for p in self.parts), self.unit,
                         self.n_rows)


def array_parts(y_true: Any, y_score: Any, sample_weight: Any = None) -> DaskParts:
    """Parts of Dask (or numpy) arrays: one per block of rows of the scores (labels and weights
    are cut the same way; the scores are made one chunk wide)."""
    s = _as_dask_array(y_score, "scores", None)
    if s.ndim == 2 and s.numblocks[1] != 1:
        s = s.rechunk({1: -1})
    rows = s.chunks[0]
    y = _as_dask_array(y_true, "labels", rows)
    w = None if sample_weight is None else _as_dask_array(sample_weight, "sample_weight", rows)
    if y.ndim == 2 and y.numblocks[1] != 1:
        y = y.rechunk({1: -1})
    known = not any(math.isnan(c) for c in rows)
    if known:
        if y.shape[0] != s.shape[0]:
            raise InputError(f"labels and scores must have one row per sample; got {y.shape[0]} "
                             f"labels and {s.shape[0]} score rows.")
        y = y.rechunk({0: rows})
        w = None if w is None else w.rechunk({0: rows})
    elif y.numblocks[0] != s.numblocks[0] or (w is not None and w.numblocks[0] != s.numblocks[0]):
        raise InputError(f"labels and scores are Dask arrays of unknown chunk sizes with "
                         f"{y.numblocks[0]} and {s.numblocks[0]} blocks; they must come in the same "
                         "blocks. Call .compute_chunk_sizes() on both, or build both from one "
                         "DataFrame.")
    ys, ss = y.to_delayed().ravel(), s.to_delayed().ravel()
    ws = None if w is None else w.to_delayed().ravel()
    starts = np.concatenate([[0], np.cumsum(rows)[:-1]]).astype(int).tolist() if known else None
    n = len(ss)
    parts = tuple(DaskPart(i, n, (ys[i], ss[i]) + (() if ws is None else (ws[i],)), "block",
                           None if starts is None else starts[i]) for i in range(n))
    return DaskParts(parts, "block", int(s.shape[0]) if known else None)


def _as_dask_array(x: Any, what: str, rows: Any) -> Any:
    import dask.array as da

    if hasattr(x, "to_dask_array"):  # a Dask Series / DataFrame
        x = x.to_dask_array()
    if not isinstance(x, da.Array):
        a = np.asarray(x)
        known = rows is not None and not any(math.isnan(c) for c in rows)
        x = da.from_array(a, chunks=(rows,) + a.shape[1:] if known else "auto")
    if x.ndim not in (1, 2):
        raise InputError(f"{what}: expected an array of shape (N,) or (N, K); got a {x.ndim}-D "
                         f"{describe_array(x)}.")
    return x


def frame_parts(df: Any, label: str, scores: Sequence[str] | str | None = None,
                weights: str | None = None) -> DaskParts:
    """Parts of a Dask DataFrame: one per partition; `label` names the labels column, `scores`
    the score columns (default: every other column but `weights`)."""
    cols = [str(c) for c in df.columns]
    score_cols = _score_columns(cols, label, scores, weights)
    columns = Columns(str(label), score_cols, weights)
    delayed = df.to_delayed()
    n = len(delayed)
    return DaskParts(tuple(DaskPart(i, n, (d,), "partition", None, columns)
                           for i, d in enumerate(delayed)), "partition")


def _score_columns(cols: list[str], label: str, scores: Sequence[str] | str | None,
                   weights: str | None) -> tuple[str, ...]:
    wanted = [label] + ([weights] if weights else [])
    if isinstance(scores, str):
        scores = [scores]
    if scores is None:
        scores = [c for c in cols if c not in wanted]
    missing = [c for c in wanted + list(scores) if c not in cols]
    if missing:
        raise InputError(f"DataFrame: no column(s) {missing}; it has {cols[:20]}. Pass label=, "
                         "scores=[...] (and weights=) with its column names.")
    if not scores:
        raise InputError(f"DataFrame: no score columns besides the labels {label!r}; pass "
                         "scores=[...] naming them.")
    return tuple(str(c) for c in scores)
