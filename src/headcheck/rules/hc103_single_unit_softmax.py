from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx
from headcheck.rules._util import pick
from headcheck.task import DataFacts


class SingleUnitSoftmax(Rule):
    """Softmax (or log-softmax) over a single output unit.

    ## What it does
    Flags a last layer with one output and a softmax or log-softmax activation; on data (`report`,
    `explain`), flags its signature: one score column that is exactly 1.0 (log-softmax: 0.0) for
    every row.

    ## Why is this bad?
    Softmax divides each output by the sum of all outputs: over one unit that is the unit divided by
    itself, 1.0 for every input (log-softmax: 0.0). The loss never changes, nothing is learned, and
    accuracy stays frozen at the rate of the positive class (e.g. 0.5098 every epoch), which looks
    like an optimiser problem rather than a head bug.

    ## Example
    ```python
    model.add(Dense(1, activation="softmax"))
    model.compile(loss="binary_crossentropy", metrics=["accuracy"])
    ```

    ## Use instead
    ```python
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", metrics=["binary_accuracy"])
    ```

    ## Known problems
    None known: there is no use for a softmax over one unit.

    ## References
    - https://stackoverflow.com/questions/45793856 (accuracy stuck at the positive rate)
    """

    code = "HC103"
    name = "single-unit-softmax"
    severity = Severity.ERROR
    summary = "Softmax over a single output unit always outputs 1.0."
    fix_title = "Use one sigmoid unit with binary cross-entropy, or two softmax units."
    needs = frozenset({"head", "data"})  # either
    points_at = "activation"

    def check(self, ctx: Context) -> Iterator[Finding]:
        head = ctx.head
        if head is None:
            yield from self._data(ctx)
            return
        if head.units != 1 or head.activation not in ("softmax", "log_softmax"):
            return
        value = "1.0" if head.activation == "softmax" else "0.0"
        message = (
            f"{'Softmax' if head.activation == 'softmax' else 'Log-softmax'} over a single output unit "
            f"outputs {value} for every input: the loss never moves, nothing is learned, and accuracy "
            "stays frozen at the rate of the positive class."
        )
        fix = pick(
            ctx,
            keras="use `Dense(1, activation='sigmoid')` with `loss='binary_crossentropy'`, or "
            "`Dense(2, activation='softmax')` with `loss='sparse_categorical_crossentropy'`",
            pytorch="use `nn.Linear(in_features, 1)` with no activation and `nn.BCEWithLogitsLoss`, or "
            "two outputs with `nn.CrossEntropyLoss`",
        )
        yield self.finding(message, fix)

    def _data(self, ctx: Context) -> Iterator[Finding]:
        data = ctx.data
        if data is None or data.n_outputs != 1 or data.score_min is None or data.score_min != data.score_max:
            return
        value = data.score_min
        if value not in (0.0, 1.0):
            return
        what = "softmax" if value == 1.0 else "log-softmax"
        rate = ""
        predicted = int(value)  # read at the threshold 0.5, 1.0 always predicts class 1 and 0.0 class 0
        if data.class_counts and len(data.class_counts) == 2 and sum(data.class_counts) > 0:
            rate = f" (class {predicted}: {data.class_counts[predicted] / sum(data.class_counts):.4f} here)"
        message = (f"Every score is exactly {value:.1f}: the signature of a {what} over a single output "
                   f"unit, which outputs {value:.1f} whatever the input. The model has learned nothing, and "
                   f"its accuracy at the threshold 0.5 is frozen at the rate of the class it always "
                   f"predicts{rate}.")
        fix = ("use one sigmoid output with binary cross-entropy (or two softmax outputs with a "
               "categorical loss), then retrain")
        yield self.finding(message, fix)

    VALID = [
        Case(ctx(activation="sigmoid", units=1, loss="binary_crossentropy")),
        Case(ctx(data=DataFacts(n_outputs=1, score_min=0.2, score_max=0.9))),
        Case(ctx(data=DataFacts(n_outputs=1, score_min=0.7, score_max=0.7)), note="constant, not 1.0"),
        Case(ctx(activation="softmax", units=2, loss="sparse_categorical_crossentropy")),
        Case(ctx(activation="softmax"), note="units unknown"),
    ]
    INVALID = [
        Case(ctx(activation="softmax", units=1, loss="binary_crossentropy"), message="outputs 1.0"),
        Case(ctx(activation="keras.activations.softmax", units=1), message="`Dense(1, activation='sigmoid')`"),
        Case(ctx(activation="nn.Softmax(dim=1)", units=1, loss="nn.BCELoss"), message="nn.BCEWithLogitsLoss"),
        Case(ctx(activation="nn.LogSoftmax(dim=1)", units=1, loss="nn.NLLLoss"), message="outputs 0.0"),
        Case(ctx(data=DataFacts(n_outputs=1, score_min=1.0, score_max=1.0, class_counts=(49, 51))),
             message="frozen at the rate of the class it always predicts (class 1: 0.5100 here)"),
        Case(ctx(data=DataFacts(n_outputs=1, score_min=0.0, score_max=0.0, class_counts=(49, 51))),
             message="always predicts (class 0: 0.4900 here)"),
    ]
