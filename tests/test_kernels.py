"""The kernel seam: the registry, the reference numpy kernel, and the helper that compares kernels."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headcheck.engine import new_state
from headcheck.engine.kernels import Kernel, get_kernel, kernel_names
from headcheck.engine.kernels.numpy_kernel import NumpyKernel
from headcheck.engine.kernels.testing import assert_kernels_agree, assert_states_match
from headcheck.errors import InputError
from headcheck.task import TaskProfile

LAYOUT = {"binary": "column", "multiclass": "matrix", "multilabel": "matrix", "ordinal": "matrix"}
SCORE_KINDS = {"binary": ["probabilities", "logits", "hard"],
               "multiclass": ["probabilities", "logits", "hard"],
               "multilabel": ["independent", "logits", "hard"],
               "ordinal": ["probabilities", "regression", "cumulative", "hard", "logits"]}


def canonical_chunks(kind: str, score_kind: str, k: int, n: int, weighted: bool, seed: int):
    """Random canonical chunks of one task (a NaN row included when the scores are floats)."""
    r = np.random.default_rng(seed)
    if kind == "binary":
        y = r.integers(0, 2, n)
        s = {"probabilities": r.random(n), "logits": r.normal(size=n) * 3,
             "hard": r.integers(0, 2, n)}[score_kind]
    elif kind == "ordinal":
        y = r.integers(0, k, n)
        z = r.normal(size=(n, k)) * 2
        s = {"probabilities": np.exp(z) / np.exp(z).sum(1, keepdims=True), "logits": z,
             "hard": r.integers(0, k, n), "regression": y + r.normal(size=n),
             "cumulative": np.sort(r.random((n, k - 1)), axis=1)[:, ::-1].copy()}[score_kind]
    elif kind == "multiclass":
        y = r.integers(0, k, n)
        z = r.normal(size=(n, k)).astype(np.float32) * 2
        s = {"probabilities": (np.exp(z) / np.exp(z).sum(1, keepdims=True)).astype(np.float32),
             "logits": z, "hard": r.integers(0, k, n)}[score_kind]
    else:
        y = (r.random((n, k)) < 0.3).astype(np.uint8)
        s = {"independent": r.random((n, k)).astype(np.float32), "logits": r.normal(size=(n, k)),
             "hard": (r.random((n, k)) < 0.3).astype(np.uint8)}[score_kind]
    if score_kind != "hard":
        s = s.copy()
        s[n // 2] = np.nan
    w = r.uniform(0.2, 2.0, n) if weighted else None
    cut = [0, n // 3, n]
    return [(y[a:b], s[a:b], None if w is None else w[a:b]) for a, b in itertools.pairwise(cut)]


@settings(max_examples=40, deadline=None)
@given(kind=st.sampled_from(["binary", "multiclass", "multilabel", "ordinal"]), which=st.integers(0, 4),
       k=st.integers(2, 7), n=st.integers(130, 600), weighted=st.booleans(),
       block=st.sampled_from([1, 300, 5000]), seed=st.integers(0, 999))
def test_blocked_numpy_kernels_agree_with_the_reference(kind, which, k, n, weighted, block, seed):
    # a different block size sums in another order: a real second kernel for the helper to judge
    score_kind = SCORE_KINDS[kind][which % len(SCORE_KINDS[kind])]
    k = 2 if kind == "binary" else k
    layout = "column" if score_kind in ("regression",) or (kind == "ordinal" and score_kind == "hard") \
        else LAYOUT[kind]
    profile = TaskProfile(kind, k, "integer", score_kind, layout)  # type: ignore[arg-type]
    chunks = canonical_chunks(kind, score_kind, k, n, weighted, seed)
    a, b = assert_kernels_agree(profile, chunks, NumpyKernel(block_cells=block))
    assert a.n_rows == n and (score_kind == "hard" or a.n_nonfinite == 1)
    assert a.result().to_dict().keys() == b.result().to_dict().keys()


@settings(max_examples=12, deadline=None)
@given(kind=st.sampled_from(["binary", "multiclass", "multilabel"]), which=st.integers(0, 2),
       weighted=st.booleans(), seed=st.integers(0, 999))
def test_kernels_agree_on_bootstrap_replicates(kind, which, weighted, seed):
    from headcheck.engine.bootstrap import Replicates

    score_kind = SCORE_KINDS[kind][which]
    k = 2 if kind == "binary" else 4
    profile = TaskProfile(kind, k, "integer", score_kind, LAYOUT[kind])
    chunks = canonical_chunks(kind, score_kind, k, 5000, weighted, seed)
    # 5,000 rows (more than one block of weights): float32 block sums of the reference (Brier,
    # calibration) and float32 products of the replicates drift by a few 1e-6 between block sizes
    a, b = assert_kernels_agree(profile, chunks, NumpyKernel(block_cells=300),
                                replicates=Replicates(12, seed), rtol=2e-5)
    assert a.stats["boot"].any()


class _DropsTheLastRow(NumpyKernel):
    name = "broken"

    def fill(self, state, y_true, y_score, w):
        super().fill(state, y_true[:-1], y_score[:-1], None if w is None else w[:-1])


def test_the_helper_names_the_statistic_a_wrong_kernel_gets_wrong():
    profile = TaskProfile("multiclass", 3, "integer", "probabilities", "matrix")
    chunks = canonical_chunks("multiclass", "probabilities", 3, 50, False, 0)
    with pytest.raises(AssertionError, match="support"):
        assert_kernels_agree(profile, chunks, _DropsTheLastRow())
    a, b = new_state(profile), new_state(profile)
    a.update(*chunks[0][:2])
    b.update(*chunks[0][:2])
    assert_states_match(a, b, rtol=0)
    b.stats["logloss"] = b.stats["logloss"] * (1 + 1e-4)
    with pytest.raises(AssertionError, match="logloss"):
        assert_states_match(a, b)
    b.n_nonfinite += 1
    with pytest.raises(AssertionError, match="n_nonfinite"):
        assert_states_match(a, b)


def test_registry(monkeypatch):
    from headcheck.engine.kernels import PREFERENCE, _load

    assert "numpy" in kernel_names()
    first = next(k for k in PREFERENCE if _load(k).available())  # numba when installed
    monkeypatch.delenv("HEADCHECK_KERNEL", raising=False)
    assert isinstance(get_kernel(), NumpyKernel) and get_kernel(None) is get_kernel(first)
    own = NumpyKernel(block_cells=64)
    assert get_kernel(own) is own
    with pytest.raises(InputError, match="kernel: expected one of numpy, numba"):
        get_kernel("cuda")
    monkeypatch.setenv("HEADCHECK_KERNEL", "nope")
    with pytest.raises(InputError, match="'nope'"):
        get_kernel()


def test_a_kernel_without_an_update_for_a_task_says_so():
    class OnlyBinary(Kernel):
        name = "only-binary"

    state = new_state(TaskProfile("multiclass", 3, "integer", "probabilities"), kernel=OnlyBinary())
    with pytest.raises(NotImplementedError, match="only-binary kernel has no multiclass update"):
        state.update(np.array([0, 1]), np.full((2, 3), 1 / 3))


def test_states_of_different_kernels_merge_and_serialise_alike():
    from headcheck.engine import state_from_dict

    profile = TaskProfile("multilabel", 4, "multi-hot", "independent", "matrix")
    chunks = canonical_chunks("multilabel", "independent", 4, 300, True, 3)
    a = new_state(profile, kernel=NumpyKernel(block_cells=1))
    b = new_state(profile)
    a.update(*chunks[0])
    b.update(*chunks[1], offset=len(chunks[0][0]))
    whole = new_state(profile)
    for i, c in enumerate(chunks[:2]):
        whole.update(*c, offset=0 if i == 0 else len(chunks[0][0]))
    assert_states_match(a.merge(b), whole)
    assert_states_match(state_from_dict(a.to_dict(), kernel="numpy"), a, rtol=0)
