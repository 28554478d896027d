"""Creating states (of the task kind of a profile), and `accumulate` over canonical chunks."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from importlib import import_module
from typing import TYPE_CHECKING

import numpy as np

from headcheck.engine._state import State, profile_from_dict
from headcheck.engine.kernels import Kernel
from headcheck.task import TaskProfile

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.engine.bootstrap import Replicates

Chunk = tuple[np.ndarray, np.ndarray, "np.ndarray | None"]


_STATES = {"binary": ("headcheck.engine.binary", "BinaryState"),
           "multiclass": ("headcheck.engine.multiclass", "MulticlassState"),
           "multilabel": ("headcheck.engine.multilabel", "MultilabelState"),
           "ordinal": ("headcheck.engine.ordinal", "OrdinalState")}


def _state_class(kind: str) -> type[State]:
    if kind not in _STATES:
        raise ValueError(f"unknown task kind {kind!r}; expected one of {sorted(_STATES)}")
    module, name = _STATES[kind]
    return getattr(import_module(module), name)


def new_state(profile: TaskProfile, top_k: tuple[int, ...] = (5,), n_bins: int = 15,
              kernel: str | Kernel | None = None, replicates: Replicates | None = None,
              auc: bool = True) -> State:
    """An empty state for the task of `profile`, updated by `kernel` (default: `get_kernel()`);
    with `replicates`, it also keeps bootstrap replicates (`headcheck.engine.bootstrap`);
    `auc=False` keeps no rank statistics (no ROC AUC / average precision).

    >>> from headcheck.task import TaskProfile
    >>> new_state(TaskProfile("binary", 2, "integer", "probabilities", "column")).kind
    'binary'
    """
    return _state_class(profile.kind)(profile, top_k=top_k, n_bins=n_bins, kernel=kernel,
                                      replicates=replicates, auc=auc)


def state_from_dict(d: dict, kernel: str | Kernel | None = None) -> State:
    """Rebuild a state from `State.to_dict()` output (the kernel is not part of a state's data)."""
    rep = d.get("replicates")
    replicates = None
    if rep is not None:
        from headcheck.engine.bootstrap import Replicates

        replicates = Replicates(*(int(v) for v in rep))
    state = new_state(profile_from_dict(d["profile"]), tuple(d["top_k"]), d["n_bins"], kernel,
                      replicates, auc=bool(d.get("auc", True)))
    state._restore(d)
    return state


def accumulate(profile: TaskProfile, chunks: Iterable[Chunk], workers: int = 2,
               progress: Callable[[int], None] | None = None, top_k: tuple[int, ...] = (5,),
               n_bins: int = 15, kernel: str | Kernel | None = None) -> State:
    """Canonical chunks (labels, scores, weights) folded by `workers` threads into one state.

    A thin wrapper over `ThreadExecutor` for chunks that are canonical already; a pass over raw
    data (inference, canonicalisation, verification) is `headcheck.engine.pipeline.run_pass`.
    Rows are numbered globally in the order the chunks come, so non-finite rows are reported by
    their index in the whole data. `progress` receives the number of rows done after each chunk.

    >>> import numpy as np
    >>> from headcheck.task import TaskProfile
    >>> p = TaskProfile("binary", 2, "integer", "probabilities", "column")
    >>> chunks = [(np.array([0, 1]), np.array([.2, .9]), None)] * 3
    >>> accumulate(p, chunks).result().metrics["accuracy"]
    1.0
    """
    from headcheck.engine.executors import ThreadExecutor
    from headcheck.engine.pipeline import ChunkPart, Plan, RawChunk

    def parts() -> Iterator[ChunkPart]:
        offset = 0
        for y, s, w in chunks:
            yield ChunkPart(RawChunk(y, s, w, offset))
            offset += len(y)

    plan = Plan(profile, tuple(top_k), n_bins, kernel, canonical=True)
    return ThreadExecutor(workers).run(plan, parts(), progress)
