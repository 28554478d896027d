"""Layers and models: what a layer is, what applying it gives, Keras Sequential / functional models,
classes of the file (torch modules, Keras subclassed models), pretrained models, `compile` / `fit`.

A mixin of `headcheck.lint.library.Library`: `self.ip` is the interpreter."""
from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

from headcheck.frameworks import pretrained as P
from headcheck.frameworks import torch as torch_fw
from headcheck.lint.events import Compile, Fit
from headcheck.lint.interp import CallArgs
from headcheck.lint.project import KERAS1_DENSE_KEYWORDS, KERAS1_FIT_KEYWORDS, KERAS1_LAYER_KEYWORDS
from headcheck.lint.spelled import (
    ACTIVATION_LAYERS, INPUT_LAYERS, KERAS_RNN, KERAS_UNITS, MODEL_METHODS_SAME, PASS_LAYERS,
    TORCH_LOSS_CLASSES, TORCH_UNITS, as_int, keras_loss, norm, short,
)
from headcheck.lint.values import (
    ClassV, Const, Data, Derived, Func, INPUT, Labels, Layer, LossV, Mapping, Obj, Ref, Seq, Tensor, Unknown,
    UNKNOWN, Value,
)
from headcheck.vocab import normalize_activation, normalize_loss

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.lint.interp import Interpreter


class ModelSemantics:
    """Part of `Library`; its methods may call those of the other parts through `self`."""

    ip: Interpreter

    def make_layer(self, q: str, call: CallArgs) -> Value | None:
        last = q.rsplit(".", 1)[-1]
        torch = self.is_torch(q)
        if last in KERAS_UNITS and not torch:
            return self._keras_units(last, call)
        if last in KERAS_RNN and not torch:
            units = call.arg(0, "units", "output_dim")
            return Layer("units", Tensor(None, as_int(units), units_node=call.arg_node(0, "units") or call.node,
                                         why=f"the output of a recurrent layer (`{last}`)"), node=call.node)
        if last in TORCH_UNITS and (torch or self.torch_file()):
            i = TORCH_UNITS[last]
            units = call.arg(i, *torch_fw.UNITS_KEYWORDS)
            units_node = call.arg_node(i, *torch_fw.UNITS_KEYWORDS) or call.node
            return Layer("units", Tensor("linear", as_int(units), act_node=call.node, units_node=units_node, torch=True),
                         node=call.node)
        if last in PASS_LAYERS:
            return Layer("pass", node=call.node)
        if last == "Activation":
            act = self.activation_of(call.arg(0, "activation"), call.arg_node(0, "activation"))
            return Layer("activation", Tensor(act, act_node=call.node), node=call.node)
        if last in ACTIVATION_LAYERS or (last[:1].isupper() and normalize_activation(last) not in (None, "linear")):
            act = normalize_activation(last)
            if act is None:
                return None
            axis = call.arg(0, "dim" if torch else "axis")
            missing = torch and act in ("softmax", "log_softmax") and axis is None and last != "Softmax2d"
            return Layer("activation", Tensor(act, axis=as_int(axis) if axis is not None else None, axis_missing=missing,
                                              act_node=call.node, torch=torch), node=call.node)
        if last == "TimeDistributed":
            inner = call.arg(0, "layer")
            return inner if isinstance(inner, Layer) else Layer("unknown", Tensor(why="a wrapped layer"), node=call.node)
        if last in INPUT_LAYERS:
            return INPUT
        return None

    def keras1_evidence(self, keywords: frozenset, call: CallArgs) -> None:
        """Keras 1 argument names on a Keras call: evidence of the version (lint.project.era)."""
        found = next((k for k in call.kwargs if k in keywords), None)
        if found is not None:
            self.ip.era_evidence.append(("Keras 1", f"{found}=", call.node.lineno))

    def _keras_units(self, last: str, call: CallArgs) -> Layer:
        self.keras1_evidence(KERAS1_LAYER_KEYWORDS | (KERAS1_DENSE_KEYWORDS if last == "Dense" else frozenset()), call)
        if last.startswith("Convolution") and len(call.args) >= 3 and all(as_int(a) is not None for a in call.args[:3]):
            self.ip.era_evidence.append(("Keras 1", f"{last}({short(call.nodes[0])}, {short(call.nodes[1])}, "
                                                    f"{short(call.nodes[2])}", call.node.lineno))
        names = KERAS_UNITS[last]
        units = call.arg(0, *names)
        units_node = call.arg_node(0, *names) or call.node
        act_value, act_node = call.arg(None, "activation"), call.arg_node(None, "activation")
        if act_value is None and last == "Dense" and len(call.args) > 1:
            # Keras 2+: Dense(units, activation); Keras 1's second positional was `init`
            candidate = self.activation_of(call.args[1], call.nodes[1])
            if candidate is not None:
                act_value, act_node = call.args[1], call.nodes[1]
        act = "linear" if act_value is None else self.activation_of(act_value, act_node)
        return Layer("units", Tensor(act, as_int(units), act_node=act_node or call.node, units_node=units_node,
                                     why="" if act else f"an activation lint does not know (`{short(act_node)}`)"),
                     node=call.node)

    def activation_of(self, value: Value | None, node: ast.AST | None) -> str | None:
        if value is None:
            return None
        if isinstance(value, Const):
            if value.value is None:
                return "linear"
            return normalize_activation(value.value) if isinstance(value.value, str) else None
        if isinstance(value, Ref):
            return normalize_activation(value.name.rsplit(".", 1)[-1].replace("()", ""))
        if isinstance(value, Layer) and value.kind == "activation" and value.out is not None:
            return value.out.act
        return None

    def apply_layer(self, layer: Layer, x: Value, node: ast.AST) -> Value:
        if layer.kind == "units":
            return layer.out or Tensor(why="an unknown layer")
        if layer.kind == "pass":
            return x if isinstance(x, Tensor) else Tensor(why=f"the output of `{short(node)}`")
        if layer.kind == "activation" and layer.out is not None:
            base = x if isinstance(x, Tensor) else INPUT
            if layer.out.act is None:
                return Tensor(why=f"an activation lint does not know (`{short(layer.node)}`)")
            return replace(layer.out, units=base.units, units_node=base.units_node)
        if layer.kind == "seq":
            out = x
            for inner in layer.layers:
                out = self.apply_any(inner, out, node)
            return out
        return layer.out or Tensor(why=f"the output of `{short(node)}`")

    def apply_any(self, layer: Value, x: Value, node: ast.AST) -> Value:
        """Apply a layer, a model of the file or an unknown callable to x."""
        if isinstance(layer, Layer):
            return self.apply_layer(layer, x, node)
        if isinstance(layer, Obj):
            return self.call_model(layer, CallArgs(node, (x,), {}, (node,), {}))  # type: ignore[arg-type]
        if isinstance(layer, Func):
            return self.ip.call_function(layer, (x,), {}, node)
        return Tensor(why=f"a layer lint does not know (`{short(getattr(layer, 'node', None) or node)}`)")

    def sequential(self, q: str, call: CallArgs) -> Value:
        torch = self.is_torch(q) or (self.torch_file() and "." not in q and not self.ip.star_modules)
        if torch:
            layers = call.args if not (call.args and isinstance(call.args[0], Mapping)) else tuple(
                v for _, v in call.args[0].items)
            if len(call.args) == 1 and isinstance(call.args[0], Seq):  # nn.Sequential(*layers) was unpacked
                layers = call.args[0].items
            layer = Layer("seq", layers=tuple(layers), node=call.node)
            self._made(self.apply_layer(layer, INPUT, call.node), "pytorch", call.node)
            return layer
        obj = Obj(self.ip.new_id(), "sequential", node=call.node, family="keras")
        layers = call.arg(0, "layers")
        out: Value = INPUT
        for layer in layers.items if isinstance(layers, Seq) else ():
            out = self.apply_any(layer, out, call.node)
        self.ip.store.data[(obj.oid, "__out__")] = out
        self.ip.instances.append(obj)
        return obj

    def functional(self, q: str, call: CallArgs) -> Value:
        outputs = call.arg(1, "outputs", "output")
        obj = Obj(self.ip.new_id(), "functional", node=call.node, family="keras")
        if isinstance(outputs, Seq) and len(outputs.items) == 1:
            outputs = outputs.items[0]
        if isinstance(outputs, Seq):
            outputs = Tensor(why="a model with several outputs")
        self.ip.store.data[(obj.oid, "__out__")] = outputs if outputs is not None else Tensor(why="no outputs")
        self.ip.instances.append(obj)
        return obj

    def instantiate(self, cls: ClassV, call: CallArgs, node: ast.AST) -> Value:
        bases = cls.base_names()
        loss_base = next((b for b in bases if b.rsplit(".", 1)[-1] in TORCH_LOSS_CLASSES
                          or b.rsplit(".", 1)[-1][:1].isupper() and keras_loss(b.rsplit(".", 1)[-1])), None)
        family = "torch" if any(self.is_torch(norm(b)) or b.rsplit(".", 1)[-1] in ("Module", "LightningModule")
                                for b in bases) else "keras" if any("keras" in norm(b) or b.endswith("Model")
                                                                    for b in bases) else ""
        obj = Obj(self.ip.new_id(), "instance", cls, node, family)
        init = cls.lookup("__init__")
        entry = not isinstance(node, ast.Call)
        if isinstance(init, Func):
            self.ip.call_function(init, (obj,) + call.args, call.kwargs, node, entry=entry)
        self.ip.instances.append(obj)
        if loss_base is not None and cls.lookup("forward") is None and cls.lookup("call") is None:
            spec = normalize_loss(loss_base)
            return LossV(spec, "torch" if family == "torch" else "keras", node)
        return obj

    def model_output(self, obj: Obj) -> Value:
        """What the model outputs: the head of its last layers (Tensor), or Unknown."""
        if obj.kind in ("sequential", "functional"):
            out = self.ip.store.get((obj.oid, "__out__"))
            return out if isinstance(out, (Tensor, Unknown)) else Tensor(why="the model's output")
        if obj.kind == "external":
            return self._external_output(obj)
        if obj.cls is not None:
            method = obj.cls.lookup("forward") or obj.cls.lookup("call")
            if isinstance(method, Func):
                out = self.ip.call_function(method, (obj, INPUT), {}, None)
                return out if isinstance(out, Tensor) else Tensor(why=getattr(out, "why", "") or
                                                                  f"what `{obj.cls.name}.{method.name}` returns")
            return Tensor(why=f"`{obj.cls.name}` has no forward / call method")
        return Tensor(why="the model's output")

    def _external_output(self, obj: Obj) -> Value:
        """A pretrained model's output: its head as replaced by the program (`model.fc = ...`,
        `model.classifier[6] = ...` or `[-1]`), else the head it came with."""
        attr = P.torchvision_head(obj.family) if obj.family else None
        replaced = self.ip.store.get((obj.oid, attr)) if attr else None
        if attr and "[" in attr and not isinstance(replaced, Value):
            replaced = self.ip.store.get((obj.oid, attr.partition("[")[0] + "[-1]"))
        if isinstance(replaced, Value):
            return self.apply_any(replaced, INPUT, obj.node or ast.Pass())
        out = self.ip.store.get((obj.oid, "__out__"))
        return out if isinstance(out, Tensor) else Tensor(why="the output of a pretrained model")

    def call_model(self, obj: Obj, call: CallArgs) -> Value:
        if obj.kind == "instance" and obj.cls is not None:
            method = obj.cls.lookup("forward") or obj.cls.lookup("call") or obj.cls.lookup("__call__")
            if isinstance(method, Func):
                return self.ip.call_function(method, (obj,) + call.args, call.kwargs, call.node)
            return Unknown(f"the output of `{obj.cls.name}`")
        return self.model_output(obj)

    def model_method(self, obj: Obj, name: str, call: CallArgs) -> Value:
        if name == "add" and obj.kind == "sequential":
            layer = call.arg(0, "layer")
            current = self.ip.store.get((obj.oid, "__out__"))
            out = self.apply_any(layer, current if isinstance(current, Value) else INPUT, call.node) \
                if layer is not None else Tensor(why="a layer lint does not know")
            self.ip.store.data[(obj.oid, "__out__")] = out
            return Const(None)
        if name == "pop" and obj.kind == "sequential":
            self.ip.store.data[(obj.oid, "__out__")] = Tensor(why="a model whose last layer was removed (`pop()`)")
            return Const(None)
        if name == "compile":
            return self._compile(obj, call)
        if name in ("fit", "fit_generator", "train_on_batch", "evaluate", "evaluate_generator", "test_on_batch"):
            self._fit(obj, name, call)
            return UNKNOWN
        if name in ("predict", "predict_on_batch", "predict_proba", "__call__", "call", "forward"):
            if name in ("call", "forward") and obj.kind == "instance":
                return self.call_model(obj, call)
            return self.model_output(obj)
        if name == "predict_classes":
            out = self.model_output(obj)
            if isinstance(out, Tensor) and out.units == 1:
                return Derived("threshold", out, 0.5, node=call.node)
            return Derived("argmax", out, node=call.node)
        if name in MODEL_METHODS_SAME or name == "load_state_dict" or name == "load_weights":
            return obj if name not in ("load_state_dict", "zero_grad") else Const(None)
        if name in ("log", "log_dict", "summary", "save", "save_weights", "print"):
            return Const(None)
        if name == "reset_classifier" and obj.kind == "external":
            units = call.arg(0, "num_classes")
            self.ip.store.data[(obj.oid, "__out__")] = Tensor("linear", as_int(units), act_node=call.node,
                                                              units_node=call.arg_node(0, "num_classes") or call.node,
                                                              torch=True)
            return Const(None)
        return Unknown(f"the result of `{short(call.node.func)}(...)`")

    def _compile(self, obj: Obj | None, call: CallArgs, receiver: Value | None = None) -> Value:
        loss = call.arg(1, "loss")
        metrics = call.arg(2, "metrics")
        out = self.model_output(obj) if obj is not None else receiver or UNKNOWN
        event = Compile(call.node, out, loss, metrics, obj.oid if obj is not None else None, self.ip.tick())
        for metric in metrics.items if isinstance(metrics, Seq) else ((metrics,) if metrics is not None else ()):
            if isinstance(metric, Func):  # a metric written by hand: Keras calls it with (y_true, y_pred)
                before = len(self.ip.events.metrics)
                self.ip.call_function(metric, (Labels(source="the labels given to fit"), out), {}, call.node)
                event.custom_metrics.extend(self.ip.events.metrics[before:])
                del self.ip.events.metrics[before:]
        self.ip.events.compiles.append(event)
        return Const(None)

    def _fit(self, obj: Obj, name: str, call: CallArgs) -> None:
        self.keras1_evidence(KERAS1_FIT_KEYWORDS, call)
        y = call.arg(1, "y") if name in ("fit", "train_on_batch", "evaluate", "test_on_batch") else None
        if y is None:
            data = call.arg(0, "x", "generator")
            item = data.item if isinstance(data, Data) else None
            if isinstance(item, Seq) and len(item.items) >= 2:
                y = item.items[1]
        if y is not None:
            self.ip.events.fits.append(Fit(obj.oid, y, self.ip.tick()))

    def _made(self, out: Value, framework: str, node: ast.AST) -> None:
        from headcheck.lint.events import ModelMade

        self.ip.events.models.append(ModelMade(out, framework, node))

    def pretrained(self, q: str, call: CallArgs) -> Value | None:
        parts = q.split(".")
        last = parts[-1]
        if parts[0] == "torchvision" and "models" in parts and last[:1].islower() and P.torchvision_head(last):
            obj = Obj(self.ip.new_id(), "external", node=call.node, family=last)
            units = call.kwargs.get("num_classes")
            self.ip.store.data[(obj.oid, "__out__")] = Tensor(
                "linear", as_int(units), act_node=call.node, units_node=call.kw_nodes.get("num_classes") or call.node,
                torch=True) if units is not None else Tensor("linear", act_node=call.node, torch=True,
                                                             why="a pretrained model's head")
            return obj
        if parts[0] == "keras" and "applications" in parts and last[:1].isupper():
            obj = Obj(self.ip.new_id(), "functional", node=call.node, family="keras")
            top = call.kwargs.get("include_top")
            if isinstance(top, Const) and top.value is False or (top is not None and not isinstance(top, Const)):
                out: Value = Tensor(why="the features of a pretrained model without its top")
            else:
                act_v = call.kwargs.get("classifier_activation")
                act = "softmax" if act_v is None else self.activation_of(act_v, call.kw_nodes.get("classifier_activation"))
                classes = call.kwargs.get("classes")
                out = Tensor(act, as_int(classes) if classes is not None else P.IMAGENET_CLASSES,
                             act_node=call.kw_nodes.get("classifier_activation") or call.node,
                             units_node=call.kw_nodes.get("classes") or call.node)
            self.ip.store.data[(obj.oid, "__out__")] = out
            self.ip.instances.append(obj)
            return obj
        if parts[0] == "timm" and last == "create_model":
            obj = Obj(self.ip.new_id(), "external", node=call.node, family="timm")
            units = call.kwargs.get("num_classes")
            self.ip.store.data[(obj.oid, "__out__")] = Tensor(
                "linear", as_int(units), act_node=call.node, units_node=call.kw_nodes.get("num_classes") or call.node,
                torch=True, why="" if units is not None else "a timm model's head")
            return obj
        return None
