"""Creating states and running a threaded pass over chunks."""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from importlib import import_module

import numpy as np

from headcheck.engine._state import State, profile_from_dict
from headcheck.task import TaskProfile

Chunk = tuple[np.ndarray, np.ndarray, "np.ndarray | None"]
_STOP = object()  # tells a worker thread that no chunk follows


_STATES = {"binary": ("headcheck.engine.binary", "BinaryState"),
           "multiclass": ("headcheck.engine.multiclass", "MulticlassState"),
           "multilabel": ("headcheck.engine.multilabel", "MultilabelState")}


def _state_class(kind: str) -> type[State]:
    if kind not in _STATES:
        raise ValueError(f"unknown task kind {kind!r}; expected one of {sorted(_STATES)}")
    module, name = _STATES[kind]
    return getattr(import_module(module), name)


def new_state(profile: TaskProfile, top_k: tuple[int, ...] = (5,), n_bins: int = 15) -> State:
    """An empty state for the task of `profile`.

    >>> from headcheck.task import TaskProfile
    >>> new_state(TaskProfile("binary", 2, "integer", "probabilities", "column")).kind
    'binary'
    """
    return _state_class(profile.kind)(profile, top_k=top_k, n_bins=n_bins)


def state_from_dict(d: dict) -> State:
    """Rebuild a state from `State.to_dict()` output."""
    state = new_state(profile_from_dict(d["profile"]), tuple(d["top_k"]), d["n_bins"])
    state._restore(d)
    return state


def accumulate(profile: TaskProfile, chunks: Iterable[Chunk], workers: int = 2,
               progress: Callable[[int], None] | None = None, top_k: tuple[int, ...] = (5,),
               n_bins: int = 15) -> State:
    """One state per worker thread over the chunks (numpy releases the GIL), merged at the end.

    Rows are numbered globally in the order the chunks come, so non-finite rows are reported by
    their index in the whole data. `progress` receives the number of rows done after each chunk.

    >>> import numpy as np
    >>> from headcheck.task import TaskProfile
    >>> p = TaskProfile("binary", 2, "integer", "probabilities", "column")
    >>> chunks = [(np.array([0, 1]), np.array([.2, .9]), None)] * 3
    >>> accumulate(p, chunks).result().metrics["accuracy"]
    1.0
    """
    workers = max(1, int(workers))
    states = [new_state(profile, top_k, n_bins) for _ in range(workers)]
    # Chunk i always goes to worker i % workers, and each worker takes its chunks in order: the
    # floating-point sums are then grouped the same way on every run, so a report is
    # reproducible to the last bit (a shared pool of states made the grouping depend on timing).
    # The small queues bound the look-ahead: chunks may be memory-mapped pages.
    queues: list[queue.Queue] = [queue.Queue(maxsize=2) for _ in range(workers)]
    errors: list[BaseException] = []
    lock = threading.Lock()
    done = [0]

    def work(state: State, inbox: queue.Queue) -> None:
        while True:
            item = inbox.get()
            if item is _STOP:
                return
            if errors:  # another worker failed: drain without work
                continue
            (y, s, w), offset = item
            del item
            try:
                state.update(y, s, w, offset=offset)
            except BaseException as e:  # re-raised in the calling thread
                errors.append(e)
                continue
            with lock:
                done[0] += len(y)
                if progress is not None:
                    progress(done[0])
            del y, s, w  # let a memory-mapped chunk's pages go as soon as it is counted

    threads = [threading.Thread(target=work, args=(st, q), daemon=True) for st, q in zip(states, queues)]
    for t in threads:
        t.start()
    offset = 0
    try:
        for i, chunk in enumerate(chunks):
            if errors:
                break
            queues[i % workers].put((chunk, offset))
            offset += len(chunk[0])
            del chunk
    finally:
        for q in queues:
            q.put(_STOP)
        for t in threads:
            t.join()
    if errors:
        raise errors[0]
    merged = states[0]
    for other in states[1:]:
        merged = merged.merge(other)
    merged.n_rows = offset
    return merged
