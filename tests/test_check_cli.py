"""`headcheck check` on each combination of the 'accuracy' resolution table (docs/rules.md, HC301), and its input handling."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from headcheck.cli import main

RNG = np.random.default_rng(0)
N = 200


def _save(tmp_path: Path, name: str, y: np.ndarray) -> str:
    path = tmp_path / f"{name}.npy"
    np.save(path, y)
    return str(path)


def _labels(kind: str) -> np.ndarray:
    if kind == "one-hot-10":
        return np.eye(10)[np.arange(N) % 10]
    if kind == "multi-hot-3":
        return (RNG.random((N, 3)) < 0.4).astype(np.uint8)
    if kind == "int-10":
        return np.arange(N) % 10
    return np.arange(N) % 2  # binary 0/1, balanced


# The table's columns: (head arguments, labels)
COLUMNS = {
    "A": (["--activation", "softmax", "--units", "10", "--loss", "binary_crossentropy"], "one-hot-10"),
    "B": (["--activation", "sigmoid", "--units", "3", "--loss", "binary_crossentropy"], "multi-hot-3"),
    "C": (["--activation", "softmax", "--units", "10", "--loss", "sparse_categorical_crossentropy"], "int-10"),
    "D": (["--activation", "sigmoid", "--units", "1", "--loss", "binary_crossentropy"], "binary"),
}
# Expected codes per (framework, column): what the table implies (HC301 where the resolved accuracy
# does not fit), plus the head rules that apply whatever the version (HC101 for softmax + BCE,
# HC305 (info) when multi-label accuracy is only per-label).
EXPECTED = {
    ("keras==1.0.4", "A"): {"HC101"},
    ("keras==1.0.4", "B"): {"HC301"},
    ("keras==1.0.4", "C"): {"HC301"},
    ("keras==1.0.4", "D"): set(),
    ("keras==2.2.4", "A"): {"HC301", "HC101"},
    ("keras==2.2.4", "B"): {"HC305"},
    ("keras==2.2.4", "C"): set(),
    ("keras==2.2.4", "D"): set(),
    ("tf.keras==2.1", "A"): {"HC301", "HC101"},
    ("tf.keras==2.1", "B"): {"HC305"},
    ("tf.keras==2.2", "A"): {"HC101"},
    ("tf.keras==2.2", "B"): {"HC301"},
    ("keras==3.6", "A"): {"HC101"},
    ("keras==3.6", "B"): {"HC301"},
    ("keras==3.6", "C"): set(),
    ("keras==3.6", "D"): set(),
    (None, "A"): {"HC101"},
    (None, "B"): {"HC301"},
    (None, "C"): set(),
    (None, "D"): set(),
}


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    code = main(["check", *argv, "--format", "json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


@pytest.mark.parametrize("framework, column", list(EXPECTED), ids=[f"{f}-{c}" for f, c in EXPECTED])
def test_table_combination(framework: str | None, column: str, tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    head, labels = COLUMNS[column]
    argv = [*head, "--metric", "accuracy", "--labels", _save(tmp_path, "y", _labels(labels))]
    if framework:
        argv += ["--framework", framework]
    code, out = _run(argv, capsys)
    codes = {f["code"] for f in out["findings"]}
    assert codes == EXPECTED[(framework, column)]
    severe = [f for f in out["findings"] if f["severity"] in ("warning", "error")]
    assert code == (1 if severe else 0)
    for f in out["findings"]:
        assert set(f) == {"code", "name", "severity", "message", "fix", "url"}
        assert f["message"].endswith(f["url"])


def test_unknown_version_mentions_older_families(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head, labels = COLUMNS["B"]
    code, out = _run([*head, "--metric", "accuracy", "--labels", _save(tmp_path, "y", _labels(labels))], capsys)
    (finding,) = out["findings"]
    assert finding["severity"] == "warning" and code == 1
    assert "version is unknown" in finding["message"]
    assert "Keras 1.0.6–2.3.x and tf.keras ≤ 2.1: binary_accuracy (fits)" in finding["message"]


def test_task_instead_of_labels(capsys: pytest.CaptureFixture[str]) -> None:
    head, _ = COLUMNS["B"]
    code, out = _run([*head, "--metric", "accuracy", "--framework", "keras==3.6", "--task", "multilabel"], capsys)
    assert [f["code"] for f in out["findings"]] == ["HC301"]
    assert out["task"] is None and out["declared_task"] == "multilabel"
    assert code == 1


def test_info_only_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(["--metric", "torchmetrics.Accuracy(task='multiclass', num_classes=3)"], capsys)
    assert [f["code"] for f in out["findings"]] == ["HC306"]
    assert code == 0


def test_pytorch_double_softmax_text(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--activation", "nn.Softmax(dim=1)", "--units", "10", "--loss", "nn.CrossEntropyLoss"])
    out = capsys.readouterr().out
    assert code == 1
    assert "HC105 double-activation [error]" in out
    assert "fix: drop the `nn.Softmax()`: `CrossEntropyLoss` applies log-softmax itself" in out
    assert "see: https://headcheck.readthedocs.io/en/latest/rules/HC105/" in out


def test_logits_threshold(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(["--activation", "linear", "--units", "1", "--loss", "binary_crossentropy",
                      "--from-logits", "--metric", "accuracy"], capsys)
    assert [f["code"] for f in out["findings"]] == ["HC304"]
    assert code == 1


def test_select_and_ignore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head, labels = COLUMNS["A"]
    base = [*head, "--metric", "accuracy", "--framework", "keras==2.2.4",
            "--labels", _save(tmp_path, "y", _labels(labels))]
    _, out = _run([*base, "--select", "HC3"], capsys)
    assert [f["code"] for f in out["findings"]] == ["HC301"]
    code, out = _run([*base, "--ignore", "HC301,HC101"], capsys)
    assert out["findings"] == [] and code == 0


def test_clean_text_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head, labels = COLUMNS["D"]
    code = main(["check", *head, "--metric", "binary_accuracy", "--labels", _save(tmp_path, "y", _labels(labels))])
    out = capsys.readouterr().out
    assert code == 0 and "No findings" in out and "task: binary, 2 classes" in out


def test_labels_are_not_modified(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _save(tmp_path, "y", np.array([1, 2, 3, 10]))
    before = Path(path).read_bytes()
    main(["check", "--activation", "softmax", "--units", "10", "--loss", "sparse_categorical_crossentropy",
          "--labels", path])
    assert Path(path).read_bytes() == before
    assert "HC203" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["--activation", "softmax", "--labels", "missing.npy"], "no such file"),
        (["--activation", "squiggle"], "unknown activation"),
        (["--loss", "my_loss"], "unknown loss"),
        (["--activation", "softmax", "--framework", "caffe==1"], "unknown framework"),
        (["--units", "0"], "positive whole number"),
        ([], "expected a head to check"),
    ],
)
def test_input_errors_exit_2(argv: list[str], fragment: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check", *argv]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def test_pickled_labels_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "obj.npy"
    np.save(path, np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    assert main(["check", "--activation", "softmax", "--labels", str(path)]) == 2
    assert "never unpickles" in capsys.readouterr().err


def test_csv_labels(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "y.csv"
    path.write_text("label\n" + "\n".join(str(i % 3 + 1) for i in range(30)) + "\n")
    code = main(["check", "--activation", "softmax", "--units", "3", "--loss", "sparse_categorical_crossentropy",
                 "--labels", str(path), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and "HC203" in {f["code"] for f in out["findings"]}  # labels 1..3 with 3 outputs


def test_bad_label_values_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _save(tmp_path, "y", np.array([0.3, 2.7, 5.1]))
    assert main(["check", "--activation", "softmax", "--labels", path]) == 2
    assert "regression target" in capsys.readouterr().err


@pytest.mark.parametrize("values,units,options,said", [
    ([1, 2, 3, 4, 5], 5, [], "task: multiclass, integer labels 1..5 (5 distinct values), 200 samples"),
    ([1, 2, 3, 4, 5], 6, [], "task: multiclass, integer labels 1..5 (5 distinct values), 200 samples"),
    ([1, 2, 3, 4, 5], 5, ["--label-offset", "1"], "task: multiclass, 5 classes, integer labels, 200 samples"),
    ([1, 2, 3, 4, 5], 5, ["--classes", "1,2,3,4,5"], "task: multiclass, 5 classes, integer labels, 200 samples"),
    ([0, 1, 2, 3, 4], 5, [], "task: multiclass, 5 classes, integer labels, 200 samples"),
    ([0, 1, 2, 3, 4], 3, [], "task: multiclass, integer labels 0..4 (5 distinct values), 200 samples"),
    ([-1, 0, 1, 2], 4, [], "task: multiclass, integer labels -1..2 (4 distinct values), 200 samples"),
])
def test_the_task_line_says_what_the_labels_are(values, units, options, said, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    # 1-based ratings for 5 outputs used to read "6 classes" (largest index + 1) while the findings
    # said 5 outputs and labels 1..5; the line now names the values unless they are indices that fit
    y = np.resize(np.array(values), 200)
    path = _save(tmp_path, "y.npy", y)
    main(["check", "--activation", "softmax", "--units", str(units), "--loss", "sparse_categorical_crossentropy",
          "--labels", path, *options])
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == said
