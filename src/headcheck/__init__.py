"""headcheck: does the classifier's head (activation x loss x labels x metric) fit the task?

``import headcheck`` needs numpy only; everything heavier is imported when it is used.

>>> import numpy as np, headcheck
>>> rep = headcheck.report(np.array([0, 1, 1, 0]), np.array([0.2, 0.9, 0.4, 0.1]))
>>> rep.task.kind
'binary'
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it (imported on first use, PEP 562). The defining modules are
# private (`_report`, not `report`): importing a submodule binds its name on the package, which
# would shadow a public function of the same name.
_LAZY = {
    "report": "headcheck._report",
    "compare": "headcheck._compare",
    "Comparison": "headcheck._compare",
    "compare_files": "headcheck._compare",
    "Report": "headcheck._report",
    "report_files": "headcheck._report",
    "report_frame": "headcheck._sharded",
    "report_shards": "headcheck._sharded",
    "explain": "headcheck._explain",
    "Explanation": "headcheck._explain",
    "explain_files": "headcheck._explain",
    "check": "headcheck._check",
    "CheckResult": "headcheck._check",
    "infer_task": "headcheck.gate",
    "TaskProfile": "headcheck.task",
    "DataFacts": "headcheck.task",
    "HeadSpec": "headcheck.head",
    "LossSpec": "headcheck.head",
    "MetricSpec": "headcheck.head",
    "Finding": "headcheck.findings",
    "Location": "headcheck.findings",
    "Severity": "headcheck.findings",
    "InputError": "headcheck.errors",
}

__all__ = sorted(_LAZY) + ["__version__"]


# Front-end subpackages reachable as attributes (`headcheck.torch.Monitor`) once their framework is
# installed: importing them imports the framework, so they are imported on first use only.
_FRONTENDS = ("torch", "lightning", "keras")


def __getattr__(name: str) -> Any:
    if name in _FRONTENDS:
        try:
            return import_module(f"headcheck.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"headcheck.{name}":
                raise AttributeError(f"module 'headcheck' has no attribute {name!r}") from None
            raise
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'headcheck' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # pragma: no cover
    from headcheck._check import CheckResult, check
    from headcheck._compare import Comparison, compare, compare_files
    from headcheck.errors import InputError
    from headcheck._explain import Explanation, explain, explain_files
    from headcheck.findings import Finding, Location, Severity
    from headcheck.head import HeadSpec, LossSpec, MetricSpec
    from headcheck._report import Report, report, report_files
    from headcheck._sharded import report_frame, report_shards
    from headcheck.gate import infer_task
    from headcheck.task import DataFacts, TaskProfile
