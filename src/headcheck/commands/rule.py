"""`headcheck rule HC101`: one rule's page."""
from __future__ import annotations

import argparse
import json

from headcheck.errors import InputError

NAME = "rule"
HELP = "show one rule's page (e.g. headcheck rule HC101)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("code", help="a rule code such as HC101 (or its name, e.g. single-unit-softmax)")
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text")


def run(args: argparse.Namespace) -> int:
    from headcheck.rules import all_rules
    from headcheck.rules._docs import RESERVED, rule_dict, rule_markdown

    wanted = args.code.strip()
    for rule in all_rules():
        if wanted.upper() == rule.code or wanted.lower() == rule.name:
            if args.format == "json":
                print(json.dumps({**rule_dict(rule), "doc": rule_markdown(rule)}, indent=2))
            else:
                print(rule_markdown(rule), end="")
            return 0
    if wanted.upper() in RESERVED:
        name, summary = RESERVED[wanted.upper()]
        print(f"{wanted.upper()} {name} (reserved): {summary}\n"
              "This code is reserved for the training callbacks and is not implemented yet.")
        return 0
    codes = ", ".join(r.code for r in all_rules())
    raise InputError(
        f"unknown rule {args.code!r}: expected one of the codes {codes} (or a rule name). "
        "Run `headcheck rules` for the catalogue."
    )
