"""The registry of input formats: each public module of `headcheck.io` that defines `FORMAT` adds
one (found by walking the package, like the rules and the commands), chosen by file extension.

A format reads one array from a file (`read_array`: a labels, scores or weights file of the
two-file form) and, if a file of it can hold labels and scores together, both (`read_pair`).
"""
from __future__ import annotations

import functools
import importlib
import os
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from headcheck.errors import InputError
from headcheck.io._files import check_file
from headcheck.io._progress import progress_callback
from headcheck.io._spool import Spool


@dataclass(frozen=True)
class ReadContext:
    """What a reader needs besides the path: where parsed data goes (a spool, else memory), whether
    to draw a progress bar, and the notes list the report shows (how the data was found)."""

    spool: Spool | None = None
    progress: bool = False
    notes: list[str] = field(default_factory=list)

    def bar(self, total: int, path: str) -> Callable[[int], None] | None:
        return progress_callback(total, f"reading {os.path.basename(path)}") if self.progress else None

    def note(self, text: str) -> None:
        self.notes.append(text)


@dataclass(frozen=True)
class Request:
    """The user's choices for a file holding labels and scores together (--labels-key,
    --scores-key for keyed containers; --label-column for tables)."""

    labels_key: str | None = None
    scores_key: str | None = None
    label_column: str | None = None


@dataclass(frozen=True)
class Pair:
    """Labels and scores (and sample weights, where the file holds them) read from one file."""

    y_true: np.ndarray
    y_score: np.ndarray
    sample_weight: np.ndarray | None = None


class ArrayReader(Protocol):
    def __call__(self, path: str, *, role: str, key: str | None, ctx: ReadContext) -> np.ndarray: ...


class PairReader(Protocol):
    def __call__(self, path: str, request: Request, ctx: ReadContext) -> Pair: ...


@dataclass(frozen=True)
class Format:
    """One input format. `read_array(path, role=, key=, ctx=)` reads the one array a file of the
    two-file form holds (`role` is 'labels', 'scores', 'weights' or 'array'; `key` names it inside a
    container); `read_pair(path, request, ctx)` reads labels and scores held together, or is None
    when a file of this format holds one array only."""

    name: str
    extensions: tuple[str, ...]
    read_array: ArrayReader
    read_pair: PairReader | None = None


@functools.cache
def formats() -> tuple[Format, ...]:
    """Every registered format, in module-name order."""
    import headcheck.io as pkg

    found: list[Format] = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        fmt = getattr(importlib.import_module(f"{pkg.__name__}.{info.name}"), "FORMAT", None)
        if isinstance(fmt, Format):
            found.append(fmt)
    seen: dict[str, str] = {}
    for fmt in found:
        for ext in fmt.extensions:
            if ext in seen:  # a programming error, not bad input
                raise RuntimeError(f"extension {ext} claimed by formats {seen[ext]} and {fmt.name}")
            seen[ext] = fmt.name
    return tuple(found)


def describe(pair_only: bool = False) -> str:
    """The extensions read, for messages: '.csv/.tsv/.txt, .npy, .npz or .parquet/.pq'."""
    names = ["/".join(f.extensions) for f in formats() if f.read_pair is not None or not pair_only]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def format_for(path: str) -> Format:
    """The format of `path` by its extension, after checking the path names a readable file."""
    check_file(path, describe())
    ext = os.path.splitext(path)[1].lower()
    for fmt in formats():
        if ext in fmt.extensions:
            return fmt
    raise InputError(f"{path}: unknown file type {ext or '(no extension)'!r}; expected {describe()}. "
                     "Convert the data, e.g. np.save('scores.npy', scores).")
