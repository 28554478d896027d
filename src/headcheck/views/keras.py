"""Keras 3 views (checked against the real metric classes, torch backend, in
tests/test_views_keras.py).

- ``binary_accuracy``: ``y_pred > 0.5`` (strict) on the raw scores, logits included, averaged over
  every column of the one-hot / multi-hot labels. Multiclass probability rows sum to 1, so at most
  the largest score exceeds 0.5 (the state counts it); logits are counted in full.
- ``categorical_accuracy``: argmax of labels and scores, ties to the first index (on multi-hot
  labels that is the first positive label).
- ``top_k_categorical_accuracy`` (k=5) on the torch backend: a hit when the true class's score is
  >= the k-th largest score, so ties favour the true class.
"""
from __future__ import annotations

from headcheck.engine._result import View
from headcheck.views import register

FRAMEWORK = "keras"
LOGITS_AT_HALF = ("the scores are logits: Keras still thresholds them at 0.5, which is a "
                  "probability of 0.62, not 0.5.")

# explain: the honest metric to report instead of each view (default: the task's own accuracy)
HONEST = {
    "keras.binary_accuracy": {"multilabel": "per_label_accuracy"},
    "keras.categorical_accuracy": {"multilabel": "subset_accuracy"},
    "keras.sparse_categorical_accuracy": {"multilabel": "subset_accuracy"},
    "keras.mean_absolute_error": {"*": "mae"},
    "keras.mean_squared_error": {"*": "rmse"},
}
# explain: names as Keras prints them in its logs (`val_` stripped)
PRINTED_NAMES = {
    "binary_accuracy": "keras.binary_accuracy",
    "categorical_accuracy": "keras.categorical_accuracy",
    "sparse_categorical_accuracy": "keras.sparse_categorical_accuracy",
    "top_k_categorical_accuracy": "keras.top_k_categorical_accuracy",
    "mae": "keras.mean_absolute_error",
    "mean_absolute_error": "keras.mean_absolute_error",
    "mse": "keras.mean_squared_error",
    "mean_squared_error": "keras.mean_squared_error",
}


@register(FRAMEWORK, "binary")
def binary(state, m: dict, notes: list[str]) -> dict[str, View]:
    p = state.profile
    kind, layout = p.score_kind, p.score_layout
    hard = kind == "hard"
    name = "honest" if hard else "keras"  # hard 0/1 predictions: every threshold decides alike
    views: dict[str, View] = {}
    if layout == "two-columns" and kind == "logits":
        notes.append("keras.binary_accuracy is not shown: on two logit columns it thresholds each"
                     " raw column, and the engine receives only their difference.")
    elif layout == "two-columns":
        # hard one-hot predictions: both columns decide alike (no separate >= 0.5 count is kept)
        value = (state.accuracy_at(name) + state.accuracy_at(name if hard else "keras_ge")) / 2
        views["keras.binary_accuracy"] = View(
            value, "mean over both one-hot columns of (score > 0.5) == label", True,
            "a score of exactly 0.5 counts as wrong in one of the two columns.")
    else:
        fits = kind != "logits"
        note = "" if fits else LOGITS_AT_HALF
        if fits and not hard and p.threshold != 0.5:
            note = f"Keras uses 0.5; the report's threshold is {p.threshold}."
        views["keras.binary_accuracy"] = View(
            state.accuracy_at(name), "fraction of rows where (score > 0.5) equals the label",
            fits, note)
    if layout == "two-columns":
        views["keras.categorical_accuracy"] = View(
            state.accuracy_at("sigmoid" if kind == "logits" else name),
            "argmax of the two scores equals argmax of the one-hot labels (ties: first column)",
            True)
    else:
        views["keras.categorical_accuracy"] = View(
            1.0, "argmax over a single output column is always 0, for labels and scores alike",
            False, "always 1.0: with one output unit categorical accuracy measures nothing.")
    return views


@register(FRAMEWORK, "multiclass")
def multiclass(state, m: dict, notes: list[str]) -> dict[str, View]:
    st, K, W = state.stats, state.n_classes, state.total_weight
    wrong = st["above"][0] - st["true_above"][0] + (W - st["true_above"][0])
    acc = m["accuracy"]
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
    }
    hard = state.profile.score_kind == "hard"
    if not hard and K >= 5:
        i = state.ks.index(5)
        views["keras.top_k_categorical_accuracy"] = View(
            float(st["topk"][i] / W),
            "true class among the 5 highest scores (ties count as a hit)", K > 5,
            "" if K > 5 else "with 5 classes every row is a hit.")
    elif not hard:
        notes.append("keras.top_k_categorical_accuracy is not shown: with fewer than 5 classes "
                     "Keras 3 (torch backend) raises 'selected index k out of range'.")
    return views


@register(FRAMEWORK, "multilabel")
def multilabel(state, m: dict, notes: list[str]) -> dict[str, View]:
    kind = state.profile.score_kind
    name = "honest" if kind == "hard" else "keras"
    return {
        "keras.binary_accuracy": View(
            float(state.label_accuracy(name).mean()),
            "per-label accuracy: mean over every label of (score > 0.5) == label",
            kind != "logits", "" if kind != "logits" else LOGITS_AT_HALF),
        "keras.categorical_accuracy": View(
            float(state.stats["keras_cat"][0] / state.total_weight),
            "argmax of the scores equals the FIRST positive label of each row: no meaning for "
            "multi-label data", False,
            "what metrics=['accuracy'] becomes in tf.keras >= 2.2 / Keras 3 on multi-hot labels."),
    }


@register(FRAMEWORK, "ordinal")
def ordinal(state, m: dict, notes: list[str]) -> dict[str, View]:
    """Class scores and predicted classes: what Keras prints for a multi-class head. One
    regression output: Keras's `mae` / `mse` of the raw output, and what `metrics=['accuracy']`
    becomes on one output (binary accuracy: `output > 0.5` compared with the label value)."""
    kind = state.profile.score_kind
    if kind == "regression":
        st, W = state.stats, state.total_weight
        raw = "of the raw output, before rounding to a class"
        return {
            "keras.mean_absolute_error": View(
                float(st["raw_abs"][0] / W), "mean absolute error of the output against the label "
                "values (metrics=['mae'])", True, f"{raw}: the class error is mae."),
            "keras.mean_squared_error": View(
                float(st["raw_sq"][0] / W), "mean squared error of the output against the label "
                "values (metrics=['mse'], the MSE loss)", True, f"{raw}; the class error is rmse."),
            "keras.binary_accuracy": View(
                float(st["keras_bin"][0] / W), "fraction of rows where (output > 0.5) equals the "
                "label value: what metrics=['accuracy'] becomes on one output", False,
                "on ordered classes only the labels 0 and 1 can ever match: no meaning."),
        }
    if kind in ("cumulative", "cumulative-logits"):
        return cumulative(state, m)
    return multiclass(state, m, notes)


def cumulative(state, m: dict) -> dict[str, View]:
    """K-1 cumulative outputs trained on the 0/1 'class > k' targets: Keras has no metric that
    reads them as classes; what it prints compares each output column with its own target.
    `metrics=['accuracy']` becomes binary_accuracy under Keras 1.0.6-2.3 / tf.keras <= 2.1 (a
    binary loss) and categorical_accuracy under tf.keras >= 2.2 / Keras 3 (labels as wide as the
    outputs)."""
    st, W, cuts = state.stats, state.total_weight, state.n_classes - 1
    exact = f"the share of ratings predicted exactly, accuracy {m['accuracy']:.4f}"
    note = (f"it averages the {cuts} 'class > k' decisions, most of them easy for a rating far "
            f"from the cut, so it sits far above {exact}.")
    if state.profile.score_kind == "cumulative-logits":
        note += " " + LOGITS_AT_HALF
    return {
        "keras.binary_accuracy": View(
            float(st["keras_cols"][0] / (W * cuts)),
            f"mean over the {cuts} cumulative columns of (score > 0.5) == (class > k): what "
            "metrics=['binary_accuracy'] prints on the 'class > k' targets ('accuracy' too, under "
            "Keras <= 2.3 / tf.keras <= 2.1)", False, note),
        "keras.categorical_accuracy": View(
            float(st["keras_first"][0] / W),
            "argmax of the scores equals argmax of the 'class > k' target row, which is always 0: "
            "the share of rows whose first output is the highest; what metrics=['accuracy'] "
            "becomes under tf.keras >= 2.2 / Keras 3 on these targets", False,
            f"no meaning: a rank-consistent head scores 1.0 whatever it predicts, far above "
            f"{exact}."),
    }
