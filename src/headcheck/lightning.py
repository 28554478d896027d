"""Lightning front-end: `headcheck.lightning.HeadCheck()`, a callback for `lightning` and
`pytorch_lightning` alike.

```python
trainer = L.Trainer(callbacks=[headcheck.lightning.HeadCheck()])
trainer.fit(model, datamodule=dm)
```

- **At the start of the fit** (the first training step): the head findings. The callback watches
  the real first step (no extra batch is drawn, no random number is used): a `Trace` sees the loss
  the step calls, whether it is held as an attribute (`self.loss_fn = nn.CrossEntropyLoss()`) or
  called in `training_step` (`F.cross_entropy(logits, y)`), with its arguments, the tensors it is
  given (the outputs and the targets) and what produced the outputs (softmax and its dim,
  sigmoid, log_softmax, logits). The rule catalogue reads them as `headcheck.check` does (the
  torchmetrics metrics held by the module are read too); the findings are printed once and kept
  in `findings`. The step's loss is the untrained loss (HC404) unless the fit resumes.
- **Each validation epoch**: the honest metrics of the validation outputs, logged through
  `pl_module.log` as `hc_<metric id>` (`hc_accuracy`, `hc_balanced_accuracy`, `hc_macro_f1`, ...),
  so they reach the progress bar's logs, the loggers and `trainer.callback_metrics`. The outputs
  are taken from the module whose output fed the loss in the first step (a forward hook, active
  during validation batches only), the targets from the same place in the batch. Without a
  validation loop, the training outputs are read instead, per training epoch.
- **Training findings** (HC401-HC405) after each of those epochs, printed the first time they
  fire; a logged validation accuracy (`val_acc`, `val/accuracy`, ...) is compared with the honest
  one (HC405), naming the torchmetrics definition when the module holds it.

`stop_on="error"` stops the fit (`trainer.should_stop`) on an error-level finding. Nothing
headcheck raises stops the training: the first problem becomes one `HeadCheckWarning`, the
callback removes its hooks and does nothing more. Under DDP each process reads its own shard.
"""
from __future__ import annotations

import sys
from collections.abc import Iterable
from importlib import import_module
from typing import Any

from headcheck.live import TRAINING_RULES, Guard
from headcheck.live.tracker import finding_line

__all__ = ["HeadCheck"]

_PACKAGES = ("lightning.pytorch", "pytorch_lightning")
_TARGET_KEYS = ("y", "label", "labels", "target", "targets")


def _callback_bases() -> tuple[type, ...]:
    """The `Callback` classes of the Lightning packages in use: those already imported (both when
    both are), else the first one installed. A callback must be an instance of its trainer's
    `Callback`, and `lightning.pytorch` and `pytorch_lightning` each have their own."""
    bases = [sys.modules[name].Callback for name in _PACKAGES
             if name in sys.modules and hasattr(sys.modules[name], "Callback")]
    for name in _PACKAGES if not bases else ():
        try:
            bases.append(import_module(name).Callback)
            break
        except ImportError:
            continue
    if not bases:
        from headcheck.errors import InputError

        raise InputError("headcheck.lightning.HeadCheck needs Lightning: pip install lightning "
                         "(or pytorch-lightning).")
    return tuple(bases)


_CLASSES: dict[tuple[type, ...], type] = {}


class HeadCheck:
    """Head findings at fit start, honest validation metrics as `hc_<id>`, training findings.

    task, threshold, score_kind: as in `headcheck.report`, when the outputs alone do not say.
    select, ignore: the rules run at each epoch end (default: the training rules HC4xx); the head
        check at the start runs the whole catalogue.
    stop_on: 'error' stops the fit on an error-level finding (default: report only).
    prefix: the prefix of the logged honest metrics ('hc_').
    verbose: print each finding the first time it appears (on the global-zero process).
    strict: raise instead of turning the callback off on a problem.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> HeadCheck:
        if cls is HeadCheck:  # an instance of a subclass that is also the trainer's Callback
            bases = _callback_bases()
            if bases not in _CLASSES:
                _CLASSES[bases] = type("HeadCheck", (HeadCheck, *bases),
                                       {"__module__": __name__, "__qualname__": "HeadCheck"})
            cls = _CLASSES[bases]
        return super().__new__(cls)

    def __init__(self, *, task: str | None = None, threshold: float | None = None,
                 score_kind: str | None = None, select: Iterable[str] | None = TRAINING_RULES,
                 ignore: Iterable[str] | None = None, stop_on: str | None = None,
                 prefix: str = "hc_", verbose: bool = True, strict: bool = False) -> None:
        if stop_on not in (None, "error", "warning"):
            from headcheck.errors import InputError

            raise InputError(f"stop_on: expected None, 'error' or 'warning'; got {stop_on!r}.")
        self._guard = Guard("headcheck.lightning.HeadCheck", strict=strict)
        self._options = {"task": task, "threshold": threshold, "score_kind": score_kind}
        self._rules = {"select": select, "ignore": ignore}
        self.stop_on, self.prefix, self.verbose = stop_on, prefix, verbose
        self.findings: tuple = ()  # the head findings at fit start
        self.check_result: Any = None
        self.last: Any = None  # the last EpochResult
        self.tracker: Any = None
        self._buffer: Any = None
        self._trace: Any = None
        self._hook: Any = None
        self._capturing = False
        self._captured: Any = None
        self._target_path: tuple | None = None
        self._loss_name: str | None = None
        self._on_validation = True
        self._resumed = False
        self._metrics: dict[str, Any] = {}
        self._fed = 0

    # -- state ---------------------------------------------------------------------------------
    @property
    def disabled(self) -> bool:
        return self._guard.disabled

    @property
    def history(self) -> Any:
        return self.tracker.history if self.tracker is not None else None

    def _run(self, fn: Any, *args: Any) -> Any:
        out = self._guard.call(fn, *args)
        if self._guard.disabled:
            self._remove_hooks()
        return out

    def _remove_hooks(self) -> None:
        if self._trace is not None:
            try:
                self._trace.__exit__(None, None, None)
            except Exception:  # noqa: BLE001 - already left
                pass
            self._trace = None
        if self._hook is not None:
            self._hook.remove()
            self._hook = None
        self._capturing = False

    # -- Lightning hooks -------------------------------------------------------------------------
    def on_fit_start(self, trainer: Any, pl_module: Any) -> None:
        self._run(self._fit_start, trainer, pl_module)

    def on_train_batch_start(self, trainer: Any, pl_module: Any, batch: Any, batch_idx: int) -> None:
        if not self._guard.disabled:
            self._run(self._train_batch_start, trainer, pl_module, batch)

    def on_train_batch_end(self, trainer: Any, pl_module: Any, outputs: Any, batch: Any,
                           batch_idx: int) -> None:
        if not self._guard.disabled:
            self._run(self._train_batch_end, trainer, pl_module, outputs, batch)

    def on_validation_batch_start(self, trainer: Any, pl_module: Any, batch: Any, batch_idx: int,
                                  dataloader_idx: int = 0) -> None:
        if self._hook is not None and self._on_validation and not trainer.sanity_checking:
            self._capturing, self._captured = True, None

    def on_validation_batch_end(self, trainer: Any, pl_module: Any, outputs: Any, batch: Any,
                                batch_idx: int, dataloader_idx: int = 0) -> None:
        if self._capturing:
            self._capturing = False
            self._run(self._feed, batch)

    def on_validation_epoch_end(self, trainer: Any, pl_module: Any) -> None:
        if self.tracker is not None and self._on_validation and not trainer.sanity_checking \
                and not self._guard.disabled:
            self._run(self._epoch_end, trainer, pl_module)

    def on_train_epoch_end(self, trainer: Any, pl_module: Any) -> None:
        if self.tracker is not None and not self._on_validation and not self._guard.disabled:
            self._run(self._epoch_end, trainer, pl_module)

    def on_fit_end(self, trainer: Any, pl_module: Any) -> None:
        self._remove_hooks()

    def teardown(self, trainer: Any, pl_module: Any, stage: str) -> None:
        self._remove_hooks()

    def on_exception(self, trainer: Any, pl_module: Any, exception: BaseException) -> None:
        self._remove_hooks()

    # -- what the hooks do -----------------------------------------------------------------------
    def _fit_start(self, trainer: Any, pl_module: Any) -> None:
        self._on_validation = _has_validation(trainer, pl_module)
        self._resumed = bool(getattr(trainer, "ckpt_path", None)) or trainer.global_step > 0

    def _train_batch_start(self, trainer: Any, pl_module: Any, batch: Any) -> None:
        if self.check_result is None and self._trace is None:
            from headcheck.torch.trace import Trace

            self._trace = Trace(watch=pl_module)
            self._trace.__enter__()  # left in _train_batch_end, or when anything fails
        elif self._hook is not None and not self._on_validation:
            self._capturing, self._captured = True, None

    def _train_batch_end(self, trainer: Any, pl_module: Any, outputs: Any, batch: Any) -> None:
        first = None
        if self._trace is not None:
            trace, self._trace = self._trace, None
            trace.__exit__(None, None, None)
            first = self._check_head(trainer, pl_module, trace, batch, outputs)
        loss = _loss_of(outputs)
        if loss is None:
            loss = first  # manual optimisation returns no loss: the traced one, for the first step
        if loss is not None and self._buffer is not None:
            self._buffer.add_loss(loss)  # summed on the device: no synchronisation per step
        if self._capturing:
            self._capturing = False
            self._feed(batch)

    def _check_head(self, trainer: Any, pl_module: Any, trace: Any, batch: Any, outputs: Any) -> float | None:
        """The head findings from the traced first step; sets up the tracker and the output hook.
        Returns the traced loss value."""
        from headcheck.live import Tracker
        from headcheck.torch.buffer import BatchBuffer
        from headcheck.torch.head import flat_classes, head_findings, loss_spec, model_output

        call = trace.losses[0] if trace.losses else None
        held = _loss_module(pl_module)
        spec = loss_spec(held, call)
        if call is not None and call.input is not None:
            out, targets = call.input, call.target
        else:  # a loss headcheck does not know: the batch's targets, the module's own output
            targets = _targets(batch, None)
            out = model_output(trace.root_output, "the LightningModule's forward")
        untrained = not self._resumed
        value = call.value() if call is not None else None
        if value is None:
            loss = _loss_of(outputs)
            value = float(loss.detach()) if loss is not None else None
        metrics = _torchmetrics(pl_module)
        result = head_findings(out, targets, trace.activation(out), spec, loss_value=value,
                               untrained=untrained, metrics=[m for _, m in metrics],
                               framework="lightning", task=self._options["task"])
        self.check_result, self.findings = result, result.findings
        self._loss_name = spec.name
        self._target_path = _path_to(batch, targets)
        module = trace.output_module(out) or pl_module
        self._hook = module.register_forward_hook(self._capture)
        self._metrics = dict(metrics)
        self.tracker = Tracker(framework="lightning", head=result.context.head,
                               ignore_index=spec.ignore_index, untrained=untrained,
                               **self._options, **self._rules)
        self._buffer = BatchBuffer(self.tracker)
        if not self._on_validation:  # the training outputs are read: this step's count too
            flat, flat_targets = flat_classes(out, targets, spec.name)
            self._buffer.add(flat.detach(), flat_targets)
        self.tracker.mark_reported(f.code for f in result.findings)
        if self.verbose and trainer.is_global_zero:
            for note in result.notes:
                print(f"headcheck: note: {note}", file=sys.stderr)
            for finding in result.findings:
                print(finding_line(finding), file=sys.stderr)
        self._maybe_stop(trainer, result.findings)
        return value

    def _capture(self, module: Any, inputs: Any, output: Any) -> None:
        if self._capturing:
            self._captured = output

    def _feed(self, batch: Any) -> None:
        from headcheck.torch.head import flat_classes, model_output

        if self._captured is None:
            return
        out = model_output(self._captured, "the output module")
        self._captured = None
        targets = _targets(batch, self._target_path)
        out, targets = flat_classes(out, targets, self._loss_name)
        self._buffer.add(out, targets)
        self._fed += 1

    def _epoch_end(self, trainer: Any, pl_module: Any) -> None:
        logged = {k: v for k, v in trainer.callback_metrics.items() if not str(k).startswith(self.prefix)}
        pairs = _counterparts(logged, self._on_validation)
        self._buffer.flush()
        result = self.tracker.end_epoch(logged, counterparts=pairs,
                                        definitions=_definitions(pairs, self._metrics))
        self.last = result
        for metric_id, value in result.metrics.items():
            pl_module.log(f"{self.prefix}{metric_id}", float(value), on_epoch=True)
        if self.verbose and trainer.is_global_zero:
            for finding in result.new_findings:
                print(finding_line(finding, result.epoch), file=sys.stderr)
        self._maybe_stop(trainer, result.new_findings)

    def _maybe_stop(self, trainer: Any, findings: Iterable[Any]) -> None:
        if self.stop_on is None:
            return
        rank = {"warning": 1, "error": 2}[self.stop_on]
        if any(f.severity.rank >= rank for f in findings):
            trainer.should_stop = True


# --- helpers ------------------------------------------------------------------------------------

def _has_validation(trainer: Any, pl_module: Any) -> bool:
    """Whether the fit runs a validation loop (else the training outputs are read)."""
    if not _overridden(pl_module, "validation_step"):
        return False
    limit = getattr(trainer, "limit_val_batches", 1.0)
    return limit not in (0, 0.0)


def _overridden(obj: Any, name: str) -> bool:
    for klass in type(obj).__mro__:
        if name in vars(klass):
            return not (klass.__module__ or "").startswith(("lightning.", "pytorch_lightning."))
    return False


def _loss_of(outputs: Any) -> Any:
    if isinstance(outputs, dict):
        return outputs.get("loss")
    return outputs if hasattr(outputs, "detach") and getattr(outputs, "ndim", 1) == 0 else None


def _loss_module(pl_module: Any) -> Any:
    """A loss module held as an attribute (`self.loss_fn = nn.CrossEntropyLoss()`), if one."""
    from torch.nn.modules.loss import _Loss

    for module in pl_module.modules():
        if isinstance(module, _Loss):
            return module
    return None


def _torchmetrics(pl_module: Any) -> list[tuple[str, Any]]:
    """(attribute name, definition) of the torchmetrics metrics the module holds."""
    out = []
    for name, module in pl_module.named_modules():
        root = type(module).__module__.split(".")[0]
        if root == "torchmetrics" and hasattr(module, "compute"):
            out.append((name, module))
    return out


def _definitions(pairs: dict[str, str], metrics: dict[str, Any]) -> dict[str, str]:
    """Logged name -> the torchmetrics definition behind it, for the metrics held by attributes
    whose name matches the logged one ('val_acc' <- self.val_acc)."""
    out = {}
    for logged in pairs:
        key = _plain_name(logged)
        for attr, metric in metrics.items():
            if _plain_name(attr) == key or attr.replace(".", "_") == logged.replace("/", "_"):
                average = getattr(metric, "average", None)
                shown = _snake(type(metric).__name__)
                out[logged] = f"torchmetrics.{shown}" + (f"(average={average!r})" if average else "")
    return out


def _plain_name(name: str) -> str:
    return name.lower().replace("/", "_").replace(".", "_")


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


def _counterparts(logged: dict[str, Any], validation: bool) -> dict[str, str]:
    """Logged accuracies measured on the data the honest metrics read: validation ones (`val_acc`,
    `val/accuracy`) when the honest metrics read validation outputs."""
    out = {}
    for name in logged:
        low = str(name).lower()
        on_val = low.startswith("val") or "val_" in low or "val/" in low
        if "acc" in low and "loss" not in low and on_val == validation and "top" not in low \
                and "balanced" not in low:
            out[str(name)] = "accuracy"
    return out


def _path_to(batch: Any, target: Any) -> tuple | None:
    """Where `target` sits in the batch (indices and keys), found by identity."""
    if batch is target:
        return ()
    items = batch.items() if isinstance(batch, dict) else enumerate(batch) \
        if isinstance(batch, (tuple, list)) else ()
    for key, value in items:
        sub = _path_to(value, target)
        if sub is not None:
            return (key,) + sub
    return None


def _targets(batch: Any, path: tuple | None) -> Any:
    """The targets of a batch: at `path` when the first step showed where they are, else the
    second item of an (inputs, targets) pair or a dict's 'y' / 'label(s)' / 'target(s)'."""
    from headcheck.errors import InputError

    if path:
        value = batch
        for key in path:
            value = value[key]
        return value
    if isinstance(batch, (tuple, list)) and len(batch) >= 2:
        return batch[1]
    if isinstance(batch, dict):
        for key in _TARGET_KEYS:
            if key in batch:
                return batch[key]
    raise InputError(
        f"batch: found no targets in a {type(batch).__name__} batch. headcheck reads (inputs, targets) "
        f"pairs or dicts with one of the keys {', '.join(_TARGET_KEYS)}; a batch without targets "
        "cannot give honest metrics.")
