"""The rule catalogue.

One rule, one small module, one class (subclass of :class:`Rule`). Rules are found by walking this
package (`all_rules()`), never registered by hand. Each rule reads a :class:`Context` (a HeadSpec,
a TaskProfile, DataFacts, a TrainingHistory, any of them possibly missing), states which of them it
needs in `needs` and what in the program its findings point at in `points_at`, and yields
findings; it is silent when what it needs is unknown. Fix texts are worded in the user's framework
(`rules._util.pick`).

To add a rule: one module `hcNNN_<name>.py` here with one `Rule` subclass (code, name, severity,
summary, fix_title, needs, points_at, the documented headings, VALID / INVALID cases), then
`make docs`.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, ClassVar, Iterable, Iterator

from headcheck.findings import DOCS_URL, Finding, Location, Severity

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.head import HeadSpec, MetricSpec
    from headcheck.history import TrainingHistory
    from headcheck.task import DataFacts, TaskProfile

# What in the program a finding points at (the linter locates it there).
POINTS_AT = ("activation", "units", "loss", "metric", "labels")


@dataclass(frozen=True)
class Context:
    """What a rule may read. `declared_task` is a task kind stated by the user (`--task`) when no
    data is given; `task_kind` resolves the best-known kind from data, declaration or head;
    `history` is what a training showed epoch by epoch (the callbacks fill it).

    A head whose loss is the ambiguous string 'crossentropy' is resolved here, once, from the
    framework, its version and the shapes (`headcheck.vocab.resolve_loss`), so every rule reads the
    loss the framework would use and `head.loss.resolution` says how it was decided."""

    head: HeadSpec | None = None
    task: TaskProfile | None = None
    data: DataFacts | None = None
    declared_task: str | None = None
    history: TrainingHistory | None = None

    def __post_init__(self) -> None:
        head = self.head
        if head is not None and head.loss is not None and head.loss.is_ambiguous and head.loss.resolution is None:
            from dataclasses import replace

            from headcheck.rules._util import label_encoding
            from headcheck.vocab import resolve_loss

            loss = resolve_loss(head.loss, head.framework, head.framework_version,
                                output_units=head.units, label_encoding=label_encoding(self))
            object.__setattr__(self, "head", replace(head, loss=loss))

    @property
    def task_kind(self) -> str | None:
        if self.task is not None:
            return self.task.kind
        if self.declared_task is not None:
            return self.declared_task
        if self.head is not None and self.head.task is not None:
            return self.head.task
        return None


@dataclass(frozen=True)
class Case:
    """One embedded test case of a rule: a context, and for INVALID cases the expected message
    fragment (checked with `in`) and, optionally, the expected severity."""

    context: Context
    message: str | None = None
    note: str = field(default="", compare=False)


class Rule:
    """Base class of every rule.

    Subclasses set the class attributes and implement `check`. The docstring of a rule holds its
    documentation in the fixed headings (`What it does`, `Why is this bad?`, `Example`,
    `Use instead`, `Known problems`, `References`).
    """

    code: ClassVar[str]
    name: ClassVar[str]  # kebab-case
    severity: ClassVar[Severity]
    summary: ClassVar[str]  # one line: what is wrong
    fix_title: ClassVar[str]  # one line: the fix, framework-neutral
    needs: ClassVar[frozenset[str]]  # subset of {'head', 'task', 'data', 'history'}; any-of semantics are the rule's own
    points_at: ClassVar[str]  # one of POINTS_AT: where the linter locates its findings
    VALID: ClassVar[list[Case]] = []
    INVALID: ClassVar[list[Case]] = []

    @property
    def url(self) -> str:
        return DOCS_URL.format(code=self.code)

    def check(self, ctx: Context) -> Iterable[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    def finding(
        self,
        message: str,
        fix: str | None = None,
        *,
        severity: Severity | None = None,
        location: Location | None = None,
        metric: MetricSpec | None = None,
        cause: str | None = None,
    ) -> Finding:
        """Build a finding of this rule. `message` says what is wrong and why the number misleads;
        the fix and the link to the rule's page are appended to it ('... Fix: <fix>. See <url>'),
        and `fix` alone goes into the finding's `fix` field. A metric rule passes the `metric` it
        is about: the finding points where that metric was written."""
        if location is None and metric is not None:
            location = metric.location
        fix_text = (fix or self.fix_title).strip()
        text = message.strip()
        if self.url not in text:
            text = f"{text} Fix: {fix_text.rstrip('.')}. See {self.url}"
        return Finding(
            code=self.code,
            name=self.name,
            severity=severity or self.severity,
            message=text,
            fix=fix_text,
            url=self.url,
            location=location,
            cause=cause,
        )


_CODE = re.compile(r"^HC\d{3}$")


@lru_cache(maxsize=None)
def all_rules() -> tuple[Rule, ...]:
    """Every rule of the catalogue, by walking this package; sorted by code."""
    found: dict[str, Rule] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, Rule) and obj is not Rule and obj.__module__ == module.__name__:
                code = obj.code
                if not _CODE.match(code):
                    raise RuntimeError(f"{obj.__qualname__}: code {code!r} is not of the form HC123")
                if code in found:
                    raise RuntimeError(f"two rules share the code {code}: {found[code]!r} and {obj!r}")
                if getattr(obj, "points_at", None) not in POINTS_AT:
                    raise RuntimeError(f"{obj.__qualname__}: points_at must be one of {POINTS_AT}")
                found[code] = obj()
    return tuple(found[c] for c in sorted(found))


def get_rule(code: str) -> Rule:
    code = code.upper()
    for rule in all_rules():
        if rule.code == code:
            return rule
    raise KeyError(code)


def selected(codes_or_prefixes: Iterable[str] | None, ignore: Iterable[str] | None, code: str) -> bool:
    """ruff's select/ignore semantics by code or prefix ('HC1', 'HC10', 'HC101', 'ALL'), validated
    by `headcheck.selection` (InputError for a selector that is no rule code)."""
    from headcheck.selection import selection

    return selection(codes_or_prefixes, ignore).selects(code)


def run_rules(
    ctx: Context,
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
) -> list[Finding]:
    """Run every selected rule on a context; findings sorted by severity (worst first), then code.
    `select` / `ignore` are validated (`headcheck.selection`): a code that names no rule raises
    InputError."""
    from headcheck.selection import selection

    chosen = selection(select, ignore)
    resolution = ctx.head.loss.resolution if ctx.head is not None and ctx.head.loss is not None else None
    out: list[Finding] = []
    for rule in all_rules():
        if not chosen.selects(rule.code):
            continue
        for finding in rule.check(ctx):
            if resolution and rule.points_at == "loss" and rule.code != "HC111":
                finding = _saying(finding, resolution)
            out.append(finding)
    out.sort(key=lambda f: (-f.severity.rank, f.code))
    from headcheck.gate.policy import fold_findings

    return fold_findings(out)


def _saying(finding: Finding, note: str) -> Finding:
    """The finding with a sentence inserted before its fix: how an ambiguous loss string was
    decided, so that a finding about that loss says which loss it judged."""
    from dataclasses import replace

    cut = finding.message.rfind(" Fix: ")
    if cut < 0:
        return finding
    sentence = f" ({note[:1].upper()}{note[1:]}.)"
    return replace(finding, message=finding.message[:cut] + sentence + finding.message[cut:])


def iter_cases() -> Iterator[tuple[Rule, str, Case]]:
    """(rule, 'VALID'|'INVALID', case) for every embedded case of every rule."""
    for rule in all_rules():
        for kind in ("VALID", "INVALID"):
            for case in getattr(rule, kind):
                yield rule, kind, case
