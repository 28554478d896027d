"""HeadSpec: what the *program* says about the head (activation, units, loss, metrics).

Front-ends (the `check` command line, the linter, live Keras/PyTorch models) all build HeadSpecs;
the rules read them. Every field is optional: None means unknown, and a rule that needs an unknown
field stays silent. Names are normalised by `headcheck.head` helpers so that rules compare
canonical names, never user spellings.
"""
from __future__ import annotations

from dataclasses import dataclass, field

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
