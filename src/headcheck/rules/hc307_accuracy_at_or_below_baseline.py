from __future__ import annotations

from typing import Iterator

from headcheck.engine.baselines import majority_class_phrase
from headcheck.findings import Finding, Severity
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx, profile
from headcheck.rules._util import class_counts, class_name, known_task
from headcheck.task import DataFacts

# Accuracy within this much above the majority-class rate is no evidence of learning either.
MARGIN = 0.01


class AccuracyAtOrBelowBaseline(Rule):
    """Accuracy at or below the majority-class rate.

    ## What it does
    Compares the measured accuracy with the majority-class baseline of the same accuracy (always
    predicting the most frequent class; per label for multi-label data) and flags accuracy at or
    below it plus a margin of 0.01. On ordered classes (`--task ordinal`) it also compares the mean
    absolute class error with the median-class baseline (always predicting the median class, the
    best constant for that error) and stays silent when the model beats it: a regression head
    rounded to the nearest class trades exact hits for near misses, so its accuracy may sit below
    the majority rate while it has clearly learned the order.

    ## Why is this bad?
    Such a model has learned nothing accuracy can show. A value frozen at the positive rate (e.g.
    0.5098 every epoch) is the signature of a head bug (softmax over one unit, a wrong loss, labels
    out of range) rather than of the optimiser, and on imbalanced data a high accuracy can still be
    exactly this.

    ## Example
    ```text
    accuracy 0.9500 on data that is 95 % class 0
    ```

    ## Use instead
    Check the head (`headcheck check`), the labels and the learning rate; judge the model by
    balanced accuracy, macro F1 or AUC, which a constant prediction cannot game.

    ## Known problems
    Silent when either the accuracy or the baseline is unknown. When binary or multi-label scores
    rank well and only the threshold is off, HC308 reports the cause and this finding is folded
    into it.

    ## References
    - https://scikit-learn.org/stable/modules/generated/sklearn.dummy.DummyClassifier.html
    """

    code = "HC307"
    name = "accuracy-at-or-below-baseline"
    severity = Severity.WARNING
    summary = "Accuracy is no better than always predicting the majority class."
    fix_title = "Check the head, labels and training; judge by balanced accuracy, macro F1 or AUC."
    needs = frozenset({"data"})
    points_at = "metric"

    def check(self, ctx: Context) -> Iterator[Finding]:
        data = ctx.data
        if data is None or data.accuracy is None or data.majority_rate is None:
            return
        acc, base = data.accuracy, data.majority_rate
        if acc > base + MARGIN:
            return
        mae, median = data.extra.get("mae"), data.extra.get("median_mae")
        ordinal = mae is not None and median is not None
        if ordinal and mae < median - MARGIN:
            return  # ordered classes: the class error shows learning that accuracy cannot see
        if known_task(ctx) == "multilabel":
            what = "per-label accuracy", "predicting each label's more frequent value"
        else:
            counts = class_counts(ctx)
            which = (majority_class_phrase(counts, lambda i: class_name(ctx, i)) if counts
                     else "the most frequent class")
            what = "accuracy", f"always predicting {which}"
        # 'within the margin' only where it explains the finding: just above the rate. A per-label
        # accuracy and its baseline summed in different orders differ by float error: equal, not
        # 'below', and not printed to 12 digits
        same = abs(acc - base) <= 1e-9 * max(1.0, abs(acc), abs(base))
        relation = ("at" if same else "below" if acc < base
                    else f"only just above (within {MARGIN})")
        a, b = (f"{acc:.4f}", f"{base:.4f}") if same else _distinct(acc, base)
        seen = "accuracy can see"
        if ordinal:
            m, md = _distinct(mae, median)
            seen = (f"accuracy or the class error can see (its mean absolute class error {m} is no better "
                    f"than always predicting the median class, {md})")
        message = (f"The {what[0]} {a} is {relation} the majority-class rate {b}, the score of "
                   f"{what[1]}: the model shows no learning that {seen}; a "
                   "value stuck there usually means a head or label bug rather than an optimiser problem.")
        judge = ("the mean absolute class error and quadratic weighted kappa" if ordinal else
                 "balanced accuracy, macro F1 or AUC")
        fix = ("check the head (`headcheck check`), the labels and the learning rate, and judge the model "
               f"by {judge}, which a constant prediction cannot game")
        # 'decisions': measured on the predictions at the threshold; a threshold finding on well
        # ranked scores (HC308) is the root cause and folds this one (`gate.policy.FOLDS`)
        yield self.finding(message, fix, cause="decisions")

    VALID = [
        Case(ctx(data=DataFacts(accuracy=0.92, majority_rate=0.50))),
        Case(ctx(data=DataFacts(accuracy=0.97755, majority_rate=0.9675))),
        Case(ctx(data=DataFacts(accuracy=0.40))),
        Case(ctx(data=DataFacts(majority_rate=0.6))),
        Case(ctx(data=DataFacts(accuracy=0.615, majority_rate=0.60))),
        Case(ctx(data=DataFacts(accuracy=0.29, majority_rate=0.51, extra={"mae": 0.87, "median_mae": 1.05})),
             note="ordinal: a rounded regression output beats the median class on class error"),
    ]
    INVALID = [
        Case(ctx(data=DataFacts(accuracy=0.5098, majority_rate=0.5098)), message="is at the majority-class rate"),
        Case(ctx(task=profile("multiclass", 3, "integer", (90, 5, 5)),
                 data=DataFacts(accuracy=0.88, majority_rate=0.90)), message="predicting class 0 (the most frequent)"),
        Case(ctx(task=profile("multiclass", 3, "integer", (1, 1, 1)),
                 data=DataFacts(accuracy=0.3333, majority_rate=0.3333)),
             message="always predicting one class (all 3 classes are equally frequent)",
             note="tied classes: no class is 'the most frequent'"),
        Case(ctx(task=profile("multilabel", 4, "multi-hot"), data=DataFacts(accuracy=0.905, majority_rate=0.90)),
             message="per-label accuracy"),
        Case(ctx(data=DataFacts(accuracy=0.977512, majority_rate=0.977538)),
             message="0.97751 is below the majority-class rate 0.97754"),
        Case(ctx(data=DataFacts(accuracy=0.605, majority_rate=0.60)),
             message="0.6050 is only just above (within 0.01) the majority-class rate 0.6000"),
        Case(ctx(data=DataFacts(accuracy=0.95966, majority_rate=0.95966 + 1e-16)),
             message="accuracy 0.9597 is at the majority-class rate 0.9597, the score of",
             note="equal up to float error: 'at', printed with 4 decimals, not 12"),
        Case(ctx(data=DataFacts(accuracy=0.95966 + 1e-16, majority_rate=0.95966)),
             message="accuracy 0.9597 is at the majority-class rate 0.9597, the score of"),
        Case(ctx(data=DataFacts(accuracy=0.51, majority_rate=0.51, extra={"mae": 1.05, "median_mae": 1.05})),
             message="no better than always predicting the median class, 1.0500"),
    ]


def _distinct(a: float, b: float) -> tuple[str, str]:
    """`a` and `b` printed with 4 decimals, or with as many more as it takes to show that they differ
    (so that 'below' never sits between two equal-looking numbers)."""
    digits = 4
    while a != b and f"{a:.{digits}f}" == f"{b:.{digits}f}" and digits < 12:
        digits += 1
    return f"{a:.{digits}f}", f"{b:.{digits}f}"
