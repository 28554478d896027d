"""Shared by the io tests: random labels and scores, writers for every format, small chunks."""
from __future__ import annotations

import numpy as np
import pytest

import headcheck.io.csv as hcsv
import headcheck.io.npz as hnpz
import headcheck.io.parquet as hparquet


def data(kind: str, n: int = 60, k: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    r = np.random.default_rng(seed)
    if kind == "binary":
        return r.integers(0, 2, n), r.random(n)
    if kind == "multilabel":
        return r.integers(0, 2, (n, k)), r.random((n, k))
    z = r.normal(size=(n, k))
    return r.integers(0, k, n), np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)


def as_columns(p: np.ndarray) -> np.ndarray:
    return p[:, None] if p.ndim == 1 else p


def write_csv(path, y, p, delim=",", header=True) -> str:
    cols = as_columns(p)
    lines = []
    if header:
        lines.append(delim.join(["label"] + [f"p{j}" for j in range(cols.shape[1])]))
    for i in range(len(y)):
        lab = str(y[i])
        lines.append(delim.join([lab] + [repr(float(v)) for v in cols[i]]))
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks far smaller than the data, so every read crosses many chunk boundaries."""
    monkeypatch.setattr(hcsv, "CHUNK_ROWS", 7)
    monkeypatch.setattr(hparquet, "BATCH_ROWS", 5)
    monkeypatch.setattr(hnpz, "READ_WHOLE_BYTES", 0)


def write_format(tmp_path, fmt: str, y: np.ndarray, p: np.ndarray) -> list[str]:
    if fmt == "csv":
        return [write_csv(tmp_path / "d.csv", y, p)]
    if fmt == "tsv":
        return [write_csv(tmp_path / "d.tsv", y, p, delim="\t")]
    if fmt == "csv-no-header":
        return [write_csv(tmp_path / "d.csv", y, p, header=False)]
    if fmt == "csv-two-files":
        (tmp_path / "y.csv").write_text("\n".join(map(str, y)) + "\n")
        text = "\n".join(",".join(map(repr, map(float, r))) for r in as_columns(p))
        (tmp_path / "p.csv").write_text(text + "\n")
        return [str(tmp_path / "y.csv"), str(tmp_path / "p.csv")]
    if fmt.startswith("npz"):
        save = np.savez_compressed if fmt == "npz-compressed" else np.savez
        save(tmp_path / "d.npz", y_true=y, y_score=p)
        return [str(tmp_path / "d.npz")]
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    if fmt == "parquet-list" and p.ndim == 2:
        label = pa.array(list(y), type=pa.list_(pa.int64(), y.shape[1])) if y.ndim == 2 else y
        scores = pa.array(list(p), type=pa.list_(pa.float64(), p.shape[1]))
        t = pa.table({"y": label, "scores": scores})
    else:
        t = pa.table({"label": y, **{f"p{j}": c for j, c in enumerate(as_columns(p).T)}})
    pq.write_table(t, tmp_path / "d.parquet", row_group_size=17)
    return [str(tmp_path / "d.parquet")]
