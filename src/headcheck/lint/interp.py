"""A flow-sensitive reading of one module: statements in order, with abstract values.

The interpreter walks the syntax tree the way the program would run, without running anything:

* assignments in order (a name reused for a second model holds the second model from there on);
* loops over a literal collection are unrolled, one pass per item (each loss of
  `for loss in ['binary_crossentropy', 'categorical_crossentropy']` gets its own head); other loops
  run their body once;
* `if` with a condition it can decide takes that branch; otherwise both branches are read and a
  name that ends up different in the two is unknown afterwards ("depends on the branch at line N");
* functions of the file are read at each call with the values given there (parameters with
  defaults, returns), memoised by their arguments; functions and methods that nothing in the file
  calls (`training_step`, a `main` run elsewhere) are read once at the end with their defaults;
* classes: `__init__` sets attributes on an object with identity; `self(x)`, `model(x)` call
  `forward` / `call`; attributes assigned later (`model.fc = nn.Linear(512, 2)`) replace them.

What a library call means (a layer, a loss, labels from a data source ...) is decided by
`headcheck.lint.library`. The cost is linear in the size of the file: every statement is read once
at module level, and the statements read inside calls are bounded by a budget proportional to the
file.
"""
from __future__ import annotations

import ast
import itertools
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Callable, Iterable

from headcheck.lint.events import Events
from headcheck.lint.project import KERAS3_MODULES
from headcheck.lint.values import (
    UNKNOWN, Bound, ClassV, Const, Data, Func, Layer, LossV, Mapping, MetricV, Obj, Ref, Seq, Unknown, Value,
)

MAX_CALL_DEPTH = 6
UNROLL_MAX = 24  # items of a literal collection a loop is unrolled over
_MISSING = object()

# Library roots: a name imported from anywhere else is code of the project in another file.
LIBRARY_ROOTS = frozenset({
    "keras", "tensorflow", "tf_keras", "torch", "torchvision", "torchmetrics", "torchaudio", "torchtext",
    "pytorch_lightning", "lightning", "numpy", "pandas", "sklearn", "scipy", "jax", "flax", "optax",
    "tensorflow_datasets", "tensorflow_addons", "transformers", "timm", "datasets", "matplotlib",
    "seaborn", "os", "sys", "math", "random", "json", "pickle", "collections", "functools", "itertools",
    "typing", "pathlib", "argparse", "time", "re", "glob", "shutil", "copy", "logging", "warnings",
    "dataclasses", "abc", "csv", "yaml", "h5py", "PIL", "cv2", "tqdm", "imblearn", "xgboost",
    "lightgbm", "catboost", "statsmodels", "skimage", "albumentations", "wandb", "mlflow", "hydra",
    "omegaconf", "builtins", "__future__", "gzip", "zipfile", "urllib", "requests", "io", "string",
    "operator", "contextlib", "subprocess", "multiprocessing", "threading", "datetime", "enum",
    "inspect", "importlib", "types", "struct", "hashlib", "base64", "uuid", "tempfile", "nltk", "gensim",
    "spacy", "keras_tuner", "kerastuner", "tensorboard", "tensorboardX", "accelerate", "einops",
    "segmentation_models_pytorch", "monai", "mxnet", "theano", "cntk", "plotly", "tflearn", "sonnet",
    "haiku", "keras_cv", "keras_nlp", "keras_hub", "torch_geometric", "dgl", "numba", "cupy", "dask",
    "pyarrow", "joblib", "sympy", "networkx", "librosa", "soundfile", "IPython", "google", "absl",
    "six", "future", "setuptools", "pkg_resources", "traceback", "signal", "socket", "platform",
    "unittest", "pytest", "doctest", "pprint", "textwrap", "heapq", "bisect", "queue", "weakref",
    "gc", "ctypes", "array", "decimal", "fractions", "statistics", "cmath", "locale", "codecs",
    "unicodedata", "html", "xml", "email", "http", "sqlite3", "configparser", "getpass", "shlex",
    "tarfile", "bz2", "lzma", "fnmatch", "atexit", "errno", "stat", "select", "mmap",
})
# Aliases every tutorial uses; a fragment posted without its imports means these modules.
CONVENTIONAL_ALIASES = {"np": "numpy", "pd": "pandas", "tf": "tensorflow", "nn": "torch.nn",
                        "F": "torch.nn.functional", "K": "keras.backend", "optim": "torch.optim"}
_BUILTINS = frozenset({
    "len", "range", "zip", "enumerate", "list", "tuple", "dict", "int", "float", "str", "bool",
    "print", "isinstance", "super", "map", "sorted", "min", "max", "sum", "abs", "round", "next",
    "iter", "getattr", "setattr", "hasattr", "open", "set", "reversed", "type", "any", "all", "vars",
    "frozenset", "filter", "repr", "format", "id", "hash", "input", "object", "slice", "divmod", "pow",
    "issubclass", "callable", "exec", "eval", "compile", "globals", "locals", "staticmethod",
    "classmethod", "property", "Exception", "ValueError", "TypeError", "KeyError", "IndexError",
    "RuntimeError", "NotImplementedError", "AttributeError", "ImportError", "StopIteration",
    "AssertionError", "OSError", "IOError", "FileNotFoundError", "ZeroDivisionError", "bytes",
    "bytearray", "memoryview", "complex", "chr", "ord", "hex", "oct", "bin", "ascii", "breakpoint",
    "help", "dir", "delattr", "__import__", "NotImplemented", "Ellipsis", "SystemExit",
    "KeyboardInterrupt", "Warning", "UserWarning", "DeprecationWarning",
})


class Store:
    """Variables and object attributes, keyed (frame or object id, name). A branch of an `if` gets a
    child store over its parent; merging compares only what the branches wrote."""

    __slots__ = ("data", "parent")

    def __init__(self, parent: Store | None = None) -> None:
        self.data: dict[tuple[int, str], Value] = {}
        self.parent = parent

    def get(self, key: tuple[int, str]) -> object:
        store: Store | None = self
        while store is not None:
            value = store.data.get(key, _MISSING)
            if value is not _MISSING:
                return value
            store = store.parent
        return _MISSING


class Frame:
    """One running scope: the module, a function call, or a class body."""

    __slots__ = ("fid", "parent", "func", "returns", "yields", "declared_global", "is_class")

    def __init__(self, fid: int, parent: Frame | None, func: Func | None = None, is_class: bool = False) -> None:
        self.fid = fid
        self.parent = parent
        self.func = func
        self.returns: list[Value] = []
        self.yields: list[Value] = []
        self.declared_global: set[str] = set()
        self.is_class = is_class


@dataclass(frozen=True)
class CallArgs:
    """A call's arguments, evaluated; `nodes` / `kw_nodes` keep the expressions for locations."""

    node: ast.Call
    args: tuple[Value, ...]
    kwargs: dict
    nodes: tuple[ast.expr, ...]
    kw_nodes: dict
    starred: bool = False  # *args or **kwargs: positions after them are unknown

    def arg(self, index: int | None, *names: str) -> Value | None:
        for name in names:
            if name in self.kwargs:
                return self.kwargs[name]
        if index is not None and index < len(self.args):
            return self.args[index]
        return None

    def arg_node(self, index: int | None, *names: str) -> ast.expr | None:
        for name in names:
            if name in self.kw_nodes:
                return self.kw_nodes[name]
        if index is not None and index < len(self.nodes):
            return self.nodes[index]
        return None


class _Stop(Exception):
    """The statements after this one in the block do not run (return, raise, break, continue)."""


class Interpreter:
    """Reads one module. `lib` gives library calls their meaning; `events` collects the heads."""

    def __init__(self, tree: ast.Module, lib_factory: Callable[[Interpreter], object], n_statements: int,
                 text: str | None = None) -> None:
        self.tree = tree
        self.text = text
        self._mentions: list[int] | None = None  # lines that mention what a head is made of
        self.events = Events()
        self.store = Store()
        self._ids = itertools.count(1)
        self.module = Frame(0, None)
        self.frame = self.module
        self.depth = 0
        self.t = 0
        self.steps = 0
        self.budget = 12 * n_statements + 4000
        self.memo: dict[object, Value] = {}
        self.ran: set[int] = set()  # ids of the function nodes read at least once
        self.ran_on: set[tuple[int, int]] = set()  # (method node id, object id) read on that object
        self.functions: list[Func] = []
        self.classes: list[ClassV] = []
        self.instances: list[Obj] = []
        self.imports: dict[str, str] = {}
        self.star_modules: list[str] = []
        self.era_evidence: list[tuple[str, str, int]] = []  # ('Keras 1', 'nb_epoch=', line): see lint.project
        self.lib = lib_factory(self)
        self._bind_module("__name__", Const("__main__"))

    # -- ids, time, budget -------------------------------------------------------------------------------
    def new_id(self) -> int:
        return next(self._ids)

    def tick(self) -> int:
        self.t += 1
        return self.t

    @property
    def out_of_budget(self) -> bool:
        return self.steps > self.budget

    # -- the whole module -----------------------------------------------------------------------------------
    def run(self) -> Events:
        self.block(self.tree.body)
        self._read_the_rest()
        return self.events

    def _read_the_rest(self) -> None:
        """Functions and methods that nothing in the file called: the framework or another module
        calls them (`training_step`, `forward` of a module never applied, `main` run elsewhere)."""
        for cls in list(self.classes):
            if any(o.cls is cls for o in self.instances) or self.out_of_budget:
                continue
            if cls.lookup("forward") is not None or cls.lookup("call") is not None or self.relevant(cls.node):
                self.lib.instantiate(cls, CallArgs(cls.node, (), {}, (), {}), cls.node)  # type: ignore[arg-type]
        for obj in list(self.instances):
            for name, member in _methods(obj.cls) if obj.cls else ():
                if name != "__init__" and (id(member.node), obj.oid) not in self.ran_on and self.relevant(member.node):
                    if self.out_of_budget:
                        return
                    self.call_function(member, (obj,), {}, None, entry=True)
        for func in list(self.functions):
            if id(func.node) not in self.ran and not self.out_of_budget and self.relevant(func.node):
                self.call_function(func, (), {}, None, entry=True)

    def relevant(self, node: ast.AST) -> bool:
        """Whether code nothing calls is worth reading: its text names something a head is made of
        (a model, a layer, a loss, compile / fit, an accuracy). Most functions of a large library
        file do not; reading them all would cost more than parsing the file."""
        if self.text is None:
            return True
        if self._mentions is None:
            self._mentions = _lines_mentioning(self.text, _RELEVANT)
        first, last = node.lineno, node.end_lineno or node.lineno  # type: ignore[attr-defined]
        at = bisect_left(self._mentions, first)
        return at < len(self._mentions) and self._mentions[at] <= last

    # -- statements -----------------------------------------------------------------------------------------
    def block(self, stmts: Iterable[ast.stmt]) -> None:
        """Run statements in order; raises _Stop when the block ends early (return, raise ...)."""
        for stmt in stmts:
            self.steps += 1
            handler = _STMT.get(type(stmt))
            if handler is not None:
                handler(self, stmt)
            else:
                for child in ast.iter_child_nodes(stmt):
                    if isinstance(child, ast.expr):
                        self.eval(child)

    def _expr_stmt(self, node: ast.Expr) -> None:
        self.eval(node.value)

    def _assign(self, node: ast.Assign) -> None:
        value = self.eval(node.value)
        for target in node.targets:
            self.assign(target, value, node.value)

    def _ann_assign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.assign(node.target, self.eval(node.value), node.value)

    def _aug_assign(self, node: ast.AugAssign) -> None:
        right = self.eval(node.value)
        if isinstance(node.target, ast.Name):
            left = self.load_name(node.target.id)
            self.bind(node.target.id, self.lib.binop(node.op, left, right, node))
        else:
            self.eval(node.target)

    def _for(self, node: ast.For) -> None:
        iterable = self.eval(node.iter)
        items = self.lib.unroll(iterable)
        if items is not None and 0 < len(items) <= UNROLL_MAX and not self.out_of_budget:
            for item in items:
                self.assign(node.target, item, node.iter)
                self._loop_body(node.body)
        else:
            self.assign(node.target, self.lib.iterate(iterable, node.iter), node.iter)
            self._loop_body(node.body)
        self._loop_body(node.orelse)

    def _loop_body(self, body: list[ast.stmt]) -> None:
        try:
            self.block(body)
        except _Stop as stop:
            if stop.args and stop.args[0] == "return":
                raise

    def _while(self, node: ast.While) -> None:
        self.eval(node.test)
        self._loop_body(node.body)
        self._loop_body(node.orelse)

    def _if(self, node: ast.If) -> None:
        test = self.lib.truth(self.eval(node.test))
        if test is True:
            self.block(node.body)
            return
        if test is False:
            self.block(node.orelse)
            return
        self.branches([node.body, node.orelse], f"the branch taken at line {node.lineno}")

    def branches(self, bodies: list[list[ast.stmt]], why: str) -> None:
        """Run each body on its own copy of the state; afterwards a variable or attribute the
        branches left different is Unknown(why). A branch that ends early does not count."""
        parent = self.store
        finished: list[Store] = []
        returned = []
        for body in bodies:
            self.store = Store(parent)
            try:
                self.block(body)
                finished.append(self.store)
            except _Stop as stop:
                returned.append(stop)
        self.store = parent
        if not finished:
            raise returned[0] if returned else _Stop("return")
        keys = set().union(*(s.data.keys() for s in finished))
        for key in keys:
            values = [s.get(key) for s in finished]
            first = values[0]
            if all(v == first for v in values[1:]) and first is not _MISSING:
                parent.data[key] = first  # type: ignore[assignment]
            else:
                parent.data[key] = Unknown(why)

    def _with(self, node: ast.With) -> None:
        for item in node.items:
            value = self.eval(item.context_expr)
            if item.optional_vars is not None:
                self.assign(item.optional_vars, self.lib.enter(value), item.context_expr)
        self.block(node.body)

    def _try(self, node: ast.Try) -> None:
        try:
            self.block(node.body)
        except _Stop as stop:
            if stop.args and stop.args[0] == "return":
                self.block(node.finalbody)
                raise
        parent = self.store
        for handler in node.handlers:  # read for what they record; their state is dropped
            self.store = Store(parent)
            try:
                self.block(handler.body)
            except _Stop:
                pass
        self.store = parent
        self.block(node.orelse)
        self.block(node.finalbody)

    def _match(self, node: ast.AST) -> None:
        self.eval(node.subject)  # type: ignore[attr-defined]
        self.branches([case.body for case in node.cases], f"the case taken at line {node.lineno}")  # type: ignore[attr-defined]

    def _return(self, node: ast.Return) -> None:
        value = self.eval(node.value) if node.value is not None else Const(None)
        self.frame.returns.append(value)
        raise _Stop("return")

    def _raise(self, node: ast.Raise) -> None:
        raise _Stop("raise")

    def _break(self, node: ast.stmt) -> None:
        raise _Stop("break")

    def _global(self, node: ast.Global | ast.Nonlocal) -> None:
        self.frame.declared_global.update(node.names)

    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._keras3_module(alias.name, node)
            if alias.asname:
                self.imports[alias.asname] = alias.name
                self.bind(alias.asname, Ref(alias.name))
            else:
                first = alias.name.split(".")[0]
                self.imports.setdefault(first, first)
                self.bind(first, Ref(first))

    def _import_from(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        local = node.level > 0
        for alias in node.names:
            if alias.name == "*":
                self.star_modules.append(module)
                continue
            name = alias.asname or alias.name
            qualified = f"{module}.{alias.name}" if module else alias.name
            self._keras3_module(qualified, node)
            if local or module.split(".")[0] not in LIBRARY_ROOTS:
                self.bind(name, Unknown(f"`{alias.name}` comes from another module (`{'.' * node.level}{module}`); "
                                        "lint does not follow imports across files"))
                self.imports[name] = qualified
                continue
            self.imports[name] = qualified
            self.bind(name, Ref(qualified))

    def _keras3_module(self, name: str, node: ast.AST) -> None:
        if name.startswith(KERAS3_MODULES) and not self.era_evidence:
            self.era_evidence.append(("Keras 3", f"import {name}", node.lineno))  # type: ignore[attr-defined]

    def _function_def(self, node: ast.FunctionDef) -> None:
        for dec in node.decorator_list:
            self.eval(dec)
        owner = self.frame.func.owner if self.frame.is_class and self.frame.func is not None else None
        env = self.frame.parent if self.frame.is_class else self.frame
        func = Func(node, env, owner)
        self.bind(node.name, func)
        if not self.frame.is_class:
            self.functions.append(func)

    def _class_def(self, node: ast.ClassDef) -> None:
        bases = tuple(self.eval(b) for b in node.bases)
        cls = ClassV(node, bases)
        frame = Frame(self.new_id(), self.frame, Func(node, self.frame, cls), is_class=True)
        saved = self.frame
        self.frame = frame
        try:
            self.block(node.body)
        except _Stop:
            pass
        finally:
            self.frame = saved
        for stmt in node.body:
            for name in _bound_names(stmt):
                value = self.store.get((frame.fid, name))
                if value is not _MISSING:
                    cls.ns[name] = value
        self.classes.append(cls)
        self.bind(node.name, cls)

    # -- names ------------------------------------------------------------------------------------------------
    def bind(self, name: str, value: Value) -> None:
        frame = self.frame
        if name in frame.declared_global:
            frame = self.module
        self.store.data[(frame.fid, name)] = value

    def _bind_module(self, name: str, value: Value) -> None:
        self.store.data[(0, name)] = value

    def load_name(self, name: str) -> Value:
        frame: Frame | None = self.frame
        while frame is not None:
            if not frame.is_class or frame is self.frame:
                value = self.store.get((frame.fid, name))
                if value is not _MISSING:
                    return value  # type: ignore[return-value]
            frame = frame.parent
        if name in _BUILTINS:
            return Ref(f"builtins.{name}")
        if name in CONVENTIONAL_ALIASES:
            return Ref(CONVENTIONAL_ALIASES[name])  # a fragment that left out `import numpy as np`
        if self.star_modules or not self.imports:
            # a star import, or a fragment without imports: the library decides by the name alone
            return Ref(name)
        return Unknown(f"`{name}` is not defined in this file")

    def assign(self, target: ast.AST, value: Value, value_node: ast.AST | None = None) -> None:
        if isinstance(target, ast.Name):
            self.bind(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            elts = target.elts
            star = next((i for i, e in enumerate(elts) if isinstance(e, ast.Starred)), None)
            for i, elt in enumerate(elts):
                if isinstance(elt, ast.Starred):
                    self.assign(elt.value, UNKNOWN)
                    continue
                index = i if star is None or i < star else i - len(elts)
                self.assign(elt, self.lib.item(value, index, len(elts) if star is None else None, value_node), value_node)
        elif isinstance(target, ast.Attribute):
            base = self.eval(target.value)
            if isinstance(base, Obj):
                self.store.data[(base.oid, target.attr)] = value
        elif isinstance(target, ast.Subscript):
            self._assign_item(target, value)
        elif isinstance(target, ast.Starred):
            self.assign(target.value, UNKNOWN)

    def _assign_item(self, target: ast.Subscript, value: Value) -> None:
        index = self.eval(target.slice)
        key = index.value if isinstance(index, Const) else None
        inner = target.value
        if isinstance(inner, ast.Attribute):  # model.classifier[6] = nn.Linear(...)
            base = self.eval(inner.value)
            if isinstance(base, Obj) and isinstance(key, int):
                self.store.data[(base.oid, f"{inner.attr}[{key}]")] = value
                return
        container = self.eval(inner)
        if isinstance(container, Obj) and isinstance(key, (int, str)):
            self.store.data[(container.oid, f"[{key}]")] = value
        elif isinstance(inner, ast.Name) and isinstance(container, Mapping) and key is not None:
            items = tuple((k, v) for k, v in container.items if k != key) + ((key, value),)
            self.bind(inner.id, Mapping(items, container.node))

    # -- expressions ------------------------------------------------------------------------------------------
    def eval(self, node: ast.AST | None) -> Value:
        if node is None:
            return UNKNOWN
        handler = _EXPR.get(type(node))
        if handler is not None:
            return handler(self, node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.eval(child)
        return UNKNOWN

    def _name(self, node: ast.Name) -> Value:
        return self.load_name(node.id)

    def _constant(self, node: ast.Constant) -> Value:
        return Const(node.value, node)

    def _seq(self, node: ast.List | ast.Tuple) -> Value:
        items = []
        for elt in node.elts:
            if isinstance(elt, ast.Starred):
                inner = self.eval(elt.value)
                if isinstance(inner, Seq):
                    items.extend(inner.items)
                    continue
                return Unknown("a list built with *")
            items.append(self.eval(elt))
        return Seq(tuple(items), node)

    def _dict(self, node: ast.Dict) -> Value:
        items = []
        for k, v in zip(node.keys, node.values):
            value = self.eval(v)
            key = self.eval(k) if k is not None else None
            if isinstance(key, Const):
                items.append((key.value, value))
        return Mapping(tuple(items), node)

    def _attribute(self, node: ast.Attribute) -> Value:
        return self.attribute(self.eval(node.value), node.attr, node)

    def attribute(self, base: Value, name: str, node: ast.AST | None = None) -> Value:
        if isinstance(base, Ref):
            return Ref(f"{base.name}.{name}")
        if isinstance(base, Obj):
            value = self.store.get((base.oid, name))
            if value is not _MISSING:
                return value  # type: ignore[return-value]
            if base.cls is not None:
                member = base.cls.lookup(name)
                if isinstance(member, Func):
                    return Bound(base, name, member)
                if member is not None:
                    return member
            return self.lib.attribute(base, name, node)
        if isinstance(base, ClassV):
            member = base.lookup(name)
            return member if member is not None else Unknown(f"`{base.name}.{name}`")
        if isinstance(base, Mapping):
            found = base.get(name)
            if found is not None:
                return found
        return self.lib.attribute(base, name, node)

    def _subscript(self, node: ast.Subscript) -> Value:
        base = self.eval(node.value)
        index = self.eval(node.slice)
        if isinstance(base, Obj) and isinstance(index, Const):
            value = self.store.get((base.oid, f"[{index.value}]"))
            if value is not _MISSING:
                return value  # type: ignore[return-value]
        return self.lib.subscript(base, index, node)

    def _binop(self, node: ast.BinOp) -> Value:
        return self.lib.binop(node.op, self.eval(node.left), self.eval(node.right), node)

    def _unary(self, node: ast.UnaryOp) -> Value:
        return self.lib.unary(node.op, self.eval(node.operand), node)

    def _compare(self, node: ast.Compare) -> Value:
        left = self.eval(node.left)
        rights = [self.eval(c) for c in node.comparators]
        if len(rights) != 1:
            return UNKNOWN
        return self.lib.compare(node.ops[0], left, rights[0], node)

    def _boolop(self, node: ast.BoolOp) -> Value:
        values = [self.eval(v) for v in node.values]
        truths = [self.lib.truth(v) for v in values]
        if isinstance(node.op, ast.And):
            if any(t is False for t in truths):
                return Const(False)
            return Const(True) if all(t is True for t in truths) else UNKNOWN
        if any(t is True for t in truths):
            return Const(True)
        return Const(False) if all(t is False for t in truths) else UNKNOWN

    def _ifexp(self, node: ast.IfExp) -> Value:
        test = self.lib.truth(self.eval(node.test))
        if test is True:
            return self.eval(node.body)
        if test is False:
            return self.eval(node.orelse)
        a, b = self.eval(node.body), self.eval(node.orelse)
        return a if a == b else Unknown(f"chosen by a condition at line {node.lineno}")

    def _named_expr(self, node: ast.NamedExpr) -> Value:
        value = self.eval(node.value)
        self.bind(node.target.id, value)
        return value

    def _lambda(self, node: ast.Lambda) -> Value:
        return Func(node, self.frame)

    def _comprehension(self, node: ast.AST) -> Value:
        """[f(x) for x in xs]: a list when xs is a short literal collection, else unknown."""
        gens = node.generators  # type: ignore[attr-defined]
        if len(gens) == 1 and not gens[0].ifs and isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            items = self.lib.unroll(self.eval(gens[0].iter))
            if items is not None and len(items) <= UNROLL_MAX:
                out = []
                for item in items:
                    self.assign(gens[0].target, item)
                    out.append(self.eval(node.elt))  # type: ignore[attr-defined]
                return Seq(tuple(out), node)
        for gen in gens:
            self.assign(gen.target, self.lib.iterate(self.eval(gen.iter), gen.iter))
            for cond in gen.ifs:
                self.eval(cond)
        for field_name in ("elt", "key", "value"):
            child = getattr(node, field_name, None)
            if child is not None:
                self.eval(child)
        return Unknown("a comprehension")

    def _call(self, node: ast.Call) -> Value:
        base: Value | None = None
        if isinstance(node.func, ast.Attribute):
            base = self.eval(node.func.value)
            func = self.attribute(base, node.func.attr, node.func)
        else:
            func = self.eval(node.func)
        args: list[Value] = []
        nodes: list[ast.expr] = []
        starred = False
        for a in node.args:
            if isinstance(a, ast.Starred):
                inner = self.eval(a.value)
                if isinstance(inner, Seq) and not starred:
                    args.extend(inner.items)
                    nodes.extend([a] * len(inner.items))
                    continue
                starred = True
                continue
            if starred:
                self.eval(a)
                continue
            args.append(self.eval(a))
            nodes.append(a)
        kwargs: dict[str, Value] = {}
        kw_nodes: dict[str, ast.expr] = {}
        for kw in node.keywords:
            value = self.eval(kw.value)
            if kw.arg is None:
                if isinstance(value, Mapping):
                    for k, v in value.items:
                        if isinstance(k, str):
                            kwargs[k] = v
                            kw_nodes[k] = kw.value
                else:
                    starred = True
                continue
            kwargs[kw.arg] = value
            kw_nodes[kw.arg] = kw.value
        call = CallArgs(node, tuple(args), kwargs, tuple(nodes), kw_nodes, starred)
        if base is not None and not isinstance(func, _CALLABLE) and not self._holds(base, node.func.attr):  # type: ignore[union-attr]
            return self.lib.call_method(base, node.func.attr, call)  # type: ignore[union-attr]
        return self.call(func, call)

    def _holds(self, base: Value, name: str) -> bool:
        """Whether an object of the file holds `name` itself (`self.criterion = criterion`)."""
        if not isinstance(base, Obj):
            return False
        return self.store.get((base.oid, name)) is not _MISSING or (base.cls is not None and base.cls.lookup(name) is not None)

    def _yield(self, node: ast.Yield | ast.YieldFrom) -> Value:
        value = self.eval(node.value) if node.value is not None else Const(None)
        self.frame.yields.append(value if isinstance(node, ast.Yield) else self.lib.iterate(value, node))
        return UNKNOWN

    def _await(self, node: ast.Await) -> Value:
        return self.eval(node.value)

    def _starred(self, node: ast.Starred) -> Value:
        self.eval(node.value)
        return UNKNOWN

    # -- calls --------------------------------------------------------------------------------------------------
    def call(self, func: Value, call: CallArgs) -> Value:
        if isinstance(func, Func):
            return self.call_function(func, call.args, call.kwargs, call.node)
        if isinstance(func, ClassV):
            return self.lib.instantiate(func, call, call.node)
        if isinstance(func, Bound) and func.func is not None:
            return self.call_function(func.func, (func.base,) + call.args, call.kwargs, call.node)
        return self.lib.call(func, call)

    def call_function(self, func: Func, args: tuple[Value, ...], kwargs: dict, node: ast.AST | None,
                      entry: bool = False) -> Value:
        """Read a function of the file with these arguments; its return value (a generator:
        Data of what it yields)."""
        fnode = func.node
        self.ran.add(id(fnode))
        if args and isinstance(args[0], Obj):
            self.ran_on.add((id(fnode), args[0].oid))
        if self.depth >= MAX_CALL_DEPTH:
            return Unknown(f"the result of `{func.name}()` (calls nested too deep to follow)")
        if self.out_of_budget:
            return Unknown(f"the result of `{func.name}()` (the file is too large to follow every call)")
        try:
            key = (id(fnode), args, tuple(sorted(kwargs.items())))
            hash(key)
        except TypeError:
            key = None
        if key is not None and key in self.memo:
            return self.memo[key]
        if key is not None:
            self.memo[key] = Unknown(f"`{func.name}()` calls itself")
        frame = Frame(self.new_id(), func.env if isinstance(func.env, Frame) else self.module, func)
        saved_frame, saved_store = self.frame, self.store
        self.frame = frame
        self.depth += 1
        try:
            self._bind_params(func, args, kwargs, entry)
            if isinstance(fnode, ast.Lambda):
                frame.returns.append(self.eval(fnode.body))
            else:
                try:
                    self.block(fnode.body)  # type: ignore[attr-defined]
                except _Stop:
                    pass
        finally:
            self.depth -= 1
            self.frame = saved_frame
            if self.store is not saved_store:  # a branch inside was left by an exception
                self.store = saved_store
        result = self._result(func, frame)
        if key is not None:
            self.memo[key] = result
        return result

    def _result(self, func: Func, frame: Frame) -> Value:
        if frame.yields:
            item = frame.yields[0] if all(y == frame.yields[0] for y in frame.yields) else UNKNOWN
            return Data(item)
        values = [v for v in frame.returns if not (isinstance(v, Const) and v.value is None)]
        if not values:
            return Const(None)
        first = values[0]
        if all(v == first for v in values[1:]):
            return first
        return Unknown(f"`{func.name}()` returns different values on different paths")

    def _bind_params(self, func: Func, args: tuple[Value, ...], kwargs: dict, entry: bool) -> None:
        a = func.node.args  # type: ignore[attr-defined]
        positional = a.posonlyargs + a.args
        defaults = dict(zip([p.arg for p in positional[len(positional) - len(a.defaults):]], a.defaults))
        defaults.update({p.arg: d for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None})
        fname = func.name
        rest = list(args[len(positional):])
        used = set()
        for i, p in enumerate(positional):
            if i < len(args):
                value = args[i]
            elif p.arg in kwargs:
                value = kwargs[p.arg]
                used.add(p.arg)
            else:
                value = self._default(p.arg, defaults, fname, entry)
            self.bind(p.arg, value)
        for p in a.kwonlyargs:
            if p.arg in kwargs:
                used.add(p.arg)
                self.bind(p.arg, kwargs[p.arg])
            else:
                self.bind(p.arg, self._default(p.arg, defaults, fname, entry))
        if a.vararg is not None:
            self.bind(a.vararg.arg, Seq(tuple(rest)) if not entry else Unknown(f"`*{a.vararg.arg}` of `{fname}()`"))
        if a.kwarg is not None:
            extra = tuple((k, v) for k, v in kwargs.items() if k not in used)
            self.bind(a.kwarg.arg, Mapping(extra) if not entry else Unknown(f"`**{a.kwarg.arg}` of `{fname}()`"))

    def _default(self, name: str, defaults: dict, fname: str, entry: bool) -> Value:
        if name in defaults:
            saved = self.frame
            self.frame = self.frame.parent or self.module  # defaults were evaluated where the def is
            try:
                return self.eval(defaults[name])
            finally:
                self.frame = saved
        if entry:
            return Unknown(f"parameter `{name}` of `{fname}()`, which is not called in this file")
        return Unknown(f"parameter `{name}` of `{fname}()`")


_CALLABLE = (Func, Bound, ClassV, Obj, Layer, LossV, MetricV, Ref)
# what code nothing calls must mention to be read (see Interpreter.relevant): a model built, a
# compile, a loss object, a loss function or one written by hand. A `forward` / `call` is read when
# its model's output is needed; an accuracy helper nothing calls has no output to read.
# (plain substrings: several `in` tests cost less than one regular expression over the text)
_RELEVANT = ("compile(", "Sequential(", "Model(", "Loss(", "loss(", "loss_object(", "crossentropy", "cross_entropy",
             "criterion", "loss_fn", "_with_logits", "log(", "loss = ")


def _lines_mentioning(text: str, words: tuple[str, ...]) -> list[int]:
    """The sorted 1-based line numbers where any of `words` occurs (C-speed searches, then a
    bisection per occurrence)."""
    starts = [0]
    at = text.find("\n")
    while at != -1:
        starts.append(at + 1)
        at = text.find("\n", at + 1)
    lines: set[int] = set()
    for word in words:
        at = text.find(word)
        while at != -1:
            lines.add(bisect_right(starts, at))
            at = text.find(word, at + len(word))
    return sorted(lines)


def _methods(cls: ClassV, depth: int = 0) -> list[tuple[str, Func]]:
    """The methods of a class of the file, its own first, then those it inherits from the file."""
    out = [(name, m) for name, m in cls.ns.items() if isinstance(m, Func)]
    if depth < 8:
        seen = {name for name, _ in out}
        for base in cls.bases:
            if isinstance(base, ClassV):
                out += [(n, m) for n, m in _methods(base, depth + 1) if n not in seen]
    return out


def _bound_names(stmt: ast.stmt) -> list[str]:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [stmt.name]
    if isinstance(stmt, ast.Assign):
        return [t.id for t in stmt.targets if isinstance(t, ast.Name)]
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return [stmt.target.id]
    if isinstance(stmt, (ast.If, ast.Try, ast.With)):
        out = []
        for field_name in ("body", "orelse", "finalbody"):
            for child in getattr(stmt, field_name, []) or []:
                out.extend(_bound_names(child))
        return out
    return []


_STMT: dict[type, Callable] = {
    ast.Expr: Interpreter._expr_stmt,
    ast.Assign: Interpreter._assign,
    ast.AnnAssign: Interpreter._ann_assign,
    ast.AugAssign: Interpreter._aug_assign,
    ast.For: Interpreter._for,
    ast.AsyncFor: Interpreter._for,
    ast.While: Interpreter._while,
    ast.If: Interpreter._if,
    ast.With: Interpreter._with,
    ast.AsyncWith: Interpreter._with,
    ast.Try: Interpreter._try,
    ast.Return: Interpreter._return,
    ast.Raise: Interpreter._raise,
    ast.Break: Interpreter._break,
    ast.Continue: Interpreter._break,
    ast.Global: Interpreter._global,
    ast.Nonlocal: Interpreter._global,
    ast.Import: Interpreter._import,
    ast.ImportFrom: Interpreter._import_from,
    ast.FunctionDef: Interpreter._function_def,
    ast.AsyncFunctionDef: Interpreter._function_def,
    ast.ClassDef: Interpreter._class_def,
    ast.Pass: lambda self, node: None,
}
if hasattr(ast, "TryStar"):
    _STMT[ast.TryStar] = Interpreter._try
if hasattr(ast, "Match"):
    _STMT[ast.Match] = Interpreter._match

_EXPR: dict[type, Callable] = {
    ast.Name: Interpreter._name,
    ast.Constant: Interpreter._constant,
    ast.List: Interpreter._seq,
    ast.Tuple: Interpreter._seq,
    ast.Dict: Interpreter._dict,
    ast.Attribute: Interpreter._attribute,
    ast.Subscript: Interpreter._subscript,
    ast.BinOp: Interpreter._binop,
    ast.UnaryOp: Interpreter._unary,
    ast.Compare: Interpreter._compare,
    ast.BoolOp: Interpreter._boolop,
    ast.IfExp: Interpreter._ifexp,
    ast.NamedExpr: Interpreter._named_expr,
    ast.Lambda: Interpreter._lambda,
    ast.ListComp: Interpreter._comprehension,
    ast.SetComp: Interpreter._comprehension,
    ast.DictComp: Interpreter._comprehension,
    ast.GeneratorExp: Interpreter._comprehension,
    ast.Call: Interpreter._call,
    ast.Yield: Interpreter._yield,
    ast.YieldFrom: Interpreter._yield,
    ast.Await: Interpreter._await,
    ast.Starred: Interpreter._starred,
}
