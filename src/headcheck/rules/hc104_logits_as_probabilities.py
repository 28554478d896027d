from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.rules import Case, Context, Rule
from headcheck.frameworks.keras import LOSS_CLASS
from headcheck.rules._util import keras_api, loss_label, raw_tensorflow
from headcheck.rules._cases import ctx, tensorflow, tf_loss


class LogitsAsProbabilities(Rule):
    """No final activation, and a loss that expects probabilities.

    ## What it does
    Flags a last layer without activation (its outputs are logits) whose loss expects probabilities:
    a Keras cross-entropy with `from_logits=False` (the default), or PyTorch's `nn.BCELoss`.

    ## Why is this bad?
    Keras clips the "probabilities" into [1e-7, 1 - 1e-7] before taking the log: every negative
    logit becomes 1e-7, the loss and its gradients are wrong, and training stalls or diverges.
    `nn.BCELoss` requires inputs in [0, 1] and raises or produces NaN on logits.

    ## Example
    ```python
    model.add(Dense(10))                          # logits
    model.compile(loss="categorical_crossentropy")
    ```

    ## Use instead
    ```python
    model.add(Dense(10))
    model.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True))
    ```

    ## Known problems
    `NLLLoss` on raw scores is reported by HC106. A model whose activation is applied outside the
    last layer (e.g. in a custom `call`) is seen as having no activation by the linter.

    ## References
    - https://keras.io/api/losses/probabilistic_losses/
    - https://pytorch.org/docs/stable/generated/torch.nn.BCELoss.html
    """

    code = "HC104"
    name = "logits-as-probabilities"
    severity = Severity.ERROR
    summary = "The model outputs logits but the loss expects probabilities."
    fix_title = "Tell the loss it receives logits (from_logits=True / BCEWithLogitsLoss), or add the activation."
    needs = frozenset({"head"})
    points_at = "loss"

    def check(self, ctx: Context) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.activation != "linear" or head.loss is None:
            return
        if head.loss.expects != "probabilities":
            return
        spelling = loss_label(head)
        if head.loss.is_torch:
            message = (f"The last layer has no activation, so it outputs logits, but `{spelling}` needs "
                       "probabilities in [0, 1]: on logits it raises or returns NaN, and it is the less "
                       "stable form of the same loss.")
            fix = "use `nn.BCEWithLogitsLoss` on the logits instead of `nn.BCELoss`"
        elif raw_tensorflow(head):
            act, fused = (("tf.sigmoid", "tf.nn.sigmoid_cross_entropy_with_logits") if head.loss.kind == "binary"
                          else ("tf.nn.softmax", "tf.nn.softmax_cross_entropy_with_logits"))
            message = (f"The output has no activation, so it holds logits, but `{spelling}` expects "
                       "probabilities: it takes the log of values outside (0, 1] (NaN, or clipped to a "
                       "constant), so the loss and its gradients are wrong.")
            fix = f"apply `{act}` to the logits first, or use `{fused}(labels=..., logits=...)` on them"
        else:
            act = "sigmoid" if head.loss.kind == "binary" else "softmax"
            message = (f"The last layer has no activation, so it outputs logits, but `{spelling}` "
                       "expects probabilities (`from_logits=False` is the default): Keras clips the "
                       "logits into [1e-7, 1 - 1e-7], so the loss and its gradients are wrong.")
            cls = LOSS_CLASS.get(head.loss.name)
            example = f" (`{keras_api(ctx)}.losses.{cls}(from_logits=True)`)" if cls else ""
            fix = f"pass `from_logits=True`{example}, or add `activation='{act}'` to the last layer"
        yield self.finding(message, fix)

    VALID = [
        Case(ctx(activation="linear", units=10, loss="categorical_crossentropy", from_logits=True)),
        Case(ctx(activation="softmax", units=10, loss="categorical_crossentropy")),
        Case(ctx(activation="linear", units=1, loss="nn.BCEWithLogitsLoss")),
        Case(ctx(activation="linear", units=10, loss="nn.CrossEntropyLoss")),
        Case(ctx(activation="linear", units=10, loss="nn.NLLLoss"), note="HC106's case"),
        Case(ctx(units=10, loss="categorical_crossentropy"), note="activation unknown"),
        Case(ctx(activation="linear", units=1, loss="mse"), note="not a probabilistic loss"),
        Case(tensorflow(ctx(activation="linear", units=10, loss=tf_loss(
            "categorical_crossentropy", "tf.nn.softmax_cross_entropy_with_logits_v2", from_logits=True)))),
    ]
    INVALID = [
        Case(ctx(activation="linear", units=10, loss="categorical_crossentropy"),
             message="`keras.losses.CategoricalCrossentropy(from_logits=True)`"),
        Case(ctx(activation="linear", units=1, loss="binary_crossentropy", from_logits=False),
             message="`activation='sigmoid'`"),
        Case(ctx(activation="None", units=5, loss="sparse_categorical_crossentropy"),
             message="outputs logits"),
        Case(ctx(activation="nn.Identity()", units=1, loss="nn.BCELoss"), message="`nn.BCEWithLogitsLoss`"),
        Case(tensorflow(ctx(activation="linear", units=1, loss=tf_loss(
            "binary_crossentropy", "tf.compat.v1.losses.log_loss", from_logits=False))),
             message="`tf.nn.sigmoid_cross_entropy_with_logits(labels=..., logits=...)`",
             note="raw TensorFlow: log_loss on logits"),
    ]

