"""Markdown output of a document (GitHub-flavoured tables); user text is escaped (`md_text`)."""
from __future__ import annotations

from typing import Iterable

from headcheck.render._base import fmt, md_cell, md_code, md_text
from headcheck.render.document import (
    Block, Field, Findings, Gap, Notes, Para, Table, Title, Verdicts, finding_line,
)


def to_markdown(blocks: Iterable[Block]) -> str:
    parts = [p for p in (_RENDER[type(b)](b) for b in blocks) if p]
    return "\n\n".join(parts) + "\n"


def table(head: list[str], rows: Iterable[Iterable[str]]) -> str:
    lines = ["| " + " | ".join(md_cell(h) for h in head) + " |",
             "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(md_cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _title(b: Title) -> str:
    return f"# {md_text(b.text)}" + (f": {md_code(b.detail)}" if b.detail else "")


def _field(b: Field) -> str:
    return f"**{md_text(b.label)}:** {md_text(b.text)}"


def _para(b: Para) -> str:
    return md_text(b.text)


def _notes(b: Notes) -> str:
    return "\n".join(f"- {md_text(item)}" for item in b.items)


def _table(b: Table) -> str:
    return f"## {md_text(b.title)}\n\n" + table([c.name for c in b.columns], b.rows)


def _verdicts(b: Verdicts) -> str:
    rows = [[v.id, fmt(v.value), _fits(v), v.meaning + (f" ({v.note})" if v.note else "")]
            for v in b.items]
    return f"## {md_text(b.title)}\n\n" + table([b.label, "value", "fits the task", "meaning"], rows)


def _fits(v) -> str:  # noqa: ANN001 - a Verdict
    if v.source == "baseline":
        return "**no: a baseline**"
    return "yes" if v.fits_task else "**no: misleading**"


def _findings(b: Findings) -> str:
    if not b.items:
        return f"## {md_text(b.title)}\n\nNone."
    lines = []
    for f in b.items:
        head, body = finding_line(f)
        lines.append(f"- **{md_text(head)}**: {md_text(body)}")
    return f"## {md_text(b.title)}\n\n" + "\n".join(lines)


_RENDER = {Title: _title, Field: _field, Para: _para, Notes: _notes, Table: _table,
           Verdicts: _verdicts, Findings: _findings, Gap: lambda b: ""}
