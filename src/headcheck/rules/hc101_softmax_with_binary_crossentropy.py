from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx, profile
from headcheck.rules._util import loss_label, loss_name, pick

_BINARY_LOSSES = frozenset({"binary_crossentropy", "binary_focal_crossentropy", "torch.BCELoss"})


class SoftmaxWithBinaryCrossentropy(Rule):
    """Softmax over K > 1 outputs trained with binary cross-entropy.

    ## What it does
    Flags a last layer with a softmax activation over more than one output whose loss is a binary
    cross-entropy (Keras `binary_crossentropy`, `BinaryFocalCrossentropy`, PyTorch `nn.BCELoss`).

    ## Why is this bad?
    Binary cross-entropy scores every output as an independent yes/no decision, while softmax makes
    the outputs compete for one unit of probability. The model is fitted to the wrong likelihood,
    and Keras 1.0.6–2.3 / tf.keras ≤ 2.1 then resolve `metrics=['accuracy']` to binary accuracy: on
    a 10-class problem, predicting "no" everywhere already scores 0.90.

    ## Example
    ```python
    model.add(Dense(10, activation="softmax"))
    model.compile(loss="binary_crossentropy", metrics=["accuracy"])
    ```

    ## Use instead
    ```python
    model.add(Dense(10, activation="softmax"))
    model.compile(loss="categorical_crossentropy", metrics=["categorical_accuracy"])
    ```
    For multi-label targets keep the binary loss and use `activation="sigmoid"`.

    ## Known problems
    Softmax over a single unit is reported by HC103 instead. A head whose softmax output is fed to
    `BCEWithLogitsLoss` is a double activation (HC105).

    ## References
    - Keras issue #5794 and the Keras 2.2 `training.py` metric resolution.
    - https://keras.io/api/losses/probabilistic_losses/
    """

    code = "HC101"
    name = "softmax-with-binary-crossentropy"
    severity = Severity.WARNING
    summary = "Softmax over several outputs is trained with binary cross-entropy."
    fix_title = "Use categorical cross-entropy with softmax, or sigmoid outputs with binary cross-entropy."
    needs = frozenset({"head"})
    points_at = "loss"

    def check(self, ctx: Context) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.activation != "softmax" or loss_name(head) not in _BINARY_LOSSES:
            return
        if head.units == 1:
            return  # HC103: softmax over one unit
        width = f" over {head.units} outputs" if head.units else ""
        message = (
            f"Softmax{width} is trained with binary cross-entropy (`{loss_label(head)}`): the loss "
            "scores each output as an independent yes/no while softmax makes the outputs compete, "
            "so the model is fitted to the wrong likelihood"
        )
        message += pick(
            ctx,
            keras=", and Keras 1.0.6–2.3 / tf.keras ≤ 2.1 report `'accuracy'` as binary accuracy, "
            "inflated to (K-1)/K by predicting nothing.",
            pytorch=", and an accuracy that thresholds each output at 0.5 is inflated to (K-1)/K by "
            "predicting nothing.",
        )
        fix = pick(
            ctx,
            keras="for single-label classes use `loss='categorical_crossentropy'` (one-hot labels) or "
            "`'sparse_categorical_crossentropy'` (integer labels) with `metrics=['categorical_accuracy']`; "
            "for multi-label targets use `activation='sigmoid'`",
            pytorch="for single-label classes drop the `nn.Softmax()` and use `nn.CrossEntropyLoss` on "
            "the logits; for multi-label targets drop it and use `nn.BCEWithLogitsLoss`",
        )
        yield self.finding(message, fix)

    VALID = [
        Case(ctx(activation="softmax", units=10, loss="categorical_crossentropy")),
        Case(ctx(activation="sigmoid", units=5, loss="binary_crossentropy")),
        Case(ctx(activation="softmax", units=1, loss="binary_crossentropy"), note="HC103's case"),
        Case(ctx(activation="softmax", units=10), note="loss unknown: silent"),
        Case(ctx(loss="binary_crossentropy", units=10), note="activation unknown: silent"),
        Case(ctx(task=profile("multiclass", 10, "integer")), note="no head"),
    ]
    INVALID = [
        Case(ctx(activation="softmax", units=10, loss="binary_crossentropy"), message="wrong likelihood"),
        Case(ctx(activation="softmax", units=3, loss="keras.losses.BinaryCrossentropy()",
                 framework="keras==2.2.4"), message="`'sparse_categorical_crossentropy'`"),
        Case(ctx(activation="nn.Softmax(dim=1)", units=4, loss="nn.BCELoss"),
             message="drop the `nn.Softmax()`"),
        Case(ctx(activation="softmax", loss="BinaryFocalCrossentropy"), message="Softmax is trained"),
    ]
