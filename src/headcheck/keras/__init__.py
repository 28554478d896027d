"""headcheck for Keras 3 (torch, jax and tensorflow backends) and tf.keras 2 (`tf-keras`).

- `HeadCheck`: the training callback (head findings at the start, honest metrics `hc_<id>` in the
  logs each epoch, training findings HC401-HC405).
- `read_outputs(model)`: the head of each output as Keras compiled it (`headcheck.keras._model`).
- `headcheck.check(model, (x, y))` checks a live model with the rule catalogue.

Importing this module imports no Keras; the callback imports nothing either (it is duck-typed to
the callback protocols of Keras 3 and tf.keras 2, so one class serves both).
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {
    "HeadCheck": "headcheck.keras._callback",
    "read_outputs": "headcheck.keras._model",
    "KerasOutput": "headcheck.keras._model",
    "check_model": "headcheck.keras._check",
}
__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'headcheck.keras' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
