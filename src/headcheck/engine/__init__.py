"""The one-pass metric engine: mergeable per-task states -> metrics, views, baselines.

>>> import numpy as np
>>> from headcheck.task import TaskProfile
>>> from headcheck.engine import new_state
>>> state = new_state(TaskProfile("multiclass", 3, "integer", "probabilities"))
>>> state.update(np.array([0, 1, 2]), np.array([[.8, .1, .1], [.2, .7, .1], [.5, .3, .2]]))
>>> round(state.result().metrics["accuracy"], 3)
0.667
"""
from __future__ import annotations

from headcheck.engine._result import Baseline, Calibration, EngineResult, View
from headcheck.engine._run import accumulate, new_state, state_from_dict
from headcheck.engine._state import State

__all__ = ["Baseline", "Calibration", "EngineResult", "State", "View", "accumulate", "new_state",
           "state_from_dict"]
