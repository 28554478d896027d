"""The exception types: bad input (InputError, exit 2) and a run that could not complete."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager


class InputError(ValueError):
    """Input that headcheck cannot use.

    The message is one paragraph that says what was expected, what was got and how to fix it.
    The command line prints it (no traceback) and exits with code 2.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.hint = hint
        super().__init__(message if hint is None else f"{message} {hint}")


class EmptyInput(InputError):
    """A file that holds no rows: an error for the one input file of a report, an empty shard
    (skipped) among the shards of a sharded one."""


class ExecutionError(RuntimeError):
    """A run that could not complete for a reason other than its input (a Dask cluster that
    lost its workers or cannot be reached mid-run). The command line prints the message and
    exits with code 3; no partial result is ever returned."""


def describe_array(a: object) -> str:
    """A short description of an array-like for error messages: 'float32 array of shape (10, 3)'."""
    shape = getattr(a, "shape", None)
    dtype = getattr(a, "dtype", None)
    if shape is None:
        return type(a).__name__
    return f"{dtype} array of shape {tuple(shape)}"


@contextmanager
def naming_files(files: Mapping[str, str], default: str) -> Iterator[None]:
    """Input errors about arrays read from files name the file: an error whose message begins
    with 'labels:' is prefixed with `files['labels']`, and so on for each role ('scores',
    'weights'); any other with `default` (e.g. 'y.npy + p.npy'). A message that already names one
    of the files is left as it is. The error keeps its type (its message is replaced in place).

    >>> try:
    ...     with naming_files({"labels": "y.npy"}, "y.npy + p.npy"):
    ...         raise InputError("labels: expected finite class labels")
    ... except InputError as e:
    ...     print(e)
    y.npy: labels: expected finite class labels
    """
    try:
        yield
    except InputError as e:
        message = str(e)
        if any(path and path in message for path in (*files.values(), default)):
            raise
        role = message.split(":", 1)[0].strip() if ":" in message[:40] else ""
        role = "weights" if role in ("sample_weight", "weights") else role
        e.args = (f"{files.get(role, default)}: {message}",) + e.args[1:]
        raise
