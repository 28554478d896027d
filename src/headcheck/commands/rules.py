"""`headcheck rules`: the rule catalogue as a table, JSON or the Markdown reference."""
from __future__ import annotations

import argparse
import json

NAME = "rules"
HELP = "list the rule catalogue (text, JSON, or the Markdown reference of docs/rules.md)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                        help="text table (default), JSON, or the full Markdown reference")


def run(args: argparse.Namespace) -> int:
    from headcheck.rules._docs import catalogue_dict, catalogue_markdown, catalogue_text

    if args.format == "json":
        print(json.dumps(catalogue_dict(), indent=2))
    elif args.format == "markdown":
        print(catalogue_markdown(), end="")
    else:
        print(catalogue_text(), end="")
    return 0
