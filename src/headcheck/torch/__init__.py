"""PyTorch front-end: the head of a live model, and a monitor for any training loop.

```python
findings = headcheck.check(model, loss_fn, (xb, yb))     # before the first step
monitor = headcheck.torch.Monitor(loss_fn)
for epoch in range(epochs):
    for xb, yb in loader:
        outputs = model(xb)
        loss = loss_fn(outputs, yb)
        ...
        monitor.update(outputs, yb, loss)
    result = monitor.epoch_end()                          # honest metrics + training findings
```

`check` (`headcheck.torch.head.check_module`) reads the head from one forward pass; `Monitor`
feeds each batch's outputs and targets to the framework-neutral `headcheck.live.Tracker` (bounded
memory: the engine state and one chunk of rows) and gives the honest metrics and the training
findings (HC401-HC405) at each `epoch_end()`. Tensors may live on any device: only the outputs
and targets are copied to the host (detached; half precision widened to float32). Nothing headcheck
raises stops the loop: the first problem becomes one `HeadCheckWarning` and the monitor turns
itself off (`strict=True` raises instead).
"""
from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from typing import Any

from headcheck.live import TRAINING_RULES, EpochResult, Guard, Tracker
from headcheck.live.guard import guarded
from headcheck.live.tracker import finding_line
from headcheck.torch.buffer import BatchBuffer
from headcheck.torch.head import (
    build_head,
    check_module,
    flat_classes,
    loss_spec,
    model_output,
    to_numpy,
    traced_loss_spec,
)
from headcheck.torch.trace import Activation

__all__ = ["Monitor", "check_module"]


class Monitor:
    """Honest metrics and training findings for a plain PyTorch loop (see the module docstring).

    loss_fn: the loss module or function the loop uses (its kind, its `ignore_index`, and the
        untrained expectation of its first value, HC404). A custom loss is fine: the loss checks
        are then skipped and the data checks still run.
    task, threshold, score_kind: as in `headcheck.report`, when the outputs alone do not say.
    untrained: the model is untrained when monitoring starts (False when fine-tuning or resuming).
    select, ignore: the rules run at each epoch end (default: the training rules HC4xx).
    verbose: print each finding the first time it fires (to stderr).
    strict: raise instead of turning the monitor off on a problem.
    """

    def __init__(self, loss_fn: Any = None, *, task: str | None = None, threshold: float | None = None,
                 score_kind: str | None = None, untrained: bool = True,
                 select: Iterable[str] | None = TRAINING_RULES, ignore: Iterable[str] | None = None,
                 verbose: bool = True, strict: bool = False, buffer_rows: int | None = None,
                 framework: str = "pytorch") -> None:
        self._guard = Guard(f"headcheck.{'lightning' if framework == 'lightning' else 'torch'}.Monitor",
                            strict=strict)
        self.loss_fn = loss_fn
        self.verbose = verbose
        self.framework = framework
        self._options = {"task": task, "threshold": threshold, "score_kind": score_kind,
                         "untrained": untrained, "select": select, "ignore": ignore,
                         "buffer_rows": buffer_rows}
        self.tracker: Tracker | None = None
        self._buffer: BatchBuffer | None = None
        self.last: EpochResult | None = None

    @property
    def disabled(self) -> bool:
        """Whether a problem turned the monitor off (`error` holds it)."""
        return self._guard.disabled

    @property
    def error(self) -> BaseException | None:
        return self._guard.error

    @property
    def history(self) -> Any:
        """The `TrainingHistory` so far (None before the first epoch ended)."""
        return self.tracker.history if self.tracker is not None else None

    @property
    def findings(self) -> tuple:
        """The training findings after the last epoch."""
        return self.tracker.findings if self.tracker is not None else ()

    @guarded
    def update(self, outputs: Any, targets: Any, loss: Any = None, sample_weight: Any = None) -> None:
        """Add one batch: the model's outputs (what goes into the loss), the targets, and
        optionally the batch's loss and per-sample weights."""
        out = model_output(outputs, "outputs")
        if self.tracker is None:
            self.tracker = self._start(out, targets)
            self._buffer = BatchBuffer(self.tracker, self._options["buffer_rows"])
        out, targets = flat_classes(out, targets, self._spec_name)
        if sample_weight is not None or targets is None:  # weights (rare): the tracker's own path
            self._buffer.flush()
            self.tracker.update(to_numpy(out), None if targets is None else to_numpy(targets), _scalar(loss),
                                None if sample_weight is None else to_numpy(sample_weight))
            return
        self._buffer.add(out, targets, loss)

    def add_loss(self, loss: Any) -> None:
        """Add the loss of a batch whose outputs are not given."""
        self._guard.call(self._add_loss, loss)

    def _add_loss(self, loss: Any) -> None:
        if self.tracker is None:
            self.tracker = Tracker(framework=self.framework, **self._tracker_options(None))
            self._buffer = BatchBuffer(self.tracker, self._options["buffer_rows"])
        self._buffer.add_loss(loss)

    def epoch_end(self, logged: Mapping[str, Any] | None = None, *,
                  counterparts: Mapping[str, str] | None = None,
                  definitions: Mapping[str, str] | None = None) -> EpochResult:
        """Close the epoch: the honest metrics of the outputs given since the last call, the mean
        loss, and the training findings. `logged` are the metrics the loop logged itself (name ->
        number); `counterparts` says which honest metric id a logged name claims to be
        ('train_acc' -> 'accuracy', compared by HC405 when computed on the same batches)."""
        result = self._guard.call(self._epoch_end, logged, counterparts, definitions)
        if result is None:  # turned off: an empty result keeps `result.metrics` working
            epoch = self.tracker.epoch if self.tracker is not None else 0
            return EpochResult(epoch=epoch, metrics={}, loss=None, findings=(), new_findings=())
        return result

    def _epoch_end(self, logged: Any, counterparts: Any, definitions: Any) -> EpochResult:
        if self.tracker is None:
            self.tracker = Tracker(framework=self.framework, **self._tracker_options(None))
        if self._buffer is not None:
            self._buffer.flush()
        result = self.tracker.end_epoch(logged, counterparts=counterparts, definitions=definitions)
        self.last = result
        if self.verbose:
            for finding in result.new_findings:
                print(finding_line(finding, result.epoch), file=sys.stderr)
        return result

    # -- set-up at the first batch -------------------------------------------------------------
    @property
    def _spec_name(self) -> str | None:
        head = self.tracker.head if self.tracker is not None else None
        return head.loss.name if head is not None and head.loss is not None else None

    def _start(self, outputs: Any, targets: Any) -> Tracker:
        spec = traced_loss_spec(self.loss_fn, outputs, targets) if self.loss_fn is not None else None
        flat, _ = flat_classes(outputs, targets, spec.name if spec is not None else None)
        head, _ = build_head(flat, Activation(None, None, False, None), spec, self.framework)
        return Tracker(framework=self.framework, head=head, **self._tracker_options(spec))

    def _tracker_options(self, spec: Any) -> dict[str, Any]:
        o = self._options
        return {"task": o["task"], "threshold": o["threshold"], "score_kind": o["score_kind"],
                "ignore_index": spec.ignore_index if spec is not None else None,
                "untrained": o["untrained"], "select": o["select"], "ignore": o["ignore"],
                "buffer_rows": o["buffer_rows"]}


def _scalar(loss: Any) -> Any:
    """A loss tensor detached (one number; on a GPU this is the one sync per batch)."""
    detach = getattr(loss, "detach", None)
    return detach() if callable(detach) else loss
