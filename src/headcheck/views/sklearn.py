"""scikit-learn views (checked against ``sklearn.metrics`` in tests/test_views_sklearn.py):
``accuracy_score`` and ``balanced_accuracy_score`` on the report's own decisions (argmax, or
probability > threshold)."""
from __future__ import annotations

from headcheck.engine._result import View
from headcheck.views import register

FRAMEWORK = "sklearn"

HONEST = {
    "sklearn.accuracy_score": {"multilabel": "subset_accuracy"},
    "sklearn.balanced_accuracy_score": {"*": "balanced_accuracy"},
}
PRINTED_NAMES = {
    "accuracy_score": "sklearn.accuracy_score",
    "balanced_accuracy_score": "sklearn.balanced_accuracy_score",
}


@register(FRAMEWORK, "binary")
def binary(state, m: dict, notes: list[str]) -> dict[str, View]:
    return {
        "sklearn.accuracy_score": View(
            m["accuracy"], "fraction of rows right when predicting positive above "
            f"{state.profile.threshold}", True),
        "sklearn.balanced_accuracy_score": View(
            m["balanced_accuracy"], "mean of the recalls of the two classes", True),
    }


@register(FRAMEWORK, "multiclass")
def multiclass(state, m: dict, notes: list[str]) -> dict[str, View]:
    return {
        "sklearn.accuracy_score": View(m["accuracy"], "fraction of rows whose predicted class is "
                                       "right", True),
        "sklearn.balanced_accuracy_score": View(m["balanced_accuracy"], "mean recall over the "
                                                "classes present", True),
    }


@register(FRAMEWORK, "multilabel")
def multilabel(state, m: dict, notes: list[str]) -> dict[str, View]:
    return {
        "sklearn.accuracy_score": View(
            m["subset_accuracy"], "subset (exact-match) accuracy: a row counts only when every "
            "label is right", True),
    }


@register(FRAMEWORK, "ordinal")
def ordinal(state, m: dict, notes: list[str]) -> dict[str, View]:
    """On the predicted classes (however the ordinal scores predict them): as for multi-class."""
    return multiclass(state, m, notes)
