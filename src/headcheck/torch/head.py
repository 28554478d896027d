"""The head of a live PyTorch model: what its outputs are, what its loss is, what its targets are.

`check_module(model, loss_fn, (inputs, targets))` runs one forward pass on the batch under
`torch.no_grad()` with every submodule in eval mode (each module's own mode restored afterwards,
so batch-norm statistics and the user's tensors stay untouched), then calls the loss on the
outputs and targets, both inside a `Trace`:

- the outputs: what produced them (the trace: `softmax` with its `dim`, `sigmoid`, `log_softmax`,
  or a non-activation op, i.e. logits) and what their values are (`OutputFacts`: rows summing to
  1, values in [0, 1], log-probabilities, unbounded); a distribution computed by hand is read
  from the values;
- the loss: the module's class and attributes through `headcheck.vocab`, or the loss functional
  the call reached (`F.cross_entropy(..., label_smoothing=0.1)` inside a lambda) with its
  arguments; a custom loss that calls no torch loss is 'unknown' (the data checks still run);
- the targets: through the gate's labels-only profiler (`headcheck.gate.profile_labels`).

The rule catalogue then reads the head, the task and the data facts, worded for PyTorch.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import torch

from headcheck.errors import InputError
from headcheck.frameworks import torch as torch_fw
from headcheck.head import HeadSpec, LossSpec
from headcheck.history import TrainingHistory
from headcheck.torch.trace import Activation, LossCall, Trace
from headcheck.vocab import normalize_loss

SUM_TOL = 1e-3  # float32 softmax rows drift about 1e-6 from 1; this also absorbs half precision
# Ops that are not activations but are seen at the end of a forward pass (logits)
_CLASS_AXIS_FIRST = frozenset({"torch.CrossEntropyLoss", "torch.NLLLoss"})


@dataclass(frozen=True)
class OutputFacts:
    """What a batch of outputs holds, read from the values alone.

    width: K (1 for (N,) and (N, 1) outputs). reading: 'probabilities' (non-negative, summing to
    1 along `axis`), 'log_probabilities' (non-positive, log-sum-exp 0 along `axis`), 'unit'
    (every value in [0, 1], not a distribution: independent sigmoids), 'logits' (anything else),
    'nonfinite' (NaN/inf present). axis: 1 = over the classes, 0 = over the batch.
    """

    shape: tuple[int, ...]
    width: int
    reading: str
    axis: int | None
    low: float
    high: float

    def activation(self) -> str | None:
        return {"probabilities": "softmax", "log_probabilities": "log_softmax", "unit": "sigmoid",
                "logits": "linear"}.get(self.reading)


def output_facts(values: np.ndarray) -> OutputFacts:
    """Read (N,) or (N, K) output values."""
    v = np.asarray(values, dtype=np.float64)
    width = 1 if v.ndim == 1 else int(v.shape[1])
    if not np.isfinite(v).all():
        return OutputFacts(tuple(v.shape), width, "nonfinite", None, math_nan(), math_nan())
    lo, hi = (float(v.min()), float(v.max())) if v.size else (0.0, 0.0)
    m = v.reshape(len(v), -1)
    for axis in (1, 0):
        if m.shape[axis] < 2 or (axis == 0 and len(m) < 2):
            continue
        if lo >= 0 and np.allclose(m.sum(axis=axis), 1.0, atol=SUM_TOL):
            return OutputFacts(tuple(v.shape), width, "probabilities", axis, lo, hi)
        if hi <= SUM_TOL and np.allclose(_logsumexp(m, axis), 0.0, atol=SUM_TOL):
            return OutputFacts(tuple(v.shape), width, "log_probabilities", axis, lo, hi)
    reading = "unit" if lo >= 0 and hi <= 1 else "logits"
    return OutputFacts(tuple(v.shape), width, reading, None, lo, hi)


def math_nan() -> float:
    return float("nan")


def _logsumexp(m: np.ndarray, axis: int) -> np.ndarray:
    top = m.max(axis=axis, keepdims=True)
    return (top + np.log(np.exp(m - top).sum(axis=axis, keepdims=True))).squeeze(axis)


# --- tensors ---------------------------------------------------------------------------------------

def to_numpy(tensor: Any) -> np.ndarray:
    """A host copy of a tensor's values (detached; half and bfloat16 widened to float32)."""
    if not isinstance(tensor, torch.Tensor):
        return np.asarray(tensor)
    t = tensor.detach()
    if t.is_floating_point() and t.dtype not in (torch.float32, torch.float64):
        t = t.float()
    return t.cpu().numpy()


def model_output(out: Any, where: str = "the model") -> torch.Tensor:
    """The tensor of outputs in what a forward pass returned: a tensor, the first tensor of a tuple
    or list, a dict's 'logits' (or only tensor), an object's `.logits` (Hugging Face outputs)."""
    if isinstance(out, torch.Tensor):
        return out
    if isinstance(out, (tuple, list)) and out and isinstance(out[0], torch.Tensor):
        return out[0]
    if isinstance(out, dict):
        tensors = {k: v for k, v in out.items() if isinstance(v, torch.Tensor)}
        if "logits" in tensors or len(tensors) == 1:
            return tensors.get("logits", next(iter(tensors.values())))
    logits = getattr(out, "logits", None)
    if isinstance(logits, torch.Tensor):
        return logits
    raise InputError(
        f"{where} returned {type(out).__name__}; expected a tensor of outputs (or a tuple whose first "
        "item, a dict whose 'logits', is one). Pass a module whose forward returns the class scores.")


def flat_classes(outputs: torch.Tensor, targets: Any, loss_name: str | None) -> tuple[Any, Any]:
    """(N, K, d1, ...) outputs of a per-position classifier (`CrossEntropyLoss` reads the class
    axis at 1) as (N*d1*..., K) rows, with their targets flattened alike."""
    if outputs.ndim > 2 and loss_name in _CLASS_AXIS_FIRST and isinstance(targets, torch.Tensor) \
            and targets.ndim == outputs.ndim - 1:
        k = outputs.shape[1]
        return outputs.movedim(1, -1).reshape(-1, k), targets.reshape(-1)
    return outputs, targets


# --- the loss --------------------------------------------------------------------------------------

def loss_spec(loss_fn: Any, call: LossCall | None) -> LossSpec:
    """The canonical loss of a loss module, functional, partial or function; the traced call fills
    in what a function does not say (its name, the arguments it was called with)."""
    spec = normalize_loss(loss_fn) if loss_fn is not None else None
    if isinstance(loss_fn, torch.nn.Module) and spec is not None and spec.name != "unknown":
        return replace(spec, spelling=f"{torch_fw.CLASS_OF.get(spec.name, type(loss_fn).__name__)}()")
    if call is not None:
        traced = normalize_loss(functools.partial(call.function, **call.arguments))
        if traced.name != "unknown":
            return replace(traced, spelling=f"F.{call.name}")
    if spec is not None and spec.name != "unknown":
        return spec
    return LossSpec(name="unknown", spelling=describe_callable(loss_fn))


def traced_loss_spec(loss_fn: Any, outputs: torch.Tensor, targets: Any) -> LossSpec:
    """The loss spec of `loss_fn`; a function or lambda is called once on (outputs, targets) under
    no_grad inside a Trace to see which torch loss it reaches (a failing call: read by type only)."""
    if isinstance(loss_fn, torch.nn.Module):
        return loss_spec(loss_fn, None)
    trace = Trace()
    with torch.no_grad(), trace:
        try:
            loss_fn(outputs.detach(), targets)
        except Exception:  # noqa: BLE001 - the loop calls the loss itself; here it is only a look
            pass
    return loss_spec(loss_fn, trace.losses[0] if trace.losses else None)


def describe_callable(fn: Any) -> str:
    if fn is None:
        return "no loss"
    name = getattr(fn, "__qualname__", None) or type(fn).__qualname__
    return str(name)


def unknown_loss_note(spec: LossSpec) -> str:
    return (f"unknown loss `{spec.spelling}`: it calls no PyTorch loss headcheck knows, so the "
            "loss checks are skipped; the data checks still run.")


# --- the head ----------------------------------------------------------------------------------------

def activation_of(act: Activation, facts: OutputFacts, loss: LossSpec | None) -> tuple[str | None, int | None, bool]:
    """(activation, axis, axis missing) from what the trace saw and what the values are."""
    name, dim, missing = act.name, act.dim, act.dim_missing
    if name in (None, "linear") and facts.reading in ("probabilities", "log_probabilities"):
        return facts.activation(), facts.axis, False  # a distribution computed by hand
    if name is None:  # not traced (a scripted module): the values decide, cautiously
        if facts.reading == "unit" and facts.width == 1 and loss is not None and loss.expects == "logits":
            return None, None, False  # one column in [0, 1]: sigmoid output or small logits
        return facts.activation(), None, False
    if name in ("softmax", "log_softmax"):
        ndim = len(facts.shape)
        if dim is not None and dim < 0:
            dim += ndim
        if dim is None and not missing:
            dim = facts.axis
        return name, dim, missing
    return name, None, False


def build_head(outputs: torch.Tensor, activation: Activation, loss: LossSpec | None,
               framework: str = "pytorch") -> tuple[HeadSpec, OutputFacts]:
    values = to_numpy(outputs)
    if values.ndim > 2:
        values = values.reshape(len(values), -1)
    facts = output_facts(values)
    act, axis, missing = activation_of(activation, facts, loss)
    head = HeadSpec(framework=framework, framework_version=torch.__version__.split("+")[0],
                    activation=act, activation_axis=axis, activation_axis_missing=missing,
                    units=facts.width, loss=loss)
    return head, facts


# --- check(module, loss_fn, (inputs, targets)) -----------------------------------------------------

_INPUT_KEYS = ("x", "input", "inputs", "features", "input_ids")
_TARGET_KEYS = ("y", "label", "labels", "target", "targets")


def split_batch(batch: Any) -> tuple[Any, Any]:
    """(inputs, targets) of a batch given as a pair or a dict; InputError otherwise."""
    if isinstance(batch, dict):
        inputs = next((batch[k] for k in _INPUT_KEYS if k in batch), None)
        targets = next((batch[k] for k in _TARGET_KEYS if k in batch), None)
        if inputs is not None and targets is not None:
            return inputs, targets
        raise InputError(
            f"batch: a dict batch needs the inputs under one of {', '.join(_INPUT_KEYS)} and the targets "
            f"under one of {', '.join(_TARGET_KEYS)}; got keys {sorted(map(str, batch))}. Pass the batch "
            "as (inputs, targets).")
    if isinstance(batch, (tuple, list)) and len(batch) == 2:
        if batch[1] is None:
            raise _no_targets("(inputs, None)")
        return batch[0], batch[1]
    if isinstance(batch, torch.Tensor):
        raise _no_targets(f"a single tensor of shape {tuple(batch.shape)}")
    got = f"a {type(batch).__name__} of {len(batch)} items" if isinstance(batch, (tuple, list)) else \
        type(batch).__name__
    raise InputError(f"batch: expected (inputs, targets), the pair the model trains on; got {got}. "
                     "Pass check(model, loss_fn, (xb, yb)); several inputs go in a tuple: ((x1, x2), yb).")


def _no_targets(got: str) -> InputError:
    return InputError(
        f"batch: expected (inputs, targets); got {got}, a batch without targets. headcheck reads the "
        "targets the loss compares the outputs with (their dtype, shape and values): pass "
        "check(model, loss_fn, (xb, yb)).")


def run_model(model: torch.nn.Module, inputs: Any, trace: Trace) -> torch.Tensor:
    """One forward pass on `inputs` inside `trace`, under no_grad with every submodule in eval
    mode; each submodule's own mode is restored afterwards."""
    modes = [(m, m.training) for m in model.modules()]
    try:
        model.eval()
        with torch.no_grad(), trace:
            if isinstance(inputs, dict):
                out = model(**inputs)
            elif isinstance(inputs, (tuple, list)):
                out = model(*inputs)
            else:
                out = model(inputs)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - the user's model failed on the batch it was given
        raise InputError(
            f"model: the forward pass on the batch's inputs raised {type(exc).__name__}: {_first_line(exc)}. "
            "Pass the batch the model trains on, on the model's device, as (inputs, targets).") from None
    finally:
        for module, mode in modes:
            module.training = mode
    return model_output(out)


def check_module(model: torch.nn.Module, loss_fn: Any = None, batch: Any = None, *,
                 task: str | None = None, select: Any = None, ignore: Any = None,
                 untrained: bool = True, metrics: Any = (), framework: str = "pytorch") -> Any:
    """`headcheck.check(model, loss_fn, (inputs, targets))` for a torch module (see the module
    docstring). `untrained`: the model has not been trained yet, so the loss on this batch is the
    untrained loss HC404 reads (pass False for a pretrained or resumed model). `metrics`:
    torchmetrics objects the training logs, checked against the task too."""
    if batch is None:
        raise InputError("check(model, loss_fn, batch): got no batch. Pass one batch the model trains "
                         "on as (inputs, targets): check(model, loss_fn, (xb, yb)).")
    inputs, targets = split_batch(batch)
    trace = Trace()
    outputs = run_model(model, inputs, trace)
    n_out, n_tgt = int(outputs.shape[0]), _rows(targets)
    if n_tgt is not None and n_tgt != n_out:
        raise InputError(
            f"targets do not fit the outputs: the model gave {n_out} output rows (shape "
            f"{tuple(outputs.shape)}) but the batch has {n_tgt} targets (shape {tuple(targets.shape)}). "
            "Pass the inputs and targets of the same batch.")
    value, error = None, None
    if loss_fn is not None:
        with torch.no_grad(), trace:
            try:
                value = float(loss_fn(outputs, targets))
            except Exception as exc:  # noqa: BLE001 - judged below, with the findings
                error = exc
    call = next((c for c in trace.losses if c.input is outputs), trace.losses[0] if trace.losses else None)
    spec = loss_spec(loss_fn, call)
    return head_findings(outputs, targets, trace.activation(outputs), spec, loss_value=value,
                         loss_error=error, task=task, select=select, ignore=ignore,
                         untrained=untrained, metrics=metrics, framework=framework)


def _rows(targets: Any) -> int | None:
    shape = getattr(targets, "shape", None)
    return int(shape[0]) if shape is not None and len(shape) else None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def head_findings(outputs: torch.Tensor, targets: Any, activation: Activation, spec: LossSpec, *,
                  loss_value: float | None = None, loss_error: BaseException | None = None,
                  task: str | None = None, select: Any = None, ignore: Any = None,
                  untrained: bool = True, metrics: Any = (), framework: str = "pytorch") -> Any:
    """The CheckResult of a live head: outputs, targets, what produced the outputs, the loss."""
    from headcheck._check import CheckResult
    from headcheck.findings import Severity
    from headcheck.gate import profile_labels
    from headcheck.rules import Context, run_rules
    from headcheck.vocab import normalize_metric

    flat_out, flat_targets = flat_classes(outputs, targets, spec.name)
    head, facts = build_head(flat_out, activation, spec, framework)
    if metrics:
        head = replace(head, metrics=tuple(normalize_metric(m) for m in metrics))
    notes = [unknown_loss_note(spec)] if spec.name == "unknown" else []
    profile = data = None
    if flat_targets is not None:
        y = to_numpy(flat_targets)
        if y.ndim == 2 and y.shape[1] == 1 and facts.width == 1:
            y = y[:, 0]
        if spec.ignore_index is not None and y.ndim == 1 and y.dtype.kind in "iu":
            y = y[y != spec.ignore_index]
        if len(y):
            profile, data = profile_labels(y, task=task, units=facts.width)
            data = replace(data, n_outputs=facts.width)
    history = None
    if untrained and loss_value is not None:
        history = TrainingHistory(framework=framework, first_batch_loss=loss_value)
    ctx = Context(head=head, task=profile, data=data, declared_task=task, history=history)
    findings = run_rules(ctx, select=select, ignore=ignore)
    if loss_error is not None:
        explained = [f for f in findings if f.severity is Severity.ERROR]  # e.g. HC104, HC203
        if not explained:
            raise InputError(_loss_failure(spec, outputs, targets, loss_error))
        why = next((f for f in explained if f.code.startswith("HC2")), explained[0])  # labels first
        notes.append(f"the loss raised {type(loss_error).__name__} on this batch ({_first_line(loss_error)}); "
                     f"{why.code} says why.")
    return CheckResult(tuple(findings), ctx, notes=tuple(notes))


def _loss_failure(spec: LossSpec, outputs: torch.Tensor, targets: Any, exc: BaseException) -> str:
    expects = torch_fw.TARGETS.get(spec.name, "targets of the kind the loss documents")
    shown = f"{targets.dtype} tensor of shape {tuple(targets.shape)}" if isinstance(targets, torch.Tensor) \
        else type(targets).__name__
    return (f"targets do not fit the loss: {spec.spelling or 'the loss'} raised {type(exc).__name__} "
            f"({_first_line(exc)}) on outputs of shape {tuple(outputs.shape)} ({outputs.dtype}) and targets "
            f"{shown}. It expects {expects}. Convert the targets (dtype, shape) or pick the loss that "
            "fits them.")
