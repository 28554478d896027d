"""The state base class: mergeable sufficient statistics, non-finite rows, (de)serialising."""
from __future__ import annotations

import copy
import os
from typing import Any

import numpy as np

from headcheck.errors import InputError, describe_array
from headcheck.task import TaskProfile

# Rows are processed in blocks of about this many score cells (their temporaries stay in cache).
BLOCK_CELLS = int(os.environ.get("HEADCHECK_BLOCK_CELLS", 1 << 18))
# How many row indices of non-finite scores a state remembers.
MAX_NONFINITE_ROWS = 10


class State:
    """Base of the per-task states. Subclasses fill `self.stats` (name -> float64 array, merged
    by summing) in `_update` and turn it into an EngineResult in `result`."""

    kind = ""

    def __init__(self, profile: TaskProfile, top_k: tuple[int, ...] = (5,), n_bins: int = 15):
        if profile.kind != self.kind:
            raise ValueError(f"a {type(self).__name__} needs a {self.kind} profile, "
                             f"got {profile.kind}")
        self.profile = profile
        self.top_k = tuple(sorted({int(k) for k in top_k}))
        self.n_bins = int(n_bins)
        self.n_rows = 0  # rows seen, non-finite ones included (global row numbering)
        self.score_min = float("inf")
        self.score_max = float("-inf")
        self.label_min = float("inf")
        self.label_max = float("-inf")
        self.n_nonfinite = 0
        self.nonfinite_rows: list[int] = []
        self.stats: dict[str, np.ndarray] = {"n": np.zeros(1), "w_total": np.zeros(1),
                                             "weighted": np.zeros(1), **self._empty_stats()}

    # --- to be provided by subclasses ---------------------------------------------------------
    def _empty_stats(self) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def _update(self, y_true, y_score, w) -> None:
        raise NotImplementedError

    def _check(self, y_true, y_score, w) -> None:
        raise NotImplementedError

    # --- the public API -------------------------------------------------------------------------
    def signature(self) -> tuple:
        """What two states must share to be merged."""
        p = self.profile
        return (self.kind, p.n_classes, p.score_kind, p.score_layout, p.threshold, self.top_k,
                self.n_bins)

    def describe(self) -> str:
        p = self.profile
        return (f"{self.kind} state ({p.n_classes} classes, {p.score_kind} scores, "
                f"layout {p.score_layout})")

    def update(self, y_true: np.ndarray, y_score: np.ndarray,
               sample_weight: np.ndarray | None = None, offset: int | None = None) -> None:
        """Add one canonical chunk. `offset` is the global index of its first row (default: the
        number of rows this state has seen), used to report rows with non-finite scores."""
        y_true = np.asarray(y_true)
        y_score = np.asarray(y_score)
        w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        self._check(y_true, y_score, w)
        if self.profile.score_kind != "hard" and y_score.dtype.kind not in "f":
            y_score = y_score.astype(np.float64)  # e.g. integer 0/1 probabilities
        start = self.n_rows if offset is None else int(offset)
        self.n_rows += len(y_true)
        if len(y_true) == 0:
            return
        if y_score.dtype.kind == "f":
            lo, hi = float(y_score.min()), float(y_score.max())
            if not (np.isfinite(lo) and np.isfinite(hi)):  # rare: only then look at rows
                y_true, y_score, w = self._drop_nonfinite(y_true, y_score, w, start)
                if len(y_true) == 0:
                    return
                lo, hi = float(y_score.min()), float(y_score.max())
        else:
            lo, hi = float(y_score.min()), float(y_score.max())
        self.score_min = min(self.score_min, lo)
        self.score_max = max(self.score_max, hi)
        self.label_min = min(self.label_min, float(y_true.min()))
        self.label_max = max(self.label_max, float(y_true.max()))
        n = len(y_true)
        self.stats["n"] += n
        self.stats["w_total"] += n if w is None else w.sum()
        if w is not None:
            self.stats["weighted"] += n
        step = max(64, BLOCK_CELLS // max(1, y_score[:1].size))
        self._begin_chunk(n)
        for lo in range(0, n, step):  # blocks that keep the temporaries in cache
            self._update(y_true[lo:lo + step], y_score[lo:lo + step],
                         None if w is None else w[lo:lo + step])
        self._end_chunk(y_true, w)

    def _begin_chunk(self, n: int) -> None:
        """Hook before the blocks of one chunk of n rows (work that wants whole chunks)."""

    def _end_chunk(self, y_true: np.ndarray, w: np.ndarray | None) -> None:
        """Hook after the blocks of one chunk."""

    def _drop_nonfinite(self, y_true, y_score, w, start):
        finite = np.isfinite(y_score)
        if finite.ndim == 2:
            finite = finite.all(axis=1)
        bad = np.flatnonzero(~finite)
        self.n_nonfinite += len(bad)
        room = MAX_NONFINITE_ROWS - len(self.nonfinite_rows)
        self.nonfinite_rows.extend(int(start + i) for i in bad[: max(room, 0)])
        return y_true[finite], y_score[finite], None if w is None else w[finite]

    def merge(self, other: State) -> State:
        """A new state equal to the state of both inputs' data together (exact: sums)."""
        if not isinstance(other, State) or self.signature() != other.signature():
            got = other.describe() if isinstance(other, State) else type(other).__name__
            raise ValueError(f"cannot merge a {self.describe()} with a {got}: states merge only "
                             "with states of the same task kind, classes, score kind and options")
        out = copy.copy(self)
        out.stats = self._merge_stats(self.stats, other.stats)
        out.n_rows = self.n_rows + other.n_rows
        out.score_min = min(self.score_min, other.score_min)
        out.score_max = max(self.score_max, other.score_max)
        out.label_min = min(self.label_min, other.label_min)
        out.label_max = max(self.label_max, other.label_max)
        out.n_nonfinite = self.n_nonfinite + other.n_nonfinite
        out.nonfinite_rows = sorted(self.nonfinite_rows + other.nonfinite_rows)[:MAX_NONFINITE_ROWS]
        return out

    def _merge_stats(self, a: dict, b: dict) -> dict:
        return {k: a[k] + b[k] for k in a}

    @property
    def total_weight(self) -> float:
        return float(self.stats["w_total"][0])

    @property
    def n_samples(self) -> int:
        return int(self.stats["n"][0])

    @property
    def weighted(self) -> bool:
        return bool(self.stats["weighted"][0] > 0)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict; `state_from_dict` rebuilds an equal state."""
        return {
            "kind": self.kind,
            "profile": self.profile.to_dict(),
            "top_k": list(self.top_k),
            "n_bins": self.n_bins,
            "n_rows": self.n_rows,
            "score_min": self.score_min,
            "score_max": self.score_max,
            "label_min": self.label_min,
            "label_max": self.label_max,
            "n_nonfinite": self.n_nonfinite,
            "nonfinite_rows": list(self.nonfinite_rows),
            "stats": {k: {"dtype": str(v.dtype), "data": v.tolist()}
                      for k, v in self.stats.items()},
        }

    @staticmethod
    def from_dict(d: dict) -> State:
        """Rebuild a state of the right kind from `to_dict()` output (same as
        `headcheck.engine.state_from_dict`)."""
        from headcheck.engine._run import state_from_dict

        return state_from_dict(d)

    def _restore(self, d: dict) -> None:
        for key in ("n_rows", "n_nonfinite"):
            setattr(self, key, int(d[key]))
        for key in ("score_min", "score_max", "label_min", "label_max"):
            setattr(self, key, float(d[key]))
        self.nonfinite_rows = [int(i) for i in d["nonfinite_rows"]]
        self.stats = {k: np.asarray(v["data"], dtype=v["dtype"]) for k, v in d["stats"].items()}


def profile_from_dict(d: dict) -> TaskProfile:
    fields = dict(d)
    for key in ("classes", "class_counts", "decisions"):
        fields[key] = tuple(fields.get(key, ()))
    return TaskProfile(**fields)


def check_weights(w: np.ndarray | None, n: int) -> None:
    if w is not None and w.shape != (n,):
        raise InputError(f"sample_weight must have one value per row, shape ({n},); got "
                         f"{describe_array(w)}. Pass a 1-D array as long as the labels.")
