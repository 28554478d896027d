"""HeadSpec: what the *program* says about the head (activation, units, loss, metrics).

Front-ends (the `check` command line, the linter, live Keras/PyTorch models) all build HeadSpecs;
the rules read them. Every field is optional: None means unknown, and a rule that needs an unknown
field stays silent. Names are canonical (see `headcheck.vocab`, the one normaliser from framework
spellings), so that rules compare canonical names, never user spellings.

The normalisers (`normalize_loss`, `normalize_metric`, ...) live in `headcheck.vocab` and stay
importable from here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from headcheck.findings import Location

# Canonical activation names.
ACTIVATIONS = ("softmax", "sigmoid", "linear", "log_softmax", "relu", "tanh", "softplus", "other")
# The loss string Keras 3 resolves from the shapes ('crossentropy' / 'ce'): its name until the
# framework, the version and the shapes decide it (`headcheck.vocab.resolve_loss`).
AMBIGUOUS_LOSS = "crossentropy"



@dataclass(frozen=True)
class LossSpec:
    """A loss, normalised. `name` is canonical (`headcheck.vocab.LOSSES`), 'crossentropy' for the
    string Keras 3 resolves from the shapes, or 'unknown'; `spelling` is what the user wrote.

    from_logits: None when not stated (Keras default False).
    reduction: 'mean', 'sum', 'sum_over_batch_size', ... when stated.
    label_smoothing: the smoothing when stated (Keras, torch CrossEntropyLoss).
    weighted / pos_weighted: whether a class `weight=` / `pos_weight=` was given (torch); None when
        unknown.
    ignore_index: torch's ignored target value when stated.
    resolution: when the name was resolved from an ambiguous spelling ('crossentropy'), the sentence
        saying how the framework decided it.
    """

    name: str
    from_logits: bool | None = None
    reduction: str | None = None
    spelling: str = ""
    location: Location | None = None
    label_smoothing: float | None = None
    weighted: bool | None = None
    pos_weighted: bool | None = None
    ignore_index: int | None = None
    resolution: str | None = None

    @property
    def is_torch(self) -> bool:
        return self.name.startswith(("torch.", "torchvision."))

    @property
    def is_ambiguous(self) -> bool:
        """Whether the framework decides the loss only from the shapes ('crossentropy')."""
        return self.name == AMBIGUOUS_LOSS

    @property
    def kind(self) -> str | None:
        """What the loss treats the outputs as: 'binary' (independent per-output yes/no),
        'categorical' (one distribution over the outputs), 'regression', 'other'; None if unknown."""
        from headcheck.vocab import loss_kind

        return loss_kind(self.name)

    @property
    def expects(self) -> str | None:
        """What the loss expects as input: 'logits', 'probabilities', 'log_probabilities', or None
        when that does not apply (regression losses) or is unknown."""
        from headcheck.vocab import loss_expects

        return loss_expects(self.name, self.from_logits)


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

    framework: 'keras' (standalone Keras), 'tf.keras', 'pytorch', 'lightning' or None.
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
    # where framework_version comes from when it was not given ('pinned in requirements.txt
    # (`keras==2.2.4`)', 'taken as Keras 1 from `nb_epoch=` (line 36)'): quoted by the findings
    version_source: str | None = field(default=None, compare=False)

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
        from headcheck.vocab import declared_head

        return declared_head(
            cls, activation=activation, units=units, loss=loss, from_logits=from_logits,
            metrics=metrics, framework=framework, labels=labels, task=task,
            activation_axis=activation_axis, activation_axis_missing=activation_axis_missing,
        )


# The normalisers moved to headcheck.vocab; these names stay importable from here.
_MOVED = frozenset({
    "normalize_activation", "normalize_loss", "normalize_metric", "parse_framework",
    "is_balanced_metric", "KERAS_LOSSES", "TORCH_LOSSES",
})


def __getattr__(name: str) -> object:
    if name in _MOVED:
        import headcheck.vocab as vocab

        return getattr(vocab, name)
    raise AttributeError(f"module 'headcheck.head' has no attribute {name!r}")
