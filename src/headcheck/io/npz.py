"""`.npz` (a zip of .npy members): stored members memory-mapped in place, compressed ones
decompressed in pieces to the spool when large; never unpickled."""
from __future__ import annotations

import shutil
import struct
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from headcheck.errors import InputError
from headcheck.io._chunks import CHUNK_BYTES
from headcheck.io._registry import Format, Pair, ReadContext, Request
from headcheck.io._spool import Spool
from headcheck.io.npy import MAGIC

LABEL_KEYS = ("y_true", "labels", "y")
SCORE_KEYS = ("y_score", "scores", "y_pred", "probs")
WEIGHT_KEYS = ("sample_weight", "weights")
_ROLE_KEYS = {"labels": LABEL_KEYS, "scores": SCORE_KEYS, "weights": WEIGHT_KEYS}
# A compressed member up to this size (uncompressed) is read whole rather than spooled.
READ_WHOLE_BYTES = CHUNK_BYTES


class Npz:
    """The arrays of a .npz, read without unpickling and without loading members whole where
    avoidable."""

    def __init__(self, path: str, zf: zipfile.ZipFile) -> None:
        self.path, self.zip = path, zf
        names = zf.namelist()
        self.files = [n.removesuffix(".npy") for n in names]
        self._member = dict(zip(self.files, names))

    def get(self, key: str, spool: Spool | None) -> np.ndarray:
        info = self.zip.getinfo(self._member[key])
        if info.compress_type == zipfile.ZIP_STORED:
            mapped = self._map_stored(info)
            if mapped is not None:
                return mapped
        if spool is not None and info.file_size > READ_WHOLE_BYTES:
            return self._spool_member(info, key, spool)
        with self.zip.open(info) as fh:
            return np.lib.format.read_array(fh, allow_pickle=False)

    def _map_stored(self, info: zipfile.ZipInfo) -> np.ndarray | None:
        """A memmap of an uncompressed member where it lies; None if its header is unusual."""
        with open(self.path, "rb") as fh:
            fh.seek(info.header_offset)
            local = fh.read(30)
            if len(local) < 30 or local[:4] != b"PK\x03\x04":
                return None
            name_len, extra_len = struct.unpack("<HH", local[26:30])
            start = info.header_offset + 30 + name_len + extra_len
            fh.seek(start)
            version = np.lib.format.read_magic(fh)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
            elif version == (2, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
            else:
                return None
            offset = fh.tell()
        if dtype.hasobject:
            raise ValueError("Object arrays cannot be loaded when allow_pickle=False")
        size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if size == 0 or offset - start + size != info.file_size:
            return None
        return np.memmap(self.path, dtype=dtype, mode="r", offset=offset, shape=shape,
                         order="F" if fortran else "C")

    def _spool_member(self, info: zipfile.ZipInfo, key: str, spool: Spool) -> np.ndarray:
        out = spool.path(f"{key}.npy")
        with self.zip.open(info) as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst, CHUNK_BYTES // 4)
        return np.load(out, mmap_mode="r", allow_pickle=False)


@contextmanager
def open_npz(path: str) -> Iterator[Npz]:
    with open(path, "rb") as fh:
        magic = fh.read(6)
    if magic == MAGIC:
        raise InputError(f"{path}: is a single array saved with a .npz name; rename it to .npy.")
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        raise InputError(f"{path}: cannot be read as .npz ({e}). Re-save it with np.savez.") from e
    try:
        yield Npz(path, zf)
    finally:
        zf.close()


def member(z: Npz, key: str, role: str, spool: Spool | None) -> np.ndarray:
    """Array `key` of the archive, as the `role` ('labels', 'scores', ...) the user gave it."""
    path = z.path
    if key not in z.files:
        raise InputError(f"{path}: has no array {key!r} for the {role}; it holds {z.files}. "
                         f"Pass --{role}-key with one of those names.")
    try:
        return z.get(key, spool)
    except ValueError as e:
        if "pickle" in str(e) or "object" in str(e).lower():
            raise InputError(f"{path}: array {key!r} holds Python objects (pickled); headcheck never "
                             "unpickles files. Re-save it as a numeric or string array.") from e
        raise InputError(f"{path}: array {key!r} is not a valid .npy member ({e}). "
                         "Re-save the file with np.savez.") from e
    except (OSError, EOFError, zipfile.BadZipFile) as e:
        raise InputError(f"{path}: array {key!r} cannot be read ({e}). Re-save the file with np.savez.") from e


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
