"""Reading CSV / TSV files (headcheck.io.csv): headers, label columns, batches, quoting, messages
that name the line and column."""
from __future__ import annotations

import io as _io
import os
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from io_helpers import data, small_chunks, write_csv  # noqa: F401

from headcheck._report import report_files
from headcheck.cli import main
from headcheck.errors import InputError
from headcheck.io import Spool, load_inputs, read_csv

Y = np.array([0, 2, 1, 2])
P = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.2, 0.5, 0.3], [0.3, 0.3, 0.4]])


def write(path, text):
    path.write_text(text)
    return path


def test_csv_with_header_and_named_label_column(tmp_path):
    path = write(tmp_path / "d.csv", "p0,p1,p2,target\n" + "\n".join(
        ",".join(map(str, list(P[i]) + [Y[i]])) for i in range(4)) + "\n")
    inp = load_inputs([path], label_column="target")
    assert np.array_equal(inp.y_true, Y) and np.allclose(inp.y_score, P)
    inp2 = load_inputs([path], label_column="3")
    assert np.array_equal(inp2.y_true, Y)


def test_csv_without_header_label_first(tmp_path):
    path = write(tmp_path / "d.csv", "\n".join(",".join(map(str, [Y[i]] + list(P[i]))) for i in range(4)))
    inp = load_inputs([path])
    assert inp.y_true.dtype.kind == "i" and np.array_equal(inp.y_true, Y) and np.allclose(inp.y_score, P)


def test_csv_string_labels_and_header_detection(tmp_path):
    path = write(tmp_path / "d.csv", "label,cat,dog\ncat,0.9,0.1\ndog,0.3,0.7\n")
    inp = load_inputs([path])
    assert inp.y_true.tolist() == ["cat", "dog"] and inp.y_score.shape == (2, 2)


def test_csv_binary_single_score_column(tmp_path):
    path = write(tmp_path / "d.csv", "y,p\n0,0.2\n1,0.9\n1,0.4\n")
    inp = load_inputs([path])
    assert inp.y_score.shape == (3,) and inp.y_true.tolist() == [0, 1, 1]


def test_csv_streams_in_batches(tmp_path):
    rows = [f"{i % 3},{0.1},{0.2},{0.7}" for i in range(1000)]
    path = write(tmp_path / "d.csv", "\n".join(rows) + "\n")
    table = read_csv(str(path), batch_rows=64, with_labels=True)
    assert table.values.shape == (1000, 3) and table.values.dtype == np.float64
    assert table.labels.tolist() == [i % 3 for i in range(1000)]
    rows[700] = "1,0.2"
    write(path, "\n".join(rows) + "\n")
    with pytest.raises(InputError, match="line 701 has 2 field"):
        read_csv(str(path), batch_rows=64, with_labels=True)


def test_csv_non_number_score_names_line_and_column(tmp_path):
    path = write(tmp_path / "d.csv", "0,0.1,0.9\n1,abc,0.2\n")
    with pytest.raises(InputError, match=r"line 2, column 1.*'abc'"):
        load_inputs([path])


def test_two_csv_files(tmp_path):
    yl = write(tmp_path / "y.csv", "\n".join(map(str, Y)) + "\n")
    pl = write(tmp_path / "p.csv", "\n".join(",".join(map(str, r)) for r in P) + "\n")
    inp = load_inputs([yl, pl])
    assert inp.y_true.tolist() == Y.tolist() and np.allclose(inp.y_score, P)


def test_empty_and_header_only_csv(tmp_path):
    empty = write(tmp_path / "e.csv", "")
    with pytest.raises(InputError, match="is empty"):
        load_inputs([empty])
    head = write(tmp_path / "h.csv", "label,a,b\n")
    with pytest.raises(InputError, match="no data rows"):
        load_inputs([head])


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


@pytest.mark.usefixtures("small_chunks")
def test_ragged_and_bad_cells_name_their_line_across_chunks(tmp_path, capsys):
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


@pytest.mark.usefixtures("small_chunks")
def test_quoted_and_crlf_csv(tmp_path):
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
