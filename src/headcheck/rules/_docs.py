"""The rule reference, rendered from the rule classes (never written by hand)."""
from __future__ import annotations

import inspect
from typing import Any

from headcheck.rules import Rule, all_rules

# Codes kept for rules not written yet (code -> (name, what it will flag)); never reused for
# anything else. Every code of the catalogue is a rule today.
RESERVED: dict[str, tuple[str, str]] = {}

HEADER = (
    "# Rule reference\n\n"
    "Generated from the rule classes by `headcheck rules --format markdown > docs/rules.md`; "
    "do not edit by hand.\n"
)


def body(rule: Rule) -> str:
    """The documentation of a rule (its docstring without the title line)."""
    doc = inspect.cleandoc(type(rule).__doc__ or "")
    return doc.split("\n", 1)[1].strip() if "\n" in doc else ""


def title(rule: Rule) -> str:
    return inspect.cleandoc(type(rule).__doc__ or "").split("\n", 1)[0].strip()


def rule_markdown(rule: Rule, level: int = 1) -> str:
    """One rule's page; `level` is the heading level of its title."""
    h = "#" * level
    sections = body(rule).replace("\n## ", f"\n{h}# ")
    if sections.startswith("## "):
        sections = f"{h}# " + sections[3:]
    needs = ", ".join(sorted(rule.needs))
    return (
        f"{h} {rule.code} {rule.name}\n\n"
        f"{title(rule)}\n\n"
        f"- Severity: `{rule.severity.value}`\n"
        f"- Reads: {needs}\n"
        f"- Points at: {rule.points_at}\n"
        f"- Message: {rule.summary}\n"
        f"- Fix: {rule.fix_title}\n"
        f"- Page: {rule.url}\n\n"
        f"{sections}\n"
    )


def catalogue_markdown() -> str:
    """docs/rules.md: the table of every rule and reserved code, then each rule's page."""
    lines = [HEADER, "| code | name | severity | reads | what it flags |", "|---|---|---|---|---|"]
    for rule in all_rules():
        lines.append(f"| [{rule.code}](#{rule.code.lower()}-{rule.name}) | {rule.name} | "
                     f"{rule.severity.value} | {', '.join(sorted(rule.needs))} | {rule.summary} |")
    if RESERVED:
        lines += ["", "## Reserved codes", "", "Kept for rules not written yet; never reused for anything else.",
                  "", "| code | name | will flag |", "|---|---|---|"]
        lines += [f"| {code} | {name} | {summary} |" for code, (name, summary) in sorted(RESERVED.items())]
    lines.append("")
    pages = [rule_markdown(rule, level=2) for rule in all_rules()]
    return "\n".join(lines) + "\n" + "\n".join(pages)


def rule_dict(rule: Rule) -> dict[str, Any]:
    return {
        "code": rule.code,
        "name": rule.name,
        "severity": rule.severity.value,
        "summary": rule.summary,
        "fix": rule.fix_title,
        "needs": sorted(rule.needs),
        "points_at": rule.points_at,
        "url": rule.url,
    }


def catalogue_dict() -> dict[str, Any]:
    return {
        "rules": [rule_dict(r) for r in all_rules()],
        "reserved": [{"code": c, "name": n, "summary": s} for c, (n, s) in sorted(RESERVED.items())],
    }


def catalogue_text() -> str:
    rules = all_rules()
    width = max(len(r.name) for r in rules)
    rows = [f"{r.code}  {r.name:<{width}}  {r.severity.value:<7}  {r.summary}" for r in rules]
    rows += [f"{c}  {n:<{width}}  {'reserved':<7}  {s}" for c, (n, s) in sorted(RESERVED.items())]
    return "\n".join(rows) + "\n"
