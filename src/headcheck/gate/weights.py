"""Sample weights at the extremes: the one rule for their scale, and what zero total weight means.

**The scale rule.** Every metric is a ratio of weighted sums, unchanged when all weights are
multiplied by the same number. float64 sums are not: weights near 1e308 overflow (inf / inf is
NaN, and every metric with it), and MCC and Cohen's kappa multiply sums together, so sums of tiny
weights (5e-324) underflow to 0 and the metric silently becomes 0.0. So when the largest weight
lies outside [2**-64, 2**64] (`SAFE_EXPONENT`), every weight is multiplied by the power of two that
brings the largest into [1, 2) (`scale_weights`). A power of two changes only the exponent of each
weight, never its digits, so the metrics are those of the weights as given; the weighted counts
(support, predicted) are then in units of that power of two, and the report says so. Weights
inside the range are used as given, so their weighted counts read as the user expects.

Why not always divide by the largest weight: the counts of ordinary weights (class weights of
0.5 and 3.0) would change units for no gain, and a division by a number that is not a power of
two rounds every weight.

**Zero total weight.** When every weight is 0 there is nothing to measure: every metric is 0/0.
`undefined_result` marks every metric, view and baseline undefined (NaN: null in JSON, "n/a" in
text) and rule HC207 reports why, instead of an accuracy of 0.0.

>>> w, note = scale_weights(np.array([1e308, 5e307]))
>>> w.tolist(), note.startswith("weights were multiplied by 2**-1023")
([1.1125369292536007, 0.5562684646268003], True)
>>> scale_weights(np.array([0.5, 3.0]))[1] is None
True
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from headcheck.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.engine._result import EngineResult

# Weights whose largest lies within 2**-SAFE_EXPONENT .. 2**SAFE_EXPONENT are used as given: with
# up to 2**48 rows, sums stay below 2**112 and their fourth powers (MCC) below 2**448, far from
# float64's limits (2**1023 / 2**-1022) on either side.
SAFE_EXPONENT = 64


def weight_shift(largest: float) -> int:
    """The power of two (its exponent) to multiply weights by, given the largest weight: 0 inside
    the safe range or for 0, else what brings the largest into [1, 2)."""
    if largest == 0 or 2.0 ** -SAFE_EXPONENT <= largest <= 2.0 ** SAFE_EXPONENT:
        return 0
    return 1 - math.frexp(largest)[1]


def scale_weights(w: np.ndarray) -> tuple[np.ndarray, str | None]:
    """`w` scaled by the rule above (a new array only when a scale applies) and the note the
    report prints then (None when the weights are used as given)."""
    largest = float(np.max(w)) if w.size else 0.0
    shift = weight_shift(largest)
    if shift == 0:
        return w, None
    return np.ldexp(np.asarray(w, dtype=np.float64), shift), (
        f"weights were multiplied by 2**{shift} (their largest, {largest:.3g}, lies outside "
        f"2**-{SAFE_EXPONENT}..2**{SAFE_EXPONENT}, where float64 sums and their products could "
        "overflow or underflow): the metrics are unchanged, and weighted counts (support, "
        f"predicted) are in units of 2**{-shift}")


def check_weight_range(w: np.ndarray, where: str) -> None:
    """For passes that read weights part by part (shards, Dask blocks), where no single scale
    can be chosen before the pass: weights outside the safe range are an input error."""
    largest = float(np.max(w)) if w.size else 0.0
    if weight_shift(largest) != 0:
        raise InputError(
            f"{where}: weights: expected weights whose largest lies between 2**-{SAFE_EXPONENT} and "
            f"2**{SAFE_EXPONENT} for a report read in parts; got {largest:.3g}. Multiply every weight "
            "by the same number (the metrics do not change), or report the arrays in one piece.")


def undefined_result(res: EngineResult) -> EngineResult:
    """The result of a pass whose weights sum to 0: every metric, view and baseline undefined
    (NaN), per-class ratios undefined, no calibration or thresholds (finding HC207 says why)."""
    nan = float("nan")
    ratios = ("precision", "recall", "f1")
    # the counts are all 0 too: findings about empty or collapsed classes would only repeat HC207
    facts = replace(res.facts, accuracy=None, majority_rate=None, total_weight=0.0,
                    class_counts=None, predicted_counts=None,
                    extra={k: v for k, v in res.facts.extra.items() if k != "thresholds"})
    return replace(
        res,
        metrics={k: nan for k in res.metrics},
        views={k: replace(v, value=nan) for k, v in res.views.items()},
        baselines={k: replace(b, value=nan) for k, b in res.baselines.items()},
        per_class=[{k: (nan if k in ratios else v) for k, v in row.items()} for row in res.per_class],
        calibration=None, thresholds=None, bounds={}, facts=facts,
        notes=tuple(n for n in res.notes if "undefined" not in n) + (
            "every sample weight is 0: no metric is defined (HC207)",),
    )
