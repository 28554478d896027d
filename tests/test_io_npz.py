"""Reading .npz files (headcheck.io.npz): keys, stored members mapped in place, compressed members
read whole or spooled, never unpickled."""
from __future__ import annotations

import os
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from io_helpers import data

import headcheck.io.npz as hnpz
from headcheck.errors import InputError
from headcheck.io import Spool, load_array, load_inputs, open_inputs

Y = np.array([0, 2, 1, 2])
P = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.2, 0.5, 0.3], [0.3, 0.3, 0.4]])


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


def test_load_array_npz_single(tmp_path):
    np.savez(tmp_path / "s.npz", only=P)
    assert np.array_equal(load_array(str(tmp_path / "s.npz"), role="scores"), P)


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
    monkeypatch.setattr(hnpz, "READ_WHOLE_BYTES", 100)
    with open_inputs([str(tmp_path / "d.npz")], tmp_dir=str(tmp_path)) as inp:
        assert isinstance(inp.y_score, np.memmap) and np.array_equal(inp.y_score, p)
        assert inp.y_score.filename.startswith(str(tmp_path / "headcheck-"))
    assert sorted(os.listdir(tmp_path)) == ["d.npz"]


@pytest.mark.parametrize("save", [np.savez, np.savez_compressed])
def test_pickled_npz_member_refused_stored_or_compressed(tmp_path, monkeypatch, save):
    monkeypatch.setattr(hnpz, "READ_WHOLE_BYTES", 0)
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
        with Spool(str(tmp)) as spool, hnpz.open_npz(str(tmp / "d.npz")) as z:
            hnpz.READ_WHOLE_BYTES, saved = whole_bytes, hnpz.READ_WHOLE_BYTES
            try:
                got = hnpz.member(z, "x", "scores", spool)
                assert got.dtype == want.dtype and got.shape == want.shape
                assert np.array_equal(got, want)
            finally:
                hnpz.READ_WHOLE_BYTES = saved


def test_member_names_never_leave_the_spool(tmp_path, monkeypatch):
    import zipfile

    import hostile

    monkeypatch.setattr(hnpz, "READ_WHOLE_BYTES", 0)
    spool = tmp_path / "spool"
    (spool / "x").mkdir(parents=True)
    path = tmp_path / "d.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("y_true.npy", hostile.array_bytes(np.array([0, 1, 1])))
        z.writestr("../../evil.npy", hostile.array_bytes(np.array([0.2, 0.9, 0.6])))
    with open_inputs([str(path)], scores_key="../../evil", tmp_dir=str(spool)) as inp:
        assert inp.y_score.tolist() == [0.2, 0.9, 0.6]
        assert os.path.dirname(os.path.dirname(inp.y_score.filename)) == str(spool)
    assert sorted(os.listdir(tmp_path)) == ["d.npz", "spool"]
