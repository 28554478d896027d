"""The entry points: labels and scores (and weights) from one file or two, whatever the format."""
from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from headcheck.errors import InputError
from headcheck.io._registry import ReadContext, Request, describe, format_for
from headcheck.io._spool import Spool


@dataclass(frozen=True)
class Inputs:
    """Arrays read from files (memory-mapped where the format allows) and how they were found."""

    y_true: np.ndarray
    y_score: np.ndarray
    sample_weight: np.ndarray | None
    source: str
    notes: tuple[str, ...] = ()


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
    ctx = ReadContext(spool, progress)
    for path in [*paths, *([] if weights is None else [str(weights)])]:
        format_for(path)  # every path checked before any is opened
    if len(paths) == 1:
        fmt = format_for(paths[0])
        if fmt.read_pair is None:
            raise InputError(
                f"{paths[0]}: a {fmt.extensions[0]} file holds one array; expected labels and scores. "
                f"Pass two files (headcheck report labels{fmt.extensions[0]} scores{fmt.extensions[0]}) "
                f"or one {describe(pair_only=True)} file holding both.")
        with _warnings_as_notes(paths[0], ctx):
            pair = fmt.read_pair(paths[0], Request(labels_key, scores_key, label_column), ctx)
        y_true, y_score, w, source = pair.y_true, pair.y_score, pair.sample_weight, paths[0]
    else:
        y_true = _read(paths[0], key=labels_key, role="labels", ctx=ctx)
        y_score = _read(paths[1], key=scores_key, role="scores", ctx=ctx)
        w, source = None, f"{paths[0]} + {paths[1]}"
    if weights is not None:
        w = _read(str(weights), key=None, role="weights", ctx=ctx)
    return Inputs(y_true, y_score, w, source, tuple(ctx.notes))


def load_array(path: str, *, key: str | None = None, role: str = "array",
               notes: list[str] | None = None, spool: Spool | None = None,
               progress: bool = False) -> np.ndarray:
    """One array from a file: a .npy, one array of a .npz, or every column of a csv/parquet file.
    How it was found is appended to `notes` when given."""
    ctx = ReadContext(spool, progress, notes if notes is not None else [])
    return _read(str(path), key=key, role=role, ctx=ctx)


def _read(path: str, *, key: str | None, role: str, ctx: ReadContext) -> np.ndarray:
    fmt = format_for(path)
    with _warnings_as_notes(path, ctx):
        return fmt.read_array(path, role=role, key=key, ctx=ctx)


@contextmanager
def _warnings_as_notes(path: str, ctx: ReadContext) -> Iterator[None]:
    """Warnings raised while reading (numpy's, pyarrow's) become notes of the report instead of
    lines on stderr; a read that fails reports its InputError only."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for message in dict.fromkeys(str(w.message) for w in caught):
        ctx.note(f"{path}: while reading: {message}")
