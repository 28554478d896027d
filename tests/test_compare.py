"""compare(): models side by side with confidence intervals and paired tests.

References: McNemar's test against statsmodels (`statsmodels.stats.contingency_tables.mcnemar`)
and Agresti's worked example (Categorical Data Analysis, 2nd ed. 2002, section 10.1: approval of
the Prime Minister in two surveys of 1600 people, table [[794, 150], [86, 570]], McNemar's
statistic 17.36 without continuity correction); DeLong's test against MLstatkit's `Delong_test`
(PyPI) and against an O(n^2) implementation of DeLong, DeLong & Clarke-Pearson (Biometrics 1988)
written here from the paper's definitions, on the binned scores (where the histogram method must
agree exactly). Coverage: the paired bootstrap interval of an accuracy difference known by
construction covers it at the nominal rate.
"""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

import headcheck
from headcheck._compare import bootstrap_p, mcnemar
from headcheck.cli import main
from headcheck.engine import _common as C
from headcheck.engine.paired import delong_pass, paired_parts, run_paired_pass
from headcheck.errors import InputError
from headcheck.gate import infer_task


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def two_models(n=1500, k=4, seed=0, gap=0.4):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    shared = rng.normal(size=(n, k))
    out = []
    for boost in (1.5, 1.5 - gap):
        z = shared + rng.normal(size=(n, k))
        z[np.arange(n), y] += boost
        out.append(softmax(z))
    return y, out[0], out[1]


# --- McNemar ---------------------------------------------------------------------------------------
def test_mcnemar_equals_statsmodels_exact_and_chi_square():
    sm = pytest.importorskip("statsmodels.stats.contingency_tables")
    rng = np.random.default_rng(0)
    for _ in range(60):
        b, c = (int(x) for x in rng.integers(0, 40, 2))
        table = [[int(rng.integers(0, 100)), b], [c, int(rng.integers(0, 100))]]
        exact = b + c < 25
        ref = sm.mcnemar(table, exact=exact, correction=True).pvalue
        assert mcnemar(b, c) == pytest.approx(ref, rel=1e-9, abs=1e-12), (b, c)


def test_mcnemar_on_agrestis_worked_example():
    sm = pytest.importorskip("statsmodels.stats.contingency_tables")
    table = [[794, 150], [86, 570]]
    # the published statistic, without continuity correction
    assert sm.mcnemar(table, exact=False, correction=False).statistic == pytest.approx(17.36, abs=5e-3)
    # ours uses Edwards' correction: (|150 - 86| - 1)^2 / 236 = 16.82
    assert mcnemar(150, 86) == pytest.approx(math.erfc(math.sqrt(63**2 / 236 / 2)), rel=1e-12)
    assert mcnemar(150, 86) == pytest.approx(sm.mcnemar(table, exact=False).pvalue, rel=1e-12)


def test_compare_counts_the_discordant_rows():
    y, a, b = two_models()
    ra, rb = a.argmax(1) == y, b.argmax(1) == y
    c = headcheck.compare(y, {"a": a, "b": b})
    d = c.difference("accuracy")
    assert d.test == "McNemar"
    assert d.p_value == pytest.approx(mcnemar(np.sum(ra & ~rb), np.sum(~ra & rb)))


# --- DeLong ----------------------------------------------------------------------------------------
def delong_reference(y, scores):
    """DeLong et al. (1988): V10 (per positive) and V01 (per negative) placements, S10, S01."""
    pos, neg = [s[y == 1] for s in scores], [s[y == 0] for s in scores]
    P, N = len(pos[0]), len(neg[0])
    v10 = np.array([((n[None, :] < p[:, None]) + 0.5 * (n[None, :] == p[:, None])).mean(1)
                    for p, n in zip(pos, neg)])
    v01 = np.array([((p[None, :] > n[:, None]) + 0.5 * (p[None, :] == n[:, None])).mean(1)
                    for p, n in zip(pos, neg)])
    auc = v10.mean(1)
    return auc, np.cov(v10) / P + np.cov(v01) / N


def binary_models(n=1200, seed=1):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    shared = rng.normal(size=n)
    a = 1 / (1 + np.exp(-(shared + rng.normal(size=n) + 1.2 * y)))
    b = 1 / (1 + np.exp(-(shared + rng.normal(size=n) * 1.3 + 1.0 * y)))
    return y, a.astype(np.float32), b.astype(np.float32)


def test_delong_equals_the_papers_formulas_on_the_binned_scores():
    y, a, b = binary_models()
    parts = paired_parts(y, [a, b], chunk_rows=500)
    done = run_paired_pass([infer_task(y, a), infer_task(y, b)], parts)
    ours = delong_pass(done, parts)
    shift = done.states[0].shift
    auc, cov = delong_reference(y, [C.prob_keys(a, shift), C.prob_keys(b, shift)])
    assert ours.auc == pytest.approx(auc, abs=1e-12)
    assert ours.cov == pytest.approx(cov, rel=1e-9)


def test_delong_agrees_with_mlstatkit():
    mls = pytest.importorskip("MLstatkit")
    y, a, b = binary_models(seed=2)
    c = headcheck.compare(y, {"a": a, "b": b}, metric="roc_auc")
    d = c.difference("roc_auc")
    z, p, _, _, auc_a, auc_b, info = mls.Delong_test(y, a, b)
    assert info["method"] == "delong"
    assert d.test == "DeLong"
    assert abs(d.value) == pytest.approx(abs(auc_a - auc_b), abs=2e-4)  # histogram bound
    assert d.p_value == pytest.approx(p, abs=5e-3)
    se = (d.ci_high - d.ci_low) / (2 * 1.959963984540054)
    assert se ** 2 == pytest.approx(info["var_diff"], rel=0.02)


def test_hanley_mcneil_rating_data_auc():
    """Hanley & McNeil (Radiology 1982), Table 1: 109 CT images rated 1-5; AUC 0.893."""
    normal, abnormal = [33, 6, 6, 11, 2], [3, 2, 2, 11, 33]
    y = np.array([0] * sum(normal) + [1] * sum(abnormal))
    rating = np.array([r for r, k in enumerate(normal, 1) for _ in range(k)]
                      + [r for r, k in enumerate(abnormal, 1) for _ in range(k)])
    p = rating / 6.0
    c = headcheck.compare(y, {"ct": p, "shuffled": p[::-1].copy()}, metric="roc_auc")
    assert c.reports["ct"].metrics["roc_auc"] == pytest.approx(0.893, abs=5e-4)
    auc, cov = delong_reference(y, [p, p[::-1].copy()])
    d = c.difference("roc_auc")
    assert d.value == pytest.approx(auc[0] - auc[1])
    se = math.sqrt(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1])
    assert d.p_value == pytest.approx(math.erfc(abs(d.value) / se / math.sqrt(2)), rel=1e-9)


# --- the bootstrap of differences ----------------------------------------------------------------
def test_paired_bootstrap_covers_a_known_difference_at_the_nominal_rate():
    """Model A is right with probability 0.80, model B with 0.75 (correlated through a shared
    draw): the true accuracy difference is 0.05. 120 data sets of 300 rows, 100 replicates,
    through the paired pass compare() runs (the reports around it are not needed here)."""
    from headcheck.engine.bootstrap import Replicates, interval, replicate_metrics

    rng = np.random.default_rng(11)
    covered, trials, n = 0, 120, 300
    for t in range(trials):
        y = rng.integers(0, 3, n)
        u = rng.random(n)
        v = np.where(rng.random(n) < 0.5, u, rng.random(n))
        a = np.where(u < 0.80, y, (y + rng.integers(1, 3, n)) % 3)
        b = np.where(v < 0.75, y, (y + rng.integers(1, 3, n)) % 3)
        done = run_paired_pass([infer_task(y, a), infer_task(y, b)], paired_parts(y, [a, b]),
                               replicates=Replicates(100, seed=t))
        ra, rb = (replicate_metrics(s)["accuracy"] for s in done.states)
        lo, hi = interval(ra - rb, 0.95)
        covered += lo <= 0.05 <= hi
    assert abs(covered / trials - 0.95) <= 0.05, covered / trials


def test_paired_bootstrap_covers_with_big_groups_of_sorted_rows():
    """The random-groups bootstrap with groups of about 47 rows (3,000 rows sorted by label, 64
    groups; accuracy depends on the label) still covers the true difference at the nominal rate,
    neither too rarely (too narrow) nor almost always (too wide)."""
    from headcheck.engine.bootstrap import Replicates, interval, replicate_metrics

    rng = np.random.default_rng(12)
    covered, trials, n = 0, 100, 3000
    for t in range(trials):
        y = np.sort(rng.integers(0, 3, n))
        u = rng.random(n)
        v = np.where(rng.random(n) < 0.5, u, rng.random(n))
        acc_a = np.where(y == 0, 0.9, 0.7)  # accuracy varies with the label: order matters
        a = np.where(u < acc_a, y, (y + 1) % 3)
        b = np.where(v < acc_a - 0.05, y, (y + 2) % 3)
        true = 0.05  # the expected accuracy difference of every row
        done = run_paired_pass([infer_task(y, a), infer_task(y, b)], paired_parts(y, [a, b]),
                               replicates=Replicates(100, seed=t, buckets=64))
        ra, rb = (replicate_metrics(s)["accuracy"] for s in done.states)
        lo, hi = interval(ra - rb, 0.95)
        covered += lo <= true <= hi
    assert 0.89 <= covered / trials <= 0.99, covered / trials


def test_paired_bootstrap_covers_a_known_roc_auc_difference():
    """Binary scores a = 1.2 y + s + e, b = 0.9 y + s + e' (s shared, e, e' ~ N(0, 1)): the ROC
    AUCs are Phi(1.2 / 2) and Phi(0.9 / 2). The replicates' AUC comes from coarser histograms
    (shifted to the fine one) over random groups of rows: its difference interval covers the
    true difference at the nominal rate."""
    from statistics import NormalDist

    from headcheck.engine.bootstrap import Replicates, interval, replicate_metrics

    phi = NormalDist().cdf
    true = phi(1.2 / 2) - phi(0.9 / 2)
    rng = np.random.default_rng(5)
    covered, trials, n = 0, 100, 2000
    for t in range(trials):
        y = rng.integers(0, 2, n)
        shared = rng.normal(size=n)
        a, b = (1 / (1 + np.exp(-(lift * y + shared + rng.normal(size=n)))) for lift in (1.2, 0.9))
        done = run_paired_pass([infer_task(y, a), infer_task(y, b)], paired_parts(y, [a, b]),
                               replicates=Replicates(100, seed=t))
        ra, rb = (replicate_metrics(s)["roc_auc"] for s in done.states)
        lo, hi = interval(ra - rb, 0.95)
        covered += lo <= true <= hi
    assert 0.89 <= covered / trials <= 0.99, covered / trials


def test_bootstrap_spread_is_the_analytic_standard_error():
    """Accuracy of 20,000 rows at p = 0.7: the replicates' standard deviation is
    sqrt(p (1 - p) / n) within the spread of 400 replicates over 1024 groups (about 5 %)."""
    from headcheck.engine.bootstrap import Replicates, replicate_metrics

    rng = np.random.default_rng(3)
    n = 20_000
    y = rng.integers(0, 4, n)
    pred = np.where(rng.random(n) < 0.7, y, (y + 1) % 4)
    done = run_paired_pass([infer_task(y, pred), infer_task(y, y)], paired_parts(y, [pred, y]),
                           replicates=Replicates(400, seed=1))
    sd = np.std(replicate_metrics(done.states[0])["accuracy"], ddof=1)
    acc = float(np.mean(pred == y))
    assert sd == pytest.approx(math.sqrt(acc * (1 - acc) / n), rel=0.15)


def test_paired_states_absorb_as_they_merge():
    from headcheck.engine.bootstrap import Replicates
    from headcheck.engine.kernels.testing import assert_states_match
    from headcheck.engine.paired import PairedPlan
    from headcheck.engine.pipeline import Plan

    y, a, b = two_models()
    parts = list(paired_parts(y, [a, b], chunk_rows=150))
    plan = PairedPlan(tuple(Plan(infer_task(y, s), (5,), 15, None, replicates=Replicates(20))
                            for s in (a, b)))
    left, right = plan.fold_part(parts[0]), plan.fold_part(parts[1])
    merged = left.merge(right)
    absorbed = plan.fold_part(parts[0]).absorb(plan.fold_part(parts[1]))
    for m, n in zip(merged.states, absorbed.states):
        assert_states_match(m, n, rtol=0)
    assert np.array_equal(merged.joint_n, absorbed.joint_n)
    assert np.array_equal(merged.joint_w, absorbed.joint_w)


def test_bootstrap_p_value():
    assert bootstrap_p(np.full(199, 1.0)) == pytest.approx(2 / 200)
    assert bootstrap_p(np.r_[np.ones(100), -np.ones(100)]) == 1.0
    assert bootstrap_p(np.array([np.nan])) != bootstrap_p(np.array([np.nan]))


# --- the result -------------------------------------------------------------------------------------
def test_each_model_is_its_own_report_with_intervals():
    y, a, b = two_models()
    c = headcheck.compare(y, {"bce": a, "cce": b}, ci=0.9)
    for name, p in (("bce", a), ("cce", b)):
        alone = headcheck.report(y, p, ci=0.9)
        assert c.reports[name].metrics == pytest.approx(alone.metrics)
        assert c.reports[name].intervals == alone.intervals  # same seed: the same replicates
        assert [f.code for f in c.reports[name].findings] == [f.code for f in alone.findings]
    assert c.level == 0.9 and {d.metric for d in c.differences} == set(c.reports["bce"].intervals)


def test_verdict_names_the_metric_and_says_within_noise():
    y, a, _ = two_models()
    same = headcheck.compare(y, [a, a.copy()])
    assert same.verdict.within_noise and same.verdict.best is None
    assert "cannot be told apart on accuracy" in same.verdict.text
    assert "within noise" in same.verdict.text
    y, a, b = two_models(n=4000, gap=1.0)
    clear = headcheck.compare(y, {"strong": a, "weak": b})
    assert clear.verdict.best == "strong" and not clear.verdict.within_noise
    assert clear.verdict.text.startswith("strong is better on accuracy")
    imbalanced = np.where(np.random.default_rng(0).random(len(y)) < 0.9, 0, y)
    assert headcheck.compare(imbalanced, [a, b]).verdict.metric == "balanced_accuracy"


def test_a_collapsed_model_moves_the_verdict_to_balanced_accuracy():
    """A model that predicts the majority class (65 % of the rows) for every row is as accurate
    as one that learned; on accuracy the verdict could not tell them apart or would pick the
    collapsed one. Its HC402 / HC307 move the verdict to balanced accuracy, which separates them."""
    r = np.random.default_rng(0)
    n = 2000
    y = np.where(r.random(n) < 0.65, 0, r.integers(1, 3, n))
    collapsed = np.abs(np.tile([0.8, 0.1, 0.1], (n, 1)) + r.normal(0, 0.01, (n, 3)))
    collapsed /= collapsed.sum(1, keepdims=True)
    z = r.normal(size=(n, 3))
    z[np.arange(n), y] += 1.0
    learned = softmax(z)
    c = headcheck.compare(y, {"collapsed": collapsed, "learned": learned})
    acc = {m: c.reports[m].metrics["accuracy"] for m in ("collapsed", "learned")}
    assert acc["collapsed"] > acc["learned"]  # on accuracy the collapsed head "wins"
    assert {"HC402", "HC307"} & {f.code for f in c.reports["collapsed"].findings}
    assert c.verdict.metric == "balanced_accuracy" and c.verdict.best == "learned"
    assert not c.verdict.within_noise and "collapsed's accuracy" in c.verdict.why
    # two models that learned keep the verdict on accuracy
    z[np.arange(n), y] += 1.5
    a, b = softmax(z), softmax(z + r.normal(size=(n, 3)))
    assert headcheck.compare(y, {"a": a, "b": b}).verdict.metric == "accuracy"


def test_three_models_compare_the_best_with_each():
    y, a, b = two_models(n=800)
    c = headcheck.compare(y, {"a": a, "b": b, "c": (a + b) / 2})
    best = max("abc", key=lambda n: c.reports[n].metrics["accuracy"])
    assert {(d.a, d.b) for d in c.differences} == {(best, o) for o in "abc" if o != best}
    assert "models" in c.to_text()  # the differences table names each pair


def test_json_contract():
    y, a, b = two_models(n=600)
    d = json.loads(headcheck.compare(y, {"bce": a, "cce": b}).to_json())
    assert {"task", "models", "baselines", "differences", "verdict", "ci"} <= set(d)
    for model in d["models"].values():
        assert {"metrics", "views", "findings", "per_class"} <= set(model)
        acc = model["metrics"]["accuracy"]
        assert set(acc) == {"value", "ci_low", "ci_high", "level", "method"}
        assert acc["ci_low"] <= acc["value"] <= acc["ci_high"] and acc["level"] == 0.95
    assert {"metric", "best", "within_noise", "text"} <= set(d["verdict"])
    first = d["differences"][0]
    assert {"a", "b", "metric", "difference", "ci_low", "ci_high", "p_value", "test"} <= set(first)


def test_multilabel_and_weights():
    rng = np.random.default_rng(3)
    y = (rng.random((700, 5)) < 0.3).astype(int)
    z = rng.normal(size=y.shape) + 1.5 * y - 1
    c = headcheck.compare(y, {"a": 1 / (1 + np.exp(-z)), "b": 1 / (1 + np.exp(-z / 2))},
                          sample_weight=rng.uniform(0.5, 2, 700))
    assert c.verdict.metric == "micro_f1"
    assert all(d.test == "bootstrap" for d in c.differences)  # weighted: no McNemar / DeLong
    assert "subset_accuracy" in c.reports["a"].intervals


def test_bad_input():
    y, a, b = two_models(n=100)
    with pytest.raises(InputError, match="2 to 8 models"):
        headcheck.compare(y, {"a": a})
    with pytest.raises(InputError, match="one score row per label"):
        headcheck.compare(y, {"a": a, "b": b[:50]})
    y3 = np.minimum(y, 2)
    with pytest.raises(InputError, match="read the labels differently"):
        headcheck.compare(y3, {"a": a[:, :3] / a[:, :3].sum(1, keepdims=True), "b": a})
    with pytest.raises(InputError, match="--metric"):
        headcheck.compare(y, {"a": a, "b": b}, metric="nonsense")


def test_cli_text_json_and_names(tmp_path, capsys):
    y, a, b = two_models(n=500)
    for name, arr in (("y", y), ("bce", a), ("cce", b)):
        np.save(tmp_path / f"{name}.npy", arr)
    files = [str(tmp_path / f) for f in ("y.npy", "bce.npy", "cce.npy")]
    assert main(["compare", *files]) == 0
    out = capsys.readouterr().out
    assert "Verdict:" in out and "bce" in out and "cce" in out and "McNemar" in out
    assert main(["compare", *files, "--format", "json", "--name", "first"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert set(d["models"]) == {"first", "cce"}
    assert d == headcheck.compare_files(files[0], files[1:], names=["first"]).to_dict() | {
        "source": d["source"]}
    assert main(["compare", *files[:2]]) == 2
    assert "at least two scores files" in capsys.readouterr().err
    for fmt in ("markdown", "html"):
        assert main(["compare", *files, "--format", fmt]) == 0
        assert "Paired differences" in capsys.readouterr().out


def test_report_ci_from_the_cli(tmp_path, capsys):
    y, a, _ = two_models(n=400)
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "p.npy", a)
    assert main(["report", str(tmp_path / "y.npy"), str(tmp_path / "p.npy"), "--ci", "0.9",
                 "--replicates", "50", "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["intervals"]["accuracy"]["level"] == 0.9
    assert d["intervals"]["accuracy"]["ci_low"] < d["metrics"]["accuracy"] < d["intervals"]["accuracy"]["ci_high"]
    assert main(["report", str(tmp_path / "y.npy"), str(tmp_path / "p.npy"), "--ci"]) == 0
    assert "95% CI" in capsys.readouterr().out


def test_the_verdict_never_contradicts_the_test_it_cites():
    """12 rows only the first model gets right, 4 only the second: McNemar's exact p is 0.077, but
    on 300 rows the 95 % bootstrap interval of the +0.0267 difference just excludes 0 for most
    seeds. A verdict 'A is better ... McNemar p 0.077' would contradict itself: within noise."""
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 300)
    a = np.where(rng.random(300) < 0.8, y, 1 - y).astype(float)
    b = a.copy()
    rows = rng.permutation(300)
    only_a, only_b = rows[:12], rows[12:16]
    a[only_a], b[only_a] = y[only_a], 1 - y[only_a]
    a[only_b], b[only_b] = 1 - y[only_b], y[only_b]
    from statsmodels.stats.contingency_tables import mcnemar as sm_mcnemar

    assert sm_mcnemar([[0, 12], [4, 0]], exact=True).pvalue == pytest.approx(0.0768, abs=1e-4)
    excluded = 0
    for seed in range(4):
        c = headcheck.compare(y, {"A": a, "B": b}, seed=seed)
        d = c.difference("accuracy")
        assert d.test == "McNemar" and d.p_value == pytest.approx(0.0768, abs=1e-4)
        assert d.within_noise and d.better is None and c.verdict.best is None
        assert "cannot be told apart on accuracy" in c.verdict.text and "A - B = +0.0267" in c.verdict.text
        if d.ci_low > 0:
            excluded += 1
            assert d.test_disagrees and "Borderline: the interval excludes 0 but McNemar" in c.verdict.text
    assert excluded  # the case the rule is for happens with these seeds
    far = headcheck.compare(y, {"A": np.where(rng.random(300) < 0.95, y, 1 - y), "B": b})
    assert far.verdict.best == "A" and far.difference("accuracy").p_value < 0.05
