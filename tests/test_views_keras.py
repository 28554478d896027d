"""Keras views (headcheck.views.keras) against the real Keras 3 metric classes (torch backend), on
hypothesis-generated data with ties."""
from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from views_data import (  # noqa: E402
    SETTINGS, binary_data, close, multiclass_data, multilabel_data, onehot, run, scores,
)

from headcheck.task import TaskProfile  # noqa: E402

keras = pytest.importorskip("keras")
pytest.importorskip("torch")


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
    assert not v["keras.binary_accuracy"].fits_task and v["keras.categorical_accuracy"].fits_task


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


@SETTINGS
@given(multilabel_data())
def test_multilabel_views(km, d):
    y, s, w, logits = d
    res = run(TaskProfile("multilabel", y.shape[1], "multi-hot",
                          "logits" if logits else "independent"), y, s, w)
    v, yf = res.views, y.astype(np.float32)
    close(v["keras.binary_accuracy"], keras_value(km["binary"], yf, s, w))
    assert v["keras.binary_accuracy"].fits_task == (not logits)
    close(v["keras.categorical_accuracy"], keras_value(km["categorical"], yf, s, w))
    assert not v["keras.categorical_accuracy"].fits_task


def test_categorical_accuracy_on_multi_hot_uses_first_positive(km):
    y = np.array([[0, 1, 1], [1, 0, 1]], dtype=np.uint8)
    s = np.array([[0.1, 0.2, 0.9], [0.8, 0.1, 0.7]], dtype=np.float32)
    res = run(TaskProfile("multilabel", 3, "multi-hot", "independent"), y, s)
    # row 0: argmax 2 is a positive label, yet Keras compares with the first positive (1)
    assert res.views["keras.categorical_accuracy"].value == 0.5
    assert keras_value(km["categorical"], y.astype(np.float32), s) == 0.5
    assert res.metrics["subset_accuracy"] == 0.5 and res.metrics["per_label_accuracy"] == 1 - 1 / 6


def test_hard_multiclass_predictions_views(km):
    y = np.array([0, 1, 2, 2, 1, 0])
    pred = np.array([0, 2, 2, 2, 1, 1])
    res = run(TaskProfile("multiclass", 3, "integer", "hard"), y, pred)
    # Keras would see one-hot predictions: compare with its metric on them
    close(res.views["keras.binary_accuracy"], keras_value(km["binary"], onehot(y, 3),
                                                          onehot(pred, 3)))
    close(res.views["keras.categorical_accuracy"],
          keras_value(km["categorical"], onehot(y, 3), onehot(pred, 3)))
    assert "keras.top_k_categorical_accuracy" not in res.views


@st.composite
def cumulative_data(draw):
    """Class indices 0..K-1 and K-1 cumulative scores P(y > k) (or their logits), rank-consistent
    or not, with ties and exact 0.5 values; optional weights."""
    n, K = draw(st.integers(2, 50)), draw(st.integers(2, 7))
    rng, z = draw(scores((n, K - 1), 0.0))
    y = rng.integers(0, K, n)
    z = z + (y[:, None] > np.arange(K - 1)) * draw(st.floats(0, 3))
    if draw(st.booleans()):
        z = np.sort(z, axis=1)[:, ::-1]  # CORAL: P(y > k) falls with k
    logits = draw(st.booleans())
    s = z.astype(np.float32) if logits else (1 / (1 + np.exp(-z))).astype(np.float32)
    if not logits and draw(st.booleans()):
        s[rng.random(s.shape) < 0.2] = 0.5  # Keras: 0.5 is not above 0.5
    s = np.ascontiguousarray(s)
    w = rng.uniform(0.1, 3, n).astype(np.float32) if draw(st.booleans()) else None
    return y, s, w, logits


@SETTINGS
@given(cumulative_data())
def test_cumulative_ordinal_views(km, d):
    """K-1 cumulative outputs trained on the 0/1 'class > k' targets: Keras's BinaryAccuracy and
    CategoricalAccuracy on those targets (what metrics=['accuracy'] resolves to under the old and
    the modern Keras rules), against the engine's one pass."""
    y, s, w, logits = d
    K = s.shape[1] + 1
    res = run(TaskProfile("ordinal", K, "integer", "cumulative-logits" if logits else "cumulative"),
              y, s, w)
    targets = (y[:, None] > np.arange(K - 1)).astype(np.float32)
    v = res.views
    close(v["keras.binary_accuracy"], keras_value(km["binary"], targets, s, w))
    close(v["keras.categorical_accuracy"], keras_value(km["categorical"], targets, s, w))
    assert not v["keras.binary_accuracy"].fits_task and not v["keras.categorical_accuracy"].fits_task
    assert "class > k" in v["keras.binary_accuracy"].note
