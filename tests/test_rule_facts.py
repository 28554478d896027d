"""The framework facts the rule messages state, checked against the frameworks themselves."""
from __future__ import annotations

import doctest
import importlib
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")


@pytest.mark.parametrize("module", ["headcheck.head", "headcheck.resolution", "headcheck._check"])
def test_doctests(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0


def test_hc103_softmax_over_one_unit_is_constant() -> None:
    torch = pytest.importorskip("torch")
    x = torch.randn(50, 1) * 10
    assert torch.equal(torch.softmax(x, dim=1), torch.ones(50, 1))


def test_hc105_double_softmax_cannot_reach_the_minimum() -> None:
    torch = pytest.importorskip("torch")
    k = 10
    perfect = torch.eye(k)  # softmax output that is exactly right
    target = torch.arange(k)
    loss = torch.nn.CrossEntropyLoss()(perfect, target)  # applies log-softmax a second time
    assert loss.item() == pytest.approx(-np.log(np.e / (np.e + k - 1)), rel=1e-5)
    assert loss.item() > 1.0  # far from 0, however good the model


def test_hc203_bce_with_negative_targets_is_unbounded_below() -> None:
    torch = pytest.importorskip("torch")
    fn = torch.nn.BCEWithLogitsLoss()
    target = torch.tensor([-1.0])
    losses = [fn(torch.tensor([z]), target).item() for z in (0.0, -5.0, -50.0)]
    assert losses[0] > losses[1] > losses[2] and losses[2] < -40


def test_hc302_binary_accuracy_floor_on_one_hot() -> None:
    keras = pytest.importorskip("keras")
    k = 10
    y = np.eye(k, dtype="float32")[np.arange(100) % k]
    m = keras.metrics.BinaryAccuracy()
    m.update_state(y, np.zeros_like(y))  # predicting "no" for every class
    assert float(m.result()) == pytest.approx((k - 1) / k)


def test_hc303_categorical_accuracy_compares_with_the_first_positive_label() -> None:
    keras = pytest.importorskip("keras")
    y = np.array([[0, 1, 1]], dtype="float32")
    for top, expected in ((1, 1.0), (2, 0.0)):  # label 2 is positive too, yet scores 0
        pred = np.full((1, 3), 0.1, dtype="float32")
        pred[0, top] = 0.9
        m = keras.metrics.CategoricalAccuracy()
        m.update_state(y, pred)
        assert float(m.result()) == expected


def test_hc304_binary_accuracy_thresholds_logits_at_half() -> None:
    keras = pytest.importorskip("keras")
    y = np.array([[1.0], [1.0]], dtype="float32")
    logits = np.array([[0.3], [2.0]], dtype="float32")  # both positive (p = 0.57, 0.88)
    at_half = keras.metrics.BinaryAccuracy()
    at_half.update_state(y, logits)
    at_zero = keras.metrics.BinaryAccuracy(threshold=0.0)
    at_zero.update_state(y, logits)
    assert float(at_half.result()) == 0.5 and float(at_zero.result()) == 1.0


def test_hc306_torchmetrics_averaging_defaults_differ() -> None:
    tm = pytest.importorskip("torchmetrics")
    torch = pytest.importorskip("torch")
    target = torch.tensor([0] * 8 + [1, 2])
    preds = torch.zeros(10, dtype=torch.long)  # always class 0
    micro = tm.Accuracy(task="multiclass", num_classes=3)(preds, target).item()
    macro = tm.classification.MulticlassAccuracy(num_classes=3)(preds, target).item()
    assert micro == pytest.approx(0.8) and macro == pytest.approx(1 / 3)


# HC404: the untrained expectations, measured on real untrained heads (random inputs, default
# initialisation). Binary cross-entropy averages over the outputs in both frameworks: log 2, not
# K·log 2. The rule's bounds are calibrated by bench/bench_hc404_bounds.py; here: its claims.
def _hc404_fires(loss: str, units: int, value: float) -> bool:
    from headcheck.head import HeadSpec
    from headcheck.history import TrainingHistory
    from headcheck.rules import Context
    from headcheck.rules.hc404_initial_loss_off import InitialLossOff

    ctx = Context(head=HeadSpec.declared(units=units, loss=loss), history=TrainingHistory(first_batch_loss=value))
    return any(True for _ in InitialLossOff().check(ctx))


def test_hc404_keras_untrained_losses_are_near_their_expectation() -> None:
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 32)).astype("float32")
    k = 10
    y_int = rng.integers(0, k, 256)
    y_multi = (rng.random((256, k)) < 0.3).astype("float32")
    keras.utils.set_random_seed(0)
    cases = [("softmax", "sparse_categorical_crossentropy", y_int, np.log(k)),
             ("sigmoid", "binary_crossentropy", y_multi, np.log(2))]
    for act, loss, y, expected in cases:
        model = keras.Sequential([keras.Input((32,)), keras.layers.Dense(k, activation=act)])
        model.compile(loss=loss)
        value = float(model.evaluate(x, y, verbose=0))
        assert not _hc404_fires(loss, k, value), (loss, value, expected)
        assert abs(value - expected) < 0.5 * expected  # near the expectation, not just within bounds
    # the seeded bug: softmax under binary cross-entropy starts far below log 2
    model = keras.Sequential([keras.Input((32,)), keras.layers.Dense(k, activation="softmax")])
    model.compile(loss="binary_crossentropy")
    value = float(model.evaluate(x, np.eye(k, dtype="float32")[y_int], verbose=0))
    from headcheck.rules.hc404_initial_loss_off import bce_low

    assert value / np.log(2) < bce_low(k) and _hc404_fires("binary_crossentropy", k, value)


def test_hc404_torch_untrained_losses_are_near_their_expectation() -> None:
    torch = pytest.importorskip("torch")
    from headcheck.rules.hc404_initial_loss_off import BCE_MIN_OUTPUTS, bce_low

    torch.manual_seed(0)
    k = 10
    x = torch.randn(256, 32)
    head = torch.nn.Linear(32, k)
    with torch.no_grad():
        logits = head(x)
        ce = torch.nn.CrossEntropyLoss()(logits, torch.randint(0, k, (256,))).item()
        bce = torch.nn.BCEWithLogitsLoss()(logits, (torch.rand(256, k) < 0.3).float()).item()
        summed = torch.nn.BCEWithLogitsLoss(reduction="sum")(logits, torch.zeros(256, k)).item()
        # softmax outputs under a per-output BCE: about 1/K on each output
        onehot = torch.nn.functional.one_hot(torch.randint(0, k, (256,)), k).float()
        shared = torch.nn.BCELoss()(torch.softmax(logits, 1), onehot).item()
    assert abs(ce - np.log(k)) < 0.2 and not _hc404_fires("nn.CrossEntropyLoss", k, ce)
    assert abs(bce - np.log(2)) < 0.1 and not _hc404_fires("nn.BCEWithLogitsLoss", k, bce)
    assert summed > 100 * np.log(2)  # a sum grows with the batch: HC404 does not read it
    # the value the lower bound is for: (log K + (K-1) log(K/(K-1))) / K, far below log 2
    uniform = (np.log(k) + (k - 1) * np.log(k / (k - 1))) / k
    assert abs(shared - uniform) < 0.05 and shared / np.log(2) < bce_low(k) and _hc404_fires("nn.BCELoss", k, shared)
    # correct heads on small batches: a categorical loss may start far below log K by chance (never
    # below 0), a binary loss over BCE_MIN_OUTPUTS outputs or more stays above the lower bound
    lowest = 1.0
    for seed in range(100):
        torch.manual_seed(seed)
        head, xb = torch.nn.Linear(32, BCE_MIN_OUTPUTS), torch.randn(16, 32)
        with torch.no_grad():
            z = head(xb)
            ce = torch.nn.CrossEntropyLoss()(z, torch.randint(0, BCE_MIN_OUTPUTS, (16,))).item()
            bce = torch.nn.BCEWithLogitsLoss()(z, (torch.rand(16, BCE_MIN_OUTPUTS) < 0.3).float()).item()
        lowest = min(lowest, bce / np.log(2))
        assert not _hc404_fires("nn.CrossEntropyLoss", BCE_MIN_OUTPUTS, ce), (seed, ce)
        assert not _hc404_fires("nn.BCEWithLogitsLoss", BCE_MIN_OUTPUTS, bce), (seed, bce)
    assert lowest > bce_low(BCE_MIN_OUTPUTS) + 0.1  # a margin, not a near miss
