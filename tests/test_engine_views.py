"""Every framework view against the real framework: Keras 3 metric classes (torch backend),
torchmetrics functions and scikit-learn functions, on hypothesis-generated data with ties."""
from __future__ import annotations

import os
import warnings

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from sklearn import metrics as skm  # noqa: E402

from headcheck.engine import new_state  # noqa: E402
from headcheck.task import TaskProfile  # noqa: E402

keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")
tmf = pytest.importorskip("torchmetrics.functional")

SETTINGS = settings(max_examples=20, deadline=None)


@pytest.fixture(scope="module")
def km():
    """Keras metric objects are slow to build: one of each, reset before every use."""
    return {
        "binary": keras.metrics.BinaryAccuracy(),
        "categorical": keras.metrics.CategoricalAccuracy(),
        "sparse": keras.metrics.SparseCategoricalAccuracy(),
        "top5": keras.metrics.TopKCategoricalAccuracy(k=5),
    }


def keras_value(metric, y_true, y_pred, w=None) -> float:
    metric.reset_state()
    metric.update_state(y_true, y_pred, sample_weight=w)
    return float(metric.result())


def close(view, value, tol=1e-6):
    assert view.value == pytest.approx(value, abs=tol)


def onehot(y, K):
    out = np.zeros((len(y), K), dtype=np.float32)
    out[np.arange(len(y)), y] = 1
    return out


def run(profile, y, s, w=None):
    state = new_state(profile)
    state.update(y, s, w)
    return state.result()


@st.composite
def scores(draw, shape, y_shift):
    """float32 scores (Keras computes in float32) with optional ties / exact 0.5 values."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    z = rng.normal(size=shape) * draw(st.sampled_from([0.5, 2.0, 5.0])) + y_shift
    mode = draw(st.sampled_from(["raw", "round", "half"]))
    if mode == "round":
        z = np.round(z)
    elif mode == "half":
        z = np.round(z * 2) / 2
    return rng, z


# --- multiclass ---------------------------------------------------------------------------------

@st.composite
def multiclass_data(draw):
    n, K = draw(st.integers(2, 50)), draw(st.integers(3, 9))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    y = rng.integers(0, K, n)
    _, z = draw(scores((n, K), 0.0))
    z[np.arange(n), y] += draw(st.floats(0, 2))
    logits = draw(st.booleans())
    if logits:
        s = z.astype(np.float32)
    else:
        e = np.exp(np.round(z))  # integer logits -> exactly tied probabilities
        s = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    w = rng.uniform(0.1, 3, n).astype(np.float32) if draw(st.booleans()) else None
    return y, s, w, logits


@SETTINGS
@given(multiclass_data())
def test_multiclass_views(km, d):
    y, s, w, logits = d
    K = s.shape[1]
    res = run(TaskProfile("multiclass", K, "integer", "logits" if logits else "probabilities"),
              y, s, w)
    v, oh = res.views, onehot(y, K)
    close(v["keras.binary_accuracy"], keras_value(km["binary"], oh, s, w))
    close(v["keras.categorical_accuracy"], keras_value(km["categorical"], oh, s, w))
    close(v["keras.sparse_categorical_accuracy"], keras_value(km["sparse"], y, s, w))
    if K >= 5:
        close(v["keras.top_k_categorical_accuracy"], keras_value(km["top5"], oh, s, w))
    else:  # Keras 3 on torch raises: torch.topk(k=5) on fewer columns
        assert "keras.top_k_categorical_accuracy" not in v
        with pytest.raises(RuntimeError):
            keras_value(km["top5"], oh, s, w)
    pred = s.argmax(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        close(v["sklearn.accuracy_score"], skm.accuracy_score(y, pred, sample_weight=w))
        close(v["sklearn.balanced_accuracy_score"],
              skm.balanced_accuracy_score(y, pred, sample_weight=w))
    assert not v["keras.binary_accuracy"].fits_task and v["keras.categorical_accuracy"].fits_task
    if w is None:  # torchmetrics takes no weights
        p, t = torch.tensor(s), torch.tensor(y)
        close(v["torchmetrics.accuracy"], float(tmf.accuracy(p, t, task="multiclass",
                                                             num_classes=K)))
        close(v["torchmetrics.multiclass_accuracy"],
              float(tmf.classification.multiclass_accuracy(p, t, num_classes=K)))
    else:
        assert "no sample weights" in v["torchmetrics.accuracy"].note


def test_multiclass_argmax_and_top_k_ties(km):
    # row 0: tie between classes 0 and 1 (argmax -> 0); row 1: the true class ties the 5th score
    s = np.array([[0.3, 0.3, 0.1, 0.1, 0.1, 0.1, 0.0],
                  [0.2, 0.2, 0.2, 0.1, 0.1, 0.1, 0.2]], dtype=np.float32)
    y = np.array([1, 6])
    res = run(TaskProfile("multiclass", 7, "integer", "probabilities"), y, s)
    assert res.views["keras.categorical_accuracy"].value == 0.0
    assert keras_value(km["categorical"], onehot(y, 7), s) == 0.0
    assert res.views["keras.top_k_categorical_accuracy"].value == 1.0
    assert keras_value(km["top5"], onehot(y, 7), s) == 1.0


# --- binary -------------------------------------------------------------------------------------

@st.composite
def binary_data(draw):
    n = draw(st.integers(2, 60))
    rng, z = draw(scores((n,), 0.0))
    y = (rng.random(n) < 0.5).astype(np.int64)
    z = z + y * draw(st.floats(0, 2))
    logits = draw(st.booleans())
    s = (z if logits else 1 / (1 + np.exp(-z))).astype(np.float32)
    w = rng.uniform(0.1, 3, n).astype(np.float32) if draw(st.booleans()) else None
    return y, s, w, logits


@SETTINGS
@given(binary_data(), st.sampled_from(["column", "two-columns"]))
def test_binary_views(km, d, layout):
    y, s, w, logits = d
    kind = "logits" if logits else "probabilities"
    res = run(TaskProfile("binary", 2, "integer", kind, layout), y, s, w)
    v = res.views
    if layout == "column":
        col_true, col_pred = y[:, None].astype(np.float32), s[:, None]
        close(v["keras.binary_accuracy"], keras_value(km["binary"], col_true, col_pred, w))
        assert v["keras.binary_accuracy"].fits_task == (not logits)
        close(v["keras.categorical_accuracy"],
              keras_value(km["categorical"], col_true, col_pred, w))
        assert not v["keras.categorical_accuracy"].fits_task
    elif not logits:
        cols = np.stack([1 - s, s], axis=1)
        close(v["keras.binary_accuracy"], keras_value(km["binary"], onehot(y, 2), cols, w))
        close(v["keras.categorical_accuracy"],
              keras_value(km["categorical"], onehot(y, 2), cols, w))
    else:  # two logit columns arrive as z1 - z0: Keras's argmax over [0, z] decides the same
        cols = np.stack([np.zeros_like(s), s], axis=1)
        close(v["keras.categorical_accuracy"],
              keras_value(km["categorical"], onehot(y, 2), cols, w))
        assert "keras.binary_accuracy" not in v
    pred = s > 0 if logits else s > 0.5  # sigmoid(z) > 0.5 exactly when z > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        close(v["sklearn.accuracy_score"], skm.accuracy_score(y, pred, sample_weight=w))
        close(v["sklearn.balanced_accuracy_score"],
              skm.balanced_accuracy_score(y, pred, sample_weight=w))
    if w is None:
        close(v["torchmetrics.accuracy"],
              float(tmf.accuracy(torch.tensor(s), torch.tensor(y), task="binary")))


def test_binary_score_exactly_half_and_logits_at_half(km):
    y = np.array([1, 0, 1, 0])
    s = np.array([0.5, 0.5, 0.7, 0.2], dtype=np.float32)
    res = run(TaskProfile("binary", 2, "integer", "probabilities", "column"), y, s)
    assert res.views["keras.binary_accuracy"].value == 0.75  # 0.5 is not > 0.5
    assert keras_value(km["binary"], y[:, None].astype(np.float32), s[:, None]) == 0.75
    # logits: Keras thresholds the raw logit at 0.5; a logit of 0.3 is a probability of 0.57
    z = np.array([0.3, -1.0, 2.0, 0.4], dtype=np.float32)
    res = run(TaskProfile("binary", 2, "integer", "logits", "column"), np.array([1, 0, 1, 0]), z)
    assert res.views["keras.binary_accuracy"].value == 0.75
    assert res.metrics["accuracy"] == 0.75 and not res.views["keras.binary_accuracy"].fits_task
    assert res.views["torchmetrics.accuracy"].value == float(
        tmf.accuracy(torch.tensor(z), torch.tensor([1, 0, 1, 0]), task="binary"))


# --- multilabel ---------------------------------------------------------------------------------

@st.composite
def multilabel_data(draw):
    n, L = draw(st.integers(2, 50)), draw(st.integers(2, 7))
    rng, z = draw(scores((n, L), 0.0))
    y = (rng.random((n, L)) < 0.35).astype(np.uint8)
    z = z + y * draw(st.floats(0, 2))
    logits = draw(st.booleans())
    s = (z if logits else 1 / (1 + np.exp(-z))).astype(np.float32)
    w = rng.uniform(0.1, 3, n).astype(np.float32) if draw(st.booleans()) else None
    return y, s, w, logits


@SETTINGS
@given(multilabel_data())
def test_multilabel_views(km, d):
    y, s, w, logits = d
    L = y.shape[1]
    res = run(TaskProfile("multilabel", L, "multi-hot", "logits" if logits else "independent"),
              y, s, w)
    v, yf = res.views, y.astype(np.float32)
    close(v["keras.binary_accuracy"], keras_value(km["binary"], yf, s, w))
    assert v["keras.binary_accuracy"].fits_task == (not logits)
    close(v["keras.categorical_accuracy"], keras_value(km["categorical"], yf, s, w))
    assert not v["keras.categorical_accuracy"].fits_task
    pred = s > 0 if logits else s > 0.5  # sigmoid(z) > 0.5 exactly when z > 0
    close(v["sklearn.accuracy_score"], skm.accuracy_score(y, pred, sample_weight=w))
    if w is None:
        ps, t = torch.tensor(s), torch.tensor(y.astype(np.int64))
        close(v["torchmetrics.accuracy"], float(tmf.accuracy(ps, t, task="multilabel",
                                                             num_labels=L)))
        cl = tmf.classification
        close(v["torchmetrics.multilabel_accuracy"], float(cl.multilabel_accuracy(ps, t, L)))
        close(v["torchmetrics.multilabel_exact_match"],
              float(cl.multilabel_exact_match(ps, t, L)))


def test_categorical_accuracy_on_multi_hot_uses_first_positive(km):
    y = np.array([[0, 1, 1], [1, 0, 1]], dtype=np.uint8)
    s = np.array([[0.1, 0.2, 0.9], [0.8, 0.1, 0.7]], dtype=np.float32)
    res = run(TaskProfile("multilabel", 3, "multi-hot", "independent"), y, s)
    # row 0: argmax 2 is a positive label, yet Keras compares with the first positive (1)
    assert res.views["keras.categorical_accuracy"].value == 0.5
    assert keras_value(km["categorical"], y.astype(np.float32), s) == 0.5
    assert res.metrics["subset_accuracy"] == 0.5 and res.metrics["per_label_accuracy"] == 1 - 1 / 6
