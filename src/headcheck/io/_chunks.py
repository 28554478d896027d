"""Chunk iteration and memory-map release: how a pass walks rows of arrays that may be larger than
memory (used by the report's pass, not by the readers)."""
from __future__ import annotations

import mmap
from collections.abc import Iterator
from typing import Any

import numpy as np

# Target bytes of scores per chunk: large enough to amortise per-chunk overhead, small enough to
# keep a memory-mapped file's resident pages bounded.
CHUNK_BYTES = 32 << 20


def default_chunk_rows(y_score: np.ndarray) -> int:
    row_bytes = max(1, int(np.prod(y_score.shape[1:], dtype=np.int64)) * y_score.dtype.itemsize)
    # bounded by bytes: 16 rows at least (wide outputs: 16 rows of 10^6 float32 scores = 64 MB)
    return int(max(16, min(1 << 20, CHUNK_BYTES // row_bytes)))


def iter_chunks(n: int, chunk_rows: int) -> Iterator[tuple[int, int]]:
    """(start, stop) row ranges covering 0..n."""
    for start in range(0, n, chunk_rows):
        yield start, min(n, start + chunk_rows)


def release_rows(a: np.ndarray, start: int, stop: int) -> None:
    """Let the kernel drop rows [start, stop) of a read-only memory-mapped array from this process's
    resident memory (the pages stay in the page cache and fault back in if read again), so a pass
    over a file larger than RAM keeps its resident set to about one chunk. A no-op for arrays that
    are not views of a read-only np.memmap.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "s.npy"); np.save(path, np.arange(6.0).reshape(3, 2))
    >>> m = np.load(path, mmap_mode="r"); release_rows(m, 0, 2); m[:2].tolist()
    [[0.0, 1.0], [2.0, 3.0]]
    """
    mm, _ = _readonly_mmap(a)
    if mm is None or a.ndim == 0 or a.strides[0] <= 0 or stop <= start:
        return
    try:
        mm_addr = np.frombuffer(mm, np.uint8, count=1).ctypes.data
        lo = a.ctypes.data - mm_addr + start * a.strides[0]
        hi = min(len(mm), a.ctypes.data - mm_addr + stop * a.strides[0])
        lo -= lo % mmap.PAGESIZE
        if hi > lo >= 0:
            mm.madvise(mmap.MADV_DONTNEED, lo, hi - lo)
    except (AttributeError, OSError, ValueError, TypeError):
        pass  # only a hint: platforms without madvise keep the pages until memory is needed


def _readonly_mmap(a: np.ndarray) -> tuple[Any, Any]:
    """The mmap under `a` when `a` is (a view of) an np.memmap opened read-only."""
    obj: Any = a
    while obj is not None:
        if isinstance(obj, np.memmap) and getattr(obj, "mode", None) == "r" and isinstance(
                getattr(obj, "_mmap", None), mmap.mmap):
            return obj._mmap, obj
        obj = getattr(obj, "base", None)
    return None, None
