"""Input error or finding: the one rule that every command applies to labels.

0. **Which label is which output** is the user's to say (`headcheck.gate.classes`: `--classes`,
   `--label-offset`); labels are mapped before anything below is judged.
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
4. **One cause, one finding**: when a blocking label rule fires (the labels do not map to the
   outputs), the findings that merely count classes from those same labels (HC110's width against
   the data, HC204's empty classes: 1-based ratings 1..5 for 5 outputs look like 6 classes with
   class 0 empty) follow from the same cause; `fold_findings` drops them and the root finding says
   so. The same holds beyond labels (`FOLDS`): a threshold far from the best one on well-ranked
   scores (HC308) explains an accuracy at the majority rate (HC307) and predictions collapsed
   onto one side (HC402) of the same decisions.

>>> import numpy as np
>>> try:
...     reject_bad_indices(np.array([0, 3, 1]), n_outputs=3)
... except LabelsRejected as e:
...     print(e.code, "first rows: 1" in str(e))
HC203 True
"""
from __future__ import annotations

from dataclasses import dataclass, replace

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


@dataclass(frozen=True)
class Fold:
    """One cause, one finding: a root finding (rule `root`, with `root_cause` when given) makes
    the findings of `followers` that carry `cause` redundant; they are dropped and the root says
    what they would have reported (`said[code]`) and why (`why`)."""

    root: str
    followers: tuple[str, ...]
    cause: str
    said: dict[str, str]
    why: str
    root_cause: str | None = None


FOLDS = (
    # rule 4: 1-based labels for K outputs look like K+1 classes with class 0 empty
    Fold("HC203", ("HC110", "HC204"), "label-count",
         {"HC110": "the class count", "HC204": "empty classes"},
         "from these labels follow from the same cause"),
    # a good ranking cut at the wrong threshold: the decisions are all one way, so the accuracy
    # sits at the majority rate and the predictions look collapsed; a head or label bug is not
    # the cause, and chasing one (as those findings alone would suggest) wastes the user's time.
    # HC308 marks its finding with the cause only when the scores rank well (ROC AUC).
    Fold("HC308", ("HC307", "HC402"), "decisions",
         {"HC307": "the accuracy no better than the majority-class rate",
          "HC402": "the decisions all on one side of the threshold"},
         "follow from this threshold, not from a head or label bug", root_cause="threshold"),
)


def fold_findings(findings: list[Finding]) -> list[Finding]:
    """One cause, one finding (rule 4 above, and `FOLDS`): with a root finding present, drop the
    findings that follow from the same cause, and say so in the root finding."""
    for fold in FOLDS:
        findings = _fold(findings, fold)
    return findings


def _fold(findings: list[Finding], fold: Fold) -> list[Finding]:
    roots = [f for f in findings if f.code == fold.root
             and (fold.root_cause is None or f.cause == fold.root_cause)]
    if not roots:
        return findings
    dropped = [f for f in findings if f.code in fold.followers and f.cause == fold.cause]
    if not dropped:
        return findings
    codes = sorted({f.code for f in dropped})
    what = " and ".join(fold.said[c] for c in codes)
    note = f" ({what[:1].upper()}{what[1:]} that {' and '.join(codes)} would report {fold.why}.)"
    root = roots[0]
    cut = root.message.rfind(" Fix: ")
    message = root.message[:cut] + note + root.message[cut:] if cut > 0 else root.message + note
    return [replace(f, message=message) if f is root else f for f in findings if f not in dropped]


def blocking_findings(data: DataFacts) -> list[Finding]:
    """The findings of the blocking label rules on these facts (no head: what the data says)."""
    from headcheck.rules import Context, run_rules

    return run_rules(Context(data=data), select=BLOCKING_RULES)


def reject_bad_indices(y: np.ndarray, n_outputs: int, *, offset: int = 0,
                       low: float | None = None, high: float | None = None,
                       scores: str = "", note: str = "") -> None:
    """Raise LabelsRejected when the (N,) class indices `y` do not map to `n_outputs` score
    columns (as the blocking rules judge); rows are numbered from `offset`. `low`/`high` may be
    given when already known; `scores` describes the scores when they are not one column per
    class (cumulative ones have one column fewer); `note` adds what else the data may be."""
    lo = float(np.min(y)) if low is None else low
    hi = float(np.max(y)) if high is None else high
    findings = blocking_findings(DataFacts(n_samples=len(y), n_outputs=n_outputs, label_min=lo,
                                           label_max=hi, label_is_integer=True))
    if findings:
        detail = _rows_detail(y, n_outputs, offset, lo, hi, scores)
        raise LabelsRejected(detail + _keep_hint(lo, hi, n_outputs) + note, findings[0])


def _keep_hint(lo: float, hi: float, k: int) -> str:
    """How to tell headcheck which label is which output, when the labels are shifted (1-based
    ratings for K outputs): the user's labels may be right for their own code."""
    if k < 2 or not -(2.0**63) <= lo <= hi < 2.0**63:  # a label offset is a 64-bit integer
        return ""
    shift = int(hi) - (k - 1)
    if shift < 1 or lo - shift < 0 or lo != int(lo) or hi != int(hi):
        return ""
    values = ",".join(str(shift + i) for i in range(min(k, 8))) + (",..." if k > 8 else "")
    return (f". If the labels are right as they are (label {shift} is output 0), tell headcheck: "
            f"--label-offset {shift} or --classes {values} (label_offset={shift} / classes=[...] "
            "in Python)")


def _rows_detail(y: np.ndarray, k: int, offset: int, lo: float, hi: float, scores: str = "") -> str:
    if lo < 0:
        bad = np.flatnonzero(y < 0)
        return (f"expected class indices 0..K-1; got {bad.size} negative label(s) (first rows: "
                f"{_rows(bad, offset)}; smallest {lo:g})")
    bad = np.flatnonzero(y >= k)
    return (f"class index {hi:g} is out of range for {scores or f'scores with {k} columns'} "
            f"(valid: 0..{k - 1}); "
            f"{bad.size} row(s) affected (first rows: {_rows(bad, offset)})")


def _rows(bad: np.ndarray, offset: int) -> str:
    return ", ".join(str(int(r) + offset) for r in bad[:5])
