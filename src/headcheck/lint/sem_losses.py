"""Losses and metrics: loss objects and functions of every framework (raw TensorFlow ops too),
cross-entropy written by hand, metric objects, accuracies written by hand.

A mixin of `headcheck.lint.library.Library`: `self.ip` is the interpreter."""
from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

from headcheck.frameworks import tensorflow as TF
from headcheck.head import LossSpec, MetricSpec
from headcheck.lint.events import LossUse, MetricUse
from headcheck.lint.interp import CallArgs
from headcheck.lint.spelled import LOSS_NAME, TORCH_LOSS_CLASSES, TORCH_LOSS_FUNCTIONS, keras_loss, short
from headcheck.lint.values import Const, Derived, LossV, MetricV, Tensor, UNKNOWN, Value
from headcheck.vocab import normalize_loss, normalize_metric

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.lint.interp import Interpreter


class LossSemantics:
    """Part of `Library`; its methods may call those of the other parts through `self`."""

    ip: Interpreter

    def loss_object(self, q: str, call: CallArgs) -> Value | None:
        last = q.rsplit(".", 1)[-1]
        torch = self.is_torch(q) or (last in TORCH_LOSS_CLASSES and self.torch_file())
        if last in TORCH_LOSS_CLASSES and torch:
            reduction = call.kwargs.get("reduction")
            spec = normalize_loss(f"nn.{last}", reduction=reduction.value if isinstance(reduction, Const) and
                                  isinstance(reduction.value, str) else None)
            return LossV(spec, "torch", call.node)
        if last[:1].isupper() and keras_loss(last) and not torch:
            from_logits = call.kwargs.get("from_logits")
            fl = from_logits.value if isinstance(from_logits, Const) and isinstance(from_logits.value, bool) else None
            spec = normalize_loss(f"keras.losses.{last}", from_logits=fl)
            if from_logits is not None and fl is None:
                spec = replace(spec, name="unknown")
            return LossV(replace(spec, spelling=short(call.node)), "keras", call.node)
        return None

    def loss_function(self, q: str, call: CallArgs) -> Value | None:
        """A loss computed on the spot: `F.cross_entropy(out, y)`, `tf.nn.softmax_cross_entropy_with_logits(
        labels=y, logits=z)`, `keras.losses.categorical_crossentropy(y, p)`, `K.binary_crossentropy(y, p)`."""
        last = q.rsplit(".", 1)[-1]
        parts = q.split(".")
        if last in TORCH_LOSS_FUNCTIONS and (self.is_torch(q) or q.startswith("F.") or (self.torch_file() and "." not in q)):
            spec = replace(normalize_loss(f"F.{last}"), spelling=short(call.node.func))
            self._loss_event(call.node, spec, call.arg(0, "input", "inputs"), call.arg(1, "target", "targets"), "pytorch")
            return Derived("loss", UNKNOWN, node=call.node)
        if parts[0] == "tensorflow" and "nn" in parts and last in TF.NN_LOSSES:
            return self._raw_tf_loss(TF.NN_LOSSES[last], call)
        if parts[0] == "tensorflow" and "losses" in parts and last in TF.V1_LOSSES:
            return self._raw_tf_loss(TF.V1_LOSSES[last], call)
        if last[:1].islower() and keras_loss(last) and (parts[0] in ("keras", "tensorflow") or "." not in q):
            backend = "backend" in parts  # K.categorical_crossentropy(target, output)
            fl = call.kwargs.get("from_logits")
            spec = normalize_loss(f"keras.losses.{last}",
                                  from_logits=fl.value if isinstance(fl, Const) and isinstance(fl.value, bool) else None)
            spec = replace(spec, spelling=short(call.node.func))
            if backend:
                target, output = call.arg(0, "target"), call.arg(1, "output")
            else:
                target, output = call.arg(0, "y_true"), call.arg(1, "y_pred")
            self._loss_event(call.node, spec, output, target, "keras")
            return Derived("loss", UNKNOWN, node=call.node)
        return None

    def keras_loss_call(self, q: str, call: CallArgs) -> Value | None:
        last = q.rsplit(".", 1)[-1]
        if not keras_loss(last):
            return None
        return self.loss_object(q, call) if last[:1].isupper() else self.loss_function(q, call)

    def _raw_tf_loss(self, raw: TF.RawLoss, call: CallArgs) -> Value:
        spec = LossSpec(raw.loss, from_logits=raw.from_logits, spelling=short(call.node.func))
        labels = call.arg(raw.labels[1], raw.labels[0], "labels", "y_true")
        preds = call.arg(raw.predictions[1], raw.predictions[0], "logits", "predictions", "y_pred")
        self._loss_event(call.node, spec, preds, labels, "tensorflow")
        return Derived("loss", UNKNOWN, node=call.node)

    def _loss_event(self, node: ast.AST, spec: LossSpec, inputs: Value | None, target: Value | None,
                    framework: str) -> None:
        self.ip.events.losses.append(LossUse(node, spec, inputs or UNKNOWN, target or UNKNOWN, framework,
                                             self.ip.tick()))

    def apply_loss(self, loss: LossV, call: CallArgs) -> Value:
        if loss.order == "keras":
            target, inputs = call.arg(0, "y_true"), call.arg(1, "y_pred")
            framework = "keras"
        else:
            inputs, target = call.arg(0, "input", "inputs"), call.arg(1, "target", "targets")
            framework = "pytorch"
        self.ip.events.losses.append(LossUse(loss.node or call.node, loss.spec, inputs or UNKNOWN,
                                             target or UNKNOWN, framework, self.ip.tick()))
        return Derived("loss", UNKNOWN, node=call.node)

    def handwritten_loss(self, xent: Derived, node: ast.AST) -> None:
        """-sum(y * log(p)) (categorical) or -(y log p + (1 - y) log(1 - p)) (binary) on `p`."""
        p = xent.base
        if not isinstance(p, Tensor):
            return
        binary = xent.arg in ("binary", "negative")
        if xent.arg == "log_softmax":
            name = "categorical_crossentropy"
        else:
            name = "binary_crossentropy" if binary else "categorical_crossentropy"
        spec = LossSpec(name, from_logits=False, spelling=short(node))
        self.ip.events.losses.append(LossUse(node, spec, p, xent.other or UNKNOWN, "tensorflow" if not p.torch
                                             else "pytorch", self.ip.tick()))

    def _xent(self, a: Value, b: Value, node: ast.AST) -> Value | None:
        """`y * log(p)`: a cross-entropy term over `p` (`other` holds the target)."""
        if isinstance(b, Derived) and b.op == "log":
            inner = b.base
            if isinstance(inner, Derived) and inner.op == "one_minus":
                return Derived("xent", inner.base, "negative", a, node)
            if isinstance(inner, Tensor) and inner.act is not None:
                return Derived("xent", inner, None, a, node)
        if isinstance(b, Tensor) and b.act == "log_softmax":
            return Derived("xent", replace(b, act="softmax"), "log_softmax", a, node)
        return None

    def metric_object(self, q: str, call: CallArgs) -> Value | None:
        torchmetrics = q.startswith("torchmetrics")
        if not torchmetrics and not (q.startswith("keras.") and ".metrics." in q):
            return None
        params = {k: v.value for k, v in call.kwargs.items()
                  if isinstance(v, Const) and isinstance(v.value, (int, float, str, bool, type(None)))}
        if torchmetrics:
            spec = replace(normalize_metric(q.rsplit(".", 1)[-1] + "()", **params), spelling=short(call.node))
            spec = replace(spec, name=normalize_metric("torchmetrics." + q.rsplit(".", 1)[-1] + "()", **params).name)
            self.ip.events.metric_objects.append((spec, "pytorch"))
            return MetricV(spec, "torch", call.node)
        spec = replace(normalize_metric(q + "()", **params), spelling=short(call.node))
        return MetricV(spec, "keras", call.node)

    def apply_metric(self, metric: MetricV, call: CallArgs) -> Value:
        if metric.order == "keras":
            target, preds = call.arg(0, "y_true"), call.arg(1, "y_pred")
        else:
            preds, target = call.arg(0, "preds", "input"), call.arg(1, "target")
        out = preds.base if isinstance(preds, Derived) and preds.op in ("argmax", "threshold") else preds
        if isinstance(out, Tensor) and out.act is not None:
            self.ip.events.metrics.append(MetricUse(metric.node or call.node, metric.spec, out, target or UNKNOWN,
                                                    self.ip.tick(), "pytorch" if metric.order == "torch" else None))
        return UNKNOWN

    def sklearn_accuracy(self, q: str, call: CallArgs) -> Value | None:
        if not q.startswith("sklearn"):
            return None
        y_true, y_pred = call.arg(0, "y_true"), call.arg(1, "y_pred")
        if y_true is not None and y_pred is not None:
            self.accuracy(y_pred, y_true, call.node)
        return UNKNOWN

    def accuracy(self, a: Value, b: Value, node: ast.AST, framework: str | None = None) -> Value | None:
        """`argmax(p) == y`, `argmax(p) == argmax(y)`, `(p > 0.5) == y`, `round(p) == y`: an accuracy
        over the output `p`. Records the metric; returns a value whose `all(axis)` marks exact match."""
        pred, target = (a, b) if self._is_prediction(a) else (b, a) if self._is_prediction(b) else (None, None)
        if pred is None or not isinstance(pred, Derived):
            return None
        out = pred.base
        if not isinstance(out, Tensor) or out.act is None:
            return None
        if pred.op == "argmax":
            if isinstance(target, Derived) and target.op == "argmax":
                spec = MetricSpec("categorical_accuracy", spelling=short(node), params=(("written", "by hand"),))
            else:
                spec = MetricSpec("sparse_categorical_accuracy", spelling=short(node), params=(("written", "by hand"),))
            labels = target.base if isinstance(target, Derived) and target.op == "argmax" else target
        else:
            spec = MetricSpec("binary_accuracy", spelling=short(node),
                              params=(("threshold", pred.arg), ("written", "by hand")))
            labels = target
        # a threshold is reported where it is applied; an argmax comparison where it compares
        site = pred.node if pred.op == "threshold" and pred.node is not None else node
        event = MetricUse(site, spec, out, labels if labels is not None else UNKNOWN, self.ip.tick(),
                          framework or ("pytorch" if out.torch else None))
        self.ip.events.metrics.append(event)
        return Derived("compare", out, len(self.ip.events.metrics) - 1, node=node)

    @staticmethod
    def _is_prediction(value: Value) -> bool:
        return isinstance(value, Derived) and value.op in ("argmax", "threshold") and isinstance(value.base, Tensor)

    def _mark_exact(self, value: Value) -> None:
        if isinstance(value, Derived) and value.op == "compare" and isinstance(value.arg, int):
            self.ip.events.metrics[value.arg].exact = True

    def _unknown_loss(self, call: CallArgs, why: str) -> None:
        """`criterion(outputs, labels)` with `criterion` unknown: a head lint cannot decide."""
        func = call.node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if len(call.args) >= 2 and LOSS_NAME.search(name):
            self.ip.events.unknown_losses.append((call.node, f"the loss `{short(func)}`: {why or 'not followed'}"))
