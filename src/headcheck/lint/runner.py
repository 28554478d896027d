"""Linting many files: a process pool when there are many, a progress bar on a terminal."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Iterable, Iterator

from headcheck.lint.config import LintConfig, discover
from headcheck.lint.linter import FileResult, lint_file

PARALLEL_FROM = 64  # below this many files, starting worker processes costs more than it saves
_CHUNK = 16


@dataclass(frozen=True)
class _Task:
    path: str
    select: tuple[str, ...] | None
    ignore: tuple[str, ...]
    display: str


def _run(task: _Task) -> FileResult:
    return lint_file(task.path, select=task.select, ignore=task.ignore, display=task.display)


def display_path(path: str) -> str:
    """The path as ruff shows it: relative to the current directory when below it, else as given."""
    rel = os.path.relpath(os.path.abspath(path))
    return path if rel.startswith("..") else rel


def lint_paths(
    paths: Iterable[str],
    config: LintConfig | None = None,
    *,
    jobs: int | None = None,
    progress: bool = False,
) -> list[FileResult]:
    """Lint every .py / .ipynb file under `paths`; results in the order the files were found.

    >>> import os, tempfile
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "ok.py")
    >>> _ = open(p, "w").write("print('hello')\\n")
    >>> [r.findings for r in lint_paths([d])]
    [()]
    """
    config = config or LintConfig()
    files = list(dict.fromkeys(discover(paths, config)))
    tasks = [_Task(f, config.select, config.ignores_for(f), display_path(f)) for f in files]
    workers = _workers(jobs, len(tasks))
    results = _map(tasks, workers)
    if progress and sys.stderr.isatty() and len(tasks) >= PARALLEL_FROM:
        return list(_with_progress(results, len(tasks)))
    return list(results)


def _workers(jobs: int | None, n: int) -> int:
    if jobs is not None and jobs > 0:
        return jobs
    if n < PARALLEL_FROM:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


def _map(tasks: list[_Task], workers: int) -> Iterator[FileResult]:
    if workers <= 1 or len(tasks) < 2:
        yield from map(_run, tasks)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import headcheck.rules  # loaded once here, inherited by forked workers

    headcheck.rules.all_rules()
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    chunk = max(1, min(_CHUNK, len(tasks) // (workers * 4) or 1))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from pool.map(_run, tasks, chunksize=chunk)


def _with_progress(results: Iterator[FileResult], total: int) -> Iterator[FileResult]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("linting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("lint", total=total)
        for result in results:
            bar.advance(task)
            yield result

