"""Helpers for testing a kernel against the reference: two kernels must give matching states.

"Matching": the same statistics (names, shapes, dtypes), the same row bookkeeping (rows seen,
non-finite rows, score and label ranges), integer-valued statistics (counts, histogram cells,
confusion cells) equal exactly, and float sums equal up to `rtol` (a kernel that sums in another
order rounds differently; give rtol=0 to demand the same bits). The reference itself sums some
float32 terms in float32 blocks (Brier, calibration; relative error about 1e-6, see
numpy_kernel), so the default `rtol` is 1e-6; float64 data can be held to about 1e-12. A cell
that sums to zero through cancelling weights (a mirrored histogram key: +w then -w) may keep a
residue of a few ulps of the terms: cells also pass within 1e-12 of the statistic's largest
magnitude.

>>> import numpy as np
>>> from headcheck.engine.kernels.numpy_kernel import NumpyKernel
>>> from headcheck.task import TaskProfile

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.engine.bootstrap import Replicates
>>> y, s = np.array([0, 2, 1]), np.array([[.7, .2, .1], [.1, .2, .7], [.2, .5, .3]])
>>> _ = assert_kernels_agree(TaskProfile("multiclass", 3, "integer", "probabilities"),
...                          [(y, s, None)], NumpyKernel(block_cells=1))
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from headcheck.engine._state import State
from headcheck.engine.kernels import Kernel, get_kernel
from headcheck.task import TaskProfile

Chunk = tuple[np.ndarray, np.ndarray, "np.ndarray | None"]


def assert_states_match(a: State, b: State, *, rtol: float = 1e-6, atol: float = 0.0) -> None:
    """Raise AssertionError naming the first statistic where `a` and `b` differ (see module)."""
    assert a.signature() == b.signature(), (a.describe(), b.describe())
    for key in ("n_rows", "n_nonfinite", "nonfinite_rows", "score_min", "score_max",
                "label_min", "label_max"):
        assert getattr(a, key) == getattr(b, key), (key, getattr(a, key), getattr(b, key))
    assert a.stats.keys() == b.stats.keys(), (sorted(a.stats), sorted(b.stats))
    for key, x in a.stats.items():
        y = b.stats[key]
        assert x.shape == y.shape, (key, x.shape, y.shape)
        if _whole(x) and _whole(y):  # counts: exactly
            assert np.array_equal(x, y), (key, _first_difference(x, y))
        else:
            scale = float(np.nanmax(np.abs(np.concatenate([x.ravel(), y.ravel()])), initial=0.0))
            assert np.allclose(x, y, rtol=rtol, atol=max(atol, 1e-12 * scale), equal_nan=True), (
                key, _first_difference(x, y))


def assert_kernels_agree(profile: TaskProfile, chunks: Iterable[Chunk], kernel: str | Kernel,
                         reference: str | Kernel = "numpy", *, rtol: float = 1e-6,
                         top_k: tuple[int, ...] = (5,), n_bins: int = 15,
                         replicates: Replicates | None = None) -> tuple[State, State]:
    """Feed the same canonical chunks (labels, scores, weights) to a state updated by `kernel`
    and one updated by `reference`, assert that they match, and return both. With
    `replicates`, the bootstrap replicates (`rep_*`, filled from the per-row quantities the
    kernel returns) must match too."""
    from headcheck.engine import new_state

    chunks = list(chunks)
    states = []
    for k in (get_kernel(kernel), get_kernel(reference)):
        state = new_state(profile, top_k, n_bins, kernel=k, replicates=replicates)
        offset = 0
        for y, s, w in chunks:
            state.update(y, s, w, offset=offset)
            offset += len(y)
        states.append(state)
    assert_states_match(states[0], states[1], rtol=rtol)
    return states[0], states[1]


def _whole(x: np.ndarray) -> bool:
    return x.dtype.kind in "biu" or bool(np.all(np.isfinite(x) & (x == np.round(x))))


def _first_difference(x: np.ndarray, y: np.ndarray) -> str:
    flat = np.flatnonzero(~np.isclose(x.ravel(), y.ravel(), rtol=0, atol=0, equal_nan=True))
    if not flat.size:
        return "equal"
    i = int(flat[0])
    return f"first at flat index {i}: {x.ravel()[i]!r} vs {y.ravel()[i]!r} ({flat.size} differ)"
