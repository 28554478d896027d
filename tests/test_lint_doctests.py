"""The examples in the linter's docstrings run."""
from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("module", ["headcheck.lint", "headcheck.lint.extract", "headcheck.lint.linter",
                                    "headcheck.lint.runner"])
def test_lint_doctests(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
