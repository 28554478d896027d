"""Hostile and odd-but-valid values (issue 12): huge label values, masked arrays, bytes labels,
zero and extreme weights, option validation, numpy warnings. Every test here failed on the main
of before these fixes (a traceback, a wrong number, a silent override or a warning on stderr)."""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, matthews_corrcoef, roc_auc_score

import headcheck
from headcheck.cli import main
from headcheck.errors import InputError

SRC = str(Path(__file__).resolve().parent.parent / "src")


def cli(capsys, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def clean_error(err: str, *fragments: str) -> None:
    assert "Traceback" not in err and "Warning" not in err, err
    assert err.count("\n") <= 1, err  # one paragraph
    for f in fragments:
        assert f in err, (f, err)


# --- 1. labels and predictions with huge values ------------------------------------------------
HUGE = {
    "int64-max": np.array([0, 2**63 - 1, 1, 2**63 - 1, 0, 1], dtype=np.int64),
    "uint64-max": np.array([0, 2**64 - 1, 1, 2**64 - 1, 0, 1], dtype=np.uint64),
    "1e12": np.array([0, 10**12, 1, 10**12, 0, 1], dtype=np.int64),
    "1e12-float": np.array([0, 1e12, 1, 1e12, 0, 1], dtype=np.float64),
}


@pytest.mark.parametrize("name", sorted(HUGE))
def test_huge_labels_with_predicted_labels_are_identifiers_counted_by_distinct_value(name):
    y = HUGE[name]
    pred = y.copy()
    pred[[0, 1]] = pred[[1, 0]] if y.dtype.kind != "f" else pred[[1, 0]]  # two mistakes
    if y.dtype.kind == "f":
        pred = pred.astype(np.int64)
    rep = headcheck.report(y, pred)
    assert rep.task.n_classes == 3  # the distinct values, not the largest value + 1
    assert any("class identifiers" in d for d in rep.task.decisions)
    assert rep.metrics["accuracy"] == pytest.approx(accuracy_score(y.astype(str), pred.astype(y.dtype).astype(str)))


def test_identifiers_near_2_63_that_floats_cannot_tell_apart_stay_distinct():
    y = np.array([2**63 - 1, 2**63 - 2, 0, 2**63 - 1], dtype=np.int64)
    rep = headcheck.report(y, y.copy())
    assert rep.task.n_classes == 3 and rep.metrics["accuracy"] == 1.0


def test_100_samples_with_labels_0_and_1e9_stay_within_a_small_memory_cap(tmp_path):
    """Before: the per-class counts were sized by the largest label (10**9 + 1 classes, killed at
    23.8 GB). Now the run fits a 1.5 GB address space."""
    y = np.array([0, 10**9] * 50)
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "p.npy", np.roll(y, 1))

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))

    r = subprocess.run([sys.executable, "-m", "headcheck", "report", str(tmp_path / "y.npy"),
                        str(tmp_path / "p.npy"), "--format", "json"], capture_output=True, text=True,
                       timeout=120, preexec_fn=cap, env={"PYTHONPATH": SRC, "OPENBLAS_NUM_THREADS": "1",
                                                         "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["task"]["n_classes"] == 2 and out["metrics"]["accuracy"] == 0.0
    assert "Warning" not in r.stderr


@pytest.mark.parametrize("name", sorted(HUGE))
def test_check_labels_with_huge_values_is_a_finding_not_an_overflow(tmp_path, capsys, name):
    np.save(tmp_path / "y.npy", HUGE[name])
    code, out, err = cli(capsys, "check", "--activation", "softmax", "--units", 10, "--loss",
                         "sparse_categorical_crossentropy", "--labels", tmp_path / "y.npy")
    assert code == 1 and err == "", err
    assert "HC203" in out and "give the last layer" not in out  # no "9223372036854775809 outputs"


def test_check_counts_the_distinct_values_of_huge_labels():
    from headcheck.gate import profile_labels

    profile, facts = profile_labels(np.array([0, 10**12, 10**12, 5]))
    assert facts.class_counts == (1.0, 1.0, 2.0) and profile.n_classes == 3
    assert facts.label_max == 1e12  # HC203 still sees the range


def test_more_distinct_identifiers_than_the_limit_is_an_input_error():
    from headcheck.gate.labels import MAX_LABEL_CLASSES

    y = np.arange(MAX_LABEL_CLASSES + 1, dtype=np.int64) * 1000
    with pytest.raises(InputError, match="at most 100,000 classes"):
        headcheck.report(y, y.copy())
    from headcheck.gate import profile_labels

    with pytest.raises(InputError, match="more than 100,000 distinct values"):
        profile_labels(y)


def test_huge_labels_with_a_score_matrix_are_out_of_range_without_absurd_advice(capsys, tmp_path):
    np.save(tmp_path / "y.npy", HUGE["int64-max"])
    np.save(tmp_path / "p.npy", np.full((6, 3), 1 / 3))
    code, _, err = cli(capsys, "report", tmp_path / "y.npy", tmp_path / "p.npy")
    assert code == 2
    clean_error(err, "HC203", "out of range")
    assert "outputs." not in err.split("Fix")[1].split("See")[0][-12:]  # no "give ... N outputs"


def test_ordinal_labels_spanning_more_classes_than_the_limit_are_an_input_error():
    with pytest.raises(InputError, match="ordinal labels up to 1,000,000,000,000"):
        headcheck.report(np.array([0, 10**12, 3]), np.array([0.2, 5.0, 2.9]), task="ordinal")


def test_ordinal_ratings_far_from_zero_still_work():  # the classes run from the smallest label
    y = np.array([10**12, 10**12 + 1, 10**12 + 2, 10**12 + 1])
    rep = headcheck.report(y, y.astype(np.float64) + 0.1, task="ordinal")
    assert rep.metrics["mae"] == 0.0


# --- 2. masked arrays and bytes labels -----------------------------------------------------------
def test_masked_rows_are_left_out_and_the_report_says_so():
    y = np.ma.masked_array([0, 1, 1, 0, 1, 0], mask=[0, 0, 0, 0, 1, 0])
    p = np.ma.masked_array([0.9, 0.8, 0.6, 0.3, 0.1, 0.2], mask=[1, 0, 0, 0, 0, 0])
    rep = headcheck.report(y, p)
    same = headcheck.report(np.array([1, 1, 0, 0]), np.array([0.8, 0.6, 0.3, 0.2]))
    assert rep.task.n_samples == 4 and rep.metrics == same.metrics
    assert any("2 row(s) with masked values" in n for n in rep.notes)
    assert "masked values" in rep.to_text() and "masked values" in rep.to_json()


def test_masked_weights_and_masked_labels_in_check():
    w = np.ma.masked_array([1.0, 2.0, 1.0], mask=[0, 0, 1])
    rep = headcheck.report(np.array([0, 1, 1]), np.array([0.2, 0.9, 0.1]), sample_weight=w)
    assert rep.metrics["accuracy"] == 1.0 and rep.task.n_samples == 2
    from headcheck.head import HeadSpec

    head = HeadSpec.declared(activation="softmax", units=3, loss="sparse_categorical_crossentropy")
    res = headcheck.check(head, np.ma.masked_array([0, 1, 7], mask=[0, 0, 1]))
    assert not any(f.code == "HC203" for f in res.findings)  # the masked 7 is not read
    assert any("masked values" in n for n in res.notes)


def test_bytes_labels_are_named_and_mapped_like_strings():
    y = np.array([b"cat", b"dog", b"cat", b"dog"])
    rep = headcheck.report(y, np.array([0.2, 0.7, 0.4, 0.9]))
    assert rep.task.classes == ("cat", "dog") and rep.metrics["accuracy"] == 1.0
    rep = headcheck.report(y, np.array([b"cat", b"dog", b"dog", b"bird"]))
    assert rep.task.classes == ("bird", "cat", "dog") and rep.metrics["accuracy"] == 0.5
    assert "b'" not in rep.to_text()


def test_bytes_labels_in_messages_show_the_text_not_its_repr():
    with pytest.raises(InputError) as e:
        headcheck.report(np.array([b"ant", b"bee", b"cat"]), np.array([0.2, 0.7, 0.4]))
    assert "'ant'" in str(e.value) and "b'" not in str(e.value)


# --- 3. weights at the extremes ---------------------------------------------------------------------
@pytest.fixture
def binary():
    r = np.random.default_rng(3)
    y = r.integers(0, 2, 200)
    return y, np.clip(y * 0.3 + r.random(200) * 0.7, 0, 1)


def test_all_zero_weights_give_undefined_metrics_and_a_finding(binary, capsys, tmp_path):
    y, p = binary
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy warning either
        rep = headcheck.report(y, p, sample_weight=np.zeros(len(y)))
    assert all(np.isnan(v) for v in rep.metrics.values())
    assert [f.code for f in rep.findings] == ["HC207"]
    data = json.loads(rep.to_json())
    assert data["metrics"]["accuracy"] is None and data["views"]["keras.binary_accuracy"]["value"] is None
    assert "n/a" in rep.to_text() and "0.0000" not in rep.to_text().split("Per class")[0]
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "p.npy", p)
    np.save(tmp_path / "w.npy", np.zeros(len(y)))
    code, out, err = cli(capsys, "report", tmp_path / "y.npy", tmp_path / "p.npy", "--weights", tmp_path / "w.npy")
    assert code == 0 and err == "" and "HC207" in out


@pytest.mark.parametrize("scale", [1e308, 1e300, 5e-324, 1e-310, 1e-30, 1e-15, 1e15])
def test_extreme_weights_give_the_metrics_of_the_same_weights_at_any_scale(binary, scale):
    y, p = binary
    w = np.random.default_rng(5).integers(1, 4, len(y)).astype(np.float64)  # 1, 2, 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rep = headcheck.report(y, p, sample_weight=w * (scale / 4 if scale > 1 else scale))
    ref = headcheck.report(y, p, sample_weight=w)
    assert rep.metrics.keys() == ref.metrics.keys()
    for k, v in ref.metrics.items():
        assert rep.metrics[k] == pytest.approx(v, rel=1e-9, abs=1e-12), k
    assert rep.metrics["mcc"] == pytest.approx(matthews_corrcoef(y, p > 0.5, sample_weight=w))
    assert rep.metrics["roc_auc"] == pytest.approx(roc_auc_score(y, p, sample_weight=w), abs=1e-3)
    scaled = [n for n in rep.notes if "weights were multiplied by 2**" in n]
    assert bool(scaled) == (scale not in (1e-15, 1e15))  # inside 2**-64..2**64: used as given


def test_extreme_weights_in_a_report_read_in_parts_are_refused(tmp_path, capsys):
    for i in range(2):
        np.savez(tmp_path / f"part-{i}.npz", y_true=np.array([0, 1, 1]), y_score=np.array([.2, .8, .6]),
                 sample_weight=np.full(3, 1e308))
    code, _, err = cli(capsys, "report", str(tmp_path / "part-*.npz"))
    assert code == 2
    clean_error(err, "weights", "2**64", "1e+308")


# --- 4. option validation, one place for the API and the command line ---------------------------
@pytest.fixture
def three():
    r = np.random.default_rng(1)
    p = r.dirichlet(np.ones(4), 50)
    return r.integers(0, 4, 50), p


def test_top_k_as_a_number_is_one_k(three):
    y, p = three
    assert "top_k_accuracy@2" in headcheck.report(y, p, top_k=2).metrics
    assert "top_k_accuracy@3" in headcheck.report(y, p, top_k=np.int64(3)).metrics


@pytest.mark.parametrize("top_k, fragment", [
    ("5", "got '5'"), ((2.5,), "got (2.5,)"), (True, "got True"), ([], "got []"),
    ((0,), "from 2 to 3"), ((-1,), "got -1"), ((4,), "got 4"), ((2, 9), "got 9"),
])
def test_bad_top_k_is_an_input_error(three, top_k, fragment):
    y, p = three
    with pytest.raises(InputError, match="top_k") as e:
        headcheck.report(y, p, top_k=top_k)
    assert fragment in str(e.value)


def test_top_k_that_cannot_be_computed_says_why(binary, three):
    with pytest.raises(InputError, match="multiclass metric; this task is binary"):
        headcheck.report(*binary, top_k=3)
    y, _ = three
    with pytest.raises(InputError, match="predicted labels rank nothing"):
        headcheck.report(y, np.roll(y, 1), top_k=2)


@pytest.mark.parametrize("value", ["0", "-1", "4", "7"])
def test_cli_top_k_out_of_range_is_exit_2(tmp_path, capsys, three, value):
    y, p = three
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "p.npy", p)
    code, out, err = cli(capsys, "report", tmp_path / "y.npy", tmp_path / "p.npy", "--top-k", value)
    assert code == 2 and out == ""
    clean_error(err, "headcheck report: error: ", "y.npy", "top_k: expected", "from 2 to 3")


@pytest.mark.parametrize("kwargs, fragment", [
    ({"score_kind": "weird"}, "score_kind: expected one of"),
    ({"score_kind": "regression"}, "task='ordinal'"),
    ({"threshold": "x"}, "threshold: expected a probability"),
    ({"threshold": 1.5}, "threshold: expected a probability"),
    ({"task": "regression"}, "task: expected one of"),
])
def test_bad_options_are_input_errors(binary, kwargs, fragment):
    with pytest.raises(InputError, match=fragment):
        headcheck.report(*binary, **kwargs)


def test_a_given_score_kind_the_scores_contradict_is_an_error_not_an_override(binary, tmp_path, capsys):
    y, p = binary
    with pytest.raises(InputError, match=r"'hard' \(given\) means predicted labels"):
        headcheck.report(y, p, score_kind="hard")
    with pytest.raises(InputError, match=r"'probabilities' \(given\) means probabilities in \[0, 1\]"):
        headcheck.report(y, p * 10 - 5, score_kind="probabilities")
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "p.npy", p)
    code, out, err = cli(capsys, "report", tmp_path / "y.npy", tmp_path / "p.npy", "--score-kind", "hard")
    assert code == 2 and out == ""
    clean_error(err, "(given)")
    assert "after the first rows" not in err  # the old note said the values appeared later


def test_a_given_score_kind_contradicted_after_the_first_rows_is_an_error(binary):
    y, p = binary
    hard = (p > 0.5).astype(np.float64)
    hard[150] = 0.7
    with pytest.raises(InputError, match=r"'hard' \(given\).*after the first rows"):
        headcheck.report(y, hard, score_kind="hard", sample_rows=100)
    logits = p.copy()
    logits[150] = 4.0
    with pytest.raises(InputError, match=r"'probabilities' \(given\).*after the first rows"):
        headcheck.report(y, logits, score_kind="probabilities", sample_rows=100)
    # not given: still corrected, and said
    assert headcheck.report(y, logits, sample_rows=100).task.score_kind == "logits"


def test_a_given_score_kind_that_fits_is_kept(binary):
    y, p = binary
    rep = headcheck.report(y, (p > 0.5).astype(float), score_kind="hard")
    assert rep.task.score_kind == "hard" and rep.task.score_kind_given
    assert headcheck.report(y, p, score_kind="logits").task.score_kind == "logits"


# --- 5. numpy warnings never reach stderr ------------------------------------------------------
EXTREME_SCORES = {
    "binary-logits": (np.array([0, 1, 1, 0]), np.array([-1e308, 1e308, 800.0, -800.0])),
    "two-logit-columns": (np.array([0, 1, 1, 0]), np.array([[1e308, -1e308], [-1e308, 1e308], [0, 1], [3, 2]])),
    "multiclass-logits": (np.array([0, 2, 1]), np.array([[1e308, -1e308, 0], [-1e308, 0, 1e308], [0, 900, -900]])),
    "float32-logits": (np.array([0, 1, 2]), np.array([[3e38, -3e38, 0], [0, 3e38, -3e38], [1, 2, 3]], np.float32)),
    "ordinal-cumulative": (np.array([0, 2, 1]), np.array([[1e308, -1e308], [-1e308, 1e308], [1, -1]])),
}


@pytest.mark.parametrize("name", sorted(EXTREME_SCORES))
def test_extreme_finite_scores_give_no_numpy_warning(tmp_path, capsys, name):
    y, s = EXTREME_SCORES[name]
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "s.npy", s)
    args = ["--task", "ordinal"] if name.startswith("ordinal") else []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code, out, err = cli(capsys, "report", tmp_path / "y.npy", tmp_path / "s.npy", *args)
        assert code == 0 and err == "", err
        code, out, err = cli(capsys, "explain", tmp_path / "y.npy", tmp_path / "s.npy", "--reported", "0.5", *args)
        assert code == 0 and err == "", err


def test_one_hot_predictions_in_two_columns_do_not_crash_the_keras_view():
    """Found by the fuzz suite: hard (N, 2) predictions asked the Keras view for a count kept only
    for probabilities (KeyError)."""
    rep = headcheck.report(np.array([0, 1, 1]), np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]))
    assert rep.views["keras.binary_accuracy"].value == pytest.approx(2 / 3)


def test_mcc_with_all_weight_in_one_class_is_zero_without_warning():
    """Found by the fuzz suite: rounding left a covariance at -1e-16 (sqrt of a negative)."""
    y = np.array([1, 2, 0, 2, 2])
    w = np.array([1e308, 1e300, 1e10, 7e2, 7e2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rep = headcheck.report(y, np.zeros((5, 3), np.float32), sample_weight=w)
    assert rep.metrics["mcc"] == 0.0


# --- messages about data read from files name the file --------------------------------------------
def test_errors_about_data_from_files_name_the_file(tmp_path, capsys):
    np.save(tmp_path / "y.npy", np.array([0.0, np.nan, 1.0]))
    np.save(tmp_path / "good.npy", np.array([0, 1, 1]))
    np.save(tmp_path / "p.npy", np.array([0.2, 0.5, 0.7]))
    np.save(tmp_path / "pnan.npy", np.array([0.2, np.nan, 0.7]))
    np.save(tmp_path / "w.npy", np.array([1.0, -1.0, 1.0]))
    code, _, err = cli(capsys, "report", tmp_path / "y.npy", tmp_path / "p.npy")
    assert code == 2 and f"error: {tmp_path / 'y.npy'}: labels: expected finite" in err
    code, _, err = cli(capsys, "report", tmp_path / "good.npy", tmp_path / "pnan.npy")
    assert code == 2 and f"error: {tmp_path / 'pnan.npy'}: scores: expected finite" in err
    code, _, err = cli(capsys, "report", tmp_path / "good.npy", tmp_path / "p.npy", "--weights", tmp_path / "w.npy")
    assert code == 2 and f"error: {tmp_path / 'w.npy'}: weights:" in err
    code, _, err = cli(capsys, "check", "--activation", "softmax", "--labels", tmp_path / "y.npy")
    assert code == 2 and f"error: {tmp_path / 'y.npy'}: labels: expected finite" in err
    code, _, err = cli(capsys, "explain", tmp_path / "good.npy", tmp_path / "pnan.npy", "--reported", "0.5")
    assert code == 2 and f"{tmp_path / 'pnan.npy'}: scores:" in err


def test_compare_with_saturated_logits_gives_no_numpy_warning():
    """The fuzz suite found it: a model whose logits are -3e231 (exp overflows to inf: sigmoid 0,
    the right value) printed numpy's overflow warning from DeLong's second pass."""
    y = np.array([1, 1, 1, 0, 0])
    a = np.array([0.02, 0.81, 0.91, 0.61, 0.73])
    b = np.array([-3e231, -3e231, 5e230, -3e231, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cmp = headcheck.compare(y, {"a": a, "b": b}, replicates=20)
    auc = cmp.to_dict()["models"]["b"]["metrics"]["roc_auc"]["value"]
    assert auc == pytest.approx(roc_auc_score(y, b), abs=1e-3)  # saturated, still ranked right


@pytest.mark.parametrize("command", ["check", "report"])
@pytest.mark.parametrize("y", [np.array([1.3e38]), np.array([1, 2**64 - 1], dtype=np.uint64),
                               np.array([1, -(2**63)], dtype=np.int64)], ids=["1e38", "uint64", "int64-min"])
def test_a_label_offset_on_labels_past_int64_is_an_input_error(tmp_path, capsys, command, y):
    """The fuzz suite found it: `check --label-offset 1` on a float label of 1.3e38 cast it to an
    undefined integer (numpy's 'invalid value encountered in cast') and reported no finding."""
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "p.npy", np.full((len(y), 2), 0.5))
    argv = (["check", "--activation", "softmax", "--label-offset", "1", "--labels", tmp_path / "y.npy"]
            if command == "check" else
            ["report", tmp_path / "y.npy", tmp_path / "p.npy", "--label-offset", "1"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code, out, err = cli(capsys, *argv)
    assert code == 2 and out == ""
    clean_error(err, "y.npy", "fit in a 64-bit integer", "--label-offset 1")


def test_no_label_offset_is_suggested_past_int64(tmp_path, capsys):
    """A label of 1.3e38 is out of range; the hint 'tell headcheck --label-offset 13...' (39
    digits, which no offset can be) is left out."""
    np.save(tmp_path / "y.npy", np.array([1.3e38, 1.3e38]))
    np.save(tmp_path / "p.npy", np.full((2, 2), 0.5))
    code, _, err = cli(capsys, "report", tmp_path / "y.npy", tmp_path / "p.npy")
    assert code == 2
    clean_error(err, "HC203", "out of range")
    assert "--label-offset" not in err
