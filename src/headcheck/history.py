"""TrainingHistory: what a training showed, epoch by epoch, for the training-dynamics rules (HC4xx).

A plain record, filled by whoever watches the training (the Keras / PyTorch / Lightning callbacks
of the live checks; a test; a user replaying a `History`), and read by the rules through
`Context.history`. Every field is optional: a rule that needs a field that is empty stays silent.

>>> h = TrainingHistory(logged={"val_accuracy": (0.5098, 0.5098, 0.5098)})
>>> h.epochs, h.series("val_accuracy")[-1]
(3, 0.5098)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping


@dataclass(frozen=True)
class TrainingHistory:
    """Per-epoch numbers of one training run.

    framework: the framework that trained ('keras', 'tf.keras', 'pytorch', 'lightning').
    logged: what the framework logged each epoch, by its name ('loss', 'accuracy', 'val_loss',
        'val_accuracy', ...), one value per epoch (NaN where it was NaN).
    honest: headcheck's recomputation each epoch on the same data, by metric id ('accuracy',
        'balanced_accuracy', 'per_label_accuracy', ...).
    counterparts: logged name -> the honest metric id it claims to measure ('val_accuracy' ->
        'accuracy'); HC405 compares these pairs.
    definitions: logged name -> the definition the framework used, as a view id where one exists
        ('keras.binary_accuracy', 'torchmetrics.multiclass_accuracy', ...).
    first_batch_loss: the loss of the very first batch, before any update (the untrained loss).
    first_epoch_loss: the mean loss of the first epoch (training already moved it).
    nonfinite_outputs: how many output rows held NaN / inf (None when not counted).
    class_counts: true class (or label) counts of the data the honest metrics read.
    majority_rate: the majority-class rate of that data for the logged accuracy's meaning.
    """

    framework: str | None = None
    logged: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    honest: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    counterparts: Mapping[str, str] = field(default_factory=dict)
    definitions: Mapping[str, str] = field(default_factory=dict)
    first_batch_loss: float | None = None
    first_epoch_loss: float | None = None
    nonfinite_outputs: int | None = None
    class_counts: tuple[float, ...] | None = None
    majority_rate: float | None = None

    @property
    def epochs(self) -> int:
        """The number of epochs recorded (the longest series)."""
        lengths = [len(v) for v in list(self.logged.values()) + list(self.honest.values())]
        return max(lengths, default=0)

    def series(self, name: str) -> tuple[float, ...]:
        """A logged series by name (empty when not logged)."""
        return tuple(float(v) for v in self.logged.get(name, ()))

    def to_dict(self) -> dict:
        return {
            "framework": self.framework,
            "logged": {k: list(v) for k, v in self.logged.items()},
            "honest": {k: list(v) for k, v in self.honest.items()},
            "counterparts": dict(self.counterparts),
            "definitions": dict(self.definitions),
            "first_batch_loss": self.first_batch_loss,
            "first_epoch_loss": self.first_epoch_loss,
            "nonfinite_outputs": self.nonfinite_outputs,
            "class_counts": list(self.class_counts) if self.class_counts is not None else None,
            "majority_rate": self.majority_rate,
        }
