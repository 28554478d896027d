from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx, profile
from headcheck.rules._util import (ACCURACY_NAMES, ORDINAL_KERAS, ORDINAL_TORCH, is_ordinal, known_task,
                                   loss_label, metrics, pick)


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
    ]
