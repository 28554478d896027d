"""The public pass: run_pass over parts, the thread executor's guarantees, the seams a Dask
executor and a training callback plug into (Plan, parts, Feed)."""
from __future__ import annotations

import json
import pickle
import time

import numpy as np
import pytest

from headcheck._report import report
from headcheck.engine import accumulate, state_from_dict
from headcheck.engine.executors import ThreadExecutor
from headcheck.engine.kernels.testing import assert_states_match
from headcheck.engine.pipeline import (
    ArrayPart,
    Feed,
    Plan,
    RawChunk,
    array_parts,
    run_pass,
)
from headcheck.errors import InputError
from headcheck.gate import LabelsRejected, canonical_chunk, infer_task


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def data(n=3000, k=5, seed=0):
    r = np.random.default_rng(seed)
    y = r.integers(0, k, n)
    z = r.normal(size=(n, k))
    z[np.arange(n), y] += 1.0
    return y, softmax(z).astype(np.float32), r.uniform(0.5, 2.0, n)


def test_run_pass_equals_accumulate_on_the_canonical_chunks():
    y, p, w = data()
    profile = infer_task(y, p)
    done = run_pass(profile, array_parts(y, p, w, chunk_rows=700))
    chunks = [(*canonical_chunk(profile, y[a:a + 700], p[a:a + 700], a), w[a:a + 700])
              for a in range(0, len(y), 700)]
    assert done.result().to_dict() == accumulate(profile, chunks).result().to_dict()
    assert done.profile == profile and done.state.n_rows == len(y)


def test_parts_are_folded_once_in_order_and_released(monkeypatch):
    y, p, _ = data(n=1000)
    folded, released = [], []

    class Spy(ArrayPart):
        def chunks(self):
            folded.append(self.start)
            yield from super().chunks()

        def release(self):
            released.append(self.start)

    parts = [Spy((y, p, None), a, min(1000, a + 90)) for a in range(0, 1000, 90)]
    seen = []
    ThreadExecutor(workers=3).run(Plan(infer_task(y, p)), parts, seen.append)
    assert sorted(folded) == sorted(released) == list(range(0, 1000, 90))
    assert seen == sorted(seen) and seen[-1] == 1000


class _Failing:
    """A part that fails after `delay` seconds with `message`."""

    def __init__(self, message: str, delay: float, start: int) -> None:
        self.message, self.delay, self.start = message, delay, start
        self.released = False

    def chunks(self):
        time.sleep(self.delay)
        raise RuntimeError(self.message)
        yield  # pragma: no cover

    def release(self):
        self.released = True


def test_the_first_failing_part_in_input_order_is_raised_whatever_finishes_first():
    y, p, _ = data(n=10)
    ok = ArrayPart((y, p, None), 0, 10)
    parts = [ok, _Failing("part 1", 0.3, 10), _Failing("part 2", 0.0, 20), _Failing("part 3", 0.0, 30)]
    for _ in range(3):
        with pytest.raises(RuntimeError, match="part 1"):
            ThreadExecutor(workers=2).run(Plan(infer_task(y, p)), parts)
    assert all(part.released for part in parts[1:])


def test_a_later_chunk_turning_hard_scores_into_probabilities_reruns_the_pass():
    y = np.array([0, 1] * 500)
    s = y.astype(np.float64)
    s[900] = 0.4  # past the sampled rows
    profile = infer_task(y, s, sample_rows=100)
    assert profile.score_kind == "hard"
    done = run_pass(profile, array_parts(y, s, chunk_rows=128))
    assert done.profile.score_kind == "probabilities"
    assert "values other than 0/1 appeared after the first rows" in done.profile.decisions[-1]
    assert "log_loss" in done.result().metrics


def test_nonfinite_rows_come_from_the_state_with_global_row_numbers():
    y, p, _ = data(n=2000)
    p = p.copy()
    p[[1500, 1777], 2] = np.nan
    with pytest.raises(InputError, match=r"in 2 row\(s\) \(first rows, 0-based: 1500, 1777\)"):
        run_pass(infer_task(y[:100], p[:100]), array_parts(y, p, chunk_rows=300))


def test_progress_factory_gets_the_total_and_the_rows_done():
    y, p, _ = data(n=1000)
    calls: list[tuple] = []

    def factory(total):
        calls.append(("total", total))
        return lambda done: calls.append(("done", done))

    run_pass(infer_task(y, p), array_parts(y, p, chunk_rows=250), progress=factory)
    assert calls[0] == ("total", 1000) and calls[-1] == ("done", 1000) and len(calls) == 5


def test_plan_and_parts_travel_and_partial_states_merge_in_a_tree():
    # what a Dask executor does: ship the plan and a part to a worker, fold there, send the state
    # back as a dict, merge in a tree; counts equal the in-process pass, sums up to rounding
    y, p, w = data(n=5000)
    profile = infer_task(y, p)
    plan = pickle.loads(pickle.dumps(Plan(profile, (2, 3))))
    parts = [pickle.loads(pickle.dumps(part)) for part in array_parts(y, p, w, chunk_rows=600)]
    states = [state_from_dict(json.loads(json.dumps(plan.fold_part(part).to_dict()))) for part in parts]
    while len(states) > 1:
        states = [states[i].merge(states[i + 1]) if i + 1 < len(states) else states[i]
                  for i in range(0, len(states), 2)]
    reference = run_pass(profile, array_parts(y, p, w, chunk_rows=600), top_k=(2, 3)).state
    assert_states_match(states[0], reference, rtol=1e-12, atol=1e-9)


def test_feed_batches_equal_one_worker_pass_over_the_same_chunks():
    y, p, w = data(n=2000)
    feed = Feed()
    for a in range(0, 2000, 256):
        feed.update(y[a:a + 256], p[a:a + 256], w[a:a + 256])
    one = run_pass(feed.profile, array_parts(y, p, w, chunk_rows=256), executor=ThreadExecutor(1))
    assert feed.result().to_dict() == one.result().to_dict()
    assert feed.profile == infer_task(y[:256], p[:256])
    feed.reset()
    assert feed.state.n_rows == 0 and feed.profile is not None


def test_feed_labels_past_the_outputs_in_a_later_batch_are_the_rule_error():
    y, p, _ = data(n=100, k=3)
    feed = Feed()
    feed.update(y[:50], p[:50])
    bad = y[50:].copy()
    bad[7] = 3
    with pytest.raises(LabelsRejected, match=r"first rows: 57\)") as e:
        feed.update(bad, p[50:])
    assert e.value.code == "HC203"


def test_feed_cannot_reread_so_it_asks_for_the_score_kind():
    feed = Feed()
    feed.update(np.array([0, 1, 1]), np.array([0.0, 1.0, 1.0]))
    with pytest.raises(InputError, match="score_kind='probabilities'"):
        feed.update(np.array([0, 1]), np.array([0.3, 0.8]))
    given = Feed(score_kind="probabilities")
    given.update(np.array([0, 1, 1]), np.array([0.0, 1.0, 1.0]))
    given.update(np.array([0, 1]), np.array([0.3, 0.8]))
    assert given.result().metrics["accuracy"] == 1.0
    late = Feed()
    late.update(np.array([0, 1]), np.array([0.2, 0.7]))
    late.update(np.array([0, 1]), np.array([-2.0, 3.0]))
    with pytest.raises(InputError, match="score_kind='logits'"):
        late.result()


def test_feed_nonfinite_outputs_strict_or_counted():
    feed = Feed()
    feed.update(np.array([0, 1, 0]), np.array([0.2, 0.9, 0.1]))
    feed.update(np.array([1, 0]), np.array([np.nan, 0.4]))
    with pytest.raises(InputError, match=r"1 row\(s\) \(first rows, 0-based: 3\)"):
        feed.result()
    assert feed.result(strict=False).n_samples == 4 and feed.state.n_nonfinite == 1
    with pytest.raises(InputError, match="no batches"):
        Feed().result()


def test_report_runs_the_public_pass(monkeypatch):
    from headcheck.engine import pipeline

    calls = []
    real = pipeline.run_pass
    monkeypatch.setattr(pipeline, "run_pass", lambda *a, **k: calls.append(1) or real(*a, **k))
    y, p, _ = data(n=300)
    assert report(y, p).metrics["accuracy"] == pytest.approx(float((p.argmax(1) == y).mean()))
    assert calls == [1]


def test_a_raw_chunk_knows_its_length_and_rows():
    chunk = RawChunk(np.zeros(4), np.zeros(4), None, 10)
    assert len(chunk) == 4 and chunk.start == 10
