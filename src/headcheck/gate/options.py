"""The report options a user states, validated in one place for the API and the command line.

`report()`, `explain()`, the sharded report and the command line (which calls them) pass what the
user gave through here; nothing is silently dropped or overridden:

- `task`: one of TASK_KINDS;
- `threshold`: a number in [0, 1];
- `score_kind`: one of SCORE_KINDS (the ordinal kinds only with task='ordinal'); a stated kind that
  the scores contradict is an input error (`check_score_kind_fits`, and the pass's corrections in
  `headcheck.gate.infer`), never replaced by another kind;
- `top_k`: a whole number or a sequence of them (`parse_top_k`), each in 2..K-1 for a multiclass
  task with class scores (`check_top_k`). Left out (None), it is top-5 where that means something.

>>> parse_top_k(3), parse_top_k([2, 3]), parse_top_k(None)
((3,), (2, 3), None)
>>> try:
...     parse_top_k("5")
... except InputError as e:
...     print(str(e)[:45])
top_k: expected a whole number of classes or
"""
from __future__ import annotations

import numbers
from collections.abc import Iterable

from headcheck.errors import InputError
from headcheck.task import TASK_KINDS, TaskProfile

SCORE_KINDS = ("probabilities", "independent", "logits", "hard")
ORDINAL_SCORE_KINDS = ("regression", "cumulative", "cumulative-logits")
# Top-k accuracies reported when top_k is not given (where 1 < k < K).
DEFAULT_TOP_K = (5,)


def check_task(task: object) -> None:
    if task is not None and task not in TASK_KINDS:
        raise InputError(
            f"task: expected one of {', '.join(TASK_KINDS)}; got {task!r}. "
            "Leave it out to infer the task from the data."
        )


def check_threshold(threshold: object) -> None:
    if threshold is None:
        return
    try:
        t = float(threshold)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        t = float("nan")
    if isinstance(threshold, bool) or not (0.0 <= t <= 1.0):
        raise InputError(
            f"threshold: expected a probability in [0, 1]; got {threshold!r}. headcheck applies the "
            "threshold to probabilities (after a sigmoid when the scores are logits)."
        )


def check_score_kind(score_kind: object, task: object = None) -> None:
    """A stated score kind must be one headcheck knows, and the ordinal kinds need task='ordinal'."""
    if score_kind is None:
        return
    every = SCORE_KINDS + ORDINAL_SCORE_KINDS
    if score_kind not in every:
        raise InputError(
            f"score_kind: expected one of {', '.join(every)}; got {score_kind!r}. Leave it out to "
            "infer it from the scores.")
    if score_kind in ORDINAL_SCORE_KINDS and task != "ordinal":
        raise InputError(
            f"score_kind: {score_kind!r} describes the outputs of an ordinal model; state "
            "task='ordinal' (--task ordinal) with it, or use one of "
            f"{', '.join(SCORE_KINDS)}.")


def check_options(*, task: object = None, threshold: object = None, score_kind: object = None) -> None:
    """`task`, `threshold` and `score_kind` as the user gave them (InputError if not valid)."""
    check_task(task)
    check_threshold(threshold)
    check_score_kind(score_kind, task)


def parse_top_k(top_k: object) -> tuple[int, ...] | None:
    """The top-k values a user gave: a whole number (top_k=3) or a sequence of them; None when
    not given. Strings, fractions and booleans are input errors (checked against the classes by
    `check_top_k` once the task is known)."""
    if top_k is None:
        return None
    values = [top_k] if _whole(top_k) or isinstance(top_k, (str, bytes)) else top_k
    try:
        ks = list(values)  # type: ignore[call-overload]
    except TypeError:
        ks = [top_k]
    if not ks or not all(_whole(k) for k in ks):
        raise InputError(
            f"top_k: expected a whole number of classes or a list of them (top_k=5, top_k=[3, 5]; "
            f"--top-k 5, repeatable); got {top_k!r}.")
    return tuple(sorted({int(k) for k in ks}))  # type: ignore[call-overload]


def _whole(k: object) -> bool:
    return isinstance(k, numbers.Integral) and not isinstance(k, bool)


def check_top_k(profile: TaskProfile, top_k: Iterable[int] | None) -> tuple[int, ...]:
    """The top-k accuracies to compute: the given ones, each checked against the task (InputError
    when it cannot be computed), or the defaults where they mean something (multiclass, 1 < k < K,
    class scores)."""
    if top_k is None:
        return tuple(k for k in DEFAULT_TOP_K if _top_k_fits(profile, k))
    ks = parse_top_k(top_k)
    assert ks is not None
    if profile.kind != "multiclass":
        raise InputError(
            f"top_k: top-k accuracy is a multiclass metric; this task is {profile.kind}"
            f"{' (its metrics weigh how far off a prediction is)' if profile.kind == 'ordinal' else ''}."
            " Leave top_k out.")
    if not profile.is_probabilistic:
        raise InputError(
            f"top_k: top-k accuracy needs one score per class; got {profile.score_kind} scores "
            "(predicted labels rank nothing). Pass the model's scores, or leave top_k out.")
    K = profile.n_classes
    bad = [k for k in ks if not 1 < k < K]
    if bad:
        raise InputError(
            f"top_k: expected whole numbers from 2 to {K - 1} (the task has {K} classes; top-1 is "
            f"accuracy, top-{K} is always 1); got {', '.join(map(str, bad))}.")
    return ks


def _top_k_fits(profile: TaskProfile, k: int) -> bool:
    return profile.kind == "multiclass" and 1 < k < profile.n_classes
