"""What library calls and operators mean to a head, for the interpreter (`headcheck.lint.interp`).

The spellings come from `headcheck.frameworks`; this module gives them their effect on abstract
values: a `Dense(10, activation='softmax')` is a layer, applying it gives an output whose head is
softmax over 10 units; `nn.CrossEntropyLoss()` is a loss object and calling it on an output
records a loss applied to that output; `to_categorical(y, 10)` gives one-hot labels; `np.eye(K)[y]`
too; `keras.datasets.cifar100.load_data()` gives integer labels 0..99; `exp(z) / sum(exp(z), 1)` is
a softmax over axis 1; `-sum(y * log(p))` is cross-entropy on `p`; `argmax(p) == argmax(y)` an
accuracy. Anything else is Unknown, with the reason kept for the skipped-head report.
"""
from __future__ import annotations

import ast
import operator
import re
from functools import lru_cache
from dataclasses import replace
from typing import Callable

from headcheck.frameworks import arrays as A
from headcheck.frameworks import datasets as D
from headcheck.frameworks import keras as keras_fw
from headcheck.frameworks import pretrained as P
from headcheck.frameworks import tensorflow as TF
from headcheck.frameworks import torch as torch_fw
from headcheck.head import LossSpec, MetricSpec
from headcheck.vocab import normalize_activation, normalize_loss, normalize_metric
from headcheck.lint.events import Compile, Fit, LossUse, MetricUse
from headcheck.lint.interp import LIBRARY_ROOTS, CallArgs, Interpreter
from headcheck.lint.project import KERAS1_DENSE_KEYWORDS, KERAS1_FIT_KEYWORDS, KERAS1_LAYER_KEYWORDS, KERAS3_MODULES
from headcheck.lint.values import (
    INPUT, UNKNOWN, ClassV, Const, Data, Derived, Func, Labels, Layer, LossV, Mapping, MetricV, Obj,
    Ref, Seq, Tensor, Unknown, Value,
)

# layer and loss spellings come from the vocabulary (headcheck.frameworks)
KERAS_UNITS = keras_fw.UNITS_LAYERS
KERAS_RNN = keras_fw.RECURRENT_LAYERS
TORCH_UNITS = torch_fw.UNITS_LAYERS
PASS_LAYERS = keras_fw.PASS_LAYERS | torch_fw.PASS_LAYERS | {"Squeeze"}
INPUT_LAYERS = keras_fw.INPUT_LAYERS
ACTIVATION_LAYERS = keras_fw.ACTIVATION_LAYERS | torch_fw.ACTIVATION_LAYERS
TORCH_LOSS_CLASSES = frozenset(torch_fw.LOSS_CLASSES)
TORCH_LOSS_FUNCTIONS = frozenset(torch_fw.LOSS_FUNCTIONS)


def keras_loss(name: str) -> bool:
    """A Keras loss class or function name (`BinaryCrossentropy`, `categorical_crossentropy`, `mse`)."""
    return name.lower().replace("_", "") in keras_fw.LOSSES


MODEL_METHODS_SAME = frozenset({"to", "cuda", "cpu", "train", "eval", "float", "double", "half", "requires_grad_",
                                "share_memory", "apply", "type", "xpu", "mps", "bfloat16", "zero_grad"})
_ARITH = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
          ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod}
_CMP = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
        ast.Gt: operator.gt, ast.GtE: operator.ge}
_SHORT = 60
_LONGEST_LIST = 4096  # items of a list built with `*` / `+` that are still followed one by one
# values a program reads at run time: a head fed by them cannot be decided
_RUN_TIME_NAMES = {"sys.argv": "a command-line argument", "os.environ": "an environment variable",
                   "os.getenv": "an environment variable"}
_LOSS_NAME = re.compile(r"crit|loss", re.IGNORECASE)


def short(node: ast.AST | None) -> str:
    """Source text of an expression for a message, at most 60 characters."""
    if node is None:
        return "?"
    dotted = _dotted(node)  # the common case, without ast.unparse
    if dotted is not None:
        return dotted if len(dotted) <= _SHORT else dotted[: _SHORT - 3] + "..."
    try:
        text = ast.unparse(node)
    except Exception:  # pragma: no cover - unparse of odd trees
        return "?"
    text = " ".join(text.split())
    return text if len(text) <= _SHORT else text[: _SHORT - 3] + "..."


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


@lru_cache(maxsize=8192)
def norm(name: str) -> str:
    """A dotted name with the aliases TensorFlow and Keras ship dropped: `tf.compat.v1.nn.softmax`
    -> `tensorflow.nn.softmax`, `tensorflow.keras.layers.Dense` -> `keras.layers.Dense`."""
    for old, new in TF.PREFIXES:
        if name.startswith(old):
            name = new + name[len(old):]
    for old in ("tensorflow.python.keras.", "tensorflow.keras.", "tensorflow.contrib.keras.", "tf_keras.",
                "keras.src.", "keras._tf_keras.keras.", "keras.api._v2.keras."):
        if name.startswith(old):
            return "keras." + name[len(old):]
    if name.startswith("pytorch_lightning."):
        return "lightning.pytorch." + name[len("pytorch_lightning."):]
    return name


def _int(value: Value | None) -> int | None:
    if isinstance(value, Const) and isinstance(value.value, int) and not isinstance(value.value, bool):
        return value.value
    if isinstance(value, Seq) and value.items:  # EinsumDense output_shape, a shape tuple
        return _int(value.items[-1])
    return None


def _num(value: Value | None) -> float | None:
    if isinstance(value, Const) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
        return float(value.value)
    return None


def _shape(value: Value | None) -> tuple[int | None, ...] | None:
    if isinstance(value, Seq):
        dims = []
        for item in value.items:
            if isinstance(item, Const) and (item.value is None or isinstance(item.value, int)):
                dims.append(item.value)
            else:
                dims.append(None)
        return tuple(dims)
    n = _int(value)
    return (n,) if n is not None else None


def _lit(value: Value | None) -> object:
    """The Python literal a value stands for (scalars, lists of them), or None."""
    if isinstance(value, Const):
        return value.value
    if isinstance(value, Seq):
        out = [_lit(v) for v in value.items]
        return out if all(v is not None for v in out) else None
    return None


def literal_labels(value: Value, node: ast.AST | None = None) -> Value:
    """Labels from a literal array: integers -> class indices (their range), 0/1 rows -> one-hot
    when every row has one 1, else multi-hot; other numbers -> continuous."""
    data = _lit(value)
    if not isinstance(data, list) or not data:
        return value if not isinstance(value, Seq) else UNKNOWN
    if all(isinstance(r, list) for r in data):
        width = {len(r) for r in data}
        flat = [x for r in data for x in r]
        if len(width) != 1 or not flat or not all(isinstance(x, (int, float)) and not isinstance(x, str) for x in flat):
            return UNKNOWN
        k = width.pop()
        if k == 1:
            return literal_labels(Seq(tuple(Const(r[0]) for r in data)), node)
        if all(x in (0, 1) for x in flat):
            one_hot = all(sum(r) == 1 for r in data)
            return Labels("one-hot" if one_hot else "multi-hot", k, 0, 1, True, node, "a literal array")
        return Labels(None, k, min(flat), max(flat), all(float(x).is_integer() for x in flat), node, "a literal array")
    if not all(isinstance(x, (int, float)) and not isinstance(x, bool) or isinstance(x, bool) for x in data):
        return UNKNOWN
    values = [float(x) for x in data]
    integer = all(v.is_integer() for v in values)
    if not integer:
        return Labels("continuous", None, min(values), max(values), False, node, "a literal array")
    return Labels("integer", len(set(values)), min(values), max(values), True, node, "a literal array")


class Library:
    """Library semantics for one interpreter."""

    def __init__(self, ip: Interpreter) -> None:
        self.ip = ip

    # -- frameworks of the file -------------------------------------------------------------------------------
    def torch_file(self) -> bool:
        return any(m.split(".")[0] in ("torch", "pytorch_lightning", "lightning")
                   for m in list(self.ip.imports.values()) + self.ip.star_modules)

    def is_torch(self, q: str) -> bool:
        root = q.split(".")[0]
        if root in ("torch", "torchvision", "lightning", "pytorch_lightning", "torchmetrics"):
            return True
        if "." not in q:  # a bare name from a star import
            return any(m.startswith("torch") for m in self.ip.star_modules) and not any(
                m.startswith(("keras", "tensorflow")) for m in self.ip.star_modules)
        return False

    # -- the interpreter's protocol --------------------------------------------------------------------------
    def truth(self, value: Value) -> bool | None:
        if isinstance(value, Const):
            try:
                return bool(value.value)
            except Exception:
                return None
        if isinstance(value, Seq):
            return bool(value.items)
        if isinstance(value, (Obj, Layer, LossV, MetricV, Func, ClassV)):
            return True
        return None

    def unroll(self, value: Value) -> tuple[Value, ...] | None:
        if isinstance(value, Seq):
            return value.items
        if isinstance(value, Mapping):
            return tuple(Const(k) for k, _ in value.items)
        return None

    def iterate(self, value: Value, node: ast.AST | None = None) -> Value:
        if isinstance(value, Data):
            return value.item
        if isinstance(value, Seq):
            items = value.items
            if items and all(i == items[0] for i in items[1:]):
                return items[0]
            return Unknown("an item of a list")
        if isinstance(value, Labels):
            return value
        if isinstance(value, Unknown):
            return value
        return Unknown(f"an item of `{short(node)}`")

    def item(self, value: Value, index: int, n: int | None, node: ast.AST | None) -> Value:
        """Item `index` of a value unpacked into `n` names (`n` None with a starred name)."""
        if isinstance(value, Seq):
            items = value.items
            if (n is None or len(items) == n) and -len(items) <= index < len(items):
                return items[index]
        if isinstance(value, Unknown):
            return value
        return Unknown(f"an item of `{short(node)}`")

    def enter(self, value: Value) -> Value:
        return value if isinstance(value, (Obj, Ref)) else UNKNOWN

    def attribute(self, base: Value, name: str, node: ast.AST | None) -> Value:
        if isinstance(base, Obj):
            if name in ("output", "outputs"):
                return self.model_output(base)
            if name in ("input", "inputs"):
                return INPUT
            return Unknown(f"`{name}` of a model")
        if isinstance(base, (Tensor, Labels, Derived)) and name in ("data", "values"):
            return base  # `outputs.data`, `df['label'].values`
        if isinstance(base, Unknown):
            return base
        return Unknown(f"`{short(node)}`")

    def subscript(self, base: Value, index: Value, node: ast.Subscript) -> Value:
        if isinstance(base, Seq):
            i = _int(index) if isinstance(index, Const) else None
            if i is not None and -len(base.items) <= i < len(base.items):
                return base.items[i]
            return Unknown(f"`{short(node)}`")
        if isinstance(base, Mapping):
            if isinstance(index, Const):
                found = base.get(index.value)
                if found is not None:
                    return found
            return Unknown(f"`{short(node)}`")
        if isinstance(base, Derived) and base.op == "eye":
            return Labels("one-hot", _int(base.base), 0, 1, True, node, "np.eye(K)[y]")
        if isinstance(base, Tensor):
            return self._slice(base, index, node)
        if isinstance(base, Labels):
            if isinstance(index, Seq) and index.items and _int(index.items[-1]) is not None \
                    and base.encoding in ("one-hot", "multi-hot"):
                return Labels("integer", 2, 0, 1, True, node, "a column of one-hot labels")
            return base
        if isinstance(base, Derived):
            return base if base.op in ("compare", "threshold", "argmax") else Unknown(f"`{short(node)}`")
        if isinstance(base, Data):
            return base.item
        if isinstance(base, Ref) and base.name in _RUN_TIME_NAMES:
            return Unknown(_RUN_TIME_NAMES[base.name])
        if isinstance(base, Ref) and norm(base.name) == "numpy.r_":
            return self._concat(index.items if isinstance(index, Seq) else (index,), node)
        if isinstance(base, Unknown):
            return base
        return Unknown(f"`{short(node)}`")

    def _slice(self, t: Tensor, index: Value, node: ast.AST) -> Value:
        """A slice of an output: elementwise activations survive it, a softmax does not (a column of
        a softmax is a probability, but not a softmax over that column)."""
        last = index.items[-1] if isinstance(index, Seq) and index.items else index
        picks_column = _int(last) is not None
        if t.act in ("softmax", "log_softmax") and picks_column:
            return Tensor(why=f"a column of a softmax output (`{short(node)}`)")
        if picks_column:
            return replace(t, units=1, units_node=node)
        return t

    # -- operators ------------------------------------------------------------------------------------------------
    def binop(self, op: ast.operator, left: Value, right: Value, node: ast.AST) -> Value:
        if isinstance(left, Const) and isinstance(right, Const):
            return self._arith(op, left, right, node)
        if isinstance(left, Seq) or isinstance(right, Seq):
            return self._seq_arith(op, left, right, node)
        if isinstance(op, ast.MatMult):
            return self.matmul(left, right, node)
        if isinstance(op, ast.Div) and isinstance(left, Derived) and left.op == "exp" \
                and isinstance(right, Derived) and right.op == "sumexp" and left.base == right.base:
            return self.activate(left.base, "softmax", right.arg, node, torch=False, axis_given=right.other is None)
        if isinstance(left, Labels) or isinstance(right, Labels):
            return self._labels_arith(op, left, right, node)
        if isinstance(op, ast.Mult):
            xent = self._xent(left, right, node) or self._xent(right, left, node)
            if xent is not None:
                return xent
        if isinstance(op, (ast.Add, ast.Sub)):
            if isinstance(left, Derived) and left.op == "xent" and isinstance(right, Derived) and right.op == "xent" \
                    and left.base == right.base:
                return Derived("xent", left.base, "binary", left.other, node)
            if isinstance(op, ast.Sub) and isinstance(left, Const) and _num(left) == 1.0 and isinstance(right, Tensor):
                return Derived("one_minus", right, node=node)
            if isinstance(op, ast.Sub) and isinstance(right, Derived) and right.op == "max" and right.base == left:
                return left  # x - max(x): the stable form of the same softmax
            if isinstance(left, Tensor) and left.act == "linear":
                return left  # a bias added to logits
            if isinstance(left, Derived) and left.op in ("log", "xent"):
                return left
        if isinstance(op, (ast.Div, ast.Mult)) and isinstance(left, Tensor) and left.act == "linear" \
                and isinstance(right, Const):
            return left  # logits scaled by a temperature are still logits
        if isinstance(op, ast.Mult) and isinstance(left, Const) and _num(left) == -1.0:
            return self.unary(ast.USub(), right, node)
        if isinstance(left, Unknown):
            return left
        return UNKNOWN

    @staticmethod
    def _seq_arith(op: ast.operator, left: Value, right: Value, node: ast.AST) -> Value:
        """`[a, b] * 50`, `xs + ys`: the list, while it stays short."""
        if isinstance(op, ast.Add) and isinstance(left, Seq) and isinstance(right, Seq):
            items = left.items + right.items
        elif isinstance(op, ast.Mult) and (isinstance(left, Seq) and _int(right) is not None
                                           or isinstance(right, Seq) and _int(left) is not None):
            seq, n = (left, _int(right)) if isinstance(left, Seq) else (right, _int(left))
            items = seq.items * max(0, n or 0)  # type: ignore[union-attr]
        else:
            return UNKNOWN
        return Seq(items, node) if len(items) <= _LONGEST_LIST else Unknown("a long list")

    def _arith(self, op: ast.operator, left: Const, right: Const, node: ast.AST) -> Value:
        fn = _ARITH.get(type(op))
        a, b = left.value, right.value
        if fn is None:
            return UNKNOWN
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and abs(a) < 1e12 and abs(b) < 1e12 \
                or isinstance(a, str) and isinstance(b, str) and isinstance(op, ast.Add) and len(a) + len(b) < 200:
            try:
                return Const(fn(a, b), node)
            except (ZeroDivisionError, TypeError, ValueError, OverflowError):
                return UNKNOWN
        return UNKNOWN

    def _labels_arith(self, op: ast.operator, left: Value, right: Value, node: ast.AST) -> Value:
        labels, other, flipped = (left, right, False) if isinstance(left, Labels) else (right, left, True)
        c = _num(other)
        if c is None or labels.lo is None or labels.hi is None or not isinstance(labels, Labels):
            return Labels(source=labels.source, node=node) if isinstance(labels, Labels) else UNKNOWN
        fn = _ARITH.get(type(op))
        if fn is None or (isinstance(op, (ast.Div, ast.FloorDiv, ast.Mod)) and (c == 0 or flipped)):
            return Labels(node=node)
        ends = sorted((fn(c, labels.lo), fn(c, labels.hi)) if flipped else (fn(labels.lo, c), fn(labels.hi, c)))
        integer = bool(labels.integer) and all(float(e).is_integer() for e in ends) and not isinstance(op, ast.Div)
        encoding = labels.encoding if labels.encoding != "integer" or integer else "continuous"
        if labels.encoding in ("one-hot", "multi-hot") and not (ends == [0, 1]):
            encoding = None
        return Labels(encoding, labels.k, ends[0], ends[1], integer, node, labels.source)

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

    def unary(self, op: ast.unaryop, operand: Value, node: ast.AST) -> Value:
        if isinstance(operand, Const):
            try:
                if isinstance(op, ast.USub) and isinstance(operand.value, (int, float)):
                    return Const(-operand.value, node)
                if isinstance(op, ast.Not):
                    return Const(not operand.value, node)
            except Exception:
                return UNKNOWN
            return UNKNOWN
        if isinstance(op, ast.USub) and isinstance(operand, Derived) and operand.op == "xent":
            self.handwritten_loss(operand, node)
            return Derived("loss", operand.base, node=node)
        if isinstance(op, ast.USub) and isinstance(operand, Labels) and operand.lo is not None and operand.hi is not None:
            return replace(operand, lo=-operand.hi, hi=-operand.lo, node=node)
        return operand if isinstance(operand, Unknown) else UNKNOWN

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

    def compare(self, op: ast.cmpop, left: Value, right: Value, node: ast.AST) -> Value:
        if isinstance(left, Const) and isinstance(right, Const):
            fn = _CMP.get(type(op))
            try:
                if fn is not None:
                    return Const(fn(left.value, right.value), node)
                if isinstance(op, ast.Is):
                    return Const(left.value is right.value, node)
                if isinstance(op, ast.IsNot):
                    return Const(left.value is not right.value, node)
            except Exception:
                return UNKNOWN
        if isinstance(op, (ast.Is, ast.IsNot)) and isinstance(right, Const) and right.value is None:
            if isinstance(left, (Obj, Layer, Tensor, Seq, LossV, MetricV, Labels, Func)):
                return Const(isinstance(op, ast.IsNot), node)
            return UNKNOWN
        if isinstance(op, (ast.In, ast.NotIn)) and isinstance(left, Const) and isinstance(right, Seq):
            values = [i.value for i in right.items if isinstance(i, Const)]
            if len(values) == len(right.items):
                return Const((left.value in values) == isinstance(op, ast.In), node)
            return UNKNOWN
        if isinstance(op, (ast.Gt, ast.GtE, ast.Lt, ast.LtE)):
            flipped = isinstance(left, Const)
            value, c = (right, left) if flipped else (left, right)
            thr = _num(c)
            upward = isinstance(op, (ast.Gt, ast.GtE)) != flipped
            if thr is not None and isinstance(value, Tensor) and upward:
                return Derived("threshold", value, thr, node=node)
            if thr is not None and isinstance(value, Labels):
                return Labels("integer", 2, 0, 1, True, node, value.source)
        if isinstance(op, ast.Eq):
            metric = self.accuracy(left, right, node)
            if metric is not None:
                return metric
            if isinstance(left, Labels) and isinstance(right, Const) or isinstance(right, Labels) and isinstance(left, Const):
                labels = left if isinstance(left, Labels) else right
                return Labels("integer", 2, 0, 1, True, node, labels.source)  # type: ignore[union-attr]
        return UNKNOWN

    # -- accuracies written by hand ----------------------------------------------------------------------
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

    # -- calls ------------------------------------------------------------------------------------------------------
    def call(self, func: Value, call: CallArgs) -> Value:
        if isinstance(func, Ref):
            return self.call_ref(func.name, call)
        if isinstance(func, Layer):
            return self.apply_layer(func, call.arg(0, "inputs", "input", "x") or UNKNOWN, call.node)
        if isinstance(func, Obj):
            return self.call_model(func, call)
        if isinstance(func, LossV):
            return self.apply_loss(func, call)
        if isinstance(func, MetricV):
            return self.apply_metric(func, call)
        if isinstance(func, Unknown):
            self._unknown_loss(call, func.why)
            return func if func.why else Unknown(f"the result of `{short(call.node.func)}(...)`")
        return Unknown(f"the result of `{short(call.node.func)}(...)`")

    def _unknown_loss(self, call: CallArgs, why: str) -> None:
        """`criterion(outputs, labels)` with `criterion` unknown: a head lint cannot decide."""
        func = call.node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if len(call.args) >= 2 and _LOSS_NAME.search(name):
            self.ip.events.unknown_losses.append((call.node, f"the loss `{short(func)}`: {why or 'not followed'}"))

    def call_method(self, base: Value, name: str, call: CallArgs) -> Value:
        """`base.name(...)` where `name` is not an attribute holding a callable of the file."""
        if isinstance(base, Ref):
            return self.call_ref(f"{base.name}.{name}", call)
        if isinstance(base, Obj):
            return self.model_method(base, name, call)
        if isinstance(base, (Tensor, Derived, Labels)):
            return self.tensor_method(base, name, call)
        if isinstance(base, Data):
            return self.data_method(base, name, call)
        if isinstance(base, Seq):
            return self.seq_method(base, name, call)
        if isinstance(base, Mapping):
            return self.mapping_method(base, name, call)
        if isinstance(base, (LossV, MetricV)):
            if name in MODEL_METHODS_SAME:
                return base
            if name in ("forward", "__call__", "update"):
                return self.call(base, call)
            return UNKNOWN
        if isinstance(base, Unknown):
            if name == "compile" and ({"loss", "metrics", "optimizer"} & set(call.kwargs) or len(call.args) >= 2):
                return self._compile(None, call, base)
            if name == "parse_args" or name == "parse_known_args":
                return Unknown("a command-line argument")
            if name in A.ARGMAX:
                return Derived("argmax", base, node=call.node)
            return base if base.why else Unknown(f"the result of `{short(call.node.func)}(...)`")
        return Unknown(f"the result of `{short(call.node.func)}(...)`")

    def call_ref(self, name: str, call: CallArgs) -> Value:
        q = norm(name)
        root, _, _ = q.partition(".")
        last = q.rsplit(".", 1)[-1]
        if root == "builtins":
            return self.builtin(last, call)
        if name.startswith(KERAS3_MODULES):
            self.ip.era_evidence.append(("Keras 3", short(call.node.func), call.node.lineno))
        elif last in ("merge", "Merge") and "mode" in call.kwargs:
            self.ip.era_evidence.append(("Keras 1", f"{last}(..., mode=", call.node.lineno))
        if "." in q and root not in LIBRARY_ROOTS:
            return Unknown(f"`{q}` comes from another module; lint does not follow imports across files")
        result = _handler(last)(self, q, call)
        if result is not None:
            return result
        if last in D.MODEL_LOADERS:
            return Unknown(f"a model loaded from disk at run time (`{last}`)")
        if last in D.READ_AT_RUN_TIME:
            return Unknown(f"values read from a file at run time (`{last}`)")
        if last == "parse_args" or last == "parse_known_args":
            return Unknown("a command-line argument")
        for name, why in _RUN_TIME_NAMES.items():
            if q == name or q.startswith(name + "."):
                return Unknown(why)
        if last[:1].isupper() and "()" not in q:
            return Ref(q + "()")  # an instance of a library class: its methods are found by name
        return Unknown(f"the result of `{short(call.node.func)}(...)`")

    # -- builtins ------------------------------------------------------------------------------------------------
    def builtin(self, name: str, call: CallArgs) -> Value:
        args = call.args
        first = args[0] if args else None
        if name == "len":
            if isinstance(first, (Seq, Mapping)):
                return Const(len(first.items), call.node)
            if isinstance(first, Const) and isinstance(first.value, str):
                return Const(len(first.value), call.node)
            return Unknown(f"`{short(call.node)}`")
        if name in ("list", "tuple", "sorted", "reversed") and isinstance(first, Seq):
            return first if name != "reversed" else Seq(tuple(reversed(first.items)), call.node)
        if name in ("set", "frozenset") and isinstance(first, Seq):
            seen: list[Value] = []
            for item in first.items:
                if item not in seen:
                    seen.append(item)
            return Seq(tuple(seen), call.node)
        if name in ("int", "float", "str", "bool", "round", "abs") and isinstance(first, Const):
            try:
                fn = {"int": int, "float": float, "str": str, "bool": bool, "round": round, "abs": abs}[name]
                return Const(fn(first.value), call.node)  # type: ignore[operator]
            except Exception:
                return UNKNOWN
        if name in ("min", "max", "sum") and args:
            items = first.items if len(args) == 1 and isinstance(first, Seq) else args
            nums = [_num(i) for i in items]
            if nums and all(n is not None for n in nums):
                result = {"min": min, "max": max, "sum": sum}[name](nums)  # type: ignore[type-var]
                return Const(int(result) if float(result).is_integer() else result, call.node)
            return UNKNOWN
        if name == "range":
            return Data(UNKNOWN)
        if name in ("zip", "enumerate"):
            seqs = [self.unroll(a) for a in args]
            if name == "enumerate":
                seq = seqs[0] if seqs else None
                if seq is not None:
                    return Seq(tuple(Seq((Const(i), v)) for i, v in enumerate(seq)), call.node)
                return Data(Seq((UNKNOWN, self.iterate(first or UNKNOWN, call.node))))
            if seqs and all(s is not None for s in seqs):
                n = min(len(s) for s in seqs)  # type: ignore[arg-type]
                return Seq(tuple(Seq(tuple(s[i] for s in seqs)) for i in range(n)), call.node)  # type: ignore[index]
            return Data(Seq(tuple(self.iterate(a, call.node) for a in args)))
        if name == "iter":
            return first if first is not None else UNKNOWN
        if name == "next":
            return self.iterate(first, call.node) if first is not None else UNKNOWN
        if name == "dict":
            return Mapping(tuple(call.kwargs.items()), call.node)
        if name == "getattr" and len(args) >= 2 and isinstance(args[1], Const) and isinstance(args[1].value, str):
            return self.ip.attribute(first, args[1].value, call.node)  # type: ignore[arg-type]
        if name == "open":
            return Unknown("values read from a file at run time")
        if name == "input":
            return Unknown("typed in at run time")
        if name == "super":
            return Unknown("super()")
        return Const(None) if name in ("print", "setattr", "exec") else UNKNOWN

    # -- layers and models -----------------------------------------------------------------------------------------
    def make_layer(self, q: str, call: CallArgs) -> Value | None:
        last = q.rsplit(".", 1)[-1]
        torch = self.is_torch(q)
        if last in KERAS_UNITS and not torch:
            return self._keras_units(last, call)
        if last in KERAS_RNN and not torch:
            units = call.arg(0, "units", "output_dim")
            return Layer("units", Tensor(None, _int(units), units_node=call.arg_node(0, "units") or call.node,
                                         why=f"the output of a recurrent layer (`{last}`)"), node=call.node)
        if last in TORCH_UNITS and (torch or self.torch_file()):
            i = TORCH_UNITS[last]
            units = call.arg(i, *torch_fw.UNITS_KEYWORDS)
            units_node = call.arg_node(i, *torch_fw.UNITS_KEYWORDS) or call.node
            return Layer("units", Tensor("linear", _int(units), act_node=call.node, units_node=units_node, torch=True),
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
            return Layer("activation", Tensor(act, axis=_int(axis) if axis is not None else None, axis_missing=missing,
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
        if last.startswith("Convolution") and len(call.args) >= 3 and all(_int(a) is not None for a in call.args[:3]):
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
        return Layer("units", Tensor(act, _int(units), act_node=act_node or call.node, units_node=units_node,
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
            self.ip.store.data[(obj.oid, "__out__")] = Tensor("linear", _int(units), act_node=call.node,
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

    # -- losses and metrics -------------------------------------------------------------------------------------
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

    # -- activations, tensor functions -------------------------------------------------------------------------
    def activate(self, x: Value, act: str, axis: object, node: ast.AST, *, torch: bool, axis_given: bool = True) -> Tensor:
        """`act` applied to `x` over `axis` (PyTorch's softmax without `dim` has its axis missing)."""
        base = x if isinstance(x, Tensor) else INPUT
        axis_value = axis if isinstance(axis, int) else _int(axis) if isinstance(axis, Value) else None
        missing = (torch and act in ("softmax", "log_softmax") and not axis_given)
        return Tensor(act, base.units, axis_value, missing, node, base.units_node, torch)

    def activation_function(self, q: str, call: CallArgs) -> Value | None:
        last = q.rsplit(".", 1)[-1]
        if not last[:1].islower():
            return None
        act = normalize_activation(last)
        if act is None or act == "linear" or act == "other" and last in ("exp", "exponential"):
            return None
        root = q.split(".")[0]
        if root not in ("torch", "tensorflow", "keras", "jax", "scipy", "K", "F") and "." in q \
                and not q.startswith(("nn.", "F.")):
            return None
        torch = self.is_torch(q) or q.startswith("F.")
        x = call.arg(0, "input", "x", "logits", "features", "z")
        axis = call.arg(1, "dim", "axis")
        if axis is None and root == "tensorflow":
            axis = call.kwargs.get("dim")  # TF 1's keyword
        given = axis is not None or not torch
        return self.activate(x or UNKNOWN, act, axis, call.node, torch=torch, axis_given=given)

    def tensor_method(self, base: Value, name: str, call: CallArgs) -> Value:
        act = normalize_activation(name) if name[:1].islower() else None
        if isinstance(base, Tensor) and act not in (None, "linear") and name not in ("exp", "exponential"):
            axis = call.arg(0, "dim", "axis")
            return self.activate(base, act, axis, call.node, torch=True, axis_given=axis is not None or
                                 act not in ("softmax", "log_softmax"))
        if name in A.ARGMAX:
            return Derived("argmax", base, call.arg(0, "dim", "axis"), node=call.node)
        if name in A.MAX_WITH_INDICES and call.arg(0, "dim", "axis") is not None and not isinstance(base, Labels):
            return Seq((Derived("max", base, node=call.node), Derived("argmax", base, node=call.node)), call.node)
        if name in A.ROUND and isinstance(base, Tensor):
            return Derived("threshold", base, 0.5, node=call.node)
        if name in A.COMPARE and isinstance(base, Tensor):
            other = call.arg(0, "other")
            return self.compare(getattr(ast, A.COMPARE[name])(), base, other or UNKNOWN, call.node)
        if name in A.EQUAL:
            return self.compare(ast.Eq(), base, call.arg(0, "other") or UNKNOWN, call.node)
        if name in A.EXP and isinstance(base, Tensor):
            return Derived("exp", base, node=call.node)
        if name in A.LOG:
            return self.log(base, call.node)
        if name in A.SUM | A.MEAN:
            return self.reduce(name, base, call.arg(0, "dim", "axis"), call.node)
        if name in A.ALL:
            self._mark_exact(base)
            return base
        if name in A.KEEP:
            return base
        if isinstance(base, Labels) and name in ("argmax",):
            return Derived("argmax", base, node=call.node)
        return Unknown(f"the result of `{short(call.node.func)}(...)`")

    def log(self, x: Value, node: ast.AST) -> Value:
        if isinstance(x, Tensor) and x.act == "softmax":
            return replace(x, act="log_softmax")  # still located at the softmax
        return Derived("log", x, node=node)

    def reduce(self, name: str, x: Value, axis: Value | None, node: ast.AST) -> Value:
        if isinstance(x, Derived) and x.op == "exp" and name in A.SUM:
            # `other` marks a sum over every axis (no axis given)
            return Derived("sumexp", x.base, _int(axis) if axis is not None else None,
                           None if axis is not None else Const("all"), node)
        if isinstance(x, Derived) and x.op in ("xent", "compare", "loss"):
            return x
        if isinstance(x, Unknown):
            return x
        return Unknown(f"`{short(node)}`")

    def matmul(self, a: Value, w: Value, node: ast.AST) -> Value:
        width = w.shape[-1] if isinstance(w, Tensor) and w.shape else None
        return Tensor("linear", width, act_node=node, units_node=node, torch=isinstance(a, Tensor) and a.torch)

    def array_function(self, q: str, call: CallArgs) -> Value | None:
        """np / torch / tf / K functions over arrays: argmax, exp, log, sum, equal, round, where, ..."""
        last = q.rsplit(".", 1)[-1]
        root = q.split(".")[0]
        if root not in ("numpy", "torch", "tensorflow", "keras", "jax", "K", "F", "scipy") and "." in q:
            return None
        x = call.arg(0, "input", "x", "a", "tensor")
        if last in A.ARGMAX:
            return Derived("argmax", x or UNKNOWN, call.arg(1, "axis", "dim", "dimension"), node=call.node)
        if last == "max" and root == "torch" and call.arg(1, "dim") is not None:
            return Seq((Derived("max", x or UNKNOWN, node=call.node), Derived("argmax", x or UNKNOWN, node=call.node)),
                       call.node)
        if last in ("reduce_max", "amax", "max", "logsumexp", "reduce_logsumexp") and x is not None:
            return Derived("max", x, node=call.node)
        if last in A.EXP and isinstance(x, Tensor):
            return Derived("exp", x, node=call.node)
        if last in A.LOG:
            return self.log(x or UNKNOWN, call.node)
        if last in A.SUM | A.MEAN:
            return self.reduce(last, x or UNKNOWN, call.arg(1, "axis", "dim", "reduction_indices"), call.node)
        if last in A.ALL:
            self._mark_exact(x or UNKNOWN)
            return x or UNKNOWN
        if last in A.EQUAL:
            return self.compare(ast.Eq(), x or UNKNOWN, call.arg(1, "y", "other", "b") or UNKNOWN, call.node)
        if last in A.COMPARE:
            return self.compare(getattr(ast, A.COMPARE[last])(), x or UNKNOWN, call.arg(1, "y", "other") or UNKNOWN,
                                call.node)
        if last in A.ROUND and isinstance(x, Tensor):
            return Derived("threshold", x, 0.5, node=call.node)
        if last in A.MATMUL and len(call.args) >= 2:
            return self.matmul(call.args[0], call.args[1], call.node)
        if last in A.BIAS_ADD and isinstance(x, Tensor) and x.act == "linear":
            return x
        if last == "xw_plus_b" and len(call.args) >= 2:
            return self.matmul(call.args[0], call.args[1], call.node)
        if last in A.WHERE and call.args:
            cond = call.args[0]
            if isinstance(cond, Labels):
                return Labels("integer", 2, 0, 1, True, call.node, cond.source)
            return cond if isinstance(cond, Derived) and cond.op == "threshold" else UNKNOWN
        if last in A.CONCAT:
            parts = call.arg(0, "tensors", "arrays", "values", "arr")
            items = parts.items if isinstance(parts, Seq) else call.args
            return self._concat(items, call.node)
        if last in A.KEEP:
            if last in ("array", "asarray", "tensor", "constant", "as_tensor", "convert_to_tensor", "Tensor",
                        "FloatTensor", "LongTensor", "IntTensor", "DoubleTensor") and isinstance(x, Seq):
                return literal_labels(x, call.node)
            return x if x is not None else UNKNOWN
        return None

    def _concat(self, items: tuple[Value, ...], node: ast.AST) -> Value:
        labels = [i for i in items if isinstance(i, Labels)]
        if labels and len(labels) == len(items) and all(l.lo is not None and l.hi is not None for l in labels):
            lo = min(l.lo for l in labels)  # type: ignore[type-var]
            hi = max(l.hi for l in labels)  # type: ignore[type-var]
            integer = all(l.integer for l in labels)
            encodings = {l.encoding for l in labels}
            encoding = encodings.pop() if len(encodings) == 1 else ("integer" if integer else None)
            return Labels(encoding, None if encoding == "integer" else labels[0].k, lo, hi, integer, node,
                          labels[0].source)
        return UNKNOWN

    # -- labels and data sources ---------------------------------------------------------------------------------
    def one_hot(self, q: str, call: CallArgs) -> Value | None:
        last = q.rsplit(".", 1)[-1]
        y = call.arg(0, "y", "indices", "tensor", "input", "data")
        k = _int(call.arg(1, "num_classes", "nb_classes", "depth"))
        if k is None and isinstance(y, Labels) and y.encoding == "integer" and y.hi is not None \
                and last == "to_categorical" and y.lo is not None and y.lo >= 0:
            k = int(y.hi) + 1
        if last == "get_dummies" and isinstance(y, Labels):
            k = y.k
        return Labels("one-hot", k, 0, 1, True, call.node, f"`{last}`")

    def frame(self, q: str, call: CallArgs) -> Value | None:
        """`pd.DataFrame({'text': [...], 'label': [0, 2, 1]})`: columns read as literal arrays
        (`df['label']`, `df.label`); `pd.Series([...])` likewise."""
        if not q.startswith("pandas") and "." in q:
            return None
        data = call.arg(0, "data")
        if q.endswith("Series"):
            return literal_labels(data, call.node) if isinstance(data, Seq) else None
        if isinstance(data, Mapping):
            return Mapping(tuple((k, literal_labels(v, call.node) if isinstance(v, Seq) else v) for k, v in data.items),
                           call.node)
        return None

    def eye(self, q: str, call: CallArgs) -> Value | None:
        if q.split(".")[0] not in ("numpy", "torch", "tensorflow", "jax") and "." in q:
            return None
        return Derived("eye", call.arg(0, "N", "n", "num_rows") or UNKNOWN, node=call.node)

    def transformer_call(self, q: str, call: CallArgs) -> Value | None:
        """`LabelEncoder().fit_transform(y)`, `mlb.fit_transform(tags)`, `enc.transform(y)`."""
        owner = q.rsplit(".", 1)[0]
        kind = D.LABEL_TRANSFORMERS.get(owner.rsplit(".", 1)[-1].removesuffix("()")) if owner.endswith("()") else None
        if kind is None:
            return None
        data = call.arg(0, "y", "X")
        k = self._distinct(data)
        if kind == "integer":
            return Labels("integer", k, 0, (k - 1) if k else None, True, call.node, owner)
        return Labels(kind, k, 0, 1, True, call.node, owner)

    @staticmethod
    def _distinct(data: Value | None) -> int | None:
        values = _lit(data)
        if not isinstance(values, list):
            return None
        flat = [x for v in values for x in (v if isinstance(v, list) else [v])]
        try:
            return len(set(flat)) or None
        except TypeError:
            return None

    def keras_dataset(self, q: str, call: CallArgs) -> Value | None:
        parts = q.split(".")
        if "datasets" not in parts or len(parts) < 2:
            return None
        name = parts[-2]
        source = D.KERAS_DATASETS.get(name)
        if source is None:
            return None
        mode = call.kwargs.get("label_mode")
        if name == "cifar100" and isinstance(mode, Const) and mode.value == "coarse":
            source = D.KERAS_CIFAR100_COARSE
        labels = self._labels(source, call.node)
        return Seq((Seq((INPUT, labels)), Seq((INPUT, labels))), call.node)

    def _labels(self, source: D.LabelSource, node: ast.AST) -> Labels:
        return Labels(source.encoding, source.k, source.lo, source.hi, source.integer, node, source.name)

    def sklearn_dataset(self, q: str, call: CallArgs) -> Value | None:
        last = q.rsplit(".", 1)[-1]
        if not q.startswith("sklearn") and "." in q:
            return None
        if last in D.SKLEARN_LOADERS:
            labels = self._labels(D.SKLEARN_LOADERS[last], call.node)
            if isinstance(call.kwargs.get("return_X_y"), Const) and call.kwargs["return_X_y"].value:  # type: ignore[union-attr]
                return Seq((INPUT, labels), call.node)
            return Mapping((("data", INPUT), ("target", labels)), call.node)
        if last in D.SKLEARN_GENERATORS:
            key, default = D.SKLEARN_GENERATORS[last]
            given = call.kwargs.get(key) if key else None
            k = _int(given) if isinstance(given, Const) else None
            if key and key in call.kwargs and k is None:
                centers = call.kwargs.get(key)
                k = len(centers.items) if isinstance(centers, Seq) else None
                labels = Labels("integer", k, 0, (k - 1) if k else None, True, call.node, f"sklearn {last}")
            else:
                k = k or default
                labels = Labels("integer", k, 0, k - 1, True, call.node, f"sklearn {last}")
            return Seq((INPUT, labels), call.node)
        if last in D.SKLEARN_MULTILABEL_GENERATORS:
            key, default = D.SKLEARN_MULTILABEL_GENERATORS[last]
            k = _int(call.kwargs.get(key)) or default
            return Seq((INPUT, Labels("multi-hot", k, 0, 1, True, call.node, f"sklearn {last}")), call.node)
        if last in D.SKLEARN_SIGNED_GENERATORS:
            return Seq((INPUT, Labels("integer", 2, -1, 1, True, call.node, f"sklearn {last} (labels -1/+1)")), call.node)
        if last in D.SKLEARN_REGRESSION_GENERATORS:
            return Seq((INPUT, Labels("continuous", None, None, None, False, call.node, f"sklearn {last}")), call.node)
        return None

    def torchvision_dataset(self, q: str, call: CallArgs) -> Value | None:
        last = q.rsplit(".", 1)[-1]
        if not (q.startswith("torchvision") or ("." not in q and self.torch_file())):
            return None
        if "target_transform" in call.kwargs:
            return Data(Seq((INPUT, Unknown("labels changed by a target_transform"))))
        if last == "EMNIST":
            split = call.arg(1, "split")
            source = D.TORCHVISION_EMNIST.get(split.value) if isinstance(split, Const) else None  # type: ignore[arg-type]
            labels: Value = self._labels(source, call.node) if source else Unknown("EMNIST labels (the split is unknown)")
        elif last in D.FOLDER_DATASETS:
            labels = Labels("integer", None, 0, None, True, call.node, f"torchvision {last}")
        elif last in D.TORCHVISION_DATASETS:
            labels = self._labels(D.TORCHVISION_DATASETS[last], call.node)
        else:
            return None
        return Data(Seq((INPUT, labels)))

    def loader(self, q: str, call: CallArgs) -> Value | None:
        last = q.rsplit(".", 1)[-1]
        if last == "DataLoader":
            ds = call.arg(0, "dataset")
            return Data(ds.item) if isinstance(ds, Data) else Data(Unknown("a batch of a dataset lint cannot follow"))
        if last == "TensorDataset":
            return Data(Seq(tuple(call.args)))
        if last in ("Subset",):
            ds = call.arg(0, "dataset")
            return ds if isinstance(ds, Data) else None
        if last == "random_split":
            ds = call.arg(0, "dataset")
            parts = call.arg(1, "lengths")
            n = len(parts.items) if isinstance(parts, Seq) else 2
            return Seq(tuple(ds for _ in range(n))) if isinstance(ds, Data) else None
        if last in ("from_tensor_slices", "from_tensors"):
            data = call.arg(0, "tensors")
            return Data(data if data is not None else UNKNOWN)
        if last == "flow" and "ImageDataGenerator" in q:
            return Data(Seq((call.arg(0, "x") or UNKNOWN, call.arg(1, "y") or UNKNOWN)))
        return None

    def split(self, q: str, call: CallArgs) -> Value | None:
        """train_test_split(X, y, ...) -> X_train, X_test, y_train, y_test: the labels go through."""
        if not q.startswith("sklearn") and "." in q:
            return None
        arrays = call.args
        return Seq(tuple(a for a in arrays for _ in (0, 1)), call.node)

    def randint(self, q: str, call: CallArgs) -> Value | None:
        root = q.split(".")[0]
        if root not in ("numpy", "torch", "tensorflow") and "." in q:
            return None
        lo_v, hi_v = call.arg(0, "low"), call.arg(1, "high")
        size = call.arg(2, "size")
        if root == "torch" and hi_v is not None and isinstance(hi_v, Seq):  # torch.randint(high, size)
            lo_v, hi_v, size = Const(0), lo_v, hi_v
        if hi_v is None:
            lo_v, hi_v = Const(0), lo_v
        lo, hi = _int(lo_v), _int(hi_v)
        if lo is None or hi is None or hi <= lo:
            return Labels("integer", None, None, None, True, call.node, "random integers")
        shape = _shape(size) if size is not None else None
        source = f"random integers in [{lo}, {hi - 1}]"
        if shape and len(shape) == 2 and shape[1] not in (None, 1) and (lo, hi) == (0, 2):
            return Labels("multi-hot", shape[1], 0, 1, True, call.node, source)
        return Labels("integer", hi - lo, lo, hi - 1, True, call.node, source)

    def choice(self, q: str, call: CallArgs) -> Value | None:
        if not q.startswith("numpy"):
            return None
        options = call.arg(0, "a")
        size = _shape(call.arg(1, "size"))
        values = _lit(options)
        n = _int(options)
        if isinstance(values, list) and values and all(isinstance(v, (int, float)) for v in values):
            lo, hi = min(values), max(values)
        elif n is not None:
            lo, hi = 0, n - 1
        else:
            return None
        if size and len(size) == 2 and size[1] not in (None, 1) and (lo, hi) == (0, 1):
            return Labels("multi-hot", size[1], 0, 1, True, call.node, "random choices")
        return Labels("integer", int(hi - lo + 1), lo, hi, all(float(v).is_integer() for v in (lo, hi)), call.node,
                      "random choices")

    def filled(self, q: str, call: CallArgs) -> Value | None:
        last = q.rsplit(".", 1)[-1]
        root = q.split(".")[0]
        if root not in ("numpy", "torch", "tensorflow") and "." in q:
            return None
        if root == "tensorflow" or (root == "torch" and call.kwargs.get("requires_grad") is not None):
            return Tensor(shape=_shape(call.arg(0, "shape", "size")) or _shape(Seq(call.args)), why="a weight matrix")
        value = A.ZEROS_ONES[last]
        shape = _shape(call.arg(0, "shape", "size"))
        if root == "torch" and len(call.args) > 1:
            shape = _shape(Seq(call.args))
        if shape is None or len(shape) == 1 or (len(shape) == 2 and shape[1] == 1):
            return Labels("integer", 1, value, value, True, call.node, f"`{last}`")
        return Tensor(shape=shape, why=f"an array filled later (`{last}`)")

    def variable(self, q: str, call: CallArgs) -> Value | None:
        last = q.rsplit(".", 1)[-1]
        if last in ("Variable", "Parameter"):
            init = call.arg(0, "initial_value", "data")
            return init if isinstance(init, Tensor) else Tensor(why="a variable")
        if last in TF.WEIGHT_INITS and q.split(".")[0] in ("tensorflow", "numpy", "torch"):
            key, index = TF.WEIGHT_INITS[last]
            shape = _shape(call.arg(index, key))
            if q.split(".")[0] == "torch" and shape is not None and len(call.args) > 1:
                shape = _shape(Seq(call.args))
            return Tensor(shape=shape, why="a weight matrix")
        return None

    def placeholder(self, q: str, call: CallArgs) -> Value | None:
        if not q.startswith("tensorflow"):
            return None
        dtype = call.arg(0, "dtype")
        shape = _shape(call.arg(1, "shape"))
        dtype_name = dtype.name if isinstance(dtype, Ref) else ""
        if shape is not None and len(shape) == 1 and "int" in dtype_name:
            return Labels("integer", None, None, None, True, call.node, "a placeholder of class indices")
        return Tensor(shape=shape, why="a placeholder fed at run time")

    def tf_functional_layer(self, q: str, call: CallArgs) -> Value | None:
        last = q.rsplit(".", 1)[-1]
        if not q.startswith("tensorflow") and "slim" not in q and "tf_slim" not in q:
            return None
        spec = TF.FUNCTIONAL_LAYERS[last]
        units = call.arg(spec.units[1], spec.units[0])
        units_node = call.arg_node(spec.units[1], spec.units[0]) or call.node
        act_value = call.kwargs.get(spec.activation)
        act_node = call.kw_nodes.get(spec.activation)
        if spec.activation not in call.kwargs:
            act = spec.default
            act_node = call.node
        else:
            act = self.activation_of(act_value, act_node)
        return Tensor(act, _int(units), act_node=act_node, units_node=units_node,
                      why="" if act else f"an activation lint does not know (`{short(act_node)}`)")

    def pretrained(self, q: str, call: CallArgs) -> Value | None:
        parts = q.split(".")
        last = parts[-1]
        if parts[0] == "torchvision" and "models" in parts and last[:1].islower() and P.torchvision_head(last):
            obj = Obj(self.ip.new_id(), "external", node=call.node, family=last)
            units = call.kwargs.get("num_classes")
            self.ip.store.data[(obj.oid, "__out__")] = Tensor(
                "linear", _int(units), act_node=call.node, units_node=call.kw_nodes.get("num_classes") or call.node,
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
                out = Tensor(act, _int(classes) if classes is not None else P.IMAGENET_CLASSES,
                             act_node=call.kw_nodes.get("classifier_activation") or call.node,
                             units_node=call.kw_nodes.get("classes") or call.node)
            self.ip.store.data[(obj.oid, "__out__")] = out
            self.ip.instances.append(obj)
            return obj
        if parts[0] == "timm" and last == "create_model":
            obj = Obj(self.ip.new_id(), "external", node=call.node, family="timm")
            units = call.kwargs.get("num_classes")
            self.ip.store.data[(obj.oid, "__out__")] = Tensor(
                "linear", _int(units), act_node=call.node, units_node=call.kw_nodes.get("num_classes") or call.node,
                torch=True, why="" if units is not None else "a timm model's head")
            return obj
        return None

    # -- other receivers ---------------------------------------------------------------------------------------------
    def data_method(self, data: Data, name: str, call: CallArgs) -> Value:
        if name in ("batch", "shuffle", "prefetch", "repeat", "cache", "take", "skip", "unbatch", "as_numpy_iterator",
                    "__iter__", "padded_batch", "with_options"):
            return data
        if name == "map":
            return Data(Unknown("a dataset changed by `map`"))
        return Unknown(f"the result of `{short(call.node.func)}(...)`")

    def seq_method(self, seq: Seq, name: str, call: CallArgs) -> Value:
        target = call.node.func.value if isinstance(call.node.func, ast.Attribute) else None  # type: ignore[union-attr]
        if name in ("append", "extend", "insert") and isinstance(target, ast.Name):
            new = call.args[-1] if call.args else UNKNOWN
            items = seq.items + (new.items if name == "extend" and isinstance(new, Seq) else (new,))
            self.ip.bind(target.id, Seq(items, seq.node))
            return Const(None)
        if name == "index" or name == "count":
            return UNKNOWN
        if name == "copy":
            return seq
        return Unknown(f"the result of `{short(call.node.func)}(...)`")

    def mapping_method(self, m: Mapping, name: str, call: CallArgs) -> Value:
        if name == "get":
            key = call.arg(0, "key")
            if isinstance(key, Const):
                found = m.get(key.value)
                if found is not None:
                    return found
            default = call.arg(1, "default")
            return default if default is not None else Const(None)
        if name == "items":
            return Seq(tuple(Seq((Const(k), v)) for k, v in m.items))
        if name == "keys":
            return Seq(tuple(Const(k) for k, _ in m.items))
        if name == "values":
            return Seq(tuple(v for _, v in m.items))
        if name == "copy":
            return m
        return Unknown(f"the result of `{short(call.node.func)}(...)`")


# -- dispatch by the last component of a dotted name ---------------------------------------------------------------

def _first(*handlers: Callable[[Library, str, CallArgs], Value | None]) -> Callable[[Library, str, CallArgs], Value | None]:
    def run(lib: Library, q: str, call: CallArgs) -> Value | None:
        for handler in handlers:
            result = handler(lib, q, call)
            if result is not None:
                return result
        return None
    return run


_Handler = Callable[[Library, str, CallArgs], "Value | None"]


def _build_handlers() -> tuple[dict[str, _Handler], _Handler]:
    table: dict[str, list[Callable]] = {}

    def add(names, handler) -> None:  # noqa: ANN001
        for name in names:
            table.setdefault(name, []).append(handler)

    L = Library
    add(list(KERAS_UNITS) + list(KERAS_RNN) + list(TORCH_UNITS) + list(PASS_LAYERS) + list(ACTIVATION_LAYERS)
        + ["Activation", "TimeDistributed"] + list(INPUT_LAYERS), L.make_layer)
    add(["Sequential"], L.sequential)
    add(["Model", "Functional"], L.functional)
    add(list(TORCH_LOSS_CLASSES), L.loss_object)
    add(list(TORCH_LOSS_FUNCTIONS) + list(TF.NN_LOSSES) + list(TF.V1_LOSSES), L.loss_function)
    add(["softmax", "log_softmax", "sigmoid", "relu", "tanh", "softplus", "gelu", "elu", "selu", "leaky_relu",
         "silu", "swish", "mish", "relu6", "logsigmoid", "log_sigmoid", "hard_sigmoid", "softsign", "expit",
         "logsoftmax"], L.activation_function)
    add(["load_data"], L.keras_dataset)
    add(list(D.SKLEARN_LOADERS) + list(D.SKLEARN_GENERATORS) + list(D.SKLEARN_MULTILABEL_GENERATORS)
        + list(D.SKLEARN_SIGNED_GENERATORS) + list(D.SKLEARN_REGRESSION_GENERATORS), L.sklearn_dataset)
    add(list(D.TORCHVISION_DATASETS) + list(D.FOLDER_DATASETS) + ["EMNIST"], L.torchvision_dataset)
    add(["DataLoader", "TensorDataset", "Subset", "random_split", "from_tensor_slices", "from_tensors", "flow"],
        L.loader)
    add(list(D.ONE_HOT_ENCODERS), L.one_hot)
    add(["eye", "identity"], L.eye)
    add(["DataFrame", "Series"], L.frame)
    add(["fit_transform", "transform", "fit_transform_labels"], L.transformer_call)
    add(["train_test_split"], L.split)
    add(list(A.RANDINT), L.randint)
    add(["choice"], L.choice)
    add(list(A.ZEROS_ONES), L.filled)
    add(["Variable", "Parameter"] + list(TF.WEIGHT_INITS), L.variable)
    add(list(TF.PLACEHOLDERS), L.placeholder)
    add(list(TF.FUNCTIONAL_LAYERS), L.tf_functional_layer)
    add(["accuracy_score"], L.sklearn_accuracy)
    add(["create_model"], L.pretrained)
    names = set(A.ARGMAX | A.MAX_WITH_INDICES | A.EXP | A.LOG | A.SUM | A.MEAN | A.ALL | A.EQUAL | A.ROUND
                | A.MATMUL | A.BIAS_ADD | A.WHERE | A.CONCAT | A.KEEP | set(A.COMPARE)
                | {"reduce_max", "amax", "logsumexp", "reduce_logsumexp", "xw_plus_b"})
    add(sorted(names), L.array_function)
    # decided by the module or the vocabulary rather than by a fixed name: metric objects,
    # pretrained models, Keras loss classes and functions
    defaults = [L.metric_object, L.pretrained, L.keras_loss_call]
    return {name: _first(*handlers, *defaults) for name, handlers in table.items()}, _first(*defaults)


def _handler(name: str) -> Callable[[Library, str, CallArgs], Value | None]:
    """What to try for a library name: the handlers of its last component, then those that decide
    by module (metric objects, pretrained models, Keras losses)."""
    return _BY_NAME.get(name, _BY_MODULE)


_BY_NAME, _BY_MODULE = _build_handlers()
