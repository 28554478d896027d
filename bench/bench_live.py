"""Benchmark: the overhead of the live checks on a small real PyTorch training (goal: under 3 %).

Two measurements, each the same training with and without headcheck in the same run:

- **Monitor** (`headcheck.torch.Monitor`): a plain loop over an MLP; epochs with and without the
  monitor alternate in one process (the model keeps training, each epoch does the same work), and
  the overhead is the ratio of the median epoch times.
- **Lightning** (`headcheck.lightning.HeadCheck`): fits with and without the callback alternate;
  each epoch (training + validation) is timed from `on_train_epoch_start` to `on_train_epoch_end`.
  The first epoch of a fit is reported apart: it holds the traced first step (the head check).

The ratio compares the same work on both sides: the same data, model, batches and optimiser; the
only difference is headcheck (per batch: one host copy of the outputs and targets into a bounded
buffer; per epoch: the engine pass over the epoch's outputs and the rules).

    python bench/bench_live.py [--quick] [--repeat 7] [--rows 20000] [--batch 128] [--no-lightning]

The Monitor is measured on two models: an MLP on 32 features (a training step costs about as
little as a real step can, the worst case for a per-epoch pass) and a small CNN on 28x28 images.
Beside the epoch ratio, the time spent inside headcheck's own calls is printed as a share of an
epoch without it: the same quantity, measured without the noise of the training itself.

Timings are noisy on a shared machine: read the ratios, and rerun on a quiet one for final figures.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

GOAL = 0.03


def data(rows: int, features: int = 32, classes: int = 10, seed: int = 0):
    import torch

    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, classes, (rows,), generator=g)
    x = torch.randn(classes, features, generator=g)[y] + 2.0 * torch.randn(rows, features, generator=g)
    return x, y


def images(rows: int, classes: int = 10, seed: int = 0):
    """28x28 one-channel images whose class is a faint pattern in the noise (MNIST-sized)."""
    import torch

    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, classes, (rows,), generator=g)
    x = torch.randn(classes, 1, 28, 28, generator=g)[y] * 0.5 + torch.randn(rows, 1, 28, 28, generator=g)
    return x, y


def mlp(features: int = 32, classes: int = 10, hidden: int = 128):
    import torch.nn as nn

    return nn.Sequential(nn.Linear(features, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                         nn.Linear(hidden, classes))


def cnn(classes: int = 10):
    import torch.nn as nn

    return nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 5 * 5, classes))


def bench_monitor(rows: int, batch: int, repeat: int, model_name: str = "mlp") -> dict:
    """Epochs with and without the Monitor, alternating; also the time inside headcheck's own
    calls (per-batch update, epoch end), which the noise of a shared machine does not blur."""
    import torch
    import torch.nn as nn

    import headcheck.torch

    x, y = data(rows) if model_name == "mlp" else images(rows)
    torch.manual_seed(0)
    model = mlp() if model_name == "mlp" else cnn()
    loss_fn = nn.CrossEntropyLoss()
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    monitor = headcheck.torch.Monitor(loss_fn, verbose=False)
    inside = {"update": [], "epoch_end": []}

    def epoch(watch: bool) -> tuple[float, float]:
        start, cpu, spent = time.perf_counter(), time.process_time(), 0.0
        for i in range(0, rows, batch):
            xb, yb = x[i:i + batch], y[i:i + batch]
            out = model(xb)
            loss = loss_fn(out, yb)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            if watch:
                t = time.perf_counter()
                monitor.update(out, yb, loss)
                spent += time.perf_counter() - t
        if watch:
            t = time.perf_counter()
            monitor.epoch_end()
            inside["epoch_end"].append(time.perf_counter() - t)
            inside["update"].append(spent)
        return time.perf_counter() - start, time.process_time() - cpu

    epoch(False), epoch(True)  # warm-up: allocator, first optimiser step, first engine pass
    times = {False: [], True: []}
    for r in range(repeat):
        for watch in ((False, True) if r % 2 == 0 else (True, False)):
            times[watch].append(epoch(watch))
    assert not monitor.disabled, monitor.error
    out = _summary(times[False], times[True])
    out["inside"] = {k: statistics.median(v[1:]) for k, v in inside.items()}  # the warm-up epoch left out
    return out


def bench_lightning(rows: int, batch: int, repeat: int, epochs: int, package: str) -> dict:
    import importlib

    import torch
    import torch.nn.functional as F
    from torch.utils.data import DataLoader, TensorDataset

    import headcheck.lightning

    L = importlib.import_module(package)
    import logging

    for name in ("lightning.pytorch", "pytorch_lightning", "lightning.fabric", "lightning_fabric"):
        logging.getLogger(name).setLevel(logging.ERROR)  # no banner per fit (set after the import)
    x, y = data(rows + rows // 5)
    train = DataLoader(TensorDataset(x[:rows], y[:rows]), batch_size=batch)
    val = DataLoader(TensorDataset(x[rows:], y[rows:]), batch_size=512)

    class Classifier(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = mlp()

        def forward(self, xb):
            return self.net(xb)

        def training_step(self, b, i):
            loss = F.cross_entropy(self(b[0]), b[1])
            self.log("train_loss", loss)
            return loss

        def validation_step(self, b, i):
            out = self(b[0])
            self.log("val_acc", (out.argmax(1) == b[1]).float().mean())

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters(), lr=1e-3)

    class Clock(L.Callback):
        def __init__(self):
            self.times = []

        def on_train_epoch_start(self, trainer, pl_module):
            self.start = time.perf_counter(), time.process_time()

        def on_train_epoch_end(self, trainer, pl_module):
            self.times.append((time.perf_counter() - self.start[0], time.process_time() - self.start[1]))

    def fit(watch: bool) -> list[float]:
        torch.manual_seed(0)
        clock = Clock()
        callbacks = [clock] + ([headcheck.lightning.HeadCheck(verbose=False)] if watch else [])
        trainer = L.Trainer(max_epochs=epochs, callbacks=callbacks, logger=False, enable_checkpointing=False,
                            enable_progress_bar=False, enable_model_summary=False, num_sanity_val_steps=0,
                            accelerator="cpu", devices=1)
        trainer.fit(Classifier(), train, val)
        if watch:
            assert not callbacks[1].disabled, callbacks[1]._guard.error
        return clock.times

    fit(False)  # warm-up
    first = {False: [], True: []}
    rest = {False: [], True: []}
    for r in range(repeat):
        for watch in ((False, True) if r % 2 == 0 else (True, False)):
            times = fit(watch)
            first[watch].append(times[0])
            rest[watch] += times[1:]
    out = _summary(rest[False], rest[True])
    out["first_epoch"] = _summary(first[False], first[True])
    return out


def _summary(off: list[tuple[float, float]], on: list[tuple[float, float]]) -> dict:
    """Medians of wall time and of process CPU time (less sensitive to a shared machine's load:
    training and headcheck both run in this process's threads)."""
    a, b = statistics.median(t[0] for t in off), statistics.median(t[0] for t in on)
    ca, cb = statistics.median(t[1] for t in off), statistics.median(t[1] for t in on)
    return {"off_s": a, "on_s": b, "overhead": b / a - 1, "cpu_overhead": cb / ca - 1,
            "n": (len(off), len(on))}


def _line(name: str, s: dict) -> str:
    verdict = "ok" if s["cpu_overhead"] < GOAL else f"over the {GOAL:.0%} goal"
    return (f"{name:<46} epoch without {s['off_s'] * 1e3:7.1f} ms, with {s['on_s'] * 1e3:7.1f} ms: "
            f"overhead {s['overhead']:+6.1%} wall, {s['cpu_overhead']:+6.1%} CPU time "
            f"({verdict}; medians of {s['n'][0]} / {s['n'][1]} epochs)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run (a few epochs)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=4, help="epochs per Lightning fit")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1: least noise)")
    parser.add_argument("--no-lightning", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat, args.rows, args.epochs = 3, 8000, 3
    import torch

    torch.set_num_threads(args.threads)
    warnings.filterwarnings("ignore")

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"bench_live: MLP 32-128-128-10 on {args.rows} rows x 32 features, small CNN on 28x28 images, "
          f"10 classes, batch {args.batch}, "
          f"{args.threads} torch thread(s), load average {load:.1f} on {os.cpu_count()} cores")
    for model_name, rows in (("mlp", args.rows), ("cnn", args.rows // 4)):
        s = bench_monitor(rows, args.batch, args.repeat, model_name)
        print(_line(f"headcheck.torch.Monitor ({model_name}, {rows} rows/epoch)", s))
        own = s["inside"]["update"] + s["inside"]["epoch_end"]
        print(f"  time inside headcheck per epoch: updates {s['inside']['update'] * 1e3:.1f} ms + epoch end "
              f"{s['inside']['epoch_end'] * 1e3:.1f} ms = {own / s['off_s']:.1%} of an epoch without it")
    if not args.no_lightning:
        for package in ("lightning.pytorch", "pytorch_lightning"):
            try:
                __import__(package)
            except ImportError:
                print(f"{package}: not installed, skipped")
                continue
            s = bench_lightning(args.rows, args.batch, args.repeat, args.epochs, package)
            print(_line(f"headcheck.lightning.HeadCheck ({package.split('.')[0]})", s))
            print(_line("  first epoch of a fit (traced first step)", s["first_epoch"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
