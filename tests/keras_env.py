"""Which Keras the live Keras tests train with, chosen per process (each backend runs in its own):

- Keras 3: `KERAS_BACKEND=torch|jax|tensorflow` (default torch);
- tf.keras 2: `HEADCHECK_TEST_KERAS=tf_keras` (the `tf-keras` package; `make test` also sets
  `TF_USE_LEGACY_KERAS=1`, so `tf.keras` is the same package).
"""
from __future__ import annotations

import importlib
import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
FLAVOUR = os.environ.get("HEADCHECK_TEST_KERAS", "keras")


def load_keras():
    """The Keras module of this process (skips the test module when it is not installed)."""
    return pytest.importorskip(FLAVOUR)


def is_tf_keras() -> bool:
    return FLAVOUR == "tf_keras"


def backend_name() -> str:
    if is_tf_keras():
        return "tf.keras"
    return importlib.import_module("keras").backend.backend()
