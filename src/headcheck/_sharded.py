"""Reports over parts that live apart: shards on disk or behind URLs, Dask arrays and DataFrames.

One flow for every such source (`report_source`): open the first part with rows and infer the
task from it (as `report()` infers from the first rows of an array); when the classes come from
label values (class names, or integer predictions of one column), first scan every part's labels
so the class list is complete; then one pass (`headcheck.engine.pipeline.run_pass`, with its
retries when a later part contradicts the score kind) on an executor, each part folded into its
own state by the worker that reads it, the states merged in the pass's fixed tree. The result is
the same to the last bit on the thread executor and on Dask, with any number of workers (see
`headcheck.engine.executors`).

>>> # report_shards(["preds/*.parquet"], executor="dask")            # a local cluster
>>> # report_shards(["preds/"], executor="dask", scheduler="tcp://10.0.0.5:8786")
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from headcheck.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from headcheck._report import Report
    from headcheck.engine.executors import Executor

EXECUTORS = ("threads", "dask")


# --- choosing an executor --------------------------------------------------------------------

@contextmanager
def executor_for(executor: str | Executor | None = None, scheduler: str | None = None,
                 workers: int | None = None, *, dask_default: bool = False) -> Iterator[Executor]:
    """The executor a sharded report runs on, closed afterwards if made here.

    `executor`: 'threads' (this process, `workers` threads, default 2), 'dask' (the cluster at
    `scheduler`, else a local cluster of `workers` processes) or an executor object. None:
    'dask' when a scheduler is given or (with `dask_default`, for Dask collections) when a
    distributed client is active in this process, else 'threads'."""
    from headcheck.engine.executors import ThreadExecutor

    if executor is not None and not isinstance(executor, str):
        yield executor
        return
    if executor is not None and executor not in EXECUTORS:
        raise InputError(f"executor: expected one of {', '.join(EXECUTORS)}; got {executor!r}.")
    if executor is None:
        executor = "dask" if scheduler or (dask_default and _active_client()) else "threads"
    if executor == "threads":
        if scheduler:
            raise InputError("--scheduler names a Dask scheduler; it needs --executor dask (or "
                             "leave --executor out).")
        yield ThreadExecutor(workers or 2)
        return
    from headcheck.engine.dask_executor import DaskExecutor

    with DaskExecutor(address=scheduler, n_workers=workers) as ex:
        yield ex


def _active_client() -> bool:
    import sys

    if "distributed" not in sys.modules:  # no client can exist without it
        return False
    from distributed import default_client

    try:
        default_client()
    except ValueError:
        return False
    return True


# --- the label scan ---------------------------------------------------------------------------

@dataclass
class LabelSummary:
    """What a scan of every part's labels (and one-column predictions) found: class names, the
    largest class index. Mergeable like a state."""

    n_rows: int = 0
    label_names: frozenset = field(default_factory=frozenset)
    score_names: frozenset = field(default_factory=frozenset)
    label_max: float = -math.inf
    score_max: float = -math.inf

    def merge(self, other: LabelSummary) -> LabelSummary:
        return LabelSummary(self.n_rows + other.n_rows, self.label_names | other.label_names,
                            self.score_names | other.score_names,
                            max(self.label_max, other.label_max),
                            max(self.score_max, other.score_max))

    @classmethod
    def of(cls, y: np.ndarray, s: np.ndarray) -> LabelSummary:
        out = cls(n_rows=len(y))
        if y.ndim == 1 and y.dtype.kind in "US":
            out.label_names = frozenset(np.unique(y).tolist())
        elif y.ndim == 1 and y.dtype.kind in "biuf" and len(y):
            out.label_max = float(np.max(y))
        if s.ndim == 1 and s.dtype.kind in "US":
            out.score_names = frozenset(np.unique(s).tolist())
        elif s.ndim == 1 and s.dtype.kind in "biu" and len(s):
            out.score_max = float(np.max(s))
        return out


@dataclass(frozen=True)
class LabelScan:
    """A 'plan' whose leaves are `LabelSummary`s: runs on any executor like a pass."""

    def new_state(self) -> LabelSummary:
        return LabelSummary()

    def fold_leaf(self, part: Any, counted: Callable[[int], None] | None = None) -> LabelSummary:
        from headcheck.engine.pipeline import named_errors

        with named_errors(part), part.open() as inputs:
            if inputs is None:
                return LabelSummary()
            out = LabelSummary.of(np.asarray(inputs.y_true), np.asarray(inputs.y_score))
        if counted is not None:
            counted(out.n_rows)
        return out


def needs_scan(y: np.ndarray, s: np.ndarray) -> bool:
    """Whether the classes come from label values rather than score columns: class names, or
    one column of predicted class indices; then the first part cannot tell them all."""
    names = y.ndim == 1 and y.dtype.kind in "US"
    predictions = s.ndim == 1 and s.dtype.kind in "biuUS" and y.ndim != 2
    return names or predictions


def with_every_class(y: np.ndarray, s: np.ndarray, summary: LabelSummary,
                     sample_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """The first part's first rows plus one row per class (or larger index) that only later parts
    hold: what task inference reads so that its class list covers every part. These rows feed
    inference only, never a metric."""
    m = min(len(y), max(1, sample_rows))
    ys, ss = list(np.asarray(y[:m])), list(np.asarray(s[:m]))
    if y.dtype.kind in "US":
        for c in sorted(summary.label_names - set(np.unique(y[:m]).tolist())):
            ys.append(c)
            ss.append(c if s.dtype.kind in "US" else ss[0])
    elif summary.label_max > float(np.max(y[:m])):
        ys.append(type(ys[0])(summary.label_max))
        ss.append(ss[0])
    if s.dtype.kind in "US":
        for c in sorted(summary.score_names - set(np.unique(s[:m]).tolist())):
            ys.append(ys[0])
            ss.append(c)
    elif s.ndim == 1 and s.dtype.kind in "biu" and summary.score_max > float(np.max(s[:m])):
        ys.append(ys[0])
        ss.append(type(ss[0])(summary.score_max))
    return np.asarray(ys), np.asarray(ss)


# --- the flow ---------------------------------------------------------------------------------

def report_source(source: Any, executor: Executor, *, task: str | None = None,
                  threshold: float | None = None, score_kind: str | None = None,
                  top_k: int | Sequence[int] | None = None, progress: bool = False,
                  sample_rows: int | None = None, chunk_rows: int | None = None,
                  description: str | None = None, notes: Sequence[str] = (),
                  classes: Any = None, label_offset: int | None = None,
                  auc: bool = True, ci: float | bool | None = None, replicates: int = 200,
                  seed: int = 0) -> Report:
    """The report of a source of tree parts (`ShardParts`, Dask parts): infer from the first part
    with rows (after a label scan when needed), one pass on `executor`, assemble. `ci`: bootstrap
    intervals as in `report` (each part's rows keyed by part and row when they are numbered
    within it, globally otherwise: `engine.bootstrap.groups`)."""
    from headcheck._report import _assemble, with_intervals
    from headcheck.engine.bootstrap import requested
    from headcheck.engine.pipeline import run_pass
    from headcheck.gate import infer_task
    from headcheck.gate.labels import sample_rows_for
    from headcheck.gate.options import check_options, check_top_k, parse_top_k
    from headcheck.io import default_chunk_rows

    check_options(task=task, threshold=threshold, score_kind=score_kind)
    top_k = parse_top_k(top_k)
    level, reps = requested(ci, replicates, seed)
    bars = _Bars(progress)
    try:
        with source.first() as (_, first):
            y, s = first.y_true, first.y_score
            found = tuple(first.notes)
            # the gate's byte budget, not a row count: wide outputs sample a few rows
            rows = int(sample_rows) if sample_rows is not None else sample_rows_for(
                np.asarray(s[:1]), np.asarray(y[:1]) if np.ndim(y) == 2 else None)
            if needs_scan(y, s):
                summary = executor.run(LabelScan(), source, bars.factory("scanning labels"))
                y, s = with_every_class(y, s, summary, rows)
            profile = infer_task(y, s, task=task, threshold=threshold,  # type: ignore[arg-type]
                                 score_kind=score_kind, sample_rows=rows, classes=classes,
                                 label_offset=label_offset)
            chunk = int(chunk_rows) if chunk_rows else default_chunk_rows(np.asarray(s[:1]))
        done = run_pass(profile, source.with_chunk_rows(chunk), top_k=check_top_k(profile, top_k),
                        executor=executor, progress=bars.factory("headcheck report"), auc=auc,
                        replicates=reps)
    finally:
        bars.close()
    profile = replace(done.profile, n_samples=done.state.n_rows)
    info = (f"read as {len(source)} {source.unit}(s), each folded into a state of its own, the "
            "states merged in a fixed tree: the same result, to the last bit, on any executor "
            "and number of workers",)
    res = done.result()
    rep = _assemble(profile, res, description or source.describe(),
                    tuple(notes) + found + info + tuple(res.notes))
    return with_intervals(rep, done.state, level)


class _Bars:
    """Progress bars of a sharded pass (rows done; the total is unknown until every part is
    read), drawn on a terminal only and closed at the end even on error."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.open: list[Any] = []

    def factory(self, text: str) -> Callable[[Any], Any] | None:
        if not self.enabled:
            return None

        def make(total: Any) -> Any:
            from headcheck.io import progress_callback

            bar = progress_callback(total, text)
            if bar is not None:
                self.open.append(bar)
            return bar

        return make

    def close(self) -> None:
        for bar in self.open:
            getattr(bar, "close", lambda: None)()
        self.open.clear()


def report_shards(paths: Sequence[str], *, executor: str | Executor | None = None,
                  scheduler: str | None = None, workers: int | None = None,
                  labels_key: str | None = None, scores_key: str | None = None,
                  label_column: str | None = None, weights: str | None = None,
                  tmp_dir: str | None = None, **kwargs: Any) -> Report:
    """`report()` over shards: `[spec]` (each shard holds labels and scores: npz, csv, parquet),
    `[label_spec, score_spec]` (paired in order) or several files; a spec is a glob, a directory
    or a URL (`headcheck.io.shards`). `executor`: 'threads' (default), 'dask' (a local cluster,
    or the scheduler at `scheduler`) or an executor object; `workers` sizes a local one.

    >>> # report_shards(["preds/*.parquet"]).metrics["accuracy"]
    """
    from headcheck.io.shards import shard_parts

    source = shard_parts(paths, weights=weights, labels_key=labels_key, scores_key=scores_key,
                         label_column=label_column, tmp_dir=tmp_dir)
    with executor_for(executor, scheduler, workers) as ex:
        return report_source(source, ex, **kwargs)


def report_dask(y_true: Any, y_score: Any, *, sample_weight: Any = None,
                executor: str | Executor | None = None, scheduler: str | None = None,
                workers: int | None = None, **kwargs: Any) -> Report:
    """`report()` of Dask arrays (or Series): one part per block of rows, folded where it is
    computed. The executor: the distributed client active in this process when there is one,
    else threads here (see `executor_for`)."""
    from headcheck.io.dask_parts import array_parts

    source = array_parts(y_true, y_score, sample_weight)
    with executor_for(executor, scheduler, workers, dask_default=True) as ex:
        return report_source(source, ex, **kwargs)


def report_frame(df: Any, label: str, scores: Sequence[str] | str | None = None, *,
                 weights: str | None = None, executor: str | Executor | None = None,
                 scheduler: str | None = None, workers: int | None = None,
                 **kwargs: Any) -> Report:
    """`report()` of a DataFrame's columns: `label` names the labels, `scores` the score
    column(s) (default: every other column but `weights`; one column may hold a list of K scores
    per row), `weights` the sample weights. A Dask DataFrame is read one partition per part, on
    the active distributed client if there is one (or `executor=`), each partition folded where
    it is computed; a pandas DataFrame is read as arrays. Other options as in `report()`.

    >>> import pandas as pd  # doctest: +SKIP
    >>> df = pd.DataFrame({"y": [0, 1, 1], "p": [0.2, 0.9, 0.4]})  # doctest: +SKIP
    >>> report_frame(df, label="y", scores=["p"]).metrics["accuracy"]  # doctest: +SKIP
    0.6666666666666666
    """
    from headcheck.io.dask_parts import Columns, _score_columns, frame_parts, is_dask

    if not hasattr(df, "columns"):
        raise InputError(f"report_frame: expected a pandas or Dask DataFrame; got "
                         f"{type(df).__name__}. Use headcheck.report(labels, scores) for arrays.")
    if not is_dask(df):
        from headcheck._report import report

        cols = [str(c) for c in df.columns]
        columns = Columns(str(label), _score_columns(cols, label, scores, weights), weights)
        y, s, w = columns.arrays(df)
        return report(y, s, sample_weight=w, **kwargs)
    source = frame_parts(df, label, scores, weights)
    with executor_for(executor, scheduler, workers, dask_default=True) as ex:
        return report_source(source, ex, **kwargs)
