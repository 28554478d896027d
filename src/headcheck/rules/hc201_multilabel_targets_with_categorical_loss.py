from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx, profile
from headcheck.rules._util import NOMINAL_LOSSES, known_task, loss_label, loss_name, pick


class MultilabelTargetsWithCategoricalLoss(Rule):
    """Multi-hot targets under a softmax output or a categorical cross-entropy.

    ## What it does
    Flags multi-label targets (several labels can be positive in one sample: multi-hot rows in the
    data, `MultiLabelBinarizer` in the source, or `--task multilabel`) trained with a softmax last
    layer or a categorical loss (`categorical_crossentropy`, `CrossEntropyLoss`).

    ## Why is this bad?
    Softmax makes the labels compete for one unit of probability: with two positive labels the best
    the model can output is 0.5 each, a third label pushes all of them lower, and thresholding at 0.5
    finds no positive at all. The categorical loss rewards only the share of probability on the
    positives, not each label's own decision.

    ## Example
    ```python
    y = MultiLabelBinarizer().fit_transform(tags)
    model.add(Dense(20, activation="softmax"))
    model.compile(loss="categorical_crossentropy")
    ```

    ## Use instead
    ```python
    model.add(Dense(20, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", metrics=[keras.metrics.BinaryAccuracy()])
    ```

    ## Known problems
    Needs the labels (data, a declaration, or an encoder visible in the source); a head alone says
    nothing about them.

    ## References
    - https://keras.io/api/losses/probabilistic_losses/#binarycrossentropy-class
    - https://pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html
    """

    code = "HC201"
    name = "multilabel-targets-with-categorical-loss"
    severity = Severity.ERROR
    summary = "Multi-hot targets are trained with softmax or a categorical loss."
    fix_title = "Use independent sigmoid outputs with binary cross-entropy for multi-label targets."
    needs = frozenset({"head", "task"})
    points_at = "loss"

    def check(self, ctx: Context) -> Iterator[Finding]:
        head = ctx.head
        if head is None or known_task(ctx) != "multilabel":
            return
        name = loss_name(head)
        if head.activation == "softmax":
            culprit = "a softmax output"
        elif name in NOMINAL_LOSSES:
            culprit = f"a categorical loss (`{loss_label(head)}`)"
        else:
            return
        message = (f"The targets are multi-label (several labels can be positive at once) but the head "
                   f"uses {culprit}, which makes the labels compete for one unit of probability: with "
                   "two positive labels the best output is 0.5 each, and a 0.5 threshold finds neither.")
        fix = pick(
            ctx,
            keras="use `activation='sigmoid'` with `loss='binary_crossentropy'` (or "
            "`keras.losses.BinaryFocalCrossentropy` when positives are rare) and "
            "`metrics=[keras.metrics.BinaryAccuracy()]`",
            pytorch="drop the softmax and use `nn.BCEWithLogitsLoss` on the logits "
            "(`torchvision.ops.sigmoid_focal_loss` when positives are rare)",
        )
        yield self.finding(message, fix)

    VALID = [
        Case(ctx(activation="sigmoid", units=5, loss="binary_crossentropy",
                 task=profile("multilabel", 5, "multi-hot"))),
        Case(ctx(activation="softmax", units=5, loss="categorical_crossentropy",
                 task=profile("multiclass", 5, "one-hot"))),
        Case(ctx(activation="softmax", units=5, loss="categorical_crossentropy"), note="labels unknown"),
        Case(ctx(activation="linear", units=5, loss="nn.BCEWithLogitsLoss", task="multilabel")),
    ]
    INVALID = [
        Case(ctx(activation="softmax", units=5, loss="categorical_crossentropy",
                 task=profile("multilabel", 5, "multi-hot")), message="`activation='sigmoid'`"),
        Case(ctx(activation="softmax", units=5, loss="binary_crossentropy", labels="multi-hot"),
             message="a softmax output"),
        Case(ctx(activation="linear", units=5, loss="nn.CrossEntropyLoss", task="multilabel"),
             message="`nn.BCEWithLogitsLoss`"),
        Case(ctx(units=5, loss="categorical_crossentropy", declared="multilabel"),
             message="compete for one unit of probability"),
    ]
