"""Short constructors for the embedded VALID / INVALID cases of the rules."""
from __future__ import annotations

from typing import Any

from headcheck.head import HeadSpec
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
