from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx, profile
from headcheck.rules._util import class_counts, class_name, known_task, pick
from headcheck.task import DataFacts

COLLAPSE = 0.95  # share of the predictions taken by one class
GAP = 0.10  # ... while that class's share of the data is at least this much lower


class CollapsedPredictions(Rule):
    """One class takes nearly all predictions while the data is not that skewed.

    ## What it does
    Compares the predictions per class with the true counts. Single-label data: flags one class
    taking at least 95 % of the predictions while its share of the data is at least 10 points lower.
    Multi-label data: flags predictions with (almost) no positive label (at most 5 % of the true
    positives).

    ## Why is this bad?
    A collapsed model predicts a constant. Its accuracy equals that class's share of the data and
    can look respectable, while minority classes are never found. Collapse is typical of a head bug
    (softmax over one unit, double activation, a loss that does not match the labels), of extreme
    class weights, or of a learning rate that blew the model into a saturated state.

    ## Example
    ```text
    predictions: class 0 98 %, data: class 0 60 %
    ```

    ## Use instead
    Check the head (`headcheck check`), lower the learning rate, and for imbalance weight the loss
    or use a focal loss rather than letting the model settle on the majority.

    ## Known problems
    Data that really is 95 % one class is left to HC206 / HC307. When the scores rank well and
    only the threshold puts every decision on one side, HC308 reports the cause and this finding
    is folded into it.

    ## References
    - HC307 (accuracy at or below baseline), HC206 (imbalance).
    """

    code = "HC402"
    name = "collapsed-predictions"
    severity = Severity.WARNING
    summary = "Nearly all predictions go to one class while the data is not that skewed."
    fix_title = "Check the head and the learning rate; weight the loss instead of letting predictions collapse."
    needs = frozenset({"data"})
    points_at = "loss"

    def check(self, ctx: Context) -> Iterator[Finding]:
        data = ctx.data
        truth = class_counts(ctx)
        if data is None or not data.predicted_counts or not truth or len(truth) != len(data.predicted_counts):
            return
        pred = tuple(data.predicted_counts)
        kind = known_task(ctx)
        if kind == "multilabel":
            yield from self._multilabel(ctx, truth, pred)
        elif kind is not None or abs(sum(pred) - sum(truth)) < 1e-6 * max(1.0, sum(truth)):
            yield from self._single_label(ctx, truth, pred)

    def _single_label(self, ctx: Context, truth: tuple, pred: tuple) -> Iterator[Finding]:
        if sum(pred) <= 0 or sum(truth) <= 0:
            return
        top = max(range(len(pred)), key=lambda i: pred[i])
        p_share, t_share = pred[top] / sum(pred), truth[top] / sum(truth)
        if p_share < COLLAPSE or t_share > p_share - GAP:
            return
        name = class_name(ctx, top)
        message = (f"Class {name} takes {p_share:.1%} of the predictions but only {t_share:.1%} of the "
                   f"data: the model has collapsed onto one class, so its accuracy is about class {name}'s "
                   "share and the other classes are almost never predicted.")
        yield self.finding(message, self._fix(), cause="decisions")

    def _multilabel(self, ctx: Context, truth: tuple, pred: tuple) -> Iterator[Finding]:
        positives = sum(truth)
        if positives <= 0 or sum(pred) > (1 - COLLAPSE) * positives:
            return
        message = (f"The predictions hold {sum(pred):g} positive labels where the data holds {positives:g}: "
                   "the model has collapsed to predicting (almost) every label negative, which per-label "
                   "accuracy rewards when labels are rare.")
        fix = pick(ctx,
                   keras="weight the positives (`class_weight=` / sample weights) or use a focal loss "
                   "(`keras.losses.BinaryFocalCrossentropy`), and check the head",
                   pytorch="weight the positives (`nn.BCEWithLogitsLoss(pos_weight=...)`) or use a focal loss "
                   "(`torchvision.ops.sigmoid_focal_loss`), and check the head",
                   neutral="weight the positive labels or use a focal loss, and check the head")
        yield self.finding(message, fix, cause="decisions")

    @staticmethod
    def _fix() -> str:
        return ("check the head (`headcheck check`), lower the learning rate, and weight the loss or use a "
                "focal loss instead of letting the model settle on one class")

    VALID = [
        Case(ctx(data=DataFacts(class_counts=(60, 40), predicted_counts=(55, 45)))),
        Case(ctx(data=DataFacts(class_counts=(96, 4), predicted_counts=(100, 0))), note="the data is that skewed"),
        Case(ctx(data=DataFacts(class_counts=(60, 40))), note="predictions unknown"),
        Case(ctx(task=profile("multilabel", 3, "multi-hot"),
                 data=DataFacts(class_counts=(10, 20, 5), predicted_counts=(8, 15, 3)))),
    ]
    INVALID = [
        Case(ctx(data=DataFacts(class_counts=(60, 40), predicted_counts=(98, 2))), message="takes 98.0%"),
        Case(ctx(task=profile("multiclass", 3, "integer", (40, 30, 30)),
                 data=DataFacts(predicted_counts=(0, 100, 0))), message="Class 1 takes"),
        Case(ctx(task=profile("multilabel", 3, "multi-hot"),
                 data=DataFacts(class_counts=(10, 20, 5), predicted_counts=(0, 1, 0))),
             message="(almost) every label negative"),
    ]
