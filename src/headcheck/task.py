"""TaskProfile: what the *data* says about the task; DataFacts: what a pass over it measured.

`infer_task` (below the data classes) reads labels and scores and decides the task kind, the label
encoding and the score kind; every decision that was not forced by the data is written into
`TaskProfile.decisions` as one human-readable line and shown in the report.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

TaskKind = Literal["binary", "multiclass", "multilabel"]
# How the labels were given.
LabelEncoding = Literal["integer", "string", "one-hot", "multi-hot", "soft", "boolean"]
# How the scores were given: rows summing to 1 / independent per-column probabilities /
# unbounded values (logits) / predicted labels.
ScoreKind = Literal["probabilities", "independent", "logits", "hard"]
# The shape the scores came in: (N,), (N, 1), (N, 2) for binary, (N, K) otherwise.
ScoreLayout = Literal["column", "single-column", "two-columns", "matrix"]

TASK_KINDS: tuple[str, ...] = ("binary", "multiclass", "multilabel")


@dataclass(frozen=True)
class TaskProfile:
    """The task as inferred from labels and scores (or declared with --task / --threshold).

    `n_classes` is K for multiclass, 2 for binary and the number of labels L for multilabel.
    `classes` holds display names in index order (the original values of string or
    non-contiguous integer labels); `decisions` records each stated rule that decided something.
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

    @property
    def is_probabilistic(self) -> bool:
        """Whether the scores carry more than a hard decision (log loss, AUC, calibration apply)."""
        return self.score_kind != "hard"

    def class_name(self, index: int) -> str:
        return self.classes[index] if self.classes else str(index)

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
    extra: dict = field(default_factory=dict)



# --------------------------------------------------------------------------------------------
# Inference: labels + scores -> TaskProfile
# --------------------------------------------------------------------------------------------
import numpy as np  # noqa: E402  (kept below the data classes: they need no numpy)

from headcheck.errors import InputError, describe_array  # noqa: E402

# Rows looked at to decide the score kind and the 2-D label encoding; the rest of a large input
# is verified while it streams (see `canonical_chunk` and `verify_score_range`).
SAMPLE_ROWS = 65_536
# Rows of probabilities "sum to 1" within this tolerance (float32 softmax outputs drift ~1e-6).
_SUM_TOL = 1e-3
_FIX_TASK = "pass --task binary|multiclass|multilabel (task= in Python) to state the task"


class ScoreKindMismatch(Exception):
    """A later chunk contradicts the score kind inferred from the first rows (internal signal:
    the report re-runs with the corrected kind)."""

    def __init__(self, corrected: ScoreKind) -> None:
        super().__init__(corrected)
        self.corrected = corrected


def as_input_array(x: object, what: str) -> np.ndarray:
    """An array view of user input (never a copy of an ndarray/memmap); checks rank and emptiness."""
    try:
        a = np.asarray(x)
    except Exception as e:  # ragged nested lists and the like
        raise InputError(
            f"{what}: expected an array of shape (N,) or (N, K); got {type(x).__name__} that numpy "
            f"cannot turn into a rectangular array ({e}). Pass a rectangular array."
        ) from e
    if a.dtype == object:
        a = _object_to_str(a, what)
    if a.ndim == 0:
        raise InputError(
            f"{what}: expected an array of shape (N,) or (N, K); got a scalar ({a!r}). "
            "Pass one value per sample."
        )
    if a.ndim > 2:
        raise InputError(
            f"{what}: expected an array of shape (N,) or (N, K); got a {a.ndim}-D {describe_array(a)}. "
            "Flatten the extra axes (e.g. per-pixel outputs: reshape to (N*H*W, K)) or select the "
            "classification output."
        )
    if a.shape[0] == 0:
        raise InputError(
            f"{what}: expected at least one sample; got an empty {describe_array(a)}. "
            "Check that the file or array holds the evaluation data."
        )
    if a.ndim == 2 and a.shape[1] == 0:
        raise InputError(
            f"{what}: expected at least one column; got {describe_array(a)}. Check the export."
        )
    return a


def _object_to_str(a: np.ndarray, what: str) -> np.ndarray:
    flat = a.ravel()
    if flat.size and all(isinstance(v, str) for v in flat[:1000]) and all(isinstance(v, str) for v in flat):
        return a.astype(str)
    raise InputError(
        f"{what}: expected numbers, booleans or strings; got an object array of "
        f"{sorted({type(v).__name__ for v in flat[:1000]})}. Convert it to a numeric array first."
    )


def _is_str(a: np.ndarray) -> bool:
    return a.dtype.kind in "US"


def _check_numeric(a: np.ndarray, what: str) -> None:
    if a.dtype.kind not in "biuf":
        raise InputError(
            f"{what}: expected numbers (probabilities, logits or predicted labels); got "
            f"{describe_array(a)}. Export the model's scores as floats."
        )


def nonfinite_error(y_score: np.ndarray, chunk_rows: int = 1 << 16) -> InputError:
    """An InputError counting the NaN/inf scores and naming the first rows (scans in chunks)."""
    count, first = 0, []
    for start in range(0, len(y_score), chunk_rows):
        block = np.asarray(y_score[start:start + chunk_rows])
        bad = ~np.isfinite(block)
        if bad.ndim == 2:
            bad = bad.any(axis=1)
        rows = np.flatnonzero(bad)
        count += rows.size
        first.extend((rows[: 5 - len(first)] + start).tolist() if len(first) < 5 else [])
    return InputError(
        f"scores: expected finite numbers; got NaN or infinite values in {count} row(s) "
        f"(first rows, 0-based: {', '.join(map(str, first))}). A NaN score usually means the model "
        "diverged (check the loss) or the export read uninitialised memory; fix or drop those rows."
    )


def _check_finite(sample: np.ndarray, y_score: np.ndarray) -> None:
    if sample.dtype.kind == "f" and not np.isfinite(sample).all():
        raise nonfinite_error(y_score)


@dataclass(frozen=True)
class _LabelInfo:
    encoding: LabelEncoding
    columns: int  # 0 for (N,) labels
    max_index: int  # largest class index (1-D) or -1
    classes: tuple[str, ...] = ()
    single_positive: bool = True  # 2-D: every sampled row has exactly one positive (or sums to 1)


def _label_info(y: np.ndarray, sample_rows: int, pred_strings: np.ndarray | None) -> _LabelInfo:
    if y.ndim == 1:
        return _label_info_1d(y, pred_strings)
    s = np.asarray(y[:sample_rows])
    if s.dtype == bool:
        s = s.view(np.uint8)
    if _is_str(s):
        raise InputError(
            f"labels: expected (N,) class labels or an (N, K) 0/1 indicator matrix; got "
            f"{describe_array(y)} of strings. Pass one label per row."
        )
    _check_numeric(s, "labels")
    if s.dtype.kind == "f" and not np.isfinite(s).all():
        raise InputError("labels: expected finite values; got NaN or inf in the labels. Fix the export.")
    lo, hi = float(s.min()), float(s.max())
    if lo < 0 or hi > 1:
        raise InputError(
            f"labels: an (N, K) label matrix must hold 0/1 indicators or probabilities in [0, 1]; got "
            f"values from {lo:g} to {hi:g}. Pass class indices as an (N,) array, or fix the encoding."
        )
    row_sums = s.sum(axis=1, dtype=np.float64)
    hard = bool(np.isin(s, (0, 1)).all())
    sums_to_one = bool(np.allclose(row_sums, 1.0, atol=_SUM_TOL))
    if hard:
        enc: LabelEncoding = "one-hot" if sums_to_one else "multi-hot"
    else:
        enc = "soft"
    return _LabelInfo(enc, y.shape[1], -1, single_positive=sums_to_one)


def _label_info_1d(y: np.ndarray, pred_strings: np.ndarray | None) -> _LabelInfo:
    if y.dtype == bool:
        return _LabelInfo("boolean", 0, 1)
    if _is_str(y):
        values = np.unique(y)
        if pred_strings is not None:
            values = np.union1d(values, np.unique(pred_strings))
        classes = tuple(str(v) for v in values)
        return _LabelInfo("string", 0, len(classes) - 1, classes)
    _check_numeric(y, "labels")
    if y.dtype.kind == "f":
        if not np.isfinite(y).all():
            bad = np.flatnonzero(~np.isfinite(y))
            raise InputError(
                f"labels: expected finite class labels; got NaN or inf in {bad.size} row(s) (first: "
                f"{', '.join(map(str, bad[:5]))}). Drop or fix those rows."
            )
        if not np.array_equal(y, np.floor(y)):
            lo, hi = float(y.min()), float(y.max())
            if lo < 0 or hi > 1:
                raise InputError(
                    f"labels: expected class labels (whole numbers) or soft binary labels in [0, 1]; "
                    f"got non-integer values from {lo:g} to {hi:g}. This looks like a regression "
                    "target; headcheck reports on classification labels."
                )
            return _LabelInfo("soft", 0, 1)
    lo = int(y.min())
    if lo < 0:
        bad = np.flatnonzero(y < 0)
        raise InputError(
            f"labels: expected class indices 0..K-1; got {bad.size} negative label(s) (first rows: "
            f"{', '.join(map(str, bad[:5]))}; smallest {lo}). Map the labels to 0..K-1 (for "
            "-1/+1 labels: (y + 1) // 2)."
        )
    return _LabelInfo("integer", 0, int(y.max()))


@dataclass(frozen=True)
class _ScoreInfo:
    columns: int  # 1 for (N,) and (N, 1)
    layout: ScoreLayout
    in_unit: bool  # every sampled value in [0, 1]
    sums_to_one: bool  # every sampled row sums to 1 (2+ columns)
    hard: bool  # integer/bool dtype, or only 0/1 values
    hard_by_dtype: bool
    one_per_row: bool  # hard matrix with exactly one 1 per row
    max_value: float


def _score_info(y_score: np.ndarray, sample_rows: int) -> _ScoreInfo:
    s = np.asarray(y_score[:sample_rows])
    if _is_str(s):
        return _ScoreInfo(1, "column", False, False, True, True, True, 0.0)
    if s.dtype == bool:
        s = s.view(np.uint8)
    _check_numeric(s, "scores")
    _check_finite(s, y_score)
    cols = 1 if s.ndim == 1 else s.shape[1]
    layout: ScoreLayout = "column" if s.ndim == 1 else ("single-column" if cols == 1 else "matrix")
    lo, hi = float(s.min()), float(s.max())
    by_dtype = s.dtype.kind in "biu"
    binary_values = bool(np.isin(s, (0, 1)).all())
    hard = by_dtype or binary_values
    sums = cols >= 2 and bool(np.allclose(s.sum(axis=1, dtype=np.float64), 1.0, atol=_SUM_TOL))
    one_per_row = hard and cols >= 2 and sums
    return _ScoreInfo(cols, layout, lo >= 0 and hi <= 1, sums, hard, by_dtype, one_per_row, hi)


def infer_task(
    y_true: object,
    y_score: object,
    *,
    task: str | None = None,
    threshold: float | None = None,
    score_kind: ScoreKind | None = None,
    sample_rows: int = SAMPLE_ROWS,
) -> TaskProfile:
    """Decide the task from labels and scores alone (1-D labels are read whole, scores and 2-D labels
    from their first `sample_rows` rows); `task`, `threshold` and `score_kind` override.

    Every decision the data did not force is recorded in `decisions`.

    >>> import numpy as np
    >>> p = infer_task(np.array([0, 2, 1]), np.array([[.8, .1, .1], [.2, .2, .6], [.1, .7, .2]]))
    >>> (p.kind, p.n_classes, p.label_encoding, p.score_kind)
    ('multiclass', 3, 'integer', 'probabilities')
    """
    if task is not None and task not in TASK_KINDS:
        raise InputError(
            f"task: expected one of {', '.join(TASK_KINDS)}; got {task!r}. "
            "Leave it out to infer the task from the data."
        )
    if threshold is not None and not (0.0 <= float(threshold) <= 1.0) and score_kind != "logits":
        raise InputError(
            f"threshold: expected a probability in [0, 1]; got {threshold}. headcheck applies the "
            "threshold to probabilities (after a sigmoid when the scores are logits)."
        )
    yt = as_input_array(y_true, "labels")
    ys = as_input_array(y_score, "scores")
    if yt.shape[0] != ys.shape[0]:
        raise InputError(
            f"labels and scores must have one row per sample; got {yt.shape[0]} labels "
            f"({describe_array(yt)}) and {ys.shape[0]} score rows ({describe_array(ys)}). "
            "Check that both come from the same split, in the same order."
        )
    if yt.ndim == 2 and yt.shape[1] == 1:
        yt = yt[:, 0]
    if _is_str(ys) and not _is_str(yt):
        raise InputError(
            f"scores: expected numbers, or predicted class names when the labels are class names; got "
            f"strings ({describe_array(ys)}) with numeric labels. Pass numeric scores or predictions."
        )
    sinfo = _score_info(ys, sample_rows)
    pred_strings = ys if _is_str(ys) else None
    linfo = _label_info(yt, sample_rows, pred_strings)
    decide = _Decider(yt, ys, linfo, sinfo, task, score_kind)
    profile = decide.profile()
    if threshold is not None:
        profile = _replace(profile, threshold=float(threshold), decisions=profile.decisions + (
            f"threshold {float(threshold):g} (given) for the honest metrics",))
    return profile


def _replace(profile: TaskProfile, **changes: object) -> TaskProfile:
    from dataclasses import replace

    return replace(profile, **changes)


class _Decider:
    """Turns what was seen in labels and scores into a TaskProfile, stating each rule it applies."""

    def __init__(self, yt: np.ndarray, ys: np.ndarray, linfo: _LabelInfo, sinfo: _ScoreInfo,
                 task: str | None, score_kind: ScoreKind | None) -> None:
        self.yt, self.ys, self.l, self.s = yt, ys, linfo, sinfo
        self.task, self.score_kind = task, score_kind
        self.decisions: list[str] = []

    def profile(self) -> TaskProfile:
        kind, k, layout = self._kind()
        skind = self._score_kind(kind, layout)
        return TaskProfile(
            kind=kind,  # type: ignore[arg-type]
            n_classes=k,
            label_encoding=self.l.encoding,
            score_kind=skind,
            score_layout=layout,
            classes=self.l.classes,
            threshold=0.5,
            n_samples=int(self.yt.shape[0]),
            decisions=tuple(self.decisions),
            declared=self.task is not None,
        )

    # -- task kind ------------------------------------------------------------------------
    def _kind(self) -> tuple[str, int, ScoreLayout]:
        if self.l.columns >= 2:
            return self._kind_2d_labels()
        if self.s.columns == 1:
            return self._kind_one_score_column()
        if self.s.columns == 2 and self.task != "multiclass":
            self._forbid("multilabel", "labels are one class per row (N,), not an (N, L) 0/1 matrix")
            self._labels_within(2)
            self._binary_string_rule()
            return "binary", 2, "two-columns"
        self._forbid("binary", f"scores have {self.s.columns} columns")
        self._forbid("multilabel", "labels are one class per row (N,), not an (N, L) 0/1 matrix")
        self._labels_within(self.s.columns)
        return "multiclass", self.s.columns, "matrix"

    def _kind_2d_labels(self) -> tuple[str, int, ScoreLayout]:
        L, C, enc = self.l.columns, self.s.columns, self.l.encoding
        single = self.l.single_positive
        if C == 1 and L == 2 and single and self.task in (None, "binary"):
            self.decisions.append("labels are 2-column one-hot and scores one column: binary, "
                                  "positive class = label column 1")
            return "binary", 2, self.s.layout
        if C != L:
            raise InputError(
                f"labels have {L} columns but scores have {C}: they must describe the same classes. "
                "Pass class indices as (N,) labels with (N, K) scores, or fix the export so both "
                "have one column per class."
            )
        if not single:
            if self.task in ("binary", "multiclass"):
                raise InputError(
                    f"task: {self.task} needs exactly one positive label per row; got {enc} labels "
                    "where some rows have zero or several positives. Leave --task out (multilabel) "
                    "or fix the labels."
                )
            if enc == "soft":
                self.decisions.append("soft labels whose rows do not sum to 1: multilabel; a label "
                                      "counts as positive when its value is above 0.5")
            return "multilabel", L, "matrix"
        if self.task == "multilabel":
            self.decisions.append(f"{enc} labels read as multilabel because --task multilabel was given")
            return "multilabel", L, "matrix"
        if enc == "soft":
            self.decisions.append("soft labels (rows sum to 1): the true class is the argmax "
                                  "(ties to the first column)")
        if self.task == "binary" and L != 2:
            raise InputError(f"task: binary needs 2 classes; got labels with {L} columns. "
                             "Leave --task out or pass --task multiclass.")
        if L == 2 and self.task != "multiclass":
            self.decisions.append("2-column one-hot labels and 2 score columns: binary, positive "
                                  "class = column 1 (pass --task multiclass to treat as 2 classes)")
            return "binary", 2, "two-columns"
        if not self.s.sums_to_one and not self.s.hard and self.task is None:
            self.decisions.append(
                f"{enc} labels (exactly one positive per row) with scores whose rows do not sum to 1 "
                "(sigmoid-like): read as multiclass because the labels are single-label; "
                "pass --task multilabel to override")
        return "multiclass", L, "matrix"

    def _kind_one_score_column(self) -> tuple[str, int, ScoreLayout]:
        s, l = self.s, self.l
        hard_many = s.hard_by_dtype and (l.max_index > 1 or s.max_value > 1 or l.encoding == "string")
        if hard_many and self.task != "binary" or (s.hard_by_dtype and self.task == "multiclass"):
            self._forbid("multilabel", "labels are one class per row (N,)")
            k = self._hard_prediction_classes()
            self.decisions.append("one column of integer scores: read as predicted class labels "
                                  f"({k} classes)")
            return "multiclass", k, "column"
        self._forbid("multiclass", "scores have one column (probabilities of one class); pass (N, K) "
                     "scores, or predicted class labels as integers")
        self._forbid("multilabel", "labels are one class per row (N,)")
        if l.encoding != "string" and l.max_index > 1:
            raise InputError(
                f"labels have class indices up to {l.max_index} but scores have one column: a single "
                "score column describes a binary task (labels 0/1). Pass (N, K) scores with one "
                "column per class, or predicted labels as integers."
            )
        self._binary_string_rule()
        if l.encoding == "soft":
            self.decisions.append("soft binary labels: positive when above 0.5 (argmax of [1-p, p])")
        return "binary", 2, s.layout

    def _hard_prediction_classes(self) -> int:
        if self.l.encoding == "string":
            return len(self.l.classes)
        pred = self.ys.ravel() if self.ys.ndim == 2 else self.ys
        lo = int(np.min(pred))
        if lo < 0:
            raise InputError(
                f"scores: predicted class labels must be 0..K-1; got a negative prediction ({lo}). "
                "Map the predictions to class indices."
            )
        return max(self.l.max_index, int(np.max(pred))) + 1

    def _binary_string_rule(self) -> None:
        if self.l.encoding != "string":
            return
        if len(self.l.classes) != 2:
            raise InputError(
                f"labels: a binary task needs 2 classes; got {len(self.l.classes)} distinct string "
                f"label(s) {list(self.l.classes)[:5]}. Pass 0/1 labels so the positive class is clear."
            )
        self.decisions.append(f"string labels mapped to classes in sorted order: "
                              f"{self.l.classes[0]!r} -> 0, {self.l.classes[1]!r} -> 1 (positive)")

    def _labels_within(self, k: int) -> None:
        if self.l.encoding == "string":
            n = len(self.l.classes)
            if n > k:
                raise InputError(
                    f"labels hold {n} distinct classes but scores have {k} columns: there must be a "
                    "score column for every class. Check that labels and scores come from the same model."
                )
            shown = ", ".join(f"{c!r} -> {i}" for i, c in enumerate(self.l.classes[:6]))
            more = ", ..." if n > 6 else ""
            self.decisions.append(f"string labels mapped to score columns in sorted order: {shown}{more}")
            if n < k:
                self.decisions.append(f"only {n} of {k} classes appear in the labels; the sorted "
                                      f"mapping assumes the missing ones are the last columns")
            return
        if self.l.max_index >= k:
            bad = np.flatnonzero(self.yt >= k)
            raise InputError(
                f"labels: class index {self.l.max_index} is out of range for scores with {k} columns "
                f"(valid: 0..{k - 1}); {bad.size} row(s) affected (first rows: "
                f"{', '.join(map(str, bad[:5]))}). Check the label encoding (1-based labels? subtract 1) "
                "or that the scores have one column per class."
            )

    def _forbid(self, kind: str, why: str) -> None:
        if self.task == kind:
            raise InputError(f"task: {kind} does not fit this data: {why}. {_FIX_TASK}, or leave it out.")

    # -- score kind -----------------------------------------------------------------------
    def _score_kind(self, kind: str, layout: ScoreLayout) -> ScoreKind:
        s = self.s
        if self.score_kind is not None:
            self.decisions.append(f"scores read as {self.score_kind} (given)")
            return self.score_kind
        if _is_str(self.ys) or (layout == "column" and kind == "multiclass"):
            return "hard"
        matrix = layout in ("two-columns", "matrix") and kind != "multilabel"
        if s.hard and (not matrix or s.one_per_row):
            if not s.hard_by_dtype:
                self.decisions.append("scores hold only the values 0 and 1: read as predicted labels "
                                      "(hard); probability metrics (log loss, AUC, calibration) are "
                                      "left out")
            return "hard"
        if not s.in_unit:
            self.decisions.append("scores have values outside [0, 1]: read as logits (the honest "
                                  "metrics apply a " + ("softmax" if matrix and kind == "multiclass"
                                                        else "sigmoid") + " first)")
            return "logits"
        if kind == "multilabel":
            if s.sums_to_one:
                self.decisions.append("multilabel scores whose rows sum to 1 (softmax-like): read as "
                                      "independent per-label probabilities")
            return "independent"
        if matrix and not s.sums_to_one:
            return "independent"
        return "probabilities"


def verify_score_range(profile: TaskProfile, score_min: float, score_max: float) -> TaskProfile | None:
    """After a full pass: a corrected profile when scores inferred as probabilities from the first
    rows turned out to leave [0, 1] later, else None."""
    if profile.score_kind in ("probabilities", "independent") and (score_min < 0 or score_max > 1):
        return _replace(profile, score_kind="logits", decisions=profile.decisions + (
            f"scores read as logits: values from {score_min:g} to {score_max:g} appeared after the "
            "first rows (which looked like probabilities)",))
    return None


# --------------------------------------------------------------------------------------------
# Canonicalisation: raw chunk -> the engine's canonical chunk (docs/ARCHITECTURE.md)
# --------------------------------------------------------------------------------------------
def _readonly(a: np.ndarray) -> np.ndarray:
    """A view the engine cannot write through: the user's array is never modified."""
    v = a.view()
    v.flags.writeable = False
    return v


def canonical_chunk(profile: TaskProfile, y_true: np.ndarray, y_score: np.ndarray,
                    offset: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Turn one raw chunk (rows `offset`.. of the input) into the engine's canonical chunk.

    Copies at most the chunk; raises InputError for labels the profile cannot hold and
    ScoreKindMismatch when hard scores (decided from the first rows) stop being 0/1.
    """
    yt = np.asarray(y_true)
    ys = np.asarray(y_score)
    if yt.ndim == 2 and yt.shape[1] == 1:
        yt = yt[:, 0]
    if profile.kind == "binary":
        return _binary_labels(profile, yt, offset), _binary_scores(profile, ys)
    if profile.kind == "multiclass":
        return _multiclass_labels(profile, yt, offset), _multiclass_scores(profile, ys, offset)
    return _multilabel_labels(profile, yt, offset), _multilabel_scores(profile, ys)


def _label_rows_error(what: str, bad: np.ndarray, offset: int, fix: str) -> InputError:
    rows = ", ".join(str(int(r) + offset) for r in bad[:5])
    return InputError(f"labels: {what} in {bad.size} row(s) (first rows, 0-based: {rows}). {fix}")


def _string_indices(profile: TaskProfile, y: np.ndarray, offset: int, what: str = "labels") -> np.ndarray:
    classes = np.asarray(profile.classes)
    idx = np.searchsorted(classes, y)
    idx_c = np.minimum(idx, len(classes) - 1)
    bad = np.flatnonzero(classes[idx_c] != y)
    if bad.size:
        raise InputError(
            f"{what}: value {y[bad[0]]!r} (row {int(bad[0]) + offset}) is not one of the classes "
            f"{list(profile.classes)[:8]}. Pass all labels together so the class list is complete."
        )
    return idx_c.astype(np.int64)


def _binary_labels(profile: TaskProfile, yt: np.ndarray, offset: int) -> np.ndarray:
    if profile.label_encoding == "string":
        return _string_indices(profile, yt, offset)
    if yt.ndim == 2:  # one-hot or soft, 2 columns: argmax, ties to column 0
        return (yt[:, 1] > yt[:, 0]).astype(np.int64)
    if profile.label_encoding == "soft":
        return (yt > 0.5).astype(np.int64)
    out = yt.astype(np.int64, copy=False)
    bad = np.flatnonzero((out != 0) & (out != 1))
    if bad.size:
        raise _label_rows_error("binary labels must be 0 or 1; got other values", bad, offset,
                                "Map the labels to 0/1, or pass (N, K) scores for K classes.")
    return _readonly(out)


def _binary_scores(profile: TaskProfile, ys: np.ndarray) -> np.ndarray:
    if profile.score_layout == "two-columns":
        if profile.score_kind == "logits":  # softmax over two logits = sigmoid of the difference
            return ys[:, 1].astype(np.float64) - ys[:, 0]
        if profile.score_kind == "hard":
            return (ys[:, 1] > ys[:, 0]).astype(np.int64)
        return _readonly(ys[:, 1])
    s = ys.ravel() if ys.ndim == 2 else ys
    if profile.score_kind == "hard":
        if s.dtype == bool:
            return s.astype(np.int64)
        if not np.isin(s, (0, 1)).all():
            raise ScoreKindMismatch("probabilities")
    return _readonly(s)


def _multiclass_labels(profile: TaskProfile, yt: np.ndarray, offset: int) -> np.ndarray:
    k = profile.n_classes
    if profile.label_encoding == "string":
        return _string_indices(profile, yt, offset)
    if yt.ndim == 2:
        if yt.shape[1] != k:
            raise InputError(f"labels have {yt.shape[1]} columns in a later chunk but {k} before.")
        if profile.label_encoding == "one-hot":
            sums = yt.sum(axis=1)
            bad = np.flatnonzero(sums != 1)
            if bad.size:
                raise _label_rows_error(
                    "one-hot labels with zero or several positives", bad, offset,
                    "The first rows had exactly one positive each (multiclass): pass --task "
                    "multilabel if the labels are multi-hot.")
        return np.argmax(yt, axis=1).astype(np.int64)
    out = yt.astype(np.int64, copy=False)
    bad = np.flatnonzero((out < 0) | (out >= k))
    if bad.size:
        raise _label_rows_error(f"class indices outside 0..{k - 1}", bad, offset,
                                "Check the label encoding (1-based? subtract 1) and the score columns.")
    return _readonly(out)


def _multiclass_scores(profile: TaskProfile, ys: np.ndarray, offset: int) -> np.ndarray:
    if profile.score_layout == "column":  # predicted class labels
        if ys.ndim == 2:
            ys = ys[:, 0]
        if profile.label_encoding == "string" and _is_str(ys):
            return _string_indices(profile, ys, offset, "scores")
        pred = ys.astype(np.int64, copy=False)
        bad = np.flatnonzero((pred < 0) | (pred >= profile.n_classes))
        if bad.size:
            raise InputError(f"scores: predicted class {int(pred[bad[0]])} (row {int(bad[0]) + offset}) "
                             f"is outside 0..{profile.n_classes - 1}. Map predictions to class indices.")
        return _readonly(pred)
    if profile.score_kind == "hard":  # one-hot predictions
        return np.argmax(ys, axis=1).astype(np.int64)
    return _readonly(ys)


def _multilabel_labels(profile: TaskProfile, yt: np.ndarray, offset: int) -> np.ndarray:
    if yt.ndim != 2 or yt.shape[1] != profile.n_classes:
        raise InputError(f"labels: multilabel needs an (N, {profile.n_classes}) 0/1 matrix; got "
                         f"{describe_array(yt)}.")
    if yt.dtype == bool:
        return _readonly(yt)
    if profile.label_encoding == "soft":
        return yt > 0.5
    ok = (yt == 0) | (yt == 1)
    if not ok.all():
        bad = np.flatnonzero(~ok.all(axis=1))
        raise _label_rows_error("multi-hot labels must be 0 or 1; got other values", bad, offset,
                                "Fix the label export.")
    return yt.astype(bool)


def _multilabel_scores(profile: TaskProfile, ys: np.ndarray) -> np.ndarray:
    if profile.score_kind == "hard" and ys.dtype != bool and ys.dtype.kind == "f":
        if not np.isin(ys, (0, 1)).all():
            raise ScoreKindMismatch("independent")
    return _readonly(ys)
