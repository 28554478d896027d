"""Keras and tf.keras: spellings, what the strings 'accuracy' and 'crossentropy' become per version,
and the API paths that fixes name.

Verified against the sources: Keras 2.2.4 `engine/training.py` (metrics 'accuracy' / 'acc' /
'crossentropy' / 'ce' resolved from the loss and the output width; exact spellings only), tf-keras
2.15 `engine/compile_utils.py` (the same four metric strings resolved from the shapes, lower-cased;
`losses.get('crossentropy')` raises), and Keras 3 `trainers/compile_utils.py` (`get_metric`:
'accuracy' / 'acc' lower-cased and resolved from the shapes; `get_loss`: 'crossentropy' / 'ce'
lower-cased and resolved from the shapes; 'crossentropy' is no metric string any more).

The 'accuracy' table of the catalogue (three version families):

* Keras 1.0.0–1.0.5 (`last-dim`): output last dim 1 -> binary, else categorical.
* Keras 1.0.6–2.3.x, tf.keras <= 2.1 (`loss-based`): binary cross-entropy or output last dim 1 ->
  binary; sparse categorical cross-entropy -> sparse categorical; else categorical.
* tf.keras >= 2.2, Keras 2.4–2.15, Keras 3 (`shape-based`): output last dim 1 -> binary;
  rank(y_true) < rank(y_pred) or y_true last dim 1 -> sparse categorical; else categorical.

>>> r = resolve_accuracy('keras', '2.2.4', loss='binary_crossentropy', output_units=10,
...                      label_encoding='one-hot', task='multiclass')
>>> r.metric, r.family, r.fits_task
('binary_accuracy', 'loss-based', False)
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.head import LossSpec

# Roots of `type(obj).__module__` for live Keras objects (Keras 3, tf-keras 2, TensorFlow's copy).
MODULE_ROOTS = ("keras", "tf_keras", "tensorflow")

# ---------------------------------------------------------------------------------------------
# Losses. Keys are the last dotted component, lower-cased, underscores removed; values are the
# canonical names (the Keras 3 function names).
LOSSES = {
    "binarycrossentropy": "binary_crossentropy",
    "bce": "binary_crossentropy",
    "categoricalcrossentropy": "categorical_crossentropy",
    "cce": "categorical_crossentropy",
    "sparsecategoricalcrossentropy": "sparse_categorical_crossentropy",
    "binaryfocalcrossentropy": "binary_focal_crossentropy",
    "categoricalfocalcrossentropy": "categorical_focal_crossentropy",
    "mse": "mean_squared_error",
    "meansquarederror": "mean_squared_error",
    "mae": "mean_absolute_error",
    "meanabsoluteerror": "mean_absolute_error",
    "hinge": "hinge",
    "squaredhinge": "squared_hinge",
    "categoricalhinge": "categorical_hinge",
    "kld": "kl_divergence",
    "kldivergence": "kl_divergence",
    "kullbackleiblerdivergence": "kl_divergence",
    "poisson": "poisson",
}
CANONICAL_LOSSES = tuple(dict.fromkeys(LOSSES.values()))
# The string Keras 3 resolves from the shapes when the model is first fitted (and Keras 2 rejects).
AMBIGUOUS_LOSSES = frozenset({"crossentropy", "ce"})
AMBIGUOUS_LOSS = "crossentropy"
# Loss classes, for fixes that name them.
LOSS_CLASS = {
    "binary_crossentropy": "BinaryCrossentropy",
    "categorical_crossentropy": "CategoricalCrossentropy",
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
    "binary_focal_crossentropy": "BinaryFocalCrossentropy",
    "categorical_focal_crossentropy": "CategoricalFocalCrossentropy",
}
# Cross-entropies read probabilities unless given `from_logits=True`.
PROBABILISTIC = frozenset(LOSS_CLASS)
CATEGORICAL = frozenset({"categorical_crossentropy", "sparse_categorical_crossentropy",
                         "categorical_focal_crossentropy"})
BINARY = frozenset({"binary_crossentropy", "binary_focal_crossentropy"})
LOSS_KIND = {
    **{name: "binary" for name in BINARY},
    **{name: "categorical" for name in CATEGORICAL},
    "mean_squared_error": "regression",
    "mean_absolute_error": "regression",
    "hinge": "other",
    "squared_hinge": "other",
    "categorical_hinge": "other",
    "kl_divergence": "other",
    "poisson": "other",
}
# Attributes of a live loss object that matter (Keras 3 keeps them on the object; older wrappers
# keep them in `_fn_kwargs`).
LOSS_ATTRS = ("from_logits", "label_smoothing", "reduction")

# ---------------------------------------------------------------------------------------------
# Metrics. The bare string 'accuracy' / 'acc' (Keras 3 and tf.keras lower-case it, so 'Accuracy'
# too) is the ambiguous one; the class keras.metrics.Accuracy compares values for equality.
AMBIGUOUS_METRICS = frozenset({"accuracy", "acc"})
METRICS = {
    "binaryaccuracy": "binary_accuracy",
    "categoricalaccuracy": "categorical_accuracy",
    "sparsecategoricalaccuracy": "sparse_categorical_accuracy",
    "topkcategoricalaccuracy": "top_k_categorical_accuracy",
    "sparsetopkcategoricalaccuracy": "sparse_top_k_categorical_accuracy",
}
# Metrics that are not accuracies but matter to the rules (a class-balanced alternative is present).
OTHER_METRICS = {
    "auc": "auc",
    "precision": "precision",
    "recall": "recall",
    "f1score": "f1_score",
    "fbetascore": "fbeta_score",
    "mse": "mean_squared_error",
    "meansquarederror": "mean_squared_error",
    "mae": "mean_absolute_error",
    "meanabsoluteerror": "mean_absolute_error",
    "crossentropy": "crossentropy",
    "binarycrossentropy": "crossentropy",
    "categoricalcrossentropy": "crossentropy",
    "sparsecategoricalcrossentropy": "crossentropy",
}
METRIC_ATTRS = ("threshold", "k")

# ---------------------------------------------------------------------------------------------
# Activations Keras names that neither torch nor the generic table has.
ACTIVATIONS = {"linear": "linear", "exponential": "other", "hard_sigmoid": "other",
               "hard_silu": "other", "hard_swish": "other", "softsign": "other"}


# ---------------------------------------------------------------------------------------------
# Layers, for the linter: where the width of a layer is given (keyword names of Keras 2+ and of
# Keras 1), recurrent layers, layers that pass their input's width through, input layers.
UNITS_LAYERS = {"Dense": ("units", "output_dim"), "Conv1D": ("filters", "nb_filter"),
                "Conv2D": ("filters", "nb_filter"), "Conv3D": ("filters", "nb_filter"),
                "Convolution1D": ("filters", "nb_filter"), "Convolution2D": ("filters", "nb_filter"),
                "Convolution3D": ("filters", "nb_filter"), "EinsumDense": ("output_shape",)}
RECURRENT_LAYERS = frozenset({"LSTM", "GRU", "SimpleRNN", "CuDNNLSTM", "CuDNNGRU", "ConvLSTM2D"})
PASS_LAYERS = frozenset({
    "Dropout", "Flatten", "Reshape", "BatchNormalization", "LayerNormalization", "GaussianNoise",
    "GaussianDropout", "AlphaDropout", "ActivityRegularization", "SpatialDropout1D", "SpatialDropout2D",
    "SpatialDropout3D", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
    "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D", "GlobalAvgPool2D", "GlobalMaxPool2D",
    "Masking", "UnitNormalization", "GroupNormalization",
})
INPUT_LAYERS = frozenset({"Input", "InputLayer"})
ACTIVATION_LAYERS = frozenset({"Activation", "Softmax", "ReLU", "LeakyReLU", "ELU", "PReLU", "ThresholdedReLU"})


def api(framework: str | None) -> str:
    """The package prefix a fix writes: `tf.keras` for tf.keras and TensorFlow code, `keras` otherwise."""
    return "tf.keras" if framework in ("tf.keras", "tensorflow") else "keras"


def display(framework: str | None, version: str | None = None) -> str:
    name = "tf.keras" if framework == "tf.keras" else "Keras"
    return f"{name} {version}" if version else name


# ---------------------------------------------------------------------------------------------
# 'accuracy': the resolution table.

FAMILIES = ("last-dim", "loss-based", "shape-based")
FAMILY_TITLES = {
    "last-dim": "Keras 1.0.0–1.0.5",
    "loss-based": "Keras 1.0.6–2.3.x and tf.keras ≤ 2.1",
    "shape-based": "tf.keras ≥ 2.2, Keras 2.4–2.15 and Keras 3",
}
FAMILY_RULES = {
    "last-dim": "output last dim 1 -> binary, else categorical",
    "loss-based": "binary cross-entropy or output last dim 1 -> binary; sparse categorical "
    "cross-entropy -> sparse categorical; else categorical",
    "shape-based": "output last dim 1 -> binary; labels of lower rank than the output, or labels "
    "with last dim 1 -> sparse categorical; else categorical",
}
MODERN = "shape-based"


@dataclass(frozen=True)
class Resolution:
    """What 'accuracy' becomes under one version family.

    metric: 'binary_accuracy' | 'categorical_accuracy' | 'sparse_categorical_accuracy', or None
        when the inputs do not decide it (or the framework has no 'accuracy' string).
    family: one of FAMILIES (None for a framework without the string).
    fits_task: whether that metric measures the task; None when the task is unknown.
    explanation: one sentence for a human.
    version_known: False when the framework version was unknown and `family` is the modern one
        assumed; `alternatives` then holds the answer of each older family.
    """

    metric: str | None
    family: str | None
    fits_task: bool | None
    explanation: str
    version_known: bool = True
    alternatives: tuple[Resolution, ...] = ()

    @property
    def title(self) -> str:
        return FAMILY_TITLES.get(self.family or "", "")


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version)[:3])


def version_family(framework: str | None, version: str | None) -> str | None:
    """The family of a Keras version ('keras' or 'tf.keras' + version); None when unknown.

    >>> version_family('keras', '1.0.4'), version_family('tf.keras', '2.1'), version_family('keras', '3.6')
    ('last-dim', 'loss-based', 'shape-based')
    """
    if framework not in (None, "keras", "tf.keras") or not version:
        return None
    v = version_tuple(version)
    if not v:
        return None
    if framework == "tf.keras":
        return "loss-based" if v < (2, 2) else "shape-based"
    if v < (1, 0, 6):
        return "last-dim"
    return "loss-based" if v < (2, 4) else "shape-based"


def _loss_name(loss: str | LossSpec | None) -> str | None:
    if loss is None:
        return None
    from headcheck.vocab import normalize_loss

    name = normalize_loss(loss).name
    return None if name in ("unknown", AMBIGUOUS_LOSS) else name


def resolve_family(
    family: str, *, loss: str | LossSpec | None, output_units: int | None, label_encoding: str | None
) -> str | None:
    """The metric 'accuracy' becomes under `family`, or None when the inputs do not decide it."""
    name = _loss_name(loss)
    if family == "last-dim":
        if output_units is None:
            return None
        return "binary_accuracy" if output_units == 1 else "categorical_accuracy"
    if family == "loss-based":
        if name == "binary_crossentropy" or output_units == 1:
            return "binary_accuracy"
        if name == "sparse_categorical_crossentropy":
            return "sparse_categorical_accuracy"
        return "categorical_accuracy" if name is not None else None
    if family == "shape-based":
        if output_units is None:
            return None
        if output_units == 1:
            return "binary_accuracy"
        encoding = label_encoding or _encoding_implied_by(name)
        if encoding == "integer":
            return "sparse_categorical_accuracy"
        if encoding in ("one-hot", "multi-hot", "soft", "cumulative"):
            return "categorical_accuracy"
        return None
    raise ValueError(f"unknown family {family!r}; expected one of {FAMILIES}")


def _encoding_implied_by(loss_name: str | None) -> str | None:
    """Keras losses that only accept one label shape tell the label rank."""
    if loss_name == "sparse_categorical_crossentropy":
        return "integer"
    if loss_name in ("categorical_crossentropy", "categorical_focal_crossentropy",
                     "binary_crossentropy", "binary_focal_crossentropy"):
        return "one-hot"  # labels as wide as the output: rank 2, last dim K
    return None


def fits(metric: str | None, task: str | None, label_encoding: str | None = None) -> bool | None:
    """Whether a Keras accuracy measures a task kind (None when either is unknown).

    Categorical accuracy takes the argmax of the labels too: on integer labels of shape (N, 1) that
    argmax is always 0, so it does not fit them whatever the task. On ordered classes ('ordinal')
    binary accuracy compares `output > 0.5` with the class label, which only labels 0 and 1 can
    ever match. On the cumulative targets 'class > k' of ordered classes neither fits: binary
    accuracy averages the K-1 column decisions, and the argmax of every target row is 0."""
    if metric == "categorical_accuracy" and label_encoding == "integer":
        return False
    if label_encoding == "cumulative" and metric is not None:
        return False
    if metric is None or task not in ("binary", "multiclass", "multilabel", "ordinal"):
        return None
    if metric == "binary_accuracy":
        return task in ("binary", "multilabel")
    return task != "multilabel"  # categorical / sparse categorical: single-label only


def meaning(metric: str | None, task: str | None, n_classes: int | None = None,
            label_encoding: str | None = None, output_units: int | None = None) -> str:
    """What the metric measures on the task, in words."""
    if metric == "categorical_accuracy" and label_encoding == "integer":
        return ("the argmax of integer labels of shape (N, 1) is always 0, so it counts predictions of "
                "class 0: a number with no meaning")
    if label_encoding == "cumulative" and metric == "binary_accuracy":
        return ("the mean over the K-1 'class > k' columns of (output > 0.5) == target: most of those "
                "decisions are easy for a class far from the cut, so it sits far above the share of "
                "classes predicted exactly")
    if label_encoding == "cumulative" and metric in ("categorical_accuracy", "sparse_categorical_accuracy"):
        return ("the argmax of every 'class > k' target row is 0, so it counts the rows whose first "
                "output is the highest: a number with no meaning (a rank-consistent head scores 1.0)")
    if metric == "binary_accuracy" and task == "ordinal":
        what = "the output" if output_units == 1 else "each output"
        return (f"whether ({what} > 0.5) equals the class label: on ordered classes only the labels 0 "
                "and 1 can ever match, so the number has no meaning (a regression output is not a "
                "probability either)")
    if metric == "binary_accuracy":
        if task == "multiclass":
            k = n_classes if n_classes and n_classes > 2 else None
            floor = f"{(k - 1) / k:.2f}" if k else "(K-1)/K"
            return (f"the mean of per-class yes/no decisions at 0.5, inflated on a single-label task: "
                    f"predicting 'no' for every class already scores {floor}")
        if task == "multilabel":
            return "per-label accuracy (the fraction of label decisions that are right)"
        return "the fraction of samples whose score is on the right side of 0.5"
    if metric in ("categorical_accuracy", "sparse_categorical_accuracy"):
        if task == "multilabel":
            return ("whether the top-scored label is the first positive label: a number with no "
                    "meaning on multi-label targets")
        if task == "ordinal":
            return ("the fraction of samples whose top-scored class is the true class (it ignores how "
                    "far off a miss is)")
        return "the fraction of samples whose top-scored class is the true class"
    return "undetermined (the output width or the label shape is unknown)"


def undecided_reason(family: str) -> str:
    """What `family` needs to decide 'accuracy' (when `resolve_family` returned None)."""
    return {"last-dim": "depends on the output width, which is unknown",
            "loss-based": "depends on the loss, which is unknown",
            "shape-based": "depends on the output width and the label shape, which are unknown",
            }.get(family, "undetermined")


def resolve_accuracy(
    framework: str | None = None,
    version: str | None = None,
    *,
    loss: str | LossSpec | None = None,
    output_units: int | None = None,
    label_encoding: str | None = None,
    task: str | None = None,
    n_classes: int | None = None,
) -> Resolution:
    """What `metrics=['accuracy']` becomes, and whether that fits `task`.

    With a known version, the answer of its family. With an unknown version, the answer of the
    modern family (`version_known=False`) and, in `alternatives`, those of the older families.

    >>> r = resolve_accuracy('keras', None, loss='binary_crossentropy', output_units=5,
    ...                      label_encoding='multi-hot', task='multilabel')
    >>> r.metric, r.fits_task, [a.metric for a in r.alternatives]
    ('categorical_accuracy', False, ['categorical_accuracy', 'binary_accuracy'])
    """
    if framework not in (None, "keras", "tf.keras"):
        return Resolution(None, None, None, "only Keras resolves the string 'accuracy'.")
    family = version_family(framework, version)

    def one(fam: str, known: bool) -> Resolution:
        metric = resolve_family(fam, loss=loss, output_units=output_units, label_encoding=label_encoding)
        where = display(framework, version) if known else FAMILY_TITLES[fam]
        text = (f"under {where} ({FAMILY_RULES[fam]}), 'accuracy' becomes "
                f"{metric or 'an undetermined metric'}: "
                f"{meaning(metric, task, n_classes, label_encoding, output_units)}")
        return Resolution(metric, fam, fits(metric, task, label_encoding), text, version_known=known)

    if family is not None:
        return one(family, True)
    modern = one(MODERN, False)
    older = tuple(one(f, False) for f in FAMILIES if f != MODERN)
    return Resolution(modern.metric, modern.family, modern.fits_task, modern.explanation,
                      version_known=False, alternatives=older)


# ---------------------------------------------------------------------------------------------
# 'crossentropy' as a loss: Keras 3 only.

@dataclass(frozen=True)
class LossResolution:
    """What `loss='crossentropy'` (or 'ce') becomes.

    loss: the canonical loss Keras picks, or None when the inputs do not decide it (or the
        framework version has no such loss string: then `accepted` is False).
    accepted: whether the framework version accepts the string at all (Keras 2 / tf.keras raise
        "Unknown loss function"); None when the version is unknown.
    explanation: one sentence for a human, naming the version and the shapes that decided it.
    """

    loss: str | None
    accepted: bool | None
    explanation: str


CROSSENTROPY_RULE = ("output last dim 1 -> binary_crossentropy; labels of lower rank than the output "
                     "or with last dim 1 -> sparse_categorical_crossentropy; else categorical_crossentropy")


def resolve_crossentropy(framework: str | None, version: str | None, *, output_units: int | None,
                         label_encoding: str | None) -> LossResolution:
    """What `loss='crossentropy'` becomes: Keras 3 picks a cross-entropy from the shapes of the
    first batch; Keras 2 and tf.keras do not know the string.

    >>> resolve_crossentropy('keras', '3.6', output_units=10, label_encoding='integer').loss
    'sparse_categorical_crossentropy'
    >>> resolve_crossentropy('tf.keras', '2.15', output_units=10, label_encoding='integer').accepted
    False
    """
    v = version_tuple(version) if version else ()
    if framework == "tf.keras" or (framework == "keras" and v and v < (3,)):
        where = display(framework, version)
        return LossResolution(None, False, f"{where} has no loss 'crossentropy' (compile raises "
                                           "'Unknown loss function'); only Keras 3 picks one from the shapes")
    where = "Keras 3" if v else "Keras 3 (the only Keras that accepts the string)"
    loss = None
    if output_units == 1:
        loss = "binary_crossentropy"
    elif output_units is not None and label_encoding == "integer":
        loss = "sparse_categorical_crossentropy"
    elif output_units is not None and label_encoding in ("one-hot", "multi-hot", "soft"):
        loss = "categorical_crossentropy"
    picked = f"here it becomes {loss}" if loss else "the output width or the label shape needed to decide is unknown"
    return LossResolution(loss, True if v else None,
                          f"'crossentropy' is resolved by {where} from the shapes ({CROSSENTROPY_RULE}): {picked}")


def crossentropy_kind(output_units: int | None) -> str | None:
    """The kind of cross-entropy Keras 3 picks, when the width alone decides it: one output ->
    binary; several -> categorical (sparse or not, depending on the labels)."""
    if output_units is None:
        return None
    return "binary" if output_units == 1 else "categorical"
