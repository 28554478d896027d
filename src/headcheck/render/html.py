"""HTML output of a document (notebooks' `_repr_html_`): one fragment with inline styles (no
stylesheet to load), numbers that do not fit the task highlighted, findings coloured by severity
and linked to their rule pages. Every string is escaped (`html_text`)."""
from __future__ import annotations

from typing import Iterable

from headcheck.render._base import fmt, html_text as e
from headcheck.render.document import (
    Block, Field, Findings, Gap, Notes, Para, Table, Title, Verdicts, finding_parts, verdict_word,
)

SEVERITY_COLOUR = {"error": "#b00020", "warning": "#b35c00", "info": "#1d5fa8"}
MISFIT_BACKGROUND = "#fdecea"
FIT_COLOUR = "#1b7f3b"
_CELL = "text-align:{align}"


def to_html(blocks: Iterable[Block]) -> str:
    body = "\n".join(p for p in (_RENDER[type(b)](b) for b in blocks) if p)
    return f'<div class="headcheck">\n{body}\n</div>'


def _title(b: Title) -> str:
    return f"<h3>{e(b.text)}{': ' + e(b.detail) if b.detail else ''}</h3>"


def _field(b: Field) -> str:
    return f"<p><b>{e(b.label)}:</b> {e(b.text)}</p>"


def _para(b: Para) -> str:
    return f"<p>{e(b.text)}</p>"


def _notes(b: Notes) -> str:
    if not b.items:
        return ""
    items = "".join(f"<li>{e(item)}</li>" for item in b.items)
    return f'<ul style="color:#666">{items}</ul>'


def _cell(tag: str, content: str, align: str = "left", style: str = "") -> str:
    return f'<{tag} style="{_CELL.format(align=align)}{style}">{content}</{tag}>'


def _table(b: Table) -> str:
    head = "".join(_cell("th", e(c.name), c.align) for c in b.columns)
    rows = "".join("<tr>" + "".join(_cell("td", e(v), c.align) for c, v in zip(b.columns, r))
                   + "</tr>" for r in b.rows)
    return f"<h4>{e(b.title)}</h4><table><tr>{head}</tr>{rows}</table>"


def _verdicts(b: Verdicts) -> str:
    head = "".join(_cell("th", h, a) for h, a in
                   ((b.label, "left"), ("value", "right"), ("fits the task", "left"), ("meaning", "left")))
    rows = []
    for v in b.items:
        fits = v.fits_task and v.source != "baseline"
        word = e(verdict_word(v))
        mark = (f'<span style="color:{FIT_COLOUR}">{word}</span>' if fits else
                f'<b style="color:{SEVERITY_COLOUR["error"]}">{word}</b>')
        if v.source:
            mark = f"{e(v.source)}, {mark}"
        meaning = e(v.meaning) + (f"<br><small>{e(v.note)}</small>" if v.note else "")
        row = (_cell("td", f"<code>{e(v.id)}</code>") + _cell("td", e(fmt(v.value)), "right")
               + _cell("td", mark) + _cell("td", meaning))
        style = "" if fits else f' style="background:{MISFIT_BACKGROUND}"'
        rows.append(f'<tr class="{"fits" if fits else "misleading"}"{style}>{row}</tr>')
    return f"<h4>{e(b.title)}</h4><table><tr>{head}</tr>{''.join(rows)}</table>"


def _link(url: str, text: str) -> str:
    if not url.startswith(("https://", "http://")):  # rule pages only: never a script URL
        return e(text)
    return f'<a href="{e(url)}" target="_blank" rel="noopener noreferrer">{e(text)}</a>'


def _findings(b: Findings) -> str:
    if not b.items:
        return f"<h4>{e(b.title)}</h4><p>None.</p>"
    items = []
    for f in b.items:
        colour = SEVERITY_COLOUR[f.severity.value]
        message, fix = finding_parts(f)
        items.append(
            f'<li class="finding {e(f.severity.value)}" style="border-left:4px solid {colour};'
            f'padding-left:8px;margin-bottom:6px;list-style:none">'
            f'<b style="color:{colour}">{e(f.severity.value)}</b> '
            f'{_link(f.url, f.code)} '
            f"<b>{e(f.name)}</b>: {e(message)}"
            + (f"<br><i>Fix:</i> {e(fix)}" if fix else "") + "</li>")
    return f'<h4>{e(b.title)}</h4><ul style="padding-left:0">{"".join(items)}</ul>'


_RENDER = {Title: _title, Field: _field, Para: _para, Notes: _notes, Table: _table,
           Verdicts: _verdicts, Findings: _findings, Gap: lambda b: ""}
