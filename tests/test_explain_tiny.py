"""explain on tiny or balanced data (issue 11): tied classes are not 'the most frequent', a
recommended metric equal to the explained number is not offered as a different one, and the
tolerance is printed with two significant digits."""
from __future__ import annotations

import numpy as np

import headcheck
from headcheck.cli import main


def _tied_collapse(k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """k rows, one per class; the model scores class 0 highest everywhere."""
    y = np.arange(k)
    p = np.full((k, k), 0.1 / (k - 1))
    p[:, 0] = 0.9
    return y, p


def test_tied_classes_are_said_to_be_tied():
    y, p = _tied_collapse()
    rep = headcheck.report(y, p)
    meaning = rep.baselines["majority_class"].meaning
    assert "one class (all 3 classes are equally frequent)" in meaning and "most frequent" not in meaning
    hc307 = next(f for f in rep.findings if f.code == "HC307")
    assert "always predicting one class (all 3 classes are equally frequent)" in hc307.message


def test_partly_tied_and_untied_majority():
    rep = headcheck.report(np.array([0, 0, 1, 2, 2]), np.array([[.8, .1, .1]] * 5))
    assert "class '0' (tied with class '2' as the most frequent)" in rep.baselines["majority_class"].meaning
    rep = headcheck.report(np.array([0, 1, 1]), np.array([.7, .8, .9]))
    assert "always predicting class '1' (the most frequent)" in rep.baselines["majority_class"].meaning


def test_an_equal_honest_metric_is_not_recommended_as_a_different_number():
    y, p = _tied_collapse()
    ex = headcheck.explain(y, p, 1 / 3)
    story = " ".join(ex.story)
    assert "Judge the model by balanced_accuracy" not in story
    assert "balanced_accuracy, which a constant prediction cannot game, is 0.3333 as well" in story
    assert "chance level for 3 classes" in story
    # the recommendation stays the explained definition: swapping it for the same number says nothing
    assert ex.recommended.id == "accuracy" and ex.recommended.instead_of is None


def test_a_different_honest_metric_is_still_recommended():
    y = np.array([0] * 8 + [1] * 2 + [2] * 2)
    p = np.array([[.8, .1, .1]] * 12)
    ex = headcheck.explain(y, p, 8 / 12)
    assert "Judge the model by balanced_accuracy = 0.3333 instead" in " ".join(ex.story)


def test_tolerance_has_two_significant_digits(tmp_path, capsys):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 510)
    p = rng.uniform(size=510)
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "p.npy", p)
    acc = float(np.mean((p > 0.5) == y))
    assert main(["explain", str(tmp_path / "y.npy"), str(tmp_path / "p.npy"), "--reported", f"{acc:.4f}"]) == 0
    out = capsys.readouterr().out
    assert "+/-0.00098" in out and "0.0009804" not in out
