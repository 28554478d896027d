"""Every kind of bad input: one-paragraph InputError (expected / got / fix), exit 2, no traceback."""
from __future__ import annotations

import os

import numpy as np
import pytest

from headcheck.cli import main


def run(capsys, *argv):
    code = main(["report", *map(str, argv)])
    err = capsys.readouterr().err
    return code, err


def save(tmp_path, name, arr):
    path = tmp_path / name
    np.save(path, arr)
    return path


def assert_one_paragraph(err: str, *fragments: str) -> None:
    assert err.startswith("headcheck report: error: ")
    assert "Traceback" not in err
    assert err.strip().count("\n") == 0, err  # one paragraph
    for f in fragments:
        assert f in err, (f, err)


@pytest.fixture
def probs():
    r = np.random.default_rng(1)
    z = r.normal(size=(6, 3))
    return np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)


def test_mismatched_lengths(tmp_path, capsys, probs):
    code, err = run(capsys, save(tmp_path, "y.npy", np.array([0, 1, 2])), save(tmp_path, "p.npy", probs))
    assert code == 2
    assert_one_paragraph(err, "3 labels", "6 score rows", "same split")


def test_mismatched_class_counts(tmp_path, capsys):
    y = np.eye(3)[[0, 1, 2, 0]]
    code, err = run(capsys, save(tmp_path, "y.npy", y), save(tmp_path, "p.npy", np.full((4, 5), 0.2)))
    assert code == 2
    assert_one_paragraph(err, "labels have 3 columns but scores have 5", "same classes")


def test_nan_scores_count_and_rows(tmp_path, capsys, probs):
    p = probs.copy()
    p[2, 1] = np.nan
    p[4, 0] = np.inf
    code, err = run(capsys, save(tmp_path, "y.npy", np.array([0, 1, 2, 0, 1, 2])), save(tmp_path, "p.npy", p))
    assert code == 2
    assert_one_paragraph(err, "NaN or infinite", "2 row(s)", "2, 4")


def test_negative_labels(tmp_path, capsys, probs):
    code, err = run(capsys, save(tmp_path, "y.npy", np.array([0, -1, 2, 0, 1, 2])), save(tmp_path, "p.npy", probs))
    assert code == 2
    assert_one_paragraph(err, "negative", "0..K-1")


def test_label_index_out_of_range(tmp_path, capsys, probs):
    code, err = run(capsys, save(tmp_path, "y.npy", np.array([0, 1, 3, 0, 1, 2])), save(tmp_path, "p.npy", probs))
    assert code == 2
    assert_one_paragraph(err, "class index 3 is out of range for scores with 3 columns", "first rows: 2")


def test_empty_input(tmp_path, capsys):
    code, err = run(capsys, save(tmp_path, "y.npy", np.array([], dtype=int)), save(tmp_path, "p.npy", np.zeros((0, 3))))
    assert code == 2
    assert_one_paragraph(err, "at least one sample", "empty")


def test_pickled_npy(tmp_path, capsys, probs):
    path = tmp_path / "y.npy"
    np.save(path, np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    code, err = run(capsys, path, save(tmp_path, "p.npy", probs))
    assert code == 2
    assert_one_paragraph(err, "never unpickles", "np.save")


def test_raw_pickle_named_npy(tmp_path, capsys, probs):
    import pickle

    path = tmp_path / "y.npy"
    path.write_bytes(pickle.dumps([0, 1, 2]))
    code, err = run(capsys, path, save(tmp_path, "p.npy", probs))
    assert code == 2
    assert_one_paragraph(err, "never unpickles", "np.save")


def test_text_file_named_npy_is_not_called_a_pickle(tmp_path, capsys, probs):
    path = tmp_path / "y.npy"
    path.write_text("0\n1\n2\n")
    code, err = run(capsys, path, save(tmp_path, "p.npy", probs))
    assert code == 2
    assert_one_paragraph(err, "is not a .npy file", "np.save")
    assert "pickle" not in err


def test_ragged_csv(tmp_path, capsys):
    path = tmp_path / "data.csv"
    path.write_text("label,a,b\n0,0.2,0.8\n1,0.6\n")
    code, err = run(capsys, path)
    assert code == 2
    assert_one_paragraph(err, "line 3", "2 field(s)", "first row has 3")


def test_missing_file(tmp_path, capsys):
    code, err = run(capsys, tmp_path / "nope.npy", tmp_path / "p.npy")
    assert code == 2
    assert_one_paragraph(err, "no such file")


def test_directory(tmp_path, capsys, probs):
    code, err = run(capsys, tmp_path, save(tmp_path, "p.npy", probs))
    assert code == 2
    assert_one_paragraph(err, "is a directory")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file(tmp_path, capsys, probs):
    path = save(tmp_path, "y.npy", np.array([0, 1, 2, 0, 1, 2]))
    os.chmod(path, 0)
    try:
        code, err = run(capsys, path, save(tmp_path, "p.npy", probs))
    finally:
        os.chmod(path, 0o644)
    assert code == 2
    assert_one_paragraph(err, "cannot be read")


def test_corrupt_npy(tmp_path, capsys, probs):
    path = tmp_path / "y.npy"
    path.write_bytes(b"not an npy file at all")
    code, err = run(capsys, path, save(tmp_path, "p.npy", probs))
    assert code == 2
    assert_one_paragraph(err, "y.npy")


def test_three_d_array(tmp_path, capsys):
    code, err = run(capsys, save(tmp_path, "y.npy", np.zeros(4, dtype=int)), save(tmp_path, "p.npy", np.zeros((4, 3, 2))))
    assert code == 2
    assert_one_paragraph(err, "3-D", "shape (4, 3, 2)", "reshape")


def test_unknown_task(tmp_path, capsys, probs):
    code, err = run(capsys, save(tmp_path, "y.npy", np.array([0, 1, 2, 0, 1, 2])), save(tmp_path, "p.npy", probs),
                    "--task", "regression")
    assert code == 2
    assert_one_paragraph(err, "'regression'", "binary, multiclass, multilabel")


def test_unknown_extension(tmp_path, capsys, probs):
    path = tmp_path / "y.pkl"
    path.write_bytes(b"\x80\x04")
    code, err = run(capsys, path, save(tmp_path, "p.npy", probs))
    assert code == 2
    assert_one_paragraph(err, "unknown file type", ".pkl")


def test_string_scores_with_numeric_labels(tmp_path, capsys):
    code, err = run(capsys, save(tmp_path, "y.npy", np.array([0, 1])), save(tmp_path, "p.npy", np.array(["a", "b"])))
    assert code == 2
    assert_one_paragraph(err, "scores", "strings", "numbers")


def test_regression_targets_as_labels(tmp_path, capsys):
    code, err = run(capsys, save(tmp_path, "y.npy", np.array([0.5, 2.7, 3.1])), save(tmp_path, "p.npy", np.array([0.1, 0.9, 0.3])))
    assert code == 2
    assert_one_paragraph(err, "regression target")


def test_npz_without_known_keys(tmp_path, capsys):
    path = tmp_path / "d.npz"
    np.savez(path, a=np.zeros(3), b=np.zeros(3), c=np.zeros(3))
    code, err = run(capsys, path)
    assert code == 2
    assert_one_paragraph(err, "--labels-key", "['a', 'b', 'c']")


def test_bad_weights(tmp_path, capsys, probs):
    code, err = run(capsys, save(tmp_path, "y.npy", np.array([0, 1, 2, 0, 1, 2])), save(tmp_path, "p.npy", probs),
                    "--weights", save(tmp_path, "w.npy", np.array([1.0, -1, 1, 1, 1, 1])))
    assert code == 2
    assert_one_paragraph(err, "non-negative", "first rows: 1")


def test_missing_pyarrow_message(monkeypatch, tmp_path, capsys):
    import builtins

    real = builtins.__import__

    def fake_import(name, *a, **k):
        if name.startswith("pyarrow"):
            raise ImportError("no pyarrow")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    path = tmp_path / "d.parquet"
    path.write_bytes(b"PAR1")
    code, err = run(capsys, path)
    assert code == 2
    assert_one_paragraph(err, "pip install headcheck[parquet]")
