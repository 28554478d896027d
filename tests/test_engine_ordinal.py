"""Ordinal targets: each metric against scikit-learn / scipy on random inputs, for every score
kind (class probabilities, logits, predicted classes, one regression output, cumulative
CORAL-style probabilities), streamed in chunks, merged, weighted, and with many classes."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr
from sklearn.metrics import (accuracy_score, cohen_kappa_score, mean_absolute_error,
                             mean_squared_error, recall_score)

import headcheck
from headcheck.engine import new_state
from headcheck.errors import InputError
from headcheck.task import TaskProfile


def scores(kind: str, y: np.ndarray, k: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(scores of `kind`, the class each predicts by the documented rule)."""
    n = len(y)
    if kind in ("probabilities", "logits"):
        z = rng.normal(size=(n, k)) * 1.5
        z[np.arange(n), y] += rng.random(n) * 2  # some signal
        if kind == "logits":
            return z, z.argmax(axis=1)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        return p, p.argmax(axis=1)
    if kind == "hard":
        pred = np.clip(y + rng.integers(-2, 3, n), 0, k - 1)
        return pred, pred
    if kind == "regression":  # in label units 0..K-1, sometimes past the ends
        out = y + rng.normal(size=n) * 0.9
        return out, np.clip(np.floor(out + 0.5), 0, k - 1).astype(int)
    # cumulative: P(y > j) falling with j (CORAL is rank-consistent)
    cum = np.sort(rng.random((n, k - 1)), axis=1)[:, ::-1]
    return cum, (cum > 0.5).sum(axis=1)


def reference(y, pred, k, w=None) -> dict:
    out = {
        "mae": mean_absolute_error(y, pred, sample_weight=w),
        "rmse": np.sqrt(mean_squared_error(y, pred, sample_weight=w)),
        "within_one_accuracy": np.average(np.abs(y - pred) <= 1, weights=w),
        "quadratic_weighted_kappa": cohen_kappa_score(y, pred, weights="quadratic", labels=np.arange(k),
                                                      sample_weight=w),
        "accuracy": accuracy_score(y, pred, sample_weight=w),
    }
    if w is None:
        out["spearman"] = spearmanr(y, pred).statistic
    return out


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(["probabilities", "logits", "hard", "regression", "cumulative"]),
       k=st.integers(2, 9), n=st.integers(20, 400), chunk=st.sampled_from([7, 64, 10_000]),
       weighted=st.booleans(), seed=st.integers(0, 10_000))
def test_metrics_match_sklearn_and_scipy(kind, k, n, chunk, weighted, seed):
    rng = np.random.default_rng(seed)
    y = rng.choice(k, n, p=rng.dirichlet(np.ones(k)))
    s, pred = scores(kind, y, k, rng)
    w = rng.uniform(0.1, 3.0, n) if weighted else None
    classes = list(range(k))  # the labels may miss classes: say how many there are
    score_kind = {"cumulative": "cumulative", "regression": "regression", "logits": "logits"}.get(kind)
    rep = headcheck.report(y, s, task="ordinal", classes=classes, sample_weight=w, chunk_rows=chunk,
                           score_kind=score_kind)
    assert rep.task.kind == "ordinal" and rep.task.n_classes == k
    for key, want in reference(y, pred, k, w).items():
        got = rep.metrics[key]
        if np.isnan(want):
            assert np.isnan(got), key
        else:
            assert got == pytest.approx(want, abs=1e-9), key
    recall = recall_score(y, pred, labels=np.arange(k), average=None, sample_weight=w, zero_division=0)
    assert [r["recall"] for r in rep.per_class] == pytest.approx(recall)


def test_regression_output_views_are_keras_numbers_on_the_raw_output():
    rng = np.random.default_rng(1)
    y = rng.integers(1, 6, 500)  # ratings 1..5 in label units
    out = y + rng.normal(size=500)
    rep = headcheck.report(y, out, task="ordinal")
    assert rep.task.label_offset == 1 and rep.task.classes == ("1", "2", "3", "4", "5")
    assert rep.views["keras.mean_absolute_error"].value == pytest.approx(np.mean(np.abs(out - y)))
    assert rep.views["keras.mean_squared_error"].value == pytest.approx(np.mean((out - y) ** 2))
    # what Keras's binary_accuracy ('accuracy' on one output) computes: (out > 0.5) == y
    assert rep.views["keras.binary_accuracy"].value == pytest.approx(np.mean((out > 0.5) == y))
    assert rep.views["keras.binary_accuracy"].fits_task is False
    pred = np.clip(np.floor(out + 0.5), 1, 5)
    assert rep.metrics["mae"] == pytest.approx(mean_absolute_error(y, pred))


def test_regression_output_with_stated_class_values():
    y = np.array([10, 20, 30, 30, 40])
    out = np.array([14.0, 26.0, 24.0, 35.0, 70.0])  # nearest: 10, 30, 20, 40 (halves up), 40
    rep = headcheck.report(y, out, task="ordinal", classes=[10, 20, 30, 40])
    assert rep.metrics["accuracy"] == pytest.approx(2 / 5)
    assert rep.metrics["mae"] == pytest.approx((0 + 1 + 1 + 1 + 0) / 5)


def test_cumulative_logits_and_coral_rule():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 4, 300)
    logits = np.sort(rng.normal(size=(300, 3)) * 2, axis=1)[:, ::-1] + y[:, None] * 0.5
    rep = headcheck.report(y, logits, task="ordinal", score_kind="cumulative-logits")
    pred = (logits > 0).sum(axis=1)
    assert rep.metrics["accuracy"] == pytest.approx(accuracy_score(y, pred))
    inferred = headcheck.report(y, logits, task="ordinal")  # K-1 falling columns: cumulative
    assert inferred.task.score_kind == "cumulative-logits" and inferred.task.n_classes == 4
    assert inferred.metrics == rep.metrics


def test_inference_of_class_scores_vs_cumulative():
    y = np.array([0, 1, 2, 3, 3])
    probs = np.eye(4)[y] * 0.7 + 0.075
    assert headcheck.report(y, probs, task="ordinal").task.score_kind == "probabilities"
    cum = np.array([[.2, .1, .0], [.8, .3, .1], [.9, .7, .2], [.95, .9, .8], [.99, .9, .6]])
    rep = headcheck.report(y, cum, task="ordinal")  # labels need 4 classes, 3 columns
    assert rep.task.score_kind == "cumulative" and rep.metrics["accuracy"] == 1.0
    # predicted classes in label units, mapped like the labels
    rep = headcheck.report(y + 1, y + 1, task="ordinal", label_offset=1)
    assert rep.metrics["mae"] == 0.0 and rep.task.score_kind == "hard"


def test_ordinal_is_never_inferred():
    y = np.array([0, 1, 2, 2])
    assert headcheck.report(y, np.eye(3)[y]).task.kind == "multiclass"


def test_string_labels_need_their_order():
    y = np.array(["bad", "good", "ok", "ok"])
    p = np.eye(3)[[0, 2, 1, 1]]
    with pytest.raises(InputError, match="--classes bad,ok,good"):
        headcheck.report(y, p, task="ordinal")
    rep = headcheck.report(y, p, task="ordinal", classes="bad,ok,good")
    assert rep.metrics["mae"] == 0.0


def test_median_baseline_is_the_best_constant():
    rng = np.random.default_rng(4)
    y = rng.choice(6, 777, p=[.05, .1, .3, .1, .15, .3])
    rep = headcheck.report(y, np.eye(6)[rng.integers(0, 6, 777)], task="ordinal")
    maes = [np.mean(np.abs(y - c)) for c in range(6)]
    base = rep.baselines["median_class"]
    assert base.value == pytest.approx(min(maes)) and base.extra["class"] == int(np.argmin(maes))


def test_collapsed_predictions_spearman_undefined():
    y = np.array([0, 1, 2, 2, 1])
    rep = headcheck.report(y, np.full(5, 2), task="ordinal", classes=[0, 1, 2])
    assert np.isnan(rep.metrics["spearman"]) and rep.to_dict()["metrics"]["spearman"] is None
    assert rep.metrics["quadratic_weighted_kappa"] == pytest.approx(0.0, abs=1e-12)


def test_many_classes_sparse_confusions():
    rng = np.random.default_rng(5)
    k, n = 3000, 20_000
    y = rng.integers(0, k, n)
    pred = np.clip(y + rng.integers(-3, 4, n), 0, k - 1)
    rep = headcheck.report(y, pred, task="ordinal", classes=list(range(k)), chunk_rows=4096)
    want = reference(y, pred, k)
    for key in ("mae", "rmse", "within_one_accuracy", "quadratic_weighted_kappa", "spearman"):
        assert rep.metrics[key] == pytest.approx(want[key], abs=1e-9), key


def test_split_states_merge_to_the_whole():
    rng = np.random.default_rng(6)
    y = rng.integers(0, 5, 400)
    out = y + rng.normal(size=400)
    p = TaskProfile("ordinal", 5, "integer", "regression", "column")
    whole, a, b = new_state(p), new_state(p), new_state(p)
    whole.update(y, out)
    a.update(y[:150], out[:150])
    b.update(y[150:], out[150:])
    assert a.merge(b).result().metrics == pytest.approx(whole.result().metrics)
    assert set(whole.stats) >= {"abs_err", "sq_err", "within_one", "raw_abs", "raw_sq", "keras_bin"}


def test_cli_task_ordinal(tmp_path, capsys):
    import json

    from headcheck.cli import main

    rng = np.random.default_rng(7)
    y = rng.integers(1, 6, 100)
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "out.npy", (y + rng.normal(size=100)).astype(np.float32))
    assert main(["report", str(tmp_path / "y.npy"), str(tmp_path / "out.npy"), "--task", "ordinal",
                 "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert {"mae", "rmse", "within_one_accuracy", "quadratic_weighted_kappa", "spearman"} <= set(d["metrics"])
    assert "median_class" in d["baselines"] and d["task"]["score_kind"] == "regression"


@pytest.fixture(scope="module")
def diabetes_ratings():
    """scikit-learn's diabetes progression cut into ratings 1..5 (quintiles), with what a user's
    models give on held-out rows: a softmax over the 5 ratings (LogisticRegression.predict_proba)
    and one 'class > j' sigmoid per cut (4 independent LogisticRegressions: cumulative columns
    that, unlike CORAL's, rise somewhere)."""
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import LogisticRegression

    x, t = load_diabetes(return_X_y=True)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    stars = np.digitize(t, np.quantile(t, [0.2, 0.4, 0.6, 0.8])) + 1
    tr, te = slice(0, 300), slice(300, None)
    soft = LogisticRegression(max_iter=2000).fit(x[tr], stars[tr]).predict_proba(x[te])
    cum = np.column_stack([LogisticRegression(max_iter=2000).fit(x[tr], stars[tr] > j + 1)
                           .predict_proba(x[te])[:, 1] for j in range(4)])
    return stars[te], soft, cum


def test_softmax_over_one_based_ratings_is_not_read_as_cumulative(diabetes_ratings):
    """5 probability columns with ratings 1..5: the labels need 6 classes, one more than there are
    columns, but rows that sum to 1 are class scores, never CORAL outputs of 6 classes with an
    empty class 0 (which gave an MAE of 3 classes without a word)."""
    y, soft, _ = diabetes_ratings
    with pytest.raises(InputError, match=r"--label-offset 1 or --classes 1,2,3,4,5"):
        headcheck.report(y, soft, task="ordinal")
    rep = headcheck.report(y, soft, task="ordinal", label_offset=1)
    assert rep.task.score_kind == "probabilities" and rep.task.n_classes == 5
    pred = soft.argmax(axis=1) + 1
    assert rep.metrics["mae"] == pytest.approx(mean_absolute_error(y, pred))
    assert rep.metrics["quadratic_weighted_kappa"] == pytest.approx(
        cohen_kappa_score(y, pred, weights="quadratic"))


def test_cumulative_columns_with_one_based_ratings_say_how_to_state_them(diabetes_ratings):
    y, _, cum = diabetes_ratings
    assert np.any(np.diff(cum, axis=1) > 0)  # independent sigmoids: not rank-consistent
    with pytest.raises(InputError, match=r"if the 4 columns are cumulative P\(y > k\) of 5 classes"
                                         r".*pass --score-kind cumulative") as e:
        headcheck.report(y, cum, task="ordinal")
    assert "give the last layer" not in str(e.value).split("Fix")[0]
    with pytest.raises(InputError, match=r"out of range for cumulative scores of 5 classes \(4 columns\)"
                                         r".*--label-offset 1"):
        headcheck.report(y, cum, task="ordinal", score_kind="cumulative")
    # rank-consistent columns (CORAL's) are read as cumulative without being told
    coral = np.sort(cum, axis=1)[:, ::-1]
    with pytest.raises(InputError, match=r"cumulative scores of 5 classes.*--label-offset 1"):
        headcheck.report(y, coral, task="ordinal")
    rep = headcheck.report(y, coral, task="ordinal", label_offset=1)
    pred = (coral > 0.5).sum(axis=1) + 1
    assert rep.task.score_kind == "cumulative"
    assert rep.metrics["mae"] == pytest.approx(mean_absolute_error(y, pred))
    assert rep.metrics["spearman"] == pytest.approx(spearmanr(y, pred).statistic)


def test_check_follows_its_own_ordinal_advice(diabetes_ratings, tmp_path, capsys):
    """HC205 recommends a cumulative-logit head (K-1 sigmoid outputs, binary cross-entropy on
    'class > k' targets) for ordered classes: `check` then says which targets it trains on, not
    'use a softmax' (which HC205 flags); a regression loss is valid on one linear output only."""
    from headcheck.cli import main
    from headcheck.head import HeadSpec

    y = diabetes_ratings[0] - 1  # class indices 0..4
    head = HeadSpec.declared(activation="sigmoid", units=4, loss="binary_crossentropy")
    found = headcheck.check(head, y, task="ordinal").findings
    assert [f.code for f in found] == ["HC202"] and str(found[0].severity) == "info"
    assert "cumulative-logit" in found[0].message and "np.arange(4)" in found[0].fix
    torch_head = HeadSpec.declared(activation="linear", units=4, loss="nn.BCEWithLogitsLoss")
    assert "torch.arange(4)" in headcheck.check(torch_head, y, task="ordinal").findings[0].fix
    # the same head on nominal classes, or with K outputs, is still the broadcast error
    assert str(headcheck.check(head, y).findings[0].severity) == "error"
    wide = HeadSpec.declared(activation="sigmoid", units=5, loss="binary_crossentropy")
    assert "nonsense" in headcheck.check(wide, y, task="ordinal").findings[0].message
    np.save(tmp_path / "y.npy", y)
    for head, code, words in ((["sigmoid", "1", "mse"], 1, "can never reach most classes"),
                              (["softmax", "5", "mse"], 1, "over 5 outputs on ordered classes"),
                              (["linear", "1", "mse"], 0, "is a valid choice")):
        act, units, loss = head
        assert main(["check", "--activation", act, "--units", units, "--loss", loss, "--labels",
                     str(tmp_path / "y.npy"), "--task", "ordinal"]) == code
        out = " ".join(capsys.readouterr().out.split())
        assert "HC109" in out and words in out
