from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx, profile
from headcheck.rules._util import cumulative_targets, keras_accuracy_fix, keras_api, likely_task, metrics, pick, spelled

_SINGLE_LABEL_METRICS = ("categorical_accuracy", "sparse_categorical_accuracy", "top_k_categorical_accuracy",
                         "torchmetrics.MulticlassAccuracy")


class CategoricalAccuracyOnMultilabel(Rule):
    """Categorical accuracy on multi-hot targets.

    ## What it does
    Flags an explicitly named single-label accuracy (`'categorical_accuracy'`,
    `keras.metrics.CategoricalAccuracy`, top-k categorical accuracy, torchmetrics
    `MulticlassAccuracy`) on a multi-label task.

    ## Why is this bad?
    Categorical accuracy compares the argmax of the scores with the argmax of the target, and the
    argmax of a multi-hot row is its *first* positive label. A sample with labels {2, 5} counts as
    right only when label 2 scores highest: the number has no meaning (0.42 where per-label accuracy
    is 0.78 and exact-match accuracy 0.31).

    ## Example
    ```python
    model.add(Dense(5, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", metrics=["categorical_accuracy"])
    ```

    ## Use instead
    ```python
    model.compile(loss="binary_crossentropy",
                  metrics=[keras.metrics.BinaryAccuracy(name="per_label_accuracy")])
    ```

    ## Known problems
    Without labels or a declared task, a sigmoid + binary cross-entropy head over several outputs is
    taken as multi-label.

    ## References
    - https://keras.io/api/metrics/accuracy_metrics/#categoricalaccuracy-class
    """

    code = "HC303"
    name = "categorical-accuracy-on-multilabel"
    severity = Severity.ERROR
    summary = "Categorical accuracy is reported on multi-hot targets."
    fix_title = "Report per-label (binary) accuracy and exact-match accuracy for multi-label targets."
    needs = frozenset({"head"})
    points_at = "metric"

    def check(self, ctx: Context) -> Iterator[Finding]:
        found = metrics(ctx.head, *_SINGLE_LABEL_METRICS)
        if found and cumulative_targets(ctx):
            message = (f"{spelled(found[0])} on the 'class > k' targets of the cumulative-logit head: the "
                       "argmax of every target row is 0, so it counts the rows whose first output is the "
                       "highest, a number with no meaning (a rank-consistent head scores 1.0).")
            yield self.finding(message, keras_accuracy_fix("ordinal", keras_api(ctx), True), metric=found[0])
            return
        if not found or likely_task(ctx)[0] != "multilabel":
            return
        message = (f"{spelled(found[0])} on multi-label targets compares the top-scored label with the "
                   "first positive label of each row: a number with no meaning, neither per-label nor "
                   "exact-match accuracy.")
        fix = pick(ctx,
                   keras="use `metrics=[keras.metrics.BinaryAccuracy()]` for per-label accuracy and report "
                   "exact-match accuracy beside it",
                   pytorch="use `torchmetrics.classification.MultilabelAccuracy(num_labels=L)` and "
                   "`MultilabelExactMatch(num_labels=L)`")
        yield self.finding(message, fix, metric=found[0])

    VALID = [
        Case(ctx(activation="softmax", units=5, loss="categorical_crossentropy", metrics=["categorical_accuracy"])),
        Case(ctx(activation="sigmoid", units=5, loss="binary_crossentropy", metrics=["binary_accuracy"])),
        Case(ctx(metrics=["categorical_accuracy"], task=profile("multiclass", 5, "one-hot"))),
    ]
    INVALID = [
        Case(ctx(activation="sigmoid", units=4, loss="binary_crossentropy", metrics=["categorical_accuracy"],
                 declared="ordinal", task=profile("multiclass", 5, "cumulative")),
             message="first output is the highest", note="what 'accuracy' becomes on the cumulative head"),
        Case(ctx(activation="sigmoid", units=5, loss="binary_crossentropy", metrics=["categorical_accuracy"]),
             message="first positive label"),
        Case(ctx(metrics=["keras.metrics.CategoricalAccuracy()"], task=profile("multilabel", 5, "multi-hot")),
             message="`metrics=[keras.metrics.BinaryAccuracy()]`"),
        Case(ctx(activation="linear", units=5, loss="nn.BCEWithLogitsLoss",
                 metrics=["torchmetrics.classification.MulticlassAccuracy(num_classes=5)"]),
             message="MultilabelExactMatch"),
    ]
