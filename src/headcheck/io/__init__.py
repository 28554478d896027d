"""Reading labels, scores and weights from files; iterating over them in chunks.

Formats: `.npy` (memory-mapped, never unpickled), `.npz`, `.csv`/`.tsv` (header or not) and
`.parquet` (needs pyarrow: `pip install headcheck[parquet]`). Either one file holds labels and
scores (npz, csv, parquet) or two files hold one each (any format).

Every format streams: `.npy` and uncompressed `.npz` members are memory-mapped where they lie;
CSV/TSV and parquet are parsed a batch of rows at a time, and compressed `.npz` members are
decompressed piece by piece; with a `Spool` (as `open_inputs` makes) the parsed scores go to
temporary memory-mapped files, so peak memory is one chunk plus the labels, whatever the size of the
file. The temporary files are removed when `open_inputs` exits.

Layout: one module per format (`npy`, `npz`, `csv`, `parquet`), each defining `FORMAT`, a
`_registry.Format` found by walking this package; shared parts are private modules: `_load` (the
entry points below), `_registry` (formats, `ReadContext`, `Request`, `Pair`), `_files` (the checks
every path passes), `_spool` (temporary memory-mapped files), `_columns` (the labels column of a
table), `_chunks` (chunk iteration, memory-map release), `_progress`, `_weights`.

Adding a format is one new module here, say `feather.py`, holding its reader(s) and
`FORMAT = Format(name="feather", extensions=(".feather",), read_array=..., read_pair=...)`:
`read_array(path, *, role, key, ctx)` returns the one array of a labels / scores / weights file;
`read_pair(path, request, ctx)` returns a `Pair` when one file can hold labels and scores (None
otherwise). Readers put parsed rows through `_spool.Sink(path, name, ctx.spool)` to keep memory
bounded, raise `InputError` naming the file for anything they cannot read, import optional
libraries lazily, and add what they decided to `ctx.note(...)`. Paths reach them already checked.

>>> import numpy as np, tempfile, os
>>> d = tempfile.mkdtemp()
>>> np.save(os.path.join(d, "y.npy"), np.array([0, 1])); np.save(os.path.join(d, "p.npy"), np.array([.2, .9]))
>>> load_inputs([os.path.join(d, "y.npy"), os.path.join(d, "p.npy")]).y_score.tolist()
[0.2, 0.9]
"""
from __future__ import annotations

from headcheck.io._chunks import CHUNK_BYTES, default_chunk_rows, iter_chunks, release_rows
from headcheck.io._load import Inputs, load_array, load_inputs, open_inputs
from headcheck.io._progress import progress_callback
from headcheck.io._registry import Format, Pair, ReadContext, Request, formats
from headcheck.io._spool import Spool
from headcheck.io._weights import check_weights
from headcheck.io.csv import HEADER_NAMES, CsvTable, read_csv
from headcheck.io.npz import LABEL_KEYS, SCORE_KEYS, WEIGHT_KEYS

__all__ = [
    "CHUNK_BYTES", "HEADER_NAMES", "LABEL_KEYS", "SCORE_KEYS", "WEIGHT_KEYS",
    "CsvTable", "Format", "Inputs", "Pair", "ReadContext", "Request", "Spool",
    "check_weights", "default_chunk_rows", "formats", "iter_chunks", "load_array", "load_inputs",
    "open_inputs", "progress_callback", "read_csv", "release_rows",
]
