"""Helpers the rules share: what is known about the task, the labels and the user's framework.

Every helper returns None when the thing is unknown, so that a rule can stay silent.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from headcheck.frameworks import FRAMEWORKS, KERAS_FAMILY, family
from headcheck.frameworks import keras as keras_fw
from headcheck.head import HeadSpec, LossSpec, MetricSpec
from headcheck.vocab import KERAS_LOSSES

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.rules import Context

KERAS_CE = keras_fw.CATEGORICAL
KERAS_BCE = keras_fw.BINARY
NOMINAL_LOSSES = KERAS_CE | {"torch.CrossEntropyLoss", "torch.NLLLoss"}
ACCURACY_NAMES = frozenset({
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "keras.Accuracy", "torchmetrics.Accuracy", "torchmetrics.BinaryAccuracy",
    "torchmetrics.MulticlassAccuracy", "torchmetrics.MultilabelAccuracy",
    "torchmetrics.MultilabelExactMatch", "sklearn.accuracy_score",
})


def dialect(ctx: Context) -> str | None:
    """The framework a finding speaks (`headcheck.frameworks.DIALECTS`): the head's framework
    ('keras', 'tf.keras', 'pytorch', 'lightning'); without one, what its spellings show (a torch
    loss: 'pytorch'; only torchmetrics metrics: 'torchmetrics'; only scikit-learn metrics:
    'sklearn'; Keras spellings: 'keras'); None when no head is known (neutral wording)."""
    head = ctx.head
    if head is None:
        if ctx.history is not None and ctx.history.framework in FRAMEWORKS:
            return ctx.history.framework
        return None
    if head.framework in FRAMEWORKS:
        return head.framework
    if head.loss is not None and head.loss.is_torch:
        return "pytorch"
    names = [m.name for m in head.metrics]
    if head.loss is None and names:
        if any(n.startswith("torchmetrics.") for n in names):
            return "torchmetrics"
        if all(n.startswith("sklearn.") for n in names):
            return "sklearn"
    if any(n.startswith("torchmetrics.") for n in names):
        return "torchmetrics"
    if head.loss is None and head.activation is None and head.units is None and not names:
        return None
    return "keras"


def speaks(ctx: Context) -> str | None:
    """The family of the dialect: 'keras' (Keras, tf.keras), 'pytorch' (PyTorch, Lightning,
    torchmetrics), or None (scikit-learn or nothing known)."""
    return family(dialect(ctx))


_BARE_KERAS = re.compile(r"(?<![\w.])keras\.")


def as_tf_keras(text: str) -> str:
    """Keras wording for tf.keras code: `keras.losses...` becomes `tf.keras.losses...`."""
    return _BARE_KERAS.sub("tf.keras.", text)


def pick(ctx: Context, *, keras: str, pytorch: str, tf_keras: str | None = None, lightning: str | None = None,
         torchmetrics: str | None = None, sklearn: str | None = None, neutral: str | None = None,
         tensorflow: str | None = None) -> str:
    """The text for the user's framework. tf.keras falls back to the Keras text with `tf.keras.`
    API paths, raw TensorFlow to the tf.keras text, Lightning and torchmetrics to the PyTorch text,
    scikit-learn and an unknown framework to `neutral` (then to the Keras text, the wording of the
    oldest front-end)."""
    d = dialect(ctx)
    if d == "tensorflow" and tensorflow is not None:
        return tensorflow
    if d in ("tf.keras", "tensorflow"):
        return tf_keras or as_tf_keras(keras)
    if d == "lightning":
        return lightning or pytorch
    if d == "torchmetrics":
        return torchmetrics or pytorch
    if d == "pytorch":
        return pytorch
    if d == "sklearn":
        return sklearn or neutral or keras
    if d is None and neutral is not None:
        return neutral
    return keras


def keras_api(ctx: Context) -> str:
    """`keras` or `tf.keras`: the package prefix a Keras fix names."""
    return keras_fw.api(ctx.head.framework if ctx.head is not None else None)


def in_keras(ctx: Context) -> bool:
    return dialect(ctx) in KERAS_FAMILY


def raw_tensorflow(head: HeadSpec | None) -> bool:
    """Whether the head's loss is a TensorFlow op (`tf.nn.*`, `tf.losses.*`, written by hand),
    not a Keras loss."""
    return head is not None and head.framework == "tensorflow"


def written_by_hand(metric: MetricSpec) -> bool:
    """An accuracy the program computes itself (`argmax(p) == y`, `round(p) == y`)."""
    return metric.param("written") == "by hand"


def loss_name(head: HeadSpec | None) -> str | None:
    if head is None or head.loss is None or head.loss.name == "unknown":
        return None
    return head.loss.name


def loss(head: HeadSpec | None) -> LossSpec | None:
    return head.loss if head is not None and head.loss is not None and head.loss.name != "unknown" else None


def is_keras_loss(name: str | None) -> bool:
    return name in KERAS_LOSSES


def label_encoding(ctx: Context) -> str | None:
    """How the labels are encoded: from the data first, then from the program (`to_categorical`)."""
    if ctx.task is not None and ctx.task.label_encoding in ("integer", "one-hot", "multi-hot", "soft",
                                                            "boolean", "cumulative"):
        enc = ctx.task.label_encoding
        return "integer" if enc == "boolean" else enc
    if ctx.head is not None and ctx.head.labels is not None:
        return ctx.head.labels
    return None


def is_ordinal(ctx: Context) -> bool:
    return (ctx.head is not None and ctx.head.task == "ordinal") or ctx.declared_task == "ordinal"


def cumulative_head(ctx: Context) -> int | None:
    """K when the head is the cumulative-logit (CORAL-style) head of K ordered classes: declared
    ordinal, a per-output binary loss over K - 1 outputs, class indices 0..K-1 in the data. Its
    outputs are P(class > k), trained on 0/1 'class > k' targets, not on the indices."""
    head, task = ctx.head, ctx.task
    if head is None or head.loss is None or head.loss.kind != "binary" or not is_ordinal(ctx):
        return None
    if task is None or not task.n_classes or not head.units or head.units < 1:
        return None
    if ctx.data is not None and ctx.data.label_min is not None and ctx.data.label_min < 0:
        return None
    return task.n_classes if head.units == task.n_classes - 1 else None


def cumulative_shift(ctx: Context) -> int | None:
    """The label offset when shifted class labels (ratings 1..K) meet the cumulative-logit head of
    K ordered classes: declared ordinal, a per-output binary loss over K - 1 outputs, integer labels
    from `shift` (>= 1) to K - 1 + shift. None otherwise."""
    head, data = ctx.head, ctx.data
    if head is None or head.loss is None or head.loss.kind != "binary" or not is_ordinal(ctx):
        return None
    if not head.units or data is None or data.label_min is None or data.label_max is None \
            or data.label_is_integer is False:
        return None
    if ctx.task is not None and ctx.task.label_encoding not in ("integer", "boolean"):
        return None
    lo, hi = data.label_min, data.label_max
    shift = hi - head.units
    if shift < 1 or lo < shift or shift != int(shift) or lo != int(lo):
        return None
    return int(shift)


def cumulative_targets(ctx: Context) -> bool:
    """Whether the framework's metrics see the (N, K-1) 'class > k' targets of the cumulative-logit
    head: given as such, or class indices given for that head (it trains on the targets)."""
    return label_encoding(ctx) == "cumulative" or cumulative_head(ctx) is not None


def known_task(ctx: Context) -> str | None:
    """The task kind stated by data, declaration or visible labels; never guessed from the head."""
    if ctx.task is not None:
        return ctx.task.kind
    kind = ctx.declared_task or (ctx.head.task if ctx.head is not None else None)
    if kind == "ordinal":
        return "multiclass"
    if kind is not None:
        return kind
    if ctx.head is not None and ctx.head.labels == "multi-hot":
        return "multilabel"
    return None


def implied_task(head: HeadSpec | None) -> str | None:
    """The task a head is conventionally built for, when the convention is unambiguous:
    independent sigmoids + binary CE over K>1 outputs -> multilabel; one output -> binary;
    softmax + categorical CE over K>2 outputs -> multiclass."""
    if head is None or head.units is None:
        return None
    name = loss_name(head)
    kind = head.loss.kind if head.loss is not None else None
    if head.units == 1 and (head.activation == "sigmoid" or kind == "binary"):
        return "binary"
    if head.units > 1 and kind == "binary" and head.activation in ("sigmoid", "linear"):
        return "multilabel"
    if head.units > 2 and head.activation in ("softmax", "linear", "log_softmax") and name in NOMINAL_LOSSES:
        return "multiclass"
    return None


def likely_task(ctx: Context) -> tuple[str | None, bool]:
    """(task kind, whether it was only implied by the head's conventions)."""
    kind = known_task(ctx)
    if kind is not None:
        return kind, False
    kind = implied_task(ctx.head)
    return kind, kind is not None


def n_classes(ctx: Context) -> int | None:
    if ctx.task is not None and ctx.task.n_classes:
        return ctx.task.n_classes
    if ctx.data is not None and ctx.data.class_counts:
        return len(ctx.data.class_counts)
    return None


def class_counts(ctx: Context) -> tuple[float, ...] | None:
    if ctx.data is not None and ctx.data.class_counts:
        return tuple(ctx.data.class_counts)
    if ctx.task is not None and ctx.task.class_counts:
        return tuple(ctx.task.class_counts)
    return None


def class_name(ctx: Context, index: int) -> str:
    return ctx.task.class_name(index) if ctx.task is not None else str(index)


def metrics(head: HeadSpec | None, *names: str) -> list[MetricSpec]:
    """The head's metrics whose canonical name is among `names`."""
    if head is None:
        return []
    return [m for m in head.metrics if m.name in names]


def spelled(metric: MetricSpec) -> str:
    return f"`{metric.spelling or metric.name}`"


def logits_out(head: HeadSpec | None) -> bool:
    """Whether the head is known to output logits (no final activation)."""
    if head is None:
        return False
    if head.activation == "linear":
        return True
    return head.activation is None and head.loss is not None and head.loss.expects == "logits"


def keras_accuracy_fix(task: str | None, api: str = "keras", cumulative: bool = False) -> str:
    """The Keras accuracy to name for a task; `api` is 'keras' or 'tf.keras' (`keras_api`).
    `cumulative`: the K-1 outputs of the cumulative-logit head, trained on 'class > k' targets,
    which no Keras accuracy reads as classes."""
    if cumulative:
        return ("Keras has no accuracy that reads cumulative outputs as classes: report exact accuracy, "
                "within_one_accuracy and mae of the predicted class (the number of outputs above 0.5) with "
                "`headcheck report --task ordinal --score-kind cumulative`; drop 'accuracy', and keep "
                "`binary_accuracy` only named for what it measures, the 'class > k' decisions")
    if task == "multilabel":
        return (f"use `metrics=[{api}.metrics.BinaryAccuracy()]` for per-label accuracy (and report "
                "exact-match accuracy separately)")
    if task == "binary":
        return "use `metrics=['binary_accuracy']`"
    if task == "ordinal":
        return ("for one regression output use `metrics=['mae']` (mean absolute error of the output); with "
                "one output per class use `['sparse_categorical_accuracy']`; and report the mean absolute "
                "class error (`headcheck report --task ordinal`)")
    return "use `metrics=['categorical_accuracy']` (one-hot labels) or `['sparse_categorical_accuracy']` (integer labels)"


# Existing ordinal losses, as their packages name them (recommended, never reimplemented).
ORDINAL_KERAS = ("CORAL from `coral-ordinal` (tf.keras: the `coral_ordinal.CoralOrdinal(num_classes)` "
                 "output layer with `coral_ordinal.OrdinalCrossEntropy()`), or a cumulative-logit head "
                 "(K-1 sigmoid outputs, `binary_crossentropy` on 'class > k' targets)")
ORDINAL_TORCH = ("CORAL or CORN from `coral-pytorch` (`coral_pytorch.layers.CoralLayer` with "
                 "`coral_pytorch.losses.coral_loss`, or K-1 outputs with `coral_pytorch.losses.corn_loss`)")


def loss_label(head: HeadSpec | None) -> str:
    """How to name the head's loss in a message: as the user wrote it, else its canonical name."""
    if head is None or head.loss is None:
        return "the loss"
    return head.loss.spelling or head.loss.name
