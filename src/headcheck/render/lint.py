"""Rendering lint results: text (ruff-like), JSON, SARIF 2.1.0 and GitHub workflow annotations.

Lint results are (path, Finding) pairs in reading order; unlike report, check and explain they are
a stream of located findings, so they have their own formats rather than a document."""
from __future__ import annotations

import json
from typing import Any, Iterable

from headcheck import __version__
from headcheck.findings import DOCS_URL, Finding, Severity

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


def render_text(items: list[tuple[str, Finding]], *, colour: bool = False) -> str:
    def paint(text: str, style: str) -> str:
        return f"{_ANSI[style]}{text}{_ANSI['reset']}" if colour else text

    lines = []
    for path, f in ordered(items):
        where = paint(position(path, f), "bold")
        code = paint(f.code, _SEVERITY_COLOUR[f.severity.value])
        lines.append(f"{where}: {code} {f.message}")
    lines.append(summary(items))
    return "\n".join(lines) + "\n"


def summary(items: list[tuple[str, Finding]]) -> str:
    if not items:
        return "All checks passed!"
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
        # ruff's {row, column}, plus the file as in the findings contract of PRODUCT.md
        "location": {"file": path, "row": loc.row, "column": loc.column} if loc else None,
        "end_location": ({"row": loc.end_row, "column": loc.end_column}
                         if loc and loc.end_row is not None and loc.end_column is not None else None),
        "cell": loc.cell if loc else None,
    }


def render_json(items: list[tuple[str, Finding]]) -> str:
    return json.dumps([finding_json(p, f) for p, f in ordered(items)], indent=2) + "\n"


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def render_sarif(items: list[tuple[str, Finding]]) -> str:
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
            }
        ],
    }
    return json.dumps(doc, indent=2) + "\n"


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


def render_github(items: list[tuple[str, Finding]]) -> str:
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
    return "\n".join(lines) + ("\n" if lines else "")


def render(fmt: str, items: list[tuple[str, Finding]], *, colour: bool = False) -> str:
    if fmt == "json":
        return render_json(items)
    if fmt == "sarif":
        return render_sarif(items)
    if fmt == "github":
        return render_github(items)
    return render_text(items, colour=colour)
