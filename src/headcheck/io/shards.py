"""Sharded inputs: a glob, a directory, several files or fsspec URLs; one part per shard.

A sharded input is what one file cannot hold: `preds/*.parquet`, a directory of shards
(`preds/`, searched recursively; names starting with `.` or `_`, such as `_SUCCESS`, are
skipped), more than two files, or URLs (`s3://bucket/preds/*.parquet`, read with fsspec, an
optional dependency). Each shard is a file of any registered format holding labels and scores
(npz, csv, parquet), or, with two specs (`labels/*.npy scores/*.npy`), a labels file and a scores
file paired in order. Shards are ordered by their paths with numbers compared as numbers
(`part-2` before `part-10`): that order numbers the parts, fixes the pass's merge tree and says
which shard is the first (the one task inference reads).

A `ShardPart` is small and picklable (paths and options, no data): the worker that folds it opens
the shard itself, through the io registry and a private spool (so csv/parquet shards stream with
bounded memory there too); a URL shard is first copied to the worker's temporary directory. An
empty shard (no rows) yields no chunks. Rows are numbered within each shard, and errors name the
shard (`where`) and its file (`name`).

>>> import os, tempfile, numpy as np
>>> d = tempfile.mkdtemp()
>>> for i in (1, 2, 10):
...     np.savez(os.path.join(d, f"part-{i}.npz"), y_true=np.array([0, 1]), y_score=np.array([.2, .7]))
>>> [os.path.basename(p) for p in find_shards(d)]
['part-1.npz', 'part-2.npz', 'part-10.npz']
"""
from __future__ import annotations

import glob
import os
import re
import shutil
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from headcheck.errors import EmptyInput, InputError
from headcheck.io._chunks import default_chunk_rows, release_rows
from headcheck.io._load import Inputs, load_inputs
from headcheck.io._registry import formats
from headcheck.io._spool import Spool

GLOB_CHARS = frozenset("*?[")


def is_url(spec: str) -> bool:
    """A URL that fsspec opens ('s3://...', 'gs://...', 'memory://...'; 'file://' too)."""
    return re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", spec) is not None


def is_sharded(paths: Sequence[str]) -> bool:
    """Whether input paths name shards: one glob, directory or URL; two of them (labels shards,
    scores shards); or more than two paths. One file, or a labels file and a scores file, are
    the unsharded forms (a file beside a directory is that form, with its error)."""
    if len(paths) > 2:
        return True
    return bool(paths) and all(_is_spec(str(p)) for p in paths)


def _is_spec(path: str) -> bool:
    if is_url(path):
        return True
    if os.path.isfile(path):
        return False
    return os.path.isdir(path) or bool(GLOB_CHARS & set(path))


def _natural_key(path: str) -> list[Any]:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path)]


def _known(name: str) -> bool:
    ext = os.path.splitext(name)[1].lower()
    return any(ext in f.extensions for f in formats())


def _hidden(path: str, root: str = "") -> bool:
    rel = os.path.relpath(path, root) if root else os.path.basename(path)
    parts = [p for p in rel.replace("\\", "/").split("/") if p not in ("", ".")]
    return any(p.startswith((".", "_")) for p in parts)


def find_shards(spec: str) -> list[str]:
    """The shard files `spec` names, in shard order: a file, a glob (`**` recurses), a directory
    (every file of a known format under it, hidden and `_`-prefixed names skipped) or a URL of
    either (fsspec). InputError when nothing matches."""
    spec = str(spec)
    if is_url(spec) and not spec.startswith("file://"):
        found = _find_remote(spec)
    else:
        local = spec.removeprefix("file://")
        found = _find_local(local)
    found = sorted(found, key=_natural_key)
    if not found:
        known = ", ".join(e for f in formats() for e in f.extensions)
        raise InputError(f"{spec}: no shard files found (expected files with one of the extensions "
                         f"{known}). Check the pattern or the directory; quote a glob so the shell "
                         "passes it as it is.")
    return found


def _find_local(spec: str) -> list[str]:
    if os.path.isfile(spec):
        return [spec]
    if os.path.isdir(spec):
        out = []
        for root, dirs, files in os.walk(spec):
            dirs[:] = [d for d in dirs if not d.startswith((".", "_"))]
            out += [os.path.join(root, f) for f in files
                    if not f.startswith((".", "_")) and _known(f)]
        return out
    if GLOB_CHARS & set(spec):
        matches = [p for p in glob.glob(spec, recursive=True)
                   if os.path.isfile(p) and not _hidden(p)]
        _check_known(spec, matches)
        return matches
    raise InputError(f"{spec}: no such file or directory. Pass a file, a directory of shards or a "
                     "quoted glob such as 'preds/*.parquet'.")


def _check_known(spec: str, paths: list[str]) -> None:
    unknown = [p for p in paths if not _known(p)]
    if unknown:
        raise InputError(f"{spec}: matches files of no known format ({unknown[0]}); expected "
                         f"{', '.join(e for f in formats() for e in f.extensions)} files. Narrow the "
                         "pattern, e.g. 'preds/*.parquet'.")


def _fs(url: str) -> tuple[Any, str]:
    try:
        from fsspec.core import url_to_fs
    except ImportError as e:
        raise InputError(f"{url}: reading URLs needs fsspec, which is not installed. Install it with: "
                         "pip install headcheck[dask] (or pip install fsspec and the package of the "
                         "storage, e.g. s3fs).") from e
    try:
        return url_to_fs(url)
    except (ImportError, ValueError) as e:
        raise InputError(f"{url}: cannot be opened with fsspec ({e}). Install the filesystem's "
                         "package (e.g. s3fs for s3://, gcsfs for gs://).") from e


def _find_remote(url: str) -> list[str]:
    fs, path = _fs(url)
    try:
        if GLOB_CHARS & set(path):
            found = [p for p in fs.glob(path) if fs.isfile(p)]
            _check_known(url, found)
        elif fs.isdir(path):
            found = [p for p in fs.find(path) if _known(p) and not _hidden(p, path)]
        elif fs.exists(path):
            found = [path]
        else:
            raise InputError(f"{url}: no such file or directory.")
    except OSError as e:
        raise InputError(f"{url}: cannot be listed ({e}).") from e
    return [p if is_url(p) else fs.unstrip_protocol(p) for p in found]


@contextmanager
def local_copy(path: str, spool: Spool) -> Iterator[str]:
    """A local path for `path`: itself, or a copy of a URL in the spool (removed with it)."""
    if not is_url(path):
        yield path
        return
    if path.startswith("file://"):
        yield path.removeprefix("file://")
        return
    fs, rpath = _fs(path)
    target = spool.path(os.path.basename(rpath.rstrip("/")) or "shard")
    try:
        with fs.open(rpath, "rb") as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst, 8 << 20)
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e}).") from e
    yield target


@dataclass(frozen=True)
class ReadOptions:
    """The reading options every shard shares (the --labels-key/--scores-key/--label-column
    choices, the spool's directory and the rows per chunk, fixed once for every worker)."""

    labels_key: str | None = None
    scores_key: str | None = None
    label_column: str | None = None
    tmp_dir: str | None = None
    chunk_rows: int | None = None


@dataclass(frozen=True)
class ShardPart:
    """Shard `index` of `count`: its file(s) (`(data,)` or `(labels, scores)`) and weights file.
    Picklable and small: the worker that folds it reads it (see the module docstring)."""

    index: int
    count: int
    paths: tuple[str, ...]
    weights: str | None = None
    options: ReadOptions = field(default_factory=ReadOptions)

    @property
    def where(self) -> str:
        return f"shard {self.index + 1} of {self.count}"

    @property
    def name(self) -> str:
        return " + ".join(self.paths)

    @contextmanager
    def open(self) -> Iterator[Inputs | None]:
        """The shard's arrays (memory-mapped from a private spool, removed on exit), or None
        when it has no rows. InputError (naming the shard) for a shard that cannot be used."""
        o = self.options
        with Spool(o.tmp_dir) as spool, ExitStack() as stack:
            local = [stack.enter_context(local_copy(p, spool)) for p in self.paths]
            weights = None if self.weights is None else stack.enter_context(
                local_copy(self.weights, spool))
            try:
                inputs = load_inputs(local, labels_key=o.labels_key, scores_key=o.scores_key,
                                     label_column=o.label_column, weights=weights, spool=spool)
            except EmptyInput:
                yield None
                return
            checked = checked_inputs(inputs.y_true, inputs.y_score, inputs.sample_weight,
                                     f"{self.where} ({self.name})", inputs.source)
            yield None if checked is None else replace(checked, notes=inputs.notes)

    def chunks(self) -> Iterator[Any]:
        with self.open() as inputs:
            if inputs is not None:
                yield from raw_chunks(inputs, self.options.chunk_rows)

    def release(self) -> None:
        """Nothing is held between folds: `chunks` opens and closes the shard."""


@dataclass(frozen=True)
class ShardParts:
    """The parts of a sharded input, iterable again for each attempt of a pass; `tree = True`:
    one state per shard, merged in the pass's fixed tree (`headcheck.engine.executors`)."""

    shards: tuple[tuple[str, ...], ...]
    weights: tuple[str, ...] | None = None
    options: ReadOptions = field(default_factory=ReadOptions)
    tree = True
    n_rows = None  # unknown until every shard is read
    unit = "shard"

    def __len__(self) -> int:
        return len(self.shards)

    def __iter__(self) -> Iterator[ShardPart]:
        n = len(self.shards)
        for i, paths in enumerate(self.shards):
            yield ShardPart(i, n, paths, None if self.weights is None else self.weights[i],
                            self.options)

    def describe(self) -> str:
        first = self.shards[0]
        what = " + ".join(first)
        return f"{len(self.shards)} shard(s): {what}" + (" ..." if len(self.shards) > 1 else "")

    @contextmanager
    def first(self) -> Iterator[tuple[ShardPart, Inputs]]:
        """The first shard with rows, opened (task inference reads it); InputError when every
        shard is empty."""
        for part in self:
            with part.open() as inputs:
                if inputs is not None:
                    yield part, inputs
                    return
        raise InputError(f"{self.describe()}: every shard is empty; expected at least one row.")

    def with_chunk_rows(self, rows: int) -> ShardParts:
        o = self.options
        return ShardParts(self.shards, self.weights, ReadOptions(
            o.labels_key, o.scores_key, o.label_column, o.tmp_dir, int(rows)))


def shard_parts(specs: Sequence[str], *, weights: str | None = None,
                labels_key: str | None = None, scores_key: str | None = None,
                label_column: str | None = None, tmp_dir: str | None = None,
                chunk_rows: int | None = None) -> ShardParts:
    """The parts of `[shards]` (each shard holds labels and scores), `[label_shards,
    score_shards]` (paired in order) or more than two files (each a shard). `weights`: a spec of
    weight files paired with the shards."""
    specs = [str(s) for s in specs]
    if len(specs) > 2:
        files = [f for s in specs for f in find_shards(s)]
        shards: list[tuple[str, ...]] = [(f,) for f in files]
    elif len(specs) == 2:
        labels, scores = find_shards(specs[0]), find_shards(specs[1])
        if len(labels) != len(scores):
            raise InputError(f"{specs[0]} names {len(labels)} labels shard(s) but {specs[1]} names "
                             f"{len(scores)} scores shard(s); they pair up in order, so their "
                             "numbers must match.")
        shards = list(zip(labels, scores))
    else:
        shards = [(f,) for f in find_shards(specs[0])]
    w = None
    if weights is not None:
        w = tuple(find_shards(weights))
        if len(w) != len(shards):
            raise InputError(f"--weights {weights} names {len(w)} file(s) for {len(shards)} "
                             "shard(s); give one weights file per shard (paired in order).")
    options = ReadOptions(labels_key, scores_key, label_column, tmp_dir, chunk_rows)
    return ShardParts(tuple(shards), w, options)


def raw_chunks(inputs: Inputs, chunk_rows: int | None, start: int = 0) -> Iterator[Any]:
    """The raw chunks of a part's arrays, rows numbered from `start`; the pages of each chunk
    leave the resident set once it is folded (memory-mapped arrays)."""
    from headcheck.engine.pipeline import RawChunk

    y, s, w = inputs.y_true, inputs.y_score, inputs.sample_weight
    rows = chunk_rows or default_chunk_rows(s)
    for a in range(0, len(y), rows):
        b = min(len(y), a + rows)
        yield RawChunk(y[a:b], s[a:b], None if w is None else w[a:b], start + a)
        for arr in (y, s, w):
            if arr is not None:
                release_rows(arr, a, b)


def checked_inputs(y: Any, s: Any, w: Any, where: str, source: str = "") -> Inputs | None:
    """A part's arrays after the checks every part passes (one row per sample, rank, weights);
    None for a part without rows."""
    from headcheck.gate import as_input_array
    from headcheck.io._weights import check_weights

    if len(y) != len(s):
        raise InputError(f"{where}: labels and scores must have one row per sample; got {len(y)} "
                         f"labels and {len(s)} score rows. Check that the parts pair up and come "
                         "from the same split.")
    if len(y) == 0:
        return None
    y, s = as_input_array(y, "labels"), as_input_array(s, "scores")
    w = None if w is None else check_weights(w, len(y))
    if w is not None:  # no one scale fits parts read apart: extreme weights are refused here
        from headcheck.gate.weights import check_weight_range

        check_weight_range(w, where)
    return Inputs(y, s, w, source)
