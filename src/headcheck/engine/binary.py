"""Binary state: 2x2 confusion counts at the thresholds the metrics and views use, log loss,
Brier, calibration and score histograms for ROC AUC / average precision.

The honest predictions are ``probability > profile.threshold`` (strict, as Keras and
torchmetrics threshold); logits are compared with logit(threshold), which is the same decision.
Scores of the 'two-columns' layout arrive as the positive class's column (probabilities) or as
z1 - z0 (logits).
"""
from __future__ import annotations

import math

import numpy as np

from headcheck.engine import _common as C
from headcheck.engine._result import EngineResult
from headcheck.engine._state import State, check_weights
from headcheck.engine.baselines import single_label_baselines
from headcheck.engine.thresholds import binary_thresholds
from headcheck.views import compute_views
from headcheck.errors import InputError, describe_array
from headcheck.task import DataFacts


class BinaryState(State):
    """Mergeable statistics of a binary pass.

    Statistics (what a kernel fills, all float64 sums): `cm_<name>` (4: tn, fp, fn, tp, weighted)
    for each (threshold, strict) of `thresholds`; when the scores are probabilistic also
    `logloss`, `brier` (1), `cal_w` / `cal_conf` / `cal_acc` (n_bins: weight, confidence sum and
    correct weight per confidence bin) and, unless `auc=False`, `auc_pos` / `auc_all` (the score
    histogram of `shift`, `_common.prob_keys` / `logit_keys`: positives, all rows).

    >>> import numpy as np
    >>> from headcheck.task import TaskProfile
    >>> s = BinaryState(TaskProfile("binary", 2, "integer", "probabilities", "column"))
    >>> s.update(np.array([0, 1, 1]), np.array([0.2, 0.7, 0.4]))
    >>> round(s.result().metrics["accuracy"], 3)
    0.667
    """

    kind = "binary"

    @property
    def thresholds(self) -> dict[str, tuple[float, bool]]:
        """name -> (raw threshold, strict) of every 2x2 confusion the state keeps."""
        p = self.profile
        if p.score_kind == "hard":
            return {"honest": (0.5, True)}
        if p.score_kind == "logits":
            thr = min(max(p.threshold, 1e-300), 1 - 1e-16)
            out = {"honest": (math.log(thr / (1 - thr)), True), "keras": (0.5, True),
                   "sigmoid": (0.0, True)}
        else:
            out = {"honest": (float(p.threshold), True), "keras": (0.5, True)}
            if p.score_layout == "two-columns":
                out["keras_ge"] = (0.5, False)
        return out

    @property
    def shift(self) -> int | None:
        return self.auc_shift(1)

    def _empty_stats(self) -> dict[str, np.ndarray]:
        z = np.zeros
        s = {f"cm_{name}": z(4) for name in self.thresholds}
        if self.profile.is_probabilistic:
            s.update(logloss=z(1), brier=z(1), cal_w=z(self.n_bins), cal_conf=z(self.n_bins),
                     cal_acc=z(self.n_bins))
            if self.shift is not None:
                bins = C.n_auc_bins(self.shift)
                s.update(auc_pos=z(bins), auc_all=z(bins))
        return s

    def _check(self, y, s, w) -> None:
        n = len(y)
        if y.ndim != 1 or s.shape != (n,):
            raise InputError(f"a binary chunk needs labels and scores of shape (n,); got labels "
                             f"{describe_array(y)} and scores {describe_array(s)}. Pass the "
                             "positive class's score as a 1-D array.")
        if n and not np.isin(y, (0, 1)).all():
            raise InputError("binary labels must be 0 or 1; got other values. Map the negative "
                             "class to 0 and the positive class to 1.")
        check_weights(w, n)

    def counts(self, name: str = "honest") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(tp, support, predicted) per class (0, 1) of the 2x2 confusion `name`."""
        tn, fp, fn, tp = self.stats[f"cm_{name}"]
        return (np.array([tn, tp]), np.array([tn + fp, fn + tp]), np.array([tn + fn, fp + tp]))

    def metrics_of(self, st, notes=None, bounds=None) -> dict[str, float]:
        tn, fp, fn, tp = st["cm_honest"]
        metrics = C.class_metrics(np.array([tn, tp]), np.array([tn + fp, fn + tp]),
                                  np.array([tn + fn, fp + tp]))
        if not self.profile.is_probabilistic:
            return metrics
        notes = [] if notes is None else notes
        W = float(st["w_total"][0])
        metrics["log_loss"] = float(st["logloss"][0] / W)
        metrics["brier"] = float(st["brier"][0] / W)
        metrics["ece"] = C.ece(st)
        if "auc_pos" not in st:
            notes.append("roc_auc and average_precision are skipped (auc=False, --no-auc).")
            return metrics
        auc, ap, bound = C.auc_from_hist(st["auc_pos"], st["auc_all"] - st["auc_pos"])
        if np.isnan(auc):
            notes.append("roc_auc and average_precision are undefined: only one class is "
                         "present in the labels.")
        else:
            metrics["roc_auc"], metrics["average_precision"] = auc, ap
            if not self._scores_vary():
                # one score for every row: every pair is a true tie, which the histogram counts
                # exactly as scikit-learn does (1/2), so there is no binning error to bound
                bound = 0.0
            if bounds is not None:
                bounds["roc_auc"] = bound
            if not self._scores_vary():
                notes.append("roc_auc and average_precision are exact: every score is the same, "
                             "so every pair of rows is a tie.")
            else:
                exact = ("exact: no bin holds both a positive and a negative" if bound == 0
                         else f"within {C.bound_text(bound)} of the exact value")
                notes.append(f"roc_auc and average_precision come from a score histogram of "
                             f"{len(st['auc_pos'])} bins; the AUC is {exact}.")
        return metrics

    def accuracy_at(self, name: str) -> float:
        cm = self.stats[f"cm_{name}"]
        return float(C.safe_div(cm[0] + cm[3], cm.sum()))

    def result(self) -> EngineResult:
        """Metrics, views, baselines, per-class rows and calibration of the pass."""
        st = self.stats
        if st["n"][0] == 0:
            raise InputError("no rows to measure: the data is empty (or every row had non-finite "
                             "scores). Pass at least one labelled row.")
        tp, support, predicted = self.counts()
        W = self.total_weight
        notes: list[str] = []
        bounds: dict[str, float] = {}
        metrics = self.metrics_of(st, notes, bounds)
        calibration = thresholds = None
        if self.profile.is_probabilistic:
            calibration = C.calibration_result(st, self.n_bins)
            if "roc_auc" in metrics and self._scores_vary():  # constant: no threshold separates rows
                thresholds = binary_thresholds(st, self.shift, self.profile.threshold)
        cm = st["cm_honest"].reshape(2, 2)
        confusions = sorted([(0, 1, float(cm[0, 1])), (1, 0, float(cm[1, 0]))],
                            key=lambda c: -c[2])
        facts = DataFacts(
            n_samples=self.n_samples, label_min=self.label_min, label_max=self.label_max,
            n_outputs=2 if self.profile.score_layout == "two-columns" else 1,
            label_is_integer=True, class_counts=tuple(float(c) for c in support),
            predicted_counts=tuple(float(c) for c in predicted), accuracy=metrics["accuracy"],
            majority_rate=float(support.max() / W), score_min=self.score_min,
            score_max=self.score_max,
            extra={} if thresholds is None else {"thresholds": thresholds.facts(metrics.get("roc_auc"))})
        return EngineResult(
            kind=self.kind, n_samples=self.n_samples, total_weight=W, metrics=metrics,
            views=compute_views(self, metrics, notes),
            baselines=single_label_baselines(self.profile, support),
            per_class=C.per_class_rows(self.profile, tp, support, predicted),
            calibration=calibration, confusions=[c for c in confusions if c[2] > 0],
            confusion_matrix=cm.copy(), facts=facts, score_min=self.score_min,
            score_max=self.score_max, n_nonfinite=self.n_nonfinite,
            nonfinite_rows=tuple(self.nonfinite_rows), bounds=bounds, notes=tuple(notes),
            thresholds=thresholds)
