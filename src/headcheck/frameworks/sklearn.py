"""scikit-learn: metric functions and their conventions.

`accuracy_score` on a multilabel-indicator matrix is subset (exact-match) accuracy;
`hamming_loss` is the fraction of wrong labels; `top_k_accuracy_score` breaks ties towards the
higher class index; `balanced_accuracy_score` rejects multilabel input; macro averages count a
class with no sample as 0 (with a warning) where torchmetrics drops it.
"""
from __future__ import annotations

MODULE_ROOTS = ("sklearn",)

METRICS = {
    "accuracyscore": "sklearn.accuracy_score",
    "balancedaccuracyscore": "sklearn.balanced_accuracy_score",
    "topkaccuracyscore": "sklearn.top_k_accuracy_score",
}
OTHER_METRICS = {
    "f1score": "f1_score",
    "fbetascore": "fbeta_score",
    "rocaucscore": "auc",
    "averageprecisionscore": "average_precision",
    "matthewscorrcoef": "mcc",
    "cohenkappascore": "cohen_kappa",
    "precisionscore": "precision",
    "recallscore": "recall",
    "hammingloss": "hamming_loss",
}
# What `accuracy_score` means per task kind.
ACCURACY_MEANING = {
    "binary": "the fraction of right predictions",
    "multiclass": "the fraction of right predictions",
    "multilabel": "subset (exact-match) accuracy: a sample counts only when every label is right",
}
