"""`headcheck report`: the honest report of labels + scores files."""
from __future__ import annotations

import argparse
import sys

from headcheck.commands._inputs import add_ci_arguments, add_input_arguments, ci_kwargs, report_kwargs
from headcheck.errors import InputError

NAME = "report"
HELP = "every metric that fits the task, what each framework would print, baselines, findings"
DESCRIPTION = (HELP + ". Exit code 0, or 1 with --fail-on when a finding of that severity or "
               "worse is found; 2 for bad input.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_input_arguments(p)
    add_ci_arguments(p)
    p.add_argument("--plot", metavar="FILE.png",
                   help="also draw confusion matrix, reliability diagram and per-class bars (matplotlib)")
    p.add_argument("--executor", choices=("threads", "dask"),
                   help="where the pass runs: threads in this process (default) or a Dask cluster "
                        "(needs headcheck[dask]); a single file is one shard")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="the Dask scheduler to run on (e.g. tcp://10.0.0.5:8786; implies "
                        "--executor dask); without it, --executor dask starts a local cluster")
    p.add_argument("--workers", type=int, metavar="N",
                   help="threads (--executor threads, default 2) or local Dask worker processes "
                        "(default: one per core)")
    p.add_argument("--no-auc", action="store_true",
                   help="skip ROC AUC and average precision (the rank metrics): a faster pass")
    p.add_argument("--fail-on", choices=("info", "warning", "error"),
                   help="exit 1 when a finding of this severity or worse is present (default: exit 0)")


def run(args: argparse.Namespace) -> int:
    from headcheck._report import report_files
    from headcheck.io.shards import is_sharded
    from headcheck.render import render

    kwargs = report_kwargs(args)
    kwargs["auc"] = not args.no_auc
    if args.plot:
        from headcheck.plot import check_plot_path

        check_plot_path(args.plot)  # before any work: a bad path is exit 2, not a traceback later
    if is_sharded(args.files) or args.executor or args.scheduler:
        from headcheck._sharded import report_shards

        if args.workers is not None and args.workers < 1:
            raise InputError(f"--workers: expected a positive number; got {args.workers}.")
        rep = report_shards(args.files, executor=args.executor, scheduler=args.scheduler,
                            workers=args.workers, progress=True, **kwargs, **ci_kwargs(args))
    else:
        rep = report_files(args.files, progress=True, **kwargs, **ci_kwargs(args))
    print(render(rep, args.format, _width()))
    if args.plot:
        path = rep.plot(args.plot)
        print(f"plot written to {path}", file=sys.stderr)
    return fail_code(rep.findings, args.fail_on)


def fail_code(findings: list, fail_on: str | None) -> int:
    if fail_on is None:
        return 0
    rank = {"info": 0, "warning": 1, "error": 2}[fail_on]
    return 1 if any(f.severity.rank >= rank for f in findings) else 0


def _width() -> int:
    import shutil

    return max(80, min(120, shutil.get_terminal_size((80, 24)).columns)) if sys.stdout.isatty() else 80
