"""The torch kernel on CPU tensors gives the reference (numpy) kernel's states, and never brings the
N x K scores to the host (there is no GPU here: CUDA tensors take the same code path, untested)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

from test_kernel_numba import LAYOUT, chunks_of

from headcheck.engine import new_state
from headcheck.engine.kernels.testing import assert_states_match
from headcheck.errors import InputError
from headcheck.task import TaskProfile

SCORE_KINDS = {"binary": ["probabilities"], "multiclass": ["probabilities", "independent"],
               "multilabel": ["independent"]}


def _states(profile, chunks, auc=True, as_tensor=True):
    out = []
    for kernel in ("torch", "numpy"):
        state = new_state(profile, kernel=kernel, auc=auc)
        offset = 0
        for y, s, w in chunks:
            if kernel == "torch" and as_tensor:
                y, s = torch.from_numpy(np.ascontiguousarray(y)), torch.from_numpy(s)
                w = None if w is None else torch.from_numpy(w)
            state.update(y, s, w, offset=offset)
            offset += len(y)
        out.append(state)
    assert_states_match(out[0], out[1])
    return out


@settings(max_examples=25, deadline=None)
@given(kind=st.sampled_from(["binary", "multiclass", "multilabel"]), which=st.integers(0, 1),
       k=st.integers(2, 9), n=st.integers(40, 300), dtype=st.sampled_from([np.float32, np.float64]),
       weighted=st.booleans(), threshold=st.sampled_from([0.5, 0.3]), auc=st.booleans(),
       seed=st.integers(0, 10_000))
def test_torch_states_equal_the_reference(kind, which, k, n, dtype, weighted, threshold, auc, seed):
    score_kind = SCORE_KINDS[kind][which % len(SCORE_KINDS[kind])]
    k = 2 if kind == "binary" else k
    profile = TaskProfile(kind, k, "integer", score_kind, LAYOUT[kind], threshold=threshold)
    a, _ = _states(profile, chunks_of(kind, score_kind, k, n, dtype, weighted, seed), auc)
    assert a.n_rows == n


@pytest.mark.parametrize("score_kind", ["logits", "hard"])
def test_logits_and_hard_scores_take_the_reference_path(score_kind):
    profile = TaskProfile("multiclass", 5, "integer", score_kind, "matrix")
    _states(profile, chunks_of("multiclass", score_kind, 5, 200, np.float32, True, 3))


def test_wide_outputs_sparse_confusions_and_sketch():
    profile = TaskProfile("multiclass", 5000, "integer", "probabilities", "matrix")
    a, _ = _states(profile, chunks_of("multiclass", "probabilities", 5000, 60, np.float32,
                                      False, 4, cuts=2))
    assert "roc_auc" in a.result().metrics


def test_the_scores_never_come_to_the_host(monkeypatch):
    seen = []
    real_numpy, real_cpu = torch.Tensor.numpy, torch.Tensor.cpu
    monkeypatch.setattr(torch.Tensor, "numpy", lambda t, *a, **k: seen.append(tuple(t.shape))
                        or real_numpy(t, *a, **k))
    monkeypatch.setattr(torch.Tensor, "cpu", lambda t, *a, **k: seen.append(tuple(t.shape))
                        or real_cpu(t, *a, **k))
    n, k = 700, 6
    for kind, score_kind in (("multiclass", "probabilities"), ("multilabel", "independent"),
                             ("binary", "probabilities")):
        kk = 2 if kind == "binary" else k
        (y, s, w), = chunks_of(kind, score_kind, kk, n, np.float32, True, 9, cuts=1, nonfinite=1)
        state = new_state(TaskProfile(kind, kk, "integer", score_kind, LAYOUT[kind]),
                          kernel="torch")
        state.update(torch.from_numpy(np.ascontiguousarray(y)), torch.from_numpy(s),
                     torch.from_numpy(w))
        assert state.n_samples == n - 1
    assert seen and not any(len(shape) == 2 or n - 1 in shape or n in shape for shape in seen)


def test_bad_labels_raise_the_reference_message():
    profile = TaskProfile("multiclass", 3, "integer", "probabilities", "matrix")
    state = new_state(profile, kernel="torch")
    with pytest.raises(InputError, match=r"multiclass labels must lie in \[0, 3\)"):
        state.update(torch.tensor([0, 3]), torch.full((2, 3), 1 / 3))
    with pytest.raises(InputError, match="a multiclass chunk needs"):
        state.update(torch.tensor([0, 1]), torch.full((2, 4), 1 / 4))
