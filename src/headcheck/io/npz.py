"""`.npz` (a zip of .npy members): stored members memory-mapped in place, compressed ones
decompressed in pieces to the spool when large; never unpickled."""
from __future__ import annotations

import os
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import numpy as np

from headcheck.errors import InputError
from headcheck.io._chunks import CHUNK_BYTES
from headcheck.io._registry import Format, Pair, ReadContext, Request
from headcheck.io._spool import Spool
from headcheck.io.npy import MAGIC, Header, map_array, read_header

LABEL_KEYS = ("y_true", "labels", "y")
SCORE_KEYS = ("y_score", "scores", "y_pred", "probs")
WEIGHT_KEYS = ("sample_weight", "weights")
_ROLE_KEYS = {"labels": LABEL_KEYS, "scores": SCORE_KEYS, "weights": WEIGHT_KEYS}
# A compressed member up to this size (uncompressed) is read whole rather than spooled.
READ_WHOLE_BYTES = CHUNK_BYTES


# What np.savez / np.savez_compressed write; zipfile reads bzip2 and lzma too, but without a bound
# on what one read call inflates to, so a small member could expand without limit.
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
_OTHER_METHODS = {1: "shrink", 6: "implode", 9: "deflate64", 12: "bzip2", 14: "lzma", 93: "zstandard",
                  99: "AES encryption"}
# Deflate expands at most about 1032 to 1: a member claiming more is lying about its size.
_MAX_DEFLATE_RATIO = 1032
# Everything zipfile and zlib raise on a damaged archive or member.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, RuntimeError,
               NotImplementedError, ValueError, struct.error, OverflowError)
_RESAVE = "Re-save the arrays with np.savez_compressed."


class Npz:
    """The arrays of a .npz, read without unpickling and without loading members whole where
    avoidable; every member is checked (encryption, method, sizes, .npy header) before it is read."""

    def __init__(self, path: str, zf: zipfile.ZipFile) -> None:
        self.path, self.zip = path, zf
        self.size = os.path.getsize(path)
        names = zf.namelist()
        self.files = [n[:-4] if n.endswith(".npy") else n for n in names]
        self._member = dict(zip(self.files, names))

    def get(self, key: str, spool: Spool | None) -> np.ndarray:
        info = self.zip.getinfo(self._member[key])
        name = f"{self.path}: array {key!r} (member {info.filename})"
        self._check_member(info, name)
        try:
            if info.compress_type == zipfile.ZIP_STORED:
                mapped = self._map_stored(info, name)
                if mapped is not None:
                    return mapped
            with self.zip.open(info) as fh:
                header = read_header(fh, name, info.file_size)
                if spool is not None and header.nbytes > READ_WHOLE_BYTES:
                    # the member's name is the user's: never a path component of its own
                    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", key)[:64]
                    return _spool_data(fh, header, name, spool.path(f"{safe}.bin"))
                return _read_data(fh, header, name)
        except InputError:
            raise
        except _ZIP_ERRORS as e:
            raise InputError(f"{name}: cannot be read ({type(e).__name__}: {e}); the file is damaged. "
                             f"{_RESAVE}") from e

    def _check_member(self, info: zipfile.ZipInfo, name: str) -> None:
        if info.flag_bits & 0x1:
            raise InputError(f"{name}: is encrypted (password-protected); headcheck reads plain .npz "
                             f"files only. {_RESAVE}")
        if info.compress_type not in _METHODS:
            method = _OTHER_METHODS.get(info.compress_type, f"method {info.compress_type}")
            raise InputError(f"{name}: uses {method} compression; headcheck reads stored and deflated "
                             f"members, what np.savez and np.savez_compressed write. {_RESAVE}")
        if info.header_offset + info.compress_size > self.size:
            raise InputError(f"{name}: claims {info.compress_size:,} compressed bytes, more than the "
                             f"file holds: it is truncated or damaged. {_RESAVE}")
        stored = info.compress_type == zipfile.ZIP_STORED
        if (stored and info.file_size != info.compress_size) or (
                info.file_size > info.compress_size * _MAX_DEFLATE_RATIO + 1024):
            raise InputError(f"{name}: claims {info.file_size:,} bytes from {info.compress_size:,} "
                             f"{'stored' if stored else 'compressed'} bytes, more than "
                             f"{'storing' if stored else 'deflate'} allows: it is damaged. {_RESAVE}")

    def _map_stored(self, info: zipfile.ZipInfo, name: str) -> np.ndarray | None:
        """A memmap of an uncompressed member where it lies; None if its layout is unusual."""
        with open(self.path, "rb") as fh:
            fh.seek(info.header_offset)
            local = fh.read(30)
            if len(local) < 30 or local[:4] != b"PK\x03\x04":
                return None
            name_len, extra_len = struct.unpack("<HH", local[26:30])
            start = info.header_offset + 30 + name_len + extra_len
            fh.seek(start)
            header = read_header(fh, name, info.file_size)
        if header.nbytes == 0 or header.data_offset + header.nbytes != info.file_size:
            return None
        return map_array(self.path, header, start)


def _read_data(fh: IO[bytes], h: Header, name: str) -> np.ndarray:
    """The member's data read whole (the header bounded it by the member's size)."""
    data = fh.read(h.nbytes)
    if len(data) != h.nbytes:
        raise InputError(f"{name}: ends after {len(data):,} of the {h.nbytes:,} bytes its header "
                         f"claims: the file is damaged. {_RESAVE}")
    _drain(fh)
    a = np.frombuffer(data, dtype=h.dtype)
    return a.reshape(h.shape[::-1]).T if h.fortran else a.reshape(h.shape)


def _spool_data(fh: IO[bytes], h: Header, name: str, out: str) -> np.ndarray:
    """The member's data decompressed piece by piece into a spool file, memory-mapped read-only."""
    left = h.nbytes
    with open(out, "wb") as dst:
        while left:
            piece = fh.read(min(left, CHUNK_BYTES // 4))
            if not piece:
                raise InputError(f"{name}: ends {left:,} bytes short of what its header claims: the "
                                 f"file is damaged. {_RESAVE}")
            dst.write(piece)
            left -= len(piece)
    _drain(fh)
    return np.memmap(out, dtype=h.dtype, mode="r", shape=h.shape, order="F" if h.fortran else "C")


def _drain(fh: IO[bytes]) -> None:
    """Reads the member to its end, where zipfile checks its CRC (bounded by the checked size)."""
    while fh.read(1 << 20):
        pass


@contextmanager
def open_npz(path: str) -> Iterator[Npz]:
    with open(path, "rb") as fh:
        magic = fh.read(6)
    if magic == MAGIC:
        raise InputError(f"{path}: is a single array saved with a .npz name; rename it to .npy.")
    try:
        zf = zipfile.ZipFile(path)
    except _ZIP_ERRORS as e:
        raise InputError(f"{path}: cannot be read as .npz ({e}). Re-save it with np.savez.") from e
    try:
        yield Npz(path, zf)
    finally:
        zf.close()


def member(z: Npz, key: str, role: str, spool: Spool | None) -> np.ndarray:
    """Array `key` of the archive, as the `role` ('labels', 'scores', ...) the user gave it."""
    if key not in z.files:
        raise InputError(f"{z.path}: has no array {key!r} for the {role}; it holds {z.files}. "
                         f"Pass --{role}-key with one of those names.")
    return z.get(key, spool)


def read_array(path: str, *, role: str = "array", key: str | None = None,
               ctx: ReadContext | None = None) -> np.ndarray:
    """One array of a .npz: `key`, else the one named as usual for `role`, else the only one."""
    ctx = ctx or ReadContext()
    with open_npz(path) as z:
        if key is None:
            key = next((k for k in _ROLE_KEYS.get(role, ()) if k in z.files), None)
            if key is None and len(z.files) == 1:
                key = z.files[0]
            if key is None:
                raise InputError(f"{path}: holds arrays {z.files}; expected one array or a key "
                                 f"for the {role}. Pass --{role}-key NAME.")
        return member(z, key, role, ctx.spool)


def read_pair(path: str, request: Request, ctx: ReadContext) -> Pair:
    """Labels and scores by their usual names (or --labels-key / --scores-key), else the two arrays
    in file order; sample weights by their usual names."""
    with open_npz(path) as z:
        files = list(z.files)
        lk = request.labels_key or next((k for k in LABEL_KEYS if k in files), None)
        sk = request.scores_key or next((k for k in SCORE_KEYS if k in files), None)
        if (lk is None or sk is None) and len(files) == 2:
            # np.savez(f, y, p) stores arr_0, arr_1: file order is labels, then scores
            lk = lk or next(k for k in files if k != sk)
            sk = sk or next(k for k in files if k != lk)
            ctx.note(f"{path}: labels = {lk!r}, scores = {sk!r} (the two arrays, in file order)")
        if lk is None or sk is None:
            raise InputError(
                f"{path}: expected arrays named one of {list(LABEL_KEYS)} (labels) and "
                f"{list(SCORE_KEYS)} (scores), or exactly two arrays; got {files}. "
                "Pass --labels-key and --scores-key."
            )
        wk = next((k for k in WEIGHT_KEYS if k in files), None)
        w = member(z, wk, "weights", ctx.spool) if wk else None
        if wk:
            ctx.note(f"{path}: sample weights from {wk!r}")
        return Pair(member(z, lk, "labels", ctx.spool), member(z, sk, "scores", ctx.spool), w)


FORMAT = Format(name="npz", extensions=(".npz",), read_array=read_array, read_pair=read_pair)
