"""What Keras's `metrics=['accuracy']` becomes, per version family, loss and shapes.

The table of RULES.md as code. Keras resolved the ambiguous string three different ways over its
history:

* Keras 1.0.0–1.0.5 (`last-dim`): output last dim 1 -> binary, else categorical.
* Keras 1.0.6–2.3.x, tf.keras <= 2.1 (`loss-based`): binary cross-entropy or output last dim 1 ->
  binary; sparse categorical cross-entropy -> sparse categorical; else categorical.
* tf.keras >= 2.2, Keras 2.4–2.15, Keras 3 (`shape-based`): output last dim 1 -> binary;
  rank(y_true) < rank(y_pred) or y_true last dim 1 -> sparse categorical; else categorical.

>>> r = resolve_accuracy('keras', '2.2.4', loss='binary_crossentropy', output_units=10,
...                      label_encoding='one-hot', task='multiclass')
>>> r.metric, r.family, r.fits_task
('binary_accuracy', 'loss-based', False)
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from headcheck.head import LossSpec, normalize_loss

FAMILIES = ("last-dim", "loss-based", "shape-based")
FAMILY_TITLES = {
    "last-dim": "Keras 1.0.0–1.0.5",
    "loss-based": "Keras 1.0.6–2.3.x and tf.keras ≤ 2.1",
    "shape-based": "tf.keras ≥ 2.2, Keras 2.4–2.15 and Keras 3",
}
FAMILY_RULES = {
    "last-dim": "output last dim 1 -> binary, else categorical",
    "loss-based": "binary cross-entropy or output last dim 1 -> binary; sparse categorical "
    "cross-entropy -> sparse categorical; else categorical",
    "shape-based": "output last dim 1 -> binary; labels of lower rank than the output, or labels "
    "with last dim 1 -> sparse categorical; else categorical",
}
MODERN = "shape-based"
_DISPLAY = {"keras": "Keras", "tf.keras": "tf.keras"}


@dataclass(frozen=True)
class Resolution:
    """What 'accuracy' becomes under one version family.

    metric: 'binary_accuracy' | 'categorical_accuracy' | 'sparse_categorical_accuracy', or None
        when the inputs do not decide it (or the framework has no 'accuracy' string).
    family: one of FAMILIES (None for a framework without the string).
    fits_task: whether that metric measures the task; None when the task is unknown.
    explanation: one sentence for a human.
    version_known: False when the framework version was unknown and `family` is the modern one
        assumed; `alternatives` then holds the answer of each older family.
    """

    metric: str | None
    family: str | None
    fits_task: bool | None
    explanation: str
    version_known: bool = True
    alternatives: tuple[Resolution, ...] = ()

    @property
    def title(self) -> str:
        return FAMILY_TITLES.get(self.family or "", "")


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version)[:3])


def version_family(framework: str | None, version: str | None) -> str | None:
    """The family of a Keras version ('keras' or 'tf.keras' + version); None when unknown.

    >>> version_family('keras', '1.0.4'), version_family('tf.keras', '2.1'), version_family('keras', '3.6')
    ('last-dim', 'loss-based', 'shape-based')
    """
    if framework == "pytorch" or not version:
        return None
    v = _version_tuple(version)
    if not v:
        return None
    if framework == "tf.keras":
        return "loss-based" if v < (2, 2) else "shape-based"
    if v < (1, 0, 6):
        return "last-dim"
    return "loss-based" if v < (2, 4) else "shape-based"


def _loss_name(loss: str | LossSpec | None) -> str | None:
    if loss is None:
        return None
    name = normalize_loss(loss).name
    return None if name == "unknown" else name


def resolve_family(
    family: str, *, loss: str | LossSpec | None, output_units: int | None, label_encoding: str | None
) -> str | None:
    """The metric 'accuracy' becomes under `family`, or None when the inputs do not decide it."""
    name = _loss_name(loss)
    if family == "last-dim":
        if output_units is None:
            return None
        return "binary_accuracy" if output_units == 1 else "categorical_accuracy"
    if family == "loss-based":
        if name == "binary_crossentropy" or output_units == 1:
            return "binary_accuracy"
        if name == "sparse_categorical_crossentropy":
            return "sparse_categorical_accuracy"
        return "categorical_accuracy" if name is not None else None
    if family == "shape-based":
        if output_units is None:
            return None
        if output_units == 1:
            return "binary_accuracy"
        encoding = label_encoding or _encoding_implied_by(name)
        if encoding == "integer":
            return "sparse_categorical_accuracy"
        if encoding in ("one-hot", "multi-hot", "soft"):
            return "categorical_accuracy"
        return None
    raise ValueError(f"unknown family {family!r}; expected one of {FAMILIES}")


def _encoding_implied_by(loss_name: str | None) -> str | None:
    """Keras losses that only accept one label shape tell the label rank."""
    if loss_name == "sparse_categorical_crossentropy":
        return "integer"
    if loss_name in ("categorical_crossentropy", "categorical_focal_crossentropy",
                     "binary_crossentropy", "binary_focal_crossentropy"):
        return "one-hot"  # labels as wide as the output: rank 2, last dim K
    return None


def fits(metric: str | None, task: str | None, label_encoding: str | None = None) -> bool | None:
    """Whether a Keras accuracy measures a task kind (None when either is unknown).

    Categorical accuracy takes the argmax of the labels too: on integer labels of shape (N, 1) that
    argmax is always 0, so it does not fit them whatever the task."""
    if metric == "categorical_accuracy" and label_encoding == "integer":
        return False
    if metric is None or task not in ("binary", "multiclass", "multilabel"):
        return None
    if metric == "binary_accuracy":
        return task in ("binary", "multilabel")
    return task != "multilabel"  # categorical / sparse categorical: single-label only


def meaning(metric: str | None, task: str | None, n_classes: int | None = None,
            label_encoding: str | None = None) -> str:
    """What the metric measures on the task, in words."""
    if metric == "categorical_accuracy" and label_encoding == "integer":
        return ("the argmax of integer labels of shape (N, 1) is always 0, so it counts predictions of "
                "class 0: a number with no meaning")
    if metric == "binary_accuracy":
        if task == "multiclass":
            k = n_classes if n_classes and n_classes > 2 else None
            floor = f"{(k - 1) / k:.2f}" if k else "(K-1)/K"
            return (f"the mean of per-class yes/no decisions at 0.5, inflated on a single-label task: "
                    f"predicting 'no' for every class already scores {floor}")
        if task == "multilabel":
            return "per-label accuracy (the fraction of label decisions that are right)"
        return "the fraction of samples whose score is on the right side of 0.5"
    if metric in ("categorical_accuracy", "sparse_categorical_accuracy"):
        if task == "multilabel":
            return ("whether the top-scored label is the first positive label: a number with no "
                    "meaning on multi-label targets")
        return "the fraction of samples whose top-scored class is the true class"
    return "undetermined (the output width or the label shape is unknown)"


def resolve_accuracy(
    framework: str | None = None,
    version: str | None = None,
    *,
    loss: str | LossSpec | None = None,
    output_units: int | None = None,
    label_encoding: str | None = None,
    task: str | None = None,
    n_classes: int | None = None,
) -> Resolution:
    """What `metrics=['accuracy']` becomes, and whether that fits `task`.

    With a known version, the answer of its family. With an unknown version, the answer of the
    modern family (`version_known=False`) and, in `alternatives`, those of the older families.

    >>> r = resolve_accuracy('keras', None, loss='binary_crossentropy', output_units=5,
    ...                      label_encoding='multi-hot', task='multilabel')
    >>> r.metric, r.fits_task, [a.metric for a in r.alternatives]
    ('categorical_accuracy', False, ['categorical_accuracy', 'binary_accuracy'])
    """
    if framework == "pytorch":
        return Resolution(None, None, None, "PyTorch has no 'accuracy' string to resolve.")
    family = version_family(framework, version)

    def one(fam: str, known: bool) -> Resolution:
        metric = resolve_family(fam, loss=loss, output_units=output_units, label_encoding=label_encoding)
        where = f"{_DISPLAY.get(framework or '', 'Keras')} {version}" if known else FAMILY_TITLES[fam]
        text = (f"under {where} ({FAMILY_RULES[fam]}), 'accuracy' becomes "
                f"{metric or 'an undetermined metric'}: "
                f"{meaning(metric, task, n_classes, label_encoding)}")
        return Resolution(metric, fam, fits(metric, task, label_encoding), text, version_known=known)

    if family is not None:
        return one(family, True)
    modern = one(MODERN, False)
    older = tuple(one(f, False) for f in FAMILIES if f != MODERN)
    return Resolution(modern.metric, modern.family, modern.fits_task, modern.explanation,
                      version_known=False, alternatives=older)
