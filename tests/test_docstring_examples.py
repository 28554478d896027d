"""The docstring examples of the report-side public API run and give what they show."""
from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("name", ["headcheck", "headcheck.task", "headcheck.io", "headcheck._report",
                                  "headcheck._explain", "headcheck.gate", "headcheck.gate.arrays",
                                  "headcheck.gate.labels", "headcheck.gate.policy",
                                  "headcheck.gate.infer", "headcheck.engine.pipeline",
                                  "headcheck.engine.executors", "headcheck.engine.kernels",
                                  "headcheck.engine.bootstrap", "headcheck.engine.paired",
                                  "headcheck.engine.kernels.numpy_kernel",
                                  "headcheck.engine.kernels.testing",
                                  "headcheck.live", "headcheck.live.tracker", "headcheck.live.guard"])
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
