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
from headcheck.engine.views import multilabel_views
from headcheck.errors import InputError, describe_array
from headcheck.task import DataFacts


def colsum(m: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """Weighted column sums of a 2-D 0/1 array, float64."""
    if w is None:
        return np.count_nonzero(m, axis=0).astype(np.float64)
    return w @ m


def rowsum(m: np.ndarray) -> np.ndarray:
    return np.count_nonzero(m, axis=1)


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
                s.update(auc_pos=z(cells), auc_all=z(cells))
        return s

    def _check(self, y, s, w) -> None:
        n, L = len(y), self.n_labels
        if y.shape != (n, L) or s.shape != (n, L):
            raise InputError(f"a multilabel chunk needs labels and scores of shape (n, {L}); got "
                             f"labels {describe_array(y)} and scores {describe_array(s)}. Pass "
                             "one 0/1 column per label.")
        if n and y.dtype != bool and not ((y == 0) | (y == 1)).all():
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
            nll = np.clip(np.logaddexp(0.0, np.where(y, -z, z)), -np.log1p(-eps), -np.log(eps))
        else:
            eps = np.finfo(s.dtype).eps
            p_label = np.clip(np.where(y, s, 1 - s), eps, 1 - eps)
            nll = -np.log(p_label.astype(np.float64))
            p = s
        st["logloss"] += nll.sum(axis=0) if w is None else w @ nll
        sq = (p - y) ** 2
        st["brier"] += sq.sum(axis=0, dtype=np.float64) if w is None else w @ sq
        conf = np.where(pred, p, 1 - p).astype(np.float64)
        C.calibration_update(st, conf, pred == y, w, self.n_bins)
        if self.shift is not None:
            self._update_auc(s, y, w)

    def _update_auc(self, s, y, w) -> None:
        st, L, shift = self.stats, self.n_labels, self.shift
        bins = C.n_auc_bins(shift)
        keys = C.logit_keys(s, shift) if self.profile.score_kind == "logits" else \
            C.prob_keys(s, shift)
        keys += (np.arange(L, dtype=np.int32) * np.int32(bins))[None, :]
        ww = None if w is None else np.repeat(w, L)
        st["auc_all"] += C.wbincount(keys.ravel(), ww, L * bins)
        st["auc_pos"] += C.wbincount(keys[y], None if w is None else ww[y.ravel()], L * bins)

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
            views=multilabel_views(self, metrics, notes), baselines=self._baselines(),
            per_class=rows, calibration=calibration, confusions=[], confusion_matrix=None,
            facts=facts, score_min=self.score_min, score_max=self.score_max,
            n_nonfinite=self.n_nonfinite, nonfinite_rows=tuple(self.nonfinite_rows),
            bounds=bounds, notes=tuple(notes))

    def _auc_metrics(self, metrics, bounds, notes) -> None:
        st, L = self.stats, self.n_labels
        if self.shift is None:
            notes.append(f"roc_auc and average_precision are omitted above {C.AUC_MAX_CLASSES} "
                         "labels (their score histograms would not fit the memory budget).")
            return
        bins = C.n_auc_bins(self.shift)
        auc, ap, bound, used = C.macro_auc(st["auc_pos"].reshape(L, bins),
                                           st["auc_all"].reshape(L, bins))
        if used == 0:
            notes.append("roc_auc and average_precision are undefined: no label has both "
                         "positive and negative rows.")
            return
        metrics["roc_auc"], metrics["average_precision"] = auc, ap
        bounds["roc_auc"] = bound
        notes.append(f"roc_auc and average_precision are macro averages over {used} labels, from "
                     f"score histograms of {bins} bins per label; the AUC is within {bound:.1e} "
                     "of the exact value.")
        if used < L:
            notes.append(f"{L - used} labels without positive (or negative) rows are left out of "
                         "the AUC/AP averages.")

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
