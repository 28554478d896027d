"""Reading the head of a live Keras model: each output's last activation and width, the loss and
the metrics as compiled, and what Keras resolved the strings 'accuracy' / 'crossentropy' into.

Works on Keras 3 (any backend) and tf.keras 2 (the `tf-keras` package), read by duck typing on
the model object: nothing here imports a Keras at module level. Where Keras has already built its
compiled metrics and losses (Keras 3 on torch / jax builds them before `on_train_begin`), those
objects are read. Where it has not yet (Keras 3 on TensorFlow and tf.keras 2 build them inside the
first training step), the model's own Keras builds a throwaway copy of its compile containers
from the user's spellings and the shapes of the labels and outputs: the same code Keras runs at
its first step, never a table of ours, and the model is left as it was.

The names found here are normalised by `headcheck.vocab` (one vocabulary for every front-end).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from typing import Any, Sequence

import numpy as np

from headcheck.errors import InputError
from headcheck.head import HeadSpec, LossSpec, MetricSpec
from headcheck.vocab import (activation_axis, framework_of, normalize_activation, normalize_loss,
                             normalize_metric)

# Top-level modules of the Kerases read here: Keras 3 (and standalone Keras 2), tf-keras, and the
# copy of Keras that TensorFlow < 2.16 ships.
ROOTS = ("keras", "tf_keras", "tensorflow")
MODEL_CLASSES = frozenset({"Model", "Functional", "Sequential"})
# Layers that pass their input through unchanged in value (only shape or training noise): the
# activation of the output is that of the layer before them.
PASS_THROUGH = frozenset({"Reshape", "Flatten", "Dropout", "SpatialDropout1D", "SpatialDropout2D",
                          "GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization",
                          "Identity", "Permute", "Cropping1D", "Masking", "InputLayer"})


@dataclass(frozen=True)
class KerasOutput:
    """One output of a Keras model: its name, its head (activation, width, loss, metrics as
    Keras compiled them) and the live objects that computed them.

    loss_object: the loss Keras uses for this output (a Keras Loss, resolved from 'crossentropy'
        where Keras resolves it), or the user's spelling when it could not be built; None = none.
    metric_objects: (logged name, metric object) for each metric Keras built for this output.
    """

    name: str
    index: int
    head: HeadSpec
    loss_object: Any = None
    metric_objects: tuple[tuple[str, Any], ...] = ()
    notes: tuple[str, ...] = ()


def root_of(obj: object) -> str:
    return (type(obj).__module__ or "").split(".")[0]


def is_keras_model(obj: object) -> bool:
    """Whether `obj` is a Keras / tf.keras model (also a user's subclass of one)."""
    for cls in type(obj).__mro__:
        if cls.__name__ in MODEL_CLASSES and (cls.__module__ or "").split(".")[0] in ROOTS:
            return True
    return False


def keras_root(model: object) -> str:
    """The top-level module of the Keras the model belongs to ('keras', 'tf_keras', 'tensorflow')."""
    for cls in type(model).__mro__:
        root = (cls.__module__ or "").split(".")[0]
        if root in ROOTS:
            return root
    raise InputError(f"expected a Keras model; got {type(model).__name__}.")


def framework(model: object) -> tuple[str, str | None]:
    """('keras' | 'tf.keras', version) of a live model."""
    root = keras_root(model)
    module = sys.modules.get(root)
    version = getattr(module, "__version__", None)
    if root == "keras":
        return "keras", version
    if root == "tf_keras":
        return "tf.keras", version
    return framework_of(model) or "tf.keras", version


def is_keras3(model: object) -> bool:
    return keras_root(model) == "keras" and str(framework(model)[1] or "3").split(".")[0] >= "3"


def require_compiled(model: object) -> None:
    """InputError when the model was never compiled: the loss and metrics are read from compile."""
    compiled = getattr(model, "compiled", None)
    if compiled is None:
        compiled = getattr(model, "_is_compiled", None)
    if not compiled:
        raise InputError(
            f"the model ({type(model).__name__}) is not compiled: headcheck reads the loss and the "
            "metrics Keras compiled. Call model.compile(loss=..., metrics=[...]) first, or check a "
            "declared head: headcheck.check(HeadSpec.declared(activation=..., loss=..., ...), y)."
        )


def output_names(model: Any) -> list[str]:
    names = getattr(model, "output_names", None)
    if names:
        return [str(n) for n in names]
    return ["output"]


def _output_tensors(model: Any) -> list[Any] | None:
    """The symbolic outputs of a functional or sequential model; None for a subclassed model."""
    try:
        outputs = model.outputs
    except (AttributeError, ValueError):  # subclassed models have no graph
        return None
    if not outputs:
        return None
    return list(outputs)


def _producer(tensor: Any) -> Any:
    history = getattr(tensor, "_keras_history", None)
    if history is None:
        return None
    return getattr(history, "operation", None) or getattr(history, "layer", None)


def _inbound_tensor(layer: Any) -> Any:
    """The single input tensor of a layer in a functional graph (None when not exactly one)."""
    node = (getattr(layer, "_inbound_nodes", None) or [None])[0]
    if node is None:
        return None
    tensors = getattr(node, "input_tensors", None)
    if tensors is None:
        args = getattr(node, "arguments", None)
        tensors = getattr(args, "keras_tensors", None)
    if tensors is None:
        return None
    tensors = list(tensors) if isinstance(tensors, (list, tuple)) else [tensors]
    return tensors[0] if len(tensors) == 1 else None


def output_layers(model: Any) -> list[Any | None]:
    """The layer that computes each output's values (behind pass-through layers), or None."""
    tensors = _output_tensors(model)
    if tensors is None:
        return [None] * len(output_names(model))
    found = []
    for tensor in tensors:
        layer = _producer(tensor)
        for _ in range(8):  # Flatten(Dropout(Dense)) and the like: a few steps at most
            if layer is None or type(layer).__name__ not in PASS_THROUGH:
                break
            layer = _producer(_inbound_tensor(layer))
        found.append(layer)
    return found


@dataclass(frozen=True)
class Activation:
    name: str | None
    axis: int | None = None
    source: str = ""  # what told us: 'layer' or 'values'


def layer_activation(layer: Any) -> Activation:
    """The activation a layer applies last: a Dense/Conv `activation=`, an Activation or Softmax
    layer, a wrapper's inner layer (TimeDistributed); None when the layer does not say."""
    if layer is None:
        return Activation(None)
    inner = getattr(layer, "layer", None)
    if inner is not None and type(inner).__name__ not in ("NoneType",) and hasattr(inner, "activation"):
        return layer_activation(inner)
    name = type(layer).__name__
    if name in ("Softmax", "Sigmoid"):
        axis, _ = activation_axis(layer)
        return Activation(normalize_activation(layer), axis, "layer")
    act = getattr(layer, "activation", None)
    if act is None:
        return Activation(None)
    canonical = normalize_activation(act)
    axis = -1 if canonical in ("softmax", "log_softmax") else None
    if axis is not None:
        stated, _ = activation_axis(act)
        axis = stated if stated is not None else axis
    return Activation(canonical, axis, "layer")


def values_activation(outputs: np.ndarray) -> Activation:
    """What a batch of outputs shows: rows summing to 1 -> softmax; values in [0, 1] -> sigmoid;
    anything else -> logits ('linear'), unless negative values are absent, which says nothing."""
    out = np.asarray(outputs, dtype=np.float64)
    out = out[np.all(np.isfinite(out.reshape(len(out), -1)), axis=1)] if out.ndim > 1 else out[np.isfinite(out)]
    if out.size == 0:
        return Activation(None)
    width = out.shape[-1] if out.ndim > 1 else 1
    low, high = float(out.min()), float(out.max())
    if width > 1 and low >= 0 and np.allclose(out.sum(axis=-1), 1.0, atol=1e-3):
        return Activation("softmax", -1, "values")
    if 0 <= low and high <= 1:
        return Activation("sigmoid", None, "values")
    if low < 0:
        return Activation("linear", None, "values")
    return Activation(None)


# ---------------------------------------------------------------------------------------------
# The compiled loss and metrics

def _compile_loss(model: Any) -> Any:
    return getattr(model, "_compile_loss", None) if is_keras3(model) else getattr(model, "compiled_loss", None)


def _compile_metrics(model: Any) -> Any:
    return getattr(model, "_compile_metrics", None) if is_keras3(model) else getattr(model, "compiled_metrics", None)


def user_loss(model: Any) -> Any:
    """The loss as the user passed it to compile (string, object, function, list or dict)."""
    container = _compile_loss(model)
    for attr in ("_user_loss", "_user_losses"):
        if container is not None and hasattr(container, attr):
            return getattr(container, attr)
    return getattr(model, "loss", None)


def user_metrics(model: Any) -> tuple[Any, Any]:
    container = _compile_metrics(model)
    if container is None:
        return None, None
    return getattr(container, "_user_metrics", None), getattr(container, "_user_weighted_metrics", None)


def _per_output(spec: Any, names: Sequence[str]) -> list[Any]:
    """A compile argument spread over the outputs as Keras does: one value for every output, a
    list/tuple with one entry per output, or a dict by output name."""
    n = len(names)
    if isinstance(spec, dict):
        return [spec.get(name) for name in names]
    if isinstance(spec, (list, tuple)) and n > 1 and len(spec) == n:
        return list(spec)
    return [spec] * n


def _is_built(container: Any) -> bool:
    return bool(container is not None and (getattr(container, "built", False) or getattr(container, "_built", False)))


def built_losses(model: Any, n: int) -> list[Any] | None:
    """The loss objects Keras built, one per output (None where an output has no loss); None when
    Keras has not built them yet."""
    container = _compile_loss(model)
    if not _is_built(container):
        return None
    flat = getattr(container, "_flat_losses", None)
    if flat is not None:  # Keras 3: namedtuples (path, loss, loss_weights, name)
        losses = [entry.loss for entry in flat]
        return losses if len(losses) == n else (losses * n if len(losses) == 1 else None)
    losses = getattr(container, "_losses", None)  # tf.keras 2: flat list per output
    if isinstance(losses, (list, tuple)) and len(losses) == n:
        return list(losses)
    return None


def built_metrics(model: Any, n: int) -> list[list[Any]] | None:
    """The metric objects Keras built for each output; None when not built yet."""
    container = _compile_metrics(model)
    if not _is_built(container):
        return None
    return _metrics_of(container, n)


def _metrics_of(container: Any, n: int) -> list[list[Any]]:
    """The metric objects of a built compile-metrics container, per output (plain and weighted)."""
    if hasattr(container, "_flat_metrics"):  # Keras 3: one MetricsList (or None) per output
        groups = [container._flat_metrics, getattr(container, "_flat_weighted_metrics", None)]
    else:  # tf.keras 2: per output, a list of metric objects
        groups = [getattr(container, "_metrics", None), getattr(container, "_weighted_metrics", None)]
    out: list[list[Any]] = [[] for _ in range(n)]
    for group in groups:
        for i, entry in enumerate(group or []):
            if entry is None or i >= n:
                continue
            items = getattr(entry, "metrics", None)
            if items is None:
                items = entry if isinstance(entry, (list, tuple)) else [entry]
            out[i].extend(m for m in items if m is not None)
    return out


def _structure(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else list(values)


def resolved_by_keras(model: Any, y_true: list[Any], y_pred: list[Any]
                      ) -> tuple[list[Any] | None, list[list[Any]] | None]:
    """(losses, metrics) per output as the model's own Keras resolves them for labels and outputs
    of these shapes, built in throwaway compile containers (the model is not touched); (None,
    None) when that Keras refuses these shapes (then the user's spellings are read instead)."""
    names = output_names(model)
    n = len(names)
    metrics, weighted = user_metrics(model)
    has_loss = _compile_loss(model) is not None
    try:
        if is_keras3(model):
            from keras.src.trainers import compile_utils as cu  # the model's own Keras

            yt, yp = _structure(y_true), _structure(y_pred)
            losses = None
            if has_loss:
                cl = cu.CompileLoss(user_loss(model), output_names=names)
                cl.build(yt, yp)
                losses = [e.loss for e in cl._flat_losses]
            cm = cu.CompileMetrics(metrics, weighted, output_names=names)
            cm.build(yt, yp)
        elif keras_root(model) == "tf_keras":
            import tensorflow as tf
            from tf_keras.src.engine import compile_utils as cu

            yt = _structure([tf.convert_to_tensor(np.asarray(v)) for v in y_true])
            yp = _structure([tf.convert_to_tensor(np.asarray(v)) for v in y_pred])
            losses = None
            if has_loss:
                lc = cu.LossesContainer(user_loss(model), output_names=names)
                lc.build(yp)
                losses = list(lc._losses)
            cm = cu.MetricsContainer(metrics, weighted, output_names=names)
            cm.build(yp, yt)
        else:
            return None, None
    except Exception:  # noqa: BLE001 - Keras refused these shapes
        return None, None
    if losses is not None and len(losses) != n:
        losses = None
    return losses, _metrics_of(cm, n)


# ---------------------------------------------------------------------------------------------
# The heads

ACCURACY_STRINGS = frozenset({"accuracy", "acc"})


def logged_name(model: Any, index: int, metric: Any) -> str:
    """The name Keras logs a built metric under (`val_` added for validation): Keras 3 prefixes the
    output name on models with several outputs; tf.keras 2 renames the metric object itself."""
    name = str(getattr(metric, "name", "") or "")
    names = output_names(model)
    if is_keras3(model) and len(names) > 1:
        return f"{names[index]}_{name}"
    return name


def metric_spec(metric: Any, framework_name: str, version: str | None) -> MetricSpec:
    """A MetricSpec of a metric Keras built. When Keras built it from the string 'accuracy', the
    spec names the class Keras picked (so the rules judge what Keras computes) and its spelling
    says so: `'accuracy' -> CategoricalAccuracy`."""
    spec = normalize_metric(metric)
    shown = str(getattr(metric, "name", "") or "")
    if shown.lower() in ACCURACY_STRINGS and spec.name not in ("accuracy", "unknown", "keras.Accuracy"):
        built = type(metric).__name__
        if built == "MeanMetricWrapper":  # tf.keras 2 wraps the function it picked
            inner = getattr(metric, "_fn", None) or getattr(metric, "fn", None)
            built = getattr(inner, "__name__", built)
        where = f"{'tf.keras' if framework_name == 'tf.keras' else 'Keras'} {version or ''}".strip()
        spelled = f"'{shown}' -> {built} (built by {where})"
        return replace(spec, spelling=spelled, params=spec.params + (("resolved_from", shown),))
    return spec


def loss_spec(loss: Any, spelled: Any, framework_name: str, version: str | None) -> LossSpec | None:
    """A LossSpec of the loss Keras uses for an output (`spelled`: what the user wrote for it)."""
    if loss is None and spelled is None:
        return None
    spec = normalize_loss(loss if loss is not None else spelled)
    if isinstance(spelled, str):
        resolution = None
        if spelled.strip().lower() in ("crossentropy", "ce") and not spec.is_ambiguous and loss is not None:
            where = f"{'tf.keras' if framework_name == 'tf.keras' else 'Keras'} {version or ''}".strip()
            resolution = f"{where} resolved '{spelled}' to {spec.name} from the shapes of the labels and outputs"
        spec = replace(spec, spelling=spelled, resolution=resolution or spec.resolution)
    return spec


def read_outputs(model: Any, y_true: list[Any] | None = None, y_pred: list[Any] | None = None) -> list[KerasOutput]:
    """The head of every output of a compiled Keras model.

    `y_true` / `y_pred` (one array per output, in `output_names` order) let Keras resolve the
    strings 'accuracy' and 'crossentropy' where it has not built its compile containers yet, and
    let the outputs' values say the activation where no layer does (subclassed models)."""
    require_compiled(model)
    fw, version = framework(model)
    names = output_names(model)
    n = len(names)
    losses, metrics = built_losses(model, n), built_metrics(model, n)
    if (losses is None or metrics is None) and y_true is not None and y_pred is not None:
        more_losses, more_metrics = resolved_by_keras(model, y_true, y_pred)
        losses = losses if losses is not None else more_losses
        metrics = metrics if metrics is not None else more_metrics
    spelled_losses = _per_output(user_loss(model), names)
    if losses is None:
        losses = [None] * n
    if metrics is None:
        plain, weighted = user_metrics(model)
        metrics = [_as_list(a) + _as_list(b) for a, b in zip(_per_output(plain, names), _per_output(weighted, names))]
    layers = output_layers(model)
    tensors = _output_tensors(model)
    found = []
    for i, name in enumerate(names):
        act = layer_activation(layers[i])
        if act.name is None and y_pred is not None:  # no layer says it (subclassed model, Lambda)
            act = values_activation(y_pred[i])
        units = _units(y_pred[i] if y_pred is not None else None, tensors[i] if tensors else None)
        loss = loss_spec(losses[i], spelled_losses[i], fw, version)
        specs, objects = [], []
        for m in metrics[i]:
            if isinstance(m, (str, type)) or callable(m) and not hasattr(m, "update_state"):
                specs.append(normalize_metric(m))  # not built: the user's spelling
            else:
                specs.append(metric_spec(m, fw, version))
                objects.append((logged_name(model, i, m), m))
        head = HeadSpec(framework=fw, framework_version=version, activation=act.name,
                        activation_axis=act.axis, units=units, loss=loss, metrics=tuple(specs))
        notes = []
        if loss is not None and loss.name == "unknown":
            notes.append(f"unknown loss `{loss.spelling or 'custom'}` for output `{name}`: the rules about the "
                         "loss stay silent; the data checks still run.")
        if loss is None:
            notes.append(f"output `{name}` has no compiled loss: the rules about the loss stay silent.")
        found.append(KerasOutput(name, i, head, losses[i] if losses[i] is not None else spelled_losses[i],
                                 tuple(objects), tuple(notes)))
    return found


def _as_list(spec: Any) -> list[Any]:
    if spec is None:
        return []
    if isinstance(spec, (list, tuple)):
        return [m for m in spec if m is not None]
    return [spec]


def _units(values: Any, tensor: Any) -> int | None:
    shape = getattr(values, "shape", None) if values is not None else None
    if shape is None and tensor is not None:
        shape = getattr(tensor, "shape", None)
    if shape is None:
        return None
    shape = tuple(shape)
    if len(shape) <= 1:
        return 1
    last = shape[-1]
    return int(last) if last is not None else None
