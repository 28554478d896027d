"""Baselines: the scores of trivial predictors, to read the model's numbers against."""
from __future__ import annotations

import numpy as np

from headcheck.engine._common import safe_div
from headcheck.engine._result import Baseline


def single_label_baselines(profile, support: np.ndarray) -> dict[str, Baseline]:
    """Accuracy of majority, uniform and prior-matching guessing for binary / multiclass."""
    K = len(support)
    prior = safe_div(support, support.sum())
    top = int(np.argmax(prior))
    name = profile.class_name(top)
    return {
        "majority_class": Baseline(
            float(prior[top]),
            f"always predicting class {name!r} (the most frequent) scores {prior[top]:.2f} "
            "accuracy here", {"class": top, "name": name}),
        "uniform_chance": Baseline(
            1.0 / K, f"guessing uniformly among {K} classes scores {1.0 / K:.2f} on average", {}),
        "prior_matching": Baseline(
            float((prior**2).sum()),
            f"guessing at random with the class frequencies scores {(prior**2).sum():.2f} on "
            "average (sum of squared priors)", {}),
    }
