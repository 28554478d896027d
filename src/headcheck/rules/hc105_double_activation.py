from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.frameworks.torch import SIGMOID_LOSSES
from headcheck.rules import Case, Context, Rule
from headcheck.rules._util import loss_label, raw_tensorflow
from headcheck.rules._cases import ctx, tensorflow, tf_loss

_TORCH_SIGMOID_LOSSES = SIGMOID_LOSSES  # the losses that apply a sigmoid themselves


class DoubleActivation(Rule):
    """A softmax/sigmoid output fed to a loss that applies the activation again.

    ## What it does
    Flags a last layer with a softmax or sigmoid activation whose loss expects logits: a Keras
    cross-entropy with `from_logits=True`, PyTorch's `CrossEntropyLoss` after `Softmax`, or
    `BCEWithLogitsLoss` after `Sigmoid`/`Softmax`.

    ## Why is this bad?
    The activation is applied twice: softmax of probabilities is close to uniform, the sigmoid of a
    probability lies in [0.5, 0.73]. The loss can never reach its minimum, the gradients shrink and
    training is slow or stalls, while the reported accuracy can still look fine. PyTorch never
    warns (pytorch/pytorch#55902); Keras warns only on the TensorFlow backend, and there silently
    uses the pre-activation values; on JAX and PyTorch backends the double activation happens.

    ## Example
    ```python
    model = nn.Sequential(nn.Linear(64, 10), nn.Softmax(dim=1))
    loss_fn = nn.CrossEntropyLoss()
    ```

    ## Use instead
    ```python
    model = nn.Sequential(nn.Linear(64, 10))       # logits
    loss_fn = nn.CrossEntropyLoss()                 # applies log-softmax itself
    ```

    ## Known problems
    `log_softmax` followed by `CrossEntropyLoss` is harmless (log-softmax is idempotent) and is not
    reported. A sigmoid before `CrossEntropyLoss` is reported by HC102.

    ## References
    - https://pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html
    - https://github.com/pytorch/pytorch/issues/55902
    """

    code = "HC105"
    name = "double-activation"
    severity = Severity.ERROR
    summary = "The output activation is applied a second time by the loss."
    fix_title = "Apply the activation once: drop it from the model, or tell the loss it gets probabilities."
    needs = frozenset({"head"})
    points_at = "loss"

    def check(self, ctx: Context) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.loss is None or head.activation not in ("softmax", "sigmoid"):
            return
        act, name, spelling = head.activation, head.loss.name, loss_label(head)
        if head.loss.is_torch:
            if name == "torch.CrossEntropyLoss" and act == "softmax":
                applied, layer, alt = "log-softmax", "nn.Softmax()", ""
            elif name in _TORCH_SIGMOID_LOSSES:
                applied, layer = "the sigmoid", f"nn.{act.capitalize()}()"
                alt = " (or keep the sigmoid and use `nn.BCELoss`)" if act == "sigmoid" else ""
            else:
                return
            message = (f"The output goes through {act} and then `{spelling}`, which applies {applied} "
                       "itself: the activation is applied twice, the loss cannot reach its minimum and "
                       "the gradients shrink. PyTorch does not warn about this.")
            fix = f"drop the `{layer}`: `{name.split('.')[-1]}` applies {applied} itself{alt}"
            yield self.finding(message, fix)
            return
        if head.loss.expects == "logits" and raw_tensorflow(head):  # tf.nn.*_with_logits, tf.losses.*
            message = (f"The output goes through {act} and then `{spelling}`, which applies {act} itself: "
                       "the activation is applied twice, the scores are squashed and training is slowed "
                       "or stalls. TensorFlow does not warn about this.")
            fix = f"give `{spelling}` the logits (the values before the {act}) and keep the {act} for predictions"
            yield self.finding(message, fix)
            return
        if head.loss.expects == "logits":  # a Keras cross-entropy given from_logits=True
            message = (f"The last layer applies {act}, and the loss was given `from_logits=True`, so it "
                       f"applies {act} a second time: the scores are squashed twice and training is "
                       "slowed or stalls. Keras warns only on the TensorFlow backend; on the JAX and "
                       "torch backends the double activation happens silently.")
            fix = (f"drop `from_logits=True` (the output already holds probabilities), or remove "
                   f"`activation='{act}'` so the layer outputs logits")
            yield self.finding(message, fix)

    VALID = [
        Case(ctx(activation="linear", units=10, loss="nn.CrossEntropyLoss")),
        Case(ctx(activation="softmax", units=10, loss="categorical_crossentropy")),
        Case(ctx(activation="sigmoid", units=1, loss="binary_crossentropy", from_logits=False)),
        Case(ctx(activation="log_softmax", units=10, loss="nn.CrossEntropyLoss"), note="idempotent"),
        Case(ctx(activation="sigmoid", units=1, loss="nn.BCELoss")),
        Case(ctx(units=10, loss="categorical_crossentropy", from_logits=True), note="activation unknown"),
        Case(tensorflow(ctx(activation="linear", units=10, loss=tf_loss(
            "categorical_crossentropy", "tf.nn.softmax_cross_entropy_with_logits", from_logits=True)))),
    ]
    INVALID = [
        Case(ctx(activation="nn.Softmax(dim=1)", units=10, loss="nn.CrossEntropyLoss()"),
             message="drop the `nn.Softmax()`: `CrossEntropyLoss` applies log-softmax itself"),
        Case(ctx(activation="F.softmax", units=10, loss="F.cross_entropy"), message="applied twice"),
        Case(ctx(activation="nn.Sigmoid()", units=1, loss="nn.BCEWithLogitsLoss()"),
             message="drop the `nn.Sigmoid()`"),
        Case(ctx(activation="softmax", units=10, loss="categorical_crossentropy", from_logits=True),
             message="drop `from_logits=True`"),
        Case(ctx(activation="sigmoid", units=1, loss="keras.losses.BinaryCrossentropy(from_logits=True)"),
             message="applies sigmoid a second time"),
        Case(tensorflow(ctx(activation="softmax", units=10, loss=tf_loss(
            "categorical_crossentropy", "tf.nn.softmax_cross_entropy_with_logits", from_logits=True))),
             message="TensorFlow does not warn", note="raw TensorFlow: softmax output given as logits"),
    ]
