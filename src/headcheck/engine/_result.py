"""Plain result types of the engine (frozen dataclasses, JSON-friendly through `to_dict`)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from headcheck.task import DataFacts


@dataclass(frozen=True)
class View:
    """What one framework function reports on this data, and whether that number fits the task."""

    value: float
    meaning: str
    fits_task: bool
    note: str = ""


@dataclass(frozen=True)
class Baseline:
    """The score of a trivial predictor, for comparison with the model's."""

    value: float
    meaning: str
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Calibration:
    """Equal-width confidence bins: weight, mean confidence and accuracy per bin (ECE inputs).

    Bins with no weight have mean confidence and accuracy 0.0.
    """

    edges: tuple[float, ...]
    counts: tuple[float, ...]
    mean_confidence: tuple[float, ...]
    accuracy: tuple[float, ...]
    ece: float


@dataclass(frozen=True)
class EngineResult:
    """Everything one pass measured: metrics, framework views, baselines, per-class rows."""

    kind: str
    n_samples: int
    total_weight: float
    metrics: dict[str, float]
    views: dict[str, View]
    baselines: dict[str, Baseline]
    per_class: list[dict[str, Any]]
    calibration: Calibration | None
    confusions: list[tuple[int, int, float]]
    confusion_matrix: np.ndarray | None
    facts: DataFacts
    score_min: float
    score_max: float
    n_nonfinite: int = 0
    nonfinite_rows: tuple[int, ...] = ()
    # metric id -> upper bound of its absolute error (histogram-based AUC); absent means exact
    bounds: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    # binary / multi-label probabilistic scores: metrics across thresholds (engine.thresholds)
    thresholds: Any = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (numpy scalars and arrays become Python values)."""
        return {
            "kind": self.kind,
            "n_samples": self.n_samples,
            "total_weight": self.total_weight,
            "metrics": dict(self.metrics),
            "views": {k: asdict(v) for k, v in self.views.items()},
            "baselines": {k: asdict(v) for k, v in self.baselines.items()},
            "per_class": list(self.per_class),
            "calibration": None if self.calibration is None else asdict(self.calibration),
            "confusions": [list(c) for c in self.confusions],
            "confusion_matrix": None
            if self.confusion_matrix is None
            else self.confusion_matrix.tolist(),
            "score_min": self.score_min,
            "score_max": self.score_max,
            "n_nonfinite": self.n_nonfinite,
            "nonfinite_rows": list(self.nonfinite_rows),
            "bounds": dict(self.bounds),
            "notes": list(self.notes),
            "thresholds": None if self.thresholds is None else self.thresholds.to_dict(),
        }
