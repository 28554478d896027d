"""torchmetrics views (checked against ``torchmetrics.functional`` in
tests/test_views_torchmetrics.py).

Float scores go through a sigmoid only if some value lies outside [0, 1]; torchmetrics decides that
per ``update()`` call, the engine on the whole data (score_min / score_max). Then ``preds > 0.5``,
which the engine evaluates as ``logit > 0``: exact, where torchmetrics' float32 sigmoid rounds
logits with 0 < |z| < ~1e-7 to 0.5 (a negative). Macro multiclass accuracy drops classes with
tp+fp+fn == 0. torchmetrics has no sample weights: with weights, the value shown is the weighted
one and the view's note says so (unweighted torchmetrics would differ).
"""
from __future__ import annotations

from headcheck.engine._common import safe_div
from headcheck.engine._result import View
from headcheck.views import register

FRAMEWORK = "torchmetrics"
WEIGHT_NOTE = ("torchmetrics takes no sample weights: this is the weighted value of its "
               "definition; torchmetrics itself would ignore the weights.")
NOT_TRACKED = ("probabilities outside [0, 1] would go through torchmetrics' sigmoid, which this "
               "state did not track.")

HONEST = {
    "torchmetrics.accuracy": {"multilabel": "per_label_accuracy"},
    "torchmetrics.multiclass_accuracy": {"*": "balanced_accuracy"},
    "torchmetrics.multilabel_accuracy": {"*": "per_label_accuracy"},
    "torchmetrics.multilabel_exact_match": {"*": "subset_accuracy"},
}
PRINTED_NAMES = {"exact_match": "torchmetrics.multilabel_exact_match"}


def _view(state, value: float, meaning: str, fits: bool = True, note: str = "") -> View:
    if state.weighted:
        note = (note + " " + WEIGHT_NOTE).strip()
    return View(float(value), meaning, fits, note)


def _decision(state) -> tuple[str, str] | None:
    """(threshold name in the state, how torchmetrics decides), or None when not tracked."""
    if state.profile.score_kind == "hard":
        return "honest", "(preds > 0.5)"
    if state.score_min >= 0.0 and state.score_max <= 1.0:  # taken as probabilities: no sigmoid
        return "keras", "(preds > 0.5)"
    if "sigmoid" in state.thresholds:
        return "sigmoid", "sigmoid (the scores leave [0, 1]) then (preds > 0.5)"
    return None


@register(FRAMEWORK, "binary")
def binary(state, m: dict, notes: list[str]) -> dict[str, View]:
    decision = _decision(state)
    if decision is None:
        notes.append("torchmetrics.accuracy is not shown: " + NOT_TRACKED)
        return {}
    name, how = decision
    return {"torchmetrics.accuracy": _view(state, state.accuracy_at(name),
                                           f"Accuracy(task='binary'): {how} == target")}


@register(FRAMEWORK, "multiclass")
def multiclass(state, m: dict, notes: list[str]) -> dict[str, View]:
    st = state.stats
    present = (st["support"] + st["predicted"]) > 0
    macro = float(safe_div(st["tp"], st["support"])[present].mean()) if present.any() else 0.0
    return {
        "torchmetrics.accuracy": _view(
            state, m["accuracy"], "Accuracy(task='multiclass'): micro average, the plain accuracy"),
        "torchmetrics.multiclass_accuracy": _view(
            state, macro, "MulticlassAccuracy: macro average of per-class recall over the classes "
            "seen in labels or predictions"),
    }


@register(FRAMEWORK, "multilabel")
def multilabel(state, m: dict, notes: list[str]) -> dict[str, View]:
    decision = _decision(state)
    if decision is None:
        notes.append("torchmetrics views are not shown: " + NOT_TRACKED)
        return {}
    name, how = decision
    acc = state.label_accuracy(name)
    return {
        "torchmetrics.accuracy": _view(
            state, acc.mean(), f"Accuracy(task='multilabel'): micro per-label accuracy of {how}"),
        "torchmetrics.multilabel_accuracy": _view(
            state, acc.mean(), f"MultilabelAccuracy: macro mean of per-label accuracy of {how}"),
        "torchmetrics.multilabel_exact_match": _view(
            state, state.stats[f"exact_{name}"][0] / state.total_weight,
            f"MultilabelExactMatch: fraction of rows with every label right, {how}"),
    }


@register(FRAMEWORK, "ordinal")
def ordinal(state, m: dict, notes: list[str]) -> dict[str, View]:
    """On the predicted classes (however the ordinal scores predict them): as for multi-class."""
    return multiclass(state, m, notes)
