"""`headcheck.keras.HeadCheck`: the Keras callback (Keras 3 on any backend, tf.keras 2).

```python
model.fit(x, y, validation_data=(x_val, y_val), epochs=45,
          callbacks=[headcheck.keras.HeadCheck()])
```

- `on_train_begin`: the head of every output as Keras compiled it, checked with the rule catalogue
  against the labels (`headcheck.keras._check`); the findings are printed once and kept in
  `findings`.
- each epoch (every `every` epochs, and the last): the model's outputs on the validation data are
  computed with Keras's own inference step and folded into the one-pass engine by the
  framework-neutral `headcheck.live.Tracker`; the honest metrics go into Keras's `logs` as
  `hc_<metric id>` (so the progress bar, `History`, `CSVLogger` and TensorBoard show them); the
  training rules HC401-HC405 run on what Keras logged and what headcheck recomputed.

Keras gives callbacks no data. The validation data is the one given to HeadCheck, else the one
given to `fit` (`validation_data=` or `validation_split=`), read from the arguments of the running
`fit` call (`_fit_arguments`: read only, never changed).

The class is duck-typed to both callback protocols (Keras 3's and tf.keras 2's `CallbackList`
call the same hooks; tf.keras also asks which batch hooks a callback implements), so it needs no
Keras at import and one class serves both. Every hook runs through a `headcheck.live.Guard`: an
exception inside headcheck becomes one warning and the callback disables itself; the training
goes on.
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np

from headcheck.errors import InputError
from headcheck.findings import Finding, Severity
from headcheck.keras._data import Batches, as_batches, labels_per_output, outputs_per_output, rows, take
from headcheck.live import Guard, Tracker

STOP_ON = (None, "error", "warning")
# The honest metrics logged as hc_<id> by default, per task (all of them are in `epochs`).
DEFAULT_LOGGED = {
    "binary": ("accuracy", "balanced_accuracy", "macro_f1", "roc_auc"),
    "multiclass": ("accuracy", "balanced_accuracy", "macro_f1"),
    "multilabel": ("per_label_accuracy", "subset_accuracy", "macro_f1"),
}
# Keras's accuracy classes, by canonical name: the view that computes the same definition.
KERAS_DEFINITIONS = {
    "binary_accuracy": "keras.binary_accuracy",
    "categorical_accuracy": "keras.categorical_accuracy",
    "sparse_categorical_accuracy": "keras.sparse_categorical_accuracy",
    "top_k_categorical_accuracy": "keras.top_k_categorical_accuracy",
}
WHERE = "headcheck.keras.HeadCheck"


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class _FitData:
    """What the running `fit` call was given (arrays only are kept; datasets as sources)."""

    x: Any = None
    y: Any = None
    validation: Any = None


class HeadCheck:
    """Keras callback: head findings at the start, honest metrics `hc_<id>` in the logs each epoch,
    training findings (HC401-HC405).

    validation_data: `(x, y)` / `(x, y, sample_weight)` arrays or a re-iterable dataset of such
        batches; default: the validation data given to `fit`.
    every: compute the honest metrics every `every` epochs (and at the last epoch).
    stop_on: 'error' (or 'warning') sets `model.stop_training = True` on a finding of that
        severity or worse; default None: report only.
    metrics: the honest metric ids logged as `hc_<id>` ('all' for every metric of the task);
        default: accuracy, balanced accuracy and macro F1 (per-label / subset accuracy for
        multi-label, ROC AUC for binary).
    task: 'binary' | 'multiclass' | 'multilabel' | 'ordinal' when the labels cannot say.
    select / ignore: rule codes or prefixes, as in `headcheck check`.
    verbose: 0 prints nothing (the findings are still kept).

    After (or during) training: `findings` (head and training findings so far), `head_findings`,
    `epochs` (one `headcheck.live.EpochResult` per evaluated epoch and output), `outputs` (the head
    of each output as read).
    """

    # tf.keras 2: keep batch logs as tensors (only the first batch's loss is read, once).
    _supports_tf_logs = True
    # Keras 3: our batch hook reads one number once; Keras may keep dispatching batch hooks async.
    async_safe = True

    def __init__(self, validation_data: Any = None, every: int = 1, stop_on: str | None = None, *,
                 metrics: Iterable[str] | str | None = None, task: str | None = None,
                 select: Iterable[str] | None = None, ignore: Iterable[str] | None = None,
                 verbose: int = 1) -> None:
        if not isinstance(every, int) or isinstance(every, bool) or every < 1:
            raise InputError(f"every: expected a whole number of epochs >= 1; got {every!r}.")
        if stop_on not in STOP_ON:
            raise InputError(f"stop_on: expected None (report only), 'error' or 'warning'; got {stop_on!r}.")
        from headcheck.selection import selection

        selection(select, ignore)  # a code that names no rule is bad use: say so now
        self.every = every
        self.stop_on = stop_on
        self.metrics = metrics
        self.task = task
        self.select = None if select is None else tuple(select)
        self.ignore = None if ignore is None else tuple(ignore)
        self.verbose = verbose
        self._given = as_batches(validation_data) if validation_data is not None else None
        self._guard = Guard(WHERE)
        self.model: Any = None
        self.params: dict = {}
        self._reset()

    def _reset(self) -> None:
        self.findings: tuple[Finding, ...] = ()
        self.head_findings: tuple[Finding, ...] = ()
        self.epochs: list[Any] = []
        self.outputs: list[Any] = []
        self.notes: list[str] = []
        self._trackers: list[Tracker] = []
        self._data: Batches | None = None
        self._same_as_fit = False
        self._pairs: list[tuple[dict, dict]] = []
        self._kinds: list[str | None] = []
        self._first_loss = True
        self._pending: list[str] = []
        self._epoch = 0

    # -- the callback protocol (Keras 3 and tf.keras 2) -----------------------------------------
    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params

    def _implements_train_batch_hooks(self) -> bool:  # tf.keras 2
        return True

    def _implements_test_batch_hooks(self) -> bool:  # tf.keras 2
        return False

    def _implements_predict_batch_hooks(self) -> bool:  # tf.keras 2
        return False

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._reset()
        self._guard = Guard(WHERE)
        self._guard.call(self._train_begin)
        self._flush()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self._first_loss and not self._guard.disabled:
            self._first_loss = False
            self._guard.call(self._first_batch, logs)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._flush()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch = epoch + 1
        if logs is not None:
            self._guard.call(self._epoch_end, epoch, logs)

    def on_train_end(self, logs: dict | None = None) -> None:
        self._flush()

    # hooks headcheck has no use for
    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_batch_end(self, batch: int, logs: dict | None = None) -> None: ...
    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_test_begin(self, logs: dict | None = None) -> None: ...
    def on_test_end(self, logs: dict | None = None) -> None: ...
    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None: ...
    def on_predict_begin(self, logs: dict | None = None) -> None: ...
    def on_predict_end(self, logs: dict | None = None) -> None: ...
    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None: ...

    # -- the work ----------------------------------------------------------------------------------
    def _train_begin(self) -> None:
        from headcheck.keras._check import _untrained
        from headcheck.keras._model import output_names, require_compiled

        model = self.model
        require_compiled(model)
        fit = _fit_arguments(model)
        self._data, self._same_as_fit = self._validation(fit)
        names = output_names(model)
        self._check_head(fit, names)
        untrained = _untrained(model)
        several = len(self.outputs) > 1
        for out in self.outputs:
            kind = self.task if self.task != "ordinal" else "multiclass"
            self._trackers.append(Tracker(framework=out.head.framework, head=out.head, task=kind,
                                          untrained=untrained, select=_training(self.select),
                                          ignore=self.ignore,
                                          loss_name=f"{out.name}_loss" if several else "loss"))
        if self._data is None:
            self._say("no validation data (pass validation_data= to fit or to HeadCheck): the honest "
                      "metrics are not computed; the head and training-loss checks still run.")

    def _validation(self, fit: _FitData) -> tuple[Batches | None, bool]:
        if self._given is not None:
            same = fit.validation is not None and _same_data(self._given, fit.validation)
            return self._given, same
        if fit.validation is None:
            return None, False
        try:
            return as_batches(fit.validation), True
        except InputError as e:
            self._say(f"the validation data given to fit cannot be read again each epoch ({e}) Pass "
                      "validation_data= to HeadCheck.")
            return None, False

    def _check_head(self, fit: _FitData, names: list[str]) -> None:
        """The head findings: each output's head as Keras compiled it, against the labels (the
        training labels when `fit` was given arrays, else the validation labels)."""
        from headcheck._check import combine
        from headcheck.keras._model import read_outputs

        labels, outputs = None, None
        if self._data is not None:
            x, y, _ = next(iter(self._data))
            outputs = outputs_per_output(self.model.predict_on_batch(x), names)
            labels = labels_per_output(y, names)
            if self._data.arrays is not None:
                labels = labels_per_output(self._data.arrays[1], names)
        elif _is_arrays(fit.x):
            outputs = outputs_per_output(self.model.predict_on_batch(take(fit.x, 0, min(rows(fit.x), 1024))), names)
        self.outputs = read_outputs(self.model, labels, outputs)
        parts = None
        if fit.y is not None and _is_arrays(fit.y):  # all the labels the loss will see
            try:
                parts = self._head_parts(labels_per_output(fit.y, names))
            except InputError as e:  # said once; the validation labels are read instead
                self._say(f"the training labels cannot be read: {e}")
        if parts is None:
            parts = self._head_parts(labels)
        self._kinds = [part.context.task_kind for _, part in parts]
        result = combine(parts)
        self.head_findings = tuple(result.findings)
        self.findings = self.head_findings
        self.notes.extend(result.notes)
        for note in result.notes:
            self._say(note)
        if self.head_findings:
            self._pending.append(_header(self.head_findings))
            self._pending.extend(f"  {_line(f)}" for f in self.head_findings)
        self._maybe_stop(self.head_findings)

    def _head_parts(self, labels: list | None) -> list:
        from headcheck.keras._check import _check_output

        return [(out.name, _check_output(out, labels[out.index] if labels is not None else None, None,
                                         False, self.task, self.select, self.ignore))
                for out in self.outputs]

    def _first_batch(self, logs: dict | None) -> None:
        value = (logs or {}).get("loss")
        if value is None:
            return
        loss = float(np.asarray(value))
        for tracker in self._trackers:
            if tracker.first_batch_loss is None and tracker.untrained and len(self._trackers) == 1:
                tracker.first_batch_loss = loss  # the loss before any update: HC404's reading

    def _epoch_end(self, epoch: int, logs: dict) -> None:
        last = epoch + 1 >= int(self.params.get("epochs") or 0)
        if (epoch + 1) % self.every and not last:
            self._log_skipped(logs)
            return
        if self._data is not None:
            self._feed()
        if not self._pairs:
            self._pairs = self._pair_logged()
        for i, (out, tracker) in enumerate(zip(self.outputs, self._trackers)):
            counterparts, definitions = self._pairs[i] if self._pairs else ({}, {})
            result = tracker.end_epoch(_logged_for(out.name, len(self.outputs), logs),
                                       counterparts=counterparts, definitions=definitions)
            self.epochs.append(result)
            self._log(out.name, result, logs)
            for f in result.new_findings:
                self._pending.append(f"Epoch {epoch + 1}: HeadCheck {_where(out.name, len(self.outputs))}{_line(f)}")
            self._maybe_stop(result.new_findings)
        training = tuple(f for t in self._trackers for f in t.findings)
        self.findings = self.head_findings + training

    def _feed(self) -> None:
        from headcheck.keras._model import output_names

        names = output_names(self.model)
        for x, y, w in self._data:
            outputs = outputs_per_output(self.model.predict_on_batch(x), names)
            labels = labels_per_output(y, names)
            for tracker, p, t in zip(self._trackers, outputs, labels):
                tracker.update(p, t, sample_weight=None if w is None else np.asarray(w))

    def _pair_logged(self) -> list[tuple[dict, dict]]:
        """For HC405: each Keras accuracy logged on the validation data, paired with the honest
        metric it claims to measure and the definition Keras used (only when HeadCheck reads the
        same validation data as `fit`: otherwise the numbers are of different samples)."""
        from headcheck.keras._model import built_metrics, logged_name, metric_spec, output_names
        from headcheck.views.keras import HONEST

        built = built_metrics(self.model, len(output_names(self.model)))
        if built is None or not self._same_as_fit:
            return []
        pairs = []
        for out, metrics in zip(self.outputs, built):
            kind = self._kinds[out.index]
            counterparts, definitions = {}, {}
            for m in metrics:
                spec = metric_spec(m, out.head.framework or "keras", out.head.framework_version)
                view = KERAS_DEFINITIONS.get(spec.name)
                if view is None or kind is None:
                    continue
                name = "val_" + logged_name(self.model, out.index, m)
                definitions[name] = view
                counterparts[name] = HONEST.get(view, {}).get(kind, "per_label_accuracy" if kind == "multilabel" else "accuracy")
            pairs.append((counterparts, definitions))
        return pairs

    def _log(self, name: str, result: Any, logs: dict) -> None:
        """Put the honest metrics into Keras's logs as hc_<id> (hc_<output>_<id> with several)."""
        if not result.metrics:
            return
        kind = result.profile.kind if result.profile is not None else None
        ids = self._logged_ids(kind, result.metrics)
        prefix = "hc_" if len(self.outputs) == 1 else f"hc_{name}_"
        for metric_id in ids:
            value = result.metrics.get(metric_id)
            logs[prefix + metric_id.replace("@", "_at_")] = float("nan") if value is None else float(value)

    def _log_skipped(self, logs: dict) -> None:
        """An epoch not evaluated (`every`): NaN under the same hc_ names, so that loggers that fix
        their columns at the first epoch (CSVLogger) keep them."""
        for out in self.outputs:
            kind = self._kinds[out.index] if out.index < len(self._kinds) else None
            prefix = "hc_" if len(self.outputs) == 1 else f"hc_{out.name}_"
            for metric_id in self._logged_ids(kind, None):
                logs.setdefault(prefix + metric_id.replace("@", "_at_"), float("nan"))

    def _logged_ids(self, kind: str | None, metrics: dict | None) -> list[str]:
        """The ids logged as hc_<id>: those asked for (or the task's defaults) that the epoch has
        (`metrics` None: before any evaluation, the ids that will be asked for)."""
        if metrics is None:
            if self.metrics is not None and self.metrics != "all":
                return list(self.metrics)
            return list(DEFAULT_LOGGED.get("multiclass" if kind == "ordinal" else kind or "", ()))
        if self.metrics == "all":
            return list(metrics)
        if self.metrics is not None:
            return [m for m in self.metrics if m in metrics]
        return [m for m in DEFAULT_LOGGED.get(kind or "", ()) if m in metrics]

    def _maybe_stop(self, findings: Iterable[Finding]) -> None:
        if self.stop_on is None:
            return
        floor = Severity(self.stop_on).rank
        if any(f.severity.rank >= floor for f in findings):
            self.model.stop_training = True

    def _say(self, text: str) -> None:
        self._pending.append(f"HeadCheck: {text}")

    def _flush(self) -> None:
        """Print what is pending, between Keras's progress lines (Keras's style: one line each)."""
        if self._pending and self.verbose:
            print("\n".join(self._pending), file=sys.stdout, flush=True)
        self._pending = []


# ---------------------------------------------------------------------------------------------

def _fit_arguments(model: Any) -> _FitData:
    """The data of the running `fit` call, read from its frame: Keras hands callbacks no data, but
    `fit(x, y, validation_data=...)` are public argument names in Keras 3 (every backend) and tf.keras
    2, and after `validation_split` Keras rebinds `x`, `y` and `validation_data` to the split. Read
    only; nothing is changed. Empty when no `fit` of this model is running (a hand-written loop)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "fit" and frame.f_locals.get("self") is model:
            local = frame.f_locals
            return _FitData(local.get("x"), local.get("y"), local.get("validation_data"))
        frame = frame.f_back
    return _FitData()


def _is_arrays(value: Any) -> bool:
    if isinstance(value, dict):
        return bool(value) and all(hasattr(v, "shape") for v in value.values())
    if isinstance(value, (list, tuple)):
        return bool(value) and all(hasattr(v, "shape") for v in value)
    return hasattr(value, "shape") and hasattr(value, "dtype")


def _same_data(given: Batches, fit_validation: Any) -> bool:
    if given.source is not None:
        return given.source is fit_validation
    if not isinstance(fit_validation, (list, tuple)) or len(fit_validation) < 2:
        return False
    return given.arrays[0] is fit_validation[0] and given.arrays[1] is fit_validation[1]


def _training(select: tuple[str, ...] | None) -> tuple[str, ...]:
    """The rules the trackers run each epoch: the training rules, within the user's selection."""
    from headcheck.live import TRAINING_RULES
    from headcheck.selection import selection

    if select is None:
        return TRAINING_RULES
    chosen = selection(select, None)
    from headcheck.rules import all_rules

    return tuple(r.code for r in all_rules() if r.code.startswith("HC4") and chosen.selects(r.code)) or ("HC4",)


def _logged_for(name: str, n_outputs: int, logs: dict) -> dict:
    """The numbers Keras logged that belong to one output (all of them for a single output)."""
    numbers = {}
    for key, value in logs.items():
        if key.startswith("hc_"):
            continue
        bare = key[4:] if key.startswith("val_") else key
        if n_outputs > 1 and not bare.startswith(f"{name}_"):  # the total loss is no output's
            continue
        try:
            numbers[key] = float(np.asarray(value))
        except (TypeError, ValueError):
            continue
    return numbers


def _where(name: str, n_outputs: int) -> str:
    return f"(output {name}) " if n_outputs > 1 else ""


def _header(findings: tuple[Finding, ...]) -> str:
    counts = {s: sum(1 for f in findings if f.severity.value == s) for s in ("error", "warning", "info")}
    said = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    return f"HeadCheck: {len(findings)} finding{'s' if len(findings) != 1 else ''} about the head ({said}):"


def _line(f: Finding) -> str:
    return f"{f.code} {f.name} [{f.severity.value}]: {f.message}"
