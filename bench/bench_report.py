"""Benchmark: headcheck.report() end to end (and its pass, run_pass) against scikit-learn, torchmetrics and the floor.

Workloads (fixed seed): N x 100 float32 softmax probabilities with int64 labels (multiclass), and
N x 100 independent probabilities with multi-hot labels (multilabel). Times are medians of
--reps repetitions in this one run; ratios are what PERFORMANCE.md's targets refer to.

    python bench/bench_report.py            # N = 1,000,000
    python bench/bench_report.py --quick    # N = 100,000
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np  # noqa: E402

import headcheck  # noqa: E402
from headcheck.engine.executors import ThreadExecutor  # noqa: E402
from headcheck.engine.pipeline import array_parts, run_pass  # noqa: E402
from headcheck.task import TaskProfile  # noqa: E402

K = 100


def make_multiclass(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, K, n, dtype=np.int64)
    z = rng.standard_normal((n, K), dtype=np.float32) * np.float32(1.5)
    z[np.arange(n), y] += np.float32(2.5)
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return y, z


def make_multilabel(n: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    rate = rng.uniform(0.01, 0.3, K).astype(np.float32)
    y = (rng.random((n, K), dtype=np.float32) < rate).astype(np.uint8)
    z = rng.standard_normal((n, K), dtype=np.float32) + np.float32(2.0) * y - np.float32(1.5)
    p = 1 / (1 + np.exp(-z))
    return y, p.astype(np.float32)


def timed(fn, reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def sklearn_multiclass(y, p):
    from sklearn import metrics as m

    pred = p.argmax(axis=1)
    m.accuracy_score(y, pred)
    m.balanced_accuracy_score(y, pred)
    m.f1_score(y, pred, average="macro")
    m.confusion_matrix(y, pred)
    m.top_k_accuracy_score(y, p, k=5, labels=np.arange(K))
    m.log_loss(y, p, labels=np.arange(K))


def torchmetrics_multiclass(y, p):
    import torch
    from torchmetrics.functional import classification as c

    pt, yt = torch.from_numpy(p), torch.from_numpy(y)
    c.multiclass_accuracy(pt, yt, K, average="micro")
    c.multiclass_accuracy(pt, yt, K, average="macro")
    c.multiclass_f1_score(pt, yt, K, average="macro")
    c.multiclass_confusion_matrix(pt, yt, K)
    c.multiclass_accuracy(pt, yt, K, top_k=5)


def sklearn_multilabel(y, p):
    from sklearn import metrics as m

    pred = (p > 0.5).astype(np.uint8)
    m.accuracy_score(y, pred)
    m.hamming_loss(y, pred)
    m.f1_score(y, pred, average="micro")
    m.f1_score(y, pred, average="macro")
    m.jaccard_score(y, pred, average="samples", zero_division=0)


OURS = "headcheck.report()"


def headcheck_pass(profile, y, s, chunk: int, workers: int):
    """The public pass alone (no inference, rules or assembly): gate, kernel, verification."""
    parts = array_parts(y, s, chunk_rows=chunk)
    return run_pass(profile, parts, executor=ThreadExecutor(workers)).result()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="N = 100,000 (smoke run)")
    ap.add_argument("-n", type=int, default=None, help="rows (default 1,000,000)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--chunk", type=int, default=65536, help="rows per chunk")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-torch", action="store_true")
    args = ap.parse_args(argv)
    n = args.n or (100_000 if args.quick else 1_000_000)
    warnings.simplefilter("ignore")
    rows = []
    for name, make, profile, refs in (
        ("multiclass", make_multiclass, TaskProfile("multiclass", K, "integer", "probabilities"),
         [("scikit-learn set", sklearn_multiclass), ("torchmetrics set", torchmetrics_multiclass)]),
        ("multilabel", make_multilabel, TaskProfile("multilabel", K, "multi-hot", "independent"),
         [("scikit-learn set", sklearn_multilabel)]),
    ):
        y, s = make(n)
        floor = timed(lambda: s.sum(), args.reps)
        engine = timed(lambda: headcheck_pass(profile, y, s, args.chunk, args.workers), args.reps)
        # the public API end to end: task inference, canonical chunks, engine, rules, assembly
        ours = timed(lambda: headcheck.report(y, s), args.reps)
        rows.append((name, "floor: scores.sum()", floor))
        rows.append((name, OURS, ours))
        rows.append((name, "  (run_pass alone)", engine))
        for label, fn in refs:
            if args.skip_torch and "torch" in label:
                continue
            rows.append((name, label, timed(lambda: fn(y, s), args.reps)))
        del y, s
    print(f"N = {n:,} rows x {K} columns, float32; median of {args.reps} runs; "
          f"chunk {args.chunk} rows, {args.workers} workers")
    print(f"{'workload':<11} {'what':<24} {'seconds':>9} {'headcheck.report() is':>22}")
    for name, label, t in rows:
        ours = next(v for w, lab, v in rows if w == name and lab == OURS)
        if label in (OURS, "  (run_pass alone)"):
            ratio = ""
        elif label.startswith("floor"):
            ratio = f"{ours / t:8.1f}x the floor"
        else:
            ratio = f"{t / ours:8.1f}x faster"
        print(f"{name:<11} {label:<24} {t:9.3f} {ratio:>22}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
