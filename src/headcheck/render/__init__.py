"""The one home of rendering: report, check, explain and lint results in every output format.

- `report.py`, `check.py`, `explain.py`: one module per result type. Each owns the result's JSON
  dict (`to_dict`: what ``--format json`` prints, and what the result's own ``to_dict()`` returns)
  and its *document* (`document`: the blocks of `document.py` saying what is shown, in order).
- `text.py` (rich, 80 columns), `markdown.py`, `html.py`: one module per human-readable format,
  each rendering any document block by block. HTML highlights the numbers that do not fit the task
  (MISLEADING views) and findings by severity, each linked to its rule page.
- `lint.py`: lint findings as ruff-like text, JSON, SARIF 2.1.0 and GitHub annotations.
- `_base.py`: number formatting, the task line, escaping of user text per format.

Result objects keep thin methods (`to_dict`, `to_json`, `to_text`, `to_markdown`, `render`,
`_repr_html_`, `__rich_console__`) that call in here. Nothing here computes a number; rich is
imported only when text is rendered.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

from headcheck.errors import InputError

# result class name -> its renderer module (the result's own module is loaded when it exists)
_MODULES = {"Report": "report", "CheckResult": "check", "Explanation": "explain",
            "Comparison": "compare"}


def renderer(result: Any) -> Any:
    """The renderer module of a Report, CheckResult or Explanation."""
    for cls in type(result).__mro__:
        name = _MODULES.get(cls.__name__)
        if name is not None and cls.__module__.startswith("headcheck."):
            return import_module(f"{__name__}.{name}")
    raise TypeError(f"headcheck.render: no renderer for {type(result).__name__}")


def formats(result: Any) -> tuple[str, ...]:
    return renderer(result).FORMATS


def render(result: Any, fmt: str = "text", width: int | None = None) -> str:
    """`result` as text, json, markdown or html (`width`: text only; default per result type)."""
    module = renderer(result)
    if fmt not in module.FORMATS:
        raise InputError(f"format: expected one of {', '.join(module.FORMATS)}; got {fmt!r}.")
    return module.render(result, fmt) if width is None else module.render(result, fmt, width)
