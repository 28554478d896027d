"""What a forward pass and a loss call did, seen through `torch.overrides.TorchFunctionMode`.

Inside a `Trace`, every torch function and tensor method call is recorded: its name, the tensor it
read first, its result and the arguments that matter (`dim` of a softmax; `weight`, `pos_weight`,
`ignore_index`, `reduction`, `label_smoothing` of a loss). Modules are torch calls too
(`nn.Softmax` calls `F.softmax`, `nn.CrossEntropyLoss` calls `F.cross_entropy`), so the trace
sees the same thing whether the user wrote a module, a functional, a tensor method or a lambda.
Calls made inside a recorded call (the `log_softmax` inside `cross_entropy`) are not recorded:
the user's level is what matters.

Records hold weak references, so tracing keeps no tensor alive; only the tensors given to a loss
functional (the model's outputs and the targets) are held, because they are what the caller asks
for. Optionally (`watch=` a module) forward hooks note which module produced each tensor, so a
front-end can find the module whose output feeds the loss.
"""
from __future__ import annotations

import inspect
import weakref
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

from headcheck.frameworks import torch as torch_fw
from headcheck.vocab import normalize_activation

# Calls that pass a tensor's values through unchanged (shape or dtype only): looked through when
# asking what produced the outputs.
PASSTHROUGH = frozenset({
    "view", "reshape", "squeeze", "unsqueeze", "flatten", "contiguous", "clone", "float", "double",
    "half", "bfloat16", "to", "type", "detach", "view_as", "reshape_as", "cpu", "cuda", "squeeze_",
    "unsqueeze_", "identity",
})
# The loss functionals torch offers (F.cross_entropy, ...), by name.
LOSS_FUNCTIONS = frozenset(torch_fw.LOSS_FUNCTIONS)
# Loss arguments that matter to the rules and to the live checks.
LOSS_ARGUMENTS = torch_fw.LOSS_ATTRS + torch_fw.LOSS_TENSOR_ATTRS


def _name(func: Any) -> str:
    return str(getattr(func, "__name__", "") or getattr(func, "name", "") or func).split(".")[-1]


def _first_tensor(args: tuple, kwargs: dict) -> torch.Tensor | None:
    for value in list(args) + list(kwargs.values()):
        if isinstance(value, torch.Tensor):
            return value
    return None


@dataclass
class Call:
    """One recorded call: its name, its first tensor input, the arguments that matter."""

    name: str
    source: weakref.ReferenceType | None
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass
class LossCall:
    """A loss functional the user's code called: its name, the input (the model's outputs) and
    target tensors, and its arguments ('weight', 'reduction', ...; tensors as given)."""

    name: str
    function: Any
    input: torch.Tensor
    target: torch.Tensor
    arguments: dict[str, Any]
    result: Any = None  # the loss tensor it returned

    def value(self) -> float | None:
        """The loss value (a float; None when the call did not return one number)."""
        try:
            return float(self.result.detach())
        except Exception:  # noqa: BLE001 - reduction='none' and the like
            return None


class Trace(TorchFunctionMode):
    """Records the torch calls made while it is active (`with Trace() as trace: ...`)."""

    def __init__(self, watch: torch.nn.Module | None = None) -> None:
        super().__init__()
        self._calls: dict[int, tuple[weakref.ReferenceType, Call]] = {}
        self._modules: dict[int, tuple[weakref.ReferenceType, weakref.ReferenceType]] = {}
        self.losses: list[LossCall] = []
        self._watch = watch
        self._hooks: list[Any] = []
        self.root_output: Any = None
        self._root_ran = False

    def __enter__(self) -> Trace:
        if self._watch is not None:
            for module in self._watch.modules():
                self._hooks.append(module.register_forward_hook(self._module_hook))
        return super().__enter__()

    def __exit__(self, *exc: object) -> None:
        for hook in self._hooks:
            hook.remove()
        self._hooks.clear()
        super().__exit__(*exc)

    def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: ANN001 - torch's protocol
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        try:
            self._record(func, args, kwargs, out)
        except Exception:  # noqa: BLE001 - recording must never change what the user's code does
            pass
        return out

    def _record(self, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
        name = _name(func)
        if name in LOSS_FUNCTIONS and len(args) + len(kwargs) >= 2:
            self.losses.append(_loss_call(name, func, args, kwargs, out))
        source = _first_tensor(args, kwargs)
        if not isinstance(out, torch.Tensor) or out is source:  # eval-mode dropout returns its input
            return
        arguments = {}
        if name in ("softmax", "log_softmax"):
            arguments["dim"] = kwargs.get("dim", args[1] if len(args) > 1 else None)
        call = Call(name, weakref.ref(source) if source is not None else None, arguments)
        self._calls[id(out)] = (weakref.ref(out), call)

    def _module_hook(self, module: torch.nn.Module, inputs: Any, output: Any) -> None:
        if isinstance(output, torch.Tensor):  # outer modules run their hook last: they win
            self._modules[id(output)] = (weakref.ref(output), weakref.ref(module))
        if module is self._watch or (self.root_output is None or not self._root_ran) and \
                isinstance(output, torch.Tensor) and output.ndim > 0:
            # what the watched module's own forward returned, else the last module output seen
            self.root_output = output
            self._root_ran = self._root_ran or module is self._watch

    # -- questions --------------------------------------------------------------------------
    def producer(self, tensor: torch.Tensor) -> Call | None:
        """The recorded call whose result is `tensor` (None when made outside the trace)."""
        entry = self._calls.get(id(tensor))
        if entry is None or entry[0]() is not tensor:
            return None
        return entry[1]

    def module_of(self, tensor: torch.Tensor) -> torch.nn.Module | None:
        """The outermost watched module whose output is `tensor`."""
        entry = self._modules.get(id(tensor))
        if entry is None or entry[0]() is not tensor:
            return None
        return entry[1]()

    def activation(self, tensor: torch.Tensor) -> Activation:
        """What produced `tensor`, looking through shape-only calls (`view`, `squeeze`, ...)."""
        seen = 0
        call = self.producer(tensor)
        while call is not None and call.name in PASSTHROUGH and seen < 32:
            source = call.source() if call.source is not None else None
            if source is None:
                break
            tensor, call, seen = source, self.producer(source), seen + 1
        if call is None:
            return Activation(None, None, False, None, tensor)
        name = normalize_activation(call.name)
        if call.name == "log" and self._made_by(call, "softmax"):
            name = "log_softmax"  # torch.log(softmax(x)): log-probabilities, computed less stably
        if name not in ("softmax", "log_softmax", "sigmoid", "relu", "tanh", "softplus", "other"):
            return Activation("linear", None, False, call.name, tensor)
        dim = call.arguments.get("dim")
        return Activation(name, dim if isinstance(dim, int) else None,
                          name in ("softmax", "log_softmax") and dim is None, call.name, tensor)

    def output_module(self, tensor: torch.Tensor) -> torch.nn.Module | None:
        """The outermost watched module whose output is `tensor` or what `tensor` was computed
        from through shape-only calls and activations (the module to hook for the outputs)."""
        for _ in range(32):
            module = self.module_of(tensor)
            if module is not None:
                return module
            call = self.producer(tensor)
            source = call.source() if call is not None and call.source is not None else None
            if source is None:
                return None
            tensor = source
        return None

    def _made_by(self, call: Call, name: str) -> bool:
        source = call.source() if call.source is not None else None
        prior = self.producer(source) if source is not None else None
        return prior is not None and prior.name == name


@dataclass(frozen=True)
class Activation:
    """What the trace says produced a tensor: `name` ('softmax', 'log_softmax', 'sigmoid', 'linear'
    for any non-activation op, ...; None when no recorded call made it), the softmax `dim`,
    whether the softmax was called without one, and the op's own name."""

    name: str | None
    dim: int | None
    dim_missing: bool
    op: str | None
    pre_activation: Any = field(default=None, compare=False, repr=False)


def _loss_call(name: str, func: Any, args: tuple, kwargs: dict, result: Any = None) -> LossCall:
    try:
        arguments = dict(inspect.signature(func).bind_partial(*args, **kwargs).arguments)
    except (TypeError, ValueError):  # no signature: the functionals take (input, target, ...)
        arguments = {"input": args[0] if args else None, "target": args[1] if len(args) > 1 else None,
                     **kwargs}
    inp, target = arguments.pop("input", None), arguments.pop("target", None)
    kept = {k: v for k, v in arguments.items() if k in LOSS_ARGUMENTS}
    return LossCall(name, func, inp, target, kept, result)
