"""Multi-label state: per-label counts at each threshold the metrics and views use, exact-match
and Jaccard sums, per-label log loss and Brier, calibration over every label, per-label score
histograms for AUC / AP.

Predictions are ``probability > profile.threshold`` per label (strict, as Keras and
torchmetrics); logits are compared with logit(threshold). There is no plain `accuracy` metric:
per-label accuracy and subset (exact-match) accuracy are different numbers and both are given.
"""
from __future__ import annotations

import math

import numpy as np

from headcheck.engine import _common as C
from headcheck.engine._result import Baseline, EngineResult
from headcheck.engine._state import State, check_weights
from headcheck.views import compute_views
from headcheck.errors import InputError, describe_array
from headcheck.task import DataFacts


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


def _is_zero_one(y: np.ndarray) -> bool:
    if y.dtype.kind in "iu":  # integers: two passes (min, max) instead of three
        return bool(y.min() >= 0 and y.max() <= 1)
    return bool(((y == 0) | (y == 1)).all())


class MultilabelState(State):
    """Mergeable statistics of a multi-label pass.

    >>> import numpy as np
    >>> from headcheck.task import TaskProfile
    >>> s = MultilabelState(TaskProfile("multilabel", 2, "multi-hot", "independent"))
    >>> s.update(np.array([[1, 0], [1, 1]]), np.array([[.9, .2], [.8, .3]]))
    >>> s.result().metrics["subset_accuracy"], s.result().metrics["per_label_accuracy"]
    (0.5, 0.75)
    """

    kind = "multilabel"

    @property
    def n_labels(self) -> int:
        return self.profile.n_classes

    @property
    def thresholds(self) -> dict[str, float]:
        """name -> raw threshold (strict) of every set of per-label counts the state keeps."""
        p = self.profile
        if p.score_kind == "hard":
            return {"honest": 0.5}
        if p.score_kind == "logits":
            thr = min(max(p.threshold, 1e-300), 1 - 1e-16)
            return {"honest": math.log(thr / (1 - thr)), "keras": 0.5, "sigmoid": 0.0}
        return {"honest": float(p.threshold), "keras": 0.5}

    @property
    def shift(self) -> int | None:
        return C.auc_shift(self.n_labels) if self.profile.is_probabilistic else None

    def _empty_stats(self) -> dict[str, np.ndarray]:
        L, z = self.n_labels, np.zeros
        s = {"support": z(L), "no_positive": z(1), "keras_cat": z(1), "jaccard": z(1)}
        for name in self.thresholds:
            s.update({f"pred_{name}": z(L), f"tp_{name}": z(L), f"exact_{name}": z(1)})
        if self.profile.is_probabilistic:
            s.update(logloss=z(L), brier=z(L), cal_w=z(self.n_bins), cal_conf=z(self.n_bins),
                     cal_acc=z(self.n_bins))
            if self.shift is not None:
                cells = L * C.n_auc_bins(self.shift)
                # cell 2 * key + label: negatives and positives side by side, one scatter
                s["auc_hist"] = z(2 * cells, dtype=np.int64)
        return s

    def _check(self, y, s, w) -> None:
        n, L = len(y), self.n_labels
        if y.shape != (n, L) or s.shape != (n, L):
            raise InputError(f"a multilabel chunk needs labels and scores of shape (n, {L}); got "
                             f"labels {describe_array(y)} and scores {describe_array(s)}. Pass "
                             "one 0/1 column per label.")
        if n and y.dtype != bool and not _is_zero_one(y):
            raise InputError("multilabel labels must be 0 or 1 (multi-hot); got other values. "
                             "Threshold soft labels or pass --task.")
        check_weights(w, n)

    # --- update ---------------------------------------------------------------------------------
    def _update(self, y, s, w) -> None:
        st = self.stats
        y = y.view(bool) if y.dtype in (np.uint8, np.int8) else y.astype(bool, copy=False)
        ycount = rowsum(y)
        st["support"] += colsum(y, w)
        st["no_positive"] += C.wsum(ycount == 0, w)
        cat_hit = s.argmax(axis=1) == y.argmax(axis=1)  # Keras: first positive label
        st["keras_cat"] += C.wsum(cat_hit, w)
        done: dict[float, dict[str, np.ndarray]] = {}  # threshold -> increments of its counts
        for name, t in self.thresholds.items():
            if t not in done:
                pred = s > t
                done[t] = self._threshold_counts(pred, y, ycount, w)
                if name == "honest":
                    st["jaccard"] += self._jaccard(done[t], ycount, w)
                    if self.profile.is_probabilistic:
                        self._update_probabilistic(y, s, w, pred)
            for key, value in done[t].items():
                if not key.startswith("_"):
                    st[f"{key}_{name}"] += value

    @staticmethod
    def _threshold_counts(pred, y, ycount, w) -> dict[str, np.ndarray]:
        hit = pred & y
        pcount, inter = rowsum(pred), rowsum(hit)
        exact = C.wsum(pcount + ycount == 2 * inter, w)
        return {"pred": colsum(pred, w), "tp": colsum(hit, w), "exact": np.array([exact]),
                "_pcount": pcount, "_inter": inter}

    @staticmethod
    def _jaccard(counts, ycount, w) -> float:
        inter = counts["_inter"]
        ratio = C.safe_div(inter, counts["_pcount"] + ycount - inter)  # empty rows: 0.0
        return float(ratio.sum() if w is None else w @ ratio)

    def _update_probabilistic(self, y, s, w, pred) -> None:
        st = self.stats
        if self.profile.score_kind == "logits":
            z = s.astype(np.float64)
            p = 1.0 / (1.0 + np.exp(-z))
            eps = np.finfo(np.float64).eps
            nll = np.clip(np.logaddexp(0.0, select(y, -z, z)), -np.log1p(-eps), -np.log(eps))
            st["logloss"] += nll.sum(axis=0) if w is None else w @ nll
            other = 1.0 - p
        else:
            p = s if s.dtype in (np.float32, np.float64) else s.astype(np.float64)
            other = 1 - p  # in the input dtype, as sklearn
            eps = np.finfo(p.dtype).eps
            p_label = np.clip(select(y, p, other), eps, 1 - eps)
            st["logloss"] -= log_colsum(p_label, w)
        diff = p - y.view(np.uint8)
        if w is not None:
            st["brier"] += np.einsum("i,ij,ij->j", w, diff, diff)
        else:  # float32 scores: float32 block sums (relative error ~1e-6), 3x faster
            st["brier"] += np.einsum("ij,ij->j", diff, diff)
        conf_is_max = self.profile.threshold == 0.5 and self.profile.score_kind != "logits"
        if conf_is_max:
            conf = np.maximum(p, other)  # the predicted value's probability
        else:
            conf = select(pred, p, other)
        C.calibration_update(st, conf, pred == y, w, self.n_bins)
        if self.shift is not None:
            # p > 1 - p is the decision at 0.5: reuse it as the histogram's side
            high = pred if conf_is_max else None
            self._update_auc(s, p, other, y, w, high)

    def _update_auc(self, s, p, other, y, w, high) -> None:
        st, L, shift = self.stats, self.n_labels, self.shift
        bins = C.n_auc_bins(shift)
        if self.profile.score_kind == "logits":
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

    # --- result ---------------------------------------------------------------------------------
    def label_accuracy(self, name: str) -> np.ndarray:
        """Per-label accuracy (tp + tn) / total of the counts at threshold `name`."""
        st, W = self.stats, self.total_weight
        wrong = st[f"pred_{name}"] + st["support"] - 2 * st[f"tp_{name}"]
        return 1.0 - wrong / W

    def result(self) -> EngineResult:
        """Metrics, views, baselines, per-label rows and calibration of the pass."""
        st, L = self.stats, self.n_labels
        if st["n"][0] == 0:
            raise InputError("no rows to measure: the data is empty (or every row had non-finite "
                             "scores). Pass at least one labelled row.")
        W = self.total_weight
        tp, support, pred = st["tp_honest"], st["support"], st["pred_honest"]
        label_acc = self.label_accuracy("honest")
        precision, recall = C.safe_div(tp, pred), C.safe_div(tp, support)
        f1 = C.safe_div(2 * tp, support + pred)
        metrics = {
            "per_label_accuracy": float(label_acc.mean()),
            "subset_accuracy": float(st["exact_honest"][0] / W),
            "hamming_loss": float(1.0 - label_acc.mean()),
            "jaccard_samples": float(st["jaccard"][0] / W),
            "macro_precision": float(precision.mean()),
            "macro_recall": float(recall.mean()),
            "macro_f1": float(f1.mean()),
            "micro_f1": float(C.safe_div(2 * tp.sum(), support.sum() + pred.sum())),
            "weighted_f1": float(C.safe_div((f1 * support).sum(), support.sum())),
        }
        notes: list[str] = []
        bounds: dict[str, float] = {}
        calibration = None
        if self.profile.is_probabilistic:
            metrics["log_loss"] = float(st["logloss"].mean() / W)
            metrics["brier"] = float(st["brier"].mean() / W)
            calibration = C.calibration_result(st, self.n_bins)
            metrics["ece"] = calibration.ece
            self._auc_metrics(metrics, bounds, notes)
        facts = DataFacts(
            n_samples=self.n_samples, n_outputs=L, label_min=self.label_min,
            label_max=self.label_max, label_is_integer=True,
            class_counts=tuple(float(c) for c in support),
            predicted_counts=tuple(float(c) for c in pred),
            accuracy=metrics["per_label_accuracy"],
            majority_rate=float(np.maximum(support, W - support).mean() / W),
            extra={"subset_accuracy": metrics["subset_accuracy"]})
        rows = C.per_class_rows(self.profile, tp, support, pred,
                                {"accuracy": label_acc, "positive_rate": support / W})
        return EngineResult(
            kind=self.kind, n_samples=self.n_samples, total_weight=W, metrics=metrics,
            views=compute_views(self, metrics, notes), baselines=self._baselines(),
            per_class=rows, calibration=calibration, confusions=[], confusion_matrix=None,
            facts=facts, score_min=self.score_min, score_max=self.score_max,
            n_nonfinite=self.n_nonfinite, nonfinite_rows=tuple(self.nonfinite_rows),
            bounds=bounds, notes=tuple(notes))

    def _auc_metrics(self, metrics, bounds, notes) -> None:
        st, L = self.stats, self.n_labels
        hist = None if self.shift is None else st["auc_hist"].reshape(L, C.n_auc_bins(self.shift), 2)
        C.add_macro_auc(metrics, bounds, notes,
                        None if hist is None else hist[:, :, 1],
                        None if hist is None else hist.sum(axis=2),
                        unit="label", units="labels", average="macro")

    def _baselines(self) -> dict[str, Baseline]:
        st, L, W = self.stats, self.n_labels, self.total_weight
        rate = st["support"] / W
        majority = np.maximum(rate, 1 - rate)
        zeros_acc = float((1 - rate).mean())
        zeros_subset = float(st["no_positive"][0] / W)
        all_zero = bool((rate <= 0.5).all())
        what = "predicting all zeros" if all_zero else "predicting each label's majority value"
        prior = float((rate**2 + (1 - rate) ** 2).mean())
        return {
            "majority_class": Baseline(
                float(majority.mean()),
                f"{what} scores {majority.mean():.2f} per-label accuracy here",
                {"subset_accuracy_all_zeros": zeros_subset,
                 "per_label_accuracy_all_zeros": zeros_acc, "majority_is_all_zeros": all_zero}),
            "uniform_chance": Baseline(
                0.5, "guessing each label with a fair coin scores 0.50 per-label accuracy",
                {"subset_accuracy": 0.5**L}),
            "prior_matching": Baseline(
                prior, f"guessing each label at random with its frequency scores {prior:.2f} "
                "per-label accuracy on average", {}),
        }
