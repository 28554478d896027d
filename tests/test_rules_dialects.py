"""Every rule speaks the user's framework: each INVALID case, run in each framework context the
rule supports, names no API of a foreign framework (no Keras in a PyTorch file, no `nn.` in a Keras
file, `tf.keras.` paths in tf.keras code), and still fires there."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from headcheck.frameworks.keras import version_family
from headcheck.head import HeadSpec, MetricSpec
from headcheck.history import TrainingHistory
from headcheck.rules import Case, Context, Rule, all_rules
from headcheck.rules._util import dialect, speaks

# Words that only one family's users write. Statements about other tools in neutral prose are
# rewritten per framework, so none of these may appear in a foreign context.
KERAS_WORDS = re.compile(r"Keras|keras|from_logits|Dense\(|metrics=\[|class_weight=|_crossentropy\b|"
                         r"compile\(|activation='")
TORCH_WORDS = re.compile(r"PyTorch|\bnn\.|\bF\.|\btorch\.|torchmetrics|torchvision|CrossEntropyLoss|"
                         r"BCEWithLogitsLoss|BCELoss|NLLLoss|Lightning|coral-pytorch|dim=")
BARE_KERAS_API = re.compile(r"(?<![\w.])keras\.\w")  # `keras.losses...` in tf.keras code
TF_KERAS_API = re.compile(r"tf\.keras\.\w")  # `tf.keras.losses...` in Keras code

FOREIGN = {
    "keras": [TORCH_WORDS, TF_KERAS_API],
    "tf.keras": [TORCH_WORDS, BARE_KERAS_API],
    "pytorch": [KERAS_WORDS],
    "lightning": [KERAS_WORDS],
    "torchmetrics": [KERAS_WORDS],
    "sklearn": [KERAS_WORDS, TORCH_WORDS],
    None: [KERAS_WORDS, TORCH_WORDS],
}
# Heads that only say which framework the user works in, for the rules that read data / history.
BARE_HEADS = {
    "keras": HeadSpec(framework="keras"),
    "tf.keras": HeadSpec(framework="tf.keras"),
    "pytorch": HeadSpec(framework="pytorch"),
    "lightning": HeadSpec(framework="lightning"),
    "torchmetrics": HeadSpec(metrics=(MetricSpec("torchmetrics.MulticlassAccuracy"),)),
    "sklearn": HeadSpec(metrics=(MetricSpec("sklearn.accuracy_score"),)),
}


def _tf_keras_version(version: str | None) -> str | None | bool:
    """The tf.keras version that resolves 'accuracy' like this Keras version (False: none)."""
    fam = version_family("keras", version) if version else None
    return {None: None, "loss-based": "2.1", "shape-based": "2.15", "last-dim": False}[fam]


def variants(case: Case) -> list[tuple[str | None, Context, bool]]:
    """(dialect, context, must fire) for a case in each context of its family."""
    ctx = case.context
    head = ctx.head
    if head is None or dialect(ctx) is None:
        out = [(dialect(ctx), ctx, True)]
        for name, bare in BARE_HEADS.items():
            out.append((name, replace(ctx, head=bare), False))
        if ctx.history is not None:
            for fw in ("keras", "tf.keras", "pytorch", "lightning"):
                out.append((fw, replace(ctx, history=replace(ctx.history, framework=fw)), False))
        return out
    if speaks(ctx) == "keras":
        out = [("keras", replace(ctx, head=replace(head, framework="keras")), True)]
        tf = _tf_keras_version(head.framework_version)
        if tf is not False:
            out.append(("tf.keras", replace(ctx, head=replace(head, framework="tf.keras", framework_version=tf)), True))
        return out
    if speaks(ctx) == "pytorch":
        out = [(fw, replace(ctx, head=replace(head, framework=fw)), True) for fw in ("pytorch", "lightning")]
        if head.framework is None:
            out.append((dialect(ctx), ctx, True))
        return out
    return [(dialect(ctx), ctx, True)]


ITEMS = [(rule, i, case) for rule in all_rules() for i, case in enumerate(rule.INVALID)]


@pytest.mark.parametrize("rule, index, case", ITEMS, ids=[f"{r.code}-{i}" for r, i, _ in ITEMS])
def test_invalid_case_speaks_the_users_framework(rule: Rule, index: int, case: Case) -> None:
    for name, ctx, must_fire in variants(case):
        assert dialect(ctx) == name, (name, dialect(ctx))
        findings = list(rule.check(ctx))
        if must_fire:
            assert findings, f"{rule.code} INVALID[{index}] is silent in a {name} context"
        for f in findings:
            text = _without_user_spellings(f.message, ctx)
            for pattern in FOREIGN[name]:
                hit = pattern.search(text)
                assert hit is None, (f"{rule.code} INVALID[{index}] in a {name} context says "
                                     f"{hit.group(0)!r}: {f.message}")


def _without_user_spellings(message: str, ctx: Context) -> str:
    """The message less what the user wrote or the framework recorded (a finding quotes the user's
    own spelling and the definition a framework used)."""
    head = ctx.head
    spellings = list(ctx.history.definitions.values()) if ctx.history is not None else []
    if head is not None:
        spellings += [m.spelling for m in head.metrics] + ([head.loss.spelling] if head.loss else [])
    for s in sorted(filter(None, spellings), key=len, reverse=True):
        message = message.replace(s, "<spelling>")
    return message


def test_every_framework_context_is_exercised() -> None:
    seen = {name for _, _, case in ITEMS for name, ctx, _ in variants(case) if list(_rule_of(case).check(ctx))}
    assert seen >= {"keras", "tf.keras", "pytorch", "lightning", "torchmetrics", "sklearn", None}


def _rule_of(case: Case) -> Rule:
    return next(r for r, _, c in ITEMS if c is case)


def test_history_framework_decides_the_dialect_without_a_head() -> None:
    ctx = Context(history=TrainingHistory(framework="lightning"))
    assert dialect(ctx) == "lightning" and speaks(ctx) == "pytorch"
