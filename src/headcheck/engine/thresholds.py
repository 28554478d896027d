"""Decision thresholds of binary and multi-label scores: the metrics across thresholds and the
threshold that maximises F1, balanced accuracy and Youden's J, per label and overall.

Nothing is added to the pass: the curves come, at result time, from the score histograms the
states already keep for ROC AUC / average precision (`auc_pos` / `auc_all` of the binary state,
`auc_hist` of the multi-label state). The candidate thresholds are the histogram's bin boundaries
(`_common.key_edges`): at each of them the counts are exact, so every point of a curve equals
scikit-learn's metric at that threshold; between boundaries nothing is known. The best threshold
found is therefore the best among the boundaries, at most one bin's worth of rows from the best
over every threshold (bins are 2**-(23 - shift) of an octave wide on both tails: 1/128 of an
octave, a relative step of 0.5 % of p or 1 - p, for one binary problem).

Balanced accuracy and Youden's J = TPR + TNR - 1 = 2 * balanced accuracy - 1 peak at the same
threshold; both are given because both names are in use.

The values at the threshold in use come from the state's exact counts, not from the histogram.

>>> import numpy as np
>>> from headcheck.engine import new_state
>>> from headcheck.task import TaskProfile
>>> s = new_state(TaskProfile("binary", 2, "integer", "probabilities", "column"))
>>> s.update(np.array([0, 0, 1, 1, 1]), np.array([.1, .3, .35, .4, .9]))
>>> t = s.result().thresholds
>>> t.overall.best["f1"].value, round(t.overall.best["f1"].threshold, 2), t.overall.at_current["f1"]
(1.0, 0.35, 0.5)
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from headcheck.engine import _common as C

# The metrics a threshold is chosen for (ids of the JSON contract).
CRITERIA = ("f1", "balanced_accuracy", "youden_j")
# Points of a curve kept for plots and JSON (the full curve has one point per filled bin).
CURVE_POINTS = 256


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Curve:
    """Counts of one binary problem at each candidate threshold (ascending): predictions are
    positive when the score is at or above `threshold` (up to the binning, see the module)."""

    threshold: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    positives: float
    negatives: float

    @property
    def precision(self) -> np.ndarray:
        return C.safe_div(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> np.ndarray:
        return C.safe_div(self.tp, self.positives)

    @property
    def specificity(self) -> np.ndarray:
        return C.safe_div(self.negatives - self.fp, self.negatives)

    def metric(self, name: str) -> np.ndarray:
        """`f1`, `balanced_accuracy`, `youden_j`, `precision`, `recall` at every threshold."""
        if name == "f1":
            return C.safe_div(2 * self.tp, self.tp + self.fp + self.positives)
        if name == "balanced_accuracy":
            return (self.recall + self.specificity) / 2
        if name == "youden_j":
            return self.recall + self.specificity - 1
        return getattr(self, name)

    def sampled(self, points: int = CURVE_POINTS) -> dict[str, list[float]]:
        """The curve at most `points` thresholds (evenly spread over the filled bins), as lists."""
        idx = np.unique(np.linspace(0, len(self.threshold) - 1, min(points, len(self.threshold)))
                        .round().astype(int))
        out = {"threshold": self.threshold[idx]}
        for name in ("precision", "recall", *CRITERIA):
            out[name] = self.metric(name)[idx]
        return {k: [float(x) for x in v] for k, v in out.items()}


def curve_from_hist(pos: np.ndarray, neg: np.ndarray, edges: np.ndarray) -> Curve:
    """The curve of one binary problem from its score histograms (positives, negatives per bin,
    bins ascending in score) and the bins' lower boundaries `edges`. Only boundaries where a
    count changes are kept, plus the threshold above every score (nothing predicted)."""
    pos, neg = np.asarray(pos, dtype=np.float64), np.asarray(neg, dtype=np.float64)
    filled = np.flatnonzero((pos + neg) > 0)
    tp = np.cumsum(pos[filled][::-1])[::-1]  # positives in bins >= each filled bin
    fp = np.cumsum(neg[filled][::-1])[::-1]
    return Curve(threshold=np.append(edges[filled], 1.0), tp=np.append(tp, 0.0),
                 fp=np.append(fp, 0.0), positives=float(pos.sum()), negatives=float(neg.sum()))


@dataclass(frozen=True)
class Best:
    """The threshold where a metric peaks, and the metric there."""

    threshold: float
    value: float


@dataclass(frozen=True)
class ThresholdSummary:
    """One binary problem (binary data, one label, or every label pooled): the metrics at the
    threshold in use (exact) and where each of `CRITERIA` peaks (on the histogram's
    boundaries). `best` is empty when the problem has no positive or no negative row."""

    name: str
    current: float
    at_current: dict[str, float]
    best: dict[str, Best]
    positives: float
    predicted_at_current: float
    all_positive: float = 0.0  # F1 of predicting every row positive: what a very low cut gives

    def gain(self, metric: str = "f1") -> float:
        """How much `metric` rises from the threshold in use to its best threshold (>= 0)."""
        if metric not in self.best:
            return 0.0
        return max(0.0, self.best[metric].value - self.at_current[metric])

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "positives": self.positives,
                "predicted_at_current": self.predicted_at_current,
                "at_current": dict(self.at_current),
                "best": {k: {"threshold": b.threshold, "value": b.value}
                         for k, b in self.best.items()}}


@dataclass(frozen=True)
class Thresholds:
    """The threshold analysis of a pass: `overall` (binary: the positive class; multi-label:
    every (row, label) decision pooled, i.e. micro-averaged, under one threshold), `per_label`
    (multi-label), the macro-F1 when each label gets its own best threshold, the sampled overall
    curve, and the threshold resolution."""

    current: float
    overall: ThresholdSummary
    per_label: tuple[ThresholdSummary, ...] = ()
    macro_f1_at_best: float | None = None
    curve: dict[str, list[float]] = field(default_factory=dict)
    resolution: str = ""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"current": self.current, "overall": self.overall.to_dict(),
                             "curve": dict(self.curve), "resolution": self.resolution}
        if self.per_label:
            d["per_label"] = [s.to_dict() for s in self.per_label]
            d["macro_f1_at_best"] = self.macro_f1_at_best
        return d

    def facts(self, roc_auc: float | None = None) -> dict[str, Any]:
        """What the rules read (`DataFacts.extra['thresholds']`): plain numbers; `roc_auc` (the
        pass's ROC AUC, macro over labels) says how well the scores rank, whatever the threshold."""
        o = self.overall
        best = o.best.get("f1")
        return {"current": self.current, "metric": "f1" if not self.per_label else "micro_f1",
                "at_current": o.at_current.get("f1"), "best": None if best is None else best.value,
                "best_threshold": None if best is None else best.threshold,
                "positives": o.positives, "predicted_at_current": o.predicted_at_current,
                "all_positive": o.all_positive,
                "roc_auc": None if roc_auc is None or math.isnan(roc_auc) else float(roc_auc),
                "macro_f1_at_best": self.macro_f1_at_best,
                "labels_improved": sum(1 for s in self.per_label if s.gain("f1") >= 0.05)}


def counts_metrics(tp: float, fp: float, positives: float, negatives: float) -> dict[str, float]:
    """F1, balanced accuracy and Youden's J of one binary problem from its counts."""
    c = Curve(np.array([0.0]), np.array([tp], dtype=np.float64), np.array([fp], dtype=np.float64),
              positives, negatives)
    return {name: float(c.metric(name)[0]) for name in CRITERIA}


def summarise(name: str, curve: Curve, current: float, tp: float, fp: float) -> ThresholdSummary:
    """The summary of one problem: exact metrics at `current` from its counts (`tp`, `fp`), and
    the best boundary of each criterion; ties go to the boundary nearest `current` on the
    log-odds scale (a flat optimum does not move the threshold for nothing)."""
    at = counts_metrics(tp, fp, curve.positives, curve.negatives)
    best: dict[str, Best] = {}
    if curve.positives > 0 and curve.negatives > 0:
        distance = np.abs(_logit(curve.threshold) - _logit(np.array([current])))
        for metric in CRITERIA:
            values = curve.metric(metric)
            top = np.flatnonzero(values >= values.max() - 1e-12)
            i = int(top[np.argmin(distance[top])])
            best[metric] = Best(float(curve.threshold[i]), float(values[i]))
    everything = counts_metrics(curve.positives, curve.negatives, curve.positives,
                                curve.negatives)["f1"]
    return ThresholdSummary(name, current, at, best, curve.positives, tp + fp, everything)


def _logit(t: np.ndarray) -> np.ndarray:
    t = np.clip(t, 1e-300, 1 - 1e-16)
    return np.log(t) - np.log1p(-t)


def resolution_note(shift: int) -> str:
    per_octave = 2 ** (23 - shift)
    return (f"thresholds are the boundaries of the score histograms ({per_octave} bins per octave "
            "of p and of 1 - p): the metrics at each are exact, the best threshold is the best "
            "boundary (a finer search could add at most one bin's rows).")


def binary_thresholds(stats: dict, shift: int, current: float) -> Thresholds | None:
    """Threshold analysis of a binary state's statistics (None without positives)."""
    pos, allw = stats["auc_pos"], stats["auc_all"]
    curve = curve_from_hist(pos, allw - pos, C.key_edges(shift))
    if curve.positives <= 0:
        return None
    tn, fp, fn, tp = (float(x) for x in stats["cm_honest"])
    overall = summarise("positive class", curve, current, tp, fp)
    return Thresholds(current, overall, curve=curve.sampled(), resolution=resolution_note(shift))


def multilabel_thresholds(stats: dict, shift: int, current: float,
                          names: list[str]) -> Thresholds | None:
    """Threshold analysis of a multi-label state: every label pooled under one threshold
    (micro), and each label on its own. None without any positive label."""
    L = len(names)
    hist = stats["auc_hist"].reshape(L, C.n_auc_bins(shift), 2)
    edges = C.key_edges(shift)
    neg, pos = hist[:, :, 0], hist[:, :, 1]
    support, tp, pred = stats["support"], stats["tp_honest"], stats["pred_honest"]
    pooled = curve_from_hist(pos.sum(axis=0), neg.sum(axis=0), edges)
    if pooled.positives <= 0:
        return None
    overall = summarise("all labels (micro)", pooled, current, float(tp.sum()),
                        float(pred.sum() - tp.sum()))
    per_label = []
    for j in range(L):
        curve = curve_from_hist(pos[j], neg[j], edges)
        per_label.append(summarise(names[j], curve, current, float(tp[j]), float(pred[j] - tp[j])))
    best_f1 = [s.best["f1"].value if "f1" in s.best else s.at_current["f1"] for s in per_label]
    return Thresholds(current, overall, tuple(per_label),
                      macro_f1_at_best=float(np.mean(best_f1)) if best_f1 else None,
                      curve=pooled.sampled(), resolution=resolution_note(shift))


def logit_of(t: float) -> float:
    """log(t / (1 - t)): a probability threshold on the logit scale."""
    t = min(max(t, 1e-300), 1 - 1e-16)
    return math.log(t) - math.log1p(-t)
