"""torchmetrics: metric classes and the defaults that change what they measure.

Facts, verified on torchmetrics 1.x: `Accuracy(task=...)` defaults `average='micro'` (live, it returns the task class
with `average='micro'`); `MulticlassAccuracy` and `MultilabelAccuracy` default `'macro'`;
multilabel accuracy is per-label, exact match is `MultilabelExactMatch`; float predictions go
through a sigmoid only when some value lies outside [0, 1]; macro drops classes with
tp + fp + fn = 0 (scikit-learn counts them).
"""
from __future__ import annotations

MODULE_ROOTS = ("torchmetrics",)

# Class names (lower-cased) that only torchmetrics has.
METRICS = {
    "multiclassaccuracy": "torchmetrics.MulticlassAccuracy",
    "multilabelaccuracy": "torchmetrics.MultilabelAccuracy",
    "multilabelexactmatch": "torchmetrics.MultilabelExactMatch",
    "multiclassexactmatch": "torchmetrics.MulticlassExactMatch",
}
# Class names Keras has too: torchmetrics' only when qualified by its module or given `task=`.
SHARED = {
    "accuracy": "torchmetrics.Accuracy",
    "binaryaccuracy": "torchmetrics.BinaryAccuracy",
}
OTHER_METRICS = {
    "f1score": "f1_score",
    "binaryf1score": "f1_score",
    "multiclassf1score": "f1_score",
    "multilabelf1score": "f1_score",
    "auroc": "auc",
    "binaryauroc": "auc",
    "multiclassauroc": "auc",
    "multilabelauroc": "auc",
    "averageprecision": "average_precision",
    "matthewscorrcoef": "mcc",
    "cohenkappa": "cohen_kappa",
    "precision": "precision",
    "recall": "recall",
}
# The averaging each accuracy class uses when `average=` is not given.
DEFAULT_AVERAGE = {
    "torchmetrics.Accuracy": "micro",
    "torchmetrics.MulticlassAccuracy": "macro",
    "torchmetrics.MultilabelAccuracy": "macro",
}
AVERAGE_MEANS = {
    "micro": "the plain fraction of right decisions",
    "macro": "the mean of the per-class accuracies (balanced accuracy for multiclass)",
}
# Attributes of a live metric object that matter (the task classes keep their arguments).
METRIC_ATTRS = ("task", "average", "num_classes", "num_labels", "threshold", "top_k", "multidim_average")
# What the live task wrapper returns: `Accuracy(task='multiclass')` is a MulticlassAccuracy object
# with average='micro', so a live object's class decides the name and its `average` the meaning.


def is_balanced(name: str, average: object) -> bool:
    """Whether a torchmetrics accuracy averages per class (macro = balanced accuracy)."""
    if name == "torchmetrics.MulticlassAccuracy":
        return (average or "macro") == "macro"
    if name == "torchmetrics.Accuracy":
        return average == "macro"
    return False
