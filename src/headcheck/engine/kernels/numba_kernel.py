"""The numba kernel: one compiled pass per chunk (`pip install headcheck[fast]`).

For probability scores (binary, multiclass, multi-label) one loop over the chunk's rows finds the
rows with non-finite scores, the score and label ranges, the argmax, the top-k rank, the
per-class counts, log loss, Brier, calibration bins and the AUC/AP histograms together, with the
GIL released: the two worker threads of `ThreadExecutor` fold two chunks on two cores. The loops
are in `_numba_impl` (imported, and compiled or loaded from numba's cache, on first use).

What the compiled loops do not cover runs the reference code of `NumpyKernel`, which this kernel
extends: hard scores, binary and multi-label logits (their cost is not the histograms, and
logits need the same exp/log as numpy to bin identically: multiclass logits get their softmax and
log loss from the numpy kernel's code, the rest in the loop), float16 scores, and chunks under
`min_cells` score cells
(a training callback's batches: numpy is quicker than the call overhead, and the first call
does not wait for numba). States are identical either way (`testing.assert_kernels_agree`).

Bootstrap replicates (binary and multiclass): the loops also write each finite row's quantities
(decision, log loss, Brier, confidence, calibration cell, ...: what the reference hands over)
and `bootstrap.add` sums them per random group in one compiled loop (`_boot_numba`); the
multi-label loop adds its group sums itself (its per-label quantities would be arrays of rows x
labels) and hands over each row's exact match.
"""
from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

import numpy as np

from headcheck.engine import _common as C
from headcheck.engine.kernels import MAX_NONFINITE_ROWS
from headcheck.engine.kernels.numpy_kernel import NumpyKernel

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.engine._state import State

# Chunks with fewer score cells than this run the numpy code (call overhead, compile wait).
MIN_CELLS = 1 << 15
_FLOATS = (np.float32, np.float64)


class NumbaKernel(NumpyKernel):
    """Fused compiled passes for probability scores; the numpy reference for everything else.

    >>> import numpy as np
    >>> from headcheck.engine import new_state
    >>> from headcheck.task import TaskProfile
    >>> k = NumbaKernel(min_cells=0)
    >>> s = new_state(TaskProfile("binary", 2, "integer", "probabilities", "column"), kernel=k)
    >>> s.update(np.array([0, 1, 1]), np.array([0.3, 0.8, 0.4]))
    >>> round(s.result().metrics["accuracy"], 3)
    0.667
    """

    name = "numba"

    def __init__(self, min_cells: int = MIN_CELLS, **kwargs) -> None:
        super().__init__(**kwargs)
        self.min_cells = int(min_cells)

    @classmethod
    def available(cls) -> bool:
        return importlib.util.find_spec("numba") is not None

    def fused(self, state: State, y_score: np.ndarray) -> bool:
        """Whether the compiled pass handles this chunk (else the numpy reference does)."""
        kind = state.profile.score_kind
        # multiclass logits too: their softmax comes from the numpy kernel's own code
        kinds = ("probabilities", "independent") + (("logits",) if state.kind == "multiclass"
                                                      else ())
        # with bootstrap replicates too: the loops hand over the per-row quantities (multi-label:
        # the loop adds the group sums itself)
        return (state.kind in ("binary", "multiclass", "multilabel")
                and kind in kinds and y_score.dtype in _FLOATS
                and y_score.size >= self.min_cells and y_score.size > 0)

    def update(self, state: State, y_true: object, y_score: object,
               sample_weight: object | None = None, offset: int | None = None) -> None:
        y, s, w = self.prepare(y_true, y_score, sample_weight)
        if not self.fused(state, s):
            return super().update(state, y, s, w, offset)
        return self._fused_update(state, y, s, w, offset)

    def _fused_update(self, state: State, y, s, w, offset) -> dict[str, np.ndarray] | None:
        state._check(y, s, w)
        start = state.n_rows if offset is None else int(offset)
        state.n_rows += len(y)
        if w is not None:
            w = np.ascontiguousarray(w, dtype=np.float64)
            for key in ("auc_all", "auc_pos", "auc_hist"):  # as the reference: float64 once weighted
                if key in state.stats:
                    state.stats[key] = state.stats[key].astype(np.float64, copy=False)
        s = np.ascontiguousarray(s)
        bad = np.empty(len(y), np.int64)
        ranges = np.empty(4)
        rows = _Rows(len(y), state.replicates is not None, start)
        n_bad = getattr(self, "_" + state.kind)(state, y, s, w, bad, ranges, rows)
        if w is not None:
            state.stats["weighted"] += len(y) - n_bad
        if n_bad:
            state.n_nonfinite += n_bad
            room = MAX_NONFINITE_ROWS - len(state.nonfinite_rows)
            state.nonfinite_rows.extend(int(start + i) for i in bad[: max(room, 0)][:n_bad])
        if n_bad < len(y):
            state.score_min = min(state.score_min, float(ranges[0]))
            state.score_max = max(state.score_max, float(ranges[1]))
            state.label_min = min(state.label_min, float(ranges[2]))
            state.label_max = max(state.label_max, float(ranges[3]))
        if not rows.keep:
            return None
        out = rows.arrays(len(y) - n_bad)
        index: int | np.ndarray = start
        if n_bad:  # the finite rows: their labels, weights and global indices
            keep = np.ones(len(y), bool)
            keep[bad[:n_bad]] = False
            y, w, index = y[keep], None if w is None else w[keep], start + np.flatnonzero(keep)
        if len(y) and not rows.summed:
            from headcheck.engine.bootstrap import add

            add(state, y, out, w, index)
        return out

    # --- per kind: arguments for the compiled loops --------------------------------------------
    def _multiclass(self, state, y, s, w, bad, ranges, rows) -> int:
        from headcheck.engine.kernels import _numba_impl as impl
        from headcheck.engine.multiclass import add_confusion_pairs

        st, n = state.stats, len(y)
        y = np.ascontiguousarray(y, dtype=np.int64)
        shift = state.shift
        do_auc = shift is not None
        logits = state.profile.score_kind == "logits"
        prob, nll = s, np.empty(0)
        if logits:  # the reference's softmax and log loss (rows with NaN/inf: skipped below)
            from headcheck.engine.kernels.numpy_kernel import _probabilities

            with np.errstate(over="ignore", under="ignore", invalid="ignore"):
                prob, nll = _probabilities(state, s, y, np.arange(n))
            prob = np.ascontiguousarray(prob)
        b32 = prob.view(np.int32) if prob.dtype == np.float32 else \
            prob.astype(np.float32).view(np.int32)
        lo = C.key_floor(shift) if do_auc else 0
        bins = C.n_auc_bins(shift) if do_auc else 1
        empty = np.zeros(1, np.int64)
        sums = np.zeros(6)
        wrong_keys = np.empty(0 if state.dense else n, np.int64)
        wrong_vals = np.empty(0 if state.dense else n)
        n_bad, n_wrong = impl.multiclass(
            y, s, *_sortable(s), prob, nll, logits, b32, _weights(w, n), w is not None,
            state.profile.score_kind == "probabilities", np.asarray(state.ks, np.int64),
            float(np.finfo(s.dtype).eps), state.n_bins, float(state.n_bins), state.n_bins - 0.5,
            state.dense, st["cm"] if state.dense else np.zeros(1), st["support"],
            st["predicted"], st["tp"], st["topk"], sums, st["cal_w"], st["cal_conf"],
            st["cal_acc"], do_auc, shift or 0, shift == 16, lo, lo + bins, bins,
            *(state.auc_strides if do_auc else (1, 1)), st["auc_all"] if do_auc else empty, st["auc_pos"] if do_auc else empty,
            bad, wrong_keys, wrong_vals, ranges, rows.keep,
            *rows.want(pred=np.int64, greater=np.int64, nll=np.float64, brier=np.float64,
                       conf=np.float64, cal=np.int64))
        if not state.dense:
            add_confusion_pairs(st, wrong_keys[:n_wrong], wrong_vals[:n_wrong])
        for i, key in enumerate(("n", "w_total", "above", "true_above", "logloss", "brier")):
            st[key] += sums[i]
        return n_bad

    def _multilabel(self, state, y, s, w, bad, ranges, rows) -> int:
        from headcheck.engine.kernels import _numba_impl as impl

        st, n, dt = state.stats, len(y), s.dtype.type
        y = np.ascontiguousarray(y).view(np.uint8) if y.dtype in (np.bool_, np.uint8, np.int8) \
            else np.ascontiguousarray(y != 0).view(np.uint8)
        t = state.thresholds
        t_h, t_k = dt(t["honest"]), dt(t["keras"])
        shift = state.shift
        do_auc = shift is not None
        eps = np.finfo(s.dtype).eps
        sums = np.zeros(7)
        if rows.keep:
            from headcheck.engine.bootstrap import fused_columns, state_groups

            g, boot, at = state_groups(state, rows.start, n), st["boot"], fused_columns(state)
            rows.summed = True
        else:
            g, boot, at = np.zeros(0, np.intp), np.zeros((1, 1)), np.zeros(0, np.int64)
        n_bad = impl.multilabel(
            y, s, *_sortable(s), _weights(w, n), w is not None, dt(1), t_h, t_k, eps,
            dt(1) - eps, state.profile.threshold == 0.5, state.n_bins, dt(state.n_bins),
            dt(state.n_bins) - dt(0.5), st["support"], st["pred_honest"], st["tp_honest"],
            st["pred_keras"], st["tp_keras"], sums, st["logloss"], st["brier"], st["cal_w"],
            st["cal_conf"], st["cal_acc"], do_auc, shift or 0,
            C.key_floor(shift) if do_auc else 0, C.n_auc_bins(shift) if do_auc else 1,
            st["auc_hist"] if do_auc else np.zeros(1, np.int64), bad, ranges, rows.keep, g, boot,
            at, *rows.want(exact=np.bool_))
        for i, key in enumerate(("n", "w_total", "no_positive", "keras_cat", "jaccard",
                                 "exact_honest", "exact_keras")):
            st[key] += sums[i]
        return n_bad

    def _binary(self, state, y, s, w, bad, ranges, rows) -> int:
        from headcheck.engine.kernels import _numba_impl as impl

        st, n, dt = state.stats, len(y), s.dtype.type
        names = list(state.thresholds)
        thr = np.array([state.thresholds[k][0] for k in names], dtype=s.dtype)
        strict = np.array([state.thresholds[k][1] for k in names], dtype=np.bool_)
        cms = np.zeros((len(names), 4))
        shift = state.shift
        do_auc = shift is not None
        eps = np.finfo(s.dtype).eps
        sums = np.zeros(4)
        empty = np.zeros(1)
        n_bad = impl.binary(
            np.ascontiguousarray(y, dtype=np.int64), s, _weights(w, n), w is not None, thr,
            strict, names.index("honest"), dt(1), eps, dt(1) - eps, state.n_bins,
            float(state.n_bins), state.n_bins - 0.5, cms, sums, st["cal_w"], st["cal_conf"],
            st["cal_acc"], do_auc, shift or 0, C.key_floor(shift) if do_auc else 0,
            C.n_auc_bins(shift) if do_auc else 1, st["auc_all"] if do_auc else empty,
            st["auc_pos"] if do_auc else empty, bad, ranges, rows.keep,
            *rows.want(pred=np.bool_, nll=np.float64, sq=np.float64, conf=np.float64,
                       cal=np.int64, key=np.int64))
        if not do_auc:
            rows.drop("key")
        for i, name in enumerate(names):
            st[f"cm_{name}"] += cms[i]
        for i, key in enumerate(("n", "w_total", "logloss", "brier")):
            st[key] += sums[i]
        return n_bad


class _Rows:
    """The per-row outputs of a compiled loop (`keep`: the state keeps bootstrap replicates;
    else empty arrays the loop never writes)."""

    def __init__(self, n: int, keep: bool, start: int = 0) -> None:
        self.n, self.keep, self.start = n, keep, start
        self.summed = False  # the loop added the group sums itself (`bootstrap.add` not needed)
        self._arrays: dict[str, np.ndarray] = {}

    def want(self, **dtypes: type) -> list[np.ndarray]:
        for name, dt in dtypes.items():
            self._arrays[name] = np.empty(self.n if self.keep else 0, dt)
        return [self._arrays[name] for name in dtypes]

    def drop(self, name: str) -> None:
        del self._arrays[name]

    def arrays(self, n_ok: int) -> dict[str, np.ndarray]:
        """The outputs of the finite rows (the loops write them packed, in order)."""
        return {name: a[:n_ok] for name, a in self._arrays.items()}


def _sortable(s: np.ndarray) -> tuple:
    """For `_numba_impl._scan`: the scores' bits as integers of their width, the shift and mask
    that make them sort as the floats do, the sortable integers of +inf and -inf, and scratch
    space to turn one back into a float."""
    it = np.int32 if s.dtype == np.float32 else np.int64
    bits = it(8 * s.dtype.itemsize - 1)
    msk = it(np.iinfo(it).max)
    inf = np.array([np.inf, -np.inf], s.dtype).view(it)
    k_pinf, k_ninf = (int(b) ^ (int(b >> bits) & int(msk)) for b in inf)
    tmpf = np.empty(1, s.dtype)
    return s.view(it), bits, msk, k_pinf, k_ninf, tmpf, tmpf.view(it)


def _weights(w: np.ndarray | None, n: int) -> np.ndarray:
    return np.empty(0) if w is None else w
