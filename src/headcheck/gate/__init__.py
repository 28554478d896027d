"""The data gate: every label and score array headcheck reads passes through here.

One module per step, each used by every command (`check`, `report`, `explain`, the live checks):

- `arrays`: user input as arrays (rank, emptiness, dtype), the non-finite score error;
- `labels`: **the one label profiler** (`label_facts` -> `LabelFacts`) and its labels-only mode
  (`profile_labels`, used by `check`: a TaskProfile and DataFacts from labels alone);
- `policy`: what is an input error and what is a finding (stated once, see its docstring);
- `infer`: task inference from labels + scores (`infer_task`), the corrections a pass may make
  (`verify_score_range`, `correct_score_kind`);
- `canonical`: one raw chunk -> the canonical chunk the engine's kernels read (`canonical_chunk`).

A metric pass (`headcheck.engine.pipeline`) calls `infer_task` once, then `canonical_chunk` on
every chunk wherever the chunk is processed; a training callback hands each batch of labels and
outputs to the same two functions (`headcheck.engine.pipeline.Feed`).

>>> import numpy as np
>>> p = infer_task(np.array([True, False]), np.array([0.8, 0.3]))
>>> p.kind, p.label_encoding, profile_labels(np.array([True, False]))[0].label_encoding
('binary', 'boolean', 'boolean')
"""
from __future__ import annotations

from headcheck.gate.arrays import as_input_array, as_labels, nonfinite_error, scan_nonfinite
from headcheck.gate.canonical import canonical_chunk, canonical_labels, canonical_scores
from headcheck.gate.infer import (
    ScoreKindMismatch,
    correct_score_kind,
    infer_task,
    verify_score_range,
)
from headcheck.gate.labels import (
    SAMPLE_ROWS,
    LabelFacts,
    check_label_block,
    label_facts,
    profile_labels,
)
from headcheck.gate.policy import (
    BLOCKING_RULES,
    LabelsRejected,
    blocking_findings,
    reject_bad_indices,
)

__all__ = [
    "BLOCKING_RULES",
    "SAMPLE_ROWS",
    "LabelFacts",
    "LabelsRejected",
    "ScoreKindMismatch",
    "as_input_array",
    "as_labels",
    "blocking_findings",
    "canonical_chunk",
    "canonical_labels",
    "canonical_scores",
    "check_label_block",
    "correct_score_kind",
    "infer_task",
    "label_facts",
    "nonfinite_error",
    "profile_labels",
    "reject_bad_indices",
    "scan_nonfinite",
    "verify_score_range",
]
