"""Tracker: one training run seen epoch by epoch, for any framework.

A front-end hands the tracker plain arrays (numpy, or anything `np.asarray` reads) and numbers:

    tracker.update(outputs, targets, loss)   # each batch whose outputs it sees
    tracker.add_loss(loss)                   # a batch whose loss only it sees
    epoch = tracker.end_epoch(logged)        # the framework's logged metrics of the epoch

What it keeps: the mergeable engine state of the current epoch, and a bounded buffer of at most
one chunk of rows (`buffer_rows`, by default the chunk `report` reads at once, about 32 MiB of
outputs; smaller epochs use less). Batches are copied into the buffer and folded into the state
through `headcheck.engine.pipeline.Feed` (the same gate and kernel as `report`) when it is full
and at the epoch's end: no list of batches is kept, and the per-batch cost is one copy. Because
the buffer is folded in the chunks `report` would read, an epoch that fits in one chunk gives
exactly the numbers `headcheck.report` gives on the same predictions (larger epochs: the counting
metrics exactly, sums such as log loss to the last bits of float64).

What `end_epoch` gives (`EpochResult`): the honest metrics of the epoch's outputs, the mean loss,
and the training findings: the rule catalogue run on a `Context` holding the head (when the
front-end knows it), the task and data facts of the epoch, and the `TrainingHistory` so far
(HC401 stuck metric, HC402 collapsed predictions, HC403 non-finite loss or outputs, HC404 first
loss off, HC405 logged differs from recomputed).

The task (binary / multiclass / multilabel) and the reading of the outputs (probabilities,
independent sigmoids, logits) are inferred from each epoch's first chunk as `report` infers them
from its data, unless the front-end states them (`task`, `score_kind`): a front-end that knows the
head should (a logit output that happens to stay within [0, 1] for a whole epoch reads as a
probability otherwise). Rows whose target is the loss's `ignore_index` are left out, as the loss
leaves them out; rows with NaN/inf outputs are counted (HC403) and left out of the metrics.

>>> import numpy as np
>>> t = Tracker(framework="pytorch")
>>> for epoch in range(2):
...     t.update(np.array([0.9, 0.2, 0.7]), np.array([1, 0, 0]), loss=0.5)
...     result = t.end_epoch({"val_acc": 0.66})
>>> round(result.metrics["accuracy"], 4), t.history.logged["loss"], t.history.first_batch_loss
(0.6667, (0.5, 0.5), 0.5)
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from headcheck.errors import InputError, describe_array
from headcheck.history import TrainingHistory

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.engine._result import EngineResult
    from headcheck.engine.pipeline import Feed
    from headcheck.findings import Finding
    from headcheck.head import HeadSpec
    from headcheck.task import DataFacts, TaskProfile

# The rules a tracker runs at each epoch end by default: the training findings. The head and
# data findings are the front-end's (`check` at the start of the training, `report` after it).
TRAINING_RULES: tuple[str, ...] = ("HC4",)


@dataclass(frozen=True)
class EpochResult:
    """What one epoch showed.

    epoch: 1-based number of the epoch.
    metrics: the honest metrics of the epoch's outputs, by metric id (empty when no outputs were
        given, or every output row was NaN/inf).
    loss: the mean of the batch losses given for the epoch (None when none was given).
    findings: every training finding after this epoch (a stuck metric stays a finding).
    new_findings: the findings whose rule had not fired in an earlier epoch (print these).
    n_samples: the rows the metrics read; nonfinite_rows: rows left out for NaN/inf outputs.
    result: the engine's full result (views, per-class rows, baselines) or None.
    """

    epoch: int
    metrics: dict[str, float]
    loss: float | None
    findings: tuple[Finding, ...]
    new_findings: tuple[Finding, ...]
    n_samples: int = 0
    nonfinite_rows: int = 0
    profile: TaskProfile | None = field(default=None, compare=False)
    result: EngineResult | None = field(default=None, repr=False, compare=False)


class Tracker:
    """The live state of one training run (see the module docstring).

    framework: the front-end's framework ('keras', 'tf.keras', 'pytorch', 'lightning'): the
        wording of the findings when no head is given.
    head: the head the front-end built from the live objects (`check`), read by HC404 (the loss's
        untrained expectation) and for the wording.
    task, threshold, score_kind: as in `report` (stated instead of inferred).
    ignore_index: targets with this value are left out (PyTorch's `ignore_index`).
    untrained: the model is untrained when the tracker starts, so the first loss it receives is
        the untrained loss HC404 reads (False when fine-tuning or resuming).
    select, ignore: the rules run at each epoch end (default: the HC4xx training rules).
    buffer_rows: rows folded at once (default: the chunk `report` reads at once).
    """

    def __init__(self, *, framework: str | None = None, head: HeadSpec | None = None,
                 task: str | None = None, threshold: float | None = None,
                 score_kind: str | None = None, ignore_index: int | None = None,
                 untrained: bool = True, select: Iterable[str] | None = TRAINING_RULES,
                 ignore: Iterable[str] | None = None, top_k: tuple[int, ...] = (5,),
                 n_bins: int = 15, kernel: Any = None, buffer_rows: int | None = None,
                 loss_name: str = "loss") -> None:
        from headcheck.selection import selection

        self.framework = framework
        self.head = head
        self.ignore_index = ignore_index
        self.untrained = untrained
        self.select = None if select is None else tuple(select)
        self.ignore = None if ignore is None else tuple(ignore)
        selection(self.select, self.ignore)  # InputError now for a selector that names no rule
        self.loss_name = loss_name
        self._infer = {"task": task, "threshold": threshold, "score_kind": score_kind}
        self._options = {"top_k": tuple(top_k), "n_bins": int(n_bins), "kernel": kernel}
        self._buffer_rows = buffer_rows
        self.epoch = 0  # epochs ended
        self._logged: dict[str, list[float]] = {}
        self._honest: dict[str, list[float]] = {}
        self.counterparts: dict[str, str] = {}
        self.definitions: dict[str, str] = {}
        self.first_batch_loss: float | None = None
        self.first_epoch_loss: float | None = None
        self.nonfinite_rows = 0  # over the whole run
        self.history = TrainingHistory(framework=framework)
        self.findings: tuple[Finding, ...] = ()
        self._reported: set[str] = set()
        self._losses_seen = 0
        self._start_epoch()

    # -- per batch ----------------------------------------------------------------------------
    def update(self, outputs: object, targets: object, loss: object = None,
               sample_weight: object = None) -> None:
        """Add one batch: the model's outputs ((N,) or (N, K)), the targets ((N,) class indices
        or 0/1 values, or (N, K) one-hot / multi-hot rows), optionally the batch's loss and
        per-sample weights. The arrays are copied; nothing given is modified or kept."""
        if loss is not None:
            self.add_loss(loss)
        s, y, w = _batch_arrays(outputs, targets, sample_weight)
        if self.ignore_index is not None and y.ndim == 1 and y.dtype.kind in "iu":
            keep = y != self.ignore_index
            if not keep.all():
                s, y, w = s[keep], y[keep], None if w is None else w[keep]
        if len(y):
            self._add_rows(y, s, w)

    def add_loss(self, loss: object, count: int = 1) -> None:
        """Add one batch's loss (a number, or anything `float()` reads: a 0-d array or tensor), or
        with `count` > 1 the sum of that many batches' losses (a front-end that sums on a device)."""
        try:
            value = float(loss)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise InputError(f"loss: expected one number per batch (the batch's mean loss); got "
                             f"{describe_array(loss)}. Pass `loss.item()` or the 0-d loss tensor.") from None
        if self._losses_seen == 0 and self.untrained and count == 1:
            self.first_batch_loss = value
        self._losses_seen += count
        self._loss_sum += value
        self._loss_n += count

    # -- per epoch ----------------------------------------------------------------------------
    def end_epoch(self, logged: Mapping[str, object] | None = None, *,
                  counterparts: Mapping[str, str] | None = None,
                  definitions: Mapping[str, str] | None = None) -> EpochResult:
        """Close the epoch: fold what is buffered, compute the honest metrics, record the epoch's
        loss and the framework's `logged` metrics (name -> number; Keras's `logs`, Lightning's
        `callback_metrics`), and run the training rules. `counterparts` pairs a logged name with
        the honest metric id it claims to measure ('val_accuracy' -> 'accuracy') and
        `definitions` names the definition the framework used ('keras.binary_accuracy'); both
        are read by HC405 and kept for the later epochs."""
        self._flush()
        feed, dropped = self._feed, self._dropped
        result = None
        if feed is not None and feed.state is not None and feed.state.n_samples > 0:
            result = feed.result(strict=False)
        nonfinite = dropped + (feed.state.n_nonfinite if feed is not None and feed.state is not None else 0)
        self.nonfinite_rows += nonfinite
        loss = self._loss_sum / self._loss_n if self._loss_n else None
        self.counterparts.update(counterparts or {})
        self.definitions.update(definitions or {})
        self._record(logged, loss, result)
        profile = feed.profile if feed is not None else None
        facts = result.facts if result is not None else None
        self.findings = tuple(self._run_rules(profile, facts))
        new = tuple(f for f in self.findings if f.code not in self._reported)
        self._reported.update(f.code for f in new)
        out = EpochResult(epoch=self.epoch, metrics=dict(result.metrics) if result is not None else {},
                          loss=loss, findings=self.findings, new_findings=new,
                          n_samples=result.n_samples if result is not None else 0,
                          nonfinite_rows=nonfinite, profile=profile, result=result)
        self._start_epoch()
        return out

    def mark_reported(self, codes: Iterable[str]) -> None:
        """Rules whose findings the front-end has shown already (the head check at the start):
        they are not `new_findings` again."""
        self._reported.update(codes)

    def context(self, profile: TaskProfile | None = None, facts: DataFacts | None = None) -> Any:
        """The rule context of the run so far (head, the epoch's task and data, history)."""
        from headcheck.rules import Context

        counts = getattr(facts, "class_counts", None)
        if profile is not None and counts:
            profile = replace(profile, class_counts=tuple(float(c) for c in counts))
        return Context(head=self.head, task=profile, data=facts, history=self.history)

    # -- internals ----------------------------------------------------------------------------
    def _start_epoch(self) -> None:
        self._feed: Feed | None = None
        self._dropped = 0  # rows with non-finite outputs before the task could be inferred
        self._buf: _Buffer | None = None
        self._loss_sum = 0.0
        self._loss_n = 0

    def _add_rows(self, y: np.ndarray, s: np.ndarray, w: np.ndarray | None) -> None:
        if self._buf is None or not self._buf.fits(y, s, w):
            self._flush()
            rows = self._buffer_rows
            if rows is None:
                from headcheck.io import default_chunk_rows

                rows = default_chunk_rows(s)
            self._buf = _Buffer(y, s, w, max(int(rows), 1))
        if len(y) > self._buf.capacity:  # a batch larger than a chunk goes in directly
            self._flush()
            self._fold(y, s, w)
            return
        if self._buf.room < len(y):
            self._flush()
        self._buf.add(y, s, w)

    def _flush(self) -> None:
        buf = self._buf
        if buf is not None and buf.n:
            y, s, w = buf.view()
            self._fold(y, s, w)
            buf.clear()

    def _fold(self, y: np.ndarray, s: np.ndarray, w: np.ndarray | None) -> None:
        if self._feed is None:
            self._feed = self._new_feed(y, s)
            if self._feed is None:  # every row non-finite: nothing to infer the task from
                self._dropped += len(y)
                return
        if self._feed.profile.score_kind == "hard" and s.dtype.kind == "f":
            # hard scores are canonicalised by argmax, which would read a NaN row as class 0
            y, s, w, bad = _finite_rows(y, s, w)
            self._dropped += bad
        with np.errstate(over="ignore", under="ignore"):  # saturated logits: harmless, not the user's noise
            self._feed.update(y, s, w)

    def _new_feed(self, y: np.ndarray, s: np.ndarray) -> Feed | None:
        """A feed whose task is inferred from this first chunk of the epoch (its finite rows)."""
        from headcheck.engine.pipeline import Feed
        from headcheck.gate import infer_task

        y, s, _, bad = _finite_rows(y, s, None)
        if bad and not len(y):
            return None
        profile = infer_task(y, s, **self._infer)  # type: ignore[arg-type]
        return Feed(profile, **self._options)

    def _record(self, logged: Mapping[str, object] | None, loss: float | None,
                result: EngineResult | None) -> None:
        values = {name: _number(v) for name, v in (logged or {}).items()}
        values = {k: v for k, v in values.items() if v is not None}
        if loss is not None and self.loss_name not in values:
            values[self.loss_name] = loss
        _append(self._logged, values, self.epoch)
        _append(self._honest, dict(result.metrics) if result is not None else {}, self.epoch)
        if self.epoch == 0:
            first = values.get(self.loss_name)
            self.first_epoch_loss = first if self.untrained else None
        self.epoch += 1
        facts = result.facts if result is not None else None
        self.history = TrainingHistory(
            framework=self.framework,
            logged={k: tuple(v) for k, v in self._logged.items()},
            honest={k: tuple(v) for k, v in self._honest.items()},
            counterparts=dict(self.counterparts), definitions=dict(self.definitions),
            first_batch_loss=self.first_batch_loss, first_epoch_loss=self.first_epoch_loss,
            nonfinite_outputs=self.nonfinite_rows,
            class_counts=tuple(facts.class_counts) if facts is not None and facts.class_counts else
            self.history.class_counts,
            majority_rate=facts.majority_rate if facts is not None else self.history.majority_rate,
        )

    def _run_rules(self, profile: TaskProfile | None, facts: DataFacts | None) -> list[Finding]:
        from headcheck.rules import run_rules

        return run_rules(self.context(profile, facts), select=self.select, ignore=self.ignore)


def finding_line(finding: Finding, epoch: int | None = None) -> str:
    """One finding as a log line: `headcheck (epoch 3): HC401 stuck-metric [error] message`."""
    where = f" (epoch {epoch})" if epoch else ""
    return f"headcheck{where}: {finding.code} {finding.name} [{finding.severity}] {finding.message}"


def _finite_rows(y: np.ndarray, s: np.ndarray, w: np.ndarray | None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, int]:
    """The rows whose outputs are all finite, and how many were not."""
    if s.dtype.kind != "f":
        return y, s, w, 0
    finite = np.isfinite(s) if s.ndim == 1 else np.isfinite(s).all(axis=1)
    if finite.all():
        return y, s, w, 0
    return y[finite], s[finite], None if w is None else w[finite], int(len(s) - finite.sum())


def _number(value: object) -> float | None:
    """A logged value as a float (tensors and numpy scalars too); None when it is not a number."""
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return out


def _append(series: dict[str, list[float]], values: Mapping[str, float], epoch: int) -> None:
    """Add one epoch's values, keeping every series one value per epoch (NaN where missing)."""
    for name in values:
        if name not in series:
            series[name] = [math.nan] * epoch
    for name, seq in series.items():
        seq.append(float(values.get(name, math.nan)))


def _batch_arrays(outputs: object, targets: object,
                  sample_weight: object) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The batch as numpy arrays, validated: (N,) or (N, K) outputs, targets with one row each
    ((N, 1) targets of a one-output model are read as (N,))."""
    if targets is None:
        raise InputError(
            "update(outputs, targets): got no targets for this batch. headcheck computes the honest "
            "metrics from the model's outputs and the true labels: pass the batch's targets (the `y` "
            "the loss compares the outputs with).")
    if outputs is None:
        raise InputError("update(outputs, targets): got no outputs. Pass the model's outputs for the "
                         "batch (what goes into the loss), before any argmax or threshold.")
    s, y = np.asarray(outputs), np.asarray(targets)
    if s.ndim == 0 or s.ndim > 2:
        raise InputError(
            f"outputs: expected (N,) or (N, K) outputs, one row per sample; got {describe_array(s)}. "
            "For sequence or image outputs, move the class axis last and flatten the rest: "
            "`outputs.reshape(-1, K)` with `targets.reshape(-1)`.")
    if y.ndim == 2 and y.shape[1] == 1 and (s.ndim == 1 or s.shape[1] == 1):
        y = y[:, 0]
    if y.ndim == 0 or y.ndim > 2:
        raise InputError(
            f"targets: expected (N,) class labels or (N, K) 0/1 rows; got {describe_array(y)}. "
            "Flatten sequence targets to (N,) together with the outputs.")
    if len(y) != len(s):
        raise InputError(
            f"targets do not fit the outputs: {len(s)} output rows ({describe_array(s)}) but "
            f"{len(y)} targets ({describe_array(y)}). Pass the outputs and targets of the same "
            "batch, one row per sample.")
    w = None
    if sample_weight is not None:
        w = np.asarray(sample_weight, dtype=np.float64).reshape(-1)
        if len(w) != len(y):
            raise InputError(f"sample_weight: expected one weight per sample ({len(y)}); got "
                             f"{describe_array(w)}.")
    return s, y, w


class _Buffer:
    """At most `capacity` rows of labels, outputs (and weights), copied in batch by batch."""

    def __init__(self, y: np.ndarray, s: np.ndarray, w: np.ndarray | None, capacity: int) -> None:
        self.capacity = capacity
        self.n = 0
        self._y = np.empty((min(capacity, max(len(y), 1) * 8),) + y.shape[1:], dtype=y.dtype)
        self._s = np.empty((len(self._y),) + s.shape[1:], dtype=s.dtype)
        self._w = None if w is None else np.empty(len(self._y), dtype=np.float64)

    @property
    def room(self) -> int:
        return self.capacity - self.n

    def fits(self, y: np.ndarray, s: np.ndarray, w: np.ndarray | None) -> bool:
        """Whether a batch has the buffer's dtypes and trailing shapes (else a new buffer)."""
        return (y.dtype == self._y.dtype and s.dtype == self._s.dtype and y.shape[1:] == self._y.shape[1:]
                and s.shape[1:] == self._s.shape[1:] and (w is None) == (self._w is None))

    def add(self, y: np.ndarray, s: np.ndarray, w: np.ndarray | None) -> None:
        end = self.n + len(y)
        if end > len(self._y):  # grow geometrically up to the capacity
            size = min(self.capacity, max(end, 2 * len(self._y)))
            self._y = _grown(self._y, size, self.n)
            self._s = _grown(self._s, size, self.n)
            self._w = None if self._w is None else _grown(self._w, size, self.n)
        self._y[self.n:end] = y
        self._s[self.n:end] = s
        if self._w is not None:
            self._w[self.n:end] = w
        self.n = end

    def view(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        n = self.n
        return self._y[:n], self._s[:n], None if self._w is None else self._w[:n]

    def clear(self) -> None:
        self.n = 0


def _grown(a: np.ndarray, size: int, keep: int) -> np.ndarray:
    out = np.empty((size,) + a.shape[1:], dtype=a.dtype)
    out[:keep] = a[:keep]
    return out
