"""The numpy kernel: the reference implementation of every state's statistics, and the default.

Rows are processed in blocks of about `block_cells` score cells so that the temporaries stay in
cache; numpy releases the GIL inside each operation, so two worker threads (ThreadExecutor) run
two chunks at once. Other kernels are tested against this one
(`headcheck.engine.kernels.testing.assert_kernels_agree`).
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np

from headcheck.engine import _common as C
from headcheck.engine.kernels import Kernel

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.engine.binary import BinaryState
    from headcheck.engine.multiclass import MulticlassState
    from headcheck.engine.multilabel import MultilabelState
    from headcheck.engine.ordinal import OrdinalState

# Rows are processed in blocks of about this many score cells (their temporaries stay in cache).
BLOCK_CELLS = int(os.environ.get("HEADCHECK_BLOCK_CELLS") or 1 << 18)


class NumpyKernel(Kernel):
    """Blocked numpy updates of the binary, multiclass and multilabel statistics.

    >>> import numpy as np
    >>> from headcheck.engine import new_state
    >>> from headcheck.task import TaskProfile
    >>> s = new_state(TaskProfile("binary", 2, "integer", "probabilities", "column"), kernel="numpy")
    >>> NumpyKernel().update(s, np.array([0, 1]), np.array([0.3, 0.8]))
    >>> s.result().metrics["accuracy"]
    1.0
    """

    name = "numpy"
    rows = True

    def __init__(self, block_cells: int = BLOCK_CELLS) -> None:
        self.block_cells = int(block_cells)

    def fill(self, state, y_true, y_score, w) -> dict[str, np.ndarray] | None:
        n = len(y_true)
        step = max(64, self.block_cells // max(1, y_score[:1].size))
        block = {"binary": _binary_block, "multiclass": _multiclass_block,
                 "multilabel": _multilabel_block, "ordinal": _ordinal_block}[state.kind]
        auc = _begin_multiclass_auc(state, n) if state.kind in ("multiclass", "ordinal") else None
        rows = None
        if state.replicates is not None:  # the per-row quantities of the bootstrap
            from headcheck.engine.bootstrap import Rows

            rows = Rows(n)
        for lo in range(0, n, step):  # blocks that keep the temporaries in cache
            if rows is not None:
                rows.lo = lo
            block(state, y_true[lo:lo + step], y_score[lo:lo + step],
                  None if w is None else w[lo:lo + step], auc, rows)
        if auc is not None:
            _end_multiclass_auc(state, auc, y_true, w)
        return None if rows is None else rows.arrays


# --- shared numeric helpers ----------------------------------------------------------------------

def colsum(m: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """Weighted column sums of a 2-D bool array, float64."""
    if w is None:
        return np.einsum("ij->j", m.view(np.uint8), dtype=np.int64).astype(np.float64)
    return np.einsum("i,ij->j", w, m.view(np.uint8))


def rowsum(m: np.ndarray) -> np.ndarray:
    """Row sums of a 2-D bool array (uint8 arithmetic while it cannot overflow)."""
    if m.shape[1] < 256:
        return np.einsum("ij->i", m.view(np.uint8)).astype(np.int32)
    return np.count_nonzero(m, axis=1)


def select(mask: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """np.where(mask, a, b) for float arrays of one dtype, through bit masks (np.where with a
    2-D condition is several times slower)."""
    kind = {4: np.uint32, 8: np.uint64}.get(a.dtype.itemsize)
    if kind is None or a.dtype != b.dtype:
        return np.where(mask, a, b)
    ones = np.negative(mask.view(np.uint8), dtype={4: np.int32, 8: np.int64}[a.dtype.itemsize])
    ab, bb = a.view(kind), b.view(kind)
    out = np.bitwise_xor(ab, bb)
    out &= ones.view(kind)
    out ^= bb
    return out.view(a.dtype)


def log_colsum(p: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """Per-column sum of log(p) for p in [eps, 1]: logs of products of 16 rows taken in float64
    (16 float32 probabilities >= 1.2e-7 cannot underflow), 16 times fewer logarithms."""
    if w is not None:
        return w @ np.log(p.astype(np.float64))
    n16 = len(p) // 16 * 16
    total = np.log(p[n16:].astype(np.float64)).sum(axis=0)
    if n16:
        if p.dtype == np.float32:
            prod = p[:n16].astype(np.float64).reshape(-1, 16, p.shape[1]).prod(axis=1)
            total += np.log(prod).sum(axis=0)
        else:  # float64 inputs may be as small as 2.2e-16: no grouping
            total += np.log(p[:n16]).sum(axis=0)
    return total


# --- binary --------------------------------------------------------------------------------------

def _binary_block(state: BinaryState, y, s, w, _auc=None, rows=None) -> None:
    st = state.stats
    y = y.astype(np.intp, copy=False)
    cache: dict[tuple[float, bool], np.ndarray] = {}
    for name, (t, strict) in state.thresholds.items():
        if (t, strict) not in cache:
            pred = s > t if strict else s >= t
            cache[(t, strict)] = pred
            st[f"cm_{name}"] += C.wbincount(2 * y + pred, w, 4)
        else:
            st[f"cm_{name}"] += C.wbincount(2 * y + cache[(t, strict)], w, 4)
    pred = cache[state.thresholds["honest"]]
    if rows is not None:
        rows.put(pred=pred)
    if state.profile.is_probabilistic:
        _binary_probabilistic(state, y, s, w, pred, rows)


def _binary_probabilistic(state: BinaryState, y, s, w, pred, rows=None) -> None:
    st = state.stats
    if state.profile.score_kind == "logits":
        z = s.astype(np.float64)
        p = 1.0 / (1.0 + np.exp(-z))
        # cross-entropy from the logit: softplus(-z) for y=1, softplus(z) for y=0
        signed = np.where(y == 1, -z, z)
        nll = np.logaddexp(0.0, signed)
        eps = np.finfo(np.float64).eps
        nll = np.clip(nll, -np.log1p(-eps), -np.log(eps))
        keys = None if state.shift is None else C.logit_keys(z, state.shift)
    else:
        eps = np.finfo(s.dtype).eps
        p_label = np.where(y == 1, s, 1 - s)  # 1 - s in the input dtype, as sklearn
        nll = -np.log(np.clip(p_label, eps, 1 - eps).astype(np.float64))
        p = s.astype(np.float64)
        keys = None if state.shift is None else C.prob_keys(s, state.shift)
    st["logloss"] += nll.sum() if w is None else w @ nll
    sq = (p - y) ** 2
    st["brier"] += sq.sum() if w is None else w @ sq
    conf = np.where(pred, p, 1 - p)
    cal = C.calibration_update(st, conf, pred == y, w, state.n_bins)
    if rows is not None:
        rows.put(nll=nll, sq=sq, conf=conf, cal=cal, key=keys)
    if keys is None:
        return
    bins = C.n_auc_bins(state.shift)
    st["auc_all"] += C.wbincount(keys, w, bins)
    pos = y == 1
    st["auc_pos"] += C.wbincount(keys[pos], None if w is None else w[pos], bins)


# --- multiclass ----------------------------------------------------------------------------------

def _multiclass_block(state: MulticlassState, y, s, w, auc, rows=None) -> None:
    st, n = state.stats, len(y)
    y = y.astype(np.intp, copy=False)
    if state.profile.score_kind == "hard":
        pred = s.astype(np.intp, copy=False)
        correct = pred == y
        st["above"] += n if w is None else w.sum()
        st["true_above"] += C.wsum(correct, w)
    else:
        pred, correct = _multiclass_scores(state, y, s, w, auc, rows)
    if rows is not None:
        rows.put(pred=pred)
    _multiclass_counts(state, y, pred, correct, w)


def _multiclass_counts(state: MulticlassState, y, pred, correct, w) -> None:
    from headcheck.engine.multiclass import add_confusion_pairs

    st, K = state.stats, state.n_classes
    st["support"] += C.wbincount(y, w, K)
    st["predicted"] += C.wbincount(pred, w, K)
    st["tp"] += C.wbincount(y[correct], None if w is None else w[correct], K)
    if state.dense:
        st["cm"] += C.wbincount(y * K + pred, w, K * K)
        return
    wrong = ~correct
    keys = y[wrong].astype(np.int64) * K + pred[wrong]
    vals = np.ones(len(keys)) if w is None else w[wrong]
    add_confusion_pairs(st, keys, vals)


def _multiclass_scores(state: MulticlassState, y, s, w, auc, out=None):
    st, n = state.stats, len(y)
    rows = np.arange(n)
    pred = s.argmax(axis=1)
    correct = pred == y
    s_true = s[rows, y]
    greater = rowsum(s > s_true[:, None])
    for i, k in enumerate(state.ks):
        st["topk"][i] += C.wsum(greater < k, w)
    if state.profile.score_kind == "probabilities":
        above = s[rows, pred] > 0.5  # rows sum to 1: only the largest can exceed 0.5
    else:
        above = rowsum(s > 0.5)
    st["above"] += above.sum() if w is None else w @ above
    st["true_above"] += C.wsum(s_true > 0.5, w)
    prob, nll = _probabilities(state, s, y, rows)
    st["logloss"] += nll.sum() if w is None else w @ nll
    p_true = prob[rows, y].astype(np.float64)
    # float32 scores: float32 row sums (relative error ~1e-6, four times faster)
    sumsq = np.einsum("ij,ij->i", prob, prob).astype(np.float64)
    brier = sumsq - 2 * p_true + 1
    st["brier"] += brier.sum() if w is None else w @ brier
    p_max = prob[rows, pred]
    cal = C.calibration_update(st, p_max.astype(np.float64), correct, w, state.n_bins)
    if auc is not None:
        _stash_auc_block(state, auc, prob, p_max, prob[rows, y], pred)
    if out is not None:
        out.put(greater=greater, nll=nll, brier=brier, conf=p_max, cal=cal)
    return pred, correct


def _probabilities(state: MulticlassState, s, y, rows):
    """(probabilities, per-row log loss) with sklearn's clipping to [eps, 1 - eps]."""
    if state.profile.score_kind != "logits":
        eps = np.finfo(s.dtype).eps
        p_true = np.clip(s[rows, y].astype(np.float64), eps, 1 - eps)
        return s, -np.log(p_true)
    m = s.max(axis=1, keepdims=True)
    e = np.exp(s - m)
    total = e.sum(axis=1, keepdims=True)
    prob = e / total
    lse = (m[:, 0] + np.log(total[:, 0])).astype(np.float64)
    eps = np.finfo(np.float64).eps
    nll = np.clip(lse - s[rows, y].astype(np.float64), -np.log1p(-eps), -np.log(eps))
    return prob, nll


# AUC histograms: per block, the raw key bits of every score are copied (transposed, while the
# block is in cache) into a (K, n) buffer; after the chunk's last block, one bincount per class
# counts them. The per-class output (lo + bins cells) stays in cache and bincount lets the other
# worker thread run, where np.add.at into the whole K x bins histogram holds the GIL and misses
# the cache on every key.
def _begin_multiclass_auc(state: MulticlassState, n: int) -> dict | None:
    if state.shift is None or state.profile.score_kind == "hard":
        return None
    return {"keys": np.empty((state.n_classes, n), np.uint16), "at": 0,
            "p_max": np.empty(n, np.float64), "p_true": np.empty(n, np.float64),
            "pred": np.empty(n, np.intp)}


def _stash_auc_block(state: MulticlassState, buf: dict, prob, p_max, p_true, pred) -> None:
    shift = state.shift
    a, b = buf["at"], buf["at"] + len(pred)
    p32 = np.ascontiguousarray(prob, dtype=np.float32)
    if shift == 16 and np.little_endian:  # the high 16 bits, read through a view
        buf["keys"][:, a:b] = p32.view(np.uint16)[:, 1::2].T
    else:  # raw keys fit 16 bits for shift >= 14; negative scores (not probabilities) -> 0
        raw = np.right_shift(p32.view(np.int32), shift)
        buf["keys"][:, a:b] = np.maximum(raw, 0).T
    buf["p_max"][a:b], buf["p_true"][a:b], buf["pred"][a:b] = p_max, p_true, pred
    buf["at"] = b


def _end_multiclass_auc(state: MulticlassState, buf: dict, y, w) -> None:
    st, K, shift = state.stats, state.n_classes, state.shift
    bins = C.n_auc_bins(shift)
    if w is not None:
        for key in ("auc_all", "auc_pos"):
            st[key] = st[key].astype(np.float64, copy=False)
    lo = C.key_floor(shift)
    width = lo + bins  # raw keys of probabilities in [0, 1] lie below this
    sc, sb = state.auc_strides
    hist = st["auc_all"].reshape(K, bins)
    if sb == 1:  # class-major: one bincount per class
        for j in range(K):
            counts = np.bincount(buf["keys"][j], weights=w, minlength=width)
            hist[j] += counts[lo:width]
            hist[j, 0] += counts[:lo].sum()  # below the key floor: the lowest bin
    else:  # the sketch of wide outputs: one scatter (K bincounts per chunk would dominate)
        _scatter_wide(st["auc_all"], buf["keys"], w, lo, width, sc, sb)
    p_max, pred, y = buf["p_max"], buf["pred"], y.astype(np.intp, copy=False)
    # Only a row's largest probability can exceed 0.5: move it to its mirrored key so the
    # high tail stays resolved (not above 1: such scores fell out of the histogram, and make
    # the pass re-run as logits).
    over = np.flatnonzero((p_max > 0.5) & (p_max <= 1.0))
    if over.size:
        cls = pred[over]
        q = 1.0 - p_max[over].astype(np.float64)
        moved = 1 if w is None else w[over]
        np.add.at(st["auc_all"], C.low_keys(p_max[over], shift) * sb + cls * sc, -moved)
        np.add.at(st["auc_all"], C.high_keys(q, shift) * sb + cls * sc, moved)
    # p_true above 1 (never in a finished pass) stays in this class's last bin
    pos = np.minimum(C.low_keys(buf["p_true"], shift), bins - 1).astype(np.intp) * sb + y * sc
    mirrored = over[pred[over] == y[over]]
    if mirrored.size:
        q = 1.0 - p_max[mirrored].astype(np.float64)
        pos[mirrored] = C.high_keys(q, shift) * sb + y[mirrored] * sc
    np.add.at(st["auc_pos"], pos, 1 if w is None else w)


def _scatter_wide(hist: np.ndarray, keys: np.ndarray, w, lo: int, width: int, sc: int,
                  sb: int) -> None:
    """Add raw keys (K, n) of class j into hist[j * sc + (key - lo) * sb] (keys below lo: the
    first bin; from width: dropped, as the per-class bincounts do)."""
    K, n = keys.shape
    k = keys.astype(np.intp)
    keep = k < width
    np.maximum(k, lo, out=k)
    k -= lo
    k *= sb
    k += (np.arange(K, dtype=np.intp) * sc)[:, None]
    vals = 1 if w is None else np.broadcast_to(w, (K, n))[keep]
    np.add.at(hist, k[keep], vals)

# --- ordinal -------------------------------------------------------------------------------------

def _ordinal_block(state: OrdinalState, y, s, w, auc, rows=None) -> None:
    """The multiclass statistics of the predicted classes (see `engine.ordinal` for how each score
    kind predicts), plus the sums of the class-index errors."""
    st, kind = state.stats, state.profile.score_kind
    y = y.astype(np.intp, copy=False)
    if kind in ("probabilities", "logits", "independent"):
        pred, correct = _multiclass_scores(state, y, s, w, auc)
    else:
        if kind == "regression":
            pred = state.predict_regression(s)
            _regression_raw(state, y, s, w)
        elif kind in ("cumulative", "cumulative-logits"):
            pred = rowsum(s > (0.5 if kind == "cumulative" else 0.0)).astype(np.intp)
            _cumulative_keras(st, y, s, w)
        else:
            pred = s.astype(np.intp, copy=False)
        correct = pred == y
        st["above"] += len(y) if w is None else w.sum()
        st["true_above"] += C.wsum(correct, w)
    _multiclass_counts(state, y, pred, correct, w)
    d = (pred - y).astype(np.float64)
    a = np.abs(d)
    st["abs_err"] += a.sum() if w is None else w @ a
    st["sq_err"] += d @ d if w is None else w @ (d * d)
    st["within_one"] += C.wsum(a <= 1, w)


def _cumulative_keras(st: dict, y, s, w) -> None:
    """What Keras's accuracies count on the K-1 cumulative outputs trained on the 0/1 'class > k'
    targets: the column decisions where (score > 0.5) == (y > k) (binary_accuracy; 0.5 on logits
    too, as Keras applies it), and the rows whose first output is the highest (categorical_accuracy:
    the argmax of every cumulative target row is 0, ties to the first index)."""
    hits = rowsum((s > 0.5) == (y[:, None] > np.arange(s.shape[1])))
    st["keras_cols"] += hits.sum() if w is None else w @ hits
    st["keras_first"] += C.wsum(s.argmax(axis=1) == 0, w)


def _regression_raw(state: OrdinalState, y, s, w) -> None:
    st = state.stats
    value = state.class_values[y]
    err = s.astype(np.float64) - value
    a = np.abs(err)
    st["raw_abs"] += a.sum() if w is None else w @ a
    st["raw_sq"] += err @ err if w is None else w @ (err * err)
    st["keras_bin"] += C.wsum((s > 0.5).astype(np.float64) == value, w)


# --- multilabel ----------------------------------------------------------------------------------

def _multilabel_block(state: MultilabelState, y, s, w, _auc=None, rows=None) -> None:
    st = state.stats
    y = y.view(bool) if y.dtype in (np.uint8, np.int8) else y.astype(bool, copy=False)
    ycount = rowsum(y)
    st["support"] += colsum(y, w)
    st["no_positive"] += C.wsum(ycount == 0, w)
    cat_hit = s.argmax(axis=1) == y.argmax(axis=1)  # Keras: first positive label
    st["keras_cat"] += C.wsum(cat_hit, w)
    done: dict[float, dict[str, np.ndarray]] = {}  # threshold -> increments of its counts
    for name, t in state.thresholds.items():
        if t not in done:
            pred = s > t
            done[t] = _threshold_counts(pred, y, ycount, w)
            if name == "honest":
                ratio = _jaccard_ratio(done[t], ycount)
                st["jaccard"] += float(ratio.sum() if w is None else w @ ratio)
                if rows is not None:
                    c = done[t]
                    rows.put(pred=pred, jaccard=ratio,
                             exact=c["_pcount"] + ycount == 2 * c["_inter"])
                if state.profile.is_probabilistic:
                    _multilabel_probabilistic(state, y, s, w, pred, rows)
        for key, value in done[t].items():
            if not key.startswith("_"):
                st[f"{key}_{name}"] += value


def _threshold_counts(pred, y, ycount, w) -> dict[str, np.ndarray]:
    hit = pred & y
    pcount, inter = rowsum(pred), rowsum(hit)
    exact = C.wsum(pcount + ycount == 2 * inter, w)
    return {"pred": colsum(pred, w), "tp": colsum(hit, w), "exact": np.array([exact]),
            "_pcount": pcount, "_inter": inter}


def _jaccard_ratio(counts, ycount) -> np.ndarray:
    inter = counts["_inter"]
    return C.safe_div(inter, counts["_pcount"] + ycount - inter)  # empty rows: 0.0


def log_rowsum(p: np.ndarray) -> np.ndarray:
    """Per-row sum of log(p) for p in [eps, 1] (float64): logs of products of 16 columns (16
    probabilities >= float64 eps cannot underflow), 16 times fewer logarithms."""
    n, L = p.shape
    pad = -L % 16
    q = p.astype(np.float64)
    if pad:
        q = np.concatenate([q, np.ones((n, pad))], axis=1)
    return np.log(q.reshape(n, -1, 16).prod(axis=2)).sum(axis=1)


def _multilabel_probabilistic(state: MultilabelState, y, s, w, pred, rows=None) -> None:
    st = state.stats
    if state.profile.score_kind == "logits":
        z = s.astype(np.float64)
        p = 1.0 / (1.0 + np.exp(-z))
        eps = np.finfo(np.float64).eps
        nll = np.clip(np.logaddexp(0.0, select(y, -z, z)), -np.log1p(-eps), -np.log(eps))
        st["logloss"] += nll.sum(axis=0) if w is None else w @ nll
        if rows is not None:
            rows.put(nll=nll.sum(axis=1))
        other = 1.0 - p
    else:
        p = s if s.dtype in (np.float32, np.float64) else s.astype(np.float64)
        other = 1 - p  # in the input dtype, as sklearn
        eps = np.finfo(p.dtype).eps
        p_label = np.clip(select(y, p, other), eps, 1 - eps)
        st["logloss"] -= log_colsum(p_label, w)
        if rows is not None:
            rows.put(nll=-log_rowsum(p_label))
    diff = p - y.view(np.uint8)
    if w is not None:
        st["brier"] += np.einsum("i,ij,ij->j", w, diff, diff)
    else:  # float64 sums: a float32 sum down a block of thousands of rows drifts by ~1e-5
        st["brier"] += np.einsum("ij,ij->j", diff, diff, dtype=np.float64)
    conf_is_max = state.profile.threshold == 0.5 and state.profile.score_kind != "logits"
    if conf_is_max:
        conf = np.maximum(p, other)  # the predicted value's probability
    else:
        conf = select(pred, p, other)
    cal = C.calibration_update(st, conf, pred == y, w, state.n_bins)
    if rows is not None:
        rows.put(sq=np.einsum("ij,ij->i", diff, diff, dtype=np.float64), conf=conf,
                 cal=cal.reshape(conf.shape))
    if state.shift is not None:
        # p > 1 - p is the decision at 0.5: reuse it as the histogram's side
        high = pred if conf_is_max else None
        _multilabel_auc(state, s, p, other, y, w, high)


def _multilabel_auc(state: MultilabelState, s, p, other, y, w, high) -> None:
    st, L, shift = state.stats, state.n_labels, state.shift
    bins = C.n_auc_bins(shift)
    if state.profile.score_kind == "logits":
        keys = C.logit_keys(s, shift) + (np.arange(L) * bins)[None, :]
    else:
        keys = C.mirrored_class_keys(p, other, shift, bins, high=high)
    keys *= 2
    keys += y.view(np.uint8)
    if w is None:
        np.add.at(st["auc_hist"], keys.ravel(), 1)
    else:
        st["auc_hist"] = st["auc_hist"].astype(np.float64, copy=False)
        np.add.at(st["auc_hist"], keys.ravel(), np.repeat(w, L))

