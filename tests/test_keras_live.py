"""Live Keras: `headcheck.check(model, ...)` and the `headcheck.keras.HeadCheck` callback on real tiny
trainings (no mocks), on Keras 3 with the backend of this process and on tf.keras 2 (see
tests/keras_env.py; `make test` runs this module once per backend, each in its own process).

Each seeded head bug is found live; each correct head gives no warning; the callback's honest
metrics equal `headcheck.report` on the same predictions exactly, and scikit-learn's; bad use gets
a clear message, never a traceback from inside Keras."""
from __future__ import annotations

import csv
import warnings

import numpy as np
import pytest
from sklearn import metrics as skm

from keras_env import backend_name, is_tf_keras, load_keras

import headcheck
from headcheck.demo_keras import SCENARIOS, train
from headcheck.errors import InputError
from headcheck.keras import HeadCheck
from headcheck.live import HeadCheckWarning

keras = load_keras()
pytestmark = [
    pytest.mark.keras_live,
    pytest.mark.slow,
    # the broken heads are built on purpose; Keras rightly warns about some of them
    pytest.mark.filterwarnings("ignore:You are using a softmax over axis"),
    pytest.mark.filterwarnings("ignore:.*received `from_logits=True`"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]
SCENARIO = {sc.key: sc for sc in SCENARIOS}
RNG = np.random.default_rng(0)


def codes(findings) -> set[str]:
    return {f.code for f in findings}


def loud(findings) -> set[str]:
    """The codes of the findings of severity warning or error."""
    return {f.code for f in findings if f.severity.value in ("warning", "error")}


def dense(units: int, activation, dim: int = 8, hidden: int = 8):
    return keras.Sequential([keras.Input((dim,)), keras.layers.Dense(hidden, activation="relu"),
                             keras.layers.Dense(units, activation=activation)])


def blobs(n: int, k: int, dim: int = 8, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 1, (k, dim))
    y = rng.integers(0, k, n)
    return (centres[y] + rng.normal(0, 0.5, (n, dim))).astype("float32"), y


@pytest.fixture(autouse=True)
def seeded():
    keras.utils.set_random_seed(0)  # the same weights in every run of a test


def fit(model, x, y, xv, yv, epochs: int = 2, **options):
    cb = HeadCheck(verbose=0, **options)
    hist = model.fit(x, y, validation_data=(xv, yv), epochs=epochs, batch_size=32, verbose=0, callbacks=[cb])
    return cb, hist.history


# --- the seed situations, found live ---------------------------------------------------------------

@pytest.fixture(scope="module")
def runs():
    return {key: train(sc, keras) for key, sc in SCENARIO.items()}


def test_softmax_bce_reported_with_binary_accuracy(runs):
    run = runs["softmax_bce"]
    found = codes(run.callback.findings)
    assert {"HC101", "HC302"} <= codes(run.callback.head_findings)
    assert "HC405" in found
    hc405 = next(f for f in run.callback.findings if f.code == "HC405")
    assert "keras.binary_accuracy" in hc405.message and "val_binary_accuracy" in hc405.message
    # Keras's number is inflated above the honest accuracy of the same predictions
    assert run.history["val_binary_accuracy"][-1] > run.history["hc_accuracy"][-1] + 0.05


def test_multilabel_with_accuracy(runs):
    run = runs["multilabel_accuracy"]
    hc303 = next(f for f in run.callback.head_findings if f.code == "HC303")
    # read from what Keras built, not from a table
    assert "CategoricalAccuracy" in hc303.message or "categorical_accuracy" in hc303.message
    hc405 = next(f for f in run.callback.findings if f.code == "HC405")
    assert "keras.categorical_accuracy" in hc405.message and "subset accuracy" in hc405.message
    assert "hc_per_label_accuracy" in run.history and "hc_subset_accuracy" in run.history


def test_single_unit_softmax_frozen_at_majority_rate(runs):
    run = runs["single_unit_softmax"]
    assert "HC103" in codes(run.callback.head_findings)
    hc401 = next(f for f in run.callback.findings if f.code == "HC401")
    assert "majority-class rate" in hc401.message and hc401.severity.value == "error"
    val = run.history["val_accuracy"]
    assert len(set(np.round(val, 4))) == 1  # frozen
    assert val[-1] == pytest.approx(run.history["hc_accuracy"][-1], abs=1e-6)


def test_ordinal_ratings_collapse_to_one_class(runs):
    run = runs["ordinal_collapse"]
    found = codes(run.callback.findings)
    assert {"HC401", "HC402", "HC205"} <= found
    hc401 = next(f for f in run.callback.findings if f.code == "HC401")
    assert "majority-class rate" in hc401.message
    assert run.history["hc_balanced_accuracy"][-1] == pytest.approx(0.2)  # one class of five


def test_from_logits_mismatches():
    x, y = blobs(96, 3)
    double = dense(3, "softmax")
    double.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                   metrics=["sparse_categorical_accuracy"])
    assert "HC105" in codes(headcheck.check(double, (x, y)).findings)
    logits = dense(3, None)
    logits.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                   metrics=["sparse_categorical_accuracy"])
    assert "HC104" in codes(headcheck.check(logits, (x, y)).findings)


def test_non_finite_loss_found_by_the_callback():
    x, y = blobs(128, 3)
    model = dense(3, "softmax")
    # a learning rate that blows the weights up: inf logits, NaN probabilities, a NaN loss
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e30), loss="sparse_categorical_crossentropy",
                  metrics=["sparse_categorical_accuracy"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", HeadCheckWarning)  # the callback must not give up
        cb, hist = fit(model, x[:96], y[:96], x[96:], y[96:], epochs=3)
    assert not np.isfinite(hist["loss"][-1])
    hc403 = next(f for f in cb.findings if f.code == "HC403")
    assert "nan" in hc403.message.lower() or "inf" in hc403.message.lower()


# --- correct heads: no warning ---------------------------------------------------------------------

def test_correct_heads_give_no_warning():
    x, y = blobs(320, 3, seed=1)
    multi = dense(3, "softmax")
    multi.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    cb, hist = fit(multi, x[:224], y[:224], x[224:], y[224:], epochs=3)
    assert loud(cb.findings) == set(), [f.message for f in cb.findings]
    assert loud(headcheck.check(multi, (x, y)).findings) == set()

    yb = (y == 0).astype("float32")
    binary = dense(1, "sigmoid")
    binary.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    cb, hist = fit(binary, x[:224], yb[:224], x[224:], yb[224:], epochs=3)
    assert loud(cb.findings) == set(), [f.message for f in cb.findings]
    assert hist["val_accuracy"][-1] == pytest.approx(hist["hc_accuracy"][-1], abs=1e-6)

    ym = np.stack([y == 0, y == 1, (x[:, 0] > 0)], axis=1).astype("float32")
    tags = dense(3, "sigmoid")
    tags.compile(optimizer="adam", loss="binary_crossentropy", metrics=[keras.metrics.BinaryAccuracy()])
    cb, hist = fit(tags, x[:224], ym[:224], x[224:], ym[224:], epochs=3)
    assert loud(cb.findings) == set(), [f.message for f in cb.findings]
    assert hist["val_binary_accuracy"][-1] == pytest.approx(hist["hc_per_label_accuracy"][-1], abs=1e-6)


# --- honest metrics: equal to report exactly, and to scikit-learn ----------------------------------------

def test_callback_metrics_equal_report_and_sklearn():
    x, y = blobs(400, 4, seed=2)
    model = dense(4, "softmax")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    cb, hist = fit(model, x[:300], y[:300], x[300:], y[300:], epochs=2, metrics="all")
    scores = model.predict_on_batch(x[300:])
    rep = headcheck.report(y[300:], scores)
    last = cb.epochs[-1].metrics
    assert last == rep.metrics  # every metric, to the last bit
    for metric_id, value in rep.metrics.items():
        assert hist[f"hc_{metric_id.replace('@', '_at_')}"][-1] == value
    pred = scores.argmax(1)
    assert last["accuracy"] == pytest.approx(skm.accuracy_score(y[300:], pred), abs=1e-12)
    assert last["balanced_accuracy"] == pytest.approx(skm.balanced_accuracy_score(y[300:], pred), abs=1e-12)
    assert last["macro_f1"] == pytest.approx(skm.f1_score(y[300:], pred, average="macro"), abs=1e-12)
    assert hist["val_accuracy"][-1] == pytest.approx(last["accuracy"], abs=1e-6)  # Keras agrees


def test_metrics_reach_history_and_csvlogger(tmp_path):
    x, y = blobs(160, 3)
    model = dense(3, "softmax")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    path = tmp_path / "log.csv"
    model.fit(x[:96], y[:96], validation_data=(x[96:], y[96:]), epochs=2, verbose=0,
              callbacks=[HeadCheck(verbose=0), keras.callbacks.CSVLogger(str(path))])
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == 2 and {"hc_accuracy", "hc_balanced_accuracy", "hc_macro_f1"} <= set(rows[0])


def test_validation_data_given_to_the_callback_and_every():
    x, y = blobs(160, 3)
    model = dense(3, "softmax")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    cb = HeadCheck(validation_data=(x[96:], y[96:]), every=2, verbose=0)
    hist = model.fit(x[:96], y[:96], epochs=3, verbose=0, callbacks=[cb]).history  # no validation in fit
    # epochs 2 and 3 (the last) are evaluated; epoch 1 logs NaN under the same names
    assert len(cb.epochs) == 2 and np.isnan(hist["hc_accuracy"][0]) and np.isfinite(hist["hc_accuracy"][1])
    assert "val_accuracy" not in hist


def test_validation_split_of_fit_is_read():
    x, y = blobs(160, 3)
    model = dense(3, "softmax")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    cb = HeadCheck(verbose=0)
    hist = model.fit(x, y, validation_split=0.25, epochs=2, verbose=0, callbacks=[cb]).history
    assert hist["val_accuracy"][-1] == pytest.approx(hist["hc_accuracy"][-1], abs=1e-6)
    assert cb.epochs[-1].n_samples == 40


def test_stop_on_error_stops_training():
    run = train(SCENARIO["single_unit_softmax"], keras, stop_on="error")
    assert len(run.history["loss"]) < 6  # HC103 is an error: the training stopped early


def test_prints_in_keras_style(capsys):
    x, y = blobs(96, 3)
    onehot = np.eye(3, dtype="float32")[y]
    model = dense(3, "softmax")
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["binary_accuracy"])
    model.fit(x[:64], onehot[:64], validation_data=(x[64:], onehot[64:]), epochs=1, verbose=0,
              callbacks=[HeadCheck()])
    out = capsys.readouterr().out
    assert "HeadCheck: " in out and "HC101 softmax-with-binary-crossentropy" in out
    assert "Epoch 1: HeadCheck HC405" in out


# --- reading the model ---------------------------------------------------------------------------------

def test_functional_model_with_two_outputs():
    x, y = blobs(128, 4)
    inp = keras.Input((8,))
    h = keras.layers.Dense(8, activation="relu")(inp)
    kind = keras.layers.Dense(4, activation="softmax", name="kind")(h)
    flag = keras.layers.Activation("sigmoid", name="flag")(keras.layers.Dense(1)(h))
    model = keras.Model(inp, [kind, flag])
    model.compile(optimizer="adam", loss={"kind": "binary_crossentropy", "flag": "binary_crossentropy"},
                  metrics={"kind": ["binary_accuracy"], "flag": ["accuracy"]})
    yf = (y == 0).astype("float32")
    result = headcheck.check(model, (x, {"kind": np.eye(4, dtype="float32")[y], "flag": yf}))
    by_output = dict(result.outputs)
    assert {"HC101", "HC302"} <= codes(by_output["kind"].findings)
    assert loud(by_output["flag"].findings) == set()
    assert by_output["flag"].context.head.activation == "sigmoid"  # the trailing Activation layer
    assert any(f.message.startswith("Output `kind`:") for f in result.findings)
    cb, hist = fit(model, x[:96], [np.eye(4, dtype="float32")[y[:96]], yf[:96]],
                   x[96:], [np.eye(4, dtype="float32")[y[96:]], yf[96:]])
    assert "hc_kind_accuracy" in hist and "hc_flag_accuracy" in hist
    assert "HC405" in codes(cb.findings)


class Subclassed(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(8, activation="relu")
        self.out = keras.layers.Dense(3)

    def call(self, x):
        return keras.activations.sigmoid(self.out(self.hidden(x)))  # the activation is no layer


def test_subclassed_model_activation_from_its_outputs():
    x, y = blobs(96, 3)
    model = Subclassed()
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["categorical_accuracy"])
    result = headcheck.check(model, (x, np.eye(3, dtype="float32")[y]))
    assert result.context.head.activation == "sigmoid" and result.context.head.units == 3
    assert "HC102" in codes(result.findings)  # sigmoid under a categorical loss


def test_activation_spellings():
    for act, expected in (("softmax", "softmax"), (keras.activations.softmax, "softmax"),
                          (keras.layers.Softmax(), "softmax"), ("linear", "linear"), (None, "linear")):
        model = dense(3, act)
        model.compile(loss="sparse_categorical_crossentropy")
        assert headcheck.check(model).context.head.activation == expected, act
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3), keras.layers.Softmax()])
    model.compile(loss="sparse_categorical_crossentropy")
    assert headcheck.check(model).context.head.activation == "softmax"


def test_loss_as_compiled():
    x, y = blobs(96, 3)
    model = dense(3, "softmax")
    model.compile(loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.1))
    loss = headcheck.check(model).context.head.loss
    assert (loss.name, loss.label_smoothing, loss.from_logits) == ("categorical_crossentropy", 0.1, False)
    model.compile(loss=keras.losses.sparse_categorical_crossentropy)
    assert headcheck.check(model).context.head.loss.name == "sparse_categorical_crossentropy"
    if not is_tf_keras():  # only Keras 3 knows the string, and resolves it from the shapes
        model.compile(loss="crossentropy", metrics=["accuracy"])
        loss = headcheck.check(model, (x, y)).context.head.loss
        assert loss.name == "sparse_categorical_crossentropy" and "resolved" in (loss.resolution or "")


def test_backend_is_the_one_of_this_process():
    model = dense(3, "softmax")
    model.compile(loss="sparse_categorical_crossentropy")
    head = headcheck.check(model).context.head
    assert head.framework == ("tf.keras" if is_tf_keras() else "keras")
    assert head.framework_version == keras.__version__
    assert backend_name()


# --- bad use: a clear message ---------------------------------------------------------------------------

def test_model_not_compiled():
    with pytest.raises(InputError, match="not compiled"):
        headcheck.check(dense(3, "softmax"))


def test_labels_that_do_not_fit_the_outputs():
    x, y = blobs(96, 3)
    model = dense(3, "softmax")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    with pytest.raises(InputError, match="rows"):
        headcheck.check(model, (x, y[:10]))
    wrong = np.eye(5, dtype="float32")[y]  # 5 label columns for 3 outputs
    cb = HeadCheck(validation_data=(x[64:], wrong[64:]), verbose=0)
    with pytest.warns(HeadCheckWarning, match="headcheck.keras.HeadCheck"):
        hist = model.fit(x[:64], y[:64], epochs=2, verbose=0, callbacks=[cb]).history
    assert len(hist["loss"]) == 2  # the training went on


def test_validation_data_without_labels():
    x, _ = blobs(32, 3)
    with pytest.raises(InputError, match="no labels"):
        HeadCheck(validation_data=x)

    def batches():
        yield x, None

    with pytest.raises(InputError, match="generator can be read only once"):
        HeadCheck(validation_data=batches())
    with pytest.raises(InputError, match="stop_on"):
        HeadCheck(stop_on="sometimes")


def test_custom_loss_function():
    x, y = blobs(96, 3)

    def my_loss(y_true, y_pred):
        return keras.ops.mean(keras.ops.square(y_true - y_pred)) if not is_tf_keras() else \
            __import__("tensorflow").reduce_mean((y_true - y_pred) ** 2)

    model = dense(3, "softmax")
    model.compile(optimizer="adam", loss=my_loss, metrics=["categorical_accuracy"])
    result = headcheck.check(model, (x, np.eye(3, dtype="float32")[y]))
    assert any("unknown loss" in n and "the data checks still run" in n for n in result.notes)
    assert result.context.task is not None  # the labels were still read
    assert "note: unknown loss" in result.to_text()


# --- the demo's Keras part ---------------------------------------------------------------------------------

def test_demo_renders_what_keras_logged_beside_the_callback(runs):
    from headcheck.demo_keras import render

    for key, run in runs.items():
        text = render(run)
        assert max(len(line) for line in text.splitlines()) <= 80, key
        assert "What HeadCheck found:" in text and "hc_" in text, key
        assert all(f.code in text for f in run.callback.findings), key


def test_demo_without_keras_says_so(monkeypatch, capsys):
    import headcheck.demo_keras as demo_keras
    from headcheck.cli import main

    monkeypatch.setattr(demo_keras, "keras_available", lambda: False)
    assert main(["demo", "--keras"]) == 0
    assert "skipped, Keras is not installed" in capsys.readouterr().out


@pytest.mark.skipif(not is_tf_keras(), reason="tf.keras 2 process only (TF_USE_LEGACY_KERAS=1)")
def test_tf_keras_through_tensorflow():
    import os

    import tensorflow as tf

    assert os.environ.get("TF_USE_LEGACY_KERAS") == "1"
    model = tf.keras.Sequential([tf.keras.Input((8,)), tf.keras.layers.Dense(5, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    x = RNG.normal(size=(64, 8)).astype("float32")
    y = (RNG.random((64, 5)) < 0.3).astype("float32")
    result = headcheck.check(model, (x, y))
    assert result.context.head.framework == "tf.keras"
    hc303 = next(f for f in result.findings if f.code == "HC303")
    assert "built by tf.keras" in hc303.message and "tf.keras.metrics.BinaryAccuracy" in hc303.message
