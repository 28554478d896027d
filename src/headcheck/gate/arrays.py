"""User input as arrays: rank, emptiness and dtype checks, and the non-finite score error.

Nothing here copies an ndarray or a memory map: the checks read, the user's data stays as given.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from headcheck.errors import InputError, describe_array


def as_input_array(x: object, what: str) -> np.ndarray:
    """An array view of user input (never a copy of an ndarray/memmap); checks rank and emptiness.

    >>> as_input_array([[0.2, 0.8]], "scores").shape
    (1, 2)
    """
    try:
        a = np.asarray(x)
    except Exception as e:  # ragged nested lists and the like
        raise InputError(
            f"{what}: expected an array of shape (N,) or (N, K); got {type(x).__name__} that numpy "
            f"cannot turn into a rectangular array ({e}). Pass a rectangular array."
        ) from e
    if a.dtype == object:
        a = _object_to_str(a, what)
    a = as_text(a)
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


def as_labels(y: object) -> np.ndarray:
    """Labels as an array; an (N, 1) column is read as (N,) labels (one label per row)."""
    a = as_input_array(y, "labels")
    return a[:, 0] if a.ndim == 2 and a.shape[1] == 1 else a


def _object_to_str(a: np.ndarray, what: str) -> np.ndarray:
    flat = a.ravel()
    if flat.size and all(isinstance(v, str) for v in flat[:1000]) and all(isinstance(v, str) for v in flat):
        return a.astype(str)
    if flat.size and all(isinstance(v, bytes) for v in flat):  # bytes class names: as_text decodes
        return a.astype(bytes)
    raise InputError(
        f"{what}: expected numbers, booleans or strings; got an object array of "
        f"{sorted({type(v).__name__ for v in flat[:1000]})}. Convert it to a numeric or string "
        "array first."
    )


def as_text(a: np.ndarray) -> np.ndarray:
    """Bytes class names (`b'cat'`, numpy 'S' arrays) as text, so that they are named and mapped
    like strings ('cat', not "b'cat'"). Each value is decoded alone (UTF-8; bytes that are not
    UTF-8 are shown as \\x escapes), so every chunk of an array decodes the same way. Other arrays
    are returned as they are.

    >>> as_text(np.array([b"cat", b"caf\\xe9"])).tolist()
    ['cat', 'caf\\\\xe9']
    """
    if a.dtype.kind != "S":
        return a
    return np.char.decode(a, "utf-8", "backslashreplace")


def unmask(arrays: Sequence[object]) -> tuple[list[object], int]:
    """Masked arrays (`numpy.ma`) without their masked rows: a row is left out when any of the
    arrays masks a value in it (labels, scores, weights; None is skipped). Returns the arrays
    (unchanged when none is masked: no copy) and the number of rows left out.

    >>> y = np.ma.masked_array([0, 1, 1], mask=[0, 1, 0])
    >>> (yt, s), dropped = unmask([y, np.array([.2, .7, .9])])
    >>> yt.tolist(), s.tolist(), dropped
    ([0, 1], [0.2, 0.9], 1)
    """
    masked = [a for a in arrays if isinstance(a, np.ma.MaskedArray) and np.ma.is_masked(a)]
    if not masked:
        return [np.ma.getdata(a) if isinstance(a, np.ma.MaskedArray) else a for a in arrays], 0
    rows: np.ndarray | None = None
    for a in masked:
        m = np.ma.getmaskarray(a)
        m = m.reshape(m.shape[0], -1).any(axis=1) if m.ndim > 1 else m.reshape(-1)
        if rows is not None and m.shape != rows.shape:
            return [np.ma.getdata(a) if isinstance(a, np.ma.MaskedArray) else a for a in arrays], 0
        rows = m if rows is None else rows | m
    assert rows is not None
    keep = ~rows
    out = [None if a is None else np.asarray(np.ma.getdata(a))[keep] for a in arrays]
    return out, int(rows.sum())


def masked_note(dropped: int) -> str:
    """What a report says when masked rows were left out."""
    return (f"{dropped:,} row(s) with masked values (numpy masked arrays) were left out: every "
            "metric is over the unmasked rows only")


def is_str(a: np.ndarray) -> bool:
    return a.dtype.kind in "US"


def check_numeric(a: np.ndarray, what: str) -> None:
    if a.dtype.kind not in "biuf":
        raise InputError(
            f"{what}: expected numbers (probabilities, logits or predicted labels); got "
            f"{describe_array(a)}. Export the model's scores as floats."
            if what == "scores" else
            f"{what}: expected class indices, class names or 0/1 rows; got {describe_array(a)}. "
            "Convert the labels to a numeric or string array."
        )


def nonfinite_error(count: int, first_rows: Sequence[int]) -> InputError:
    """The InputError for `count` rows of NaN/inf scores, naming the first of them (0-based).

    A pass counts these rows in its state (`State.n_nonfinite`, `nonfinite_rows`), so the error
    needs no second scan of the data.

    >>> "in 2 row(s) (first rows, 0-based: 2, 4)" in str(nonfinite_error(2, [2, 4]))
    True
    """
    return InputError(
        f"scores: expected finite numbers; got NaN or infinite values in {count} row(s) "
        f"(first rows, 0-based: {', '.join(map(str, list(first_rows)[:5]))}). A NaN score usually "
        "means the model diverged (check the loss) or the export read uninitialised memory; fix or "
        "drop those rows."
    )


def scan_nonfinite(y_score: np.ndarray, chunk_rows: int = 1 << 16) -> InputError:
    """`nonfinite_error` for an array, counting its NaN/inf rows chunk by chunk."""
    count, first = 0, []
    for start in range(0, len(y_score), chunk_rows):
        bad = ~np.isfinite(np.asarray(y_score[start:start + chunk_rows]))
        if bad.ndim == 2:
            bad = bad.any(axis=1)
        rows = np.flatnonzero(bad)
        count += rows.size
        if len(first) < 5:
            first.extend((rows[: 5 - len(first)] + start).tolist())
    return nonfinite_error(count, first)
