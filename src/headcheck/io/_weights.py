"""Sample weights, whatever file or array they came from."""
from __future__ import annotations

import numpy as np

from headcheck.errors import InputError, describe_array


def check_weights(w: object, n: int) -> np.ndarray:
    """Sample weights as a 1-D float array of length n, finite and non-negative."""
    a = np.asarray(w)
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
    if a.ndim != 1 or a.shape[0] != n or a.dtype.kind not in "biuf":
        raise InputError(f"weights: expected {n} numbers, one per sample; got {describe_array(a)}. "
                         "Pass a 1-D array of sample weights in the same order as the labels.")
    if not np.isfinite(a).all() or (a < 0).any():
        bad = np.flatnonzero(~np.isfinite(a) | (a < 0))
        raise InputError(f"weights: expected finite non-negative weights; got {bad.size} bad value(s) "
                         f"(first rows: {', '.join(map(str, bad[:5]))}). Fix those weights.")
    return a
