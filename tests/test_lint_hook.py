"""The pre-commit hook definition other projects use."""
from __future__ import annotations

from pathlib import Path

HOOKS = Path(__file__).resolve().parents[1] / ".pre-commit-hooks.yaml"


def test_pre_commit_hook_definition() -> None:
    # PyYAML is not a dependency: read the flat mapping of the one hook by hand
    lines = [l.strip() for l in HOOKS.read_text().splitlines() if l.strip() and not l.lstrip().startswith("#")]
    assert lines[0] == "- id: headcheck-lint"
    fields = dict(l.lstrip("- ").split(": ", 1) for l in lines)
    assert fields["entry"] == "headcheck lint"
    assert fields["language"] == "python"
    assert fields["types_or"] == "[python, jupyter]"


def test_the_hook_entry_point_exists() -> None:
    text = (HOOKS.parents[0] / "pyproject.toml").read_text()
    assert 'headcheck = "headcheck.cli:main"' in text

