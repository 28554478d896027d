"""Single-label multi-class state: per-class counts, top-k hits, log loss, Brier, calibration,
score histograms for one-vs-rest AUC, and the statistics the framework views need.

Ties: the predicted class is the first index of the largest score (numpy, Keras and torch
argmax agree). top_k_accuracy@k counts a hit when fewer than k classes score strictly higher than
the true class, so ties favour the true class (as tf.math.in_top_k and Keras 3's in_top_k on the
torch backend); on tie-free data this equals sklearn's top_k_accuracy_score.
"""
from __future__ import annotations

import numpy as np

from headcheck.engine import _common as C
from headcheck.engine._result import EngineResult
from headcheck.engine._state import State, check_weights
from headcheck.engine.baselines import single_label_baselines
from headcheck.views import compute_views
from headcheck.errors import InputError, describe_array
from headcheck.task import DataFacts

# Above this many classes the confusion matrix is kept sparse (off-diagonal pairs only).
DENSE_MAX_CLASSES = 1024
# Distinct (true, predicted) pairs a sparse state keeps; beyond, the lightest are dropped.
MAX_CONFUSION_PAIRS = 1 << 18
TOP_CONFUSIONS = 20
KERAS_TOP_K = 5


class MulticlassState(State):
    """Mergeable statistics of a multi-class pass (see module docstring for tie conventions).

    Statistics (what a kernel fills): `support`, `predicted`, `tp` (K, weighted counts per class
    of the argmax prediction); `above` / `true_above` (rows with a score > 0.5 / whose true class
    scores > 0.5, for framework views); `topk` (one per k of `ks`); `cm` (K*K, true * K + pred)
    when `dense`, else the sparse off-diagonal pairs `conf_keys` / `conf_vals` / `conf_pruned`
    (merged by `_merge_stats`, kept by `add_confusion_pairs`); when probabilistic, `logloss`,
    `brier`, `cal_w` / `cal_conf` / `cal_acc` and, unless `auc=False`, the per-class one-vs-rest
    score histograms `auc_pos` / `auc_all` (K * bins, int64; float64 once weighted; `shift` sets
    the bins: coarser above AUC_MAX_CLASSES, see `_common.auc_shift`; the cell of class c and bin
    b is c * sc + b * sb with (sc, sb) = `auc_strides`).

    >>> import numpy as np
    >>> from headcheck.task import TaskProfile
    >>> p = TaskProfile("multiclass", 3, "integer", "probabilities")
    >>> s = MulticlassState(p)
    >>> s.update(np.array([0, 2]), np.array([[.7, .2, .1], [.1, .3, .6]]))
    >>> s.result().metrics["accuracy"]
    1.0
    """

    kind = "multiclass"

    @property
    def n_classes(self) -> int:
        return self.profile.n_classes

    @property
    def dense(self) -> bool:
        return self.n_classes <= DENSE_MAX_CLASSES

    @property
    def auc_strides(self) -> tuple[int, int]:
        """(class stride, bin stride) of the cells of `auc_pos` / `auc_all`: class-major (K, bins)
        up to AUC_MAX_CLASSES; above, the sketch is bin-major (bins, K), so that one row's many
        tiny scores, which share a few bins, land side by side instead of K cache lines apart."""
        bins = C.n_auc_bins(self.shift) if self.shift is not None else 1
        return (1, self.n_classes) if self.n_classes > C.AUC_MAX_CLASSES else (bins, 1)

    @property
    def ks(self) -> tuple[int, ...]:
        return tuple(sorted(set(self.top_k) | {KERAS_TOP_K}))

    @property
    def shift(self) -> int | None:
        return self.auc_shift(self.n_classes)

    def _empty_stats(self) -> dict[str, np.ndarray]:
        K = self.n_classes
        z = np.zeros
        s = {"support": z(K), "predicted": z(K), "tp": z(K),
             "above": z(1), "true_above": z(1), "topk": z(len(self.ks))}
        if self.dense:
            s["cm"] = z(K * K)
        else:
            s["conf_keys"] = z(0, dtype=np.int64)
            s["conf_vals"] = z(0)
            s["conf_pruned"] = z(1)
        if self.profile.is_probabilistic:
            s.update(logloss=z(1), brier=z(1), cal_w=z(self.n_bins), cal_conf=z(self.n_bins),
                     cal_acc=z(self.n_bins))
            if self.shift is not None:
                cells = K * C.n_auc_bins(self.shift)
                s.update(auc_pos=z(cells, dtype=np.int64), auc_all=z(cells, dtype=np.int64))
        return s

    def _check(self, y, s, w) -> None:
        K, n = self.n_classes, len(y)
        want = (n,) if self.profile.score_kind == "hard" else (n, K)
        if y.ndim != 1 or s.shape != want:
            raise InputError(f"a multiclass chunk needs labels of shape (n,) and scores of shape "
                             f"{want}; got labels {describe_array(y)} and scores "
                             f"{describe_array(s)}. "
                             "Convert the chunk to the canonical layout first.")
        if n and (y.min() < 0 or y.max() >= K):
            raise InputError(f"multiclass labels must lie in [0, {K}); got values from {y.min()} "
                             f"to {y.max()}. Map the labels to class indices first.")
        check_weights(w, n)

    def _merge_stats(self, a, b):
        out = {k: a[k] + b[k] for k in a if not k.startswith("conf_")}
        if not self.dense:
            keys, vals = _reduce_pairs(np.concatenate([a["conf_keys"], b["conf_keys"]]),
                                       np.concatenate([a["conf_vals"], b["conf_vals"]]))
            out["conf_keys"], out["conf_vals"], pruned = _prune(keys, vals)
            out["conf_pruned"] = a["conf_pruned"] + b["conf_pruned"] + pruned
        return out

    # --- result ---------------------------------------------------------------------------------
    def result(self) -> EngineResult:
        """Metrics, views, baselines, per-class rows, calibration and confusions of the pass."""
        st, K = self.stats, self.n_classes
        if st["n"][0] == 0:
            raise InputError("no rows to measure: the data is empty (or every row had non-finite "
                             "scores). Pass at least one labelled row.")
        W = st["w_total"][0]
        notes: list[str] = []
        bounds: dict[str, float] = {}
        metrics = self.metrics_of(st, notes, bounds)
        calibration = None
        if self.profile.is_probabilistic:
            calibration = C.calibration_result(st, self.n_bins)
        matrix, confusions = self._confusions(notes)
        facts = DataFacts(
            n_samples=self.n_samples, n_outputs=K, label_min=self.label_min,
            label_max=self.label_max, label_is_integer=True,
            class_counts=tuple(float(c) for c in st["support"]),
            predicted_counts=tuple(float(c) for c in st["predicted"]),
            accuracy=metrics["accuracy"], majority_rate=float(st["support"].max() / W),
            score_min=self.score_min, score_max=self.score_max)
        return EngineResult(
            kind=self.kind, n_samples=self.n_samples, total_weight=float(W), metrics=metrics,
            views=compute_views(self, metrics, notes),
            baselines=single_label_baselines(self.profile, st["support"]),
            per_class=C.per_class_rows(self.profile, st["tp"], st["support"], st["predicted"],
                                       notes=notes),
            calibration=calibration, confusions=confusions, confusion_matrix=matrix, facts=facts,
            score_min=self.score_min, score_max=self.score_max, n_nonfinite=self.n_nonfinite,
            nonfinite_rows=tuple(self.nonfinite_rows), bounds=bounds, notes=tuple(notes))

    def metrics_of(self, st, notes=None, bounds=None) -> dict[str, float]:
        K, W = self.n_classes, float(st["w_total"][0])
        if "tp" in st:
            metrics = C.class_metrics(st["tp"], st["support"], st["predicted"])
        else:  # bootstrap replicates of many classes keep no per-class counts
            metrics = {"accuracy": float(st["correct"][0] / W)}
        if self.profile.score_kind != "hard" and "topk" in st:
            for i, k in enumerate(self.ks):
                if k in self.top_k and k < K:
                    metrics[f"top_k_accuracy@{k}"] = float(st["topk"][i] / W)
        if self.profile.is_probabilistic:
            metrics["log_loss"] = float(st["logloss"][0] / W)
            # sklearn halves the two-column Brier score so that it equals the binary one
            metrics["brier"] = float(st["brier"][0] / W) * (0.5 if K == 2 else 1.0)
            metrics["ece"] = C.ece(st)
            if "auc_pos" in st or self.shift is None:
                self._auc_metrics(st, metrics, {} if bounds is None else bounds,
                                  [] if notes is None else notes)
        return metrics

    def _auc_metrics(self, st, metrics, bounds, notes) -> None:
        K = self.n_classes
        if self.shift is None:
            pos = total = None
        elif self.auc_strides[0] == 1:  # bin-major sketch: (bins, K) -> (K, bins) views
            bins = C.n_auc_bins(self.shift)
            pos, total = (st[k].reshape(bins, K).T for k in ("auc_pos", "auc_all"))
        else:
            pos, total = (st[k].reshape(K, -1) for k in ("auc_pos", "auc_all"))
        C.add_macro_auc(metrics, bounds, notes, pos, total,
                        unit="class", units="classes", average="one-vs-rest macro")

    def _confusions(self, notes):
        st, K = self.stats, self.n_classes
        if self.dense:
            matrix = st["cm"].reshape(K, K)
            off = matrix.copy()
            np.fill_diagonal(off, 0)
            flat = np.flatnonzero(off)
            vals = off.ravel()[flat]
            keys = flat
        else:
            matrix = None
            keys, vals = st["conf_keys"], st["conf_vals"]
            if st["conf_pruned"][0] > 0:
                notes.append("the list of confusions is approximate: the rarest (true, predicted)"
                             " pairs were dropped to bound memory.")
        order = np.lexsort((keys, -vals))[:TOP_CONFUSIONS]
        confusions = [(int(keys[i] // K), int(keys[i] % K), float(vals[i])) for i in order]
        return matrix, confusions


def add_confusion_pairs(stats: dict, keys: np.ndarray, vals: np.ndarray) -> None:
    """Add (true * K + predicted) confusion keys with their weights to a sparse state's pairs
    (kept sorted by key: a few new pairs cost a binary search and one insertion, not a sort)."""
    if not len(keys):
        return
    keys, vals = _reduce_pairs(keys, vals)
    old_k, old_v = stats["conf_keys"], stats["conf_vals"].copy()
    at = np.searchsorted(old_k, keys)
    seen = np.zeros(len(keys), bool)
    inside = at < len(old_k)
    seen[inside] = old_k[at[inside]] == keys[inside]
    old_v[at[seen]] += vals[seen]
    new = ~seen
    merged = (np.insert(old_k, at[new], keys[new]), np.insert(old_v, at[new], vals[new]))
    stats["conf_keys"], stats["conf_vals"], pruned = _prune(*merged)
    stats["conf_pruned"] += pruned


def _reduce_pairs(keys: np.ndarray, vals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    uniq, inverse = np.unique(keys, return_inverse=True)
    return uniq.astype(np.int64), np.bincount(inverse, weights=vals, minlength=len(uniq))


def _prune(keys, vals):
    if len(keys) <= MAX_CONFUSION_PAIRS:
        return keys, vals, 0.0
    keep = np.sort(np.argpartition(-vals, MAX_CONFUSION_PAIRS)[:MAX_CONFUSION_PAIRS])
    return keys[keep], vals[keep], 1.0
