"""The cumulative-logit ('CORAL-style') ordinal head: K-1 sigmoid outputs trained with binary
cross-entropy on the 0/1 'class > k' targets, reproduced with a tiny real Keras training (torch
backend, seeded): scikit-learn's diabetes progression cut into 5 ratings.

What Keras prints for it (`metrics=['accuracy']` / `['binary_accuracy']`) compares each output with
its own 'class > k' target; `report` names those numbers as views, `explain` finds them, `check`
accepts the 'class > k' target matrix and flags the 'accuracy' string.
"""
from __future__ import annotations

import contextlib
import io
import json
import warnings

import numpy as np
import pytest
from keras_env import load_keras

import headcheck
from headcheck.cli import main
from headcheck.head import HeadSpec

keras = load_keras()
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ordinal_cumulative")]

K = 5


def cumulative_targets(y: np.ndarray, k: int = K) -> np.ndarray:
    return (y[:, None] > np.arange(k - 1)).astype("float32")


@pytest.fixture(scope="module")
def training(tmp_path_factory):
    """A 4-sigmoid head trained with binary cross-entropy on the 'class > k' targets of the
    diabetes ratings 0..4 (quintiles), `metrics=['accuracy', 'binary_accuracy']`; the last epoch's
    History and the validation rows' labels, targets and scores (saved as .npy)."""
    import torch
    from sklearn.datasets import load_diabetes

    x, t = load_diabetes(return_X_y=True)
    x = ((x - x.mean(axis=0)) / x.std(axis=0)).astype("float32")
    y = np.digitize(t, np.quantile(t, [0.2, 0.4, 0.6, 0.8]))
    order = np.random.default_rng(0).permutation(len(y))
    tr, va = order[:330], order[330:]
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(K - 1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["accuracy", "binary_accuracy"])
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a tiny model: a second thread only burns the shared CPU
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            h = model.fit(x[tr], cumulative_targets(y[tr]), epochs=20, batch_size=32, verbose=0,
                          validation_data=(x[va], cumulative_targets(y[va])))
            scores = np.asarray(model.predict(x[va], verbose=0))
    finally:
        torch.set_num_threads(threads)
    folder = tmp_path_factory.mktemp("cumulative")
    files = {}
    for name, a in (("y", y[va]), ("targets", cumulative_targets(y[va])), ("scores", scores)):
        files[name] = str(folder / f"{name}.npy")
        np.save(files[name], a)
    last = {k: v[-1] for k, v in h.history.items()}
    return {"y": y[va], "scores": scores, "history": last, "files": files}


def cli(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def test_report_names_what_keras_printed_on_the_cumulative_head(training, capsys):
    f, hist = training["files"], training["history"]
    y, s = training["y"], training["scores"]
    code, out = cli(capsys, "report", f["y"], f["scores"], "--task", "ordinal", "--score-kind",
                    "cumulative", "--format", "json")
    d = json.loads(out)
    views, m = d["views"], d["metrics"]
    exact = float(np.mean((s > 0.5).sum(axis=1) == y))
    assert m["accuracy"] == pytest.approx(exact)
    # Keras 3 / tf.keras >= 2.2 resolve 'accuracy' by shapes: (N, 4) targets for (N, 4) outputs
    # are 'categorical'; binary_accuracy is what the loss-based rule of Keras <= 2.3 picked
    assert views["keras.binary_accuracy"]["value"] == pytest.approx(hist["val_binary_accuracy"], abs=1e-6)
    assert views["keras.categorical_accuracy"]["value"] == pytest.approx(hist["val_accuracy"], abs=1e-6)
    assert not views["keras.binary_accuracy"]["fits_task"]
    assert not views["keras.categorical_accuracy"]["fits_task"]
    # the story: the printed numbers sit far above the share of ratings predicted exactly
    assert hist["val_binary_accuracy"] > m["accuracy"] + 0.2 and hist["val_accuracy"] > m["accuracy"] + 0.2
    code, text = cli(capsys, "report", f["y"], f["scores"], "--task", "ordinal", "--score-kind", "cumulative")
    line = next(ln for ln in text.splitlines() if ln.strip().startswith("keras.binary_accuracy"))
    assert "MISLEADING" in line


@pytest.mark.parametrize("printed", ["val_accuracy", "val_binary_accuracy"])
def test_explain_names_the_printed_number(training, capsys, printed):
    f, value = training["files"], training["history"][printed]
    view = {"val_accuracy": "keras.categorical_accuracy", "val_binary_accuracy": "keras.binary_accuracy"}
    code, out = cli(capsys, "explain", f["y"], f["scores"], "--task", "ordinal", "--score-kind",
                    "cumulative", "--reported", f"{printed}: {value:.4f}", "--format", "json")
    d = json.loads(out)
    ids = [mt["id"] for mt in d["matches"]]
    assert view[printed] in ids
    match = d["matches"][ids.index(view[printed])]
    assert match["fits_task"] is False and "class > k" in match["meaning"]
    assert d["recommended"]["value"] == pytest.approx(
        float(np.mean((training["scores"] > 0.5).sum(axis=1) == training["y"])))
