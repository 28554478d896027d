"""torchmetrics views (headcheck.views.torchmetrics) against torchmetrics.functional, on
hypothesis-generated data with ties (torchmetrics takes no weights: weighted data only says so)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from views_data import SETTINGS, binary_data, close, multiclass_data, multilabel_data, run

from headcheck.task import TaskProfile

torch = pytest.importorskip("torch")
tmf = pytest.importorskip("torchmetrics.functional")


@SETTINGS
@given(multiclass_data())
def test_multiclass_views(d):
    y, s, w, logits = d
    K = s.shape[1]
    v = run(TaskProfile("multiclass", K, "integer", "logits" if logits else "probabilities"),
            y, s, w).views
    if w is None:  # torchmetrics takes no weights
        p, t = torch.tensor(s), torch.tensor(y)
        close(v["torchmetrics.accuracy"], float(tmf.accuracy(p, t, task="multiclass",
                                                             num_classes=K)))
        close(v["torchmetrics.multiclass_accuracy"],
              float(tmf.classification.multiclass_accuracy(p, t, num_classes=K)))
    else:
        assert "no sample weights" in v["torchmetrics.accuracy"].note


@SETTINGS
@given(binary_data(), st.sampled_from(["column", "two-columns"]))
def test_binary_views(d, layout):
    y, s, w, logits = d
    v = run(TaskProfile("binary", 2, "integer", "logits" if logits else "probabilities", layout),
            y, s, w).views
    if w is None:
        close(v["torchmetrics.accuracy"],
              float(tmf.accuracy(torch.tensor(s), torch.tensor(y), task="binary")))
    else:
        assert "no sample weights" in v["torchmetrics.accuracy"].note


def test_binary_logits_at_half():
    z = np.array([0.3, -1.0, 2.0, 0.4], dtype=np.float32)
    res = run(TaskProfile("binary", 2, "integer", "logits", "column"), np.array([1, 0, 1, 0]), z)
    assert res.views["torchmetrics.accuracy"].value == float(
        tmf.accuracy(torch.tensor(z), torch.tensor([1, 0, 1, 0]), task="binary"))


@SETTINGS
@given(multilabel_data())
def test_multilabel_views(d):
    y, s, w, logits = d
    L = y.shape[1]
    v = run(TaskProfile("multilabel", L, "multi-hot", "logits" if logits else "independent"),
            y, s, w).views
    if w is None:
        ps, t = torch.tensor(s), torch.tensor(y.astype(np.int64))
        close(v["torchmetrics.accuracy"], float(tmf.accuracy(ps, t, task="multilabel",
                                                             num_labels=L)))
        cl = tmf.classification
        close(v["torchmetrics.multilabel_accuracy"], float(cl.multilabel_accuracy(ps, t, L)))
        close(v["torchmetrics.multilabel_exact_match"],
              float(cl.multilabel_exact_match(ps, t, L)))


def test_hard_multiclass_predictions_views():
    y = np.array([0, 1, 2, 2, 1, 0])
    pred = np.array([0, 2, 2, 2, 1, 1])
    res = run(TaskProfile("multiclass", 3, "integer", "hard"), y, pred)
    close(res.views["torchmetrics.multiclass_accuracy"],
          float(tmf.classification.multiclass_accuracy(torch.tensor(pred), torch.tensor(y), 3)))
