"""Hostile and malformed input files, made at test time (no binary blob is committed), and a way to
run the command line on them in its own process under a time and memory limit.

Each `write_*` / `*_npz` maker takes a directory and returns the path it wrote. `LYING_HEADERS`
holds .npy headers that lie (shape, dtype, code); `NPZ_DAMAGE` the ways a .npz member can be
damaged. A fuzz suite can draw from both and check every run with `run_cli`.
"""
from __future__ import annotations

import io
import json
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
    # 0 bytes of data, but numpy cannot make an array of this shape (found by the fuzz suite)
    "zero-by-huge": npy_header("(0, 4611686018427387904)"),
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


# --------------------------------------------------------------------------------------------------
# The hostile corpus: every kind of file above (and more), each with the command that reads it.
# `write_corpus(d)` writes it at test time (no binary blob is committed); `python tests/hostile.py
# DIR` writes it for a look by hand and prints the commands.
# --------------------------------------------------------------------------------------------------
# A pickle that leaves this file behind if anything ever unpickles it (headcheck never does).
UNPICKLED = "UNPICKLED"
# A program that leaves this file behind if anything ever runs or imports it (lint never does).
EXECUTED = "EXECUTED"
KERAS_HEAD = ("from keras.models import Sequential\nfrom keras.layers import Dense\n"
              "model = Sequential([Dense(10, activation='softmax')])\n"
              "model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])\n")


class _Trap:
    """Unpickling this calls open(UNPICKLED, 'w'): the marker of an unpickled file."""

    def __reduce__(self):  # noqa: D105
        return (open, (UNPICKLED, "w"))


@dataclass(frozen=True)
class CorpusCase:
    name: str
    argv: tuple[str, ...]  # relative to the corpus directory
    inputs: tuple[str, ...]  # the files the command reads (a message about them names one)


def write_corpus(d: Path) -> list[CorpusCase]:
    """Write the hostile corpus into `d` (empty) and return its cases."""
    d = Path(d)
    cases: list[CorpusCase] = []

    def case(name: str, *argv: str, inputs: tuple[str, ...] | None = None) -> None:
        files = tuple(a for a in argv if (d / a).exists() or os.path.lexists(d / a))
        cases.append(CorpusCase(name, tuple(argv), files if inputs is None else inputs))

    np.save(d / "y.npy", np.array([0, 1, 1, 0, 1]))
    np.save(d / "p.npy", np.array([0.2, 0.9, 0.6, 0.4, 0.7]))
    np.save(d / "p3.npy", np.full((5, 3), 1 / 3))
    # .npy headers that lie, as labels and as scores
    for key, header in LYING_HEADERS.items():
        write_npy(d, f"lying-{key}.npy", header)
        case(f"npy lying {key} (labels)", "report", f"lying-{key}.npy", "p.npy")
        case(f"npy lying {key} (scores)", "report", "y.npy", f"lying-{key}.npy")
    # .npz members damaged every way
    for key, make in NPZ_DAMAGE.items():
        make(d, f"npz-{key}.npz")
        case(f"npz {key}", "report", f"npz-{key}.npz")
    bad_crc_npz(d, "npz-bad-crc.npz")
    case("npz bad crc", "report", "npz-bad-crc.npz")
    # pickles: refused, never loaded
    trap = np.empty(2, dtype=object)
    trap[:] = [_Trap(), _Trap()]
    np.save(d / "pickled.npy", trap, allow_pickle=True)
    case("pickled npy (labels)", "report", "pickled.npy", "p.npy")
    case("pickled npy (check)", "check", "--activation", "softmax", "--labels", "pickled.npy")
    write_npz(d, "pickled.npz", {"y_true": array_bytes(np.array([0, 1])),
                                 "y_score": (d / "pickled.npy").read_bytes()})
    case("pickled npz member", "report", "pickled.npz")
    # not regular files
    for ext in (".npy", ".npz", ".csv", ".parquet"):
        fifo(d, f"fifo{ext}")
        case(f"fifo {ext}", "report", f"fifo{ext}")
        device_link(d, f"zero{ext}", "/dev/zero")
        case(f"/dev/zero as {ext}", "report", f"zero{ext}")
        device_link(d, f"random{ext}", "/dev/urandom")
        case(f"/dev/urandom as {ext}", "report", f"random{ext}")
    fifo(d, "fifo-labels.npy")
    case("fifo as check labels", "check", "--activation", "softmax", "--labels", "fifo-labels.npy")
    case("fifo as weights", "report", "y.npy", "p.npy", "--weights", "fifo-labels.npy")
    (d / "folder.npy").mkdir()
    case("a folder named .npy", "report", "folder.npy", "p.npy")
    (d / "loop-a.npy").symlink_to("loop-b.npy")
    (d / "loop-b.npy").symlink_to("loop-a.npy")
    case("a symlink loop", "report", "loop-a.npy", "p.npy")
    for ext in (".npy", ".npz", ".csv", ".parquet"):
        (d / f"empty{ext}").write_bytes(b"")
        case(f"empty {ext}", "report", f"empty{ext}")
    # huge values
    huge = {"int64-max": np.array([0, 2**63 - 1, 1, 2**63 - 1, 0]),
            "uint64-max": np.array([0, 2**64 - 1, 1, 2**64 - 1, 0], dtype=np.uint64),
            "1e12": np.array([0, 10**12, 1, 10**12, 0]), "float-1e300": np.array([0, 1e300, 1, 0, 1])}
    for key, y in huge.items():
        np.save(d / f"huge-{key}.npy", y)
        case(f"huge labels {key} with predicted labels", "report", f"huge-{key}.npy", f"huge-{key}.npy")
        case(f"huge labels {key} with probabilities", "report", f"huge-{key}.npy", "p3.npy")
        case(f"huge labels {key} in check", "check", "--activation", "softmax", "--units", "10",
             "--loss", "sparse_categorical_crossentropy", "--labels", f"huge-{key}.npy")
    np.save(d / "spread.npy", np.array([0, 10**9] * 50))
    case("100 labels in {0, 1e9} (memory)", "report", "spread.npy", "spread.npy")
    # weights at the extremes
    for key, w in {"zero": np.zeros(5), "1e308": np.full(5, 1e308), "5e-324": np.full(5, 5e-324),
                   "negative": np.array([1, -1, 1, 1, 1.0]), "nan": np.array([1, np.nan, 1, 1, 1])}.items():
        np.save(d / f"w-{key}.npy", w)
        case(f"weights {key}", "report", "y.npy", "p.npy", "--weights", f"w-{key}.npy")
    # extreme but finite scores
    np.save(d / "logits-huge.npy", np.array([[1e308, -1e308], [-1e308, 1e308], [0, 1], [3, 2], [1, 1.0]]))
    case("two logit columns of +-1e308", "report", "y.npy", "logits-huge.npy")
    np.save(d / "logit-column.npy", np.array([-1e308, 1e308, 800.0, -800.0, 0.0]))
    case("one logit column of +-1e308", "report", "y.npy", "logit-column.npy")
    # CSV as people write it
    texts = {"bom-no-header": "\ufeff0,0.2\n1,0.9\n1,0.6\n", "bom-header": "\ufefftarget,p\n0,0.2\n1,0.9\n",
             "comments": "# exported\n\nlabel,p\n0,0.2\n1,0.9\n", "semicolon": "label;p\n0;0,2\n1;0,9\n",
             "tab-in-csv": "label\tp\n0\t0.2\n1\t0.9\n", "trailing-blank": "label,p\n0,0.2\n1,0.9\n\n",
             "empty-label": "label,p\n0,0.2\n,0.9\n1,0.5\n", "ragged": "label,p\n0,0.2,0.3\n1\n",
             "markup-names": "label,p\n[/b],0.2\n[dim]cat,0.9\n[/b],0.4\n",
             "quotes": 'label,p\n"a,b",0.2\n"c""d",0.9\n', "crlf": "label,p\r\n0,0.2\r\n1,0.9\r\n"}
    for key, text in texts.items():
        (d / f"csv-{key}.csv").write_text(text, encoding="utf-8", newline="")
        case(f"csv {key}", "report", f"csv-{key}.csv")
    (d / "csv-utf16.csv").write_text("label,p\n0,0.2\n1,0.9\n", encoding="utf-16")
    case("csv utf-16", "report", "csv-utf16.csv")
    (d / "csv-nul.csv").write_bytes(b"label,p\n0,0.2\n1,\x000.9\n")
    case("csv with a NUL byte", "report", "csv-nul.csv")
    # parquet: two-file mode, a truncated file
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - the parquet extra is part of the test set-up
        pa = None
    if pa is not None:
        pq.write_table(pa.table({"label": [0, 1, 1]}), d / "y.parquet")
        pq.write_table(pa.table({"p": [0.2, 0.9, 0.6]}), d / "p.parquet")
        case("parquet two files", "report", "y.parquet", "p.parquet")
        raw = (d / "y.parquet").read_bytes()
        (d / "truncated.parquet").write_bytes(raw[: len(raw) // 2])
        case("parquet truncated", "report", "truncated.parquet")
    # lint: code that must never run, notebooks that are not quite notebooks, coding cookies
    run_me = f"open({EXECUTED!r}, 'w').close()\n" + KERAS_HEAD
    lint = d / "lint"
    lint.mkdir()
    (lint / "runs.py").write_text(run_me)
    (lint / "latin1.py").write_bytes(("# -*- coding: latin-1 -*-\n# café\n" + run_me).encode("latin-1"))
    (lint / "big5.py").write_bytes(("# coding: big5\n# 中文\n" + run_me).encode("big5"))
    (lint / "koi8.py").write_bytes(("# coding: koi8-r\n# привет\n" + run_me).encode("koi8-r"))
    (lint / "nested.py").write_text(run_me + "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n")
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}
    notebooks = {"nonstr": {"cells": [{**cell, "source": [run_me, 3, None]}]},
                 "kernelspec-string": {"cells": [{**cell, "source": run_me}], "metadata": {"kernelspec": "py"}},
                 "source-dict": {"cells": [{**cell, "source": {"a": 1}}]}}
    for key, nb in notebooks.items():
        (lint / f"{key}.ipynb").write_text(json.dumps(nb))
    (lint / "deep.ipynb").write_text('{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}")
    (lint / "bigint.ipynb").write_text('{"cells": [], "n": ' + "9" * 5000 + "}")
    fifo(lint, "fifo.py")
    device_link(lint, "zero.ipynb", "/dev/zero")
    case("lint a folder of hostile files", "lint", "--no-progress", "lint", inputs=("lint",))
    return cases


if __name__ == "__main__":  # python tests/hostile.py DIR
    target = Path(sys.argv[1])
    target.mkdir(parents=True, exist_ok=True)
    for c in write_corpus(target):
        print(f"{c.name:45s} headcheck {' '.join(c.argv)}")
