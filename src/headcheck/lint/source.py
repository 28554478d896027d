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
    """Read a `.py` file or an `.ipynb` notebook; raise Skip with the reason when it cannot be used."""
    if data is None:
        data = _read_bytes(path)
    if path.endswith(".ipynb"):
        return notebook_source(data)
    return SourceText(text=_decode(data), raw="")


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


def _decode(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise Skip("binary file, not Python source")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise Skip(f"not UTF-8 text (byte {e.start})") from e
    return text


_MAGIC = re.compile(r"^\s*(%|!|\?)|^\s*[\w, ]+=\s*[!%]\w")
_HELP = re.compile(r"^\s*[\w.\[\]()]+\?\??\s*$")


def notebook_source(data: bytes) -> SourceText:
    """The code cells of a notebook (nbformat 4 JSON) joined into one text."""
    try:
        nb = json.loads(_decode(data))
    except json.JSONDecodeError as e:
        raise Skip(f"invalid notebook JSON: {e.msg} at line {e.lineno}") from e
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
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        cell_lines = text.split("\n")
        starts.append(len(lines) + 1)
        raw.extend(cell_lines)
        lines.extend(_neutralise(cell_lines))
    return SourceText(text="\n".join(lines) + "\n", cell_starts=tuple(starts), raw="\n".join(raw))


def _notebook_language(nb: dict) -> str | None:
    meta = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    info = meta.get("language_info") if isinstance(meta.get("language_info"), dict) else {}
    name = info.get("name") or (meta.get("kernelspec") or {}).get("language")
    return str(name).lower() if isinstance(name, str) else None


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
