"""`headcheck explain`: which definitions produce a reported number."""
from __future__ import annotations

import argparse

from headcheck.commands._inputs import add_input_arguments, report_kwargs

NAME = "explain"
HELP = "which metric or framework definition produces a reported number, and the honest one"
DESCRIPTION = (HELP + ". Example: headcheck explain labels.npy scores.npy --reported 0.90 "
               "(also 90 or 90%). Exit code 0; 2 for bad input.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_input_arguments(p)
    p.add_argument("--reported", required=True, help="the number someone reported: 0.9, 90 or 90%%")
    p.add_argument("--tolerance", type=float,
                   help="how close counts as a match (default: max(5e-4, 0.5/N))")
    p.add_argument("--name", help="what the number was called, e.g. val_binary_accuracy (optional)")


def run(args: argparse.Namespace) -> int:
    from headcheck._explain import explain_files
    from headcheck.render import render

    ex = explain_files(args.files, args.reported, tolerance=args.tolerance, name=args.name,
                       progress=True, **report_kwargs(args))
    print(render(ex, args.format))
    return 0
