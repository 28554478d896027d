"""What every input path passes before a format opens it."""
from __future__ import annotations

import os

from headcheck.errors import InputError


def check_file(path: str, expected: str) -> None:
    """An InputError unless `path` names a readable file; `expected` lists the formats read."""
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file. Expected a {expected} file; "
                         "check the path (it is read relative to the current directory).")
    if os.path.isdir(path):
        raise InputError(f"{path}: is a directory, expected a file ({expected}). "
                         "Name the file inside it.")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: cannot be read (permission denied). Fix its permissions or copy it.")
