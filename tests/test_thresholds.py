"""Thresholds: the metrics across thresholds from the score histograms, against scikit-learn.

At each candidate threshold (a histogram bin boundary, `_common.key_edges`) the counts must equal
scikit-learn's exactly: rows with p >= t are positive on the low side (t <= 0.5), p > t on the
high side (the bins there are left-open, see `key_edges`). The best threshold is the best
boundary: F1 there is within 2 m / P of scikit-learn's best F1 over every threshold
(`precision_recall_curve`), where m is the largest number of rows in one bin and P the
positives (moving the threshold inside one bin changes tp + fp by at most m); Youden's J within
m_pos / P + m_neg / N of the best of `roc_curve`.
"""
from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

import headcheck
from headcheck.engine import _common as C
from headcheck.engine import new_state
from headcheck.engine.thresholds import curve_from_hist
from headcheck.task import TaskProfile


def binary_state(y, p, kind="probabilities", w=None, threshold=0.5):
    s = new_state(TaskProfile("binary", 2, "integer", kind, "column", threshold=threshold))
    s.update(y, p, w)
    return s


def predicted(p, t, shift):
    """Positive decisions at boundary threshold t as the histogram draws them."""
    mid = (C.n_auc_bins(shift) - 1) // 2
    return p > t if t > C.key_edges(shift)[mid] else p >= t


def data(seed, n=3000, rate=0.2, ties=False):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < rate).astype(int)
    z = rng.normal(size=n) + 1.3 * y - 0.5
    if ties:
        z = np.round(z, 1)
    return y, (1 / (1 + np.exp(-z))).astype(np.float32)


@pytest.mark.parametrize("seed,ties", [(0, False), (1, True), (2, False)])
def test_binary_curve_counts_equal_sklearn_at_every_boundary(seed, ties):
    y, p = data(seed, ties=ties)
    state = binary_state(y, p)
    shift = state.shift
    st = state.stats
    curve = curve_from_hist(st["auc_pos"], st["auc_all"] - st["auc_pos"], C.key_edges(shift))
    rng = np.random.default_rng(seed)
    for i in rng.choice(len(curve.threshold), 60, replace=False):
        t = curve.threshold[i]
        pred = predicted(p, t, shift) if t < 1.0 else np.zeros(len(p), bool)
        tn, fp, fn, tp = skm.confusion_matrix(y, pred, labels=[0, 1]).ravel()
        assert (curve.tp[i], curve.fp[i]) == (tp, fp), t
        assert curve.metric("f1")[i] == pytest.approx(skm.f1_score(y, pred, zero_division=0))
        assert curve.metric("balanced_accuracy")[i] == pytest.approx(
            skm.balanced_accuracy_score(y, pred))


@pytest.mark.parametrize("seed", [0, 3, 4])
def test_best_thresholds_within_one_bin_of_sklearn(seed):
    y, p = data(seed, rate=0.1)
    rep = headcheck.report(y, p)
    th = rep.thresholds.overall
    state = binary_state(y, p)
    pos, allw = state.stats["auc_pos"], state.stats["auc_all"]
    m, m_pos, m_neg = allw.max(), pos.max(), (allw - pos).max()
    P, N = y.sum(), len(y) - y.sum()
    prec, rec, _ = skm.precision_recall_curve(y, p)
    f1_best = np.max(2 * prec * rec / np.maximum(prec + rec, 1e-300))
    assert th.best["f1"].value <= f1_best + 1e-12
    assert th.best["f1"].value >= f1_best - 2 * m / P
    fpr, tpr, _ = skm.roc_curve(y, p)
    assert th.best["youden_j"].value <= np.max(tpr - fpr) + 1e-12
    assert th.best["youden_j"].value >= np.max(tpr - fpr) - m_pos / P - m_neg / N
    # balanced accuracy and Youden's J peak together; the value at the best threshold is real
    assert th.best["balanced_accuracy"].threshold == th.best["youden_j"].threshold
    t = th.best["f1"].threshold
    assert th.best["f1"].value == pytest.approx(skm.f1_score(y, predicted(p, t, state.shift)))
    # at the threshold in use the numbers are the exact ones (strict > 0.5, as the report)
    assert th.at_current["f1"] == pytest.approx(skm.f1_score(y, p > 0.5))
    assert th.at_current["balanced_accuracy"] == pytest.approx(rep.metrics["balanced_accuracy"])


def test_logits_are_thresholded_as_probabilities():
    y, p = data(5)
    z = np.log(p.astype(np.float64)) - np.log1p(-p.astype(np.float64))
    a = headcheck.report(y, p).thresholds.overall
    b = headcheck.report(y, z, score_kind="logits").thresholds.overall
    assert b.at_current == pytest.approx(a.at_current)
    assert b.best["f1"].value == pytest.approx(a.best["f1"].value, abs=2e-3)
    assert b.best["f1"].threshold == pytest.approx(a.best["f1"].threshold, rel=0.02)


def test_declared_threshold_is_the_one_in_use_and_weights_count():
    y, p = data(6)
    w = np.random.default_rng(6).uniform(0.2, 3.0, len(y))
    th = headcheck.report(y, p, threshold=0.3, sample_weight=w).thresholds
    assert th.current == 0.3
    assert th.overall.at_current["f1"] == pytest.approx(skm.f1_score(y, p > 0.3, sample_weight=w))
    t = th.overall.best["f1"].threshold
    assert th.overall.best["f1"].value == pytest.approx(
        skm.f1_score(y, predicted(p, t, binary_state(y, p).shift), sample_weight=w))


def test_multilabel_pooled_and_per_label_against_sklearn():
    rng = np.random.default_rng(7)
    n, L = 2500, 6
    y = (rng.random((n, L)) < rng.uniform(0.03, 0.3, L)).astype(int)
    p = (1 / (1 + np.exp(-(rng.normal(size=(n, L)) + 1.5 * y - 2.5)))).astype(np.float32)
    rep = headcheck.report(y, p)
    th = rep.thresholds
    shift = C.auc_shift(L)
    assert th.overall.at_current["f1"] == pytest.approx(rep.metrics["micro_f1"])
    t = th.overall.best["f1"].threshold
    pred = predicted(p, t, shift)
    assert th.overall.best["f1"].value == pytest.approx(skm.f1_score(y, pred, average="micro"))
    for j, s in enumerate(th.per_label):
        assert s.at_current["f1"] == pytest.approx(skm.f1_score(y[:, j], p[:, j] > 0.5, zero_division=0))
        tj = s.best["f1"].threshold
        assert s.best["f1"].value == pytest.approx(skm.f1_score(y[:, j], predicted(p[:, j], tj, shift)))
        prec, rec, _ = skm.precision_recall_curve(y[:, j], p[:, j])
        assert s.best["f1"].value <= np.max(2 * prec * rec / np.maximum(prec + rec, 1e-300)) + 1e-12
    assert th.macro_f1_at_best == pytest.approx(np.mean([s.best["f1"].value for s in th.per_label]))


def test_hard_and_multiclass_scores_have_no_threshold_analysis():
    y, p = data(8)
    assert headcheck.report(y, (p > 0.5).astype(int)).thresholds is None
    yc = np.array([0, 1, 2, 1])
    pc = np.array([[.7, .2, .1], [.1, .8, .1], [.2, .2, .6], [.3, .4, .3]])
    assert headcheck.report(yc, pc).thresholds is None


def test_threshold_section_in_every_format():
    y, p = data(9, rate=0.05)
    rep = headcheck.report(y, p)
    d = rep.to_dict()
    assert set(d["thresholds"]) >= {"current", "overall", "curve", "resolution"}
    assert set(d["thresholds"]["overall"]["best"]) == {"f1", "balanced_accuracy", "youden_j"}
    assert len(d["thresholds"]["curve"]["threshold"]) <= 256
    text = rep.to_text()
    assert "Decision threshold (in use: 0.5)" in text and "best threshold" in text
    assert "| metric | at 0.5 | best threshold | at best |" in rep.to_markdown()
    assert "Decision threshold" in rep.render("html")


@pytest.fixture(scope="module")
def rare_label_model():
    """A real training: scikit-learn's digits as 10 labels (a sigmoid per digit, trained with
    BCEWithLogitsLoss for one epoch, as a multi-label model is): each label is 10 % positive, so
    the scores stay below 0.5. Held-out rows are reported."""
    torch = pytest.importorskip("torch")
    from sklearn.datasets import load_digits

    x, digit = load_digits(return_X_y=True)
    x = torch.tensor(x / 16.0, dtype=torch.float32)
    y = np.eye(10, dtype=np.float32)[digit]
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, 16), torch.nn.ReLU(), torch.nn.Linear(16, 10))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss = torch.nn.BCEWithLogitsLoss()
    train, held = slice(0, 1200), slice(1200, None)
    yt = torch.tensor(y[train])
    for i in range(0, 1200, 64):
        opt.zero_grad()
        loss(model(x[train][i:i + 64]), yt[i:i + 64]).backward()
        opt.step()
    with torch.no_grad():
        probs = torch.sigmoid(model(x[held])).numpy()
    return y[held].astype(int), probs


def test_seed_case_multilabel_model_predicting_nothing_at_half(rare_label_model):
    y, p = rare_label_model
    assert (p > 0.5).sum() == 0  # the training reproduces the case: nothing reaches 0.5
    rep = headcheck.report(y, p, task="multilabel")
    th = rep.thresholds
    assert rep.metrics["micro_f1"] == 0.0 and th.overall.predicted_at_current == 0
    best = th.overall.best["f1"]
    assert best.threshold < 0.5 and best.value > 0.1
    assert best.value == pytest.approx(skm.f1_score(y, predicted(p, best.threshold, C.auc_shift(10)),
                                                    average="micro"))
    found = [f for f in rep.findings if f.code == "HC308"]
    assert found and "predicts no positive label at all (micro_f1 0.0000)" in found[0].message
    assert f"{best.value:.4f}" in found[0].message


def test_plot_has_a_threshold_panel(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from headcheck.plot import _thresholds

    y, p = data(10, rate=0.1)
    rep = headcheck.report(y, p)
    fig, ax = plt.subplots()
    try:
        _thresholds(ax, rep)
        labels = [line.get_label() for line in ax.get_lines()]
        assert {"precision", "recall", "f1", "balanced_accuracy"} <= set(labels)
        assert ax.get_xscale() == "logit" and ax.get_xlabel() == "threshold"
    finally:
        plt.close(fig)
    assert (tmp_path / "r.png").exists() is False
    rep.plot(str(tmp_path / "r.png"))
    assert (tmp_path / "r.png").stat().st_size > 10_000
