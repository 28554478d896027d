"""`headcheck check`: a declared head checked against labels or a stated task."""
from __future__ import annotations

import argparse
import sys

NAME = "check"
HELP = "check a declared head (activation, units, loss, metrics) against labels or a task"
DESCRIPTION = (
    "Check a classifier head before training: "
    "headcheck check --activation softmax --units 10 --loss binary_crossentropy --metric accuracy "
    "--labels y.npy [--framework keras==2.2.4]. Use --task multilabel instead of --labels when no "
    "labels are at hand. Exit code 1 when a finding is a warning or an error, 0 otherwise, 2 for "
    "bad input."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    head = parser.add_argument_group("the head")
    head.add_argument("--activation", help="last activation: softmax, sigmoid, linear (logits), "
                      "log_softmax, relu, ... (Keras or PyTorch spellings)")
    head.add_argument("--units", type=int, help="number of outputs of the last layer")
    head.add_argument("--loss", help="loss: binary_crossentropy, categorical_crossentropy, "
                      "sparse_categorical_crossentropy, mse, nn.CrossEntropyLoss, nn.BCEWithLogitsLoss, ...")
    logits = head.add_mutually_exclusive_group()
    logits.add_argument("--from-logits", dest="from_logits", action="store_true", default=None,
                        help="the loss was given from_logits=True")
    logits.add_argument("--no-from-logits", dest="from_logits", action="store_false",
                        help="the loss was given from_logits=False")
    head.add_argument("--metric", action="append", default=[], metavar="METRIC",
                      help="a reported metric (repeatable): accuracy, binary_accuracy, "
                      "categorical_accuracy, torchmetrics.Accuracy, ...")
    head.add_argument("--framework", help="framework and version: keras==2.2.4, tf.keras==2.1, keras==3.6, torch")
    head.add_argument("--label-encoding", dest="label_encoding",
                      help="label encoding visible in the program when no labels are given: integer, one-hot, multi-hot")
    data = parser.add_argument_group("the task")
    data.add_argument("--labels", help="labels as a .npy file: (N,) class indices or an (N, K) 0/1 matrix")
    from headcheck.commands._inputs import add_class_arguments

    add_class_arguments(data)
    data.add_argument("--task", choices=("binary", "multiclass", "multilabel", "ordinal"),
                      help="the task, when no labels are given (or to state that classes are ordered)")
    out = parser.add_argument_group("output")
    out.add_argument("--format", choices=("text", "json", "markdown", "html"), default="text")
    out.add_argument("--select", action="append", metavar="CODES",
                     help="only these codes or prefixes (comma-separated, repeatable; e.g. HC1,HC301)")
    out.add_argument("--ignore", action="append", metavar="CODES",
                     help="skip these codes or prefixes (comma-separated, repeatable)")


def run(args: argparse.Namespace) -> int:
    from headcheck._check import check, load_labels
    from headcheck.errors import InputError
    from headcheck.head import HeadSpec
    from headcheck.render import render
    from headcheck.selection import Selection

    chosen = Selection.parse(args.select, args.ignore)  # bad codes: exit 2 before anything runs
    if args.activation is None and args.units is None and args.loss is None and not args.metric:
        raise InputError(
            "check: expected a head to check; got none of --activation, --units, --loss, --metric. "
            "Describe the head, e.g. --activation softmax --units 10 --loss categorical_crossentropy "
            "--metric accuracy."
        )
    head = HeadSpec.declared(
        activation=args.activation, units=args.units, loss=args.loss, from_logits=args.from_logits,
        metrics=args.metric, framework=args.framework, labels=args.label_encoding,
    )
    from contextlib import nullcontext

    from headcheck.errors import naming_files

    labels = load_labels(args.labels) if args.labels else None
    named = naming_files({"labels": args.labels}, args.labels) if args.labels else nullcontext()
    with named:  # an error about the labels names their file
        result = check(head, labels, task=args.task, select=chosen.select, ignore=chosen.ignore,
                       classes=args.classes, label_offset=args.label_offset)
    sys.stdout.write(_line(render(result, args.format)))
    return result.exit_code


def _line(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"
