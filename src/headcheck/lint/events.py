"""What the interpreter records while it reads a file: the places where a head is put together.

A Keras `compile`, a `fit` that gives the labels, a loss applied to a model's output (PyTorch,
raw TensorFlow, a Keras loss object in a custom loop, cross-entropy written by hand), a metric
applied to predictions (an object, or accuracy written by hand), and every model built. The
extractor turns them into HeadSpecs once the whole file has been read.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

from headcheck.head import LossSpec, MetricSpec
from headcheck.lint.values import Value


@dataclass
class Compile:
    site: ast.Call
    out: Value  # the model's output at this point (Tensor, or Unknown with the reason)
    loss: Value | None  # None: no loss given
    metrics: Value | None
    oid: int | None  # the model object, to pair with its `fit`
    t: int
    custom_metrics: list[MetricUse] = field(default_factory=list)


@dataclass
class Fit:
    oid: int
    y: Value
    t: int


@dataclass
class LossUse:
    site: ast.AST
    loss: LossSpec
    inputs: Value  # what the loss is given as the model's output
    target: Value
    framework: str  # 'pytorch' | 'tensorflow' | 'keras' | 'tf.keras'
    t: int


@dataclass
class MetricUse:
    """A metric applied to predictions. For an accuracy written by hand, `spec` says what it
    computes ('categorical_accuracy': argmax against argmax; 'binary_accuracy' with its threshold;
    ...) and `pred` is the output it reads (before the argmax / threshold)."""

    site: ast.AST
    spec: MetricSpec
    pred: Value
    target: Value
    t: int
    framework: str | None = None
    exact: bool = False  # reduced with all(): exact-match accuracy, not per-column


@dataclass
class ModelMade:
    """A model (or module) whose output head is known, for the rules on the last layer alone."""

    out: Value
    framework: str
    node: ast.AST | None


@dataclass
class Events:
    compiles: list[Compile] = field(default_factory=list)
    fits: list[Fit] = field(default_factory=list)
    losses: list[LossUse] = field(default_factory=list)
    metrics: list[MetricUse] = field(default_factory=list)
    models: list[ModelMade] = field(default_factory=list)
    metric_objects: list[tuple[MetricSpec, str]] = field(default_factory=list)  # (spec, framework) built anywhere
    # calls of something named like a loss (`criterion(out, y)`) that could not be followed: (call, reason)
    unknown_losses: list[tuple[ast.AST, str]] = field(default_factory=list)
