"""`headcheck lint PATHS...`: find head mistakes in Python files and notebooks, ruff-style."""
from __future__ import annotations

import argparse
import sys

NAME = "lint"
HELP = "find head mistakes in Keras / PyTorch source files and notebooks (never runs them)"
DESCRIPTION = (
    "Read .py files and .ipynb notebooks (without importing or running them), find each model's "
    "head (last activation, units, loss, metrics, visible label encoding) and report the rule "
    "catalogue's findings as path:row:col: CODE message. Exit codes: 0 clean, 1 findings, 2 usage "
    "error, a path that cannot be read or an internal error in one file (the other files are still "
    "linted). Configuration: [tool.headcheck] in pyproject.toml "
    "(select, ignore, per-file-ignores, exclude, extend-exclude); suppress with `# noqa: HC101`. "
    "A head whose loss or output cannot be followed (a value read at run time, another module) is "
    "counted as skipped with the reason; --show-skipped lists them."
)


def _codes(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [c for v in values for c in v.split(",") if c.strip()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", default=["."], help="files or directories (default: .)")
    parser.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text",
                        help="output format (default: text)")
    parser.add_argument("--output-format", dest="format", choices=("text", "json", "sarif", "github"),
                        help=argparse.SUPPRESS)  # ruff's spelling
    parser.add_argument("--select", action="append", metavar="CODES",
                        help="only these codes or prefixes, comma-separated (replaces the config's select)")
    parser.add_argument("--ignore", action="append", metavar="CODES",
                        help="skip these codes or prefixes, comma-separated (added to the config's ignore)")
    parser.add_argument("--exclude", action="append", metavar="GLOBS",
                        help="globs of files/directories not to lint (replaces the default and configured excludes)")
    parser.add_argument("--extend-exclude", action="append", metavar="GLOBS",
                        help="globs to exclude in addition to the default and configured ones")
    parser.add_argument("--show-skipped", action="store_true",
                        help="list each head that could not be checked and why (they are always counted; "
                        "JSON and SARIF always carry them)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar, even on a terminal")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="worker processes (default: one per core when there are many files)")


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from headcheck.lint.config import check_codes, find_pyproject, load_config
    from headcheck.render.lint import render
    from headcheck.lint.runner import lint_paths

    config = load_config(find_pyproject(args.paths[0] if args.paths else "."))
    if args.select is not None:
        config = replace(config, select=check_codes(args.select, "--select"))
    if args.ignore:
        config = replace(config, ignore=config.ignore + check_codes(args.ignore, "--ignore"))
    exclude = _codes(args.exclude)
    if exclude is not None:
        config = replace(config, exclude=tuple(exclude), extend_exclude=())
    extend = _codes(args.extend_exclude)
    if extend:
        config = replace(config, extend_exclude=config.extend_exclude + tuple(extend))
    if args.jobs is not None and args.jobs < 1:
        from headcheck.errors import InputError

        raise InputError(f"--jobs must be a positive number of worker processes, got {args.jobs}.")

    results = lint_paths(args.paths, config, jobs=args.jobs, progress=not args.no_progress)
    unreadable = False
    for r in results:
        if r.internal_error:  # one line, the run went on; exit 2 says an error happened
            print(f"internal error while linting {r.path}: {r.skipped}, please report",
                  file=sys.stderr)
            unreadable = True
        elif r.skipped is not None:
            print(f"{r.path}: skipped ({r.skipped})", file=sys.stderr)
            unreadable = unreadable or r.unreadable
    items = [(r.path, f) for r in results for f in r.findings]
    skipped = [(r.path, s) for r in results for s in r.skipped_heads]
    colour = args.format == "text" and sys.stdout.isatty()
    sys.stdout.write(render(args.format, items, colour=colour, skipped=skipped, show_skipped=args.show_skipped))
    if unreadable:
        return 2
    return 1 if items else 0
