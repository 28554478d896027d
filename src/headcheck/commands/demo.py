"""`headcheck demo`: the embedded default run (small scikit-learn models on bundled data);
`headcheck demo --keras`: tiny real Keras trainings with the HeadCheck callback
(`headcheck.demo_keras`; a note instead when Keras is not installed)."""
from __future__ import annotations

import argparse

NAME = "demo"
HELP = "small scikit-learn models on bundled data: what each framework prints vs what is true"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--keras", action="store_true",
                   help="tiny real Keras trainings with the headcheck.keras.HeadCheck callback: what "
                   "Keras logged beside what the callback reported and found (needs Keras)")


def run(args: argparse.Namespace) -> int:
    if getattr(args, "keras", False):
        from headcheck.demo_keras import run_keras_demo

        print(run_keras_demo())
        return 0
    from headcheck.demo import run_demo

    print(run_demo())
    return 0
