"""Short constructors for the embedded VALID / INVALID cases of the rules."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from headcheck.head import HeadSpec, LossSpec, MetricSpec
from headcheck.history import TrainingHistory
from headcheck.rules import Context
from headcheck.task import DataFacts, TaskProfile

_SCORE_KIND = {"binary": "probabilities", "multiclass": "probabilities", "multilabel": "independent"}


def ctx(*, task: TaskProfile | str | None = None, data: DataFacts | None = None,
        declared: str | None = None, history: TrainingHistory | None = None, **head: Any) -> Context:
    """A Context whose head is `HeadSpec.declared(**head)` (no head when no head keyword is given).
    `task` is the data's TaskProfile, or, given as a string, the task declared in the head;
    `history` what a training logged."""
    if isinstance(task, str):
        head["task"] = task
        task = None
    return Context(head=HeadSpec.declared(**head) if head else None, task=task, data=data,
                   declared_task=declared, history=history)


def profile(kind: str, n_classes: int, encoding: str, counts: tuple[float, ...] = ()) -> TaskProfile:
    """A TaskProfile as the data would give it."""
    return TaskProfile(kind=kind, n_classes=n_classes, label_encoding=encoding,  # type: ignore[arg-type]
                       score_kind=_SCORE_KIND[kind], class_counts=counts,  # type: ignore[arg-type]
                       n_samples=int(sum(counts)) if kind != "multilabel" else 0)


def tensorflow(context: Context) -> Context:
    """The same context with its head written in raw TensorFlow (`tf.nn` / `tf.losses` ops)."""
    assert context.head is not None
    return replace(context, head=replace(context.head, framework="tensorflow"))


def tf_loss(name: str, spelling: str, *, from_logits: bool | None) -> LossSpec:
    """A TensorFlow loss op: `tf_loss('categorical_crossentropy', 'tf.nn.softmax_cross_entropy_with_logits',
    from_logits=True)`."""
    return LossSpec(name, from_logits=from_logits, spelling=spelling)


def by_hand(name: str, spelling: str, **params: object) -> MetricSpec:
    """An accuracy the program computes itself (`round(p) == y` is binary accuracy at 0.5)."""
    return MetricSpec(name, spelling=spelling, params=tuple(sorted({**params, "written": "by hand"}.items())))
