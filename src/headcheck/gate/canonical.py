"""Canonicalisation: one raw chunk of labels and scores -> the engine's canonical chunk.

The canonical chunk is what every kernel reads (see `headcheck.engine.kernels`):
binary: labels (n,) int 0/1, scores (n,) (the positive class's probability or logit; 0/1 when
hard); multiclass: labels (n,) int class indices, scores (n, K) (or (n,) predicted classes when
hard); multilabel: labels (n, L) bool or 0/1, scores (n, L). A chunk is canonicalised from the
TaskProfile alone, so any worker holding the profile can do it (a thread, a Dask worker, a
training callback). Labels the profile cannot hold raise InputError (class indices past the score
columns: `LabelsRejected`, as the label rules judge); hard scores that stop being 0/1 raise
ScoreKindMismatch, and the pass re-runs with the corrected kind.
"""
from __future__ import annotations

import numpy as np

from headcheck.errors import InputError, describe_array
from headcheck.gate.arrays import is_str
from headcheck.gate.classes import map_labels
from headcheck.gate.infer import ScoreKindMismatch
from headcheck.gate.labels import check_label_block, label_rows_error
from headcheck.gate.policy import reject_bad_indices
from headcheck.task import TaskProfile


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
    return canonical_labels(profile, y_true, offset), canonical_scores(profile, y_score, offset)


def canonical_labels(profile: TaskProfile, y_true: np.ndarray, offset: int = 0) -> np.ndarray:
    """The canonical labels of one raw chunk (`canonical_chunk` without the scores: several
    models' scores over the same labels canonicalise these once)."""
    yt = np.asarray(y_true)
    if yt.ndim == 2 and yt.shape[1] == 1:
        yt = yt[:, 0]
    _labels_like_first_rows(profile, yt, offset)
    if yt.ndim == 1 and (profile.label_values or profile.label_offset):
        yt = map_labels(yt, profile.label_values, profile.label_offset, rows_from=offset)
    if profile.kind == "binary":
        return _binary_labels(profile, yt, offset)
    if profile.kind in ("multiclass", "ordinal"):
        return _multiclass_labels(profile, yt, offset)
    return _multilabel_labels(profile, yt, offset)


def canonical_scores(profile: TaskProfile, y_score: np.ndarray, offset: int = 0) -> np.ndarray:
    """The canonical scores of one raw chunk (see `canonical_chunk`)."""
    ys = np.asarray(y_score)
    _scores_like_first_rows(profile, ys, offset)
    if (profile.label_values or profile.label_offset) and profile.score_layout == "column" \
            and (is_str(ys) or ys.dtype.kind in "iu"):
        ys = map_labels(ys, profile.label_values, profile.label_offset, rows_from=offset,
                        what="scores")
    if profile.kind == "binary":
        return _binary_scores(profile, ys)
    if profile.kind == "multiclass":
        return _multiclass_scores(profile, ys, offset)
    if profile.kind == "ordinal":
        return _ordinal_scores(profile, ys, offset)
    return _multilabel_scores(profile, ys)


def _labels_like_first_rows(profile: TaskProfile, yt: np.ndarray, offset: int) -> None:
    """Chunks decided from the first rows (a later shard, a later batch) must encode labels as
    those rows did: say so, naming the rows, rather than fail inside a kernel."""
    if yt.ndim == 1 and len(yt) and not profile.label_values:
        named = profile.label_encoding == "string"
        if named != is_str(yt):
            first = "class names (strings)" if named else "numbers"
            got = "class names (strings)" if is_str(yt) else f"{yt.dtype} numbers"
            raise InputError(f"labels: rows {offset}.. hold {got} but the first rows held {first}; "
                             "every part of the data must encode its labels the same way. Convert "
                             "the labels of the part that differs.")


def _scores_like_first_rows(profile: TaskProfile, ys: np.ndarray, offset: int) -> None:
    """... and lay out their scores as those rows did."""
    want = {"matrix": profile.n_classes, "two-columns": 2, "column": 1, "single-column": 1}.get(
        profile.score_layout)
    if profile.kind == "ordinal" or want is None or not len(ys):
        return
    got = ys.shape[1] if ys.ndim == 2 else 1
    if got != want:
        raise InputError(f"scores: rows {offset}.. have {got} column(s) but the first rows had "
                         f"{want}; every part of the data must have the same score columns (one "
                         "per class). Check the export of the part that differs.")


def _string_indices(profile: TaskProfile, y: np.ndarray, offset: int, what: str = "labels") -> np.ndarray:
    classes = np.asarray(profile.classes)
    idx = np.searchsorted(classes, y)
    idx_c = np.minimum(idx, len(classes) - 1)
    bad = np.flatnonzero(classes[idx_c] != y)
    if bad.size:
        raise InputError(
            f"{what}: value {str(y[bad[0]])!r} (row {int(bad[0]) + offset}) is not one of the classes "
            f"{list(profile.classes)[:8]}. Pass all labels together so the class list is complete."
        )
    return idx_c.astype(np.int64)


def _binary_labels(profile: TaskProfile, yt: np.ndarray, offset: int) -> np.ndarray:
    if profile.label_encoding == "string" and is_str(yt):
        return _string_indices(profile, yt, offset)
    if yt.ndim == 2:  # one-hot or soft, 2 columns: argmax, ties to column 0
        check_label_block(profile.label_encoding, True, yt, offset)
        return (yt[:, 1] > yt[:, 0]).astype(np.int64)
    if profile.label_encoding == "soft":
        return (yt > 0.5).astype(np.int64)
    out = yt.astype(np.int64, copy=False)
    bad = np.flatnonzero((out != 0) & (out != 1))
    if bad.size:
        reject_bad_indices(out, 2 if profile.score_layout == "two-columns" else 1, offset=offset)
        raise label_rows_error("binary labels must be 0 or 1; got other values", bad, offset,
                               "Map the labels to 0/1, or pass (N, K) scores for K classes.")
    return _readonly(out)


def _binary_scores(profile: TaskProfile, ys: np.ndarray) -> np.ndarray:
    if profile.score_layout == "two-columns":
        if profile.score_kind == "logits":  # softmax over two logits = sigmoid of the difference
            return _logit_difference(ys)
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


def _logit_difference(ys: np.ndarray) -> np.ndarray:
    """Column 1 minus column 0 of two logits, float64. Finite logits whose difference overflows
    (1e308 - -1e308) keep its sign at the largest finite value; NaN/inf inputs stay non-finite,
    so the pass still reports their rows."""
    with np.errstate(over="ignore", invalid="ignore"):
        d = ys[:, 1].astype(np.float64) - ys[:, 0]
    over = np.isinf(d)
    if over.any():
        over &= np.isfinite(ys[:, 0]) & np.isfinite(ys[:, 1])
        d[over] = np.copysign(np.finfo(np.float64).max, d[over])
    return d


def _multiclass_labels(profile: TaskProfile, yt: np.ndarray, offset: int) -> np.ndarray:
    k = profile.n_classes
    if profile.label_encoding == "string" and is_str(yt):
        return _string_indices(profile, yt, offset)
    if yt.ndim == 2:
        if yt.shape[1] != k:
            raise InputError(f"labels have {yt.shape[1]} columns in a later chunk but {k} before.")
        check_label_block(profile.label_encoding, True, yt, offset)
        return np.argmax(yt, axis=1).astype(np.int64)
    out = yt.astype(np.int64, copy=False)
    bad = np.flatnonzero((out < 0) | (out >= k))
    if bad.size:
        reject_bad_indices(out, k, offset=offset)
        raise label_rows_error(f"class indices outside 0..{k - 1}", bad, offset,
                               "Check the label encoding (1-based? subtract 1) and the score columns.")
    return _readonly(out)


def _multiclass_scores(profile: TaskProfile, ys: np.ndarray, offset: int) -> np.ndarray:
    if profile.score_layout == "column":  # predicted class labels
        if ys.ndim == 2:
            ys = ys[:, 0]
        if profile.label_encoding == "string" and is_str(ys):
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


def _ordinal_scores(profile: TaskProfile, ys: np.ndarray, offset: int) -> np.ndarray:
    """Ordinal scores: class scores and predicted classes as for multiclass; a regression output
    as (n,) values in label units; cumulative scores as the (n, K-1) matrix."""
    kind = profile.score_kind
    if kind == "regression":
        s = ys.ravel() if ys.ndim == 2 else ys
        return _readonly(s)
    if kind in ("cumulative", "cumulative-logits"):
        if ys.ndim != 2 or ys.shape[1] != profile.n_classes - 1:
            raise InputError(f"scores: cumulative scores of {profile.n_classes} classes need "
                             f"{profile.n_classes - 1} columns; got {describe_array(ys)}.")
        return _readonly(ys)
    return _multiclass_scores(profile, ys, offset)


def _multilabel_labels(profile: TaskProfile, yt: np.ndarray, offset: int) -> np.ndarray:
    if yt.ndim != 2 or yt.shape[1] != profile.n_classes:
        raise InputError(f"labels: multilabel needs an (N, {profile.n_classes}) 0/1 matrix; got "
                         f"{describe_array(yt)}.")
    if yt.dtype == bool:
        return _readonly(yt)
    check_label_block(profile.label_encoding, False, yt, offset)
    if profile.label_encoding == "soft":
        return yt > 0.5
    if yt.dtype in (np.uint8, np.int8):
        return _readonly(yt.view(bool))  # 0/1 bytes (checked above) are bools: no copy
    return yt.astype(bool)


def _multilabel_scores(profile: TaskProfile, ys: np.ndarray) -> np.ndarray:
    if profile.score_kind == "hard" and ys.dtype != bool and ys.dtype.kind == "f":
        if not np.isin(ys, (0, 1)).all():
            raise ScoreKindMismatch("independent")
    return _readonly(ys)
