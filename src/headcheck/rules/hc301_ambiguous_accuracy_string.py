from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.resolution import Resolution, resolve_accuracy
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx, profile
from headcheck.frameworks.keras import undecided_reason
from headcheck.task import DataFacts
from headcheck.rules._util import (cumulative_head, in_keras, is_ordinal, keras_accuracy_fix, keras_api, label_encoding,
                                   likely_task, metrics, n_classes)

_VERDICT = {True: "fits", False: "does not fit", None: "undetermined"}


class AmbiguousAccuracyString(Rule):
    """`metrics=['accuracy']` resolves to an accuracy that does not fit the task.

    ## What it does
    Works out which metric Keras turns the string `'accuracy'` (also `'acc'`, `'Accuracy'`) into,
    under the Keras version in use, from the loss, the output width and the label shape, and flags
    it when that metric does not measure the task. With an unknown version it assumes modern Keras
    (tf.keras ≥ 2.2, Keras 2.4+, Keras 3) and says what the older version families would do.

    ## Why is this bad?
    Keras has resolved the string three ways. Keras 1.0.6–2.3 and tf.keras ≤ 2.1 pick binary
    accuracy whenever the loss is binary cross-entropy: on a 10-class one-hot problem that is the
    mean of 10 yes/no decisions, 0.90 for predicting nothing. tf.keras ≥ 2.2 and Keras 3 decide by
    shapes: a multi-label model (sigmoid + binary cross-entropy over 5 outputs) gets categorical
    accuracy, which compares the top score with the *first* positive label: a number with no
    meaning. Keras 1.0.0–1.0.5 pick categorical accuracy for any output wider than 1, even for
    integer labels (whose argmax is always 0).

    ## Example
    ```python
    model.add(Dense(5, activation="sigmoid"))       # multi-label
    model.compile(loss="binary_crossentropy", metrics=["accuracy"])
    ```

    ## Use instead
    ```python
    model.compile(loss="binary_crossentropy",
                  metrics=[keras.metrics.BinaryAccuracy(name="per_label_accuracy")])
    ```

    ## Known problems
    Without labels or a declared task, a sigmoid + binary cross-entropy head over several outputs is
    taken as multi-label (the convention) and the finding is a warning, not an error.

    ## References
    - Keras 2.2.4 `engine/training.py` (loss-based resolution); tf.keras 2.2 `compile_utils.py` and
      Keras 3 `trainers/compile_utils.py` (`is_binary_or_sparse_categorical`).
    - https://github.com/keras-team/keras/issues/5794
    """

    code = "HC301"
    name = "ambiguous-accuracy-string"
    severity = Severity.ERROR
    summary = "metrics=['accuracy'] resolves to an accuracy that does not fit the task."
    fix_title = "Name the accuracy explicitly instead of the string 'accuracy'."
    needs = frozenset({"head"})
    points_at = "metric"

    def check(self, ctx: Context) -> Iterator[Finding]:
        head = ctx.head
        if head is None or not in_keras(ctx):
            return
        found = metrics(head, "accuracy")
        if not found:
            return
        kind, implied = likely_task(ctx)
        enc = label_encoding(ctx)
        if enc is None and kind == "multilabel":
            enc = "multi-hot"
        if is_ordinal(ctx):
            kind, implied = "ordinal", False
        # the cumulative-logit head trains on (N, K-1) 'class > k' targets, whatever labels check got
        cumulative = enc == "cumulative" or cumulative_head(ctx) is not None
        if cumulative:
            enc = "cumulative"
        res = resolve_accuracy(head.framework, head.framework_version, loss=head.loss,
                               output_units=head.units, label_encoding=enc, task=kind,
                               n_classes=n_classes(ctx) or head.units)
        if res.fits_task is not False:
            return
        message = f"`metrics=[{found[0].spelling or 'accuracy'!r}]` does not measure this task: {res.explanation}."
        if not res.version_known:
            message += " The Keras version is unknown, so this assumes modern Keras; " + _others(res) + "."
        elif head.version_source:
            message += f" (Version {head.framework_version}: {head.version_source}.)"
        if implied:
            message += f" (The task is taken as {kind} from the head: {_convention(kind)}.)"
        severity = Severity.ERROR if res.version_known and not implied else Severity.WARNING
        fix = keras_accuracy_fix(kind, keras_api(ctx), cumulative)
        fix = fix if cumulative else f"name the metric instead of the string: {fix}"
        yield self.finding(message, fix, severity=severity, metric=found[0])

    VALID = [
        Case(ctx(activation="softmax", units=10, loss="categorical_crossentropy", metrics=["accuracy"],
                 task=profile("multiclass", 10, "one-hot"))),
        Case(ctx(activation="softmax", units=10, loss="binary_crossentropy", metrics=["accuracy"],
                 task=profile("multiclass", 10, "one-hot")), note="unknown version: modern Keras fits"),
        Case(ctx(activation="softmax", units=10, loss="binary_crossentropy", metrics=["accuracy"],
                 framework="keras==3.6", labels="one-hot", task="multiclass")),
        Case(ctx(activation="sigmoid", units=3, loss="binary_crossentropy", metrics=["accuracy"],
                 framework="keras==2.2.4", task=profile("multilabel", 3, "multi-hot")), note="binary, per-label"),
        Case(ctx(activation="sigmoid", units=1, loss="binary_crossentropy", metrics=["acc"])),
        Case(ctx(activation="softmax", units=10, loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                 framework="tf.keras==2.1", task=profile("multiclass", 10, "integer"))),
        Case(ctx(activation="linear", units=10, loss="nn.CrossEntropyLoss", metrics=["accuracy"]),
             note="PyTorch has no 'accuracy' string"),
        Case(ctx(activation="softmax", units=10, metrics=["accuracy"]), note="loss and labels unknown"),
        Case(ctx(activation="softmax", units=5, loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                 task="ordinal"), note="ordinal with class outputs: accuracy (order left to HC205)"),
        Case(ctx(activation="sigmoid", units=4, loss="binary_crossentropy", metrics=["mae"],
                 framework="keras==3.6", declared="ordinal", task=profile("multiclass", 5, "cumulative")),
             note="cumulative-logit head without the 'accuracy' string"),
    ]
    INVALID = [
        Case(ctx(activation="softmax", units=10, loss="binary_crossentropy", metrics=["accuracy"],
                 framework="keras==2.2.4", task=profile("multiclass", 10, "one-hot")),
             message="becomes binary_accuracy"),
        Case(ctx(activation="sigmoid", units=4, loss="binary_crossentropy", metrics=["accuracy"],
                 framework="keras==3.6", declared="ordinal", task=profile("multiclass", 5, "cumulative")),
             message="first output is the highest",
             note="cumulative-logit head on 'class > k' targets: categorical accuracy, argmax always 0"),
        Case(ctx(activation="sigmoid", units=4, loss="binary_crossentropy", metrics=["accuracy"],
                 framework="keras==2.2.4", declared="ordinal", task=profile("multiclass", 5, "integer"),
                 data=DataFacts(label_min=0, label_max=4, label_is_integer=True)),
             message="within_one_accuracy",
             note="class indices given, but the head trains on 'class > k' targets: binary accuracy"),
        Case(ctx(activation="sigmoid", units=3, loss="binary_crossentropy", metrics=["accuracy"],
                 framework="keras==3.6", task=profile("multilabel", 3, "multi-hot")),
             message="`metrics=[keras.metrics.BinaryAccuracy()]`"),
        Case(ctx(activation="sigmoid", units=5, loss="binary_crossentropy", metrics=["accuracy"]),
             message="Keras 1.0.6–2.3.x and tf.keras ≤ 2.1: binary_accuracy (fits)"),
        Case(ctx(activation="sigmoid", units=3, loss="binary_crossentropy", metrics=["Accuracy"],
                 framework="keras==1.0.4", labels="multi-hot"), message="no meaning"),
        Case(ctx(activation="softmax", units=10, loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                 framework="keras==1.0.4", task=profile("multiclass", 10, "integer")),
             message="always 0"),
        Case(ctx(activation="linear", units=1, loss="mse", metrics=["accuracy"], task="ordinal"),
             message="only the labels 0 and 1 can ever match"),
        Case(ctx(activation="sigmoid", units=3, metrics=["accuracy"], labels="multi-hot"),
             message="Keras 1.0.6–2.3.x and tf.keras ≤ 2.1: depends on the loss, which is unknown"),
    ]


def _others(res: Resolution) -> str:
    return "; ".join(f"{a.title}: {a.metric} ({_VERDICT[a.fits_task]})" if a.metric else
                     f"{a.title}: {undecided_reason(a.family or '')}" for a in res.alternatives)


def _convention(kind: str | None) -> str:
    return {
        "multilabel": "independent sigmoid outputs with binary cross-entropy",
        "binary": "a single output",
        "multiclass": "softmax outputs with a categorical loss",
    }.get(kind or "", "its conventions")
