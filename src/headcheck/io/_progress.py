"""A progress bar for long reads and passes, drawn only when stderr is a terminal."""
from __future__ import annotations

import sys
from collections.abc import Callable


def progress_callback(total: int | None, description: str = "reading") -> Callable[[int], None] | None:
    """A callback taking the rows done so far, drawing a rich progress bar on stderr; None unless
    stderr is a terminal (never in pipes, files or tests). With `total` None (a sharded pass,
    whose size is known at its end) it counts rows; `callback.close()` removes the bar."""
    if not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    if total is None:
        columns = (SpinnerColumn(), TextColumn("{task.description}"),
                   TextColumn("{task.completed:,} rows"), TimeElapsedColumn())
        progress = Progress(*columns, console=Console(stderr=True), transient=True)
    else:
        progress = Progress(console=Console(stderr=True), transient=True)
    task = progress.add_task(description, total=total)
    progress.start()

    def advance(done: int) -> None:
        progress.update(task, completed=done)
        if total is not None and done >= total:
            progress.stop()

    advance.close = progress.stop  # type: ignore[attr-defined]
    return advance
