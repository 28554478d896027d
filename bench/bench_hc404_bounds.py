"""Calibration of HC404 (initial-loss-off): how often it fires on correct untrained heads (false
alarms) and on untrained heads with a seeded bug (detection), on real untrained PyTorch and Keras
models.

Not a speed benchmark: the rule's bounds are a statistical claim ("a correct fresh head does not
start below this"), and this script is the measurement behind them. For every seed, architecture
(linear, tiny / small / deep MLP, small CNN), input scale (standardized, in [0, 1], unscaled
1..8), number of classes K and label distribution (uniform, from a random teacher, imbalanced
70 %), one forward pass of the untrained model gives per-sample losses; the first-batch loss is
their mean over the first n rows, for n in 4..128. The rule itself (`InitialLossOff.check`) then
reads each value with its head (loss and number of outputs), as the live checks give them.
Constants were chosen on seeds 0..49; read the figures of other seeds (`--first-seed 50`).

    python bench/bench_hc404_bounds.py [--quick] [--seeds 50] [--first-seed 0] [--no-keras]

Correct heads: torch log_softmax + NLLLoss, logits + BCEWithLogitsLoss (K outputs, multi-label
targets), one logit + BCEWithLogitsLoss; Keras softmax + sparse categorical cross-entropy,
sigmoid + binary cross-entropy. Seeded bugs: softmax outputs under a per-output BCE (one-hot),
NLLLoss given probabilities (softmax) or raw logits (no log_softmax), Keras softmax +
binary_crossentropy, Keras linear outputs under a categorical loss without from_logits.
Softmax under a per-output BCE is the same loss as a categorical one at K = 2 and scores close to
log 2 up to K = 6: those rows are not expected to fire. "high" on unscaled inputs is the finding
meant for them (saturated outputs: scale the inputs).
"""
from __future__ import annotations

import argparse
import collections
import json
import math
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("KERAS_BACKEND", "torch")

from headcheck.head import HeadSpec  # noqa: E402
from headcheck.history import TrainingHistory  # noqa: E402
from headcheck.rules import Context  # noqa: E402
from headcheck.rules.hc404_initial_loss_off import InitialLossOff  # noqa: E402

BATCHES = (4, 8, 16, 32, 64, 128)
ARCHS = ("linear", "mlp_tiny", "mlp_small", "mlp_deep", "cnn")
INPUTS = ("standardized", "unit_interval", "unscaled")
LABELS = ("uniform", "teacher", "imbalanced")
RULE = InitialLossOff()


def fires(loss: str, units: int, value: float) -> str:
    """'low', 'high' or '' (silent): which side of its bounds the rule read the value on."""
    head = HeadSpec.declared(units=units, loss=loss)
    ctx = Context(head=head, history=TrainingHistory(first_batch_loss=value))
    for finding in RULE.check(ctx):
        return "high" if "above" in finding.message else "low"
    return ""


def inputs(rng: np.random.Generator, how: str, n: int, d: int) -> np.ndarray:
    x = {"standardized": lambda: rng.standard_normal((n, d)), "unit_interval": lambda: rng.random((n, d)),
         "unscaled": lambda: 1 + 7 * rng.random((n, d))}[how]()
    return x.astype("float32")


def labels(rng: np.random.Generator, x: np.ndarray, k: int, how: str) -> np.ndarray:
    n, d = x.shape
    if how == "uniform":
        return rng.integers(0, k, n)
    if how == "teacher":  # labels that depend on the inputs, as real labels do
        return ((x - x.mean(0)) @ rng.standard_normal((d, k))).argmax(1)
    return rng.choice(k, n, p=[0.7] + [0.3 / (k - 1)] * (k - 1))


def multi_hot(rng: np.random.Generator, n: int, k: int, how: str) -> np.ndarray:
    rate = {"uniform": 0.5, "teacher": 0.3, "imbalanced": 0.15}[how]
    return (rng.random((n, k)) < rate).astype("float32")


def torch_cases(seeds: range, ks: tuple[int, ...]):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.set_num_threads(1)

    def body(arch: str, d: int, k: int) -> nn.Module:
        layers = {"linear": lambda: [nn.Linear(d, k)],
                  "mlp_tiny": lambda: [nn.Linear(d, 4), nn.ReLU(), nn.Linear(4, k)],
                  "mlp_small": lambda: [nn.Linear(d, 16), nn.ReLU(), nn.Linear(16, k)],
                  "mlp_deep": lambda: [nn.Linear(d, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, k)],
                  "cnn": lambda: [nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(),
                                  nn.Linear(144, k)]}[arch]()
        return nn.Sequential(*layers)

    for seed in seeds:
        for arch in ARCHS:
            for how_x in INPUTS:
                for k in ks:
                    for how_y in LABELS:
                        rng = np.random.default_rng([seed, ARCHS.index(arch), INPUTS.index(how_x), k,
                                                     LABELS.index(how_y)])
                        d = 64 if arch == "cnn" else 8
                        x = inputs(rng, how_x, max(BATCHES), d)
                        y = torch.as_tensor(labels(rng, x, k, how_y))
                        ym = torch.as_tensor(multi_hot(rng, len(x), k, how_y))
                        torch.manual_seed(seed)
                        model = body(arch, d, k)
                        with torch.no_grad():
                            z = model(torch.as_tensor(x))
                            logp = F.log_softmax(z, 1)
                            p = logp.exp()
                            key = (how_x, k)
                            yield ("torch log_softmax + NLLLoss", True, "nn.NLLLoss", k, key,
                                   F.nll_loss(logp, y, reduction="none").numpy())
                            yield ("torch logits + BCEWithLogitsLoss (K outputs)", True, "nn.BCEWithLogitsLoss", k,
                                   key, F.binary_cross_entropy_with_logits(z, ym, reduction="none").mean(1).numpy())
                            yield ("torch softmax + BCELoss (one-hot)", False, "nn.BCELoss", k, key,
                                   F.binary_cross_entropy(p, F.one_hot(y, k).float(), reduction="none").mean(1).numpy())
                            yield ("torch softmax + NLLLoss", False, "nn.NLLLoss", k, key,
                                   F.nll_loss(p, y, reduction="none").numpy())
                            yield ("torch logits + NLLLoss", False, "nn.NLLLoss", k, key,
                                   F.nll_loss(z, y, reduction="none").numpy())
                        if k == ks[0]:  # one logit for a binary task
                            torch.manual_seed(seed)
                            one = body(arch, d, 1)
                            yb = torch.as_tensor(multi_hot(rng, len(x), 1, how_y)[:, 0])
                            with torch.no_grad():
                                z1 = one(torch.as_tensor(x))[:, 0]
                            yield ("torch one logit + BCEWithLogitsLoss", True, "nn.BCEWithLogitsLoss", 1, (how_x, 1),
                                   F.binary_cross_entropy_with_logits(z1, yb, reduction="none").numpy())


def keras_cases(seeds: range, ks: tuple[int, ...]):
    import keras

    def model(arch: str, d: int, k: int, activation: str):
        hidden = {"linear": [], "mlp_small": [keras.layers.Dense(16, activation="relu")],
                  "mlp_deep": [keras.layers.Dense(64, activation="relu"), keras.layers.Dense(64, activation="relu")]}
        return keras.Sequential([keras.Input((d,)), *hidden[arch], keras.layers.Dense(k, activation=activation)])

    scce = keras.losses.SparseCategoricalCrossentropy(reduction=None)
    cce = keras.losses.CategoricalCrossentropy(reduction=None)
    bce = keras.losses.BinaryCrossentropy(reduction=None)
    np_ = keras.ops.convert_to_numpy
    for seed in seeds:
        for arch in ("linear", "mlp_small", "mlp_deep"):
            for how_x in ("standardized", "unscaled"):
                for k in ks:
                    for how_y in ("uniform", "imbalanced"):
                        rng = np.random.default_rng([seed, 99, INPUTS.index(how_x), k, LABELS.index(how_y)])
                        x = inputs(rng, how_x, max(BATCHES), 8)
                        y = labels(rng, x, k, how_y)
                        ym = multi_hot(rng, len(x), k, how_y)
                        keras.utils.set_random_seed(seed)
                        soft = model(arch, 8, k, "softmax")
                        keras.utils.set_random_seed(seed)
                        sig = model(arch, 8, k, "sigmoid")
                        keras.utils.set_random_seed(seed)
                        lin = model(arch, 8, k, "linear")
                        p, q, z = np_(soft(x)), np_(sig(x)), np_(lin(x))
                        key = (how_x, k)
                        yield ("keras softmax + sparse_categorical_crossentropy", True,
                               "sparse_categorical_crossentropy", k, key, np_(scce(y, p)))
                        yield ("keras sigmoid + binary_crossentropy (K outputs)", True, "binary_crossentropy", k,
                               key, np_(bce(ym, q)))
                        yield ("keras softmax + binary_crossentropy (one-hot)", False, "binary_crossentropy", k,
                               key, np_(bce(np.eye(k, dtype="float32")[y], p)))
                        yield ("keras linear + categorical_crossentropy (no from_logits)", False,
                               "categorical_crossentropy", k, key, np_(cce(np.eye(k, dtype="float32")[y], z)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=50)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--quick", action="store_true", help="10 seeds")
    ap.add_argument("--no-keras", action="store_true")
    ap.add_argument("--ks", default="2,3,10", help="numbers of classes / outputs (default 2,3,10)")
    ap.add_argument("--dump", metavar="PATH", help="also write every (case, K, n, ratio) as JSON lines")
    args = ap.parse_args()
    seeds = range(args.first_seed, args.first_seed + (10 if args.quick else args.seeds))
    ks = tuple(int(k) for k in args.ks.split(","))
    dump = open(args.dump, "w") if args.dump else None
    sources = [torch_cases(seeds, ks)]
    if not args.no_keras:
        try:
            import keras  # noqa: F401
            sources.append(keras_cases(seeds, ks))
        except ImportError:
            print("keras not installed: torch heads only")
    counts: dict = collections.defaultdict(lambda: [0, 0, 0])  # low, high, cases
    by_scale: dict = collections.defaultdict(lambda: [0, 0, 0])
    for source in sources:
        for case, correct, loss, units, (how_x, k), per_sample in source:
            for n in BATCHES:
                value = float(np.mean(per_sample[:n], dtype=np.float64))
                side = fires(loss, units, value)
                if dump is not None:
                    expected = math.log(2) if "binary" in loss or "BCE" in loss else math.log(k)
                    dump.write(json.dumps({"case": case, "correct": correct, "inputs": how_x, "k": k, "n": n,
                                           "ratio": value / expected}) + "\n")
                tallies = [counts[(correct, case, k, n >= 16)]] + ([by_scale[(how_x, n >= 16)]] if correct else [])
                for c in tallies:
                    c[0] += side == "low"
                    c[1] += side == "high"
                    c[2] += 1
    print(f"seeds {seeds.start}..{seeds.stop - 1}; first-batch sizes {BATCHES}")
    for correct, title in ((True, "FALSE ALARMS on correct untrained heads"), (False, "DETECTION of seeded bugs")):
        print(f"\n{title}: cases, share fired below (low) / above (high) the bounds")
        total = [0, 0, 0]
        for (ok, case, k, big), c in sorted(counts.items()):
            if ok is correct:
                total = [a + b for a, b in zip(total, c)]
                print(f"  {case:<58} K={k:<3} {'n>=16' if big else 'n<16 '} {_row(c)}")
        print(f"  {'all':<58} {'':<5} {'':<5} {_row(total)}")
    print("\nfalse alarms on correct heads by input scale:")
    for (how_x, big), c in sorted(by_scale.items()):
        print(f"  {how_x:<14} {'n>=16' if big else 'n<16 '} {_row(c)}")


def _row(c: list[int]) -> str:
    low, high, n = c
    return f"{n:>6}  low {low / n:7.2%}  high {high / n:7.2%}"


if __name__ == "__main__":
    main()
