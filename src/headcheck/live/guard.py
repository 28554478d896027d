"""Guard: nothing headcheck raises may stop the user's training.

A front-end (Keras callback, PyTorch monitor, Lightning callback) runs each of its hooks through
one `Guard`. The first exception, bad use (`InputError`, whose message says what to fix) or a bug
in headcheck alike, becomes one `HeadCheckWarning`; the guard then stays disabled and every later
call is a no-op, so a training of hours goes on without headcheck instead of dying in it.

>>> import warnings
>>> g = Guard("headcheck.torch.Monitor")
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     g.call(lambda: 1 / 0)
...     g.call(lambda: 1 / 0)   # disabled: not run again, no second warning
>>> g.disabled, len(caught), type(g.error).__name__
(True, 1, 'ZeroDivisionError')
"""
from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from headcheck.errors import InputError

T = TypeVar("T")


class HeadCheckWarning(UserWarning):
    """headcheck disabled itself during a training (or has something to say about it)."""


class Guard:
    """Runs callables for a front-end named `where`; the first exception disables it.

    `strict=True` lets exceptions through instead (tests, debugging a set-up).
    """

    def __init__(self, where: str, *, strict: bool = False) -> None:
        self.where = where
        self.strict = strict
        self.disabled = False
        self.error: BaseException | None = None

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """`fn(*args, **kwargs)`, or None when disabled or when it raised (then disabled)."""
        if self.disabled:
            return None
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the user's training must go on
            if self.strict:
                raise
            self.fail(exc)
            return None

    def fail(self, exc: BaseException) -> None:
        """Disable, with one warning that says why."""
        self.disabled = True
        self.error = exc
        warnings.warn(HeadCheckWarning(self.message(exc)), stacklevel=4)

    def message(self, exc: BaseException) -> str:
        tail = f"{self.where} is disabled for the rest of this run; the training goes on without it."
        if isinstance(exc, InputError):
            return f"{self.where}: {exc} {tail}"
        return (f"{self.where} failed with {type(exc).__name__}: {exc}. This is a bug in headcheck "
                f"(please report it with this message). {tail}")


def guarded(method: Callable[..., T]) -> Callable[..., T | None]:
    """A front-end method run through the instance's `_guard` (a `Guard`)."""

    @functools.wraps(method)
    def run(self: Any, *args: Any, **kwargs: Any) -> T | None:
        return self._guard.call(method, self, *args, **kwargs)

    return run
