"""Rendering a Comparison: its JSON dict, and the one document that text, Markdown and HTML show
(the verdict first, then every metric of every model with its interval, the paired differences,
the framework views side by side, the baselines, thresholds and each model's findings)."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Iterator

from headcheck.render import html as html_out
from headcheck.render import markdown as md_out
from headcheck.render import text as text_out
from headcheck.render._base import WIDTH, fmt, num, plain, task_line
from headcheck.render.document import Block, Column, Field, Findings, Gap, Notes, Table, Title
from headcheck.render.report import interval_text
from headcheck.render.report import to_dict as report_dict

if TYPE_CHECKING:  # pragma: no cover
    from headcheck._compare import Comparison, Difference

FORMATS = ("text", "json", "markdown", "html")
SHARED = ("task", "baselines", "notes", "source", "intervals")  # said once, not per model


# --- JSON -----------------------------------------------------------------------------------------
def to_dict(c: Comparison) -> dict[str, Any]:
    """task, models {name: {metrics {id: {value, ci_low, ci_high, level, method}}, views,
    per_class, findings, calibration, confusions, thresholds}}, baselines, differences, verdict,
    ci {level, method, replicates, seed}, source, notes; equal to `--format json`."""
    first = c.reports[c.names[0]]
    d: dict[str, Any] = {
        "task": plain(c.task.to_dict()),
        "models": {name: _model_dict(rep, c.level) for name, rep in c.reports.items()},
        "baselines": report_dict(first)["baselines"],
        "differences": [plain(x.to_dict()) for x in c.differences],
        "verdict": plain(c.verdict.to_dict()),
        "ci": {"level": c.level, "method": "percentile bootstrap over Poisson-weighted rows",
               "replicates": c.replicates, "seed": c.seed},
    }
    if c.source:
        d["source"] = c.source
    if c.notes:
        d["notes"] = list(c.notes)
    return d


def _model_dict(rep: Any, level: float) -> dict[str, Any]:
    out = {k: v for k, v in report_dict(rep).items() if k not in SHARED}
    metrics = {}
    for k, v in rep.metrics.items():
        iv = rep.intervals.get(k)
        metrics[k] = {"value": num(v), "ci_low": None if iv is None else num(iv.ci_low),
                      "ci_high": None if iv is None else num(iv.ci_high), "level": level,
                      "method": None if iv is None else iv.method}
    out["metrics"] = metrics
    return out


def to_json(c: Comparison, indent: int | None = 2) -> str:
    return json.dumps(to_dict(c), indent=indent)


# --- the document ---------------------------------------------------------------------------------
def document(c: Comparison) -> list[Block]:
    """What a comparison shows, in order."""
    names = c.names
    first = c.reports[names[0]]
    v = c.verdict
    blocks: list[Block] = [
        Title("headcheck compare", c.source or None),
        Field("Task", task_line(c.task)),
        Notes(tuple(c.task.decisions) + tuple(c.notes)),
        Gap(),
        Field("Verdict", v.text + (f" (Verdict metric: {v.metric}, {v.why}.)" if v.why else "")),
        Gap(),
        _metrics_table(c),
        _differences_table(c),
        _views_table(c),
        Table("Baselines (trivial predictors, same labels)",
              (Column("baseline"), Column("value", "right"), Column("meaning", wrap=True)),
              tuple((k, fmt(b.value), b.meaning) for k, b in first.baselines.items())),
    ]
    thresholds = _thresholds_table(c)
    if thresholds is not None:
        blocks.append(thresholds)
    blocks += [Findings(tuple(rep.findings), title=f"Findings: {name}")
               for name, rep in c.reports.items()]
    return blocks


def _metrics_table(c: Comparison) -> Table:
    names = c.names
    ids = list(c.reports[names[0]].metrics)
    rows = []
    for k in ids:
        cells = []
        for n in names:
            rep = c.reports[n]
            value = rep.metrics.get(k)
            iv = rep.intervals.get(k)
            cells.append(fmt(value) + ("" if iv is None else " " + interval_text(iv)))
        rows.append((k, *cells))
    return Table(f"Metrics ({c.level:.0%} confidence intervals)",
                 (Column("metric"), *(Column(n, "right") for n in names)), tuple(rows))


def _reading(d: Difference) -> str:
    better = d.better
    return "within noise" if better is None else f"{better} better"


def _differences_table(c: Comparison) -> Table:
    """Every paired difference; its narrow form (for 80-column text) says which test gives p once
    in the title (it follows from the metric), prints the interval with 3 decimals (a bootstrap
    interval is not known to the 4th) and heads the difference 'diff'."""
    pairs = {(d.a, d.b) for d in c.differences}
    several = len(pairs) > 1
    a, b = next(iter(sorted(pairs))) if pairs else ("", "")
    title = "Paired differences" + ("" if several else f" ({a} - {b})")
    return Table(title, _difference_columns(c, several, test=True),
                 tuple(_difference_row(c, d, several, 4, test=True) for d in c.differences),
                 narrow=Table(f"{title}; p from {_tests_said_once(c)}",
                              _difference_columns(c, several, test=False),
                              tuple(_difference_row(c, d, several, 3, test=False)
                                    for d in c.differences)))


def _difference_columns(c: Comparison, several: bool, test: bool) -> tuple[Column, ...]:
    columns = [Column("metric")] + ([Column("models")] if several else [])
    columns += [Column("difference" if test else "diff", "right"), Column(f"{c.level:.0%} CI", "right"),
                Column("p", "right")] + ([Column("test")] if test else []) + [Column("reading")]
    return tuple(columns)


def _difference_row(c: Comparison, d: Difference, several: bool, digits: int,
                    test: bool) -> tuple[str, ...]:
    floor = c.replicates if d.test == "bootstrap" else None
    row = [d.metric] + ([f"{d.a} - {d.b}"] if several else [])
    row += [f"{d.value:+.4f}", f"[{d.ci_low:+.{digits}f}, {d.ci_high:+.{digits}f}]",
            _p(d.p_value, floor)] + ([d.test] if test else []) + [_reading(d)]
    return tuple(row)


def _tests_said_once(c: Comparison) -> str:
    """'McNemar for accuracy, DeLong for roc_auc, bootstrap for the rest': the test column of
    the wide table, said once (each metric has one test)."""
    by_test: dict[str, list[str]] = {}
    for d in c.differences:
        metrics = by_test.setdefault(d.test, [])
        if d.metric not in metrics:
            metrics.append(d.metric)
    common = max(by_test, key=lambda t: len(by_test[t]), default="")
    parts = [f"{t} for {', '.join(m)}" for t, m in by_test.items() if t != common]
    return ", ".join(parts + [f"{common} for {'the rest' if parts else 'every metric'}"])


def _p(p: float, replicates: int | None = None) -> str:
    if p != p:  # NaN
        return "n/a"
    if replicates is not None and p <= 2 / (replicates + 1) + 1e-12:  # the bootstrap's floor
        return f"<= {p:.4f}"
    return "< 0.0001" if p < 1e-4 else f"{p:.4f}" if p < 0.01 else f"{p:.3f}"


def _views_table(c: Comparison) -> Table:
    names = c.names
    first = c.reports[names[0]]
    rows = []
    for k, view in first.views.items():
        values = [fmt(c.reports[n].views[k].value) if k in c.reports[n].views else "n/a"
                  for n in names]
        rows.append((k, *values, "fits the task" if view.fits_task else "MISLEADING"))
    return Table("What each framework would print",
                 (Column("view"), *(Column(n, "right") for n in names), Column("fits the task")),
                 tuple(rows))


def _thresholds_table(c: Comparison) -> Table | None:
    rows = []
    for name, rep in c.reports.items():
        th = rep.thresholds
        if th is None:
            continue
        best = th.overall.best.get("f1")
        rows.append((name, f"{th.current:.4g}", fmt(th.overall.at_current["f1"]),
                     "n/a" if best is None else f"{best.threshold:.4g}",
                     "n/a" if best is None else fmt(best.value)))
    if not rows:
        return None
    f1 = "micro_f1" if c.task.kind == "multilabel" else "f1"
    return Table("Decision thresholds",
                 (Column("model"), Column("in use", "right"), Column(f"{f1} there", "right"),
                  Column(f"best {f1} threshold", "right"), Column(f"{f1} at best", "right")),
                 tuple(rows))


# --- formats ------------------------------------------------------------------------------------------
def renderables(c: Comparison, width: int = WIDTH) -> Iterator[Any]:
    return text_out.renderables(document(c), width)


def to_text(c: Comparison, width: int = WIDTH) -> str:
    return text_out.to_text(document(c), width)


def to_markdown(c: Comparison) -> str:
    return md_out.to_markdown(document(c))


def to_html(c: Comparison) -> str:
    return html_out.to_html(document(c))


_FORMATTERS = {"json": to_json, "markdown": to_markdown, "html": to_html}


def render(c: Comparison, fmt_: str = "text", width: int = WIDTH) -> str:
    if fmt_ == "text":
        return to_text(c, width)
    return _FORMATTERS[fmt_](c)
