from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.frameworks.torchmetrics import AVERAGE_MEANS, DEFAULT_AVERAGE
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx

# torchmetrics defaults: the task wrapper averages micro, the task-specific classes macro.
_DEFAULT = DEFAULT_AVERAGE
_MEANS = AVERAGE_MEANS


class AveragingDefaultAmbiguity(Rule):
    """A torchmetrics accuracy whose averaging is left to the default.

    ## What it does
    Flags (as info) torchmetrics `Accuracy(task='multiclass' | 'multilabel')`, `MulticlassAccuracy`
    and `MultilabelAccuracy` created without `average=`.

    ## Why is this bad?
    The defaults differ: `Accuracy(task='multiclass')` averages `'micro'` (plain accuracy), while
    `MulticlassAccuracy` averages `'macro'` (the mean per-class recall, i.e. balanced accuracy). On
    imbalanced data the two numbers differ widely, and both are logged as "accuracy". Macro also
    drops classes with no true or predicted sample, where scikit-learn counts them.

    ## Example
    ```python
    acc = torchmetrics.classification.MulticlassAccuracy(num_classes=10)
    ```

    ## Use instead
    ```python
    acc = torchmetrics.classification.MulticlassAccuracy(num_classes=10, average="micro")
    ```

    ## Known problems
    None known; the finding is informational.

    ## References
    - https://lightning.ai/docs/torchmetrics/stable/classification/accuracy.html
    """

    code = "HC306"
    name = "averaging-default-ambiguity"
    severity = Severity.INFO
    summary = "A torchmetrics accuracy relies on its averaging default (micro vs macro)."
    fix_title = "Pass average='micro' or average='macro' explicitly."
    needs = frozenset({"head"})
    points_at = "metric"

    def check(self, ctx: Context) -> Iterator[Finding]:
        head = ctx.head
        if head is None:
            return
        for metric in head.metrics:
            default = _DEFAULT.get(metric.name)
            if default is None or metric.param("average") is not None:
                continue
            if metric.name == "torchmetrics.Accuracy" and metric.param("task") not in ("multiclass", "multilabel"):
                continue
            other = "macro" if default == "micro" else "micro"
            cls = metric.name.split(".")[-1]
            message = (f"`{metric.spelling or cls}` relies on its default `average='{default}'`: "
                       f"{_MEANS[default]}. torchmetrics' other accuracy classes default to "
                       f"`'{other}'` ({_MEANS[other]}); on imbalanced data the two differ widely and both "
                       "are logged as 'accuracy'.")
            fix = (f"pass `average='{default}'` (or `'{other}'`) explicitly to `{cls}` and name the logged "
                   "metric after it")
            yield self.finding(message, fix, metric=metric)

    VALID = [
        Case(ctx(metrics=["torchmetrics.Accuracy(task='multiclass', num_classes=3, average='macro')"])),
        Case(ctx(metrics=["torchmetrics.Accuracy(task='binary')"]), note="no averaging for binary"),
        Case(ctx(metrics=["MulticlassAccuracy(num_classes=3, average='micro')"])),
        Case(ctx(metrics=["accuracy"]), note="Keras"),
    ]
    INVALID = [
        Case(ctx(metrics=["torchmetrics.Accuracy(task='multiclass', num_classes=3)"]),
             message="default `average='micro'`"),
        Case(ctx(metrics=["torchmetrics.classification.MulticlassAccuracy(num_classes=3)"]),
             message="balanced accuracy"),
        Case(ctx(metrics=["MultilabelAccuracy(num_labels=4)"]), message="pass `average='macro'`"),
    ]
