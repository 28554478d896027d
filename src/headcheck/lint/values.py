"""The abstract values of the lint interpreter: what a name may hold while the source is read.

Nothing is executed. Each value stands for a set of run-time values that share what matters to a
head: a loss string, a layer with its width and activation, a model's output with the activation
applied last, an array of labels with its encoding and range, a model object whose attributes and
layers change as the program runs. `Unknown` carries *why* a value could not be followed, so that a
head that cannot be decided is reported as skipped with its reason, never silently passed.

AST nodes are kept for locations only; they never take part in equality (two literals with the
same value are the same value).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace

from headcheck.head import LossSpec, MetricSpec


class Value:
    """Base of every abstract value."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Unknown(Value):
    """A value that cannot be followed; `why` says what it is ('a command-line argument', ...)."""

    why: str = ""


UNKNOWN = Unknown()


@dataclass(frozen=True, slots=True)
class Const(Value):
    """A literal: str, int, float, bool, None."""

    value: object
    node: ast.AST | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Seq(Value):
    """A list or tuple whose items are known one by one."""

    items: tuple[Value, ...]
    node: ast.AST | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Mapping(Value):
    """A dict with constant keys, or an object read by key or attribute (a scikit-learn Bunch)."""

    items: tuple[tuple[object, Value], ...]
    node: ast.AST | None = field(default=None, compare=False)

    def get(self, key: object) -> Value | None:
        for k, v in self.items:
            if k == key:
                return v
        return None


@dataclass(frozen=True, slots=True)
class Ref(Value):
    """A name from a library (never imported): its dotted name with imports resolved."""

    name: str


@dataclass(frozen=True, slots=True)
class Func(Value):
    """A function or lambda written in the file; `env` is the frame it was defined in."""

    node: ast.AST
    env: object = field(compare=False)
    owner: ClassV | None = field(default=None, compare=False)

    @property
    def name(self) -> str:
        return getattr(self.node, "name", "<lambda>")


@dataclass(frozen=True, slots=True, eq=False)
class ClassV(Value):
    """A class written in the file: its body's names, its bases (values), its methods."""

    node: ast.ClassDef
    bases: tuple[Value, ...]
    ns: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.node.name

    def lookup(self, name: str, depth: int = 0) -> Value | None:
        if name in self.ns:
            return self.ns[name]
        if depth < 8:
            for base in self.bases:
                if isinstance(base, ClassV):
                    found = base.lookup(name, depth + 1)
                    if found is not None:
                        return found
        return None

    def base_names(self, depth: int = 0) -> tuple[str, ...]:
        """Dotted names of the library classes it derives from (through classes of the file)."""
        out: list[str] = []
        for base in self.bases:
            if isinstance(base, Ref):
                out.append(base.name)
            elif isinstance(base, ClassV) and depth < 8:
                out.extend(base.base_names(depth + 1))
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Obj(Value):
    """An object with identity whose state lives in the interpreter's heap: an instance of a class
    of the file, a Keras Sequential or functional model, a pretrained model from a library."""

    oid: int
    kind: str  # 'instance' | 'sequential' | 'functional' | 'external'
    cls: ClassV | None = field(default=None, compare=False)
    node: ast.AST | None = field(default=None, compare=False)
    family: str = ""  # framework of the model: 'keras' | 'torch'; for 'external', the model family


@dataclass(frozen=True, slots=True)
class Bound(Value):
    """`base.name` looked up for a call: a method of a model, a tensor, labels, or of the file."""

    base: Value
    name: str
    func: Func | None = None


@dataclass(frozen=True, slots=True)
class Tensor(Value):
    """A model's output as far as it was followed: the activation applied last and its axis, the
    width of the last layer with units, and where each was written.

    `act` None: not known (`why` says why). 'linear' means logits (no activation).
    """

    act: str | None = None
    units: int | None = None
    axis: int | None = None
    axis_missing: bool = False
    act_node: ast.AST | None = None
    units_node: ast.AST | None = None
    torch: bool = False
    why: str = field(default="", compare=False)
    shape: tuple[int | None, ...] | None = None  # a weight matrix / placeholder with a literal shape

    def with_units_of(self, inner: Value) -> Tensor:
        if isinstance(inner, Tensor):
            return replace(self, units=inner.units, units_node=inner.units_node)
        return self

    @property
    def key(self) -> tuple[int, int]:
        """Identity of the head this output comes from (for pairing losses and metrics)."""
        return (id(self.act_node), id(self.units_node))


INPUT = Tensor(why="the model's input")


@dataclass(frozen=True, slots=True)
class Layer(Value):
    """A layer / module not yet applied.

    kind 'units': Dense / Linear / Conv (out = its output head); 'activation': an activation layer
    (out.act, out.axis); 'pass': passes its input through (Dropout, BatchNorm, Flatten ...); 'seq':
    a container applying `layers` in order.
    """

    kind: str
    out: Tensor | None = None
    layers: tuple[Value, ...] = ()
    node: ast.AST | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Derived(Value):
    """A value computed from model outputs or labels that matters to a loss or a metric written by
    hand: 'argmax', 'threshold' (arg: the threshold), 'exp', 'sumexp' (arg: the axis), 'log',
    'xent' (a `y * log(p)` term; other: the target), 'compare' (arg: index of the metric event),
    'shift' (x - max(x))."""

    op: str
    base: Value
    arg: object = None
    other: Value | None = None
    node: ast.AST | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Labels(Value):
    """Labels whose source shows their encoding and range.

    encoding: 'integer' (class indices), 'one-hot', 'multi-hot', 'continuous' (regression targets)
    or None; k: classes (labels for multi-hot); lo / hi: smallest / largest value; integer: whether
    every value is a whole number; source: where they come from, for messages.
    """

    encoding: str | None = None
    k: int | None = None
    lo: float | None = None
    hi: float | None = None
    integer: bool | None = None
    node: ast.AST | None = field(default=None, compare=False)
    source: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class LossV(Value):
    """A loss object or function. `order`: how it takes its arguments when called: 'torch'
    (input, target), 'keras' (y_true, y_pred), 'tf' (labels=, logits=/predictions=)."""

    spec: LossSpec
    order: str = "torch"
    node: ast.AST | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class MetricV(Value):
    """A metric object (torchmetrics, keras.metrics) or a metric function of a library."""

    spec: MetricSpec
    order: str = "torch"  # torchmetrics (preds, target); keras / sklearn (y_true, y_pred)
    node: ast.AST | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Data(Value):
    """A dataset or a data loader: iterating it (or indexing it) gives `item`."""

    item: Value


def unknown_why(value: Value, default: str) -> str:
    """The reason a value is not known, for a skipped head."""
    if isinstance(value, Unknown) and value.why:
        return value.why
    if isinstance(value, Tensor) and value.why:
        return value.why
    return default
