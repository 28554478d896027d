"""`.npy`: one array, memory-mapped where it lies, never unpickled.

The header is read as data (numpy's own header reader, which parses a literal and never evaluates
code) and checked against the bytes the file holds before anything is mapped or allocated, so a
header that lies about its shape is an InputError, not a memory error. `.npz` members are read with
the same `read_header`.
"""
from __future__ import annotations

import ast
import io
import math
import os
import threading
from dataclasses import dataclass
from typing import IO

import numpy as np

from headcheck.errors import InputError
from headcheck.io._registry import Format, ReadContext

# Headers are parsed one at a time: numpy reads them with `ast.literal_eval`, and CPython 3.11's
# AST conversion keeps its recursion depth in state shared by the interpreter's threads, so two
# shards opened at once by the thread executor could fail with "AST constructor recursion depth
# mismatch" (seen once in the shard tests). A header is a few hundred bytes: the lock costs nothing.
_HEADER_LOCK = threading.Lock()

MAGIC = b"\x93NUMPY"
# numpy's own limit (np.load's max_header_size): longer headers are not parsed
MAX_HEADER_BYTES = 10_000
_RESAVE = "Re-save the array with np.save(path, array)."


@dataclass(frozen=True)
class Header:
    """What a .npy header says, once checked: the array's shape, layout and dtype, and where its
    data starts (bytes from the start of the .npy stream)."""

    shape: tuple[int, ...]
    fortran: bool
    dtype: np.dtype
    data_offset: int

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize  # Python ints: no overflow

    def describe(self) -> str:
        return f"shape {self.shape} of {self.dtype}"


def read_header(fh: IO[bytes], name: str, size: int) -> Header:
    """The header of the .npy stream at `fh`'s position (a file or a zip member of `size` bytes),
    checked against `size` before anything is allocated. `name` names it in messages."""
    magic = fh.read(8)
    if len(magic) < 8 or magic[:6] != MAGIC:
        raise InputError(f"{name}: is not a .npy array (it does not start with the .npy magic bytes; "
                         f"it starts with {magic[:6]!r}). {_RESAVE}")
    version = (magic[6], magic[7])
    if version not in ((1, 0), (2, 0), (3, 0)):
        raise InputError(f"{name}: .npy format version {version[0]}.{version[1]} is not one numpy "
                         f"writes (1.0, 2.0 or 3.0). {_RESAVE}")
    len_bytes = fh.read(2 if version == (1, 0) else 4)
    header_len = int.from_bytes(len_bytes, "little")
    if header_len > MAX_HEADER_BYTES:
        raise InputError(f"{name}: its .npy header claims {header_len:,} bytes, more than the "
                         f"{MAX_HEADER_BYTES:,} numpy reads safely. {_RESAVE}")
    text = fh.read(header_len)
    data_offset = 8 + len(len_bytes) + header_len
    if len(text) < header_len or data_offset > size:
        raise InputError(f"{name}: is truncated inside its .npy header. {_RESAVE}")
    shape, fortran, dtype = _parse_header(name, version, len_bytes + text)
    header = Header(shape, fortran, dtype, data_offset)
    _check_header(name, header, size - data_offset)
    return header


def _parse_header(name: str, version: tuple[int, int], raw: bytes) -> tuple[tuple[int, ...], bool, np.dtype]:
    with _HEADER_LOCK:
        return _parse_header_unlocked(name, version, raw)


def _parse_header_unlocked(name: str, version: tuple[int, int], raw: bytes) -> tuple[tuple[int, ...], bool, np.dtype]:
    try:
        if version == (1, 0):
            return np.lib.format.read_array_header_1_0(io.BytesIO(raw), max_header_size=MAX_HEADER_BYTES)
        if version == (2, 0):
            return np.lib.format.read_array_header_2_0(io.BytesIO(raw), max_header_size=MAX_HEADER_BYTES)
        return _parse_header_3_0(raw[4:])
    except Exception as e:  # noqa: BLE001 - any failure to parse header data (numpy's reader
        # raises ValueError, SyntaxError, tokenize.TokenError, TypeError, RecursionError, ...)
        raise InputError(
            f"{name}: its .npy header is not a plain description of an array ({_short(e)}). headcheck "
            f"reads the header as data and never evaluates it. {_RESAVE}") from None


def _parse_header_3_0(text: bytes) -> tuple[tuple[int, ...], bool, np.dtype]:
    """Version 3.0 is 2.0 with a UTF-8 header (numpy has no public reader for it)."""
    d = ast.literal_eval(text.decode("utf-8"))  # a literal only: never runs code
    if not isinstance(d, dict) or set(d) != {"descr", "fortran_order", "shape"}:
        raise ValueError(f"header is not a dict of descr, fortran_order, shape: {text[:80]!r}")
    shape, fortran = d["shape"], d["fortran_order"]
    if not (isinstance(shape, tuple) and all(isinstance(x, int) for x in shape)):
        raise ValueError(f"shape is not a tuple of integers: {shape!r}")
    if not isinstance(fortran, bool):
        raise ValueError(f"fortran_order is not a bool: {fortran!r}")
    return shape, fortran, np.lib.format.descr_to_dtype(d["descr"])


def _check_header(name: str, h: Header, available: int) -> None:
    if any(n < 0 for n in h.shape):
        raise InputError(f"{name}: its .npy header gives a negative dimension ({h.describe()}); "
                         f"no array has one. {_RESAVE}")
    if h.dtype.hasobject:
        raise InputError(
            f"{name}: holds Python objects (a pickled array, {h.describe()}); headcheck never "
            "unpickles files, since unpickling can run arbitrary code. Re-save it as a numeric or "
            "string array: np.save(path, np.asarray(a, dtype=float)) (or dtype=str for string labels).")
    if h.dtype.itemsize == 0 and math.prod(h.shape) > 0:
        raise InputError(f"{name}: its .npy header describes items of 0 bytes ({h.describe()}); "
                         f"expected numbers or strings. {_RESAVE}")
    # numpy refuses a shape whose non-zero dimensions overflow its index type even when another
    # dimension is 0 (np.empty((0, 2**62)): "array is too big"), so a 0-byte array can be one too
    if math.prod(n for n in h.shape if n) * max(h.dtype.itemsize, 1) > np.iinfo(np.intp).max:
        raise InputError(f"{name}: its .npy header claims {h.describe()}, larger than any array numpy "
                         f"can hold. {_RESAVE}")
    if h.nbytes > available:
        raise InputError(
            f"{name}: its .npy header claims {h.describe()}, {h.nbytes:,} bytes of data, but only "
            f"{max(available, 0):,} bytes follow the header: the file is truncated or its header is "
            f"wrong. {_RESAVE}")


def _short(e: BaseException) -> str:
    text = str(e) or type(e).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def read_array(path: str, *, role: str = "array", key: str | None = None,
               ctx: ReadContext | None = None) -> np.ndarray:
    """The array of a .npy file, memory-mapped read-only (`role`, `key`, `ctx`: unused here)."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            start = f.read(len(MAGIC))
            if start.startswith(b"\x80"):  # a pickle's protocol byte: np.load would try to unpickle
                raise InputError(
                    f"{path}: is a Python pickle, not a .npy array; headcheck never unpickles files, "
                    "since unpickling can run arbitrary code. Save the array with np.save(path, "
                    "np.asarray(a, dtype=float)) (or dtype=str for string labels).")
            if start != MAGIC:
                raise InputError(
                    f"{path}: is not a .npy file (it does not start with the .npy magic bytes; it "
                    f"starts with {start!r}). Save arrays with np.save(path, array), or give a .csv / "
                    ".npz / .parquet file its own extension.")
            f.seek(0)
            header = read_header(f, path, size)
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror or e}). Check the path and its permissions.") from e
    return map_array(path, header, 0)


def map_array(path: str, h: Header, start: int) -> np.ndarray:
    """The array whose .npy stream starts at byte `start` of `path`, memory-mapped read-only."""
    order = "F" if h.fortran else "C"
    if h.nbytes == 0:  # nothing to map (mmap refuses zero-length maps)
        empty = np.empty(h.shape, h.dtype, order=order)
        empty.flags.writeable = False
        return empty
    try:
        return np.memmap(path, dtype=h.dtype, mode="r", offset=start + h.data_offset, shape=h.shape,
                         order=order)
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: cannot be memory-mapped ({e}). Copy it to a local disk or re-save "
                         "it with np.save.") from e


FORMAT = Format(name="npy", extensions=(".npy",), read_array=read_array)
