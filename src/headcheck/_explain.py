"""explain(): which metric, framework view or baseline produces a number someone reported.

>>> import numpy as np
>>> y = np.array([0, 1, 2, 2]); p = np.eye(3)[[0, 2, 2, 1]] * 0.7 + 0.1
>>> ex = explain(y, p, reported="50%")
>>> ex.matches[0].id, ex.recommended.id, ex.recommended.value
('accuracy', 'accuracy', 0.5)
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from headcheck.errors import InputError
from headcheck._report import Report, metric_meaning, report, report_files
from headcheck.render._base import num

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.task import TaskProfile

NEAREST = 5


@dataclass(frozen=True)
class Match:
    """One definition and the number it gives on this data."""

    id: str
    value: float
    meaning: str
    fits_task: bool
    source: str  # 'metric', 'view' or 'baseline'
    distance: float

    def to_dict(self) -> dict[str, Any]:
        from headcheck.render.explain import match_dict

        return match_dict(self)


@dataclass(frozen=True)
class Recommended:
    id: str
    value: float
    meaning: str

    def to_dict(self) -> dict[str, Any]:
        from headcheck.render.explain import recommended_dict

        return recommended_dict(self)


@dataclass(frozen=True)
class Explanation:
    """Which definitions produce `reported` (within `tolerance`) and the honest number to report."""

    reported: float
    given: str
    tolerance: float
    matches: tuple[Match, ...]
    recommended: Recommended | None
    nearest: tuple[Match, ...]
    notes: tuple[str, ...]
    task: TaskProfile

    # -- rendering: headcheck.render.explain owns every format -----------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON contract: `reported`, `matches` [{id, value, meaning, fits_task}], `recommended`
        {id, value, meaning}; equal to `--format json`."""
        from headcheck.render.explain import to_dict

        return to_dict(self)

    def to_json(self, indent: int | None = 2) -> str:
        from headcheck.render.explain import to_json

        return to_json(self, indent)

    def to_text(self, width: int = 80) -> str:
        from headcheck.render.explain import to_text

        return to_text(self, width)

    def to_markdown(self) -> str:
        from headcheck.render.explain import to_markdown

        return to_markdown(self)

    def render(self, fmt_: str = "text", width: int = 80) -> str:
        """'text', 'json', 'markdown' or 'html'."""
        from headcheck.render import render

        return render(self, fmt_, width)

    def __rich_console__(self, console: Any, options: Any) -> Iterator[Any]:
        from headcheck.render.explain import renderables

        yield from renderables(self)

    def _repr_html_(self) -> str:
        from headcheck.render.explain import to_html

        return to_html(self)


# ---------------------------------------------------------------------------------------------
def parse_reported(reported: float | int | str) -> list[tuple[float, str]]:
    """Candidate readings of a reported number: '90%' -> 0.90; 90 -> 0.90 (and 90 itself, for a loss)."""
    given = str(reported).strip()
    try:
        if given.endswith("%"):
            v = float(given[:-1]) / 100
            return [(v, f"read {given} as {v:g}")]
        v = float(given)
    except ValueError as e:
        raise InputError(f"reported: expected a number such as 0.9, 90 or '90%'; got {reported!r}.") from e
    if not math.isfinite(v) or v < 0:
        raise InputError(f"reported: expected a finite non-negative number; got {reported!r}.")
    if 1 < v <= 100:
        return [(v / 100, f"read {given} as a percentage: {v / 100:g}"), (v, "")]
    return [(v, "")]


def _candidates(rep: Report) -> list[tuple[str, float, str, bool, str]]:
    out = [(k, v, metric_meaning(k), True, "metric") for k, v in rep.metrics.items()]
    out += [(k, v.value, v.meaning + (f" ({v.note})" if v.note else ""), bool(v.fits_task), "view")
            for k, v in rep.views.items()]
    out += [(f"baseline.{k}", b.value, f"a trivial predictor: {b.meaning}", False, "baseline")
            for k, b in rep.baselines.items()]
    return [c for c in out if num(c[1]) is not None]


def default_metric(kind: str) -> str:
    """What 'accuracy' should mean for a task: multilabel counts a sample right only when every
    label is (subset accuracy); per-label accuracy is shown beside it."""
    return "subset_accuracy" if kind == "multilabel" else "accuracy"


def honest_id(rep: Report, definition: str) -> str:
    kind = rep.task.kind
    if definition in rep.metrics:
        return definition
    if definition == "keras.top_k_categorical_accuracy":
        top = [k for k in rep.metrics if k.startswith("top_k_accuracy@")]
        if top:
            return top[0]
    from headcheck.views import honest_metric

    choice = honest_metric(definition, kind) or default_metric(kind)
    return choice if choice in rep.metrics else default_metric(kind)


def explain_report(rep: Report, reported: float | int | str, *, tolerance: float | None = None,
                   name: str | None = None) -> Explanation:
    """Explain a reported number against an existing Report (see `explain`)."""
    n = max(1, rep.task.n_samples)
    tol = float(tolerance) if tolerance is not None else max(5e-4, 0.5 / n)
    if not (tol >= 0):
        raise InputError(f"tolerance: expected a non-negative number; got {tolerance!r}.")
    cands = _candidates(rep)
    readings = parse_reported(reported)
    notes: list[str] = []
    matches: list[Match] = []
    chosen = readings[0][0]
    for value, note in readings:
        found = [Match(k, float(v), mean, fits, src, abs(float(v) - value))
                 for k, v, mean, fits, src in cands if abs(float(v) - value) <= tol]
        if found:
            matches, chosen = sorted(found, key=_match_order), value
            if note:
                notes.append(note)
            break
    if not matches and readings[0][1]:
        notes.append(readings[0][1])
    nearest = tuple(sorted((Match(k, float(v), mean, fits, src, abs(float(v) - chosen))
                            for k, v, mean, fits, src in cands), key=lambda m: m.distance)[:NEAREST])
    return Explanation(chosen, str(reported), tol, tuple(matches),
                       _recommend(rep, matches, name), () if matches else nearest, tuple(notes), rep.task)


def _match_order(m: Match) -> tuple[float, int]:
    """Closest first; among equals, a framework view that does not fit the task (the likely source
    of a surprising number), then metrics, fitting views, baselines."""
    rank = {"metric": 1, "view": 0 if not m.fits_task else 2, "baseline": 3}[m.source]
    return (round(m.distance, 12), rank)


def _recommend(rep: Report, matches: Sequence[Match], name: str | None) -> Recommended | None:
    definition = None
    if name:
        from headcheck.views import view_for_name  # the names each framework prints

        definition = view_for_name(name) or name.strip().lower().removeprefix("val_")
    if definition is None and matches:
        # the closest definition that does not fit the task is the likely source of the number
        misfit = [m for m in matches if not m.fits_task and m.source == "view"]
        definition = (misfit or list(matches))[0].id
    rid = honest_id(rep, definition) if definition else default_metric(rep.task.kind)
    if rid not in rep.metrics:
        return None
    return Recommended(rid, float(rep.metrics[rid]), metric_meaning(rid))


def explain(
    y_true: object,
    y_score: object,
    reported: float | int | str,
    *,
    tolerance: float | None = None,
    name: str | None = None,
    sample_weight: object | None = None,
    task: str | None = None,
    threshold: float | None = None,
    score_kind: str | None = None,
    top_k: Sequence[int] = (5,),
    classes: Any = None,
    label_offset: int | None = None,
) -> Explanation:
    """Which definitions give `reported` on these labels and scores, whether each fits the task,
    and the honest metric to report instead (`recommended`).

    `reported` may be a fraction (0.9), a percentage (90 or '90%'); `tolerance` defaults to the
    larger of 5e-4 and half of 1/N; `name` (e.g. 'val_binary_accuracy') says what it was called.

    >>> import numpy as np
    >>> ex = explain(np.array([0, 1, 1, 0]), np.array([0.2, 0.9, 0.4, 0.1]), 0.75)
    >>> ex.recommended.id
    'accuracy'
    """
    rep = report(y_true, y_score, sample_weight=sample_weight, task=task, threshold=threshold,
                 score_kind=score_kind, top_k=top_k, classes=classes, label_offset=label_offset)
    return explain_report(rep, reported, tolerance=tolerance, name=name)


def explain_files(paths: Sequence[str], reported: float | int | str, *, tolerance: float | None = None,
                  name: str | None = None, **kwargs: Any) -> Explanation:
    """`explain()` on files (see `headcheck.report.report_files` for the file arguments)."""
    rep = report_files(paths, **kwargs)
    return explain_report(rep, reported, tolerance=tolerance, name=name)
