"""The pass: raw chunks -> gate (canonical chunk) -> kernel (state update) -> verify -> retry.

`run_pass` is the one function that runs a pass over data; `report()`, the benchmarks and
anything else that measures a whole data set call it. `Feed` is the same gate and kernel fed one
batch at a time, for training callbacks that see the data only once.

Three seams:

- **parts** (`Part`): what the data is made of. `array_parts` slices in-process arrays
  (memory-mapped or not) into chunks; a sharded source yields one part per shard, opened by the
  worker that folds it. A part knows the global row number of its first row, so rows with
  non-finite scores are reported by their index in the whole data.
- **executor** (`headcheck.engine.executors`): where parts are folded and how states merge.
- **kernel** (`headcheck.engine.kernels`): how a canonical chunk becomes statistics.

`Plan` carries what every worker needs (profile, options, kernel name): it is a frozen,
picklable dataclass, so it can travel to another process with the parts.

>>> import numpy as np
>>> from headcheck.gate import infer_task
>>> y, s = np.array([0, 2, 1, 2]), np.array([[.7, .2, .1], [.1, .2, .7], [.2, .5, .3], [.3, .3, .4]])
>>> done = run_pass(infer_task(y, s), array_parts(y, s, chunk_rows=2))
>>> done.profile.kind, done.result().metrics["accuracy"]
('multiclass', 1.0)
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from headcheck.engine._run import new_state
from headcheck.engine.kernels import Kernel, get_kernel
from headcheck.errors import InputError
from headcheck.gate import (
    ScoreKindMismatch,
    as_input_array,
    canonical_chunk,
    correct_score_kind,
    infer_task,
    nonfinite_error,
    verify_score_range,
)
from headcheck.io import check_weights, default_chunk_rows, release_rows

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.engine._result import EngineResult
    from headcheck.engine.bootstrap import Replicates
    from headcheck.engine._state import State
    from headcheck.engine.executors import Executor
    from headcheck.task import TaskProfile

# progress: given the total rows of a pass (None when unknown), a callback taking the rows done
# (or None for no progress display); called again for each attempt of a pass.
ProgressFactory = Callable[[Any], "Callable[[int], None] | None"]
# A pass is re-run at most this often (score kinds only move forward: hard -> probabilities ->
# logits, so two corrections are the most there can be).
MAX_ATTEMPTS = 3


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class RawChunk:
    """Rows `start`.. of the labels, scores and weights, as given (not yet canonical)."""

    y_true: Any
    y_score: Any
    sample_weight: Any = None
    start: int = 0

    def __len__(self) -> int:
        return len(self.y_true)


class Part(Protocol):
    """A unit of work an executor hands to one worker.

    Parts of a tree-reduced pass (shards, Dask partitions) may also say `where` they are
    ('shard 3 of 12') and `name` their file, for messages: their rows are numbered within them.
    """

    def chunks(self) -> Iterator[RawChunk]:
        """The part's raw chunks, in row order."""
        ...

    def release(self) -> None:
        """Called once the part is folded: let go of what it holds (memory-mapped pages)."""
        ...


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class ArrayPart:
    """Rows [start, stop) of in-process arrays; `release` drops their memory-mapped pages."""

    arrays: tuple[Any, Any, Any]  # labels, scores, weights (or None)
    start: int
    stop: int

    def chunks(self) -> Iterator[RawChunk]:
        y, s, w = self.arrays
        a, b = self.start, self.stop
        yield RawChunk(y[a:b], s[a:b], None if w is None else w[a:b], a)

    def release(self) -> None:
        for arr in self.arrays:
            if arr is not None:
                release_rows(arr, self.start, self.stop)


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class ChunkPart:
    """One chunk already in memory (`engine.accumulate`): nothing to release."""

    chunk: RawChunk

    def chunks(self) -> Iterator[RawChunk]:
        yield self.chunk

    def release(self) -> None:
        pass


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class ArrayParts:
    """In-process arrays cut into `chunk_rows`-row parts; iterable again for each attempt."""

    y_true: Any
    y_score: Any
    sample_weight: Any
    chunk_rows: int

    @property
    def n_rows(self) -> int:
        return len(self.y_true)

    def __iter__(self) -> Iterator[ArrayPart]:
        arrays = (self.y_true, self.y_score, self.sample_weight)
        n, rows = self.n_rows, self.chunk_rows
        for start in range(0, n, rows):
            yield ArrayPart(arrays, start, min(n, start + rows))


def array_parts(y_true: Any, y_score: Any, sample_weight: Any = None,
                chunk_rows: int | None = None) -> ArrayParts:
    """Parts of in-process arrays (default chunk size: about 32 MiB of scores)."""
    rows = int(chunk_rows) if chunk_rows else default_chunk_rows(np.asarray(y_score[:1]))
    return ArrayParts(y_true, y_score, sample_weight, max(1, rows))


@dataclass(frozen=True)
class Plan:
    """What a worker needs to fold raw chunks into a state: the profile, the state options and
    the kernel. `canonical=True` means the chunks are canonical already (no gate); `auc=False`
    skips the rank statistics (ROC AUC / AP)."""

    profile: TaskProfile
    top_k: tuple[int, ...] = (5,)
    n_bins: int = 15
    kernel: str | Kernel | None = None
    canonical: bool = False
    replicates: Replicates | None = None  # bootstrap replicates kept by the states
    auc: bool = True

    def new_state(self) -> State:
        return new_state(self.profile, self.top_k, self.n_bins, kernel=self.kernel,
                         replicates=self.replicates, auc=self.auc)

    def fold(self, state: State, chunk: RawChunk) -> None:
        """Gate then kernel: canonicalise one raw chunk and add it to `state`."""
        if self.canonical:
            y, s = chunk.y_true, chunk.y_score
        else:
            y, s = canonical_chunk(self.profile, chunk.y_true, chunk.y_score, chunk.start)
        state.update(y, s, chunk.sample_weight, offset=chunk.start)

    def fold_part(self, part: Part, state: State | None = None,
                  counted: Callable[[int], None] | None = None) -> State:
        """Fold every chunk of `part` into `state` (a new one when None) and return it; what an
        executor runs on a worker. `counted` receives each chunk's row count."""
        return fold_parts(self, part, state, counted)

    def fold_leaf(self, part: Part, counted: Callable[[int], None] | None = None) -> State:
        """`part` folded into a state of its own: a leaf of a tree-reduced pass (shards, Dask
        blocks; see `headcheck.engine.executors`). A part whose rows are numbered within it
        names itself (`where`, and `name` for its file): its input errors say where, and its
        NaN/inf scores are an error here, naming the part, rather than after the merge."""
        with named_errors(part):
            state = self.new_state()
            if getattr(part, "where", None) is not None:  # rows numbered within the part
                state.part = int(getattr(part, "index", 0)) + 1
            state = self.fold_part(part, state, counted)
            if getattr(part, "where", None) is not None and state.n_nonfinite:
                raise nonfinite_error(state.n_nonfinite, state.nonfinite_rows)
        return state

    def pinned(self) -> Plan:
        """This plan with its kernel resolved here, as an instance with its settings: what travels
        to other processes, so that every worker computes with the same kernel."""
        return replace(self, kernel=get_kernel(self.kernel))


def fold_parts(plan: Any, part: Part, state: Any = None,
               counted: Callable[[int], None] | None = None) -> Any:
    """`plan.fold` every chunk of `part` into `state` (`plan.new_state()` when None): the loop of
    every plan's `fold_part` (a `Plan`, or the paired and placement plans of
    `headcheck.engine.paired`)."""
    state = plan.new_state() if state is None else state
    for chunk in part.chunks():
        plan.fold(state, chunk)
        rows = len(chunk)
        del chunk  # a memory-mapped chunk's pages may go as soon as it is counted
        if counted is not None:
            counted(rows)
    return state


@contextmanager
def named_errors(part: Part) -> Iterator[None]:
    """Input errors raised while `part` is read or folded, prefixed with where it is (when the
    part says: `where`, `name`)."""
    try:
        yield
    except InputError as e:
        where = getattr(part, "where", None)
        if where is None:
            raise
        raise located(e, where, getattr(part, "name", None)) from None


def located(error: InputError, where: str, name: str | None = None) -> InputError:
    """`error` with its message prefixed by where it happened ('shard 3 of 12 (p-3.csv): ...');
    a plain InputError, so that it pickles across processes (subclasses with other constructor
    arguments do not)."""
    message = str(error)
    prefix = where if name is None or name in message else f"{where} ({name})"
    return InputError(f"{prefix}: {message}")


def usable_top_k(profile: TaskProfile, top_k: Iterable[int]) -> tuple[int, ...]:
    """The top-k accuracies that mean something for the task: multiclass, 1 < k < K."""
    return tuple(k for k in top_k if profile.kind == "multiclass" and 1 < k < profile.n_classes)


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class PassResult:
    """A finished pass: the merged state and the profile it was computed with (corrected when the
    data contradicted what inference saw in the first rows)."""

    state: State
    profile: TaskProfile

    def result(self) -> EngineResult:
        return finish(self.state)


def finish(state: State) -> EngineResult:
    """The state's result; when its weights sum to 0, every metric undefined
    (`headcheck.gate.weights`) rather than the 0/0 arithmetic (and its numpy warnings)."""
    if state.n_samples and state.total_weight == 0:
        from headcheck.gate.weights import undefined_result

        with np.errstate(all="ignore"):
            return undefined_result(state.result())
    return state.result()


def verify_pass(profile: TaskProfile, state: State) -> TaskProfile | None:
    """After a pass: InputError when scores were NaN/inf (the rows are counted in the state);
    a corrected profile when scores read as probabilities left [0, 1]; None when all is well."""
    lo, hi = float(state.score_min), float(state.score_max)
    if state.n_nonfinite or (state.n_samples and not (math.isfinite(lo) and math.isfinite(hi))):
        raise nonfinite_error(state.n_nonfinite, state.nonfinite_rows)
    return verify_score_range(profile, lo, hi)


def run_pass(profile: TaskProfile, parts: Iterable[Part], *, top_k: tuple[int, ...] = (5,),
             n_bins: int = 15, executor: Executor | None = None, kernel: str | Kernel | None = None,
             progress: ProgressFactory | None = None,
             replicates: Replicates | None = None, auc: bool = True) -> PassResult:
    """One pass over `parts` (e.g. `array_parts(y_true, y_score, w)`): every chunk canonicalised
    by the gate and added to a state by the kernel, on the executor's workers (default: two
    threads); then verified. It runs again, with the corrected profile, when a chunk contradicts
    the score kind inferred from the first rows (hard scores that stop being 0/1) or when scores
    read as probabilities leave [0, 1]; NaN/inf scores raise InputError naming the rows.

    `parts` must be iterable more than once (`ArrayParts` is). `progress(total_rows)` may return
    a callback that receives the rows done. `replicates`: the states also keep bootstrap
    replicates (`headcheck.engine.bootstrap`). `auc=False` skips ROC AUC / average precision (the
    rank statistics, the costliest part of a pass).
    """
    from headcheck.engine.executors import ThreadExecutor

    executor = executor or ThreadExecutor()
    for _ in range(MAX_ATTEMPTS):
        plan = Plan(profile, tuple(top_k), n_bins, kernel, replicates=replicates, auc=auc)
        advance = progress(getattr(parts, "n_rows", None)) if progress is not None else None
        try:
            state = executor.run(plan, parts, advance)
        except ScoreKindMismatch as m:
            profile = correct_score_kind(profile, m.corrected)
            continue
        corrected = verify_pass(profile, state)
        if corrected is None:
            return PassResult(state, profile)
        profile = corrected
    raise AssertionError("score kind did not settle")  # pragma: no cover - kinds only move forward


class Feed:
    """Batches of labels and outputs fed one at a time through the gate and a kernel into one
    state: the incremental path of training callbacks. Memory is the state's, not the data's.

    The profile is inferred from the first batch unless given (`task`, `threshold`,
    `score_kind` override as in `report`). Unlike `run_pass`, a feed cannot re-read earlier
    batches: when a later batch contradicts the score kind seen first, it raises InputError
    asking for `score_kind`; give it when the model's output is known.

    >>> import numpy as np
    >>> feed = Feed()
    >>> feed.update(np.array([0, 1]), np.array([0.2, 0.8]))
    >>> feed.update(np.array([1, 0]), np.array([0.4, 0.3]))
    >>> feed.result().metrics["accuracy"], feed.state.n_samples
    (0.75, 4)
    """

    def __init__(self, profile: TaskProfile | None = None, *, task: str | None = None,
                 threshold: float | None = None, score_kind: str | None = None,
                 top_k: tuple[int, ...] = (5,), n_bins: int = 15,
                 kernel: str | Kernel | None = None, classes: Any = None,
                 label_offset: int | None = None, auc: bool = True) -> None:
        self.profile = profile
        self._infer = {"task": task, "threshold": threshold, "score_kind": score_kind,
                       "classes": classes, "label_offset": label_offset}
        self._options = (tuple(top_k), int(n_bins), kernel, bool(auc))
        self.state: State | None = None if profile is None else self._plan().new_state()

    def _plan(self) -> Plan:
        top_k, n_bins, kernel, auc = self._options
        assert self.profile is not None
        return Plan(self.profile, usable_top_k(self.profile, top_k), n_bins, kernel, auc=auc)

    def update(self, y_true: object, y_score: object, sample_weight: object | None = None) -> None:
        """Add one batch (labels, outputs, optional weights) to the state."""
        yt = as_input_array(y_true, "labels")
        ys = as_input_array(y_score, "scores")
        if self.profile is None:
            self.profile = infer_task(yt, ys, **self._infer)  # type: ignore[arg-type]
            self.state = self._plan().new_state()
        assert self.state is not None
        w = None if sample_weight is None else check_weights(sample_weight, len(yt))
        if len(yt) != len(ys):
            raise InputError(f"labels and scores must have one row per sample; got {len(yt)} labels "
                             f"and {len(ys)} score rows in this batch.")
        try:
            self._plan().fold(self.state, RawChunk(yt, ys, w, self.state.n_rows))
        except ScoreKindMismatch as m:
            raise InputError(
                f"scores: the first batch read as {self.profile.score_kind} but a later batch holds "
                f"values that are not (they fit {m.corrected}); earlier batches cannot be re-read. "
                f"Pass score_kind='{m.corrected}' (or the kind the model outputs) to the Feed."
            ) from None

    def reset(self) -> None:
        """Start again with an empty state and the same profile (a new epoch)."""
        self.state = None if self.profile is None else self._plan().new_state()

    def result(self, *, strict: bool = True) -> EngineResult:
        """The metrics of every batch fed so far. `strict`: NaN/inf outputs raise InputError (as
        in `report`); otherwise those rows are left out and counted in `state.n_nonfinite`."""
        if self.state is None or self.profile is None:
            raise InputError("no batches were fed: call update(labels, outputs) first.")
        if strict:
            corrected = verify_pass(self.profile, self.state)
        else:
            corrected = verify_score_range(self.profile, self.state.score_min, self.state.score_max)
        if corrected is not None:
            raise InputError(
                    f"scores: the first batch read as probabilities but later batches hold values "
                    f"from {self.state.score_min:g} to {self.state.score_max:g}; earlier batches "
                    "cannot be re-read. Pass score_kind='logits' to the Feed."
                )
        return finish(self.state)
