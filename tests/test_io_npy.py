"""Reading .npy files (headcheck.io.npy)."""
from __future__ import annotations

import numpy as np

from headcheck.io import load_inputs

Y = np.array([0, 2, 1, 2])
P = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.2, 0.5, 0.3], [0.3, 0.3, 0.4]])


def test_npy_is_memory_mapped_and_read_only(tmp_path):
    np.save(tmp_path / "y.npy", Y)
    np.save(tmp_path / "p.npy", P)
    inp = load_inputs([tmp_path / "y.npy", tmp_path / "p.npy"])
    assert isinstance(inp.y_score, np.memmap) and not inp.y_score.flags.writeable
    assert np.array_equal(inp.y_true, Y) and np.array_equal(inp.y_score, P)
    assert inp.sample_weight is None
