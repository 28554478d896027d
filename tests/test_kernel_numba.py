"""The numba kernel gives the reference (numpy) kernel's states: hypothesis over task kinds, score
kinds, dtypes, weights, chunking, non-finite rows, wide outputs and the auc switch."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("numba")

from headcheck.engine import new_state
from headcheck.engine.executors import ThreadExecutor
from headcheck.engine.kernels import get_kernel
from headcheck.engine.kernels.numba_kernel import NumbaKernel
from headcheck.engine.kernels.testing import assert_kernels_agree, assert_states_match
from headcheck.engine.pipeline import Plan, array_parts
from headcheck.task import TaskProfile

FUSED = NumbaKernel(min_cells=0)  # every chunk through the compiled loops, however small
LAYOUT = {"binary": "column", "multiclass": "matrix", "multilabel": "matrix"}
SCORE_KINDS = {"binary": ["probabilities", "logits", "hard"],
               "multiclass": ["probabilities", "independent", "logits", "hard"],
               "multilabel": ["independent", "logits", "hard"]}


def chunks_of(kind: str, score_kind: str, k: int, n: int, dtype, weighted: bool, seed: int,
              cuts: int = 3, nonfinite: int = 2):
    """Random canonical chunks; `nonfinite` rows get NaN / inf scores (float scores only)."""
    r = np.random.default_rng(seed)
    if kind == "binary":
        y = r.integers(0, 2, n)
        s = {"probabilities": r.random(n), "logits": r.normal(size=n) * 3,
             "hard": r.integers(0, 2, n)}[score_kind]
    elif kind == "multiclass":
        y = r.integers(0, k, n)
        z = r.normal(size=(n, k)) * 2
        e = np.exp(z - z.max(axis=1, keepdims=True))
        s = {"probabilities": e / e.sum(axis=1, keepdims=True), "independent": r.random((n, k)),
             "logits": z, "hard": r.integers(0, k, n)}[score_kind]
        if score_kind == "probabilities":  # some rows certain: p = 1.0 and exact zeros
            s[:3] = np.eye(k)[y[:3]]
    else:
        y = r.random((n, k)) < 0.3
        s = {"independent": r.random((n, k)), "logits": r.normal(size=(n, k)) * 2,
             "hard": (r.random((n, k)) < 0.3).astype(np.uint8)}[score_kind]
        if score_kind == "independent":
            s[:2] = y[:2]  # exact 0 and 1
    if score_kind != "hard":
        s = s.astype(dtype)
        for i, bad in zip(r.choice(n, size=min(nonfinite, n), replace=False),
                          itertools.cycle([np.nan, np.inf, -np.inf])):
            (s.__setitem__((i, r.integers(0, k)) if s.ndim == 2 else i, bad))
    w = r.uniform(0.2, 2.0, n) if weighted else None
    edges = sorted({0, n, *r.integers(1, n, cuts - 1).tolist()})
    return [(y[a:b], s[a:b], None if w is None else w[a:b]) for a, b in itertools.pairwise(edges)]


@settings(max_examples=40, deadline=None)
@given(kind=st.sampled_from(["binary", "multiclass", "multilabel"]), which=st.integers(0, 3),
       k=st.integers(2, 9), n=st.integers(40, 400), dtype=st.sampled_from([np.float32, np.float64]),
       weighted=st.booleans(), threshold=st.sampled_from([0.5, 0.3]), auc=st.booleans(),
       seed=st.integers(0, 10_000))
def test_numba_states_equal_the_reference(kind, which, k, n, dtype, weighted, threshold, auc, seed):
    score_kind = SCORE_KINDS[kind][which % len(SCORE_KINDS[kind])]
    k = 2 if kind == "binary" else k
    profile = TaskProfile(kind, k, "integer", score_kind, LAYOUT[kind], threshold=threshold)
    chunks = chunks_of(kind, score_kind, k, n, dtype, weighted, seed)
    a, b = _agree(profile, chunks, auc)
    assert a.n_rows == n
    assert ("roc_auc" in a.result().metrics) == (auc and score_kind != "hard"
                                                 and "roc_auc" in b.result().metrics)


@settings(max_examples=30, deadline=None)
@given(kind=st.sampled_from(["binary", "multiclass", "multilabel"]), which=st.integers(0, 3),
       k=st.integers(2, 9), n=st.integers(40, 3000), dtype=st.sampled_from([np.float32, np.float64]),
       weighted=st.booleans(), auc=st.booleans(), seed=st.integers(0, 10_000))
def test_bootstrap_group_sums_equal_the_reference(kind, which, k, n, dtype, weighted, auc, seed):
    """With replicates, the compiled loops hand their per-row quantities to the compiled group
    sums: the same group sums (`boot`) as the numpy kernel's per-row quantities summed by numpy,
    with non-finite rows left out and rows numbered globally across chunks."""
    from headcheck.engine.bootstrap import Replicates, replicate_metrics

    score_kind = SCORE_KINDS[kind][which % len(SCORE_KINDS[kind])]
    k = 2 if kind == "binary" else k
    profile = TaskProfile(kind, k, "integer", score_kind, LAYOUT[kind])
    chunks = chunks_of(kind, score_kind, k, n, dtype, weighted, seed)
    # a group may hold one row whose Brier term is ~1e-6 (p_true near 1): its float32 sum of
    # squares rounds differently in the two kernels by ~1e-7 absolute, so cells agree to 1e-5
    a, b = _agree(profile, chunks, auc, atol=1e-5,
                  replicates=Replicates(20, seed % 7, buckets=64))
    assert a.stats["boot"].any()
    ra, rb = replicate_metrics(a), replicate_metrics(b)
    assert ra.keys() == rb.keys() and ("accuracy" in ra or "subset_accuracy" in ra)
    for name in ra:
        np.testing.assert_allclose(ra[name], rb[name], rtol=1e-6, atol=1e-9, err_msg=name)


@pytest.mark.parametrize("kind, score_kind, k", [("binary", "probabilities", 2),
                                                 ("multiclass", "probabilities", 4),
                                                 ("multilabel", "independent", 5)])
def test_replicates_take_the_compiled_loops(monkeypatch, kind, score_kind, k):
    """A state with replicates runs the fused loops, not the reference, and hands over each
    row's decision (a comparison's paired counts read it)."""
    from headcheck.engine.bootstrap import Replicates
    from headcheck.engine.kernels import numpy_kernel

    def refuse(*_args, **_kwargs):
        raise AssertionError("the reference code ran")

    for name in ("_multiclass_block", "_binary_block", "_multilabel_block"):
        monkeypatch.setattr(numpy_kernel, name, refuse)
    profile = TaskProfile(kind, k, "integer", score_kind, LAYOUT[kind])
    chunks = chunks_of(kind, score_kind, k, 500, np.float32, False, 1)
    state = new_state(profile, kernel=FUSED, replicates=Replicates(20))
    offset = 0
    for y, s, w in chunks:
        rows = state.update(y, s, w, offset=offset)
        offset += len(y)
        finite = np.isfinite(s) if s.ndim == 1 else np.isfinite(s).all(axis=1)
        decision = rows["exact"] if kind == "multilabel" else rows["pred"]
        assert len(decision) == finite.sum()
    assert state.stats["boot"].sum() > 0


def _agree(profile, chunks, auc=True, atol=0.0, **kw):
    states = []
    for kernel in (FUSED, "numpy"):
        state = new_state(profile, kernel=kernel, auc=auc, **kw)
        offset = 0
        for y, s, w in chunks:
            state.update(y, s, w, offset=offset)
            offset += len(y)
        states.append(state)
    assert_states_match(states[0], states[1], atol=atol)
    return states[0], states[1]


def test_two_column_binary_thresholds_and_the_helper():
    # the 'two-columns' layout keeps a >= 0.5 decision too: a third threshold
    profile = TaskProfile("binary", 2, "one-hot", "probabilities", "two-columns")
    chunks = chunks_of("binary", "probabilities", 2, 300, np.float32, True, 5)
    chunks = [(y, np.round(s * 4) / 4, w) for y, s, w in chunks]  # ties at exactly 0.5
    assert_kernels_agree(profile, chunks, FUSED)


@pytest.mark.parametrize("k", [1500, 5000])
def test_wide_outputs_sparse_confusions_and_the_auc_sketch(k):
    # above 1024 classes the confusions are sparse pairs; above 4096 the AUC is a sketch
    profile = TaskProfile("multiclass", k, "integer", "probabilities", "matrix")
    chunks = chunks_of("multiclass", "probabilities", k, 90, np.float32, False, 7, cuts=2)
    a, _ = _agree(profile, chunks)
    res = a.result()
    assert "roc_auc" in res.metrics and res.bounds["roc_auc"] >= 0
    assert a.stats["auc_all"].size // k == (157 if k > 4096 else 625)
    assert any("sketch" in note for note in res.notes) == (k > 4096)


def test_nonfinite_rows_are_counted_and_named_by_global_index():
    profile = TaskProfile("multiclass", 4, "integer", "probabilities", "matrix")
    chunks = chunks_of("multiclass", "probabilities", 4, 200, np.float32, False, 3, nonfinite=14)
    a, _ = _agree(profile, chunks)
    assert a.n_nonfinite == 14 and len(a.nonfinite_rows) == 10
    assert a.nonfinite_rows == sorted(a.nonfinite_rows)


def test_small_chunks_take_the_numpy_code_and_big_ones_the_compiled_loops(monkeypatch):
    from headcheck.engine.kernels import _numba_impl

    calls = []
    real = _numba_impl.multiclass
    monkeypatch.setattr(_numba_impl, "multiclass", lambda *a: calls.append(1) or real(*a))
    profile = TaskProfile("multiclass", 8, "integer", "probabilities", "matrix")
    kernel = NumbaKernel(min_cells=8 * 100)
    y, s, _ = chunks_of("multiclass", "probabilities", 8, 300, np.float32, False, 1, cuts=1)[0]
    state = new_state(profile, kernel=kernel)
    state.update(y[:50], s[:50])
    assert calls == []
    state.update(y[50:], s[50:], offset=50)
    assert calls == [1]


def test_two_worker_threads_give_the_single_thread_state():
    profile = TaskProfile("multilabel", 6, "multi-hot", "independent", "matrix")
    (y, s, w), = chunks_of("multilabel", "independent", 6, 3000, np.float32, True, 2, cuts=1)
    plan = Plan(profile, kernel=FUSED)
    one = ThreadExecutor(workers=1).run(plan, array_parts(y, s, w, chunk_rows=500))
    two = ThreadExecutor(workers=2).run(plan, array_parts(y, s, w, chunk_rows=500))
    assert_states_match(one, two)


def test_numba_is_the_default_when_installed(monkeypatch):
    monkeypatch.delenv("HEADCHECK_KERNEL", raising=False)
    assert get_kernel().name == "numba"
    monkeypatch.setenv("HEADCHECK_KERNEL", "numpy")
    assert get_kernel().name == "numpy"


def test_absorb_equals_merge_and_keeps_the_arrays():
    profile = TaskProfile("multiclass", 1500, "integer", "probabilities", "matrix")
    (y, s, _), = chunks_of("multiclass", "probabilities", 1500, 120, np.float32, False, 8, cuts=1)
    a, b, c, d = (new_state(profile) for _ in range(4))
    a.update(y[:60], s[:60])
    c.update(y[:60], s[:60])
    b.update(y[60:], s[60:], offset=60)
    d.update(y[60:], s[60:], offset=60)
    hist = a.stats["auc_all"]
    assert_states_match(a.absorb(b), c.merge(d), rtol=0)
    assert a.stats["auc_all"] is hist
    e, f = new_state(profile), new_state(profile)
    for x in (e, f):  # weighted: float histograms; d's are integers: a merge, not in place
        x.update(y[:60], s[:60], np.ones(60))
    assert_states_match(e.absorb(d), f.merge(d), rtol=0)


@pytest.mark.parametrize("kind, score_kind, k, n", [
    ("multiclass", "probabilities", 4, 40_000), ("multiclass", "logits", 4, 40_000),
    ("multilabel", "independent", 4, 90_000)])
def test_chunks_with_more_scores_than_histogram_cells_count_in_private_integers(kind, score_kind,
                                                                               k, n):
    # an unweighted chunk of at least as many scores as AUC cells counts them in its own int32
    # array, added to the state's int64 cells once (`_numba_impl._counts_buffer`): same state
    # (multiclass logits: the numpy kernel's softmax, then the compiled loop)
    from headcheck.engine import _common as C

    profile = TaskProfile(kind, k, "integer", score_kind, "matrix")
    cells = k * C.n_auc_bins(C.auc_shift(k)) * (2 if kind == "multilabel" else 1)
    (y, s, _), = chunks_of(kind, score_kind, k, n, np.float32, False, 4, cuts=1)
    assert n * k >= cells
    a, _ = _agree(profile, [(y, s, None), (y[:50], s[:50], None)])
    hist = a.stats["auc_all" if kind == "multiclass" else "auc_hist"]
    assert hist.dtype == np.int64 and hist.sum() > 0
