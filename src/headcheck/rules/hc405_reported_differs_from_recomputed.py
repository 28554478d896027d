from __future__ import annotations

import math
from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.history import TrainingHistory
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx
from headcheck.rules._util import pick

# A logged metric and its honest recomputation on the same data and the same predictions agree to
# float32 rounding when they are the same definition; they differ by more than this when they
# are not (binary accuracy on a 10-class task: 0.90 vs 0.12). One percentage point leaves room
# for float32 accumulation and for a threshold applied as `>` vs `>=` on a few ties.
TOLERANCE = 0.01


class ReportedDiffersFromRecomputed(Rule):
    """A metric the framework logged differs from headcheck's honest recomputation.

    ## What it does
    For each logged metric that claims to measure something headcheck recomputes on the same data
    (`val_accuracy` against the honest accuracy of the task, per-label or exact-match accuracy for
    multi-label targets), compares the last epoch's values and flags a difference of more than
    0.01, naming the definition the framework used (`keras.binary_accuracy`,
    `torchmetrics.multiclass_accuracy`, ...).

    ## Why is this bad?
    The logged number is the one people read, plot and publish. When its definition does not fit
    the task (binary accuracy on one-hot classes, categorical accuracy on multi-hot labels, a 0.5
    threshold on logits, macro where micro was meant) it is not the model's accuracy, and the gap
    is usually large: 0.99 logged where 0.42 is true.

    ## Example
    ```text
    epoch 10: val_accuracy 0.9012 (keras.binary_accuracy)  honest accuracy 0.5061
    ```

    ## Use instead
    Name the metric explicitly so that the framework computes the definition that fits the task,
    and read the honest metrics headcheck logs beside it (`hc_accuracy`, `hc_macro_f1`, ...).

    ## Known problems
    Training metrics are averaged over batches while the weights change and with dropout on, so
    only metrics computed on the same evaluation data as the recomputation are compared (the
    callback pairs them in `TrainingHistory.counterparts`).

    ## References
    - Keras 2.2.4 `engine/training.py`, Keras 3 `trainers/compile_utils.py` (what 'accuracy' becomes).
    - https://lightning.ai/docs/torchmetrics/stable/classification/accuracy.html
    """

    code = "HC405"
    name = "reported-differs-from-recomputed"
    severity = Severity.ERROR
    summary = "A metric the framework logged differs from headcheck's honest recomputation."
    fix_title = "Name the metric that fits the task; read the honest recomputation beside it."
    needs = frozenset({"history"})
    points_at = "metric"

    def check(self, ctx: Context) -> Iterator[Finding]:
        history = ctx.history
        if history is None:
            return
        for name, honest_id in history.counterparts.items():
            logged, honest = _last(history.logged.get(name, ())), _last(history.honest.get(honest_id, ()))
            if logged is None or honest is None or abs(logged - honest) <= TOLERANCE:
                continue
            definition = history.definitions.get(name)
            how = f"computed as `{definition}`" if definition else "computed by a definition headcheck does not know"
            epoch = len(history.logged[name])
            message = (f"`{name}` was logged as {logged:.4f} at epoch {epoch}, {how}, but the honest "
                       f"{honest_id.replace('_', ' ')} of the same predictions is {honest:.4f}: the logged "
                       "number measures something else than its name says on this task.")
            yield self.finding(message, _fix(ctx, honest_id), metric=_metric_named(ctx, definition))

    VALID = [
        Case(ctx(history=TrainingHistory(logged={"val_accuracy": (0.71, 0.80)}, honest={"accuracy": (0.71, 0.8004)},
                                         counterparts={"val_accuracy": "accuracy"}))),
        Case(ctx(history=TrainingHistory(logged={"val_accuracy": (0.9,)}, honest={"accuracy": (0.5,)})),
             note="no counterpart stated: nothing to compare"),
        Case(ctx(history=TrainingHistory(logged={"val_accuracy": (float("nan"),)}, honest={"accuracy": (0.5,)},
                                         counterparts={"val_accuracy": "accuracy"})), note="NaN: HC403's case"),
    ]
    INVALID = [
        Case(ctx(history=TrainingHistory(logged={"val_accuracy": (0.88, 0.9012)}, honest={"accuracy": (0.41, 0.5061)},
                                         counterparts={"val_accuracy": "accuracy"},
                                         definitions={"val_accuracy": "keras.binary_accuracy"})),
             message="computed as `keras.binary_accuracy`"),
        Case(ctx(activation="linear", units=5, loss="nn.CrossEntropyLoss",
                 history=TrainingHistory(logged={"val_acc": (0.62,)}, honest={"accuracy": (0.81,)},
                                         counterparts={"val_acc": "accuracy"},
                                         definitions={"val_acc": "torchmetrics.multiclass_accuracy"})),
             message="honest accuracy of the same predictions is 0.8100"),
        Case(ctx(history=TrainingHistory(logged={"accuracy": (0.42,)}, honest={"per_label_accuracy": (0.78,)},
                                         counterparts={"accuracy": "per_label_accuracy"})),
             message="a definition headcheck does not know"),
    ]


def _last(values: tuple[float, ...] | list[float]) -> float | None:
    if not values:
        return None
    value = float(values[-1])
    return value if math.isfinite(value) else None


def _metric_named(ctx: Context, definition: str | None):  # noqa: ANN202 - MetricSpec | None
    """The head's metric that the framework's definition came from, to point the finding at."""
    if ctx.head is None or not definition:
        return None
    short = definition.split(".")[-1].replace("_", "").lower()
    for metric in ctx.head.metrics:
        if metric.name.split(".")[-1].replace("_", "").lower() == short or metric.name == "accuracy":
            return metric
    return None


def _fix(ctx: Context, honest_id: str) -> str:
    return pick(
        ctx,
        keras=f"name the metric that fits the task instead of the string (see HC301-HC304) and read "
        f"`hc_{honest_id}` beside it",
        pytorch=f"use the torchmetrics class that fits the task with `average=` stated (see HC302, HC306) "
        f"and log the honest `{honest_id}` beside it",
        neutral=f"compute the metric with the definition that fits the task and report the honest "
        f"`{honest_id}` beside it",
    )
