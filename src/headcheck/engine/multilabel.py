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
from headcheck.engine.thresholds import multilabel_thresholds
from headcheck.views import compute_views
from headcheck.errors import InputError, describe_array
from headcheck.task import DataFacts


def _is_zero_one(y: np.ndarray) -> bool:
    if y.dtype.kind in "iu":  # integers: two passes (min, max) instead of three
        return bool(y.min() >= 0 and y.max() <= 1)
    return bool(((y == 0) | (y == 1)).all())


class MultilabelState(State):
    """Mergeable statistics of a multi-label pass.

    Statistics (what a kernel fills): `support` (L), `no_positive`, `keras_cat` (Keras's
    categorical accuracy on multi-hot rows), `jaccard` (1); for each threshold name of
    `thresholds` `pred_<name>` / `tp_<name>` (L) and `exact_<name>` (1); when probabilistic,
    `logloss` / `brier` (L), `cal_w` / `cal_conf` / `cal_acc` (n_bins, over every label) and
    unless `auc=False` `auc_hist` (2 * L * bins: negatives and positives side by side, int64;
    float64 once weighted).

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
        return self.auc_shift(self.n_labels)

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
        notes: list[str] = []
        bounds: dict[str, float] = {}
        metrics = self.metrics_of(st, notes, bounds)
        calibration = thresholds = None
        if self.profile.is_probabilistic:
            calibration = C.calibration_result(st, self.n_bins)
            if self.shift is not None and self._scores_vary():  # constant: no curve
                names = [self.profile.class_name(j) for j in range(L)]
                thresholds = multilabel_thresholds(st, self.shift, self.profile.threshold, names)
        extra: dict = {"subset_accuracy": metrics["subset_accuracy"]}
        if thresholds is not None:
            extra["thresholds"] = thresholds.facts(metrics.get("roc_auc"))
        facts = DataFacts(
            n_samples=self.n_samples, n_outputs=L, label_min=self.label_min,
            label_max=self.label_max, label_is_integer=True,
            class_counts=tuple(float(c) for c in support),
            predicted_counts=tuple(float(c) for c in pred),
            accuracy=metrics["per_label_accuracy"],
            majority_rate=float(np.maximum(support, W - support).mean() / W),
            extra=extra)
        rows = C.per_class_rows(self.profile, tp, support, pred,
                                {"accuracy": label_acc, "positive_rate": support / W}, notes)
        return EngineResult(
            kind=self.kind, n_samples=self.n_samples, total_weight=W, metrics=metrics,
            views=compute_views(self, metrics, notes), baselines=self._baselines(),
            per_class=rows, calibration=calibration, confusions=[], confusion_matrix=None,
            facts=facts, score_min=self.score_min, score_max=self.score_max,
            n_nonfinite=self.n_nonfinite, nonfinite_rows=tuple(self.nonfinite_rows),
            bounds=bounds, notes=tuple(notes), thresholds=thresholds)

    def metrics_of(self, st, notes=None, bounds=None) -> dict[str, float]:
        L, W = self.n_labels, float(st["w_total"][0])
        metrics = {}
        if "tp_honest" in st:
            tp, support, pred = st["tp_honest"], st["support"], st["pred_honest"]
            label_acc = 1.0 - (pred + support - 2 * tp) / W
            precision, recall = C.safe_div(tp, pred), C.safe_div(tp, support)
            f1 = C.safe_div(2 * tp, support + pred)
            metrics["per_label_accuracy"] = float(label_acc.mean())
        metrics["subset_accuracy"] = float(st["exact_honest"][0] / W)
        if "tp_honest" in st:
            metrics.update({
                "hamming_loss": float(1.0 - label_acc.mean()),
                "jaccard_samples": float(st["jaccard"][0] / W),
                "macro_precision": float(precision.mean()),
                "macro_recall": float(recall.mean()),
                "macro_f1": float(f1.mean()),
                "micro_f1": float(C.safe_div(2 * tp.sum(), support.sum() + pred.sum())),
                "weighted_f1": float(C.safe_div((f1 * support).sum(), support.sum())),
            })
        else:  # bootstrap replicates of many labels keep no per-label counts
            metrics["jaccard_samples"] = float(st["jaccard"][0] / W)
        if self.profile.is_probabilistic:
            # the sum over labels / L: the mean of per-label values (replicates keep the sum)
            metrics["log_loss"] = float(st["logloss"].sum() / L / W)
            metrics["brier"] = float(st["brier"].sum() / L / W)
            metrics["ece"] = C.ece(st)
            if "auc_hist" in st or self.shift is None:
                self._auc_metrics(st, metrics, {} if bounds is None else bounds,
                                  [] if notes is None else notes)
        return metrics

    def _auc_metrics(self, st, metrics, bounds, notes) -> None:
        L = self.n_labels
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
