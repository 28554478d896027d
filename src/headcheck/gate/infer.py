"""Task inference: labels + scores -> TaskProfile, every decision the data did not force stated.

The labels are profiled by the one label profiler (`headcheck.gate.labels`); the scores by
`_score_info` below; `_Decider` turns both into the task kind, the number of classes, the score
layout and the score kind. Class indices that do not map to the score columns are judged by the
label rules (`headcheck.gate.policy`).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from headcheck.errors import InputError, describe_array
from headcheck.gate.arrays import as_input_array, as_labels, check_numeric, is_str, scan_nonfinite
from headcheck.gate.classes import ClassSpec, map_labels, ordinal_range, parse_classes
from headcheck.gate.labels import (
    MAX_LABEL_CLASSES,
    SUM_TOL,
    LabelFacts,
    distinct_values,
    label_facts,
    sample_rows_for,
    too_many_classes,
)
from headcheck.gate.options import check_options
from headcheck.gate.policy import reject_bad_indices
from headcheck.task import ScoreKind, ScoreLayout, TaskProfile

_FIX_TASK = "pass --task binary|multiclass|multilabel (task= in Python) to state the task"


class ScoreKindMismatch(Exception):
    """A later chunk contradicts the score kind inferred from the first rows (internal signal:
    the pass re-runs with the corrected kind, see `correct_score_kind`)."""

    def __init__(self, corrected: ScoreKind) -> None:
        super().__init__(corrected)
        self.corrected = corrected


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
    constant: float | None = None  # the one value of a constant float column


def _score_info(y_score: np.ndarray, sample_rows: int) -> _ScoreInfo:
    s = np.asarray(y_score[:sample_rows])
    if is_str(s):
        return _ScoreInfo(1, "column", False, False, True, True, True, 0.0)
    if s.dtype == bool:
        s = s.view(np.uint8)
    check_numeric(s, "scores")
    if s.dtype.kind == "f" and not np.isfinite(s).all():
        raise scan_nonfinite(y_score)
    cols = 1 if s.ndim == 1 else s.shape[1]
    layout: ScoreLayout = "column" if s.ndim == 1 else ("single-column" if cols == 1 else "matrix")
    lo, hi = float(s.min()), float(s.max())
    by_dtype = s.dtype.kind in "biu"
    # float 0/1 values are predicted labels only when both occur: a float column that is 1.0 (or
    # 0.0) everywhere is a constant output (a softmax over one unit), not a decision
    binary_values = _zero_one(s) and (lo != hi or s.ndim == 2 and s.shape[1] > 1)
    hard = by_dtype or binary_values
    with np.errstate(over="ignore", invalid="ignore"):  # rows of +-1e308 sum to inf: not 1, rightly
        sums = cols >= 2 and bool(np.allclose(s.sum(axis=1, dtype=np.float64), 1.0, atol=SUM_TOL))
    one_per_row = hard and cols >= 2 and sums
    constant = lo if lo == hi and s.dtype.kind == "f" else None
    return _ScoreInfo(cols, layout, lo >= 0 and hi <= 1, sums, hard, by_dtype, one_per_row, hi, constant)


def _zero_one(s: np.ndarray, block: int = 1 << 16) -> bool:
    """Whether every value is 0 or 1, block by block (probabilities fail in the first block)."""
    flat = s.reshape(-1)
    for a in range(0, flat.size, block):
        b = flat[a:a + block]
        if not ((b == 0) | (b == 1)).all():
            return False
    return True


def infer_task(
    y_true: object,
    y_score: object,
    *,
    task: str | None = None,
    threshold: float | None = None,
    score_kind: ScoreKind | None = None,
    sample_rows: int | None = None,
    classes: ClassSpec | str | object | None = None,
    label_offset: int | None = None,
) -> TaskProfile:
    """Decide the task from labels and scores alone (1-D labels are read whole, scores and 2-D labels
    from their first `sample_rows` rows: by default as many as fit `SAMPLE_BYTES`, so that wide
    outputs are sampled by bytes, not rows); `task`, `threshold` and `score_kind` override;
    `classes` (label values in output order, or names) and `label_offset` say which label is which
    output (`headcheck.gate.classes`).

    Every decision the data did not force is recorded in `decisions`.

    >>> import numpy as np
    >>> p = infer_task(np.array([0, 2, 1]), np.array([[.8, .1, .1], [.2, .2, .6], [.1, .7, .2]]))
    >>> (p.kind, p.n_classes, p.label_encoding, p.score_kind)
    ('multiclass', 3, 'integer', 'probabilities')
    """
    check_options(task=task, threshold=threshold, score_kind=score_kind)
    yt = as_labels(y_true)
    ys = as_input_array(y_score, "scores")
    if yt.shape[0] != ys.shape[0]:
        raise InputError(
            f"labels and scores must have one row per sample; got {yt.shape[0]} labels "
            f"({describe_array(yt)}) and {ys.shape[0]} score rows ({describe_array(ys)}). "
            "Check that both come from the same split, in the same order."
        )
    if is_str(ys) and not is_str(yt):
        raise InputError(
            f"scores: expected numbers, or predicted class names when the labels are class names; got "
            f"strings ({describe_array(ys)}) with numeric labels. Pass numeric scores or predictions."
        )
    spec = classes if isinstance(classes, ClassSpec) else parse_classes(classes, label_offset)  # type: ignore[arg-type]
    raw_encoding = None
    if spec is not None:
        spec = spec.for_labels(yt)
    if task == "ordinal":
        spec = _ordinal_classes(yt, ys, spec)
    elif spec is None:
        spec = _identifier_classes(yt, ys)
    if spec is not None and spec.maps:
        if yt.ndim == 2:  # one label column per output already: the list only names them
            spec = ClassSpec(names=spec.names or tuple(str(spec.offset + i) for i in range(yt.shape[1])))
        else:
            raw_encoding = label_facts(yt[:1]).encoding
            yt = map_labels(yt, spec.values, spec.offset)
            if _predicted_labels(ys):
                ys = map_labels(ys, spec.values, spec.offset, what="scores")
    sample_rows = sample_rows or sample_rows_for(ys, yt if yt.ndim == 2 else None)
    sinfo = _score_info(ys, sample_rows)
    linfo = label_facts(yt, sample_rows=sample_rows, extra_names=ys if is_str(ys) else None)
    decide = _Decider(yt, ys, linfo, sinfo, task, score_kind)
    profile = decide.profile()
    if spec is not None:
        profile = with_classes(profile, spec, raw_encoding)
    if threshold is not None:
        profile = replace(profile, threshold=float(threshold), decisions=profile.decisions + (
            f"threshold {float(threshold):g} (given) for the honest metrics",))
    return profile


def _ordinal_classes(yt: np.ndarray, ys: np.ndarray, spec: ClassSpec | None) -> ClassSpec | None:
    """Ordinal classes must be in order: string labels need their order stated; a regression
    output has no width to count classes by, so (unless stated) the classes are the integers from
    the smallest to the largest label."""
    if spec is None and yt.ndim == 1 and is_str(yt):
        raise InputError(
            "task: ordinal classes need their order, which class names do not tell (sorting them "
            "alphabetically is rarely right). List them in order: --classes bad,ok,good "
            "(classes=[...] in Python).")
    one_column = ys.ndim == 1 or ys.shape[1] == 1
    if spec is None and one_column and ys.dtype.kind == "f":
        return ordinal_range(yt)
    return spec


def _identifier_classes(yt: np.ndarray, ys: np.ndarray) -> ClassSpec | None:
    """Integer labels with predicted labels, some at or past MAX_LABEL_CLASSES: not indices (the
    10**12-th class of 2), but identifiers; their distinct values (labels and predictions
    together, at most MAX_LABEL_CLASSES) become the classes, in sorted order, as string labels do.
    None for anything else (class indices, scores, names)."""
    if yt.ndim != 1 or not _predicted_labels(ys) or is_str(ys) or is_str(yt):
        return None
    if yt.dtype.kind not in "iuf" or (yt.dtype.kind == "f" and not _whole(yt)):
        return None
    high = max(np.max(yt).item(), np.max(ys).item())  # Python numbers: exact past 2**53
    if high < MAX_LABEL_CLASSES:
        return None
    values = distinct_values(yt, ys)
    if values is None:
        raise too_many_classes("labels", f"labels and predicted labels with more than "
                                         f"{MAX_LABEL_CLASSES:,} distinct values (up to {_count(high)})")
    if values.shape[0] < 2:
        raise InputError(f"labels: every label and every prediction is {values[0]!r}: one class "
                         "only, nothing to measure. Check that the right columns were exported.")
    numbers = tuple(v.item() for v in values)
    names = tuple(str(v) for v in numbers)
    shown = ", ".join(f"{n} -> {i}" for i, n in enumerate(names[:4])) + (", ..." if len(names) > 4 else "")
    said = (f"integer labels and predicted labels up to {_count(high)} are not class indices (that "
            f"would be {_count(high + 1)} classes): read as {len(names):,} class identifiers, in sorted order "
            f"({shown}); pass --classes to state them")
    return ClassSpec(names=names, values=numbers, implicit=True, said=said)


def _count(x: float) -> str:
    """A whole number with thousands separators, exact for Python ints past 2**53."""
    return f"{x:,}" if isinstance(x, int) else f"{x:,.0f}"


def _whole(y: np.ndarray) -> bool:
    finite = np.isfinite(y)
    return bool(finite.all() and np.array_equal(y, np.floor(y)))


def _predicted_labels(ys: np.ndarray) -> bool:
    """Scores that are predicted labels (one integer or name per row): mapped like the labels."""
    one_column = ys.ndim == 1 or ys.shape[1] == 1
    return one_column and (is_str(ys) or ys.dtype.kind in "iu")


def with_classes(profile: TaskProfile, spec: ClassSpec, raw_encoding: str | None) -> TaskProfile:
    """The profile with the user's class list or offset: names, the mapping, and a decision."""
    k = profile.n_classes
    if spec.names and profile.score_layout == "column" and profile.kind != "binary" and len(spec.names) > k:
        k = len(spec.names)  # predicted classes or a regression output: no width to count by
        profile = replace(profile, n_classes=k)
    names = spec.names or tuple(str(spec.offset + i) for i in range(k))
    if len(names) != k:
        unit = "label columns" if profile.kind == "multilabel" else "classes"
        raise InputError(
            f"classes: {len(names)} classes were given ({', '.join(names[:6])}"
            f"{', ...' if len(names) > 6 else ''}) but the data has {k} {unit} (score columns). "
            "List one class per output, in output order.")
    said = spec.describe(k)
    return replace(profile, classes=names, label_values=tuple(spec.values), label_offset=spec.offset,
                   label_encoding=raw_encoding or profile.label_encoding,  # type: ignore[arg-type]
                   decisions=profile.decisions + (said,))


class _Decider:
    """Turns what was seen in labels and scores into a TaskProfile, stating each rule it applies."""

    def __init__(self, yt: np.ndarray, ys: np.ndarray, linfo: LabelFacts, sinfo: _ScoreInfo,
                 task: str | None, score_kind: ScoreKind | None) -> None:
        self.yt, self.ys, self.l, self.s = yt, ys, linfo, sinfo
        self.task, self.score_kind = task, score_kind
        self.decisions: list[str] = []

    def profile(self) -> TaskProfile:
        self._check_given_kind()
        if self.task == "ordinal":
            return replace(self._ordinal(), score_kind_given=self.score_kind is not None)
        kind, k, layout = self._kind()
        if kind == "multiclass" and self.l.encoding == "soft" and self.l.columns == 0:
            raise InputError(
                f"labels: soft binary labels (values in [0, 1], one per row) describe a binary task; "
                f"got scores read as {k} classes. Pass class indices (whole numbers) with (N, K) scores, "
                "or the positive class's score as one column."
            )
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
            score_kind_given=self.score_kind is not None,
        )

    def _check_given_kind(self) -> None:
        """A stated score kind that the first rows contradict is an input error (it is never
        replaced by another kind: the user said what the outputs are, and they are not)."""
        given, s = self.score_kind, self.s
        if given is None:
            return
        zero_one = s.hard or s.constant in (0.0, 1.0)
        if given == "hard" and not zero_one:
            why = ("predicted labels: integers (class indices) or only the values 0 and 1; got "
                   f"values such as {self._not_zero_one()} in the first rows")
        elif given in ("probabilities", "independent", "cumulative") and not s.in_unit:
            why = f"probabilities in [0, 1]; got values up to {s.max_value:g} or below 0 in the first rows"
        elif given == "regression" and s.columns != 1:
            why = f"one real-valued output per row; got {s.columns} score columns"
        elif is_str(self.ys) and given != "hard":
            why = "numbers; got predicted class names"
        else:
            return
        raise InputError(
            f"score_kind: {given!r} (given) means {why}. Leave score_kind out (--score-kind) to infer "
            "it from the scores, or state the kind the model outputs.")

    def _not_zero_one(self) -> str:
        sample = np.asarray(self.ys[:sample_rows_for(self.ys)]).reshape(-1)
        other = sample[(sample != 0) & (sample != 1)]
        return f"{other[0]:g}" if other.size else "other than 0 and 1"

    # -- ordinal (declared only) -------------------------------------------------------------
    def _ordinal(self) -> TaskProfile:
        k, layout, skind = self._ordinal_scores()
        if skind in ("cumulative", "cumulative-logits"):
            self._check_indices(k, scores=f"cumulative scores of {k} classes ({k - 1} columns)")
        elif layout == "matrix" and not self.s.sums_to_one and self.score_kind is None:
            # class scores that do not sum to 1 may be cumulative ones that rise somewhere
            # (independent sigmoids, CORN's conditional probabilities): say how to state that
            self._check_indices(k, note=(
                f"; if the {k} columns are cumulative P(y > k) of {k + 1} classes (CORAL / CORN), "
                "pass --score-kind cumulative (score_kind='cumulative'; 'cumulative-logits' for "
                "logits)"))
        else:
            self._check_indices(k)
        return TaskProfile(kind="ordinal", n_classes=k, label_encoding=self.l.encoding,
                           score_kind=skind, score_layout=layout, classes=self.l.classes,
                           n_samples=int(self.yt.shape[0]), decisions=tuple(self.decisions),
                           declared=True)

    def _ordinal_labels_k(self) -> int:
        if self.l.columns >= 2:
            if not self.l.single_positive:
                raise InputError("task: ordinal needs one class per row; got labels where some rows "
                                 "have zero or several positives. Fix the labels or leave --task out.")
            return self.l.columns
        if self.l.max_index >= MAX_LABEL_CLASSES:
            raise too_many_classes("labels", f"ordinal labels up to {self.l.max_index:,} (classes "
                                             "run from the smallest label to the largest)")
        return self.l.max_index + 1

    def _ordinal_scores(self) -> tuple[int, ScoreLayout, ScoreKind]:
        s, given = self.s, self.score_kind
        k_labels = self._ordinal_labels_k()
        if s.columns == 1:
            if s.hard_by_dtype or given == "hard":
                k = max(k_labels, self._hard_prediction_classes())
                self.decisions.append("one column of integer scores: read as predicted classes")
                return k, "column", "hard"
            self.decisions.append("one real-valued output per row (regression): the predicted class "
                                  "is the nearest class value (halves round up), clipped to the classes")
            return max(k_labels, 2), "column", "regression"
        C = s.columns
        if given in ("cumulative", "cumulative-logits") or (given is None and self._cumulative(C, k_labels)):
            kind: ScoreKind = given or ("cumulative" if s.in_unit else "cumulative-logits")
            self.decisions.append(
                f"{C} score columns read as cumulative {'probabilities' if kind == 'cumulative' else 'logits'} "
                f"P(y > k) of {C + 1} ordered classes (CORAL / CORN style): the predicted class is the "
                f"number of columns above {'0.5' if kind == 'cumulative' else '0'} (CORAL's rule); "
                "pass --score-kind probabilities if they are class scores")
            return C + 1, "matrix", kind
        skind = self._score_kind("multiclass", "matrix")
        self.decisions.append(f"{C} score columns read as one score per class; the predicted class is "
                              "the highest-scored one (ties to the first)")
        return C, "matrix", skind

    def _cumulative(self, C: int, k_labels: int) -> bool:
        """K-1 columns are cumulative scores when the labels need one more class than there are
        columns, or when the rows do not sum to 1 and never increase (P(y > k) falls with k).
        Rows that sum to 1 are class scores whatever the labels need (a softmax over ratings 1..5
        is 5 classes with shifted labels, not 6 cumulative classes with an empty class 0); labels
        that need more than C + 1 classes with falling rows are still cumulative, so that the
        label check speaks of C + 1 classes (and of an offset for 1-based ratings)."""
        if self.s.sums_to_one:
            return False
        if k_labels == C + 1:
            return True
        if self.s.hard:
            return False
        sample = np.asarray(self.ys[:sample_rows_for(self.ys)], dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):  # +-1e308 neighbours: the sign decides
            return bool(np.all(np.diff(sample, axis=1) <= 1e-7))

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
            self._check_indices(k)
            self.decisions.append("one column of integer scores: read as predicted class labels "
                                  f"({k} classes)")
            return "multiclass", k, "column"
        self._forbid("multiclass", "scores have one column (probabilities of one class); pass (N, K) "
                     "scores, or predicted class labels as integers")
        self._forbid("multilabel", "labels are one class per row (N,)")
        self._check_indices(1)
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
        high = max(self.l.max_index, int(np.max(pred)))
        if high >= MAX_LABEL_CLASSES:  # identifiers were mapped before; this is what is left
            raise too_many_classes("scores", f"predicted class labels up to {high:,}")
        return high + 1

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
        self._check_indices(k)

    def _check_indices(self, k: int, scores: str = "", note: str = "") -> None:
        """Class indices that do not map to k score columns: judged by the label rules (policy)."""
        if self.l.is_indices:
            reject_bad_indices(self.yt, k, low=self.l.low, high=self.l.high, scores=scores, note=note)

    def _forbid(self, kind: str, why: str) -> None:
        if self.task == kind:
            raise InputError(f"task: {kind} does not fit this data: {why}. {_FIX_TASK}, or leave it out.")

    # -- score kind -----------------------------------------------------------------------
    def _score_kind(self, kind: str, layout: ScoreLayout) -> ScoreKind:
        s = self.s
        if self.score_kind is not None:
            self.decisions.append(f"scores read as {self.score_kind} (given)")
            return self.score_kind
        if is_str(self.ys) or (layout == "column" and kind == "multiclass"):
            return "hard"
        matrix = layout in ("two-columns", "matrix") and kind != "multilabel"
        if s.hard and (not matrix or s.one_per_row):
            if not s.hard_by_dtype:
                self.decisions.append("scores hold only the values 0 and 1: read as predicted labels "
                                      "(hard); probability metrics (log loss, AUC, calibration) are "
                                      "left out")
            return "hard"
        if s.constant is not None and s.columns == 1 and not s.hard:
            self.decisions.append(f"every score in the first rows is exactly {s.constant:g}: read as "
                                  "probabilities of a constant output (not as predicted labels)")
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
    if profile.score_kind_given and profile.score_kind in ("cumulative", "probabilities", "independent") \
            and (score_min < 0 or score_max > 1):
        raise InputError(
            f"score_kind: {profile.score_kind!r} (given) means probabilities in [0, 1]; got values from "
            f"{score_min:g} to {score_max:g} after the first rows. Leave score_kind out (the scores "
            "are then read as logits), or fix the export.")
    if profile.score_kind == "cumulative" and (score_min < 0 or score_max > 1):
        return replace(profile, score_kind="cumulative-logits", decisions=profile.decisions + (
            f"cumulative scores read as logits: values from {score_min:g} to {score_max:g} appeared "
            "after the first rows",))
    if profile.score_kind in ("probabilities", "independent") and (score_min < 0 or score_max > 1):
        return replace(profile, score_kind="logits", decisions=profile.decisions + (
            f"scores read as logits: values from {score_min:g} to {score_max:g} appeared after the "
            "first rows (which looked like probabilities)",))
    return None


def correct_score_kind(profile: TaskProfile, corrected: ScoreKind) -> TaskProfile:
    """The profile to re-run a pass with after a chunk raised ScoreKindMismatch(corrected); an
    InputError when the user stated the kind (it is theirs to change, not headcheck's)."""
    if profile.score_kind_given:
        raise InputError(
            f"score_kind: {profile.score_kind!r} (given) means predicted labels (only the values 0 and "
            f"1); got other values after the first rows (they fit {corrected!r}). Leave score_kind "
            "out to infer it, or fix the export.")
    return replace(profile, score_kind=corrected, decisions=profile.decisions + (
        f"scores read as {corrected}: values other than 0/1 appeared after the first rows",))
