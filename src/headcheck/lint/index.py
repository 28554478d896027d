"""One pass over a module's syntax tree: imports, assignments, classes, functions and calls, with the
scope each sits in, so that the extractor can follow a name to its value without executing anything.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

Pos = tuple[int, int]
Scope = ast.AST | None  # the enclosing FunctionDef / Lambda, or None at module level


@dataclass(frozen=True)
class Binding:
    """`name = value` (value None when unknown: a parameter, a loop variable, a `with ... as`).

    For tuple unpacking from one call (`(x, y), (xt, yt) = mnist.load_data()`), `path` is the
    target's index path ((1, 1) for `yt`) and `value` the call.
    `pos` is the end of the statement: the name is bound only after its right-hand side ran.
    """

    name: str
    value: ast.expr | None
    pos: Pos
    scope: Scope
    path: tuple[int, ...] | None = None


@dataclass
class ClassInfo:
    node: ast.ClassDef
    bases: tuple[str, ...]
    attrs: dict[str, ast.expr] = field(default_factory=dict)  # self.<attr> = value in any method
    methods: dict[str, ast.FunctionDef] = field(default_factory=dict)


@dataclass(frozen=True)
class CallSite:
    node: ast.Call
    scope: Scope
    cls: ClassInfo | None


def dotted(node: ast.AST) -> str | None:
    """'tf.keras.layers.Dense' for an Attribute chain of Names; None for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def pos_of(node: ast.AST) -> Pos:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def end_pos(node: ast.AST) -> Pos:
    return (getattr(node, "end_lineno", 0) or 0, getattr(node, "end_col_offset", 0) or 0)


class ModuleIndex(ast.NodeVisitor):
    """Everything the extractor looks up, collected in one walk of the tree."""

    def __init__(self, tree: ast.Module) -> None:
        self.imports: dict[str, str] = {}  # local name -> qualified name
        self.star_modules: list[str] = []
        self.bindings: dict[str, list[Binding]] = {}
        self.classes: dict[str, ClassInfo] = {}
        self.functions: dict[str, ast.FunctionDef] = {}
        self.calls: list[CallSite] = []
        self.returns: dict[ast.AST, list[ast.expr]] = {}  # function -> returned expressions
        self._qualified: dict[int, str | None] = {}
        self._scope: list[ast.AST] = []
        self._cls: list[ClassInfo | None] = [None]
        self.visit(tree)

    # -- traversal: NodeVisitor's dispatch, without its per-node getattr and generator overhead ----
    def visit(self, node: ast.AST) -> None:
        handler = _DISPATCH.get(type(node))
        if handler is not None:
            handler(self, node)
        else:
            self.generic_visit(node)

    def generic_visit(self, node: ast.AST) -> None:
        for name in node._fields:
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST) and type(item) not in _LEAVES:
                        self.visit(item)
            elif isinstance(value, ast.AST) and type(value) not in _LEAVES:
                self.visit(value)

    # -- names -----------------------------------------------------------------------------------
    def qualified(self, node: ast.AST) -> str | None:
        """The dotted name of a callee with its first component resolved through the imports
        ('layers.Dense' -> 'keras.layers.Dense' after `from keras import layers`)."""
        key = id(node)
        if key in self._qualified:
            return self._qualified[key]
        name = dotted(node)
        if name is not None:
            first, _, rest = name.partition(".")
            base = self.imports.get(first)
            if base is not None:
                name = f"{base}.{rest}" if rest else base
        self._qualified[key] = name  # nodes live as long as the index: ids are stable
        return name

    def lookup(self, name: str, pos: Pos, scope: Scope) -> Binding | None:
        """The binding of `name` visible at `pos`: the last one before it in the same scope, else at
        module level, else anywhere before it (code pasted from several functions)."""
        found = self.bindings.get(name)
        if not found:
            return None
        before = [b for b in found if b.pos <= pos]
        for candidates in (
            [b for b in before if b.scope is scope],
            [b for b in before if b.scope is None],
            before,
        ):
            if candidates:
                return candidates[-1]
        # a function or method body may use a module-level name bound further down (it runs later)
        module_level = [b for b in found if b.scope is None]
        if len(module_level) == 1:
            return module_level[0]
        return None

    # -- visitor ---------------------------------------------------------------------------------
    def _bind(self, name: str, value: ast.expr | None, stmt: ast.AST, path: tuple[int, ...] | None = None) -> None:
        scope = self._scope[-1] if self._scope else None
        self.bindings.setdefault(name, []).append(Binding(name, value, end_pos(stmt), scope, path))

    def _bind_target(self, target: ast.AST, value: ast.expr | None, stmt: ast.AST, path: tuple[int, ...] = ()) -> None:
        if isinstance(target, ast.Name):
            self._bind(target.id, value, stmt, path or None)
        elif isinstance(target, (ast.Tuple, ast.List)):
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts) and not path:
                for t, v in zip(target.elts, value.elts):
                    self._bind_target(t, v, stmt)
                return
            for i, t in enumerate(target.elts):
                self._bind_target(t, value, stmt, path + (i,))
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                and target.value.id == "self" and self._cls[-1] is not None and value is not None and not path:
            self._cls[-1].attrs[target.attr] = value
        elif isinstance(target, ast.Starred):
            self._bind_target(target.value, None, stmt)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.imports[alias.asname] = alias.name
            else:
                first = alias.name.split(".")[0]
                self.imports.setdefault(first, first)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        for alias in node.names:
            if alias.name == "*":
                self.star_modules.append(module)
            else:
                self.imports[alias.asname or alias.name] = f"{module}.{alias.name}" if module else alias.name

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        for target in node.targets:
            self._bind_target(target, node.value, node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
            self._bind_target(node.target, node.value, node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.generic_visit(node)
        if isinstance(node.target, ast.Name):
            self._bind(node.target.id, None, node)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        self._bind(node.target.id, node.value, node)

    def visit_For(self, node: ast.For) -> None:
        self.visit(node.iter)
        self._bind_target(node.target, None, node.target)
        for stmt in node.body + node.orelse:
            self.visit(stmt)

    visit_AsyncFor = visit_For  # type: ignore[assignment]

    def visit_withitem(self, node: ast.withitem) -> None:
        self.visit(node.context_expr)
        if node.optional_vars is not None:
            self._bind_target(node.optional_vars, None, node.optional_vars)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        bases = tuple(self.qualified(b) or "" for b in node.bases)
        info = ClassInfo(node, bases)
        self.classes[node.name] = info
        for dec in node.decorator_list:
            self.visit(dec)
        self._cls.append(info)
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                info.methods[stmt.name] = stmt  # type: ignore[assignment]
            self.visit(stmt)
        self._cls.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if self._cls[-1] is None or len(self._scope) > 0:
            self.functions.setdefault(node.name, node)
        for dec in node.decorator_list:
            self.visit(dec)
        self._scope.append(node)
        self.returns[node] = []
        args = node.args
        for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
            if a is not None:
                # a parameter: its value is unknown, and it hides module-level names of its own
                self.bindings.setdefault(a.arg, []).append(Binding(a.arg, None, pos_of(node), node))
        for stmt in node.body:
            self.visit(stmt)
        self._scope.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._scope.append(node)
        self.visit(node.body)
        self._scope.pop()

    def visit_Return(self, node: ast.Return) -> None:
        if node.value is not None:
            self.visit(node.value)
            if self._scope:
                self.returns.setdefault(self._scope[-1], []).append(node.value)

    def visit_Call(self, node: ast.Call) -> None:
        scope = self._scope[-1] if self._scope else None
        self.calls.append(CallSite(node, scope, self._cls[-1]))
        self.generic_visit(node)


_LEAVES = frozenset({ast.Name, ast.Constant, ast.Load, ast.Store, ast.Del, ast.Pass, ast.alias,
                     ast.Break, ast.Continue, ast.arg})
_DISPATCH = {getattr(ast, name[len("visit_"):]): fn for name, fn in vars(ModuleIndex).items()
             if name.startswith("visit_") and hasattr(ast, name[len("visit_"):])}
