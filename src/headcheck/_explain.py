"""explain(): which metric, framework view or baseline produces a number someone reported.

>>> import numpy as np
>>> y = np.array([0, 1, 2, 2]); p = np.eye(3)[[0, 2, 2, 1]] * 0.7 + 0.1
>>> ex = explain(y, p, reported="50%")
>>> ex.matches[0].id, ex.recommended.id, ex.recommended.value
('accuracy', 'accuracy', 0.5)
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from headcheck.errors import InputError
from headcheck.findings import Finding
from headcheck._report import Report, metric_meaning, report, report_files
from headcheck.render._base import num, tolerance_text

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.task import TaskProfile

NEAREST = 5
# The default tolerance: a number printed by a framework is exact up to its rounding, but float32
# sums and batch-wise averages move it a little (FLOOR); on N samples metrics move in steps of
# 1/N, so half a step is tolerated, never more than TINY_N_CAP (on 3 rows half a step is 0.17).
FLOOR = 5e-4
TINY_N_CAP = 0.01


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
    """The honest number to report. `instead_of` / `why`: the metric the task would recommend and
    why it is not (a collapsed model's accuracy is the majority-class rate: the number it games)."""

    id: str
    value: float
    meaning: str
    instead_of: str | None = None
    why: str = ""

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
    # what the report's findings say about the number, shown first ("0.5098 is the majority-class
    # rate: ..."), the findings that bear on it, and what else the number may be when nothing matches
    story: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    hints: tuple[str, ...] = ()
    name: str | None = None
    tied: tuple[str, ...] = field(default=())  # matches with one and the same value

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
_NUMBER = r"(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
# name: number, name=number, name number; a quoted name as a printed dict has it ({'accuracy': 0.97})
_PAIR = re.compile(r"(?<![\w.])([A-Za-z][\w.@-]*?)['\"]?\s*(?:[:=]\s*|\s+)" + _NUMBER
                   + r"(\s*%)?(?![\w/.])")
# Keras's ModelCheckpoint / EarlyStopping: 'val_accuracy improved from 0.56863 to 0.58235, saving
# model to ...' and 'val_accuracy did not improve from 0.58235': the metric's latest best
_CHECKPOINT = re.compile(r"(?<![\w.])([A-Za-z][\w.@-]*)\s+(?:improved from\s+\S+?\s+to|did not improve from)\s+"
                         + _NUMBER)
_NOT_METRICS = {"epoch", "step", "steps", "batch", "eta", "iter", "iteration", "lr", "learning_rate", "time",
                "from", "to"}


def parse_log(text: str) -> list[tuple[str, str]]:
    """(name, number as written) pairs of a pasted log line: 'accuracy: 0.9778', 'val_acc 97.78%',
    a Keras progress line ('32/32 ... - accuracy: 0.9778 - loss: 0.07 - val_accuracy: 0.96').

    >>> parse_log("32/32 - 0s 2ms/step - accuracy: 0.9778 - loss: 0.0712 - val_accuracy: 0.9611")
    [('accuracy', '0.9778'), ('loss', '0.0712'), ('val_accuracy', '0.9611')]
    >>> parse_log("{'accuracy': 0.9778, 'loss': 0.0712}")  # model.evaluate(..., return_dict=True)
    [('accuracy', '0.9778'), ('loss', '0.0712')]
    >>> parse_log("Epoch 7: val_accuracy improved from 0.95000 to 0.96111, saving model to best.keras")
    [('val_accuracy', '0.96111')]
    """
    checkpoint = _CHECKPOINT.search(text)
    if checkpoint:
        return [checkpoint.groups()]
    out = []
    for name, number, pct in _PAIR.findall(text):
        if name.lower() in _NOT_METRICS:
            continue
        out.append((name, number + ("%" if pct else "")))
    return out


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


def default_tolerance(n_samples: int, given: str) -> float:
    """FLOOR, half a step of 1/N (at most TINY_N_CAP), or half a unit of the last digit given
    ('0.98' may be anything from 0.975 to 0.985), whichever is largest."""
    step = min(0.5 / max(1, n_samples), TINY_N_CAP)
    return max(FLOOR, step, _half_digit(given))


def _half_digit(given: str) -> float:
    """Half a unit of the last digit written, as a fraction ('97.8%' -> 0.0005; '0.98' -> 0.005)."""
    text = given.strip().rstrip("%").strip()
    if not text or "e" in text.lower() or not _is_number(text):
        return 0.0
    percent = given.strip().endswith("%") or 1 < float(text) <= 100
    if "." not in text and not percent:
        return 0.0
    decimals = len(text.split(".", 1)[1]) if "." in text else 0
    return 0.5 * 10.0 ** -decimals / (100.0 if percent else 1.0)


def explain_report(rep: Report, reported: float | int | str, *, tolerance: float | None = None,
                   name: str | None = None) -> Explanation:
    """Explain a reported number against an existing Report (see `explain`). `reported` may be a
    number or a pasted log line (`accuracy: 0.9778`, `val_acc 97.78%`, a Keras progress line):
    the metric's name then guides the recommendation, and of several numbers on one line the one
    these labels and scores reproduce is explained."""
    pairs = parse_log(reported) if isinstance(reported, str) and not _is_number(reported) else []
    if isinstance(reported, str) and not pairs and not _is_number(reported):
        raise InputError(f"reported: expected a number (0.9, 90 or '90%') or a log line such as "
                         f"'val_accuracy: 0.9611'; got {reported!r}.")
    if not pairs:
        return _explain_one(rep, reported, tolerance, name)
    return _explain_line(rep, str(reported), pairs, tolerance, name)


def _is_number(text: str) -> bool:
    try:
        float(text.strip().rstrip("%"))
    except ValueError:
        return False
    return True


def _explain_line(rep: Report, line: str, pairs: list[tuple[str, str]], tolerance: float | None,
                  name: str | None) -> Explanation:
    metrics = [p for p in pairs if "loss" not in p[0].lower()] or pairs
    tries = [_explain_one(rep, number, tolerance, name or key, given=f"{key}: {number}")
             for key, number in metrics]
    chosen = next((ex for ex in tries if ex.matches), tries[0])
    if len(metrics) > 1:
        shown = ", ".join(f"{k} {v}" for k, v in metrics)
        why = ("the one these labels and scores reproduce" if chosen.matches else
               "none of them matches these labels and scores; the first is explained")
        others = [ex.given for ex in tries if ex is not chosen and not ex.matches]
        note = f"the line holds {shown}: {chosen.given} is explained ({why})"
        if others and chosen.matches:
            verb = "matches" if len(others) == 1 else "match"
            note += f"; {', '.join(others)} {verb} nothing here (another split?)"
        chosen = _with_notes(chosen, (note,))
    return chosen


def _with_notes(ex: Explanation, notes: tuple[str, ...]) -> Explanation:
    from dataclasses import replace

    return replace(ex, notes=notes + ex.notes)


def _explain_one(rep: Report, reported: float | int | str, tolerance: float | None,
                 name: str | None, given: str | None = None) -> Explanation:
    n = max(1, rep.task.n_samples)
    written = reported if isinstance(reported, str) else ""  # a float says nothing of its digits
    tol = float(tolerance) if tolerance is not None else default_tolerance(n, written)
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
    nearest = _nearest(cands, chosen)
    if name:
        matches = _named_first(matches, name)
    tied = _tied(matches)
    if tied:
        notes.append(f"{len(tied)} definitions give exactly {chosen:.4f} on these data and cannot be "
                     f"told apart here: {', '.join(tied)}")
    if tolerance is None and tol > FLOOR and tol == min(0.5 / n, TINY_N_CAP) and n < 1000:
        notes.append(f"tolerance {tolerance_text(tol)}: on {n} samples a metric moves in steps of 1/{n}")
    bearing = _bearing(rep)
    return Explanation(chosen, given or str(reported), tol, tuple(matches),
                       _recommend(rep, matches, name), () if matches else nearest, tuple(notes),
                       rep.task, story=_story(rep, chosen, matches, bearing), findings=bearing,
                       hints=() if matches else _hints(rep, name), name=name, tied=tied)


def _nearest(cands: list[tuple[str, float, str, bool, str]], value: float) -> tuple[Match, ...]:
    """The NEAREST closest distinct values, one definition each (the first: metrics before views
    before baselines): five definitions printing the same accuracy would fill the list with one
    number and hide the next ones."""
    out: list[Match] = []
    seen: set[float] = set()
    for k, v, mean, fits, src in sorted(cands, key=lambda c: abs(float(c[1]) - value)):
        if round(float(v), 12) in seen:
            continue
        seen.add(round(float(v), 12))
        out.append(Match(k, float(v), mean, fits, src, abs(float(v) - value)))
        if len(out) == NEAREST:
            break
    return tuple(out)


def _named_first(matches: list[Match], name: str) -> list[Match]:
    """The definition the metric's name points to goes first among the matches."""
    from headcheck.views import view_for_name

    key = name.strip().lower()
    wanted = {view_for_name(key), key.removeprefix("val_")} - {None}
    return sorted(matches, key=lambda m: (m.id not in wanted,))


def _tied(matches: Sequence[Match]) -> tuple[str, ...]:
    """The ids of the largest group of matches with one and the same value (2 or more)."""
    groups: dict[float, list[str]] = {}
    for m in matches:
        groups.setdefault(round(m.value, 12), []).append(m.id)
    best = max(groups.values(), key=len, default=[])
    return tuple(best) if len(best) > 1 else ()


def _bearing(rep: Report) -> tuple[Finding, ...]:
    """The report's findings that bear on any number of these predictions: warnings and errors
    (infos suggest better practice, they do not explain a number)."""
    return tuple(f for f in rep.findings if f.severity.rank >= 1)


def _story(rep: Report, value: float, matches: Sequence[Match], bearing: tuple[Finding, ...]) -> tuple[str, ...]:
    """What the number is, said first when a baseline or a finding explains it."""
    ids = {m.id for m in matches}
    lines = []
    codes = [f.code for f in bearing if f.code in ("HC402", "HC103", "HC307")]
    cite = f" ({', '.join(codes)})" if codes else ""
    if "baseline.majority_class" in ids:
        b = rep.baselines["majority_class"]
        collapse = _collapse(rep)
        what = f"{collapse}{cite}" if collapse else f" {b.meaning}"
        lines.append(f"{value:.4f} is the majority-class rate:{what}.{_judge(rep, value)}")
    else:
        for m in matches:
            if m.source == "baseline":
                lines.append(f"{value:.4f} is what a trivial predictor scores: {m.meaning}.")
                break
        else:
            collapse = _collapse(rep)
            if collapse and any(m.source in ("metric", "view") for m in matches):
                what = "of a collapsed model"
                if _threshold_cause(rep):  # the cause is cited in the sentence that follows
                    what, collapse = ("of decisions all on one side of the threshold",
                                      f"{collapse} at threshold {rep.task.threshold:g}")
                lines.append(f"{value:.4f} is the score {what}:{collapse}{cite}.{_judge(rep, value)}")
    return tuple(lines)


def _is_threshold_root(f: Finding) -> bool:
    """HC308 on well-ranked scores: the threshold, not the model, explains the decisions
    (`headcheck.gate.policy.FOLDS`)."""
    return f.code == "HC308" and f.cause == "threshold"


def _threshold_cause(rep: Report) -> str:
    """' The threshold is the cause ...' when HC308 found well-ranked scores cut at a threshold
    far from the best one: then a metric at the same threshold (balanced accuracy) is no judge."""
    best = rep.thresholds.overall.best.get("f1") if rep.thresholds is not None else None
    if best is None or not any(_is_threshold_root(f) for f in rep.findings):
        return ""
    metric = "micro_f1" if rep.task.kind == "multilabel" else "f1"
    auc = rep.metrics.get("roc_auc")
    ranked = f"the scores rank well (roc_auc = {auc:.4f}), and " if auc is not None and math.isfinite(auc) else ""
    return (f" The threshold is the cause, not the model (HC308): {ranked}at threshold "
            f"{best.threshold:.4g} {metric} is {best.value:.4f}.")


def _judge(rep: Report, value: float) -> str:
    """What to judge the model by instead of `value`: the threshold when it is the cause, else
    a metric a constant prediction cannot game; when that metric gives the same number, it is
    said to agree rather than offered as a different one."""
    cause = _threshold_cause(rep)
    if cause:
        return cause
    key = _honest_metric(rep)
    if key is None:
        return ""
    v = rep.metrics[key]
    if f"{v:.4f}" != f"{value:.4f}":
        return f" Judge the model by {key} = {v:.4f} instead: a constant prediction cannot game it."
    chance = key == "balanced_accuracy" and abs(v - 1 / max(rep.task.n_classes, 1)) < 5e-5
    return (f" {key}, which a constant prediction cannot game, is {v:.4f} as well"
            + (f": chance level for {rep.task.n_classes} classes, so the model shows no learning "
               "either way." if chance else "."))


def _honest_metric(rep: Report) -> str | None:
    """The first metric of the report that a constant prediction cannot game."""
    return next((key for key in ("balanced_accuracy", "macro_f1", "mae")
                 if key in rep.metrics and math.isfinite(rep.metrics[key])), None)


def _collapse(rep: Report) -> str:
    """' The model predicts class X for every sample' when one class takes >= 95 % of predictions."""
    facts = rep.facts
    if facts is None or not facts.predicted_counts or rep.task.kind == "multilabel":
        return ""
    pred = facts.predicted_counts
    total = sum(pred)
    if total <= 0:
        return ""
    top = max(range(len(pred)), key=lambda i: pred[i])
    share = pred[top] / total
    if share < 0.95:
        return ""
    name = rep.task.class_name(top)
    how = "every sample" if share == 1.0 else f"{share:.1%} of the samples"
    return f" the model predicts class {name} for {how}"


def _hints(rep: Report, name: str | None) -> tuple[str, ...]:
    """What else a number that matches nothing may be."""
    out = ["another split: these labels and scores may not be the data the number was computed "
           "on (training vs validation data, a shuffled or truncated export)"]
    if not name or not name.lower().startswith("val"):
        out.append("an epoch average of batch values: a metric printed during training is averaged "
                   "over the epoch's batches while the weights change, so it differs from the same "
                   "metric of the final model (compare it with the validation metric, or evaluate)")
    if rep.task.kind in ("binary", "multilabel"):
        out.append(f"a different threshold: these metrics decide at {rep.task.threshold:g}; a number "
                   "computed at another threshold (or on logits read as probabilities) differs")
    if rep.task.kind in ("multiclass", "ordinal"):
        out.append("a different class mapping or averaging (macro vs micro, classes dropped): "
                   "compare the per-class table")
    return tuple(out)


def _match_order(m: Match) -> tuple[float, int]:
    """Closest first; among equals, a framework view that does not fit the task (the likely source
    of a surprising number), then metrics, fitting views, baselines."""
    rank = {"metric": 1, "view": 0 if not m.fits_task else 2, "baseline": 3}[m.source]
    return (round(m.distance, 12), rank)


def _recommend(rep: Report, matches: Sequence[Match], name: str | None) -> Recommended | None:
    definition = None
    if name:
        from headcheck.views import view_for_name  # the names each framework prints

        key = name.strip().lower().removeprefix("val_")
        # a name that is no metric or view here ('loss', 'val_loss') says nothing: the matches do
        definition = view_for_name(name) or (key if key in rep.metrics or key in rep.views else None)
    if definition is None and matches:
        # the closest definition that does not fit the task is the likely source of the number
        misfit = [m for m in matches if not m.fits_task and m.source == "view"]
        definition = (misfit or list(matches))[0].id
    if definition is not None and definition.startswith("baseline."):
        definition = None  # a baseline is no definition to report: the task's own metric is
    rid = honest_id(rep, definition) if definition else default_metric(rep.task.kind)
    if rid not in rep.metrics:
        return None
    return _not_gamed(rep, Recommended(rid, float(rep.metrics[rid]), metric_meaning(rid)))


def _not_gamed(rep: Report, rec: Recommended) -> Recommended:
    """The metric a constant prediction cannot game instead of one at the majority-class rate of a
    collapsed model (one class takes nearly every prediction: HC402): recommending the gamed
    number would end the story on it."""
    from headcheck.rules.hc307_accuracy_at_or_below_baseline import MARGIN

    base = rep.baselines.get("majority_class")
    collapse = _collapse(rep)
    if base is None or not collapse or not abs(rec.value - base.value) <= MARGIN:
        return rec
    honest = _honest_metric(rep)
    if honest is None or honest == rec.id or f"{rep.metrics[honest]:.4f}" == f"{rec.value:.4f}":
        return rec  # the same number under another name is no different recommendation
    cited = [f.code for f in rep.findings if f.code in ("HC307", "HC402")]
    cite = f" ({', '.join(cited)})" if cited else ""
    why = (f"{rec.id} = {rec.value:.4f} equals the majority-class rate and{collapse}: the model has "
           f"collapsed onto one class{cite}")
    return Recommended(honest, float(rep.metrics[honest]), metric_meaning(honest), instead_of=rec.id, why=why)


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
    top_k: int | Sequence[int] | None = None,
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
    """`explain()` on files (see `headcheck.report.report_files` for the file arguments); shards
    (a glob, a directory, a labels glob and a scores glob) are read as `report` reads them."""
    from headcheck.io.shards import is_sharded

    if is_sharded(paths):
        from headcheck._sharded import report_shards

        rep = report_shards(paths, **kwargs)
    else:
        rep = report_files(paths, **kwargs)
    return explain_report(rep, reported, tolerance=tolerance, name=name)
