"""Overhead of `headcheck.keras.HeadCheck` on a small real Keras training.

The demo's model and data size (`headcheck.demo_keras`: 800 training rows, a validation set of
400, batch 32, a 16-16-10 softmax network), trained with and without the callback in the same run,
alternating, from the same initial weights. An epoch is timed from the first callback's
`on_epoch_begin` to the last callback's `on_epoch_end`, so it includes Keras's own validation and
everything HeadCheck does at the epoch's end (its forward pass over the validation set, the
engine pass, the training rules). The first epoch of each fit is left out (compilation, warm-up);
the one-time cost at `on_train_begin` (reading the head, the head findings) is reported apart.

    python bench/bench_keras_callback.py [--quick] [--rounds 7] [--epochs 6]
    KERAS_BACKEND=jax python bench/bench_keras_callback.py

Prints the median epoch time with and without the callback and the overhead in percent (goal:
under 3 %). Machines here are shared: the figures move with the load; compare the ratio.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402


def make_timers(keras, begins: list, ends: list):
    class Begin(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            begins.append(time.perf_counter())

    class End(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            ends.append(time.perf_counter())

    return Begin(), End()


def one_fit(keras, with_callback: bool, epochs: int) -> tuple[list[float], float]:
    from headcheck.demo_keras import SCENARIOS
    from headcheck.keras import HeadCheck

    keras.utils.set_random_seed(0)
    setup = SCENARIOS[0].build(keras)  # softmax_bce: 10 classes, the demo's sizes
    # the same head with a fitting loss and metric: the overhead of a clean run
    setup.model.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy",
                        metrics=["categorical_accuracy"])
    begins, ends = [], []
    first, last = make_timers(keras, begins, ends)
    callbacks = [first] + ([HeadCheck(verbose=0)] if with_callback else []) + [last]
    start = time.perf_counter()
    setup.model.fit(*setup.train, validation_data=setup.validation, epochs=epochs,
                    batch_size=setup.batch_size, verbose=0, callbacks=callbacks)
    total = time.perf_counter() - start
    epoch_times = [e - b for b, e in zip(begins, ends)][1:]  # drop the warm-up epoch
    before_first_epoch = begins[0] - start
    return epoch_times, before_first_epoch


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 rounds of 4 epochs")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--epochs", type=int, default=6)
    args = ap.parse_args(argv)
    rounds, epochs = (3, 4) if args.quick else (args.rounds, args.epochs)
    import keras

    from headcheck.demo_keras import N_TRAIN, N_VAL

    one_fit(keras, True, 2)  # warm-up of both code paths (imports, compiled functions)
    one_fit(keras, False, 2)
    plain, checked, start_plain, start_checked = [], [], [], []
    for _ in range(rounds):  # alternate, so that a change of machine load hits both sides
        t, s = one_fit(keras, False, epochs)
        plain += t
        start_plain.append(s)
        t, s = one_fit(keras, True, epochs)
        checked += t
        start_checked.append(s)
    p, c = statistics.median(plain), statistics.median(checked)
    begin = statistics.median(start_checked) - statistics.median(start_plain)
    print(f"HeadCheck overhead, Keras {keras.__version__} ({keras.backend.backend()} backend), "
          f"{N_TRAIN} training rows, {N_VAL} validation rows, batch 32, {rounds} rounds x "
          f"{epochs - 1} timed epochs, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'':28}{'median epoch':>14}{'ratio':>9}")
    print(f"{'without the callback':28}{p * 1e3:>11.1f} ms{1.0:>9.3f}")
    print(f"{'with HeadCheck()':28}{c * 1e3:>11.1f} ms{c / p:>9.3f}")
    print(f"epoch overhead: {100 * (c / p - 1):+.1f} % (goal: under 3 %); once at on_train_begin: "
          f"{begin * 1e3:+.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
