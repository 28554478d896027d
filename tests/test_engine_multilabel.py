"""Multi-label engine state against scikit-learn on hypothesis-generated data."""
from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from headcheck.engine import _common as C
from headcheck.engine import new_state, state_from_dict
from headcheck.errors import InputError
from headcheck.task import TaskProfile

SETTINGS = settings(max_examples=30, deadline=None)


def profile(L, kind="independent", threshold=0.5):
    return TaskProfile("multilabel", L, "multi-hot", kind, threshold=threshold)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@st.composite
def data(draw):
    n = draw(st.integers(2, 60))
    L = draw(st.integers(2, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    y = (rng.random((n, L)) < draw(st.floats(0.05, 0.6))).astype(np.uint8)
    z = rng.normal(size=(n, L)) * draw(st.sampled_from([0.5, 2.0, 6.0])) + y * draw(st.floats(0, 3))
    if draw(st.booleans()):
        z = np.round(z)  # ties and probabilities of exactly 0.5
    w = rng.uniform(0.1, 3.0, n) if draw(st.booleans()) else None
    logits = draw(st.booleans())
    return y, (z if logits else sigmoid(z)), w, logits, draw(st.sampled_from([0.5, 0.3]))


def reference(y, p, w, threshold, pred):
    kw = dict(sample_weight=w, zero_division=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        L = y.shape[1]
        return {
            "subset_accuracy": skm.accuracy_score(y, pred, sample_weight=w),
            "hamming_loss": skm.hamming_loss(y, pred, sample_weight=w),
            "per_label_accuracy": 1 - skm.hamming_loss(y, pred, sample_weight=w),
            "jaccard_samples": skm.jaccard_score(y, pred, average="samples", **kw),
            "macro_precision": skm.precision_score(y, pred, average="macro", **kw),
            "macro_recall": skm.recall_score(y, pred, average="macro", **kw),
            "macro_f1": skm.f1_score(y, pred, average="macro", **kw),
            "micro_f1": skm.f1_score(y, pred, average="micro", **kw),
            "weighted_f1": skm.f1_score(y, pred, average="weighted", **kw),
            "log_loss": np.mean([skm.log_loss(y[:, j], p[:, j], sample_weight=w, labels=[0, 1])
                                 for j in range(L)]),
            "brier": np.mean([skm.brier_score_loss(y[:, j], p[:, j], sample_weight=w,
                                                   labels=[0, 1]) for j in range(L)]),
        }


def check(res, y, s, w, logits, threshold):
    p = sigmoid(s) if logits else s
    # the engine decides logits by z > logit(threshold): the same decision without rounding
    pred = (s > np.log(threshold / (1 - threshold)) if logits else s > threshold).astype(int)
    for key, value in reference(y, p, w, threshold, pred).items():
        tol = 1e-6 if logits and key == "log_loss" else 1e-9
        assert res.metrics[key] == pytest.approx(value, abs=tol, rel=tol), key
    assert "accuracy" not in res.metrics
    present = [j for j in range(y.shape[1]) if 0 < y[:, j].sum() < len(y)]
    if not present:
        assert "roc_auc" not in res.metrics
        return
    shift = C.auc_shift(y.shape[1])
    keys = C.logit_keys(s, shift) if logits else C.prob_keys(s, shift)
    auc = np.mean([skm.roc_auc_score(y[:, j], keys[:, j], sample_weight=w) for j in present])
    ap = np.mean([skm.average_precision_score(y[:, j], keys[:, j], sample_weight=w)
                  for j in present])
    exact = np.mean([skm.roc_auc_score(y[:, j], p[:, j], sample_weight=w) for j in present])
    assert res.metrics["roc_auc"] == pytest.approx(auc, abs=1e-9)
    assert res.metrics["average_precision"] == pytest.approx(ap, abs=1e-9)
    assert abs(res.metrics["roc_auc"] - exact) <= res.bounds["roc_auc"] + 1e-12


@SETTINGS
@given(data(), st.integers(1, 59))
def test_metrics_match_sklearn_per_chunk_and_merged(d, cut):
    y, s, w, logits, threshold = d
    cut = min(cut, len(y) - 1)
    prof = profile(y.shape[1], "logits" if logits else "independent", threshold)
    whole, a, b = new_state(prof), new_state(prof), new_state(prof)
    whole.update(y, s, w)
    check(whole.result(), y, s, w, logits, threshold)
    wa, wb = (None, None) if w is None else (w[:cut], w[cut:])
    a.update(y[:cut], s[:cut], wa)
    b.update(y[cut:], s[cut:], wb)
    check(a.result(), y[:cut], s[:cut], wa, logits, threshold)
    merged = a.merge(b)
    check(merged.result(), y, s, w, logits, threshold)
    exact_keys = [k for k in whole.stats if k.split("_")[0] in ("support", "pred", "tp", "exact",
                                                                 "auc", "cal")]
    for key in exact_keys:
        if w is None and key != "cal_conf":
            assert np.array_equal(merged.stats[key], whole.stats[key]), key


def test_order_invariance_and_round_trip():
    rng = np.random.default_rng(5)
    y = (rng.random((40, 4)) < 0.3).astype(np.uint8)
    s = rng.random((40, 4))
    a, b = new_state(profile(4)), new_state(profile(4))
    a.update(y, s)
    perm = rng.permutation(40)
    b.update(y[perm], s[perm])
    for key, value in a.result().metrics.items():
        assert b.result().metrics[key] == pytest.approx(value, abs=1e-12)
    again = state_from_dict(json.loads(json.dumps(a.to_dict())))
    assert again.result().to_dict() == a.result().to_dict()


def test_hard_predictions_and_baselines():
    y = np.array([[1, 0, 0], [0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=np.uint8)
    pred = np.array([[1, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 1]], dtype=np.uint8)
    state = new_state(profile(3, "hard"))
    state.update(y, pred)
    res = state.result()
    assert res.metrics["subset_accuracy"] == 0.5
    assert res.metrics["hamming_loss"] == pytest.approx(skm.hamming_loss(y, pred))
    assert "log_loss" not in res.metrics and res.calibration is None
    base = res.baselines["majority_class"]
    assert base.value == pytest.approx(1 - 2 / 12)
    assert base.extra["subset_accuracy_all_zeros"] == 0.5
    assert "all zeros" in base.meaning
    assert res.facts.accuracy == res.metrics["per_label_accuracy"]
    assert res.per_class[1]["positive_rate"] == 0.25


def test_bad_multilabel_input():
    with pytest.raises(InputError, match="0 or 1"):
        new_state(profile(2)).update(np.array([[0, 2]]), np.array([[0.1, 0.9]]))
    with pytest.raises(InputError, match="shape"):
        new_state(profile(2)).update(np.array([[0, 1]]), np.array([[0.1, 0.9, 0.3]]))
