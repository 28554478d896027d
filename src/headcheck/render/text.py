"""Text output of a document with rich: readable at 80 columns, colour on terminals and notebooks.

Every string reaches rich as a `Text` (never as markup), so a class named ``[/b]`` or
``[dim]cat`` prints as written.
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator

from headcheck.render._base import fmt, wrap
from headcheck.render.document import (
    Block, Field, Findings, Gap, Notes, Para, Table, Title, Verdicts, finding_line, verdict_word,
)

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def renderables(blocks: Iterable[Block], width: int) -> Iterator[Any]:
    """rich renderables of the blocks (what `__rich_console__` yields)."""
    for block in blocks:
        yield from _RENDER[type(block)](block, width)


def to_text(blocks: Iterable[Block], width: int) -> str:
    """Plain text at a fixed width (no colour codes), trailing spaces removed."""
    from rich.console import Console

    console = Console(width=width, record=True, file=_Null(), color_system=None,
                      force_terminal=False)
    for r in renderables(blocks, width):
        console.print(r)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines()) + "\n"


class _Null:
    def write(self, s: str) -> int:
        return len(s)

    def flush(self) -> None:
        pass


def _title(b: Title, width: int) -> Iterator[Any]:
    from rich.text import Text

    yield Text(b.text + (f": {b.detail}" if b.detail else ""), style="bold")


def _field(b: Field, width: int) -> Iterator[Any]:
    from rich.text import Text

    yield Text(wrap(f"{b.label}: {b.text}", width, "", "  "))


def _para(b: Para, width: int) -> Iterator[Any]:
    from rich.text import Text

    yield Text(wrap(b.text, width))


def _notes(b: Notes, width: int) -> Iterator[Any]:
    from rich.text import Text

    for item in b.items:
        yield Text(wrap(item, width, "  - ", "    "), style="dim")


def _table(b: Table, width: int) -> Iterator[Any]:
    """The table, or its narrow form when it is wider than `width`, or one block per row when
    that is too wide as well: rich would cut cells short ('0.97…') and lose numbers."""
    t = _rich_table(b)
    if any(c.wrap for c in b.columns) or _natural_width(t) <= width:
        yield t
    elif b.narrow is not None:
        yield from _table(b.narrow, width)
    else:
        yield from _stacked(b, width)


def _rich_table(b: Table) -> Any:
    from rich import box
    from rich.table import Table as RichTable
    from rich.text import Text

    t = RichTable(title=Text(b.title), box=box.SIMPLE, title_justify="left", expand=False)
    for c in b.columns:
        t.add_column(Text(c.name), justify=c.align, no_wrap=not c.wrap,
                     ratio=1 if c.wrap else None)
    for row in b.rows:
        t.add_row(*(Text(cell) for cell in row))
    return t


def _natural_width(table: Any) -> int:
    """The width a table takes with no cell cut or wrapped."""
    from rich.console import Console

    console = Console(width=10_000, file=_Null(), color_system=None)
    return console.measure(table).maximum


def _stacked(b: Table, width: int) -> Iterator[Any]:
    """A table too wide for `width` (many models side by side, long names), one row a block:
    the first cell on its own line, then 'column value' pairs wrapped under it."""
    from rich.text import Text

    yield Text(b.title)
    yield Text("")
    for row in b.rows:
        yield Text("  " + row[0])
        pairs = [f"{c.name} {cell}" for c, cell in zip(b.columns[1:], row[1:]) if cell]
        yield Text(_wrap_pairs(pairs, width, " " * 6))
    yield Text("")


def _wrap_pairs(pairs: list[str], width: int, indent: str) -> str:
    """'name value' pairs three spaces apart, a line broken only between pairs (a value such as
    '[0.9777, 0.9948]' is never split)."""
    lines: list[str] = []
    line = ""
    for pair in pairs:
        if line and len(indent + line + "   " + pair) > width:
            lines.append(indent + line)
            line = pair
        else:
            line = f"{line}   {pair}" if line else pair
    lines.append(indent + line)
    return "\n".join(lines)


def _verdicts(b: Verdicts, width: int) -> Iterator[Any]:
    from rich.text import Text

    yield Text(b.title, style="bold")
    for v in b.items:
        mark = Text(verdict_word(v), style="green" if v.fits_task else "bold red")
        yield Text.assemble(f"  {v.id:<36}{fmt(v.value):>8}  ", mark)
        meaning = v.meaning + (f" ({v.note})" if v.note else "")
        yield Text(wrap(meaning, width, "      "), style="dim")


def _findings(b: Findings, width: int) -> Iterator[Any]:
    from rich.text import Text

    if not b.items:
        yield Text(f"{b.title}: none", style="green")
        return
    yield Text(b.title, style="bold")
    for f in b.items:
        head, body = finding_line(f)
        yield Text.assemble(("  " + head, SEVERITY_STYLE[f.severity.value]),
                            "\n" + wrap(body, width, "    "))


def _gap(b: Gap, width: int) -> Iterator[Any]:
    from rich.text import Text

    yield Text("")


_RENDER = {Title: _title, Field: _field, Para: _para, Notes: _notes, Table: _table,
           Verdicts: _verdicts, Findings: _findings, Gap: _gap}
