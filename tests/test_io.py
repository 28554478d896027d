"""Reading inputs (headcheck.io): npy, npz, csv, parquet; one file or two; weights."""
from __future__ import annotations

import numpy as np
import pytest

from headcheck.errors import InputError
from headcheck.io import default_chunk_rows, iter_chunks, load_array, load_inputs, read_csv

Y = np.array([0, 2, 1, 2])
P = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.2, 0.5, 0.3], [0.3, 0.3, 0.4]])


def test_npy_is_memory_mapped_and_read_only(tmp_path):
    np.save(tmp_path / "y.npy", Y)
    np.save(tmp_path / "p.npy", P)
    inp = load_inputs([tmp_path / "y.npy", tmp_path / "p.npy"])
    assert isinstance(inp.y_score, np.memmap) and not inp.y_score.flags.writeable
    assert np.array_equal(inp.y_true, Y) and np.array_equal(inp.y_score, P)
    assert inp.sample_weight is None


@pytest.mark.parametrize("keys", [("y_true", "y_score"), ("labels", "scores"), ("y", "probs"), ("labels", "y_pred")])
def test_npz_default_keys(tmp_path, keys):
    np.savez(tmp_path / "d.npz", **{keys[0]: Y, keys[1]: P, "other": np.zeros(2)})
    inp = load_inputs([tmp_path / "d.npz"])
    assert np.array_equal(inp.y_true, Y) and np.array_equal(inp.y_score, P)


def test_npz_two_unnamed_arrays_in_file_order(tmp_path):
    np.savez(tmp_path / "d.npz", Y, P)
    inp = load_inputs([tmp_path / "d.npz"])
    assert np.array_equal(inp.y_true, Y) and np.array_equal(inp.y_score, P)
    assert any("file order" in n for n in inp.notes)


def test_npz_explicit_keys_and_weights(tmp_path):
    w = np.array([1.0, 2.0, 1.0, 0.5])
    np.savez(tmp_path / "d.npz", truth=Y, out=P, sample_weight=w)
    inp = load_inputs([tmp_path / "d.npz"], labels_key="truth", scores_key="out")
    assert np.array_equal(inp.y_score, P) and np.array_equal(inp.sample_weight, w)
    with pytest.raises(InputError, match="no array 'nope'"):
        load_inputs([tmp_path / "d.npz"], labels_key="nope", scores_key="out")


def test_pickled_npz_member_refused(tmp_path):
    np.savez(tmp_path / "d.npz", y_true=np.array([{"a": 1}], dtype=object), y_score=np.zeros(1))
    with pytest.raises(InputError, match="never"):
        load_inputs([tmp_path / "d.npz"])


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
    table = read_csv(str(path), batch_rows=64)
    assert table.width == 4 and len(table.columns[0]) == 1000
    rows[700] = "1,0.2"
    write(path, "\n".join(rows) + "\n")
    with pytest.raises(InputError, match="line 701 has 2 field"):
        read_csv(str(path), batch_rows=64)


def test_csv_non_number_score_names_line_and_column(tmp_path):
    path = write(tmp_path / "d.csv", "0,0.1,0.9\n1,abc,0.2\n")
    with pytest.raises(InputError, match=r"line 2, column 1.*'abc'"):
        load_inputs([path])


def test_two_csv_files(tmp_path):
    yl = write(tmp_path / "y.csv", "\n".join(map(str, Y)) + "\n")
    pl = write(tmp_path / "p.csv", "\n".join(",".join(map(str, r)) for r in P) + "\n")
    inp = load_inputs([yl, pl])
    assert inp.y_true.tolist() == Y.tolist() and np.allclose(inp.y_score, P)


def test_parquet_scalar_columns_and_list_column(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    t = pa.table({"label": Y, "p0": P[:, 0], "p1": P[:, 1], "p2": P[:, 2]})
    pq.write_table(t, tmp_path / "d.parquet")
    inp = load_inputs([tmp_path / "d.parquet"])
    assert np.array_equal(inp.y_true, Y) and np.allclose(inp.y_score, P)
    t2 = pa.table({"scores": pa.array(list(P), type=pa.list_(pa.float64(), 3)), "y": Y})
    pq.write_table(t2, tmp_path / "e.parquet")
    inp2 = load_inputs([tmp_path / "e.parquet"], label_column="y")
    assert np.array_equal(inp2.y_true, Y) and np.allclose(inp2.y_score, P)


def test_weights_file(tmp_path):
    np.save(tmp_path / "y.npy", Y)
    np.save(tmp_path / "p.npy", P)
    np.save(tmp_path / "w.npy", np.array([1.0, 1.0, 2.0, 3.0]))
    inp = load_inputs([tmp_path / "y.npy", tmp_path / "p.npy"], weights=str(tmp_path / "w.npy"))
    assert inp.sample_weight.tolist() == [1.0, 1.0, 2.0, 3.0]


def test_single_npy_needs_a_second_file(tmp_path):
    np.save(tmp_path / "y.npy", Y)
    with pytest.raises(InputError, match="two"):
        load_inputs([tmp_path / "y.npy"])


def test_chunks_cover_everything():
    n = 10_001
    ranges = list(iter_chunks(n, 1000))
    assert ranges[0] == (0, 1000) and ranges[-1] == (10_000, n)
    assert sum(b - a for a, b in ranges) == n
    assert default_chunk_rows(np.zeros((10, 100), np.float32)) >= 1024


def test_load_array_npz_single(tmp_path):
    np.savez(tmp_path / "s.npz", only=P)
    assert np.array_equal(load_array(str(tmp_path / "s.npz"), role="scores"), P)
