"""The data gate: one label profiler, one error-vs-finding policy, the same answer in every command."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from headcheck._check import check
from headcheck._explain import explain
from headcheck._report import report
from headcheck.engine.pipeline import Feed
from headcheck.errors import InputError
from headcheck.gate import (
    BLOCKING_RULES,
    LabelsRejected,
    canonical_chunk,
    infer_task,
    label_facts,
    profile_labels,
)
from headcheck.head import HeadSpec

# --------------------------------------------------------------------------------------------
# random label arrays of every kind, good and bad, with a score width that fits their shape
# --------------------------------------------------------------------------------------------
NAMES = np.array(["ant", "bee", "cat", "dog", "eel", "fox"])


@st.composite
def labels_and_width(draw):
    n = draw(st.integers(1, 40))
    kind = draw(st.sampled_from(["int", "bool", "float-int", "soft", "regression", "nan", "names",
                                 "one-hot", "multi-hot", "soft-rows", "matrix-out", "column"]))
    seed = draw(st.integers(0, 10_000))
    r = np.random.default_rng(seed)
    k = draw(st.integers(2, 6))
    if kind in ("int", "column", "float-int"):
        lo, hi = draw(st.integers(-2, 2)), draw(st.integers(0, 8))
        y = r.integers(min(lo, hi), max(lo, hi) + 1, n)
        y = y.astype(np.float64) if kind == "float-int" else y
        return (y[:, None] if kind == "column" else y), k
    if kind == "bool":
        return r.random(n) < 0.5, k
    if kind == "soft":
        return r.random(n), 2  # soft binary targets fit one or two score columns
    if kind == "regression":
        return r.random(n) * 5 + 1.5, k
    if kind == "nan":
        y = r.integers(0, k, n).astype(np.float64)
        y[r.integers(0, n)] = np.nan
        return y, k
    if kind == "names":
        if k == 2 and n >= 2:  # two score columns: both names must occur to say which is positive
            y = NAMES[r.integers(0, 2, n)]
            y[0], y[-1] = "ant", "bee"
            return y, 2
        k = max(k, 3)
        return NAMES[r.integers(0, k, n)], k
    if kind == "one-hot":
        return np.eye(k, dtype=draw(st.sampled_from([np.uint8, np.float32, bool])))[r.integers(0, k, n)], k
    if kind == "multi-hot":
        return (r.random((n, k)) < 0.4).astype(np.int64), k
    if kind == "soft-rows":
        rows = r.random((n, k))
        return rows / rows.sum(axis=1, keepdims=True) if draw(st.booleans()) else rows, k
    return r.integers(-1, 3, (n, k)), k  # matrix-out: values outside [0, 1]


def scores(n: int, k: int, seed: int) -> np.ndarray:
    z = np.random.default_rng(seed).normal(size=(n, k))
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def outcome(fn):
    try:
        return fn(), None
    except InputError as e:
        return None, e


def fed_in_one_batch(y: np.ndarray, p: np.ndarray) -> Feed:
    feed = Feed()
    feed.update(y, p)
    feed.result()
    return feed


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=labels_and_width(), seed=st.integers(0, 100))
def test_check_report_explain_and_the_live_feed_agree_on_random_labels(case, seed):
    y, k = case
    y0 = y.copy()
    p = scores(len(y), k, seed)
    res, check_err = outcome(lambda: check(HeadSpec.declared(units=k), y))
    rep, report_err = outcome(lambda: report(y, p))
    _, explain_err = outcome(lambda: explain(y, p, 0.5))
    fed, feed_err = outcome(lambda: fed_in_one_batch(y, p))
    assert np.array_equal(y, y0, equal_nan=y.dtype.kind == "f")  # nothing given is modified
    # the same error text and kind (or none) from explain as from report: one path; and from the
    # live checks' Feed (a training callback's epoch fed as one batch)
    assert str(explain_err) == str(report_err)
    assert str(feed_err) == str(report_err)
    assert type(feed_err) is type(report_err)
    if check_err is not None:
        # not class labels at all: an input error in every command, with the same message
        assert report_err is not None and str(report_err) == str(check_err)
        assert not isinstance(check_err, LabelsRejected)
        return
    codes = {f.code for f in res.findings}
    blocking = [f for f in res.findings if f.code in BLOCKING_RULES]
    encoding = res.context.task.label_encoding
    assert encoding == label_facts(y).encoding
    if report_err is None:
        assert rep.task.label_encoding == encoding
        assert fed.profile.label_encoding == encoding and fed.profile.kind == rep.task.kind
        assert not blocking, codes  # a pass ran: no blocking finding in check
        return
    # class labels that do not map to the outputs: a finding in check, an error naming it in report
    assert isinstance(report_err, LabelsRejected), str(report_err)
    assert report_err.code in codes
    same = next(f for f in blocking if f.code == report_err.code)
    assert report_err.finding.fix == same.fix
    assert f"Fix ({same.code} {same.name}): {same.fix.rstrip('.')}" in str(report_err)


# --------------------------------------------------------------------------------------------
# the cases the issue names, and the policy's edges
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("y, detail", [
    (np.array([0, -1, 2, 0, 1, 2]), "got 1 negative label(s) (first rows: 1; smallest -1)"),
    (np.array([1, 2, 3, 1, 2, 3]), "class index 3 is out of range for scores with 3 columns"),
])
def test_label_problem_is_a_finding_in_check_and_an_error_naming_it_in_report(y, detail):
    res = check(HeadSpec.declared(activation="softmax", units=3, loss="sparse_categorical_crossentropy"), y)
    finding = next(f for f in res.findings if f.code == "HC203")
    with pytest.raises(LabelsRejected) as e:
        report(y, scores(len(y), 3, 0))
    assert e.value.code == "HC203" and e.value.finding.fix == finding.fix
    assert detail in str(e.value) and "labels-out-of-range" in str(e.value)


def test_boolean_labels_are_boolean_everywhere():
    y = np.array([True, False, True, True])
    assert check(HeadSpec.declared(units=1), y).context.task.label_encoding == "boolean"
    assert report(y, np.array([0.9, 0.1, 0.4, 0.8])).task.label_encoding == "boolean"


def test_minus_one_plus_one_labels_with_bce_head():
    y = np.array([-1, 1, 1, -1])
    res = check(HeadSpec.declared(activation="sigmoid", units=1, loss="binary_crossentropy"), y)
    assert "HC203" in {f.code for f in res.findings}
    with pytest.raises(LabelsRejected, match="negative"):
        report(y, np.array([0.2, 0.9, 0.7, 0.1]))


def test_soft_binary_labels_are_refused_with_many_score_columns():
    y = np.array([0.2, 0.9, 0.6])
    with pytest.raises(InputError, match="soft binary labels"):
        infer_task(y, scores(3, 3, 0))  # used to truncate every label to class 0
    assert infer_task(y, scores(3, 2, 0)).kind == "binary"


def test_two_d_labels_decided_on_the_sample_are_verified_in_check_as_in_report():
    y = np.eye(3)[[0, 1, 2, 0, 1, 2]]
    y[5, 0] = 1  # a multi-hot row past the sampled rows
    with pytest.raises(InputError, match=r"one-hot labels with zero or several positives.*rows, 0-based: 5") as c:
        profile_labels(y, sample_rows=4)
    with pytest.raises(InputError) as r:
        report(y, scores(6, 3, 0), sample_rows=4, chunk_rows=2)
    assert str(c.value) == str(r.value)


def test_declared_multilabel_on_one_hot_labels_is_multilabel_in_check_as_in_report():
    y = np.eye(4)[[0, 1, 2, 3, 1]]
    assert profile_labels(y, task="multilabel")[0].kind == "multilabel"
    assert report(y, scores(5, 4, 0), task="multilabel").task.kind == "multilabel"
    with pytest.raises(InputError, match="binary needs 2 classes"):
        profile_labels(y, task="binary")


def test_a_later_chunk_with_an_index_past_the_outputs_names_the_rule_and_the_global_row():
    p = infer_task(np.array([0, 1, 2]), scores(3, 3, 0))
    with pytest.raises(LabelsRejected, match=r"first rows: 11\)") as e:
        canonical_chunk(p, np.array([0, 5]), scores(2, 3, 1), offset=10)
    assert e.value.code == "HC203"


def test_soft_label_rows_leaving_zero_one_later_are_refused():
    y = np.full((4, 3), 1 / 3)
    p = infer_task(y[:2], scores(2, 3, 0))
    bad = y[2:].copy()
    bad[1, 0] = 1.7
    with pytest.raises(InputError, match="0/1 indicators or probabilities"):
        canonical_chunk(p, bad, scores(2, 3, 1), offset=2)


def test_string_labels_naming_fewer_classes_than_score_columns():
    rep = report(np.array(["cat"] * 4), scores(4, 3, 0))
    assert [row["name"] for row in rep.per_class] == ["cat", "1", "2"]
    assert any("assumes the missing ones are the last columns" in d for d in rep.task.decisions)


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int64])
@pytest.mark.parametrize("bad", [2, -1])
def test_integer_multi_hot_chunks_are_checked_without_masks_and_not_copied(dtype, bad):
    # the integer fast path (min/max instead of (y == 0) | (y == 1)) still names bad rows
    y = (np.random.default_rng(0).random((6, 3)) < 0.4).astype(dtype)
    y[:, 0] = 1
    p = infer_task(y[:3], scores(3, 3, 0), task="multilabel")
    yc, _ = canonical_chunk(p, y[3:], scores(3, 3, 1), offset=3)
    assert yc.dtype == bool and np.array_equal(yc, y[3:] != 0)
    assert not (np.shares_memory(yc, y) and yc.flags.writeable)  # a byte view is read-only
    if dtype == np.uint8 and bad < 0:
        return  # an unsigned byte cannot hold -1
    later = y[3:].copy()
    later[2, 1] = bad
    with pytest.raises(InputError, match=r"labels must be 0 or 1.*5"):
        canonical_chunk(p, later, scores(3, 3, 1), offset=3)
    assert later[2, 1] == bad  # the user's array is left alone
