"""Spooling parsed data to temporary memory-mapped files, so that peak memory is one chunk plus the
labels whatever the size of the input (shared by every format that has to parse or decompress)."""
from __future__ import annotations

import os
import shutil
import tempfile
from typing import IO

import numpy as np

from headcheck.errors import InputError


class Spool:
    """A private temporary directory for parsed inputs (in `tmp_dir`, else TMPDIR), made on first
    use and removed by `close()`; files there are memory-mapped read-only once written.

    >>> with Spool() as s:
    ...     d = os.path.dirname(s.path("scores.bin"))
    >>> os.path.exists(d)
    False
    """

    def __init__(self, tmp_dir: str | None = None) -> None:
        self.tmp_dir = tmp_dir
        self.dir: str | None = None
        self._n = 0

    def path(self, name: str) -> str:
        if self.dir is None:
            try:
                self.dir = tempfile.mkdtemp(prefix="headcheck-", dir=self.tmp_dir)
            except OSError as e:
                where = self.tmp_dir or tempfile.gettempdir()
                raise InputError(f"temporary directory {where}: cannot create files there ({e}); "
                                 "headcheck spools parsed csv/parquet/npz data to temporary files. "
                                 "Pass --tmp-dir with a writable directory (or set TMPDIR).") from e
        self._n += 1
        return os.path.join(self.dir, f"{self._n}-{name}")

    def close(self) -> None:
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Sink:
    """Collects row blocks of one array: appended to a raw temporary file that is memory-mapped at
    the end (numeric data with a spool), else kept in memory and concatenated."""

    def __init__(self, path: str, name: str, spool: Spool | None) -> None:
        self.path, self.name, self.spool = path, name, spool
        self.blocks: list[np.ndarray] = []
        self.file: IO[bytes] | None = None
        self.file_name = ""
        self.rows = 0
        self.tail: tuple[int, ...] | None = None
        self.dtype: np.dtype | None = None

    def add(self, block: np.ndarray) -> None:
        if self.tail is None:
            self.tail, self.dtype = block.shape[1:], block.dtype
            if self.spool is not None and block.dtype.kind in "biuf":
                self.file_name = self.spool.path(f"{self.name}.bin")
                self.file = open(self.file_name, "wb")
        elif block.shape[1:] != self.tail:
            raise InputError(f"{self.path}: {self.name} rows {self.rows}.. have shape {block.shape[1:]} "
                             f"but earlier rows have {self.tail}; every row must have the same number "
                             "of values (lists of one length per row). Fix the file.")
        if self.file is not None:
            np.ascontiguousarray(block, dtype=self.dtype).tofile(self.file)
        else:
            self.blocks.append(block)
        self.rows += len(block)

    def array(self) -> np.ndarray:
        if self.file is None:
            return np.concatenate(self.blocks) if self.blocks else np.empty((0,))
        self.file.close()
        if self.rows == 0 or self.dtype is None or self.dtype.itemsize * int(np.prod(self.tail)) == 0:
            return np.empty((self.rows, *(self.tail or ())), self.dtype)
        return np.memmap(self.file_name, dtype=self.dtype, mode="r", shape=(self.rows, *(self.tail or ())))

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
