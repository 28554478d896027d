"""The linter never crashes on code it half understands: corpus programs with lines removed."""
from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings, strategies as st

from headcheck.lint import lint_source
from headcheck.lint.source import SourceText

CORPUS = sorted((Path(__file__).parent / "lint_corpus").rglob("*.py"))
TEXTS = [p.read_text().split("\n") for p in CORPUS]


@st.composite
def mangled(draw: st.DrawFn) -> str:
    lines = list(draw(st.sampled_from(TEXTS)))
    drop = draw(st.sets(st.integers(0, len(lines) - 1), max_size=max(1, len(lines) // 3)))
    kept = [line for i, line in enumerate(lines) if i not in drop]
    if draw(st.booleans()):  # the same program twice: two models, rebound names
        kept = kept + kept
    return "\n".join(kept)


@settings(max_examples=60, deadline=None)
@given(mangled())
def test_lint_source_only_raises_syntax_error(text: str) -> None:
    try:
        findings = lint_source(SourceText(text), "m.py")
    except SyntaxError:
        return
    rows = len(text.split("\n"))
    for f in findings:
        assert f.code.startswith("HC") and 1 <= f.location.row <= rows and f.location.column >= 1
