"""Shared by the library semantics of the linter: spellings (dotted names, short source text for
messages), literal values (ints, numbers, shapes, lists), literal label arrays, and the layer and
loss spellings of the vocabulary as lint uses them."""
from __future__ import annotations

import ast
import operator
import re
from functools import lru_cache

from headcheck.frameworks import keras as keras_fw
from headcheck.frameworks import tensorflow as TF
from headcheck.frameworks import torch as torch_fw
from headcheck.lint.values import Const, Labels, Seq, UNKNOWN, Value

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
ARITH = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
         ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod}
CMP = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
       ast.Gt: operator.gt, ast.GtE: operator.ge}
SHORT = 60
LONGEST_LIST = 4096  # items of a list built with `*` / `+` that are still followed one by one
# values a program reads at run time: a head fed by them cannot be decided
RUN_TIME_NAMES = {"sys.argv": "a command-line argument", "os.environ": "an environment variable",
                   "os.getenv": "an environment variable"}
LOSS_NAME = re.compile(r"crit|loss", re.IGNORECASE)


def short(node: ast.AST | None) -> str:
    """Source text of an expression for a message, at most 60 characters."""
    if node is None:
        return "?"
    dotted = dotted_name(node)  # the common case, without ast.unparse
    if dotted is not None:
        return dotted if len(dotted) <= SHORT else dotted[: SHORT - 3] + "..."
    try:
        text = ast.unparse(node)
    except Exception:  # pragma: no cover - unparse of odd trees
        return "?"
    text = " ".join(text.split())
    return text if len(text) <= SHORT else text[: SHORT - 3] + "..."


def dotted_name(node: ast.AST) -> str | None:
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


def as_int(value: Value | None) -> int | None:
    if isinstance(value, Const) and isinstance(value.value, int) and not isinstance(value.value, bool):
        return value.value
    if isinstance(value, Seq) and value.items:  # EinsumDense output_shape, a shape tuple
        return as_int(value.items[-1])
    return None


def as_number(value: Value | None) -> float | None:
    if isinstance(value, Const) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
        return float(value.value)
    return None


def as_shape(value: Value | None) -> tuple[int | None, ...] | None:
    if isinstance(value, Seq):
        dims = []
        for item in value.items:
            if isinstance(item, Const) and (item.value is None or isinstance(item.value, int)):
                dims.append(item.value)
            else:
                dims.append(None)
        return tuple(dims)
    n = as_int(value)
    return (n,) if n is not None else None


def as_literal(value: Value | None) -> object:
    """The Python literal a value stands for (scalars, lists of them), or None."""
    if isinstance(value, Const):
        return value.value
    if isinstance(value, Seq):
        out = [as_literal(v) for v in value.items]
        return out if all(v is not None for v in out) else None
    return None


def literal_labels(value: Value, node: ast.AST | None = None) -> Value:
    """Labels from a literal array: integers -> class indices (their range), 0/1 rows -> one-hot
    when every row has one 1, else multi-hot; other numbers -> continuous."""
    data = as_literal(value)
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

