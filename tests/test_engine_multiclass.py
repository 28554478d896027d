"""Multiclass engine state against scikit-learn on hypothesis-generated data."""
from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm
from sklearn.preprocessing import label_binarize

from headcheck.engine import _common as C
from headcheck.engine import State, accumulate, new_state, state_from_dict
from headcheck.errors import InputError
from headcheck.task import TaskProfile

SETTINGS = settings(max_examples=25, deadline=None)


def profile(K, kind="probabilities"):
    return TaskProfile("multiclass", K, "integer", kind)


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@st.composite
def data(draw, max_k=6):
    n = draw(st.integers(2, 80))
    K = draw(st.integers(3, max_k))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    y = rng.integers(0, K, n)
    z = rng.normal(size=(n, K)) * draw(st.sampled_from([0.5, 2.0, 6.0]))
    z[np.arange(n), y] += draw(st.floats(0, 3))
    if draw(st.booleans()):
        z = np.round(z)  # ties in scores and in argmax
    w = rng.uniform(0.1, 3.0, n) if draw(st.booleans()) else None
    logits = draw(st.booleans())
    return y, (z if logits else softmax(z)), w, logits


def reference(y, p, w, K):
    """scikit-learn's values; macro averages over the classes present (sklearn's default)."""
    pred = p.argmax(axis=1)
    labels = list(range(K))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = {
            "accuracy": skm.accuracy_score(y, pred, sample_weight=w),
            "balanced_accuracy": skm.balanced_accuracy_score(y, pred, sample_weight=w),
            "mcc": skm.matthews_corrcoef(y, pred, sample_weight=w),
            "cohen_kappa": skm.cohen_kappa_score(y, pred, sample_weight=w,
                                                 replace_undefined_by=0.0),
            "micro_f1": skm.f1_score(y, pred, average="micro", sample_weight=w, zero_division=0),
            "log_loss": skm.log_loss(y, p, sample_weight=w, labels=labels),
            "brier": skm.brier_score_loss(y, p, sample_weight=w, labels=labels),
        }
        for avg in ("macro", "weighted"):
            for name, fn in (("precision", skm.precision_score), ("recall", skm.recall_score),
                             ("f1", skm.f1_score)):
                if avg == "weighted" and name != "f1":
                    continue
                ref[f"{avg}_{name}"] = fn(y, pred, average=avg, sample_weight=w, zero_division=0)
        for k in (2, 3):
            if k < K:
                ref[f"top_k_accuracy@{k}"] = skm.top_k_accuracy_score(
                    y, p, k=k, sample_weight=w, labels=labels)
    return ref


def top_k_ties_favour_true(y, s, w, k):
    greater = (s > s[np.arange(len(y)), y][:, None]).sum(axis=1)
    return np.average(greater < k, weights=w)


def check_metrics(res, y, s, w, logits):
    K = s.shape[1]
    p = softmax(s) if logits else s
    ref = reference(y, p, w, K)
    for key, value in ref.items():
        if key.startswith("top_k"):
            # sklearn breaks ties by class index; the engine lets ties favour the true class
            k = int(key.split("@")[1])
            value = top_k_ties_favour_true(y, s, w, k)
        assert res.metrics[key] == pytest.approx(value, abs=1e-9, rel=1e-9), key
    check_auc(res, y, p, w, K)


def check_auc(res, y, p, w, K):
    present = [k for k in range(K) if 0 < (y == k).sum() < len(y)]
    if not present:
        assert "roc_auc" not in res.metrics
        return
    shift = C.auc_shift(K)
    keys = C.prob_keys(p, shift)
    onehot = label_binarize(y, classes=list(range(K))) if K > 2 else None
    auc_binned = np.mean([skm.roc_auc_score(onehot[:, k], keys[:, k], sample_weight=w)
                          for k in present])
    ap_binned = np.mean([skm.average_precision_score(onehot[:, k], keys[:, k], sample_weight=w)
                         for k in present])
    auc_exact = np.mean([skm.roc_auc_score(onehot[:, k], p[:, k], sample_weight=w)
                         for k in present])
    # exact on the binned scores; within the stated bound of the exact AUC
    assert res.metrics["roc_auc"] == pytest.approx(auc_binned, abs=1e-9)
    assert res.metrics["average_precision"] == pytest.approx(ap_binned, abs=1e-9)
    assert abs(res.metrics["roc_auc"] - auc_exact) <= res.bounds["roc_auc"] + 1e-12


@SETTINGS
@given(data(), st.integers(1, 79))
def test_metrics_match_sklearn_per_chunk_and_merged(d, cut):
    y, s, w, logits = d
    cut = min(cut, len(y) - 1)
    prof = profile(s.shape[1], "logits" if logits else "probabilities")
    whole = new_state(prof, top_k=(2, 3))
    whole.update(y, s, w)
    check_metrics(whole.result(), y, s, w, logits)
    a, b = new_state(prof, top_k=(2, 3)), new_state(prof, top_k=(2, 3))
    wa, wb = (None, None) if w is None else (w[:cut], w[cut:])
    a.update(y[:cut], s[:cut], wa)
    b.update(y[cut:], s[cut:], wb)
    check_metrics(a.result(), y[:cut], s[:cut], wa, logits)
    merged = a.merge(b)
    check_metrics(merged.result(), y, s, w, logits)
    for key in ("support", "predicted", "tp", "cm", "topk", "cal_w", "auc_pos", "auc_all"):
        if w is None:  # counts are exact integers: split-then-merge equals whole exactly
            assert np.array_equal(merged.stats[key], whole.stats[key]), key
        else:
            assert np.allclose(merged.stats[key], whole.stats[key], rtol=1e-12), key


@SETTINGS
@given(data())
def test_order_invariance(d):
    y, s, w, logits = d
    prof = profile(s.shape[1], "logits" if logits else "probabilities")
    perm = np.random.default_rng(0).permutation(len(y))
    a, b = new_state(prof), new_state(prof)
    a.update(y, s, w)
    b.update(y[perm], s[perm], None if w is None else w[perm])
    ra, rb = a.result(), b.result()
    for key, value in ra.metrics.items():
        assert rb.metrics[key] == pytest.approx(value, abs=1e-12), key


def test_ece_matches_torchmetrics():
    import torch
    from torchmetrics.functional.classification import multiclass_calibration_error

    rng = np.random.default_rng(3)
    p = softmax(rng.normal(size=(500, 5)) * 2)
    y = rng.integers(0, 5, 500)
    state = new_state(profile(5))
    state.update(y, p)
    ref = multiclass_calibration_error(torch.tensor(p), torch.tensor(y), num_classes=5,
                                       n_bins=15, norm="l1")
    assert state.result().metrics["ece"] == pytest.approx(float(ref), abs=1e-6)
    cal = state.result().calibration
    assert sum(cal.counts) == 500 and len(cal.edges) == 16


def test_hard_predictions_have_no_probabilistic_metrics():
    y = np.array([0, 1, 2, 2, 1])
    pred = np.array([0, 2, 2, 2, 1])
    state = new_state(profile(3, "hard"))
    state.update(y, pred)
    res = state.result()
    assert res.metrics["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
    assert res.metrics["macro_f1"] == pytest.approx(skm.f1_score(y, pred, average="macro"))
    for key in ("log_loss", "brier", "ece", "roc_auc", "average_precision", "top_k_accuracy@5"):
        assert key not in res.metrics
    assert res.calibration is None
    assert res.confusion_matrix.tolist() == skm.confusion_matrix(y, pred).tolist()


def test_many_classes_without_dense_matrix():
    K, n = 20_000, 3_000
    rng = np.random.default_rng(1)
    y = rng.integers(0, K, n)
    s = rng.random((n, K), dtype=np.float32)
    s[np.arange(n // 2), y[: n // 2]] += 1.0  # half the rows right
    state = accumulate(profile(K, "logits"), [(y[:1500], s[:1500], None),
                                              (y[1500:], s[1500:], None)])
    # O(K) counts and the AUC sketch (bounded cells), never a K x K matrix
    assert "cm" not in state.stats
    assert sum(v.size for v in state.stats.values()) < 20 * K + 2 * C.AUC_SKETCH_CELLS
    res = state.result()
    pred = s.argmax(axis=1)
    assert res.confusion_matrix is None
    assert res.metrics["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
    assert res.metrics["macro_f1"] == pytest.approx(skm.f1_score(y, pred, average="macro"))
    assert res.metrics["mcc"] == pytest.approx(skm.matthews_corrcoef(y, pred))
    assert "roc_auc" in res.metrics and any("sketch" in n for n in res.notes)
    wrong = y != pred
    pairs, counts = np.unique(np.stack([y[wrong], pred[wrong]], 1), axis=0, return_counts=True)
    assert res.confusions[0][2] == counts.max()
    assert len(res.per_class) == C.PER_CLASS_MAX  # the largest classes by support
    support = np.asarray(res.facts.class_counts)
    assert {r["class"] for r in res.per_class} >= set(np.flatnonzero(support == support.max()))


def test_merge_mismatch_raises_naming_both():
    a, b = new_state(profile(3)), new_state(profile(4))
    with pytest.raises(ValueError, match="3 classes.*4 classes"):
        a.merge(b)
    c = new_state(TaskProfile("binary", 2, "integer", "probabilities", "column"))
    with pytest.raises(ValueError, match="multiclass.*binary"):
        a.merge(c)


def test_to_dict_round_trip():
    rng = np.random.default_rng(2)
    y, s = rng.integers(0, 4, 50), softmax(rng.normal(size=(50, 4)))
    state = new_state(profile(4))
    state.update(y, s)
    again = state_from_dict(json.loads(json.dumps(state.to_dict())))
    assert again.result().to_dict() == state.result().to_dict()
    assert State.from_dict(state.to_dict()).result().to_dict() == state.result().to_dict()
    assert again.merge(state).result().metrics["accuracy"] == state.result().metrics["accuracy"]


def test_nonfinite_rows_are_counted_with_global_indices():
    s = softmax(np.random.default_rng(0).normal(size=(10, 3)))
    s[7, 1] = np.nan
    s[2, 0] = np.inf
    state = accumulate(profile(3), [(np.zeros(5, int), s[:5], None),
                                    (np.zeros(5, int), s[5:], None)], workers=2)
    assert state.n_nonfinite == 2 and state.nonfinite_rows == [2, 7]
    res = state.result()
    assert res.n_samples == 8 and np.isfinite(res.metrics["log_loss"])


def test_bad_labels_raise_input_error():
    state = new_state(profile(3))
    with pytest.raises(InputError, match="labels must lie in"):
        state.update(np.array([0, 3]), np.full((2, 3), 1 / 3))
    with pytest.raises(InputError, match="shape"):
        state.update(np.array([0, 1]), np.full((2, 4), 0.25))
    with pytest.raises(InputError, match="empty"):
        state.result()


def test_progress_reports_rows_done():
    seen = []
    chunks = [(np.array([0, 1]), np.full((2, 3), 1 / 3), None)] * 4
    accumulate(profile(3), chunks, workers=2, progress=seen.append)
    assert sorted(seen)[-1] == 8


def test_two_column_multiclass_brier_matches_sklearn():
    rng = np.random.default_rng(4)
    y, p = rng.integers(0, 2, 30), softmax(rng.normal(size=(30, 2)))
    state = new_state(profile(2))
    state.update(y, p)
    expected = skm.brier_score_loss(y, p, labels=[0, 1])
    assert state.result().metrics["brier"] == pytest.approx(expected)


def test_accumulate_is_reproducible_to_the_last_bit():
    # chunk i always goes to worker i % workers: the float sums group the same way every run
    rng = np.random.default_rng(7)
    K, n = 12, 6000
    s = rng.dirichlet(np.ones(K), size=n).astype(np.float32)
    y = rng.integers(0, K, n)
    w = rng.random(n)
    chunks = [(y[i:i + 97], s[i:i + 97], w[i:i + 97]) for i in range(0, n, 97)]
    first = accumulate(profile(K), chunks, workers=3).result().to_dict()
    for _ in range(4):
        assert accumulate(profile(K), chunks, workers=3).result().to_dict() == first


def test_accumulate_raises_a_chunk_error_in_the_caller():
    def chunks():
        yield np.zeros(4, int), np.full((4, 3), 1 / 3), None
        raise RuntimeError("broken file")

    with pytest.raises(RuntimeError, match="broken file"):
        accumulate(profile(3), chunks(), workers=2)
    bad = [(np.zeros(4, int), np.full((4, 3), 1 / 3), None), (np.zeros(3, int), np.full((4, 3), 1 / 3), None)]
    with pytest.raises(InputError, match="canonical layout"):  # raised in a worker thread
        accumulate(profile(3), bad, workers=2)


@pytest.mark.parametrize("K, kind", [(7, "probabilities"), (1500, "probabilities"), (40, "logits")])
def test_auc_histograms_equal_the_binned_reference(K, kind):
    # the per-class bincount over raw float bits (and the general shift != 16 path used for
    # many classes) must count exactly the keys the binning defines, mirrored high tail included
    rng = np.random.default_rng(K)
    n = 3000
    z = rng.standard_normal((n, K)).astype(np.float32) * 3
    y = rng.integers(0, K, n)
    w = rng.uniform(0.5, 2.0, n)
    s = z if kind == "logits" else (np.exp(z) / np.exp(z).sum(1, keepdims=True)).astype(np.float32)
    state = new_state(profile(K, kind))
    state.update(y, s, w)
    shift = state.shift
    bins = C.n_auc_bins(shift)
    prob = s if kind != "logits" else (np.exp(z - z.max(1, keepdims=True))
                                      / np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True))
    prob = prob.astype(np.float32)
    keys = C.low_keys(prob, shift).astype(np.intp)
    rows = np.arange(n)
    pred = prob.argmax(1)
    over = prob[rows, pred] > 0.5
    keys[rows[over], pred[over]] = C.high_keys(1.0 - prob[rows, pred][over].astype(np.float64), shift)
    keys += (np.arange(K) * bins)[None, :]
    ref_all = np.bincount(keys.ravel(), weights=np.repeat(w, K), minlength=K * bins)
    ref_pos = np.bincount(keys[rows, y], weights=w, minlength=K * bins)
    assert np.allclose(state.stats["auc_all"], ref_all, rtol=1e-12, atol=1e-9)
    assert np.allclose(state.stats["auc_pos"], ref_pos, rtol=1e-12, atol=1e-9)
