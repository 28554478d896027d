"""Findings: what a rule reports, in one shape for report, check, lint and the callbacks."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

DOCS_URL = "https://headcheck.readthedocs.io/en/latest/rules/{code}/"


class Severity(str, Enum):
    """`error`: the numbers or the training are wrong; `warning`: probably wrong or misleading;
    `info`: a better choice exists."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]

    def __str__(self) -> str:  # so f"{sev}" prints 'error'
        return self.value


@dataclass(frozen=True)
class Location:
    """Where in source a finding points (1-based row, 1-based column as ruff prints them)."""

    file: str
    row: int
    column: int
    end_row: int | None = None
    end_column: int | None = None
    cell: int | None = None  # notebooks: 1-based code cell; row/column are then within the cell

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: Severity
    message: str
    fix: str
    url: str
    location: Location | None = None
    # what the finding follows from, when another finding may share the cause ('label-count':
    # classes counted from the labels); read by `headcheck.gate.policy.fold_findings`, not shown
    cause: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "fix": self.fix,
            "url": self.url,
        }
        if self.location is not None:
            d["location"] = self.location.to_dict()
        return d


def worst(findings: list[Finding]) -> Severity | None:
    """The most severe severity among findings (None when there are none)."""
    if not findings:
        return None
    return max((f.severity for f in findings), key=lambda s: s.rank)
