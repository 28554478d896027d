"""What library calls and operators mean to a head, for the interpreter (`headcheck.lint.interp`).

The spellings come from `headcheck.frameworks`; this module and its four parts give them their
effect on abstract values (`sem_models`: layers and models; `sem_losses`: losses and metrics;
`sem_labels`: data sources and labels; `sem_tensors`: activations and array operations). A
`Dense(10, activation='softmax')` is a layer, applying it gives an output whose head is softmax over
10 units; `nn.CrossEntropyLoss()` is a loss object and calling it on an output records a loss
applied to that output; `to_categorical(y, 10)` gives one-hot labels; `np.eye(K)[y]` too;
`keras.datasets.cifar100.load_data()` gives integer labels 0..99; `exp(z) / sum(exp(z), 1)` is a
softmax over axis 1; `-sum(y * log(p))` is cross-entropy on `p`; `argmax(p) == argmax(y)` an
accuracy. Anything else is Unknown, with the reason kept for the skipped-head report.
"""
from __future__ import annotations

import ast
from dataclasses import replace
from typing import Callable

from headcheck.frameworks import arrays as A
from headcheck.frameworks import datasets as D
from headcheck.frameworks import tensorflow as TF
from headcheck.lint.interp import CallArgs, Interpreter, LIBRARY_ROOTS
from headcheck.lint.project import KERAS3_MODULES
from headcheck.lint.sem_labels import LabelSemantics
from headcheck.lint.sem_losses import LossSemantics
from headcheck.lint.sem_models import ModelSemantics
from headcheck.lint.sem_tensors import TensorSemantics
from headcheck.lint.spelled import (
    ACTIVATION_LAYERS, ARITH, CMP, INPUT_LAYERS, KERAS_RNN, KERAS_UNITS, LONGEST_LIST, MODEL_METHODS_SAME,
    PASS_LAYERS, RUN_TIME_NAMES, TORCH_LOSS_CLASSES, TORCH_LOSS_FUNCTIONS, TORCH_UNITS, as_int, as_number,
    norm, short,
)
from headcheck.lint.values import (
    ClassV, Const, Data, Derived, Func, INPUT, Labels, Layer, LossV, Mapping, MetricV, Obj, Ref, Seq, Tensor,
    UNKNOWN, Unknown, Value,
)


class Library(ModelSemantics, LossSemantics, LabelSemantics, TensorSemantics):
    """Library semantics for one interpreter: the protocol the interpreter calls (operators,
    attributes, subscripts, calls, iteration) here, the meaning of each kind of library call in
    the four parts it combines."""

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
            i = as_int(index) if isinstance(index, Const) else None
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
            return Labels("one-hot", as_int(base.base), 0, 1, True, node, "np.eye(K)[y]")
        if isinstance(base, Tensor):
            return self._slice(base, index, node)
        if isinstance(base, Labels):
            if isinstance(index, Seq) and index.items and as_int(index.items[-1]) is not None \
                    and base.encoding in ("one-hot", "multi-hot"):
                return Labels("integer", 2, 0, 1, True, node, "a column of one-hot labels")
            return base
        if isinstance(base, Derived):
            return base if base.op in ("compare", "threshold", "argmax") else Unknown(f"`{short(node)}`")
        if isinstance(base, Data):
            return base.item
        if isinstance(base, Ref) and base.name in RUN_TIME_NAMES:
            return Unknown(RUN_TIME_NAMES[base.name])
        if isinstance(base, Ref) and norm(base.name) == "numpy.r_":
            return self._concat(index.items if isinstance(index, Seq) else (index,), node)
        if isinstance(base, Unknown):
            return base
        return Unknown(f"`{short(node)}`")

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
            if isinstance(op, ast.Sub) and isinstance(left, Const) and as_number(left) == 1.0 and isinstance(right, Tensor):
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
        if isinstance(op, ast.Mult) and isinstance(left, Const) and as_number(left) == -1.0:
            return self.unary(ast.USub(), right, node)
        if isinstance(left, Unknown):
            return left
        return UNKNOWN

    @staticmethod
    def _seq_arith(op: ast.operator, left: Value, right: Value, node: ast.AST) -> Value:
        """`[a, b] * 50`, `xs + ys`: the list, while it stays short."""
        if isinstance(op, ast.Add) and isinstance(left, Seq) and isinstance(right, Seq):
            items = left.items + right.items
        elif isinstance(op, ast.Mult) and (isinstance(left, Seq) and as_int(right) is not None
                                           or isinstance(right, Seq) and as_int(left) is not None):
            seq, n = (left, as_int(right)) if isinstance(left, Seq) else (right, as_int(left))
            items = seq.items * max(0, n or 0)  # type: ignore[union-attr]
        else:
            return UNKNOWN
        return Seq(items, node) if len(items) <= LONGEST_LIST else Unknown("a long list")

    def _arith(self, op: ast.operator, left: Const, right: Const, node: ast.AST) -> Value:
        fn = ARITH.get(type(op))
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

    def compare(self, op: ast.cmpop, left: Value, right: Value, node: ast.AST) -> Value:
        if isinstance(left, Const) and isinstance(right, Const):
            fn = CMP.get(type(op))
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
            thr = as_number(c)
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
        for name, why in RUN_TIME_NAMES.items():
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
            nums = [as_number(i) for i in items]
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

    # -- losses and metrics -------------------------------------------------------------------------------------

    # -- activations, tensor functions -------------------------------------------------------------------------

    # -- labels and data sources ---------------------------------------------------------------------------------

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
