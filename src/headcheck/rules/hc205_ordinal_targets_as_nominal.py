from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx
from headcheck.rules._util import (NOMINAL_LOSSES, ORDINAL_KERAS, ORDINAL_TORCH, is_ordinal, loss_label,
                                   loss_name, pick)


class OrdinalTargetsAsNominal(Rule):
    """Ordered classes (ratings, grades, severities) trained as unordered classes.

    ## What it does
    When the classes are declared ordered (`--task ordinal`, `HeadSpec(task='ordinal')`), flags a
    nominal loss: categorical / sparse categorical cross-entropy, `CrossEntropyLoss`, `NLLLoss`.

    ## Why is this bad?
    A nominal loss treats predicting 1 star for a 5-star review as exactly as wrong as predicting 4
    stars, and accuracy ignores how far off a prediction is. The model cannot share what it learns
    between neighbouring classes, and the reported number hides large errors.

    ## Example
    ```python
    model.add(Dense(5, activation="softmax"))      # 1..5 star ratings
    model.compile(loss="sparse_categorical_crossentropy")
    ```

    ## Use instead
    An ordinal loss: CORAL or CORN (`coral-pytorch`), or a cumulative-logit head with K-1 sigmoid
    outputs trained with binary cross-entropy on "rating > k" targets; report the mean absolute class
    error beside accuracy.

    ## Known problems
    The rule does not guess order from the data (labels 1..5 are not always ratings): it needs the
    order to be declared.

    ## References
    - Cao, Mirjalili, Raschka: Rank consistent ordinal regression for neural networks (CORAL), 2020.
    - Shi, Cao, Raschka: Deep neural networks for rank-consistent ordinal regression (CORN), 2023.
    - https://github.com/Raschka-research-group/coral-pytorch
    """

    code = "HC205"
    name = "ordinal-targets-as-nominal"
    severity = Severity.INFO
    summary = "Ordered classes are trained with a loss that ignores their order."
    fix_title = "Use an ordinal loss (CORAL/CORN) or regression, and report mean absolute class error."
    needs = frozenset({"head", "task"})
    points_at = "loss"

    def check(self, ctx: Context) -> Iterator[Finding]:
        head = ctx.head
        if head is None or not is_ordinal(ctx):
            return
        name = loss_name(head)
        if name not in NOMINAL_LOSSES and not (name is None and head.activation == "softmax"):
            return
        what = f"`{loss_label(head)}`" if name else "a softmax over the classes"
        message = (f"The classes are ordered but {what} treats them as unordered: predicting the lowest "
                   "class for the highest costs the same as missing by one, and accuracy ignores how far "
                   "off a prediction is.")
        fix = pick(
            ctx,
            keras=f"use an ordinal loss: {ORDINAL_KERAS}; or one linear output with `loss='mse'`; and "
            "report the mean absolute class error (`headcheck report --task ordinal`)",
            pytorch=f"use an ordinal loss: {ORDINAL_TORCH}; or one output with `nn.MSELoss`; and report "
            "the mean absolute class error (`headcheck report --task ordinal`)",
        )
        yield self.finding(message, fix)

    VALID = [
        Case(ctx(activation="softmax", units=5, loss="sparse_categorical_crossentropy"), note="no order declared"),
        Case(ctx(activation="linear", units=1, loss="mse", task="ordinal")),
        Case(ctx(activation="sigmoid", units=4, loss="binary_crossentropy", task="ordinal")),
    ]
    INVALID = [
        Case(ctx(activation="softmax", units=5, loss="sparse_categorical_crossentropy", task="ordinal"),
             message="cumulative-logit head"),
        Case(ctx(activation="linear", units=5, loss="nn.CrossEntropyLoss", declared="ordinal"),
             message="`coral-pytorch`"),
        Case(ctx(activation="softmax", units=5, task="ordinal"), message="a softmax over the classes"),
    ]
