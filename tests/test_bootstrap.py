"""The Poisson bootstrap computed in the pass (headcheck.engine.bootstrap).

Reference: a replicate is the state's statistics under the sample weights w * W[:, b], so each
replicate's metrics must equal `report(y, s, sample_weight=w * W[:, b])` - itself checked
against scikit-learn by the engine tests - and, directly, scikit-learn's metrics with those
weights. Weights: exactly the stated distribution, a function of (seed, global row) only.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn import metrics as skm

import headcheck
from headcheck.engine import new_state, state_from_dict
from headcheck.engine.bootstrap import (
    Replicates, columns, groups, interval, replicate_metrics, table, weights,
)
from headcheck.engine.pipeline import array_parts, run_pass, usable_top_k
from headcheck.errors import InputError
from headcheck.gate import infer_task

N = 5000
REP = Replicates(20, seed=3)


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cases():
    rng = np.random.default_rng(0)
    ym = (rng.random((N, 6)) < 0.2).astype(int)
    zm = rng.normal(size=ym.shape) + 1.5 * ym - 1
    yc = rng.integers(0, 5, N)
    zc = rng.normal(size=(N, 5))
    zc[np.arange(N), yc] += 1
    yb = rng.integers(0, 2, N)
    pb = np.clip(yb * 0.3 + rng.random(N) * 0.7, 0, 1).astype(np.float32)
    return {
        "multilabel-probabilities": (ym, (1 / (1 + np.exp(-zm))).astype(np.float32), {}),
        "multilabel-logits": (ym, zm, {"score_kind": "logits"}),
        "multilabel-hard": (ym, (zm > 0).astype(int), {}),
        "multiclass-probabilities": (yc, softmax(zc).astype(np.float32), {"top_k": (2, 3)}),
        "multiclass-logits": (yc, zc, {"score_kind": "logits"}),
        "multiclass-hard": (yc, zc.argmax(1), {}),
        "binary-probabilities": (yb, pb, {}),
        "binary-logits": (yb, np.log(pb + 1e-3) - np.log1p(1e-3 - pb), {"score_kind": "logits"}),
        "binary-hard": (yb, (pb > 0.5).astype(int), {}),
    }


def bootstrap_pass(y, s, kw, w=None, chunk_rows=1500, rep=REP):
    kw = dict(kw)
    top_k = kw.pop("top_k", (5,))
    profile = infer_task(y, s, **kw)
    done = run_pass(profile, array_parts(y, s, w, chunk_rows=chunk_rows), replicates=rep,
                    top_k=usable_top_k(profile, top_k))
    return done.state


@pytest.mark.parametrize("case", list(cases()))
@pytest.mark.parametrize("weighted", [False, True])
def test_each_replicate_is_the_report_under_its_weights(case, weighted):
    y, s, kw = cases()[case]
    w = np.random.default_rng(1).uniform(0.2, 2.0, len(y)) if weighted else None
    state = bootstrap_pass(y, s, kw, w)
    reps = replicate_metrics(state)
    W = weights(REP, np.arange(len(y))).astype(np.float64)
    assert reps and set(reps) <= set(state.result().metrics)
    for b in (0, 11, 19):
        wb = W[:, b] * (1.0 if w is None else w)
        ref = headcheck.report(y, s, sample_weight=wb, **kw).metrics
        for name, values in reps.items():
            if name in ("roc_auc", "average_precision"):  # coarser histograms: see below
                assert values[b] == pytest.approx(ref[name], abs=0.02), name
            else:  # float32 products of the weights: 1e-6
                assert values[b] == pytest.approx(ref[name], rel=2e-6, abs=1e-9), (name, b)


def test_replicates_against_sklearn_directly():
    y, s, kw = cases()["multiclass-probabilities"]
    reps = replicate_metrics(bootstrap_pass(y, s, kw))
    W = weights(REP, np.arange(len(y))).astype(np.float64)
    pred = s.argmax(1)
    for b in range(0, 20, 4):
        wb = W[:, b]
        assert reps["accuracy"][b] == pytest.approx(skm.accuracy_score(y, pred, sample_weight=wb))
        assert reps["macro_f1"][b] == pytest.approx(
            skm.f1_score(y, pred, average="macro", sample_weight=wb))
        assert reps["mcc"][b] == pytest.approx(skm.matthews_corrcoef(y, pred, sample_weight=wb))
        assert reps["log_loss"][b] == pytest.approx(skm.log_loss(y, s, sample_weight=wb), rel=1e-5)
        assert reps["top_k_accuracy@2"][b] == pytest.approx(
            skm.top_k_accuracy_score(y, s, k=2, sample_weight=wb))


def test_weights_depend_only_on_seed_and_row():
    rows = np.arange(3 * 4096 + 17)
    a = weights(REP, rows)
    assert np.array_equal(weights(REP, rows[5000:6000]), a[5000:6000])
    assert np.array_equal(weights(REP, rows[::7]), a[::7])
    assert np.array_equal(groups(REP, 5000, 1000), groups(REP, rows[5000:6000], 1000))
    assert not np.array_equal(weights(Replicates(20, seed=4), rows), a)
    # rows share their group's weights; groups are filled evenly (a chi-square test at 0.1 %)
    g = groups(REP, rows, len(rows))
    same = np.flatnonzero(g == g[0])
    assert len(same) > 1 and (a[same] == a[0]).all()
    big = groups(Replicates(20, seed=5, buckets=64), 0, 64_000)
    counts = np.bincount(big, minlength=64)
    assert ((counts - 1000) ** 2 / 1000).sum() < 103.4  # chi-square(63) at 0.999
    # neighbouring rows are not in neighbouring groups: no serial correlation of the groups
    assert abs(np.corrcoef(big[:-1], big[1:])[0, 1]) < 0.02


def test_weights_have_the_stated_distribution():
    """P(W = 0..5) = (95, 92, 49, 15, 4, 1) / 256, mean 1, variance 1, close to Poisson(1)."""
    big = table(Replicates(2000, seed=9)).ravel()
    freq = np.bincount(big, minlength=6) / big.size
    assert freq == pytest.approx(np.array([95, 92, 49, 15, 4, 1]) / 256, abs=1e-3)
    assert big.mean() == pytest.approx(1.0, abs=2e-3) and big.var() == pytest.approx(1.0, abs=5e-3)
    stated = np.array([95, 92, 49, 15, 4, 1]) / 256
    k = np.arange(6)
    assert stated @ k == 1.0 and stated @ k**2 - 1.0 == 1.0  # mean and variance exactly 1
    poisson = np.array([math.exp(-1) / math.factorial(i) for i in range(5)])
    poisson = np.append(poisson, 1 - poisson.sum())  # P(W >= 5)
    assert np.abs(stated - poisson).max() <= 0.009
    # replicates are independent of each other: weights of two replicates uncorrelated
    t = table(Replicates(2000, seed=9)).astype(float)
    assert abs(np.corrcoef(t[:, 0], t[:, 1])[0, 1]) < 0.15


def test_chunking_threads_and_merging_give_the_same_replicates():
    y, s, kw = cases()["multiclass-probabilities"]
    a = bootstrap_pass(y, s, kw, chunk_rows=N)
    b = bootstrap_pass(y, s, kw, chunk_rows=777)
    np.testing.assert_allclose(a.stats["boot"], b.stats["boot"], rtol=1e-9)
    cols = columns(a)
    for name in ("support", "tp", "predicted", "correct", "cal_w", "w_total"):  # counts: to the bit
        at, shape = cols[name]
        part = slice(at, at + int(np.prod(shape)))
        assert np.array_equal(a.stats["boot"][:, part], b.stats["boot"][:, part]), name
    back = state_from_dict(a.to_dict())
    assert back.replicates == REP and np.array_equal(back.stats["boot"], a.stats["boot"])
    with pytest.raises(ValueError, match="cannot merge"):
        a.merge(new_state(a.profile, replicates=Replicates(20, seed=4)))


def test_nonfinite_rows_keep_their_weights():
    y, s, kw = cases()["binary-probabilities"]
    s = s.astype(np.float64)
    s[[10, 4100]] = np.nan
    state = new_state(infer_task(y[:8], s[:8]), replicates=REP)
    state.update(y, s)
    keep = np.isfinite(s)
    W = weights(REP, np.arange(N))[keep].astype(np.float64)
    ref = headcheck.report(y[keep], s[keep], sample_weight=W[:, 5]).metrics
    assert replicate_metrics(state)["accuracy"][5] == pytest.approx(ref["accuracy"])


def test_interval_is_the_percentile_interval():
    v = np.arange(1, 201, dtype=float)
    assert interval(v, 0.9) == pytest.approx(tuple(np.quantile(v, [0.05, 0.95])))
    assert interval(np.array([np.nan, 1.0]), 0.95) == (pytest.approx(np.nan, nan_ok=True),) * 2


def test_bad_options_are_input_errors():
    with pytest.raises(InputError, match="replicates"):
        Replicates(3)
    with pytest.raises(InputError, match="seed"):
        Replicates(100, seed=-1)


def test_shifted_auc_replicates_stay_within_0_and_1():
    """Binary AUC / AP replicates come from coarser histograms, moved by the binning bias: near
    1 the move must not push an interval past 1 (a well-ranked model scaled down by 10 had an
    average-precision interval up to 1.0032)."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression

    X, y = load_breast_cancer(return_X_y=True)
    p = LogisticRegression(C=1e-4, max_iter=5000).fit(X[::2], y[::2]).predict_proba(X[1::2])[:, 1]
    rep = headcheck.report(y[1::2], (p * 0.1).astype(np.float32), ci=0.95)
    for name in ("roc_auc", "average_precision"):
        iv = rep.intervals[name]
        assert 0.0 <= iv.ci_low <= rep.metrics[name] <= iv.ci_high <= 1.0, (name, iv)
