"""The Dask executor on a real `distributed.LocalCluster` (worker processes, started here once for
the module: 2 workers, 1 thread each; the tests that kill workers get a cluster of their own):
shards of every format, Dask arrays and DataFrames, bad rows, lost workers. Results are compared with the thread executor over the same parts *to the
last bit* (`to_dict()` equality: every float exactly; see tests/test_shards.py for why the fixed
merge tree makes that hold).
"""
from __future__ import annotations

import contextlib
import logging
import os
import signal
from dataclasses import dataclass

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")

from shard_helpers import cli_json, predictions, write_shards  # noqa: E402

import headcheck  # noqa: E402
from headcheck._sharded import report_shards  # noqa: E402
from headcheck.engine.dask_executor import DaskExecutor  # noqa: E402
from headcheck.engine.executors import ThreadExecutor  # noqa: E402
from headcheck.engine.pipeline import run_pass  # noqa: E402
from headcheck.errors import ExecutionError, InputError  # noqa: E402
from headcheck.gate import infer_task  # noqa: E402
from headcheck.io.shards import shard_parts  # noqa: E402

# one cluster for the module: with `--dist loadgroup` (pyproject) these tests share a worker
pytestmark = pytest.mark.xdist_group("dask")
SIZES = [700, 0, 1500, 13]


WORKERS = 2
SETTLE = 180  # seconds a nanny may take to restart a killed worker on a loaded machine (bounded)


@contextlib.contextmanager
def local_cluster():
    """A LocalCluster of WORKERS worker processes, with all of them up before use and again
    before it closes (closing while a nanny restarts a killed worker can time out when loaded)."""
    import dask

    # one retry of a part whose worker died: enough to show both outcomes of a lost worker
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        cluster = distributed.LocalCluster(n_workers=WORKERS, threads_per_worker=1, processes=True,
                                           dashboard_address=":0", silence_logs=logging.ERROR)
    client = distributed.Client(cluster, set_as_default=False)
    try:
        client.wait_for_workers(WORKERS, timeout=SETTLE)
        yield cluster, client
    finally:
        try:
            client.wait_for_workers(WORKERS, timeout=SETTLE)
        except TimeoutError:
            pass  # a nanny that never restarted its worker: close what there is
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def cluster():
    with local_cluster() as both:
        yield both


@pytest.fixture
def dask_ex(cluster):
    _, client = cluster
    client.wait_for_workers(WORKERS, timeout=SETTLE)
    return DaskExecutor(client)


@pytest.fixture
def killable_ex():
    """For the tests that kill workers: a cluster of their own, every worker alive at the start.
    On the module's cluster a test ran with whatever the kills before it had left (workers still
    being restarted by their nannies, slowly on a loaded machine, or a dead worker the scheduler
    had not yet noticed), and passed alone but not always after them."""
    with local_cluster() as (_, client):
        yield DaskExecutor(client)


def worker_processes(ex: DaskExecutor) -> set[tuple[str, int]]:
    """(address, process id) of each worker the scheduler knows: a restarted worker is another."""
    return set(ex.client.run(os.getpid).items())


@pytest.mark.parametrize("fmt", ["parquet", "npy", "csv"])
def test_shards_on_dask_equal_the_thread_executor_to_the_last_bit(tmp_path, dask_ex, fmt):
    y, p = predictions(5000, 6, seed=11)
    specs = write_shards(tmp_path, fmt, y, p, SIZES)
    on_dask = report_shards(specs, executor=dask_ex)
    on_threads = report_shards(specs, executor=ThreadExecutor(2))
    assert on_dask.to_dict() == on_threads.to_dict()  # notes and source included
    assert on_dask.task.n_samples == 5000
    # the states themselves, every statistic
    parts = shard_parts(specs, chunk_rows=512)
    profile = infer_task(y, p.astype(np.float64) if fmt == "csv" else p)
    a = run_pass(profile, parts, executor=dask_ex).state.to_dict()
    assert a == run_pass(profile, parts, executor=ThreadExecutor(1)).state.to_dict()


def test_sharded_bootstrap_intervals_on_dask_equal_threads_to_the_last_bit(tmp_path, dask_ex):
    """The group sums travel with the states and merge in the same tree: the same intervals."""
    y, p = predictions(4000, 4, seed=17)
    specs = write_shards(tmp_path, "npz", y, p, SIZES)
    on_dask = report_shards(specs, executor=dask_ex, ci=0.95, replicates=30)
    on_threads = report_shards(specs, executor=ThreadExecutor(2), ci=0.95, replicates=30)
    assert on_dask.intervals and on_dask.to_dict() == on_threads.to_dict()


def test_cli_scheduler_address_and_a_local_cluster_of_one_worker(tmp_path, capsys, cluster):
    y, p = predictions(3000, 4, seed=12)
    specs = write_shards(tmp_path, "parquet", y, p, [1000, 0, 999])
    code, threads, _ = cli_json(capsys, *specs)
    assert code == 0
    code, remote, err = cli_json(capsys, *specs, "--scheduler", cluster[0].scheduler_address)
    assert code == 0, err
    code, local, err = cli_json(capsys, *specs, "--executor", "dask", "--workers", "1")
    assert code == 0, err
    assert remote == threads == local  # 2 workers, 1 worker, 2 threads: the same bits


@pytest.mark.parametrize("corrupt, expected", [
    ("text", ("shard 3 of 5", "part-2.csv", "line 5", "expected a number")),
    ("nan", ("shard 3 of 5", "part-2.csv", "NaN", "0-based: 6")),
    ("label", ("shard 3 of 5", "part-2.csv", "class index 9", "first rows: 2")),
])
def test_a_bad_row_on_a_worker_names_its_shard_and_row_exit_2(tmp_path, capsys, cluster,
                                                               corrupt, expected):
    y, p = predictions(2500, 5, seed=13)
    y, p = y.copy(), p.astype(np.float64)
    if corrupt == "nan":
        p[706, 1] = np.nan
    if corrupt == "label":
        y[702] = 9
    specs = write_shards(tmp_path, "csv", y, p, SIZES)
    if corrupt == "text":
        path = tmp_path / "part-2.csv"
        lines = path.read_text().splitlines()
        lines[4] = lines[4].split(",")[0] + ",oops," + ",".join(lines[4].split(",")[2:])
        path.write_text("\n".join(lines) + "\n")
    code, _, err = cli_json(capsys, *specs, "--scheduler", cluster[0].scheduler_address)
    assert code == 2
    assert "Traceback" not in err and err.count("\n") == 1
    for text in expected:
        assert text in err, (text, err)


def test_label_scan_and_score_kind_retry_run_on_the_cluster(tmp_path, dask_ex):
    names = np.array(["ant", "bee", "cat", "dog"])
    y, p = predictions(3000, 4, seed=14)
    yn = names[y]
    keep = yn[:600] != "cat"  # the first shard lacks a class in the middle of the sorted order
    yn, p = np.concatenate([yn[:600][keep], yn[600:]]), np.concatenate([p[:600][keep], p[600:]])
    z = np.log(p)  # logits everywhere but in the first shard, which looks like probabilities
    z[: keep.sum()] = p[: keep.sum()]
    write_shards(tmp_path, "npz", yn, z, [int(keep.sum()), 0, 800])
    on_dask = report_shards([str(tmp_path)], executor=dask_ex)
    assert on_dask.to_dict() == report_shards([str(tmp_path)]).to_dict()
    assert on_dask.task.classes == tuple(names) and on_dask.task.score_kind == "logits"


def test_dask_arrays_with_the_active_client_equal_threads(cluster):
    y, p = predictions(12000, 5, seed=15)
    yd = da.from_array(y, chunks=2500)
    pdk = da.from_array(p, chunks=(3000, 2))  # other row chunks and two column chunks
    w = da.from_array(np.linspace(0.5, 2, 12000), chunks=4000)
    on_threads = headcheck.report(yd, pdk, sample_weight=w)
    with distributed.Client(cluster[0].scheduler_address) as client:
        client.wait_for_workers(2, timeout=60)
        on_dask = headcheck.report(yd, pdk, sample_weight=w)
        bad = p.copy()
        bad[7777, 3] = np.inf
        with pytest.raises(InputError, match="0-based: 7777"):  # global rows, as for numpy
            headcheck.report(yd, da.from_array(bad, chunks=(3000, 5)))
    assert on_dask.to_dict() == on_threads.to_dict()
    assert on_dask.task.n_samples == 12000
    ref = headcheck.report(y, p, sample_weight=np.linspace(0.5, 2, 12000)).metrics
    assert on_dask.metrics["accuracy"] == pytest.approx(ref["accuracy"], rel=1e-12)
    assert on_dask.metrics["log_loss"] == pytest.approx(ref["log_loss"], rel=1e-12)


def test_dask_dataframe_with_names_weights_and_an_empty_partition(cluster):
    y, p = predictions(6000, 3, seed=16)
    df = pd.DataFrame({"label": np.array(["no", "maybe", "yes"])[y], "p0": p[:, 0],
                       "p1": p[:, 1], "p2": p[:, 2], "w": np.linspace(1, 2, 6000),
                       "keep": ~((np.arange(6000) >= 2000) & (np.arange(6000) < 3000))})
    ddf = dd.from_pandas(df, npartitions=6)
    ddf = ddf[ddf["keep"]]  # partition 3 is now empty
    cols = {"label": "label", "scores": ["p0", "p1", "p2"], "weights": "w"}
    on_threads = headcheck.report_frame(ddf, **cols, executor="threads")
    with distributed.Client(cluster[0].scheduler_address) as client:
        client.wait_for_workers(2, timeout=60)
        on_dask = headcheck.report_frame(ddf, **cols)
    assert on_dask.to_dict() == on_threads.to_dict()
    in_pandas = headcheck.report_frame(df[df["keep"]], **cols)
    assert on_dask.task.classes == in_pandas.task.classes == ("maybe", "no", "yes")
    assert on_dask.metrics["accuracy"] == pytest.approx(in_pandas.metrics["accuracy"], rel=1e-12)
    with pytest.raises(InputError, match="no column"):
        headcheck.report_frame(ddf, label="target")


def test_in_process_array_parts_run_on_dask_too(dask_ex):
    from headcheck.engine.pipeline import array_parts

    y, p = predictions(3000, 4, seed=19)
    profile = infer_task(y, p)
    on_dask = run_pass(profile, array_parts(y, p, chunk_rows=700), executor=dask_ex)
    one_thread = run_pass(profile, array_parts(y, p, chunk_rows=700), executor=ThreadExecutor(1))
    # one state per part merged in the tree vs one state for all: the same counts, sums close
    assert on_dask.state.n_rows == 3000
    a, b = on_dask.result().metrics, one_thread.result().metrics
    assert a["accuracy"] == b["accuracy"] and a["log_loss"] == pytest.approx(b["log_loss"], rel=1e-12)


# --- lost workers: the report completes on retry, or fails; never a partial result ---------------

@dataclass(frozen=True)
class Killer:
    """A part whose fold kills the worker process folding it (SIGKILL): on its first try only
    (a marker file remembers), or every time. Never in the test process itself."""

    part: object
    marker: str
    always: bool
    test_pid: int

    @property
    def where(self):
        return self.part.where

    @property
    def name(self):
        return self.part.name

    def chunks(self):
        if os.getpid() != self.test_pid and (self.always or not os.path.exists(self.marker)):
            open(self.marker, "a").close()
            os.kill(os.getpid(), signal.SIGKILL)
        yield from self.part.chunks()

    def release(self):
        self.part.release()


class KillingParts:
    tree = True
    n_rows = None

    def __init__(self, parts, victim: int, marker: str, always: bool) -> None:
        self.parts, self.victim, self.marker, self.always = parts, victim, marker, always

    def __iter__(self):
        for part in self.parts:
            if part.index == self.victim:
                yield Killer(part, self.marker, self.always, os.getpid())
            else:
                yield part


def test_a_worker_killed_mid_run_is_replaced_and_the_report_is_complete(tmp_path, killable_ex):
    y, p = predictions(4000, 5, seed=17)
    write_shards(tmp_path / "s", "npz", y, p, [500, 0, 1200, 40])
    parts = shard_parts([str(tmp_path / "s")])
    profile = infer_task(y, p)
    marker = str(tmp_path / "killed-once")
    before = worker_processes(killable_ex)
    done = run_pass(profile, KillingParts(parts, 2, marker, always=False), executor=killable_ex)
    assert os.path.exists(marker)  # a worker did die folding shard 3 ...
    # ... and the scheduler knew it before the retry gave the result: that worker is gone from it
    assert len(before) == WORKERS and before - worker_processes(killable_ex)
    expected = run_pass(profile, parts, executor=ThreadExecutor(2)).state.to_dict()
    assert done.state.to_dict() == expected  # every row of every shard, once: the same bits
    assert done.state.n_rows == 4000


def test_a_part_that_kills_every_worker_fails_clearly_with_no_result(tmp_path, killable_ex, capsys,
                                                                      monkeypatch):
    y, p = predictions(1000, 3, seed=18)
    write_shards(tmp_path / "s", "npz", y, p, [300, 300])
    parts = shard_parts([str(tmp_path / "s")])
    with pytest.raises(ExecutionError) as info:
        run_pass(infer_task(y, p), KillingParts(parts, 1, str(tmp_path / "m"), always=True),
                 executor=killable_ex)
    message = str(info.value)
    assert "shard 2 of 3" in message and "died" in message and "no report" in message
    # the command line turns it into exit code 3 and the message, no traceback
    import headcheck._sharded as sharded

    def lost(*args, **kwargs):
        raise info.value

    monkeypatch.setattr(sharded, "report_shards", lost)
    code, _, err = cli_json(capsys, str(tmp_path / "s"), "--executor", "dask")
    assert code == 3 and "shard 2 of 3" in err and "Traceback" not in err

