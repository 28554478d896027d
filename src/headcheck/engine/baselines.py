"""Baselines: the scores of trivial predictors, to read the model's numbers against."""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from headcheck.engine._common import safe_div
from headcheck.engine._result import Baseline


def majority_class_phrase(counts: Sequence[float], name: Callable[[int], str]) -> str:
    """Which class the majority-class predictor predicts, said honestly when classes tie for the
    most frequent (tiny or balanced data): 'class 1 (the most frequent)', 'class 0 (tied with
    class 2 as the most frequent)', 'one class (all 3 classes are equally frequent)'.

    >>> majority_class_phrase([1, 1, 1], str), majority_class_phrase([2, 1, 2], str)
    ('one class (all 3 classes are equally frequent)', 'class 0 (tied with class 2 as the most frequent)')
    """
    top = max(counts)
    tied = [i for i, c in enumerate(counts) if c == top]
    if len(tied) == len(counts) > 1:
        return f"one class (all {len(counts)} classes are equally frequent)"
    if len(tied) > 1:
        others = ", ".join(f"class {name(i)}" for i in tied[1:])
        return f"class {name(tied[0])} (tied with {others} as the most frequent)"
    return f"class {name(tied[0])} (the most frequent)"


def single_label_baselines(profile, support: np.ndarray) -> dict[str, Baseline]:
    """Accuracy of majority, uniform and prior-matching guessing for binary / multiclass."""
    K = len(support)
    prior = safe_div(support, support.sum())
    top = int(np.argmax(prior))
    name = profile.class_name(top)
    which = majority_class_phrase([float(c) for c in support], lambda i: repr(profile.class_name(i)))
    return {
        "majority_class": Baseline(
            float(prior[top]), f"always predicting {which} scores {prior[top]:.2f} accuracy here",
            {"class": top, "name": name}),
        "uniform_chance": Baseline(
            1.0 / K, f"guessing uniformly among {K} classes scores {1.0 / K:.2f} on average", {}),
        "prior_matching": Baseline(
            float((prior**2).sum()),
            f"guessing at random with the class frequencies scores {(prior**2).sum():.2f} on "
            "average (sum of squared priors)", {}),
    }
