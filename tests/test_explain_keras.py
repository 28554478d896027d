"""explain() finds the right definition for numbers printed by real Keras trainings.

Tiny Dense models on scikit-learn's digits (and generated multi-label / binary data) are trained
for a few epochs; what `model.evaluate(..., return_dict=True)` printed and what `model.predict`
returned go back into `headcheck.explain`.
"""
from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
pytestmark = pytest.mark.slow

from headcheck._explain import explain  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    return (x / 16.0).astype("float32"), y


def dense(units, activation, hidden=16):
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.layers.Dense(hidden, activation="relu"),
                             keras.layers.Dense(units, activation=activation)])


def train(model, x, y, loss, metrics, epochs=3):
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=loss, metrics=metrics)
    model.fit(x, y, epochs=epochs, batch_size=64, verbose=0)
    printed = model.evaluate(x, y, batch_size=128, verbose=0, return_dict=True)
    return printed, np.asarray(model.predict(x, batch_size=256, verbose=0))


def match(ex, view_id):
    found = {m.id: m for m in ex.matches}
    assert view_id in found, (view_id, [(m.id, m.value) for m in ex.matches], ex.reported)
    return found[view_id]


def test_a_binary_accuracy_on_ten_class_one_hot_is_inflated(digits):
    x, y = digits
    onehot = np.eye(10, dtype="float32")[y]
    printed, probs = train(dense(10, "softmax"), x, onehot, "binary_crossentropy", ["binary_accuracy"], epochs=2)
    ex = explain(onehot, probs, reported=printed["binary_accuracy"], name="binary_accuracy")
    assert match(ex, "keras.binary_accuracy").fits_task is False
    assert ex.recommended.id == "accuracy"
    assert ex.recommended.value < printed["binary_accuracy"]  # the honest number is lower
    assert ex.recommended.value == pytest.approx(np.mean(probs.argmax(1) == y))


def test_b_accuracy_on_multi_label_resolves_to_categorical(digits):
    from sklearn.datasets import make_multilabel_classification

    x, y = make_multilabel_classification(n_samples=800, n_features=20, n_classes=5, n_labels=2, random_state=0)
    x = (x / x.max()).astype("float32")
    y = y.astype("float32")
    printed, probs = train(dense(5, "sigmoid"), x, y, "binary_crossentropy", ["accuracy"])
    ex = explain(y, probs, reported=printed["accuracy"])
    assert ex.task.kind == "multilabel"
    assert match(ex, "keras.categorical_accuracy").fits_task is False
    assert ex.recommended.id == "subset_accuracy"  # what "accuracy" means for a multi-label task
    assert ex.recommended.value == pytest.approx(np.mean(((probs > 0.5) == (y > 0.5)).all(axis=1)))


def test_c_accuracy_on_binary_logits_thresholds_at_half(digits):
    x, y = digits
    yb = (y >= 5).astype("float32")[:, None]  # digits 5-9 vs 0-4
    loss = keras.losses.BinaryCrossentropy(from_logits=True)
    printed, logits = train(dense(1, None), x, yb, loss, ["accuracy"], epochs=2)
    ex = explain(yb[:, 0], logits[:, 0], reported=printed["accuracy"])
    assert ex.task.score_kind == "logits"
    assert match(ex, "keras.binary_accuracy").fits_task is False
    assert ex.recommended.id == "accuracy"
    assert ex.recommended.value == pytest.approx(np.mean((logits[:, 0] > 0) == (yb[:, 0] > 0.5)))


def test_correct_head_sparse_categorical_accuracy_fits(digits):
    x, y = digits
    printed, probs = train(dense(10, "softmax"), x, y, "sparse_categorical_crossentropy", ["accuracy"], epochs=2)
    ex = explain(y, probs, reported=printed["accuracy"])
    assert match(ex, "keras.sparse_categorical_accuracy").fits_task is True
    assert ex.recommended.id == "accuracy"
    assert ex.recommended.value == pytest.approx(printed["accuracy"], abs=ex.tolerance)


def test_pasted_checkpoint_line_evaluate_dict_and_loss_line(digits, tmp_path):
    """What a user pastes from a real training: ModelCheckpoint's 'val_accuracy improved from A to
    B' line (explained against the best model it saved), the dict `evaluate(return_dict=True)`
    printed, and a loss on its own ('val_loss: ...'), which is the log loss, not accuracy."""
    import contextlib
    import io

    x, y = digits
    tr, va = slice(0, 1200), slice(1200, None)
    model = dense(10, "softmax")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    best = str(tmp_path / "best.keras")
    save = keras.callbacks.ModelCheckpoint(best, monitor="val_accuracy", save_best_only=True, verbose=1)
    log = io.StringIO()
    with contextlib.redirect_stdout(log):
        model.fit(x[tr], y[tr], epochs=3, batch_size=64, verbose=0, validation_data=(x[va], y[va]),
                  callbacks=[save])
    line = [s for s in log.getvalue().splitlines() if "improved from" in s][-1]
    best_model = keras.models.load_model(best)
    probs = np.asarray(best_model.predict(x[va], verbose=0))
    ex = explain(y[va], probs, reported=line)
    assert ex.name == "val_accuracy" and ex.given.startswith("val_accuracy: 0.")
    assert ex.recommended.id == "accuracy" and match(ex, "accuracy")
    assert ex.reported == pytest.approx(np.mean(probs.argmax(1) == y[va]), abs=5e-6)
    printed = best_model.evaluate(x[va], y[va], verbose=0, return_dict=True)
    ex = explain(y[va], probs, reported=str(printed))  # "{'accuracy': 0.9..., 'loss': 0.2...}"
    assert ex.name == "accuracy" and ex.recommended.id == "accuracy" and ex.matches
    ex = explain(y[va], probs, reported=f"val_loss: {printed['loss']:.4f}")
    assert match(ex, "log_loss") and ex.recommended.id == "log_loss"
