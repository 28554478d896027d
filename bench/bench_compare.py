"""Benchmark: headcheck.compare() of two models against one headcheck.report(), same data.

Workload (fixed seed, as bench_report.py): N x 100 float32 softmax probabilities with int64
labels, and a second model's scores of the same shape (`--kind multilabel`: 100 independent
label probabilities; `--kind binary`: one column). The target (issue 11): compare of two models
within 3x of one report (the pass is shared: one read of the labels, both models' states and
what their bootstrap replicates need in the same pass). Also shown: report --ci (one model with
replicates). Times are medians of --reps repetitions, interleaved, in this one run.

    python bench/bench_compare.py                     # N = 1,000,000, multiclass
    python bench/bench_compare.py --kind multilabel
    python bench/bench_compare.py --quick             # N = 100,000
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

import headcheck  # noqa: E402
from bench_report import make_binary, make_multiclass, make_multilabel  # noqa: E402

K = 100  # classes, as bench_report.make_multiclass draws them by default


def second_model(y: np.ndarray, seed: int = 7) -> np.ndarray:
    """Another model's softmax scores on the same labels (a weaker true-class boost)."""
    rng = np.random.default_rng(seed)
    n = len(y)
    z = rng.standard_normal((n, K), dtype=np.float32) * np.float32(1.5)
    z[np.arange(n), y] += np.float32(2.2)
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def second_multilabel(y: np.ndarray, seed: int = 7) -> np.ndarray:
    """Another multi-label model on the same labels (a weaker lift of the true labels)."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(y.shape, dtype=np.float32) + np.float32(1.6) * y - np.float32(1.4)
    return (1 / (1 + np.exp(-z))).astype(np.float32)


def second_binary(y: np.ndarray, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(len(y), dtype=np.float32) + np.float32(1.2) * y - np.float32(0.7)
    return (1 / (1 + np.exp(-z))).astype(np.float32)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="N = 100,000 (smoke run)")
    ap.add_argument("-n", type=int, default=None, help="rows (default 1,000,000)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--replicates", type=int, default=200)
    ap.add_argument("--kind", choices=("multiclass", "multilabel", "binary"),
                    default="multiclass")
    args = ap.parse_args(argv)
    n = args.n or (100_000 if args.quick else 1_000_000)
    make, second = {"multiclass": (make_multiclass, second_model),
                    "multilabel": (make_multilabel, second_multilabel),
                    "binary": (make_binary, second_binary)}[args.kind]
    y, a = make(n)
    b = second(y)
    B = args.replicates
    runs = {
        "report (one model)": lambda: headcheck.report(y, a),
        f"report --ci ({B} replicates)": lambda: headcheck.report(y, a, ci=0.95, replicates=B),
        f"compare, 2 models ({B} replicates)": lambda: headcheck.compare(
            y, {"a": a, "b": b}, replicates=B),
    }
    times: dict[str, list[float]] = {k: [] for k in runs}
    for fn in runs.values():  # warm-up: numba's compiled loops load (or compile) on first use
        fn()
    for _ in range(args.reps):  # interleaved: load changes hit every line alike
        for name, fn in runs.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    base = statistics.median(times["report (one model)"])
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    shape = {"multiclass": f"{n:,} x {K} classes", "multilabel": f"{n:,} x {K} labels",
             "binary": f"{n:,} rows"}[args.kind]
    print(f"{args.kind}: N = {shape}, float32 probabilities; median of {args.reps}; "
          f"load average {load:.1f} on {os.cpu_count()} cores")
    print(f"{'what':<40}{'seconds':>10}{'x one report':>14}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:<40}{med:>10.3f}{med / base:>14.2f}")
    ratio = statistics.median(times[f"compare, 2 models ({B} replicates)"]) / base
    print(f"target: compare of 2 models within 3x of one report -> {ratio:.2f}x "
          f"({'met' if ratio <= 3 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
