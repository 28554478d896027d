"""`[tool.headcheck]` in pyproject.toml, and which files a run lints.

Keys (ruff's names and meanings): `select`, `ignore` (codes or prefixes: 'HC1', 'HC101', 'ALL'),
`per-file-ignores` (glob -> codes), `exclude` (replaces the default excludes), `extend-exclude`.
The nearest pyproject.toml with a `[tool.headcheck]` table above the first path (or the current
directory) is used; globs are matched against the path relative to it and against the file name.
Excludes apply to files found by walking a directory; a file named on the command line is linted.
"""
from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator

from headcheck.errors import InputError

DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".ipynb_checkpoints", ".mypy_cache",
    ".nox", ".pants.d", ".pyenv", ".pytest_cache", ".pytype", ".ruff_cache", ".svn", ".tox", ".venv",
    ".vscode", "__pycache__", "__pypackages__", "_build", "buck-out", "build", "dist",
    "node_modules", "site-packages", "venv",
)
SUFFIXES = (".py", ".pyi", ".ipynb")
_KEYS = {"select", "ignore", "per-file-ignores", "exclude", "extend-exclude"}


@dataclass(frozen=True)
class LintConfig:
    """What to lint and which rules to run. `root` is the directory globs are relative to."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDES
    extend_exclude: tuple[str, ...] = ()
    root: str = "."
    source: str | None = None  # the pyproject.toml it came from

    def ignores_for(self, path: str) -> tuple[str, ...]:
        """`ignore` plus the per-file ignores whose glob matches `path`."""
        extra = tuple(c for pattern, codes in self.per_file_ignores if self._matches(pattern, path) for c in codes)
        return self.ignore + extra

    def excluded(self, path: str) -> bool:
        return _excluded(self.exclude + self.extend_exclude, self.root, path)

    def _matches(self, pattern: str, path: str) -> bool:
        return _excluded((pattern,), self.root, path)


@lru_cache(maxsize=64)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """(regex for file-name globs, regex for path globs relative to the root); None when there are none."""
    names = [fnmatch.translate(p.rstrip("/")) for p in patterns if "/" not in p.rstrip("/")]
    paths = []
    for p in patterns:
        p = p.rstrip("/")
        if "/" in p:
            p = p[2:] if p.startswith("./") else p.lstrip("/")
            paths += [fnmatch.translate(p), fnmatch.translate(p + "/*")]
        else:
            paths.append(fnmatch.translate(p))
    return (re.compile("|".join(names)) if names else None, re.compile("|".join(paths)) if paths else None)


def _excluded(patterns: tuple[str, ...], root: str, path: str) -> bool:
    by_name, by_path = _compiled(patterns)
    if by_name is not None and by_name.match(os.path.basename(path)):
        return True
    if by_path is None:
        return False
    rel = os.path.relpath(os.path.abspath(path), _abs(root)).replace(os.sep, "/")
    return by_path.match(rel) is not None


@lru_cache(maxsize=16)
def _abs(root: str) -> str:
    return os.path.abspath(root)


def check_codes(codes: Iterable[str], what: str) -> tuple[str, ...]:
    """Validate rule codes / prefixes ('HC1', 'HC101', 'ALL') with the one selection parser
    (`headcheck.selection`); InputError for anything else."""
    from headcheck.selection import parse_codes

    return parse_codes(list(codes), what) or ()


def find_pyproject(start: str) -> str | None:
    """The nearest pyproject.toml with a [tool.headcheck] table in `start` or above."""
    d = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    while True:
        candidate = os.path.join(d, "pyproject.toml")
        if os.path.isfile(candidate) and _has_table(candidate):
            return candidate
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def _has_table(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return b"tool.headcheck" in fh.read()
    except OSError:
        return False


def load_config(pyproject: str | None) -> LintConfig:
    """The `[tool.headcheck]` table of a pyproject.toml as a LintConfig (defaults when None)."""
    if pyproject is None:
        return LintConfig()
    import tomllib

    try:
        with open(pyproject, "rb") as fh:
            table = tomllib.load(fh).get("tool", {}).get("headcheck", {})
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise InputError(f"cannot read the configuration in {pyproject}: {e}. Fix the TOML syntax.") from e
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise InputError(
            f"{pyproject}: unknown key(s) {', '.join(unknown)} in [tool.headcheck]: expected "
            f"{', '.join(sorted(_KEYS))}."
        )
    pfi = table.get("per-file-ignores", {})
    if not isinstance(pfi, dict):
        raise InputError(f"{pyproject}: per-file-ignores must be a table of glob = [codes], got {pfi!r}.")
    return LintConfig(
        select=check_codes(_strings(table["select"], "select", pyproject), "select") if "select" in table else None,
        ignore=check_codes(_strings(table.get("ignore", []), "ignore", pyproject), "ignore"),
        per_file_ignores=tuple((k, check_codes(_strings(v, f"per-file-ignores[{k!r}]", pyproject), "per-file-ignores"))
                               for k, v in pfi.items()),
        exclude=_strings(table["exclude"], "exclude", pyproject) if "exclude" in table else DEFAULT_EXCLUDES,
        extend_exclude=_strings(table.get("extend-exclude", []), "extend-exclude", pyproject),
        root=os.path.dirname(os.path.abspath(pyproject)),
        source=pyproject,
    )


def _strings(value: object, key: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise InputError(f"{where}: `{key}` must be a list of strings, got {value!r}.")


def discover(paths: Iterable[str], config: LintConfig) -> Iterator[str]:
    """The files to lint under `paths`, in a stable order. A path that does not exist raises
    InputError (exit code 2)."""
    for path in paths:
        if not os.path.exists(path):
            raise InputError(f"{path}: no such file or directory. Pass existing .py / .ipynb files or directories.")
        if not os.path.isdir(path):
            yield path
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not config.excluded(os.path.join(root, d)))
            for name in sorted(files):
                full = os.path.join(root, name)
                if name.endswith(SUFFIXES) and not config.excluded(full):
                    yield full
