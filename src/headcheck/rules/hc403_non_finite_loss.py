from __future__ import annotations

import math
from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.history import TrainingHistory
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx
from headcheck.rules._util import pick


class NonFiniteLoss(Rule):
    """The loss or the model's outputs became NaN or infinite.

    ## What it does
    Reads the losses a training logged each epoch (every logged series whose name contains
    `loss`), the first batch's loss, and the count of output rows holding NaN/inf the callback saw,
    and flags the first NaN or infinity.

    ## Why is this bad?
    Once a loss is NaN every later update is NaN: the weights are destroyed and every metric after
    that point is meaningless, often still printed as a number (accuracy of the class that NaN
    scores fall into). Common causes at the head: a `log` of probabilities that reach 0 (a
    hand-written cross-entropy, or a loss fed probabilities where it expects logits), labels out of
    range for the loss, or a learning rate that makes the logits overflow.

    ## Example
    ```text
    epoch 1: loss 0.6931   epoch 2: loss 2.3e+04   epoch 3: loss nan
    ```

    ## Use instead
    Give the loss logits and let it apply the activation (`from_logits=True`,
    `nn.CrossEntropyLoss`, `nn.BCEWithLogitsLoss`), which is numerically stable; check the labels'
    range; lower the learning rate or clip the gradients.

    ## Known problems
    Only what was recorded is read: a NaN in one batch that the epoch mean hides is seen only when
    the callback counts non-finite outputs.

    ## References
    - https://pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html (log-sum-exp trick)
    """

    code = "HC403"
    name = "non-finite-loss"
    severity = Severity.ERROR
    summary = "The loss or the model's outputs became NaN or infinite."
    fix_title = "Feed the loss logits (stable form), check the label range, lower the learning rate or clip gradients."
    needs = frozenset({"history"})
    points_at = "loss"

    def check(self, ctx: Context) -> Iterator[Finding]:
        history = ctx.history
        if history is None:
            return
        seen = _first_nonfinite(history)
        if seen is None:
            return
        yield self.finding(seen + " Every update after that point is NaN too, and the metrics computed "
                           "from such a model mean nothing.", _fix(ctx))

    VALID = [
        Case(Context(history=TrainingHistory(logged={"loss": (0.69, 0.41, 0.30), "val_loss": (0.70, 0.5, 0.4)}))),
        Case(Context(history=TrainingHistory(logged={"accuracy": (float("nan"), 0.5)})),
             note="a NaN metric is not a NaN loss"),
        Case(ctx(activation="softmax", units=3), note="no history"),
    ]
    INVALID = [
        Case(Context(history=TrainingHistory(logged={"loss": (0.69, 2.3e4, float("nan"))})),
             message="`loss` is nan at epoch 3"),
        Case(Context(history=TrainingHistory(first_batch_loss=float("inf"))), message="the first batch's loss is inf"),
        Case(Context(history=TrainingHistory(nonfinite_outputs=12, framework="pytorch")),
             message="12 output rows held NaN or infinite values"),
        Case(ctx(activation="softmax", units=10, loss="categorical_crossentropy",
                 history=TrainingHistory(logged={"val_loss": (1.2, float("inf"))})), message="`from_logits=True`"),
    ]


def _first_nonfinite(history: TrainingHistory) -> str | None:
    if history.first_batch_loss is not None and not math.isfinite(history.first_batch_loss):
        return f"the first batch's loss is {history.first_batch_loss}: the untrained model already overflows."
    for name, values in history.logged.items():
        if "loss" not in name.lower():
            continue
        for epoch, value in enumerate(values, start=1):
            if not math.isfinite(float(value)):
                return f"`{name}` is {float(value)} at epoch {epoch}."
    if history.nonfinite_outputs:
        return f"{history.nonfinite_outputs} output rows held NaN or infinite values."
    return None


def _fix(ctx: Context) -> str:
    return pick(
        ctx,
        keras="output logits (no final activation) and pass `from_logits=True` to the loss, which is "
        "numerically stable; check that the labels fit the loss; lower the learning rate or pass "
        "`clipnorm=1.0` to the optimizer",
        pytorch="give the raw logits to `nn.CrossEntropyLoss` / `nn.BCEWithLogitsLoss` instead of taking "
        "`log` of probabilities; check that the targets fit the loss; lower the learning rate or call "
        "`torch.nn.utils.clip_grad_norm_`",
        neutral="compute the loss from logits (the stable form), check that the labels fit the loss, "
        "and lower the learning rate or clip the gradients",
    )
