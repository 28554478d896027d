"""--plot: every task kind renders (no empty panel), and bad paths stop before any work (exit 2)."""
from __future__ import annotations

import numpy as np
import pytest

import headcheck
from headcheck.cli import main
from headcheck.errors import InputError

pytest.importorskip("matplotlib")


def data(kind: str):
    r = np.random.default_rng(0)
    if kind == "binary":
        y = r.integers(0, 2, 200)
        return y, np.clip(y * 0.6 + r.random(200) * 0.5, 0, 1), {}
    if kind == "multilabel":
        y = (r.random((200, 5)) < 0.3).astype(int)
        return y, r.random((200, 5)), {}
    if kind == "ordinal":
        y = r.integers(1, 6, 200)
        return y, y + r.normal(size=200), {"task": "ordinal"}
    y = r.integers(0, 30, 300)  # many classes: top confusions instead of a matrix
    return y, r.dirichlet(np.ones(30), 300), {}


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel", "ordinal"])
def test_each_task_kind_renders(kind, tmp_path):
    import matplotlib.image as mpimg

    y, s, kw = data(kind)
    rep = headcheck.report(y, s, **kw)
    out = rep.plot(str(tmp_path / f"{kind}.png"))
    img = mpimg.imread(out)
    assert img.shape[0] > 300 and img.shape[1] > 1000  # several panels side by side
    assert img.std() > 0.05  # something was drawn


def test_bad_plot_paths_exit_2_before_the_report(tmp_path, capsys):
    y, s, _ = data("binary")
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "s.npy", s)
    files = [str(tmp_path / "y.npy"), str(tmp_path / "s.npy")]
    for bad, said in ((str(tmp_path), "is a folder"), (str(tmp_path / "out.xyz"), "'.xyz'"),
                      (str(tmp_path / "out"), "no extension"),
                      (str(tmp_path / "missing" / "a.png"), "does not exist")):
        assert main(["report", *files, "--plot", bad]) == 2
        captured = capsys.readouterr()
        assert said in captured.err and captured.out == "" and "Traceback" not in captured.err
    assert not (tmp_path / f"{tmp_path.name}.png").exists()
    with pytest.raises(InputError, match="is a folder"):
        headcheck.report(y, s).plot(str(tmp_path))


def test_fifty_labels_predicting_nothing_has_no_empty_panel(tmp_path):
    """50 labels from scikit-learn's multilabel generator, per-label logistic regressions whose
    scores are scaled below 0.5 (nothing predicted at 0.5): the per-class bars would all be 0, so
    the panel is left out; the positives panel says why and names how many labels it shows, and
    the findings stack one a line under the views (PNG looked at by hand: nothing overlaps)."""
    import matplotlib
    from sklearn.datasets import make_multilabel_classification
    from sklearn.linear_model import LogisticRegression

    x, y = make_multilabel_classification(n_samples=1500, n_features=20, n_classes=50, n_labels=2,
                                          random_state=0)
    p = np.column_stack([LogisticRegression(max_iter=300).fit(x[:1000], y[:1000, j]).predict_proba(x[1000:])[:, 1]
                         if 0 < y[:1000, j].sum() < 1000 else np.zeros(500) for j in range(50)]) * 0.3
    rep = headcheck.report(y[1000:], p)
    assert rep.metrics["micro_f1"] == 0.0
    path = tmp_path / "ml.svg"
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        rep.plot(str(path))
    svg = path.read_text()
    assert "per class" not in svg and "are 0 for every" not in svg
    assert "positives per label: true vs predicted (largest 30)" in svg
    assert "no label is predicted positive at 0.5" in svg and "metrics across thresholds" in svg
    codes = [f"{f.code} {f.name}" for f in rep.findings]
    assert len(codes) >= 2 and "; ".join(codes[:2]) not in svg and all(c in svg for c in codes)


def test_threshold_panel_names_its_lines_in_a_legend_below_and_writes_0_5(tmp_path):
    """Breast-cancer logistic regression with its probabilities scaled below 0.5: the threshold
    in use and the best-F1 threshold are named in a legend under the axes (text inside the panel
    sat on the curves), and the logit axis writes 0.5, not matplotlib's fraction (PNG looked at
    by hand before and after)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from headcheck.plot import _thresholds

    x, y = load_breast_cancer(return_X_y=True)
    p = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(x, y).predict_proba(x)[:, 1]
    rep = headcheck.report(y, p * 0.1)
    best = rep.thresholds.overall.best["f1"]
    fig, ax = plt.subplots()
    try:
        _thresholds(ax, rep)
        fig.canvas.draw()
        assert len(ax.texts) == 0  # nothing written over the curves
        labels = ax.get_legend_handles_labels()[1]
        assert "threshold in use 0.5" in labels
        assert f"best F1 {best.value:.3f} at {best.threshold:.3g}" in labels
        legend = ax.get_legend().get_window_extent()
        assert legend.y1 <= ax.get_window_extent().y0  # below the axes, not on them
        ticks = [t.get_text() for t in ax.get_xticklabels() + ax.get_xticklabels(minor=True)]
        assert any("0.5" in t for t in ticks) and not any("frac" in t for t in ticks)
    finally:
        plt.close(fig)
    rep.plot(str(tmp_path / "thresholds.png"))  # the whole figure still renders
