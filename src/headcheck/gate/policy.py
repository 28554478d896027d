"""Input error or finding: the one rule that every command applies to labels.

1. **Not class labels at all** (wrong rank, empty, object arrays, NaN/inf, non-integer values
   outside [0, 1], (N, K) values outside [0, 1], (N, K) strings): an `InputError` in every command
   (`check`, `report`, `explain`, the live checks), raised by the one label profiler
   (`headcheck.gate.labels`) with the same message whatever the command.
2. **Class labels that do not map to the outputs** (a negative class index, an index at or past
   the number of outputs): a *problem*, and only the label rules of `BLOCKING_RULES` decide
   whether there is one, reading `DataFacts` (label range, number of outputs).
   - `check` (labels and a declared head, no scores) reports their findings like any other;
   - a metric pass (`report`, `explain`, the live checks' per-batch updates) cannot compute metrics
     for labels that have no score column, so it raises `LabelsRejected`: an InputError that
     carries the same finding (its code, e.g. HC203 labels-out-of-range, and its fix) and names
     the offending rows.
3. Everything else the rules find in labels (one class only, imbalance, ...) is a finding for
   every command.

>>> import numpy as np
>>> try:
...     reject_bad_indices(np.array([0, 3, 1]), n_outputs=3)
... except LabelsRejected as e:
...     print(e.code, "first rows: 1" in str(e))
HC203 True
"""
from __future__ import annotations

import numpy as np

from headcheck.errors import InputError
from headcheck.findings import Finding
from headcheck.task import DataFacts

# The label rules whose findings stop a metric pass (their findings are errors in `check`).
BLOCKING_RULES = ("HC203",)


class LabelsRejected(InputError):
    """Labels a metric pass cannot use, as judged by a label rule: `finding` is what `check`
    reports for the same labels, `code` its rule code."""

    def __init__(self, detail: str, finding: Finding) -> None:
        self.finding = finding
        self.code = finding.code
        super().__init__(f"labels: {detail}. Fix ({finding.code} {finding.name}): "
                         f"{finding.fix.rstrip('.')}. See {finding.url}")


def blocking_findings(data: DataFacts) -> list[Finding]:
    """The findings of the blocking label rules on these facts (no head: what the data says)."""
    from headcheck.rules import Context, run_rules

    return run_rules(Context(data=data), select=BLOCKING_RULES)


def reject_bad_indices(y: np.ndarray, n_outputs: int, *, offset: int = 0,
                       low: float | None = None, high: float | None = None) -> None:
    """Raise LabelsRejected when the (N,) class indices `y` do not map to `n_outputs` score
    columns (as the blocking rules judge); rows are numbered from `offset`. `low`/`high` may be
    given when already known."""
    lo = float(np.min(y)) if low is None else low
    hi = float(np.max(y)) if high is None else high
    findings = blocking_findings(DataFacts(n_samples=len(y), n_outputs=n_outputs, label_min=lo,
                                           label_max=hi, label_is_integer=True))
    if findings:
        raise LabelsRejected(_rows_detail(y, n_outputs, offset, lo, hi), findings[0])


def _rows_detail(y: np.ndarray, k: int, offset: int, lo: float, hi: float) -> str:
    if lo < 0:
        bad = np.flatnonzero(y < 0)
        return (f"expected class indices 0..K-1; got {bad.size} negative label(s) (first rows: "
                f"{_rows(bad, offset)}; smallest {lo:g})")
    bad = np.flatnonzero(y >= k)
    return (f"class index {hi:g} is out of range for scores with {k} columns (valid: 0..{k - 1}); "
            f"{bad.size} row(s) affected (first rows: {_rows(bad, offset)})")


def _rows(bad: np.ndarray, offset: int) -> str:
    return ", ".join(str(int(r) + offset) for r in bad[:5])
