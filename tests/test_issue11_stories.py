"""Issue 11's stories, each reproduced with a tiny real Keras training (torch backend, seeded): the
number Keras printed is taken from its History or its log, and headcheck answers on what
`model.predict` returned, through the CLI and the Python API.

The trainings (one per scenario, module-scoped, shared by the tests of one xdist worker):

- `collapsed`: 1-to-5-star reviews (about half are 5 stars), a softmax over 5 classes under a
  heavy L2 penalty: the weights shrink to nothing, the model predicts the prior, and
  val_accuracy sits at the 5-star rate every epoch;
- `healthy`: the same reviews and head without the penalty (it learns), its verbose=2 log
  captured as a user would paste it;
- `regression`: the same reviews, one linear output trained with MSE on the star value;
- `one_unit_softmax`: scikit-learn's breast-cancer data, `Dense(1, activation='softmax')` with
  binary cross-entropy: every output is exactly 1.0;
- `rare_labels`: 8 rare labels, sigmoid outputs after 3 epochs: nothing reaches 0.5, and Keras's
  own `F1Score(average='micro', threshold=0.5)` prints 0.0.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("issue11_stories")]  # one worker trains once

import headcheck  # noqa: E402
from headcheck.cli import main  # noqa: E402
from headcheck.errors import InputError  # noqa: E402
from headcheck.head import HeadSpec  # noqa: E402

N_TRAIN = 510


@dataclass
class Trained:
    history: dict
    y: np.ndarray  # validation labels as the user has them (stars 1..5, 0/1, multi-hot)
    scores: np.ndarray  # model.predict on the validation rows
    files: dict = field(default_factory=dict)  # name -> .npy path
    log: str = ""  # what fit(verbose=2) printed
    y_train: np.ndarray | None = None
    train_scores: np.ndarray | None = None


def reviews(n: int = 2 * N_TRAIN, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """8 features and a latent opinion cut into 1..5 stars: 10 % 1 star, 8 % 2, 12 % 3, 19 % 4,
    51 % 5 (the shape of review data)."""
    r = np.random.default_rng(seed)
    x = r.normal(size=(n, 8)).astype("float32")
    latent = x @ r.normal(size=8) * 0.6 + r.normal(size=n)
    cuts = np.quantile(latent, [0.10, 0.18, 0.30, 0.49])
    return x, np.searchsorted(cuts, latent) + 1


@contextlib.contextmanager
def quietly():
    """One torch thread (on models this small a second one only burns CPU on a shared 2-core
    machine) and no Keras warnings (it warns about a softmax over one unit: that is the story)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        torch.set_num_threads(threads)


def fit(model, x, y, loss, metrics, *, lr: float, epochs: int, validation, verbose: int = 0):
    """model.fit with Adam; (History.history, what Keras printed)."""
    model.compile(optimizer=keras.optimizers.Adam(lr), loss=loss, metrics=metrics)
    log = io.StringIO()
    with contextlib.redirect_stdout(log), quietly():
        h = model.fit(x, y, epochs=epochs, batch_size=32, verbose=verbose, validation_data=validation)
    return h.history, log.getvalue()


def predict(model, x) -> np.ndarray:
    with quietly():
        return np.asarray(model.predict(x, batch_size=256, verbose=0))


def save(folder, prefix: str, **arrays) -> dict:
    out = {}
    for name, a in arrays.items():
        out[name] = str(folder / f"{prefix}_{name}.npy")
        np.save(out[name], a)
    return out


def star_model(l2: float | None = None):
    reg = keras.regularizers.L2(l2) if l2 else None
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((8,)),
                             keras.layers.Dense(16, activation="relu", kernel_regularizer=reg),
                             keras.layers.Dense(5, activation="softmax", kernel_regularizer=reg)])


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("issue11")


@pytest.fixture(scope="module")
def collapsed(folder) -> Trained:
    x, stars = reviews()
    tr, va = slice(0, N_TRAIN), slice(N_TRAIN, None)
    model = star_model(l2=0.3)
    history, _ = fit(model, x[tr], stars[tr] - 1, "sparse_categorical_crossentropy", ["accuracy"],
                     lr=0.05, epochs=4, validation=(x[va], stars[va] - 1))
    p = predict(model, x[va])
    # on disk as the user trained it: class indices 0..4 (stars - 1)
    return Trained(history, stars[va], p, save(folder, "collapsed", labels=stars[va] - 1, stars=stars[va],
                                                scores=p))


@pytest.fixture(scope="module")
def healthy(folder) -> Trained:
    x, stars = reviews()
    tr, va = slice(0, N_TRAIN), slice(N_TRAIN, None)
    model = star_model()
    history, log = fit(model, x[tr], stars[tr] - 1, "sparse_categorical_crossentropy", ["accuracy"],
                       lr=0.01, epochs=5, validation=(x[va], stars[va] - 1), verbose=2)
    p, p_train = predict(model, x[va]), predict(model, x[tr])
    return Trained(history, stars[va], p, save(folder, "healthy", stars=stars[va], scores=p,
                                                train_labels=stars[tr] - 1, train_scores=p_train),
                   log=log, y_train=stars[tr], train_scores=p_train)


@pytest.fixture(scope="module")
def regression(folder) -> Trained:
    x, stars = reviews()
    tr, va = slice(0, N_TRAIN), slice(N_TRAIN, None)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(1)])
    history, _ = fit(model, x[tr], stars[tr].astype("float32"), "mse", ["accuracy", "mae"], lr=0.05, epochs=6,
                     validation=(x[va], stars[va].astype("float32")))
    out = predict(model, x[va])
    return Trained(history, stars[va], out, save(folder, "regression", stars=stars[va], scores=out))


@pytest.fixture(scope="module")
def one_unit_softmax(folder) -> Trained:
    from sklearn.datasets import load_breast_cancer

    x, y = load_breast_cancer(return_X_y=True)
    x = ((x - x.mean(0)) / x.std(0)).astype("float32")
    order = np.random.default_rng(0).permutation(len(y))
    x, y = x[order], y[order]
    tr, va = slice(0, 400), slice(400, None)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((30,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1, activation="softmax")])
    history, _ = fit(model, x[tr], y[tr], "binary_crossentropy", ["accuracy"], lr=0.01, epochs=3,
                     validation=(x[va], y[va]))
    p = predict(model, x[va])
    return Trained(history, y[va], p, save(folder, "one_unit", labels=y[va], scores=p))


@pytest.fixture(scope="module")
def rare_labels(folder) -> Trained:
    from sklearn.datasets import make_multilabel_classification

    x, y = make_multilabel_classification(n_samples=1000, n_features=20, n_classes=8, n_labels=1,
                                          random_state=0)
    x = (x / x.max()).astype("float32")
    y = y.astype("float32")
    tr, va = slice(0, 600), slice(600, None)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(8, activation="sigmoid",
                                                 bias_initializer=keras.initializers.Constant(-3.0))])
    history, _ = fit(model, x[tr], y[tr], "binary_crossentropy",
                     [keras.metrics.F1Score(average="micro", threshold=0.5)], lr=0.003, epochs=3,
                     validation=(x[va], y[va]))
    p = predict(model, x[va])
    return Trained(history, y[va].astype(int), p, save(folder, "rare", labels=y[va].astype(int), scores=p))


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def codes(findings) -> list[str]:
    return [f["code"] if isinstance(f, dict) else f.code for f in findings]


# ---------------------------------------------------------------------------------------------
# 1. A 1-to-5-star model whose validation accuracy sits at the majority-class rate every epoch
# ---------------------------------------------------------------------------------------------
def test_1_stuck_val_accuracy_is_named_the_majority_rate_python(collapsed):
    printed = collapsed.history["val_accuracy"]
    assert len(set(printed)) == 1, printed  # the training reproduces the story: stuck every epoch
    rate = np.mean(collapsed.y == 5)
    assert printed[-1] == pytest.approx(rate, abs=1e-6)  # ... at the 5-star rate
    ex = headcheck.explain(collapsed.y, collapsed.scores, printed[-1], label_offset=1)
    said = f"{rate:.4f} is the majority-class rate: the model predicts class 5 for every sample"
    assert ex.story and ex.story[0].startswith(said), ex.story
    assert re.search(r"\((HC307, HC402|HC402, HC307)\)", ex.story[0])
    assert "Judge the model by balanced_accuracy = 0.2000 instead" in ex.story[0]
    assert {"HC307", "HC402"} <= set(codes(ex.findings))
    base = {m.id: m for m in ex.matches}["baseline.majority_class"]
    assert base.source == "baseline" and base.value == pytest.approx(rate)
    text = ex.to_text()
    assert f"baseline.majority_class = {rate:.4f} [baseline: what a trivial predictor scores]" in text
    assert "baseline, DOES NOT FIT" not in text
    assert ex.to_dict()["story"][0].startswith(said)
    # the recommendation does not end the story on the number the collapsed model games
    assert ex.recommended.id == "balanced_accuracy" and ex.recommended.instead_of == "accuracy"
    assert "equals the majority-class rate and the model predicts class 5 for every sample" in ex.recommended.why


def test_1_stuck_val_accuracy_is_named_the_majority_rate_cli(collapsed, capsys):
    printed = collapsed.history["val_accuracy"][-1]
    f = collapsed.files
    code, out, _ = cli(capsys, "explain", f["labels"], f["scores"], "--reported", repr(printed))
    assert code == 0
    # the labels on disk are what the model was trained on (0..4): 5 stars is class 4
    assert f"{printed:.4f} is the majority-class rate: the model predicts class 4 for every" in out
    assert "HC402 collapsed-predictions [warning]" in out and "HC307 accuracy-at-or-below-baseline" in out
    assert "[baseline: what a trivial predictor scores]" in out
    assert out.index("majority-class rate") < out.index("Definitions that give")
    last = " ".join(out.split("Recommended: ")[-1].split())
    assert last.startswith("balanced_accuracy = 0.2000") and "not accuracy" in last
    assert "the model predicts class 4 for every sample: the model has collapsed onto one class" in last
    code, out, _ = cli(capsys, "explain", f["stars"], f["scores"], "--label-offset", "1", "--reported",
                       f"val_accuracy: {printed:.4f}", "--format", "json")
    d = json.loads(out)
    assert code == 0 and d["name"] == "val_accuracy"
    assert "the model predicts class 5 for every sample" in d["story"][0]
    assert d["recommended"]["id"] == "balanced_accuracy" and "has collapsed onto one class" in d["recommended"]["why"]


def test_1_compare_the_two_star_models_with_the_labels_as_stars(healthy, collapsed, capsys):
    """`compare` on the two real trainings (same validation rows, labels 1..5 on disk): each model's
    accuracy is what Keras printed, with its interval; McNemar's p is statsmodels'; the verdict
    names its metric; the collapsed model keeps its findings."""
    from statsmodels.stats.contingency_tables import mcnemar

    assert np.array_equal(healthy.y, collapsed.y)
    args = ("compare", healthy.files["stars"], healthy.files["scores"], collapsed.files["scores"],
            "--name", "healthy", "--name", "collapsed")
    code, _, err = cli(capsys, *args)
    assert code == 2 and "--label-offset 1" in err  # what the error asks for, compare accepts:
    code, out, _ = cli(capsys, *args, "--label-offset", "1", "--format", "json")
    d = json.loads(out)
    assert code == 0 and d["task"]["class_counts"] == [float(np.sum(healthy.y == k)) for k in range(1, 6)]
    for name, t in (("healthy", healthy), ("collapsed", collapsed)):
        acc = d["models"][name]["metrics"]["accuracy"]
        printed = t.history["val_accuracy"][-1]
        assert acc["value"] == pytest.approx(printed, abs=1e-6) and acc["level"] == 0.95
        assert acc["ci_low"] < printed < acc["ci_high"]
        assert d["models"][name]["views"]["keras.sparse_categorical_accuracy"]["value"] == pytest.approx(printed, abs=1e-6)
    assert "HC402" in codes(d["models"]["collapsed"]["findings"])
    right_h = healthy.scores.argmax(1) == healthy.y - 1
    right_c = collapsed.scores.argmax(1) == collapsed.y - 1
    b, c = int(np.sum(right_h & ~right_c)), int(np.sum(~right_h & right_c))
    diff = next(x for x in d["differences"] if x["metric"] == "accuracy")
    assert diff["test"] == "McNemar" and diff["p_value"] == pytest.approx(
        mcnemar([[0, b], [c, 0]], exact=b + c < 25, correction=True).pvalue, rel=1e-9)
    # the collapsed model's HC402 moves the verdict to balanced accuracy (its accuracy is the
    # majority share), where the healthy model is clearly better
    assert d["verdict"]["metric"] == "balanced_accuracy" and d["verdict"]["best"] == "healthy"
    assert d["verdict"]["text"].startswith("healthy is better on balanced_accuracy")
    assert "HC402" in d["verdict"]["why"]
    same = headcheck.compare(healthy.y, {"healthy": healthy.scores, "collapsed": collapsed.scores},
                             classes=[1, 2, 3, 4, 5])
    assert same.difference("accuracy").p_value == pytest.approx(diff["p_value"])


# ---------------------------------------------------------------------------------------------
# 2. Ordinal: report --task ordinal; check --task ordinal with a linear single-unit MSE head
# ---------------------------------------------------------------------------------------------
def test_2_report_task_ordinal_gives_the_ordinal_metrics(regression, capsys):
    from scipy.stats import spearmanr
    from sklearn.metrics import cohen_kappa_score, mean_absolute_error, mean_squared_error

    f, y, out = regression.files, regression.y, regression.scores[:, 0]
    code, text, _ = cli(capsys, "report", f["stars"], f["scores"], "--task", "ordinal", "--format", "json")
    assert code == 0
    d = json.loads(text)
    assert d["task"]["kind"] == "ordinal" and d["task"]["score_kind"] == "regression"
    pred = np.clip(np.floor(out.astype(np.float64) + 0.5), 1, 5)  # the nearest star, halves up
    m = d["metrics"]
    assert m["mae"] == pytest.approx(mean_absolute_error(y, pred))
    assert m["rmse"] == pytest.approx(np.sqrt(mean_squared_error(y, pred)))
    assert m["within_one_accuracy"] == pytest.approx(np.mean(np.abs(y - pred) <= 1))
    assert m["quadratic_weighted_kappa"] == pytest.approx(cohen_kappa_score(y, pred, weights="quadratic"))
    assert m["spearman"] == pytest.approx(spearmanr(y, pred).statistic)
    assert "median_class" in d["baselines"] and m["mae"] < d["baselines"]["median_class"]["value"]
    # what Keras printed on the same validation rows, as the views say it
    views = d["views"]
    assert views["keras.mean_absolute_error"]["value"] == pytest.approx(regression.history["val_mae"][-1], abs=1e-4)
    keras_acc = views["keras.binary_accuracy"]
    assert keras_acc["value"] == pytest.approx(regression.history["val_accuracy"][-1], abs=1e-6)
    assert keras_acc["fits_task"] is False
    # the model has learned the order (QWK, MAE below the median baseline): accuracy below the
    # majority rate is no finding for a rounded regression output
    assert m["accuracy"] < d["baselines"]["majority_class"]["value"]
    assert "HC307" not in codes(d["findings"])
    rep = headcheck.report(y, regression.scores, task="ordinal")
    assert rep.metrics["mae"] == pytest.approx(m["mae"]) and not rep.findings


def test_2_check_task_ordinal_regression_head(regression, capsys):
    labels = regression.files["stars"]
    head = ("--activation", "linear", "--units", "1", "--loss", "mse")
    code, out, _ = cli(capsys, "check", *head, "--metric", "accuracy", "--labels", labels, "--task", "ordinal",
                       "--format", "json")
    d = json.loads(out)
    found = {x["code"]: x for x in d["findings"]}
    assert code == 1 and set(found) == {"HC301", "HC109"}  # no HC304, no HC204 for stars 1..5
    assert "(K-1)/K" not in found["HC301"]["message"]
    assert "only the labels 0 and 1 can ever match" in found["HC301"]["message"]
    assert found["HC109"]["severity"] == "info" and "is a valid choice" in found["HC109"]["message"]
    assert d["task"]["n_classes"] == 5
    code, out, _ = cli(capsys, "check", *head, "--metric", "mae", "--labels", labels, "--task", "ordinal")
    assert code == 0 and "task: ordinal (declared), 5 classes" in out and "HC204" not in out
    res = headcheck.check(HeadSpec.declared(activation="linear", units=1, loss="mse", metrics=["mae"]),
                          regression.y, task="ordinal")
    assert codes(res.findings) == ["HC109"] and res.exit_code == 0


# ---------------------------------------------------------------------------------------------
# 3. Ratings labelled 1..5 for 5 outputs
# ---------------------------------------------------------------------------------------------
def test_3_one_based_ratings_one_finding_one_fix(healthy, capsys):
    labels = healthy.files["stars"]
    code, out, _ = cli(capsys, "check", "--activation", "softmax", "--units", "5", "--loss",
                       "sparse_categorical_crossentropy", "--metric", "accuracy", "--labels", labels,
                       "--format", "json")
    d = json.loads(out)
    assert code == 1 and codes(d["findings"]) == ["HC203"]
    one = d["findings"][0]
    assert "subtract 1" in one["fix"] and "HC110 and HC204" in one["message"]
    head = HeadSpec.declared(activation="softmax", units=5, loss="sparse_categorical_crossentropy")
    assert codes(headcheck.check(head, healthy.y).findings) == ["HC203"]
    assert headcheck.check(head, healthy.y, label_offset=1).findings == ()


def test_3_report_refuses_then_maps_with_classes_or_offset(healthy, capsys):
    f = healthy.files
    code, out, err = cli(capsys, "report", f["stars"], f["scores"])
    assert code == 2 and out == ""
    assert "--label-offset 1" in err and "--classes 1,2,3,4,5" in err and "HC203" in err
    with pytest.raises(InputError, match=r"--label-offset 1 or --classes 1,2,3,4,5"):
        headcheck.report(healthy.y, healthy.scores)
    printed = healthy.history["val_accuracy"][-1]
    results = []
    for option in (("--classes", "1,2,3,4,5"), ("--label-offset", "1")):
        code, out, _ = cli(capsys, "report", f["stars"], f["scores"], *option, "--format", "json")
        assert code == 0
        results.append(json.loads(out))
    assert results[0]["metrics"] == results[1]["metrics"]
    assert results[0]["metrics"]["accuracy"] == pytest.approx(printed, abs=1e-6)  # Keras's number
    assert [r["name"] for r in results[0]["per_class"]] == ["1", "2", "3", "4", "5"]


# ---------------------------------------------------------------------------------------------
# 4. A single-unit softmax outputs exactly 1.0 everywhere
# ---------------------------------------------------------------------------------------------
def test_4_constant_one_is_a_finding_not_hard_predictions(one_unit_softmax, capsys):
    t = one_unit_softmax
    assert np.all(t.scores == 1.0)  # the training reproduces the story
    printed = t.history["val_accuracy"]
    assert len(set(printed)) == 1 and printed[-1] == pytest.approx(t.y.mean(), abs=1e-6)  # the positive rate
    rep = headcheck.report(t.y, t.scores)
    assert rep.task.score_kind == "probabilities" and rep.calibration is not None
    assert rep.findings[0].code == "HC103" and "exactly 1.0" in rep.findings[0].message
    assert str(rep.findings[0].severity) == "error"
    assert rep.metrics["log_loss"] == pytest.approx(t.history["val_loss"][-1], abs=1e-3)  # Keras's loss
    assert rep.thresholds is None  # a constant score leaves no threshold to choose
    from sklearn.metrics import average_precision_score, roc_auc_score

    # every pair is a true tie: the histogram AUC is exact, and the notes say so (no error bound)
    assert rep.metrics["roc_auc"] == roc_auc_score(t.y, t.scores[:, 0]) == 0.5
    assert rep.metrics["average_precision"] == pytest.approx(average_precision_score(t.y, t.scores[:, 0]))
    assert any("exact: every score is the same" in n for n in rep.notes)
    assert not any("the AUC is within" in n for n in rep.notes)
    assert f"always predicts (class 1: {t.y.mean():.4f} here)" in rep.findings[0].message
    code, out, _ = cli(capsys, "report", t.files["labels"], t.files["scores"])
    task = " ".join(out.split("Metrics that fit")[0].split())
    assert code == 0 and "read as probabilities of a constant output (not as predicted labels)" in task
    assert "predicted labels (hard)" not in task and "HC103 error single-unit-softmax" in out
    assert "Decision threshold" not in out
    ex = headcheck.explain(t.y, t.scores, f"val_accuracy: {printed[-1]:.4f}")
    assert ex.story and "majority-class rate" in ex.story[0] and "HC103" in ex.story[0]


# ---------------------------------------------------------------------------------------------
# 5. A multi-label model at threshold 0.5 predicting nothing
# ---------------------------------------------------------------------------------------------
def test_5_threshold_is_named_the_problem(rare_labels, capsys):
    from sklearn.metrics import f1_score

    t = rare_labels
    assert t.history["val_f1_score"][-1] == 0.0 and t.scores.max() < 0.5  # Keras printed micro-F1 0.0
    rep = headcheck.report(t.y, t.scores)
    best = rep.thresholds.overall.best["f1"]
    assert rep.metrics["micro_f1"] == 0.0 and best.threshold < 0.5 and best.value > 0.1
    # the best threshold's F1 is what Keras's own F1Score and scikit-learn give there
    keras_f1 = keras.metrics.F1Score(average="micro", threshold=float(best.threshold))
    keras_f1.update_state(t.y.astype("float32"), t.scores)
    assert best.value == pytest.approx(float(keras_f1.result()), abs=1e-6)
    assert best.value == pytest.approx(f1_score(t.y, t.scores >= best.threshold, average="micro"))
    found = [f for f in rep.findings if f.code == "HC308"]
    assert found and "predicts no positive label at all (micro_f1 0.0000)" in found[0].message
    assert f"micro_f1 is {best.value:.4f}" in found[0].message
    assert "choose the threshold on validation data" in found[0].fix
    code, out, _ = cli(capsys, "report", t.files["labels"], t.files["scores"])
    assert code == 0 and "HC308 warning threshold-far-from-best" in out and "at 0.5 nothing is predicted" in out


# ---------------------------------------------------------------------------------------------
# 6. Every format carries the message
# ---------------------------------------------------------------------------------------------
def test_6_markdown_and_html_carry_confusions_and_why_views_mislead(regression, rare_labels, capsys):
    f = regression.files
    code, md, _ = cli(capsys, "report", f["stars"], f["scores"], "--task", "ordinal", "--format", "markdown")
    rep = headcheck.report(regression.y, regression.scores, task="ordinal")
    t, p, _ = rep.confusions[0]
    assert code == 0 and f"**Top confusions (true -> predicted: weight):** {t + 1} -> {p + 1}:" in md
    row = next(line for line in md.splitlines() if line.startswith("| keras.binary_accuracy |"))
    assert "**no: misleading**" in row and "only the labels 0 and 1 can ever match" in row
    f = rare_labels.files
    code, md, _ = cli(capsys, "report", f["labels"], f["scores"], "--format", "markdown")
    row = next(line for line in md.splitlines() if line.startswith("| keras.categorical_accuracy |"))
    assert "**no: misleading**" in row and "FIRST positive label" in row
    assert "HC308" in md and "## Findings" in md
    code, html, _ = cli(capsys, "report", f["labels"], f["scores"], "--format", "html")
    assert "FIRST positive label" in html and "HC308" in html


STORY_OPTIONS = {"collapsed": ("stars", ["--label-offset", "1"], {"label_offset": 1}),
                 "regression": ("stars", ["--task", "ordinal"], {"task": "ordinal"}),
                 "one_unit_softmax": ("labels", [], {}), "rare_labels": ("labels", [], {})}


@pytest.mark.parametrize("story", list(STORY_OPTIONS))
def test_6_plots_show_the_views_and_the_findings(story, request, folder, capsys):
    """`report --plot` written as SVG with its text kept as text, so that the panels' words can be
    read back (the PNGs of these stories were looked at by hand: nothing clipped, no empty panel)."""
    matplotlib = pytest.importorskip("matplotlib")
    t = request.getfixturevalue(story)
    labels, options, kw = STORY_OPTIONS[story]
    path = folder / f"{story}.svg"
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        code, _, _ = cli(capsys, "report", t.files[labels], t.files["scores"], *options, "--plot", path)
    assert code == 0
    svg = path.read_text()
    rep = headcheck.report(t.y, t.scores, **kw)
    assert "framework views (red: misleading)" in svg
    # the findings stand under the views, one a line (each line its own SVG text element)
    shown = " ".join(re.findall(r">([^<>]*)</text>", svg[svg.rfind("<text", 0, svg.index("findings: ")):]))
    assert all(f"{f.code} {f.name}" in shown for f in rep.findings)
    assert (re.search(r"findings: none", svg) is not None) == (not rep.findings)
    assert "no confusions to show" not in svg and "hard predictions: no calibration" not in svg
    assert ("reliability diagram" in svg) == (rep.calibration is not None)
    if story == "rare_labels":
        assert "positives per label: true vs predicted" in svg and "no label is predicted positive" in svg
        assert "in use 0.5" in svg and "metrics across thresholds" in svg
        rep.plot(str(folder / f"{story}.png"))
        assert (folder / f"{story}.png").stat().st_size > 20_000
    if story == "one_unit_softmax":
        assert "metrics across thresholds" not in svg  # a constant score has no curve to draw


def test_6_threshold_panel_keeps_the_threshold_in_use_in_view(rare_labels):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from headcheck.plot import _thresholds

    rep = headcheck.report(rare_labels.y, rare_labels.scores)
    fig, ax = plt.subplots()
    try:
        _thresholds(ax, rep)
        lo, hi = ax.get_xlim()
        assert lo < rep.thresholds.overall.best["f1"].threshold and 0.5 < hi  # every score is below 0.5
    finally:
        plt.close(fig)


# ---------------------------------------------------------------------------------------------
# 7. Wording
# ---------------------------------------------------------------------------------------------
def test_7_hc307_never_prints_equal_digits_around_below():
    """A model predicting the majority class for all but one of 40,000 rows (that one wrong): its
    accuracy is 1/40,000 below the majority rate, the same to 4 decimals."""
    y = np.zeros(40_000, dtype=int)
    y[:900] = 1  # 97.75 % class 0
    pred = np.zeros(40_000, dtype=int)
    pred[-1] = 1
    rep = headcheck.report(y, pred)
    msg = next(f.message for f in rep.findings if f.code == "HC307")
    a, b = re.search(r"accuracy (\d\.\d+) is below the majority-class rate (\d\.\d+)", msg).groups()
    assert a != b and float(a) < float(b)


def test_7_hc301_with_an_unknown_loss_says_what_it_depends_on(rare_labels, capsys):
    code, out, _ = cli(capsys, "check", "--activation", "sigmoid", "--units", "8", "--metric", "accuracy",
                       "--labels", rare_labels.files["labels"])
    assert code == 1 and "HC301" in out
    assert "undetermined (undetermined)" not in out and "undetermined" not in out
    assert "depends on the loss, which is unknown" in " ".join(out.split())


def test_7_explain_on_three_rows(healthy, capsys):
    rows = [int(np.flatnonzero(healthy.y == star)[0]) for star in (1, 3, 5)]  # three rows, three classes
    y, p = healthy.y[rows] - 1, healthy.scores[rows]
    acc = float(np.mean(p.argmax(1) == y))
    ex = headcheck.explain(y, p, f"{acc:.4f}")
    assert ex.tolerance == pytest.approx(0.01)  # not half a step of 1/3
    assert all(abs(m.value - acc) <= 0.01 for m in ex.matches)
    assert any("on 3 samples a metric moves in steps of 1/3" in n for n in ex.notes)
    text = ex.to_text()
    listed = text.split("Definitions that give")[1].split("Recommended")[0]
    full = [line for line in listed.splitlines() if re.match(r"  \S+ = ", line)]
    assert 1 <= len(full) <= 5, listed
    if ex.tied and len(ex.tied) > 3:
        assert any("cannot be told apart" in n for n in ex.notes) and "also exactly" in listed


def test_7_pasted_keras_log_lines_are_accepted(healthy, capsys):
    line = healthy.log.strip().splitlines()[-1]  # the last epoch, as Keras printed it
    assert "val_accuracy:" in line and "accuracy:" in line
    f = healthy.files
    code, out, _ = cli(capsys, "explain", f["stars"], f["scores"], "--label-offset", "1", "--reported", line,
                       "--format", "json")
    d = json.loads(out)
    printed = healthy.history["val_accuracy"][-1]
    assert code == 0 and d["name"] == "val_accuracy" and d["reported"] == pytest.approx(round(printed, 4))
    assert d["matches"][0]["id"] in ("accuracy", "keras.sparse_categorical_accuracy")
    assert d["recommended"]["id"] == "accuracy"
    # the training accuracy on that line (an epoch average on the training rows)
    assert f"accuracy: {healthy.history['accuracy'][-1]:.4f} matches nothing here (another split?)" in d["notes"][0]
    for given in (f"accuracy: {printed:.4f}", f"val_acc {100 * printed:.2f}%"):
        ex = headcheck.explain(healthy.y, healthy.scores, given, label_offset=1)
        assert ex.reported == pytest.approx(printed, abs=5e-5) and ex.matches
        assert ex.recommended.id == "accuracy"


def test_7_nothing_matches_says_what_else_the_number_may_be(healthy, capsys):
    """Keras's training accuracy is an average over the epoch's batches while the weights move:
    explained against the final model's predictions on the training rows, nothing matches."""
    printed = healthy.history["accuracy"][-1]
    f = healthy.files
    code, out, _ = cli(capsys, "explain", f["train_labels"], f["train_scores"], "--reported",
                       f"accuracy: {printed:.4f}")
    assert code == 0 and "No metric, view or baseline gives" in out and "It may be:" in out
    joined = " ".join(out.split())
    assert "an epoch average of batch values" in joined and "another split" in joined
    assert "Nearest definitions:" in joined
    ex = headcheck.explain(healthy.y_train - 1, healthy.train_scores, f"accuracy: {printed:.4f}")
    assert not ex.matches and len(ex.nearest) == 5 and ex.name == "accuracy"
    # five different numbers, not accuracy and the four views that print the same accuracy
    assert len({round(m.value, 12) for m in ex.nearest}) == 5
    final = float(np.mean(healthy.train_scores.argmax(1) == healthy.y_train - 1))
    assert {m.id: m.value for m in ex.nearest}["accuracy"] == pytest.approx(final)
