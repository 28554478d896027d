"""Rendering lint results: text (ruff-like), JSON, SARIF 2.1.0 and GitHub workflow annotations.

Lint results are (path, Finding) pairs in reading order; unlike report, check and explain they are
a stream of located findings, so they have their own formats rather than a document."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Iterable

from headcheck import __version__
from headcheck.findings import DOCS_URL, Finding, Severity

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.lint.extract import SkippedHead

FORMATS = ("text", "json", "sarif", "github")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

_ANSI = {"bold": "\033[1m", "red": "\033[31m", "yellow": "\033[33m", "cyan": "\033[36m", "reset": "\033[0m"}
_SEVERITY_COLOUR = {"error": "red", "warning": "yellow", "info": "cyan"}


def ordered(findings: Iterable[tuple[str, Finding]]) -> list[tuple[str, Finding]]:
    """(path, finding) pairs in reading order: by path, cell, row, column, code."""
    def key(item: tuple[str, Finding]) -> tuple:
        path, f = item
        loc = f.location
        return (path, loc.cell or 0 if loc else 0, loc.row if loc else 0, loc.column if loc else 0, f.code)

    return sorted(findings, key=key)


def position(path: str, f: Finding) -> str:
    """`path:row:col` or, for notebooks, `path:cell 3:row:col` (as ruff writes it)."""
    loc = f.location
    if loc is None:
        return path
    cell = f"cell {loc.cell}:" if loc.cell is not None else ""
    return f"{path}:{cell}{loc.row}:{loc.column}"


Skipped = list[tuple[str, "SkippedHead"]]  # (path, head lint found but could not decide)
_REASONS_SHOWN = 5


def render_text(items: list[tuple[str, Finding]], *, colour: bool = False, skipped: Skipped = (),
                show_skipped: bool = False) -> str:
    def paint(text: str, style: str) -> str:
        return f"{_ANSI[style]}{text}{_ANSI['reset']}" if colour else text

    lines = []
    for path, f in ordered(items):
        where = paint(position(path, f), "bold")
        code = paint(f.code, _SEVERITY_COLOUR[f.severity.value])
        lines.append(f"{where}: {code} {f.message}")
    if show_skipped:
        for path, s in _ordered_skips(skipped):
            lines.append(f"{paint(_skip_position(path, s), 'bold')}: skipped head: {s.reason}")
    lines.append(summary(items, skipped))
    if skipped:
        lines.extend(skipped_summary(skipped, listed=show_skipped))
    return "\n".join(lines) + "\n"


def _ordered_skips(skipped: Skipped) -> Skipped:
    return sorted(skipped, key=lambda item: (item[0], item[1].location.cell or 0, item[1].location.row,
                                             item[1].location.column))


def _skip_position(path: str, s: SkippedHead) -> str:
    loc = s.location
    cell = f"cell {loc.cell}:" if loc.cell is not None else ""
    return f"{path}:{cell}{loc.row}:{loc.column}"


def skipped_summary(skipped: Skipped, *, listed: bool) -> list[str]:
    """How many heads were not checked and why (the most frequent reasons first)."""
    n = len(skipped)
    counts: dict[str, int] = {}
    for _, s in skipped:
        counts[s.reason] = counts.get(s.reason, 0) + 1
    reasons = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    lines = [f"{n} head{'s' if n != 1 else ''} could not be checked and {'were' if n != 1 else 'was'} skipped:"]
    lines += [f"  {count} x {reason}" for reason, count in reasons[:_REASONS_SHOWN]]
    if len(reasons) > _REASONS_SHOWN:
        lines.append(f"  ... and {len(reasons) - _REASONS_SHOWN} other reasons")
    if not listed:
        lines.append("Run with --show-skipped to list them.")
    return lines


def summary(items: list[tuple[str, Finding]], skipped: Skipped = ()) -> str:
    if not items:
        # "All checks passed!" would mislead when heads were left unchecked
        return "No findings in the heads checked." if skipped else "All checks passed!"
    counts = {s: sum(1 for _, f in items if f.severity is s) for s in Severity}
    parts = [f"{n} {s.value}{'s' if n != 1 and s is not Severity.INFO else ''}" for s, n in counts.items() if n]
    n = len(items)
    return f"Found {n} finding{'s' if n != 1 else ''} ({', '.join(parts)})."


def finding_json(path: str, f: Finding) -> dict[str, Any]:
    loc = f.location
    return {
        "code": f.code,
        "name": f.name,
        "severity": f.severity.value,
        "message": f.message,
        "fix": f.fix,
        "url": f.url,
        "filename": path,
        # ruff's {row, column}, plus the file, as every finding in JSON carries it
        "location": {"file": path, "row": loc.row, "column": loc.column} if loc else None,
        "end_location": ({"row": loc.end_row, "column": loc.end_column}
                         if loc and loc.end_row is not None and loc.end_column is not None else None),
        "cell": loc.cell if loc else None,
    }


def skipped_json(path: str, s: SkippedHead) -> dict[str, Any]:
    """A head that was not checked, in the shape of a finding with `code` null (as ruff writes a
    syntax error) and `kind` 'skipped-head'."""
    loc = s.location
    return {
        "kind": "skipped-head",
        "code": None,
        "name": "skipped-head",
        "severity": None,
        "message": f"head not checked: {s.reason}",
        "reason": s.reason,
        "fix": None,
        "url": None,
        "filename": path,
        "location": {"file": path, "row": loc.row, "column": loc.column},
        "end_location": ({"row": loc.end_row, "column": loc.end_column}
                         if loc.end_row is not None and loc.end_column is not None else None),
        "cell": loc.cell,
    }


def render_json(items: list[tuple[str, Finding]], skipped: Skipped = ()) -> str:
    entries = [{"kind": "finding", **finding_json(p, f)} for p, f in ordered(items)]
    entries += [skipped_json(p, s) for p, s in _ordered_skips(skipped)]
    return json.dumps(entries, indent=2) + "\n"


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def render_sarif(items: list[tuple[str, Finding]], skipped: Skipped = ()) -> str:
    """SARIF 2.1.0 as GitHub code scanning reads it: every rule of the catalogue in
    tool.driver.rules (with helpUri), one result per finding with a physical location."""
    from headcheck.rules import all_rules

    rules = list(all_rules())
    index = {r.code: i for i, r in enumerate(rules)}
    driver_rules = [
        {
            "id": r.code,
            "name": r.name,
            "shortDescription": {"text": r.summary},
            "fullDescription": {"text": f"{r.summary} {r.fix_title}"},
            "helpUri": DOCS_URL.format(code=r.code),
            "help": {"text": r.fix_title},
            "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity.value]},
            "properties": {"tags": [r.name]},
        }
        for r in rules
    ]
    results = [_sarif_result(path, f, index) for path, f in ordered(items)]
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "headcheck",
                        "version": __version__,
                        "informationUri": "https://headcheck.readthedocs.io/",
                        "rules": driver_rules,
                    }
                },
                "results": results,
                # heads that were not checked: tool execution notifications, not results
                "invocations": [{
                    "executionSuccessful": True,
                    "toolExecutionNotifications": [_sarif_notification(p, s) for p, s in _ordered_skips(skipped)],
                }],
            }
        ],
    }
    return json.dumps(doc, indent=2) + "\n"


def _sarif_notification(path: str, s: SkippedHead) -> dict[str, Any]:
    loc = s.location
    region: dict[str, int] = {"startLine": loc.row, "startColumn": loc.column}
    if loc.end_row is not None and loc.end_column is not None:
        region["endLine"], region["endColumn"] = loc.end_row, loc.end_column
    text = f"head not checked: {s.reason}"
    return {
        "level": "note",
        "descriptor": {"id": "skipped-head"},
        "message": {"text": text if loc.cell is None else f"cell {loc.cell}: {text}"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": path.replace("\\", "/")}, "region": region}}],
    }


def _sarif_result(path: str, f: Finding, index: dict[str, int]) -> dict[str, Any]:
    loc = f.location
    region: dict[str, int] = {"startLine": loc.row if loc else 1, "startColumn": loc.column if loc else 1}
    if loc is not None and loc.end_row is not None and loc.end_column is not None:
        region["endLine"] = loc.end_row
        region["endColumn"] = loc.end_column
    message = f.message if loc is None or loc.cell is None else f"cell {loc.cell}: {f.message}"
    result: dict[str, Any] = {
        "ruleId": f.code,
        "level": _SARIF_LEVEL[f.severity.value],
        "message": {"text": message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": path.replace("\\", "/")},
                                            "region": region}}],
    }
    if f.code in index:
        result["ruleIndex"] = index[f.code]
    return result


_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(items: list[tuple[str, Finding]], skipped: Skipped = (), show_skipped: bool = False) -> str:
    """GitHub Actions workflow commands: `::error file=...,line=...,col=...,title=HC101::message`."""
    lines = []
    for path, f in ordered(items):
        loc = f.location
        props = [f"file={_escape_property(path)}"]
        if loc is not None:
            props += [f"line={loc.row}", f"col={loc.column}"]
            if loc.end_row is not None and loc.end_column is not None:
                props += [f"endLine={loc.end_row}", f"endColumn={loc.end_column}"]
        props.append(f"title={_escape_property(f.code + ' ' + f.name)}")
        cell = f"cell {loc.cell}: " if loc is not None and loc.cell is not None else ""
        lines.append(f"::{_GITHUB_LEVEL[f.severity.value]} {','.join(props)}::{_escape_data(cell + f.code + ' ' + f.message)}")
    for path, s in _ordered_skips(skipped) if show_skipped else ():
        loc = s.location
        props = [f"file={_escape_property(path)}", f"line={loc.row}", f"col={loc.column}", "title=skipped head"]
        cell = f"cell {loc.cell}: " if loc.cell is not None else ""
        lines.append(f"::notice {','.join(props)}::{_escape_data(cell + 'head not checked: ' + s.reason)}")
    return "\n".join(lines) + ("\n" if lines else "")


def render(fmt: str, items: list[tuple[str, Finding]], *, colour: bool = False, skipped: Skipped = (),
           show_skipped: bool = False) -> str:
    """Findings in a format; heads that were not checked are counted in text (listed with
    `show_skipped`), always carried by JSON and SARIF, and GitHub notices with `show_skipped`."""
    skipped = list(skipped)
    if fmt == "json":
        return render_json(items, skipped)
    if fmt == "sarif":
        return render_sarif(items, skipped)
    if fmt == "github":
        return render_github(items, skipped, show_skipped)
    return render_text(items, colour=colour, skipped=skipped, show_skipped=show_skipped)
