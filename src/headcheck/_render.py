"""Renderers of a Report (rich text, Markdown, HTML); rich is imported only here."""
from __future__ import annotations

import html
import textwrap
from typing import TYPE_CHECKING, Any, Iterator

from headcheck.report import PER_CLASS_ROWS, fmt, metric_meaning

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.report import Report
    from headcheck.task import TaskProfile

_SCORE_WORDS = {
    "probabilities": "probabilities (rows sum to 1)",
    "independent": "independent probabilities",
    "logits": "logits (unbounded)",
    "hard": "predicted labels (hard)",
}


def task_line(p: TaskProfile) -> str:
    unit = "labels" if p.kind == "multilabel" else "classes"
    scores = _SCORE_WORDS.get(p.score_kind, p.score_kind)
    if p.kind == "binary" and p.score_layout != "matrix":
        scores += f", {p.score_layout} layout"
    declared = " (declared)" if p.declared else ""
    return (f"{p.kind}{declared}, {p.n_classes} {unit}, {p.n_samples} samples; labels: "
            f"{p.label_encoding}; scores: {scores}; threshold {p.threshold:g}")


def _per_class_rows(rep: Report) -> tuple[list[dict[str, Any]], int]:
    rows = rep.per_class
    if len(rows) <= PER_CLASS_ROWS:
        return rows, 0
    top = sorted(rows, key=lambda r: -float(r.get("support", 0)))[:PER_CLASS_ROWS]
    return top, len(rows) - len(top)


def _finding_lines(rep: Report) -> list[tuple[str, str]]:
    return [(f"{f.code} {f.severity.value} {f.name}", f"{f.message} Fix: {f.fix} ({f.url})")
            for f in rep.findings]


# ---------------------------------------------------------------------------------------------
# rich
# ---------------------------------------------------------------------------------------------
def report_renderables(rep: Report) -> Iterator[Any]:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    title = "headcheck report" + (f": {rep.source}" if rep.source else "")
    yield Text(title, style="bold")
    yield Text("Task: " + task_line(rep.task))
    for d in rep.task.decisions:
        yield Text("  - " + d, style="dim")
    for n in rep.notes:
        yield Text("  - " + n, style="dim")
    yield Text("")

    t = Table(title="Metrics that fit the task", box=box.SIMPLE, title_justify="left", expand=False)
    t.add_column("metric", no_wrap=True)
    t.add_column("value", justify="right", no_wrap=True)
    t.add_column("meaning", ratio=1)
    for k, v in rep.metrics.items():
        t.add_row(k, fmt(v), metric_meaning(k))
    yield t

    yield Text("What each framework would print (same data, each framework's own rules)", style="bold")
    for k, v in rep.views.items():
        mark = Text("fits the task", style="green") if v.fits_task else Text("MISLEADING", style="bold red")
        yield Text.assemble(f"  {k:<36}{fmt(v.value):>8}  ", mark)
        meaning = v.meaning + (f" ({v.note})" if v.note else "")
        yield Text(textwrap.fill(meaning, width=74, initial_indent="      ", subsequent_indent="      "),
                   style="dim")
    yield Text("")

    t = Table(title="Baselines (trivial predictors)", box=box.SIMPLE, title_justify="left")
    t.add_column("baseline", no_wrap=True)
    t.add_column("value", justify="right", no_wrap=True)
    t.add_column("meaning", ratio=1)
    for k, b in rep.baselines.items():
        t.add_row(k, fmt(b.value), b.meaning)
    yield t

    yield _per_class_table(rep)
    if rep.confusions and rep.task.kind != "multilabel":
        top = rep.confusions[:5]
        yield Text("Top confusions (true -> predicted: weight): " + "; ".join(
            f"{rep.task.class_name(a)} -> {rep.task.class_name(b)}: {fmt(c, 0) if float(c).is_integer() else fmt(c, 2)}"
            for a, b, c in top))
    if rep.findings:
        yield Text("Findings", style="bold")
        for head, body in _finding_lines(rep):
            style = "bold red" if head.split()[1] == "error" else ("yellow" if "warning" in head else "cyan")
            yield Text.assemble(("  " + head, style), "\n    " + body)
    else:
        yield Text("Findings: none", style="green")


def _per_class_table(rep: Report) -> Any:
    from rich import box
    from rich.table import Table

    rows, hidden = _per_class_rows(rep)
    unit = "label" if rep.task.kind == "multilabel" else "class"
    title = f"Per {unit}" + (f" (top {len(rows)} of {len(rows) + hidden} by support)" if hidden else "")
    t = Table(title=title, box=box.SIMPLE, title_justify="left")
    for col in (unit, "support", "predicted", "precision", "recall", "f1"):
        t.add_column(col, justify="left" if col == unit else "right", no_wrap=True)
    for r in rows:
        t.add_row(str(r.get("name", r.get("class"))), fmt(r.get("support"), 0), fmt(r.get("predicted"), 0),
                  fmt(r.get("precision"), 3), fmt(r.get("recall"), 3), fmt(r.get("f1"), 3))
    return t


def render_text(rep: Any, width: int = 80) -> str:
    """Render rich renderables to plain text at a fixed width (no colour codes)."""
    from rich.console import Console

    console = Console(width=width, record=True, file=_Null(), color_system=None, force_terminal=False)
    for r in (rep.__rich_console__(console, console.options)):
        console.print(r)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines()) + "\n"


class _Null:
    def write(self, s: str) -> int:
        return len(s)

    def flush(self) -> None:
        pass


# ---------------------------------------------------------------------------------------------
# Markdown and HTML
# ---------------------------------------------------------------------------------------------
def _md_table(head: list[str], rows: list[list[str]]) -> str:
    esc = [[c.replace("|", "\\|") for c in r] for r in rows]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in esc]
    return "\n".join(lines)


def _sections(rep: Report) -> list[tuple[str, list[str], list[list[str]]]]:
    rows, hidden = _per_class_rows(rep)
    unit = "label" if rep.task.kind == "multilabel" else "class"
    return [
        ("Metrics that fit the task", ["metric", "value", "meaning"],
         [[k, fmt(v), metric_meaning(k)] for k, v in rep.metrics.items()]),
        ("What each framework would print", ["view", "value", "fits the task", "meaning"],
         [[k, fmt(v.value), "yes" if v.fits_task else "**no: misleading**", v.meaning]
          for k, v in rep.views.items()]),
        ("Baselines", ["baseline", "value", "meaning"],
         [[k, fmt(b.value), b.meaning] for k, b in rep.baselines.items()]),
        (f"Per {unit}" + (f" (largest {len(rows)} by support; {hidden} more)" if hidden else ""),
         [unit, "support", "predicted", "precision", "recall", "f1"],
         [[str(r.get("name", r.get("class"))), fmt(r.get("support"), 0), fmt(r.get("predicted"), 0),
           fmt(r.get("precision"), 3), fmt(r.get("recall"), 3), fmt(r.get("f1"), 3)] for r in rows]),
    ]


def report_markdown(rep: Report) -> str:
    out = ["# headcheck report" + (f": `{rep.source}`" if rep.source else ""), "",
           f"**Task:** {task_line(rep.task)}", ""]
    out += [f"- {d}" for d in rep.task.decisions + rep.notes]
    for title, head, rows in _sections(rep):
        out += ["", f"## {title}", "", _md_table(head, rows)]
    out += ["", "## Findings", ""]
    out += [f"- **{h}**: {b}" for h, b in _finding_lines(rep)] or ["None."]
    return "\n".join(out) + "\n"


def report_html(rep: Report) -> str:
    e = html.escape
    parts = [f"<h3>headcheck report{': ' + e(rep.source) if rep.source else ''}</h3>",
             f"<p><b>Task:</b> {e(task_line(rep.task))}</p>"]
    if rep.task.decisions or rep.notes:
        parts.append("<ul>" + "".join(f"<li>{e(d)}</li>" for d in rep.task.decisions + rep.notes) + "</ul>")
    for title, head, rows in _sections(rep):
        parts.append(f"<h4>{e(title)}</h4><table><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>"
                     + "".join("<tr>" + "".join(f"<td>{e(c.replace('**', ''))}</td>" for c in r) + "</tr>"
                               for r in rows) + "</table>")
    parts.append("<h4>Findings</h4>")
    parts.append("<ul>" + "".join(f"<li><b>{e(h)}</b>: {e(b)}</li>" for h, b in _finding_lines(rep))
                 + "</ul>" if rep.findings else "<p>None.</p>")
    return "\n".join(parts)
