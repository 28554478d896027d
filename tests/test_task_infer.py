"""Task inference and canonicalisation (headcheck.gate; the names still resolve from headcheck.task)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headcheck.errors import InputError
from headcheck.gate import ScoreKindMismatch, canonical_chunk, infer_task, verify_score_range

rng = np.random.default_rng(0)


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_integer_labels_softmax_scores_multiclass():
    p = infer_task(np.array([0, 2, 1, 2]), softmax(rng.normal(size=(4, 3))))
    assert (p.kind, p.n_classes, p.label_encoding, p.score_kind, p.score_layout) == (
        "multiclass", 3, "integer", "probabilities", "matrix")
    assert p.decisions == () and not p.declared and p.n_samples == 4


def test_logits_detected_and_stated():
    p = infer_task(np.array([0, 2, 1]), rng.normal(size=(3, 3)) * 5)
    assert p.score_kind == "logits"
    assert any("logits" in d for d in p.decisions)


def test_one_hot_with_sigmoid_scores_is_multiclass_by_stated_rule():
    y = np.eye(5)[[0, 1, 2, 3, 4, 0]]
    s = rng.uniform(size=(6, 5))
    p = infer_task(y, s)
    assert (p.kind, p.label_encoding, p.score_kind) == ("multiclass", "one-hot", "independent")
    assert any("--task multilabel" in d for d in p.decisions)
    p2 = infer_task(y, s, task="multilabel")
    assert p2.kind == "multilabel" and p2.declared


def test_multi_hot_is_multilabel():
    y = np.array([[1, 0, 1], [0, 0, 0], [0, 1, 0]])
    p = infer_task(y, rng.uniform(size=(3, 3)))
    assert (p.kind, p.label_encoding, p.score_kind, p.n_classes) == ("multilabel", "multi-hot", "independent", 3)


def test_multilabel_override_to_multiclass_is_an_error():
    y = np.array([[1, 0, 1], [0, 1, 0]])
    with pytest.raises(InputError, match="exactly one positive"):
        infer_task(y, rng.uniform(size=(2, 3)), task="multiclass")


def test_soft_labels_argmax_rule():
    y = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    p = infer_task(y, softmax(rng.normal(size=(2, 3))))
    assert (p.kind, p.label_encoding) == ("multiclass", "soft")
    assert any("argmax" in d for d in p.decisions)
    yt, _ = canonical_chunk(p, y, softmax(rng.normal(size=(2, 3))))
    assert yt.tolist() == [0, 2]


def test_boolean_labels_binary():
    p = infer_task(np.array([True, False, True]), np.array([0.9, 0.2, 0.4]))
    assert (p.kind, p.label_encoding, p.score_kind, p.score_layout) == ("binary", "boolean", "probabilities", "column")
    yt, ys = canonical_chunk(p, np.array([True, False, True]), np.array([0.9, 0.2, 0.4]))
    assert yt.tolist() == [1, 0, 1] and ys.tolist() == [0.9, 0.2, 0.4]


@pytest.mark.parametrize("shape", [(6,), (6, 1)])
def test_binary_one_column(shape):
    s = rng.uniform(size=6).reshape(shape)
    p = infer_task(np.array([0, 1, 1, 0, 1, 0]), s)
    assert p.kind == "binary" and p.score_layout == ("column" if len(shape) == 1 else "single-column")
    _, ys = canonical_chunk(p, np.array([0, 1, 1, 0, 1, 0]), s)
    assert ys.shape == (6,) and np.array_equal(ys, s.ravel())


def test_binary_two_columns_probabilities_and_logits():
    y = np.array([0, 1, 1, 0])
    s = softmax(rng.normal(size=(4, 2)))
    p = infer_task(y, s)
    assert (p.kind, p.score_layout, p.score_kind) == ("binary", "two-columns", "probabilities")
    assert np.allclose(canonical_chunk(p, y, s)[1], s[:, 1])
    z = rng.normal(size=(4, 2)) * 4
    pz = infer_task(y, z)
    assert pz.score_kind == "logits"
    # sigmoid(z1 - z0) == softmax(z)[:, 1]: the canonical logit keeps the positive-class probability
    canon = canonical_chunk(pz, y, z)[1]
    assert np.allclose(1 / (1 + np.exp(-canon)), softmax(z)[:, 1])


def test_binary_logits_one_column():
    p = infer_task(np.array([0, 1, 0]), np.array([-2.0, 3.0, 0.1]))
    assert (p.kind, p.score_kind) == ("binary", "logits")


def test_hard_scores_by_dtype_and_by_values():
    p = infer_task(np.array([0, 1, 1]), np.array([0, 1, 0]))
    assert (p.kind, p.score_kind) == ("binary", "hard") and p.decisions == ()
    p = infer_task(np.array([0, 1, 1]), np.array([0.0, 1.0, 0.0]))
    assert p.score_kind == "hard" and any("only the values 0 and 1" in d for d in p.decisions)


def test_hard_multiclass_predictions_one_column():
    p = infer_task(np.array([0, 3, 1, 2]), np.array([0, 2, 1, 4]))
    assert (p.kind, p.n_classes, p.score_kind, p.score_layout) == ("multiclass", 5, "hard", "column")


def test_hard_one_hot_predictions_matrix():
    y = np.array([0, 2, 1])
    s = np.eye(3)[[0, 1, 1]]
    p = infer_task(y, s)
    assert (p.kind, p.score_kind) == ("multiclass", "hard")
    assert canonical_chunk(p, y, s)[1].tolist() == [0, 1, 1]


def test_string_labels_sorted_mapping_in_classes_and_decisions():
    y = np.array(["zebra", "ant", "moose", "ant"])
    s = softmax(rng.normal(size=(4, 3)))
    p = infer_task(y, s)
    assert p.classes == ("ant", "moose", "zebra") and p.label_encoding == "string"
    assert any("'ant' -> 0" in d for d in p.decisions)
    assert canonical_chunk(p, y, s)[0].tolist() == [2, 0, 1, 0]


def test_string_labels_from_a_list_of_python_strings():
    p = infer_task(["no", "yes", "yes"], [0.1, 0.8, 0.7])
    assert p.kind == "binary" and p.classes == ("no", "yes")


def test_string_predictions_share_the_mapping():
    y = np.array(["a", "b", "c"])
    s = np.array(["a", "c", "c"])
    p = infer_task(y, s)
    assert (p.kind, p.score_kind, p.n_classes) == ("multiclass", "hard", 3)
    assert canonical_chunk(p, y, s)[1].tolist() == [0, 2, 2]


def test_two_column_one_hot_labels_with_one_score_column_is_binary():
    y = np.eye(2)[[0, 1, 1]]
    p = infer_task(y, np.array([0.1, 0.7, 0.9]))
    assert p.kind == "binary"
    assert canonical_chunk(p, y, np.array([0.1, 0.7, 0.9]))[0].tolist() == [0, 1, 1]


def test_threshold_override_recorded():
    p = infer_task(np.array([0, 1]), np.array([0.2, 0.7]), threshold=0.3)
    assert p.threshold == 0.3 and any("0.3" in d for d in p.decisions)


def test_task_override_binary_on_three_columns_rejected():
    with pytest.raises(InputError, match="binary"):
        infer_task(np.array([0, 1, 2]), softmax(rng.normal(size=(3, 3))), task="binary")


def test_unknown_task_rejected():
    with pytest.raises(InputError, match="multiclass"):
        infer_task(np.array([0, 1]), np.array([0.2, 0.7]), task="regression")


def test_inference_looks_at_a_bounded_sample_and_verifies_later():
    y = np.zeros(100, dtype=int)
    s = np.full(100, 0.3)
    s[90] = 4.0  # a logit past the sample
    p = infer_task(y, s, sample_rows=50)
    assert p.score_kind == "probabilities"
    fixed = verify_score_range(p, float(s.min()), float(s.max()))
    assert fixed is not None and fixed.score_kind == "logits" and "after the first rows" in fixed.decisions[-1]
    assert verify_score_range(fixed, 0.0, 4.0) is None


def test_hard_kind_contradicted_by_a_later_chunk():
    y = np.zeros(10, dtype=int)
    s = np.zeros(10)
    s[1] = 1.0  # 0/1 values in the first rows: predicted labels (a constant column would be a score)
    s[8] = 0.4
    p = infer_task(y, s, sample_rows=5)
    assert p.score_kind == "hard"
    with pytest.raises(ScoreKindMismatch) as e:
        canonical_chunk(p, y[5:], s[5:], offset=5)
    assert e.value.corrected == "probabilities"


def test_one_hot_contradicted_later_names_the_row():
    y = np.eye(3)[[0, 1, 2, 0]]
    y[3, 1] = 1
    p = infer_task(y, softmax(rng.normal(size=(4, 3))), sample_rows=2)
    with pytest.raises(InputError, match=r"row.*3.*--task multilabel"):
        canonical_chunk(p, y[2:], softmax(rng.normal(size=(2, 3))), offset=2)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 60), k=st.integers(2, 6), split=st.integers(1, 59), seed=st.integers(0, 1000))
def test_canonical_chunks_concatenate_to_whole_and_leave_input_untouched(n, k, split, seed):
    r = np.random.default_rng(seed)
    y = r.integers(0, k, size=n)
    s = softmax(r.normal(size=(n, k))).astype(np.float32)
    y0, s0 = y.copy(), s.copy()
    p = infer_task(y, s)
    whole = canonical_chunk(p, y, s)
    cut = min(split, n)
    parts = [canonical_chunk(p, y[:cut], s[:cut]), canonical_chunk(p, y[cut:], s[cut:], cut)]
    for i in range(2):
        assert np.array_equal(np.concatenate([parts[0][i], parts[1][i]]), whole[i])
    assert np.array_equal(y, y0) and np.array_equal(s, s0)
    assert not whole[1].flags.writeable  # the engine cannot write through to the user's scores


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 40), L=st.integers(2, 6), seed=st.integers(0, 1000))
def test_multilabel_inference_on_random_multi_hot(n, L, seed):
    r = np.random.default_rng(seed)
    y = (r.uniform(size=(n, L)) < 0.4).astype(np.int64)
    y[0] = 0  # guarantee a row without a positive: cannot be one-hot
    s = r.uniform(size=(n, L))
    p = infer_task(y, s)
    assert p.kind == "multilabel" and p.n_classes == L
    yt, ys = canonical_chunk(p, y, s)
    assert yt.dtype == bool and np.array_equal(yt, y == 1) and np.shares_memory(ys, s)


def test_the_names_that_moved_to_the_gate_still_resolve_from_task():
    import headcheck.gate as gate
    import headcheck.task as task

    assert task.infer_task is gate.infer_task and task.canonical_chunk is gate.canonical_chunk
    assert task.nonfinite_error is gate.scan_nonfinite  # the old signature: (y_score)
    with pytest.raises(AttributeError):
        task.no_such_name  # noqa: B018
