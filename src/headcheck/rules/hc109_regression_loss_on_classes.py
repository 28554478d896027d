from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx, profile
from headcheck.rules._util import (ACCURACY_NAMES, ORDINAL_KERAS, ORDINAL_TORCH, is_ordinal, known_task,
                                   loss_label, metrics, pick)
from headcheck.task import DataFacts


class RegressionLossOnClasses(Rule):
    """A regression loss (MSE / MAE) trained on class targets.

    ## What it does
    Flags mean squared / absolute error (Keras `'mse'`, `'mae'`, PyTorch `MSELoss`, `L1Loss`) when
    the targets are classes: the last layer is a softmax or sigmoid, the task is known to be a
    classification, or an accuracy is reported.

    ## Why is this bad?
    Regressing class indices pretends that class 3 lies between 2 and 4; regressing one-hot vectors
    with MSE is not a likelihood and its gradients vanish on saturated sigmoid/softmax outputs, so
    training is slow and the scores are badly calibrated. For classes with a real order (ratings)
    regression is defensible, but an ordinal loss is better: the finding is then only `info`.

    ## Example
    ```python
    model.add(Dense(10, activation="softmax"))
    model.compile(loss="mse", metrics=["accuracy"])
    ```

    ## Use instead
    ```python
    model.add(Dense(10, activation="softmax"))
    model.compile(loss="categorical_crossentropy", metrics=["categorical_accuracy"])
    ```

    ## Known problems
    A regression model that reports an accuracy of rounded predictions is flagged too.

    ## References
    - Golik, Doetsch, Ney: Cross-entropy vs. squared error training (Interspeech 2013).
    - coral-pytorch (CORAL / CORN ordinal losses): https://github.com/Raschka-research-group/coral-pytorch
    """

    code = "HC109"
    name = "regression-loss-on-classes"
    severity = Severity.WARNING
    summary = "A regression loss (MSE/MAE) is trained on class targets."
    fix_title = "Use a cross-entropy for classes (or an ordinal loss for ordered classes)."
    needs = frozenset({"head"})
    points_at = "loss"

    def check(self, ctx: Context) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.loss is None or head.loss.kind != "regression":
            return
        evidence = self._evidence(ctx)
        if evidence is None:
            return
        spelling = loss_label(head)
        if is_ordinal(ctx) and (problem := self._not_a_class_regression(ctx, spelling)) is not None:
            yield self.finding(*problem)
            return
        if is_ordinal(ctx):
            message = (f"`{spelling}` on ordered classes ({evidence}) is a valid choice (regression on the "
                       "class index), but it treats the classes as evenly spaced and its outputs need "
                       "rounding to a class; an ordinal loss models the order without that assumption "
                       "and often does better.")
            fix = pick(ctx,
                       keras=f"keep it, or try an ordinal loss: {ORDINAL_KERAS}; either way report the mean "
                       "absolute class error (`headcheck report --task ordinal`)",
                       pytorch=f"keep it, or try an ordinal loss: {ORDINAL_TORCH}; either way report the mean "
                       "absolute class error (`headcheck report --task ordinal`)")
            yield self.finding(message, fix, severity=Severity.INFO)
            return
        message = (f"`{spelling}` is a regression loss but the targets are classes ({evidence}): it "
                   "is not a likelihood over classes, its gradients vanish on saturated sigmoid/softmax "
                   "outputs, and an accuracy over its outputs depends on rounding.")
        fix = pick(
            ctx,
            keras="use `loss='categorical_crossentropy'` / `'sparse_categorical_crossentropy'` "
            "(single-label) or `'binary_crossentropy'` (binary / multi-label)",
            pytorch="use `nn.CrossEntropyLoss` (single-label) or `nn.BCEWithLogitsLoss` "
            "(binary / multi-label) on the logits",
        )
        yield self.finding(message, fix)

    @staticmethod
    def _not_a_class_regression(ctx: Context, spelling: str) -> tuple[str, str] | None:
        """What keeps a regression loss on ordered classes from being a regression on the class
        index: several outputs (each compared with its own one-hot or cumulative column), or one
        squashed output that cannot reach the labels (a sigmoid stays in (0, 1), a tanh in
        (-1, 1)). None when it is one (the valid choice)."""
        head = ctx.head
        assert head is not None
        ordinal_fix = pick(ctx, keras=f"or an ordinal loss: {ORDINAL_KERAS}",
                           pytorch=f"or an ordinal loss: {ORDINAL_TORCH}")
        linear = pick(ctx, keras="one linear output (`Dense(1)`, no activation)",
                      pytorch="one output with no activation (`nn.Linear(d, 1)`)")
        if head.units is not None and head.units > 1:
            return (f"`{spelling}` over {head.units} outputs on ordered classes compares each output with "
                    "its own target column (one-hot or cumulative): it is no regression on the class "
                    "index, and no likelihood over the classes either.",
                    f"for a regression on the class index use {linear} with `{spelling}`, {ordinal_fix}")
        span = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}.get(head.activation or "")
        data = ctx.data
        if span is None or data is None or data.label_min is None or data.label_max is None:
            return None
        lo, hi = data.label_min, data.label_max
        if span[0] <= lo and hi <= span[1]:
            return None  # targets scaled into the output's range
        offset = ctx.task.label_offset if ctx.task is not None else 0
        shown = f" (labels {lo + offset:g} to {hi + offset:g})" if offset else ""
        return (f"`{spelling}` on one {head.activation} output, but a {head.activation} stays within "
                f"({span[0]:g}, {span[1]:g}) while the class indices run from {lo:g} to {hi:g}{shown}: "
                "the output "
                "can never reach most classes, so the rounded predictions pile up on the lowest ones.",
                f"use {linear} for a regression on the class index (or scale the targets into "
                f"({span[0]:g}, {span[1]:g}) and the predictions back), {ordinal_fix}")

    @staticmethod
    def _evidence(ctx: Context) -> str | None:
        head = ctx.head
        assert head is not None
        if head.activation in ("softmax", "sigmoid", "log_softmax"):
            return f"the last layer is a {head.activation}"
        kind = known_task(ctx)
        if kind is not None:
            return f"the task is {kind}" if not is_ordinal(ctx) else "declared ordinal"
        if metrics(head, *ACCURACY_NAMES):
            return "an accuracy is reported"
        return None

    VALID = [
        Case(ctx(activation="linear", units=1, loss="mse"), note="plain regression"),
        Case(ctx(activation="softmax", units=10, loss="categorical_crossentropy")),
        Case(ctx(activation="relu", units=1, loss="mean_absolute_error", metrics=["mae"])),
    ]
    INVALID = [
        Case(ctx(activation="softmax", units=10, loss="mse", metrics=["accuracy"]),
             message="`loss='categorical_crossentropy'`"),
        Case(ctx(activation="sigmoid", units=1, loss="nn.MSELoss"), message="`nn.BCEWithLogitsLoss`"),
        Case(ctx(units=1, loss="mse", task=profile("binary", 2, "integer", (50, 50))),
             message="the task is binary"),
        Case(ctx(units=1, loss="mae", metrics=["acc"]), message="an accuracy is reported"),
        Case(ctx(units=1, loss="mse", task="ordinal"), message="is a valid choice"),
        Case(ctx(units=1, loss="nn.L1Loss", task="ordinal"), message="`coral_pytorch.losses.corn_loss`"),
        Case(ctx(activation="softmax", units=5, loss="mse", task="ordinal"),
             message="over 5 outputs on ordered classes"),
        Case(ctx(activation="sigmoid", units=1, loss="mse", declared="ordinal",
                 data=DataFacts(label_min=1, label_max=5, label_is_integer=True)),
             message="the output can never reach most classes"),
        Case(ctx(activation="sigmoid", units=1, loss="mse", declared="ordinal",
                 data=DataFacts(label_min=0, label_max=1, label_is_integer=True)),
             message="is a valid choice", note="targets within the sigmoid's range"),
    ]
