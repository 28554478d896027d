"""Hypothesis strategies that write malformed (and odd-but-valid) input files for the fuzz suite
(`tests/test_fuzz_cli.py`): `.npy`, `.npz`, `.csv`, `.parquet`, `.ipynb` and `.py`.

Each strategy draws the *bytes* of one file. Most draws start from something plausible (labels and
scores that a model could have written) and then damage it, so that the runs reach the deep parts
(inference, the pass, rendering) as well as the readers; some are noise from the first byte.
"""
from __future__ import annotations

import io
import json
import zipfile
from functools import lru_cache

import numpy as np
from hypothesis import strategies as st

import hostile

# Values that break arithmetic: huge, tiny, non-finite, negative zero, integer extremes.
FLOATS = [0.0, 1.0, 0.5, -1.0, 2.0, 1e308, -1e308, 5e-324, 1e-300, 3.4e38, np.nan, np.inf, -np.inf,
          -0.0, 0.999999, 1e-7, 700.0, -700.0, 1e12]
INTS = [0, 1, 2, -1, 3, 9, 10**9, 10**12, 2**31 - 1, 2**63 - 1, -(2**63)]
WORDS = ["cat", "dog", "bird", "", " ", "[/b]", "[dim]cat", "ünï", "a,b", 'q"q', "\t", "nan",
         "1e400", "None", "-", "0x10", "１", "\u202e", "x" * 300]
NUMPY_DTYPES = ["<f8", "<f4", "<f2", "<i8", "<i4", "<i1", "<u8", "<u1", "|b1", ">f8", ">i4",
                "<c8", "<U5", "|S5", "<M8[D]", "<m8[s]"]


# --- plausible arrays, then damage -----------------------------------------------------------------
@st.composite
def label_arrays(draw: st.DrawFn, n: int, k: int) -> np.ndarray:
    kind = draw(st.sampled_from(["int", "int", "bool", "str", "bytes", "onehot", "multihot", "soft",
                                 "float-int", "huge", "negative", "weird"]))
    r = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if kind == "int":
        return r.integers(0, k, n).astype(draw(st.sampled_from(["<i8", "<i4", "<u1", "<i2"])))
    if kind == "bool":
        return r.random(n) < 0.5
    if kind == "str":
        return np.array(draw(st.lists(st.sampled_from(WORDS[:k + 2]), min_size=n, max_size=n)))
    if kind == "bytes":
        return np.array([w.encode("utf-8")[:8] for w in draw(st.lists(st.sampled_from(WORDS[:6]), min_size=n, max_size=n))])
    if kind == "onehot":
        return np.eye(k)[r.integers(0, k, n)]
    if kind == "multihot":
        return (r.random((n, k)) < 0.4).astype(np.uint8)
    if kind == "soft":
        return r.dirichlet(np.ones(k), n) if draw(st.booleans()) else r.random(n)
    if kind == "float-int":
        return r.integers(0, k, n).astype(np.float64)
    if kind == "huge":
        return np.array(draw(st.lists(st.sampled_from(INTS), min_size=n, max_size=n)), dtype=np.int64)
    if kind == "negative":
        return r.integers(-2, k, n)
    return np.array(draw(st.lists(st.sampled_from(FLOATS), min_size=n, max_size=n)))


@st.composite
def score_arrays(draw: st.DrawFn, n: int, k: int) -> np.ndarray:
    kind = draw(st.sampled_from(["probs", "probs", "logits", "column", "hard", "onehot", "weird",
                                 "float32", "int-pred", "str-pred"]))
    r = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if kind == "probs":
        return r.dirichlet(np.ones(k), n)
    if kind == "logits":
        return r.normal(0, draw(st.sampled_from([1.0, 30.0, 1e5, 1e300])), (n, k))
    if kind == "column":
        return r.random(n)
    if kind == "hard":
        return r.integers(0, 2, n).astype(np.float64)
    if kind == "onehot":
        return np.eye(k)[r.integers(0, k, n)]
    if kind == "float32":
        return r.dirichlet(np.ones(k), n).astype(np.float32)
    if kind == "int-pred":
        return r.integers(0, k, n)
    if kind == "str-pred":
        return np.array(draw(st.lists(st.sampled_from(WORDS[:k + 2]), min_size=n, max_size=n)))
    shape = (n,) if draw(st.booleans()) else (n, k)
    return np.array(draw(st.lists(st.sampled_from(FLOATS), min_size=int(np.prod(shape)),
                                  max_size=int(np.prod(shape))))).reshape(shape)


@st.composite
def plausible_pairs(draw: st.DrawFn, n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Labels and scores that fit each other, as a model's evaluation would write them: binary,
    multiclass (probabilities, logits, predicted labels) or multi-label."""
    r = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    k = max(k, 3)
    kind = draw(st.sampled_from(["binary", "binary-2col", "binary-str", "multiclass", "logits",
                                 "predicted", "multilabel", "onehot", "huge-ids"]))
    if kind == "binary":
        return r.integers(0, 2, n), r.random(n).astype(draw(st.sampled_from(["<f8", "<f4"])))
    if kind == "binary-2col":
        return r.random(n) < 0.5, r.dirichlet(np.ones(2), n)
    if kind == "binary-str":
        return np.array(draw(st.sampled_from([["cat", "dog"], ["[/b]", "[dim]cat"], ["ünï", "x y"]]))
                        )[r.integers(0, 2, n)], r.random(n)
    if kind in ("multiclass", "logits"):
        p = r.dirichlet(np.ones(k), n)
        return r.integers(0, k, n), (p if kind == "multiclass" else np.log(p) * draw(st.sampled_from([1.0, 1e3])))
    if kind == "predicted":
        return r.integers(0, k, n), r.integers(0, k, n)
    if kind == "multilabel":
        return (r.random((n, k)) < 0.4).astype(np.uint8), r.random((n, k))
    if kind == "onehot":
        return np.eye(k)[r.integers(0, k, n)], r.dirichlet(np.ones(k), n)
    ids = np.array(draw(st.sampled_from([[0, 10**9], [7, 2**63 - 1], [10**12, 3, 5]])))
    return ids[r.integers(0, len(ids), n)], ids[r.integers(0, len(ids), n)]


@st.composite
def pairs(draw: st.DrawFn, n: int, k: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """(labels, scores, hostile): a plausible pair most of the time, else any two arrays."""
    if draw(st.integers(0, 9)) < 6:
        y, s = draw(plausible_pairs(n, k))
        return y, s, False
    return draw(label_arrays(n, k)), draw(score_arrays(n, k)), True


@st.composite
def damaged(draw: st.DrawFn, a: np.ndarray) -> np.ndarray:
    """The array as drawn, or with one thing wrong: a row short, an extra axis, a NaN, a dtype."""
    how = draw(st.sampled_from(["none", "none", "none", "short", "axis", "nan", "empty", "scalar",
                                "object-free", "transpose", "big-endian"]))
    if how == "short" and len(a) > 1:
        return a[:-1]
    if how == "axis":
        return a.reshape(a.shape + (1, 1))
    if how == "nan" and a.dtype.kind == "f" and a.size:
        b = a.copy()
        with np.errstate(over="ignore"):  # 1e308 into float32 is inf: intended
            b.flat[draw(st.integers(0, a.size - 1))] = draw(st.sampled_from([np.nan, np.inf, 1e308]))
        return b
    if how == "empty":
        return a[:0]
    if how == "scalar" and a.size:
        return np.asarray(a.flat[0])
    if how == "transpose" and a.ndim == 2:
        return a.T.copy()
    if how == "big-endian" and a.dtype.kind in "fiu" and a.dtype.itemsize > 1:
        return a.astype(a.dtype.newbyteorder(">"))
    return a


def npy_bytes(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=False)
    return buf.getvalue()


@st.composite
def mutated_bytes(draw: st.DrawFn, raw: bytes) -> bytes:
    """`raw`, truncated, with bytes flipped, or with bytes inserted."""
    how = draw(st.sampled_from(["truncate", "flip", "insert", "flip", "tail"]))
    if not raw:
        return draw(st.binary(max_size=64))
    at = draw(st.integers(0, len(raw) - 1))
    if how == "truncate":
        return raw[:at]
    if how == "flip":
        b = bytearray(raw)
        for _ in range(draw(st.integers(1, 4))):
            i = draw(st.integers(0, len(b) - 1))
            b[i] ^= draw(st.integers(1, 255))
        return bytes(b)
    if how == "insert":
        return raw[:at] + draw(st.binary(min_size=1, max_size=32)) + raw[at:]
    return raw + draw(st.binary(min_size=1, max_size=64))


@st.composite
def npy_headers(draw: st.DrawFn) -> bytes:
    """A .npy file whose header says anything: shapes that lie, odd dtypes, code, garbage."""
    descr = draw(st.sampled_from(NUMPY_DTYPES + ["|O", "<f16", "xx", "[('a', '<f8')]", "<V8"]))
    dims = draw(st.lists(st.sampled_from([0, 1, 3, 7, -1, 10**6, 10**12, 2**62, "'a'", "1.5"]),
                         max_size=3))
    shape = "(" + ", ".join(map(str, dims)) + ("," if len(dims) == 1 else "") + ")"
    header = draw(st.sampled_from([
        hostile.npy_header(shape, descr if descr.startswith("[") is False else "<f8"),
        f"{{'descr': {descr!r}, 'fortran_order': {draw(st.booleans())}, 'shape': {shape}, }}",
        *hostile.LYING_HEADERS.values()]))
    version = draw(st.sampled_from([(1, 0), (2, 0), (3, 0)]))
    return hostile.npy_bytes(header, draw(st.binary(max_size=200)), version)


@st.composite
def npy_files(draw: st.DrawFn, role: str, n: int, k: int, array: np.ndarray | None = None,
              wild: bool = True) -> bytes:
    """A .npy of labels or scores (`array`, or one drawn): as it is, damaged, lying or noise; the
    array as it is nine times in ten when not `wild`."""
    if array is None:
        array = draw(label_arrays(n, k) if role == "labels" else score_arrays(n, k))
    if not wild and draw(st.integers(0, 9)) < 9:
        return npy_bytes(array)
    kind = draw(st.sampled_from(["good", "damaged", "damaged", "header", "mutated", "noise"]))
    if kind == "good":
        return npy_bytes(array)
    if kind == "damaged":
        return npy_bytes(draw(damaged(array)))
    if kind == "header":
        return draw(npy_headers())
    if kind == "mutated":
        return draw(mutated_bytes(npy_bytes(array)))
    return draw(st.one_of(st.binary(max_size=300), st.just(hostile.MAGIC + draw(st.binary(max_size=80)))))


@st.composite
def npz_files(draw: st.DrawFn, n: int, k: int) -> bytes:
    """A .npz holding labels and scores (or not): members plausible or damaged, stored or deflated,
    keyed as headcheck expects or not, the zip itself damaged."""
    y, s, wild = draw(pairs(n, k))
    keys = draw(st.sampled_from([("y_true", "y_score"), ("y_true", "y_score"), ("labels", "scores"),
                                 ("y", "probs"), ("a", "b"), ("y_true",), ("y_true", "y_score", "sample_weight"),
                                 ("y_true", "y_score", "extra", "more")]))
    members = {}
    for key in keys:
        if key == "sample_weight":
            members[key] = npy_bytes(np.abs(np.array(draw(st.lists(st.sampled_from(FLOATS), min_size=n,
                                                                   max_size=n)))))
        elif key in ("y_true", "labels", "y", "a"):
            members[key] = draw(npy_files("labels", n, k, y, wild))
        else:
            members[key] = draw(npy_files("scores", n, k, s, wild))
    method = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for key, raw in members.items():
            z.writestr(draw(st.sampled_from([f"{key}.npy"] * 6 + [key, f"dir/{key}.npy"])), raw)
    raw = buf.getvalue()
    damage = draw(st.sampled_from(["none"] * (10 if not wild else 3) + ["flags", "method", "mutated"]))
    if damage == "none":
        return raw
    if damage == "mutated":
        return draw(mutated_bytes(raw))
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        name = draw(st.sampled_from(z.namelist()))
    patched = _patch_in_memory(raw, name, flags=0x1 if damage == "flags" else None,
                               method=draw(st.sampled_from([6, 12, 14, 99, 98])) if damage == "method" else None)
    return patched


def _patch_in_memory(raw: bytes, member: str, *, flags: int | None, method: int | None) -> bytes:
    import struct

    b = bytearray(raw)
    for flag_at, method_at in hostile._entries(raw, member):
        if flags is not None:
            b[flag_at:flag_at + 2] = struct.pack("<H", flags)
        if method is not None:
            b[method_at:method_at + 2] = struct.pack("<H", method)
    return bytes(b)


# --- CSV ------------------------------------------------------------------------------------------
CELLS = ["0", "1", "2", "0.5", "1e-3", "-1", "nan", "NaN", "inf", "-inf", "1e400", "", " ", "abc",
         '"1"', '"a,b"', "１", "0x1", "1_000", "TRUE", "true", "9" * 30, "1.0.0", "\x00", "é"]


@st.composite
def csv_files(draw: st.DrawFn, n: int, k: int) -> bytes:
    """A CSV of labels and scores: a header or not, any of the separators, BOMs, comments, blank
    lines, quotes, odd cells, ragged rows, non-UTF-8 bytes."""
    sep = draw(st.sampled_from([",", ",", ",", ",", "\t", ";", "|", " ", ", "]))
    r = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    rows = []
    plausible = draw(st.integers(0, 9)) < 7
    for _ in range(n):
        if plausible:
            p = r.dirichlet(np.ones(k)) if k > 1 else r.random(1)
            row = [str(int(r.integers(0, max(k, 2))))] + [f"{v:.4g}" for v in p]
        else:
            row = draw(st.lists(st.sampled_from(CELLS), min_size=1, max_size=k + 1))
        if draw(st.integers(0, 30)) == 0:  # a ragged or odd row now and then
            row = row + [draw(st.sampled_from(CELLS))] if draw(st.booleans()) else row[:-1]
        rows.append(sep.join(row))
    lines = []
    if draw(st.booleans()):
        if plausible and draw(st.booleans()):
            names = ["label", *(f"p{j}" for j in range(k))]
        else:
            names = draw(st.lists(st.sampled_from(["label", "target", "y", "p0", "p1", "p2", "", "a b",
                                                   "label", "[/b]", "ünï"]), min_size=1, max_size=k + 1))
        lines.append(sep.join(names))
    for _ in range(draw(st.integers(0, 2))):
        lines.insert(0, draw(st.sampled_from(["# comment", "", "#", "   "])))
    lines += rows
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(lines) + draw(st.sampled_from(["", newline, newline * 2, newline + " "]))
    raw = text.encode("utf-8")
    if draw(st.booleans()):
        raw = b"\xef\xbb\xbf" + raw
    extra = draw(st.sampled_from(["none"] * (12 if plausible else 3) + ["latin1", "utf16", "mutated", "nul"]))
    if extra == "latin1":
        raw = raw.replace(b"a", b"\xe9", 1) + b"\xff"
    elif extra == "utf16":
        raw = text.encode("utf-16")
    elif extra == "mutated":
        raw = draw(mutated_bytes(raw))
    elif extra == "nul":
        raw = raw[: len(raw) // 2] + b"\x00" + raw[len(raw) // 2:]
    return raw


# --- parquet --------------------------------------------------------------------------------------
@st.composite
def parquet_files(draw: st.DrawFn, n: int, k: int) -> bytes:
    """A parquet table: a label column and score columns of any Arrow type (ints, floats, strings,
    booleans, nulls, lists, dictionaries), or its bytes damaged."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    r = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    # class indices, the usual label column, most of the time; any labels else
    labels = r.integers(0, k, n) if draw(st.integers(0, 9)) < 6 else draw(label_arrays(n, k))
    columns: dict[str, object] = {}
    name = draw(st.sampled_from(["label", "label", "y_true", "target", "class", "x", ""]))
    if labels.ndim == 1:  # bytes labels become an Arrow binary column
        columns[name or "label"] = pa.array(labels.tolist())
    else:
        columns[name or "label"] = pa.array([list(map(float, row)) for row in labels])
    layout = draw(st.sampled_from(["columns", "columns", "columns", "list", "strings", "nulls",
                                   "dictionary", "bools"]))
    p = r.dirichlet(np.ones(k), n)
    if layout == "columns":
        for j in range(k):
            columns[f"p{j}"] = pa.array(p[:, j])
    elif layout == "list":
        columns["scores"] = pa.array([list(row) for row in p])
    elif layout == "strings":
        columns["pred"] = pa.array(draw(st.lists(st.sampled_from(WORDS[:5]), min_size=n, max_size=n)))
    elif layout == "nulls":
        values = [None if r.random() < 0.3 else float(v) for v in p[:, 0]]
        columns["p"] = pa.array(values, type=pa.float64())
    elif layout == "dictionary":
        columns["p"] = pa.array([str(v) for v in r.integers(0, k, n)]).dictionary_encode()
    else:
        columns["p"] = pa.array((r.random(n) < 0.5).tolist())
    try:
        table = pa.table(columns)
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError):
        table = pa.table({"label": pa.array(list(range(n)))})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    raw = buf.getvalue()
    return draw(mutated_bytes(raw)) if draw(st.integers(0, 9)) == 0 else raw


# --- notebooks and Python ----------------------------------------------------------------------------
# Every generated program would leave this file behind if it were ever run or imported: the
# linter reads code, it never executes it (the fuzz suite checks that the file never appears).
EXECUTED = "EXECUTED"
MODEL = (f"open({EXECUTED!r}, 'w').close()\n"
         "from keras.models import Sequential\nfrom keras.layers import Dense\n"
         "model = Sequential([Dense({units}, activation='{act}')])\n"
         "model.compile(loss='{loss}', optimizer='adam', metrics=['accuracy'])\n")
TORCH = (f"open({EXECUTED!r}, 'w').close()\n"
         "import torch.nn as nn\nmodel = nn.Sequential(nn.Linear(8, {units}), nn.{tact}())\n"
         "criterion = nn.{tloss}()\n")


@st.composite
def model_code(draw: st.DrawFn) -> str:
    """A small Keras or PyTorch head, right or wrong: the files the linter parses."""
    if draw(st.booleans()):
        return MODEL.format(units=draw(st.sampled_from([1, 2, 10, 0, -1, 10**12])),
                            act=draw(st.sampled_from(["softmax", "sigmoid", "linear", "relu", "x"])),
                            loss=draw(st.sampled_from(["binary_crossentropy", "categorical_crossentropy",
                                                       "sparse_categorical_crossentropy", "mse", "?"])))
    return TORCH.format(units=draw(st.sampled_from([1, 3, 10])),
                        tact=draw(st.sampled_from(["Softmax", "Sigmoid", "LogSoftmax", "Identity"])),
                        tloss=draw(st.sampled_from(["CrossEntropyLoss", "BCELoss", "NLLLoss", "MSELoss"])))


@st.composite
def python_files(draw: st.DrawFn, kind: str | None = None) -> bytes:
    """A .py file: a model with odd code around it (hypothesmith's valid Python, mangled lines,
    deep nesting), text in a declared encoding, or noise."""
    kind = kind or draw(st.sampled_from(["smith", "smith", "mangled", "nested", "cookie", "noise", "model"]))
    model = draw(model_code())
    if kind == "smith":
        code = draw(_smith())
        return (model + code if draw(st.booleans()) else code + "\n" + model).encode("utf-8", "surrogatepass")
    if kind == "mangled":
        lines = (model * draw(st.integers(1, 3))).split("\n")
        cut = draw(st.sets(st.integers(0, len(lines) - 1), max_size=3))
        return "\n".join(line for i, line in enumerate(lines) if i not in cut).encode()
    if kind == "nested":
        depth = draw(st.sampled_from([50, 200, 1000, 5000]))
        opener, closer = draw(st.sampled_from([("(", ")"), ("[", "]"), ("{", "}"), ("f(", ")"), ("-", "")]))
        return (model + "x = " + opener * depth + "1" + closer * depth + "\n").encode()
    if kind == "cookie":
        codec = draw(st.sampled_from(["latin-1", "big5", "koi8-r", "cp1252", "utf-16", "rot13",
                                      "no-such", "ascii", "utf-8", "unicode_escape"]))
        body = f"# -*- coding: {codec} -*-\n# é 中 п\n" + model
        try:
            return body.encode(codec if codec not in ("rot13", "no-such", "unicode_escape") else "utf-8")
        except (UnicodeEncodeError, LookupError):
            return body.encode("utf-8")
    if kind == "noise":
        return draw(st.binary(max_size=400))
    return model.encode()


@lru_cache(maxsize=1)
def _smith() -> st.SearchStrategy[str]:
    """hypothesmith's valid Python (building the strategy parses a grammar: once)."""
    import hypothesmith

    return hypothesmith.from_grammar()


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) |
                    st.text(max_size=20),
                    lambda children: st.lists(children, max_size=4) |
                    st.dictionaries(st.text(max_size=8), children, max_size=4), max_leaves=12)


@st.composite
def notebooks(draw: st.DrawFn) -> bytes:
    """An .ipynb: a notebook with model cells and odd cells (non-string sources, magics, missing
    keys), odd metadata (a string kernelspec, another language), random JSON, deep nesting, huge
    integers, or damaged bytes."""
    kind = draw(st.sampled_from(["notebook", "notebook", "notebook", "json", "deep", "bigint", "mutated"]))
    if kind == "json":
        return json.dumps(draw(JSON)).encode()
    if kind == "deep":
        depth = draw(st.sampled_from([100, 1000, 100_000]))
        return ('{"cells": ' + "[" * depth + "]" * depth + "}").encode()
    if kind == "bigint":
        return ('{"cells": [], "x": ' + "9" * draw(st.sampled_from([100, 4301, 6000])) + "}").encode()
    cells = []
    for _ in range(draw(st.integers(0, 4))):
        source = draw(st.sampled_from(["model", "model", "magic", "list", "odd"]))
        if source == "model":
            text: object = draw(model_code())
        elif source == "magic":
            text = draw(st.sampled_from(["%timeit x\n", "!pip install keras==2.2.4\n", "%%bash\nls\n",
                                         "model.fit?\n"]))
        elif source == "list":
            text = draw(model_code()).splitlines(keepends=True)
        else:
            text = draw(JSON)
        cell = {"cell_type": draw(st.sampled_from(["code", "code", "markdown", "raw", 3])),
                "source": text, "metadata": {}, "outputs": []}
        if draw(st.integers(0, 5)) == 0:
            del cell[draw(st.sampled_from(["source", "cell_type", "metadata"]))]
        cells.append(cell)
    metadata = draw(st.sampled_from([{}, {"kernelspec": "python3"}, {"kernelspec": {"language": "python"}},
                                     {"language_info": {"name": "R"}}, {"language_info": "x"}, []]))
    nb = {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}
    raw = json.dumps(nb).encode()
    return draw(mutated_bytes(raw)) if kind == "mutated" else raw
