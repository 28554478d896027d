"""One cause, one finding for thresholds (issue 11): well-ranked scores cut at a threshold far
from the best one get HC308 alone (HC307's 'head or label bug' and HC402's 'collapsed' fold into
it); a model whose ranking is bad as well keeps all three. Real data: a logistic regression on
scikit-learn's breast-cancer data and on generated multi-label data, its probabilities scaled so
that none reaches 0.5 (as an over-weighted negative class or a shifted bias does)."""
from __future__ import annotations

import numpy as np
import pytest

import headcheck
from headcheck.findings import Severity
from headcheck.gate.policy import fold_findings
from headcheck.rules import get_rule

sklearn = pytest.importorskip("sklearn")


@pytest.fixture(scope="module")
def cancer() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x, y = load_breast_cancer(return_X_y=True)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(x, y)
    return y, model.predict_proba(x)[:, 1] * 0.1  # nothing reaches 0.5


@pytest.fixture(scope="module")
def tags() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import make_multilabel_classification
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    x, y = make_multilabel_classification(n_samples=600, n_features=20, n_classes=6, random_state=0)
    model = OneVsRestClassifier(LogisticRegression(max_iter=2000)).fit(x, y)
    return y, model.predict_proba(x) * 0.2


def _codes(rep) -> list[str]:
    return [f.code for f in rep.findings if f.severity.rank >= Severity.WARNING.rank]


def test_binary_threshold_problem_is_one_finding(cancer):
    from sklearn.metrics import f1_score, roc_auc_score

    y, p = cancer
    assert f1_score(y, p >= 0.5) == 0.0 and roc_auc_score(y, p) > 0.99  # the premise, by sklearn
    rep = headcheck.report(y, p)
    assert _codes(rep) == ["HC308"]
    msg = rep.findings[0].message
    assert f"the ranking is good (ROC AUC {rep.metrics['roc_auc']:.4f})" in msg
    assert "HC307 and HC402 would report follow from this threshold, not from a head or label bug" in msg
    assert "head or label bug rather than" not in msg  # HC307's advice is gone, not repeated


def test_binary_bad_ranking_keeps_accuracy_and_collapse_findings(cancer):
    from sklearn.metrics import roc_auc_score

    y, _ = cancer
    p = np.random.default_rng(0).uniform(0.0, 0.1, len(y))  # no ranking, nothing reaches 0.5
    assert abs(roc_auc_score(y, p) - 0.5) < 0.1
    rep = headcheck.report(y, p)
    assert _codes(rep) == ["HC307", "HC308", "HC402"]
    hc308 = next(f for f in rep.findings if f.code == "HC308")
    assert "barely rank the positives" in hc308.message and "would report" not in hc308.message


def test_multilabel_model_predicting_nothing_is_one_finding(tags):
    from sklearn.metrics import f1_score, roc_auc_score

    y, p = tags
    assert f1_score(y, p >= 0.5, average="micro") == 0.0
    assert roc_auc_score(y, p, average="macro") > 0.8
    rep = headcheck.report(y, p)
    assert _codes(rep) == ["HC308"]
    assert "HC307 and HC402 would report follow from this threshold" in rep.findings[0].message


def test_multilabel_collapse_with_no_ranking_keeps_hc402(tags):
    y, _ = tags
    p = np.random.default_rng(1).uniform(0.0, 0.2, y.shape)
    rep = headcheck.report(y, p)
    assert {"HC307", "HC402"} <= set(_codes(rep))


def test_report_cli_shows_one_finding(cancer, tmp_path, capsys):
    from headcheck.cli import main

    y, p = cancer
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "p.npy", p)
    assert main(["report", str(tmp_path / "y.npy"), str(tmp_path / "p.npy")]) == 0
    out = capsys.readouterr().out
    assert "HC308 warning" in out and "HC307 warning" not in out and "HC402 warning" not in out


def test_fold_needs_the_threshold_cause_on_the_root():
    """HC308 without its cause (weak ranking) folds nothing; with it, only findings of the same
    decisions fold (a finding of another cause stays)."""
    r308, r307, r402 = get_rule("HC308"), get_rule("HC307"), get_rule("HC402")
    weak = r308.finding("At threshold 0.5 ... Fix: x", "fix")
    strong = r308.finding("At threshold 0.5 ... Fix: x", "fix", cause="threshold")
    acc = r307.finding("accuracy at the rate", "fix", cause="decisions")
    other = r402.finding("collapsed", "fix")
    assert fold_findings([acc, weak, other]) == [acc, weak, other]
    folded = fold_findings([acc, strong, other])
    assert [f.code for f in folded] == ["HC308", "HC402"]
    assert "that HC307 would report follow from this threshold" in folded[0].message


def test_explain_names_the_threshold_not_a_collapsed_model(cancer):
    y, p = cancer
    rep = headcheck.report(y, p)
    ex = headcheck.explain(y, p, rep.metrics["accuracy"])
    story = " ".join(ex.story)
    best = rep.thresholds.overall.best["f1"]
    assert "all on one side of the threshold" in story and "collapsed model" not in story
    assert f"The threshold is the cause, not the model (HC308)" in story
    assert f"at threshold {best.threshold:.4g} f1 is {best.value:.4f}" in story
    assert "balanced_accuracy" not in story  # measured at the same threshold: no judge here


def test_hc308_marks_its_cause_only_on_a_good_ranking():
    from headcheck.rules import Context
    from headcheck.task import DataFacts

    def facts(auc):
        return DataFacts(extra={"thresholds": {
            "current": 0.5, "metric": "f1", "at_current": 0.0, "best": 0.6, "best_threshold": 0.1,
            "positives": 100, "predicted_at_current": 0, "all_positive": 0.3, "roc_auc": auc}})

    rule = get_rule("HC308")
    assert [f.cause for f in rule.check(Context(data=facts(0.9)))] == ["threshold"]
    assert [f.cause for f in rule.check(Context(data=facts(0.6)))] == [None]
