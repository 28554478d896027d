from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.resolution import resolve_accuracy
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import by_hand, ctx, profile
from headcheck.rules._util import in_keras, likely_task, pick


class MultilabelAccuracyAmbiguity(Rule):
    """Multi-label accuracy reported without saying per-label or exact-match.

    ## What it does
    On a multi-label task, flags (as info) a reported accuracy when only one of its two meanings is
    reported: per-label accuracy (Keras `binary_accuracy`, torchmetrics `MultilabelAccuracy`) or
    exact-match accuracy (scikit-learn `accuracy_score`, torchmetrics `MultilabelExactMatch`).

    ## Why is this bad?
    The same word names two very different numbers: with 20 rare labels, per-label accuracy is
    0.95 for predicting nothing, while exact-match accuracy (every label of a sample right) may be
    0.30 for a good model. Readers take one for the other.

    ## Example
    ```python
    model.compile(loss="binary_crossentropy", metrics=["binary_accuracy"])
    ```

    ## Use instead
    ```python
    model.compile(loss="binary_crossentropy",
                  metrics=[keras.metrics.BinaryAccuracy(name="per_label_accuracy")])
    # and report exact-match accuracy on the validation set: headcheck report y.npy scores.npy
    ```

    ## Known problems
    A metric's `name=` is not read: a per-label accuracy already logged as `per_label_accuracy` is
    still reported.

    ## References
    - https://scikit-learn.org/stable/modules/model_evaluation.html#accuracy-score
    - https://lightning.ai/docs/torchmetrics/stable/classification/exact_match.html
    """

    code = "HC305"
    name = "multilabel-accuracy-ambiguity"
    severity = Severity.INFO
    summary = "Multi-label accuracy is reported without saying per-label or exact-match."
    fix_title = "Report per-label and exact-match accuracy, each under its own name."
    needs = frozenset({"head"})
    points_at = "metric"

    def check(self, ctx: Context) -> Iterator[Finding]:
        head = ctx.head
        if head is None or not head.metrics or likely_task(ctx)[0] != "multilabel":
            return
        per_label = [m for m in head.metrics if self._per_label(ctx, m)]
        exact = [m for m in head.metrics if m.name in ("sklearn.accuracy_score", "torchmetrics.MultilabelExactMatch",
                                                        "exact_match_accuracy")]
        if bool(per_label) == bool(exact):
            return
        which, other = ("per-label", "exact-match") if per_label else ("exact-match", "per-label")
        shown = (per_label or exact)[0]
        message = (f"Only the {which} meaning of multi-label accuracy is reported ({shown.spelling or shown.name}): "
                   "per-label accuracy (the fraction of label decisions that are right) is high even for "
                   "predicting nothing when labels are rare, exact-match accuracy (every label of a sample "
                   "right) is much lower; readers take one for the other.")
        fix = pick(ctx,
                   keras=f"name it in the logs (`keras.metrics.BinaryAccuracy(name='per_label_accuracy')`) and "
                   f"report the {other} accuracy beside it",
                   pytorch=f"report the {other} one beside it (`MultilabelExactMatch` and `MultilabelAccuracy` "
                   "from `torchmetrics.classification`)")
        yield self.finding(message, fix, metric=shown)

    @staticmethod
    def _per_label(ctx: Context, metric) -> bool:
        if metric.name in ("binary_accuracy", "torchmetrics.MultilabelAccuracy"):
            return True
        if metric.name == "torchmetrics.Accuracy":
            return metric.param("task") == "multilabel"
        if metric.name == "accuracy" and in_keras(ctx):
            head = ctx.head
            res = resolve_accuracy(head.framework, head.framework_version, loss=head.loss,
                                   output_units=head.units, label_encoding="multi-hot")
            return res.metric == "binary_accuracy" and res.version_known
        return False

    VALID = [
        Case(ctx(activation="sigmoid", units=5, loss="binary_crossentropy",
                 metrics=["binary_accuracy", "sklearn.metrics.accuracy_score"])),
        Case(ctx(activation="softmax", units=5, loss="categorical_crossentropy", metrics=["binary_accuracy"],
                 task=profile("multiclass", 5, "one-hot")), note="not multi-label (HC302's case)"),
        Case(ctx(activation="sigmoid", units=5, loss="binary_crossentropy"), note="no metric"),
        Case(ctx(activation="linear", units=5, loss="nn.BCEWithLogitsLoss",
                 metrics=[by_hand("binary_accuracy", "preds == y", threshold=0.5),
                          by_hand("exact_match_accuracy", "(preds == y).all(1)", threshold=0.5)]),
             note="both meanings, written by hand"),
    ]
    INVALID = [
        Case(ctx(activation="sigmoid", units=5, loss="binary_crossentropy", metrics=["binary_accuracy"]),
             message="Only the per-label meaning"),
        Case(ctx(activation="linear", units=5, loss="nn.BCEWithLogitsLoss",
                 metrics=["MultilabelAccuracy(num_labels=5)"]), message="`MultilabelExactMatch`"),
        Case(ctx(activation="sigmoid", units=3, loss="binary_crossentropy", metrics=["accuracy"],
                 framework="keras==2.2.4", task=profile("multilabel", 3, "multi-hot")),
             message="report the exact-match accuracy beside it"),
    ]
