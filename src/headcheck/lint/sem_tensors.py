"""Tensors: activations (functions, methods), slices, reductions, `matmul`, a softmax written by
hand, functional dense layers of TensorFlow, the array functions accuracies are made of.

A mixin of `headcheck.lint.library.Library`: `self.ip` is the interpreter."""
from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

from headcheck.frameworks import arrays as A
from headcheck.frameworks import tensorflow as TF
from headcheck.lint.interp import CallArgs
from headcheck.lint.spelled import as_int, literal_labels, short
from headcheck.lint.values import Const, Derived, INPUT, Labels, Seq, Tensor, Unknown, UNKNOWN, Value
from headcheck.vocab import normalize_activation

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.lint.interp import Interpreter


class TensorSemantics:
    """Part of `Library`; its methods may call those of the other parts through `self`."""

    ip: Interpreter

    def activate(self, x: Value, act: str, axis: object, node: ast.AST, *, torch: bool, axis_given: bool = True) -> Tensor:
        """`act` applied to `x` over `axis` (PyTorch's softmax without `dim` has its axis missing)."""
        base = x if isinstance(x, Tensor) else INPUT
        axis_value = axis if isinstance(axis, int) else as_int(axis) if isinstance(axis, Value) else None
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
            return Derived("sumexp", x.base, as_int(axis) if axis is not None else None,
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
        return Tensor(act, as_int(units), act_node=act_node, units_node=units_node,
                      why="" if act else f"an activation lint does not know (`{short(act_node)}`)")

    def _slice(self, t: Tensor, index: Value, node: ast.AST) -> Value:
        """A slice of an output: elementwise activations survive it, a softmax does not (a column of
        a softmax is a probability, but not a softmax over that column)."""
        last = index.items[-1] if isinstance(index, Seq) and index.items else index
        picks_column = as_int(last) is not None
        if t.act in ("softmax", "log_softmax") and picks_column:
            return Tensor(why=f"a column of a softmax output (`{short(node)}`)")
        if picks_column:
            return replace(t, units=1, units_node=node)
        return t
