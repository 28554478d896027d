"""--classes / --label-offset: which label is which output, in report, explain, check and the API."""
from __future__ import annotations

import json

import numpy as np
import pytest

import headcheck
from headcheck.cli import main
from headcheck.errors import InputError
from headcheck.gate.classes import map_labels, parse_classes
from headcheck.head import HeadSpec


@pytest.fixture
def ratings():
    rng = np.random.default_rng(3)
    y = rng.integers(1, 6, 300)  # 1..5 stars
    p = rng.dirichlet(np.ones(5), 300)
    p[np.arange(300), y - 1] += 0.3  # some signal
    return y, p / p.sum(axis=1, keepdims=True)


def test_offset_and_value_list_equal_zero_based_labels(ratings):
    y, p = ratings
    base = headcheck.report(y - 1, p, chunk_rows=37)
    for kw in ({"label_offset": 1}, {"classes": [1, 2, 3, 4, 5]}, {"classes": "1,2,3,4,5"}):
        rep = headcheck.report(y, p, chunk_rows=37, **kw)
        assert rep.metrics == base.metrics
        assert rep.task.classes == ("1", "2", "3", "4", "5")
        assert rep.per_class[0]["support"] == float(np.sum(y == 1))
        assert any("mapped to outputs" in d for d in rep.task.decisions)


def test_value_list_in_any_order_maps_by_value(ratings):
    y, p = ratings
    rep = headcheck.report(y, p[:, ::-1], classes=[5, 4, 3, 2, 1])
    assert rep.metrics["accuracy"] == pytest.approx(headcheck.report(y - 1, p).metrics["accuracy"])


def test_string_labels_take_the_given_order_not_the_sorted_one():
    names = np.array(["bad", "ok", "good", "good", "bad", "ok"])
    p = np.eye(3)[[0, 1, 2, 2, 0, 1]] * 0.8 + 0.2 / 3  # outputs in order bad, ok, good
    right = headcheck.report(names, p, classes="bad,ok,good")
    assert right.metrics["accuracy"] == 1.0 and right.task.classes == ("bad", "ok", "good")
    assert right.task.label_encoding == "string"
    assert headcheck.report(names, p).metrics["accuracy"] < 1.0  # sorted: bad, good, ok


def test_names_only_name_integer_outputs():
    y = np.array([0, 1, 2, 2])
    rep = headcheck.report(y, np.eye(3)[y], classes=["cat", "dog", "eel"])
    assert rep.task.classes == ("cat", "dog", "eel") and rep.metrics["accuracy"] == 1.0
    assert rep.per_class[2]["name"] == "eel"


def test_predicted_labels_are_mapped_like_the_labels():
    y = np.array([1, 2, 3, 3, 2])
    pred = np.array([1, 2, 3, 2, 2])
    rep = headcheck.report(y, pred, label_offset=1)
    assert rep.task.n_classes == 3 and rep.metrics["accuracy"] == pytest.approx(0.8)


def test_a_label_not_in_the_list_is_an_input_error_naming_rows(ratings):
    y, p = ratings
    y = y.copy()
    y[[7, 9]] = 6
    with pytest.raises(InputError, match=r"value 6 is not one of the classes given .*rows, 0-based: 7, 9"):
        headcheck.report(y, p, classes=[1, 2, 3, 4, 5])


def test_bad_class_specs():
    with pytest.raises(InputError, match="not both"):
        parse_classes("1,2", 1)
    with pytest.raises(InputError, match="more than once"):
        parse_classes("a,b,a")
    with pytest.raises(InputError, match="whole number"):
        parse_classes(None, "1.5")
    with pytest.raises(InputError, match="2 classes were given"):
        headcheck.report(np.array([0, 1, 2]), np.eye(3), classes=["a", "b"])


def test_names_file(tmp_path, ratings):
    y, p = ratings
    f = tmp_path / "classes.txt"
    f.write_text("1\n2\n3\n\n4\n5\n")
    assert parse_classes(f"@{f}").values == (1.0, 2.0, 3.0, 4.0, 5.0)
    with pytest.raises(InputError, match="does not exist"):
        parse_classes(f"@{tmp_path / 'missing.txt'}")


def test_map_labels_string_values_and_float_labels():
    assert map_labels(np.array(["b", "a"]), ("b", "a"), 0).tolist() == [0, 1]
    assert map_labels(np.array([2.0, 1.0]), (1.0, 2.0), 0).tolist() == [1, 0]
    with pytest.raises(InputError, match="whole-number"):
        map_labels(np.array([1.5]), (), 1)


def test_report_error_on_one_based_labels_says_how_to_keep_them(ratings):
    y, p = ratings
    with pytest.raises(InputError, match=r"--label-offset 1 or --classes 1,2,3,4,5.*HC203"):
        headcheck.report(y, p)


def test_check_one_cause_one_finding(ratings):
    y, _ = ratings
    head = HeadSpec.declared(activation="softmax", units=5, loss="sparse_categorical_crossentropy")
    res = headcheck.check(head, y)
    assert [f.code for f in res.findings] == ["HC203"]
    assert "subtract 1" in res.findings[0].fix and "HC110 and HC204" in res.findings[0].message
    assert headcheck.check(head, y, label_offset=1).findings == ()
    assert headcheck.check(head, y, classes=[1, 2, 3, 4, 5]).findings == ()
    # without the root cause, an empty class is a finding of its own
    six = HeadSpec.declared(activation="softmax", units=6, loss="sparse_categorical_crossentropy")
    assert [f.code for f in headcheck.check(six, y).findings] == ["HC204"]


def test_cli_report_explain_check(tmp_path, ratings, capsys):
    y, p = ratings
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "p.npy", p)
    files = [str(tmp_path / "y.npy"), str(tmp_path / "p.npy")]
    assert main(["report", *files]) == 2
    assert "--label-offset 1" in capsys.readouterr().err
    assert main(["report", *files, "--label-offset", "1", "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["task"]["label_offset"] == 1 and d["per_class"][4]["name"] == "5"
    acc = d["metrics"]["accuracy"]
    assert main(["explain", *files, "--classes", "1,2,3,4,5", "--reported", f"{acc:.4f}",
                 "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["matches"][0]["id"] == "accuracy"
    assert main(["check", "--activation", "softmax", "--units", "5", "--loss",
                 "sparse_categorical_crossentropy", "--labels", files[0], "--classes", "1,2,3,4,5"]) == 0
    assert main(["report", *files, "--classes", "1,2,3", "--label-offset", "1"]) == 2
    assert "not both" in capsys.readouterr().err


def test_feed_maps_batches(ratings):
    from headcheck.engine import Feed

    y, p = ratings
    feed = Feed(label_offset=1)
    for a in range(0, 300, 64):
        feed.update(y[a:a + 64], p[a:a + 64])
    assert feed.result().metrics["accuracy"] == headcheck.report(y - 1, p).metrics["accuracy"]


def test_check_says_the_loss_needs_the_mapped_labels(ratings):
    """A clean check of 1-based labels under --label-offset / --classes is a check of the mapped
    labels: it says so, with the mapping to apply, so nobody reads it as 'labels 1..5 are fine'."""
    y, _ = ratings
    head = HeadSpec.declared(activation="softmax", units=5, loss="sparse_categorical_crossentropy")
    for kw in ({"label_offset": 1}, {"classes": "1,2,3,4,5"}):
        res = headcheck.check(head, y, **kw)
        assert res.findings == () and len(res.notes) == 1
        assert "the loss must receive them mapped too (`y - 1`)" in res.notes[0]
        assert "note: labels mapped to outputs" in res.to_text()
        assert res.to_dict()["notes"] == list(res.notes)
    res = headcheck.check(head, y, classes=[5, 4, 3, 2, 1])
    assert "'5' -> 0" in res.notes[0] and "its position in the class list" in res.notes[0]
    names = headcheck.check(head, y - 1, classes="bad,poor,ok,good,great")  # names only: nothing mapped
    assert names.findings == () and names.notes == ()
    assert [f.code for f in headcheck.check(head, y, classes="bad,poor,ok,good,great").findings] == ["HC203"]
