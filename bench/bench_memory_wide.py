"""Peak memory of `headcheck report` on wide outputs: N x K float32 scores, K = 10^4 .. 10^6.

The target: memory bounded by bytes, never by rows; K up to 10^6 without a K x K matrix and
without holding N x K beyond one chunk; N = 200,000 x K = 100,000 (an 80 GB .npy) under 1 GB.

The score file is written sparse: each row's probability mass lies in the one 4 KB page of 1,024
classes around its true class (the true class 0.3-0.9, or a neighbour when the model is wrong;
the rest of the page shares what is left), every other score is 0.0 and never written, so the
80 GB file takes 0.8 GB of disk. `headcheck report` then reads every byte of it through a memory
map, as it would a dense file (the zero pages come from the page cache). The report runs in a
subprocess; its peak resident set (ru_maxrss, file pages included) is what is printed.

    python bench/bench_memory_wide.py              # N = 20,000 at K = 10^4, 10^5, 10^6
    python bench/bench_memory_wide.py --rows 200000 --classes 100000
    python bench/bench_memory_wide.py --kernels numba numpy --no-auc
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
BUDGET_MB = 1024
PAGE = 1024  # float32 scores per 4 KB page


def write(d: str, rows: int, k: int, seed: int = 0) -> tuple[str, str]:
    """Labels and sparse scores (see the module docstring), written a row's page at a time."""
    import numpy as np
    from numpy.lib.format import open_memmap

    r = np.random.default_rng(seed)
    ys, ps = os.path.join(d, "labels.npy"), os.path.join(d, "scores.npy")
    y = r.integers(0, k, rows)
    np.save(ys, y)
    scores = open_memmap(ps, mode="w+", dtype=np.float32, shape=(rows, k))
    width = min(PAGE, k)
    for i in range(rows):
        a = min(k - width, (int(y[i]) // PAGE) * PAGE)
        page = np.full(width, 0.0, np.float32)
        top = r.uniform(0.3, 0.9)
        hit = a + int(r.integers(0, width))  # the class the model favours
        cls = int(y[i]) if r.random() < 0.7 else hit
        page[:] = (1 - top) / (width - 1)
        page[cls - a] = top
        scores[i, a:a + width] = page
    scores.flush()
    del scores
    return ys, ps


def measure(argv: list[str], env: dict) -> tuple[float, float, int, str]:
    """(peak RSS MB, wall seconds, exit code, stderr tail) of one subprocess."""
    t = time.perf_counter()
    p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert p.stderr is not None
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024, time.perf_counter() - t, code, err.decode(errors="replace")[-800:]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--classes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--kernels", nargs="+", default=["numba"], help="numba and/or numpy")
    ap.add_argument("--no-auc", action="store_true", help="also measure --no-auc")
    ap.add_argument("--tmp-dir", default=None)
    ap.add_argument("--write", nargs=3, metavar=("DIR", "ROWS", "K"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.write:
        write(args.write[0], int(args.write[1]), int(args.write[2]))
        return 0
    out = []
    for k in args.classes:
        d = tempfile.mkdtemp(prefix="bench-wide-", dir=args.tmp_dir)
        try:
            t = time.perf_counter()
            # written by a child: the measuring parent stays small (ru_maxrss of a child starts
            # from its parent's resident set at fork)
            subprocess.run([sys.executable, os.path.abspath(__file__), "--write", d,
                            str(args.rows), str(k)], check=True)
            ps = os.path.join(d, "scores.npy")
            gb = os.path.getsize(ps) / 2**30
            disk = os.stat(ps).st_blocks * 512 / 2**30
            print(f"K = {k:,}: wrote {gb:,.1f} GB of scores ({disk:.2f} GB on disk) in "
                  f"{time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
            for kernel in args.kernels:
                for flags in ([[]] + ([["--no-auc"]] if args.no_auc else [])):
                    env = dict(os.environ, PYTHONPATH=SRC, HEADCHECK_KERNEL=kernel,
                               KERAS_BACKEND="torch")
                    argv = [sys.executable, "-m", "headcheck", "report", "--format", "json",
                            *flags, os.path.join(d, "labels.npy"), ps]
                    rss, wall, code, err = measure(argv, env)
                    if code:
                        print(err, file=sys.stderr)
                    what = f"{args.rows:,} x {k:,} ({gb:,.1f} GB) {kernel} {' '.join(flags)}"
                    out.append((what, rss, wall, "ok" if code == 0 else f"exit {code}"))
                    print(f"  {what}: peak {rss:,.0f} MB, {wall:.0f} s", file=sys.stderr,
                          flush=True)
        finally:
            shutil.rmtree(d, ignore_errors=True)
    print(f"{'report of':<46} {'peak RSS MB':>12} {'budget MB':>10} {'wall s':>7}  note")
    for what, rss, wall, note in out:
        print(f"{what:<46} {rss:>12,.0f} {BUDGET_MB:>10,} {wall:>7.0f}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
