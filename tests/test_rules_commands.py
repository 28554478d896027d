"""`headcheck rules`, `headcheck rule CODE`, and the generated docs/rules.md."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from headcheck.cli import main
from headcheck.rules import all_rules
from headcheck.rules._docs import RESERVED, catalogue_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def test_docs_rules_md_is_up_to_date() -> None:
    assert DOCS.read_text(encoding="utf-8") == catalogue_markdown(), (
        "docs/rules.md is stale: regenerate it with `headcheck rules --format markdown > docs/rules.md`")


def test_markdown_matches_docs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "markdown"]) == 0
    assert capsys.readouterr().out == DOCS.read_text(encoding="utf-8")


def test_catalogue_lists_every_rule_and_reserved_code() -> None:
    text = catalogue_markdown()
    for rule in all_rules():
        assert f"## {rule.code} {rule.name}" in text
        for heading in ("What it does", "Why is this bad?", "Example", "Use instead", "Known problems", "References"):
            assert f"### {heading}" in text
    for code in RESERVED:
        assert f"| {code} |" in text
    assert not any(r.code in RESERVED for r in all_rules())


def test_rules_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["code"] for r in data["rules"]] == [r.code for r in all_rules()]
    assert {r["code"] for r in data["reserved"]} == set(RESERVED)
    assert set(data["rules"][0]) == {"code", "name", "severity", "summary", "fix", "needs", "points_at", "url"}


def test_rules_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(all_rules()) + len(RESERVED)
    assert lines[0].startswith("HC101  softmax-with-binary-crossentropy")


@pytest.mark.parametrize("spelling", ["HC103", "hc103", "single-unit-softmax"])
def test_rule_page(spelling: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", spelling]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# HC103 single-unit-softmax")
    assert "## Why is this bad?" in out and "Severity: `error`" in out


def test_rule_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "HC301", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["code"] == "HC301" and "## What it does" in data["doc"]


@pytest.mark.parametrize("code", ["HC401", "HC402", "HC403", "HC404", "HC405"])
def test_training_rules_are_real_rules(code: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert code not in RESERVED
    assert main(["rule", code]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"# {code} ") and "reserved" not in out and "- Reads:" in out


def test_unknown_rule_exits_2_with_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "HC999"]) == 2
    err = capsys.readouterr().err
    assert "HC101" in err and "HC402" in err and "Traceback" not in err
