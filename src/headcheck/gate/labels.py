"""The one label profiler: what labels alone say, for every command.

`label_facts` reads labels and returns `LabelFacts`: the encoding, the range, the class names, and
for (N, K) labels whether each row has one positive. `report`/`explain` (through `infer_task`),
`check` (through `profile_labels`, the labels-only mode below) and the live checks all call it, so
they agree on every encoding. Labels that are not class labels at all raise InputError here; labels
that are class labels but do not fit the outputs are judged by `headcheck.gate.policy`.

Reading rule: (N,) labels are read whole (they are small beside the scores); (N, K) labels are
decided from their first `sample_rows` rows and every later row is verified as it streams
(`check_label_block`), in `check` as in `report`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from headcheck.errors import InputError, describe_array
from headcheck.gate.arrays import as_labels, check_numeric, is_str
from headcheck.task import TASK_KINDS, DataFacts, LabelEncoding, TaskProfile

# Rows looked at to decide the score kind and the 2-D label encoding: at most SAMPLE_ROWS, and at
# most SAMPLE_BYTES of scores and (N, K) labels together (a row of 10^5 float32 scores is 400 KB:
# 83 rows, not 65,536 rows = 26 GB), at least MIN_SAMPLE_ROWS. The rest of a large input is
# verified while it streams (see `check_label_block` and `verify_score_range`).
SAMPLE_ROWS = 65_536
SAMPLE_BYTES = 32 << 20
MIN_SAMPLE_ROWS = 8
# Rows of probabilities "sum to 1" within this tolerance (float32 softmax outputs drift ~1e-6).
SUM_TOL = 1e-3
# The most classes headcheck reads from label *values* where no score width counts them (predicted
# class labels, `check --labels`, an ordinal regression output). Integer labels are class indices
# 0..max while max < MAX_LABEL_CLASSES; past it they are not (a label of 10**12 is an identifier,
# not the 10**12-th class): their distinct values are counted instead, up to this many. The number
# of classes never comes from the largest label value alone, so no label allocates max + 1 counts.
MAX_LABEL_CLASSES = 100_000


def distinct_values(*arrays: np.ndarray, limit: int = MAX_LABEL_CLASSES,
                    chunk_rows: int = 1 << 20) -> np.ndarray | None:
    """The sorted distinct values of `arrays` together, or None when there are more than `limit`
    (read `chunk_rows` at a time, so memory stays within about limit + chunk_rows values).

    >>> distinct_values(np.array([10**12, 0, 10**12]), np.array([7])).tolist()
    [0, 7, 1000000000000]
    >>> distinct_values(np.arange(10), limit=5) is None
    True
    """
    seen: np.ndarray | None = None
    for a in arrays:
        flat = np.asarray(a).reshape(-1)
        for start in range(0, flat.shape[0], chunk_rows):
            part = np.unique(flat[start:start + chunk_rows])
            seen = part if seen is None else np.union1d(seen, part)
            if seen.shape[0] > limit:
                return None
    return seen if seen is not None else np.zeros(0)


def too_many_classes(what: str, detail: str) -> InputError:
    """The InputError for labels whose class count would pass MAX_LABEL_CLASSES."""
    return InputError(
        f"{what}: expected class labels (at most {MAX_LABEL_CLASSES:,} classes when they are counted "
        f"from the label values); got {detail}. These look like identifiers or regression targets, "
        "not classes: map them to class indices 0..K-1 (e.g. `np.unique(y, return_inverse=True)[1]`)"
        " or pass one score column per class.")


def sample_rows_for(*arrays: np.ndarray, budget: int = SAMPLE_BYTES) -> int:
    """How many leading rows of `arrays` (read together) fit the sampling budget.

    >>> sample_rows_for(np.zeros((10, 100), np.float32)), sample_rows_for(np.zeros((2, 10**5), np.float32))
    (65536, 83)
    """
    row_bytes = sum(int(np.prod(a.shape[1:], dtype=np.int64)) * a.dtype.itemsize
                    for a in arrays if a is not None and a.ndim >= 1)
    return int(min(SAMPLE_ROWS, max(MIN_SAMPLE_ROWS, budget // max(1, row_bytes))))


@dataclass(frozen=True)
class LabelFacts:
    """What labels alone say.

    `low`/`high` are the smallest and largest value of numeric labels ((N, K) labels: of the
    sampled rows). `classes` holds string labels' names, sorted. `single_positive` is whether
    every sampled (N, K) row has exactly one positive (or sums to 1).

    >>> f = label_facts(np.array([3, 1, 2]))
    >>> f.encoding, f.low, f.high, f.max_index
    ('integer', 1.0, 3.0, 3)
    """

    encoding: LabelEncoding
    n_samples: int
    columns: int = 0  # 0 for (N,) labels
    classes: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    single_positive: bool = True
    falling: bool = False  # every sampled (N, K) 0/1 row is 1...1 0...0 (cumulative targets)

    @property
    def is_indices(self) -> bool:
        """Whether the labels are class indices ((N,) integers or booleans)."""
        return self.columns == 0 and self.encoding in ("integer", "boolean")

    @property
    def max_index(self) -> int:
        """The largest class index the labels use (string labels: in sorted order); -1 for (N, K)."""
        if self.encoding == "string":
            return len(self.classes) - 1
        if self.columns or self.high is None:
            return -1
        if self.encoding in ("soft", "boolean"):  # two classes, whatever values occur
            return 1
        return int(self.high)

    def data_facts(self, n_outputs: int | None = None) -> DataFacts:
        """The label fields of DataFacts, as the rules read them."""
        numeric = self.encoding != "string"
        return DataFacts(
            n_samples=self.n_samples, n_outputs=n_outputs,
            label_min=self.low if numeric else None, label_max=self.high if numeric else None,
            label_is_integer=None if not numeric else self.encoding != "soft")


def label_facts(y_true: object, *, sample_rows: int | None = None,
                extra_names: np.ndarray | None = None) -> LabelFacts:
    """Profile labels: (N,) class indices, booleans, class names or soft binary targets, or (N, K)
    one-hot / multi-hot / soft rows. `extra_names` (predicted class names) join the class list.

    Raises InputError for what is not a class label: wrong rank, empty, object arrays, NaN/inf,
    non-integer values outside [0, 1] (a regression target), (N, K) values outside [0, 1], (N, K)
    strings.

    >>> label_facts(np.eye(3)[[0, 2]]).encoding, label_facts(np.array([True, False])).encoding
    ('one-hot', 'boolean')
    """
    y = as_labels(y_true)
    if y.ndim == 1:
        return _facts_1d(y, extra_names)
    return _facts_2d(y, sample_rows or sample_rows_for(y))


def _facts_1d(y: np.ndarray, extra_names: np.ndarray | None) -> LabelFacts:
    n = int(y.shape[0])
    if y.dtype == bool:
        return LabelFacts("boolean", n, low=float(y.min()), high=float(y.max()))
    if is_str(y):
        values = np.unique(y)
        if extra_names is not None:
            values = np.union1d(values, np.unique(extra_names))
        return LabelFacts("string", n, classes=tuple(str(v) for v in values))
    check_numeric(y, "labels")
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        bad = np.flatnonzero(~np.isfinite(y))
        raise InputError(
            f"labels: expected finite class labels; got NaN or inf in {bad.size} row(s) (first: "
            f"{', '.join(map(str, bad[:5]))}). Drop or fix those rows."
        )
    lo, hi = float(y.min()), float(y.max())
    if y.dtype.kind == "f" and not np.array_equal(y, np.floor(y)):
        if lo < 0 or hi > 1:
            raise InputError(
                f"labels: expected class labels (whole numbers) or soft binary labels in [0, 1]; "
                f"got non-integer values from {lo:g} to {hi:g}. This looks like a regression "
                "target; headcheck works on classification labels."
            )
        return LabelFacts("soft", n, low=lo, high=hi)
    return LabelFacts("integer", n, low=lo, high=hi)


def _facts_2d(y: np.ndarray, sample_rows: int) -> LabelFacts:
    s = np.asarray(y[:sample_rows])
    if is_str(s):
        raise InputError(
            f"labels: expected (N,) class labels or an (N, K) 0/1 indicator matrix; got "
            f"{describe_array(y)} of strings. Pass one label per row."
        )
    if s.dtype == bool:
        s = s.view(np.uint8)
    check_numeric(s, "labels")
    if s.dtype.kind == "f" and not np.isfinite(s).all():
        raise InputError("labels: expected finite values; got NaN or inf in the labels. Fix the export.")
    lo, hi = float(s.min()), float(s.max())
    if lo < 0 or hi > 1:
        raise _matrix_range_error(lo, hi)
    sums_to_one = bool(np.allclose(s.sum(axis=1, dtype=np.float64), 1.0, atol=SUM_TOL))
    falling = False
    if s.dtype.kind in "iu" or bool(np.isin(s, (0, 1)).all()):  # integers in [0, 1] are 0/1
        enc: LabelEncoding = "one-hot" if sums_to_one else "multi-hot"
        falling = bool(s.shape[1] > 1 and not _rising_rows(s).size)
    else:
        enc = "soft"
    return LabelFacts(enc, int(y.shape[0]), columns=int(y.shape[1]), low=lo, high=hi,
                      single_positive=sums_to_one, falling=falling)


def _rising_rows(y: np.ndarray) -> np.ndarray:
    """Rows of a 0/1 matrix where a 1 follows a 0 (not cumulative 'class > k' targets)."""
    return np.flatnonzero((np.diff(y.astype(np.int8, copy=False), axis=1) > 0).any(axis=1))


def _matrix_range_error(lo: float, hi: float) -> InputError:
    return InputError(
        f"labels: an (N, K) label matrix must hold 0/1 indicators or probabilities in [0, 1]; got "
        f"values from {lo:g} to {hi:g}. Pass class indices as an (N,) array, or map -1/+1 "
        "indicators to 0/1 with (y + 1) // 2."
    )


def label_rows_error(what: str, bad: np.ndarray, offset: int, fix: str) -> InputError:
    rows = ", ".join(str(int(r) + offset) for r in bad[:5])
    return InputError(f"labels: {what} in {bad.size} row(s) (first rows, 0-based: {rows}). {fix}")


def check_label_block(encoding: LabelEncoding, single_label: bool, y: np.ndarray, offset: int) -> None:
    """Verify (N, K) label rows past the sample against the encoding decided from it.

    `single_label`: the task reads one class per row (multiclass / binary), so one-hot rows must
    keep exactly one positive. Rows are numbered from `offset` in the messages.
    """
    if y.dtype == bool:
        if encoding == "one-hot" and single_label:
            bad = np.flatnonzero(y.sum(axis=1) != 1)
            if bad.size:
                raise _one_hot_error(bad, offset)
        return
    if encoding == "soft":
        lo, hi = float(y.min()), float(y.max())
        if lo < 0 or hi > 1 or not (np.isfinite(lo) and np.isfinite(hi)):
            raise _matrix_range_error(lo, hi)
        return
    if y.dtype.kind in "iu" and y.size and y.max() <= 1 and (y.dtype.kind == "u" or y.min() >= 0):
        ok = None  # integers: one or two reductions say 0/1, no (N, K) masks (fast path)
    else:
        ok = (y == 0) | (y == 1)
    if ok is not None and not ok.all():
        bad = np.flatnonzero(~ok.all(axis=1))
        raise label_rows_error(f"{encoding} labels must be 0 or 1; got other values", bad, offset,
                               "Fix the label export.")
    if encoding == "one-hot" and single_label:
        bad = np.flatnonzero(y.sum(axis=1) != 1)
        if bad.size:
            raise _one_hot_error(bad, offset)


def _one_hot_error(bad: np.ndarray, offset: int) -> InputError:
    return label_rows_error(
        "one-hot labels with zero or several positives", bad, offset,
        "The first rows had exactly one positive each (multiclass): pass --task multilabel if the "
        "labels are multi-hot.")


# --------------------------------------------------------------------------------------------
# Labels-only mode (`check`): the same facts, a TaskProfile and DataFacts without scores
# --------------------------------------------------------------------------------------------
def profile_labels(y_true: object, *, task: str | None = None, units: int | None = None,
                   sample_rows: int | None = None,
                   notes: list[str] | None = None) -> tuple[TaskProfile, DataFacts]:
    """The TaskProfile and DataFacts that labels alone give (no scores: score_kind is 'hard').

    `units` (the head's outputs) widens the class counts of integer labels; `task` may be
    'binary', 'multiclass', 'multilabel' or 'ordinal'. Problems of the label values (negative
    indices, indices past the outputs) are left to the rules, which read the DataFacts.

    An (N, L) 0/1 matrix whose every row is 1...1 0...0 is read, when the task is ordinal, as the
    cumulative targets 'class > k' of L + 1 ordered classes (label encoding 'cumulative'); without
    a stated task it stays multi-label, and a sentence appended to `notes` says how to read it as
    ordinal (never silently either way).

    >>> profile, facts = profile_labels(np.array([0, 2, 2]), units=4)
    >>> profile.kind, profile.label_encoding, facts.class_counts
    ('multiclass', 'integer', (1.0, 0.0, 2.0, 0.0))
    """
    y = as_labels(y_true)
    sample_rows = sample_rows or sample_rows_for(y)
    facts = label_facts(y, sample_rows=sample_rows)
    if facts.encoding == "string":
        return _profile_names(y, facts, task)
    if facts.columns == 0:
        return _profile_1d(y, facts, task, units)
    if task == "ordinal" and facts.falling and not facts.single_positive:
        return _profile_cumulative(y, facts, sample_rows, notes)
    profile, data = _profile_2d(y, facts, task, sample_rows)
    if notes is not None and facts.falling and profile.kind == "multilabel" and task is None \
            and data.class_counts and len(data.class_counts) > 1 and data.class_counts[1] > 0:
        L = facts.columns
        notes.append(f"every label row is 1...1 0...0: if these are the cumulative targets "
                     f"'class > k' of {L + 1} ordered classes (a cumulative-logit / CORAL-style "
                     f"head), state --task ordinal (task='ordinal'); they were read as {L} "
                     "independent labels.")
    return profile, data


def describe_labels(profile: TaskProfile, data: DataFacts | None, units: int | None = None) -> str:
    """What labels-only profiling saw, in words: 'K classes, <encoding> labels' when the labels are
    class indices 0..K-1 that fit the head's outputs (or names / a class list mapped them), else
    the values themselves, since the class count read from them (largest index + 1) is then a
    guess the findings contradict: 'integer labels 1..5 (5 distinct values)'.

    >>> p, d = profile_labels(np.array([1, 2, 5, 3, 4]), units=5)
    >>> p.n_classes, describe_labels(p, d, units=5)
    (6, 'integer labels 1..5 (5 distinct values)')
    >>> describe_labels(*profile_labels(np.array([0, 2, 1])), units=3)
    '3 classes, integer labels'
    """
    counted = f"{profile.n_classes} classes, {profile.label_encoding} labels"
    if profile.label_encoding != "integer" or profile.classes or data is None \
            or data.label_min is None or data.label_max is None:
        return counted
    lo, hi = int(data.label_min), int(data.label_max)
    if lo == 0 and (not units or units < 2 or hi < units):
        return counted
    distinct = sum(1 for c in profile.class_counts if c > 0)
    return f"integer labels {lo}..{hi} ({distinct} distinct values)"


def _profile_1d(y: np.ndarray, facts: LabelFacts, task: str | None,
                units: int | None) -> tuple[TaskProfile, DataFacts]:
    lo, hi = float(facts.low), float(facts.high)  # type: ignore[arg-type]
    soft = facts.encoding == "soft"
    kind = _kind_1d(task, soft, lo, hi)
    counts = _counts_1d(y, soft, lo, hi, units if kind == "multiclass" else None)
    profile = TaskProfile(
        kind=kind, n_classes=2 if kind == "binary" else max(len(counts), 1),  # type: ignore[arg-type]
        label_encoding=facts.encoding, score_kind="hard", n_samples=facts.n_samples,
        class_counts=counts, decisions=("labels only: no scores were given",),
        declared=task in TASK_KINDS,
    )
    data = DataFacts(n_samples=facts.n_samples, label_min=lo, label_max=hi,
                     label_is_integer=not soft, class_counts=counts)
    return profile, data


def _profile_names(y: np.ndarray, facts: LabelFacts, task: str | None) -> tuple[TaskProfile, DataFacts]:
    """Class names: their order is unknown to the program, so only the counts are facts."""
    names, counts = np.unique(y, return_counts=True)
    if task == "multilabel":
        raise InputError(
            "task: multilabel needs an (N, L) 0/1 label matrix; got one class name per sample. Pass the "
            "multi-hot matrix, or state --task binary|multiclass."
        )
    kind = task if task in ("binary", "multiclass") else ("binary" if len(names) == 2 else "multiclass")
    if kind == "binary" and len(names) > 2:
        raise InputError(f"task: binary needs at most 2 classes; got {len(names)} class names. "
                         "Leave --task out or state --task multiclass.")
    count_tuple = tuple(float(c) for c in counts)
    profile = TaskProfile(
        kind=kind, n_classes=max(len(names), 2) if kind == "binary" else len(names),  # type: ignore[arg-type]
        label_encoding="string", score_kind="hard", classes=facts.classes,
        n_samples=facts.n_samples, class_counts=count_tuple,
        decisions=("labels only: no scores were given", "class names sorted alphabetically"),
        declared=task in TASK_KINDS,
    )
    return profile, DataFacts(n_samples=facts.n_samples, class_counts=count_tuple)


def _kind_1d(task: str | None, soft: bool, lo: float, hi: float) -> str:
    if task == "multilabel":
        raise InputError(
            "task: multilabel needs an (N, L) 0/1 label matrix; got one label per sample (N,). Pass the "
            "multi-hot matrix, or state --task binary|multiclass."
        )
    if task in ("binary", "multiclass"):
        return task
    if soft:
        return "binary"  # soft targets in [0, 1]
    if task == "ordinal":
        return "multiclass"
    return "binary" if lo >= 0 and hi <= 1 else "multiclass"


def _counts_1d(y: np.ndarray, soft: bool, lo: float, hi: float, units: int | None) -> tuple[float, ...]:
    if soft:  # soft binary targets: expected counts
        positives = float(y.sum(dtype=np.float64))
        return (float(y.shape[0]) - positives, positives)
    if lo < 0 or hi >= MAX_LABEL_CLASSES:
        # not class indices 0..K-1: count the distinct values (HC203 reports the range)
        values = distinct_values(y)
        if values is None:
            raise too_many_classes("labels", f"more than {MAX_LABEL_CLASSES:,} distinct values "
                                             f"(from {lo:g} to {hi:g})")
        return tuple(float(c) for c in np.unique(y, return_counts=True)[1])
    # the head's outputs widen the counts (empty classes are facts), within the same limit
    width = max(int(hi) + 1, min(units, MAX_LABEL_CLASSES) if units and units > 1 else 0, 2)
    return tuple(float(c) for c in np.bincount(y.astype(np.int64), minlength=width))


def _profile_2d(y: np.ndarray, facts: LabelFacts, task: str | None,
                sample_rows: int) -> tuple[TaskProfile, DataFacts]:
    enc, L, single = facts.encoding, facts.columns, facts.single_positive
    if task in ("binary", "multiclass", "ordinal") and not single:
        cumulative = (" (ordinal: or the cumulative targets 'class > k', each row 1...1 0...0)"
                      if task == "ordinal" else "")
        raise InputError(
            f"task: {task} needs exactly one positive label per row{cumulative}; got {enc} labels "
            "where some rows have zero or several positives. Leave --task out (the labels say "
            "multilabel), or fix the labels."
        )
    if task == "binary" and L != 2:
        raise InputError(f"task: binary needs 2 classes; got labels with {L} columns. "
                         "Leave --task out or pass --task multiclass.")
    if not single or task == "multilabel":
        kind = "multilabel"
    elif L == 2 and task not in ("multiclass", "ordinal"):
        kind = "binary"
    else:
        kind = "multiclass"
    counts, lo, hi = _scan_2d(y, facts, kind != "multilabel", sample_rows)
    profile = TaskProfile(
        kind=kind, n_classes=L, label_encoding=enc, score_kind="hard",  # type: ignore[arg-type]
        n_samples=facts.n_samples, class_counts=counts,
        decisions=("labels only: no scores were given",), declared=task in TASK_KINDS,
    )
    data = DataFacts(n_samples=facts.n_samples, label_min=lo, label_max=hi,
                     label_is_integer=enc != "soft", class_counts=counts)
    return profile, data


def _profile_cumulative(y: np.ndarray, facts: LabelFacts, block_rows: int,
                        notes: list[str] | None) -> tuple[TaskProfile, DataFacts]:
    """The (N, K-1) 'class > k' targets of K ordered classes: class k's rows have k ones. Read as
    the labels-only mode reads ordinal class indices (kind 'multiclass', declared ordinal); every
    row past the sample is verified to fall too."""
    L, n = facts.columns, facts.n_samples
    counts = np.zeros(L + 1)
    for start in range(0, n, block_rows):
        block = np.asarray(y[start:start + block_rows])
        if start:
            check_label_block("multi-hot", False, block, start)
            bad = _rising_rows(block)
            if bad.size:
                raise label_rows_error(
                    "cumulative ordinal targets must read 1...1 0...0 along each row (as the first "
                    "rows did); got a 1 after a 0", bad, start,
                    "Fix the targets (`(y[:, None] > np.arange(K - 1))` from class indices y), or "
                    "leave --task out to read them as multi-label.")
        k = block.sum(axis=1, dtype=np.int64)
        counts += np.bincount(k, minlength=L + 1)
    said = (f"labels: {L} columns of 0/1 rows 1...1 0...0 read as the cumulative targets 'class > k' "
            f"of {L + 1} ordered classes (class = number of ones)")
    if notes is not None:
        notes.append(said)
    count_tuple = tuple(float(c) for c in counts)
    profile = TaskProfile(
        kind="multiclass", n_classes=L + 1, label_encoding="cumulative", score_kind="hard",
        n_samples=n, class_counts=count_tuple,
        decisions=("labels only: no scores were given", said), declared=True,
    )
    data = DataFacts(n_samples=n, label_min=0.0, label_max=1.0, label_is_integer=True,
                     class_counts=count_tuple)
    return profile, data


def _scan_2d(y: np.ndarray, facts: LabelFacts, single_label: bool,
             block_rows: int) -> tuple[tuple[float, ...], float, float]:
    """Column sums and range of (N, K) labels, verifying the rows past the sample as a pass would."""
    counts = np.zeros(facts.columns)
    lo, hi = float(facts.low), float(facts.high)  # type: ignore[arg-type]
    for start in range(0, facts.n_samples, block_rows):
        block = np.asarray(y[start:start + block_rows])
        if start:
            check_label_block(facts.encoding, single_label, block, start)
            lo, hi = min(lo, float(block.min())), max(hi, float(block.max()))
        counts += block.sum(axis=0, dtype=np.float64)
    return tuple(float(c) for c in counts), lo, hi
