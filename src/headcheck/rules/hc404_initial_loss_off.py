from __future__ import annotations

import math
from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.history import TrainingHistory
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx
from headcheck.rules._util import n_classes, pick

# The untrained loss is flagged above HIGH times its expectation. An untrained head's outputs are
# near uniform but not exactly: random logits of standard deviation s raise the expected
# cross-entropy by about s^2 / 2 (1.3x log K for K = 10 at s = 1.3, a common Keras
# initialisation), so the upper bound leaves room for unscaled but sane initialisations.
#
# Below the expectation there is no fixed ratio a correct fresh head respects: a cross-entropy is
# at least log K only on average over labels the head knows nothing about (Jensen). One small
# batch, labels that are imbalanced or a near-linear function of the inputs, and saturated outputs
# (unscaled inputs) let a correct head start far lower by chance: real untrained torch and Keras
# heads gave 0.2x log K on batches of 8 and 0.17x on batches of 16 or more (bench/bench_hc404_bounds.py:
# 50 seeds x 5 architectures x 3 input scales x K in 2..16 x 3 label distributions); a fixed 0.7x
# bound fired on 0.4-0.9 % of them. So the lower side reads only what a correct head cannot give:
# - a negative cross-entropy (impossible: -log p >= 0), or one under FLOOR x its expectation (a
#   fresh head would have to be confidently right on nearly every sample of the batch: measured
#   only on batches of 4 with saturated outputs, 0.06 % of them): the signature of NLLLoss given
#   probabilities (about -1/K) or raw logits (about 0) instead of log-probabilities;
# - a binary cross-entropy over K >= BCE_MIN_OUTPUTS outputs below bce_low(K) x log 2: softmax
#   outputs read as independent probabilities put about 1/K on each output, which scores
#   (log K + (K-1) log(K/(K-1))) / K, 0.54x log 2 at K = 8 and 0.47x at K = 10 (up to 0.68x when the
#   inputs already separate the classes). A correct head's outputs err independently at
#   initialisation (one weight row each), so the mean over K outputs strays from log 2 by about
#   1/sqrt(K): its lowest measured start was 0.62x at K = 8 and 0.72x at K = 10, under
#   1 - BCE_NOISE / sqrt(K) nowhere. With fewer outputs the two overlap (softmax over 4 outputs
#   scores 0.81x, a correct head went down to 0.36x) and the rule stays silent.
FLOOR = 0.05
BCE_NOISE = 1.1
BCE_CAP = 0.7  # the bound for many outputs, where the measurement ends (K > 10 was not measured)
BCE_MIN_OUTPUTS = 8
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
    output, not K·log 2). It flags a first loss above 3 times that expectation, and below it only
    what a correct head cannot give: a negative loss (a cross-entropy is never negative) or one
    under 0.05 times the expectation (an untrained head is not right on nearly every sample), or
    a binary cross-entropy over K >= 8 outputs below min(0.7, 1 - 1.1/sqrt(K)) times log 2 (0.61
    at K = 8, 0.65 at K = 10), where a correct head's per-output noise has averaged out. With
    only the first epoch's mean loss (training has already lowered it) only the upper bound and
    a negative loss are read.

    ## Why is this bad?
    The initial loss is a free test of the wiring. Far above the expectation: logits fed where the
    loss expects probabilities (Keras clips them to 1e-7), labels out of range or on the wrong
    scale, a loss summed instead of averaged, or inputs so large that the outputs saturate.
    Negative or near 0: the loss is not reading log-probabilities (`NLLLoss` given softmax
    probabilities or raw logits instead of `log_softmax` outputs). Far below log 2 over many
    outputs: softmax outputs under a binary cross-entropy (each output is about 1/K, so the loss
    looks small while the model learns the wrong likelihood).

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
    targets). A correct fresh head can start well below log K by chance (a small batch, imbalanced
    labels, saturated outputs), so a low positive categorical loss is not read, and softmax under
    a binary loss over fewer than 8 outputs scores too close to log 2 to tell from noise (HC101
    finds it from the head itself).

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
        # an epoch mean has been lowered by training: of its low side only the impossible is read
        low = _why_low(ctx, value, ratio) if what == "the first batch's loss" else \
            (_WHY_NEGATIVE if value < 0 else None)
        if low is None and ratio <= HIGH:
            return
        direction = "below" if low else "above"
        message = (f"{what.capitalize()} is {value:.4f}, {ratio:.2f}x the {expected[0]:.4f} ({expected[1]}) an "
                   f"untrained head gives with this loss: far {direction} it, which points to {low or _WHY_HIGH}.")
        yield self.finding(message, _fix(ctx, low is not None))

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
        Case(ctx(activation="log_softmax", units=3, loss="nn.NLLLoss", history=TrainingHistory(first_batch_loss=0.69)),
             note="a correct fresh head on a small batch can start at 0.63x log 3 by chance"),
        Case(ctx(activation="sigmoid", units=1, loss="binary_crossentropy",
                 history=TrainingHistory(first_batch_loss=0.35)),
             note="one output: imbalanced labels and a biased fresh head start low by chance"),
    ]
    INVALID = [
        Case(ctx(activation="softmax", units=10, loss="binary_crossentropy",
                 history=TrainingHistory(first_batch_loss=0.393)), message="0.57x the 0.6931 (log 2"),
        Case(ctx(activation="linear", units=10, loss="categorical_crossentropy",
                 history=TrainingHistory(first_batch_loss=8.1)), message="(log 10)"),
        Case(ctx(activation="linear", units=3, loss="nn.CrossEntropyLoss",
                 history=TrainingHistory(first_epoch_loss=45.0)), message="The first epoch's mean loss is 45.0000"),
        Case(ctx(activation="softmax", units=10, loss="nn.NLLLoss",
                 history=TrainingHistory(first_batch_loss=-0.1)), message="a cross-entropy is never negative"),
        Case(ctx(activation="linear", units=2, loss="nn.NLLLoss",
                 history=TrainingHistory(first_batch_loss=0.02)), message="nowhere near 0"),
    ]


_WHY_HIGH = ("logits fed where the loss expects probabilities, labels out of range or on the wrong scale, "
             "a loss summed instead of averaged, or saturated outputs")
_WHY_NEGATIVE = ("a loss that is not reading log-probabilities: a cross-entropy is never negative and an "
                 "untrained head's is nowhere near 0, so the outputs are probabilities or raw logits where "
                 "log-probabilities are expected (NLLLoss needs log_softmax outputs)")
_WHY_SHARED = ("probabilities that share one unit of mass across the outputs (softmax) read as independent ones "
               "by a binary loss: each output is about 1/K, so the loss looks small while the model learns the "
               "wrong likelihood")


def _why_low(ctx: Context, value: float, ratio: float) -> str | None:
    """Why a first batch's loss is impossibly low for a correct untrained head, or None (see the
    comment on BCE_NOISE for what a correct head can give by chance)."""
    if ratio < FLOOR:
        return _WHY_NEGATIVE
    head = ctx.head
    outputs = head.units if head is not None and head.units else 0
    if head is not None and head.loss is not None and head.loss.name in _BINARY \
            and outputs >= BCE_MIN_OUTPUTS and ratio < bce_low(outputs):
        return _WHY_SHARED
    return None


def bce_low(outputs: int) -> float:
    """The lowest first loss, as a multiple of log 2, that a correct untrained head with this many
    outputs gives under a binary cross-entropy (see BCE_NOISE)."""
    return min(BCE_CAP, 1 - BCE_NOISE / math.sqrt(outputs))


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
