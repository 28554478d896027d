"""The vocabulary (headcheck.vocab): real spellings -> canonical names."""
from __future__ import annotations

import pytest

from headcheck.errors import InputError
from headcheck.head import ACTIVATIONS, HeadSpec, LossSpec
from headcheck.vocab import (
    KERAS_LOSSES,
    TORCH_LOSSES,
    is_balanced_metric,
    normalize_activation,
    normalize_loss,
    normalize_metric,
    parse_framework,
)


@pytest.mark.parametrize(
    "spelling, expected",
    [
        ("softmax", "softmax"),
        ("Softmax", "softmax"),
        ("keras.activations.softmax", "softmax"),
        ("tf.nn.softmax", "softmax"),
        ("nn.Softmax", "softmax"),
        ("nn.Softmax(dim=1)", "softmax"),
        ("F.softmax", "softmax"),
        ("torch.softmax", "softmax"),
        ("sigmoid", "sigmoid"),
        ("nn.Sigmoid()", "sigmoid"),
        ("torch.sigmoid", "sigmoid"),
        ("tf.math.sigmoid", "sigmoid"),
        ("linear", "linear"),
        (None, "linear"),
        ("None", "linear"),
        ("nn.Identity()", "linear"),
        ("relu", "relu"),
        ("nn.ReLU", "relu"),
        ("tanh", "tanh"),
        ("log_softmax", "log_softmax"),
        ("nn.LogSoftmax(dim=1)", "log_softmax"),
        ("F.log_softmax", "log_softmax"),
        ("softplus", "softplus"),
        ("elu", "other"),
        ("nn.GELU", "other"),
        ("leaky_relu", "other"),
        ("my_custom_activation", None),
    ],
)
def test_normalize_activation(spelling: str | None, expected: str | None) -> None:
    assert normalize_activation(spelling) == expected


def test_activation_names_are_canonical() -> None:
    for s in ("softmax", "relu", "elu", None, "nn.LogSoftmax"):
        assert normalize_activation(s) in ACTIVATIONS


@pytest.mark.parametrize(
    "spelling, expected",
    [
        ("binary_crossentropy", "binary_crossentropy"),
        ("BinaryCrossentropy", "binary_crossentropy"),
        ("keras.losses.BinaryCrossentropy", "binary_crossentropy"),
        ("tf.keras.losses.binary_crossentropy", "binary_crossentropy"),
        ("bce", "binary_crossentropy"),
        ("categorical_crossentropy", "categorical_crossentropy"),
        ("keras.losses.CategoricalCrossentropy()", "categorical_crossentropy"),
        ("sparse_categorical_crossentropy", "sparse_categorical_crossentropy"),
        ("SparseCategoricalCrossentropy", "sparse_categorical_crossentropy"),
        ("BinaryFocalCrossentropy", "binary_focal_crossentropy"),
        ("keras.losses.CategoricalFocalCrossentropy", "categorical_focal_crossentropy"),
        ("mse", "mean_squared_error"),
        ("mean_squared_error", "mean_squared_error"),
        ("MeanSquaredError", "mean_squared_error"),
        ("mae", "mean_absolute_error"),
        ("hinge", "hinge"),
        ("kld", "kl_divergence"),
        ("nn.CrossEntropyLoss", "torch.CrossEntropyLoss"),
        ("torch.nn.CrossEntropyLoss()", "torch.CrossEntropyLoss"),
        ("F.cross_entropy", "torch.CrossEntropyLoss"),
        ("torch.nn.functional.binary_cross_entropy_with_logits", "torch.BCEWithLogitsLoss"),
        ("F.binary_cross_entropy", "torch.BCELoss"),
        ("nn.BCELoss", "torch.BCELoss"),
        ("nn.BCEWithLogitsLoss", "torch.BCEWithLogitsLoss"),
        ("nn.NLLLoss", "torch.NLLLoss"),
        ("F.nll_loss", "torch.NLLLoss"),
        ("nn.MSELoss", "torch.MSELoss"),
        ("F.mse_loss", "torch.MSELoss"),
        ("nn.L1Loss", "torch.L1Loss"),
        ("nn.MultiLabelSoftMarginLoss", "torch.MultiLabelSoftMarginLoss"),
        ("torchvision.ops.sigmoid_focal_loss", "torchvision.sigmoid_focal_loss"),
    ],
)
def test_normalize_loss(spelling: str, expected: str) -> None:
    spec = normalize_loss(spelling)
    assert spec.name == expected
    assert spec.spelling == spelling
    assert expected in KERAS_LOSSES + TORCH_LOSSES


def test_unknown_loss_keeps_spelling() -> None:
    spec = normalize_loss("my_weird_loss")
    assert spec == LossSpec(name="unknown", spelling="my_weird_loss")


def test_from_logits_explicit_and_written() -> None:
    assert normalize_loss("binary_crossentropy").from_logits is None
    assert normalize_loss("BinaryCrossentropy", from_logits=True).from_logits is True
    written = normalize_loss("keras.losses.BinaryCrossentropy(from_logits=True, reduction='sum')")
    assert (written.name, written.from_logits, written.reduction) == ("binary_crossentropy", True, "sum")
    # an explicit argument wins over a written one
    assert normalize_loss("BinaryCrossentropy(from_logits=True)", from_logits=False).from_logits is False


@pytest.mark.parametrize(
    "spelling, from_logits, expects, kind",
    [
        ("categorical_crossentropy", None, "probabilities", "categorical"),
        ("categorical_crossentropy", True, "logits", "categorical"),
        ("binary_crossentropy", False, "probabilities", "binary"),
        ("nn.CrossEntropyLoss", None, "logits", "categorical"),
        ("nn.BCELoss", None, "probabilities", "binary"),
        ("nn.BCEWithLogitsLoss", None, "logits", "binary"),
        ("nn.NLLLoss", None, "log_probabilities", "categorical"),
        ("mse", None, None, "regression"),
    ],
)
def test_loss_expects_and_kind(spelling: str, from_logits: bool | None, expects: str | None, kind: str) -> None:
    spec = normalize_loss(spelling, from_logits=from_logits)
    assert spec.expects == expects
    assert spec.kind == kind


@pytest.mark.parametrize(
    "spelling, params, expected",
    [
        ("accuracy", {}, "accuracy"),
        ("acc", {}, "accuracy"),
        ("Accuracy", {}, "accuracy"),  # Keras 3 lower-cases the string
        ("binary_accuracy", {}, "binary_accuracy"),
        ("keras.metrics.BinaryAccuracy", {}, "binary_accuracy"),
        ("keras.metrics.BinaryAccuracy(threshold=0.0)", {}, "binary_accuracy"),
        ("categorical_accuracy", {}, "categorical_accuracy"),
        ("tf.keras.metrics.CategoricalAccuracy()", {}, "categorical_accuracy"),
        ("sparse_categorical_accuracy", {}, "sparse_categorical_accuracy"),
        ("top_k_categorical_accuracy", {}, "top_k_categorical_accuracy"),
        ("keras.metrics.Accuracy", {}, "keras.Accuracy"),
        ("keras.metrics.Accuracy()", {}, "keras.Accuracy"),
        ("torchmetrics.Accuracy", {"task": "multiclass"}, "torchmetrics.Accuracy"),
        ("Accuracy", {"task": "multiclass", "num_classes": 3}, "torchmetrics.Accuracy"),
        ("torchmetrics.classification.MulticlassAccuracy", {}, "torchmetrics.MulticlassAccuracy"),
        ("MultilabelAccuracy", {"num_labels": 5}, "torchmetrics.MultilabelAccuracy"),
        ("torchmetrics.classification.BinaryAccuracy", {}, "torchmetrics.BinaryAccuracy"),
        ("MultilabelExactMatch", {}, "torchmetrics.MultilabelExactMatch"),
        ("sklearn.metrics.accuracy_score", {}, "sklearn.accuracy_score"),
        ("accuracy_score", {}, "sklearn.accuracy_score"),
        ("AUC", {}, "auc"),
        ("keras.metrics.F1Score", {}, "f1_score"),
        ("totally_custom", {}, "unknown"),
    ],
)
def test_normalize_metric(spelling: str, params: dict, expected: str) -> None:
    spec = normalize_metric(spelling, **params)
    assert spec.name == expected
    assert spec.spelling == spelling


def test_metric_params_written_and_given() -> None:
    spec = normalize_metric("keras.metrics.BinaryAccuracy(threshold=0.0)")
    assert spec.param("threshold") == 0.0
    spec = normalize_metric("torchmetrics.Accuracy(task='multiclass', num_classes=3)", average="macro")
    assert spec.param("task") == "multiclass"
    assert spec.param("num_classes") == 3
    assert spec.param("average") == "macro"


def test_balanced_metric() -> None:
    assert is_balanced_metric(normalize_metric("AUC"))
    assert is_balanced_metric(normalize_metric("MulticlassAccuracy"))
    assert not is_balanced_metric(normalize_metric("torchmetrics.Accuracy", task="multiclass"))
    assert not is_balanced_metric(normalize_metric("accuracy"))


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("keras==2.2.4", ("keras", "2.2.4")),
        ("tf.keras==2.1", ("tf.keras", "2.1")),
        ("tensorflow==2.15.0", ("tf.keras", "2.15.0")),
        ("keras", ("keras", None)),
        ("torch", ("pytorch", None)),
        ("torch==2.3", ("pytorch", "2.3")),
        (None, (None, None)),
    ],
)
def test_parse_framework(spec: str | None, expected: tuple) -> None:
    assert parse_framework(spec) == expected


@pytest.mark.parametrize("bad", ["jax==0.4", "keras==two"])
def test_parse_framework_rejects(bad: str) -> None:
    with pytest.raises(InputError):
        parse_framework(bad)


def test_declared() -> None:
    h = HeadSpec.declared(
        activation="Softmax",
        units=10,
        loss="BinaryCrossentropy",
        from_logits=False,
        metrics=["acc", "AUC"],
        framework="keras==2.2.4",
        labels="onehot",
        task="multiclass",
    )
    assert (h.framework, h.framework_version) == ("keras", "2.2.4")
    assert (h.activation, h.units, h.labels, h.task) == ("softmax", 10, "one-hot", "multiclass")
    assert h.loss is not None and (h.loss.name, h.loss.from_logits) == ("binary_crossentropy", False)
    assert [m.name for m in h.metrics] == ["accuracy", "auc"]


def test_the_normalisers_stay_importable_from_head() -> None:
    import headcheck.head as head
    import headcheck.vocab as vocab

    for name in ("normalize_activation", "normalize_loss", "normalize_metric", "parse_framework",
                 "is_balanced_metric", "KERAS_LOSSES", "TORCH_LOSSES"):
        assert getattr(head, name) is getattr(vocab, name)


def test_declared_torch_spellings_imply_pytorch() -> None:
    assert HeadSpec.declared(loss="nn.CrossEntropyLoss").framework == "pytorch"
    assert HeadSpec.declared(activation="nn.Softmax(dim=1)", units=1).framework == "pytorch"
    assert HeadSpec.declared(metrics=["torchmetrics.Accuracy(task='binary')"]).framework == "pytorch"
    assert HeadSpec.declared(loss="categorical_crossentropy").framework is None
    assert HeadSpec.declared(activation="softmax", loss="nn.CrossEntropyLoss", framework="keras").framework == "keras"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"activation": "squiggle"},
        {"loss": "squiggle_loss"},
        {"units": 0},
        {"labels": "hexadecimal"},
        {"task": "regression"},
        {"framework": "caffe"},
    ],
)
def test_declared_rejects_bad_input(kwargs: dict) -> None:
    with pytest.raises(InputError):
        HeadSpec.declared(**kwargs)
