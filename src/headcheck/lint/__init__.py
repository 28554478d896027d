"""`headcheck lint`: find head mistakes in Keras / tf.keras / PyTorch source and notebooks.

The source is read with `ast` only (never imported or executed); each model's head becomes a
HeadSpec with locations, and the same rule catalogue as every other front-end runs on it.

>>> from headcheck.lint import lint_source
>>> src = '''
... import torch.nn as nn
... model = nn.Sequential(nn.Linear(64, 10), nn.Softmax(dim=1))
... loss_fn = nn.CrossEntropyLoss()
... '''
>>> [(f.code, f.location.row) for f in lint_source(src, "train.py")]
[('HC105', 4)]
"""
from __future__ import annotations

from headcheck.lint.config import DEFAULT_EXCLUDES, LintConfig, find_pyproject, load_config
from headcheck.lint.extract import extract_heads
from headcheck.lint.linter import FileResult, lint_file, lint_source
from headcheck.lint.runner import lint_paths
from headcheck.lint.source import SourceText, read_source

__all__ = [
    "DEFAULT_EXCLUDES", "FileResult", "LintConfig", "SourceText", "extract_heads", "find_pyproject",
    "lint_file", "lint_paths", "lint_source", "load_config", "read_source",
]
