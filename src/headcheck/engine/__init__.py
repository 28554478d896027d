"""The one-pass metric engine: mergeable per-task states -> metrics, views, baselines.

Layout: `pipeline.run_pass` runs a pass over raw data (gate -> kernel -> verify -> retry) on an
executor (`executors.ThreadExecutor` by default) with a kernel (`kernels`, numpy by default);
`pipeline.Feed` is the same gate and kernel fed batch by batch. The states (`binary`,
`multiclass`, `multilabel`) define the statistics a kernel fills and turn them into an
`EngineResult`; `accumulate` folds chunks that are canonical already.

Conventions (each is tested against the reference implementation named):

- zero_division: a ratio with a zero denominator is 0.0 (scikit-learn with ``zero_division=0``;
  Cohen's kappa with ``replace_undefined_by=0.0``).
- Macro averages for binary / multiclass run over the classes present in the labels or the
  predictions (scikit-learn's default without ``labels=``); multilabel macro averages run over
  every label (as scikit-learn does for indicator matrices).
- Decisions: multiclass predictions are the first index of the largest score; binary and
  multilabel predictions are ``probability > profile.threshold`` (strict); logits are compared
  with logit(threshold), the same decision without rounding.
- top_k_accuracy@k: a hit when fewer than k classes score strictly higher than the true class,
  so ties favour the true class (tf.math.in_top_k, Keras 3's in_top_k on torch); on tie-free data
  it equals scikit-learn's top_k_accuracy_score.
- log_loss clips probabilities to [eps, 1 - eps] with eps of the scores' dtype (scikit-learn);
  from logits it uses log-sum-exp / softplus (more precise than scikit-learn on the sigmoid).
  Multilabel log loss and Brier are the means of the per-label binary values.
- ECE: 15 (``n_bins``) equal-width bins of the confidence of the predicted class (binary: of
  the predicted label; multilabel: of every label's predicted value); per-bin weight, mean
  confidence and accuracy are in ``EngineResult.calibration``.
- roc_auc / average_precision come from per-class score histograms (mergeable): scores are
  binned on a log-odds-like scale (float32 exponent + 7 mantissa bits on both tails); pairs tied
  inside a bin count 1/2, so the AUC is within ``EngineResult.bounds['roc_auc']`` of the exact
  value (typically < 1e-3, measured error far smaller). They are omitted above 4096 classes.
- Sample weights follow scikit-learn's and Keras's semantics (weighted counts / means).
  torchmetrics has no weights: its views then show the weighted value and say so in ``note``.
- Rows with non-finite scores are counted (``n_nonfinite``, first row indices in
  ``nonfinite_rows``) and left out of every statistic; the report turns them into an InputError.

>>> import numpy as np
>>> from headcheck.task import TaskProfile
>>> from headcheck.engine import new_state
>>> state = new_state(TaskProfile("multiclass", 3, "integer", "probabilities"))
>>> state.update(np.array([0, 1, 2]), np.array([[.8, .1, .1], [.2, .7, .1], [.5, .3, .2]]))
>>> round(state.result().metrics["accuracy"], 3)
0.667
"""
from __future__ import annotations

from headcheck.engine._result import Baseline, Calibration, EngineResult, View
from headcheck.engine._run import accumulate, new_state, state_from_dict
from headcheck.engine._state import State
from headcheck.engine.pipeline import Feed, array_parts, run_pass

__all__ = ["Baseline", "Calibration", "EngineResult", "Feed", "State", "View", "accumulate",
           "array_parts", "new_state", "run_pass", "state_from_dict"]
