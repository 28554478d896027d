"""The state base class: mergeable sufficient statistics, non-finite rows, (de)serialising."""
from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import numpy as np

from headcheck.engine import _common as C
from headcheck.engine.kernels import MAX_NONFINITE_ROWS, Kernel, get_kernel
from headcheck.errors import InputError, describe_array
from headcheck.task import TaskProfile

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.engine.bootstrap import Replicates


class State:
    """Base of the per-task states: the statistics a pass keeps, and what they mean.

    A subclass declares its statistics layout in `_empty_stats` (name -> array, merged by summing
    unless `_merge_stats` says otherwise), validates canonical chunks in `_check` and turns the
    statistics into an EngineResult in `result`. The layout is the contract of the kernels
    (`headcheck.engine.kernels`): a kernel fills it from canonical chunks; `kernel` is the one
    this state's `update` uses (name, Kernel, or None for the default). States filled by
    different kernels merge and serialise alike: the kernel is not part of a state's data.
    """

    kind = ""

    def __init__(self, profile: TaskProfile, top_k: tuple[int, ...] = (5,), n_bins: int = 15,
                 kernel: str | Kernel | None = None, replicates: Replicates | None = None,
                 auc: bool = True):
        if profile.kind != self.kind:
            raise ValueError(f"a {type(self).__name__} needs a {self.kind} profile, "
                             f"got {profile.kind}")
        self.profile = profile
        self.kernel = get_kernel(kernel)
        # bootstrap replicates (headcheck.engine.bootstrap) need the kernel's per-row quantities
        self.replicates = replicates
        if replicates is not None and not self.kernel.rows:
            self.kernel = get_kernel("numpy")
        self.top_k = tuple(sorted({int(k) for k in top_k}))
        self.n_bins = int(n_bins)
        self.auc = bool(auc)  # False: no rank statistics (ROC AUC / AP), the cheapest pass
        self.n_rows = 0  # rows seen, non-finite ones included (global row numbering)
        # the part (1, 2, ...) whose rows this state folds when they are numbered within it (a
        # shard): keys its rows' bootstrap groups (`bootstrap.groups`); 0: rows numbered globally
        self.part = 0
        self.score_min = float("inf")
        self.score_max = float("-inf")
        self.label_min = float("inf")
        self.label_max = float("-inf")
        self.n_nonfinite = 0
        self.nonfinite_rows: list[int] = []
        self.stats: dict[str, np.ndarray] = {"n": np.zeros(1), "w_total": np.zeros(1),
                                             "weighted": np.zeros(1), **self._empty_stats()}
        if replicates is not None:
            from headcheck.engine.bootstrap import layout

            self.stats.update(layout(self))

    # --- to be provided by subclasses ---------------------------------------------------------
    def _empty_stats(self) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def _check(self, y_true, y_score, w) -> None:
        """Raise InputError when a chunk is not canonical for this state."""
        raise NotImplementedError

    def metrics_of(self, st: dict[str, np.ndarray], notes: list[str] | None = None,
                   bounds: dict[str, float] | None = None) -> dict[str, float]:
        """The metrics of statistics laid out as this state's: its own, or one bootstrap
        replicate's (`bootstrap.replicate_stats`, which may lack some statistics: the metrics
        they feed are then left out). `notes` / `bounds` collect what `result` shows."""
        raise NotImplementedError

    def _scores_vary(self) -> bool:
        """Whether any two scores differed: a constant score (a softmax over one unit outputs
        exactly 1.0) leaves no threshold to choose, so there is no threshold analysis."""
        return self.score_min < self.score_max

    # --- the public API -------------------------------------------------------------------------
    def signature(self) -> tuple:
        """What two states must share to be merged."""
        p = self.profile
        return (self.kind, p.n_classes, p.score_kind, p.score_layout, p.threshold, self.top_k,
                self.n_bins, self.replicates, self.auc)

    def describe(self) -> str:
        p = self.profile
        return (f"{self.kind} state ({p.n_classes} classes, {p.score_kind} scores, "
                f"layout {p.score_layout})")

    def update(self, y_true: np.ndarray, y_score: np.ndarray,
               sample_weight: np.ndarray | None = None,
               offset: int | None = None) -> dict[str, np.ndarray] | None:
        """Add one canonical chunk (through this state's kernel). `offset` is the global index of
        its first row (default: the number of rows this state has seen), used to report rows with
        non-finite scores. With replicates, returns the chunk's per-row quantities (finite rows;
        `headcheck.engine.bootstrap`)."""
        return self.kernel.update(self, y_true, y_score, sample_weight, offset)

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

    def absorb(self, other: State) -> State:
        """`merge` into this state, in place where the arrays allow (no copies of the histograms):
        for an executor that owns both states. Returns self."""
        merged = self.merge(other) if not self._absorbable(other) else None
        if merged is not None:
            self.__dict__.update(merged.__dict__)
            return self
        for k, v in other.stats.items():
            if not k.startswith("conf_"):
                self.stats[k] += v
        conf = {k: v for k, v in self.stats.items() if k.startswith("conf_")}
        if conf:
            self.stats.update(self._merge_stats(conf, {k: other.stats[k] for k in conf}))
        self.n_rows += other.n_rows
        self.score_min = min(self.score_min, other.score_min)
        self.score_max = max(self.score_max, other.score_max)
        self.label_min = min(self.label_min, other.label_min)
        self.label_max = max(self.label_max, other.label_max)
        self.n_nonfinite += other.n_nonfinite
        self.nonfinite_rows = sorted(self.nonfinite_rows + other.nonfinite_rows)[:MAX_NONFINITE_ROWS]
        return self

    def _absorbable(self, other: State) -> bool:
        """Same signature, and every array adds in place without changing its dtype."""
        return (isinstance(other, State) and self.signature() == other.signature()
                and self.stats.keys() == other.stats.keys()
                and all(k.startswith("conf_") or (a.shape == other.stats[k].shape and
                                                  np.result_type(a, other.stats[k]) == a.dtype)
                        for k, a in self.stats.items()))

    def _merge_stats(self, a: dict, b: dict) -> dict:
        return {k: a[k] + b[k] for k in a}

    def auc_shift(self, width: int) -> int | None:
        """The AUC histogram's key shift for `width` classes or labels (None: no rank
        statistics: hard scores, or `auc=False`)."""
        return C.auc_shift(width) if self.auc and self.profile.is_probabilistic else None

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
            "replicates": None if self.replicates is None else [
                self.replicates.n, self.replicates.seed, self.replicates.buckets],
            "auc": self.auc,
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
    for key in ("classes", "class_counts", "decisions", "label_values"):
        fields[key] = tuple(fields.get(key, ()))
    return TaskProfile(**fields)


def check_weights(w: np.ndarray | None, n: int) -> None:
    if w is not None and w.shape != (n,):
        raise InputError(f"sample_weight must have one value per row, shape ({n},); got "
                         f"{describe_array(w)}. Pass a 1-D array as long as the labels.")
