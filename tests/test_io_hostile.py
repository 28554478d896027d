"""Hostile and malformed input files (issue 12, the input side): a one-paragraph InputError that
names the file (and member), exit 2, no traceback, no hang, no unbounded memory. The files are made
at test time by tests/hostile.py."""
from __future__ import annotations

import os
import warnings

import hostile
import numpy as np
import pytest

from headcheck.cli import main
from headcheck.errors import InputError
from headcheck.io import load_array, load_inputs


def run(capsys, *argv: object) -> tuple[int, str]:
    code = main(["report", *map(str, argv)])
    return code, capsys.readouterr().err


def assert_clean_error(err: str, *fragments: str) -> None:
    assert err.startswith("headcheck report: error: "), err
    assert "Traceback" not in err
    assert err.strip().count("\n") == 0, err  # one paragraph
    for f in fragments:
        assert f in err, (f, err)


@pytest.fixture
def scores(tmp_path):
    path = tmp_path / "p.npy"
    np.save(path, np.array([0.2, 0.9, 0.6]))
    return path


@pytest.fixture
def labels(tmp_path):
    path = tmp_path / "y.npy"
    np.save(path, np.array([0, 1, 1]))
    return path


# --- paths that are not regular files: refused before they are opened ----------------------------
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("name", ["y.npy", "d.npz", "d.csv", "d.parquet"])
def test_fifo_is_refused_without_blocking(tmp_path, name):
    fifo = hostile.fifo(tmp_path, name)
    r = hostile.run_cli(["report", fifo], timeout=60)
    assert not r.timed_out, "headcheck blocked on a FIFO"
    assert r.code == 2 and "Traceback" not in r.stderr
    assert str(fifo) in r.stderr and "named pipe" in r.stderr and "regular file" in r.stderr


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero and /dev/urandom")
@pytest.mark.parametrize("name, device", [("zero.csv", "/dev/zero"), ("random.npz", "/dev/urandom"),
                                          ("zero.npy", "/dev/zero"), ("zero.parquet", "/dev/zero")])
def test_character_device_is_refused_without_growing_memory(tmp_path, name, device):
    link = hostile.device_link(tmp_path, name, device)
    r = hostile.run_cli(["report", link], timeout=60, memory_mb=2048)
    assert not r.timed_out
    assert r.code == 2 and "Traceback" not in r.stderr
    assert str(link) in r.stderr and "character device" in r.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_as_weights_or_as_check_labels_is_refused(tmp_path, labels, scores):
    fifo = hostile.fifo(tmp_path, "w.npy")
    r = hostile.run_cli(["report", labels, scores, "--weights", fifo], timeout=60)
    assert r.code == 2 and "w.npy: is a named pipe" in r.stderr and "Traceback" not in r.stderr
    r = hostile.run_cli(["check", "--activation", "sigmoid", "--loss", "binary_crossentropy",
                         "--labels", fifo], timeout=60)
    assert r.code == 2 and "w.npy: is a named pipe" in r.stderr and "Traceback" not in r.stderr


# --- .npy / .npz headers checked against the bytes there before anything is allocated ------------
@pytest.mark.parametrize("kind, fragment", [
    ("huge", "(1000000000000,)"), ("huge-2d", "(1000000000000, 1000000000000)"),
    ("longer-than-data", "8,000 bytes"), ("negative", "negative dimension"),
    ("negative-2d", "negative dimension"), ("zero-by-huge", "larger than any array numpy can hold"),
])
def test_npy_header_that_lies_about_its_shape(tmp_path, labels, capsys, kind, fragment):
    path = hostile.write_npy(tmp_path, "p.npy", hostile.LYING_HEADERS[kind])
    code, err = run(capsys, labels, path)
    assert code == 2
    assert_clean_error(err, str(path), fragment, "np.save")
    assert "mmap" not in err and "TiB" not in err


@pytest.mark.parametrize("kind", ["huge", "huge-2d", "longer-than-data", "negative", "negative-2d",
                                  "zero-by-huge"])
@pytest.mark.parametrize("method", ["stored", "deflated"])
def test_npz_member_header_that_lies_about_its_shape(tmp_path, capsys, kind, method):
    path = hostile.NPZ_DAMAGE[f"lying-{kind}-{method}"](tmp_path, "d.npz")
    code, err = run(capsys, path)
    assert code == 2
    assert_clean_error(err, str(path), "array 'y_score'", "y_score.npy")


@pytest.mark.parametrize("kind", ["code", "call-in-descr", "not-a-dict", "nested"])
def test_npy_header_holding_code_is_refused_as_a_header_not_a_pickle(tmp_path, labels, capsys, kind):
    path = hostile.write_npy(tmp_path, "p.npy", hostile.LYING_HEADERS[kind])
    code, err = run(capsys, labels, path)
    assert code == 2
    assert_clean_error(err, str(path), "header", "never evaluates")
    assert "pickle" not in err


def test_npz_member_header_holding_code(tmp_path, capsys):
    path = hostile.NPZ_DAMAGE["lying-code-deflated"](tmp_path, "d.npz")
    code, err = run(capsys, path)
    assert code == 2
    assert_clean_error(err, "array 'y_score'", "never evaluates")
    assert "pickle" not in err


def test_object_array_is_still_called_a_pickle(tmp_path, labels, capsys):
    path = hostile.write_npy(tmp_path, "p.npy", hostile.npy_header("(3,)", "|O"))
    code, err = run(capsys, labels, path)
    assert code == 2
    assert_clean_error(err, "Python objects", "never unpickles")


# --- damaged .npz members: an InputError naming file and member ----------------------------------
@pytest.mark.parametrize("damage, fragment", [
    ("encrypted", "encrypted"), ("aes-method", "AES encryption compression"),
    ("implode-method", "implode compression"), ("bzip2-method", "bzip2 compression"),
    ("corrupt-deflate", "damaged"),
])
def test_damaged_npz_member_names_file_and_member(tmp_path, capsys, damage, fragment):
    path = hostile.NPZ_DAMAGE[damage](tmp_path, "d.npz")
    code, err = run(capsys, path)
    assert code == 2
    assert_clean_error(err, str(path), "array 'y_score' (member y_score.npy)", fragment)


def test_bad_crc_of_a_compressed_member(tmp_path):
    import zipfile

    path = hostile.labels_and(hostile.array_bytes(np.linspace(0, 1, 50)))(tmp_path, "d.npz")
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("y_score.npy")
    crc_at = info.header_offset + 14  # the local header's CRC-32, also in the central directory
    raw[crc_at] ^= 0xFF
    raw[raw.rindex(b"PK\x01\x02") + 16] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(InputError, match=r"d\.npz: array 'y_score' \(member y_score\.npy\).*CRC"):
        load_inputs([str(path)])


def test_npz_member_claiming_more_than_deflate_can_expand(tmp_path, capsys):
    path = hostile.labels_and(hostile.array_bytes(np.zeros(3)))(tmp_path, "d.npz")
    raw = bytearray(path.read_bytes())
    cd = raw.rindex(b"PK\x01\x02")  # the last central entry: y_score.npy
    raw[cd + 24:cd + 28] = (1 << 31).to_bytes(4, "little")  # uncompressed size: 2 GiB
    path.write_bytes(bytes(raw))
    code, err = run(capsys, path)
    assert code == 2
    assert_clean_error(err, "array 'y_score'", "more than deflate allows")


# --- warnings and parse errors ---------------------------------------------------------------------
def test_numpy_warnings_never_reach_stderr(tmp_path, capsys):
    (tmp_path / "y.csv").write_text("0\n1\n")
    (tmp_path / "p.csv").write_text("\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code, err = run(capsys, tmp_path / "y.csv", tmp_path / "p.csv")
    assert not [str(w.message) for w in caught]
    assert code == 2
    assert_clean_error(err, "p.csv")


def test_every_damaged_npz_in_the_corpus_gives_an_input_error_naming_the_file(tmp_path):
    for name, make in hostile.NPZ_DAMAGE.items():
        path = make(tmp_path, f"{name}.npz")
        with pytest.raises(InputError, match=f"{path.name}: array 'y_score'"):
            load_inputs([str(path)])
        with pytest.raises(InputError, match=f"{path.name}: array 'y_score'"):
            load_array(str(path), role="scores")
