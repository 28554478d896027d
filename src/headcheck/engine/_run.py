"""Creating states and running a threaded pass over chunks."""
from __future__ import annotations

import threading
from importlib import import_module
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from headcheck.engine._state import State, profile_from_dict
from headcheck.task import TaskProfile

Chunk = tuple[np.ndarray, np.ndarray, "np.ndarray | None"]


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
    free = list(states)
    lock = threading.Lock()
    done = [0]

    def work(chunk: Chunk, offset: int) -> None:
        with lock:
            state = free.pop()
        try:
            y, s, w = chunk
            state.update(y, s, w, offset=offset)
        finally:
            with lock:
                free.append(state)
                done[0] += len(chunk[0])
                if progress is not None:
                    progress(done[0])

    offset = 0
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending = []
        for chunk in chunks:
            pending.append(pool.submit(work, chunk, offset))
            offset += len(chunk[0])
            if len(pending) >= 2 * workers:  # bounded look-ahead: chunks may be memory-mapped
                pending.pop(0).result()
        for fut in pending:
            fut.result()
    merged = states[0]
    for other in states[1:]:
        merged = merged.merge(other)
    merged.n_rows = offset
    return merged
