"""Every embedded VALID / INVALID case of every rule runs as a test; every rule is documented."""
from __future__ import annotations

import re

import pytest

from headcheck.findings import Severity
from headcheck.rules import POINTS_AT, Rule, all_rules, iter_cases

HEADINGS = ("What it does", "Why is this bad?", "Example", "Use instead", "Known problems", "References")
CASES = list(iter_cases())


def _id(item: tuple) -> str:
    rule, kind, case = item
    index = getattr(rule, kind).index(case)
    return f"{rule.code}-{kind}-{index}"


@pytest.mark.parametrize("item", CASES, ids=[_id(c) for c in CASES])
def test_case(item: tuple) -> None:
    rule, kind, case = item
    findings = list(rule.check(case.context))
    if kind == "VALID":
        assert findings == [], f"{rule.code} fired on a VALID case ({case.note}): {findings[0].message}"
        return
    assert findings, f"{rule.code} was silent on an INVALID case ({case.note})"
    assert all(f.code == rule.code and f.name == rule.name for f in findings)
    assert any(case.message in f.message for f in findings), (
        f"{rule.code}: fragment {case.message!r} not in {[f.message for f in findings]}")
    for f in findings:
        assert f.message.endswith(rule.url), "a message ends with the link to the rule's page"
        assert f.fix and f.fix in f.message, "the message carries the fix"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_rule_is_complete(rule: Rule) -> None:
    assert len(rule.VALID) >= 1 and len(rule.INVALID) >= 1
    assert all(c.message for c in rule.INVALID), "every INVALID case names a message fragment"
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.name
    assert isinstance(rule.severity, Severity)
    assert rule.summary and rule.fix_title
    assert rule.needs and rule.needs <= {"head", "task", "data", "history"}
    assert rule.points_at in POINTS_AT
    doc = rule.__doc__ or ""
    positions = [doc.find(f"## {h}") for h in HEADINGS]
    assert all(p >= 0 for p in positions), f"{rule.code}: missing headings in {HEADINGS}"
    assert positions == sorted(positions), f"{rule.code}: headings out of order"


def test_codes_and_names_unique() -> None:
    rules = all_rules()
    assert len({r.code for r in rules}) == len(rules)
    assert len({r.name for r in rules}) == len(rules)


def test_heads_built_without_spellings_name_the_canonical_loss() -> None:
    """The linter and live models may build LossSpecs without a user spelling."""
    from headcheck.head import HeadSpec, LossSpec, MetricSpec
    from headcheck.rules import Context, run_rules

    head = HeadSpec(activation="softmax", units=10, loss=LossSpec(name="binary_crossentropy"),
                    metrics=(MetricSpec(name="accuracy"),), framework="keras", framework_version="2.2.4")
    findings = {f.code: f for f in run_rules(Context(head=head, declared_task="multiclass"))}
    assert set(findings) == {"HC101", "HC301"}
    assert "`binary_crossentropy`" in findings["HC101"].message
    assert "`metrics=['accuracy']`" in findings["HC301"].message
