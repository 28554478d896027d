"""Input options shared by `report` and `explain`."""
from __future__ import annotations

import argparse

from headcheck.errors import InputError
from headcheck.task import TASK_KINDS


def add_input_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="labels and scores: one .npz/.csv/.parquet holding both, or LABELS SCORES "
                        "(.npy, .npz, .csv, .parquet); report also reads shards: a quoted glob "
                        "('preds/*.parquet'), a directory, several files or fsspec URLs")
    p.add_argument("--labels-key", help=".npz: name of the labels array (default: y_true, labels or y)")
    p.add_argument("--scores-key", help=".npz: name of the scores array (default: y_score, scores, "
                                        "y_pred or probs)")
    p.add_argument("--label-column", help="csv/parquet holding both: the labels column, by name or "
                                          "0-based index (default: the first)")
    p.add_argument("--weights", metavar="FILE", help="sample weights, one per sample (.npy/.csv/...)")
    p.add_argument("--tmp-dir", metavar="DIR",
                   help="where csv/parquet/compressed-npz data is spooled while it is read (default: "
                        "TMPDIR); the files are removed afterwards")
    p.add_argument("--task", help="binary, multiclass, multilabel or ordinal (ordered classes: never inferred; default: inferred from the data)")
    add_class_arguments(p)
    p.add_argument("--threshold", type=float, help="decision threshold on probabilities (default 0.5)")
    p.add_argument("--score-kind", choices=("probabilities", "independent", "logits", "hard", "regression", "cumulative", "cumulative-logits"),
                   help="how to read the scores (default: inferred)")
    p.add_argument("--top-k", type=int, action="append", metavar="K",
                   help="top-K accuracy to report (repeatable; default 5)")
    p.add_argument("--format", default="text", choices=("text", "json", "markdown", "html"))


def add_class_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--classes", metavar="LIST",
                   help="which label is which output: the label values in output order (1,2,3,4,5), "
                        "class names (bad,ok,good), or @FILE with one per line")
    p.add_argument("--label-offset", type=int, metavar="N",
                   help="label value of output 0 (1 for ratings 1..K); label v is output v - N")


def report_kwargs(args: argparse.Namespace) -> dict:
    if args.task is not None and args.task not in TASK_KINDS:
        raise InputError(f"--task: expected one of {', '.join(TASK_KINDS)}; got {args.task!r}. "
                         "Leave it out to infer the task from the data.")
    from headcheck.io.shards import is_sharded

    if len(args.files) > 2 and not is_sharded(args.files):
        raise InputError(f"expected one data file or two files (labels, scores); got {len(args.files)}: "
                         f"{args.files}. Example: headcheck report labels.npy scores.npy")
    return dict(
        labels_key=args.labels_key, scores_key=args.scores_key, label_column=args.label_column,
        weights=args.weights, tmp_dir=args.tmp_dir, task=args.task, threshold=args.threshold,
        score_kind=args.score_kind,
        top_k=tuple(args.top_k) if args.top_k else None,  # validated by headcheck.gate.options
        classes=args.classes, label_offset=args.label_offset,
    )


def add_ci_arguments(p: argparse.ArgumentParser, default: float | None = None) -> None:
    """--ci [LEVEL], --replicates, --seed: bootstrap confidence intervals (report, compare)."""
    p.add_argument("--ci", nargs="?", type=float, const=0.95, default=default, metavar="LEVEL",
                   help="confidence intervals of the metrics at LEVEL (default 0.95): a Poisson "
                        "bootstrap computed in the same pass")
    p.add_argument("--replicates", type=int, default=200, metavar="N",
                   help="bootstrap replicates (default 200)")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap weights (default 0)")


def ci_kwargs(args: argparse.Namespace) -> dict:
    return {"ci": args.ci, "replicates": args.replicates, "seed": args.seed}
