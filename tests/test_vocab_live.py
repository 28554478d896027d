"""The vocabulary on real framework objects (Keras 3, torch, torchmetrics, scikit-learn), read by
their type's module and attributes; and the ambiguous 'crossentropy' string per framework."""
from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from headcheck.cli import main
from headcheck.errors import InputError
from headcheck.head import HeadSpec
from headcheck.rules import Context, run_rules
from headcheck.vocab import (activation_axis, framework_of, is_balanced_metric, normalize_activation,
                             normalize_loss, normalize_metric)

os.environ.setdefault("KERAS_BACKEND", "torch")


def test_keras_objects() -> None:
    keras = pytest.importorskip("keras")
    loss = normalize_loss(keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1))
    assert (loss.name, loss.from_logits, loss.label_smoothing) == ("binary_crossentropy", True, 0.1)
    assert loss.reduction == "sum_over_batch_size" and "BinaryCrossentropy" in loss.spelling
    assert normalize_loss(keras.losses.SparseCategoricalCrossentropy()).from_logits is False
    assert normalize_loss(keras.losses.categorical_crossentropy).name == "categorical_crossentropy"
    from keras.src.losses.losses import LossFunctionWrapper  # what compile wraps a loss string in

    assert normalize_loss(LossFunctionWrapper(keras.losses.binary_crossentropy)).name == "binary_crossentropy"
    assert normalize_metric(keras.metrics.BinaryAccuracy(threshold=0.0)).param("threshold") == 0.0
    assert normalize_metric(keras.metrics.CategoricalAccuracy()).name == "categorical_accuracy"
    assert normalize_metric(keras.metrics.Accuracy()).name == "keras.Accuracy"  # equality, not 'accuracy'
    assert normalize_activation(keras.activations.softmax) == "softmax"
    assert normalize_activation(keras.layers.Dense(3, activation="sigmoid")) == "sigmoid"
    assert normalize_activation(keras.layers.Dense(3)) == "linear"
    assert normalize_activation(keras.layers.Softmax()) == "softmax"
    assert activation_axis(keras.layers.Softmax(axis=1)) == (1, False)
    assert framework_of(keras.layers.Dense(3)) == "keras"


def test_keras_compiled_accuracy_is_read_from_what_keras_built() -> None:
    keras = pytest.importorskip("keras")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(0).random((8, 4)).astype("float32")
    model.evaluate(x, (x[:, :1] > 2).astype("float32").repeat(5, axis=1), verbose=0)
    built = [normalize_metric(m).name for m in model._compile_metrics.metrics]
    assert built == ["categorical_accuracy"]  # Keras 3's shape rule on multi-hot targets (HC303's case)


def test_torch_objects() -> None:
    torch = pytest.importorskip("torch")
    ce = normalize_loss(torch.nn.CrossEntropyLoss(weight=torch.ones(3), ignore_index=-1, label_smoothing=0.2))
    assert (ce.name, ce.weighted, ce.ignore_index, ce.label_smoothing, ce.reduction) == (
        "torch.CrossEntropyLoss", True, -1, 0.2, "mean")
    assert ce.expects == "logits" and ce.is_torch
    bce = normalize_loss(torch.nn.BCEWithLogitsLoss(pos_weight=torch.ones(2)))
    assert (bce.name, bce.pos_weighted, bce.weighted) == ("torch.BCEWithLogitsLoss", True, False)
    assert normalize_loss(torch.nn.NLLLoss()).expects == "log_probabilities"
    assert normalize_loss(torch.nn.functional.binary_cross_entropy).name == "torch.BCELoss"
    partial = normalize_loss(functools.partial(torch.nn.functional.cross_entropy, label_smoothing=0.1))
    assert (partial.name, partial.label_smoothing) == ("torch.CrossEntropyLoss", 0.1)
    assert normalize_activation(torch.nn.Softmax(dim=1)) == "softmax"
    assert activation_axis(torch.nn.Softmax(dim=1)) == (1, False)
    assert activation_axis(torch.nn.LogSoftmax()) == (None, True)  # PyTorch picks the axis itself
    assert normalize_activation(torch.sigmoid) == "sigmoid"
    assert normalize_activation(torch.nn.Identity()) == "linear"
    assert framework_of(torch.nn.Linear(2, 2)) == "pytorch"


def test_torchmetrics_and_sklearn_objects() -> None:
    tm = pytest.importorskip("torchmetrics")
    skm = pytest.importorskip("sklearn.metrics")
    wrapped = normalize_metric(tm.Accuracy(task="multiclass", num_classes=3))
    # the task wrapper returns a MulticlassAccuracy with average='micro': not balanced
    assert (wrapped.name, wrapped.param("average"), wrapped.param("num_classes")) == (
        "torchmetrics.MulticlassAccuracy", "micro", 3)
    assert not is_balanced_metric(wrapped)
    assert is_balanced_metric(normalize_metric(tm.classification.MulticlassAccuracy(num_classes=3)))
    assert normalize_metric(tm.classification.MultilabelExactMatch(num_labels=3)).name == "torchmetrics.MultilabelExactMatch"
    assert normalize_metric(skm.accuracy_score).name == "sklearn.accuracy_score"
    assert normalize_metric(skm.balanced_accuracy_score).name == "sklearn.balanced_accuracy_score"


def test_nothing_is_imported_to_read_spellings() -> None:
    code = ("import sys, headcheck.vocab as v; v.normalize_loss('nn.CrossEntropyLoss');"
            "v.normalize_metric('keras.metrics.BinaryAccuracy()'); v.normalize_activation('F.softmax');"
            "print(sorted(m for m in ('torch', 'keras', 'torchmetrics', 'sklearn', 'tensorflow') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --- 'crossentropy': ambiguous until framework, version and shapes decide -----------------------

def test_crossentropy_string_is_not_pytorch() -> None:
    head = HeadSpec.declared(loss="crossentropy", activation="sigmoid", units=5)
    assert head.framework is None and head.loss.name == "crossentropy" and head.loss.kind is None


def test_crossentropy_resolved_by_keras3_from_the_shapes() -> None:
    head = HeadSpec.declared(loss="crossentropy", activation="sigmoid", units=5, labels="multi-hot")
    findings = {f.code: f for f in run_rules(Context(head=head))}
    # Keras 3 picks categorical_crossentropy for labels as wide as the output: a sigmoid head then
    # trains with a categorical loss (HC102), and HC111 says how the string was decided
    assert {"HC102", "HC201"} <= set(findings) and "HC111" not in findings
    assert "here it becomes categorical_crossentropy" in findings["HC102"].message
    one = Context(head=HeadSpec.declared(loss="crossentropy", activation="sigmoid", units=1))
    assert one.head.loss.name == "binary_crossentropy" and one.head.loss.spelling == "crossentropy"
    assert run_rules(one) == []


@pytest.mark.parametrize("framework, fragment", [("torch", "PyTorch has no loss strings"),
                                                 ("keras==2.2.4", "Keras 2.2.4 has no loss 'crossentropy'"),
                                                 ("tf.keras==2.15", "tf.keras 2.15 has no loss")])
def test_crossentropy_declared_for_a_framework_without_it(framework: str, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        HeadSpec.declared(loss="crossentropy", framework=framework)


def test_check_cli_crossentropy_says_it_is_ambiguous(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--loss", "crossentropy", "--activation", "softmax", "--units", "10", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    loss = out["head"]["loss"]
    assert out["head"]["framework"] is None and loss["name"] == "crossentropy" and code == 0
    assert "needed to decide is unknown" in loss["resolution"]
    code = main(["check", "--loss", "crossentropy", "--activation", "softmax", "--units", "1", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    hc103 = next(f for f in out["findings"] if f["code"] == "HC103")  # points at the activation
    assert out["head"]["loss"]["name"] == "binary_crossentropy" and "resolved by Keras 3" not in hc103["message"]
    hc110 = main(["check", "--loss", "crossentropy", "--activation", "linear", "--units", "1"])
    assert hc110 == 1 and "is resolved by Keras 3" in capsys.readouterr().out  # HC104 says how


def test_rejected_crossentropy_is_an_error_and_silences_the_loss_rules() -> None:
    head = HeadSpec(framework="keras", framework_version="2.2.4", activation="linear", units=1,
                    loss=normalize_loss("crossentropy"))
    assert [f.code for f in run_rules(Context(head=head))] == ["HC111"]


def test_lint_reads_crossentropy_with_keras3_resolution(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "train.py"
    src.write_text(textwrap.dedent("""\
        import keras
        from sklearn.preprocessing import MultiLabelBinarizer
        y = MultiLabelBinarizer().fit_transform(tags)
        model = keras.Sequential([keras.layers.Dense(5, activation="sigmoid")])
        model.compile(loss="crossentropy")
        model.fit(x, y)
    """))
    assert main(["lint", str(src), "--format", "json", "--no-progress"]) == 1
    found = {(f["code"], f["location"]["row"]) for f in json.loads(capsys.readouterr().out)}
    assert {("HC102", 5), ("HC201", 5)} <= found
