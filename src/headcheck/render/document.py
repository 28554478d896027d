"""A format-neutral document: the blocks a result is made of, rendered alike by the text (rich),
Markdown and HTML renderers (`headcheck.render.text`, `.markdown`, `.html`).

A result module (`render/report.py`, `check.py`, `explain.py`) says *what* is shown by building a
list of blocks once; each format says *how* a block looks. Something new to show (a thresholds
table, a compare verdict) is one more block in the result's document and appears in every format;
a new kind of block is one class here plus one function per format renderer.

Strings in blocks are plain text (never markup): each renderer escapes them for its format, so a
class or file name is shown as written.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.findings import Finding


@dataclass(frozen=True)
class Title:
    """The document's title; `detail` (e.g. the input file names) follows after a colon."""

    text: str
    detail: str | None = None


@dataclass(frozen=True)
class Field:
    """A labelled sentence: `Task: multiclass, 10 classes, ...`."""

    label: str
    text: str


@dataclass(frozen=True)
class Para:
    """A paragraph of plain text."""

    text: str


@dataclass(frozen=True)
class Notes:
    """Secondary remarks as a bullet list (decisions taken, caveats); shown dimmed in text."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Column:
    name: str
    align: str = "left"  # 'left' | 'right'
    wrap: bool = False  # the column that takes the remaining width and wraps (text)


@dataclass(frozen=True)
class Table:
    """`narrow`: the same information in fewer columns, for text too wide for the terminal (a
    column whose value follows from the row said once in the title, fewer decimals); text falls
    back to it, then to one block per row, rather than cutting cells short."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    narrow: Table | None = None


@dataclass(frozen=True)
class Verdict:
    """One number and whether it fits the task; `note` says why it misleads (or a caveat)."""

    id: str
    value: float
    fits_task: bool
    meaning: str
    note: str = ""
    source: str = ""  # explain: 'metric', 'view' or 'baseline'


@dataclass(frozen=True)
class Verdicts:
    """Numbers judged against the task (framework views, explain's matches); the ones that do not
    fit are highlighted in every format."""

    title: str
    items: tuple[Verdict, ...]
    label: str = "view"  # what the ids name (header of the first column)


@dataclass(frozen=True)
class Findings:
    """Findings of the rule catalogue, by severity, each with its fix and a link to its rule page."""

    items: tuple[Finding, ...]
    title: str = "Findings"  # e.g. "Findings: bce" when several models are shown


@dataclass(frozen=True)
class Gap:
    """A blank line in text output (Markdown and HTML space their blocks themselves)."""


Block = Union[Title, Field, Para, Notes, Table, Verdicts, Findings, Gap]


def verdict_word(v: Verdict) -> str:
    """How a verdict is named in every format."""
    if v.source == "baseline":
        return "baseline: does not fit"
    return "fits the task" if v.fits_task else "MISLEADING"


def finding_parts(f: Finding) -> tuple[str, str]:
    """(message without a trailing 'Fix: ... <url>', fix): catalogue messages often end with the
    fix and the link, which the formats show separately."""
    message = f.message
    cut = message.rfind(" Fix: ")
    if cut > 0 and message.endswith(f.url):
        message = message[:cut]
    return message, f.fix


def finding_line(f: Finding) -> tuple[str, str]:
    """(head, body) of a finding in one line of text: the body ends with the fix and the link."""
    body = f.message if f.url in f.message else f"{f.message} Fix: {f.fix} ({f.url})"
    return f"{f.code} {f.severity.value} {f.name}", body
