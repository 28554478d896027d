"""compare(): the same labels, two or more models' scores, each reported honestly side by side,
with confidence intervals and a paired test of every difference; the verdict names its metric
and says when the difference is within noise.

One pass (`headcheck.engine.paired`) reads the labels once and folds every model's state with
bootstrap replicates of one seed, so replicate b is the same resample for all models and each
difference has a paired bootstrap interval. Accuracy (subset accuracy for multi-label data) is
also tested with McNemar's test, binary ROC AUC with DeLong's (a second, cheap pass over the
binary scores).

>>> import numpy as np, headcheck
>>> r = np.random.default_rng(0)
>>> y = r.integers(0, 2, 2000)
>>> good, poor = np.clip(y * .4 + r.random(2000) * .6, 0, 1), np.clip(y * .1 + r.random(2000) * .9, 0, 1)
>>> c = headcheck.compare(y, {"good": good, "poor": poor})
>>> c.verdict.metric, c.verdict.best, c.verdict.within_noise
('accuracy', 'good', False)
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Iterator

import numpy as np

from headcheck._report import LOWER_IS_BETTER, Report
from headcheck.errors import InputError, naming_files
from headcheck.task import TaskProfile

# McNemar: the exact binomial test below this many discordant rows, the chi-square test with
# Edwards' continuity correction from there (statsmodels' `mcnemar(exact=..., correction=True)`).
MCNEMAR_EXACT_BELOW = 25
# The task fields the labels decide: every model must read the labels the same way.
LABEL_FIELDS = ("kind", "n_classes", "label_encoding", "classes", "label_values", "label_offset")


@dataclass(frozen=True)
class Difference:
    """`a` minus `b` on one metric, with its confidence interval and the p-value of the paired
    test named in `test` ('bootstrap', 'McNemar', 'DeLong')."""

    a: str
    b: str
    metric: str
    value: float
    ci_low: float
    ci_high: float
    level: float
    p_value: float
    test: str

    @property
    def within_noise(self) -> bool:
        """Whether the data cannot show a difference: the interval holds 0, or the paired test
        does not reject at the interval's level (McNemar's or DeLong's test and the bootstrap
        interval can disagree near the edge; a difference is called only when both see it)."""
        if not (math.isfinite(self.ci_low) and math.isfinite(self.ci_high)):
            return True
        return self.ci_low <= 0.0 <= self.ci_high or self.test_disagrees

    @property
    def test_disagrees(self) -> bool:
        """The interval excludes 0 but the test's p-value is at or above 1 - level."""
        return (not self.ci_low <= 0.0 <= self.ci_high and math.isfinite(self.p_value)
                and self.p_value >= 1.0 - self.level)

    @property
    def better(self) -> str | None:
        """The model that is better on this metric, or None within noise."""
        if self.within_noise:
            return None
        higher = self.value > 0
        return (self.b if higher else self.a) if self.metric in LOWER_IS_BETTER else (
            self.a if higher else self.b)

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "metric": self.metric, "difference": self.value,
                "ci_low": self.ci_low, "ci_high": self.ci_high, "level": self.level,
                "p_value": self.p_value, "test": self.test, "within_noise": self.within_noise,
                "better": self.better}


@dataclass(frozen=True)
class Verdict:
    """Which model is better on `metric`, or that the data cannot tell (`within_noise`)."""

    metric: str
    best: str | None
    within_noise: bool
    text: str
    why: str = ""  # why this metric

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "best": self.best, "within_noise": self.within_noise,
                "text": self.text, "why": self.why}


@dataclass(frozen=True)
class Comparison:
    """The result of `compare()`: one Report per model (with confidence intervals), the paired
    differences, and the verdict. Render with `to_text()`, `to_markdown()`, `to_json()`; it also
    renders itself in rich consoles and Jupyter."""

    task: TaskProfile
    reports: dict[str, Report]
    differences: tuple[Difference, ...]
    verdict: Verdict
    level: float
    replicates: int
    seed: int
    source: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.reports)

    def difference(self, metric: str, a: str | None = None) -> Difference | None:
        for d in self.differences:
            if d.metric == metric and (a is None or a in (d.a, d.b)):
                return d
        return None

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract (`--format json`): task, models {name: metrics {id: {value, ci_low,
        ci_high, level, method}}, views, findings, ...}, baselines, differences, verdict, ci."""
        from headcheck.render.compare import to_dict

        return to_dict(self)

    def to_json(self, indent: int | None = 2) -> str:
        from headcheck.render.compare import to_json

        return to_json(self, indent)

    def to_text(self, width: int = 80) -> str:
        from headcheck.render.compare import to_text

        return to_text(self, width)

    def to_markdown(self) -> str:
        from headcheck.render.compare import to_markdown

        return to_markdown(self)

    def render(self, fmt: str = "text", width: int = 80) -> str:
        from headcheck.render import render

        return render(self, fmt, width)

    def __rich_console__(self, console: Any, options: Any) -> Iterator[Any]:
        from headcheck.render.compare import renderables

        # the report's widths: 80 columns unless the console is wider, at most 120
        yield from renderables(self, min(int(getattr(options, "max_width", 80)), 120))

    def _repr_html_(self) -> str:
        from headcheck.render.compare import to_html

        return to_html(self)


# ---------------------------------------------------------------------------------------------
def compare(
    y_true: object,
    scores: Mapping[str, object] | Sequence[object],
    *,
    sample_weight: object | None = None,
    task: str | None = None,
    threshold: float | None = None,
    score_kind: str | None = None,
    top_k: int | Sequence[int] | None = None,
    metric: str | None = None,
    ci: float = 0.95,
    replicates: int = 200,
    seed: int = 0,
    chunk_rows: int | None = None,
    progress: bool = False,
    source: str | None = None,
    notes: Sequence[str] = (),
    classes: Any = None,
    label_offset: int | None = None,
) -> Comparison:
    """Compare models on the same labels: `scores` maps a name to each model's scores (a list
    gets names 'model 1', 'model 2', ...). Options as in `report`; `metric` picks the metric of
    the verdict (default: accuracy; balanced accuracy when one class holds 80 % of the data or a
    model has collapsed onto one class (HC402 / HC307); micro-F1 for multi-label data); `ci` is the confidence level, `replicates` and `seed` the
    bootstrap's. Nothing given is modified.

    >>> import numpy as np
    >>> y = np.array([0, 1, 2] * 40)
    >>> p = np.eye(3)[y] * .7 + .1
    >>> compare(y, {"a": p, "b": p}).verdict.within_noise
    True
    """
    from headcheck._report import _assemble
    from headcheck.engine.bootstrap import (
        Replicates, check_level, describe, intervals, replicate_metrics,
    )
    from headcheck.engine.paired import delong_pass, paired_parts, run_paired_pass
    from headcheck.engine.pipeline import finish
    from headcheck.gate import as_input_array, infer_task
    from headcheck.gate.arrays import masked_note, unmask
    from headcheck.gate.options import check_options, check_top_k, parse_top_k
    from headcheck.gate.weights import scale_weights
    from headcheck.io import check_weights, progress_callback

    check_options(task=task, threshold=threshold, score_kind=score_kind)
    top_k = parse_top_k(top_k)
    names, arrays = _models(scores)
    (y_true, sample_weight, *arrays), masked = unmask([y_true, sample_weight, *arrays])
    notes = tuple(notes) + ((masked_note(masked),) if masked else ())
    level = check_level(ci)
    reps = Replicates(int(replicates), int(seed))
    yt = as_input_array(y_true, "labels")
    ys = [as_input_array(s, f"scores of {name}") for name, s in zip(names, arrays)]
    for name, s in zip(names, ys):
        if len(s) != len(yt):
            raise InputError(f"{name}: expected one score row per label ({len(yt)} rows); got "
                             f"{len(s)}. Compare models on the same labels, in the same order.")
    w = None if sample_weight is None else check_weights(sample_weight, len(yt))
    if w is not None:
        w, scaled = scale_weights(w)
        notes += (scaled,) if scaled else ()
    options = dict(task=task, threshold=threshold, score_kind=score_kind, classes=classes,
                   label_offset=label_offset)
    profiles = [infer_task(yt, s, **options) for s in ys]  # type: ignore[arg-type]
    _same_labels(names, profiles)
    parts = paired_parts(yt, ys, w, chunk_rows)
    done = run_paired_pass(
        profiles, parts, names=names, top_k=[check_top_k(p, top_k) for p in profiles],
        replicates=reps,
        progress=(lambda total: progress_callback(total, "headcheck compare")) if progress else None)
    unweighted = w is None
    delong = delong_pass(done, parts) if unweighted else None
    reports, replicate_values = {}, {}
    for name, profile, state in zip(names, done.profiles, done.states):
        replicate_values[name] = values = replicate_metrics(state)
        rep = _assemble(profile, finish(state), source, tuple(notes))
        reports[name] = replace(rep, intervals=intervals(state, level, values))
    verdict_metric, why = _verdict_metric(metric, reports)
    best = _best(reports, verdict_metric)
    diffs = _differences(names, best, reports, replicate_values, done, delong, level, unweighted)
    verdict = _verdict(verdict_metric, why, best, reports, diffs, level)
    method = [describe(reps, level), "Paired: replicate b is the same resample for every model, "
              "so each difference has its own bootstrap interval; p-values are not adjusted for "
              "the number of models."]
    if not unweighted:
        method.append("sample weights: McNemar's and DeLong's tests assume unweighted rows; the "
                      "bootstrap tests every difference instead.")
    # the labels' class counts are known after the pass (each report has them; they are shared)
    task = replace(done.profiles[0], class_counts=reports[names[0]].task.class_counts)
    return Comparison(task=task, reports=reports, differences=tuple(diffs),
                      verdict=verdict, level=level, replicates=reps.n, seed=reps.seed,
                      source=source, notes=tuple(notes) + tuple(method))


def compare_files(labels: str, score_files: Sequence[str], *, names: Sequence[str] | None = None,
                  labels_key: str | None = None, scores_key: str | None = None,
                  weights: str | None = None, tmp_dir: str | None = None,
                  **kwargs: Any) -> Comparison:
    """`compare()` on files: one labels file and one scores file per model (.npy, .npz, .csv,
    .parquet; parsed formats are spooled to temporary memory-mapped files, removed after).
    Names default to the score files' names without extension."""
    import os

    from headcheck.io import Spool, load_array

    names = list(names or [])
    if len(names) > len(score_files):
        raise InputError(f"--name: {len(names)} names for {len(score_files)} score files; give "
                         "at most one name per scores file, in the same order.")
    stems = [os.path.splitext(os.path.basename(p))[0] for p in score_files]
    default = stems if len(set(stems)) == len(stems) else list(score_files)
    names += default[len(names):]
    notes: list[str] = []
    with Spool(tmp_dir) as spool:
        y = load_array(labels, key=labels_key, role="labels", notes=notes, spool=spool)
        models = {}
        for name, path in zip(names, score_files):
            if name in models:
                raise InputError(f"two models are named {name!r}; give each a name with --name.")
            models[name] = load_array(path, key=scores_key, role="scores", notes=notes, spool=spool)
        w = None if weights is None else load_array(weights, role="weights", notes=notes,
                                                     spool=spool)
        source = " + ".join([labels, *score_files])
        roles = {"labels": labels, **({"weights": weights} if weights else {}),
                 **{f"scores of {n}": p for n, p in zip(names, score_files)}}
        with naming_files(roles, source):
            return compare(y, models, sample_weight=w, source=source,
                           notes=tuple(notes) + tuple(kwargs.pop("notes", ())), **kwargs)


# --- inputs -------------------------------------------------------------------------------------
def _models(scores: Mapping[str, object] | Sequence[object]) -> tuple[list[str], list[object]]:
    if isinstance(scores, Mapping):
        names, arrays = [str(k) for k in scores], list(scores.values())
    elif isinstance(scores, Sequence) and not isinstance(scores, (str, bytes)):
        arrays = list(scores)
        names = [f"model {i + 1}" for i in range(len(arrays))]
    else:
        raise InputError("compare: expected the models' scores as a dict {name: scores} or a "
                         f"list of score arrays; got {type(scores).__name__}.")
    from headcheck.engine.paired import MAX_MODELS

    if not 2 <= len(arrays) <= MAX_MODELS:
        raise InputError(f"compare: expected 2 to {MAX_MODELS} models; got {len(arrays)}. Pass "
                         "each model's scores on the same labels, e.g. {'bce': p1, 'cce': p2}.")
    return names, arrays


def _same_labels(names: list[str], profiles: list[TaskProfile]) -> None:
    first = profiles[0]
    for name, p in zip(names[1:], profiles[1:]):
        for key in LABEL_FIELDS:
            a, b = getattr(first, key, None), getattr(p, key, None)
            if a != b:
                raise InputError(
                    f"compare: {names[0]} and {name} read the labels differently ({key}: {a!r} "
                    f"vs {b!r}): their scores have different shapes for the same task. Give "
                    "every model's scores for the same classes (and pass --task to state the "
                    "task).")


# --- differences and verdict ----------------------------------------------------------------------
# Findings that make a model's accuracy the majority class's share rather than a skill: a
# verdict on accuracy would rank that share (the collapsed-model trap of a "better" head).
COLLAPSE_CODES = ("HC402", "HC307")


def _verdict_metric(metric: str | None, reports: dict[str, Report]) -> tuple[str, str]:
    rep = next(iter(reports.values()))
    if metric is not None:
        if metric not in rep.metrics:
            raise InputError(f"--metric: {metric!r} is not a metric of this task; expected one of "
                             f"{', '.join(rep.metrics)}.")
        return metric, "chosen with --metric"
    if rep.task.kind == "multilabel":
        return "micro_f1", "multi-label data: micro-F1 pools every (row, label) decision"
    counts = rep.task.class_counts
    if counts and max(counts) >= 0.8 * sum(counts):
        return "balanced_accuracy", (f"one class holds {max(counts) / sum(counts):.0%} of the data, "
                                     "so accuracy says little (HC206)")
    if "balanced_accuracy" in rep.metrics:
        for name, r in reports.items():
            codes = sorted({f.code for f in r.findings} & set(COLLAPSE_CODES))
            if codes:
                return "balanced_accuracy", (
                    f"{name}'s accuracy is about the majority class's share ({', '.join(codes)}): "
                    "on accuracy a model that predicts one class can look as good as one that "
                    "learned, so the verdict uses balanced accuracy")
    return "accuracy", "the number the question is usually asked about"


def _best(reports: dict[str, Report], metric: str) -> str:
    sign = -1 if metric in LOWER_IS_BETTER else 1
    return max(reports, key=lambda n: sign * reports[n].metrics.get(metric, float("-inf")))


def _differences(names, best, reports, values, done, delong, level, unweighted) -> list[Difference]:
    from headcheck.engine.bootstrap import interval

    out = []
    i = names.index(best)
    for j, other in enumerate(names):
        if other == best:
            continue
        for metric, va in values[best].items():
            vb = values[other].get(metric)
            if vb is None or metric not in reports[other].metrics:
                continue
            value = reports[best].metrics[metric] - reports[other].metrics[metric]
            d = va - vb
            lo, hi = interval(d, level)
            test, p = "bootstrap", bootstrap_p(d)
            if unweighted and metric == _mcnemar_metric(done.profiles[0].kind):
                test, p = "McNemar", mcnemar(*done.state.table(i, j)[1:3])
            if metric == "roc_auc" and delong is not None:
                value, lo, hi, p = delong.difference(i, j, level)
                test = "DeLong"
            out.append(Difference(best, other, metric, value, lo, hi, level, p, test))
    return out


def _mcnemar_metric(kind: str) -> str:
    return "subset_accuracy" if kind == "multilabel" else "accuracy"


def _verdict(metric: str, why: str, best: str, reports: dict[str, Report],
             diffs: list[Difference], level: float) -> Verdict:
    mine = [d for d in diffs if d.metric == metric]
    value = reports[best].metrics[metric]
    others = ", ".join(f"{d.b} {reports[d.b].metrics[metric]:.4f}" for d in mine)
    tail = "; ".join(f"{d.a} - {d.b} = {d.value:+.4f}, {level:.0%} CI {d.ci_low:+.4f} to "
                     f"{d.ci_high:+.4f}, {d.test} p {_p(d.p_value)}" for d in mine)
    if not mine:
        return Verdict(metric, None, True, f"{metric} has no interval: the models cannot be "
                       "compared on it here.", why)
    noisy = [d for d in mine if d.within_noise]
    if not noisy:
        text = (f"{best} is better on {metric}: {value:.4f} vs {others} ({tail}).")
        return Verdict(metric, best, False, text, why)
    tied = ", ".join(d.b for d in noisy)
    text = (f"{best} and {tied} cannot be told apart on {metric}: {value:.4f} vs {others}; the "
            f"difference is within noise ({tail}).")
    edge = [d for d in noisy if d.test_disagrees]
    if edge:
        text += (f" Borderline: the interval excludes 0 but {edge[0].test}'s test does not reject at "
                 f"{1 - level:.0%}; more rows would decide.")
    if len(noisy) < len(mine):
        beaten = ", ".join(d.b for d in mine if not d.within_noise)
        text += f" {best} is better than {beaten}."
    return Verdict(metric, None, True, text, why)


def _p(p: float) -> str:
    return "< 0.0001" if p < 1e-4 else f"{p:.4f}" if p < 0.01 else f"{p:.3f}"


# --- the tests ----------------------------------------------------------------------------------
def bootstrap_p(d: np.ndarray) -> float:
    """Two-sided p-value of 'no difference' from paired replicate differences: twice the smaller
    share of replicates on either side of 0, counted as (1 + k) / (1 + B) so it is never 0
    (Davison & Hinkley 1997, ch. 4); its resolution is 2 / (B + 1)."""
    d = np.asarray(d, dtype=np.float64)
    d = d[np.isfinite(d)]
    if len(d) == 0:
        return float("nan")
    below, above = (1 + np.count_nonzero(d <= 0)), (1 + np.count_nonzero(d >= 0))
    return float(min(1.0, 2 * min(below, above) / (len(d) + 1)))


def mcnemar(b: float, c: float) -> float:
    """Two-sided p-value of McNemar's test from the discordant counts (only the first model
    right: b; only the second: c). Below MCNEMAR_EXACT_BELOW discordant rows the exact binomial
    test, else chi-square with Edwards' continuity correction (McNemar 1947; Edwards 1948), as
    statsmodels' `mcnemar(table, exact=True)` / `mcnemar(table, exact=False, correction=True)`."""
    b, c = round(b), round(c)
    n = b + c
    if n == 0:
        return 1.0
    if n < MCNEMAR_EXACT_BELOW:
        k = min(b, c)
        tail = sum(math.comb(n, i) for i in range(k + 1)) / 2.0 ** n
        return min(1.0, 2 * tail)
    stat = (abs(b - c) - 1) ** 2 / n
    return math.erfc(math.sqrt(stat / 2))  # chi-square survival, 1 degree of freedom


__all__ = ["Comparison", "Difference", "Verdict", "bootstrap_p", "compare", "compare_files",
           "mcnemar"]
