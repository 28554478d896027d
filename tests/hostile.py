"""Hostile and malformed input files, made at test time (no binary blob is committed), and a way to
run the command line on them in its own process under a time and memory limit.

Each `write_*` / `*_npz` maker takes a directory and returns the path it wrote. `LYING_HEADERS`
holds .npy headers that lie (shape, dtype, code); `NPZ_DAMAGE` the ways a .npz member can be
damaged. A fuzz suite can draw from both and check every run with `run_cli`.
"""
from __future__ import annotations

import io
import os
import resource
import struct
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

SRC = str(Path(__file__).resolve().parent.parent / "src")
MAGIC = b"\x93NUMPY"


def npy_header(shape: str, descr: str = "<f8", fortran: bool = False) -> str:
    return f"{{'descr': {descr!r}, 'fortran_order': {fortran}, 'shape': {shape}, }}"


# name -> the text of a .npy header (the data after it is a few bytes whatever the header says)
LYING_HEADERS = {
    "huge": npy_header("(1000000000000,)"),
    "huge-2d": npy_header("(1000000000000, 1000000000000)"),
    "negative": npy_header("(-3,)"),
    "negative-2d": npy_header("(-1, -8)"),
    "longer-than-data": npy_header("(1000,)"),
    "code": "{'descr': '<f8', 'fortran_order': False, 'shape': (__import__('os').getpid(),), }",
    "call-in-descr": "{'descr': eval('1'), 'fortran_order': False, 'shape': (3,), }",
    "not-a-dict": "[1, 2, 3]",
    "nested": "(" * 2000 + ")" * 2000,
}


def npy_bytes(header: str, data: bytes = b"\0" * 24, version: tuple[int, int] = (1, 0)) -> bytes:
    """A .npy stream with this header text (padded as numpy pads it) followed by `data`."""
    text = header.encode("utf-8" if version == (3, 0) else "latin-1")
    len_size = 2 if version == (1, 0) else 4
    text += b" " * ((64 - (8 + len_size + len(text) + 1) % 64) % 64) + b"\n"
    return MAGIC + bytes(version) + len(text).to_bytes(len_size, "little") + text + data


def array_bytes(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, a)
    return buf.getvalue()


def write_npy(d: Path, name: str, header: str, data: bytes = b"\0" * 24) -> Path:
    path = Path(d) / name
    path.write_bytes(npy_bytes(header, data))
    return path


def write_npz(d: Path, name: str, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    """A .npz of raw member bytes: {'y_score': npy_bytes(...)} stores y_score.npy."""
    path = Path(d) / name
    with zipfile.ZipFile(path, "w", method) as z:
        for key, raw in members.items():
            z.writestr(f"{key}.npy", raw)
    return path


def labels_and(scores_member: bytes, method: int = zipfile.ZIP_DEFLATED) -> Callable[[Path, str], Path]:
    """A maker of a .npz whose labels are fine and whose scores member is `scores_member`."""
    def make(d: Path, name: str) -> Path:
        return write_npz(d, name, {"y_true": array_bytes(np.array([0, 1, 1])), "y_score": scores_member},
                         method)
    return make


def _entries(raw: bytes, member: str) -> list[tuple[int, int]]:
    """(offset of the flags field, offset of the method field) in the local and central headers
    of `member`."""
    out = []
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        info = z.getinfo(member)
        out.append((info.header_offset + 6, info.header_offset + 8))
        pos = z.start_dir
    while raw[pos:pos + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = struct.unpack("<HHH", raw[pos + 28:pos + 34])
        if raw[pos + 46:pos + 46 + name_len].decode() == member:
            out.append((pos + 8, pos + 10))
        pos += 46 + name_len + extra_len + comment_len
    return out


def patch_member(path: Path, member: str, *, flags: int | None = None, method: int | None = None) -> Path:
    """Rewrites the flag bits and/or compression method of `member` in both of its zip headers."""
    raw = bytearray(Path(path).read_bytes())
    for flag_at, method_at in _entries(bytes(raw), member):
        if flags is not None:
            raw[flag_at:flag_at + 2] = struct.pack("<H", flags)
        if method is not None:
            raw[method_at:method_at + 2] = struct.pack("<H", method)
    Path(path).write_bytes(bytes(raw))
    return path


def encrypted_npz(d: Path, name: str = "encrypted.npz") -> Path:
    path = labels_and(array_bytes(np.array([0.2, 0.9, 0.6])))(d, name)
    return patch_member(path, "y_score.npy", flags=0x1)


def method_npz(method: int) -> Callable[[Path, str], Path]:
    def make(d: Path, name: str) -> Path:
        path = labels_and(array_bytes(np.array([0.2, 0.9, 0.6])))(d, name)
        return patch_member(path, "y_score.npy", method=method)
    return make


def corrupt_deflate_npz(d: Path, name: str = "corrupt.npz") -> Path:
    """A deflated member whose stream starts with a block of the reserved type 3 (zlib.error)."""
    path = labels_and(array_bytes(np.linspace(0, 1, 500)))(d, name)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        at = z.getinfo("y_score.npy").header_offset
    name_len, extra_len = struct.unpack("<HH", raw[at + 26:at + 30])
    raw[at + 30 + name_len + extra_len] = 0xFF
    path.write_bytes(bytes(raw))
    return path


def bad_crc_npz(d: Path, name: str = "crc.npz") -> Path:
    """A stored member whose data bytes changed after the CRC was written."""
    path = labels_and(array_bytes(np.linspace(0, 1, 50)), zipfile.ZIP_STORED)(d, name)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("y_score.npy")
    name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
    raw[info.header_offset + 30 + name_len + extra_len + info.file_size - 1] ^= 0xFF
    path.write_bytes(bytes(raw))
    return path


# name -> maker(d, file name) of a .npz with one damaged member (y_score)
NPZ_DAMAGE: dict[str, Callable[[Path, str], Path]] = {
    "encrypted": encrypted_npz,
    "aes-method": method_npz(99),
    "implode-method": method_npz(6),
    "bzip2-method": method_npz(12),
    "corrupt-deflate": corrupt_deflate_npz,
    **{f"lying-{k}-{m}": labels_and(npy_bytes(h), method)
       for k, h in LYING_HEADERS.items()
       for m, method in (("stored", zipfile.ZIP_STORED), ("deflated", zipfile.ZIP_DEFLATED))},
}


def fifo(d: Path, name: str) -> Path:
    path = Path(d) / name
    os.mkfifo(path)
    return path


def device_link(d: Path, name: str, device: str = "/dev/zero") -> Path:
    """A link named like a data file that points at a character device."""
    path = Path(d) / name
    path.symlink_to(device)
    return path


@dataclass(frozen=True)
class Run:
    code: int | None  # None when the process was killed for running past the time limit
    stdout: str
    stderr: str

    @property
    def timed_out(self) -> bool:
        return self.code is None


def run_cli(args: list[str], *, timeout: float = 60, memory_mb: int = 2048, cwd: str | None = None) -> Run:
    """`headcheck ARGS` in its own process, its address space capped at `memory_mb` (a run that
    grows past it fails with MemoryError instead of taking the machine) and killed after
    `timeout` seconds (a run that blocks, e.g. on a FIFO)."""
    def limit() -> None:
        cap = memory_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    env = dict(os.environ, PYTHONPATH=SRC, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1")
    try:
        p = subprocess.run([sys.executable, "-m", "headcheck", *map(str, args)], capture_output=True,
                           text=True, timeout=timeout, preexec_fn=limit, env=env, cwd=cwd,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        def text(b: bytes | str | None) -> str:
            return b.decode(errors="replace") if isinstance(b, bytes) else (b or "")
        return Run(None, text(e.stdout), text(e.stderr))
    return Run(p.returncode, p.stdout, p.stderr)
