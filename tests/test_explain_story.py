"""explain tells the whole story: findings first, baselines named as baselines, a tolerance that
fits tiny N, pasted log lines, what else an unmatched number may be; constant scores keep their
meaning."""
from __future__ import annotations

import numpy as np
import pytest

import headcheck
from headcheck.errors import InputError


@pytest.fixture
def stars():
    """A 1-to-5-star model collapsed onto 5 stars (51 % of the reviews)."""
    y = np.array([5] * 260 + [4] * 100 + [3] * 60 + [2] * 40 + [1] * 50)
    p = np.tile([0.1, 0.05, 0.1, 0.2, 0.55], (510, 1))
    return y, p


def test_majority_rate_is_said_first_with_the_findings(stars):
    y, p = stars
    ex = headcheck.explain(y, p, "0.5098", label_offset=1)
    assert ex.story and ex.story[0].startswith("0.5098 is the majority-class rate: the model predicts "
                                               "class 5 for every sample (HC307, HC402)")
    assert "balanced_accuracy = 0.2000" in ex.story[0]
    assert {f.code for f in ex.findings} >= {"HC402", "HC307"}
    text = ex.to_text()
    assert text.index("majority-class rate") < text.index("Definitions that give")
    assert "baseline.majority_class = 0.5098 [baseline: what a trivial predictor scores]" in text
    assert "baseline, DOES NOT FIT" not in text
    d = ex.to_dict()
    assert d["story"] == list(ex.story) and d["findings"][0]["code"] in ("HC307", "HC402")
    assert "majority-class rate" in ex.render("markdown") and "majority-class rate" in ex.render("html")


@pytest.mark.parametrize("given", ["0.5098", "val_accuracy: 0.5098", "0.4000"])
def test_a_collapsed_model_is_not_recommended_by_its_accuracy(stars, given):
    """The last line said "Recommended: accuracy = 0.5098": the number the collapsed model games.
    It names the metric the story names, and says why, whether or not the number matched."""
    y, p = stars
    ex = headcheck.explain(y, p, given, label_offset=1)
    r = ex.recommended
    assert (r.id, r.instead_of) == ("balanced_accuracy", "accuracy") and r.value == pytest.approx(0.2)
    assert r.why == ("accuracy = 0.5098 equals the majority-class rate and the model predicts class 5 for "
                     "every sample: the model has collapsed onto one class (HC307, HC402)")
    last = " ".join(ex.to_text().split("Recommended: ")[-1].split())
    assert last.startswith("balanced_accuracy = 0.2000") and "not accuracy: accuracy = 0.5098 equals the " \
        "majority-class rate and the model predicts class 5 for every sample" in last
    assert ex.to_dict()["recommended"] == {**r.to_dict(), "instead_of": "accuracy", "why": r.why}
    for fmt_ in ("markdown", "html"):
        assert "has collapsed onto one class" in ex.render(fmt_)


def test_a_model_at_the_majority_rate_that_has_not_collapsed_keeps_its_accuracy():
    # half right, spread over every class: HC307 (at the majority rate), no collapse
    ex = headcheck.explain(np.array([0, 1, 2, 2]), np.eye(3)[[0, 2, 2, 1]] * 0.7 + 0.1, 0.5)
    assert ex.recommended.id == "accuracy" and ex.recommended.instead_of is None
    assert "instead_of" not in ex.to_dict()["recommended"]


def test_tiny_n_tolerance_is_capped_and_ties_are_counted():
    ex = headcheck.explain(np.array([0, 1, 1]), np.array([0.2, 0.7, 0.4]), 0.6667)
    assert ex.tolerance == pytest.approx(0.01)
    assert len(ex.tied) >= 2 and any("cannot be told apart" in n for n in ex.notes)
    assert all(abs(m.value - 0.6667) <= 0.01 for m in ex.matches)


def test_digits_given_set_the_tolerance():
    y = np.array([0, 1] * 500)
    s = np.where(np.arange(1000) < 981, y, 1 - y) * 0.8 + 0.1  # accuracy 0.981
    assert "accuracy" in {m.id for m in headcheck.explain(y, s, "98%").matches}  # 0.975..0.985
    assert headcheck.explain(y, s, 0.98).matches == ()  # a float: +/-5e-4


@pytest.mark.parametrize("line,name", [
    ("accuracy: 0.9500", "accuracy"),
    ("val_acc 95.00%", "val_acc"),
    ("32/32 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - accuracy: 0.9912 - loss: 0.0712 - val_accuracy: 0.9500 "
     "- val_loss: 0.1234", "val_accuracy"),
    ("{'accuracy': 0.949999988079071, 'loss': 0.1234}", "accuracy"),  # evaluate(return_dict=True)
    ('{"val_accuracy": 0.95}', "val_accuracy"),
    ("Epoch 3: val_accuracy improved from 0.93000 to 0.95000, saving model to best.keras", "val_accuracy"),
    ("Epoch 4: val_accuracy did not improve from 0.95000", "val_accuracy"),
])
def test_pasted_log_lines(line, name):
    y = np.array([0, 1] * 100)
    s = np.where(np.arange(200) < 190, y, 1 - y) * 0.8 + 0.1  # accuracy 0.95
    ex = headcheck.explain(y, s, line)
    assert ex.reported == pytest.approx(0.95) and ex.matches and ex.name == name
    assert ex.recommended.id == "accuracy"
    if "val_loss" in line:
        assert "0.9912 match nothing here" in ex.notes[0] or "accuracy: 0.9912 match" in ex.notes[0]


def test_a_line_without_numbers_is_refused():
    with pytest.raises(InputError, match="log line"):
        headcheck.explain(np.array([0, 1]), np.array([0.2, 0.7]), "accuracy")


def test_nothing_matches_says_what_else_it_may_be():
    y = np.array([0, 1] * 50)
    ex = headcheck.explain(y, np.where(y == 1, 0.8, 0.3), "0.4321")
    assert not ex.matches and len(ex.nearest) == 5
    text = " ".join(ex.hints)
    assert "another split" in text and "epoch average" in text and "threshold" in text
    assert "It may be:" in ex.to_text() and ex.to_dict()["hints"] == list(ex.hints)
    val = headcheck.explain(y, np.where(y == 1, 0.8, 0.3), "val_accuracy: 0.4321")
    assert "epoch average" not in " ".join(val.hints)  # a validation metric is not a batch average


def test_single_unit_softmax_scores_keep_their_meaning():
    y = (np.arange(102) % 2 == 0).astype(int)
    ones = np.ones((102, 1), dtype=np.float32)
    rep = headcheck.report(y, ones)
    assert rep.task.score_kind == "probabilities" and rep.calibration is not None
    codes = [f.code for f in rep.findings]
    assert codes[0] == "HC103" and "exactly 1.0" in rep.findings[0].message
    assert any("constant output" in d for d in rep.task.decisions)
    # both values present: predicted labels, as before
    assert headcheck.report(y, y.astype(float)).task.score_kind == "hard"
