"""Which rules run: the one validated parser of `--select` / `--ignore` (every command that takes
them) and of the codes in `[tool.headcheck]` (`select`, `ignore`, `per-file-ignores`).

ruff's semantics: a selector is a rule code ('HC101'), a prefix of codes ('HC1', 'HC10', 'HC') or
'ALL'; `select` keeps the rules matching any selector (all rules when not given), `ignore` then
drops the rules matching any of its selectors. A selector that matches no rule of the catalogue is
bad input (exit 2), never a silent "no findings".

>>> s = Selection.parse(select=["HC1,HC301"], ignore=["HC105"])
>>> [s.selects(c) for c in ("HC101", "HC105", "HC301", "HC201")]
[True, False, True, False]
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from headcheck.errors import InputError

_SELECTOR = re.compile(r"^HC\d{0,3}$")


@lru_cache(maxsize=1)
def _catalogue_codes() -> tuple[str, ...]:
    from headcheck.rules import all_rules

    return tuple(rule.code for rule in all_rules())


def parse_codes(values: Iterable[str] | str | None, what: str) -> tuple[str, ...] | None:
    """Selectors from values such as `["HC1,HC301", "HC2"]` (comma-separated, repeatable),
    upper-cased and validated against the catalogue; None when `values` is None.

    >>> parse_codes(["hc1, HC301"], "--select")
    ('HC1', 'HC301')
    """
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        if not isinstance(value, str):
            raise InputError(f"{what} got {value!r}: expected rule codes or prefixes as strings, "
                             "such as HC101, HC1 or ALL.")
        for part in value.split(","):
            code = part.strip().upper()
            if code:
                out.append(_validated(code, part.strip(), what))
    return tuple(dict.fromkeys(out))


def _validated(code: str, written: str, what: str) -> str:
    if code == "ALL":
        return code
    if not _SELECTOR.match(code):
        raise InputError(
            f"{what} got {written!r}, which is not a rule code: expected codes or prefixes such as "
            "HC101, HC1 or ALL (see `headcheck rules`)."
        )
    if not any(c.startswith(code) for c in _catalogue_codes()):
        raise InputError(
            f"{what} got {written!r}, which matches no rule of the catalogue: expected an existing "
            "code or prefix such as HC101, HC1 or ALL (`headcheck rules` lists them)."
        )
    return code


def _matches(selectors: Iterable[str], code: str) -> bool:
    return any(s == "ALL" or code.startswith(s) for s in selectors)


@dataclass(frozen=True)
class Selection:
    """Validated selectors. `select` None means every rule; `ignore` is applied after it."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()

    @classmethod
    def parse(cls, select: Iterable[str] | str | None = None, ignore: Iterable[str] | str | None = None,
              *, what: tuple[str, str] = ("--select", "--ignore")) -> Selection:
        """A Selection from raw values (validated; InputError on a bad code)."""
        return cls(parse_codes(select, what[0]), parse_codes(ignore, what[1]) or ())

    def selects(self, code: str) -> bool:
        if self.select is not None and not _matches(self.select, code):
            return False
        return not _matches(self.ignore, code)


@lru_cache(maxsize=256)
def _cached(select: tuple[str, ...] | None, ignore: tuple[str, ...]) -> Selection:
    return Selection.parse(select, ignore)


def selection(select: Iterable[str] | None = None, ignore: Iterable[str] | None = None) -> Selection:
    """A validated Selection from any iterables (cached: the linter asks once per file)."""
    if isinstance(select, Selection):
        return select
    return _cached(tuple(select) if select is not None else None, tuple(ignore or ()))
