"""Rendering a CheckResult: its JSON dict, the text `headcheck check` prints (one block per
finding, 100 columns like a compiler's messages), and the document Markdown and HTML show."""
from __future__ import annotations

import json
import textwrap
from typing import TYPE_CHECKING, Any

from headcheck.render import html as html_out
from headcheck.render import markdown as md_out
from headcheck.render._base import plain
from headcheck.render.document import Block, Field, Findings, Para, Title, finding_parts

if TYPE_CHECKING:  # pragma: no cover
    from headcheck._check import CheckResult
    from headcheck.head import HeadSpec

FORMATS = ("text", "json", "markdown", "html")
TEXT_WIDTH = 100
NO_FINDINGS = "No findings: nothing known about this head contradicts the task."


# --- JSON -----------------------------------------------------------------------------------------
def head_to_dict(head: HeadSpec) -> dict[str, Any]:
    """A JSON-ready description of a HeadSpec (locations left out)."""
    return {
        "framework": head.framework,
        "framework_version": head.framework_version,
        "activation": head.activation,
        "activation_axis": head.activation_axis,
        "units": head.units,
        "loss": None if head.loss is None else {
            "name": head.loss.name, "from_logits": head.loss.from_logits,
            "reduction": head.loss.reduction, "spelling": head.loss.spelling,
            "resolution": head.loss.resolution,
        },
        "metrics": [{"name": m.name, "spelling": m.spelling, "params": dict(m.params)}
                    for m in head.metrics],
        "labels": head.labels,
        "task": head.task,
    }


def to_dict(result: CheckResult) -> dict[str, Any]:
    """`head`, `task`, `declared_task`, `findings`; equal to what `--format json` prints."""
    ctx = result.context
    out = {
        "head": head_to_dict(ctx.head) if ctx.head is not None else None,
        "task": ctx.task.to_dict() if ctx.task is not None else None,
        "declared_task": ctx.declared_task,
        "findings": [f.to_dict() for f in result.findings],
    }
    if result.notes:  # what a live check could not read (an unknown loss, ...)
        out["notes"] = list(result.notes)
    if result.outputs:  # a live model with several outputs: each output's own result too
        out["outputs"] = [{"name": name, **to_dict(part)} for name, part in result.outputs]
    return plain(out)


def to_json(result: CheckResult, indent: int | None = 2) -> str:
    return json.dumps(to_dict(result), indent=indent)


# --- text ---------------------------------------------------------------------------------------
def head_line(result: CheckResult) -> str:
    head = result.context.head
    parts = []
    if head.activation or head.units:
        parts.append(f"{head.activation or '?'} x {head.units or '?'} outputs")
    if head.loss is not None:
        logits = " (from_logits=True)" if head.loss.from_logits else ""
        parts.append(f"loss {head.loss.name}{logits}")
    if head.metrics:
        parts.append("metrics " + ", ".join(m.name for m in head.metrics))
    if head.framework:
        parts.append(f"{head.framework} {head.framework_version or '(version unknown)'}")
    return "; ".join(parts) if parts else "(nothing declared)"


def task_summary(result: CheckResult) -> str | None:
    from headcheck.gate.labels import describe_labels

    ctx = result.context
    task = ctx.task
    if task is not None:
        # the rules read ordered classes as classes (multiclass); the line says what was declared
        ordinal = ctx.declared_task == "ordinal" and task.kind == "multiclass"
        kind = "ordinal (declared)" if ordinal else task.kind
        units = ctx.head.units if ctx.head is not None else None
        return f"{kind}, {describe_labels(task, ctx.data, units)}, {task.n_samples} samples"
    if result.context.declared_task:
        return f"{result.context.declared_task} (declared)"
    return None


def summary(result: CheckResult) -> str:
    if not result.findings:
        return NO_FINDINGS
    counts = {s: sum(1 for f in result.findings if f.severity.value == s)
              for s in ("error", "warning", "info")}
    return (f"{len(result.findings)} finding(s): {counts['error']} error, {counts['warning']} "
            f"warning, {counts['info']} info")


def to_text(result: CheckResult, width: int = TEXT_WIDTH) -> str:
    """One block per finding: code, name, severity; the message; the fix; the link."""
    notes = "".join("\n" + textwrap.fill(f"note: {n}", width=width, subsequent_indent="  ")
                    for n in result.notes)
    blocks = [_heads_text(result).rstrip("\n") + notes + "\n"]
    for f in result.findings:
        message, fix = finding_parts(f)
        wrapped = textwrap.fill(message, width=width, initial_indent="  ", subsequent_indent="  ")
        fix = textwrap.fill(f"fix: {fix}", width=width, initial_indent="  ",
                            subsequent_indent="       ")
        blocks.append(f"{f.code} {f.name} [{f.severity.value}]\n{wrapped}\n{fix}\n  see: {f.url}\n")
    blocks.append(summary(result) + "\n")
    return "\n".join(blocks)


def _heads_text(result: CheckResult) -> str:
    """The head (and task) lines: one pair per output of a live model with several outputs."""
    parts = result.outputs or (("", result),)
    lines = []
    for name, part in parts:
        task = task_summary(part)
        where = f" (output {name})" if name else ""
        lines.append(f"head{where}: {head_line(part)}" + (f"\ntask{where}: {task}" if task else ""))
    return "\n".join(lines) + "\n"


# --- Markdown and HTML --------------------------------------------------------------------------------
def document(result: CheckResult) -> list[Block]:
    task = task_summary(result)
    blocks: list[Block] = [Title("headcheck check"), Field("Head", head_line(result))]
    if task:
        blocks.append(Field("Task", task))
    blocks += [Para(f"Note: {n}") for n in result.notes]
    blocks += [Findings(tuple(result.findings)), Para(summary(result))]
    return blocks


def to_markdown(result: CheckResult) -> str:
    return md_out.to_markdown(document(result))


def to_html(result: CheckResult) -> str:
    return html_out.to_html(document(result))


_FORMATTERS = {"json": to_json, "markdown": to_markdown, "html": to_html}


def render(result: CheckResult, fmt_: str = "text", width: int = TEXT_WIDTH) -> str:
    if fmt_ == "text":
        return to_text(result, width)
    return _FORMATTERS[fmt_](result)
