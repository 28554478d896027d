"""Sharded reports: the Dask executor on 1 and 2 local workers beside the thread executor in one
process, on the same shards (the scale-out workload: 100M rows x 10 classes).

Generates the shards (float32 softmax scores and int16 labels, one .npy pair per shard, written
piece by piece; nothing large is held or committed), reads them once so every run finds them in
the page cache, then times a full `report_shards` on each executor:

- threads, 1 and 2 threads: a subprocess each, peak resident memory from os.wait4;
- Dask, a local cluster of 1 and 2 worker processes (1 thread each, as `--executor dask
  --workers N` starts it): the cluster is started before the clock; peak resident memory of
  each worker from its own getrusage after the run.

Throughput is rows / wall time; every run's JSON report must be identical (the fixed merge tree),
which the table says. Also prints the load average before and after (the machine is shared).
Needs headcheck[dask]. Exits 0.

    python bench/bench_dask.py                 # 100,000,000 x 10 in 50 shards (~4.2 GB on disk)
    python bench/bench_dask.py --quick         # 10,000,000 x 10 in 10 shards
    python bench/bench_dask.py --tmp-dir /scratch --keep
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
PIECE_ROWS = 500_000


def write_shards(d: str, rows: int, k: int, shards: int, seed: int = 0) -> list[str]:
    """`shards` pairs labels/part-i.npy + scores/part-i.npy of nearly equal size."""
    import numpy as np
    from numpy.lib.format import open_memmap

    r = np.random.default_rng(seed)
    os.makedirs(os.path.join(d, "labels"), exist_ok=True)
    os.makedirs(os.path.join(d, "scores"), exist_ok=True)
    bounds = np.linspace(0, rows, shards + 1).astype(np.int64)
    for i in range(shards):
        n = int(bounds[i + 1] - bounds[i])
        y = open_memmap(os.path.join(d, "labels", f"part-{i}.npy"), "w+", np.int16, (n,))
        p = open_memmap(os.path.join(d, "scores", f"part-{i}.npy"), "w+", np.float32, (n, k))
        for a in range(0, n, PIECE_ROWS):
            b = min(n, a + PIECE_ROWS)
            labels = r.integers(0, k, b - a)
            z = r.standard_normal((b - a, k), dtype=np.float32)
            z[np.arange(b - a), labels] += 1.5  # some signal: accuracy well above chance
            np.exp(z, out=z)
            z /= z.sum(axis=1, keepdims=True)
            p[a:b], y[a:b] = z, labels
        p.flush()
        y.flush()
        del p, y
    return [os.path.join(d, "labels", "*.npy"), os.path.join(d, "scores", "*.npy")]


def warm(d: str) -> int:
    """Read every shard once (page cache); returns the bytes read."""
    total = 0
    for root, _, files in os.walk(d):
        for f in files:
            with open(os.path.join(root, f), "rb") as fh:
                while chunk := fh.read(64 << 20):
                    total += len(chunk)
    return total


def run_threads(specs: list[str], workers: int) -> dict:
    """One report on the thread executor in a fresh subprocess: wall time, peak RSS, the JSON."""
    code = ("import sys, time, json; sys.path.insert(0, %r)\n"
            "from headcheck._sharded import report_shards\n"
            "t = time.perf_counter(); rep = report_shards(%r, executor='threads', workers=%d)\n"
            "print(json.dumps({'seconds': time.perf_counter() - t, 'report': rep.to_json(indent=None)}))"
            % (SRC, specs, workers))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    if status:
        raise SystemExit(f"the thread run failed (status {status})")
    res = json.loads(out.strip().splitlines()[-1])
    return {"seconds": res["seconds"], "peak_mb": [usage.ru_maxrss / 1024], "report": res["report"]}


def _peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_dask(specs: list[str], workers: int) -> dict:
    """One report on a fresh local cluster of `workers` processes (1 thread each), as
    `--executor dask --workers N` starts it."""
    sys.path.insert(0, SRC)
    from headcheck._sharded import report_shards
    from headcheck.engine.dask_executor import DaskExecutor

    with DaskExecutor(n_workers=workers) as ex:
        ex.client.wait_for_workers(workers)
        t = time.perf_counter()
        rep = report_shards(specs, executor=ex)
        seconds = time.perf_counter() - t
        peaks = ex.client.run(_peak_kb)
    return {"seconds": seconds, "peak_mb": sorted(v / 1024 for v in peaks.values()),
            "report": rep.to_json(indent=None)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000_000)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--shards", type=int, default=50)
    ap.add_argument("--quick", action="store_true", help="10,000,000 rows in 10 shards")
    ap.add_argument("--tmp-dir", help="where the shards are written (default: TMPDIR)")
    ap.add_argument("--keep", action="store_true", help="keep the shards (printed path)")
    args = ap.parse_args()
    if args.quick:
        args.rows, args.shards = 10_000_000, 10
    d = tempfile.mkdtemp(prefix="headcheck-bench-dask-", dir=args.tmp_dir)
    try:
        t = time.perf_counter()
        specs = write_shards(d, args.rows, args.classes, args.shards)
        gb = warm(d) / 1e9
        print(f"shards: {args.shards} x {args.rows // args.shards:,} rows x {args.classes} classes "
              f"(float32 scores, int16 labels), {gb:.2f} GB, written in {time.perf_counter() - t:.0f} s "
              f"and read once (page cache); cores: {os.cpu_count()}")
        runs: list[tuple[str, dict, tuple[float, float]]] = []
        for name, fn, n in (("threads, 1 thread", run_threads, 1), ("threads, 2 threads", run_threads, 2),
                            ("Dask, 1 worker", run_dask, 1), ("Dask, 2 workers", run_dask, 2)):
            before = os.getloadavg()[0]
            res = fn(specs, n)
            runs.append((name, res, (before, os.getloadavg()[0])))
        base = runs[0][1]["seconds"]
        print(f"\n{'executor':<20} {'seconds':>8} {'rows/s':>12} {'vs 1 thread':>12}  "
              f"{'peak RSS per process (MB)':<26} {'load before/after':>17}")
        for name, res, (lb, la) in runs:
            peaks = ", ".join(f"{m:.0f}" for m in res["peak_mb"])
            print(f"{name:<20} {res['seconds']:>8.1f} {args.rows / res['seconds']:>12,.0f} "
                  f"{base / res['seconds']:>11.2f}x  {peaks:<26} {lb:>8.1f}/{la:<8.1f}")
        same = len({r["report"] for _, r, _ in runs}) == 1
        acc = json.loads(runs[0][1]["report"])["metrics"]["accuracy"]
        print(f"\nreports identical to the last bit across the four runs: {'yes' if same else 'NO'}"
              f" (accuracy {acc:.6f})")
        print("peak RSS: threads = the whole process; Dask = each worker process (the client "
              "process holds only the final state).")
    finally:
        if args.keep:
            print(f"shards kept in {d}")
        else:
            shutil.rmtree(d, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
