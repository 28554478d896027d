"""The `headcheck` command line.

Each subcommand lives in its own module under `headcheck.commands` and defines:

    NAME = "report"                 # the subcommand
    HELP = "one line for --help"
    def add_arguments(parser: argparse.ArgumentParser) -> None: ...
    def run(args: argparse.Namespace) -> int: ...   # the exit code

Exit codes: 0 clean, 1 findings, 2 usage or input error, 3 a run that could not complete (a
Dask cluster that lost its workers). An InputError (bad input) prints its
one-paragraph message and exits 2 without a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from types import ModuleType

from headcheck import __version__
from headcheck.errors import ExecutionError, InputError

# Order in `headcheck --help`; modules not listed here follow alphabetically.
_ORDER = ("report", "compare", "explain", "check", "lint", "rules", "rule", "demo")


def _command_modules() -> list[ModuleType]:
    import headcheck.commands as pkg

    modules = [
        importlib.import_module(f"{pkg.__name__}.{info.name}")
        for info in pkgutil.iter_modules(pkg.__path__)
        if not info.name.startswith("_")
    ]
    rank = {name: i for i, name in enumerate(_ORDER)}
    return sorted(modules, key=lambda m: (rank.get(m.NAME, len(rank)), m.NAME))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="headcheck",
        description="Does your classifier's head (activation x loss x labels x metric) fit the task?",
    )
    parser.add_argument("--version", action="version", version=f"headcheck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules():
        p = sub.add_parser(module.NAME, help=module.HELP, description=getattr(module, "DESCRIPTION", module.HELP))
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "_run", None) is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args._run(args))
    except InputError as e:
        print(f"headcheck {args.command}: error: {e}", file=sys.stderr)
        return 2
    except ExecutionError as e:  # e.g. a Dask cluster that lost its workers: no partial result
        print(f"headcheck {args.command}: error: {e}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("headcheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `headcheck report ... | head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
