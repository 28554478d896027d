"""Confidence intervals from a Poisson bootstrap computed in the pass itself.

A bootstrap replicate is the data resampled with replacement. The Poisson bootstrap draws a
weight ~ Poisson(1) (how often a row is drawn) instead, which needs no knowledge of N and keeps
every replicate a *weighted sum over rows*: replicate statistics are added chunk by chunk and
merged by summing, like every other statistic of a state (Hanley & MacGibbon 2006; Chamandy et
al. 2012, "Estimating uncertainty for massive data streams").

Random groups: a row's weight in replicate b is V[g(i), b], where g(i) is one of
`Replicates.buckets` groups (1024 by default), chosen by a hash of the seed and the row's global
index i, and V a (buckets, replicates) table of Poisson(1) weights. A state therefore keeps, for
every statistic a replicate needs, its sum per group (`boot`, shape (buckets, columns)); the
replicates are V' times those sums, computed once when the intervals are asked for. The pass
costs a few grouped sums per row whatever the number of replicates. Rows assigned to groups at
random make this the random-groups bootstrap (Wolter, "Introduction to Variance Estimation",
ch. 2): for a smooth statistic its variance is the row bootstrap's times (1 - 1/buckets), with a
relative spread of about sqrt(2 / buckets) (4 % of the variance, 2 % of an interval's width at
1024 groups; 200 replicates add about 5 %). Below a few thousand rows most groups hold one row
and it is the row bootstrap itself. `tests/test_bootstrap.py` checks the coverage on simulated
data, with sorted rows and groups of hundreds of rows.

Determinism: g(i) depends only on the seed and i, V only on the seed, so any chunking, any
number of threads and any executor (Dask) give the same weights (rows of shards, numbered within
their shard, are keyed by shard and row: `groups`' `part`); counts come out equal to the
bit, float sums up to summation order. Two states with the same seed see the same weights:
replicate b of model A and replicate b of model B are the same resample, which makes the
bootstrap of a difference *paired* (`headcheck.engine.paired`).

The weights: Poisson(1) to within 0.009 in each probability, with mean and variance exactly 1,
drawn from one random byte each (`CUTS`).

What a kernel hands over: the per-row quantities it computes anyway (correctness, log loss,
Brier, confidence, calibration cell, ...; names per task kind in `_binary`, `_multiclass`,
`_multilabel`) to `add`, which sums them per group (numpy's grouped sums; the numba kernel's
binary and multiclass rows in one compiled loop, its multi-label loop adds them itself). Metrics without a replicate here:
multiclass / multi-label ROC AUC and average precision (per-class histograms per group would
cost classes x bins x groups).

>>> import numpy as np
>>> from headcheck.engine import new_state
>>> from headcheck.task import TaskProfile
>>> s = new_state(TaskProfile("binary", 2, "integer", "probabilities", "column"),
...               replicates=Replicates(50, seed=1))
>>> r = np.random.default_rng(0)
>>> y = r.integers(0, 2, 500)
>>> _ = s.update(y, np.clip(y * .3 + r.random(500) * .7, 0, 1))
>>> lo, hi = interval(replicate_metrics(s)["accuracy"], 0.95)
>>> bool(lo < s.result().metrics["accuracy"] < hi)
True
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from headcheck.engine import _common as C
from headcheck.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.engine._state import State

DEFAULT_REPLICATES = 200
DEFAULT_BUCKETS = 1024
# The weights: W >= k exactly when a uniform byte u reaches CUTS[k - 1]. P(W = 0..5) = (95, 92,
# 49, 15, 4, 1) / 256: Poisson(1) (0.368, 0.368, 0.184, 0.061, 0.015, 0.004) to within 0.009,
# with mean and variance exactly 1 (what the bootstrap's variance rests on).
CUTS = np.array([95, 187, 236, 251, 255], dtype=np.uint8)
MAX_WEIGHT = len(CUTS)
# Binary ROC AUC / AP replicates keep score histograms coarsened to at most this many bins.
COARSE_AUC_BINS = 512
# Per-class group sums are kept while classes x groups stays within this many cells.
CLASS_CELL_BUDGET = 1 << 20
_REPLICATE_BLOCK = 256  # replicates turned from group sums into statistics at a time
KINDS = ("binary", "multiclass", "multilabel")  # the task kinds with replicates (not ordinal yet)


@dataclass(frozen=True)
class Replicates:
    """How many bootstrap replicates a state keeps, the seed of their weights, and the number
    of random groups of rows the weights are drawn for (a power of two)."""

    n: int = DEFAULT_REPLICATES
    seed: int = 0
    buckets: int = DEFAULT_BUCKETS

    def __post_init__(self) -> None:
        if not isinstance(self.n, (int, np.integer)) or not 10 <= int(self.n) <= 100_000:
            raise InputError(f"replicates: expected a whole number from 10 to 100000; got "
                             f"{self.n!r}. 200 (the default) gives 95% intervals to about 1/10 "
                             "of their width.")
        if not isinstance(self.seed, (int, np.integer)) or int(self.seed) < 0:
            raise InputError(f"seed: expected a non-negative whole number; got {self.seed!r}.")
        b = self.buckets
        if not isinstance(b, (int, np.integer)) or not 16 <= int(b) <= 1 << 16 or b & (b - 1):
            raise InputError(f"buckets: expected a power of two from 16 to 65536; got {b!r}.")


# --- the weights ---------------------------------------------------------------------------------
_MIX = (np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))
_GOLDEN = 0x9E3779B97F4A7C15
PART_SHIFT = 40  # rows of a part numbered within it: part << 40 + row


def _splitmix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser (uint64, in place): every input bit flips about half the output
    bits, so consecutive row indices land in unrelated groups."""
    z ^= z >> np.uint64(30)
    z *= _MIX[0]
    z ^= z >> np.uint64(27)
    z *= _MIX[1]
    z ^= z >> np.uint64(31)
    return z


_local = threading.local()


def groups(rep: Replicates, index: int | np.ndarray, n: int, part: int = 0) -> np.ndarray:
    """The random group (0 <= g < rep.buckets) of each of `n` rows: `index` is the global index
    of the first row (rows contiguous) or of every row; `part` numbers the part whose rows are
    numbered within it (shards: 1, 2, ...; 0 when rows are numbered globally). The models of a
    comparison fold the same rows one after the other: the last answer is kept per thread."""
    key = ((rep.seed, rep.buckets, int(index), n, part)
           if isinstance(index, (int, np.integer)) else None)
    last = getattr(_local, "groups", None)
    if key is not None and last is not None and last[0] == key:
        return last[1]
    if key is not None:
        z = np.arange(int(index), int(index) + n, dtype=np.uint64)
    else:
        z = np.asarray(index, dtype=np.int64).astype(np.uint64)
    # a part's rows (below 2**40 of them) get keys of their own: (part, row) never collide
    salt = (int(rep.seed) * _GOLDEN + _GOLDEN + (int(part) << PART_SHIFT)) % (1 << 64)
    z += np.uint64(salt)
    g = (_splitmix(z) & np.uint64(rep.buckets - 1)).astype(np.intp)
    if key is not None:
        _local.groups = (key, g)
    return g


@lru_cache(maxsize=8)
def table(rep: Replicates) -> np.ndarray:
    """The (buckets, n) uint8 Poisson weights of every group in every replicate (read-only)."""
    size = rep.buckets * rep.n
    bits = np.random.PCG64(np.random.SeedSequence([rep.seed, rep.buckets])).random_raw(
        -(-size // 8))
    u = bits.astype("<u8", copy=False).view(np.uint8)[:size]  # the same bytes on any byte order
    w = np.zeros(size, dtype=np.uint8)
    for cut in CUTS:
        w += u >= cut
    w = w.reshape(rep.buckets, rep.n)
    w.flags.writeable = False
    return w


def weights(rep: Replicates, rows: np.ndarray, part: int = 0) -> np.ndarray:
    """The (len(rows), rep.n) uint8 weights of the rows with these global indices (within part
    `part`, see `groups`): what a state's replicate b multiplies row i's sample weight by."""
    rows = np.asarray(rows, dtype=np.int64)
    return table(rep)[groups(rep, rows, len(rows), part)]


def state_groups(state: State, index: int | np.ndarray, n: int) -> np.ndarray:
    """`groups` of rows a state folds (`state.part`: the part its rows are numbered in)."""
    return groups(state.replicates, index, n, state.part)


# --- what a kernel hands over --------------------------------------------------------------------
class Rows:
    """Per-row quantities of one chunk, filled block by block by a kernel (`put` at `lo`)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.lo = 0
        self.arrays: dict[str, np.ndarray] = {}

    def put(self, **values: Any) -> None:
        for name, v in values.items():
            if v is None:  # not computed for this state (e.g. histogram keys without AUC)
                continue
            v = np.asarray(v)
            arr = self.arrays.get(name)
            if arr is None:
                arr = self.arrays[name] = np.empty((self.n, *v.shape[1:]), dtype=v.dtype)
            arr[self.lo:self.lo + len(v)] = v


# --- the layout of the group sums ----------------------------------------------------------------
def coarsening(shift: int | None) -> int | None:
    """Bits dropped from the binary AUC histogram keys for the replicates (None: no AUC)."""
    if shift is None:
        return None
    bins, r = C.n_auc_bins(shift), 0
    while (bins - 1) >> r >= COARSE_AUC_BINS:
        r += 1
    return r


def per_class(state: State) -> bool:
    """Whether the replicates keep per-class (per-label) counts: within CLASS_CELL_BUDGET."""
    return (state.kind != "binary"
            and state.profile.n_classes * state.replicates.buckets <= CLASS_CELL_BUDGET)


def columns(state: State) -> dict[str, tuple[int, tuple[int, ...]]]:
    """The statistics the replicates carry: name -> (first column in `boot`, shape of the
    statistic as the state keeps it). Kept on the state (its layout never changes)."""
    cols = state.__dict__.get("_boot_columns")
    if cols is None:
        cols = state.__dict__["_boot_columns"] = _columns(state)
    return cols


def _columns(state: State) -> dict[str, tuple[int, tuple[int, ...]]]:
    if state.kind not in KINDS:
        return {}  # ordinal targets: no replicates yet
    K, nb = state.profile.n_classes, state.n_bins
    prob = state.profile.is_probabilistic
    shapes: dict[str, tuple[int, ...]] = {"w_total": (1,)}
    if state.kind == "binary":
        shapes["cm_honest"] = (4,)
        if prob and state.shift is not None:
            bins = ((C.n_auc_bins(state.shift) - 1) >> coarsening(state.shift)) + 1
            shapes.update(auc_pos=(bins,), auc_all=(bins,))
    elif state.kind == "multiclass":
        shapes["correct"] = (1,)
        if per_class(state):
            shapes.update(support=(K,), predicted=(K,), tp=(K,))
        if state.profile.score_kind != "hard":
            shapes["topk"] = (len(state.ks),)
    else:
        shapes.update(exact_honest=(1,), jaccard=(1,))
        if per_class(state):
            shapes.update(support=(K,), tp_honest=(K,), pred_honest=(K,))
    if prob:
        # multi-label: log loss and Brier are totals over the labels (the metrics use the sum)
        shapes.update(logloss=(1,), brier=(1,), cal_w=(nb,), cal_conf=(nb,), cal_acc=(nb,))
    out, at = {}, 0
    for name, shape in shapes.items():
        out[name] = (at, shape)
        at += int(np.prod(shape))
    return out


def layout(state: State) -> dict[str, np.ndarray]:
    """The empty group sums of a state: `boot`, (buckets, columns)."""
    cols = columns(state)
    if not cols:
        return {}
    width = sum(int(np.prod(shape)) for _, shape in cols.values())
    return {"boot": np.zeros((state.replicates.buckets, width))}


# --- accumulating --------------------------------------------------------------------------------
class _Sums:
    """Adds a chunk's per-row values to the group sums with numpy's grouped sums: `rows` adds
    columns of values (1-D, or 2-D with one column per cell of the statistic), `keyed` adds each
    row's weight (times a value) to the cell its key names (2-D keys: every cell of a row
    counts). Rows are weighted by the sample weights `w`. The reference: the numba kernel's
    compiled loops give the same sums (`kernels.testing.assert_kernels_agree`)."""

    def __init__(self, state: State, g: np.ndarray, w: np.ndarray | None) -> None:
        self.boot, self.cols, self.g, self.w = state.stats["boot"], columns(state), g, w

    def rows(self, **values: np.ndarray) -> None:
        for name, v in values.items():
            at = self.cols[name][0]
            v = np.asarray(v)
            v = v.reshape(len(v), -1)
            if v.shape[1] <= 8:
                M = len(self.boot)
                for j in range(v.shape[1]):
                    col = v[:, j] if self.w is None else v[:, j] * self.w
                    self.boot[:, at + j] += np.bincount(self.g, weights=col, minlength=M)
            else:
                v = v.astype(np.float64) if self.w is None else v * self.w[:, None]
                order = np.argsort(self.g.astype(np.uint16), kind="stable")  # a radix sort
                gs = self.g[order]
                starts = np.flatnonzero(np.r_[True, gs[1:] != gs[:-1]])
                self.boot[gs[starts], at:at + v.shape[1]] += np.add.reduceat(v[order], starts)

    def keyed(self, name: str, keys: np.ndarray, values: np.ndarray | None = None) -> None:
        at, shape = self.cols[name]
        width = math.prod(shape)
        keys = np.asarray(keys, dtype=np.int64)
        M = len(self.boot)
        per = 1 if keys.ndim == 1 else keys.shape[1]
        cell = (np.repeat(self.g, per) if per > 1 else self.g) * width + keys.ravel()
        wt = None if self.w is None else (np.repeat(self.w, per) if per > 1 else self.w)
        if values is not None:
            v = np.asarray(values, dtype=np.float64).ravel()
            wt = v if wt is None else v * wt
        self.boot[:, at:at + width] += np.bincount(cell, weights=wt, minlength=M * width
                                                   ).reshape(M, width)


def _w(w: np.ndarray | None) -> np.ndarray:
    return np.zeros(0) if w is None else np.ascontiguousarray(w, dtype=np.float64)


@lru_cache(maxsize=1)
def _load_numba() -> Any:
    from headcheck.engine.kernels import _boot_numba

    return _boot_numba


def add(state: State, y: np.ndarray, rows: dict[str, np.ndarray], w: np.ndarray | None,
        index: int | np.ndarray) -> None:
    """Add one chunk's per-group sums: `rows` are the kernel's per-row quantities of the chunk's
    finite rows, `index` the global index of its first row (int) or of every row."""
    fold = {"binary": _binary, "multiclass": _multiclass, "multilabel": _multilabel}.get(state.kind)
    if fold is None or rows is None or len(y) == 0:
        return
    g = state_groups(state, index, len(y))
    if state.kernel.name == "numba" and state.kind in ("binary", "multiclass"):
        _fused(state, np.asarray(y), rows, g, w)
        return
    fold(state, np.asarray(y), rows, _Sums(state, g, w))


# The statistics the compiled per-kind loops add (`_boot_numba.binary` / `.multiclass`, and the
# numba kernel's multi-label loop itself), in the order of their `at` argument.
FUSED_COLUMNS = {
    "binary": ("w_total", "cm_honest", "logloss", "brier", "cal_w", "cal_conf", "cal_acc",
               "auc_pos", "auc_all"),
    "multiclass": ("w_total", "correct", "topk", "support", "predicted", "tp", "logloss", "brier",
                   "cal_w", "cal_conf", "cal_acc"),
    "multilabel": ("w_total", "exact_honest", "jaccard", "logloss", "brier", "cal_w", "cal_conf",
                   "cal_acc", "support", "tp_honest", "pred_honest"),
}


def fused_columns(state: State) -> np.ndarray:
    """The `at` argument of a compiled loop: the first column in `boot` of each statistic in
    FUSED_COLUMNS order (-1 where the state keeps none)."""
    cols = columns(state)
    return np.array([cols[name][0] if name in cols else -1 for name in FUSED_COLUMNS[state.kind]],
                    dtype=np.int64)


def _fused(state: State, y: np.ndarray, rows: dict, g: np.ndarray, w: np.ndarray | None) -> None:
    """`add` for the numba kernel's binary and multiclass states: one compiled loop adds every
    statistic (the same sums as `_binary` / `_multiclass` through `_Sums`)."""
    at = fused_columns(state)
    nb, boot, impl = state.n_bins, state.stats["boot"], _load_numba()
    empty_f, empty_i = np.zeros(0), np.zeros(0, np.int64)
    y = np.ascontiguousarray(y, dtype=np.int64)
    get = rows.get
    if state.kind == "multiclass":
        impl.multiclass(boot, g, y, rows["pred"], get("greater", empty_i),
                        np.asarray(state.ks, np.int64), get("nll", empty_f),
                        get("brier", empty_f), get("conf", empty_f), get("cal", empty_i), nb,
                        _w(w), w is not None, at)
    else:
        impl.binary(boot, g, y, rows["pred"], get("nll", empty_f), get("sq", empty_f),
                    get("conf", empty_f), get("cal", empty_i), get("key", empty_i),
                    coarsening(state.shift) or 0, nb, _w(w), w is not None, at)


def _calibration(rows: dict, sums: _Sums, nb: int) -> None:
    """Calibration: weight, correct weight and confidence sum per bin, from each row's (or each
    label's) cell bin + n_bins * correct (`_common.calibration_keys`) and confidence."""
    cell = np.asarray(rows["cal"], dtype=np.int64)
    right = cell >= nb
    b = cell - nb * right
    sums.keyed("cal_w", b)
    sums.keyed("cal_acc", b, right)
    sums.keyed("cal_conf", b, rows["conf"])


def _binary(state: State, y: np.ndarray, rows: dict, sums: _Sums) -> None:
    y = y.astype(np.int64, copy=False)
    sums.rows(w_total=np.ones((len(y), 1), np.bool_))
    sums.keyed("cm_honest", 2 * y + np.asarray(rows["pred"], dtype=np.int64))
    if state.profile.is_probabilistic:
        sums.rows(logloss=rows["nll"], brier=rows["sq"])
        _calibration(rows, sums, state.n_bins)
    if "auc_pos" in sums.cols:
        key = np.asarray(rows["key"], dtype=np.int64) >> coarsening(state.shift)
        sums.keyed("auc_all", key)
        sums.keyed("auc_pos", key, y == 1)


def _multiclass(state: State, y: np.ndarray, rows: dict, sums: _Sums) -> None:
    y = y.astype(np.int64, copy=False)
    pred = np.asarray(rows["pred"], dtype=np.int64)
    correct = pred == y
    sums.rows(w_total=np.ones((len(y), 1), np.bool_), correct=correct)
    if "topk" in sums.cols:
        greater = np.asarray(rows["greater"])
        sums.rows(topk=np.stack([greater < k for k in state.ks], axis=1))
    if state.profile.is_probabilistic:
        sums.rows(logloss=rows["nll"], brier=rows["brier"])
        _calibration(rows, sums, state.n_bins)
    if "support" in sums.cols:
        sums.keyed("support", y)
        sums.keyed("tp", y, correct)
        sums.keyed("predicted", pred)


def _multilabel(state: State, y: np.ndarray, rows: dict, sums: _Sums) -> None:
    sums.rows(w_total=np.ones((len(y), 1), np.bool_), exact_honest=rows["exact"],
              jaccard=rows["jaccard"])
    if state.profile.is_probabilistic:
        sums.rows(logloss=rows["nll"], brier=rows["sq"])
        _calibration(rows, sums, state.n_bins)
    if "support" in sums.cols:
        yb, pred = y.astype(bool, copy=False), np.asarray(rows["pred"], dtype=bool)
        sums.rows(support=yb, tp_honest=yb & pred, pred_honest=pred)


# --- from replicates to intervals --------------------------------------------------------------
def replicate_sums(state: State, first: int = 0, stop: int | None = None) -> np.ndarray:
    """(replicates first..stop, columns): each replicate's statistics, V' times the group sums."""
    V = table(state.replicates)[:, first:stop]
    return V.T.astype(np.float64) @ state.stats["boot"]


def replicate_stats(state: State, b: int, sums: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Replicate b's statistics under the state's names (what `State.metrics_of` reads);
    `sums`: a row of `replicate_sums` when already computed."""
    row = replicate_sums(state, b, b + 1)[0] if sums is None else sums
    return {name: row[at:at + size].reshape(shape) for name, at, size, shape in _slices(state)}


def _slices(state: State) -> list[tuple[str, int, int, tuple[int, ...]]]:
    return [(name, at, math.prod(shape), shape) for name, (at, shape) in columns(state).items()]


def replicate_metrics(state: State) -> dict[str, np.ndarray]:
    """Every metric the replicates carry: metric id -> (replicates,) values (NaN where a
    replicate leaves it undefined, e.g. no weight at all)."""
    if state.replicates is None or "boot" not in state.stats:
        return {}
    out: dict[str, list[float]] = {}
    B = state.replicates.n
    for first in range(0, B, _REPLICATE_BLOCK):
        R = replicate_sums(state, first, min(B, first + _REPLICATE_BLOCK))
        for j, row in enumerate(R):
            st = replicate_stats(state, first + j, row)
            values = state.metrics_of(st) if st["w_total"][0] > 0 else {}
            for k, v in values.items():
                out.setdefault(k, [float("nan")] * B)[first + j] = v
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in out.items()}
    if "auc_pos" in columns(state):
        _shift_coarse_auc(state, arrays)
    return arrays


def _shift_coarse_auc(state: State, arrays: dict[str, np.ndarray]) -> None:
    """Replicate AUC / AP come from coarser histograms than the point estimate: move them by the
    difference the coarsening makes on the whole data (the binning bias), so the intervals sit
    around the reported value."""
    r, st = coarsening(state.shift), state.stats
    keys = np.arange(len(st["auc_pos"])) >> r
    bins = columns(state)["auc_pos"][1][0]
    pos = np.bincount(keys, weights=st["auc_pos"], minlength=bins)
    allw = np.bincount(keys, weights=st["auc_all"], minlength=bins)
    auc_c, ap_c, _ = C.auc_from_hist(pos, allw - pos)
    auc, ap, _ = C.auc_from_hist(st["auc_pos"], st["auc_all"] - st["auc_pos"])
    for name, fine, coarse in (("roc_auc", auc, auc_c), ("average_precision", ap, ap_c)):
        if name in arrays and np.isfinite(fine) and np.isfinite(coarse):
            # kept within [0, 1]: a replicate near 1 moved by the bias must not pass it
            arrays[name] = np.clip(arrays[name] + (fine - coarse), 0.0, 1.0)


def interval(values: np.ndarray, level: float) -> tuple[float, float]:
    """The percentile interval of replicate values at `level` (NaN replicates left out)."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if len(v) < 2:
        return float("nan"), float("nan")
    a = (1.0 - level) / 2
    lo, hi = np.quantile(v, [a, 1.0 - a])
    return float(lo), float(hi)


def requested(ci: float | bool | None, replicates: int, seed: int
              ) -> tuple[float | None, Replicates | None]:
    """(level, Replicates) of a `ci=` option as `report` takes it; (None, None) without one."""
    if ci is None or ci is False:
        return None, None
    return check_level(ci), Replicates(int(replicates), int(seed))


def check_level(level: float) -> float:
    """A confidence level in (0, 1) (True means 0.95)."""
    if level is True:
        return 0.95
    try:
        value = float(level)
    except (TypeError, ValueError):
        value = float("nan")
    if not 0.5 <= value < 1.0:
        raise InputError(f"ci: expected a confidence level from 0.5 to 0.999 (e.g. 0.95); got "
                         f"{level!r}.")
    return value


@dataclass(frozen=True)
class Interval:
    """A confidence interval of one metric: bounds, level and how it was computed."""

    ci_low: float
    ci_high: float
    level: float
    method: str = "bootstrap"

    def to_dict(self) -> dict[str, Any]:
        return {"ci_low": self.ci_low, "ci_high": self.ci_high, "level": self.level,
                "method": self.method}


def intervals(state: State, level: float,
              values: dict[str, np.ndarray] | None = None) -> dict[str, Interval]:
    """Percentile bootstrap intervals of every metric the state's replicates carry (`values`:
    `replicate_metrics(state)` when already computed)."""
    out = {}
    for name, values in (replicate_metrics(state) if values is None else values).items():
        lo, hi = interval(values, level)
        out[name] = Interval(lo, hi, level)
    return out


def describe(rep: Replicates, level: float) -> str:
    """One sentence saying how the intervals were computed."""
    return (f"{level:.0%} intervals: percentile bootstrap over {rep.n} replicates (Poisson "
            f"weights on {rep.buckets} random groups of rows, seed {rep.seed}) computed in the "
            "same pass; multi-class and "
            "multi-label roc_auc / average_precision have none.")
