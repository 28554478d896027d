from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx
from headcheck.rules._util import NOMINAL_LOSSES, loss_label, loss_name, pick


class SigmoidWithCategoricalCrossentropy(Rule):
    """Independent sigmoid outputs trained with a categorical cross-entropy.

    ## What it does
    Flags a last layer with sigmoid outputs (K > 1) under categorical or sparse categorical
    cross-entropy (Keras), or `CrossEntropyLoss` / `NLLLoss` (PyTorch).

    ## Why is this bad?
    Keras's categorical cross-entropy only reads the output of the true class and never pushes the
    other outputs down, so every sigmoid drifts towards 1 and the scores stop being a distribution.
    PyTorch's `CrossEntropyLoss` applies log-softmax to values already squeezed into [0, 1], so the
    softmax can never become confident: the loss has a floor and training crawls.

    ## Example
    ```python
    model.add(Dense(10, activation="sigmoid"))
    model.compile(loss="categorical_crossentropy")
    ```

    ## Use instead
    ```python
    model.add(Dense(10, activation="softmax"))           # single-label classes
    model.compile(loss="categorical_crossentropy")
    # or, for multi-label targets:
    model.add(Dense(10, activation="sigmoid"))
    model.compile(loss="binary_crossentropy")
    ```

    ## Known problems
    A single sigmoid unit under a categorical loss is reported by HC110 (output width) instead.

    ## References
    - https://pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html
    - https://keras.io/api/losses/probabilistic_losses/
    """

    code = "HC102"
    name = "sigmoid-with-categorical-crossentropy"
    severity = Severity.ERROR
    summary = "Independent sigmoid outputs are trained with a categorical cross-entropy."
    fix_title = "Use softmax with categorical cross-entropy, or keep sigmoid and use binary cross-entropy."
    needs = frozenset({"head"})
    points_at = "loss"

    def check(self, ctx: Context) -> Iterator[Finding]:
        head = ctx.head
        name = loss_name(head)
        if head is None or head.activation != "sigmoid" or name not in NOMINAL_LOSSES:
            return
        if head.units == 1:
            return  # HC110: a categorical loss over one output
        if name.startswith("torch."):
            why = (f"`{loss_label(head)}` applies log-softmax to sigmoid outputs already squeezed into "
                   "[0, 1], so the softmax can never become confident: the loss has a floor and the "
                   "gradients are weak.")
        else:
            why = ("categorical cross-entropy only reads the true class's output and never pushes the "
                   "others down, so every sigmoid drifts towards 1 and the scores are no distribution.")
        message = f"Sigmoid outputs are trained with a categorical loss (`{loss_label(head)}`): {why}"
        fix = pick(
            ctx,
            keras="for single-label classes use `activation='softmax'`; for multi-label targets use "
            "`loss='binary_crossentropy'`",
            pytorch="drop the `nn.Sigmoid()`: `CrossEntropyLoss` applies log-softmax itself; for "
            "multi-label targets use `nn.BCEWithLogitsLoss` on the logits",
        )
        yield self.finding(message, fix)

    VALID = [
        Case(ctx(activation="sigmoid", units=5, loss="binary_crossentropy")),
        Case(ctx(activation="softmax", units=5, loss="categorical_crossentropy")),
        Case(ctx(activation="sigmoid", units=1, loss="categorical_crossentropy"), note="HC110's case"),
        Case(ctx(activation="linear", units=5, loss="nn.CrossEntropyLoss")),
        Case(ctx(units=5, loss="categorical_crossentropy"), note="activation unknown"),
    ]
    INVALID = [
        Case(ctx(activation="sigmoid", units=10, loss="categorical_crossentropy"),
             message="never pushes the others down"),
        Case(ctx(activation="sigmoid", units=3, loss="SparseCategoricalCrossentropy"),
             message="`activation='softmax'`"),
        Case(ctx(activation="nn.Sigmoid()", units=4, loss="nn.CrossEntropyLoss"),
             message="drop the `nn.Sigmoid()`"),
        Case(ctx(activation="sigmoid", loss="categorical_crossentropy"), message="Sigmoid outputs"),
    ]
