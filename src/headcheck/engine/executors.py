"""Executors: where the parts of a pass run, and how their states come together.

An executor gets a `Plan` (the profile, the options, the kernel: everything a worker needs, and
picklable) and an iterable of parts (`headcheck.engine.pipeline.Part`: something that yields raw
chunks with their global row numbers and can release them), and returns one merged `State`. It
folds every part with `plan.fold_part(part, state)`: gate (canonical chunk) then kernel, on the
worker. It never looks inside a chunk, so parts may be slices of in-process arrays (today) or
shards that a remote worker opens itself.

The executor's obligations, which `run_pass` relies on:
- each part is folded exactly once, its chunks in order, and released afterwards;
- `progress(rows_done)` is called as chunks complete (rows counted once, monotone);
- when parts fail, the error of the *first failing part in input order* is raised in the caller
  (a ScoreKindMismatch there makes `run_pass` re-run with the corrected profile), so a pass fails
  the same way on every run;
- the merged state is reproducible: the same parts give the same float sums on every run.

Adding an executor (a Dask one, say): a class with `run(plan, parts, progress)` that ships `plan`
and each part to workers, calls `plan.fold_part` there, and merges the states in a tree
(`State.merge`; `State.to_dict` / `state_from_dict` when states cross processes), grouping the
parts the same way on every run. `run_pass(..., executor=...)` then uses it.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.engine._state import State
    from headcheck.engine.pipeline import Part, Plan

_STOP = object()  # tells a worker thread that no part follows


class Executor(Protocol):
    """What `run_pass` needs from an executor (see the module docstring)."""

    def run(self, plan: Plan, parts: Iterable[Part],
            progress: Callable[[int], None] | None = None) -> State: ...


class ThreadExecutor:
    """Parts folded by worker threads (numpy releases the GIL), one state per thread, merged in
    thread order at the end.

    Part i always goes to worker i % workers and each worker takes its parts in order, so the
    floating-point sums are grouped the same way on every run and a report reproduces to the last
    bit (a shared pool of states made the grouping depend on timing). The small queues bound the
    look-ahead: parts may be memory-mapped pages.

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
        states = [plan.new_state() for _ in range(self.workers)]
        queues: list[queue.Queue] = [queue.Queue(maxsize=self.lookahead) for _ in states]
        lock = threading.Lock()
        failed: dict[int, BaseException] = {}  # part index -> its error
        done = [0]

        def counted(rows: int) -> None:
            with lock:
                done[0] += rows
                if progress is not None:
                    progress(done[0])

        def work(state: State, inbox: queue.Queue) -> None:
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
                        plan.fold_part(part, state, counted)
                    except BaseException as e:  # re-raised in the calling thread
                        with lock:
                            failed[index] = e
                part.release()  # its memory-mapped pages leave the resident set now
                del part

        threads = [threading.Thread(target=work, args=(st, q), daemon=True)
                   for st, q in zip(states, queues)]
        for t in threads:
            t.start()
        try:
            for i, part in enumerate(parts):
                with lock:
                    if failed:
                        break
                queues[i % self.workers].put((i, part))
                del part
        finally:
            for q in queues:
                q.put(_STOP)
            for t in threads:
                t.join()
        if failed:
            raise failed[min(failed)]
        merged = states[0]
        for other in states[1:]:
            merged = merged.merge(other)
        return merged
