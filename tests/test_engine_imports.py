"""The engine needs numpy only: no heavy framework is imported by using it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")

CODE = """
import sys
import numpy as np
from headcheck.engine import new_state, accumulate
from headcheck.task import TaskProfile
for p, y, s in [
    (TaskProfile("binary", 2, "integer", "probabilities", "column"), np.array([0, 1]),
     np.array([0.2, 0.7])),
    (TaskProfile("multiclass", 3, "integer", "logits"), np.array([0, 2]), np.eye(3)[[0, 2]]),
    (TaskProfile("multilabel", 2, "multi-hot", "independent"), np.eye(2, dtype=np.uint8),
     np.eye(2) * 0.8),
]:
    accumulate(p, [(y, s, None)]).result()
heavy = {"sklearn", "torch", "keras", "torchmetrics", "matplotlib", "pyarrow", "scipy"}
print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))
"""


def test_engine_imports_numpy_only():
    env = {**os.environ, "PYTHONPATH": SRC}
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, env=env,
                         check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
