"""Labels: data sources whose encoding and class count are known, encoders, array constructors
with known values, arithmetic on labels; graph inputs and weights of raw TensorFlow.

A mixin of `headcheck.lint.library.Library`: `self.ip` is the interpreter."""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from headcheck.frameworks import arrays as A
from headcheck.frameworks import datasets as D
from headcheck.frameworks import tensorflow as TF
from headcheck.lint.interp import CallArgs
from headcheck.lint.spelled import ARITH, as_int, as_literal, as_number, as_shape, literal_labels
from headcheck.lint.values import (
    Const, Data, Derived, INPUT, Labels, Mapping, Ref, Seq, Tensor, Unknown, UNKNOWN, Value,
)

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.lint.interp import Interpreter


class LabelSemantics:
    """Part of `Library`; its methods may call those of the other parts through `self`."""

    ip: Interpreter

    def one_hot(self, q: str, call: CallArgs) -> Value | None:
        last = q.rsplit(".", 1)[-1]
        y = call.arg(0, "y", "indices", "tensor", "input", "data")
        k = as_int(call.arg(1, "num_classes", "nb_classes", "depth"))
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
        values = as_literal(data)
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
            k = as_int(given) if isinstance(given, Const) else None
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
            k = as_int(call.kwargs.get(key)) or default
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
        lo, hi = as_int(lo_v), as_int(hi_v)
        if lo is None or hi is None or hi <= lo:
            return Labels("integer", None, None, None, True, call.node, "random integers")
        shape = as_shape(size) if size is not None else None
        source = f"random integers in [{lo}, {hi - 1}]"
        if shape and len(shape) == 2 and shape[1] not in (None, 1) and (lo, hi) == (0, 2):
            return Labels("multi-hot", shape[1], 0, 1, True, call.node, source)
        return Labels("integer", hi - lo, lo, hi - 1, True, call.node, source)

    def choice(self, q: str, call: CallArgs) -> Value | None:
        if not q.startswith("numpy"):
            return None
        options = call.arg(0, "a")
        size = as_shape(call.arg(1, "size"))
        values = as_literal(options)
        n = as_int(options)
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
            return Tensor(shape=as_shape(call.arg(0, "shape", "size")) or as_shape(Seq(call.args)), why="a weight matrix")
        value = A.ZEROS_ONES[last]
        shape = as_shape(call.arg(0, "shape", "size"))
        if root == "torch" and len(call.args) > 1:
            shape = as_shape(Seq(call.args))
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
            shape = as_shape(call.arg(index, key))
            if q.split(".")[0] == "torch" and shape is not None and len(call.args) > 1:
                shape = as_shape(Seq(call.args))
            return Tensor(shape=shape, why="a weight matrix")
        return None

    def placeholder(self, q: str, call: CallArgs) -> Value | None:
        if not q.startswith("tensorflow"):
            return None
        dtype = call.arg(0, "dtype")
        shape = as_shape(call.arg(1, "shape"))
        dtype_name = dtype.name if isinstance(dtype, Ref) else ""
        if shape is not None and len(shape) == 1 and "int" in dtype_name:
            return Labels("integer", None, None, None, True, call.node, "a placeholder of class indices")
        return Tensor(shape=shape, why="a placeholder fed at run time")

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

    def _labels_arith(self, op: ast.operator, left: Value, right: Value, node: ast.AST) -> Value:
        labels, other, flipped = (left, right, False) if isinstance(left, Labels) else (right, left, True)
        c = as_number(other)
        if c is None or labels.lo is None or labels.hi is None or not isinstance(labels, Labels):
            return Labels(source=labels.source, node=node) if isinstance(labels, Labels) else UNKNOWN
        fn = ARITH.get(type(op))
        if fn is None or (isinstance(op, (ast.Div, ast.FloorDiv, ast.Mod)) and (c == 0 or flipped)):
            return Labels(node=node)
        ends = sorted((fn(c, labels.lo), fn(c, labels.hi)) if flipped else (fn(labels.lo, c), fn(labels.hi, c)))
        integer = bool(labels.integer) and all(float(e).is_integer() for e in ends) and not isinstance(op, ast.Div)
        encoding = labels.encoding if labels.encoding != "integer" or integer else "continuous"
        if labels.encoding in ("one-hot", "multi-hot") and not (ends == [0, 1]):
            encoding = None
        return Labels(encoding, labels.k, ends[0], ends[1], integer, node, labels.source)
