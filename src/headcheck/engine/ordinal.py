"""Ordinal state: ordered classes (ratings, grades). Everything the multi-class state keeps, plus
the sums behind the ordinal metrics.

How the scores become a predicted class (the kernel applies it; each is what the model's own
tooling does):

- one score per class ('probabilities', 'logits', 'independent'): the highest-scored class, ties
  to the first (argmax, as Keras, torch and scikit-learn predict);
- predicted classes ('hard'): as given;
- one regression output per row ('regression', in label units): the nearest class value, halves
  rounding up, clipped to the first and last class (`np.rint`-like rounding of a rating);
- K-1 cumulative probabilities P(y > k) ('cumulative') or their logits ('cumulative-logits'):
  the number of columns above 0.5 (logits: above 0), CORAL's rule
  (`coral_pytorch.dataset.proba_to_label`); CORN outputs become cumulative probabilities with
  `torch.cumprod(torch.sigmoid(logits), dim=1)`.

Metrics, all from mergeable sums (exact, whatever K): `mae` / `rmse` of the class index and
`within_one_accuracy` from the per-row differences; `quadratic_weighted_kappa` from the squared
differences and the class marginals (the chance term of Cohen's weighted kappa only needs the
marginals' first two moments); `spearman` (of the true and predicted class, midranks for ties)
from the confusion counts (dense up to DENSE_MAX_CLASSES classes, else the kept pairs: exact
unless the pair list was pruned, which the notes say). Baselines add `median_class`: the mean
absolute error of always predicting the median class, the best constant for MAE.

>>> import numpy as np
>>> from headcheck.task import TaskProfile
>>> s = OrdinalState(TaskProfile("ordinal", 5, "integer", "regression", "column"))
>>> s.update(np.array([0, 2, 4, 4]), np.array([0.2, 2.6, 3.4, 4.9]))
>>> r = s.result().metrics
>>> r["mae"], r["within_one_accuracy"]
(0.5, 1.0)
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from headcheck.engine import _common as C
from headcheck.engine._result import Baseline, EngineResult
from headcheck.engine._state import check_weights
from headcheck.engine.multiclass import MulticlassState
from headcheck.errors import InputError, describe_array


class OrdinalState(MulticlassState):
    """Mergeable statistics of an ordinal pass.

    Statistics: those of `MulticlassState` (`support`, `predicted`, `tp`, the confusion counts,
    and the probability statistics when the scores are one per class), plus `abs_err`, `sq_err`
    (sums of |pred - true| and (pred - true)^2 over class indices, weighted) and `within_one`
    (weight of rows with |pred - true| <= 1); for a regression output also `raw_abs`, `raw_sq`
    (errors of the raw output against the labels' values) and `keras_bin` (weight of rows where
    `output > 0.5` equals the label value: what Keras's binary_accuracy counts); for K-1
    cumulative outputs also `keras_cols` (weighted count of the column decisions where
    `score_k > 0.5` equals `y > k`: Keras's binary_accuracy on the 'class > k' targets is
    keras_cols / (W * (K-1))) and `keras_first` (weight of rows whose first output is the highest:
    Keras's categorical_accuracy on those targets, whose argmax is always 0).
    """

    kind = "ordinal"

    @property
    def class_values(self) -> np.ndarray:
        """The label value of each class (a regression output is read in these units)."""
        p = self.profile
        if p.label_values and all(isinstance(v, (int, float)) for v in p.label_values):
            return np.asarray(p.label_values, dtype=np.float64)
        return np.arange(self.n_classes, dtype=np.float64) + p.label_offset

    def predict_regression(self, s: np.ndarray) -> np.ndarray:
        """Nearest class index of regression outputs (halves up, clipped to the classes)."""
        v = self.class_values
        return np.searchsorted((v[:-1] + v[1:]) / 2, s, side="right").astype(np.intp)

    def _empty_stats(self) -> dict[str, np.ndarray]:
        s = super()._empty_stats()
        s.update(abs_err=np.zeros(1), sq_err=np.zeros(1), within_one=np.zeros(1))
        if self.profile.score_kind == "regression":
            s.update(raw_abs=np.zeros(1), raw_sq=np.zeros(1), keras_bin=np.zeros(1))
        elif self.profile.score_kind in ("cumulative", "cumulative-logits"):
            s.update(keras_cols=np.zeros(1), keras_first=np.zeros(1))
        return s

    def _check(self, y, s, w) -> None:
        K, n, kind = self.n_classes, len(y), self.profile.score_kind
        want = {"hard": (n,), "regression": (n,), "cumulative": (n, K - 1),
                "cumulative-logits": (n, K - 1)}.get(kind, (n, K))
        if y.ndim != 1 or s.shape != want:
            raise InputError(f"an ordinal chunk with {kind} scores needs labels of shape (n,) and "
                             f"scores of shape {want}; got labels {describe_array(y)} and scores "
                             f"{describe_array(s)}. Convert the chunk to the canonical layout first.")
        if n and (y.min() < 0 or y.max() >= K):
            raise InputError(f"ordinal labels must lie in [0, {K}); got values from {y.min()} "
                             f"to {y.max()}. Map the labels to class indices first.")
        check_weights(w, n)

    def result(self) -> EngineResult:
        res = super().result()
        st, W = self.stats, self.total_weight
        notes = list(res.notes)
        metrics = {**ordinal_metrics(st, W, self._joint(res, notes)), **res.metrics}
        if np.isnan(metrics["spearman"]):
            notes.append("spearman is undefined: the true or the predicted classes are constant.")
        baselines = dict(res.baselines)
        baselines["median_class"] = median_baseline(self.profile, st["support"])
        # HC307 judges ordered classes by their class error too: a model that trades exact hits
        # for near misses has learned what accuracy cannot see
        facts = replace(res.facts, extra={**res.facts.extra, "mae": metrics["mae"],
                                          "median_mae": baselines["median_class"].value})
        return replace(res, metrics=metrics, baselines=baselines, notes=tuple(notes), facts=facts)

    def _joint(self, res: EngineResult, notes: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(true index, predicted index, weight) of every cell of the confusion counts."""
        if res.confusion_matrix is not None:
            cm = np.asarray(res.confusion_matrix)
            t, p = np.nonzero(cm)
            return t, p, cm[t, p]
        st, K = self.stats, self.n_classes
        keys, vals = st["conf_keys"], st["conf_vals"]
        diag = np.flatnonzero(st["tp"])
        if st["conf_pruned"][0] > 0:
            notes.append("spearman is approximate: the rarest (true, predicted) pairs were dropped "
                         "to bound memory.")
        return (np.concatenate([keys // K, diag]), np.concatenate([keys % K, diag]),
                np.concatenate([vals, st["tp"][diag]]))


def ordinal_metrics(st: dict, W: float, joint: tuple[np.ndarray, np.ndarray, np.ndarray]) -> dict:
    """mae, rmse, within_one_accuracy, quadratic_weighted_kappa and spearman from the sums."""
    K = len(st["support"])
    idx = np.arange(K, dtype=np.float64)
    t, p = st["support"] / W, st["predicted"] / W
    observed = float(st["sq_err"][0] / W)
    # chance disagreement of Cohen's weighted kappa with (i - j)^2 weights: E|I - J|^2 for
    # independent I ~ t, J ~ p, which only needs the marginals' first two moments
    mean_t, mean_p = float(t @ idx), float(p @ idx)
    expected = float(t @ idx**2) + float(p @ idx**2) - 2 * mean_t * mean_p
    return {
        "mae": float(st["abs_err"][0] / W),
        "rmse": float(np.sqrt(observed)),
        "within_one_accuracy": float(st["within_one"][0] / W),
        "quadratic_weighted_kappa": 1.0 - observed / expected if expected > 0 else 0.0,
        "spearman": _spearman(st["support"], st["predicted"], *joint),
    }


def _midranks(counts: np.ndarray) -> np.ndarray:
    """Mean rank of each class's rows (ties share the mean of their positions), up to a constant."""
    return np.cumsum(counts) - counts / 2


def _spearman(support, predicted, ti, pi, w) -> float:
    W = float(support.sum())
    if W <= 0:  # weights that sum to 0: undefined (headcheck.gate.weights)
        return float("nan")
    rt, rp = _midranks(support), _midranks(predicted)
    mt, mp = float(support @ rt) / W, float(predicted @ rp) / W
    vt = float(support @ rt**2) / W - mt**2
    vp = float(predicted @ rp**2) / W - mp**2
    if vt <= 1e-12 * max(1.0, mt**2) or vp <= 1e-12 * max(1.0, mp**2):
        return float("nan")
    cov = float(np.sum(w * rt[ti] * rp[pi])) / W - mt * mp
    return float(np.clip(cov / np.sqrt(vt * vp), -1.0, 1.0))


def median_baseline(profile, support: np.ndarray) -> Baseline:
    """Always predicting the median class: the constant prediction with the smallest MAE."""
    W = float(support.sum())
    c = int(np.searchsorted(np.cumsum(support), W / 2))
    c = min(c, len(support) - 1)
    mae = float(C.safe_div(support @ np.abs(np.arange(len(support)) - c), W))
    name = profile.class_name(c)
    return Baseline(mae, f"always predicting the median class {name!r} gives a mean absolute error "
                    f"of {mae:.2f} classes (the best constant prediction for MAE)",
                    {"class": c, "name": name, "metric": "mae"})
