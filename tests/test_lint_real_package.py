"""The linter on real code it was not written for: Keras's own source tree, and import hygiene."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import pytest

from headcheck.lint import lint_paths


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)  # located, never imported
    if spec is None or not spec.submodule_search_locations:
        pytest.skip(f"{name} is not installed")
    return Path(list(spec.submodule_search_locations)[0])


def test_lints_every_file_of_the_installed_keras_without_crashing() -> None:
    root = _package_dir("keras")
    n_files = sum(1 for _ in root.rglob("*.py"))
    start = time.perf_counter()
    results = lint_paths([str(root)], jobs=2)
    elapsed = time.perf_counter() - start
    assert len(results) == n_files > 500
    skipped = [r for r in results if r.skipped is not None]
    assert skipped == []  # Keras's own files all parse
    for r in results:
        for f in r.findings:
            assert f.location is not None and f.location.row >= 1 and f.code.startswith("HC")
    print(f"{n_files} keras files in {elapsed:.1f} s")


def test_import_headcheck_lint_stays_light() -> None:
    code = ("import sys, headcheck.lint, headcheck.commands.lint; "
            "heavy = [m for m in ('torch', 'keras', 'sklearn', 'rich', 'matplotlib', 'pyarrow', 'tensorflow') "
            "if m in sys.modules]; print(heavy)")
    src = str(Path(__file__).resolve().parents[1] / "src")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": src, "PATH": ""})
    assert out.stdout.strip() == "[]"
