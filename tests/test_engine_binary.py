"""Binary engine state against scikit-learn on hypothesis-generated data."""
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


def profile(kind="probabilities", threshold=0.5, layout="column"):
    return TaskProfile("binary", 2, "integer", kind, layout, threshold=threshold)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@st.composite
def data(draw):
    n = draw(st.integers(2, 100))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    y = rng.integers(0, 2, n)
    z = rng.normal(size=n) * draw(st.sampled_from([0.5, 2.0, 8.0])) + y * draw(st.floats(0, 3))
    if draw(st.booleans()):
        z = np.round(z)  # ties, and logits of exactly 0 (probability exactly 0.5)
    w = rng.uniform(0.1, 3.0, n) if draw(st.booleans()) else None
    logits = draw(st.booleans())
    threshold = draw(st.sampled_from([0.5, 0.3, 0.8]))
    return y, (z if logits else sigmoid(z)), w, logits, threshold


def reference(y, p, w, threshold, pred):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = {
            "accuracy": skm.accuracy_score(y, pred, sample_weight=w),
            "balanced_accuracy": skm.balanced_accuracy_score(y, pred, sample_weight=w),
            "mcc": skm.matthews_corrcoef(y, pred, sample_weight=w),
            "cohen_kappa": skm.cohen_kappa_score(y, pred, sample_weight=w,
                                                 replace_undefined_by=0.0),
            "micro_f1": skm.f1_score(y, pred, average="micro", sample_weight=w, zero_division=0),
            "weighted_f1": skm.f1_score(y, pred, average="weighted", sample_weight=w,
                                        zero_division=0),
            "log_loss": skm.log_loss(y, p, sample_weight=w, labels=[0, 1]),
            "brier": skm.brier_score_loss(y, p, sample_weight=w, labels=[0, 1]),
        }
        for name, fn in (("precision", skm.precision_score), ("recall", skm.recall_score),
                         ("f1", skm.f1_score)):
            ref[f"macro_{name}"] = fn(y, pred, average="macro", sample_weight=w, zero_division=0)
            ref[f"positive_{name}"] = fn(y, pred, sample_weight=w, zero_division=0,
                                         labels=[0, 1], pos_label=1)
    return ref


def torch_logit_log_loss(y, z, w):
    import torch

    per_row = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.as_tensor(z, dtype=torch.float64), torch.as_tensor(y, dtype=torch.float64),
        reduction="none").numpy()
    eps = np.finfo(np.float64).eps  # scikit-learn's convention: probabilities clipped to [eps, 1-eps]
    return float(np.average(np.clip(per_row, -np.log1p(-eps), -np.log(eps)), weights=w))


def ece_reference(y, p, w, pred, n_bins=15):
    pred = pred.astype(bool)
    conf = np.where(pred, p, 1 - p)
    idx = np.minimum((conf * n_bins).astype(int), n_bins - 1)
    w = np.ones(len(y)) if w is None else w
    total = 0.0
    for b in range(n_bins):
        m = idx == b
        if w[m].sum() > 0:
            total += abs(np.average(pred[m] == y[m], weights=w[m])
                         - np.average(conf[m], weights=w[m])) * w[m].sum()
    return total / w.sum()


def check(res, y, s, w, logits, threshold):
    p = sigmoid(s) if logits else s
    # the engine decides logits by z > logit(threshold): the same decision without rounding
    pred = (s > np.log(threshold / (1 - threshold)) if logits else s > threshold).astype(int)
    ref = reference(y, p, w, threshold, pred)
    for key, value in ref.items():
        if key.startswith("positive_"):
            got = res.per_class[1][key.split("_")[1]]
        else:
            got = res.metrics[key]
        if logits and key == "log_loss":
            # sklearn computes 1 - sigmoid(z) with cancellation (1e-5 off at |z| ~ 30); the
            # reference for logits is PyTorch's BCE-with-logits in float64, made for them
            value = torch_logit_log_loss(y, s, w)
        assert got == pytest.approx(value, abs=1e-9, rel=1e-9), key
    assert res.metrics["ece"] == pytest.approx(ece_reference(y, p, w, pred), abs=1e-9)
    if len(set(y)) < 2:
        assert "roc_auc" not in res.metrics
        return
    shift = C.auc_shift(1)
    keys = C.logit_keys(s, shift) if logits else C.prob_keys(s, shift)
    assert res.metrics["roc_auc"] == pytest.approx(skm.roc_auc_score(y, keys, sample_weight=w))
    assert res.metrics["average_precision"] == pytest.approx(
        skm.average_precision_score(y, keys, sample_weight=w))
    exact = skm.roc_auc_score(y, p, sample_weight=w)
    assert abs(res.metrics["roc_auc"] - exact) <= res.bounds["roc_auc"] + 1e-12


@SETTINGS
@given(data(), st.integers(1, 99))
def test_metrics_match_sklearn_per_chunk_and_merged(d, cut):
    y, s, w, logits, threshold = d
    cut = min(cut, len(y) - 1)
    prof = profile("logits" if logits else "probabilities", threshold)
    whole, a, b = new_state(prof), new_state(prof), new_state(prof)
    whole.update(y, s, w)
    check(whole.result(), y, s, w, logits, threshold)
    wa, wb = (None, None) if w is None else (w[:cut], w[cut:])
    a.update(y[:cut], s[:cut], wa)
    b.update(y[cut:], s[cut:], wb)
    check(b.result(), y[cut:], s[cut:], wb, logits, threshold)
    merged = a.merge(b)
    check(merged.result(), y, s, w, logits, threshold)
    for key in whole.stats:
        if w is None and key not in ("logloss", "brier", "cal_conf"):
            assert np.array_equal(merged.stats[key], whole.stats[key]), key
        else:
            assert np.allclose(merged.stats[key], whole.stats[key], rtol=1e-12), key


def test_hard_predictions():
    y = np.array([0, 1, 1, 0, 1])
    pred = np.array([0, 1, 0, 0, 1])
    state = new_state(profile("hard"))
    state.update(y, pred)
    res = state.result()
    assert res.metrics["accuracy"] == pytest.approx(0.8)
    assert res.metrics["mcc"] == pytest.approx(skm.matthews_corrcoef(y, pred))
    assert "log_loss" not in res.metrics and res.calibration is None
    assert res.confusion_matrix.tolist() == skm.confusion_matrix(y, pred).tolist()


def test_score_exactly_at_threshold_is_negative():
    state = new_state(profile())
    state.update(np.array([1, 0]), np.array([0.5, 0.5]))
    res = state.result()
    assert res.metrics["accuracy"] == 0.5 and res.facts.predicted_counts == (2.0, 0.0)


def test_round_trip_and_facts():
    rng = np.random.default_rng(0)
    y, p = rng.integers(0, 2, 40), rng.random(40)
    state = new_state(profile())
    state.update(y, p)
    again = state_from_dict(json.loads(json.dumps(state.to_dict())))
    assert again.result().to_dict() == state.result().to_dict()
    facts = state.result().facts
    assert facts.class_counts == (float((y == 0).sum()), float((y == 1).sum()))
    assert facts.majority_rate == pytest.approx(max(y.mean(), 1 - y.mean()))


def test_bad_binary_labels():
    with pytest.raises(InputError, match="0 or 1"):
        new_state(profile()).update(np.array([0, 2]), np.array([0.1, 0.9]))


def test_integer_probabilities_are_accepted_and_not_modified():
    y = np.array([0, 1, 1])
    s = np.array([0, 1, 0])
    state = new_state(profile())
    state.update(y, s)
    res = state.result()
    assert res.metrics["accuracy"] == pytest.approx(2 / 3)
    assert res.metrics["log_loss"] == pytest.approx(skm.log_loss(y, s.astype(float)))
    assert s.tolist() == [0, 1, 0]


def test_nonfinite_binary_rows_with_offset():
    state = new_state(profile())
    state.update(np.array([0, 1, 1]), np.array([0.1, np.nan, 0.8]), offset=100)
    assert state.n_nonfinite == 1 and state.nonfinite_rows == [101]
    assert state.result().n_samples == 2


def test_the_auc_note_says_why_the_auc_is_exact_or_how_close():
    """Varying scores are never called 'every score is the same': a histogram where no bin
    holds both classes gives the exact AUC (said so, equal to scikit-learn), a constant score
    is a tie of every pair, and overlapping bins state their bound."""
    import headcheck
    from sklearn.metrics import roc_auc_score

    y = np.array([0, 0, 1, 1, 0, 1] * 20)
    apart = np.where(y == 1, 0.6, 0.2) + np.arange(len(y)) * 1e-3  # classes never share a bin
    rep = headcheck.report(y, apart)
    assert rep.metrics["roc_auc"] == pytest.approx(roc_auc_score(y, apart))
    assert any("no bin holds both a positive and a negative" in n for n in rep.notes)
    assert not any("every score is the same" in n for n in rep.notes)
    same = headcheck.report(y, np.full(len(y), 0.3))
    assert any("every score is the same" in n for n in same.notes)
    r = np.random.default_rng(0)
    mixed = headcheck.report(r.integers(0, 2, 5000), r.random(5000))
    assert any("the AUC is within" in n for n in mixed.notes)
