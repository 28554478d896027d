"""`headcheck demo`: the embedded default run (small scikit-learn models on bundled data)."""
from __future__ import annotations

import argparse

NAME = "demo"
HELP = "small scikit-learn models on bundled data: what each framework prints vs what is true"


def add_arguments(p: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    from headcheck.demo import run_demo

    print(run_demo())
    return 0
