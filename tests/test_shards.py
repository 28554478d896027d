"""Sharded inputs without Dask: the pass's fixed merge tree, shard discovery, the thread executor
over shards (`headcheck report 'preds/*.parquet'`), empty and bad shards, inference across shards.

"Equal" here has two strengths. Over the same shards, every executor and worker count gives the
same state *to the last bit* (`to_dict()` equality, floats compared exactly): each shard is folded
into a state of its own and the states merge in the fixed tree `TreeMerge`, which depends on the
number of shards only. Against the report of the same rows as one file (other chunk boundaries,
so other float summation order), integer-valued statistics and the metrics built from them are
equal exactly and float sums agree to ~1e-12 relative.
"""
from __future__ import annotations

import json
import math
import random
import time

import numpy as np
import pytest
from shard_helpers import (
    FORMATS,
    cli_json,
    predictions,
    scores_as_stored,
    without_notes,
    write_shards,
)

import headcheck
from headcheck._sharded import report_shards
from headcheck.cli import main
from headcheck.engine import new_state
from headcheck.engine.executors import Leaf, ThreadExecutor, TreeMerge, check_root, merge_leaves
from headcheck.engine.pipeline import Plan
from headcheck.errors import InputError
from headcheck.gate import infer_task
from headcheck.io.shards import find_shards, is_sharded, shard_parts

SIZES = [700, 0, 1500, 13]  # + the rest: unequal shards, one empty


# --- the fixed tree ------------------------------------------------------------------------------

def reference_tree(lo: int, n: int) -> str:
    """The tree TreeMerge must build, by its definition: the largest power-of-two block of the
    leaves on the left (balanced), the rest on the right."""
    if n == 1:
        return f"{lo}"
    h = 1 << (n.bit_length() - 1)
    if h == n:
        h //= 2
    return f"({reference_tree(lo, h)} {reference_tree(lo + h, n - h)})"


@pytest.mark.parametrize("n", list(range(1, 34)) + [64, 100])
def test_tree_shape_depends_on_the_number_of_parts_only(n):
    tree = TreeMerge(lambda a, b: f"({a} {b})")
    for i in range(n):
        tree.push(str(i))
    assert tree.result() == reference_tree(0, n)
    assert len(tree.stack) == bin(n).count("1")  # at most log2(P) + 1 subtrees held


def test_merging_refuses_parts_that_are_not_adjacent_and_partial_roots():
    class V:
        def merge(self, other):
            return self

    with pytest.raises(RuntimeError, match="not adjacent"):
        merge_leaves(Leaf(V(), 0, 2), Leaf(V(), 3, 4))
    with pytest.raises(RuntimeError, match="partial"):
        check_root(Leaf(V(), 0, 3), 4)
    with pytest.raises(RuntimeError, match="partial"):
        check_root(None, 2)
    check_root(Leaf(V(), 0, 4), 4)


class Jittered:
    """Parts that finish in a random order (each sleeps a little before it is read)."""

    tree = True

    def __init__(self, parts, seed):
        self.parts, self.seed = parts, seed

    def __iter__(self):
        r = random.Random(self.seed)
        for part in self.parts:
            yield _Sleepy(part, r.random() * 0.02)


class _Sleepy:
    def __init__(self, part, delay):
        self.part, self.delay = part, delay

    def chunks(self):
        time.sleep(self.delay)
        yield from self.part.chunks()

    def release(self):
        self.part.release()


def test_a_tree_pass_is_the_same_to_the_last_bit_on_any_number_of_threads_and_any_order(tmp_path):
    y, p = predictions(3000, 7, seed=3)
    write_shards(tmp_path, "npz", y, p, [400, 0, 900, 77, 300, 1])
    parts = shard_parts([str(tmp_path)], chunk_rows=128)  # several chunks per shard
    plan = Plan(infer_task(y, p))
    states = [ThreadExecutor(w).run(plan, parts) for w in (1, 2, 3)]
    states += [ThreadExecutor(2).run(plan, Jittered(list(parts), seed)) for seed in range(3)]
    # the reference, by the definition: each shard folded alone, merged in reference_tree's shape
    leaves = [plan.fold_leaf(part) for part in parts]

    def merged(lo, n):
        if n == 1:
            return leaves[lo]
        h = 1 << (n.bit_length() - 1)
        h = h // 2 if h == n else h
        return merged(lo, h).merge(merged(lo + h, n - h))

    expected = merged(0, len(leaves)).to_dict()
    assert expected["n_rows"] == 3000
    for state in states:
        assert state.to_dict() == expected  # every float compared exactly


# --- discovery ----------------------------------------------------------------------------------

def test_shards_are_found_in_natural_order_skipping_hidden_and_marker_files(tmp_path):
    for name in ("part-10.npz", "part-2.npz", "part-1.npz", "_SUCCESS", ".part-1.npz.crc"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "part-3.npz").write_bytes(b"")
    (tmp_path / "_tmp").mkdir()
    (tmp_path / "_tmp" / "part-0.npz").write_bytes(b"")
    names = [p[len(str(tmp_path)) + 1:] for p in find_shards(str(tmp_path))]
    assert names == ["part-1.npz", "part-2.npz", "part-10.npz", "sub/part-3.npz"]
    assert [n[len(str(tmp_path)) + 1:] for n in find_shards(str(tmp_path / "*.npz"))] == [
        "part-1.npz", "part-2.npz", "part-10.npz"]
    assert is_sharded([str(tmp_path)]) and is_sharded([str(tmp_path / "*.npz")])
    assert not is_sharded([str(tmp_path / "part-1.npz")])
    assert not is_sharded([str(tmp_path), str(tmp_path / "part-1.npz")])  # the two-file form
    assert is_sharded(["a.npz", "b.npz", "c.npz"])


def test_a_glob_matching_nothing_or_unknown_files_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no shard files found"):
        find_shards(str(tmp_path / "*.parquet"))
    (tmp_path / "notes.md").write_text("x")
    with pytest.raises(InputError, match="no known format"):
        find_shards(str(tmp_path / "*"))


# --- reports over shards, thread executor ---------------------------------------------------------

def close_reports(a, b, path="report", rel=1e-12):
    """Equal structure and strings; integers exactly; floats to `rel` (other chunk boundaries sum
    floats in another order)."""
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            close_reports(a[k], b[k], f"{path}.{k}", rel)
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, z) in enumerate(zip(a, b)):
            close_reports(x, z, f"{path}[{i}]", rel)
    elif isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=rel, abs_tol=1e-15) or (math.isnan(a) and math.isnan(b)), path
    else:
        assert a == b, path


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_reports_shards_of_every_format_like_one_file(tmp_path, capsys, fmt):
    y, p = predictions()
    specs = write_shards(tmp_path / "shards", fmt, y, p, SIZES)
    code, two, _ = cli_json(capsys, *specs)
    assert code == 0
    code, one, _ = cli_json(capsys, *specs, "--workers", "1")
    assert two == one  # to the last bit: same shards, another number of threads
    ref = headcheck.report(y, scores_as_stored(fmt, p)).to_dict()
    assert two["task"]["n_samples"] == len(y)
    assert [c["support"] for c in two["per_class"]] == [c["support"] for c in ref["per_class"]]
    close_reports(without_notes(two), without_notes(ref))
    assert "5 shard(s)" in " ".join(two["notes"])


def test_empty_shards_of_every_kind_first_one_included(tmp_path, capsys):
    y, p = predictions(600, 3, seed=1)
    root = tmp_path / "mixed"
    write_shards(root, "csv", y[:300], p[:300], [0, 100])  # part-0.csv: a header only
    (root / "part-00.csv").write_text("")  # a 0-byte csv: empty too, and the very first shard
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"label": pa.array(y[:0]), **{f"p{j}": pa.array(p[:0, j])
                                                          for j in range(3)}}),
                   root / "part-5.parquet")
    write_shards(tmp_path / "pq", "parquet", y[300:], p[300:], [0])  # an empty first parquet
    for f in (tmp_path / "pq").iterdir():
        f.rename(root / f"part-6{f.name}")
    np.savez(root / "part-7.npz", y_true=y[:0], y_score=p[:0])
    code, rep, err = cli_json(capsys, str(root))
    assert code == 0, err
    assert rep["task"]["n_samples"] == 600
    ref = headcheck.report(y, np.concatenate([p[:300].astype(np.float64), p[300:]])).to_dict()
    # csv shards hold float64, parquet ones float32 (Brier sums float32 rows in float32): the one
    # float64 array of the reference agrees to float32 precision
    close_reports(without_notes(rep), without_notes(ref), rel=1e-6)


def test_every_shard_empty_is_an_input_error(tmp_path, capsys):
    y, p = predictions(10, 3)
    write_shards(tmp_path, "npz", y[:0], p[:0], [0, 0])
    code, _, err = cli_json(capsys, str(tmp_path))
    assert code == 2 and "every shard is empty" in err


@pytest.mark.parametrize("fmt, corrupt, expected", [
    ("csv", "text", ("shard 3 of 5", "part-2.csv", "line 5", "expected a number")),
    ("npz", "label", ("shard 3 of 5", "part-2.npz", "class index 7", "first rows: 3")),
    ("parquet", "nan", ("shard 3 of 5", "part-2.parquet", "NaN", "0-based: 6")),
])
def test_a_bad_row_names_its_shard_and_row_exit_2(tmp_path, capsys, fmt, corrupt, expected):
    y, p = predictions(2000, 5)
    y, p = y.copy(), p.copy()
    a = 700 + 0  # shard 3 (part-2) starts after 700 rows and an empty shard
    if corrupt == "label":
        y[a + 3] = 7
    if corrupt == "nan":
        p[a + 6, 2] = np.nan
    specs = write_shards(tmp_path, fmt, y, p, SIZES)
    if corrupt == "text":  # line 5 of part-2.csv: the header, then rows 0..3
        path = tmp_path / "part-2.csv"
        lines = path.read_text().splitlines()
        lines[4] = lines[4].replace(lines[4].split(",")[2], "oops", 1)
        path.write_text("\n".join(lines) + "\n")
    code, _, err = cli_json(capsys, *specs)
    assert code == 2
    assert "Traceback" not in err and err.count("\n") == 1  # one paragraph
    for text in expected:
        assert text in err, (text, err)


def test_class_names_missing_from_the_first_shard_still_map_to_their_columns(tmp_path):
    names = np.array(["ant", "bee", "cat", "dog"])
    y, p = predictions(3000, 4, seed=5)
    y_names = names[y]
    first = y_names[:500] != "bee"
    y_names = np.concatenate([y_names[:500][first], y_names[500:]])
    p = np.concatenate([p[:500][first], p[500:]])
    write_shards(tmp_path, "npz", y_names, p, [int(first.sum()), 0, 1200])
    rep = report_shards([str(tmp_path)])
    ref = headcheck.report(y_names, p)
    assert rep.task.classes == ref.task.classes == tuple(names)
    close_reports(without_notes(rep.to_dict()), without_notes(ref.to_dict()))


def test_predicted_class_indices_above_the_first_shards_ones_widen_the_classes(tmp_path):
    r = np.random.default_rng(2)
    y = r.integers(0, 6, 2000)
    pred = np.where(r.random(2000) < 0.7, y, r.integers(0, 6, 2000))
    y[:400], pred[:400] = y[:400] % 4, pred[:400] % 4  # the first shard sees classes 0..3 only
    write_shards(tmp_path, "npz", y, pred, [400, 700])
    rep = report_shards([str(tmp_path)])
    ref = headcheck.report(y, pred)
    assert rep.task.n_classes == ref.task.n_classes == 6
    close_reports(without_notes(rep.to_dict())["metrics"], without_notes(ref.to_dict())["metrics"])


@pytest.mark.parametrize("later, kind", [("logits", "logits"), ("fractions", "probabilities")])
def test_a_later_shard_that_contradicts_the_score_kind_reruns_the_pass(tmp_path, later, kind):
    r = np.random.default_rng(4)
    y = r.integers(0, 2, 1500)
    if later == "logits":  # the first shard looks like probabilities, a later one is not
        s = np.concatenate([r.uniform(0.01, 0.99, 500), r.normal(0, 3, 1000)])
    else:  # the first shard looks hard (0/1), a later one holds fractions
        s = np.concatenate([r.integers(0, 2, 500).astype(float), r.uniform(0, 1, 1000)])
    write_shards(tmp_path, "npz", y, s, [500, 400])
    rep = report_shards([str(tmp_path)])
    assert rep.task.score_kind == kind
    assert any("appeared after the first rows" in d for d in rep.task.decisions)
    ref = headcheck.report(y, s, score_kind=kind)
    close_reports(rep.to_dict()["metrics"], ref.to_dict()["metrics"])


def test_weights_inside_shards_and_as_paired_weight_shards(tmp_path, capsys):
    y, p = predictions(1200, 3)
    w = np.random.default_rng(0).uniform(0.5, 2, 1200)
    write_shards(tmp_path / "a", "npz", y, p, [300, 0, 500], weights=w)
    inside = report_shards([str(tmp_path / "a")])
    specs = write_shards(tmp_path / "b", "npy", y, p, [300, 0, 500])
    wdir = tmp_path / "w"
    wdir.mkdir()
    for i, (a, b) in enumerate([(0, 300), (300, 300), (300, 800), (800, 1200)]):
        np.save(wdir / f"part-{i}.npy", w[a:b])
    code, paired, err = cli_json(capsys, *specs, "--weights", str(wdir / "*.npy"))
    assert code == 0, err
    assert inside.to_dict()["metrics"] == paired["metrics"]  # same shards, same bits
    close_reports(paired["metrics"], headcheck.report(y, p, sample_weight=w).to_dict()["metrics"])


def test_pairing_errors_are_input_errors(tmp_path, capsys):
    y, p = predictions(100, 3)
    specs = write_shards(tmp_path, "npy", y, p, [50])
    (tmp_path / "labels" / "part-9.npy").write_bytes((tmp_path / "labels" / "part-0.npy").read_bytes())
    code, _, err = cli_json(capsys, *specs)
    assert code == 2 and "3 labels shard(s)" in err and "2 scores shard(s)" in err
    np.save(tmp_path / "labels" / "part-9.npy", y[:3])
    np.save(tmp_path / "scores" / "part-9.npy", p[:4])
    code, _, err = cli_json(capsys, *specs)
    assert code == 2 and "shard 3 of 3" in err and "one row per sample" in err


def test_more_than_two_files_are_shards_and_a_single_file_is_unchanged(tmp_path, capsys):
    y, p = predictions(900, 4)
    write_shards(tmp_path, "npz", y, p, [200, 300])
    files = sorted(str(f) for f in tmp_path.glob("*.npz"))
    code, rep, _ = cli_json(capsys, *files)
    assert code == 0 and rep["task"]["n_samples"] == 900
    code, single, _ = cli_json(capsys, files[0])
    assert code == 0 and single["task"]["n_samples"] == 200
    assert not any("shard" in n for n in single.get("notes", []))


def test_fsspec_urls_read_like_local_shards(tmp_path):
    fsspec = pytest.importorskip("fsspec")
    y, p = predictions(1000, 3, seed=9)
    write_shards(tmp_path, "parquet", y, p, [250, 0, 400])
    fs = fsspec.filesystem("memory")
    for f in tmp_path.glob("*.parquet"):
        fs.pipe(f"/hc-test/{f.name}", f.read_bytes())
    try:
        remote = report_shards(["memory://hc-test/*.parquet"])
        local = report_shards([str(tmp_path / "*.parquet")])
        as_dir = report_shards(["memory://hc-test/"])
    finally:
        fs.rm("/hc-test", recursive=True)
    assert remote.to_dict() == as_dir.to_dict()
    assert without_notes(remote.to_dict()) == without_notes(local.to_dict())


def test_without_dask_installed_the_dask_executor_says_how_to_get_it(tmp_path, capsys, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    y, p = predictions(100, 3)
    write_shards(tmp_path, "npz", y, p, [50])
    code, _, err = cli_json(capsys, str(tmp_path), "--executor", "dask")
    assert code == 2 and "pip install headcheck[dask]" in err


def test_text_output_and_the_python_api(tmp_path, capsys):
    y, p = predictions(500, 3)
    write_shards(tmp_path, "parquet", y, p, [100])
    assert main(["report", str(tmp_path / "*.parquet")]) == 0
    out = capsys.readouterr().out
    assert "2 shard(s)" in out and "accuracy" in out
    rep = headcheck.report_shards([str(tmp_path)], executor="threads", workers=1)
    assert rep.task.n_samples == 500
    assert json.loads(rep.to_json())["metrics"] == rep.to_dict()["metrics"]
    with pytest.raises(InputError, match="executor"):
        headcheck.report_shards([str(tmp_path)], executor="spark")
    state = new_state(rep.task)
    assert state.n_rows == 0  # the public pieces stay importable


def test_one_file_whose_later_rows_are_logits_reruns_as_logits():
    # the first 65,536 rows look like probabilities; the pass meets logits later and re-runs
    # (the calibration bins of the first attempt once crashed on negative 'probabilities')
    r = np.random.default_rng(0)
    z = r.normal(size=(70_000, 4))
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    s = np.concatenate([p[:66_000], z[66_000:]])
    rep = headcheck.report(r.integers(0, 4, 70_000), s)
    assert rep.task.score_kind == "logits"


def test_label_offset_and_class_lists_apply_to_every_shard(tmp_path, capsys):
    y, p = predictions(1500, 5, seed=6)
    specs = write_shards(tmp_path, "parquet", y + 1, p, [400, 0, 600])  # ratings 1..5
    code, rep, err = cli_json(capsys, *specs, "--label-offset", "1")
    assert code == 0, err
    close_reports(rep["metrics"], headcheck.report(y + 1, p, label_offset=1).to_dict()["metrics"])
    code, listed, err = cli_json(capsys, *specs, "--classes", "1,2,3,4,5")
    assert code == 0, err
    assert listed["metrics"] == rep["metrics"]


@pytest.mark.parametrize("odd, expected", [
    ("width", "have 4 column(s) but the first rows had 3"),
    ("names", "hold class names (strings) but the first rows held numbers"),
    ("numbers", "hold int64 numbers but the first rows held class names"),
])
def test_a_shard_unlike_the_first_is_named_with_what_differs(tmp_path, capsys, odd, expected):
    r = np.random.default_rng(0)
    y, p = r.integers(0, 3, 20), r.dirichlet([1, 1, 1], 20)
    names = np.array(["a", "b", "c"])[y]
    first = names if odd == "numbers" else y
    np.savez(tmp_path / "part-0.npz", y_true=first, y_score=p)
    if odd == "width":
        np.savez(tmp_path / "part-1.npz", y_true=y, y_score=r.dirichlet([1, 1, 1, 1], 20))
    else:
        np.savez(tmp_path / "part-1.npz", y_true=y if odd == "numbers" else names, y_score=p)
    code, _, err = cli_json(capsys, str(tmp_path))
    assert code == 2 and "shard 2 of 2" in err and expected in err, err
