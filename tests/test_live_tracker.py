"""The framework-neutral live tracker: honest metrics equal `report` (and scikit-learn) on the same
predictions, bounded memory, the per-epoch history, the training findings and the guard."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from sklearn import metrics as skm

import headcheck
from headcheck.errors import InputError
from headcheck.head import HeadSpec
from headcheck.live import Guard, HeadCheckWarning, Tracker

# metrics that are ratios of counts: equal to the last bit whatever the chunking
COUNTING = ("accuracy", "balanced_accuracy", "macro_f1", "micro_f1", "weighted_f1", "mcc",
            "cohen_kappa", "macro_precision", "macro_recall", "per_label_accuracy",
            "subset_accuracy", "hamming_loss")


def _data(kind: str, n: int, rng: np.random.Generator):
    if kind == "binary":
        y = rng.integers(0, 2, n)
        return y, (1 / (1 + np.exp(-(2 * y - 1 + rng.normal(0, 1.5, n))))).astype(np.float32)
    if kind == "multiclass":
        y = rng.integers(0, 4, n)
        return y, (rng.normal(0, 1.5, (n, 4)) + 1.2 * np.eye(4)[y]).astype(np.float32)  # logits
    y = (rng.random((n, 3)) < 0.3).astype(np.float32)
    return y, (rng.random((n, 3)) * 0.5 + 0.5 * y).astype(np.float32)


def _feed(tracker, y, s, batch):
    for i in range(0, len(y), batch):
        tracker.update(s[i:i + batch], y[i:i + batch], loss=0.5)


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
def test_epoch_metrics_equal_report_exactly_and_sklearn(kind):
    rng = np.random.default_rng(7)
    y, s = _data(kind, 1000, rng)
    y0, s0 = y.copy(), s.copy()
    t = Tracker()
    _feed(t, y, s, 37)
    epoch = t.end_epoch()
    rep = headcheck.report(y, s)
    assert epoch.metrics == rep.metrics  # every metric, to the last bit
    assert epoch.profile == rep.task or epoch.profile.score_kind == rep.task.score_kind
    assert np.array_equal(y, y0) and np.array_equal(s, s0)  # nothing given is modified
    if kind == "multilabel":
        assert epoch.metrics["subset_accuracy"] == pytest.approx(skm.accuracy_score(y, s > 0.5), abs=1e-12)
        assert epoch.metrics["hamming_loss"] == pytest.approx(skm.hamming_loss(y, s > 0.5), abs=1e-12)
        return
    pred = (s > 0.5).astype(int) if kind == "binary" else s.argmax(1)
    assert epoch.metrics["accuracy"] == pytest.approx(skm.accuracy_score(y, pred), abs=1e-12)
    assert epoch.metrics["balanced_accuracy"] == pytest.approx(skm.balanced_accuracy_score(y, pred), abs=1e-12)
    assert epoch.metrics["macro_f1"] == pytest.approx(skm.f1_score(y, pred, average="macro"), abs=1e-12)
    if kind == "multiclass":
        p = np.exp(s.astype(np.float64) - s.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        assert epoch.metrics["log_loss"] == pytest.approx(skm.log_loss(y, p), rel=1e-5)


def test_epochs_larger_than_the_buffer_count_exactly_and_sum_to_float_rounding():
    rng = np.random.default_rng(3)
    y, s = _data("multiclass", 3000, rng)
    t = Tracker(buffer_rows=256)
    _feed(t, y, s, 50)
    assert t._buf.capacity == 256 and len(t._buf._s) <= 256  # memory: one bounded chunk
    epoch = t.end_epoch()
    rep = headcheck.report(y, s)
    for name in COUNTING:
        if name in rep.metrics:
            assert epoch.metrics[name] == rep.metrics[name], name
    assert epoch.metrics["log_loss"] == pytest.approx(rep.metrics["log_loss"], rel=1e-12)
    assert epoch.n_samples == 3000


def test_each_epoch_starts_again_and_the_history_keeps_one_value_per_epoch():
    rng = np.random.default_rng(0)
    t = Tracker(framework="pytorch")
    y, s = _data("binary", 200, rng)
    t.update(s, y, loss=0.9)
    t.update(s, y, loss=0.7)
    first = t.end_epoch({"val_acc": 0.7})
    second_y, second_s = _data("binary", 100, rng)
    t.update(second_s, second_y, loss=0.5)
    second = t.end_epoch({"val_acc": 0.75, "lr": 0.01})
    h = t.history
    assert first.epoch == 1 and second.epoch == 2 and h.epochs == 2
    assert first.n_samples == 400 and second.n_samples == 100
    assert h.logged["loss"] == (0.8, 0.5) and h.first_batch_loss == 0.9 and h.first_epoch_loss == 0.8
    assert h.logged["val_acc"] == (0.7, 0.75)
    assert math.isnan(h.logged["lr"][0]) and h.logged["lr"][1] == 0.01  # aligned by epoch
    assert h.honest["accuracy"][1] == second.metrics["accuracy"]
    assert h.class_counts == second.result.facts.class_counts and h.framework == "pytorch"


def test_a_resumed_model_has_no_untrained_loss():
    t = Tracker(untrained=False)
    t.update(np.array([0.2, 0.9]), np.array([0, 1]), loss=0.1)
    t.end_epoch()
    assert t.history.first_batch_loss is None and t.history.first_epoch_loss is None


def test_losses_without_outputs_and_logged_values_of_any_numeric_kind():
    t = Tracker()
    t.add_loss(np.float32(0.25))
    t.add_loss(np.array(0.75))
    epoch = t.end_epoch({"accuracy": np.float64(0.5), "note": "text is not a number"})
    assert epoch.loss == 0.5 and epoch.metrics == {} and epoch.n_samples == 0
    assert t.history.logged == {"accuracy": (0.5,), "loss": (0.5,)}


def test_ignore_index_rows_are_left_out_as_the_loss_leaves_them():
    t = Tracker(ignore_index=-100)
    t.update(np.array([[2.0, 0.0], [0.0, 2.0], [2.0, 0.0]]), np.array([0, -100, 1]))
    epoch = t.end_epoch()
    assert epoch.n_samples == 2 and epoch.metrics["accuracy"] == 0.5


def test_one_column_targets_of_a_one_output_model_are_binary_labels():
    t = Tracker()
    t.update(np.array([[0.8], [0.3], [0.6]]), np.array([[1.0], [0.0], [0.0]]))
    epoch = t.end_epoch()
    assert epoch.profile.kind == "binary" and epoch.metrics["accuracy"] == pytest.approx(2 / 3)


# --- training findings -------------------------------------------------------------------------

def _codes(findings):
    return [f.code for f in findings]


def test_collapse_to_the_majority_class_is_stuck_and_collapsed_once_reported():
    y = np.array([0] * 60 + [1] * 25 + [2] * 15)
    s = np.tile([[0.6, 0.25, 0.15]], (100, 1)).astype(np.float32)  # the same prediction for everyone
    t = Tracker(framework="pytorch")
    results = []
    for _ in range(5):
        t.update(s, y, loss=0.95)
        results.append(t.end_epoch({"val_acc": 0.6}))
    assert "HC402" in _codes(results[0].new_findings)  # collapsed from the first epoch
    last = results[-1]
    assert {"HC401", "HC402"} <= set(_codes(last.findings))
    assert _codes(last.new_findings) == ["HC401"]  # HC402 was reported already
    stuck = next(f for f in last.findings if f.code == "HC401")
    assert "majority-class rate" in stuck.message and str(stuck.severity) == "error"


def test_a_learning_run_gives_no_training_finding():
    rng = np.random.default_rng(1)
    t = Tracker(framework="pytorch", head=HeadSpec.declared(activation="linear", units=4,
                                                            loss="nn.CrossEntropyLoss"))
    for epoch in range(6):
        y = rng.integers(0, 4, 400)
        s = rng.normal(0, 1, (400, 4)) + (0.5 + 0.4 * epoch) * np.eye(4)[y]
        for i in range(0, 400, 50):
            t.update(s[i:i + 50], y[i:i + 50], loss=1.38 if epoch == i == 0 else 1.2 - 0.1 * epoch)
        result = t.end_epoch()
        assert result.findings == (), result.findings


def test_nan_loss_and_nan_outputs_are_non_finite_findings():
    t = Tracker(framework="pytorch")
    s = np.array([[0.1, 0.2], [np.nan, np.nan], [0.3, -0.1]])
    t.update(s, np.array([1, 0, 0]), loss=float("nan"))
    epoch = t.end_epoch()
    assert epoch.nonfinite_rows == 1 and epoch.n_samples == 2
    assert _codes(epoch.findings) == ["HC403"] and "loss is nan" in epoch.findings[0].message


def test_a_first_batch_of_only_nan_outputs_is_counted_not_an_error():
    t = Tracker()
    t.update(np.full((4, 3), np.nan), np.array([0, 1, 2, 0]))
    t.update(np.array([[1.0, 0.0, 0.0]]), np.array([0]))
    epoch = t.end_epoch()
    assert epoch.nonfinite_rows == 4 and epoch.n_samples == 1 and t.history.nonfinite_outputs == 4
    assert "HC403" in _codes(epoch.findings)


def test_first_loss_off_reads_the_head():
    head = HeadSpec.declared(activation="softmax", units=10, loss="nn.CrossEntropyLoss")
    t = Tracker(framework="pytorch", head=head)
    t.add_loss(9.5)  # log 10 = 2.30: 4x above
    findings = _codes(t.end_epoch().findings)
    assert findings == ["HC404"]


def test_logged_metric_that_differs_from_the_honest_one_names_its_definition():
    rng = np.random.default_rng(2)
    y, s = _data("multiclass", 300, rng)
    t = Tracker(framework="pytorch")
    t.update(s, y)
    epoch = t.end_epoch({"val_acc": 0.97}, counterparts={"val_acc": "accuracy"},
                        definitions={"val_acc": "torchmetrics.multiclass_accuracy"})
    hc405 = [f for f in epoch.findings if f.code == "HC405"]
    assert hc405 and "computed as `torchmetrics.multiclass_accuracy`" in hc405[0].message
    assert t.counterparts == {"val_acc": "accuracy"}  # kept for the later epochs


def test_selection_of_the_rules_run_at_epoch_end():
    with pytest.raises(InputError):
        Tracker(select=["HC999"])
    t = Tracker(ignore=["HC403"])
    t.add_loss(float("inf"))
    assert t.end_epoch().findings == ()


# --- bad use ---------------------------------------------------------------------------------

@pytest.mark.parametrize("outputs, targets, expected", [
    (np.zeros((4, 3)), None, "got no targets"),
    (None, np.zeros(4), "got no outputs"),
    (np.zeros((4, 3)), np.zeros(5), "targets do not fit the outputs: 4 output rows"),
    (np.zeros((4, 3, 2)), np.zeros(4), "move the class axis last"),
    (np.zeros((4, 3)), np.zeros((4, 3, 1)), "Flatten sequence targets"),
])
def test_bad_batches_get_a_clear_message(outputs, targets, expected):
    with pytest.raises(InputError, match=expected.replace("(", r"\(")):
        Tracker().update(outputs, targets)


def test_a_loss_that_is_not_one_number():
    with pytest.raises(InputError, match="one number per batch"):
        Tracker().add_loss(np.zeros(3))


def test_labels_past_the_outputs_are_rejected_with_the_rule_code():
    t = Tracker()
    t.update(np.eye(3), np.array([1, 2, 3]))  # 1-based labels
    with pytest.raises(InputError, match="HC203"):
        t.end_epoch()


def test_guard_turns_the_first_exception_into_one_warning_and_disables():
    g = Guard("headcheck.torch.Monitor")
    t = Tracker()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert g.call(t.update, np.zeros((2, 2)), None) is None
        assert g.call(t.update, np.zeros((2, 2)), np.zeros(2)) is None  # disabled: not run
    assert g.disabled and len(caught) == 1 and caught[0].category is HeadCheckWarning
    text = str(caught[0].message)
    assert "got no targets" in text and "the training goes on" in text
    assert t._buf is None  # the second call never ran


def test_guard_names_a_bug_as_a_bug_and_strict_lets_it_through():
    with pytest.warns(HeadCheckWarning, match="This is a bug in headcheck"):
        Guard("x").call(lambda: {}["missing"])
    with pytest.raises(KeyError):
        Guard("x", strict=True).call(lambda: {}["missing"])


def test_sample_weights_give_the_weighted_report():
    rng = np.random.default_rng(5)
    y, s = _data("binary", 300, rng)
    w = rng.random(300)
    t = Tracker()
    for i in range(0, 300, 64):
        t.update(s[i:i + 64], y[i:i + 64], sample_weight=w[i:i + 64])
    assert t.end_epoch().metrics == headcheck.report(y, s, sample_weight=w).metrics


def test_the_live_package_imports_no_framework():
    import json
    import os
    import subprocess
    import sys

    code = ("import sys, json, headcheck.live; "
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    env = dict(os.environ, PYTHONPATH=os.path.join(os.path.dirname(__file__), "..", "src"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert not set(json.loads(out.stdout)) & {"torch", "keras", "lightning", "tensorflow", "jax", "sklearn"}
