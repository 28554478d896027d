"""check(): a declared head checked against labels or a stated task, with the rule catalogue.

>>> import numpy as np
>>> from headcheck.head import HeadSpec
>>> head = HeadSpec.declared(activation='softmax', units=3, loss='binary_crossentropy',
...                          metrics=['accuracy'], framework='keras==2.2.4')
>>> res = check(head, np.array([0, 2, 1, 1]))
>>> [f.code for f in res.findings]
['HC202', 'HC203', 'HC301', 'HC101']
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np

from headcheck.errors import InputError, describe_array
from headcheck.findings import Finding, Severity, worst
from headcheck.head import HeadSpec
from headcheck.rules import Context, run_rules
from headcheck.task import TASK_KINDS, DataFacts, TaskProfile

DECLARABLE_TASKS = TASK_KINDS + ("ordinal",)


@dataclass(frozen=True)
class CheckResult:
    """The findings of a check and the context the rules read."""

    findings: tuple[Finding, ...]
    context: Context

    @property
    def worst(self) -> Severity | None:
        return worst(list(self.findings))

    @property
    def exit_code(self) -> int:
        """1 when any finding is a warning or an error, else 0 (the command line's exit code)."""
        w = self.worst
        return 1 if w is not None and w.rank >= Severity.WARNING.rank else 0

    # -- rendering: headcheck.render.check owns every format --------------------------------
    def to_dict(self) -> dict[str, Any]:
        """`head`, `task`, `declared_task`, `findings`; equal to `--format json`."""
        from headcheck.render.check import to_dict

        return to_dict(self)

    def to_json(self, indent: int | None = 2) -> str:
        from headcheck.render.check import to_json

        return to_json(self, indent)

    def to_text(self, width: int = 100) -> str:
        """What `headcheck check` prints: one block per finding (message, fix, link)."""
        from headcheck.render.check import to_text

        return to_text(self, width)

    def to_markdown(self) -> str:
        from headcheck.render.check import to_markdown

        return to_markdown(self)

    def render(self, fmt: str = "text") -> str:
        """'text', 'json', 'markdown' or 'html'."""
        from headcheck.render import render

        return render(self, fmt)

    def _repr_html_(self) -> str:
        from headcheck.render.check import to_html

        return to_html(self)


def check(
    head: HeadSpec,
    y_true: object = None,
    *,
    task: str | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
) -> CheckResult:
    """Run the rule catalogue on a declared head, with labels (an (N,) or (N, K) array) and/or a
    stated task ('binary', 'multiclass', 'multilabel', 'ordinal'). The labels are only read.

    >>> from headcheck.head import HeadSpec
    >>> res = check(HeadSpec.declared(activation='sigmoid', units=5, loss='binary_crossentropy',
    ...                               metrics=['accuracy']), task='multilabel')
    >>> [(f.code, str(f.severity)) for f in res.findings]
    [('HC301', 'warning')]
    """
    if not isinstance(head, HeadSpec):
        raise InputError(
            f"head: expected a headcheck.HeadSpec; got {type(head).__name__}. Build one with "
            "HeadSpec.declared(activation=..., units=..., loss=..., metrics=[...])."
        )
    if task is not None and task not in DECLARABLE_TASKS:
        raise InputError(
            f"task: expected one of {', '.join(DECLARABLE_TASKS)}; got {task!r}. Leave it out to take "
            "the task from the labels."
        )
    profile = facts = None
    if y_true is not None:
        profile, facts = profile_labels(y_true, task=task, units=head.units)
    ctx = Context(head=head, task=profile, data=facts, declared_task=task)
    return CheckResult(tuple(run_rules(ctx, select=select, ignore=ignore)), ctx)


def profile_labels(y_true: object, *, task: str | None = None, units: int | None = None) -> tuple[TaskProfile, DataFacts]:
    """The TaskProfile and DataFacts that labels alone give (no scores: score_kind is 'hard')."""
    y = _as_labels(y_true)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim == 1 and y.dtype.kind in "US":
        return _profile_names(y, task)
    if y.ndim == 1:
        return _profile_1d(y, task, units)
    return _profile_2d(y, task)


def _as_labels(y_true: object) -> np.ndarray:
    try:
        y = np.asarray(y_true)
    except Exception as e:  # ragged lists
        raise InputError(
            f"labels: expected an array of shape (N,) or (N, K); got {type(y_true).__name__} that numpy "
            f"cannot turn into a rectangular array ({e}). Pass one label (or one 0/1 row) per sample."
        ) from e
    if y.ndim == 0 or y.ndim > 2 or y.shape[0] == 0 or (y.ndim == 2 and y.shape[1] == 0):
        raise InputError(
            f"labels: expected a non-empty array of shape (N,) or (N, K); got {describe_array(y)}. "
            "Pass one class label per sample, or one 0/1 row per sample."
        )
    if y.dtype.kind in "US" and y.ndim == 1:
        return y  # class names
    if y.dtype.kind not in "biuf":
        raise InputError(
            f"labels: expected class indices, class names (one per sample) or 0/1 rows; got "
            f"{describe_array(y)}. Convert the labels to a numeric or string array."
        )
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise InputError(
            f"labels: expected finite values; got NaN or inf in {int((~np.isfinite(y)).sum())} value(s). "
            "Drop or fix those rows."
        )
    return y


def _profile_1d(y: np.ndarray, task: str | None, units: int | None) -> tuple[TaskProfile, DataFacts]:
    lo, hi = float(y.min()), float(y.max())
    integer = bool(y.dtype.kind in "biu" or np.array_equal(y, np.floor(y)))
    if not integer and (lo < 0 or hi > 1):
        raise InputError(
            f"labels: expected class indices (whole numbers) or soft binary targets in [0, 1]; got "
            f"non-integer values from {lo:g} to {hi:g}. This looks like a regression target; "
            "headcheck checks classification heads."
        )
    kind = _kind_1d(task, integer, lo, hi)
    encoding = "integer" if integer else "soft"
    counts = _counts_1d(y, integer, lo, hi, units if kind == "multiclass" else None)
    n_classes = 2 if kind == "binary" else max(len(counts), 1)
    profile = TaskProfile(
        kind=kind, n_classes=n_classes, label_encoding=encoding, score_kind="hard",  # type: ignore[arg-type]
        n_samples=int(y.shape[0]), class_counts=counts,
        decisions=("labels only: no scores were given",),
        declared=task in TASK_KINDS,
    )
    facts = DataFacts(n_samples=int(y.shape[0]), label_min=lo, label_max=hi, label_is_integer=integer,
                      class_counts=counts)
    return profile, facts


def _profile_names(y: np.ndarray, task: str | None) -> tuple[TaskProfile, DataFacts]:
    """Class names: their order is unknown to the program, so only the counts are facts."""
    names, counts = np.unique(y, return_counts=True)
    if task == "multilabel":
        raise InputError(
            "task: multilabel needs an (N, L) 0/1 label matrix; got one class name per sample. Pass the "
            "multi-hot matrix, or state --task binary|multiclass."
        )
    kind = task if task in ("binary", "multiclass") else ("binary" if len(names) == 2 else "multiclass")
    if kind == "binary" and len(names) > 2:
        raise InputError(f"task: binary needs at most 2 classes; got {len(names)} class names. "
                         "Leave --task out or state --task multiclass.")
    count_tuple = tuple(float(c) for c in counts)
    profile = TaskProfile(
        kind=kind, n_classes=max(len(names), 2) if kind == "binary" else len(names),  # type: ignore[arg-type]
        label_encoding="string", score_kind="hard", classes=tuple(str(n) for n in names),
        n_samples=int(y.shape[0]), class_counts=count_tuple,
        decisions=("labels only: no scores were given", "class names sorted alphabetically"),
        declared=task in TASK_KINDS,
    )
    return profile, DataFacts(n_samples=int(y.shape[0]), class_counts=count_tuple)


def _kind_1d(task: str | None, integer: bool, lo: float, hi: float) -> str:
    if task == "multilabel":
        raise InputError(
            "task: multilabel needs an (N, L) 0/1 label matrix; got one label per sample (N,). Pass the "
            "multi-hot matrix, or state --task binary|multiclass."
        )
    if task in ("binary", "multiclass"):
        return task
    if not integer:
        return "binary"  # soft targets in [0, 1]
    if task == "ordinal":
        return "multiclass"
    return "binary" if lo >= 0 and hi <= 1 else "multiclass"


def _counts_1d(y: np.ndarray, integer: bool, lo: float, hi: float, units: int | None) -> tuple[float, ...]:
    if not integer:  # soft binary targets: expected counts
        positives = float(y.sum(dtype=np.float64))
        return (float(y.shape[0]) - positives, positives)
    if lo < 0:  # not class indices: count the distinct values (HC203 reports the range)
        _, counts = np.unique(y, return_counts=True)
        return tuple(float(c) for c in counts)
    width = max(int(hi) + 1, units if units and units > 1 else 0, 2)
    return tuple(float(c) for c in np.bincount(y.astype(np.int64), minlength=width))


def _profile_2d(y: np.ndarray, task: str | None) -> tuple[TaskProfile, DataFacts]:
    lo, hi = float(y.min()), float(y.max())
    if lo < 0 or hi > 1:
        raise InputError(
            f"labels: an (N, K) label matrix must hold 0/1 indicators or probabilities in [0, 1]; got "
            f"values from {lo:g} to {hi:g}. Pass class indices as an (N,) array, or map -1/+1 "
            "indicators to 0/1 with (y + 1) // 2."
        )
    hard = bool(np.isin(y, (0, 1)).all())
    sums = y.sum(axis=1, dtype=np.float64)
    single = bool(np.allclose(sums, 1.0, atol=1e-3))
    encoding = ("one-hot" if single else "multi-hot") if hard else "soft"
    kind = "multiclass" if single else "multilabel"
    if task in ("binary", "multiclass", "ordinal") and not single:
        raise InputError(
            f"task: {task} needs one positive label per row; got {encoding} labels where some rows have "
            "zero or several positives. Leave --task out (the labels say multilabel), or fix the labels."
        )
    if task == "binary" or (task is None and single and y.shape[1] == 2):
        kind = "binary"
    counts = tuple(float(c) for c in y.sum(axis=0, dtype=np.float64))
    profile = TaskProfile(
        kind=kind, n_classes=int(y.shape[1]), label_encoding=encoding, score_kind="hard",  # type: ignore[arg-type]
        n_samples=int(y.shape[0]), class_counts=counts,
        decisions=("labels only: no scores were given",), declared=task in TASK_KINDS,
    )
    facts = DataFacts(n_samples=int(y.shape[0]), label_min=lo, label_max=hi, label_is_integer=hard,
                      class_counts=counts)
    return profile, facts


def load_labels(path: str) -> np.ndarray:
    """Labels from a .npy / .npz / .csv / .parquet file (headcheck.io: never unpickles)."""
    from headcheck.io import load_array

    return load_array(path, role="labels")
