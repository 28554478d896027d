"""headcheck demo: fast, deterministic, readable at 80 columns, and telling the three stories."""
from __future__ import annotations

import pytest

from headcheck.cli import main
from headcheck.demo import digits_multiclass, imbalanced_binary, multilabel, render_scenario, run_demo
from headcheck.errors import InputError
from headcheck.report import report


@pytest.fixture(scope="module")
def demo_text():
    return run_demo(), None


def test_demo_is_readable_at_80_columns(demo_text):
    text, _ = demo_text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_demo_tells_the_stories(demo_text):
    text, _ = demo_text
    sections = text.split("=" * 80)
    digits, ml, binary = sections[2], sections[4], sections[6]
    assert "keras.binary_accuracy" in digits and "MISLEADING" in digits
    assert "report instead: accuracy" in digits
    assert "keras.categorical_accuracy" in ml and "report instead: subset_accuracy" in ml
    assert "logits" in binary and "HC206" in binary


def test_demo_numbers_come_from_the_models():
    from sklearn.metrics import accuracy_score

    sc = digits_multiclass()
    rep = report(sc.y_true, sc.y_score)
    assert rep.metrics["accuracy"] == pytest.approx(accuracy_score(sc.y_true, sc.y_score.argmax(1)))
    assert rep.views["keras.binary_accuracy"].value > rep.metrics["accuracy"]
    assert rep.views["keras.binary_accuracy"].fits_task is False
    b = imbalanced_binary()
    assert report(b.y_true, b.y_score).task.score_kind == "logits"


def test_demo_is_deterministic(demo_text):
    ml = render_scenario(multilabel())
    assert ml in demo_text[0]  # a second run renders the same text


def test_demo_cli(capsys):
    assert main(["demo"]) == 0
    assert "headcheck demo" in capsys.readouterr().out


def test_demo_without_sklearn(monkeypatch):
    import builtins

    real = builtins.__import__

    def fake(name, *a, **k):
        if name.startswith("sklearn"):
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(InputError, match=r"pip install headcheck\[sklearn\]"):
        run_demo()
