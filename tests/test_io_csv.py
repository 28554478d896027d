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


def test_blank_line_before_data_is_named(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("0,0.2,0.8\n\n1,0.3,0.7\n")
    with pytest.raises(InputError, match="line 2 is blank but rows of data follow it"):
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


# --- odd but valid CSV (issue 12): BOMs, comments, separators, trailing blanks ------------------
def test_bom_without_header_keeps_the_first_row(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes("\ufeff0,0.2,0.8\n1,0.6,0.4\n1,0.3,0.7\n".encode())
    inp = load_inputs([str(path)])
    assert inp.y_true.tolist() == [0, 1, 1] and inp.y_score.shape == (3, 2)


def test_bom_with_header_gives_clean_column_names(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes("\ufefflabel,a,b\n0,0.2,0.8\n1,0.6,0.4\n".encode())
    table = read_csv(str(path), with_labels=True)
    assert table.header == ("label", "a", "b") and table.labels.tolist() == [0, 1]


def test_bom_before_a_named_label_column(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes("\ufefftarget,p0,p1\n1,0.2,0.8\n0,0.6,0.4\n".encode())
    inp = load_inputs([str(path)], label_column="target")
    assert inp.y_true.tolist() == [1, 0] and np.allclose(inp.y_score, [[0.2, 0.8], [0.6, 0.4]])


def test_leading_comment_and_blank_lines_are_skipped_and_said(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("# exported by the evaluation job\n\n# second comment\nlabel,a,b\n0,0.2,0.8\n1,0.6,0.4\n")
    inp = load_inputs([str(path)])
    assert inp.y_true.tolist() == [0, 1] and inp.y_score.shape == (2, 2)
    assert any("skipped 3 leading comment/blank line(s)" in n for n in inp.notes)


def test_savetxt_commented_header_is_the_header(tmp_path):
    path = tmp_path / "d.csv"
    block = np.array([[0.2, 0.8, 1], [0.6, 0.4, 0], [0.3, 0.7, 1]])
    np.savetxt(path, block, delimiter=",", header="p0,p1,target", fmt="%g")
    inp = load_inputs([str(path)], label_column="target")
    assert inp.y_true.tolist() == [1, 0, 1] and np.allclose(inp.y_score, block[:, :2])
    assert any("the last comment is the header" in n for n in inp.notes)


@pytest.mark.parametrize("sep, name", [(";", "';'"), ("\t", "tab"), ("|", "'|'")])
def test_separator_is_sniffed_and_stated(tmp_path, sep, name):
    path = tmp_path / "d.csv"
    path.write_text(sep.join(["label", "a", "b"]) + "\n" + "\n".join(
        sep.join([str(y), str(a), str(1 - a)]) for y, a in [(0, 0.25), (1, 0.5), (1, 0.75)]) + "\n")
    inp = load_inputs([str(path)])
    assert inp.y_true.tolist() == [0, 1, 1] and np.allclose(inp.y_score[:, 0], [0.25, 0.5, 0.75])
    assert f"{path}: separator {name} (detected)" in inp.notes


def test_separator_stated_in_the_report_notes(tmp_path, capsys):
    path = tmp_path / "d.csv"
    path.write_text("label;p\n0;0.2\n1;0.9\n1;0.6\n0;0.3\n")
    assert main(["report", str(path), "--format", "json"]) in (0, 1)
    import json

    notes = json.loads(capsys.readouterr().out)["notes"]
    assert f"{path}: separator ';' (detected)" in notes


def test_comma_csv_whose_labels_hold_semicolons_stays_comma(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a;b,0.2,0.8\nc;d,0.6,0.4\n")
    inp = load_inputs([str(path)])
    assert inp.y_true.tolist() == ["a;b", "c;d"] and inp.notes == ("labels: column 0 (0-based); "
                                                                   "scores: the other 2 column(s)",)


def test_tsv_whose_labels_hold_commas_stays_tab(tmp_path):
    path = tmp_path / "d.tsv"
    path.write_text('label\tp0\tp1\n"a,b"\t0.2\t0.8\n"c,d"\t0.6\t0.4\n')
    inp = load_inputs([str(path)])
    assert inp.y_true.tolist() == ["a,b", "c,d"]


def test_space_separated_numbers_from_savetxt(tmp_path):
    y, p = np.array([0, 1, 1]), np.array([[0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    np.savetxt(tmp_path / "y.txt", y, fmt="%d")
    np.savetxt(tmp_path / "p.txt", p)
    inp = load_inputs([str(tmp_path / "y.txt"), str(tmp_path / "p.txt")])
    assert inp.y_true.tolist() == [0, 1, 1] and np.array_equal(inp.y_score, p)
    assert any("separator space (detected)" in n for n in inp.notes)


def test_labels_with_spaces_are_not_split_on_spaces(tmp_path):
    from headcheck.io import load_array

    (tmp_path / "y.csv").write_text("big cat\nsmall dog\nbig cat\n")

    assert load_array(str(tmp_path / "y.csv")).tolist() == ["big cat", "small dog", "big cat"]


@pytest.mark.parametrize("tail", ["\n", "\n\n", "\n  \n\r\n"])
def test_trailing_blank_lines_are_not_an_error(tmp_path, tail):
    path = tmp_path / "d.csv"
    path.write_text("label,a\n0,0.2\n1,0.9" + "\n" + tail)
    inp = load_inputs([str(path)])
    assert inp.y_true.tolist() == [0, 1]


def test_trailing_blanks_across_batches_and_blank_then_data(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("0,0.2\n1,0.9\n\n\n\n")
    assert read_csv(str(path), with_labels=True, batch_rows=1).labels.tolist() == [0, 1]
    path.write_text("0,0.2\n1,0.9\n\n\n\n1,0.4\n")
    with pytest.raises(InputError, match="line 3 is blank but rows of data follow it"):
        read_csv(str(path), with_labels=True, batch_rows=2)


def test_empty_label_cell_is_named_by_line_and_column(tmp_path, capsys):
    path = tmp_path / "d.csv"
    path.write_text("label,a,b\n0,0.2,0.8\n,0.6,0.4\n1,0.3,0.7\n")
    code = main(["report", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "line 3, column 0 ('label'): the label is empty" in err
    (tmp_path / "y.csv").write_text("0\n1\n\"\"\n")
    with pytest.raises(InputError, match=r"y\.csv: line 3, column 0: the label is empty"):
        load_inputs([str(tmp_path / "y.csv"), str(path)])


def test_one_column_message_shows_the_line_when_no_separator_splits_it(tmp_path, capsys):
    path = tmp_path / "d.csv"
    path.write_text("cat 0.2 0.8\ndog 0.6 0.4\n")
    code = main(["report", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and "no ',', tab, ';' or '|' separates values on its first line, 'cat 0.2 0.8'" in err


@pytest.mark.parametrize("text", ["# only a comment\n", "\n\n", ""])
def test_file_without_rows(tmp_path, text):
    path = tmp_path / "d.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=r"is empty|holds only comment \('#'\) and blank lines"):
        load_inputs([str(path)])


def test_utf16_csv_is_named_as_such(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes("label,a\n0,0.2\n".encode("utf-16"))
    with pytest.raises(InputError, match="is UTF-16 text; expected UTF-8"):
        load_inputs([str(path)])


def test_latin1_csv_names_the_file_and_line(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes("label,a\n0,0.2\ncaf\xe9,0.3\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"d\.csv: line 3: is not UTF-8 text"):
        load_inputs([str(path)])
    rows = [f"{i % 2},0.{i % 10}" for i in range(3000)]
    rows[1500] = "caf\xe9,0.3"  # far past the first block the decoder reads
    path.write_bytes(("label,a\n" + "\n".join(rows) + "\n").encode("latin-1"))
    with pytest.raises(InputError, match=r"d\.csv: line 1502: is not UTF-8 text"):
        load_inputs([str(path)])


def test_float_labels_beyond_int64_stay_floats(tmp_path):
    from headcheck.io.csv import parse_labels

    assert parse_labels(np.array(["1e300", "2"])).dtype == np.float64
    assert parse_labels(np.array(["2.0", "1"])).tolist() == [2, 1]


def test_integer_labels_beyond_int64_do_not_crash_the_parse(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("label,a\n99999999999999999999,0.2\n1,0.9\n")
    inp = load_inputs([str(path)])
    assert inp.y_true.dtype == np.float64 and inp.y_true[1] == 1


def test_decimal_commas_are_named(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("label;a\n0;0,2\n1;0,9\n")
    with pytest.raises(InputError, match=r"line 2, column 1: .* got '0,2' \(decimal commas are not read"):
        load_inputs([str(path)])


def test_warnings_while_reading_become_notes():
    import warnings

    from headcheck.io import ReadContext
    from headcheck.io._load import _warnings_as_notes

    ctx = ReadContext()
    with warnings.catch_warnings(record=True) as outer:
        warnings.simplefilter("always")
        with _warnings_as_notes("x.csv", ctx):
            np.loadtxt([], ndmin=2)  # numpy warns: input contained no data
    assert not outer
    assert len(ctx.notes) == 1 and ctx.notes[0].startswith("x.csv: while reading: loadtxt: input contained no data")
