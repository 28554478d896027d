"""explain(): which definitions give a reported number, and the honest one to report."""
from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import accuracy_score

import headcheck
from headcheck.cli import main
from headcheck.errors import InputError
from headcheck._explain import explain, explain_report, parse_reported
from headcheck._report import report


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def data(n=500, k=10, seed=0, signal=2.5):
    r = np.random.default_rng(seed)
    y = r.integers(0, k, n)
    z = r.normal(size=(n, k))
    z[np.arange(n), y] += signal
    return y, softmax(z)


def test_inflated_binary_accuracy_is_found_and_the_honest_number_recommended():
    y, p = data()
    rep = report(y, p)
    inflated = rep.views["keras.binary_accuracy"].value
    ex = explain(y, p, reported=round(inflated, 4))
    ids = {m.id: m for m in ex.matches}
    assert "keras.binary_accuracy" in ids and ids["keras.binary_accuracy"].fits_task is False
    assert ex.recommended.id == "accuracy"
    assert ex.recommended.value == pytest.approx(accuracy_score(y, p.argmax(1)))


def test_percent_inputs():
    assert parse_reported("90%")[0][0] == pytest.approx(0.9)
    assert parse_reported(90)[0][0] == pytest.approx(0.9)
    assert parse_reported(0.9) == [(0.9, "")]
    with pytest.raises(InputError, match="expected a number"):
        parse_reported("ninety")
    y, p = data()
    acc = accuracy_score(y, p.argmax(1))
    ex = explain(y, p, reported=f"{acc * 100:.2f}%")
    assert "accuracy" in [m.id for m in ex.matches] and ex.notes and "as" in ex.notes[0]
    ex2 = explain(y, p, reported=round(acc * 100, 2))
    assert "accuracy" in [m.id for m in ex2.matches] and "percentage" in ex2.notes[0]


def test_default_tolerance_is_half_over_n_or_5e_4():
    y, p = data(n=100)
    ex = explain(y, p, reported=0.5)
    assert ex.tolerance == pytest.approx(0.005)
    y, p = data(n=5000)
    assert explain(y, p, reported=0.5).tolerance == pytest.approx(5e-4)


def test_nothing_matches_lists_nearest():
    y, p = data()
    ex = explain(y, p, reported=0.0123, tolerance=1e-6)
    assert ex.matches == () and len(ex.nearest) == 5
    d = ex.nearest[0].distance
    assert all(m.distance >= d for m in ex.nearest)
    text = ex.to_text()
    assert "No metric, view or baseline gives 0.0123" in text and "Nearest" in text
    assert ex.recommended.id == "accuracy"  # still says what to report


def test_baseline_match_is_shown_as_not_fitting():
    y = np.array([0] * 90 + [1] * 10 + [2] * 0)
    p = np.tile([0.8, 0.1, 0.1], (100, 1))
    ex = explain(y, p, reported=0.9)
    ids = [m.id for m in ex.matches]
    assert "baseline.majority_class" in ids and "accuracy" in ids
    assert {m.id: m.fits_task for m in ex.matches}["baseline.majority_class"] is False


def test_json_contract():
    y, p = data()
    rep = report(y, p)
    ex = explain_report(rep, rep.views["keras.binary_accuracy"].value)
    d = json.loads(ex.to_json())
    assert {"reported", "matches", "recommended"} <= set(d)
    assert all(set(m) == {"id", "value", "meaning", "fits_task"} for m in d["matches"])
    assert set(d["recommended"]) >= {"id", "value"}


def test_name_hint_guides_recommendation():
    y, p = data()
    rep = report(y, p)
    ex = explain_report(rep, rep.views["sklearn.balanced_accuracy_score"].value, name="balanced_accuracy_score")
    assert ex.recommended.id == "balanced_accuracy"


def test_public_functions_survive_importing_their_modules():
    # importing a submodule binds its name on the package; the public names must stay functions
    import headcheck._explain as mod
    import headcheck._report  # noqa: F401

    y, p = data(n=50, k=3)
    assert isinstance(headcheck.explain(y, p, 0.5), mod.Explanation)
    assert isinstance(headcheck.report(y, p), headcheck.Report)


def test_cli_explain_text_json_markdown(tmp_path, capsys):
    y, p = data()
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "p.npy", p)
    inflated = report(y, p).views["keras.binary_accuracy"].value
    args = ["explain", str(tmp_path / "y.npy"), str(tmp_path / "p.npy"), "--reported", f"{inflated:.4f}"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "keras.binary_accuracy" in out and "DOES NOT FIT" in out and "Recommended: accuracy" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert main(args + ["--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["recommended"]["id"] == "accuracy"
    assert main(args + ["--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("# headcheck explain")


def test_cli_explain_bad_reported(tmp_path, capsys):
    y, p = data(n=20, k=3)
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "p.npy", p)
    assert main(["explain", str(tmp_path / "y.npy"), str(tmp_path / "p.npy"), "--reported", "abc"]) == 2
    assert "expected a number" in capsys.readouterr().err


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=15, deadline=None)
@given(n=st.integers(5, 200), k=st.integers(2, 6), seed=st.integers(0, 10_000))
def test_every_view_value_is_explained_by_that_view(n, k, seed):
    y, p = data(n=n, k=k, seed=seed, signal=1.0)
    rep = report(y, p)
    for view_id, view in rep.views.items():
        ex = explain_report(rep, view.value)
        found = {m.id: m for m in ex.matches}
        assert view_id in found and found[view_id].fits_task == view.fits_task
        assert ex.recommended is not None and ex.recommended.id in rep.metrics


def test_cli_explain_help_shows_percent_signs_once(capsys):
    """argparse %-formats argument help but not a description without %(prog)s: '%%' would show."""
    with pytest.raises(SystemExit):
        main(["explain", "--help"])
    out = capsys.readouterr().out
    assert "%%" not in out and "(also 90 or 90%)" in out
