"""`headcheck demo --keras`: tiny real Keras trainings that reproduce the seed situations, each with
what Keras printed beside what the `headcheck.keras.HeadCheck` callback reported and found.

1. softmax + binary cross-entropy, reported with binary accuracy (what `metrics=['accuracy']`
   meant with that loss in Keras <= 2.3 / tf.keras <= 2.1);
2. a multi-label model with `metrics=['accuracy']` (Keras 3 builds CategoricalAccuracy);
3. a single-unit softmax: the output is always 1.0, accuracy frozen at the positive rate;
4. ordinal 1-5 star labels trained as nominal classes, collapsing to the majority class.

Deterministic (fixed seeds, synthetic data), a few seconds on the torch backend. The same builders
serve the tests (`tests/test_keras_live.py`), so the demo shows what the tests check. Runs on any
Keras 3 backend and on tf.keras 2 (`keras=` a module).
"""
from __future__ import annotations

import importlib.util
import os
import textwrap
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

WIDTH = 80
SEED = 0
N_TRAIN, N_VAL = 800, 400  # the validation set of the demo (the benchmark uses the same size)


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Setup:
    """A model ready to fit, its data and how to fit it."""

    model: Any
    train: tuple[Any, Any]
    validation: tuple[Any, Any]
    epochs: int
    batch_size: int = 32
    callback_options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    story: str
    build: Callable[[Any], Setup]
    shown: tuple[str, ...]  # Keras's logged names to show beside the honest ones


def _blobs(rng: np.random.Generator, n: int, k: int, dim: int = 16, spread: float = 2.2):
    """k Gaussian clusters in `dim` dimensions, overlapping enough that accuracy is far from 1."""
    centres = rng.normal(0, 1, (k, dim))
    y = rng.integers(0, k, n)
    x = centres[y] + rng.normal(0, spread / np.sqrt(dim) * 2, (n, dim))
    return x.astype("float32"), y


def _split(x: np.ndarray, y: np.ndarray) -> tuple[tuple, tuple]:
    return (x[:N_TRAIN], y[:N_TRAIN]), (x[N_TRAIN:], y[N_TRAIN:])


def _dense_model(keras: Any, dim: int, units: int, activation: str | None, hidden: int = 16) -> Any:
    return keras.Sequential([keras.Input((dim,)), keras.layers.Dense(hidden, activation="relu"),
                             keras.layers.Dense(units, activation=activation)])


def softmax_bce(keras: Any) -> Setup:
    rng = np.random.default_rng(SEED)
    x, y = _blobs(rng, N_TRAIN + N_VAL, 10)
    onehot = np.eye(10, dtype="float32")[y]
    model = _dense_model(keras, 16, 10, "softmax")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["binary_accuracy"])
    train, val = _split(x, onehot)
    return Setup(model, train, val, epochs=4)


def multilabel_accuracy(keras: Any) -> Setup:
    rng = np.random.default_rng(SEED + 1)
    x = rng.normal(0, 1, (N_TRAIN + N_VAL, 16)).astype("float32")
    w = rng.normal(0, 1, (16, 5))
    y = ((x @ w + rng.normal(0, 2, (len(x), 5))) > 1.5).astype("float32")
    model = _dense_model(keras, 16, 5, "sigmoid")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    train, val = _split(x, y)
    return Setup(model, train, val, epochs=4)


def single_unit_softmax(keras: Any) -> Setup:
    rng = np.random.default_rng(SEED + 2)
    n = N_TRAIN + N_VAL
    y = (rng.random(n) < 0.62).astype("float32")  # positives are the majority
    x = (rng.normal(0, 1, (n, 16)) + 0.8 * y[:, None]).astype("float32")
    model = _dense_model(keras, 16, 1, "softmax")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    train, val = _split(x, y)
    return Setup(model, train, val, epochs=6)


def ordinal_collapse(keras: Any) -> Setup:
    rng = np.random.default_rng(SEED + 3)
    n = N_TRAIN + N_VAL
    stars = rng.choice(5, size=n, p=[0.08, 0.06, 0.12, 0.23, 0.51])  # 1-5 stars as 0..4
    # features that carry nothing about the rating (a broken text pipeline: every review encodes
    # to nearly the same vector), so the cheapest loss is the class prior
    x = rng.normal(0, 0.05, (n, 16)).astype("float32")
    model = _dense_model(keras, 16, 5, "softmax")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    train, val = _split(x, stars)
    return Setup(model, train, val, epochs=6, callback_options={"task": "ordinal"})


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("softmax_bce", "1. softmax + binary cross-entropy, reported with binary accuracy",
             "10 classes, one-hot labels, Dense(10, softmax) trained with binary_crossentropy and "
             "reported with binary_accuracy (what metrics=['accuracy'] became with that loss in "
             "Keras <= 2.3): the mean of 10 yes/no decisions, 0.90 for predicting nothing.",
             softmax_bce, ("val_binary_accuracy",)),
    Scenario("multilabel_accuracy", "2. multi-label model with metrics=['accuracy']",
             "5 independent labels, Dense(5, sigmoid) + binary_crossentropy + 'accuracy': Keras "
             "3 builds CategoricalAccuracy from the shapes, which compares the top score with the "
             "FIRST positive label.", multilabel_accuracy, ("val_accuracy",)),
    Scenario("single_unit_softmax", "3. single-unit softmax",
             "Dense(1, softmax): the output is always 1.0, so every sample is called positive and "
             "accuracy is frozen at the positive rate, epoch after epoch.",
             single_unit_softmax, ("val_accuracy",)),
    Scenario("ordinal_collapse", "4. 1-5 star ratings collapsing to one class",
             "Star ratings trained as 5 unordered classes on features that carry no signal: the "
             "model settles on 5 stars (about half of the reviews) and validation accuracy stays "
             "at that share, epoch after epoch.",
             ordinal_collapse, ("val_accuracy",)),
)


@dataclass(frozen=True)
class Run:
    """A finished demo training: what Keras logged and what the callback found."""

    scenario: Scenario
    history: dict[str, list[float]]
    callback: Any  # the HeadCheck instance


def train(scenario: Scenario, keras: Any, **options: Any) -> Run:
    """Fit the scenario's model with a HeadCheck callback (not printing: the demo shows it)."""
    from headcheck.keras import HeadCheck

    keras.utils.set_random_seed(SEED)
    setup = scenario.build(keras)
    callback = HeadCheck(verbose=0, **{**setup.callback_options, **options})
    with warnings.catch_warnings():
        # Keras (torch backend) warns about the single-unit softmax at every batch: the demo
        # shows what the callback says instead
        warnings.filterwarnings("ignore", message="You are using a softmax over axis")
        history = setup.model.fit(*setup.train, validation_data=setup.validation, epochs=setup.epochs,
                                  batch_size=setup.batch_size, verbose=0, callbacks=[callback])
    return Run(scenario, {k: [float(v) for v in vs] for k, vs in history.history.items()}, callback)


def _fill(text: str, indent: str = "") -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")


def render(run: Run) -> str:
    sc, hist = run.scenario, run.history
    out = ["=" * WIDTH, sc.title, "=" * WIDTH, _fill(sc.story), "",
           "epoch  " + "  ".join(f"{name:>22}" for name in sc.shown + _honest(hist))]
    n = len(hist.get("loss", []))
    for e in range(n):
        row = [f"{hist[k][e]:>22.4f}" if k in hist and e < len(hist[k]) else f"{'':>22}"
               for k in sc.shown + _honest(hist)]
        out.append(f"{e + 1:>5}  " + "  ".join(row))
    out += ["", "What HeadCheck found:"]
    for f in run.callback.findings:
        first = f.message.split(" Fix: ")[0]
        out.append(_fill(f"{f.code} {f.name} [{f.severity.value}]: {first}", "  "))
        out.append(_fill(f"fix: {f.fix}", "      "))
    if not run.callback.findings:
        out.append("  nothing")
    return "\n".join(out)


def _honest(hist: dict) -> tuple[str, ...]:
    return tuple(k for k in hist if k.startswith("hc_"))[:2]


def pick_backend() -> None:
    """Keras 3 needs a backend: keep the user's KERAS_BACKEND, else the first one installed."""
    if os.environ.get("KERAS_BACKEND"):
        return
    for name, module in (("torch", "torch"), ("jax", "jax"), ("tensorflow", "tensorflow")):
        if importlib.util.find_spec(module) is not None:
            os.environ["KERAS_BACKEND"] = name
            return


def keras_available() -> bool:
    return importlib.util.find_spec("keras") is not None


def run_keras_demo() -> str:
    """The Keras part of the demo as text; a note when Keras is not installed."""
    if not keras_available():
        return _fill("headcheck demo --keras: skipped, Keras is not installed (pip install "
                     "headcheck[keras] torch, or tensorflow / jax as the backend).")
    pick_backend()
    import keras

    head = _fill(f"headcheck demo --keras: tiny real trainings (Keras {keras.__version__}, "
                 f"{keras.backend.backend()} backend) with the headcheck.keras.HeadCheck callback. "
                 "For each: what Keras logged (val_*) beside the honest metrics the callback logged "
                 "(hc_*), and what it found.")
    parts = [head, ""]
    for sc in SCENARIOS:
        parts += [render(train(sc, keras)), ""]
    parts.append(_fill("Add it to your own fit: callbacks=[headcheck.keras.HeadCheck()]."))
    return "\n".join(parts)
