from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.head import is_balanced_metric
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx, profile
from headcheck.rules._util import ACCURACY_NAMES, class_counts, class_name, known_task, metrics, pick
from headcheck.task import DataFacts

THRESHOLD = 0.8


class ImbalanceWithPlainAccuracy(Rule):
    """Majority class of 80 % or more, with accuracy as the headline number.

    ## What it does
    Reads the class counts. When one class holds at least 80 % of single-label data, and no
    class-balanced metric is reported beside accuracy (or only data is known), it says so.

    ## Why is this bad?
    Always predicting the majority class already scores its share: 0.95 accuracy on data that is
    95 % one class means nothing was learned. Accuracy alone cannot show whether the minority
    classes are ever found.

    ## Example
    ```python
    model.compile(loss="binary_crossentropy", metrics=["accuracy"])   # 5 % positives
    ```

    ## Use instead
    ```python
    model.compile(loss=keras.losses.BinaryFocalCrossentropy(),
                  metrics=["accuracy", keras.metrics.AUC(), keras.metrics.Recall()])
    model.fit(X, y, class_weight={0: 1.0, 1: 19.0})
    ```

    ## Known problems
    Multi-label data (each label imbalanced on its own) is not judged by this rule.

    ## References
    - https://scikit-learn.org/stable/modules/model_evaluation.html#balanced-accuracy-score
    - Lin et al.: Focal Loss for Dense Object Detection (2017).
    """

    code = "HC206"
    name = "imbalance-with-plain-accuracy"
    severity = Severity.INFO
    summary = "One class dominates the data, so accuracy alone says little."
    fix_title = "Report balanced accuracy / macro F1 beside accuracy; weight the classes or use a focal loss."
    needs = frozenset({"data"})
    points_at = "metric"

    def check(self, ctx: Context) -> Iterator[Finding]:
        counts = class_counts(ctx)
        if not counts or len(counts) < 2 or known_task(ctx) == "multilabel" or sum(counts) <= 0:
            return
        head = ctx.head
        if head is not None and head.metrics:
            if not metrics(head, *ACCURACY_NAMES) or any(is_balanced_metric(m) for m in head.metrics):
                return
        elif head is not None:
            return  # a head that reports no metric: nothing misleads
        top = max(range(len(counts)), key=lambda i: counts[i])
        share = counts[top] / sum(counts)
        if share < THRESHOLD:
            return
        message = (f"Class {class_name(ctx, top)} is {share:.1%} of the data: always predicting it "
                   f"already scores accuracy {share:.3f}, so accuracy alone says little about the "
                   "other classes.")
        fix = pick(
            ctx,
            keras="add `keras.metrics.AUC()` or `keras.metrics.F1Score(average='macro')` beside accuracy; "
            "pass `class_weight=` to `fit` or use `keras.losses.BinaryFocalCrossentropy` / "
            "`CategoricalFocalCrossentropy`",
            pytorch="report `torchmetrics.classification.MulticlassAccuracy(average='macro')` or a macro F1 "
            "beside accuracy; weight the loss (`nn.CrossEntropyLoss(weight=...)`, `pos_weight=` of "
            "`BCEWithLogitsLoss`) or use `torchvision.ops.sigmoid_focal_loss`",
            neutral="read balanced accuracy and macro F1 beside accuracy; train with class weights or a "
            "focal loss",
        )
        yield self.finding(message, fix)

    VALID = [
        Case(ctx(data=DataFacts(class_counts=(60, 40)))),
        Case(ctx(activation="sigmoid", units=1, loss="binary_crossentropy", metrics=["accuracy", "AUC"],
                 data=DataFacts(class_counts=(95, 5)))),
        Case(ctx(activation="sigmoid", units=1, loss="binary_crossentropy",
                 data=DataFacts(class_counts=(95, 5))), note="no metric reported"),
        Case(ctx(task=profile("multilabel", 3, "multi-hot", (90, 5, 5)))),
    ]
    INVALID = [
        Case(ctx(data=DataFacts(class_counts=(95, 5))), message="balanced accuracy and macro F1"),
        Case(ctx(task=profile("multiclass", 3, "integer", (80, 10, 10))), message="80.0% of the data"),
        Case(ctx(activation="sigmoid", units=1, loss="binary_crossentropy", metrics=["accuracy"],
                 data=DataFacts(class_counts=(90, 10))), message="`class_weight=`"),
        Case(ctx(activation="linear", units=3, loss="nn.CrossEntropyLoss",
                 metrics=["torchmetrics.Accuracy(task='multiclass', num_classes=3)"],
                 task=profile("multiclass", 3, "integer", (85, 10, 5))), message="`nn.CrossEntropyLoss(weight=...)`"),
    ]
