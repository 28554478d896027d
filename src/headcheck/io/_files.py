"""The checks every input path passes before any format opens it: it names a regular, readable
file. A FIFO blocks until a writer comes and a device (/dev/zero, /dev/urandom) never ends, so
neither is ever opened: the message says what the path is instead."""
from __future__ import annotations

import os
import stat

from headcheck.errors import InputError

_KINDS = ((stat.S_ISFIFO, "named pipe (FIFO)"), (stat.S_ISCHR, "character device"),
          (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket"))


def check_file(path: str, expected: str) -> None:
    """An InputError unless `path` names a regular readable file; `expected` lists the formats."""
    try:
        st = os.stat(path)  # follows links: a link to /dev/zero is a device
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(f"{path}: no such file. Expected a {expected} file; "
                         "check the path (it is read relative to the current directory).") from None
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror or e}). Check the path and its "
                         "permissions.") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{path}: is a directory, expected a file ({expected}). "
                         "Name the file inside it.")
    if not stat.S_ISREG(st.st_mode):
        kind = next((name for test, name in _KINDS if test(st.st_mode)), "special file")
        raise InputError(f"{path}: is a {kind}, not a regular file; headcheck reads inputs from "
                         "regular files only (a pipe can block forever, a device never ends). Save "
                         f"the data to a file first ({expected}).")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: cannot be read (permission denied). Fix its permissions or copy it.")
