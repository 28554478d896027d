"""Rendering a Report: its JSON dict, and the one document that text, Markdown and HTML show."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Iterator

from headcheck.render import html as html_out
from headcheck.render import markdown as md_out
from headcheck.render import text as text_out
from headcheck.render._base import WIDTH, fmt, num, plain, task_line
from headcheck.render.thresholds import blocks as threshold_blocks
from headcheck.render.document import (
    Block, Column, Field, Findings, Gap, Notes, Table, Title, Verdict, Verdicts,
)

if TYPE_CHECKING:  # pragma: no cover
    from headcheck._report import Report

FORMATS = ("text", "json", "markdown", "html")
PER_CLASS_ROWS = 20  # rows of the per-class table shown for large K (JSON has them all)
VIEWS_TITLE = "What each framework would print (same data, each framework's own rules)"


# --- JSON -----------------------------------------------------------------------------------------
def to_dict(rep: Report) -> dict[str, Any]:
    """The JSON contract (stable keys, documented in the README): task, metrics, views, baselines, per_class, findings (plus
    calibration, confusions, source and notes); equal to what `--format json` prints."""
    d: dict[str, Any] = {
        "task": plain(rep.task.to_dict()),
        "metrics": {k: num(v) for k, v in rep.metrics.items()},
        "views": {k: {"value": num(v.value), "meaning": v.meaning, "fits_task": bool(v.fits_task),
                      **({"note": v.note} if getattr(v, "note", None) else {})}
                  for k, v in rep.views.items()},
        "baselines": {k: {"value": num(b.value), "meaning": b.meaning}
                      for k, b in rep.baselines.items()},
        "per_class": plain(rep.per_class),
        "findings": [plain(f.to_dict()) for f in rep.findings],
        "calibration": _calibration_dict(rep.calibration),
        "confusions": [{"true": rep.task.class_name(int(t)), "pred": rep.task.class_name(int(p)),
                        "weight": num(w)} for t, p, w in rep.confusions],
    }
    if rep.intervals:
        d["intervals"] = {k: plain(v.to_dict()) for k, v in rep.intervals.items()}
    if rep.thresholds is not None:
        d["thresholds"] = plain(rep.thresholds.to_dict())
    if rep.source:
        d["source"] = rep.source
    if rep.notes:
        d["notes"] = list(rep.notes)
    return d


def _calibration_dict(cal: Any) -> dict[str, Any] | None:
    if cal is None:
        return None
    return {k: plain(getattr(cal, k)) for k in ("edges", "counts", "mean_confidence", "accuracy")
            if hasattr(cal, k)}


def to_json(rep: Report, indent: int | None = 2) -> str:
    return json.dumps(to_dict(rep), indent=indent)


# --- the document -----------------------------------------------------------------------------------
def document(rep: Report) -> list[Block]:
    """What a report shows, in order; every human-readable format renders these blocks."""
    from headcheck._report import metric_meaning

    blocks: list[Block] = [
        Title("headcheck report", rep.source or None),
        Field("Task", task_line(rep.task)),
        Notes(tuple(rep.task.decisions) + tuple(rep.notes)),
        Gap(),
        _metrics_table(rep),
        Verdicts(VIEWS_TITLE, tuple(Verdict(k, v.value, bool(v.fits_task), v.meaning, v.note)
                                    for k, v in rep.views.items())),
        Gap(),
        Table("Baselines (trivial predictors)", _meaning_columns("baseline"),
              tuple((k, fmt(b.value), b.meaning) for k, b in rep.baselines.items())),
        _per_class_table(rep),
    ]
    if rep.confusions and rep.task.kind != "multilabel":
        blocks.append(Field("Top confusions (true -> predicted: weight)", confusions_text(rep)))
    if rep.thresholds is not None:
        blocks += threshold_blocks(rep.thresholds, rep.task.kind, rep.task.score_kind)
    blocks.append(Findings(tuple(rep.findings)))
    return blocks


def _metrics_table(rep: Report) -> Table:
    """The metrics, with their confidence interval when the report has them (`ci=`)."""
    from headcheck._report import metric_meaning

    if not rep.intervals:
        return Table("Metrics that fit the task", _meaning_columns("metric"),
                     tuple((k, fmt(v), metric_meaning(k)) for k, v in rep.metrics.items()))
    level = next(iter(rep.intervals.values())).level
    columns = (Column("metric"), Column("value", "right"), Column(f"{level:.0%} CI", "right"),
               Column("meaning", wrap=True))
    return Table("Metrics that fit the task", columns, tuple(
        (k, fmt(v), interval_text(rep.intervals.get(k)), metric_meaning(k))
        for k, v in rep.metrics.items()))


def interval_text(iv: object) -> str:
    """`[0.6098, 0.6510]`, or `-` for a metric without an interval."""
    if iv is None:
        return "-"
    return f"[{fmt(getattr(iv, 'ci_low'))}, {fmt(getattr(iv, 'ci_high'))}]"


def _meaning_columns(first: str) -> tuple[Column, ...]:
    return (Column(first), Column("value", "right"), Column("meaning", wrap=True))


def per_class_rows(rep: Report) -> tuple[list[dict[str, Any]], int]:
    """The rows shown (all, or the PER_CLASS_ROWS largest by support) and how many are hidden."""
    rows = rep.per_class
    if len(rows) <= PER_CLASS_ROWS:
        return rows, 0
    top = sorted(rows, key=lambda r: -float(r.get("support", 0)))[:PER_CLASS_ROWS]
    return top, len(rows) - len(top)


def _per_class_table(rep: Report) -> Table:
    rows, hidden = per_class_rows(rep)
    unit = "label" if rep.task.kind == "multilabel" else "class"
    title = f"Per {unit}" + (f" (top {len(rows)} of {len(rows) + hidden} by support)"
                             if hidden else "")
    columns = (Column(unit),) + tuple(Column(c, "right") for c in
                                      ("support", "predicted", "precision", "recall", "f1"))
    return Table(title, columns, tuple(
        (str(r.get("name", r.get("class"))), fmt(r.get("support"), 0), fmt(r.get("predicted"), 0),
         fmt(r.get("precision"), 3), fmt(r.get("recall"), 3), fmt(r.get("f1"), 3))
        for r in rows))


def confusions_text(rep: Report, top: int = 5) -> str:
    def weight(c: float) -> str:
        return fmt(c, 0) if float(c).is_integer() else fmt(c, 2)

    name = rep.task.class_name
    return "; ".join(f"{name(a)} -> {name(b)}: {weight(c)}" for a, b, c in rep.confusions[:top])


# --- formats ------------------------------------------------------------------------------------------
def renderables(rep: Report, width: int = WIDTH) -> Iterator[Any]:
    return text_out.renderables(document(rep), width)


def to_text(rep: Report, width: int = WIDTH) -> str:
    return text_out.to_text(document(rep), width)


def to_markdown(rep: Report) -> str:
    return md_out.to_markdown(document(rep))


def to_html(rep: Report) -> str:
    return html_out.to_html(document(rep))


def compact_lines(rep: Report, width: int = WIDTH) -> list[str]:
    """The report in a few lines per section (the demo's layout): metrics on one wrapped line,
    one line per view, baselines, findings."""
    import textwrap

    def fill(text: str, indent: str = "", rest: str | None = None) -> str:
        return textwrap.fill(text, width, initial_indent=indent,
                             subsequent_indent=indent if rest is None else rest)

    out = [fill("Task: " + task_line(rep.task))]
    out += [fill(d, "  - ", "    ") for d in rep.task.decisions]
    out += ["", "Metrics that fit the task:"]
    out.append(fill("   ".join(f"{k} {fmt(v)}" for k, v in rep.metrics.items()), "  "))
    out += ["", "What each framework would print on these predictions:"]
    for k, v in rep.views.items():
        out.append(f"  {k:<36}{fmt(v.value):>8}  {'fits the task' if v.fits_task else 'MISLEADING'}")
    out += ["", "Baselines:"]
    out += [fill(f"{k} {fmt(b.value)}: {b.meaning}", "  ") for k, b in rep.baselines.items()]
    out += ["", "Findings:" if rep.findings else "Findings: none"]
    out += [fill(f"{f.code} {f.severity.value} {f.name}: {f.message}", "  ") for f in rep.findings]
    return out


_FORMATTERS = {"json": to_json, "markdown": to_markdown, "html": to_html}


def render(rep: Report, fmt_: str = "text", width: int = WIDTH) -> str:
    if fmt_ == "text":
        return to_text(rep, width)
    return _FORMATTERS[fmt_](rep)
