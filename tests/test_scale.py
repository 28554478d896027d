"""Wide outputs and the cheap pass: sampling by bytes, 10^6 classes, the AUC sketch, --no-auc."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import headcheck
from headcheck.gate import infer_task
from headcheck.gate.labels import SAMPLE_BYTES, sample_rows_for


def test_inference_samples_a_byte_budget_not_a_row_count():
    assert sample_rows_for(np.zeros((5, 100), np.float32)) == 65_536
    rows = sample_rows_for(np.zeros((5, 100_000), np.float32))
    assert rows * 100_000 * 4 <= SAMPLE_BYTES and rows >= 8
    # (N, K) labels count too
    assert sample_rows_for(np.zeros((5, 1000), np.float32), np.zeros((5, 1000), np.float64)) == \
        SAMPLE_BYTES // 12_000


def test_scores_that_leave_the_unit_interval_after_the_byte_sample_are_read_as_logits():
    r = np.random.default_rng(0)
    k = 50_000
    rows = sample_rows_for(np.zeros((1, k), np.float32))
    n = rows + 4
    y = r.integers(0, k, n)
    s = np.full((n, k), 1.0 / k, np.float32)
    s[-1, 0] = 3.0  # after the sample
    assert infer_task(y, s).score_kind == "probabilities"
    assert headcheck.report(y, s).task.score_kind == "logits"


def test_a_million_classes():
    from sklearn import metrics as m

    r = np.random.default_rng(1)
    n, k = 24, 1_000_000
    y = r.integers(0, k, n)
    y[:4] = 7  # one class with support 4: the largest
    s = np.full((n, k), 0.5 / (k - 1), np.float32)
    hit = r.random(n) < 0.6
    guess = np.where(hit, y, r.integers(0, k, n))
    s[np.arange(n), guess] = 0.5
    s[np.arange(n), y] += 0.1  # rows no longer sum to 1 exactly: still probabilities within 1e-3
    rep = headcheck.report(y, s)
    pred = s.argmax(axis=1)
    assert rep.metrics["accuracy"] == pytest.approx(m.accuracy_score(y, pred))
    assert rep.metrics["macro_f1"] == pytest.approx(m.f1_score(y, pred, average="macro"))
    assert rep.metrics["weighted_f1"] == pytest.approx(m.f1_score(y, pred, average="weighted"))
    assert rep.metrics["top_k_accuracy@5"] == pytest.approx(
        m.top_k_accuracy_score(y, s, k=5, labels=np.arange(k)))
    eps = np.finfo(np.float32).eps
    ll = -np.log(np.clip(s[np.arange(n), y].astype(np.float64), eps, 1 - eps)).mean()
    assert rep.metrics["log_loss"] == pytest.approx(ll, rel=1e-6)
    assert len(rep.per_class) == 1000 and rep.per_class[0]["class"] <= 7
    assert max(r["support"] for r in rep.per_class) == 4
    assert any("1,000 largest of 1,000,000 classes" in x for x in rep.notes)
    wrong = [(int(t), int(p)) for t, p in zip(y, pred) if t != p]
    assert {(t, p) for t, p, _ in rep.confusions} == set(wrong)
    assert "roc_auc" in rep.metrics and any("sketch" in x for x in rep.notes)


def test_the_auc_sketch_of_wide_outputs_is_within_its_stated_bound():
    from sklearn.metrics import roc_auc_score
    from sklearn.preprocessing import label_binarize

    r = np.random.default_rng(2)
    n, k = 3000, 5000
    y = r.integers(0, 40, n)  # 40 classes present among 5,000 columns
    z = r.normal(size=(n, k)).astype(np.float32)
    z[np.arange(n), y] += 3
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    rep = headcheck.report(y, p)
    present = np.unique(y)
    exact = roc_auc_score(label_binarize(y, classes=present), p[:, present], average="macro")
    note = next(x for x in rep.notes if "AUC is within" in x)
    bound = float(note.split("AUC is within ")[1].split(" ")[0])
    assert abs(rep.metrics["roc_auc"] - exact) <= bound + 1e-12


def test_no_auc_skips_the_rank_metrics_and_nothing_else():
    r = np.random.default_rng(3)
    y = r.integers(0, 4, 500)
    p = r.dirichlet(np.ones(4), 500)
    full, cheap = headcheck.report(y, p), headcheck.report(y, p, auc=False)
    assert {"roc_auc", "average_precision"} <= set(full.metrics)
    assert set(full.metrics) - set(cheap.metrics) == {"roc_auc", "average_precision"}
    assert all(cheap.metrics[k] == full.metrics[k] for k in cheap.metrics)
    assert any("skipped" in x for x in cheap.notes)


def test_cli_no_auc(tmp_path):
    r = np.random.default_rng(4)
    np.save(tmp_path / "y.npy", r.integers(0, 2, 200))
    np.save(tmp_path / "p.npy", r.random(200))
    out = subprocess.run([sys.executable, "-m", "headcheck", "report", "--format", "json",
                          "--no-auc", str(tmp_path / "y.npy"), str(tmp_path / "p.npy")],
                         capture_output=True, text=True, check=True)
    metrics = json.loads(out.stdout)["metrics"]
    assert "accuracy" in metrics and "roc_auc" not in metrics
