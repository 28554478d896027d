"""Shared by the shard and Dask tests: random predictions cut into shards of every format."""
from __future__ import annotations

import json
import os

import numpy as np

from headcheck.cli import main

FORMATS = ("npz", "csv", "parquet", "npy")


def predictions(n: int = 4000, k: int = 5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Labels and float32 softmax scores that carry some signal."""
    r = np.random.default_rng(seed)
    y = r.integers(0, k, n)
    z = r.normal(size=(n, k))
    z[np.arange(n), y] += 1.0
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return y, p.astype(np.float32)


def cut(n: int, sizes: list[int]) -> list[tuple[int, int]]:
    """Row ranges of shards of the given sizes (the last takes the rest)."""
    bounds, a = [], 0
    for s in sizes:
        bounds.append((a, min(n, a + s)))
        a = min(n, a + s)
    bounds.append((a, n))
    return bounds


def write_shards(root, fmt: str, y: np.ndarray, p: np.ndarray, sizes: list[int],
                 weights: np.ndarray | None = None) -> list[str]:
    """Shards of `fmt` under `root` (a pathlib.Path); returns the spec(s) to pass to headcheck:
    one glob, or for npy a labels glob and a scores glob. Shard sizes may be 0."""
    root.mkdir(parents=True, exist_ok=True)
    p2 = p[:, None] if p.ndim == 1 else p
    for i, (a, b) in enumerate(cut(len(y), sizes)):
        name = f"part-{i}"
        if fmt == "npz":
            extra = {} if weights is None else {"sample_weight": weights[a:b]}
            np.savez(root / f"{name}.npz", y_true=y[a:b], y_score=p[a:b], **extra)
        elif fmt == "npy":
            (root / "labels").mkdir(exist_ok=True)
            (root / "scores").mkdir(exist_ok=True)
            np.save(root / "labels" / f"{name}.npy", y[a:b])
            np.save(root / "scores" / f"{name}.npy", p[a:b])
        elif fmt == "csv":
            header = ",".join(["label"] + [f"p{j}" for j in range(p2.shape[1])])
            rows = [",".join([str(y[i])] + [repr(float(v)) for v in p2[i]]) for i in range(a, b)]
            (root / f"{name}.csv").write_text("\n".join([header] + rows) + "\n")
        elif fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            cols = {"label": pa.array(y[a:b])}
            cols.update({f"p{j}": pa.array(p2[a:b, j]) for j in range(p2.shape[1])})
            pq.write_table(pa.table(cols), root / f"{name}.parquet")
        else:  # pragma: no cover
            raise ValueError(fmt)
    if fmt == "npy":
        return [str(root / "labels" / "*.npy"), str(root / "scores" / "*.npy")]
    return [str(root / f"*.{fmt}")]


def scores_as_stored(fmt: str, p: np.ndarray) -> np.ndarray:
    """The scores as a shard of `fmt` gives them back (csv: float64 via repr; others: as is)."""
    return p.astype(np.float64) if fmt == "csv" else p


def cli_json(capsys, *args: str) -> tuple[int, dict | None, str]:
    """Run `headcheck report ... --format json`; (exit code, parsed JSON or None, stderr)."""
    code = main(["report", *args, "--format", "json"])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code in (0, 1) else None), err


def without_notes(d: dict) -> dict:
    return {k: v for k, v in d.items() if k not in ("notes", "source")}


def exists(path) -> bool:
    return os.path.exists(path)
