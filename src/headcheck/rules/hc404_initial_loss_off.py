from __future__ import annotations

import math
from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.history import TrainingHistory
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx
from headcheck.rules._util import n_classes, pick

# The untrained loss is flagged outside [LOW, HIGH] times its expectation. An untrained head's
# outputs are near uniform but not exactly: random logits of standard deviation s raise the
# expected cross-entropy by about s^2 / 2 (1.3x log K for K = 10 at s = 1.3, a common Keras
# initialisation), so the upper bound leaves room for unscaled but sane initialisations. A
# correctly wired cross-entropy never starts below its expectation on average (it is convex in
# the logits: Jensen), so the lower bound only has to absorb the noise of one small batch; 0.7
# does (tests/test_rule_facts.py measures it on batches of 16), while softmax under a binary
# loss over 10 outputs starts at about 0.57x log 2 in real Keras (each output reads about 1/K).
LOW = 0.7
HIGH = 3.0
# Mean reductions keep the expectation per sample; a sum depends on the batch size.
_MEAN_REDUCTIONS = (None, "mean", "auto", "sum_over_batch_size", "elementwise_mean")
_CATEGORICAL = frozenset({"categorical_crossentropy", "sparse_categorical_crossentropy",
                          "torch.CrossEntropyLoss", "torch.NLLLoss"})
_BINARY = frozenset({"binary_crossentropy", "torch.BCELoss", "torch.BCEWithLogitsLoss",
                     "torch.MultiLabelSoftMarginLoss"})


class InitialLossOff(Rule):
    """The first loss is far from what an untrained head gives.

    ## What it does
    Compares the loss of the very first batch (before any update) with the loss an untrained head
    gives when its outputs are uniform: log K for a K-class cross-entropy (Keras categorical and
    sparse categorical, torch `CrossEntropyLoss`, `NLLLoss` after `log_softmax`), and log 2 for a
    binary cross-entropy over any number of outputs (Keras `binary_crossentropy` averages over the
    outputs, torch `BCELoss` / `BCEWithLogitsLoss` average over every element: both give log 2 per
    output, not K·log 2). It flags a first loss below 0.7 or above 3 times that expectation.
    With only the first epoch's mean loss (training has already lowered it) only the upper bound is
    read.

    ## Why is this bad?
    The initial loss is a free test of the wiring. Far above the expectation: logits fed where the
    loss expects probabilities (Keras clips them to 1e-7), labels out of range or on the wrong
    scale, a loss summed instead of averaged, or inputs so large that the outputs saturate. Far
    below: the loss is not measuring the distribution the head outputs, e.g. softmax outputs
    under a binary cross-entropy (each output is about 1/K, so the loss looks small while the
    model learns the wrong likelihood), or sigmoid outputs under a categorical loss.

    ## Example
    ```text
    Dense(10, activation="softmax") + binary_crossentropy: first loss 0.39, expected log 2 = 0.69
    ```

    ## Use instead
    Match the loss to the outputs (see HC101, HC102, HC104) and check the labels (HC203).

    ## Known problems
    Focal, hinge, KL and regression losses have no such expectation and are not read; neither are
    losses with `reduction='sum'` (the value depends on the batch size). Keras `class_weight`
    scales the loss by the mean weight of the batch; a strongly weighted first batch can move it.
    Label smoothing does not move the expectation (uniform outputs score log K whatever the
    targets). One output on a very small first batch (under 16 samples) can start just below the
    lower bound by chance.

    ## References
    - https://karpathy.github.io/2019/04/25/recipe/ ("verify loss @ init")
    - https://cs231n.github.io/neural-networks-3/#sanitycheck
    """

    code = "HC404"
    name = "initial-loss-off"
    severity = Severity.WARNING
    summary = "The first loss is far from its untrained expectation (log K for CE, log 2 per output for BCE)."
    fix_title = "Check that the loss matches the outputs (activation, from_logits) and the labels' range."
    needs = frozenset({"history", "head"})
    points_at = "loss"

    def check(self, ctx: Context) -> Iterator[Finding]:
        history, head = ctx.history, ctx.head
        if history is None or head is None or head.loss is None:
            return
        expected = _expectation(ctx)
        if expected is None:
            return
        value, what = _first_loss(history)
        if value is None or not math.isfinite(value):
            return  # non-finite: HC403
        ratio = value / expected[0]
        low = what == "the first batch's loss" and ratio < LOW
        if not low and ratio <= HIGH:
            return
        direction = "below" if low else "above"
        why = (_WHY_LOW if low else _WHY_HIGH)
        message = (f"{what.capitalize()} is {value:.4f}, {ratio:.2f}x the {expected[0]:.4f} ({expected[1]}) an "
                   f"untrained head gives with this loss: far {direction} it, which points to {why}.")
        yield self.finding(message, _fix(ctx, low))

    VALID = [
        Case(ctx(activation="softmax", units=10, loss="categorical_crossentropy",
                 history=TrainingHistory(first_batch_loss=2.41))),
        Case(ctx(activation="sigmoid", units=5, loss="binary_crossentropy",
                 history=TrainingHistory(first_batch_loss=0.71))),
        Case(ctx(activation="softmax", units=10, loss="categorical_crossentropy",
                 history=TrainingHistory(first_epoch_loss=0.9)), note="an epoch mean may be low: trained"),
        Case(ctx(activation="linear", units=10, loss="nn.CrossEntropyLoss(reduction='sum')",
                 history=TrainingHistory(first_batch_loss=73.7)), note="a sum depends on the batch size"),
        Case(ctx(activation="linear", units=1, loss="mse", history=TrainingHistory(first_batch_loss=40.0)),
             note="no expectation for regression losses"),
    ]
    INVALID = [
        Case(ctx(activation="softmax", units=10, loss="binary_crossentropy",
                 history=TrainingHistory(first_batch_loss=0.393)), message="0.57x the 0.6931 (log 2"),
        Case(ctx(activation="linear", units=10, loss="categorical_crossentropy",
                 history=TrainingHistory(first_batch_loss=8.1)), message="(log 10)"),
        Case(ctx(activation="linear", units=3, loss="nn.CrossEntropyLoss",
                 history=TrainingHistory(first_epoch_loss=45.0)), message="The first epoch's mean loss is 45.0000"),
        Case(ctx(activation="sigmoid", units=4, loss="nn.CrossEntropyLoss",
                 history=TrainingHistory(first_batch_loss=0.41)), message="far below it"),
    ]


_WHY_HIGH = ("logits fed where the loss expects probabilities, labels out of range or on the wrong scale, "
             "a loss summed instead of averaged, or saturated outputs")
_WHY_LOW = ("a loss that does not measure the distribution the head outputs (softmax outputs under a binary "
            "loss, sigmoid outputs under a categorical one) or labels that are too easy to predict")


def _expectation(ctx: Context) -> tuple[float, str] | None:
    """(expected untrained loss, how it is computed) for the head's loss, or None."""
    head = ctx.head
    loss = head.loss
    if loss is None or loss.reduction not in _MEAN_REDUCTIONS:
        return None
    if loss.name in _BINARY:
        return math.log(2), "log 2, averaged over the outputs"
    if loss.name in _CATEGORICAL:
        k = head.units if head.units and head.units > 1 else n_classes(ctx)
        if k is None or k < 2:
            return None
        return math.log(k), f"log {k}"
    return None


def _first_loss(history: TrainingHistory) -> tuple[float | None, str]:
    if history.first_batch_loss is not None:
        return float(history.first_batch_loss), "the first batch's loss"
    if history.first_epoch_loss is not None:
        return float(history.first_epoch_loss), "the first epoch's mean loss"
    return None, ""


def _fix(ctx: Context, low: bool) -> str:
    if low:
        return pick(ctx,
                    keras="match the loss to the outputs: softmax with categorical cross-entropy, sigmoid with "
                    "`binary_crossentropy` (see HC101 / HC102)",
                    pytorch="match the loss to the outputs: logits into `nn.CrossEntropyLoss` (single-label) or "
                    "`nn.BCEWithLogitsLoss` (multi-label), with no activation in between",
                    neutral="match the loss to the outputs (softmax with a categorical loss, sigmoid with a binary one)")
    return pick(ctx,
                keras="if the last layer has no activation pass `from_logits=True`; check that the labels fit the "
                "loss (0..K-1 or one-hot, 0/1 for binary) and that the inputs are scaled",
                pytorch="give the loss raw logits (`nn.CrossEntropyLoss`, `nn.BCEWithLogitsLoss`); check that the "
                "targets fit the loss and that the inputs are scaled; keep `reduction='mean'`",
                neutral="check that the loss gets what it expects (logits or probabilities), that the labels fit "
                "it, and that the inputs are scaled")
