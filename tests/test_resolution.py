"""The 'accuracy' resolution table (frameworks/keras.py, docs/rules.md HC301), as code."""
from __future__ import annotations

import pytest

from headcheck.resolution import FAMILIES, resolve_accuracy, resolve_family, version_family


@pytest.mark.parametrize(
    "framework, version, family",
    [
        ("keras", "1.0.0", "last-dim"),
        ("keras", "1.0.5", "last-dim"),
        ("keras", "1.0.6", "loss-based"),
        ("keras", "2.2.4", "loss-based"),
        ("keras", "2.3.1", "loss-based"),
        ("keras", "2.4.0", "shape-based"),
        ("keras", "2.15.0", "shape-based"),
        ("keras", "3.6.0", "shape-based"),
        ("tf.keras", "1.15", "loss-based"),
        ("tf.keras", "2.1.0", "loss-based"),
        ("tf.keras", "2.2", "shape-based"),
        ("tf.keras", "2.16.1", "shape-based"),
        ("keras", None, None),
        ("pytorch", "2.3", None),
    ],
)
def test_version_family(framework: str, version: str | None, family: str | None) -> None:
    assert version_family(framework, version) == family


# The table's four columns: (loss, units, label encoding, task)
COLUMNS = {
    "10-class one-hot + softmax + BCE": ("binary_crossentropy", 10, "one-hot", "multiclass"),
    "3-label multi-hot + sigmoid + BCE": ("binary_crossentropy", 3, "multi-hot", "multilabel"),
    "int labels + sparse CE": ("sparse_categorical_crossentropy", 10, "integer", "multiclass"),
    "1 sigmoid unit + BCE": ("binary_crossentropy", 1, "integer", "binary"),
}
# (metric, fits) per family, as the table reads; the Keras 1.0.0-1.0.5 categorical accuracy on
# integer labels compares with argmax of an (N, 1) label, always 0: it does not fit.
TABLE = {
    "last-dim": [("categorical_accuracy", True), ("categorical_accuracy", False),
                 ("categorical_accuracy", False), ("binary_accuracy", True)],
    "loss-based": [("binary_accuracy", False), ("binary_accuracy", True),
                   ("sparse_categorical_accuracy", True), ("binary_accuracy", True)],
    "shape-based": [("categorical_accuracy", True), ("categorical_accuracy", False),
                    ("sparse_categorical_accuracy", True), ("binary_accuracy", True)],
}
VERSION_OF = {"last-dim": ("keras", "1.0.4"), "loss-based": ("keras", "2.2.4"), "shape-based": ("keras", "3.6")}


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("column", list(COLUMNS))
def test_table(family: str, column: str) -> None:
    loss, units, enc, task = COLUMNS[column]
    expected_metric, expected_fit = TABLE[family][list(COLUMNS).index(column)]
    framework, version = VERSION_OF[family]
    res = resolve_accuracy(framework, version, loss=loss, output_units=units, label_encoding=enc, task=task)
    assert (res.metric, res.family, res.fits_task, res.version_known) == (expected_metric, family, expected_fit, True)
    assert expected_metric in res.explanation


@pytest.mark.parametrize("column", list(COLUMNS))
def test_unknown_version_gives_every_family(column: str) -> None:
    loss, units, enc, task = COLUMNS[column]
    res = resolve_accuracy("keras", None, loss=loss, output_units=units, label_encoding=enc, task=task)
    assert not res.version_known and res.family == "shape-based"
    assert (res.metric, res.fits_task) == TABLE["shape-based"][list(COLUMNS).index(column)]
    older = {a.family: (a.metric, a.fits_task) for a in res.alternatives}
    assert older == {f: TABLE[f][list(COLUMNS).index(column)] for f in ("last-dim", "loss-based")}


def test_shape_based_label_rank_from_the_loss() -> None:
    # labels unknown: sparse CE implies (N,) labels, categorical CE implies (N, K)
    assert resolve_family("shape-based", loss="sparse_categorical_crossentropy", output_units=5,
                          label_encoding=None) == "sparse_categorical_accuracy"
    assert resolve_family("shape-based", loss="categorical_crossentropy", output_units=5,
                          label_encoding=None) == "categorical_accuracy"
    assert resolve_family("shape-based", loss=None, output_units=5, label_encoding=None) is None
    assert resolve_family("shape-based", loss="mse", output_units=None, label_encoding="integer") is None


def test_loss_based_accepts_loss_classes() -> None:
    assert resolve_family("loss-based", loss="keras.losses.BinaryCrossentropy()", output_units=10,
                          label_encoding="one-hot") == "binary_accuracy"
    assert resolve_family("loss-based", loss="unknown_thing", output_units=10, label_encoding=None) is None


def test_pytorch_has_no_string() -> None:
    res = resolve_accuracy("pytorch", "2.3", loss="nn.CrossEntropyLoss", output_units=10)
    assert res.metric is None and res.fits_task is None


def test_unknown_task_gives_no_verdict() -> None:
    res = resolve_accuracy("keras", "2.2.4", loss="binary_crossentropy", output_units=10)
    assert res.metric == "binary_accuracy" and res.fits_task is None
