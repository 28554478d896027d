"""HeadSpec: what the *program* says about the head (activation, units, loss, metrics).

Front-ends (the `check` command line, the linter, live Keras/PyTorch models) all build HeadSpecs;
the rules read them. Every field is optional: None means unknown, and a rule that needs an unknown
field stays silent. Names are normalised by `headcheck.head` helpers so that rules compare
canonical names, never user spellings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from headcheck.errors import InputError
from headcheck.findings import Location

# Canonical activation names.
ACTIVATIONS = ("softmax", "sigmoid", "linear", "log_softmax", "relu", "tanh", "softplus", "other")

# Canonical loss names. Keras names are the Keras 3 function names; torch names carry 'torch.'.
KERAS_LOSSES = (
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "binary_focal_crossentropy",
    "categorical_focal_crossentropy",
    "mean_squared_error",
    "mean_absolute_error",
    "hinge",
    "categorical_hinge",
    "kl_divergence",
    "poisson",
    "squared_hinge",
)
TORCH_LOSSES = (
    "torch.CrossEntropyLoss",
    "torch.BCELoss",
    "torch.BCEWithLogitsLoss",
    "torch.NLLLoss",
    "torch.MSELoss",
    "torch.L1Loss",
    "torch.MultiLabelSoftMarginLoss",
    "torch.KLDivLoss",
    "torchvision.sigmoid_focal_loss",
)


@dataclass(frozen=True)
class LossSpec:
    """A loss, normalised. `name` is canonical (see KERAS_LOSSES / TORCH_LOSSES) or 'unknown';
    `from_logits` is None when not stated (Keras default False); `spelling` is what the user wrote."""

    name: str
    from_logits: bool | None = None
    reduction: str | None = None
    spelling: str = ""
    location: Location | None = None

    @property
    def is_torch(self) -> bool:
        return self.name.startswith(("torch.", "torchvision."))

    @property
    def kind(self) -> str | None:
        """What the loss treats the outputs as: 'binary' (independent per-output yes/no),
        'categorical' (one distribution over the outputs), 'regression', 'other'; None if unknown."""
        return _LOSS_KIND.get(self.name)

    @property
    def expects(self) -> str | None:
        """What the loss expects as input: 'logits', 'probabilities', 'log_probabilities', or None
        when that does not apply (regression losses) or is unknown."""
        if self.name in _TORCH_EXPECTS:
            return _TORCH_EXPECTS[self.name]
        if self.name in _KERAS_PROBABILISTIC:
            return "logits" if self.from_logits else "probabilities"
        return None


@dataclass(frozen=True)
class MetricSpec:
    """A metric identifier, normalised: `name` is canonical ('accuracy' for the ambiguous string,
    'binary_accuracy', 'categorical_accuracy', 'sparse_categorical_accuracy',
    'top_k_categorical_accuracy', 'torchmetrics.Accuracy', 'torchmetrics.MulticlassAccuracy', ...);
    `params` carries keyword arguments that matter (threshold, average, task, top_k)."""

    name: str
    spelling: str = ""
    params: tuple[tuple[str, object], ...] = ()
    location: Location | None = None

    def param(self, key: str, default: object = None) -> object:
        return dict(self.params).get(key, default)


@dataclass(frozen=True)
class HeadSpec:
    """A plain description of a classifier head.

    framework: 'keras' (standalone Keras), 'tf.keras', 'pytorch' or None.
    framework_version: e.g. '2.2.4' or '3.15.1' when known.
    activation: canonical activation of the last layer ('linear' = logits), None if unknown.
    activation_axis: the softmax axis when known (-1, 1, 0 ...); for PyTorch softmax called without
        `dim`, `activation_axis_missing` is True.
    units: output width when known.
    labels: label encoding visible in the program ('integer', 'one-hot', 'multi-hot') or None.
    task: the task kind the user declared ('binary' | 'multiclass' | 'multilabel') or None.
    """

    framework: str | None = None
    framework_version: str | None = None
    activation: str | None = None
    activation_axis: int | None = None
    activation_axis_missing: bool = False
    units: int | None = None
    loss: LossSpec | None = None
    metrics: tuple[MetricSpec, ...] = ()
    labels: str | None = None
    task: str | None = None
    activation_location: Location | None = None
    units_location: Location | None = None
    locations: dict = field(default_factory=dict, compare=False)

    @classmethod
    def declared(
        cls,
        *,
        activation: str | None = None,
        units: int | None = None,
        loss: str | LossSpec | None = None,
        from_logits: bool | None = None,
        metrics: Iterable[str | MetricSpec] = (),
        framework: str | None = None,
        labels: str | None = None,
        task: str | None = None,
        activation_axis: int | None = None,
        activation_axis_missing: bool = False,
    ) -> HeadSpec:
        """A HeadSpec from plain spellings, as a user would declare it; bad spellings raise
        InputError. `task` may also be 'ordinal' (ordered classes).

        >>> h = HeadSpec.declared(activation='softmax', units=10, loss='binary_crossentropy',
        ...                       metrics=['accuracy'], framework='keras==2.2.4')
        >>> (h.framework, h.framework_version, h.loss.name, h.metrics[0].name)
        ('keras', '2.2.4', 'binary_crossentropy', 'accuracy')
        """
        # (the normalisers below are module globals, looked up when this runs)
        framework_name, version = parse_framework(framework)
        act = None
        if activation is not None:
            act = normalize_activation(activation)
            if act is None:
                raise InputError(
                    f"unknown activation {activation!r}: expected softmax, sigmoid, linear (no "
                    "activation: logits), log_softmax, relu, tanh, softplus, or another Keras/PyTorch "
                    "activation name."
                )
        loss_spec = None
        if loss is not None:
            loss_spec = normalize_loss(loss, from_logits=from_logits)
            if loss_spec.name == "unknown" and not isinstance(loss, LossSpec):
                raise InputError(
                    f"unknown loss {loss!r}: expected a Keras loss (binary_crossentropy, "
                    "categorical_crossentropy, sparse_categorical_crossentropy, mse, ...) or a PyTorch "
                    "one (CrossEntropyLoss, BCELoss, BCEWithLogitsLoss, NLLLoss, ...)."
                )
        metrics = list(metrics)
        metric_specs = tuple(normalize_metric(m) for m in metrics)
        if units is not None and (not isinstance(units, int) or isinstance(units, bool) or units < 1):
            raise InputError(f"units must be a positive whole number (the output width), got {units!r}.")
        if framework_name is None and _looks_torch(activation, loss_spec, metrics):
            framework_name = "pytorch"
        return cls(
            framework=framework_name,
            framework_version=version,
            activation=act,
            activation_axis=activation_axis,
            activation_axis_missing=activation_axis_missing,
            units=units,
            loss=loss_spec,
            metrics=metric_specs,
            labels=_normalize_choice(labels, _LABELS, "label encoding"),
            task=_normalize_choice(task, _TASKS, "task"),
        )


# ---------------------------------------------------------------------------------------------
# Normalisers: user spellings -> canonical names. They only read names (never import a framework),
# so the linter can use them on source text.

_KERAS_PROBABILISTIC = frozenset(
    {
        "binary_crossentropy",
        "categorical_crossentropy",
        "sparse_categorical_crossentropy",
        "binary_focal_crossentropy",
        "categorical_focal_crossentropy",
    }
)
_TORCH_EXPECTS = {
    "torch.CrossEntropyLoss": "logits",
    "torch.BCEWithLogitsLoss": "logits",
    "torch.MultiLabelSoftMarginLoss": "logits",
    "torchvision.sigmoid_focal_loss": "logits",
    "torch.BCELoss": "probabilities",
    "torch.NLLLoss": "log_probabilities",
    "torch.KLDivLoss": "log_probabilities",
}
_LOSS_KIND = {
    "binary_crossentropy": "binary",
    "binary_focal_crossentropy": "binary",
    "torch.BCELoss": "binary",
    "torch.BCEWithLogitsLoss": "binary",
    "torch.MultiLabelSoftMarginLoss": "binary",
    "torchvision.sigmoid_focal_loss": "binary",
    "categorical_crossentropy": "categorical",
    "sparse_categorical_crossentropy": "categorical",
    "categorical_focal_crossentropy": "categorical",
    "torch.CrossEntropyLoss": "categorical",
    "torch.NLLLoss": "categorical",
    "mean_squared_error": "regression",
    "mean_absolute_error": "regression",
    "torch.MSELoss": "regression",
    "torch.L1Loss": "regression",
    "hinge": "other",
    "squared_hinge": "other",
    "categorical_hinge": "other",
    "kl_divergence": "other",
    "poisson": "other",
    "torch.KLDivLoss": "other",
}

_ACTIVATION_NAMES = {
    "softmax": "softmax",
    "softmax2d": "softmax",
    "sigmoid": "sigmoid",
    "logistic": "sigmoid",
    "expit": "sigmoid",
    "linear": "linear",
    "identity": "linear",
    "none": "linear",
    "logsoftmax": "log_softmax",
    "log_softmax": "log_softmax",
    "relu": "relu",
    "tanh": "tanh",
    "softplus": "softplus",
}
# Real activations that are neither probabilities nor logits-by-design.
_OTHER_ACTIVATIONS = frozenset(
    {
        "elu", "selu", "gelu", "silu", "swish", "mish", "relu6", "leaky_relu", "leakyrelu",
        "prelu", "hard_sigmoid", "hardsigmoid", "hard_swish", "hardswish", "hardtanh",
        "softsign", "exponential", "exp", "celu", "glu", "tanhshrink", "softmin", "log_sigmoid",
        "logsigmoid",
    }
)

# Loss spellings, keyed by the last dotted component, lower-cased, underscores removed.
_LOSS_NAMES = {
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
    # PyTorch classes and functionals
    "crossentropyloss": "torch.CrossEntropyLoss",
    "crossentropy": "torch.CrossEntropyLoss",
    "bceloss": "torch.BCELoss",
    "binarycrossentropyloss": "torch.BCELoss",
    "bcewithlogitsloss": "torch.BCEWithLogitsLoss",
    "binarycrossentropywithlogits": "torch.BCEWithLogitsLoss",
    "nllloss": "torch.NLLLoss",
    "mseloss": "torch.MSELoss",
    "l1loss": "torch.L1Loss",
    "multilabelsoftmarginloss": "torch.MultiLabelSoftMarginLoss",
    "kldivloss": "torch.KLDivLoss",
    "kldiv": "torch.KLDivLoss",
    "sigmoidfocalloss": "torchvision.sigmoid_focal_loss",
}
# Lower-case functional spellings that differ from the Keras ones only by underscores.
_TORCH_FUNCTIONALS = {
    "cross_entropy": "torch.CrossEntropyLoss",
    "binary_cross_entropy": "torch.BCELoss",
    "binary_cross_entropy_with_logits": "torch.BCEWithLogitsLoss",
    "nll_loss": "torch.NLLLoss",
    "mse_loss": "torch.MSELoss",
    "l1_loss": "torch.L1Loss",
    "multilabel_soft_margin_loss": "torch.MultiLabelSoftMarginLoss",
    "kl_div": "torch.KLDivLoss",
    "sigmoid_focal_loss": "torchvision.sigmoid_focal_loss",
}

# Metric spellings, keyed like losses. The string 'accuracy' / 'acc' / 'Accuracy' is the ambiguous
# one Keras resolves at compile time (Keras 3 lower-cases the string before comparing).
_KERAS_METRIC_NAMES = {
    "binaryaccuracy": "binary_accuracy",
    "categoricalaccuracy": "categorical_accuracy",
    "sparsecategoricalaccuracy": "sparse_categorical_accuracy",
    "topkcategoricalaccuracy": "top_k_categorical_accuracy",
    "sparsetopkcategoricalaccuracy": "sparse_top_k_categorical_accuracy",
}
_TORCHMETRICS_ONLY = {
    "multiclassaccuracy": "torchmetrics.MulticlassAccuracy",
    "multilabelaccuracy": "torchmetrics.MultilabelAccuracy",
    "multilabelexactmatch": "torchmetrics.MultilabelExactMatch",
    "multiclassexactmatch": "torchmetrics.MulticlassExactMatch",
}
_TORCHMETRICS_SHARED = {
    "accuracy": "torchmetrics.Accuracy",
    "binaryaccuracy": "torchmetrics.BinaryAccuracy",
}
_SKLEARN_METRICS = {
    "accuracyscore": "sklearn.accuracy_score",
    "balancedaccuracyscore": "sklearn.balanced_accuracy_score",
    "topkaccuracyscore": "sklearn.top_k_accuracy_score",
}
# Metrics that are not accuracies but matter to the rules (a class-balanced alternative is present).
_OTHER_METRICS = {
    "auc": "auc",
    "precision": "precision",
    "recall": "recall",
    "f1score": "f1_score",
    "fbetascore": "fbeta_score",
    "f1": "f1_score",
    "binaryf1score": "f1_score",
    "multiclassf1score": "f1_score",
    "multilabelf1score": "f1_score",
    "multiclassauroc": "auc",
    "binaryauroc": "auc",
    "multilabelauroc": "auc",
    "auroc": "auc",
    "averageprecision": "average_precision",
    "balancedaccuracy": "balanced_accuracy",
    "matthewscorrcoef": "mcc",
    "cohenkappa": "cohen_kappa",
    "f1scoremacro": "f1_score",
    "mse": "mean_squared_error",
    "meansquarederror": "mean_squared_error",
    "mae": "mean_absolute_error",
    "meanabsoluteerror": "mean_absolute_error",
    "crossentropy": "crossentropy",
    "binarycrossentropy": "crossentropy",
    "categoricalcrossentropy": "crossentropy",
    "sparsecategoricalcrossentropy": "crossentropy",
}
_BALANCED_METRICS = frozenset(
    {"auc", "precision", "recall", "f1_score", "fbeta_score", "average_precision",
     "balanced_accuracy", "mcc", "cohen_kappa", "sklearn.balanced_accuracy_score"}
)

_CALL_KWARG = re.compile(r"(\w+)\s*=\s*([^,()]+)")


def _split_spelling(spelling: str) -> tuple[str, str, dict[str, object]]:
    """'keras.losses.BinaryCrossentropy(from_logits=True)' -> ('keras.losses', 'BinaryCrossentropy',
    {'from_logits': True}). Only literal keyword arguments are read; nothing is evaluated."""
    text = spelling.strip().strip("'\"")
    kwargs: dict[str, object] = {}
    if "(" in text:
        head, _, args = text.partition("(")
        for key, raw in _CALL_KWARG.findall(args):
            kwargs[key] = _literal(raw.strip())
        text = head.strip()
    prefix, _, last = text.rpartition(".")
    return prefix, last, kwargs


def _literal(raw: str) -> object:
    if raw in ("True", "False"):
        return raw == "True"
    if raw == "None":
        return None
    try:
        return int(raw)
    except ValueError:
        pass
    try:
        return float(raw)
    except ValueError:
        return raw.strip("'\"")


def _key(name: str) -> str:
    return name.lower().replace("_", "")


def normalize_activation(spelling: str | None) -> str | None:
    """Canonical activation name of a spelling, or None when it is not recognised.

    None / 'None' / 'linear' / `nn.Identity` mean no activation: 'linear' (the outputs are logits).

    >>> normalize_activation('keras.activations.softmax'), normalize_activation('nn.Sigmoid()')
    ('softmax', 'sigmoid')
    >>> normalize_activation(None)
    'linear'
    """
    if spelling is None:
        return "linear"
    _, last, _ = _split_spelling(str(spelling))
    low = last.lower()
    if low in _ACTIVATION_NAMES:
        return _ACTIVATION_NAMES[low]
    if low.replace("_", "") in _ACTIVATION_NAMES:
        return _ACTIVATION_NAMES[low.replace("_", "")]
    if low in _OTHER_ACTIVATIONS or low.replace("_", "") in _OTHER_ACTIVATIONS:
        return "other"
    return None


def normalize_loss(
    spelling: str | LossSpec | None,
    *,
    from_logits: bool | None = None,
    reduction: str | None = None,
    location: Location | None = None,
    **kwargs: object,
) -> LossSpec:
    """A LossSpec from a loss spelling: Keras strings, classes and functions, PyTorch classes and
    functionals. Unknown spellings give name 'unknown' (the spelling is kept).

    Literal keyword arguments written in the spelling (`BinaryCrossentropy(from_logits=True)`) are
    read too; explicit keyword arguments win.

    >>> normalize_loss('keras.losses.BinaryCrossentropy', from_logits=True)
    LossSpec(name='binary_crossentropy', from_logits=True, reduction=None, spelling='keras.losses.BinaryCrossentropy', location=None)
    >>> normalize_loss('F.cross_entropy').name
    'torch.CrossEntropyLoss'
    """
    if isinstance(spelling, LossSpec):
        return spelling
    if spelling is None:
        return LossSpec(name="unknown", spelling="", location=location)
    text = str(spelling)
    _, last, written = _split_spelling(text)
    name = _TORCH_FUNCTIONALS.get(last) or _LOSS_NAMES.get(_key(last), "unknown")
    if from_logits is None and isinstance(written.get("from_logits"), bool):
        from_logits = written["from_logits"]  # type: ignore[assignment]
    if reduction is None and isinstance(written.get("reduction"), str):
        reduction = written["reduction"]  # type: ignore[assignment]
    return LossSpec(name=name, from_logits=from_logits, reduction=reduction, spelling=text, location=location)


def normalize_metric(
    spelling: str | MetricSpec, *, location: Location | None = None, **params: object
) -> MetricSpec:
    """A MetricSpec from a metric spelling (Keras strings / classes / functions, torchmetrics
    classes, scikit-learn functions). `params` are the keyword arguments that matter (threshold,
    task, average, top_k, num_classes, num_labels); literal ones written in the spelling are read.

    The bare string 'accuracy' (also 'acc', 'Accuracy') is the ambiguous one: name 'accuracy'.
    `keras.metrics.Accuracy` (exact equality of values) is 'keras.Accuracy'; torchmetrics'
    `Accuracy` is 'torchmetrics.Accuracy' (recognised by its module or by a `task=` argument).

    >>> normalize_metric('acc').name, normalize_metric('keras.metrics.BinaryAccuracy()').name
    ('accuracy', 'binary_accuracy')
    >>> normalize_metric('MulticlassAccuracy', num_classes=3).param('num_classes')
    3
    """
    if isinstance(spelling, MetricSpec):
        return spelling
    text = str(spelling)
    prefix, last, written = _split_spelling(text)
    merged = {**written, **params}
    name = _metric_name(prefix, last, called="(" in text, params=merged)
    return MetricSpec(name=name, spelling=text, params=tuple(sorted(merged.items())), location=location)


def _metric_name(prefix: str, last: str, *, called: bool, params: dict[str, object]) -> str:
    key = _key(last)
    low_prefix = prefix.lower()
    if "torchmetrics" in low_prefix or (key in _TORCHMETRICS_SHARED and "task" in params):
        return _TORCHMETRICS_SHARED.get(key) or _TORCHMETRICS_ONLY.get(key) or _OTHER_METRICS.get(key, "unknown")
    if key in _TORCHMETRICS_ONLY:
        return _TORCHMETRICS_ONLY[key]
    if "sklearn" in low_prefix or key in _SKLEARN_METRICS:
        return _SKLEARN_METRICS.get(key) or _OTHER_METRICS.get(key, "unknown")
    if key in ("accuracy", "acc"):
        # A bare string is Keras's ambiguous 'accuracy'; a class (qualified or called) is
        # keras.metrics.Accuracy, which compares values for equality.
        if prefix or (called and last[:1].isupper()):
            return "keras.Accuracy"
        return "accuracy"
    if key in _KERAS_METRIC_NAMES:
        return _KERAS_METRIC_NAMES[key]
    return _OTHER_METRICS.get(key, "unknown")


def is_balanced_metric(metric: MetricSpec) -> bool:
    """Whether a metric stays informative on imbalanced data (AUC, F1, balanced accuracy, ...)."""
    if metric.name in _BALANCED_METRICS:
        return True
    # torchmetrics MulticlassAccuracy defaults to macro averaging (= balanced accuracy).
    if metric.name in ("torchmetrics.MulticlassAccuracy",):
        return metric.param("average", "macro") == "macro"
    if metric.name == "torchmetrics.Accuracy":
        return metric.param("average", "micro") == "macro"
    return False


_FRAMEWORKS = {
    "keras": "keras",
    "tf.keras": "tf.keras",
    "tensorflow": "tf.keras",
    "tf": "tf.keras",
    "tensorflow.keras": "tf.keras",
    "torch": "pytorch",
    "pytorch": "pytorch",
    "lightning": "pytorch",
    "pytorch_lightning": "pytorch",
}
_LABELS = {
    "integer": "integer",
    "int": "integer",
    "sparse": "integer",
    "index": "integer",
    "indices": "integer",
    "one-hot": "one-hot",
    "onehot": "one-hot",
    "one_hot": "one-hot",
    "categorical": "one-hot",
    "multi-hot": "multi-hot",
    "multihot": "multi-hot",
    "multi_hot": "multi-hot",
}
_TASKS = ("binary", "multiclass", "multilabel", "ordinal")


def parse_framework(spec: str | None) -> tuple[str | None, str | None]:
    """'keras==2.2.4' -> ('keras', '2.2.4'); 'tf.keras==2.1' -> ('tf.keras', '2.1');
    'torch' -> ('pytorch', None); None -> (None, None).

    >>> parse_framework('tensorflow==2.1.0')
    ('tf.keras', '2.1.0')
    """
    if spec is None or not str(spec).strip():
        return None, None
    name, _, version = str(spec).strip().partition("==")
    if not version:
        name, _, version = name.partition("@")
    framework = _FRAMEWORKS.get(name.strip().lower())
    if framework is None:
        raise InputError(
            f"unknown framework {spec!r}: expected one of keras, tf.keras, tensorflow, torch, "
            "optionally with a version (e.g. 'keras==2.2.4', 'tf.keras==2.1', 'torch'). "
            "Pass --framework keras==3.6 or leave it out when the version is unknown."
        )
    version = version.strip() or None
    if version is not None and not re.match(r"^\d+(\.\d+)*", version):
        raise InputError(
            f"framework version {version!r} of {spec!r} is not a version number: write it as "
            "'keras==2.2.4' (digits and dots)."
        )
    return framework, version


_TORCH_PREFIXES = ("nn.", "F.", "torch.", "torchvision.", "torchmetrics.")


def _looks_torch(activation: object, loss: LossSpec | None, metrics: Iterable[object]) -> bool:
    """Whether the spellings can only be PyTorch ones (nn.Softmax, F.cross_entropy, torchmetrics...)."""
    if loss is not None and loss.is_torch:
        return True
    spellings = [activation] + [m.spelling if isinstance(m, MetricSpec) else m for m in metrics]
    return any(isinstance(x, str) and x.strip().startswith(_TORCH_PREFIXES) for x in spellings)


def _normalize_choice(value: str | None, table: dict[str, str] | tuple[str, ...], what: str) -> str | None:
    if value is None:
        return None
    key = str(value).strip().lower()
    if isinstance(table, dict):
        if key in table:
            return table[key]
        choices = sorted(set(table.values()))
    else:
        if key in table:
            return key
        choices = list(table)
    raise InputError(f"unknown {what} {value!r}: expected one of {', '.join(choices)}.")
