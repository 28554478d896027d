"""Shared data of the framework-view tests (tests/test_views_*.py): hypothesis strategies of
labels, float32 scores with ties / exact 0.5 values, and optional weights; one engine pass."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st

from headcheck.engine import new_state

SETTINGS = settings(max_examples=20, deadline=None)


def close(view, value, tol=1e-6):
    assert view.value == pytest.approx(value, abs=tol)


def onehot(y, K):
    out = np.zeros((len(y), K), dtype=np.float32)
    out[np.arange(len(y)), y] = 1
    return out


def run(profile, y, s, w=None):
    state = new_state(profile)
    state.update(y, s, w)
    return state.result()


@st.composite
def scores(draw, shape, y_shift):
    """float32 scores (Keras computes in float32) with optional ties / exact 0.5 values."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    z = rng.normal(size=shape) * draw(st.sampled_from([0.5, 2.0, 5.0])) + y_shift
    mode = draw(st.sampled_from(["raw", "round", "half"]))
    if mode == "round":
        z = np.round(z)
    elif mode == "half":
        z = np.round(z * 2) / 2
    return rng, z


def no_tiny(z):
    """Known difference (documented in headcheck.views.torchmetrics): for 0 < |z| < ~1e-7 the
    float32 sigmoid that torchmetrics applies rounds to exactly 0.5; the engine decides z > 0
    exactly."""
    z = np.asarray(z, dtype=np.float32)
    z[np.abs(z) < 1e-6] = 0.0
    return z


@st.composite
def multiclass_data(draw):
    n, K = draw(st.integers(2, 50)), draw(st.integers(3, 9))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    y = rng.integers(0, K, n)
    _, z = draw(scores((n, K), 0.0))
    z[np.arange(n), y] += draw(st.floats(0, 2))
    logits = draw(st.booleans())
    if logits:
        s = no_tiny(z)
    else:
        e = np.exp(np.round(z))  # integer logits -> exactly tied probabilities
        s = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    w = rng.uniform(0.1, 3, n).astype(np.float32) if draw(st.booleans()) else None
    return y, s, w, logits


@st.composite
def binary_data(draw):
    n = draw(st.integers(2, 60))
    rng, z = draw(scores((n,), 0.0))
    y = (rng.random(n) < 0.5).astype(np.int64)
    z = z + y * draw(st.floats(0, 2))
    logits = draw(st.booleans())
    s = no_tiny(z) if logits else (1 / (1 + np.exp(-z))).astype(np.float32)
    w = rng.uniform(0.1, 3, n).astype(np.float32) if draw(st.booleans()) else None
    return y, s, w, logits


@st.composite
def multilabel_data(draw):
    n, L = draw(st.integers(2, 50)), draw(st.integers(2, 7))
    rng, z = draw(scores((n, L), 0.0))
    y = (rng.random((n, L)) < 0.35).astype(np.uint8)
    z = z + y * draw(st.floats(0, 2))
    logits = draw(st.booleans())
    s = no_tiny(z) if logits else (1 / (1 + np.exp(-z))).astype(np.float32)
    w = rng.uniform(0.1, 3, n).astype(np.float32) if draw(st.booleans()) else None
    return y, s, w, logits
