"""Rendering an Explanation: its JSON dict, text and Markdown lines (as `headcheck explain` prints
them), rich lines, and the document HTML shows."""
from __future__ import annotations

import json
import textwrap
from typing import TYPE_CHECKING, Any, Iterator

from headcheck.render import html as html_out
from headcheck.render._base import WIDTH, fmt, num, plain, task_line, tolerance_text
from headcheck.render.document import Block, Field, Findings, Notes, Para, Title, Verdict, Verdicts

if TYPE_CHECKING:  # pragma: no cover
    from headcheck._explain import Explanation, Match, Recommended
    from headcheck.engine import View

FORMATS = ("text", "json", "markdown", "html")


# --- JSON -----------------------------------------------------------------------------------------
def match_dict(m: Match) -> dict[str, Any]:
    return {"id": m.id, "value": num(m.value), "meaning": m.meaning, "fits_task": m.fits_task}


def recommended_dict(r: Recommended) -> dict[str, Any]:
    d = {"id": r.id, "value": num(r.value), "meaning": r.meaning}
    if r.instead_of:
        d.update(instead_of=r.instead_of, why=r.why)
    return d


def recommended_text(r: Recommended) -> str:
    """'balanced_accuracy = 0.2000 (meaning)', with why the task's plain metric is not it."""
    text = f"{r.id} = {fmt(r.value)} ({r.meaning})"
    return f"{text}, not {r.instead_of}: {r.why}" if r.instead_of else text


def to_dict(ex: Explanation) -> dict[str, Any]:
    """JSON contract: `reported`, `matches` [{id, value, meaning, fits_task}], `recommended`
    {id, value, meaning} (plus `nearest` when nothing matched); equal to `--format json`."""
    d: dict[str, Any] = {
        "reported": num(ex.reported),
        "given": ex.given,
        "tolerance": num(ex.tolerance),
        "matches": [match_dict(m) for m in ex.matches],
        "recommended": None if ex.recommended is None else recommended_dict(ex.recommended),
        "task": plain(ex.task.to_dict()),
    }
    if not ex.matches:
        d["nearest"] = [match_dict(m) for m in ex.nearest]
        d["hints"] = list(ex.hints)
    if ex.notes:
        d["notes"] = list(ex.notes)
    if ex.name:
        d["name"] = ex.name
    d["story"] = list(ex.story)
    d["findings"] = [plain(f.to_dict()) for f in ex.findings]
    return d


def to_json(ex: Explanation, indent: int | None = 2) -> str:
    return json.dumps(to_dict(ex), indent=indent)


# --- text and Markdown ------------------------------------------------------------------------------
def _read_as(ex: Explanation) -> str:
    return f" (read as {ex.reported:.4f})" if ex.given != f"{ex.reported}" else ""


def _within(ex: Explanation) -> str:
    return f"{ex.reported:.4f} (within {tolerance_text(ex.tolerance)})"


def match_verdict(source: str, fits: bool) -> str:
    """How a match is named: a baseline is a baseline (a trivial predictor), not a misfit view."""
    if source == "baseline":
        return "baseline: what a trivial predictor scores"
    return f"{source}, {'fits the task' if fits else 'DOES NOT FIT the task'}"


def lines(ex: Explanation) -> list[str]:
    """The explanation as plain lines (text, Markdown and rich share them): what the findings say
    about the number first, then the definitions that give it."""
    out = [f"Reported: {ex.given}{_read_as(ex)}"]
    out += list(ex.story)
    out.append(f"Task: {task_line(ex.task)}")
    out += [f"  - {n}" for n in ex.notes]
    if ex.findings:
        out.append("Findings that bear on this number:")
        out += [f"  {f.code} {f.name} [{f.severity.value}]: {_message(f)}" for f in ex.findings]
    if ex.matches:
        out.append(f"Definitions that give {_within(ex)}:")
        shown, folded = _fold_ties(ex)
        for m in shown:
            out.append(f"  {m.id} = {fmt(m.value)} [{match_verdict(m.source, m.fits_task)}]: {m.meaning}")
        if folded:
            same = next(m.value for m in ex.matches if m.id == ex.tied[0])
            out.append(f"  also exactly {fmt(same)} (the same on these data): {', '.join(folded)}")
    else:
        out.append(f"No metric, view or baseline gives {_within(ex)}. It may be:")
        out += [f"  - {h}" for h in ex.hints]
        out.append("Nearest definitions:")
        out += [f"  {m.id} = {fmt(m.value)} [{match_verdict(m.source, m.fits_task)}]: {m.meaning}"
                for m in ex.nearest]
    if ex.recommended is not None:
        out.append(f"Recommended: {recommended_text(ex.recommended)}")
    return out


FOLD_TIES = 3  # more definitions than this giving one and the same number are folded in text


def _fold_ties(ex: Explanation) -> tuple[list[Match], list[str]]:
    """(matches listed in full, ids named on one line). When many definitions give exactly the same
    number (tiny N, a collapsed model), of that tie only the first metric, the first fitting view,
    every view that does not fit the task and the baselines are listed in full: they are what tells
    the story; the notes and JSON name every one."""
    tied = set(ex.tied)
    if len(tied) <= FOLD_TIES:
        return list(ex.matches), []
    shown: list[Match] = []
    folded: list[str] = []
    kinds: set[tuple[str, bool]] = set()
    for m in ex.matches:
        kind = (m.source, m.fits_task)
        if m.id in tied and m.fits_task and m.source != "baseline" and kind in kinds:
            folded.append(m.id)
        else:
            shown.append(m)
            kinds.add(kind)
    return shown, folded


def _message(f: Any) -> str:
    from headcheck.render.document import finding_parts

    return finding_parts(f)[0]


def to_text(ex: Explanation, width: int = WIDTH) -> str:
    wrapped = []
    for line in lines(ex):
        indent = " " * (len(line) - len(line.lstrip()) + 2)
        wrapped.append(textwrap.fill(line, width=width, subsequent_indent=indent))
    return "\n".join(wrapped) + "\n"


def to_markdown(ex: Explanation) -> str:
    from headcheck.render._base import md_text

    out = ["# headcheck explain", ""]
    for line in lines(ex):
        line = md_text(line)
        if line.startswith("  "):
            out.append("- " + line.strip())
        elif line.startswith(("Recommended", "Definitions", "No metric", "Findings that", "Nearest")):
            out.append(f"\n**{line}**")
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def renderables(ex: Explanation, width: int = WIDTH) -> Iterator[Any]:
    from rich.text import Text

    for line in lines(ex):
        style = ("bold red" if "DOES NOT FIT" in line
                 else "bold green" if line.startswith("Recommended")
                 else "bold" if line in ex.story else "")
        yield Text(line, style=style)


# --- HTML -----------------------------------------------------------------------------------------
def document(ex: Explanation) -> list[Block]:
    """What HTML shows: the matches (or the nearest definitions) judged against the task, the
    ones that do not fit highlighted, then the honest number."""
    items = ex.matches or ex.nearest
    title = (f"Definitions that give {_within(ex)}" if ex.matches
             else f"No metric, view or baseline gives {_within(ex)}; nearest")
    blocks: list[Block] = [
        Title("headcheck explain"),
        Field("Reported", ex.given + _read_as(ex)),
        *(Para(line) for line in ex.story),
        Field("Task", task_line(ex.task)),
        Notes(tuple(ex.notes)),
    ]
    if ex.findings:
        blocks.append(Findings(tuple(ex.findings)))
    if ex.hints:
        blocks += [Para("It may be:"), Notes(tuple(ex.hints))]
    blocks.append(Verdicts(title, tuple(Verdict(m.id, m.value, m.fits_task, m.meaning, source=m.source)
                                        for m in items), label="definition"))
    if ex.recommended is not None:
        blocks.append(Field("Recommended", recommended_text(ex.recommended)))
    return blocks


def to_html(ex: Explanation) -> str:
    return html_out.to_html(document(ex))


def view_story_lines(view_id: str, view: View, ex: Explanation, width: int = WIDTH) -> list[str]:
    """A framework view's number explained in a few lines (the demo's layout)."""
    def fill(text: str, indent: str, rest: str) -> str:
        return textwrap.fill(text, width, initial_indent=indent, subsequent_indent=rest)

    verdict = "fits the task" if view.fits_task else "DOES NOT FIT the task"
    out = [fill(f"* {view_id} prints {fmt(view.value)} ({verdict}): {view.meaning}", "  ", "    ")]
    same = [m.id for m in ex.matches if m.id != view_id]
    if same:
        out.append(fill("also gives this number: " + ", ".join(same), "    ", "    "))
    if ex.recommended is not None:
        out.append(fill(f"report instead: {recommended_text(ex.recommended)}", "    ", "    "))
    return out


_FORMATTERS = {"json": to_json, "markdown": to_markdown, "html": to_html}


def render(ex: Explanation, fmt_: str = "text", width: int = WIDTH) -> str:
    if fmt_ == "text":
        return to_text(ex, width)
    return _FORMATTERS[fmt_](ex)
