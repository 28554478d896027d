"""Bootstrap intervals of sharded and Dask reports (`report --ci` over shards, `report(ci=)` of
Dask arrays). Reference: a replicate is the report under the sample weights W[:, b]
(tests/test_bootstrap.py); rows of a shard are keyed by (shard, row), rows of Dask blocks with
known sizes by their global row, so a Dask report's intervals equal the in-process report's.
"""
from __future__ import annotations

import json

import numpy as np
import pytest
from shard_helpers import cli_json, cut, predictions, write_shards

import headcheck
from headcheck._sharded import report_shards
from headcheck.engine.bootstrap import Replicates, replicate_metrics, weights
from headcheck.engine.executors import ThreadExecutor
from headcheck.engine.pipeline import run_pass
from headcheck.gate import infer_task
from headcheck.io.shards import shard_parts

SIZES = [900, 0, 1700, 31]


def test_shard_replicates_are_the_report_under_each_shards_weights(tmp_path):
    y, p = predictions(4000, 5, seed=21)
    specs = write_shards(tmp_path, "npz", y, p, SIZES)
    rep = Replicates(20, seed=4)
    state = run_pass(infer_task(y, p), shard_parts(specs, chunk_rows=700),
                     executor=ThreadExecutor(2), replicates=rep).state
    # shard k's rows are keyed (k + 1, row within the shard); the empty shard has none
    W = np.concatenate([weights(rep, np.arange(b - a), part=k + 1)
                        for k, (a, b) in enumerate(cut(len(y), SIZES))]).astype(np.float64)
    reps = replicate_metrics(state)
    for b in (0, 7, 19):
        ref = headcheck.report(y, p, sample_weight=W[:, b]).metrics
        for name in ("accuracy", "macro_f1", "log_loss", "brier", "mcc"):
            assert reps[name][b] == pytest.approx(ref[name], rel=1e-9), (name, b)


def test_sharded_intervals_do_not_depend_on_workers_or_chunks(tmp_path):
    y, p = predictions(4000, 5, seed=22)
    specs = write_shards(tmp_path, "npy", y, p, SIZES)
    one = report_shards(specs, executor=ThreadExecutor(1), ci=0.9, replicates=50)
    two = report_shards(specs, executor=ThreadExecutor(2), ci=0.9, replicates=50, chunk_rows=333)
    assert one.intervals.keys() == two.intervals.keys() and "accuracy" in one.intervals
    for name, iv in one.intervals.items():
        other = two.intervals[name]
        assert (iv.ci_low, iv.ci_high) == pytest.approx((other.ci_low, other.ci_high), rel=1e-9)
        assert iv.ci_low <= one.metrics[name] <= iv.ci_high or name == "ece"


def test_dask_array_intervals_equal_the_in_process_report():
    da = pytest.importorskip("dask.array")
    y, p = predictions(6000, 4, seed=23)
    on_dask = headcheck.report(da.from_array(y, chunks=1500), da.from_array(p, chunks=(2000, 4)),
                               ci=0.95, replicates=40, seed=3)
    here = headcheck.report(y, p, ci=0.95, replicates=40, seed=3)
    assert on_dask.intervals.keys() == here.intervals.keys()
    for name, iv in here.intervals.items():
        got = on_dask.intervals[name]
        assert (got.ci_low, got.ci_high) == pytest.approx((iv.ci_low, iv.ci_high), rel=1e-9), name


def test_cli_report_ci_over_shards(tmp_path, capsys):
    y, p = predictions(3000, 3, seed=24)
    specs = write_shards(tmp_path, "npz", y, p, [1000, 1000])
    code, doc, err = cli_json(capsys, *specs, "--ci", "0.9", "--replicates", "30")
    assert code == 0, err
    acc = doc["intervals"]["accuracy"]
    assert acc["level"] == 0.9 and acc["ci_low"] < doc["metrics"]["accuracy"] < acc["ci_high"]


def test_explain_reads_shards_and_compare_refuses_them_clearly(tmp_path, capsys):
    from headcheck.cli import main

    y, p = predictions(2000, 3, seed=25)
    specs = write_shards(tmp_path, "npy", y, p, [700])
    acc = float(np.mean(p.argmax(1) == y))
    assert main(["explain", *specs, "--reported", f"{acc:.4f}", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["task"]["n_samples"] == 2000
    assert "accuracy" in {m["id"] for m in doc["matches"]}
    assert main(["compare", *specs, specs[1]]) == 2
    err = capsys.readouterr().err
    assert "glob, a directory or a URL" in err and "Traceback" not in err
