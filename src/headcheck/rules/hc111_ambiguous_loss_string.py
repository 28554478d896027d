from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.frameworks import TORCH_FAMILY
from headcheck.frameworks.keras import resolve_crossentropy
from headcheck.head import HeadSpec, LossSpec
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx, profile
from headcheck.rules._util import label_encoding


class AmbiguousLossString(Rule):
    """`loss='crossentropy'` names no loss until the framework picks one from the shapes.

    ## What it does
    Flags the loss string `'crossentropy'` (also `'ce'`) and says what it becomes here. Keras 3
    picks the cross-entropy from the shapes of the first batch: an output whose last dimension is
    1 gets `binary_crossentropy`; labels of lower rank than the output, or with last dimension 1,
    get `sparse_categorical_crossentropy`; anything else gets `categorical_crossentropy`. Keras 2
    and tf.keras do not know the string (`compile` raises "Unknown loss function"), and PyTorch
    has no loss strings at all. The other rules read the loss Keras 3 picks, so a head that is
    wrong only once the string is resolved is still found.

    ## Why is this bad?
    The program does not say which likelihood trains the head, and the answer changes silently
    with the data: a multi-label model (sigmoid outputs, multi-hot labels as wide as the output)
    gets *categorical* cross-entropy, which makes the labels compete; switching the labels from
    one-hot to integer switches the loss. Code written this way also breaks on Keras 2 / tf.keras.

    ## Example
    ```python
    model.add(Dense(5, activation="sigmoid"))      # multi-label
    model.compile(loss="crossentropy")             # Keras 3: categorical_crossentropy here
    ```

    ## Use instead
    ```python
    model.compile(loss="binary_crossentropy")
    ```

    ## Known problems
    Without the output width or the label shape the loss cannot be decided; the finding then says
    so, and the rules that need the loss stay silent.

    ## References
    - Keras 3 `trainers/compile_utils.py` (`get_loss`, `is_binary_or_sparse_categorical`).
    - tf-keras 2.15 `engine/compile_utils.py` (`losses.get`: no 'crossentropy').
    """

    code = "HC111"
    name = "ambiguous-loss-string"
    severity = Severity.INFO
    summary = "loss='crossentropy' leaves the choice of cross-entropy to the framework and the shapes."
    fix_title = "Name the cross-entropy: binary, categorical or sparse categorical."
    needs = frozenset({"head"})
    points_at = "loss"

    def check(self, ctx: Context) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.loss is None or head.loss.resolution is None:
            return
        written = f"`loss={head.loss.spelling or 'crossentropy'!r}`"
        if head.framework in TORCH_FAMILY:
            message = f"{written} names no loss: PyTorch has no loss strings."
            fix = ("name the loss module: `nn.CrossEntropyLoss` (single-label, on logits) or "
                   "`nn.BCEWithLogitsLoss` (binary / multi-label, on logits)")
            yield self.finding(message, fix, severity=Severity.ERROR)
            return
        res = resolve_crossentropy(head.framework, head.framework_version, output_units=head.units,
                                   label_encoding=label_encoding(ctx))
        if res.accepted is False:
            yield self.finding(f"{written} names no loss: {res.explanation}.", _fix(None), severity=Severity.ERROR)
            return
        message = f"{written} does not name the loss: {res.explanation}."
        if res.accepted is None:
            message += " Keras 2 and tf.keras reject the string."
        yield self.finding(message, _fix(res.loss), severity=Severity.INFO if res.loss else Severity.WARNING)

    VALID = [
        Case(ctx(activation="sigmoid", units=1, loss="binary_crossentropy")),
        Case(ctx(activation="softmax", units=10, loss="sparse_categorical_crossentropy", framework="keras==3.6")),
        Case(Context(head=HeadSpec(activation="softmax", units=3, loss=LossSpec("unknown", spelling="my_loss"))),
             note="an unknown loss is not the ambiguous string"),
    ]
    INVALID = [
        Case(ctx(activation="sigmoid", units=1, loss="crossentropy", framework="keras==3.6"),
             message="here it becomes binary_crossentropy"),
        Case(ctx(activation="softmax", units=10, loss="ce", task=profile("multiclass", 10, "integer")),
             message="Keras 2 and tf.keras reject the string"),
        Case(ctx(activation="softmax", units=10, loss="crossentropy"),
             message="the output width or the label shape needed to decide is unknown"),
        Case(Context(head=HeadSpec(framework="tf.keras", framework_version="2.15", activation="softmax", units=3,
                                   loss=LossSpec("crossentropy", spelling="crossentropy"))),
             message="tf.keras 2.15 has no loss 'crossentropy'"),
        Case(Context(head=HeadSpec(framework="pytorch", activation="linear", units=3,
                                   loss=LossSpec("crossentropy", spelling="crossentropy"))),
             message="PyTorch has no loss strings"),
    ]


def _fix(loss: str | None) -> str:
    if loss is not None:
        return f"name it: `loss='{loss}'`"
    return ("name the loss: `loss='binary_crossentropy'` (one output, or independent outputs), "
            "`'categorical_crossentropy'` (one-hot labels) or `'sparse_categorical_crossentropy'` "
            "(integer labels)")
