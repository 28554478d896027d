"""`headcheck.check(model, ...)` for a live Keras / tf.keras model.

The head of every output is read from the model (`headcheck.keras._model`); with a batch
`(x, y)` the model's outputs on `x` are computed once (Keras's own inference step), which lets Keras
resolve 'accuracy' / 'crossentropy' for these shapes where it has not yet, shows the activation of
a subclassed model, and gives the untrained loss (HC404) and non-finite outputs (HC403). The
labels pass through the same label profiler as every other command.
"""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from headcheck._check import CheckResult, DECLARABLE_TASKS, combine
from headcheck.errors import InputError
from headcheck.gate import profile_labels
from headcheck.history import TrainingHistory
from headcheck.keras._data import labels_per_output, outputs_per_output, to_numpy, unpack
from headcheck.keras._model import KerasOutput, output_names, read_outputs, require_compiled
from headcheck.rules import Context, run_rules


def check_model(
    model: Any,
    data: Any = None,
    *,
    y_true: Any = None,
    task: str | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
) -> CheckResult:
    """Check a compiled Keras model's head: `data` is a batch `(x, y)` (or `(x, y, w)`): the model
    runs once on `x`; `y_true` alone gives labels without running the model; neither: the head
    alone. Several outputs are checked one by one and their findings say which output."""
    require_compiled(model)
    if task is not None and task not in DECLARABLE_TASKS:
        raise InputError(f"task: expected one of {', '.join(DECLARABLE_TASKS)}; got {task!r}. Leave it out "
                         "to take the task from the labels.")
    names = output_names(model)
    labels = outputs = None
    if data is not None:
        x, y, _ = unpack(data, "data")
        labels = labels_per_output(y, names)
        outputs = outputs_per_output(model.predict_on_batch(x), names)
        _same_rows(names, labels, outputs)
    elif y_true is not None:
        labels = labels_per_output(y_true, names)
    heads = read_outputs(model, labels, outputs)
    untrained = _untrained(model)
    parts = []
    for out in heads:
        y = labels[out.index] if labels is not None else None
        p = outputs[out.index] if outputs is not None else None
        parts.append((out.name, _check_output(out, y, p, untrained, task, select, ignore)))
    return combine(parts)


def _check_output(out: KerasOutput, y: np.ndarray | None, p: np.ndarray | None, untrained: bool,
                  task: str | None, select: Iterable[str] | None, ignore: Iterable[str] | None) -> CheckResult:
    profile = facts = None
    said: list[str] = []  # what the profiler read that the user must hear (cumulative targets)
    if y is not None:
        profile, facts = profile_labels(y, task=task, units=out.head.units, notes=said)
    history = None
    if p is not None:
        nonfinite = int(np.size(p) - np.isfinite(p).sum())
        first = initial_loss(out.loss_object, y, p) if untrained and y is not None else None
        history = TrainingHistory(framework=out.head.framework, first_batch_loss=first,
                                  nonfinite_outputs=nonfinite)
    ctx = Context(head=out.head, task=profile, data=facts, declared_task=task, history=history)
    return CheckResult(tuple(run_rules(ctx, select=select, ignore=ignore)), ctx, notes=tuple(out.notes) + tuple(said))


def initial_loss(loss: Any, y: np.ndarray, p: np.ndarray) -> float | None:
    """The compiled loss of one output on a batch (the untrained loss before the first step);
    None when the loss cannot be computed here (no loss, a user's function that fails on numpy)."""
    if loss is None or isinstance(loss, str) or not callable(loss):
        return None
    try:
        value = float(np.asarray(to_numpy(loss(y, p)), dtype=np.float64).mean())
    except Exception:  # noqa: BLE001 - a custom loss that wants tensors: no initial loss, nothing else lost
        return None
    return value  # NaN / inf stay: HC403 reads a non-finite first loss


def _untrained(model: Any) -> bool:
    """Whether the optimizer has taken no step yet (HC404 compares the loss with an untrained one)."""
    optimizer = getattr(model, "optimizer", None)
    try:
        return int(to_numpy(optimizer.iterations)) == 0
    except Exception:  # noqa: BLE001 - no optimizer, or one without a step counter
        return False


def _same_rows(names: list[str], labels: list[np.ndarray], outputs: list[np.ndarray]) -> None:
    if len(outputs) != len(names):
        raise InputError(f"the model returned {len(outputs)} outputs but names {len(names)} ({names}).")
    for name, y, p in zip(names, labels, outputs):
        if len(y) != len(p):
            raise InputError(
                f"labels of output `{name}` have {len(y)} rows but the model returned {len(p)} rows for x: "
                "x and y must describe the same samples."
            )
