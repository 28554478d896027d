from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx
from headcheck.rules._util import loss_label, pick

_WHY = {
    "relu": "relu cuts every negative score to 0, so the model cannot say 'unlikely' and the "
    "gradient of a class stuck at 0 dies",
    "tanh": "tanh squeezes the scores into [-1, 1], so they are neither probabilities nor logits "
    "that can grow confident",
    "softplus": "softplus outputs are positive and unbounded, neither probabilities nor logits",
}


class NonProbabilisticOutput(Rule):
    """A relu / tanh / other non-probabilistic last activation under a classification loss.

    ## What it does
    Flags a last layer whose activation is neither softmax / sigmoid (probabilities) nor absent
    (logits), e.g. relu, tanh, softplus, elu, when the loss is a classification loss.

    ## Why is this bad?
    A cross-entropy reads its input as probabilities or as logits. Relu outputs cannot be negative
    (no "unlikely"; dead gradients), tanh outputs are stuck in [-1, 1] (never confident as logits,
    negative as probabilities), and Keras clips whatever is outside [0, 1]. Training still runs and
    plateaus early.

    ## Example
    ```python
    model.add(Dense(10, activation="relu"))
    model.compile(loss="categorical_crossentropy")
    ```

    ## Use instead
    ```python
    model.add(Dense(10, activation="softmax"))
    model.compile(loss="categorical_crossentropy")
    ```

    ## Known problems
    An activation that the linter cannot name (a custom function) is unknown and not reported.

    ## References
    - https://keras.io/api/layers/activations/
    """

    code = "HC108"
    name = "non-probabilistic-output"
    severity = Severity.WARNING
    summary = "The last activation gives neither probabilities nor logits."
    fix_title = "Use softmax/sigmoid on the last layer, or no activation with a logits loss."
    needs = frozenset({"head"})
    points_at = "activation"

    def check(self, ctx: Context) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.loss is None or head.activation not in ("relu", "tanh", "softplus", "other"):
            return
        if head.loss.kind not in ("binary", "categorical"):
            return
        act = head.activation if head.activation != "other" else "a non-probabilistic activation"
        why = _WHY.get(head.activation, "its outputs are neither probabilities nor logits")
        message = (f"The last layer applies {act} and its output goes to `{loss_label(head)}`: {why}. "
                   "Training runs but plateaus early.")
        fix = pick(
            ctx,
            keras="use `activation='softmax'` (single-label) or `'sigmoid'` (binary / multi-label) on "
            "the last layer, or no activation with `from_logits=True`",
            pytorch=f"remove the final {act} and give the raw logits to `{loss_label(head)}`",
        )
        yield self.finding(message, fix)

    VALID = [
        Case(ctx(activation="softmax", units=10, loss="categorical_crossentropy")),
        Case(ctx(activation="relu", units=1, loss="mse"), note="regression head"),
        Case(ctx(activation="relu", units=10), note="loss unknown"),
    ]
    INVALID = [
        Case(ctx(activation="relu", units=10, loss="categorical_crossentropy"), message="cuts every negative"),
        Case(ctx(activation="tanh", units=1, loss="binary_crossentropy"), message="`'sigmoid'`"),
        Case(ctx(activation="nn.ReLU()", units=10, loss="nn.CrossEntropyLoss"), message="remove the final relu"),
        Case(ctx(activation="elu", units=3, loss="sparse_categorical_crossentropy"),
             message="a non-probabilistic activation"),
    ]
