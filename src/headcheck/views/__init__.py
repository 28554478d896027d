"""Framework views: what each framework's own function would print on the data of one pass.

One module per framework (``keras.py``, ``sklearn.py``, ``torchmetrics.py``). A module marks each of
its view functions with ``@register(framework, kind)`` for one task kind (binary, multiclass,
multilabel); the modules are found by walking this package, never listed by hand. A view function
reads the statistics a state already keeps (``state.stats`` and the state's helpers: the engine's
stats layout is the contract) and returns ``{view_id: View}``, every id starting with
``framework + "."``; it may append a sentence to ``notes`` to say why a view is not shown.

A module may also declare, for ``explain``:

- ``HONEST``: view id -> {task kind or ``"*"``: the honest metric id to report instead};
- ``PRINTED_NAMES``: the name the framework prints in its logs (``val_`` stripped) -> view id.

Adding a framework's views is one new module here plus its tests; the engine states call
`compute_views`, `explain` reads `honest_metric` / `view_for_name`.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable

from headcheck.task import TASK_KINDS

if TYPE_CHECKING:  # pragma: no cover - the engine imports this package: no cycle at run time
    from headcheck.engine._result import View

ViewFunction = Callable[[Any, dict, list], dict]  # (state, metrics, notes) -> {view_id: View}
_MARK = "__headcheck_views__"

__all__ = ["ViewSet", "clear_cache", "compute_views", "honest_metric", "register",
           "registry", "view_for_name"]


@dataclass(frozen=True)
class ViewSet:
    """One framework's views for one task kind."""

    framework: str
    kind: str
    compute: ViewFunction
    module: str


def register(framework: str, kind: str) -> Callable[[ViewFunction], ViewFunction]:
    """Mark `fn(state, metrics, notes) -> {view_id: View}` as `framework`'s views for `kind`."""
    if kind not in TASK_KINDS:
        raise ValueError(f"views are registered for one of {TASK_KINDS}; got {kind!r}")

    def mark(fn: ViewFunction) -> ViewFunction:
        setattr(fn, _MARK, (framework, kind))
        return fn

    return mark


def _modules() -> list[Any]:
    import headcheck.views as pkg

    names = sorted(info.name for info in pkgutil.iter_modules(pkg.__path__)
                   if not info.name.startswith("_"))
    return [importlib.import_module(f"{pkg.__name__}.{name}") for name in names]


@lru_cache(maxsize=None)
def registry() -> tuple[ViewSet, ...]:
    """Every registered view set, by module name (so by framework), then in definition order."""
    out: list[ViewSet] = []
    seen: dict[tuple[str, str], str] = {}
    for module in _modules():
        for obj in vars(module).values():
            key = getattr(obj, _MARK, None)
            if key is None or getattr(obj, "__module__", None) != module.__name__:
                continue
            if key in seen:
                raise ValueError(f"views of {key[0]} for {key[1]} registered twice: in "
                                 f"{seen[key]} and {module.__name__}")
            seen[key] = module.__name__
            out.append(ViewSet(key[0], key[1], obj, module.__name__))
    return tuple(out)


def compute_views(state: Any, metrics: dict, notes: list[str]) -> dict[str, View]:
    """Every framework's views for the state's task kind (`state.kind`), framework by framework."""
    out: dict[str, View] = {}
    for vs in registry():
        if vs.kind != state.kind:
            continue
        for view_id, view in vs.compute(state, metrics, notes).items():
            if not view_id.startswith(vs.framework + "."):
                raise ValueError(f"{vs.module}: view id {view_id!r} must start with "
                                 f"'{vs.framework}.'")
            out[view_id] = view
    return out


@lru_cache(maxsize=None)
def _tables() -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    honest: dict[str, dict[str, str]] = {}
    printed: dict[str, str] = {}
    for module in _modules():
        honest.update(getattr(module, "HONEST", {}))
        printed.update(getattr(module, "PRINTED_NAMES", {}))
    return honest, printed


def honest_metric(view_id: str, kind: str) -> str | None:
    """The honest metric id to report instead of the view `view_id` on a `kind` task (None: the
    task's default metric)."""
    table = _tables()[0].get(view_id, {})
    return table.get(kind, table.get("*"))


def view_for_name(name: str) -> str | None:
    """The view that computes a metric printed as `name` (e.g. 'val_binary_accuracy')."""
    key = name.strip().lower().removeprefix("val_")
    return _tables()[1].get(key)


def clear_cache() -> None:
    """Forget the walked modules (a test that adds a module to the package calls this)."""
    registry.cache_clear()
    _tables.cache_clear()
