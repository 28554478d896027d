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
from headcheck.engine.multilabel import rowsum
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
    def ks(self) -> tuple[int, ...]:
        return tuple(sorted(set(self.top_k) | {KERAS_TOP_K}))

    @property
    def shift(self) -> int | None:
        return C.auc_shift(self.n_classes) if self.profile.is_probabilistic else None

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

    # --- update ---------------------------------------------------------------------------------
    def _update(self, y, s, w) -> None:
        st, n = self.stats, len(y)
        y = y.astype(np.intp, copy=False)
        if self.profile.score_kind == "hard":
            pred = s.astype(np.intp, copy=False)
            correct = pred == y
            st["above"] += n if w is None else w.sum()
            st["true_above"] += C.wsum(correct, w)
        else:
            pred, correct = self._update_scores(y, s, w)
        self._update_counts(y, pred, correct, w)

    def _update_counts(self, y, pred, correct, w) -> None:
        st, K = self.stats, self.n_classes
        st["support"] += C.wbincount(y, w, K)
        st["predicted"] += C.wbincount(pred, w, K)
        st["tp"] += C.wbincount(y[correct], None if w is None else w[correct], K)
        if self.dense:
            st["cm"] += C.wbincount(y * K + pred, w, K * K)
            return
        wrong = ~correct
        keys = y[wrong].astype(np.int64) * K + pred[wrong]
        vals = np.ones(len(keys)) if w is None else w[wrong]
        self._add_pairs(keys, vals)

    def _add_pairs(self, keys: np.ndarray, vals: np.ndarray) -> None:
        st = self.stats
        merged = _reduce_pairs(np.concatenate([st["conf_keys"], keys]),
                               np.concatenate([st["conf_vals"], vals]))
        st["conf_keys"], st["conf_vals"], pruned = _prune(*merged)
        st["conf_pruned"] += pruned

    def _update_scores(self, y, s, w):
        st, n = self.stats, len(y)
        rows = np.arange(n)
        pred = s.argmax(axis=1)
        correct = pred == y
        s_true = s[rows, y]
        greater = rowsum(s > s_true[:, None])
        for i, k in enumerate(self.ks):
            st["topk"][i] += C.wsum(greater < k, w)
        if self.profile.score_kind == "probabilities":
            above = s[rows, pred] > 0.5  # rows sum to 1: only the largest can exceed 0.5
        else:
            above = rowsum(s > 0.5)
        st["above"] += above.sum() if w is None else w @ above
        st["true_above"] += C.wsum(s_true > 0.5, w)
        prob, nll = self._probabilities(s, y, rows)
        st["logloss"] += nll.sum() if w is None else w @ nll
        p_true = prob[rows, y].astype(np.float64)
        # float32 scores: float32 row sums (relative error ~1e-6, four times faster)
        sumsq = np.einsum("ij,ij->i", prob, prob).astype(np.float64)
        brier = sumsq - 2 * p_true + 1
        st["brier"] += brier.sum() if w is None else w @ brier
        p_max = prob[rows, pred]
        C.calibration_update(st, p_max.astype(np.float64), correct, w, self.n_bins)
        if self.shift is not None:
            self._stash_auc_block(prob, p_max, prob[rows, y], pred)
        return pred, correct

    def _probabilities(self, s, y, rows):
        """(probabilities, per-row log loss) with sklearn's clipping to [eps, 1 - eps]."""
        if self.profile.score_kind != "logits":
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

    # AUC histograms: per block, the raw key bits of every score are copied (transposed, while
    # the block is in cache) into a (K, n) buffer; after the chunk's last block, one bincount per
    # class counts them. The per-class output (lo + bins cells) stays in cache and bincount lets
    # the other worker thread run, where np.add.at into the whole K x bins histogram holds the
    # GIL and misses the cache on every key.
    def _begin_chunk(self, n: int) -> None:
        if self.shift is None or self.profile.score_kind == "hard":
            return
        self._auc = {"keys": np.empty((self.n_classes, n), np.uint16), "at": 0,
                     "p_max": np.empty(n, np.float64), "p_true": np.empty(n, np.float64),
                     "pred": np.empty(n, np.intp)}

    def _stash_auc_block(self, prob, p_max, p_true, pred) -> None:
        buf, shift = self._auc, self.shift
        a, b = buf["at"], buf["at"] + len(pred)
        p32 = np.ascontiguousarray(prob, dtype=np.float32)
        if shift == 16 and np.little_endian:  # the high 16 bits, read through a view
            buf["keys"][:, a:b] = p32.view(np.uint16)[:, 1::2].T
        else:  # raw keys fit 16 bits for shift >= 14; negative scores (not probabilities) -> 0
            raw = np.right_shift(p32.view(np.int32), shift)
            buf["keys"][:, a:b] = np.maximum(raw, 0).T
        buf["p_max"][a:b], buf["p_true"][a:b], buf["pred"][a:b] = p_max, p_true, pred
        buf["at"] = b

    def _end_chunk(self, y, w) -> None:
        buf = getattr(self, "_auc", None)
        if buf is None:
            return
        self._auc = None
        st, K, shift = self.stats, self.n_classes, self.shift
        bins = C.n_auc_bins(shift)
        if w is not None:
            for key in ("auc_all", "auc_pos"):
                st[key] = st[key].astype(np.float64, copy=False)
        lo = C.key_floor(shift)
        width = lo + bins  # raw keys of probabilities in [0, 1] lie below this
        hist = st["auc_all"].reshape(K, bins)
        for j in range(K):
            counts = np.bincount(buf["keys"][j], weights=w, minlength=width)
            hist[j] += counts[lo:width]
            hist[j, 0] += counts[:lo].sum()  # below the key floor: the lowest bin
        p_max, pred, y = buf["p_max"], buf["pred"], y.astype(np.intp, copy=False)
        # Only a row's largest probability can exceed 0.5: move it to its mirrored key so the
        # high tail stays resolved.
        over = np.flatnonzero(p_max > 0.5)
        if over.size:
            cls = pred[over]
            q = 1.0 - p_max[over].astype(np.float64)
            moved = 1 if w is None else w[over]
            np.add.at(st["auc_all"], C.low_keys(p_max[over], shift) + cls * bins, -moved)
            np.add.at(st["auc_all"], C.high_keys(q, shift) + cls * bins, moved)
        pos = C.low_keys(buf["p_true"], shift).astype(np.intp) + y * bins
        mirrored = over[pred[over] == y[over]]
        if mirrored.size:
            q = 1.0 - p_max[mirrored].astype(np.float64)
            pos[mirrored] = C.high_keys(q, shift) + y[mirrored] * bins
        np.add.at(st["auc_pos"], pos, 1 if w is None else w)

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
        metrics = C.class_metrics(st["tp"], st["support"], st["predicted"])
        W = st["w_total"][0]
        notes: list[str] = []
        bounds: dict[str, float] = {}
        if self.profile.score_kind != "hard":
            for i, k in enumerate(self.ks):
                if k in self.top_k and k < K:
                    metrics[f"top_k_accuracy@{k}"] = float(st["topk"][i] / W)
        calibration = None
        if self.profile.is_probabilistic:
            metrics["log_loss"] = float(st["logloss"][0] / W)
            # sklearn halves the two-column Brier score so that it equals the binary one
            metrics["brier"] = float(st["brier"][0] / W) * (0.5 if K == 2 else 1.0)
            calibration = C.calibration_result(st, self.n_bins)
            metrics["ece"] = calibration.ece
            self._auc_metrics(metrics, bounds, notes)
        matrix, confusions = self._confusions(notes)
        facts = DataFacts(
            n_samples=self.n_samples, n_outputs=K, label_min=self.label_min,
            label_max=self.label_max, label_is_integer=True,
            class_counts=tuple(float(c) for c in st["support"]),
            predicted_counts=tuple(float(c) for c in st["predicted"]),
            accuracy=metrics["accuracy"], majority_rate=float(st["support"].max() / W))
        return EngineResult(
            kind=self.kind, n_samples=self.n_samples, total_weight=float(W), metrics=metrics,
            views=compute_views(self, metrics, notes),
            baselines=single_label_baselines(self.profile, st["support"]),
            per_class=C.per_class_rows(self.profile, st["tp"], st["support"], st["predicted"]),
            calibration=calibration, confusions=confusions, confusion_matrix=matrix, facts=facts,
            score_min=self.score_min, score_max=self.score_max, n_nonfinite=self.n_nonfinite,
            nonfinite_rows=tuple(self.nonfinite_rows), bounds=bounds, notes=tuple(notes))

    def _auc_metrics(self, metrics, bounds, notes) -> None:
        st, K = self.stats, self.n_classes
        shape = None if self.shift is None else (K, C.n_auc_bins(self.shift))
        C.add_macro_auc(metrics, bounds, notes,
                        None if shape is None else st["auc_pos"].reshape(shape),
                        None if shape is None else st["auc_all"].reshape(shape),
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


def _reduce_pairs(keys: np.ndarray, vals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    uniq, inverse = np.unique(keys, return_inverse=True)
    return uniq.astype(np.int64), np.bincount(inverse, weights=vals, minlength=len(uniq))


def _prune(keys, vals):
    if len(keys) <= MAX_CONFUSION_PAIRS:
        return keys, vals, 0.0
    keep = np.sort(np.argpartition(-vals, MAX_CONFUSION_PAIRS)[:MAX_CONFUSION_PAIRS])
    return keys[keep], vals[keep], 1.0
