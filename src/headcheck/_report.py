"""report(): labels + scores -> every honest metric, every framework view, baselines and findings.

>>> import numpy as np, headcheck
>>> rep = headcheck.report(np.array([0, 1, 1, 0]), np.array([0.2, 0.9, 0.4, 0.1]))
>>> rep.task.kind, rep.metrics["accuracy"]
('binary', 0.75)
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Iterator, Sequence

import numpy as np

from headcheck.errors import naming_files
from headcheck.findings import Finding
from headcheck.gate import as_input_array, infer_task
from headcheck.io import check_weights, default_chunk_rows, open_inputs, progress_callback
from headcheck.task import TaskProfile

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.task import DataFacts

# One line per stable metric id (the ids of the JSON output): what the number means.
METRIC_MEANINGS = {
    "accuracy": "fraction of samples whose predicted class is the true class",
    "balanced_accuracy": "mean of per-class recall: every class counts equally",
    "top_k_accuracy": "fraction of samples whose true class is among the {k} highest scores",
    "macro_precision": "precision per class, averaged with equal class weights",
    "macro_recall": "recall per class, averaged with equal class weights",
    "macro_f1": "F1 per class, averaged with equal class weights",
    "micro_f1": "F1 over all (sample, class) decisions pooled",
    "weighted_f1": "F1 per class, averaged weighted by class support",
    "mcc": "Matthews correlation: 0 = chance, 1 = perfect, robust to imbalance",
    "cohen_kappa": "agreement with the labels beyond chance agreement",
    "log_loss": "mean negative log-probability of the true class (lower is better)",
    "brier": "mean squared error of the probabilities (lower is better)",
    "ece": "expected calibration error: |confidence - accuracy| over bins (lower is better)",
    "roc_auc": "probability a positive is scored above a negative (one-vs-rest macro)",
    "average_precision": "area under the precision-recall curve (one-vs-rest macro)",
    "per_label_accuracy": "fraction of (sample, label) yes/no decisions that are right",
    "subset_accuracy": "fraction of samples with every label right (exact match)",
    "hamming_loss": "fraction of (sample, label) decisions that are wrong (lower is better)",
    "jaccard_samples": "per-sample |predicted AND true| / |predicted OR true|, averaged",
    "mae": "mean absolute error of the predicted class index: how many classes off on average "
           "(lower is better)",
    "rmse": "root mean squared error of the predicted class index: large misses weigh more "
            "(lower is better)",
    "within_one_accuracy": "fraction of samples predicted within one class of the true class",
    "quadratic_weighted_kappa": "agreement beyond chance, a miss weighted by its squared distance "
                                "in classes (1 = perfect, 0 = chance)",
    "spearman": "rank correlation of the true and the predicted class (ties share ranks)",
}
LOWER_IS_BETTER = {"log_loss", "brier", "ece", "hamming_loss", "mae", "rmse"}


def metric_meaning(metric_id: str) -> str:
    if metric_id.startswith("top_k_accuracy@"):
        return METRIC_MEANINGS["top_k_accuracy"].format(k=metric_id.split("@", 1)[1])
    return METRIC_MEANINGS.get(metric_id, "")


@dataclass(frozen=True)
class Report:
    """The result of `report()`: what the data says, every fitting metric, what each framework
    would print, baselines, per-class rows, calibration and findings. Render with `to_text()`,
    `to_markdown()`, `to_json()`; it also renders itself in rich consoles and Jupyter."""

    task: TaskProfile
    metrics: dict[str, float]
    views: dict[str, Any]  # id -> View(value, meaning, fits_task, note)
    baselines: dict[str, Any]  # id -> Baseline(value, meaning, extra)
    per_class: list[dict[str, Any]]
    calibration: Any | None
    confusions: list[tuple[int, int, float]]
    findings: list[Finding]
    facts: DataFacts | None = None
    confusion_matrix: np.ndarray | None = field(default=None, repr=False, compare=False)
    source: str | None = None
    notes: tuple[str, ...] = ()
    # binary / multi-label probabilistic scores: metrics across thresholds, best thresholds
    thresholds: Any | None = field(default=None, repr=False, compare=False)
    # with ci=: metric id -> engine.bootstrap.Interval (ci_low, ci_high, level, method)
    intervals: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    # -- rendering: headcheck.render.report owns every format ------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The JSON contract (stable keys, documented in the README): task, metrics, views, baselines, per_class, findings
        (plus calibration, confusions, source and notes); equal to `--format json`."""
        from headcheck.render.report import to_dict

        return to_dict(self)

    def to_json(self, indent: int | None = 2) -> str:
        from headcheck.render.report import to_json

        return to_json(self, indent)

    def to_markdown(self) -> str:
        from headcheck.render.report import to_markdown

        return to_markdown(self)

    def to_text(self, width: int = 80) -> str:
        from headcheck.render.report import to_text

        return to_text(self, width)

    def render(self, fmt: str = "text", width: int = 80) -> str:
        """'text', 'json', 'markdown' or 'html'."""
        from headcheck.render import render

        return render(self, fmt, width)

    def plot(self, path: str) -> str:
        """Draw the confusion matrix, reliability diagram and per-class bars into one image."""
        from headcheck.plot import plot_report

        return plot_report(self, path)

    def __rich_console__(self, console: Any, options: Any) -> Iterator[Any]:
        from headcheck.render.report import renderables

        yield from renderables(self, min(int(getattr(options, "max_width", 80)), 120))

    def _repr_html_(self) -> str:
        from headcheck.render.report import to_html

        return to_html(self)


# ---------------------------------------------------------------------------------------------
# computing a report
# ---------------------------------------------------------------------------------------------
def report(
    y_true: object,
    y_score: object,
    *,
    sample_weight: object | None = None,
    task: str | None = None,
    threshold: float | None = None,
    score_kind: str | None = None,
    top_k: int | Sequence[int] | None = None,
    chunk_rows: int | None = None,
    progress: bool = False,
    source: str | None = None,
    notes: Sequence[str] = (),
    sample_rows: int | None = None,
    classes: Any = None,
    label_offset: int | None = None,
    ci: float | bool | None = None,
    replicates: int = 200,
    seed: int = 0,
    auc: bool = True,
) -> Report:
    """An honest classification report from labels and scores; nothing given is modified.

    Dask arrays are read block by block, on the active distributed client if there is one
    (`headcheck._sharded.report_dask`); DataFrames go through `report_frame`.

    `task` ('binary'|'multiclass'|'multilabel'), `threshold` and `score_kind`
    ('probabilities'|'independent'|'logits'|'hard') override what is inferred; `classes` (the label
    value of each output in output order, e.g. [1, 2, 3, 4, 5], or display names) or
    `label_offset` (label value of output 0) say which label is which output; `progress=True`
    draws a progress bar on stderr when it is a terminal; `sample_rows` bounds the rows looked at
    to infer the score kind (verified over the whole pass). `ci=0.95` (or True) adds percentile
    bootstrap intervals to the metrics (`Report.intervals`), from `replicates` Poisson-weighted
    replicates computed in the same pass (`headcheck.engine.bootstrap`; `seed` fixes them).
    `top_k` (a number or a list of them) asks for top-k accuracies, each in 2..K-1 (default:
    top-5 where it means something); every option is validated by `headcheck.gate.options`.
    Masked rows of numpy masked arrays are left out, and the report says so. `auc=False` skips ROC AUC and average
    precision (the rank metrics: the costliest part of the pass).

    The data passes the gate (`headcheck.gate.infer_task`, then one canonical chunk at a time)
    and the one metric pass (`headcheck.engine.pipeline.run_pass`); labels that are not class
    labels, or class indices without a score column, raise InputError (`headcheck.gate.policy`).

    >>> import numpy as np
    >>> rep = report(np.array([0, 2, 1, 2]), np.eye(3)[[0, 2, 2, 2]] * 0.8 + 0.2 / 3)
    >>> round(rep.metrics["accuracy"], 2), rep.views["keras.binary_accuracy"].fits_task
    (0.75, False)
    """
    from headcheck.engine.bootstrap import requested
    from headcheck.engine.pipeline import array_parts, run_pass
    from headcheck.gate.arrays import masked_note, unmask
    from headcheck.gate.options import check_options, check_top_k, parse_top_k
    from headcheck.gate.weights import scale_weights

    check_options(task=task, threshold=threshold, score_kind=score_kind)
    top_k = parse_top_k(top_k)
    (y_true, y_score, sample_weight), masked = unmask([y_true, y_score, sample_weight])
    notes = tuple(notes) + ((masked_note(masked),) if masked else ())
    level, reps = requested(ci, replicates, seed)
    if any(callable(getattr(x, "__dask_graph__", None)) for x in (y_true, y_score, sample_weight)):
        from headcheck._sharded import report_dask  # Dask arrays: one part per block

        return report_dask(y_true, y_score, sample_weight=sample_weight, task=task,
                           threshold=threshold, score_kind=score_kind, top_k=top_k,
                           chunk_rows=chunk_rows, progress=progress, description=source,
                           notes=notes, sample_rows=sample_rows, classes=classes,
                           label_offset=label_offset, auc=auc, ci=ci, replicates=replicates,
                           seed=seed)
    yt = as_input_array(y_true, "labels")
    ys = as_input_array(y_score, "scores")
    extra = {} if sample_rows is None else {"sample_rows": sample_rows}
    profile = infer_task(yt, ys, task=task, threshold=threshold, score_kind=score_kind,  # type: ignore[arg-type]
                         classes=classes, label_offset=label_offset, **extra)
    w = None if sample_weight is None else check_weights(sample_weight, len(yt))
    if w is not None:
        w, scaled = scale_weights(w)
        notes += (scaled,) if scaled else ()
    done = run_pass(profile, array_parts(yt, ys, w, chunk_rows or default_chunk_rows(ys)),
                    top_k=check_top_k(profile, top_k), replicates=reps, auc=auc,
                    progress=(lambda total: progress_callback(total, "headcheck report")) if progress else None)
    res = done.result()
    rep = _assemble(done.profile, res, source, tuple(notes) + tuple(res.notes))
    return with_intervals(rep, done.state, level)


def with_intervals(rep: Report, state: Any, level: float | None) -> Report:
    """`rep` with the bootstrap intervals its pass's state kept at `level` (None: as it is)."""
    if level is None:
        return rep
    from headcheck.engine.bootstrap import describe, intervals

    return replace(rep, intervals=intervals(state, level),
                   notes=rep.notes + (describe(state.replicates, level),))


def _assemble(profile: TaskProfile, res: Any, source: str | None, notes: tuple[str, ...]) -> Report:
    from headcheck.rules import Context, run_rules

    facts = res.facts
    counts = getattr(facts, "class_counts", None)
    if counts:
        profile = replace(profile, class_counts=tuple(float(c) for c in counts))
    findings = run_rules(Context(task=profile, data=facts))
    return Report(
        task=profile,
        metrics=dict(res.metrics),
        views=dict(res.views),
        baselines=dict(res.baselines),
        per_class=list(res.per_class),
        calibration=res.calibration,
        confusions=[(int(t), int(p), float(c)) for t, p, c in res.confusions],
        findings=findings,
        facts=facts,
        confusion_matrix=getattr(res, "confusion_matrix", None),
        source=source,
        notes=notes,
        thresholds=getattr(res, "thresholds", None),
    )


def report_files(
    paths: Sequence[str],
    *,
    labels_key: str | None = None,
    scores_key: str | None = None,
    label_column: str | None = None,
    weights: str | None = None,
    tmp_dir: str | None = None,
    **kwargs: Any,
) -> Report:
    """`report()` on files: `[data_file]` (npz/csv/parquet holding both) or `[labels, scores]`.

    Every format streams with bounded memory: csv/parquet/compressed-npz data is parsed in chunks
    into temporary memory-mapped files in `tmp_dir` (default TMPDIR), removed before returning.

    >>> # report_files(["labels.npy", "scores.npy"], task="multiclass")
    """
    with open_inputs(paths, labels_key=labels_key, scores_key=scores_key, label_column=label_column,
                     weights=weights, tmp_dir=tmp_dir, progress=bool(kwargs.get("progress"))) as inputs, \
            naming_files(_roles(paths, weights), inputs.source):
        return report(inputs.y_true, inputs.y_score, sample_weight=inputs.sample_weight,
                      source=inputs.source, notes=inputs.notes, **kwargs)


def _roles(paths: Sequence[str], weights: str | None) -> dict[str, str]:
    """The file each input role came from, for error messages (`headcheck.errors.naming_files`)."""
    paths = [str(p) for p in paths]
    roles = {"labels": paths[0], "scores": paths[-1]}
    if weights is not None:
        roles["weights"] = str(weights)
    return roles
