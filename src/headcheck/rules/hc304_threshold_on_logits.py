from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.resolution import resolve_accuracy
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import by_hand, ctx
from headcheck.rules._util import in_keras, keras_api, label_encoding, logits_out, pick, spelled, written_by_hand


class ThresholdOnLogits(Rule):
    """A 0.5 threshold applied to logits.

    ## What it does
    Flags a Keras metric that thresholds scores at 0.5 (`binary_accuracy`, `BinaryAccuracy()` with
    the default threshold, or `'accuracy'` when it resolves to binary accuracy, as it does for one
    output) when the model outputs logits (no final activation, `from_logits=True`).

    ## Why is this bad?
    A logit of 0.3 is a probability of 0.57, yet `logit > 0.5` counts it as negative: every sample
    with a logit between 0 and 0.5 is scored on the wrong side of the decision boundary, so the
    reported accuracy differs from the model's real accuracy (typically lower, sometimes higher).

    ## Example
    ```python
    model.add(Dense(1))                                           # logits
    model.compile(loss=keras.losses.BinaryCrossentropy(from_logits=True), metrics=["accuracy"])
    ```

    ## Use instead
    ```python
    model.compile(loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy(threshold=0.0)])
    ```

    ## Known problems
    torchmetrics passes float predictions through a sigmoid when some value lies outside [0, 1],
    so it is not flagged; a batch of logits that all happen to lie in [0, 1] would still be read as
    probabilities there.

    ## References
    - https://keras.io/api/metrics/accuracy_metrics/#binaryaccuracy-class
    """

    code = "HC304"
    name = "threshold-on-logits"
    severity = Severity.ERROR
    summary = "A 0.5 probability threshold is applied to logits."
    fix_title = "Threshold logits at 0 (BinaryAccuracy(threshold=0.0)) or output probabilities."
    needs = frozenset({"head"})
    points_at = "metric"

    def check(self, ctx: Context) -> Iterator[Finding]:
        head = ctx.head
        if head is None or not logits_out(head):
            return
        if head.loss is not None and head.loss.kind == "regression":
            return  # a regression output is no logit: HC301 / HC109 say what its accuracy means
        for metric in head.metrics:
            # torchmetrics applies a sigmoid to logits itself; an accuracy written by hand does not
            if not (in_keras(ctx) or written_by_hand(metric)):
                continue
            if self._thresholds_at_half(ctx, metric.name, metric.param("threshold")):
                message = (f"The model outputs logits (no final activation) but {spelled(metric)} "
                           "thresholds the scores at 0.5: a logit of 0.3 is a probability of 0.57 yet "
                           "counts as negative, so the reported accuracy is not the model's.")
                if written_by_hand(metric):
                    fix = pick(ctx, keras="threshold the logits at 0 (`logits > 0`), or apply a sigmoid before "
                               "rounding", pytorch="threshold the logits at 0 (`logits > 0`), or apply "
                               "`torch.sigmoid` before rounding", tensorflow="threshold the logits at 0 "
                               "(`logits > 0`), or apply `tf.sigmoid` before `tf.round`")
                else:
                    fix = (f"use `{keras_api(ctx)}.metrics.BinaryAccuracy(threshold=0.0)` (a logit of 0 is "
                           "probability 0.5), or add `activation='sigmoid'` and drop `from_logits=True`")
                yield self.finding(message, fix, metric=metric)
                return

    @staticmethod
    def _thresholds_at_half(ctx: Context, name: str, threshold: object) -> bool:
        if name == "binary_accuracy":
            return threshold in (None, 0.5)
        if name != "accuracy":
            return False
        head = ctx.head
        res = resolve_accuracy(head.framework, head.framework_version, loss=head.loss,
                               output_units=head.units, label_encoding=label_encoding(ctx))
        return res.metric == "binary_accuracy"

    VALID = [
        Case(ctx(activation="linear", units=1, loss="binary_crossentropy", from_logits=True,
                 metrics=["keras.metrics.BinaryAccuracy(threshold=0.0)"])),
        Case(ctx(activation="sigmoid", units=1, loss="binary_crossentropy", metrics=["accuracy"])),
        Case(ctx(activation="linear", units=10, loss="categorical_crossentropy", from_logits=True,
                 metrics=["accuracy"], labels="one-hot"), note="categorical: argmax is unaffected"),
        Case(ctx(activation="linear", units=1, loss="nn.BCEWithLogitsLoss",
                 metrics=["torchmetrics.classification.BinaryAccuracy"]), note="torchmetrics applies a sigmoid"),
        Case(ctx(units=1, loss="binary_crossentropy", metrics=["accuracy"]), note="activation unknown"),
        Case(ctx(activation="linear", units=1, loss="mse", metrics=["accuracy"], task="ordinal"),
             note="a regression output is not a logit"),
        Case(ctx(activation="linear", units=1, loss="nn.BCEWithLogitsLoss",
                 metrics=[by_hand("binary_accuracy", "(logits > 0) == y", threshold=0.0)]),
             note="logits thresholded at 0"),
    ]
    INVALID = [
        Case(ctx(activation="linear", units=1, loss="binary_crossentropy", from_logits=True,
                 metrics=["accuracy"]), message="`keras.metrics.BinaryAccuracy(threshold=0.0)`"),
        Case(ctx(units=1, loss="keras.losses.BinaryCrossentropy(from_logits=True)",
                 metrics=["binary_accuracy"]), message="thresholds the scores at 0.5"),
        Case(ctx(activation="linear", units=5, loss="binary_crossentropy", from_logits=True,
                 metrics=["accuracy"], framework="keras==2.2.4"), message="a logit of 0.3"),
        Case(ctx(activation="linear", units=1, loss="nn.BCEWithLogitsLoss",
                 metrics=[by_hand("binary_accuracy", "torch.round(logits) == y", threshold=0.5)]),
             message="apply `torch.sigmoid` before rounding", note="PyTorch: an accuracy written by hand"),
    ]
