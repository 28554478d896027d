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
    """Wall and CPU time (this process, all threads) at the first callback's epoch begin and the
    last callback's epoch end: CPU time moves less than wall time on a shared machine."""
    class Begin(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            begins.append((time.perf_counter(), time.process_time()))

    class End(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            ends.append((time.perf_counter(), time.process_time()))

    return Begin(), End()


def one_fit(keras, with_callback: bool, epochs: int) -> tuple[list[tuple[float, float]], float]:
    from headcheck.demo_keras import SCENARIOS
    keras.utils.set_random_seed(0)
    setup = SCENARIOS[0].build(keras)  # softmax_bce: 10 classes, the demo's sizes
    # the same head with a fitting loss and metric: the overhead of a clean run
    setup.model.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy",
                        metrics=["categorical_accuracy"])
    begins, ends = [], []
    first, last = make_timers(keras, begins, ends)
    checker = timed_headcheck()(verbose=0)
    callbacks = [first] + ([checker] if with_callback else []) + [last]
    start = time.perf_counter()
    setup.model.fit(*setup.train, validation_data=setup.validation, epochs=epochs,
                    batch_size=setup.batch_size, verbose=0, callbacks=callbacks)
    total = time.perf_counter() - start
    epoch_times = [(e[0] - b[0], e[1] - b[1]) for b, e in zip(begins, ends)][1:]  # drop the warm-up epoch
    before_first_epoch = begins[0][0] - start
    inside = checker.spent[1:] if with_callback else []
    return epoch_times, before_first_epoch, inside


def timed_headcheck():
    """HeadCheck with the time spent in its per-epoch hooks recorded (wall), epoch by epoch: the
    share of an epoch that is HeadCheck's, measured inside the same epoch (less exposed to the
    machine's load than two separate timings)."""
    from headcheck.keras import HeadCheck

    class Timed(HeadCheck):
        def __init__(self, **kw):
            super().__init__(**kw)
            self.spent = []

        def on_epoch_begin(self, epoch, logs=None):
            self.spent.append(0.0)
            t = time.perf_counter()
            super().on_epoch_begin(epoch, logs)
            self.spent[-1] += time.perf_counter() - t

        def on_train_batch_end(self, batch, logs=None):
            t = time.perf_counter()
            super().on_train_batch_end(batch, logs)
            self.spent[-1] += time.perf_counter() - t

        def on_epoch_end(self, epoch, logs=None):
            t = time.perf_counter()
            super().on_epoch_end(epoch, logs)
            self.spent[-1] += time.perf_counter() - t

    return Timed


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
    plain, checked, start_plain, start_checked, shares = [], [], [], [], []
    for _ in range(rounds):  # alternate, so that a change of machine load hits both sides
        t, s, _ = one_fit(keras, False, epochs)
        plain += t
        start_plain.append(s)
        t, s, spent = one_fit(keras, True, epochs)
        checked += t
        start_checked.append(s)
        shares += [h / (e[0] - h) for h, e in zip(spent, t)]
    p, c = statistics.median(t[0] for t in plain), statistics.median(t[0] for t in checked)
    pc, cc = statistics.median(t[1] for t in plain), statistics.median(t[1] for t in checked)
    begin = statistics.median(start_checked) - statistics.median(start_plain)
    print(f"HeadCheck overhead, Keras {keras.__version__} ({keras.backend.backend()} backend), "
          f"{N_TRAIN} training rows, {N_VAL} validation rows, batch 32, {rounds} rounds x "
          f"{epochs - 1} timed epochs, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'':28}{'median epoch (wall)':>20}{'ratio':>8}{'median epoch (CPU)':>20}{'ratio':>8}")
    print(f"{'without the callback':28}{p * 1e3:>17.1f} ms{1.0:>8.3f}{pc * 1e3:>17.1f} ms{1.0:>8.3f}")
    print(f"{'with HeadCheck()':28}{c * 1e3:>17.1f} ms{c / p:>8.3f}{cc * 1e3:>17.1f} ms{cc / pc:>8.3f}")
    print(f"epoch overhead: {100 * (c / p - 1):+.1f} % wall, {100 * (cc / pc - 1):+.1f} % CPU (goal: under "
          f"3 %); once at on_train_begin: {begin * 1e3:+.0f} ms wall")
    print(f"time inside HeadCheck's hooks / the rest of the same epoch (median): "
          f"{100 * statistics.median(shares):.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
