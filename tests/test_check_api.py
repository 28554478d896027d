"""headcheck.check() from Python, label profiling, and the data rules the report runs without a head."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import headcheck
from headcheck._check import CheckResult, check, profile_labels
from headcheck.errors import InputError
from headcheck.head import HeadSpec
from headcheck.rules import Context, run_rules
from headcheck.task import DataFacts, TaskProfile

SRC = str(Path(__file__).resolve().parents[1] / "src")


def test_public_check() -> None:
    head = HeadSpec.declared(activation="softmax", units=3, loss="categorical_crossentropy",
                             metrics=["accuracy"], framework="keras==3.6")
    res = headcheck.check(head, np.eye(3)[[0, 1, 2, 1]])
    assert isinstance(res, CheckResult)
    assert res.findings == () and res.exit_code == 0
    assert res.context.task is not None and res.context.task.kind == "multiclass"


@pytest.mark.parametrize(
    "y, kind, encoding, n_classes, counts",
    [
        (np.array([0, 1, 1, 0]), "binary", "integer", 2, (2, 2)),
        (np.array([True, False, True]), "binary", "boolean", 2, (1, 2)),  # as report() says
        (np.array([0, 2, 2, 1, 4]), "multiclass", "integer", 5, (1, 1, 2, 0, 1)),
        (np.array([[0], [3], [1]]), "multiclass", "integer", 4, (1, 1, 0, 1)),
        (np.eye(4)[[0, 1, 3]], "multiclass", "one-hot", 4, (1, 1, 0, 1)),
        (np.eye(2)[[0, 1, 1]], "binary", "one-hot", 2, (1, 2)),
        (np.array([[1, 1, 0], [0, 0, 1]]), "multilabel", "multi-hot", 3, (1, 1, 1)),
        (np.array([0.2, 0.9, 1.0]), "binary", "soft", 2, pytest.approx((0.9, 2.1))),
    ],
)
def test_profile_labels(y: np.ndarray, kind: str, encoding: str, n_classes: int, counts: tuple) -> None:
    profile, facts = profile_labels(y)
    assert (profile.kind, profile.label_encoding, profile.n_classes) == (kind, encoding, n_classes)
    assert profile.class_counts == counts and facts.class_counts == counts
    assert facts.n_samples == len(y)


def test_class_names() -> None:
    profile, facts = profile_labels(np.array(["dog", "cat", "dog", "bird"]))
    assert (profile.kind, profile.label_encoding, profile.classes) == ("multiclass", "string", ("bird", "cat", "dog"))
    assert facts.class_counts == (1, 1, 2) and facts.label_min is None
    res = check(HeadSpec.declared(activation="softmax", units=3, loss="sparse_categorical_crossentropy",
                                 metrics=["accuracy"]),
                np.array(["dog"] * 9 + ["cat"]))
    assert [f.code for f in res.findings] == ["HC110", "HC206"]  # 3 outputs for 2 classes; 90 % dogs


def test_units_widen_the_class_counts() -> None:
    profile, facts = profile_labels(np.array([0, 1, 2]), units=5)
    assert facts.class_counts == (1, 1, 1, 0, 0)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=1, max_size=50))
def test_counts_match_numpy(values: list[int]) -> None:
    y = np.array(values)
    _, facts = profile_labels(y)
    uniq, cnt = np.unique(y, return_counts=True)
    dense = dict(zip(uniq.tolist(), cnt.tolist()))
    assert [facts.class_counts[i] for i in range(len(facts.class_counts))] == [
        dense.get(i, 0) for i in range(len(facts.class_counts))]
    assert (facts.label_min, facts.label_max) == (y.min(), y.max())


@pytest.mark.parametrize(
    "y, task, fragment",
    [
        (np.array([]), None, "at least one sample"),  # the gate's wording, as report() says
        (np.zeros((2, 2, 2)), None, "(N,) or (N, K)"),
        (np.array([{"a": 1}], dtype=object), None, "numeric or string array"),
        (np.array([0.0, np.nan]), None, "finite"),
        (np.array([[2, 0], [0, 1]]), None, "0/1 indicators"),
        (np.array([0, 1, 2]), "multilabel", "multilabel needs"),
        (np.array([[1, 1], [0, 1]]), "multiclass", "one positive label per row"),
    ],
)
def test_bad_labels(y: np.ndarray, task: str | None, fragment: str) -> None:
    with pytest.raises(InputError, match="labels|task") as e:
        check(HeadSpec.declared(activation="softmax"), y, task=task)
    assert fragment in str(e.value)


def test_bad_head_and_task() -> None:
    with pytest.raises(InputError):
        check("softmax", np.array([0, 1]))  # type: ignore[arg-type]
    with pytest.raises(InputError):
        check(HeadSpec.declared(activation="softmax"), task="regression")


def test_labels_not_modified() -> None:
    y = np.array([[1, 0, 1], [0, 1, 0]], dtype=np.uint8)
    y.setflags(write=False)
    check(HeadSpec.declared(activation="sigmoid", units=3, loss="binary_crossentropy"), y)
    assert y.tolist() == [[1, 0, 1], [0, 1, 0]]


def _profile(kind: str, k: int, counts: tuple) -> TaskProfile:
    return TaskProfile(kind=kind, n_classes=k, label_encoding="integer", score_kind="probabilities",
                       class_counts=counts, n_samples=int(sum(counts)))


@pytest.mark.parametrize(
    "profile, facts, code",
    [
        (_profile("multiclass", 3, (40, 30, 30)),
         DataFacts(n_outputs=3, label_min=1, label_max=3, label_is_integer=True), "HC203"),
        (_profile("multiclass", 3, (100, 0, 0)), DataFacts(class_counts=(100, 0, 0)), "HC204"),
        (_profile("binary", 2, (950, 50)), DataFacts(class_counts=(950, 50)), "HC206"),
        (_profile("binary", 2, (60, 40)), DataFacts(accuracy=0.6, majority_rate=0.6), "HC307"),
        (_profile("binary", 2, (60, 40)), DataFacts(class_counts=(60, 40), predicted_counts=(99, 1)), "HC402"),
    ],
)
def test_data_rules_without_a_head(profile: TaskProfile, facts: DataFacts, code: str) -> None:
    findings = run_rules(Context(task=profile, data=facts))
    assert code in {f.code for f in findings}


def test_healthy_data_is_silent() -> None:
    profile = _profile("multiclass", 3, (40, 30, 30))
    facts = DataFacts(n_samples=100, n_outputs=3, label_min=0, label_max=2, label_is_integer=True,
                      class_counts=(40, 30, 30), predicted_counts=(38, 33, 29), accuracy=0.8, majority_rate=0.4)
    assert run_rules(Context(task=profile, data=facts)) == []


def test_import_stays_light() -> None:
    code = ("import sys, headcheck, headcheck._check, headcheck.resolution, headcheck.rules; "
            "headcheck.rules.all_rules(); import headcheck.commands.check, headcheck.commands.rules; "
            "heavy = [m for m in ('torch', 'keras', 'sklearn', 'matplotlib', 'pyarrow', 'rich') if m in sys.modules]; "
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], env={"PYTHONPATH": SRC}, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_headcheck_check_callable_in_a_fresh_process() -> None:
    code = ("import numpy as np, headcheck; from headcheck.head import HeadSpec; "
            "import headcheck._check; "
            "r = headcheck.check(HeadSpec.declared(activation='softmax', units=1)); print(r.findings[0].code)")
    out = subprocess.run([sys.executable, "-c", code], env={"PYTHONPATH": SRC}, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "HC103"
