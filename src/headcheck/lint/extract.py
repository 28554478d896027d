"""Source -> HeadSpecs, by static analysis of the syntax tree (the code is never imported or run).

What is read:

* Keras / tf.keras (every API era): `Sequential([...])` and `model.add(...)` chains, the functional
  API (`Model(inputs, outputs)` followed back through `x = Dense(10)(x)`), subclassed models
  (`call` returning `self.out(x)`), the activation given to `Dense` or as a following
  `Activation(...)` / `Softmax()` layer, Keras 1 spellings (`output_dim`, `nb_filter`, `init`),
  `compile(loss=..., metrics=[...])` with strings, loss / metric objects and functions, also when
  bound to a variable first, and labels passed to `fit` (`to_categorical`, `LabelBinarizer`,
  `MultiLabelBinarizer`, `np.eye(K)[y]`, `make_multilabel_classification`, `keras.datasets`).
* PyTorch: `nn.Module` subclasses (`forward` returning `self.fc(x)`, `F.softmax(...)`,
  `torch.sigmoid(...)`, `x.softmax(...)`), `nn.Sequential(...)`, and the losses (`nn.*Loss` objects
  and `F.*` functionals) applied to that model's output; torchmetrics metric objects.

A value that cannot be followed plainly (a parameter, a computed width such as `len(classes)`)
stays unknown (None) and the rules that need it stay silent: guessing makes false alarms.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace
from typing import Iterator

from headcheck.findings import Location
from headcheck.frameworks.torch import LOSS_CLASSES, LOSS_FUNCTIONS
from headcheck.head import HeadSpec, LossSpec, MetricSpec
from headcheck.vocab import normalize_activation, normalize_loss, normalize_metric
from headcheck.lint.index import Binding, CallSite, ClassInfo, ModuleIndex, Pos, Scope, dotted, end_pos, pos_of

_MAX_DEPTH = 12
_SPELLING_MAX = 80

_UNITS_KERAS = {"Dense": ("units", "output_dim"), "Conv1D": ("filters", "nb_filter"),
                "Conv2D": ("filters", "nb_filter"), "Conv3D": ("filters", "nb_filter"),
                "Convolution1D": ("filters", "nb_filter"), "Convolution2D": ("filters", "nb_filter"),
                "Convolution3D": ("filters", "nb_filter"), "EinsumDense": ("output_shape",)}
_UNITS_TORCH = {"Linear": 1, "LazyLinear": 0, "Conv1d": 1, "Conv2d": 1, "Conv3d": 1, "Bilinear": 2}
_PASS_LAYERS = frozenset({
    "Dropout", "Flatten", "Reshape", "BatchNormalization", "LayerNormalization", "GaussianNoise",
    "GaussianDropout", "AlphaDropout", "ActivityRegularization", "SpatialDropout1D",
    "SpatialDropout2D", "SpatialDropout3D", "BatchNorm1d", "BatchNorm2d", "LayerNorm", "Dropout1d",
    "Dropout2d", "Unflatten", "Squeeze",
})
# the torch loss names come from the vocabulary (headcheck.frameworks.torch)
_TORCH_LOSS_CLASSES = frozenset(LOSS_CLASSES)
_TORCH_LOSS_FUNCTIONS = frozenset(LOSS_FUNCTIONS)
_TENSOR_METHODS = frozenset({"astype", "float", "long", "int", "to", "type", "numpy", "cuda", "cpu",
                             "reshape", "view", "squeeze", "values", "double", "copy"})
_ARRAY_FUNCS = frozenset({"array", "asarray", "tensor", "from_numpy", "as_tensor", "Tensor",
                          "FloatTensor", "LongTensor", "convert_to_tensor", "constant"})
_INT_LABEL_LOADERS = frozenset({"load_iris", "load_digits", "load_wine", "load_breast_cancer",
                                "make_classification", "make_blobs", "make_moons", "make_circles"})
_VERSION_PIN = re.compile(r"\b(keras|tensorflow(?:-cpu|-gpu)?|tf-keras)\s*==\s*(\d+(?:\.\d+){0,2})")


@dataclass(frozen=True)
class Head:
    """The last layer as far as it could be followed: activation, its axis, units, and where."""

    activation: str | None = None
    axis: int | None = None
    axis_missing: bool = False
    units: int | None = None
    activation_node: ast.AST | None = None
    units_node: ast.AST | None = None
    torch: bool = False

    def with_units(self, inner: Head | None) -> Head:
        if inner is None:
            return self
        return replace(self, units=inner.units, units_node=inner.units_node)


@dataclass(frozen=True)
class _Layer:
    kind: str  # 'units' | 'activation' | 'pass' | 'unknown'
    head: Head | None = None


def _literal(node: ast.AST | None) -> object:
    if node is None:
        return None
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return _NOT_LITERAL


_NOT_LITERAL = object()


def _arg(call: ast.Call, index: int | None, *names: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg in names:
            return kw.value
    if index is not None and len(call.args) > index and not any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
        return call.args[index]
    return None


def _last(name: str | None) -> str:
    return name.rsplit(".", 1)[-1] if name else ""


class Extractor:
    """Finds the heads of every model in one module. Use `extract_heads` rather than this class."""

    def __init__(self, tree: ast.Module, filename: str, text: str, raw: str = "") -> None:
        self.ix = ModuleIndex(tree)
        self.filename = filename
        self.lines = text.split("\n")
        self.keras_framework, self.keras_version = self._keras_framework(raw or text)
        self._class_heads: dict[str, Head | None] = {}
        self._makers: list[Binding] | None = None
        self._busy: set[int] = set()

    # -- locations ---------------------------------------------------------------------------------
    def loc(self, node: ast.AST | None) -> Location | None:
        if node is None or not hasattr(node, "lineno"):
            return None
        row, col = node.lineno, node.col_offset
        end_row, end_col = node.end_lineno or row, node.end_col_offset or col
        return Location(self.filename, row, self._char_col(row, col) + 1,
                        end_row, self._char_col(end_row, end_col) + 1)

    def _char_col(self, row: int, col: int) -> int:
        # ast columns count UTF-8 bytes; people (and ruff) count characters
        line = self.lines[row - 1] if 0 < row <= len(self.lines) else ""
        if line.isascii():
            return col
        return len(line.encode("utf-8")[:col].decode("utf-8", "ignore"))

    # -- frameworks ----------------------------------------------------------------------------------
    def _modules(self) -> list[str]:
        return list(self.ix.imports.values()) + self.ix.star_modules

    def _keras_framework(self, text: str) -> tuple[str | None, str | None]:
        mods = self._modules()
        standalone = any(m == "keras" or m.startswith("keras.") for m in mods)
        tf = any(m.split(".")[0] in ("tensorflow", "tf_keras") for m in mods)
        framework = "keras" if standalone else ("tf.keras" if tf else None)
        pins: dict[str, set[str]] = {}
        for name, version in (_VERSION_PIN.findall(text) if "==" in text else ()):
            pins.setdefault("keras" if name == "keras" else "tf.keras", set()).add(version)
        if framework is None and len(pins) == 1:
            framework = next(iter(pins))
        versions = pins.get(framework or "", set())
        return framework, (next(iter(versions)) if len(versions) == 1 else None)

    @property
    def has_torch(self) -> bool:
        return any(m.split(".")[0] in ("torch", "pytorch_lightning", "lightning") for m in self._modules())

    def _is_torch_name(self, qualified: str | None) -> bool:
        if not qualified:
            return False
        if qualified.startswith(("torch", "pytorch_lightning", "lightning")):
            return True
        if qualified.startswith(("nn.", "F.")) and self.has_torch:
            return True
        return "." not in qualified and self.has_torch and self.keras_framework is None

    # -- values --------------------------------------------------------------------------------------
    def int_value(self, node: ast.AST | None, scope: Scope, depth: int = 0) -> int | None:
        """A width given as a literal or a name bound to one (`NUM_CLASSES = 10`); else None."""
        if node is None or depth > _MAX_DEPTH:
            return None
        value = _literal(node)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, tuple) and value and isinstance(value[-1], int):
            return value[-1]  # EinsumDense output_shape
        if isinstance(node, ast.Name):
            b = self.ix.lookup(node.id, pos_of(node), scope)
            if b is not None and b.value is not None and b.path is None:
                return self.int_value(b.value, b.scope, depth + 1)
        return None

    def activation_value(self, node: ast.AST | None, scope: Scope, depth: int = 0) -> str | None:
        """Canonical activation of an `activation=` argument; None when unknown."""
        if node is None or depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Constant):
            if node.value is None:
                return "linear"
            return normalize_activation(node.value) if isinstance(node.value, str) else None
        if isinstance(node, ast.Call):
            return normalize_activation(_last(dotted(node.func)))
        name = dotted(node)
        if isinstance(node, ast.Name):
            b = self.ix.lookup(node.id, pos_of(node), scope)
            if b is not None and b.value is not None and b.path is None:
                return self.activation_value(b.value, b.scope, depth + 1)
            if node.id not in self.ix.imports:
                return None
            name = self.ix.imports[node.id]
        return normalize_activation(_last(name)) if name else None

    def resolve(self, node: ast.AST, scope: Scope) -> Binding | None:
        if isinstance(node, ast.Name):
            return self.ix.lookup(node.id, pos_of(node), scope)
        return None

    # -- layers --------------------------------------------------------------------------------------
    def layer(self, node: ast.AST, scope: Scope, cls: ClassInfo | None, depth: int = 0) -> _Layer:
        """What a layer / module expression is: a layer with units, an activation layer, a layer
        that passes its input through (Dropout, BatchNormalization ...), or unknown."""
        if depth > _MAX_DEPTH:
            return _Layer("unknown")
        if isinstance(node, ast.Name):
            b = self.resolve(node, scope)
            if b is not None and b.value is not None and b.path is None:
                return self.layer(b.value, b.scope, cls, depth + 1)
            return _Layer("unknown")
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self" and cls:
            value = cls.attrs.get(node.attr)
            return self.layer(value, None, cls, depth + 1) if value is not None else _Layer("unknown")
        if not isinstance(node, ast.Call):
            return _Layer("unknown")
        qualified = self.ix.qualified(node.func)
        name = _last(qualified)
        if name == "TimeDistributed" and node.args:
            return self.layer(node.args[0], scope, cls, depth + 1)
        if name in _PASS_LAYERS:
            return _Layer("pass")
        if name in _UNITS_KERAS and not self._is_torch_name(qualified):
            return _Layer("units", self._keras_units_layer(node, name, scope))
        if name in _UNITS_TORCH:
            units_arg = _arg(node, _UNITS_TORCH[name], "out_features", "out_channels", "out1_features")
            return _Layer("units", Head("linear", units=self.int_value(units_arg, scope),
                                        activation_node=node, units_node=units_arg or node, torch=True))
        if name == "Sequential":
            head = self.sequential_head(node, scope, cls, depth + 1)
            return _Layer("units" if head and head.units else "unknown", head)
        if name == "Activation":
            act = self.activation_value(_arg(node, 0, "activation"), scope)
            return _Layer("activation", Head(act, activation_node=node))
        act = normalize_activation(name) if name[:1].isupper() else None
        if act is not None:
            return _Layer("activation", self._activation_layer(node, name, qualified, act))
        class_head = self.class_head_by_name(name)
        if class_head is not None:
            return _Layer("units" if class_head.units else "activation", class_head)
        return _Layer("unknown")

    def _keras_units_layer(self, node: ast.Call, name: str, scope: Scope) -> Head:
        units_arg = _arg(node, 0, *_UNITS_KERAS[name])
        act_arg = _arg(node, None, "activation")
        act = self.activation_value(act_arg, scope) if act_arg is not None else None
        if act_arg is None and name == "Dense" and len(node.args) > 1:
            # Keras 2+: Dense(units, activation); Keras 1's second positional was `init`
            act = self.activation_value(node.args[1], scope)
            act_arg = node.args[1] if act is not None else None
        if act_arg is None:
            act = "linear"  # Keras's default: no activation
        return Head(act, units=self.int_value(units_arg, scope), activation_node=act_arg or node,
                    units_node=units_arg or node)

    def _activation_layer(self, node: ast.Call, name: str, qualified: str | None, act: str) -> Head:
        torch = self._is_torch_name(qualified)
        axis_arg = _arg(node, 0, "dim" if torch else "axis")
        axis = _literal(axis_arg)
        missing = torch and act in ("softmax", "log_softmax") and axis_arg is None and name != "Softmax2d"
        return Head(act, axis=axis if isinstance(axis, int) else None, axis_missing=missing,
                    activation_node=node, torch=torch)

    def head_of_layers(self, layers: list[ast.expr], scope: Scope, cls: ClassInfo | None, depth: int = 0) -> Head | None:
        """The head of a stack of layers: the last activation applied, and the width of the last
        layer with units (`Dense(10), BatchNormalization(), Activation('softmax')` -> softmax, 10)."""
        act: Head | None = None
        for node in reversed(layers):
            layer = self.layer(node, scope, cls, depth + 1)
            if layer.kind == "pass":
                continue
            if layer.kind == "activation":
                act = act or layer.head
                if layer.head is not None and layer.head.units is not None:
                    return act.with_units(layer.head)
                continue
            if layer.kind == "units" and layer.head is not None:
                return act.with_units(layer.head) if act is not None else layer.head
            break
        return act

    def sequential_head(self, node: ast.Call, scope: Scope, cls: ClassInfo | None, depth: int = 0) -> Head | None:
        layers = _arg(node, 0, "layers")
        elts = list(layers.elts) if isinstance(layers, (ast.List, ast.Tuple)) else []
        if not elts and node.args and not isinstance(node.args[0], (ast.List, ast.Tuple)):
            elts = [a for a in node.args if not isinstance(a, ast.Starred)]  # torch nn.Sequential(a, b)
        return self.head_of_layers(elts, scope, cls, depth) if elts else None

    # -- classes -------------------------------------------------------------------------------------
    def model_class(self, name: str) -> ClassInfo | None:
        info = self.ix.classes.get(name)
        if info is None:
            return None
        if "forward" in info.methods or "call" in info.methods:
            return info
        return None

    def class_head_by_name(self, name: str) -> Head | None:
        info = self.model_class(name)
        return self.class_head(info) if info is not None else None

    def class_head(self, info: ClassInfo) -> Head | None:
        key = info.node.name
        if key in self._class_heads:
            return self._class_heads[key]
        if id(info) in self._busy:
            return None
        self._busy.add(id(info))
        method = info.methods.get("forward") or info.methods.get("call")
        returns = self.ix.returns.get(method, []) if method is not None else []
        head = self.head_of_expr(returns[-1], method, info) if returns else None
        self._busy.discard(id(info))
        self._class_heads[key] = head
        return head

    # -- expressions ---------------------------------------------------------------------------------
    def head_of_expr(self, node: ast.AST | None, scope: Scope, cls: ClassInfo | None, depth: int = 0) -> Head | None:
        """The head that produced a value: `Dense(10, activation='softmax')(x)`, `F.softmax(z, 1)`,
        `self.fc(x)`, `model(x)`, or a name bound to one of these."""
        if node is None or depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Name):
            b = self.ix.lookup(node.id, pos_of(node), scope)
            if b is None or b.value is None or b.path is not None:
                return None
            return self.head_of_expr(b.value, b.scope, cls, depth + 1)
        if not isinstance(node, ast.Call):
            return None
        func = node.func
        if isinstance(func, ast.Call) or (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                                           and func.value.id == "self" and cls is not None and func.attr in cls.attrs):
            return self._apply_layer(func, node, scope, cls, depth)
        if isinstance(func, ast.Name) and func.id == "self" and cls is not None:
            return self.class_head(cls)
        functional = self._functional_activation(node, scope, cls, depth)
        if functional is not None:
            return functional
        if isinstance(func, ast.Attribute) and func.attr in ("forward", "call", "predict"):
            return self._model_head(func.value, scope, cls, depth)
        if isinstance(func, ast.Name):
            return self._apply_layer(func, node, scope, cls, depth)
        return None

    def _apply_layer(self, func: ast.AST, call: ast.Call, scope: Scope, cls: ClassInfo | None, depth: int) -> Head | None:
        if isinstance(func, ast.Name) and self.model_class(func.id) is None:
            b = self.resolve(func, scope)
            if b is None or b.value is None:
                return None
            model = self._model_of_value(b.value, b.scope, depth + 1)
            if model is not None:
                return model
        layer = self.layer(func, scope, cls, depth + 1)
        inner_arg = call.args[0] if call.args else None
        if layer.kind == "pass":
            return self.head_of_expr(inner_arg, scope, cls, depth + 1)
        if layer.kind == "activation" and layer.head is not None:
            if layer.head.units is not None:
                return layer.head
            return layer.head.with_units(self.head_of_expr(inner_arg, scope, cls, depth + 1))
        if layer.kind == "units":
            return layer.head
        return None

    def _functional_activation(self, node: ast.Call, scope: Scope, cls: ClassInfo | None, depth: int) -> Head | None:
        """`F.softmax(x, dim=1)`, `torch.sigmoid(x)`, `tf.nn.softmax(x)`, `x.softmax(dim=-1)`."""
        func = node.func
        if not isinstance(func, ast.Attribute) and not isinstance(func, ast.Name):
            return None
        qualified = self.ix.qualified(func) or ""
        name = _last(qualified) if qualified else (func.attr if isinstance(func, ast.Attribute) else "")
        if not name or not name[:1].islower():
            return None
        act = normalize_activation(name)
        if act is None or act == "linear":
            return None
        base = func.value if isinstance(func, ast.Attribute) else None
        is_method = base is not None and not self._is_module_ref(base)
        if is_method:
            inner, axis_arg = base, _arg(node, 0, "dim", "axis")
            torch = True
        else:
            inner, axis_arg = (node.args[0] if node.args else _arg(node, None, "input", "x")), _arg(node, 1, "dim", "axis")
            torch = self._is_torch_name(qualified)
        axis = _literal(axis_arg)
        missing = torch and act in ("softmax", "log_softmax") and axis_arg is None
        head = Head(act, axis=axis if isinstance(axis, int) else None, axis_missing=missing,
                    activation_node=node, torch=torch)
        return head.with_units(self.head_of_expr(inner, scope, cls, depth + 1))

    def _is_module_ref(self, node: ast.AST) -> bool:
        name = dotted(node)
        if name is None:
            return False
        first = name.split(".")[0]
        return first in self.ix.imports or first in ("F", "torch", "tf", "nn", "np", "keras", "K", "jax", "scipy")

    def _model_head(self, node: ast.AST, scope: Scope, cls: ClassInfo | None, depth: int) -> Head | None:
        b = self.resolve(node, scope)
        if b is None or b.value is None:
            return None
        return self._model_of_value(b.value, b.scope, depth + 1)

    def _model_of_value(self, value: ast.AST, scope: Scope, depth: int) -> Head | None:
        """The head of a model object: `nn.Sequential(...)`, `Net()`, `keras.Sequential([...])`."""
        if depth > _MAX_DEPTH or not isinstance(value, ast.Call):
            return None
        name = _last(self.ix.qualified(value.func))
        if name == "Sequential":
            return self.sequential_head(value, scope, None, depth)
        if name in ("Model", "Functional"):
            return self.head_of_expr(_arg(value, 1, "outputs", "output"), scope, None, depth + 1)
        info = self.model_class(name)
        if info is not None:
            return self.class_head(info)
        fn = self.ix.functions.get(name) if isinstance(value.func, ast.Name) else None
        if fn is not None:
            for ret in reversed(self.ix.returns.get(fn, [])):
                head = self._model_value_or_name(ret, fn, depth + 1)
                if head is not None:
                    return head
        return None

    def _model_value_or_name(self, node: ast.expr, scope: Scope, depth: int) -> Head | None:
        """The head of what a model-building function returns (`return model` or `return nn.Sequential(...)`)."""
        binding: Binding | None = Binding("", node, end_pos(node), scope)
        if isinstance(node, ast.Name):
            binding = self.ix.lookup(node.id, pos_of(node), scope)
            if binding is None or binding.value is None or binding.path is not None:
                return None
        model = self.keras_model_at(binding, end_pos(node))
        if model is not None:
            return model.head
        return self._model_of_value(binding.value, binding.scope, depth)

    # -- Keras models ----------------------------------------------------------------------------------
    def keras_model_at(self, binding: Binding, until: Pos) -> _KerasModel | None:
        """The Keras model a binding holds at position `until` (adds after it are counted for
        `Sequential()`)."""
        value = binding.value
        if not isinstance(value, ast.Call):
            return None
        qualified = self.ix.qualified(value.func)
        name = _last(qualified)
        if name == "Sequential" and not self._is_torch_name(qualified):
            layers = _arg(value, 0, "layers")
            elts = list(layers.elts) if isinstance(layers, (ast.List, ast.Tuple)) else []
            elts += self._adds(binding, until)
            return _KerasModel(value, self.head_of_layers(elts, binding.scope, None))
        if name in ("Model", "Functional"):
            outputs = _arg(value, 1, "outputs", "output")
            return _KerasModel(value, self.head_of_expr(outputs, binding.scope, None))
        info = self.model_class(name)
        if info is not None and "call" in info.methods:
            return _KerasModel(value, self.class_head(info))
        fn = self.ix.functions.get(name) if isinstance(value.func, ast.Name) else None
        if fn is not None:
            for ret in reversed(self.ix.returns.get(fn, [])):
                inner = self.ix.lookup(ret.id, end_pos(ret), fn) if isinstance(ret, ast.Name) else \
                    Binding("", ret, end_pos(ret), fn)
                if inner is not None and inner.value is not None and inner.value is not value:
                    model = self.keras_model_at(inner, end_pos(ret))
                    if model is not None:
                        return model
        return None

    def _adds(self, binding: Binding, until: Pos) -> list[ast.expr]:
        later = [b.pos for b in self.ix.bindings.get(binding.name, []) if b.pos > binding.pos]
        limit = min([until] + later)
        out = []
        for site in self.ix.calls:
            f = site.node.func
            if (isinstance(f, ast.Attribute) and f.attr == "add" and isinstance(f.value, ast.Name)
                    and f.value.id == binding.name and binding.pos <= pos_of(site.node) < limit and site.node.args):
                out.append(site.node.args[0])
        return out


@dataclass(frozen=True)
class _KerasModel:
    node: ast.Call
    head: Head | None


_SCALAR = (int, float, str, bool, type(None))


class SpecBuilder(Extractor):
    """Pairs heads with the losses, metrics and labels applied to them, into HeadSpecs."""

    # -- losses ----------------------------------------------------------------------------------------
    def loss_spec(self, node: ast.AST | None, scope: Scope, depth: int = 0) -> LossSpec | None:
        """A LossSpec for a Keras `loss=` argument, following a name to its value."""
        if node is None or depth > _MAX_DEPTH:
            return None
        if isinstance(node, (ast.List, ast.Tuple)) and len(node.elts) == 1:
            return self.loss_spec(node.elts[0], scope, depth + 1)  # one output: loss=['mse']
        loc = self.loc(node)
        if isinstance(node, ast.Constant):
            if not isinstance(node.value, str):
                return None
            # 'crossentropy' stays ambiguous: the rules resolve it from the version and the shapes
            return normalize_loss(node.value, location=loc)
        if isinstance(node, ast.Name):
            if node.id in self.ix.imports:
                return replace(normalize_loss(self.ix.imports[node.id]), spelling=node.id, location=loc)
            if node.id in self.ix.functions or node.id in self.ix.classes:
                return LossSpec("unknown", spelling=node.id, location=loc)
            b = self.ix.lookup(node.id, pos_of(node), scope)
            if b is not None and b.value is not None and b.path is None:
                return self.loss_spec(b.value, b.scope, depth + 1)
            if b is None:  # a star import: `from keras.losses import *`
                return normalize_loss(node.id, location=loc)
            return LossSpec("unknown", spelling=node.id, location=loc)
        if isinstance(node, ast.Attribute):
            return replace(normalize_loss(self.ix.qualified(node) or ""), spelling=dotted(node) or "", location=loc)
        if isinstance(node, ast.Call):
            q = self.ix.qualified(node.func) or ""
            if isinstance(node.func, ast.Name) and (node.func.id in self.ix.functions or node.func.id in self.ix.classes):
                return LossSpec("unknown", spelling=_unparse(node), location=loc)
            from_logits = _literal(_arg(node, None, "from_logits"))
            reduction = _literal(_arg(node, None, "reduction"))
            spec = normalize_loss(q, from_logits=from_logits if isinstance(from_logits, bool) else None,
                                  reduction=reduction if isinstance(reduction, str) else None)
            return replace(spec, spelling=_unparse(node), location=loc)
        return LossSpec("unknown", spelling=_unparse(node), location=loc)

    # -- metrics ---------------------------------------------------------------------------------------
    def metric_specs(self, node: ast.AST | None, scope: Scope, depth: int = 0) -> list[MetricSpec]:
        """MetricSpecs for a Keras `metrics=` argument (a list, a string, objects, names)."""
        if node is None or depth > _MAX_DEPTH:
            return []
        if isinstance(node, (ast.List, ast.Tuple)):
            return [m for elt in node.elts for m in self.metric_specs(elt, scope, depth + 1)]
        loc = self.loc(node)
        if isinstance(node, ast.Constant):
            return [normalize_metric(node.value, location=loc)] if isinstance(node.value, str) else []
        if isinstance(node, ast.Name):
            if node.id in self.ix.imports:
                return [replace(normalize_metric(self.ix.imports[node.id]), spelling=node.id, location=loc)]
            if node.id in self.ix.functions or node.id in self.ix.classes:
                return [MetricSpec("unknown", spelling=node.id, location=loc)]
            b = self.ix.lookup(node.id, pos_of(node), scope)
            if b is not None and b.value is not None and b.path is None:
                return self.metric_specs(b.value, b.scope, depth + 1)
            return [normalize_metric(node.id, location=loc)] if b is None else []
        if isinstance(node, ast.Attribute):
            return [replace(normalize_metric(self.ix.qualified(node) or ""), spelling=dotted(node) or "", location=loc)]
        if isinstance(node, ast.Call):
            return [self._metric_call(node)]
        return []

    def _metric_call(self, node: ast.Call) -> MetricSpec:
        loc = self.loc(node)
        if isinstance(node.func, ast.Name) and (node.func.id in self.ix.functions or node.func.id in self.ix.classes):
            return MetricSpec("unknown", spelling=_unparse(node), location=loc)
        q = self.ix.qualified(node.func) or ""
        params = {}
        for kw in node.keywords:
            value = _literal(kw.value)
            if kw.arg and isinstance(value, _SCALAR):
                params[kw.arg] = value
        return replace(normalize_metric(q + "()", **params), spelling=_unparse(node), location=loc)

    # -- labels ----------------------------------------------------------------------------------------
    def labels_of(self, node: ast.AST | None, scope: Scope, depth: int = 0) -> tuple[str | None, ast.AST | None]:
        """The label encoding visible in the source for a value passed as labels, and where."""
        if node is None or depth > _MAX_DEPTH:
            return None, None
        if isinstance(node, ast.Name):
            b = self.ix.lookup(node.id, pos_of(node), scope)
            if b is None or b.value is None:
                return None, None
            if b.path is not None:
                return self._unpacked_labels(b, depth)
            return self.labels_of(b.value, b.scope, depth + 1)
        if isinstance(node, ast.Subscript):
            base = node.value
            if isinstance(base, ast.Call) and _last(self.ix.qualified(base.func)) in ("eye", "identity"):
                return "one-hot", node
            return self.labels_of(base, scope, depth + 1)
        if not isinstance(node, ast.Call):
            return None, None
        q = self.ix.qualified(node.func) or ""
        name = _last(q) or (node.func.attr if isinstance(node.func, ast.Attribute) else "")
        if name in ("to_categorical", "one_hot", "get_dummies"):
            return "one-hot", node
        if name in ("fit_transform", "transform") and isinstance(node.func, ast.Attribute):
            kind = self._binarizer(node.func.value, scope, depth)
            if kind is not None:
                return kind, node
        if isinstance(node.func, ast.Attribute) and name in _TENSOR_METHODS:
            return self.labels_of(node.func.value, scope, depth + 1)
        if name in _ARRAY_FUNCS and node.args:
            return self.labels_of(node.args[0], scope, depth + 1)
        return None, None

    def _binarizer(self, node: ast.AST, scope: Scope, depth: int) -> str | None:
        if isinstance(node, ast.Name):
            b = self.ix.lookup(node.id, pos_of(node), scope)
            if b is None or b.value is None or b.path is not None:
                return None
            node, scope = b.value, b.scope
        if isinstance(node, ast.Call):
            name = _last(self.ix.qualified(node.func))
            return {"LabelBinarizer": "one-hot", "OneHotEncoder": "one-hot",
                    "MultiLabelBinarizer": "multi-hot"}.get(name)
        return None

    def _unpacked_labels(self, b: Binding, depth: int) -> tuple[str | None, ast.AST | None]:
        call, path = b.value, b.path or ()
        if not isinstance(call, ast.Call):
            return None, None
        name = _last(self.ix.qualified(call.func))
        if name == "load_data" and path in ((0, 1), (1, 1)) and "datasets" in (self.ix.qualified(call.func) or ""):
            return "integer", call
        if name == "make_multilabel_classification" and path[:1] == (1,):
            return "multi-hot", call
        if name in _INT_LABEL_LOADERS and path[:1] == (1,):
            return "integer", call
        if name == "train_test_split" and len(path) == 1:
            arrays = [a for a in call.args if not isinstance(a, ast.Starred)]
            if path[0] // 2 < len(arrays):
                return self.labels_of(arrays[path[0] // 2], b.scope, depth + 1)
        return None, None

    # -- HeadSpecs ---------------------------------------------------------------------------------------
    def spec(self, head: Head | None, loss: LossSpec | None, metrics: list[MetricSpec], framework: str | None,
             labels: tuple[str | None, ast.AST | None] = (None, None), model_node: ast.AST | None = None) -> HeadSpec:
        head = head or Head()
        version = self.keras_version if framework in ("keras", "tf.keras") else None
        task = self._task_of_labels(*labels)
        locations = {k: v for k, v in (("labels", self.loc(labels[1])), ("model", self.loc(model_node))) if v}
        return HeadSpec(
            framework=framework, framework_version=version, activation=head.activation,
            activation_axis=head.axis, activation_axis_missing=head.axis_missing, units=head.units,
            loss=loss, metrics=tuple(metrics), labels=labels[0], task=task,
            activation_location=self.loc(head.activation_node), units_location=self.loc(head.units_node),
            locations=locations,
        )

    def _task_of_labels(self, encoding: str | None, node: ast.AST | None) -> str | None:
        """The task the visible labels make plain: multi-hot targets are multi-label; a vector of
        class indices one-hot encoded (`to_categorical`, `one_hot`, `np.eye(K)[y]`) is single-label."""
        if encoding == "multi-hot":
            return "multilabel"
        if encoding != "one-hot":
            return None
        call = node.value if isinstance(node, ast.Subscript) else node
        if isinstance(call, ast.Call) and _last(self.ix.qualified(call.func)) in ("to_categorical", "one_hot", "eye", "identity"):
            return "multiclass"
        return None

    def keras_specs(self) -> list[HeadSpec]:
        specs: list[HeadSpec] = []
        compiled: set[int] = set()
        for site in self.ix.calls:
            f = site.node.func
            if not (isinstance(f, ast.Attribute) and f.attr == "compile"):
                continue
            model = self._compiled_model(site)
            kws = {kw.arg for kw in site.node.keywords}
            if model is None and not kws & {"loss", "metrics", "optimizer"}:
                continue
            if model is None and (dotted(f.value) or "").split(".")[0] in ("re", "regex", "torch", "tf", "jax"):
                continue
            if model is not None:
                compiled.add(id(model.node))
            loss = self.loss_spec(_arg(site.node, 1, "loss"), site.scope)
            metrics = self.metric_specs(_arg(site.node, 2, "metrics"), site.scope)
            labels = self._fit_labels(f.value, site)
            specs.append(self.spec(model.head if model else None, loss, metrics, self.keras_framework,
                                   labels, model.node if model else None))
        for model in self._keras_models():
            if id(model.node) not in compiled and model.head is not None:
                compiled.add(id(model.node))
                specs.append(self.spec(model.head, None, [], self.keras_framework, model_node=model.node))
        return specs

    def _compiled_model(self, site: CallSite) -> _KerasModel | None:
        receiver = site.node.func.value  # type: ignore[attr-defined]
        pos = pos_of(site.node)
        if isinstance(receiver, ast.Name) and receiver.id == "self" and site.cls is not None:
            if "call" in site.cls.methods:
                return _KerasModel(site.cls.node, self.class_head(site.cls))  # type: ignore[arg-type]
        if isinstance(receiver, ast.Name):
            b = self.ix.lookup(receiver.id, pos, site.scope)
            if b is not None and b.value is not None:
                return self.keras_model_at(b, pos)  # None: an object built elsewhere (load_model ...)
        # a parameter or an attribute: the file's model, when it has exactly one
        makers = self._model_makers()
        return self.keras_model_at(makers[0], pos) if len(makers) == 1 else None

    def _model_makers(self) -> list[Binding]:
        if self._makers is None:
            self._makers = [b for bindings in self.ix.bindings.values() for b in bindings if self._creates_model(b)]
        return self._makers

    def _creates_model(self, b: Binding) -> bool:
        if not isinstance(b.value, ast.Call) or b.path is not None:
            return False
        qualified = self.ix.qualified(b.value.func)
        name = _last(qualified)
        if name == "Sequential":
            return not self._is_torch_name(qualified)
        info = self.model_class(name)
        return name in ("Model", "Functional") or (info is not None and "call" in info.methods)

    def _keras_models(self) -> list[_KerasModel]:
        models = (self.keras_model_at(b, (1 << 30, 0)) for b in self._model_makers())
        return [m for m in models if m is not None]

    def _fit_labels(self, receiver: ast.AST, compile_site: CallSite) -> tuple[str | None, ast.AST | None]:
        name = dotted(receiver)
        candidates = []
        for site in self.ix.calls:
            f = site.node.func
            if isinstance(f, ast.Attribute) and f.attr in ("fit", "train_on_batch", "evaluate"):
                y = _arg(site.node, 1, "y")
                if y is not None:
                    candidates.append((dotted(f.value) == name, site, y))
        candidates.sort(key=lambda c: not c[0])  # the same receiver first
        for _, site, y in candidates:
            found = self.labels_of(y, site.scope)
            if found[0] is not None:
                return found
        return None, None

    # -- PyTorch ---------------------------------------------------------------------------------------
    def torch_specs(self) -> list[HeadSpec]:
        if not self.has_torch:
            return []
        models = self._torch_models()
        unique = models[0] if len(models) == 1 else None
        metrics = self._torchmetrics()
        specs: list[HeadSpec] = []
        used: set[tuple[int, int]] = set()
        used_units: set[int] = set()  # a model whose output went through an activation in the loop
        applied: set[int] = set()
        for site, ctor, loss, inputs, target in self._torch_losses():
            head = self.head_of_expr(inputs, site.scope, site.cls)
            if head is None and unique is not None:
                head = unique
            if head is not None:
                used.add(_head_key(head))
                used_units.add(id(head.units_node))
            applied.add(id(ctor))
            labels = self.labels_of(target, site.scope)
            specs.append(self.spec(head, loss, metrics, "pytorch", labels))
        for site in self.ix.calls:
            name = _last(self.ix.qualified(site.node.func))
            if name in _TORCH_LOSS_CLASSES and id(site.node) not in applied and self._is_loss_ctor(site.node):
                head = unique
                if head is not None:
                    used.add(_head_key(head))
                specs.append(self.spec(head, self._torch_loss(site.node), metrics, "pytorch"))
        for head in models:
            if _head_key(head) not in used and (head.units_node is None or id(head.units_node) not in used_units):
                used.add(_head_key(head))
                specs.append(self.spec(head, None, metrics, "pytorch"))
        return specs

    def _is_loss_ctor(self, node: ast.Call) -> bool:
        q = self.ix.qualified(node.func) or ""
        return _last(q) in _TORCH_LOSS_CLASSES and (self._is_torch_name(q) or q.startswith("nn."))

    def _torch_loss(self, ctor: ast.Call) -> LossSpec:
        q = self.ix.qualified(ctor.func) or ""
        reduction = _literal(_arg(ctor, None, "reduction"))
        spec = normalize_loss(q, reduction=reduction if isinstance(reduction, str) else None)
        return replace(spec, spelling=_unparse(ctor), location=self.loc(ctor))

    def _torch_losses(self) -> Iterator[tuple[CallSite, ast.Call, LossSpec, ast.expr | None, ast.expr | None]]:
        """Every torch loss applied in the file: (call site, loss construction or functional call,
        LossSpec, the input it is given, the target it is given)."""
        for site in self.ix.calls:
            node, func = site.node, site.node.func
            q = self.ix.qualified(func) or ""
            inputs, target = _arg(node, 0, "input"), _arg(node, 1, "target")
            if _last(q) in _TORCH_LOSS_FUNCTIONS and (self._is_torch_name(q) or q.startswith(("F.", "torchvision"))):
                spec = replace(normalize_loss(q), spelling=dotted(func) or q, location=self.loc(node))
                yield site, node, spec, inputs, target
                continue
            ctor = self._loss_object(func, site)
            if ctor is not None:
                yield site, ctor, self._torch_loss(ctor), inputs, target

    def _loss_object(self, func: ast.AST, site: CallSite) -> ast.Call | None:
        value: ast.AST | None = None
        if isinstance(func, ast.Call):
            value = func
        elif isinstance(func, ast.Name):
            b = self.ix.lookup(func.id, pos_of(func), site.scope)
            value = b.value if b is not None and b.path is None else None
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self" and site.cls:
            value = site.cls.attrs.get(func.attr)
        if isinstance(value, ast.Call) and self._is_loss_ctor(value):
            return value
        return None

    def _torch_models(self) -> list[Head]:
        heads: list[Head] = []
        seen: set[tuple[int, int]] = set()

        def add(head: Head | None) -> None:
            if head is not None and head.activation is not None and _head_key(head) not in seen:
                seen.add(_head_key(head))
                heads.append(head)

        for info in self.ix.classes.values():
            if "forward" in info.methods:
                add(self.class_head(info))
        for bindings in self.ix.bindings.values():
            for b in bindings:
                if isinstance(b.value, ast.Call) and b.path is None:
                    q = self.ix.qualified(b.value.func)
                    if _last(q) == "Sequential" and self._is_torch_name(q):
                        add(self.sequential_head(b.value, b.scope, None))
        return heads

    def _torchmetrics(self) -> list[MetricSpec]:
        out = []
        for site in self.ix.calls:
            q = self.ix.qualified(site.node.func) or ""
            if q.startswith("torchmetrics"):
                spec = self._metric_call(site.node)
                if spec.name != "unknown":
                    out.append(spec)
        return out


def _head_key(head: Head) -> tuple[int, int]:
    return (id(head.activation_node), id(head.units_node))


def _unparse(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= _SPELLING_MAX else text[: _SPELLING_MAX - 3] + "..."


def extract_heads(text: str, filename: str = "<source>", *, raw: str = "") -> list[HeadSpec]:
    """Every head that the source shows plainly, as HeadSpecs with locations (rows of `text`).

    Raises SyntaxError when the text does not parse.

    >>> src = '''
    ... from keras.models import Sequential
    ... from keras.layers import Dense
    ... model = Sequential([Dense(10, activation="softmax")])
    ... model.compile(loss="binary_crossentropy", metrics=["accuracy"])
    ... '''
    >>> [(h.activation, h.units, h.loss.name, h.metrics[0].name) for h in extract_heads(src)]
    [('softmax', 10, 'binary_crossentropy', 'accuracy')]
    """
    tree = ast.parse(text, filename=filename)
    builder = SpecBuilder(tree, filename, text, raw)
    return builder.keras_specs() + builder.torch_specs()
