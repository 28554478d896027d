"""`import headcheck` needs numpy only: nothing heavy is imported until it is used."""
from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = ("sklearn", "torch", "keras", "matplotlib", "pyarrow", "rich", "tensorflow", "jax", "dask",
         "distributed", "pandas", "fsspec", "numba", "llvmlite")


def test_import_headcheck_imports_numpy_but_nothing_heavy():
    code = "import sys, json, headcheck; print(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))"
    env = dict(os.environ, PYTHONPATH=os.path.join(os.path.dirname(__file__), "..", "src"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    mods = set(json.loads(out.stdout))
    assert "headcheck" in mods  # numpy itself comes with the first array-handling module (next test)
    assert not (mods & set(HEAVY)), mods & set(HEAVY)


def test_report_module_import_stays_light():
    code = ("import sys, json, headcheck._report, headcheck.io, headcheck.task; "
            "print(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))")
    env = dict(os.environ, PYTHONPATH=os.path.join(os.path.dirname(__file__), "..", "src"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    mods = set(json.loads(out.stdout))
    assert "numpy" in mods
    assert not (mods & set(HEAVY)), mods & set(HEAVY)
