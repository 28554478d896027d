"""`headcheck compare`: the same labels, two or more models' scores, side by side with confidence
intervals and paired tests."""
from __future__ import annotations

import argparse

from headcheck.commands._inputs import add_ci_arguments, add_class_arguments
from headcheck.errors import InputError
from headcheck.task import TASK_KINDS

NAME = "compare"
HELP = "two or more models on the same labels: every metric with confidence intervals, paired tests, a verdict"
DESCRIPTION = (HELP + ". Example: headcheck compare labels.npy bce.npy cce.npy. Exit code 0; 2 for "
               "bad input.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("labels", metavar="LABELS", help="the labels (.npy, .npz, .csv, .parquet)")
    p.add_argument("scores", nargs="+", metavar="SCORES",
                   help="one scores file per model, on the same rows (at least two)")
    p.add_argument("--name", action="append", metavar="NAME",
                   help="name of a model, in the order of the score files (repeatable; default: "
                        "the file names)")
    p.add_argument("--metric", help="the metric of the verdict (default: accuracy; balanced_accuracy "
                                    "on imbalanced data; micro_f1 for multi-label)")
    p.add_argument("--labels-key", help=".npz: name of the labels array")
    p.add_argument("--scores-key", help=".npz: name of the scores array in each scores file")
    p.add_argument("--weights", metavar="FILE", help="sample weights, one per sample")
    p.add_argument("--tmp-dir", metavar="DIR", help="where csv/parquet/compressed-npz data is spooled")
    p.add_argument("--task", help="binary, multiclass or multilabel (default: inferred)")
    add_class_arguments(p)  # 1-based ratings: the labels error points at these options
    p.add_argument("--threshold", type=float, help="decision threshold on probabilities (default 0.5)")
    p.add_argument("--score-kind", choices=("probabilities", "independent", "logits", "hard"),
                   help="how to read every model's scores (default: inferred per model)")
    p.add_argument("--top-k", type=int, action="append", metavar="K", help="top-K accuracy (default 5)")
    p.add_argument("--format", default="text", choices=("text", "json", "markdown", "html"))
    add_ci_arguments(p, default=0.95)


def run(args: argparse.Namespace) -> int:
    from headcheck._compare import compare_files
    from headcheck.commands.report import _width  # the report's width: the same terminal
    from headcheck.render import render

    if len(args.scores) < 2:
        raise InputError(f"compare: expected the labels and at least two scores files; got "
                         f"{len(args.scores)} scores file. Example: headcheck compare labels.npy "
                         "bce.npy cce.npy")
    if args.task is not None and args.task not in TASK_KINDS:
        raise InputError(f"--task: expected one of {', '.join(TASK_KINDS)}; got {args.task!r}.")
    from headcheck.io.shards import _is_spec

    for path in (args.labels, *args.scores):
        if _is_spec(path):
            raise InputError(f"compare: {path!r} is a glob, a directory or a URL (shards); "
                             "compare reads one local labels file and one local scores file per "
                             "model. Concatenate the shards into one file each, or report each "
                             "model over its shards with `headcheck report ... --ci`.")
    result = compare_files(
        args.labels, args.scores, names=args.name, labels_key=args.labels_key,
        scores_key=args.scores_key, weights=args.weights, tmp_dir=args.tmp_dir, task=args.task,
        threshold=args.threshold, score_kind=args.score_kind, top_k=tuple(args.top_k) if args.top_k else None,
        classes=args.classes, label_offset=args.label_offset, metric=args.metric, ci=args.ci, replicates=args.replicates, seed=args.seed,
        progress=True)
    print(render(result, args.format, _width()))
    return 0
