from __future__ import annotations

import math
from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.history import TrainingHistory
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx
from headcheck.rules._util import class_counts, pick

# A metric is stuck when its last STUCK_EPOCHS values agree to DECIMALS places: a short plateau
# of 2-3 epochs is common in healthy training; five identical values to 4 decimals are not noise.
STUCK_EPOCHS = 5
DECIMALS = 4


class StuckMetric(Rule):
    """A metric stays unchanged, to 4 decimals, epoch after epoch.

    ## What it does
    Reads the per-epoch metrics a training logged (and headcheck's honest recomputation of them)
    and flags a metric whose last 5 values agree to 4 decimals. When that value is the
    majority-class rate of the data, it says so: the model predicts one class and the metric is
    that class's share. Losses and learning rates are not read (a constant learning rate is
    normal), nor a metric held at its best value (accuracy 1.0 on easy data has converged).

    ## Why is this bad?
    A value frozen to 4 decimals means the decisions behind it do not change at all: the model
    outputs the same class for every sample (single-unit softmax, dead ReLUs, a learning rate far
    too high or too low, labels that do not match the head). Training goes on for hours; a
    validation accuracy of 0.5098 for 45 epochs is the share of the largest class, not a model.

    ## Example
    ```text
    epoch 1..45: val_accuracy 0.5098 0.5098 0.5098 ...   (0.5098 = share of five-star reviews)
    ```

    ## Use instead
    Fix the head (`headcheck check`), check the labels and the learning rate, and watch balanced
    accuracy or macro F1, which a constant prediction cannot game.

    ## Known problems
    A metric that has truly converged can stay put to 4 decimals on a small validation set; the
    finding is then a warning to read, not an error, unless the value is the majority-class rate.

    ## References
    - https://karpathy.github.io/2019/04/25/recipe/ (verify the loss and the predictions early)
    """

    code = "HC401"
    name = "stuck-metric"
    severity = Severity.WARNING
    summary = "A metric stays unchanged (to 4 decimals) for several epochs."
    fix_title = "Check the head, the labels and the learning rate; watch balanced accuracy or macro F1."
    needs = frozenset({"history"})
    points_at = "metric"

    def check(self, ctx: Context) -> Iterator[Finding]:
        history = ctx.history
        if history is None:
            return
        stuck = [(name, values[-1]) for name, values in _series(history) if _is_stuck(name, values)]
        if not stuck:
            return
        majority = _majority_rate(ctx)
        at_majority = [(n, v) for n, v in stuck if majority is not None and round(v, DECIMALS) == round(majority, DECIMALS)]
        name, value = (at_majority or stuck)[0]
        # a logged metric and headcheck's recomputation may share a name ('accuracy'): named once
        others = list(dict.fromkeys(n for n, _ in stuck if n != name))
        also = f" ({', '.join(others)} too)" if others else ""
        message = (f"`{name}` has been {value:.{DECIMALS}f} for the last {STUCK_EPOCHS} epochs{also}: "
                   "the decisions behind it do not change, so training is not moving the model.")
        severity = Severity.WARNING
        if at_majority:
            message += (f" {value:.{DECIMALS}f} is the majority-class rate of the data: the model predicts "
                        "one class for every sample and the metric is that class's share.")
            severity = Severity.ERROR
        yield self.finding(message, _fix(ctx), severity=severity)

    VALID = [
        Case(Context(history=TrainingHistory(logged={"val_accuracy": (0.61, 0.66, 0.70, 0.71, 0.73, 0.74)}))),
        Case(Context(history=TrainingHistory(logged={"val_accuracy": (0.5098,) * 3})), note="too few epochs"),
        Case(Context(history=TrainingHistory(logged={"loss": (0.0,) * 8, "lr": (0.001,) * 8})),
             note="losses and learning rates are not metrics"),
        Case(ctx(activation="softmax", units=3), note="no history"),
        Case(Context(history=TrainingHistory(logged={"accuracy": (0.9, 1.0, 1.0, 1.0, 1.0, 1.0)},
                                             honest={"ece": (0.0,) * 6})),
             note="a metric held at its best value has converged"),
    ]
    INVALID = [
        Case(Context(history=TrainingHistory(logged={"val_accuracy": (0.5098,) * 45}, class_counts=(2549, 2451))),
             message="is the majority-class rate"),
        Case(Context(history=TrainingHistory(logged={"accuracy": (0.4, 0.45, 0.61230, 0.61234, 0.61231, 0.61228, 0.61233)})),
             message="for the last 5 epochs"),
        Case(Context(history=TrainingHistory(honest={"balanced_accuracy": (0.25,) * 6}, framework="pytorch")),
             message="`balanced_accuracy` has been 0.2500"),
        Case(Context(history=TrainingHistory(
            logged={"accuracy": (0.61,) * 6, "val_accuracy": (0.5098,) * 6},
            honest={"accuracy": (0.5098,) * 6, "balanced_accuracy": (0.2,) * 6}, class_counts=(2549, 2451))),
            message="`val_accuracy` has been 0.5098 for the last 5 epochs (accuracy, balanced_accuracy too)",
            note="the logged training accuracy and the honest one share a name: it is listed once"),
    ]


def _series(history: TrainingHistory) -> Iterator[tuple[str, tuple[float, ...]]]:
    for name, values in list(history.logged.items()) + list(history.honest.items()):
        low = name.lower()
        if "loss" in low or low in ("lr", "learning_rate") or low.endswith(("_lr", "learning_rate")):
            continue
        yield name, tuple(float(v) for v in values)


# Lower-is-better metrics that are not named losses (their best value is 0); every other metric
# read here is at best 1 (accuracies, F1, AUC, MCC, kappa).
_BEST_AT_ZERO = ("ece", "brier")


def _is_stuck(name: str, values: tuple[float, ...]) -> bool:
    tail = values[-STUCK_EPOCHS:]
    if len(tail) < STUCK_EPOCHS or not all(math.isfinite(v) for v in tail):
        return False
    best = 0.0 if name.lower().endswith(_BEST_AT_ZERO) else 1.0
    return len({round(v, DECIMALS) for v in tail}) == 1 and round(tail[-1], DECIMALS) != best


def _majority_rate(ctx: Context) -> float | None:
    history = ctx.history
    if history is not None and history.majority_rate is not None:
        return history.majority_rate
    counts = (history.class_counts if history is not None else None) or class_counts(ctx)
    if counts and sum(counts) > 0:
        return max(counts) / sum(counts)
    if ctx.data is not None and ctx.data.majority_rate is not None:
        return ctx.data.majority_rate
    return None


def _fix(ctx: Context) -> str:
    return pick(
        ctx,
        keras="check the head (`headcheck check`), the labels and the learning rate, and add "
        "`keras.metrics.F1Score(average='macro')` (or watch `hc_balanced_accuracy`) beside accuracy",
        pytorch="check the head (`headcheck check`), the labels and the learning rate, and log a "
        "macro-averaged metric (`MulticlassAccuracy(average='macro')`) beside accuracy",
        neutral="check the head (`headcheck check`), the labels and the learning rate, and watch "
        "balanced accuracy or macro F1 beside accuracy",
    )
