"""The array operations that hand-written heads, losses and metrics are made of, under their
numpy / PyTorch / TensorFlow / Keras-backend spellings (the last component of the dotted name, or
the tensor method).

A softmax written by hand is `exp(z) / sum(exp(z), axis)`; cross-entropy by hand is
`-sum(y * log(p))`; an accuracy by hand compares `argmax(p)` with the labels, or thresholds `p`
(`p > 0.5`, `round(p)`) and compares with the labels. These tables name the pieces.
"""
from __future__ import annotations

ARGMAX = frozenset({"argmax", "arg_max"})
# (values, indices) = torch.max(x, dim)
MAX_WITH_INDICES = frozenset({"max"})
EXP = frozenset({"exp"})
LOG = frozenset({"log"})
SUM = frozenset({"sum", "reduce_sum", "nansum"})
MEAN = frozenset({"mean", "reduce_mean", "nanmean", "average"})
MAXIMUM = frozenset({"reduce_max", "amax", "max", "logsumexp", "reduce_logsumexp"})
ALL = frozenset({"all", "reduce_all", "alltrue"})
EQUAL = frozenset({"equal", "eq", "array_equal"})
ROUND = frozenset({"round", "rint", "around"})
# comparison functions -> the operator they stand for
COMPARE = {"greater": "Gt", "gt": "Gt", "greater_equal": "GtE", "ge": "GtE", "less": "Lt", "lt": "Lt",
           "less_equal": "LtE", "le": "LtE"}
# operations that keep what a tensor holds (dtype casts, moves, reshapes, clipping)
KEEP = frozenset({
    "cast", "to_float", "to_int32", "to_int64", "float", "double", "long", "int", "half", "bool",
    "type", "astype", "to", "cuda", "cpu", "detach", "clone", "contiguous", "numpy", "tolist", "item",
    "reshape", "view", "flatten", "ravel", "squeeze", "unsqueeze", "expand_dims", "view_as",
    "reshape_as", "identity", "stop_gradient", "clip_by_value", "clip", "clamp", "clamp_", "copy",
    "convert_to_tensor", "as_tensor", "from_numpy", "asarray", "array", "tensor", "constant",
    "Tensor", "FloatTensor", "LongTensor", "IntTensor", "DoubleTensor", "values", "to_numpy",
    "squeeze_", "requires_grad_", "data",
})
MATMUL = frozenset({"matmul", "mm", "dot", "bmm", "einsum_dense"})
BIAS_ADD = frozenset({"bias_add", "add"})
WHERE = frozenset({"where"})
CONCAT = frozenset({"concatenate", "vstack", "hstack", "cat", "concat", "append", "row_stack", "stack"})
ZEROS_ONES = {"zeros": 0, "ones": 1, "zeros_like": 0, "ones_like": 1}
RANDINT = frozenset({"randint", "random_integers"})
