"""Reading parquet files (headcheck.io.parquet): scalar and list columns, batches."""
from __future__ import annotations

import numpy as np
import pytest
from io_helpers import data, small_chunks  # noqa: F401

import headcheck.io.parquet as hparquet
from headcheck.errors import InputError
from headcheck.io import load_inputs

Y = np.array([0, 2, 1, 2])
P = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.2, 0.5, 0.3], [0.3, 0.3, 0.4]])


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


def test_parquet_lists_of_different_lengths(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    lists = [[0.1, 0.9], [0.5, 0.5], [0.2, 0.3, 0.5]]
    pq.write_table(pa.table({"y": [0, 1, 1], "s": lists}), tmp_path / "d.parquet")
    with pytest.raises(InputError, match="different lengths|same number of values"):
        load_inputs([str(tmp_path / "d.parquet")], label_column="y")


@pytest.mark.usefixtures("small_chunks")
def test_parquet_variable_list_column_and_sliced_batches(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    y, p = data("multiclass", n=23, k=3)
    pq.write_table(pa.table({"y": y, "s": pa.array([list(r) for r in p])}), tmp_path / "d.parquet")
    inp = load_inputs([str(tmp_path / "d.parquet")], label_column="y")
    assert inp.y_score.shape == (23, 3) and np.array_equal(inp.y_score, p)
    col = pa.array([list(r) for r in p])[5:12]  # a slice: its offsets do not start at 0
    assert np.array_equal(hparquet.column_numpy(col, "s", "x.parquet"), p[5:12])


def test_two_parquet_files_labels_then_scores(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    from headcheck._report import report_files

    y, p = data("multiclass", n=30, k=3)
    pq.write_table(pa.table({"y": y}), tmp_path / "y.parquet")
    pq.write_table(pa.table({f"p{j}": p[:, j] for j in range(3)}), tmp_path / "p.parquet")
    pq.write_table(pa.table({"s": pa.array(list(p), type=pa.list_(pa.float64(), 3))}), tmp_path / "l.parquet")
    inp = load_inputs([str(tmp_path / "y.parquet"), str(tmp_path / "p.parquet")])
    assert np.array_equal(inp.y_true, y) and np.array_equal(inp.y_score, p)
    inp = load_inputs([str(tmp_path / "y.parquet"), str(tmp_path / "l.parquet")])
    assert np.array_equal(inp.y_score, p)
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "p.npy", p)
    want = report_files([str(tmp_path / "y.npy"), str(tmp_path / "p.npy")]).metrics
    assert report_files([str(tmp_path / "y.parquet"), str(tmp_path / "p.parquet")]).metrics == want


def test_parquet_string_labels_file(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    from headcheck.io import load_array

    pq.write_table(pa.table({"label": ["cat", "dog", "cat"]}), tmp_path / "y.parquet")
    assert load_array(str(tmp_path / "y.parquet"), role="labels").tolist() == ["cat", "dog", "cat"]
