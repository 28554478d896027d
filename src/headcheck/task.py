"""TaskProfile: what the *data* says about the task; DataFacts: what a pass over it measured.

These are plain data. The code that fills them from labels and scores (validation, the one label
profiler, task inference, canonical chunks) is the data gate, `headcheck.gate`; the names it used
to have here (`infer_task`, `canonical_chunk`, ...) still resolve through this module.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

TaskKind = Literal["binary", "multiclass", "multilabel", "ordinal"]
# How the labels were given.
# 'cumulative': the (N, K-1) 0/1 targets 'class > k' of K ordered classes (rows 1...1 0...0) that
# the cumulative-logit head trains on; only read so when the task is stated ordinal.
LabelEncoding = Literal["integer", "string", "one-hot", "multi-hot", "soft", "boolean", "cumulative"]
# How the scores were given: rows summing to 1 / independent per-column probabilities /
# unbounded values (logits) / predicted labels; ordinal tasks also: one real-valued output per row
# in label units ('regression'), or K-1 cumulative probabilities P(y > k) ('cumulative', CORAL /
# CORN style) or their logits ('cumulative-logits').
ScoreKind = Literal["probabilities", "independent", "logits", "hard", "regression", "cumulative",
                    "cumulative-logits"]
# Score kinds that are one score per class (log loss, AUC and calibration apply).
CLASS_SCORE_KINDS = ("probabilities", "independent", "logits")
# The shape the scores came in: (N,), (N, 1), (N, 2) for binary, (N, K) otherwise.
ScoreLayout = Literal["column", "single-column", "two-columns", "matrix"]

# 'ordinal': single-label classes with an order (ratings); declared with --task ordinal, never
# inferred silently.
TASK_KINDS: tuple[str, ...] = ("binary", "multiclass", "multilabel", "ordinal")


@dataclass(frozen=True)
class TaskProfile:
    """The task as inferred from labels and scores (or declared with --task / --threshold).

    `n_classes` is K for multiclass, 2 for binary and the number of labels L for multilabel.
    `classes` holds display names in index order (the original values of string or
    non-contiguous integer labels); `decisions` records each stated rule that decided something.

    >>> p = TaskProfile("multiclass", 3, "string", "logits", classes=("ant", "bee", "cat"))
    >>> p.is_probabilistic, p.class_name(2)
    (True, 'cat')
    """

    kind: TaskKind
    n_classes: int
    label_encoding: LabelEncoding
    score_kind: ScoreKind
    score_layout: ScoreLayout = "matrix"
    classes: tuple[str, ...] = ()
    threshold: float = 0.5
    n_samples: int = 0
    class_counts: tuple[float, ...] = ()
    decisions: tuple[str, ...] = ()
    declared: bool = False  # True when the kind came from --task rather than from the data
    # How label values map to outputs when they are not indices 0..K-1 (`headcheck.gate.classes`):
    # the label value of each output (numbers or strings), or the label value of output 0.
    label_values: tuple = ()
    label_offset: int = 0
    # True when score_kind was stated by the user: a pass never replaces it (data that contradicts
    # it is an input error, `headcheck.gate.infer.correct_score_kind`)
    score_kind_given: bool = False

    @property
    def is_probabilistic(self) -> bool:
        """Whether the scores are one score per class (log loss, AUC, calibration apply)."""
        return self.score_kind in CLASS_SCORE_KINDS

    def class_name(self, index: int) -> str:
        """The display name of class `index` (its index when the labels never named it)."""
        return self.classes[index] if index < len(self.classes) else str(index)

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "n_classes": self.n_classes,
            "label_encoding": self.label_encoding,
            "score_kind": self.score_kind,
            "score_layout": self.score_layout,
            "classes": list(self.classes),
            "threshold": self.threshold,
            "n_samples": self.n_samples,
            "class_counts": list(self.class_counts),
            "decisions": list(self.decisions),
            "declared": self.declared,
            "label_values": list(self.label_values),
            "label_offset": self.label_offset,
            "score_kind_given": self.score_kind_given,
        }


@dataclass(frozen=True)
class DataFacts:
    """What the data showed, for the rules that read data (HC2xx, HC307, HC402 ...).

    Every field is optional: a rule that needs a field that is None stays silent. `check` fills
    the label fields from labels alone; `report` fills all of them from the metric pass.
    Counts are weighted when sample weights were given.
    """

    n_samples: int | None = None
    n_outputs: int | None = None  # score columns / output units
    label_min: float | None = None
    label_max: float | None = None
    label_is_integer: bool | None = None  # every label value is a whole number
    class_counts: tuple[float, ...] | None = None  # true support per class (positives per label)
    predicted_counts: tuple[float, ...] | None = None  # predictions per class (per label)
    accuracy: float | None = None  # the honest accuracy for the task (per-label for multilabel)
    majority_rate: float | None = None  # the majority-class baseline of that same accuracy
    score_min: float | None = None  # the smallest and largest score seen (all rows)
    score_max: float | None = None
    total_weight: float | None = None  # set when the sample weights sum to 0 (HC207); else None
    extra: dict = field(default_factory=dict)


# The gate's functions used to live here; importing them from headcheck.task keeps working
# (old name -> name in headcheck.gate; `nonfinite_error(y_score)` is now `scan_nonfinite`).
_MOVED = {"infer_task": "infer_task", "canonical_chunk": "canonical_chunk",
          "verify_score_range": "verify_score_range", "ScoreKindMismatch": "ScoreKindMismatch",
          "as_input_array": "as_input_array", "nonfinite_error": "scan_nonfinite",
          "SAMPLE_ROWS": "SAMPLE_ROWS"}


def __getattr__(name: str) -> object:
    if name in _MOVED:
        from headcheck import gate

        return getattr(gate, _MOVED[name])
    raise AttributeError(f"module 'headcheck.task' has no attribute {name!r}")
