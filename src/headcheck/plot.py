"""Plots of a Report: confusion matrix (top confusions when K is large), reliability diagram and
per-class bars, in one PNG. Needs matplotlib (`pip install headcheck[plot]`).
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

from headcheck.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from headcheck._report import Report

MAX_MATRIX = 20  # classes drawn as a matrix; above this, a bar chart of the top confusions
MAX_BARS = 30


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only: no display needed, works in CI and over ssh
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise InputError("--plot needs matplotlib, which is not installed. Install it with: "
                         "pip install headcheck[plot]") from e
    return plt


def check_plot_path(path: str) -> str:
    """Validate a plot path before anything is computed: a file (not a folder) in an existing folder,
    with an extension matplotlib writes. InputError otherwise (the CLI exits 2)."""
    if os.path.isdir(path):
        raise InputError(f"--plot: {path} is a folder; give a file name such as "
                         f"{os.path.join(path, 'report.png')}.")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise InputError(f"--plot: the folder {parent} does not exist; create it or pick another path.")
    ext = os.path.splitext(path)[1].lstrip(".").lower()
    _pyplot()
    from matplotlib.backend_bases import FigureCanvasBase

    known = FigureCanvasBase.get_supported_filetypes()
    if ext not in known:
        got = f"'.{ext}'" if ext else "no extension"
        raise InputError(f"--plot: expected a file name ending in one of "
                         f"{', '.join('.' + k for k in sorted(known))} (e.g. report.png); got {got} "
                         f"in {path!r}.")
    return path


def plot_report(rep: Report, path: str) -> str:
    """Write the panels to `path` (PNG, or any format matplotlib knows by extension): confusions
    (per-label positives for multi-label data), reliability, per class, the framework views
    against the honest metric with the findings, and the thresholds when the report has them."""
    check_plot_path(path)
    plt = _pyplot()
    panels = [_confusions, _reliability, _per_class, _views]
    if rep.calibration is None:
        panels.remove(_reliability)  # no probabilities: no empty panel
    if rep.thresholds is not None and _inner_thresholds(rep).size > 1:
        panels.append(_thresholds)  # constant scores have no curve to draw: no empty panel
    if _all_zero(rep):
        panels.remove(_per_class)  # nothing predicted: the first panel says so, no empty bars
    # constrained layout spaces each panel by its own labels (tight_layout gave every gap the width
    # of the views panel's long names, squeezing the bar panels until their labels overlapped)
    fig, axes = plt.subplots(1, len(panels), figsize=(5.4 * len(panels), 5.2), layout="constrained")
    try:
        for draw, ax in zip(panels, axes):
            draw(ax, rep)
        fig.suptitle(f"headcheck: {rep.task.kind}, {rep.task.n_classes} "
                     f"{'labels' if rep.task.kind == 'multilabel' else 'classes'}, {rep.task.n_samples} samples")
        fig.savefig(path, dpi=110, bbox_inches="tight")  # no label clipped at the edges
    except OSError as e:
        raise InputError(f"--plot: cannot write {path} ({e}).") from e
    finally:
        plt.close(fig)
    return path


def _views(ax: Any, rep: Report) -> None:
    """What each framework would print next to the honest number, misleading views in red, and
    the findings' codes: the report's message in one panel."""
    from headcheck._explain import default_metric

    items = [(k, float(v.value), bool(v.fits_task)) for k, v in rep.views.items()
             if v.value is not None and np.isfinite(v.value)][:MAX_BARS]
    honest = default_metric(rep.task.kind)
    y = np.arange(len(items))
    ax.barh(y, [v for _, v, _ in items], color=["tab:green" if f else "tab:red" for _, _, f in items])
    ax.set_yticks(y, [k for k, _, _ in items], fontsize=7)
    ax.invert_yaxis()
    if honest in rep.metrics and np.isfinite(rep.metrics[honest]):
        ax.axvline(rep.metrics[honest], color="black", linestyle="--",
                   label=f"honest {honest} {rep.metrics[honest]:.4f}")
        ax.legend(fontsize=7, loc="lower right")
    ax.set_title("framework views (red: misleading)")
    ax.set_xlabel("value")
    codes = [f"{f.code} {f.name}" for f in rep.findings[:6]]
    # one finding a line: a long single line widened the panel's box and pushed the next panel away
    text = "findings: " + ("\n".join(codes) if codes else "none")
    ax.text(0.0, -0.16, text, transform=ax.transAxes, fontsize=7, va="top")


def _multilabel_positives(ax: Any, rep: Report) -> None:
    rows = sorted(rep.per_class, key=lambda r: -float(r.get("support", 0)))[:MAX_BARS]
    x = np.arange(len(rows))
    ax.bar(x - 0.2, [float(r.get("support", 0)) for r in rows], width=0.4, label="true positives")
    ax.bar(x + 0.2, [float(r.get("predicted", 0)) for r in rows], width=0.4, label="predicted positives")
    ax.set_xticks(x, [str(r.get("name", r.get("class"))) for r in rows], rotation=90 if len(rows) > 6 else 0,
                  fontsize=8)
    ax.set_title("positives per label: true vs predicted"
                 + (f" (largest {len(rows)})" if len(rep.per_class) > len(rows) else ""))
    ax.legend(fontsize=7)
    if not any(float(r.get("predicted", 0)) > 0 for r in rows):
        _empty_note(ax, f"no label is predicted positive at {rep.task.threshold:g}")


def _empty_note(ax: Any, text: str) -> None:
    """Say it in the panel when the bars are all zero (an empty-looking panel is not empty data)."""
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=9,
            color="tab:red", wrap=True, bbox={"facecolor": "white", "alpha": 0.9, "edgecolor": "none"})


def _confusions(ax: Any, rep: Report) -> None:
    if rep.task.kind == "multilabel":
        _multilabel_positives(ax, rep)
        return
    m = rep.confusion_matrix
    k = rep.task.n_classes
    if m is not None and k <= MAX_MATRIX and rep.task.kind != "multilabel":
        im = ax.imshow(np.asarray(m, dtype=float), cmap="Blues")
        names = [rep.task.class_name(i) for i in range(k)]
        ax.set_xticks(range(k), names, rotation=90 if k > 6 else 0, fontsize=8)
        ax.set_yticks(range(k), names, fontsize=8)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title("confusion matrix")
        ax.figure.colorbar(im, ax=ax, fraction=0.046)
        return
    top = rep.confusions[:MAX_BARS]
    if not top:
        ax.text(0.5, 0.5, "no confusions to show", ha="center", va="center")
        ax.set_axis_off()
        return
    labels = [f"{rep.task.class_name(t)} -> {rep.task.class_name(p)}" for t, p, _ in top][::-1]
    ax.barh(range(len(top)), [c for _, _, c in top][::-1], color="tab:red")
    ax.set_yticks(range(len(top)), labels, fontsize=7)
    ax.set_xlabel("weight")
    ax.set_title(f"top {len(top)} confusions (true -> predicted)")


def _reliability(ax: Any, rep: Report) -> None:
    cal = rep.calibration
    if cal is None:
        ax.text(0.5, 0.5, "hard predictions: no calibration", ha="center", va="center")
        ax.set_axis_off()
        return
    edges = np.asarray(cal.edges, dtype=float)
    counts = np.asarray(cal.counts, dtype=float)
    centers = (edges[:-1] + edges[1:]) / 2
    used = counts > 0
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    ax.bar(centers[used], np.asarray(cal.accuracy, dtype=float)[used], width=np.diff(edges)[used],
           alpha=0.6, edgecolor="black", label="accuracy in bin")
    ax.plot(np.asarray(cal.mean_confidence, dtype=float)[used], np.asarray(cal.accuracy, dtype=float)[used],
            "o-", color="tab:orange", label="mean confidence vs accuracy")
    ece = rep.metrics.get("ece")
    ax.set_title("reliability diagram" + (f" (ECE {ece:.3f})" if ece is not None else ""))
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, loc="upper left")


def _all_zero(rep: Report) -> bool:
    """Whether precision, recall and F1 are 0 for every class (a per-class panel would be empty)."""
    return bool(rep.per_class) and not any(float(r.get(k, 0.0)) > 0 for r in rep.per_class
                                           for k in ("precision", "recall", "f1"))


def _per_class(ax: Any, rep: Report) -> None:
    rows = sorted(rep.per_class, key=lambda r: -float(r.get("support", 0)))[:MAX_BARS]
    if not rows:
        ax.set_axis_off()
        return
    x = np.arange(len(rows))
    for i, key in enumerate(("precision", "recall", "f1")):
        ax.bar(x + (i - 1) * 0.27, [float(r.get(key, 0.0)) for r in rows], width=0.27, label=key)
    ax.set_xticks(x, [str(r.get("name", r.get("class"))) for r in rows], rotation=90 if len(rows) > 6 else 0,
                  fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_title("per class" + (f" (largest {len(rows)} by support)" if len(rep.per_class) > len(rows) else ""))
    ax.legend(fontsize=7)
    if not any(float(r.get(k, 0.0)) > 0 for r in rows for k in ("precision", "recall", "f1")):
        _empty_note(ax, "precision, recall and F1 are 0 for every "
                    + ("label" if rep.task.kind == "multilabel" else "class"))


def _inner_thresholds(rep: Report) -> np.ndarray:
    """The curve's thresholds strictly between 0 and 1 (0 and 1 lie below / above every score)."""
    if rep.thresholds is None:
        return np.zeros(0)
    t = np.asarray(rep.thresholds.curve["threshold"], dtype=float)
    return t[(t > 0) & (t < 1)]


def _thresholds(ax: Any, rep: Report) -> None:
    """Precision, recall, F1 and balanced accuracy across thresholds (binary: positive class;
    multi-label: every label pooled), with the threshold in use and the best F1 threshold."""
    th = rep.thresholds
    curve = th.curve
    t = np.asarray(curve["threshold"], dtype=float)
    for key, style in (("precision", ":"), ("recall", "--"), ("f1", "-"),
                       ("balanced_accuracy", "-.")):
        label = "micro_f1" if key == "f1" and rep.task.kind == "multilabel" else key
        ax.plot(t, curve[key], style, label=label)
    # the two thresholds are named in the legend, which sits below the axes: text drawn inside
    # the panel lands on the curves wherever they happen to run
    ax.axvline(th.current, color="grey", lw=1, label=f"threshold in use {th.current:g}")
    best = th.overall.best.get("f1")
    if best is not None:
        f1 = "micro-F1" if rep.task.kind == "multilabel" else "F1"
        ax.axvline(best.threshold, color="black", lw=1.2,
                   label=f"best {f1} {best.value:.3f} at {best.threshold:.3g}")
    from matplotlib.ticker import LogitFormatter

    ax.set_xscale("logit")  # both tails of the scores are readable
    # 0.5 as '0.5' (matplotlib's logit axis writes it as a fraction, 1/2)
    ax.xaxis.set_major_formatter(LogitFormatter(one_half="0.5"))
    ax.xaxis.set_minor_formatter(LogitFormatter(one_half="0.5", minor=True))
    inner = _inner_thresholds(rep)
    if inner.size:
        # the threshold in use and the best one stay in view: when every score is below 0.5, the
        # gap between the curves and the line at 0.5 is the message
        marks = [th.current] + ([best.threshold] if best is not None else [])
        lo = max(min(inner.min(), *marks), 1e-6)
        hi = min(max(inner.max(), *marks), 1 - 1e-6)
        pad = (hi / (1 - hi)) / (lo / (1 - lo))  # the span in odds: pad 5 % of it on each side
        ax.set_xlim(lo / (1 + (pad ** 0.05 - 1)), 1 - (1 - hi) / pad ** 0.05)
    ax.set_ylim(0, 1)
    ax.set_xlabel("threshold")
    ax.set_title("metrics across thresholds" + (" (labels pooled)" if rep.task.kind == "multilabel" else ""))
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
