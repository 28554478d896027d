"""Confidence intervals from a Poisson bootstrap computed in the pass itself.

A bootstrap replicate is the data resampled with replacement. The Poisson bootstrap draws, for
every row i and replicate b, a weight W[i, b] ~ Poisson(1) (how often row i is drawn) instead,
which needs no knowledge of N and keeps every replicate a *weighted sum over rows*: each
replicate's statistics are the state's statistics under the sample weights w_i * W[i, b], so
they are added chunk by chunk and merged by summing, like every other statistic of a state
(Hanley & MacGibbon 2006; Chamandy et al. 2012, "Estimating uncertainty for massive data
streams"). A state created with `Replicates(n, seed)` keeps them as `rep_<statistic>` arrays of
shape (n, *shape of the statistic); `replicate_metrics` turns each replicate into the state's
own metrics (`State.metrics_of`), `interval` into percentile intervals.

Determinism: W[i, b] depends only on the seed and the row's global index i (rows are grouped in
blocks of BLOCK_ROWS; block k's weights come from PCG64 seeded with SeedSequence([seed, k])), so
any chunking, any number of threads and any executor (Dask) give the same weights; counts come
out equal to the bit, float sums up to summation order. Two states with the same seed see the
same W: replicate b of model A and replicate b of model B are the same resample, which makes the
bootstrap of a difference *paired* (`headcheck.engine.paired`).

The weights: Poisson(1) to within 0.009 in each probability, with mean and variance exactly 1,
drawn from one random byte each (`CUTS`).

Cost: the kernel hands the per-row quantities it computes anyway (correctness, log loss, Brier,
confidence, ...) to `add`; per block of rows, one matrix product of those columns with the
block's weights gives every sum-type statistic for all replicates, and a grouped sum gives the
per-class counts. Metrics without a replicate here: multiclass / multi-label ROC AUC and average
precision (per-class histograms per replicate would cost classes x bins x replicates).

>>> import numpy as np
>>> from headcheck.engine import new_state
>>> from headcheck.task import TaskProfile
>>> s = new_state(TaskProfile("binary", 2, "integer", "probabilities", "column"),
...               replicates=Replicates(50, seed=1))
>>> r = np.random.default_rng(0)
>>> y = r.integers(0, 2, 500); s.update(y, np.clip(y * .3 + r.random(500) * .7, 0, 1))
>>> lo, hi = interval(replicate_metrics(s)["accuracy"], 0.95)
>>> bool(lo < s.result().metrics["accuracy"] < hi)
True
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from headcheck.engine import _common as C
from headcheck.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.engine._state import State

BLOCK_ROWS = 4096  # rows per block of weights
DEFAULT_REPLICATES = 200
# The weights: W >= k exactly when a uniform byte u reaches CUTS[k - 1]. P(W = 0..5) = (95, 92,
# 49, 15, 4, 1) / 256: Poisson(1) (0.368, 0.368, 0.184, 0.061, 0.015, 0.004) to within 0.009,
# with mean and variance exactly 1 (what the bootstrap's variance rests on). A byte per weight
# keeps the drawing cheap: it is most of the bootstrap's cost after the grouped sums.
CUTS = np.array([95, 187, 236, 251, 255], dtype=np.uint8)
MAX_WEIGHT = len(CUTS)
BYTE_RUN = 255 // MAX_WEIGHT  # rows whose weights always sum within a byte
# Binary ROC AUC / AP replicates keep score histograms coarsened to at most this many bins.
COARSE_AUC_BINS = 2048
# Per-class replicate counts are kept while classes x replicates stays within this many cells.
CLASS_CELL_BUDGET = 1 << 20
_CACHE_BLOCKS = 20  # blocks of weights a thread keeps (a chunk of 65,536 rows is 16 blocks)
KINDS = ("binary", "multiclass", "multilabel")  # the task kinds with replicates (not ordinal yet)


@dataclass(frozen=True)
class Replicates:
    """How many bootstrap replicates a state keeps, and the seed of their weights."""

    n: int = DEFAULT_REPLICATES
    seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.n, (int, np.integer)) or not 10 <= int(self.n) <= 100_000:
            raise InputError(f"replicates: expected a whole number from 10 to 100000; got "
                             f"{self.n!r}. 200 (the default) gives 95% intervals to about 1/10 "
                             "of their width.")
        if not isinstance(self.seed, (int, np.integer)) or int(self.seed) < 0:
            raise InputError(f"seed: expected a non-negative whole number; got {self.seed!r}.")

    @property
    def lanes(self) -> int:
        """Replicates drawn per row: `n` rounded up to a multiple of 8 (eight byte lanes of a
        uint64 add at once in the grouped sums); the extra ones are never used."""
        return -(-self.n // 8) * 8


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """BLAS limited to one thread while a pass with replicates runs: the replicates' matrix
    products run inside the executor's worker threads, and a multi-threaded BLAS called from
    several threads at once oversubscribes the cores (five times slower on a busy 2-core
    machine). Needs threadpoolctl (a dependency); without it, BLAS is left as it is."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


# --- the weights ---------------------------------------------------------------------------------
_local = threading.local()


def block_weights(rep: Replicates, block: int) -> np.ndarray:
    """The (BLOCK_ROWS, rep.lanes) uint8 weights of rows block * BLOCK_ROWS... (cached per
    thread: the models of a comparison fold the same rows one after the other)."""
    cache: OrderedDict = getattr(_local, "cache", None) or OrderedDict()
    _local.cache = cache
    key = (rep.lanes, rep.seed, block)
    hit = cache.get(key)
    if hit is not None:
        cache.move_to_end(key)
        return hit
    bits = np.random.PCG64(np.random.SeedSequence([rep.seed, block])).random_raw(
        BLOCK_ROWS * rep.lanes // 8)
    u = bits.astype("<u8", copy=False).view(np.uint8)  # the same bytes on any byte order
    w = np.greater_equal(u, CUTS[0]).view(np.uint8)
    step = np.empty(u.shape, dtype=bool)
    for cut in CUTS[1:]:
        np.greater_equal(u, cut, out=step)
        w += step.view(np.uint8)
    w = w.reshape(BLOCK_ROWS, rep.lanes)
    cache[key] = w
    if len(cache) > _CACHE_BLOCKS:
        cache.popitem(last=False)
    return w


def weights(rep: Replicates, rows: np.ndarray) -> np.ndarray:
    """The (len(rows), rep.n) uint8 weights of the rows with these global indices (ascending):
    what a state's replicate b multiplies row i's sample weight by."""
    rows = np.asarray(rows, dtype=np.int64)
    out = np.empty((len(rows), rep.n), dtype=np.uint8)
    for sl, w8 in _pieces(rep, rows, len(rows)):
        out[sl] = w8[:, :rep.n]
    return out


def _pieces(rep: Replicates, index: int | np.ndarray, n: int):
    """(positions in the chunk, uint8 weights) per block of weights: `index` is the global index
    of the chunk's first row (rows contiguous) or of every row (some rows were dropped)."""
    if isinstance(index, (int, np.integer)):
        pos, start = 0, int(index)
        while pos < n:
            block, off = divmod(start + pos, BLOCK_ROWS)
            take = min(n - pos, BLOCK_ROWS - off)
            yield slice(pos, pos + take), block_weights(rep, block)[off:off + take]
            pos += take
        return
    index = np.asarray(index, dtype=np.int64)
    blocks = index // BLOCK_ROWS
    cuts = np.flatnonzero(np.diff(blocks)) + 1
    for a, b in zip(np.r_[0, cuts], np.r_[cuts, n]):
        w = block_weights(rep, int(blocks[a]))[index[a:b] - blocks[a] * BLOCK_ROWS]
        yield slice(int(a), int(b)), w


class _Block:
    """The weights of one block of rows, in the two forms the sums need: float32 (times the
    sample weights) for products with per-row values, and, without sample weights, the bytes
    themselves, eight replicates to a uint64, for grouped counts: runs of up to BYTE_RUN rows
    add in byte lanes (their sum fits a byte), then the runs of a group in 16-bit lanes (a
    block's counts stay below 2**16: BLOCK_ROWS times at most MAX_WEIGHT)."""

    def __init__(self, w8: np.ndarray, w: np.ndarray | None, n: int) -> None:
        self.w8, self.w, self.n = w8, w, n
        self._f32: np.ndarray | None = None

    @property
    def f32(self) -> np.ndarray:
        if self._f32 is None:
            f = self.w8[:, :self.n].astype(np.float32)
            if self.w is not None:
                f *= self.w[:, None].astype(np.float32)
            self._f32 = f
        return self._f32

    def grouped(self, keys: np.ndarray, groups: int, rows: np.ndarray | None = None) -> np.ndarray:
        """(groups, replicates) sums of the weights of `rows` (default: every row) by their key
        (0 <= key < groups)."""
        out = np.zeros((groups, self.n), dtype=np.float64)
        if len(keys) == 0:
            return out
        narrow = keys.astype(np.uint16) if groups <= 1 << 16 else keys
        order = np.argsort(narrow, kind="stable")  # a radix sort on 16-bit keys
        k = narrow[order]
        starts = _changes(k)
        if rows is not None:
            order = rows[order]
        if self.w is None:
            runs = np.union1d(starts, np.arange(0, len(k), BYTE_RUN))  # within one group each
            rows8 = np.ascontiguousarray(self.w8).view(np.uint64).take(order, axis=0)
            part = np.add.reduceat(rows8, runs, axis=0).view(np.uint8).astype(np.uint16)
            rk = k[runs]
            first = _changes(rk)
            sums = np.add.reduceat(part.view(np.uint64), first, axis=0).view(np.uint16)
            out[rk[first]] = sums[:, :self.n]
        else:
            out[k[starts]] = np.add.reduceat(self.f32.take(order, axis=0), starts, axis=0)
        return out


def _changes(k: np.ndarray) -> np.ndarray:
    """Positions where a sorted key array starts a new value (0 included)."""
    new = np.empty(len(k), dtype=bool)
    new[0] = True
    np.not_equal(k[1:], k[:-1], out=new[1:])
    return np.flatnonzero(new)


# --- what a kernel hands over --------------------------------------------------------------------
class Rows:
    """Per-row quantities of one chunk, filled block by block by a kernel (`put` at `lo`)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.lo = 0
        self.arrays: dict[str, np.ndarray] = {}

    def put(self, **values: Any) -> None:
        for name, v in values.items():
            v = np.asarray(v)
            arr = self.arrays.get(name)
            if arr is None:
                arr = self.arrays[name] = np.empty((self.n, *v.shape[1:]), dtype=v.dtype)
            arr[self.lo:self.lo + len(v)] = v


# --- the layout of the replicate statistics --------------------------------------------------------
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
    return state.kind != "binary" and state.profile.n_classes * state.replicates.n <= CLASS_CELL_BUDGET


def layout(state: State) -> dict[str, np.ndarray]:
    """The empty replicate statistics of a state: `rep_<name>` of shape (replicates, *shape)."""
    if state.kind not in KINDS:
        return {}  # ordinal targets: no replicates yet
    B, K, nb = state.replicates.n, state.profile.n_classes, state.n_bins
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
    return {f"rep_{k}": np.zeros((B, *v)) for k, v in shapes.items()}


# --- accumulating --------------------------------------------------------------------------------
def add(state: State, y: np.ndarray, rows: dict[str, np.ndarray], w: np.ndarray | None,
        index: int | np.ndarray) -> None:
    """Add one chunk's replicate statistics: `rows` are the kernel's per-row quantities of the
    chunk's finite rows, `index` the global index of its first row (int) or of every row."""
    fold = {"binary": _binary, "multiclass": _multiclass, "multilabel": _multilabel}.get(state.kind)
    if fold is None or rows is None:
        return
    rep = state.replicates
    for sl, w8 in _pieces(rep, index, len(y)):
        block = _Block(w8, None if w is None else w[sl], rep.n)
        fold(state, y[sl], {k: v[sl] for k, v in rows.items()}, block)


def _sums(st: dict, columns: dict[str, np.ndarray], block: _Block) -> None:
    """rep_<name> += column' W for every named per-row column, in one matrix product; a 2-D
    column (m, c) adds to a statistic of c cells."""
    names, parts = [], []
    for name, col in columns.items():
        col = np.asarray(col, dtype=np.float32)
        names.append((name, 1 if col.ndim == 1 else col.shape[1]))
        parts.append(col.reshape(len(col), -1))
    R = (np.concatenate(parts, axis=1).T @ block.f32).astype(np.float64).T  # (B, columns)
    at = 0
    for name, width in names:
        st[f"rep_{name}"] += R[:, at:at + width]
        at += width


def _calibration(st: dict, rows: dict, block: _Block, cols: dict) -> None:
    """Calibration replicates: weight and correct weight per bin as grouped counts of the cells
    bin + n_bins * correct (`_common.calibration_keys`); the confidence sum per bin as columns
    (a row's confidence in its bin's column) of the product. Multi-label rows count each label."""
    nb = st["rep_cal_w"].shape[1]
    keys, conf = rows["cal"], rows["conf"]
    m = len(keys)
    if keys.ndim == 1:
        cells = block.grouped(keys, 2 * nb)
        spread = np.zeros((m, nb), dtype=np.float32)
        spread[np.arange(m), keys % nb] = conf
    else:  # per row: the labels' weight per cell and confidence per bin
        flat = (np.arange(m)[:, None] * (2 * nb) + keys).ravel()
        per_row = np.bincount(flat, minlength=m * 2 * nb).reshape(m, 2 * nb)
        cells = (per_row.astype(np.float32).T @ block.f32).astype(np.float64)
        binned = (np.arange(m)[:, None] * nb + keys % nb).ravel()
        spread = np.bincount(binned, weights=conf.ravel(), minlength=m * nb).reshape(m, nb)
    st["rep_cal_w"] += (cells[:nb] + cells[nb:]).T
    st["rep_cal_acc"] += cells[nb:].T
    cols["cal_conf"] = spread


def _binary(state: State, y: np.ndarray, rows: dict, block: _Block) -> None:
    st = state.stats
    y = y.astype(np.intp, copy=False)
    cell = np.zeros((len(y), 4), dtype=np.float32)
    cell[np.arange(len(y)), 2 * y + rows["pred"].astype(np.intp)] = 1
    cols: dict[str, np.ndarray] = {"w_total": np.ones(len(y)), "cm_honest": cell}
    if state.profile.is_probabilistic:
        cols.update(logloss=rows["nll"], brier=rows["sq"])
        _calibration(st, rows, block, cols)
    _sums(st, cols, block)
    if "rep_auc_pos" in st:
        bins = st["rep_auc_pos"].shape[1]
        key = rows["key"].astype(np.intp) >> coarsening(state.shift)
        g = block.grouped(2 * key + y, 2 * bins)  # cell 2 * key + label
        st["rep_auc_pos"] += g[1::2].T
        st["rep_auc_all"] += (g[0::2] + g[1::2]).T


def _multiclass(state: State, y: np.ndarray, rows: dict, block: _Block) -> None:
    st, K = state.stats, state.profile.n_classes
    y = y.astype(np.intp, copy=False)
    pred = rows["pred"].astype(np.intp, copy=False)
    correct = pred == y
    cols: dict[str, np.ndarray] = {"w_total": np.ones(len(y)), "correct": correct}
    if "rep_topk" in st:
        cols["topk"] = np.stack([rows["greater"] < k for k in state.ks], axis=1)
    if state.profile.is_probabilistic:
        cols.update(logloss=rows["nll"], brier=rows["brier"])
        _calibration(st, rows, block, cols)
    _sums(st, cols, block)
    if "rep_support" in st:
        by_class = block.grouped(2 * y + correct, 2 * K)  # cell 2 * class + correct
        tp, fn = by_class[1::2], by_class[0::2]
        wrong = np.flatnonzero(~correct)
        fp = block.grouped(pred[wrong], K, rows=wrong)
        st["rep_support"] += (tp + fn).T
        st["rep_tp"] += tp.T
        st["rep_predicted"] += (tp + fp).T


def _multilabel(state: State, y: np.ndarray, rows: dict, block: _Block) -> None:
    st = state.stats
    cols: dict[str, np.ndarray] = {"w_total": np.ones(len(y)), "exact_honest": rows["exact"],
                                   "jaccard": rows["jaccard"]}
    if state.profile.is_probabilistic:
        cols.update(logloss=rows["nll"], brier=rows["sq"])
        _calibration(st, rows, block, cols)
    _sums(st, cols, block)
    if "rep_support" in st:
        yb, pred = y.astype(bool, copy=False), rows["pred"]
        L = yb.shape[1]
        Z = np.concatenate([yb, yb & pred, pred], axis=1).astype(np.float32)
        R = (Z.T @ block.f32).astype(np.float64).T
        st["rep_support"] += R[:, :L]
        st["rep_tp_honest"] += R[:, L:2 * L]
        st["rep_pred_honest"] += R[:, 2 * L:]


# --- from replicates to intervals --------------------------------------------------------------
def replicate_stats(state: State, b: int) -> dict[str, np.ndarray]:
    """Replicate b's statistics under the state's names (what `State.metrics_of` reads)."""
    return {k[4:]: v[b] for k, v in state.stats.items() if k.startswith("rep_")}


def replicate_metrics(state: State) -> dict[str, np.ndarray]:
    """Every metric the replicates carry: metric id -> (replicates,) values (NaN where a
    replicate leaves it undefined, e.g. no weight at all)."""
    if state.replicates is None or "rep_w_total" not in state.stats:
        return {}
    out: dict[str, list[float]] = {}
    B = state.replicates.n
    for b in range(B):
        st = replicate_stats(state, b)
        values = state.metrics_of(st) if st["w_total"][0] > 0 else {}
        for k, v in values.items():
            out.setdefault(k, [float("nan")] * B)[b] = v
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in out.items()}
    if "rep_auc_pos" in state.stats:
        _shift_coarse_auc(state, arrays)
    return arrays


def _shift_coarse_auc(state: State, arrays: dict[str, np.ndarray]) -> None:
    """Replicate AUC / AP come from coarser histograms than the point estimate: move them by the
    difference the coarsening makes on the whole data (the binning bias), so the intervals sit
    around the reported value."""
    r, st = coarsening(state.shift), state.stats
    keys = np.arange(len(st["auc_pos"])) >> r
    bins = state.stats["rep_auc_pos"].shape[1]
    pos = np.bincount(keys, weights=st["auc_pos"], minlength=bins)
    allw = np.bincount(keys, weights=st["auc_all"], minlength=bins)
    auc_c, ap_c, _ = C.auc_from_hist(pos, allw - pos)
    auc, ap, _ = C.auc_from_hist(st["auc_pos"], st["auc_all"] - st["auc_pos"])
    for name, fine, coarse in (("roc_auc", auc, auc_c), ("average_precision", ap, ap_c)):
        if name in arrays and np.isfinite(fine) and np.isfinite(coarse):
            arrays[name] = arrays[name] + (fine - coarse)


def interval(values: np.ndarray, level: float) -> tuple[float, float]:
    """The percentile interval of replicate values at `level` (NaN replicates left out)."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if len(v) < 2:
        return float("nan"), float("nan")
    a = (1.0 - level) / 2
    lo, hi = np.quantile(v, [a, 1.0 - a])
    return float(lo), float(hi)


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
    return (f"{level:.0%} intervals: percentile bootstrap over {rep.n} replicates (Poisson-"
            f"weighted rows, seed {rep.seed}) computed in the same pass; multi-class and "
            "multi-label roc_auc / average_precision have none.")
