"""Framework views: what each framework's accuracy function reports on this data.

Each view is computed from the same pass with that framework's conventions (checked against the
real functions in tests/test_engine_views.py):

- Keras 3 ``binary_accuracy``: ``y_pred > 0.5`` (strict) on the raw scores, logits included,
  averaged over every column of the one-hot / multi-hot labels.
- Keras 3 ``categorical_accuracy``: argmax of labels and scores, ties to the first index (on
  multi-hot labels that is the first positive label).
- Keras 3 ``top_k_categorical_accuracy`` (k=5) on the torch backend: a hit when the true class's
  score is >= the k-th largest score, so ties favour the true class.
- torchmetrics: float scores go through a sigmoid only if some value lies outside [0, 1];
  torchmetrics decides that per ``update()`` call, the engine on the whole data (score_min /
  score_max). Then ``preds > 0.5``. Macro multiclass accuracy drops classes with tp+fp+fn == 0.
  torchmetrics has no sample weights: with weights, the value shown is the weighted one and the
  view's note says so (unweighted torchmetrics would differ).
"""
from __future__ import annotations

from headcheck.engine._common import safe_div
from headcheck.engine._result import View

TORCH_WEIGHT_NOTE = ("torchmetrics takes no sample weights: this is the weighted value of its "
                     "definition; torchmetrics itself would ignore the weights.")


def _torch(state, value: float, meaning: str, fits: bool, note: str = "") -> View:
    if state.weighted:
        note = (note + " " + TORCH_WEIGHT_NOTE).strip()
    return View(float(value), meaning, fits, note)


def multiclass_views(state, m: dict, notes: list[str]) -> dict[str, View]:
    st, K, W = state.stats, state.n_classes, state.total_weight
    hard = state.profile.score_kind == "hard"
    wrong = st["above"][0] - st["true_above"][0] + (W - st["true_above"][0])
    acc, bal = m["accuracy"], m["balanced_accuracy"]
    present = (st["support"] + st["predicted"]) > 0
    macro = float(safe_div(st["tp"], st["support"])[present].mean()) if present.any() else 0.0
    views = {
        "keras.binary_accuracy": View(
            float(1 - wrong / (K * W)),
            f"mean over the {K} one-hot columns of (score > 0.5) == label: inflated, "
            f"predicting nothing already scores {(K - 1) / K:.2f}",
            False,
            "Keras applies it to each one-hot column separately, not to the class decision."),
        "keras.categorical_accuracy": View(
            acc, "argmax of the scores equals argmax of the one-hot labels (ties: first index)",
            True),
        "keras.sparse_categorical_accuracy": View(
            acc, "argmax of the scores equals the integer label (ties: first index)", True),
        "sklearn.accuracy_score": View(acc, "fraction of rows whose predicted class is right",
                                       True),
        "sklearn.balanced_accuracy_score": View(bal, "mean recall over the classes present", True),
    }
    if not hard and K >= 5:
        i = state.ks.index(5)
        views["keras.top_k_categorical_accuracy"] = View(
            float(st["topk"][i] / W),
            "true class among the 5 highest scores (ties count as a hit)", K > 5,
            "" if K > 5 else "with 5 classes every row is a hit.")
    elif not hard:
        notes.append("keras.top_k_categorical_accuracy is not shown: with fewer than 5 classes "
                     "Keras 3 (torch backend) raises 'selected index k out of range'.")
    views["torchmetrics.accuracy"] = _torch(
        state, acc, "Accuracy(task='multiclass'): micro average, the plain accuracy", True)
    views["torchmetrics.multiclass_accuracy"] = _torch(
        state, macro, "MulticlassAccuracy: macro average of per-class recall over the classes "
        "seen in labels or predictions", True)
    return views


def _in_unit_interval(state) -> bool:
    """Whether torchmetrics would take the scores as probabilities (no sigmoid)."""
    return state.score_min >= 0.0 and state.score_max <= 1.0


def binary_views(state, m: dict, notes: list[str]) -> dict[str, View]:
    p = state.profile
    kind, layout = p.score_kind, p.score_layout
    hard = kind == "hard"
    views: dict[str, View] = {}
    keras = "honest" if hard else "keras"
    if layout == "two-columns" and kind == "logits":
        notes.append("keras.binary_accuracy is not shown: on two logit columns it thresholds each"
                     " raw column, and the engine receives only their difference.")
    elif layout == "two-columns":
        value = (state.accuracy_at(keras) + state.accuracy_at("keras_ge")) / 2
        views["keras.binary_accuracy"] = View(
            value, "mean over both one-hot columns of (score > 0.5) == label", True,
            "a score of exactly 0.5 counts as wrong in one of the two columns.")
    else:
        fits = kind != "logits"
        note = ("" if fits else "the scores are logits: Keras still thresholds them at 0.5, "
                "which is a probability of 0.62, not 0.5.")
        if fits and not hard and p.threshold != 0.5:
            note = f"Keras uses 0.5; the report's threshold is {p.threshold}."
        views["keras.binary_accuracy"] = View(
            state.accuracy_at(keras), "fraction of rows where (score > 0.5) equals the label",
            fits, note)
    if layout == "two-columns":
        name = "sigmoid" if kind == "logits" else keras
        views["keras.categorical_accuracy"] = View(
            state.accuracy_at(name), "argmax of the two scores equals argmax of the one-hot "
            "labels (ties: first column)", True)
    else:
        views["keras.categorical_accuracy"] = View(
            1.0, "argmax over a single output column is always 0, for labels and scores alike",
            False, "always 1.0: with one output unit categorical accuracy measures nothing.")
    views["sklearn.accuracy_score"] = View(
        m["accuracy"], f"fraction of rows right when predicting positive above {p.threshold}",
        True)
    views["sklearn.balanced_accuracy_score"] = View(
        m["balanced_accuracy"], "mean of the recalls of the two classes", True)
    if hard or _in_unit_interval(state):
        name = "honest" if hard else "keras"
        views["torchmetrics.accuracy"] = _torch(
            state, state.accuracy_at(name), "Accuracy(task='binary'): (preds > 0.5) == target",
            True)
    elif "sigmoid" in state.thresholds:
        views["torchmetrics.accuracy"] = _torch(
            state, state.accuracy_at("sigmoid"), "Accuracy(task='binary'): sigmoid (the scores "
            "leave [0, 1]) then (preds > 0.5) == target", True)
    else:
        notes.append("torchmetrics.accuracy is not shown: probabilities outside [0, 1] would go "
                     "through torchmetrics' sigmoid, which this state did not track.")
    return views


def multilabel_views(state, m: dict, notes: list[str]) -> dict[str, View]:
    kind = state.profile.score_kind
    hard = kind == "hard"
    keras = "honest" if hard else "keras"
    W = state.total_weight
    views = {
        "keras.binary_accuracy": View(
            float(state.label_accuracy(keras).mean()),
            "per-label accuracy: mean over every label of (score > 0.5) == label",
            kind != "logits",
            "" if kind != "logits" else "the scores are logits: Keras still thresholds them at "
            "0.5, which is a probability of 0.62, not 0.5."),
        "keras.categorical_accuracy": View(
            float(state.stats["keras_cat"][0] / W),
            "argmax of the scores equals the FIRST positive label of each row: no meaning for "
            "multi-label data", False,
            "what metrics=['accuracy'] becomes in tf.keras >= 2.2 / Keras 3 on multi-hot labels."),
        "sklearn.accuracy_score": View(
            m["subset_accuracy"], "subset (exact-match) accuracy: a row counts only when every "
            "label is right", True),
    }
    if hard or _in_unit_interval(state):
        name, how = ("honest" if hard else "keras"), "(preds > 0.5)"
    elif "sigmoid" in state.thresholds:
        name, how = "sigmoid", "sigmoid (the scores leave [0, 1]) then (preds > 0.5)"
    else:
        notes.append("torchmetrics views are not shown: probabilities outside [0, 1] would go "
                     "through torchmetrics' sigmoid, which this state did not track.")
        return views
    acc = state.label_accuracy(name)
    views["torchmetrics.accuracy"] = _torch(
        state, acc.mean(), f"Accuracy(task='multilabel'): micro per-label accuracy of {how}", True)
    views["torchmetrics.multilabel_accuracy"] = _torch(
        state, acc.mean(), f"MultilabelAccuracy: macro mean of per-label accuracy of {how}", True)
    views["torchmetrics.multilabel_exact_match"] = _torch(
        state, state.stats[f"exact_{name}"][0] / W,
        f"MultilabelExactMatch: fraction of rows with every label right, {how}", True)
    return views
