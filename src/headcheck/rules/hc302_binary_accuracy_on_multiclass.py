from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx, profile
from headcheck.rules._util import (cumulative_targets, keras_accuracy_fix, keras_api, likely_task, metrics,
                                   n_classes, pick, spelled)


class BinaryAccuracyOnMulticlass(Rule):
    """Binary accuracy on a single-label task with more than two classes.

    ## What it does
    Flags an explicitly named binary accuracy (`'binary_accuracy'`, `keras.metrics.BinaryAccuracy`,
    torchmetrics `BinaryAccuracy`) on a single-label task with K > 2 classes.

    ## Why is this bad?
    On one-hot targets binary accuracy is the mean over K per-class yes/no decisions. Each sample
    has K-1 "no" labels, so predicting "no" everywhere scores (K-1)/K: 0.90 for 10 classes, 0.99 for
    100. The number is inflated and barely moves when the top-1 prediction improves.

    ## Example
    ```python
    model.add(Dense(10, activation="softmax"))
    model.compile(loss="categorical_crossentropy", metrics=["binary_accuracy"])
    ```

    ## Use instead
    ```python
    model.compile(loss="categorical_crossentropy", metrics=["categorical_accuracy"])
    ```

    ## Known problems
    Without labels or a declared task, a softmax + categorical loss over K > 2 outputs is taken as
    single-label multiclass.

    ## References
    - https://keras.io/api/metrics/accuracy_metrics/#binaryaccuracy-class
    """

    code = "HC302"
    name = "binary-accuracy-on-multiclass"
    severity = Severity.ERROR
    summary = "Binary accuracy is reported on a single-label task with K > 2 classes."
    fix_title = "Use categorical (or sparse categorical) accuracy for single-label classes."
    needs = frozenset({"head"})
    points_at = "metric"

    def check(self, ctx: Context) -> Iterator[Finding]:
        head = ctx.head
        found = metrics(head, "binary_accuracy", "torchmetrics.BinaryAccuracy")
        if not found:
            return
        kind, _ = likely_task(ctx)
        if kind != "multiclass":
            return
        if cumulative_targets(ctx):
            cuts = (n_classes(ctx) or 0) - 1
            message = (f"{spelled(found[0])} on the cumulative-logit head compares each of the "
                       f"{cuts if cuts > 0 else 'K-1'} outputs with its own 'class > k' target: it "
                       "averages those decisions, most of them easy for a class far from the cut, so "
                       "it sits far above the share of classes predicted exactly.")
            yield self.finding(message, keras_accuracy_fix("ordinal", keras_api(ctx), True),
                               severity=Severity.WARNING, metric=found[0])
            return
        k = n_classes(ctx) or (head.units if head is not None else None)
        if k is not None and k <= 2:
            return
        floor = f"{(k - 1) / k:.2f}" if k else "(K-1)/K"
        message = (f"{spelled(found[0])} on a single-label {k or 'K'}-class task is the mean of per-class "
                   f"yes/no decisions: predicting 'no' for every class already scores {floor}, so the "
                   "number is inflated and hides how often the top class is right.")
        fix = pick(ctx,
                   keras="use `metrics=['categorical_accuracy']` (one-hot labels) or "
                   "`['sparse_categorical_accuracy']` (integer labels)",
                   pytorch=f"use `torchmetrics.classification.MulticlassAccuracy(num_classes={k or 'K'}, "
                   "average='micro')`")
        yield self.finding(message, fix, metric=found[0])

    VALID = [
        Case(ctx(activation="sigmoid", units=1, loss="binary_crossentropy", metrics=["binary_accuracy"])),
        Case(ctx(activation="sigmoid", units=5, loss="binary_crossentropy", metrics=["binary_accuracy"],
                 task=profile("multilabel", 5, "multi-hot"))),
        Case(ctx(activation="softmax", units=10, loss="categorical_crossentropy",
                 metrics=["categorical_accuracy"])),
        Case(ctx(metrics=["binary_accuracy"]), note="task unknown"),
    ]
    INVALID = [
        Case(ctx(activation="sigmoid", units=4, loss="binary_crossentropy", metrics=["binary_accuracy"],
                 declared="ordinal", task=profile("multiclass", 5, "cumulative")),
             message="its own 'class > k' target", note="cumulative-logit head: the column decisions"),
        Case(ctx(activation="softmax", units=10, loss="categorical_crossentropy", metrics=["binary_accuracy"]),
             message="already scores 0.90"),
        Case(ctx(metrics=["keras.metrics.BinaryAccuracy()"], task=profile("multiclass", 4, "one-hot")),
             message="`metrics=['categorical_accuracy']`"),
        Case(ctx(activation="linear", units=3, loss="nn.CrossEntropyLoss",
                 metrics=["torchmetrics.classification.BinaryAccuracy"]), message="MulticlassAccuracy(num_classes=3"),
    ]
