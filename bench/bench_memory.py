"""Peak resident memory of `headcheck report` on large files, against the memory budget.

Writes a float32 .npy of scores (rows x classes, written in pieces, never held whole) and int64
labels into a temporary directory, runs `headcheck report` on them in a subprocess, and reads that
subprocess's peak resident set (os.wait4 -> ru_maxrss); then the same for a CSV of moderate size,
with its parse speed. Files are deleted at the end. Prints one table; exits 0.

    python bench/bench_memory.py   # npy 4,000,000 x 100 (1.6 GB), csv 200,000, parquet 2,000,000
    python bench/bench_memory.py --rows 1000000 --csv-rows 50000 --parquet-rows 0 --tmp-dir /scratch
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
BUDGET_MB = 1536  # the target: under 1.5 GB plus O(K) state, whatever the rows
PIECE_ROWS = 250_000


def write_npy(d: str, rows: int, k: int, seed: int = 0) -> tuple[str, str]:
    """Softmax-like float32 scores and int64 labels, written piece by piece."""
    import numpy as np
    from numpy.lib.format import open_memmap

    r = np.random.default_rng(seed)
    ys, ps = os.path.join(d, "labels.npy"), os.path.join(d, "scores.npy")
    labels = open_memmap(ys, mode="w+", dtype=np.int64, shape=(rows,))
    scores = open_memmap(ps, mode="w+", dtype=np.float32, shape=(rows, k))
    for a in range(0, rows, PIECE_ROWS):
        b = min(rows, a + PIECE_ROWS)
        z = r.random((b - a, k), dtype=np.float32)
        scores[a:b] = z / z.sum(axis=1, keepdims=True)
        labels[a:b] = r.integers(0, k, b - a)
        scores.flush()
    del labels, scores
    return ys, ps


def write_csv(d: str, rows: int, k: int, seed: int = 1) -> str:
    import numpy as np

    r = np.random.default_rng(seed)
    path = os.path.join(d, "data.csv")
    with open(path, "w") as f:
        f.write("label," + ",".join(f"p{j}" for j in range(k)) + "\n")
        for a in range(0, rows, 20_000):
            n = min(rows, a + 20_000) - a
            z = r.random((n, k), dtype=np.float32)
            block = np.column_stack([r.integers(0, k, n), z / z.sum(axis=1, keepdims=True)])
            np.savetxt(f, block, delimiter=",", fmt=["%d"] + ["%.7g"] * k)
    return path


def write_parquet(d: str, rows: int, k: int, seed: int = 2) -> str:
    """A labels column and a fixed-size list column of k float32 scores, written in row groups."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    r = np.random.default_rng(seed)
    path = os.path.join(d, "data.parquet")
    schema = pa.schema([("label", pa.int64()), ("scores", pa.list_(pa.float32(), k))])
    with pq.ParquetWriter(path, schema) as w:
        for a in range(0, rows, PIECE_ROWS):
            n = min(rows, a + PIECE_ROWS) - a
            z = r.random((n, k), dtype=np.float32)
            flat = pa.array((z / z.sum(axis=1, keepdims=True)).ravel())
            scores = pa.FixedSizeListArray.from_arrays(flat, k)
            w.write_table(pa.table({"label": r.integers(0, k, n), "scores": scores}, schema=schema))
    return path


def write_in_child(fmt: str, d: str, rows: int, k: int) -> None:
    """Files are written by a child process: on Linux a child's ru_maxrss starts from its parent's
    resident set at fork, so the measuring parent must stay small (it never imports numpy)."""
    me = os.path.abspath(__file__)
    subprocess.run([sys.executable, me, "--write", fmt, d, str(rows), str(k)], check=True)


def measure(argv: list[str], tmp: str) -> tuple[float, float, int]:
    """(peak RSS in MB, wall seconds, exit code) of one subprocess; a float the subprocess prints
    last on stderr (its own timing) replaces the wall time."""
    env = dict(os.environ, PYTHONPATH=SRC, TMPDIR=tmp, KERAS_BACKEND="torch")
    t = time.perf_counter()
    p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert p.stderr is not None
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t
    if p.returncode:
        print(err.decode(errors="replace")[-2000:], file=sys.stderr)
    try:
        wall = float(err.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        pass
    return usage.ru_maxrss / 1024, wall, p.returncode  # Linux: ru_maxrss in KiB


PARSE_ONLY = """
import sys, time
from headcheck.io import open_inputs, load_inputs
t = time.perf_counter()
if sys.argv[2] == "spool":
    with open_inputs([sys.argv[1]]) as inp:
        n = inp.y_score.shape
else:
    n = load_inputs([sys.argv[1]]).y_score.shape
print(time.perf_counter() - t, file=sys.stderr)
"""

# The same work with pyarrow's streaming CSV reader (the reference weighed against headcheck's
# parser): labels kept in memory, float64 scores appended to a temporary file, memory-mapped.
PARSE_PYARROW = """
import os, sys, tempfile, time
import numpy as np
import pyarrow as pa, pyarrow.csv as pcsv
t = time.perf_counter()
path = sys.argv[1]
with open(path) as f:
    names = f.readline().rstrip("\\n").split(",")
opts = pcsv.ConvertOptions(column_types={n: pa.float64() for n in names[1:]})
reader = pcsv.open_csv(path, read_options=pcsv.ReadOptions(block_size=16 << 20,
                       use_threads=sys.argv[2] == "threads"), convert_options=opts)
labels, rows = [], 0
with tempfile.NamedTemporaryFile() as out:
    for batch in reader:
        labels.append(batch.column(0).to_numpy())
        block = np.column_stack([batch.column(j).to_numpy() for j in range(1, batch.num_columns)])
        block.tofile(out)
        rows += len(block)
    out.flush()
    scores = np.memmap(out.name, dtype=np.float64, mode="r", shape=(rows, len(names) - 1))
    y = np.concatenate(labels)
print(time.perf_counter() - t, file=sys.stderr)
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=4_000_000, help="rows of the .npy (4,000,000)")
    ap.add_argument("--classes", type=int, default=100)
    ap.add_argument("--csv-rows", type=int, default=200_000, help="rows of the CSV (200,000)")
    ap.add_argument("--parquet-rows", type=int, default=2_000_000,
                    help="rows of the parquet file (default 2,000,000; 0 to skip; needs pyarrow)")
    ap.add_argument("--tmp-dir", default=None, help="where the files are written (default TMPDIR)")
    ap.add_argument("--write", nargs=4, metavar=("FMT", "DIR", "ROWS", "K"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.write:
        fmt, wd, rows, k = args.write
        {"npy": write_npy, "csv": write_csv, "parquet": write_parquet}[fmt](wd, int(rows), int(k))
        return 0
    d = tempfile.mkdtemp(prefix="bench-memory-", dir=args.tmp_dir)
    py = [sys.executable, "-m", "headcheck", "report", "--format", "json"]
    rows_out: list[tuple[str, float, float, float, str]] = []
    floor, _, _ = measure([sys.executable, "-c", "import numpy, headcheck._report"], d)
    rows_out.append(("floor: python + numpy + headcheck import", 0.0, floor, 0.0, ""))
    try:
        t = time.perf_counter()
        write_in_child("npy", d, args.rows, args.classes)
        ys, ps = os.path.join(d, "labels.npy"), os.path.join(d, "scores.npy")
        size = os.path.getsize(ps) / 2**20
        print(f"wrote {size:,.0f} MB of scores in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        rss, wall, code = measure(py + [ys, ps], d)
        rows_out.append((f"report .npy {args.rows:,} x {args.classes} float32", size, rss, wall,
                         "ok" if code == 0 else f"exit {code}"))
        os.remove(ps)
        os.remove(ys)
        if args.csv_rows:
            write_in_child("csv", d, args.csv_rows, args.classes)
            path = os.path.join(d, "data.csv")
            size = os.path.getsize(path) / 2**20
            rss, wall, code = measure(py + [path], d)
            rows_out.append((f"report .csv {args.csv_rows:,} x {args.classes}", size, rss, wall,
                             "ok" if code == 0 else f"exit {code}"))
            for mode, what in (("spool", "parse .csv, spooled (open_inputs)"),
                               ("memory", "parse .csv, in memory (load_inputs)")):
                rss, wall, code = measure([sys.executable, "-c", PARSE_ONLY, path, mode], d)
                rows_out.append((what, size, rss, wall, f"{size / wall:.0f} MB/s parse"))
            if importlib.util.find_spec("pyarrow") is not None:
                for mode in ("threads", "one-thread"):
                    rss, wall, code = measure([sys.executable, "-c", PARSE_PYARROW, path, mode], d)
                    rows_out.append((f"parse .csv, pyarrow.csv reader ({mode})", size, rss, wall,
                                     f"{size / wall:.0f} MB/s parse (reference)"))
            os.remove(path)
        if args.parquet_rows and importlib.util.find_spec("pyarrow") is None:
            print("pyarrow is not installed: parquet row skipped", file=sys.stderr)
        elif args.parquet_rows:
            write_in_child("parquet", d, args.parquet_rows, args.classes)
            path = os.path.join(d, "data.parquet")
            size = os.path.getsize(path) / 2**20
            rss, wall, code = measure(py + [path], d)
            what = f"report .parquet {args.parquet_rows:,} x {args.classes} f32"
            rows_out.append((what, size, rss, wall, "ok" if code == 0 else f"exit {code}"))
    finally:
        shutil.rmtree(d, ignore_errors=True)
    print(f"{'what':<42} {'file MB':>9} {'peak RSS MB':>12} {'budget MB':>10} {'wall s':>7}  note")
    for what, size, rss, wall, note in rows_out:
        print(f"{what:<42} {size:>9,.0f} {rss:>12,.0f} {BUDGET_MB:>10,} {wall:>7.1f}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
