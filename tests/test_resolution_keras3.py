"""resolve_accuracy for Keras 3 against what real Keras 3 builds for metrics=['accuracy']."""
from __future__ import annotations

import os

import numpy as np
import pytest

from headcheck.resolution import resolve_accuracy

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

pytestmark = [
    pytest.mark.slow,
    # the table's broken heads are built on purpose; Keras rightly warns about them
    pytest.mark.filterwarnings("ignore:You are using a softmax over axis:UserWarning"),
    pytest.mark.filterwarnings("ignore:In loss categorical_crossentropy, expected y_pred.shape:SyntaxWarning"),
]

_SNAKE = {
    "BinaryAccuracy": "binary_accuracy",
    "CategoricalAccuracy": "categorical_accuracy",
    "SparseCategoricalAccuracy": "sparse_categorical_accuracy",
}
N = 6


def _labels(encoding: str, units: int, loss: str, rng: np.random.Generator) -> np.ndarray:
    # class indices must exist for a sparse loss; one output with binary CE takes 0/1 labels
    high = units if loss.startswith("sparse") or units > 1 else 2
    if encoding == "integer":
        return rng.integers(0, high, size=N)
    if encoding == "integer-column":
        return rng.integers(0, high, size=(N, 1))
    if encoding == "one-hot":
        return np.eye(units, dtype="float32")[rng.integers(0, units, size=N)]
    return (rng.random((N, units)) < 0.5).astype("float32")  # multi-hot


# (activation, units, loss, label encoding as given to Keras)
COMBOS = [
    (act, units, loss, enc)
    for act in ("softmax", "sigmoid")
    for units in (1, 3, 10)
    for loss, encs in (
        ("binary_crossentropy", ("multi-hot", "one-hot", "integer")),
        ("categorical_crossentropy", ("one-hot",)),
        ("sparse_categorical_crossentropy", ("integer", "integer-column")),
    )
    for enc in encs
    if not (enc == "integer" and loss == "binary_crossentropy" and units > 1)  # shapes do not broadcast
]


def _built_metric(act: str, units: int, loss: str, y: np.ndarray) -> str:
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(units, activation=act)])
    model.compile(loss=loss, metrics=["accuracy"])
    x = np.random.default_rng(0).random((N, 4)).astype("float32")
    model.evaluate(x, y, verbose=0)
    built = [type(m).__name__ for m in model._compile_metrics.metrics]
    assert len(built) == 1, built
    return _SNAKE[built[0]]


@pytest.mark.parametrize("act, units, loss, enc", COMBOS, ids=["-".join(map(str, c)) for c in COMBOS])
def test_keras3_accuracy_resolution(act: str, units: int, loss: str, enc: str) -> None:
    y = _labels(enc, units, loss, np.random.default_rng(1))
    built = _built_metric(act, units, loss, y)
    encoding = "integer" if enc.startswith("integer") else enc
    predicted = resolve_accuracy("keras", keras.__version__, loss=loss, output_units=units,
                                 label_encoding=encoding)
    assert predicted.family == "shape-based"
    assert predicted.metric == built
