"""scikit-learn views (headcheck.views.sklearn) against sklearn.metrics, on hypothesis-generated
data with ties and weights."""
from __future__ import annotations

import warnings

from hypothesis import given
from hypothesis import strategies as st
from sklearn import metrics as skm
from views_data import SETTINGS, binary_data, close, multiclass_data, multilabel_data, run

from headcheck.task import TaskProfile


@SETTINGS
@given(multiclass_data())
def test_multiclass_views(d):
    y, s, w, logits = d
    res = run(TaskProfile("multiclass", s.shape[1], "integer",
                          "logits" if logits else "probabilities"), y, s, w)
    pred = s.argmax(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        close(res.views["sklearn.accuracy_score"], skm.accuracy_score(y, pred, sample_weight=w))
        close(res.views["sklearn.balanced_accuracy_score"],
              skm.balanced_accuracy_score(y, pred, sample_weight=w))


@SETTINGS
@given(binary_data(), st.sampled_from(["column", "two-columns"]))
def test_binary_views(d, layout):
    y, s, w, logits = d
    res = run(TaskProfile("binary", 2, "integer", "logits" if logits else "probabilities", layout),
              y, s, w)
    pred = s > 0 if logits else s > 0.5  # sigmoid(z) > 0.5 exactly when z > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        close(res.views["sklearn.accuracy_score"], skm.accuracy_score(y, pred, sample_weight=w))
        close(res.views["sklearn.balanced_accuracy_score"],
              skm.balanced_accuracy_score(y, pred, sample_weight=w))


@SETTINGS
@given(multilabel_data())
def test_multilabel_views(d):
    y, s, w, logits = d
    res = run(TaskProfile("multilabel", y.shape[1], "multi-hot",
                          "logits" if logits else "independent"), y, s, w)
    pred = s > 0 if logits else s > 0.5
    close(res.views["sklearn.accuracy_score"], skm.accuracy_score(y, pred, sample_weight=w))
