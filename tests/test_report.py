"""report(): plumbing from inputs through the engine to the JSON contract and the renderers."""
from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, balanced_accuracy_score

import headcheck
from headcheck.cli import main
from headcheck.report import report

rng = np.random.default_rng(0)


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def data(n=400, k=6, seed=0):
    r = np.random.default_rng(seed)
    y = r.integers(0, k, n)
    z = r.normal(size=(n, k))
    z[np.arange(n), y] += 1.2
    return y, softmax(z).astype(np.float32)


def test_json_contract_keys_and_types():
    y, p = data()
    d = json.loads(report(y, p).to_json())
    assert {"task", "metrics", "views", "baselines", "per_class", "findings"} <= set(d)
    assert d["task"]["kind"] == "multiclass" and d["task"]["n_classes"] == 6
    assert all(isinstance(v, (int, float)) for v in d["metrics"].values())
    for v in d["views"].values():
        assert set(v) >= {"value", "meaning", "fits_task"} and isinstance(v["fits_task"], bool)
    for b in d["baselines"].values():
        assert set(b) >= {"value", "meaning"}
    assert set(d["baselines"]) == {"majority_class", "uniform_chance", "prior_matching"}
    assert len(d["per_class"]) == 6 and isinstance(d["findings"], list)


def test_numbers_agree_with_sklearn_and_views_are_marked():
    y, p = data()
    rep = report(y, p)
    assert rep.metrics["accuracy"] == pytest.approx(accuracy_score(y, p.argmax(1)))
    assert rep.metrics["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(y, p.argmax(1)))
    assert rep.views["keras.binary_accuracy"].fits_task is False
    assert rep.views["keras.sparse_categorical_accuracy"].fits_task is True


def test_chunked_pass_equals_whole_and_input_untouched():
    y, p = data(n=1000)
    y0, p0 = y.copy(), p.copy()
    whole = report(y, p).to_dict()
    chunked = report(y, p, chunk_rows=97).to_dict()
    for key in ("metrics", "views", "baselines", "per_class"):
        assert json.dumps(whole[key], sort_keys=True) == json.dumps(chunked[key], sort_keys=True) or \
            _close(whole[key], chunked[key]), key
    assert np.array_equal(y, y0) and np.array_equal(p, p0)


def _close(a, b):
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_close(x, z) for x, z in zip(a, b))
    if isinstance(a, float):
        return a == pytest.approx(b, rel=1e-9, abs=1e-12)
    return a == b


def test_weights_change_the_numbers_like_sklearn():
    y, p = data()
    w = rng.uniform(0.1, 3, size=len(y))
    rep = report(y, p, sample_weight=w)
    assert rep.metrics["accuracy"] == pytest.approx(accuracy_score(y, p.argmax(1), sample_weight=w))


def test_logits_appearing_after_the_sample_are_detected():
    y, p = data(n=600)
    s = p.astype(np.float64) * 2 - 0.5  # values outside [0, 1]: logits
    s[:300] = p[:300]  # ... but the first rows look like probabilities
    rep = report(y, s, sample_rows=100, chunk_rows=64)
    assert rep.task.score_kind == "logits"
    assert any("after the first rows" in d for d in rep.task.decisions)


def test_string_labels_shown_with_their_mapping():
    y, p = data(n=200, k=3)
    names = np.array(["cat", "dog", "emu"])[y]
    rep = report(names, p)
    assert rep.task.classes == ("cat", "dog", "emu")
    text = rep.to_text()
    assert "'cat' -> 0" in text and "emu" in text
    assert [r["name"] for r in rep.per_class] == ["cat", "dog", "emu"]


def test_text_fits_80_columns_and_other_renderers():
    y, p = data(n=300, k=30)
    rep = report(y, p)
    text = rep.to_text(80)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "MISLEADING" in text and "keras.binary_accuracy" in text
    assert "(top 20 of 30 by support)" in text  # large K: only the top rows
    md = rep.to_markdown()
    assert "| metric | value | meaning |" in md and "keras.binary_accuracy" in md
    assert "<table>" in rep._repr_html_()


def test_rich_console_protocol():
    from rich.console import Console

    y, p = data(n=50, k=3)
    console = Console(width=80, record=True, file=open("/dev/null", "w"))
    console.print(report(y, p))
    assert "Metrics that fit the task" in console.export_text()


def test_single_sample_is_a_report_not_an_error():
    rep = report(np.array([2]), np.array([[0.1, 0.2, 0.7]]))
    assert rep.task.n_samples == 1 and rep.metrics["accuracy"] == 1.0


def test_public_api_lazy_names():
    y, p = data(n=50, k=3)
    assert isinstance(headcheck.report(y, p), headcheck.Report)


def test_cli_report_json_and_exit_code(tmp_path, capsys):
    y, p = data()
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "p.npy", p)
    assert main(["report", str(tmp_path / "y.npy"), str(tmp_path / "p.npy"), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    d = json.loads(out)
    assert d["metrics"]["accuracy"] == pytest.approx(accuracy_score(y, p.argmax(1)))
    assert err == ""  # no progress bar when stderr is not a terminal


def test_cli_report_csv_markdown(tmp_path, capsys):
    y, p = data(n=60, k=3)
    lines = ["label,a,b,c"] + [f"{t},{a},{b},{c}" for t, (a, b, c) in zip(y, p)]
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n")
    assert main(["report", str(tmp_path / "d.csv"), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# headcheck report") and "labels: column 'label'" in out


def test_plot_writes_png(tmp_path, capsys):
    y, p = data(n=100, k=4)
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "p.npy", p)
    png = tmp_path / "r.png"
    assert main(["report", str(tmp_path / "y.npy"), str(tmp_path / "p.npy"), "--plot", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_large_k_uses_top_confusions(tmp_path):
    y, p = data(n=300, k=40)
    path = report(y, p).plot(str(tmp_path / "k.png"))
    assert (tmp_path / "k.png").stat().st_size > 1000 and path.endswith("k.png")


def test_plot_without_matplotlib_is_an_input_error(monkeypatch, tmp_path):
    import builtins

    real = builtins.__import__

    def fake(name, *a, **k):
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real(name, *a, **k)

    y, p = data(n=30, k=3)
    rep = report(y, p)
    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(headcheck.InputError, match=r"pip install headcheck\[plot\]"):
        rep.plot(str(tmp_path / "x.png"))


def test_fail_on(tmp_path, capsys):
    from headcheck.commands.report import fail_code
    from headcheck.findings import Finding, Severity

    f = Finding("HC307", "x", Severity.WARNING, "m", "f", "u")
    assert fail_code([f], None) == 0
    assert fail_code([f], "warning") == 1
    assert fail_code([f], "error") == 0
    assert fail_code([], "info") == 0


def test_multilabel_report_agrees_with_sklearn():
    from sklearn.metrics import accuracy_score as acc, hamming_loss

    r = np.random.default_rng(3)
    y = (r.uniform(size=(300, 4)) < 0.3).astype(int)
    s = np.clip(y * 0.5 + r.uniform(size=(300, 4)) * 0.6, 0, 1)
    rep = report(y, s)
    assert rep.task.kind == "multilabel"
    assert rep.metrics["subset_accuracy"] == pytest.approx(acc(y, s > 0.5))
    assert rep.metrics["hamming_loss"] == pytest.approx(hamming_loss(y, s > 0.5))
    assert rep.views["keras.categorical_accuracy"].fits_task is False
    assert "per-label" in rep.to_text() or "per_label_accuracy" in rep.to_text()


def test_binary_two_columns_and_string_labels():
    r = np.random.default_rng(4)
    y = r.integers(0, 2, 200)
    p1 = np.clip(y * 0.4 + r.uniform(size=200) * 0.6, 0, 1)
    names = np.array(["ham", "spam"])[y]
    rep = report(names, np.stack([1 - p1, p1], axis=1))
    assert (rep.task.kind, rep.task.score_layout, rep.task.classes) == ("binary", "two-columns", ("ham", "spam"))
    assert rep.metrics["accuracy"] == pytest.approx(np.mean((p1 > 0.5) == y))


def test_hard_predictions_have_no_probability_metrics():
    y = np.array([0, 1, 2, 2, 1, 0])
    pred = np.array([0, 2, 2, 2, 1, 1])
    rep = report(y, pred)
    assert rep.task.score_kind == "hard" and rep.calibration is None
    assert "log_loss" not in rep.metrics and rep.metrics["accuracy"] == pytest.approx(4 / 6)


def test_hard_guess_corrected_when_later_rows_are_probabilities():
    y = np.zeros(400, dtype=int)
    y[::3] = 1
    s = (y == 1).astype(float)
    s[300:] = 0.3  # past the sample: not a hard 0/1 prediction any more
    rep = report(y, s, sample_rows=100, chunk_rows=50)
    assert rep.task.score_kind == "probabilities"
    assert any("values other than 0/1" in d for d in rep.task.decisions)


def test_findings_from_the_rule_catalogue_and_fail_on(tmp_path, capsys):
    r = np.random.default_rng(5)
    y = (r.uniform(size=500) < 0.05).astype(int)  # 95 % negatives
    s = r.uniform(size=500) * 0.4
    rep = report(y, s)
    codes = {f.code for f in rep.findings}
    assert "HC206" in codes
    d = rep.to_dict()
    assert all(set(f) >= {"code", "name", "severity", "message", "fix", "url"} for f in d["findings"])
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "s.npy", s)
    args = ["report", str(tmp_path / "y.npy"), str(tmp_path / "s.npy")]
    assert main(args) == 0
    assert main(args + ["--fail-on", "info"]) == 1
    capsys.readouterr()
