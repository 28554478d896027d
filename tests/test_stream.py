"""Streaming reads across formats: every format gives the report the same data gives as .npy,
spooled files are removed, the inputs are never touched, and the report's pass releases memory maps.
(Per-format reading is tested in test_io_<format>.py.)"""
from __future__ import annotations

import hashlib
import os

import numpy as np
import pytest
from io_helpers import data, small_chunks, write_csv, write_format  # noqa: F401

from headcheck._report import report_files
from headcheck.io import open_inputs


def comparable(rep) -> dict:
    d = rep.to_dict()
    d.pop("source", None)
    d.pop("notes", None)
    return d


def npy_report(tmp_path, y, p) -> dict:
    np.save(tmp_path / "ref_y.npy", y)
    np.save(tmp_path / "ref_p.npy", p)
    return comparable(report_files([str(tmp_path / "ref_y.npy"), str(tmp_path / "ref_p.npy")]))


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
@pytest.mark.parametrize("fmt", ["csv", "tsv", "csv-no-header", "csv-two-files", "parquet",
                                 "parquet-list", "npz", "npz-compressed"])
@pytest.mark.usefixtures("small_chunks")
def test_every_format_reports_like_npy(tmp_path, kind, fmt):
    y, p = data(kind)
    want = npy_report(tmp_path, y, p)
    spool = tmp_path / "spool"
    spool.mkdir()
    paths = write_format(tmp_path, fmt, y, p)
    got = comparable(report_files(paths, tmp_dir=str(spool)))
    assert got == want
    assert os.listdir(spool) == []  # temporary files removed after success


@pytest.mark.usefixtures("small_chunks")
def test_multilabel_npz_and_parquet_like_npy(tmp_path):
    y, p = data("multilabel")
    want = npy_report(tmp_path, y, p)
    for fmt in ("npz", "npz-compressed", "parquet-list"):
        assert comparable(report_files(write_format(tmp_path, fmt, y, p))) == want, fmt


@pytest.mark.usefixtures("small_chunks")
def test_string_labels_csv_like_npy(tmp_path):
    y, p = data("multiclass", n=40, k=3)
    names = np.array(["cat", "dog", "eel"])[y]
    want = npy_report(tmp_path, names, p)
    assert comparable(report_files([write_csv(tmp_path / "d.csv", names, p)])) == want


@pytest.mark.usefixtures("small_chunks")
def test_inputs_are_not_modified(tmp_path):
    y, p = data("multiclass")
    files: list[str] = []
    for fmt in ("csv", "npz", "npz-compressed", "parquet"):
        d = tmp_path / fmt
        d.mkdir()
        files += write_format(d, fmt, y, p)
    def fingerprint(f: str) -> tuple[str, int]:
        with open(f, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest(), os.stat(f).st_mtime_ns

    before = {f: fingerprint(f) for f in files}
    for f in files:
        report_files([f], tmp_dir=str(tmp_path))
    after = {f: fingerprint(f) for f in files}
    assert before == after
    assert sorted(os.listdir(tmp_path)) == sorted(["csv", "npz", "npz-compressed", "parquet"])


def test_report_releases_every_chunk_of_a_memmap_once_the_engine_is_done(tmp_path, monkeypatch):
    import headcheck._report as rmod
    import headcheck.engine.pipeline as pmod  # the pass releases each part once it is folded

    y, p = data("multiclass", n=1000)
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "p.npy", p)
    released: list[tuple[int, int]] = []
    real = pmod.release_rows

    def spy(a, start, stop):
        if a.ndim == 2:
            released.append((start, stop))
        real(a, start, stop)

    monkeypatch.setattr(pmod, "release_rows", spy)
    with open_inputs([str(tmp_path / "y.npy"), str(tmp_path / "p.npy")]) as inp:
        rep = rmod.report(inp.y_true, inp.y_score, chunk_rows=64)
    assert sorted(released) == [(a, min(1000, a + 64)) for a in range(0, 1000, 64)]
    ref = rmod.report(y, p, chunk_rows=64)
    # chunk i always goes to worker i % W: the same chunks give the same sums, memory-mapped or not
    assert rep.metrics == ref.metrics
    assert {k: v.value for k, v in rep.views.items()} == {k: v.value for k, v in ref.views.items()}
