"""Reading what the linter lints: `.py` files and Jupyter notebooks, as one Python text.

Nothing here executes code. A notebook's code cells are joined in order into one text; IPython
magics (`%timeit`, `%%bash` cells, `!pip install`) and help lines (`model.fit?`) are blanked so
that the text parses, without changing the number of lines, so rows map back to cells.
"""
from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass

MAX_BYTES = 10 * 1024 * 1024  # larger files are skipped: generated code, data dumps


class Skip(Exception):
    """A file the linter does not read; the message is the reason, shown as `path: skipped (reason)`."""


@dataclass(frozen=True)
class SourceText:
    """One Python text, with the code-cell start rows for notebooks.

    `cell_starts[i]` is the 1-based row of the joined text where code cell i+1 begins; empty for
    a plain `.py` file. `raw` is the text before magics were blanked (for version pins such as
    `!pip install keras==2.2.4`).
    """

    text: str
    cell_starts: tuple[int, ...] = ()
    raw: str = ""

    def to_cell(self, row: int) -> tuple[int | None, int]:
        """(1-based cell or None, row within the cell) of a row of the joined text."""
        if not self.cell_starts:
            return None, row
        i = bisect_right(self.cell_starts, row) - 1
        i = max(i, 0)
        return i + 1, row - self.cell_starts[i] + 1


def read_source(path: str, data: bytes | None = None) -> SourceText:
    """Read a `.py` file or an `.ipynb` notebook; raise Skip with the reason when it cannot be used.
    A `.py` file is decoded as Python decodes it: UTF-8 unless a PEP 263 coding cookie on its first
    two lines names another encoding (`# -*- coding: latin-1 -*-`)."""
    if data is None:
        data = _read_bytes(path)
    if path.endswith(".ipynb"):
        return notebook_source(data)
    return SourceText(text=_decode(data, _cookie_encoding(data)), raw="")


def _cookie_encoding(data: bytes) -> str:
    """The encoding Python would read the file with (PEP 263; a UTF-8 BOM), found by the standard
    library's own reader of the first two lines; 'utf-8-sig' when there is no usable cookie."""
    import io
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data[:4096]).readline)
    except SyntaxError as e:  # no cookie and a first line that is not UTF-8, or a bad cookie
        message = str(getattr(e, "msg", e))
        if message.startswith("unknown encoding"):
            raise Skip(f"{message} in its coding cookie") from e
        return "utf-8-sig"
    return "utf-8-sig" if encoding in ("utf-8", "utf-8-sig") else encoding


def _read_bytes(path: str) -> bytes:
    import os

    import stat

    try:
        st = os.stat(path)
    except OSError as e:
        raise Skip(f"cannot read: {e.strerror or e}") from e
    if not stat.S_ISREG(st.st_mode):  # a FIFO or device named *.py would block or never end
        raise Skip("not a regular file")
    size = st.st_size
    if size > MAX_BYTES:
        raise Skip(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as e:
        raise Skip(f"cannot read: {e.strerror or e}") from e


def _decode(data: bytes, encoding: str = "utf-8-sig") -> str:
    if b"\x00" in data[:8192]:
        raise Skip("binary file, not Python source")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        name = "UTF-8" if encoding == "utf-8-sig" else f"{encoding} (its coding cookie)"
        raise Skip(f"not {name} text (byte {e.start})") from e
    except (UnicodeError, LookupError) as e:  # a cookie naming a codec that is not a text encoding
        raise Skip(f"cannot decode with its coding cookie {encoding!r}: {e}") from e
    return text


_MAGIC = re.compile(r"^\s*(%|!|\?)|^\s*[\w, ]+=\s*[!%]\w")
_HELP = re.compile(r"^\s*[\w.\[\]()]+\?\??\s*$")


def notebook_source(data: bytes) -> SourceText:
    """The code cells of a notebook (nbformat 4 JSON) joined into one text."""
    try:
        nb = json.loads(_decode(data))
    except json.JSONDecodeError as e:
        raise Skip(f"invalid notebook JSON: {e.msg} at line {e.lineno}") from e
    except RecursionError as e:
        raise Skip("invalid notebook JSON: nested too deeply") from e
    except ValueError as e:  # e.g. an integer of more digits than Python converts
        raise Skip(f"invalid notebook JSON: {str(e).split(';')[0]}") from e
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise Skip("not a Jupyter notebook (no 'cells' list)")
    language = _notebook_language(nb)
    if language not in (None, "python"):
        raise Skip(f"not a Python notebook ({language})")
    lines: list[str] = []
    raw: list[str] = []
    starts: list[int] = []
    for cell in nb["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        text = _cell_text(cell.get("source", ""), len(starts) + 1)
        cell_lines = text.split("\n")
        starts.append(len(lines) + 1)
        raw.extend(cell_lines)
        lines.extend(_neutralise(cell_lines))
    return SourceText(text="\n".join(lines) + "\n", cell_starts=tuple(starts), raw="\n".join(raw))


def _cell_text(source: object, number: int) -> str:
    """A code cell's source: a string or a list of strings (nbformat 4); anything else is not a
    notebook headcheck can read."""
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        return "".join(source)
    got = type(source).__name__ if not isinstance(source, list) else "a list holding " + ", ".join(
        sorted({type(p).__name__ for p in source if not isinstance(p, str)}))
    raise Skip(f"invalid notebook: code cell {number}'s source is {got}, not text")


def _notebook_language(nb: dict) -> str | None:
    meta = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    info = meta.get("language_info") if isinstance(meta.get("language_info"), dict) else {}
    spec = meta.get("kernelspec") if isinstance(meta.get("kernelspec"), dict) else {}
    name = info.get("name") or spec.get("language")
    return name.lower() if isinstance(name, str) else None


def _neutralise(cell_lines: list[str]) -> list[str]:
    """Blank IPython-only lines; a `%%` cell magic blanks the whole cell (it is not Python)."""
    if cell_lines and cell_lines[0].lstrip().startswith("%%"):
        return [""] * len(cell_lines)
    out = []
    for line in cell_lines:
        if _MAGIC.match(line) or _HELP.match(line):
            out.append("")
        else:
            out.append(line)
    return out
