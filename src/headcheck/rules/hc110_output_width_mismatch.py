from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx, profile
from headcheck.rules._util import NOMINAL_LOSSES, cumulative_head, label_encoding, loss_label, loss_name, pick


class OutputWidthMismatch(Rule):
    """The number of outputs disagrees with the loss or with the data.

    ## What it does
    Flags a categorical loss over one output; binary cross-entropy over two softmax outputs with
    one integer label per sample; and an output width that differs from the number of classes (or
    labels) in the data.

    ## Why is this bad?
    A categorical cross-entropy over one output sees one "class": the loss is constant or the
    labels index past the output. Binary cross-entropy broadcasts an (N,) label against both
    columns of an (N, 2) output, pushing both towards the same value. Fewer outputs than classes
    cannot represent the task; more outputs than classes waste probability on classes that never
    occur (or the evaluation data misses classes).

    ## Example
    ```python
    model.add(Dense(1))
    model.compile(loss="sparse_categorical_crossentropy")   # binary labels 0/1
    ```

    ## Use instead
    ```python
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy")
    ```

    ## Known problems
    More outputs than classes in the data is only a warning: an evaluation split can miss classes.
    A softmax over one unit is reported by HC103.

    ## References
    - https://keras.io/api/losses/probabilistic_losses/
    """

    code = "HC110"
    name = "output-width-mismatch"
    severity = Severity.ERROR
    summary = "The number of outputs disagrees with the loss or the data."
    fix_title = "Give the last layer one output per class (one output for binary with a sigmoid loss)."
    needs = frozenset({"head"})
    points_at = "units"

    def check(self, ctx: Context) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.units is None:
            return
        yield from self._against_loss(ctx)
        yield from self._against_data(ctx)

    def _against_loss(self, ctx: Context) -> Iterator[Finding]:
        head = ctx.head
        name = loss_name(head)
        if name in NOMINAL_LOSSES and head.units == 1 and head.activation != "softmax":
            message = (f"`{loss_label(head)}` is a categorical loss but the last layer has one output: "
                       "with a single output there is a single 'class', so the loss is meaningless and "
                       "class index 1 points past the output.")
            fix = pick(ctx,
                       keras="for a binary task use `Dense(1, activation='sigmoid')` with "
                       "`loss='binary_crossentropy'`; otherwise give the layer one output per class",
                       pytorch="for a binary task use `nn.BCEWithLogitsLoss` on the single logit; "
                       "otherwise give the layer one output per class")
            yield self.finding(message, fix)
        elif (name == "binary_crossentropy" and head.units == 2 and head.activation == "softmax"
              and label_encoding(ctx) in ("integer", "boolean")):
            message = ("Binary cross-entropy over 2 softmax outputs with one integer label per sample: "
                       "the (N,) labels are broadcast against both columns, so the loss pushes both "
                       "outputs towards the same value.")
            fix = ("use `loss='sparse_categorical_crossentropy'` with the 2 softmax outputs, or "
                   "`Dense(1, activation='sigmoid')` with `loss='binary_crossentropy'`")
            yield self.finding(message, fix)

    def _against_data(self, ctx: Context) -> Iterator[Finding]:
        head, task = ctx.head, ctx.task
        if task is None or not task.n_classes or cumulative_head(ctx) is not None:
            return  # (K-1 outputs are right for the cumulative head of K ordered classes)
        units, k = head.units, task.n_classes
        if task.label_encoding == "cumulative":  # one target column per cut: K-1 outputs
            if units != k - 1:
                yield self._width(ctx, f"the cumulative targets have {k - 1} 'class > k' columns ({k} "
                                  f"ordered classes) but the last layer has {units} outputs",
                                  Severity.ERROR, k - 1)
            return
        if task.kind == "binary":
            if units > 2:
                yield self._width(ctx, f"the labels hold 2 classes but the last layer has {units} outputs",
                                  Severity.WARNING)
        elif task.kind == "multilabel":
            if units != k:
                yield self._width(ctx, f"the targets have {k} labels but the last layer has {units} outputs",
                                  Severity.ERROR)
        elif units > 1 and units != k:
            severity = Severity.ERROR if units < k else Severity.WARNING
            yield self._width(ctx, f"the labels hold {k} classes but the last layer has {units} outputs",
                              severity)

    def _width(self, ctx: Context, what: str, severity: Severity, cuts: int | None = None) -> Finding:
        message = (f"Output width mismatch: {what}. Fewer outputs cannot represent the task; extra "
                   "outputs take probability for classes that never occur (or the data misses classes).")
        k = ctx.task.n_classes if ctx.task is not None else "K"
        if cuts is not None:  # cumulative targets: one sigmoid output per 'class > k' column
            message = (f"Output width mismatch: {what}. Each output is trained on its own target "
                       "column, so the loss raises a shape error or broadcasts one against the other.")
            fix = pick(ctx, keras=f"use `Dense({cuts}, activation='sigmoid')` (one output per 'class > k' "
                       "column)", pytorch=f"use `nn.Linear(in_features, {cuts})` with `BCEWithLogitsLoss` "
                       "(one output per 'class > k' column)")
            return self.finding(message, fix, severity=severity)
        fix = pick(ctx, keras=f"use `Dense({k}, ...)` (one output per class; `Dense(1, activation='sigmoid')` "
                   "for binary)", pytorch=f"use `nn.Linear(in_features, {k})` (one output per class; one "
                   "logit with `BCEWithLogitsLoss` for binary)")
        return self.finding(message, fix, severity=severity, cause="label-count")

    VALID = [
        Case(ctx(activation="sigmoid", units=4, loss="binary_crossentropy", declared="ordinal",
                 task=profile("multiclass", 5, "cumulative")), note="K-1 outputs for cumulative targets"),
        Case(ctx(activation="sigmoid", units=1, loss="binary_crossentropy")),
        Case(ctx(activation="softmax", units=2, loss="sparse_categorical_crossentropy", labels="integer")),
        Case(ctx(activation="softmax", units=10, loss="categorical_crossentropy",
                 task=profile("multiclass", 10, "one-hot"))),
        Case(ctx(activation="sigmoid", units=1, loss="binary_crossentropy",
                 task=profile("binary", 2, "integer"))),
        Case(ctx(activation="softmax", units=2, loss="binary_crossentropy", labels="one-hot")),
        Case(ctx(activation="softmax", loss="categorical_crossentropy",
                 task=profile("multiclass", 10, "one-hot")), note="units unknown"),
    ]
    INVALID = [
        Case(ctx(activation="sigmoid", units=5, loss="binary_crossentropy", declared="ordinal",
                 task=profile("multiclass", 5, "cumulative")),
             message="4 'class > k' columns", note="cumulative targets need K-1 outputs"),
        Case(ctx(activation="linear", units=1, loss="sparse_categorical_crossentropy"),
             message="`Dense(1, activation='sigmoid')`"),
        Case(ctx(activation="linear", units=1, loss="nn.CrossEntropyLoss"), message="`nn.BCEWithLogitsLoss`"),
        Case(ctx(activation="softmax", units=2, loss="binary_crossentropy", labels="integer"),
             message="broadcast against both columns"),
        Case(ctx(activation="softmax", units=10, loss="sparse_categorical_crossentropy",
                 task=profile("binary", 2, "integer")), message="2 classes but the last layer has 10"),
        Case(ctx(activation="sigmoid", units=5, loss="binary_crossentropy",
                 task=profile("multilabel", 3, "multi-hot")), message="3 labels"),
        Case(ctx(activation="softmax", units=3, loss="sparse_categorical_crossentropy",
                 task=profile("multiclass", 5, "integer")), message="`Dense(5, ...)`"),
    ]
