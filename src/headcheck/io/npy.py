"""`.npy`: one array, memory-mapped where it lies, never unpickled."""
from __future__ import annotations

import numpy as np

from headcheck.errors import InputError
from headcheck.io._registry import Format, ReadContext

MAGIC = b"\x93NUMPY"


def read_array(path: str, *, role: str = "array", key: str | None = None,
               ctx: ReadContext | None = None) -> np.ndarray:
    """The array of a .npy file, memory-mapped read-only (`role`, `key`, `ctx`: unused here)."""
    # np.load takes any file without the .npy magic for a pickle; say what the file really is
    try:
        with open(path, "rb") as f:
            head = f.read(len(MAGIC))
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror or e}). Check the path and its permissions.") from e
    if head != MAGIC and not head.startswith(b"\x80"):  # \x80: a pickle's protocol byte
        raise InputError(
            f"{path}: is not a .npy file (it does not start with the .npy magic bytes; "
            f"it starts with {head!r}). Save arrays with np.save(path, array), or give a .csv / .npz "
            "/ .parquet file its own extension."
        )
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except ValueError as e:
        if "pickle" in str(e) or "object" in str(e).lower():
            raise InputError(
                f"{path}: holds Python objects (a pickled array); headcheck never unpickles files, "
                "since unpickling can run arbitrary code. Re-save it as a numeric or string array: "
                "np.save(path, np.asarray(a, dtype=float)) (or dtype=str for string labels)."
            ) from e
        raise InputError(f"{path}: is not a valid .npy file ({e}). Re-save it with np.save.") from e
    except (OSError, EOFError) as e:
        raise InputError(f"{path}: cannot be read as .npy ({e}). Re-save it with np.save.") from e


FORMAT = Format(name="npy", extensions=(".npy",), read_array=read_array)
