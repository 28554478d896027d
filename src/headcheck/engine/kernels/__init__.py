"""Kernels: the code that turns canonical chunks into a state's statistics.

A state (`headcheck.engine.binary.BinaryState`, `multiclass.MulticlassState`,
`multilabel.MultilabelState`) defines *what* is kept: the names, shapes and dtypes of
`state.stats` (its `_empty_stats`), which thresholds and histogram layout are used (`thresholds`,
`shift`, `ks`, `dense`), and how the statistics become metrics (`result`) and merge (`merge`).
A kernel computes them. The contract a kernel must fill, for one canonical chunk
(`headcheck.gate.canonical_chunk`) given to `update(state, y_true, y_score, sample_weight, offset)`:

- validate it (`state._check`), and count its rows in `state.n_rows`;
- leave rows with non-finite scores out of every statistic, counting them in `state.n_nonfinite`
  and remembering the first `MAX_NONFINITE_ROWS` global row indices (`offset` + position) in
  `state.nonfinite_rows`;
- widen `state.score_min`/`score_max`/`label_min`/`label_max` to the finite rows;
- add the chunk's statistics to every array of `state.stats`, so that the state equals the
  reference (numpy) kernel's state on the same chunks: integer-valued statistics exactly, float
  sums up to summation order (`headcheck.engine.kernels.testing.assert_states_match`);
- when the state keeps bootstrap replicates (`state.replicates`, the group sums `boot`), `fill`
  returns the chunk's per-row quantities (`headcheck.engine.bootstrap`: the names and meaning of
  each, per task kind) and sets `rows = True`; `Kernel.update` hands them to
  `bootstrap.add`, which adds them to the group sums the same way for every kernel (and returns
  them: a comparison reads each row's decision). A state asked for replicates with a kernel
  whose `rows` is False uses the numpy kernel instead.

`Kernel.update` below does the bookkeeping and hands the finite rows to `fill`; a kernel
usually implements `fill` only (one method per task kind: `binary`, `multiclass`, `multilabel`, `ordinal`).
A fused kernel (numba: one pass for min/max, non-finite rows and the statistics) may override
`update` itself; a torch kernel overrides `prepare` to keep tensors where they live.

Adding a kernel: one module in this package with a `Kernel` subclass (`name`, `available()`),
one line in `KERNELS`, and a test that runs `testing.assert_kernels_agree` against 'numpy' on
random chunks of every task kind and score kind. `get_kernel()` picks the first available kernel
in `PREFERENCE` (or the one named by HEADCHECK_KERNEL).

>>> get_kernel().name in KERNELS, get_kernel("numpy") is get_kernel("numpy")
(True, True)
"""
from __future__ import annotations

import os
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from headcheck.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.engine._state import State

# name -> "module:class"; the module is imported only when the kernel is asked for.
KERNELS: dict[str, str] = {
    "numpy": "headcheck.engine.kernels.numpy_kernel:NumpyKernel",
    "numba": "headcheck.engine.kernels.numba_kernel:NumbaKernel",
    "torch": "headcheck.engine.kernels.torch_kernel:TorchKernel",
}
# The kernel used when none is named: the first available one (a compiled kernel goes first).
PREFERENCE: tuple[str, ...] = ("numba", "numpy")
# How many row indices of non-finite scores a state remembers.
MAX_NONFINITE_ROWS = 10


class Kernel:
    """Base of the kernels: the bookkeeping every kernel shares, and the per-kind `fill`."""

    name: ClassVar[str] = ""
    # whether `fill` returns the per-row quantities bootstrap replicates are made of
    rows: ClassVar[bool] = False

    @classmethod
    def available(cls) -> bool:
        """Whether the kernel can run here (its optional dependencies are installed)."""
        return True

    def prepare(self, y_true: object, y_score: object, sample_weight: object | None):
        """The chunk as the arrays this kernel computes on (numpy: ndarrays, weights float64)."""
        w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        return np.asarray(y_true), np.asarray(y_score), w

    def update(self, state: State, y_true: object, y_score: object,
               sample_weight: object | None = None,
               offset: int | None = None) -> dict[str, np.ndarray] | None:
        """Add one canonical chunk to `state` (see the module docstring for the contract);
        return the per-row quantities of its finite rows when the state keeps replicates."""
        y_true, y_score, w = self.prepare(y_true, y_score, sample_weight)
        state._check(y_true, y_score, w)
        if state.profile.score_kind not in ("hard",) and y_score.dtype.kind not in "f":
            y_score = y_score.astype(np.float64)  # e.g. integer 0/1 probabilities
        start = state.n_rows if offset is None else int(offset)
        state.n_rows += len(y_true)
        if len(y_true) == 0:
            return None
        index: int | np.ndarray = start  # global index of the first row (of every row, below)
        lo, hi = float(y_score.min()), float(y_score.max())
        if y_score.dtype.kind == "f" and not (np.isfinite(lo) and np.isfinite(hi)):
            # rare: only then look at rows
            y_true, y_score, w, index = _drop_nonfinite(state, y_true, y_score, w, start)
            if len(y_true) == 0:
                return None
            lo, hi = float(y_score.min()), float(y_score.max())
        state.score_min = min(state.score_min, lo)
        state.score_max = max(state.score_max, hi)
        state.label_min = min(state.label_min, float(y_true.min()))
        state.label_max = max(state.label_max, float(y_true.max()))
        n = len(y_true)
        state.stats["n"] += n
        state.stats["w_total"] += n if w is None else w.sum()
        if w is not None:
            state.stats["weighted"] += n
        # saturated logits (exp(1000) = inf, then 1 / inf = 0) are right, not the user's noise;
        # an error that overflows (a regression output of -1e308) times a weight of 0 is NaN,
        # which the result shows as undefined (n/a), not as a numpy warning on stderr
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            rows = self.fill(state, y_true, y_score, w)
            if state.replicates is not None:
                from headcheck.engine.bootstrap import add

                add(state, y_true, rows, w, index)
        return rows

    def fill(self, state: State, y_true: np.ndarray, y_score: np.ndarray,
             w: np.ndarray | None) -> dict[str, np.ndarray] | None:
        """Add the statistics of finite, validated rows to `state.stats`; return their per-row
        quantities when the state keeps bootstrap replicates (kernels with `rows = True`)."""
        getattr(self, state.kind)(state, y_true, y_score, w)
        return None

    def binary(self, state: State, y: np.ndarray, s: np.ndarray, w: np.ndarray | None) -> None:
        raise NotImplementedError(f"the {self.name} kernel has no binary update")

    def multiclass(self, state: State, y: np.ndarray, s: np.ndarray, w: np.ndarray | None) -> None:
        raise NotImplementedError(f"the {self.name} kernel has no multiclass update")

    def multilabel(self, state: State, y: np.ndarray, s: np.ndarray, w: np.ndarray | None) -> None:
        raise NotImplementedError(f"the {self.name} kernel has no multilabel update")

    def ordinal(self, state: State, y: np.ndarray, s: np.ndarray, w: np.ndarray | None) -> None:
        raise NotImplementedError(f"the {self.name} kernel has no ordinal update")


def _drop_nonfinite(state: State, y_true, y_score, w, start: int):
    finite = np.isfinite(y_score)
    if finite.ndim == 2:
        finite = finite.all(axis=1)
    bad = np.flatnonzero(~finite)
    state.n_nonfinite += len(bad)
    room = MAX_NONFINITE_ROWS - len(state.nonfinite_rows)
    state.nonfinite_rows.extend(int(start + i) for i in bad[: max(room, 0)])
    return (y_true[finite], y_score[finite], None if w is None else w[finite],
            start + np.flatnonzero(finite))


def kernel_names() -> tuple[str, ...]:
    """The kernels known to this installation (available or not)."""
    return tuple(KERNELS)


@cache
def _load(name: str) -> type[Kernel]:
    module, cls = KERNELS[name].split(":")
    return getattr(import_module(module), cls)


@cache
def _instance(name: str) -> Kernel:
    return _load(name)()


def get_kernel(kernel: str | Kernel | None = None) -> Kernel:
    """A kernel by name (or the kernel itself); None: HEADCHECK_KERNEL, else the first available
    one in PREFERENCE."""
    if isinstance(kernel, Kernel):
        return kernel
    if kernel is None:
        kernel = os.environ.get("HEADCHECK_KERNEL") or next(
            (k for k in PREFERENCE if _load(k).available()), "numpy")
    if kernel not in KERNELS:
        raise InputError(f"kernel: expected one of {', '.join(KERNELS)}; got {kernel!r}.")
    if not _load(kernel).available():
        raise InputError(f"kernel: {kernel!r} is not available here (its optional dependency is "
                         "not installed); leave the kernel out to use the default one.")
    return _instance(kernel)
