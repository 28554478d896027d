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

from headcheck.errors import InputError
from headcheck.findings import Finding, Severity, worst
from headcheck.gate import profile_labels
from headcheck.head import HeadSpec
from headcheck.rules import Context, run_rules
from headcheck.task import TASK_KINDS

DECLARABLE_TASKS = TASK_KINDS


@dataclass(frozen=True)
class CheckResult:
    """The findings of a check and the context the rules read."""

    findings: tuple[Finding, ...]
    context: Context
    notes: tuple[str, ...] = ()  # what the check could not read (a live model's unknown loss, ...)
    # A live model with several outputs: (output name, that output's result); `findings` then holds
    # every output's findings, each saying its output, and `context` is the first output's.
    outputs: tuple[tuple[str, CheckResult], ...] = ()

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


# Front-ends that build the head from a live model: framework (`headcheck.vocab.framework_of`)
# -> "module:function" called as function(model, *args, **kwargs). Adding a framework is one entry.
LIVE_FRONTENDS = {
    "pytorch": "headcheck.torch.head:check_module",
    "lightning": "headcheck.torch.head:check_module",
    "keras": "headcheck.keras._check:check_model",
    "tf.keras": "headcheck.keras._check:check_model",
}


def live_framework(obj: object) -> str | None:
    """The framework of a live object, from the modules of its classes: a user's subclass of
    `keras.Model` or `nn.Module` (defined in `__main__` or a notebook) counts as its base's."""
    from headcheck.vocab import framework_of

    for cls in type(obj).__mro__:
        found = framework_of(cls)
        if found is not None:
            return found
    return None


def combine(parts: list[tuple[str, CheckResult]]) -> CheckResult:
    """One CheckResult of a model with several outputs: every output's findings, each saying its
    output (`outputs` keeps each output's own result)."""
    if len(parts) == 1:
        return parts[0][1]
    from dataclasses import replace

    findings = [replace(f, message=f"Output `{name}`: {f.message}") for name, part in parts for f in part.findings]
    findings.sort(key=lambda f: -f.severity.rank)
    notes = tuple(n for _, part in parts for n in part.notes)
    return CheckResult(tuple(findings), parts[0][1].context, notes, tuple(parts))


def check(head: Any, *args: Any, **kwargs: Any) -> CheckResult:
    """Run the rule catalogue on a head: a declared `HeadSpec` (`check(head, y_true, task=...)`,
    see `check_declared`) or a live model, whose head is read from the objects themselves:

    - PyTorch / Lightning: `check(module, loss_fn, (inputs, targets))`, one forward pass under
      `torch.no_grad()` (see `headcheck.torch.head.check_module`).
    - Keras / tf.keras: `check(model)`, `check(model, (x, y))` (the model runs once on `x`),
      `check(model, y_true=y)` (labels without running the model); see `headcheck.keras._check`.

    Anything else raises InputError saying what is accepted.
    """
    if isinstance(head, HeadSpec):
        return check_declared(head, *args, **kwargs)
    target = LIVE_FRONTENDS.get(live_framework(head) or "")
    if target is None:
        raise InputError(
            f"head: expected a headcheck.HeadSpec or a live model ({', '.join(sorted(LIVE_FRONTENDS))}); "
            f"got {type(head).__name__}. Build a declared head with HeadSpec.declared(activation=..., "
            "units=..., loss=..., metrics=[...]), or pass the model: check(model, loss_fn, (xb, yb)).")
    module, _, function = target.partition(":")
    from importlib import import_module

    return getattr(import_module(module), function)(head, *args, **kwargs)


def check_declared(
    head: HeadSpec,
    y_true: object = None,
    *,
    task: str | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    classes: Any = None,
    label_offset: int | None = None,
) -> CheckResult:
    """Run the rule catalogue on a declared head, with labels (an (N,) or (N, K) array) and/or a
    stated task ('binary', 'multiclass', 'multilabel', 'ordinal'). The labels are only read, by
    the data gate's labels-only mode (`headcheck.gate.profile_labels`); labels that are not class
    labels raise InputError, label values the head cannot take are findings (`headcheck.gate.policy`).

    >>> from headcheck.head import HeadSpec
    >>> res = check_declared(HeadSpec.declared(activation='sigmoid', units=5, loss='binary_crossentropy',
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
    notes: tuple[str, ...] = ()
    if y_true is not None:
        from headcheck.gate.arrays import masked_note, unmask

        (y_true,), masked = unmask([y_true])
        notes = (masked_note(masked),) if masked else ()
        profile, facts, mapped = _profile(y_true, task, head.units, classes, label_offset)
        notes += mapped
    ctx = Context(head=head, task=profile, data=facts, declared_task=task)
    return CheckResult(tuple(run_rules(ctx, select=select, ignore=ignore)), ctx, notes)


def _profile(y_true: object, task: str | None, units: int | None, classes: Any,
             label_offset: int | None) -> tuple[Any, Any, tuple[str, ...]]:
    """The labels-only profile, with the user's class list or offset applied first (as `report`
    applies it: `headcheck.gate.classes`). Ordinal labels for one output (a regression head) are
    read as `report` reads them against one regression output: the classes run from the smallest
    label to the largest. The third item: a note saying the mapping when the user's list or offset
    translated the labels (the head is judged on the mapped labels, so the loss must get them)."""
    from dataclasses import replace

    from headcheck.gate import as_labels
    from headcheck.gate.classes import map_labels, ordinal_range, parse_classes

    spec = parse_classes(classes, label_offset)
    y = as_labels(y_true)
    spec = spec.for_labels(y) if spec is not None else None
    if spec is None and task == "ordinal" and units == 1:
        spec = ordinal_range(y)
    if spec is not None and spec.maps and y.ndim == 1:
        y = map_labels(y, spec.values, spec.offset)
    said: list[str] = []  # what the profiler read that the user must hear (cumulative targets)
    profile, facts = profile_labels(y, task=task, units=units, notes=said)
    note: tuple[str, ...] = tuple(said)
    if spec is not None:
        k = profile.n_classes
        names = spec.names or tuple(str(spec.offset + i) for i in range(k))
        if len(names) >= k:
            profile = replace(profile, classes=names, decisions=profile.decisions + (spec.describe(k),))
        if spec.maps and not spec.implicit:
            how = _mapping_code(spec)
            note += (f"{spec.describe(k)}. The head was checked against the mapped labels: the loss must "
                    f"receive them mapped too ({how}), not the raw values.",)
    return profile, facts, note


def _mapping_code(spec: Any) -> str:
    """How to map the labels in code: `y - 1` for an offset or consecutive numbers, else in words."""
    start = spec.offset
    vals = spec.values
    if vals and all(isinstance(v, float) for v in vals):
        if all(v == vals[0] + i for i, v in enumerate(vals)) and vals[0] == int(vals[0]):
            start = int(vals[0])
        else:
            return "each label replaced by its position in the class list"
    elif vals:
        return "each label replaced by its position in the class list"
    return f"`y - {start}`" if start else "the labels as they are"


def load_labels(path: str) -> np.ndarray:
    """Labels from a .npy / .npz / .csv / .parquet file (headcheck.io: never unpickles)."""
    from headcheck.io import load_array

    return load_array(path, role="labels")
