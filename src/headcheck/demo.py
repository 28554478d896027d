"""`headcheck demo`: small scikit-learn models on bundled data, each reported with every framework's
view side by side and an explanation of the numbers those frameworks would print.

Deterministic (fixed seeds), a few seconds, readable at 80 columns. Needs scikit-learn
(`pip install headcheck[sklearn]`).
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Callable

import numpy as np

from headcheck.errors import InputError

WIDTH = 80
SEED = 0


@dataclass(frozen=True)
class Scenario:
    title: str
    story: str  # why this case misleads people, in a sentence or two
    y_true: np.ndarray
    y_score: np.ndarray
    explain_views: tuple[str, ...]  # the numbers frameworks print, to explain


def _sklearn() -> None:
    try:
        import sklearn  # noqa: F401
    except ImportError as e:
        raise InputError("headcheck demo trains small scikit-learn models, and scikit-learn is not "
                         "installed. Install it with: pip install headcheck[sklearn]") from e


def _single_thread(make: Callable[[], Scenario]) -> Callable[[], Scenario]:
    """Tiny models: BLAS threads only add overhead, and on a busy machine they spin for seconds."""

    def wrapped() -> Scenario:
        _sklearn()
        from threadpoolctl import threadpool_limits  # installed with scikit-learn

        with threadpool_limits(1):
            return make()

    wrapped.__name__ = make.__name__
    wrapped.__doc__ = make.__doc__
    return wrapped


@_single_thread
def digits_multiclass() -> Scenario:
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    xtr, xte, ytr, yte = train_test_split(x / 16.0, y, test_size=0.5, random_state=SEED, stratify=y)
    model = LogisticRegression(max_iter=1000).fit(xtr, ytr)
    return Scenario(
        "1. digits: 10-class multiclass, LogisticRegression (softmax probabilities)",
        "Keras's binary_accuracy (what metrics=['accuracy'] meant with a binary_crossentropy loss in "
        "Keras <= 2.3) averages 10 yes/no decisions per image: saying 'no' everywhere is 90 % right.",
        yte, model.predict_proba(xte), ("keras.binary_accuracy", "keras.categorical_accuracy"),
    )


@_single_thread
def multilabel() -> Scenario:
    from sklearn.datasets import make_multilabel_classification
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.multioutput import MultiOutputClassifier

    x, y = make_multilabel_classification(n_samples=1200, n_features=20, n_classes=5, n_labels=2,
                                          random_state=SEED)
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.5, random_state=SEED)
    model = MultiOutputClassifier(LogisticRegression(max_iter=500)).fit(xtr, ytr)
    probs = np.stack([p[:, 1] for p in model.predict_proba(xte)], axis=1)
    return Scenario(
        "2. multi-label: 5 labels, one LogisticRegression per label (sigmoid-like)",
        "Keras 3 resolves metrics=['accuracy'] on a 5-unit sigmoid output to categorical accuracy: it "
        "compares argmax(scores) with the FIRST positive label. scikit-learn's accuracy_score is "
        "exact match; Keras's binary_accuracy is per label. Same word, different numbers.",
        yte, probs, ("keras.categorical_accuracy", "keras.binary_accuracy", "sklearn.accuracy_score"),
    )


@_single_thread
def imbalanced_binary() -> Scenario:
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    x, y = make_classification(n_samples=2000, n_features=20, n_informative=5, weights=[0.9, 0.1],
                               flip_y=0.02, class_sep=1.0, random_state=SEED)
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.5, random_state=SEED, stratify=y)
    model = LogisticRegression(max_iter=500).fit(xtr, ytr)
    # decision_function = logits, as a Dense(1) layer without activation would output
    return Scenario(
        "3. imbalanced binary (90/10): LogisticRegression logits (no sigmoid)",
        "A model that outputs logits, trained with from_logits=True, and reported with "
        "binary_accuracy: Keras thresholds the logits at 0.5, not at 0. categorical_accuracy on one "
        "output unit is always 1.0. And with 90 % negatives, accuracy near 0.90 says little.",
        yte, model.decision_function(xte), ("keras.binary_accuracy", "keras.categorical_accuracy"),
    )


SCENARIOS: tuple[Callable[[], Scenario], ...] = (digits_multiclass, multilabel, imbalanced_binary)


def _fill(text: str, indent: str = "", subsequent: str | None = None) -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent,
                         subsequent_indent=indent if subsequent is None else subsequent)


def render_scenario(sc: Scenario) -> str:
    from headcheck._explain import explain_report
    from headcheck._report import report
    from headcheck.render.explain import view_story_lines
    from headcheck.render.report import compact_lines

    rep = report(sc.y_true, sc.y_score)
    out = ["=" * WIDTH, sc.title, "=" * WIDTH, _fill(sc.story), ""] + compact_lines(rep, WIDTH)
    out += ["", "The numbers those frameworks print, explained (headcheck explain):"]
    for view_id in sc.explain_views:
        view = rep.views.get(view_id)
        if view is not None:
            out += view_story_lines(view_id, view, explain_report(rep, view.value, name=view_id),
                                    WIDTH)
    return "\n".join(out)


def run_demo() -> str:
    """The whole demo as text (the CLI prints it)."""
    _sklearn()
    parts = [_fill("headcheck demo: small scikit-learn models on bundled data. For each, the "
                   "metrics that fit the task, what each framework would print on the same "
                   "predictions (fits the task or MISLEADING), baselines, findings, and an "
                   "explanation of the numbers frameworks print."), ""]
    for make in SCENARIOS:
        parts.append(render_scenario(make()))
        parts.append("")
    parts.append(_fill("Try it on your own model: save labels and scores with np.save, then "
                       "`headcheck report labels.npy scores.npy` and "
                       "`headcheck explain labels.npy scores.npy --reported 0.90`."))
    return "\n".join(parts)
