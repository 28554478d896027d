"""Helpers every renderer shares: JSON-safe numbers, number formatting, wrapping, the task line,
and escaping of user-controlled text (class names, file names) per output format."""
from __future__ import annotations

import html
import math
import re
import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.task import TaskProfile

WIDTH = 80  # text output is readable at 80 columns


def num(x: object) -> float | int | bool | None:
    """JSON-safe number: NaN/inf (undefined metrics) become None (null)."""
    if x is None:
        return None
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    try:
        f = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def tolerance_text(t: float) -> str:
    """A tolerance as people write one: two significant digits ('+/-0.00098', not '+/-0.0009804')."""
    return f"+/-{t:.2g}"


def plain(x: Any) -> Any:
    """Recursively JSON-safe: what json.loads(json.dumps(...)) gives back unchanged (lists, not
    tuples; numpy scalars as Python numbers; NaN as None)."""
    if isinstance(x, dict):
        return {str(k): plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if isinstance(x, np.ndarray):
        return plain(x.tolist())
    if isinstance(x, (str, type(None))):
        return x
    if isinstance(x, (bool, np.bool_, int, float, np.integer, np.floating)):
        return num(x)
    return str(x)


def fmt(x: object, digits: int = 4) -> str:
    """A number as printed in every human-readable format ('n/a' when undefined)."""
    v = num(x)
    if v is None:
        return "n/a"
    if isinstance(v, (bool, int)):
        return str(v)
    text = f"{v:.{digits}f}"
    # a tiny negative (float error around 0, e.g. a kappa of -1e-17) or -0.0 prints as 0, not -0.0000
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def wrap(text: str, width: int, first: str = "", rest: str | None = None) -> str:
    return textwrap.fill(text, width=width, initial_indent=first,
                         subsequent_indent=first if rest is None else rest,
                         break_on_hyphens=False, break_long_words=False)


_SCORE_WORDS = {
    "probabilities": "probabilities (rows sum to 1)",
    "independent": "independent probabilities",
    "logits": "logits (unbounded)",
    "hard": "predicted labels (hard)",
    "regression": "one regression output per row (in label units)",
    "cumulative": "cumulative probabilities P(y > k) (CORAL-style)",
    "cumulative-logits": "cumulative logits of P(y > k) (CORAL-style)",
}


def task_line(p: TaskProfile) -> str:
    """One sentence saying what the data is: kind, classes, samples, labels, scores, threshold."""
    unit = "labels" if p.kind == "multilabel" else "classes"
    scores = _SCORE_WORDS.get(p.score_kind, p.score_kind)
    if p.kind == "binary" and p.score_layout in ("column", "single-column"):
        scores = {"probabilities": "probability of the positive class",
                  "logits": "logit of the positive class"}.get(p.score_kind, scores)
        scores += f" ({p.score_layout} layout)"
    elif p.kind == "binary":
        scores += " (two columns)"
    declared = " (declared)" if p.declared else ""
    threshold = f"; threshold {p.threshold:g}" if p.kind in ("binary", "multilabel") or p.threshold != 0.5 else ""
    return (f"{p.kind}{declared}, {p.n_classes} {unit}, {p.n_samples} samples; labels: "
            f"{p.label_encoding}; scores: {scores}{threshold}")


# --- escaping -----------------------------------------------------------------------------------
def html_text(text: object) -> str:
    """Text for HTML element content or a quoted attribute."""
    return html.escape(str(text), quote=True)


def md_text(text: object) -> str:
    """Text for Markdown: no raw HTML tag (``<``) and no inline link or image (``](``) can come from a
    class or file name; what the text says is unchanged when rendered."""
    return str(text).replace("<", "&lt;").replace("](", "]\\(")


def md_cell(text: object) -> str:
    """Text for a Markdown table cell: also no column break (``|``) and no line break."""
    return md_text(text).replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def md_code(text: object) -> str:
    """An inline code span that holds any text (its fence is longer than any backtick run in it)."""
    s = str(text).replace("\n", " ")
    fence = "`" * (max((len(r) for r in re.findall("`+", s)), default=0) + 1)
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return f"{fence}{pad}{s}{pad}{fence}"
