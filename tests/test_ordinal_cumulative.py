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
    return {"y": y[va], "scores": scores, "history": last, "files": files, "model": model,
            "x": x[va]}


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


def test_check_accepts_the_cumulative_targets_it_recommends(training, capsys):
    """The 0/1 'class > k' matrix the model trained on, given to `check --task ordinal`: read as
    the targets of 5 ordered classes (said in a note), and the K-1 sigmoid + BCE head is valid."""
    f = training["files"]
    head = ["--activation", "sigmoid", "--units", "4", "--loss", "binary_crossentropy"]
    code, out = cli(capsys, "check", *head, "--labels", f["targets"], "--task", "ordinal", "--format", "json")
    d = json.loads(out)
    assert code == 0 and d["findings"] == []
    assert any("cumulative targets 'class > k' of 5 ordered classes" in n for n in d["notes"])
    # the same matrix without --task: multi-label, and the note says how to read it as ordinal
    code, out = cli(capsys, "check", *head, "--labels", f["targets"], "--format", "json")
    d = json.loads(out)
    assert code == 0 and any("state --task ordinal" in n for n in d["notes"])
    # a head as wide as the classes cannot take the 4 target columns
    wide = HeadSpec.declared(activation="sigmoid", units=5, loss="binary_crossentropy")
    found = headcheck.check(wide, cumulative_targets(training["y"]), task="ordinal").findings
    assert [x.code for x in found] == ["HC110"] and "Dense(4, activation='sigmoid')" in found[0].fix
    # the live model, with a batch of its own targets
    res = headcheck.check(training["model"], (training["x"], cumulative_targets(training["y"])),
                          task="ordinal")
    assert any("'class > k'" in n for n in res.notes)
    # its metrics: 'accuracy' (built by Keras 3 as CategoricalAccuracy) and 'binary_accuracy'
    found = {x.code: x for x in res.findings}
    assert set(found) == {"HC302", "HC303"}
    assert "first output is the highest" in found["HC303"].message
    assert all("within_one_accuracy" in x.fix for x in found.values())


def test_check_refuses_targets_that_rise_after_the_sample(training):
    from headcheck.errors import InputError
    from headcheck.gate import profile_labels

    t = cumulative_targets(training["y"])
    t[50] = [0, 1, 0, 0]  # past the 8 sampled rows: not 1...1 0...0
    with pytest.raises(InputError, match=r"1 row\(s\) \(first rows, 0-based: 50\)"):
        profile_labels(t, task="ordinal", sample_rows=8)


def test_accuracy_string_on_the_cumulative_head_is_flagged_with_the_honest_metrics(training, capsys):
    f = training["files"]
    head = ["--activation", "sigmoid", "--units", "4", "--loss", "binary_crossentropy", "--metric", "accuracy"]
    for labels, version, metric in ((f["targets"], "keras==3.6", "categorical_accuracy"),
                                    (f["y"], "keras==2.2.4", "binary_accuracy")):
        code, out = cli(capsys, "check", *head, "--framework", version, "--labels", labels,
                        "--task", "ordinal", "--format", "json")
        found = {x["code"]: x for x in json.loads(out)["findings"]}
        assert code == 1 and f"becomes {metric}" in found["HC301"]["message"]
        fix = found["HC301"]["fix"]
        assert "within_one_accuracy" in fix and "mae" in fix and "--task ordinal" in fix
    # named 'binary_accuracy': no ambiguous string, but the column decisions are said (a warning)
    code, out = cli(capsys, "check", *head[:-1], "binary_accuracy", "--labels", f["targets"],
                    "--task", "ordinal", "--format", "json")
    found = json.loads(out)["findings"]
    assert [(x["code"], x["severity"]) for x in found] == [("HC302", "warning")]


def test_one_based_ratings_on_the_cumulative_head_get_the_ordinal_offset_hint(training, capsys, tmp_path):
    stars = tmp_path / "stars.npy"
    np.save(stars, training["y"] + 1)  # ratings 1..5
    head = ["--activation", "sigmoid", "--units", "4", "--loss", "binary_crossentropy", "--labels", str(stars)]
    code, out = cli(capsys, "check", *head, "--task", "ordinal", "--format", "json")
    found = json.loads(out)["findings"]
    assert code == 1 and [x["code"] for x in found] == ["HC203"]
    fix = found[0]["fix"]
    assert "`y - 1`" in fix and "--label-offset 1" in fix and "--classes 1,2,3,4,5" in fix
    assert "{0, 1}" not in fix
    code, out = cli(capsys, "check", *head, "--task", "ordinal", "--label-offset", "1", "--format", "json")
    found = json.loads(out)["findings"]
    assert code == 0 and [(x["code"], x["severity"]) for x in found] == [("HC202", "info")]
