"""Streaming reads: every format gives the report the same data gives as .npy, parses in chunks
(boundaries included), spools to temporary files that are removed, and never touches the input."""
from __future__ import annotations

import hashlib
import io as _io
import os
import sys
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import headcheck.io as hio
from headcheck._report import report_files
from headcheck.cli import main
from headcheck.errors import InputError
from headcheck.io import Spool, load_inputs, open_inputs, read_csv, release_rows


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


def comparable(rep) -> dict:
    d = rep.to_dict()
    d.pop("source", None)
    d.pop("notes", None)
    return d


def npy_report(tmp_path, y, p) -> dict:
    np.save(tmp_path / "ref_y.npy", y)
    np.save(tmp_path / "ref_p.npy", p)
    return comparable(report_files([str(tmp_path / "ref_y.npy"), str(tmp_path / "ref_p.npy")]))


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks far smaller than the data, so every read crosses many chunk boundaries."""
    monkeypatch.setattr(hio, "CSV_CHUNK_ROWS", 7)
    monkeypatch.setattr(hio, "PARQUET_BATCH_ROWS", 5)
    monkeypatch.setattr(hio, "NPZ_READ_WHOLE_BYTES", 0)


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
@pytest.mark.parametrize("fmt", ["csv", "tsv", "csv-no-header", "csv-two-files", "parquet",
                                 "parquet-list", "npz", "npz-compressed"])
def test_every_format_reports_like_npy(tmp_path, small_chunks, kind, fmt):
    y, p = data(kind)
    want = npy_report(tmp_path, y, p)
    spool = tmp_path / "spool"
    spool.mkdir()
    paths = _write_format(tmp_path, fmt, y, p)
    got = comparable(report_files(paths, tmp_dir=str(spool)))
    assert got == want
    assert os.listdir(spool) == []  # temporary files removed after success


def test_multilabel_npz_and_parquet_like_npy(tmp_path, small_chunks):
    y, p = data("multilabel")
    want = npy_report(tmp_path, y, p)
    for fmt in ("npz", "npz-compressed", "parquet-list"):
        assert comparable(report_files(_write_format(tmp_path, fmt, y, p))) == want, fmt


def _write_format(tmp_path, fmt: str, y: np.ndarray, p: np.ndarray) -> list[str]:
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


def test_string_labels_csv_like_npy(tmp_path, small_chunks):
    y, p = data("multiclass", n=40, k=3)
    names = np.array(["cat", "dog", "eel"])[y]
    want = npy_report(tmp_path, names, p)
    assert comparable(report_files([write_csv(tmp_path / "d.csv", names, p)])) == want


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 40), k=st.integers(1, 5), chunk=st.integers(1, 9), seed=st.integers(0, 99))
def test_chunked_csv_parse_is_exact(tmp_path_factory, n, k, chunk, seed):
    tmp = tmp_path_factory.mktemp("c")
    r = np.random.default_rng(seed)
    y, p = r.integers(0, 3, n), r.normal(size=(n, k)) * 10.0 ** r.integers(-5, 5, (n, k))
    path = write_csv(tmp / "d.csv", y, p)
    for spool in (None, Spool(str(tmp))):
        table = read_csv(path, with_labels=True, batch_rows=chunk, spool=spool)
        assert table.labels.tolist() == y.tolist()
        assert table.values.dtype == np.float64 and np.array_equal(table.values, p)
        if spool is not None:
            assert isinstance(table.values, np.memmap)
            spool.close()


def test_ragged_and_bad_cells_name_their_line_across_chunks(tmp_path, small_chunks, capsys):
    y, p = data("multiclass", n=30, k=3)
    path = tmp_path / "d.csv"
    write_csv(path, y, p)
    lines = path.read_text().splitlines()
    spool = tmp_path / "spool"
    spool.mkdir()
    ragged = lines.copy()
    ragged[22] = "1,0.5"  # file line 23, in the 4th chunk of 7 rows
    path.write_text("\n".join(ragged) + "\n")
    code = main(["report", str(path), "--tmp-dir", str(spool)])
    err = capsys.readouterr().err
    assert code == 2 and "line 23 has 2 field(s) but the first row has 4" in err
    assert os.listdir(spool) == []  # temporary files removed after an error
    bad = lines.copy()
    bad[17] = bad[17].rsplit(",", 1)[0] + ",x1"
    path.write_text("\n".join(bad) + "\n")
    with pytest.raises(InputError, match=r"line 18, column 3.*'x1'"):
        report_files([str(path)], tmp_dir=str(spool))
    assert os.listdir(spool) == []


def test_quoted_and_crlf_csv(tmp_path, small_chunks):
    y, p = data("multiclass", n=20, k=2)
    rows = ["label,a,b"] + [f'"{v}",{a!r},{b!r}' if i % 3 == 0 else f"{v},{a!r},{b!r}"
                            for i, (v, (a, b)) in enumerate(zip(y, p.tolist()))]
    path = tmp_path / "d.csv"
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode())
    inp = load_inputs([str(path)])
    assert inp.y_true.tolist() == y.tolist() and np.array_equal(inp.y_score, p)


def test_blank_line_is_ragged(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("0,0.2,0.8\n\n1,0.3,0.7\n")
    with pytest.raises(InputError, match="line 2 has 0 field"):
        load_inputs([str(path)])


def test_open_inputs_spools_then_removes(tmp_path, small_chunks):
    y, p = data("multiclass", n=50)
    path = write_csv(tmp_path / "d.csv", y, p)
    spool = tmp_path / "spool"
    spool.mkdir()
    with open_inputs([path], tmp_dir=str(spool)) as inp:
        assert isinstance(inp.y_score, np.memmap) and not inp.y_score.flags.writeable
        assert os.path.dirname(os.path.dirname(inp.y_score.filename)) == str(spool)
        assert np.array_equal(inp.y_score, p)
    assert os.listdir(spool) == []
    with pytest.raises(RuntimeError), open_inputs([path], tmp_dir=str(spool)):
        raise RuntimeError("an error while the spooled data is in use")
    assert os.listdir(spool) == []


def test_unwritable_tmp_dir_is_an_input_error(tmp_path, capsys):
    y, p = data("binary", n=10)
    path = write_csv(tmp_path / "d.csv", y, p)
    code = main(["report", path, "--tmp-dir", str(tmp_path / "missing")])
    err = capsys.readouterr().err
    assert code == 2 and "--tmp-dir" in err and "Traceback" not in err
    assert err.strip().count("\n") == 0


def test_stored_npz_members_are_memory_mapped_in_place(tmp_path):
    y, p = data("multiclass")
    np.savez(tmp_path / "d.npz", y_true=y, y_score=np.asfortranarray(p))
    inp = load_inputs([str(tmp_path / "d.npz")])
    assert isinstance(inp.y_score, np.memmap) and inp.y_score.filename == str(tmp_path / "d.npz")
    assert not inp.y_score.flags.writeable
    assert np.array_equal(inp.y_score, p) and np.array_equal(inp.y_true, y)


def test_compressed_npz_small_in_memory_large_spooled(tmp_path, monkeypatch):
    y, p = data("multiclass")
    np.savez_compressed(tmp_path / "d.npz", y_true=y, y_score=p)
    with zipfile.ZipFile(tmp_path / "d.npz") as z:
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in z.infolist())
    with open_inputs([str(tmp_path / "d.npz")], tmp_dir=str(tmp_path)) as inp:
        assert not isinstance(inp.y_score, np.memmap) and np.array_equal(inp.y_score, p)
    monkeypatch.setattr(hio, "NPZ_READ_WHOLE_BYTES", 100)
    with open_inputs([str(tmp_path / "d.npz")], tmp_dir=str(tmp_path)) as inp:
        assert isinstance(inp.y_score, np.memmap) and np.array_equal(inp.y_score, p)
        assert inp.y_score.filename.startswith(str(tmp_path / "headcheck-"))
    assert sorted(os.listdir(tmp_path)) == ["d.npz"]


@pytest.mark.parametrize("save", [np.savez, np.savez_compressed])
def test_pickled_npz_member_refused_stored_or_compressed(tmp_path, monkeypatch, save):
    monkeypatch.setattr(hio, "NPZ_READ_WHOLE_BYTES", 0)
    save(tmp_path / "d.npz", y_true=np.array([{"a": 1}, None], dtype=object), y_score=np.zeros(2))
    with pytest.raises(InputError, match="never unpickles"), open_inputs([str(tmp_path / "d.npz")]):
        pass


def test_npy_saved_as_npz_and_corrupt_npz(tmp_path):
    np.save(tmp_path / "a.npy", np.zeros(3))
    os.rename(tmp_path / "a.npy", tmp_path / "a.npz")
    with pytest.raises(InputError, match="rename it to .npy"):
        load_inputs([str(tmp_path / "a.npz")])
    (tmp_path / "b.npz").write_bytes(b"not a zip at all")
    with pytest.raises(InputError, match="cannot be read as .npz"):
        load_inputs([str(tmp_path / "b.npz")])


def test_inputs_are_not_modified(tmp_path, small_chunks):
    y, p = data("multiclass")
    files: list[str] = []
    for fmt in ("csv", "npz", "npz-compressed", "parquet"):
        d = tmp_path / fmt
        d.mkdir()
        files += _write_format(d, fmt, y, p)
    def fingerprint(f: str) -> tuple[str, int]:
        with open(f, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest(), os.stat(f).st_mtime_ns

    before = {f: fingerprint(f) for f in files}
    for f in files:
        report_files([f], tmp_dir=str(tmp_path))
    after = {f: fingerprint(f) for f in files}
    assert before == after
    assert sorted(os.listdir(tmp_path)) == sorted(["csv", "npz", "npz-compressed", "parquet"])


def test_parquet_lists_of_different_lengths(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    lists = [[0.1, 0.9], [0.5, 0.5], [0.2, 0.3, 0.5]]
    pq.write_table(pa.table({"y": [0, 1, 1], "s": lists}), tmp_path / "d.parquet")
    with pytest.raises(InputError, match="different lengths|same number of values"):
        load_inputs([str(tmp_path / "d.parquet")], label_column="y")


def test_release_rows_keeps_values_and_ignores_writable_maps(tmp_path):
    p = np.random.default_rng(3).random((5000, 30))
    np.save(tmp_path / "p.npy", p)
    m = np.load(tmp_path / "p.npy", mmap_mode="r")
    total = float(m.sum())
    for start in range(0, 5000, 700):
        release_rows(m, start, start + 700)
        release_rows(m[:, 3], start, start + 700)
    assert float(m.sum()) == total and np.array_equal(m, p)
    w = np.load(tmp_path / "p.npy", mmap_mode="r+")
    w[0, 0] = 42.0  # a dirty page of a writable map must not be dropped
    release_rows(w, 0, 5000)
    assert w[0, 0] == 42.0
    release_rows(p, 0, 10)  # a plain array: nothing to do


def test_reading_progress_only_on_a_terminal(tmp_path, monkeypatch):
    y, p = data("binary", n=30)
    path = write_csv(tmp_path / "d.csv", y, p)
    read_csv(path, with_labels=True, progress=True)  # pytest's stderr is not a terminal: no bar

    class Tty(_io.StringIO):
        def isatty(self):
            return True

    fake = Tty()
    monkeypatch.setattr(sys, "stderr", fake)
    table = read_csv(path, with_labels=True, progress=True, batch_rows=4)
    assert "reading d.csv" in fake.getvalue() and table.values.shape == (30, 1)


def test_report_releases_every_chunk_of_a_memmap_once_the_engine_is_done(tmp_path, monkeypatch):
    import headcheck._report as rmod

    y, p = data("multiclass", n=1000)
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "p.npy", p)
    released: list[tuple[int, int]] = []
    real = rmod.release_rows

    def spy(a, start, stop):
        if a.ndim == 2:
            released.append((start, stop))
        real(a, start, stop)

    monkeypatch.setattr(rmod, "release_rows", spy)
    with open_inputs([str(tmp_path / "y.npy"), str(tmp_path / "p.npy")]) as inp:
        rep = rmod.report(inp.y_true, inp.y_score, chunk_rows=64)
    assert sorted(released) == [(a, min(1000, a + 64)) for a in range(0, 1000, 64)]
    ref = rmod.report(y, p, chunk_rows=64)
    # the engine's worker threads merge chunk states in varying order: equal up to rounding
    assert rep.metrics == pytest.approx(ref.metrics, rel=1e-12)
    assert {k: v.value for k, v in rep.views.items()} == pytest.approx(
        {k: v.value for k, v in ref.views.items()}, rel=1e-12)


def test_parquet_variable_list_column_and_sliced_batches(tmp_path, small_chunks):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    y, p = data("multiclass", n=23, k=3)
    pq.write_table(pa.table({"y": y, "s": pa.array([list(r) for r in p])}), tmp_path / "d.parquet")
    inp = load_inputs([str(tmp_path / "d.parquet")], label_column="y")
    assert inp.y_score.shape == (23, 3) and np.array_equal(inp.y_score, p)
    col = pa.array([list(r) for r in p])[5:12]  # a slice: its offsets do not start at 0
    assert np.array_equal(hio._column_numpy(col, "s", "x.parquet"), p[5:12])


@settings(max_examples=30, deadline=None)
@given(dtype=st.sampled_from(["<f4", ">f8", "<i8", "|b1", "<U3", "<u2"]),
       shape=st.lists(st.integers(0, 6), min_size=1, max_size=2), fortran=st.booleans(),
       compressed=st.booleans(), seed=st.integers(0, 99))
def test_npz_members_read_exactly_as_numpy_reads_them(tmp_path_factory, dtype, shape, fortran,
                                                      compressed, seed):
    tmp = tmp_path_factory.mktemp("z")
    a = (np.random.default_rng(seed).random(shape) * 300).astype(dtype)
    a = np.asfortranarray(a) if fortran else a
    (np.savez_compressed if compressed else np.savez)(tmp / "d.npz", other=np.zeros(2), x=a)
    with np.load(tmp / "d.npz", allow_pickle=False) as z:
        want = z["x"]
    for whole_bytes in (1 << 30, 0):
        with Spool(str(tmp)) as spool, hio._open_npz(str(tmp / "d.npz")) as z:
            hio.NPZ_READ_WHOLE_BYTES, saved = whole_bytes, hio.NPZ_READ_WHOLE_BYTES
            try:
                got = hio._npz_get(z, "x", "d.npz", "scores", hio._Reader(spool))
                assert got.dtype == want.dtype and got.shape == want.shape
                assert np.array_equal(got, want)
            finally:
                hio.NPZ_READ_WHOLE_BYTES = saved
