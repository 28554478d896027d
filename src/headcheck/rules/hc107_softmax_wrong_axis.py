from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx
from headcheck.rules._util import pick


class SoftmaxWrongAxis(Rule):
    """Softmax over the batch axis, or with no axis given.

    ## What it does
    Flags a softmax / log-softmax taken over axis 0 (`dim=0`, `axis=0`), and a PyTorch softmax
    called without `dim`.

    ## Why is this bad?
    On batch-first data axis 0 is the batch: each class's scores are normalised across the samples
    of the batch instead of across the classes. A sample's outputs do not sum to 1 and its
    prediction depends on the rest of the batch, so evaluation with another batch size gives other
    numbers. Without `dim`, PyTorch picks the axis itself (dim 0 for 0-, 1- and 3-D inputs, dim 1
    otherwise) and only emits a deprecation warning: on sequence outputs (3-D) that is the batch.

    ## Example
    ```python
    probs = F.softmax(logits, dim=0)
    ```

    ## Use instead
    ```python
    probs = F.softmax(logits, dim=-1)
    ```

    ## Known problems
    Unbatched code (a single sample of shape (K,)) rightly uses `dim=0`; the linter cannot always
    see the input's rank.

    ## References
    - https://pytorch.org/docs/stable/generated/torch.nn.functional.softmax.html
    """

    code = "HC107"
    name = "softmax-wrong-axis"
    severity = Severity.ERROR
    summary = "Softmax is taken over the batch axis, or with no axis."
    fix_title = "Take the softmax over the class axis (dim=-1 / axis=-1)."
    needs = frozenset({"head"})
    points_at = "activation"

    def check(self, ctx: Context) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.activation not in ("softmax", "log_softmax"):
            return
        fn = head.activation
        if head.activation_axis == 0:
            message = (f"`{fn}` is taken over axis 0, the batch axis: each class's scores are "
                       "normalised across the samples of the batch instead of across the classes, so "
                       "a sample's outputs do not sum to 1 and its prediction depends on the batch.")
            fix = pick(ctx, keras=f"use `{fn}` over `axis=-1` (the default)",
                       pytorch=f"use `dim=-1` (the class axis): `F.{fn}(x, dim=-1)`")
            yield self.finding(message, fix)
        elif head.activation_axis_missing:
            message = (f"`{fn}` is called without `dim`: PyTorch picks the axis itself (dim 0 for 0-, "
                       "1- and 3-D inputs, dim 1 otherwise) and only warns; on 3-D outputs that is "
                       "the batch axis.")
            fix = f"pass the class axis explicitly: `F.{fn}(x, dim=-1)` / `nn.{_CLASS[fn]}(dim=-1)`"
            yield self.finding(message, fix, severity=Severity.WARNING)

    VALID = [
        Case(ctx(activation="nn.Softmax(dim=1)", units=10, loss="nn.NLLLoss", activation_axis=1)),
        Case(ctx(activation="softmax", units=10, activation_axis=-1)),
        Case(ctx(activation="softmax", units=10), note="axis unknown"),
        Case(ctx(activation="sigmoid", units=10, activation_axis=0), note="sigmoid is element-wise"),
    ]
    INVALID = [
        Case(ctx(activation="F.softmax", units=10, loss="nn.NLLLoss", activation_axis=0),
             message="`dim=-1`"),
        Case(ctx(activation="softmax", units=10, loss="categorical_crossentropy", activation_axis=0),
             message="`axis=-1`"),
        Case(ctx(activation="nn.LogSoftmax()", units=10, loss="nn.NLLLoss", activation_axis_missing=True),
             message="called without `dim`"),
    ]


_CLASS = {"softmax": "Softmax", "log_softmax": "LogSoftmax"}
