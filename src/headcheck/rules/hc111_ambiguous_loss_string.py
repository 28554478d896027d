from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.frameworks import TORCH_FAMILY
from headcheck.frameworks.keras import resolve_crossentropy
from headcheck.head import HeadSpec, LossSpec
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx
from headcheck.rules._util import label_encoding


class AmbiguousLossString(Rule):
    """`loss='crossentropy'` with a framework version that has no such loss.

    ## What it does
    The loss string `'crossentropy'` (also `'ce'`) names a loss only in Keras 3, which picks the
    cross-entropy from the shapes of the first batch: an output whose last dimension is 1 gets
    `binary_crossentropy`; labels of lower rank than the output, or with last dimension 1, get
    `sparse_categorical_crossentropy`; anything else gets `categorical_crossentropy`. headcheck
    resolves it the same way, the other rules read the loss Keras 3 picks, and each finding about
    that loss says how it was decided. This rule flags the string where the framework version in
    use has no such loss: Keras 2 and tf.keras (`compile` raises "Unknown loss function") and
    PyTorch (no loss strings at all).

    ## Why is this bad?
    The program cannot train as written. It is also a sign that the code relies on Keras 3
    choosing the likelihood from the data: a multi-label model (sigmoid outputs, multi-hot labels
    as wide as the output) gets *categorical* cross-entropy there, which makes the labels compete,
    and switching the labels from one-hot to integer switches the loss.

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
    On Keras 3 (or an unknown version) the string is valid and this rule is silent; without the
    output width or the label shape the loss cannot be decided and the rules that need it stay
    silent too.

    ## References
    - Keras 3 `trainers/compile_utils.py` (`get_loss`, `is_binary_or_sparse_categorical`).
    - tf-keras 2.15 `engine/compile_utils.py` (`losses.get`: no 'crossentropy').
    """

    code = "HC111"
    name = "ambiguous-loss-string"
    severity = Severity.ERROR
    summary = "loss='crossentropy' is used with a framework version that has no such loss."
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
            yield self.finding(message, fix)
            return
        res = resolve_crossentropy(head.framework, head.framework_version, output_units=head.units,
                                   label_encoding=label_encoding(ctx))
        if res.accepted is False:
            yield self.finding(f"{written} names no loss: {res.explanation}.", _fix(None))

    VALID = [
        Case(ctx(activation="sigmoid", units=1, loss="binary_crossentropy")),
        Case(ctx(activation="sigmoid", units=1, loss="crossentropy", framework="keras==3.6"),
             note="Keras 3 resolves it: the loss rules read binary_crossentropy"),
        Case(ctx(activation="softmax", units=10, loss="ce"), note="unknown version: valid in Keras 3"),
        Case(Context(head=HeadSpec(activation="softmax", units=3, loss=LossSpec("unknown", spelling="my_loss"))),
             note="an unknown loss is not the ambiguous string"),
    ]
    INVALID = [
        Case(Context(head=HeadSpec(framework="tf.keras", framework_version="2.15", activation="softmax", units=3,
                                   loss=LossSpec("crossentropy", spelling="crossentropy"))),
             message="tf.keras 2.15 has no loss 'crossentropy'"),
        Case(Context(head=HeadSpec(framework="keras", framework_version="2.2.4", activation="sigmoid", units=1,
                                   loss=LossSpec("crossentropy", spelling="ce"))),
             message="Keras 2.2.4 has no loss 'crossentropy'"),
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
