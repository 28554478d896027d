"""Executors: where the parts of a pass run, and how their states come together.

An executor gets a `Plan` (the profile, the options, the kernel: everything a worker needs, and
picklable) and an iterable of parts (`headcheck.engine.pipeline.Part`: something that yields raw
chunks with their global row numbers and can release them), and returns one merged `State`. It
folds every part with `plan.fold_part(part, state)`: gate (canonical chunk) then kernel, on the
worker. It never looks inside a chunk, so parts may be slices of in-process arrays (today) or
shards that a remote worker opens itself.

The executor's obligations, which `run_pass` relies on:
- each part is folded exactly once, its chunks in order, and released afterwards;
- `progress(rows_done)` is called as chunks (or parts) complete (rows counted once, monotone);
- when parts fail, the error of the *first failing part in input order* is raised in the caller
  (a ScoreKindMismatch there makes `run_pass` re-run with the corrected profile), so a pass fails
  the same way on every run;
- the merged state is reproducible: the same parts give the same float sums on every run.

Two reductions, chosen by the parts (`tree_parts(parts)`):
- **by worker** (in-process array parts, the embedded default): worker i folds parts i, i + w,
  ... into one state and the w states merge in worker order. Cheapest (one state per worker); the
  float sums are reproducible for a given number of workers.
- **by tree** (parts whose iterable says `tree = True`: shards, Dask blocks and partitions): each
  part is folded into a state of its own (`plan.fold_leaf`) and the states merge in the pass's
  fixed tree (`TreeMerge`), which depends on the number of parts only. Since every leaf state is
  the same function of its part wherever it is computed, and every merge adds the same two
  states, the result is the same to the last bit whatever the executor, the number of workers,
  the order in which parts finish or a retried part (same numpy build and CPU features; the
  kernel is chosen once, by the caller, and travels in the plan).

Adding an executor (`headcheck.engine.dask_executor.DaskExecutor` is one): a class with
`run(plan, parts, progress)` that ships `plan` and each part to workers, calls
`plan.fold_leaf(part)` there and merges the leaves with `TreeMerge` over `merge_leaves` (which
checks that only adjacent ranges of parts merge, so the root covers every part exactly once).
`run_pass(..., executor=...)` then uses it.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.engine._state import State
    from headcheck.engine.pipeline import Part, Plan

_STOP = object()  # tells a worker thread that no part follows
T = TypeVar("T")


class Executor(Protocol):
    """What `run_pass` needs from an executor (see the module docstring)."""

    def run(self, plan: Plan, parts: Iterable[Part],
            progress: Callable[[int], None] | None = None) -> State: ...


def tree_parts(parts: Iterable[Any]) -> bool:
    """Whether a pass over `parts` reduces by tree (one state per part): module docstring."""
    return bool(getattr(parts, "tree", False))


@dataclass(frozen=True, eq=False)  # holds a state: compared by identity
class Leaf:
    """The merged value (a state) of the parts `start` <= i < `stop` of a tree-reduced pass."""

    value: Any
    start: int
    stop: int


def merge_leaves(left: Leaf, right: Leaf) -> Leaf:
    """`left` and `right` merged; they must cover adjacent ranges of parts, so a root that covers
    0..P has every part exactly once (a lost or repeated part cannot go unnoticed)."""
    if left.stop != right.start:
        raise RuntimeError(f"merging parts {left.start}..{left.stop - 1} with parts "
                           f"{right.start}..{right.stop - 1}: not adjacent (a part would be lost or "
                           "counted twice)")
    return Leaf(left.value.merge(right.value), left.start, right.stop)


def check_root(root: Leaf | None, n_parts: int) -> None:
    """RuntimeError unless `root` covers parts 0..n_parts exactly: never a partial result."""
    got = "none" if root is None else f"parts {root.start}..{root.stop - 1}"
    if n_parts and (root is None or (root.start, root.stop) != (0, n_parts)):
        raise RuntimeError(f"the merged result covers {got} of {n_parts} parts; refusing a partial "
                           "result")


class TreeMerge(Generic[T]):
    """The fixed merge tree of a pass over parts 0..P-1, built as the leaves arrive in index
    order (push), like the carries of a binary counter: a new leaf merges with the subtree on its
    left while both cover the same number of parts (0+1, 2+3, then 01+23, ...); `result` merges
    what is left (subtrees whose sizes are the binary digits of P) from the right. The tree, and
    so every floating-point sum, depends on P only; it holds at most log2(P) + 1 subtrees.

    `combine` may be `merge_leaves`, or build the merge as a task (the Dask executor's futures).

    >>> t = TreeMerge(lambda a, b: f"({a}{b})")
    >>> for leaf in "abcde":
    ...     t.push(leaf)
    >>> t.result()
    '(((ab)(cd))e)'
    """

    def __init__(self, combine: Callable[[T, T], T]) -> None:
        self.combine = combine
        self.stack: list[tuple[int, T]] = []  # (parts covered, subtree), sizes decreasing

    def push(self, leaf: T) -> None:
        size, value = 1, leaf
        while self.stack and self.stack[-1][0] == size:
            left_size, left = self.stack.pop()
            value, size = self.combine(left, value), size + left_size
        self.stack.append((size, value))

    def result(self) -> T | None:
        """The root (None when no leaf was pushed)."""
        if not self.stack:
            return None
        _, value = self.stack[-1]
        for _, left in reversed(self.stack[:-1]):
            value = self.combine(left, value)
        return value


class ThreadExecutor:
    """Parts folded by worker threads (numpy releases the GIL).

    In-process array parts (the default pass): one state per thread, merged in thread order at
    the end. Part i always goes to worker i % workers and each worker takes its parts in order,
    so the floating-point sums are grouped the same way on every run and a report reproduces to
    the last bit (a shared pool of states made the grouping depend on timing). Tree parts
    (shards): one state per part, merged in the pass's fixed tree as they complete, the same
    result as any other executor's on those parts. The small queues bound the look-ahead: parts
    may be memory-mapped pages.

    >>> import numpy as np
    >>> from headcheck.engine.pipeline import Plan, array_parts
    >>> from headcheck.task import TaskProfile
    >>> plan = Plan(TaskProfile("binary", 2, "integer", "probabilities", "column"))
    >>> state = ThreadExecutor(workers=2).run(plan, array_parts(np.array([0, 1, 1]), np.array([.2, .9, .4]), chunk_rows=1))
    >>> state.n_samples, state.result().metrics["accuracy"]
    (3, 0.6666666666666666)
    """

    def __init__(self, workers: int = 2, lookahead: int = 2) -> None:
        self.workers = max(1, int(workers))
        self.lookahead = max(1, int(lookahead))

    def run(self, plan: Plan, parts: Iterable[Part],
            progress: Callable[[int], None] | None = None) -> State:
        if tree_parts(parts):
            return self._run_tree(plan, parts, progress)
        states = [plan.new_state() for _ in range(self.workers)]
        lock = threading.Lock()
        done = [0]

        def counted(rows: int) -> None:
            with lock:
                done[0] += rows
                if progress is not None:
                    progress(done[0])

        def fold(worker: int, index: int, part: Part) -> None:
            plan.fold_part(part, states[worker], counted)

        self._dispatch(parts, fold, lock)
        merged = states[0]
        for other in states[1:]:
            # the workers' states are ours: merged in place where the state can (no copies)
            merged = merged.absorb(other) if hasattr(merged, "absorb") else merged.merge(other)
        return merged

    def _run_tree(self, plan: Plan, parts: Iterable[Part],
                  progress: Callable[[int], None] | None) -> State:
        lock = threading.Lock()
        tree: TreeMerge[Leaf] = TreeMerge(merge_leaves)
        pending: dict[int, Leaf] = {}  # folded parts waiting for an earlier one
        cursor = [0, 0]  # next part index the tree takes, rows done

        def counted(rows: int) -> None:
            with lock:
                cursor[1] += rows
                if progress is not None:
                    progress(cursor[1])

        def fold(worker: int, index: int, part: Part) -> None:
            leaf = Leaf(plan.fold_leaf(part, counted), index, index + 1)
            with lock:  # merges are cheap beside folds; the lock keeps the tree's order
                pending[index] = leaf
                while cursor[0] in pending:
                    tree.push(pending.pop(cursor[0]))
                    cursor[0] += 1

        n_parts = self._dispatch(parts, fold, lock)
        if pending:  # pragma: no cover - every part folded without error reached the tree
            raise RuntimeError("parts were folded but not merged")
        root = tree.result()
        check_root(root, n_parts)
        return plan.new_state() if root is None else root.value

    def _dispatch(self, parts: Iterable[Part], fold: Callable[[int, int, Part], None],
                  lock: threading.Lock) -> int:
        """Hand part i to worker i % workers, run `fold(worker, i, part)` there, release each
        part; raise the error of the first failing part in input order. Returns the number of
        parts handed out."""
        queues: list[queue.Queue] = [queue.Queue(maxsize=self.lookahead)
                                     for _ in range(self.workers)]
        failed: dict[int, BaseException] = {}  # part index -> its error

        def work(worker: int, inbox: queue.Queue) -> None:
            while True:
                item = inbox.get()
                if item is _STOP:
                    return
                index, part = item
                del item
                with lock:  # an earlier part failed: later ones cannot change the outcome
                    skip = bool(failed) and index > min(failed)
                if not skip:
                    try:
                        fold(worker, index, part)
                    except BaseException as e:  # re-raised in the calling thread
                        with lock:
                            failed[index] = e
                part.release()  # its memory-mapped pages leave the resident set now
                del part

        threads = [threading.Thread(target=work, args=(i, q), daemon=True)
                   for i, q in enumerate(queues)]
        for t in threads:
            t.start()
        n = 0
        try:
            for i, part in enumerate(parts):
                with lock:
                    if failed:
                        break
                queues[i % self.workers].put((i, part))
                n = i + 1
                del part
        finally:
            for q in queues:
                q.put(_STOP)
            for t in threads:
                t.join()
        if failed:
            raise failed[min(failed)]
        return n
