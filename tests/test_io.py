"""Reading inputs (headcheck.io), the parts every format shares: one file or two, weights, the
spool, chunks, memory-map release, progress."""
from __future__ import annotations

import os

import numpy as np
import pytest
from io_helpers import data, small_chunks, write_csv  # noqa: F401

from headcheck.cli import main
from headcheck.errors import InputError
from headcheck.io import default_chunk_rows, iter_chunks, load_inputs, open_inputs, release_rows

Y = np.array([0, 2, 1, 2])
P = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.2, 0.5, 0.3], [0.3, 0.3, 0.4]])


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


def test_progress_only_on_a_terminal(monkeypatch):
    import io as _io
    import sys

    from headcheck.io import progress_callback

    assert progress_callback(100) is None  # pytest's stderr is not a terminal

    class Tty(_io.StringIO):
        def isatty(self):
            return True

    fake = Tty()
    monkeypatch.setattr(sys, "stderr", fake)
    advance = progress_callback(100, "reading")
    assert advance is not None
    advance(50)
    advance(100)  # completes and stops the bar
    assert "reading" in fake.getvalue()


@pytest.mark.usefixtures("small_chunks")
def test_open_inputs_spools_then_removes(tmp_path):
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


def test_docstring_examples_of_every_io_module():
    import doctest
    import importlib
    import pkgutil

    import headcheck.io as pkg

    attempted = {}
    for info in pkgutil.iter_modules(pkg.__path__):
        module = importlib.import_module(f"{pkg.__name__}.{info.name}")
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, info.name
        attempted[info.name] = result.attempted
    assert attempted["_spool"] > 0 and attempted["_chunks"] > 0


def test_formats_are_found_by_walking_the_package():
    from headcheck.io import formats

    by_name = {f.name: f for f in formats()}
    assert set(by_name) == {"npy", "npz", "csv", "parquet"}
    assert by_name["npy"].read_pair is None  # one array per file
    assert all(by_name[n].read_pair is not None for n in ("npz", "csv", "parquet"))
    exts = [e for f in formats() for e in f.extensions]
    assert len(exts) == len(set(exts))
