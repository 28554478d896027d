"""The exception types: bad input (InputError, exit 2) and a run that could not complete."""
from __future__ import annotations


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
