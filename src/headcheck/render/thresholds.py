"""The threshold section of a report (binary and multi-label probabilistic scores): what the
metrics are at the threshold in use and at the threshold where each peaks. Shared by every
result that shows a report's thresholds (report, compare)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from headcheck.render._base import fmt
from headcheck.render.document import Block, Column, Field, Gap, Notes, Table

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.engine.thresholds import ThresholdSummary, Thresholds

PER_LABEL_ROWS = 20  # labels shown (largest F1 gains first); JSON has them all
ADVICE = ("choose the threshold on validation data and keep it for the test data: a threshold "
          "tuned on the data it is scored on flatters the score.")


def _t(x: float) -> str:
    """A threshold: 4 significant digits (thresholds near 0 or 1 need more than 4 decimals)."""
    return f"{x:.4g}"


def blocks(th: Thresholds, kind: str, score_kind: str = "probabilities") -> list[Block]:
    """The threshold blocks: the overall table, and for multi-label the per-label table."""
    o = th.overall
    first = "micro_f1" if kind == "multilabel" else "f1"
    rows = []
    for metric in ("f1", "balanced_accuracy", "youden_j"):
        best = o.best.get(metric)
        rows.append((first if metric == "f1" else metric, fmt(o.at_current[metric]),
                     "n/a" if best is None else _t(best.threshold),
                     "n/a" if best is None else fmt(best.value)))
    out: list[Block] = [Gap(), Table(
        f"Decision threshold (in use: {_t(th.current)})",
        (Column("metric"), Column(f"at {_t(th.current)}", "right"),
         Column("best threshold", "right"), Column("at best", "right")), tuple(rows))]
    if kind == "multilabel" and th.per_label:
        out += _per_label(th)
    notes = [ADVICE, th.resolution]
    if kind == "multilabel":
        notes.insert(0, "the first table pools every (row, label) decision under one threshold "
                        "(micro); each label's own best threshold is in the second.")
    if o.predicted_at_current <= 0:
        notes.insert(0, f"at {_t(th.current)} nothing is predicted positive.")
    if score_kind == "logits":
        notes.append("scores are logits: thresholds are shown as probabilities; the logit "
                     "threshold is log(t / (1 - t)).")
    out.append(Notes(tuple(notes)))
    return out


def _per_label(th: Thresholds) -> list[Block]:
    ranked = sorted(th.per_label, key=lambda s: -s.gain("f1"))
    shown = [s for s in ranked if "f1" in s.best][:PER_LABEL_ROWS]
    out: list[Block] = []
    if th.macro_f1_at_best is not None:
        macro_now = sum(s.at_current["f1"] for s in th.per_label) / len(th.per_label)
        out.append(Field("macro_f1 with each label at its own best threshold",
                         f"{fmt(th.macro_f1_at_best)} (at {_t(th.current)}: {fmt(macro_now)})"))
    if shown:
        title = "Per label threshold" + (f" (largest F1 gains, {len(shown)} of {len(th.per_label)})"
                                         if len(shown) < len(th.per_label) else "")
        out.append(Table(title, (Column("label"), Column("positives", "right"),
                                 Column(f"f1 at {_t(th.current)}", "right"),
                                 Column("best threshold", "right"), Column("f1 at best", "right")),
                         tuple(_label_row(s) for s in shown)))
    return out


def _label_row(s: ThresholdSummary) -> tuple[str, ...]:
    best = s.best["f1"]
    return (s.name, fmt(s.positives, 0), fmt(s.at_current["f1"]), _t(best.threshold),
            fmt(best.value))
