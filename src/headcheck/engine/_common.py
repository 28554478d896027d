"""Formulas shared by the task kinds: count-based metrics, calibration bins, histogram AUC.

Zero-division policy (everywhere): a ratio whose denominator is 0 is 0.0, as scikit-learn with
``zero_division=0``. Macro averages run over the classes that occur in the labels or in the
predictions, as scikit-learn does when ``labels=`` is not given.
"""
from __future__ import annotations

import numpy as np

from headcheck.engine._result import Calibration

# Histogram AUC: scores are binned on their float32 bit pattern, a logarithmic scale that keeps
# 2**(23 - shift) bins per octave; probabilities above 0.5 are binned through 1 - p, so both tails
# are resolved (a log-odds-like scale). Scores below 2**-FLOOR_OCTAVES share the lowest bin.
FLOOR_OCTAVES = 40
# The most histogram cells (classes x bins) one state keeps, up to AUC_MAX_CLASSES classes (at
# least 157 bins). Wider outputs keep a sketch of at most AUC_SKETCH_CELLS cells per histogram
# (157 bins at 10^4 classes, 79 = one per octave at 10^5, 5 at 10^6): AUC/AP come with the error
# bound the histogram allows (`auc_from_hist`, measured on the data) instead of being dropped.
AUC_CELL_BUDGET = 1 << 20
# Per-class rows kept in a result (the largest classes by support beyond this).
PER_CLASS_MAX = 1000
AUC_MAX_CLASSES = 4096
AUC_SKETCH_CELLS = 1 << 23
# The coarsest key shift: 3 bins (below 2**-31, up to 1/2, above 1/2); 29 would leave one bin.
MAX_SHIFT = 28


def safe_div(num: np.ndarray | float, den: np.ndarray | float) -> np.ndarray:
    """num / den with 0.0 where den == 0 (the zero_division=0 policy)."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.zeros(np.broadcast(num, den).shape)
    np.divide(num, den, out=out, where=den != 0)
    return out


def wsum(mask: np.ndarray, w: np.ndarray | None) -> float:
    """Weighted count of True entries of a 1-D mask."""
    if w is None:
        return float(np.count_nonzero(mask))
    return float(w[mask].sum())


def wbincount(idx: np.ndarray, w: np.ndarray | None, size: int) -> np.ndarray:
    """Weighted bincount of a 1-D index array, always float64 of length `size`."""
    out = np.bincount(idx, weights=w, minlength=size)
    return out.astype(np.float64, copy=False)


def class_metrics(tp: np.ndarray, support: np.ndarray, predicted: np.ndarray) -> dict:
    """Accuracy-family metrics of single-label classification from per-class counts.

    MCC and Cohen's kappa need no confusion matrix: both are functions of the diagonal sum and
    the per-class true and predicted totals.
    """
    total = support.sum()
    correct = tp.sum()
    precision = safe_div(tp, predicted)
    recall = safe_div(tp, support)
    f1 = safe_div(2 * tp, support + predicted)
    present = (support + predicted) > 0
    out = {
        "accuracy": float(safe_div(correct, total)),
        "balanced_accuracy": float(recall[support > 0].mean()) if (support > 0).any() else 0.0,
        "macro_precision": float(precision[present].mean()) if present.any() else 0.0,
        "macro_recall": float(recall[present].mean()) if present.any() else 0.0,
        "macro_f1": float(f1[present].mean()) if present.any() else 0.0,
        "micro_f1": float(safe_div(correct, total)),
        "weighted_f1": float(safe_div((f1 * support).sum(), total)),
    }
    tp_sum = float((support * predicted).sum())
    cov_yp = correct * total - tp_sum
    cov_yy = total**2 - float((support**2).sum())
    cov_pp = total**2 - float((predicted**2).sum())
    # all weight in one class: the covariances are 0, rounding may leave them at -1e-16
    den = np.sqrt(max(cov_yy, 0.0) * max(cov_pp, 0.0))
    out["mcc"] = float(cov_yp / den) if den > 0 else 0.0
    if total > 0:
        po = correct / total
        pe = tp_sum / total**2
        out["cohen_kappa"] = float((po - pe) / (1 - pe)) if pe != 1 else 0.0
    else:
        out["cohen_kappa"] = 0.0
    return out


def per_class_rows(profile, tp, support, predicted, extra: dict | None = None,
                   notes: list | None = None) -> list[dict]:
    """One dict per class: index, display name, support, predicted, precision, recall, f1; for
    more than PER_CLASS_MAX classes, the PER_CLASS_MAX largest by support (in class order, and a
    note says so): 10^6 rows of dicts would cost gigabytes."""
    precision = safe_div(tp, predicted)
    recall = safe_div(tp, support)
    f1 = safe_div(2 * tp, support + predicted)
    rows = []
    keep = range(len(tp))
    if len(tp) > PER_CLASS_MAX:
        keep = np.sort(np.argsort(-np.asarray(support), kind="stable")[:PER_CLASS_MAX])
        unit = "labels" if profile.kind == "multilabel" else "classes"
        if notes is not None:
            notes.append(f"per-class rows are kept for the {PER_CLASS_MAX:,} largest of "
                         f"{len(tp):,} {unit} by support.")
    for k in map(int, keep):
        row = {
            "class": k,
            "name": profile.class_name(k),
            "support": float(support[k]),
            "predicted": float(predicted[k]),
            "precision": float(precision[k]),
            "recall": float(recall[k]),
            "f1": float(f1[k]),
        }
        for key, values in (extra or {}).items():
            row[key] = float(values[k])
        rows.append(row)
    return rows


# --- calibration -----------------------------------------------------------------------------

def calibration_update(stats: dict, conf: np.ndarray, correct: np.ndarray, w,
                       n_bins: int) -> np.ndarray:
    """Add confidences (any shape) and their correctness to the equal-width bins in `stats`.

    `w` is per row; `conf` may have one column per label (multi-label), then each entry counts.
    One key per entry, bin + n_bins * correct, so two bincounts give all three sums. Returns the
    keys (flattened; `calibration_keys`).
    """
    if conf.dtype not in (np.float32, np.float64):
        conf = conf.astype(np.float64)
    keys = calibration_keys(conf, correct, n_bins).ravel()
    if w is None:
        counts = np.bincount(keys, minlength=2 * n_bins).astype(np.float64)
        sums = np.bincount(keys, weights=conf.ravel(), minlength=2 * n_bins)
    else:
        ww = np.repeat(w, conf.shape[1]) if conf.ndim == 2 else w
        counts = np.bincount(keys, weights=ww, minlength=2 * n_bins)
        sums = np.bincount(keys, weights=conf.ravel() * ww, minlength=2 * n_bins)
    stats["cal_w"] += counts[:n_bins] + counts[n_bins:]
    stats["cal_acc"] += counts[n_bins:]
    stats["cal_conf"] += sums[:n_bins] + sums[n_bins:]
    return keys


def calibration_keys(conf: np.ndarray, correct: np.ndarray, n_bins: int) -> np.ndarray:
    """The calibration cell of each confidence (float32/64, any shape): its bin, plus n_bins when
    the decision is correct (same shape, intp)."""
    scale = conf.dtype.type(n_bins)
    t = conf * scale
    # confidence 1.0 goes to the last bin; values outside [0, 1] (logits read as probabilities
    # from the first rows: the pass re-runs as logits) must not break the bincount meanwhile
    np.clip(t, 0, scale - conf.dtype.type(0.5), out=t)
    t += correct * scale
    return t.astype(np.intp)


def ece(stats: dict) -> float:
    """Expected calibration error of the bins in `stats`: sum over bins of |accuracy - mean
    confidence| weighted by the bin's share of the weight (0.0 without weight)."""
    counts = stats["cal_w"]
    total = float(counts.sum())
    if not total > 0:
        return 0.0
    return float(np.abs(stats["cal_acc"] - stats["cal_conf"]).sum() / total)


def calibration_result(stats: dict, n_bins: int) -> Calibration:
    counts = stats["cal_w"]
    conf = safe_div(stats["cal_conf"], counts)
    acc = safe_div(stats["cal_acc"], counts)
    return Calibration(
        edges=tuple(float(e) for e in np.linspace(0.0, 1.0, n_bins + 1)),
        counts=tuple(float(c) for c in counts),
        mean_confidence=tuple(float(c) for c in conf),
        accuracy=tuple(float(a) for a in acc),
        ece=ece(stats),
    )


# --- histogram AUC / AP ------------------------------------------------------------------------

def auc_shift(n_classes: int) -> int:
    """Bit shift for the AUC keys that keeps classes x bins within the budget: full resolution
    (AUC_CELL_BUDGET) up to AUC_MAX_CLASSES classes, a coarser sketch (AUC_SKETCH_CELLS) above.

    Never finer for more classes: above AUC_MAX_CLASSES the bins of AUC_MAX_CLASSES at most.

    >>> [n_auc_bins(auc_shift(k)) for k in (1, 100, 4096, 10_000, 100_000, 1_000_000)]
    [39937, 9985, 157, 157, 79, 5]
    """
    budget, first = AUC_CELL_BUDGET, 14
    if n_classes > AUC_MAX_CLASSES:
        budget, first = AUC_SKETCH_CELLS, auc_shift(AUC_MAX_CLASSES)
    for shift in range(first, MAX_SHIFT):
        if n_classes * n_auc_bins(shift) <= budget:
            return shift
    return MAX_SHIFT




def _key_base(shift: int) -> tuple[int, int]:
    lo = int(np.float32(2.0**-FLOOR_OCTAVES).view(np.int32)) >> shift
    mid = (int(np.float32(0.5).view(np.int32)) >> shift) - lo
    return lo, mid


def key_floor(shift: int) -> int:
    """The raw key (float bits >> shift) of the lowest bin: smaller probabilities share it."""
    return _key_base(shift)[0]


def n_auc_bins(shift: int) -> int:
    return 2 * _key_base(shift)[1] + 1


def low_keys(p: np.ndarray, shift: int) -> np.ndarray:
    """Bin keys of probabilities <= 0.5 (int32, same shape); larger values get keys above mid
    that the caller replaces through `high_keys`."""
    lo, _ = _key_base(shift)
    bits = np.asarray(p, dtype=np.float32).view(np.int32)
    keys = np.right_shift(bits, shift)
    keys -= np.int32(lo)
    np.maximum(keys, 0, out=keys)
    return keys


def key_edges(shift: int) -> np.ndarray:
    """The lower boundary of every histogram bin as a probability (float64, ascending; bin 0
    starts at 0): the inverse of `low_keys` / `high_keys`. Bins k.. hold the scores p >= edge[k]
    on the low side (p <= 0.5) and p > edge[k] on the high side (binned through 1 - p), so
    `edge[k]` is the decision threshold that makes bins k.. the positive predictions."""
    lo, mid = _key_base(shift)

    def lower(j: np.ndarray) -> np.ndarray:  # the smallest probability with low key j (j >= 1)
        bits = ((j + lo) << shift).astype(np.int32)
        return bits.view(np.float32).astype(np.float64)

    low = lower(np.arange(1, mid + 1))  # keys 1..mid; key mid starts at 0.5 exactly
    high_keys_ = np.arange(mid + 1, 2 * mid + 1)
    high = 1.0 - lower(2 * mid - high_keys_ + 1)  # key k holds 1 - p in [edge(2 mid - k), edge(..+1))
    return np.concatenate([[0.0], low, high])


def high_keys(q: np.ndarray, shift: int) -> np.ndarray:
    """Bin keys of probabilities p > 0.5 given q = 1 - p (mirror image of `low_keys`)."""
    _, mid = _key_base(shift)
    return np.int32(2 * mid) - low_keys(q, shift)


def prob_keys(p: np.ndarray, shift: int, q: np.ndarray | None = None) -> np.ndarray:
    """Bin keys of probabilities on both tails; `q` (= 1 - p, more precise when computed from
    logits) may be given."""
    keys = low_keys(p, shift)
    high = p > 0.5
    if high.any():
        qh = (1.0 - p[high]) if q is None else q[high]
        keys[high] = high_keys(qh, shift)
    return keys


def logit_keys(z: np.ndarray, shift: int) -> np.ndarray:
    """Bin keys of sigmoid(z), computed without losing the tail near 1 (same scale as
    `prob_keys`; AUC is invariant to the monotone sigmoid)."""
    with np.errstate(over="ignore"):  # exp(|z| > 709) = inf gives q = 0: the saturated value, rightly
        q = 1.0 / (1.0 + np.exp(np.abs(np.asarray(z, dtype=np.float64))))  # sigmoid(-|z|)
    keys = low_keys(q, shift)
    high = z > 0
    if high.any():
        keys[high] = high_keys(q[high], shift)
    return keys


def mirrored_class_keys(p: np.ndarray, other: np.ndarray, shift: int, n_bins: int,
                        high: np.ndarray | None = None) -> np.ndarray:
    """Histogram cells of a 2-D probability array on both tails (as `prob_keys`), column j
    offset by j * n_bins; `other` is 1 - p and `high` (if known) is p > other. Integer work on
    16-bit keys where possible."""
    lo, mid = _key_base(shift)
    q = np.minimum(p, other)
    np.maximum(q, 0, out=q)  # scores outside [0, 1] (the pass re-runs as logits): in range
    if high is None:
        high = p > other
    offsets = np.arange(p.shape[1], dtype=np.intp) * n_bins - lo
    if shift == 16 and np.little_endian and q.dtype == np.float32:
        k = np.maximum(q.view(np.uint16)[:, 1::2], np.uint16(lo))
        alt = np.subtract(np.uint16(2 * mid + 2 * lo), k)  # the mirrored key, same offset
        ones = np.negative(high.view(np.uint8), dtype=np.int16).view(np.uint16)
        alt ^= k
        alt &= ones
        alt ^= k
        return np.add(alt, offsets, dtype=np.intp)
    keys = low_keys(q, shift).astype(np.intp)
    keys[high] = 2 * mid - keys[high]
    keys += offsets + lo
    return keys


def auc_from_hist(pos: np.ndarray, neg: np.ndarray) -> tuple[float, float, float]:
    """(ROC AUC, average precision, AUC error bound) of one binary problem from score histograms.

    Pairs of a positive and a negative in the same bin count 1/2 (as tied scores do in
    scikit-learn), so the AUC is off by at most half their share. AP treats each bin as one
    threshold, as scikit-learn treats tied scores.
    """
    pos, neg = pos.astype(np.float64), neg.astype(np.float64)
    p_tot, n_tot = pos.sum(), neg.sum()
    if p_tot <= 0 or n_tot <= 0:
        return float("nan"), float("nan"), 0.0
    neg_below = np.cumsum(neg) - neg
    auc = float((pos * (neg_below + 0.5 * neg)).sum() / (p_tot * n_tot))
    bound = float(0.5 * (pos * neg).sum() / (p_tot * n_tot))
    tp = np.cumsum(pos[::-1])
    fp = np.cumsum(neg[::-1])
    step = pos[::-1] > 0
    ap = float((pos[::-1][step] * tp[step] / (tp[step] + fp[step])).sum() / p_tot)
    return auc, ap, bound


def macro_auc(pos: np.ndarray, allw: np.ndarray, block: int = 4096
              ) -> tuple[float, float, float, int]:
    """Macro (one-vs-rest) AUC, AP and AUC bound over rows of (classes, bins) histograms: each
    row as `auc_from_hist` computes it, `block` rows at a time (memory stays bounded for 10^6
    classes).

    Classes with no positive or no negative are skipped (their AUC is undefined); the number of
    classes used is returned.
    """
    aucs, aps, bounds = [], [], []
    for a in range(0, pos.shape[0], block):
        p, t = pos[a:a + block], allw[a:a + block]
        used = np.flatnonzero(t.any(axis=0))  # bins empty in every row change nothing: drop them
        auc, ap, bound = _rows_auc(p[:, used].astype(np.float64), t[:, used].astype(np.float64))
        ok = ~np.isnan(auc)
        aucs.append(auc[ok])
        aps.append(ap[ok])
        bounds.append(bound[ok])
    auc, ap, bound = (np.concatenate(x) for x in (aucs, aps, bounds))
    if not auc.size:
        return float("nan"), float("nan"), 0.0, 0
    return float(auc.mean()), float(ap.mean()), float(bound.mean()), int(auc.size)


def _rows_auc(pos: np.ndarray, allw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`auc_from_hist` of every row at once (NaN where a row has no positive or no negative)."""
    neg = allw - pos
    p_tot, n_tot = pos.sum(axis=1), neg.sum(axis=1)
    pairs = p_tot * n_tot
    ok = pairs > 0
    den = np.where(ok, pairs, 1.0)
    neg_below = np.cumsum(neg, axis=1) - neg
    auc = (pos * (neg_below + 0.5 * neg)).sum(axis=1) / den
    bound = 0.5 * (pos * neg).sum(axis=1) / den
    pos_r, neg_r = pos[:, ::-1], neg[:, ::-1]
    tp = np.cumsum(pos_r, axis=1)
    prec = tp / np.maximum(tp + np.cumsum(neg_r, axis=1), 1e-300)
    ap = (pos_r * prec).sum(axis=1) / np.where(ok, p_tot, 1.0)
    nan = np.full(len(pos), np.nan)
    return np.where(ok, auc, nan), np.where(ok, ap, nan), np.where(ok, bound, 0.0)


def bound_text(bound: float) -> str:
    """An error bound in two digits, rounded up (a stated bound must not shrink in print).

    >>> bound_text(1.234e-4), bound_text(0.0)
    ('1.3e-04', '0.0e+00')
    """
    text = f"{bound:.1e}"
    if float(text) < bound:
        mantissa, exp = text.split("e")
        text = f"{float(mantissa) + 0.1:.1f}e{exp}"
        if float(mantissa) + 0.1 >= 10:
            text = f"{1.0:.1f}e{int(exp) + 1:+03d}"
    return text


def add_macro_auc(metrics: dict, bounds: dict, notes: list, pos: np.ndarray | None,
                  total: np.ndarray | None, *, unit: str, units: str, average: str) -> None:
    """Macro ROC AUC and average precision from per-`unit` score histograms (rows of `pos` and
    `total`, None when they were omitted for memory) into `metrics`, with the AUC error bound in
    `bounds` and what was done in `notes`."""
    if pos is None or total is None:
        notes.append("roc_auc and average_precision are skipped (auc=False, --no-auc).")
        return
    count, bins = pos.shape
    auc, ap, bound, used = macro_auc(pos, total)
    if used == 0:
        notes.append(f"roc_auc and average_precision are undefined: no {unit} has both positive "
                     "and negative rows.")
        return
    metrics["roc_auc"], metrics["average_precision"] = auc, ap
    bounds["roc_auc"] = bound
    sketch = (f" (a sketch: {bins} bins per {unit} for {count:,} {units}, at most "
              f"{AUC_SKETCH_CELLS:,} cells)" if count > AUC_MAX_CLASSES else "")
    notes.append(f"roc_auc and average_precision are {average} averages over {used} {units}, "
                 f"from score histograms of {bins} log-odds-like bins per {unit}{sketch}; the "
                 f"AUC is within {bound_text(bound)} of the exact value.")
    if used < count:
        notes.append(f"{count - used} {units} without positive (or negative) rows are left out "
                     "of the AUC/AP averages.")
