"""The one vocabulary: framework spellings -> the canonical head.

Every front-end turns what it sees into canonical names here, so that the rules never compare user
spellings: `check` (strings from the command line), the linter (dotted names from source), and the
live checks (real Keras / torch / torchmetrics / scikit-learn objects). What it reads:

* strings and dotted names: `'binary_crossentropy'`, `'acc'`, `'keras.losses.BinaryCrossentropy(from_logits=True)'`,
  `'nn.CrossEntropyLoss'`, `'F.cross_entropy'`, `'tf.keras.activations.softmax'` (literal keyword
  arguments written in the spelling are read, nothing is evaluated);
* classes, functions and live objects, by `type(obj).__module__` / `__qualname__` and the attributes
  that matter (`from_logits`, `label_smoothing`, `reduction`, `weight`, `pos_weight`,
  `ignore_index`, `threshold`, `average`, ...), without importing keras or torch;
* `functools.partial` of a functional (its keywords are read).

Per-framework knowledge (which names exist, what each loss expects, defaults) lives in
`headcheck.frameworks.<framework>`; this module only combines it. Ambiguous strings stay ambiguous
here: 'accuracy' is MetricSpec 'accuracy' and 'crossentropy' is LossSpec 'crossentropy' until the
framework, its version and the shapes decide them (`frameworks.keras.resolve_accuracy`,
`resolve_loss` below).

>>> normalize_loss('F.cross_entropy').name, normalize_loss('crossentropy').name
('torch.CrossEntropyLoss', 'crossentropy')
>>> normalize_metric('keras.metrics.BinaryAccuracy(threshold=0.0)').param('threshold')
0.0
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from typing import Any, Iterable

from headcheck.errors import InputError
from headcheck.findings import Location
from headcheck.frameworks import TORCH_FAMILY
from headcheck.frameworks import keras as _keras
from headcheck.frameworks import sklearn as _sklearn
from headcheck.frameworks import torch as _torch
from headcheck.frameworks import torchmetrics as _tm
from headcheck.head import ACTIVATIONS, AMBIGUOUS_LOSS, HeadSpec, LossSpec, MetricSpec

KERAS_LOSSES = _keras.CANONICAL_LOSSES
TORCH_LOSSES = _torch.CANONICAL_LOSSES
LOSSES = KERAS_LOSSES + TORCH_LOSSES
_LOSS_KIND = {**_keras.LOSS_KIND, **_torch.LOSS_KIND}

# Activation spellings shared by the frameworks (keys lower-case, underscores kept and removed).
_ACTIVATION_NAMES = {
    "softmax": "softmax",
    "sigmoid": "sigmoid",
    "logistic": "sigmoid",
    "expit": "sigmoid",
    "linear": "linear",
    "identity": "linear",
    "none": "linear",
    "logsoftmax": "log_softmax",
    "log_softmax": "log_softmax",
    "relu": "relu",
    "tanh": "tanh",
    "softplus": "softplus",
    **_keras.ACTIVATIONS,
    **_torch.ACTIVATIONS,
}
# Real activations that are neither probabilities nor logits-by-design.
_OTHER_ACTIVATIONS = frozenset({
    "elu", "selu", "gelu", "silu", "swish", "mish", "relu6", "leaky_relu", "leakyrelu", "prelu",
    "hard_sigmoid", "hardsigmoid", "hard_swish", "hardswish", "hardtanh", "softsign", "exponential",
    "exp", "celu", "glu", "tanhshrink", "softmin", "log_sigmoid", "logsigmoid",
})
# Metric names no single framework owns.
_GENERIC_METRICS = {
    "balancedaccuracy": "balanced_accuracy",
    "f1": "f1_score",
    "f1scoremacro": "f1_score",
}
_OTHER_METRICS = {**_GENERIC_METRICS, **_sklearn.OTHER_METRICS, **_tm.OTHER_METRICS, **_keras.OTHER_METRICS}
_BALANCED_METRICS = frozenset({
    "auc", "precision", "recall", "f1_score", "fbeta_score", "average_precision", "balanced_accuracy",
    "mcc", "cohen_kappa", "sklearn.balanced_accuracy_score",
})

_CALL_KWARG = re.compile(r"(\w+)\s*=\s*([^,()]+)")


@dataclass(frozen=True)
class Spelling:
    """A spelling taken apart: `prefix` (dotted module path or written qualifier), `last` (the
    name), `kwargs` (literal keyword arguments, or a live object's attributes that matter),
    `called` (a call or an instance, not the bare class / function), `root` (the top-level module
    of a live object: 'keras', 'torch', 'torchmetrics', ...; '' for text), `text` (to show)."""

    prefix: str
    last: str
    kwargs: dict[str, Any]
    called: bool
    root: str = ""
    text: str = ""


def spelling(obj: object) -> Spelling:
    """Take a spelling apart: a string is parsed, anything else is read by its type's module and
    name (never imported, never called).

    >>> s = spelling("keras.losses.BinaryCrossentropy(from_logits=True)")
    >>> s.prefix, s.last, s.kwargs, s.called
    ('keras.losses', 'BinaryCrossentropy', {'from_logits': True}, True)
    """
    if isinstance(obj, str):
        return _parse(obj)
    if isinstance(obj, functools.partial):
        inner = spelling(obj.func)
        kwargs = {**inner.kwargs, **{k: _plain(v) for k, v in obj.keywords.items()}}
        return replace(inner, kwargs=kwargs, text=f"partial({inner.text}, ...)")
    if isinstance(obj, type) or callable(obj) and hasattr(obj, "__name__") and not _is_instance(obj):
        module = getattr(obj, "__module__", None) or ""
        name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", "")
        last = name.rsplit(".", 1)[-1]
        return Spelling(module, last, {}, False, module.split(".")[0], last)
    cls = type(obj)
    module = cls.__module__ or ""
    last = cls.__qualname__.rsplit(".", 1)[-1]
    kwargs = _attributes(obj, module.split(".")[0])
    shown = ", ".join(f"{k}={v!r}" for k, v in kwargs.items() if not (k in _TENSOR_ATTRS and v is False))
    return Spelling(module, last, kwargs, True, module.split(".")[0], f"{last}({shown})")


def _is_instance(obj: object) -> bool:
    """Callable objects (nn.Module, keras Loss) are instances; functions and builtins are not."""
    return not (isinstance(obj, type) or type(obj).__name__ in (
        "function", "builtin_function_or_method", "method", "method_descriptor", "cython_function_or_method"))


def _parse(spelled: str) -> Spelling:
    text = spelled.strip().strip("'\"")
    kwargs: dict[str, Any] = {}
    called = "(" in text
    if called:
        head, _, args = text.partition("(")
        for key, raw in _CALL_KWARG.findall(args):
            kwargs[key] = _literal(raw.strip())
        text = head.strip()
    prefix, _, last = text.rpartition(".")
    return Spelling(prefix, last, kwargs, called, "", spelled)


def _literal(raw: str) -> object:
    if raw in ("True", "False"):
        return raw == "True"
    if raw == "None":
        return None
    for kind in (int, float):
        try:
            return kind(raw)
        except ValueError:
            pass
    return raw.strip("'\"")


_TENSOR_ATTRS = frozenset(_torch.LOSS_TENSOR_ATTRS)


def _attributes(obj: object, root: str) -> dict[str, Any]:
    """The attributes of a live object that matter to the rules, as plain values."""
    if root in _tm.MODULE_ROOTS:
        names: tuple[str, ...] = _tm.METRIC_ATTRS
    elif root in _keras.MODULE_ROOTS:
        names = _keras.LOSS_ATTRS + _keras.METRIC_ATTRS
    elif root in _torch.MODULE_ROOTS:
        names = _torch.LOSS_ATTRS + _torch.LOSS_TENSOR_ATTRS + ("dim",)
    else:
        names = ()
    out: dict[str, Any] = {}
    stored = getattr(obj, "_fn_kwargs", None)  # Keras wrappers keep the function's arguments here
    for name in names:
        value = getattr(obj, name, None)
        if value is None and isinstance(stored, dict):
            value = stored.get(name)
        if name in _TENSOR_ATTRS:
            out[name] = value is not None  # a tensor: only whether it was given matters
        elif value is not None:
            out[name] = _plain(value)
    return out


def _plain(value: object) -> object:
    """A plain Python value for an attribute (tensors and numpy scalars become numbers)."""
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "ndim", None) == 0:
        try:
            return item()
        except Exception:  # noqa: BLE001 - not a scalar after all
            return str(value)
    return str(value)


def _key(name: str) -> str:
    return name.lower().replace("_", "")


def _wrapped(obj: object) -> object | None:
    """The function a Keras wrapper object holds (LossFunctionWrapper.fn, MeanMetricWrapper._fn),
    when its class name says nothing itself."""
    if isinstance(obj, str) or isinstance(obj, type):
        return None
    if type(obj).__name__ in ("LossFunctionWrapper", "MeanMetricWrapper"):
        return getattr(obj, "fn", None) or getattr(obj, "_fn", None)
    return None


# ---------------------------------------------------------------------------------------------
# Activations

def normalize_activation(spelled: object) -> str | None:
    """Canonical activation name of a spelling or a live activation, or None when not recognised.

    None / 'None' / 'linear' / `nn.Identity` mean no activation: 'linear' (the outputs are logits).
    A live layer with an `activation` attribute (a Keras Dense or Activation layer) gives its
    activation.

    >>> normalize_activation('keras.activations.softmax'), normalize_activation('nn.Sigmoid()')
    ('softmax', 'sigmoid')
    >>> normalize_activation(None)
    'linear'
    """
    if spelled is None:
        return "linear"
    s = spelling(spelled)
    name = _activation_name(s.last)
    if name is None and not isinstance(spelled, (str, type)):
        inner = getattr(spelled, "activation", None)
        if inner is not None and inner is not spelled and callable(inner):
            return normalize_activation(inner)
    return name


def _activation_name(last: str) -> str | None:
    low = last.lower()
    for key in (low, low.replace("_", "")):
        if key in _ACTIVATION_NAMES:
            return _ACTIVATION_NAMES[key]
    if low in _OTHER_ACTIVATIONS or low.replace("_", "") in _OTHER_ACTIVATIONS:
        return "other"
    return None


def activation_axis(obj: object) -> tuple[int | None, bool]:
    """(axis, axis_missing) of a live softmax: `nn.Softmax(dim=...)` (dim None: PyTorch picks the
    axis itself), a Keras `Softmax` layer's `axis`. (None, False) when not stated or not a softmax.

    >>> activation_axis("nn.Softmax(dim=1)"), activation_axis("nn.LogSoftmax()")
    ((1, False), (None, True))
    """
    s = spelling(obj)
    act = _activation_name(s.last)
    if act not in ("softmax", "log_softmax"):
        return None, False
    for key in ("dim", "axis"):
        value = s.kwargs.get(key, getattr(obj, key, None) if not isinstance(obj, str) else None)
        if isinstance(value, int) and not isinstance(value, bool):
            return value, False
    torch_like = s.root in _torch.MODULE_ROOTS or s.prefix.split(".")[0] in ("nn", "F", "torch")
    return None, bool(torch_like and s.called and s.last != "Softmax2d")


# ---------------------------------------------------------------------------------------------
# Losses

def loss_kind(name: str) -> str | None:
    """'binary', 'categorical', 'regression', 'other' for a canonical loss; None if unknown."""
    return _LOSS_KIND.get(name)


def loss_expects(name: str, from_logits: bool | None = None) -> str | None:
    """'logits', 'probabilities' or 'log_probabilities' for a canonical loss; None when that does
    not apply or is unknown. Keras cross-entropies read probabilities unless `from_logits=True`."""
    if name in _torch.EXPECTS:
        return _torch.EXPECTS[name]
    if name in _keras.PROBABILISTIC or name == AMBIGUOUS_LOSS:
        return "logits" if from_logits else "probabilities"
    return None


def loss_name(s: Spelling) -> str:
    """The canonical loss of a spelling taken apart, 'crossentropy' (ambiguous) or 'unknown'."""
    root = s.root or s.prefix.split(".")[0]
    if s.last in _torch.LOSS_FUNCTIONS and root not in _keras.MODULE_ROOTS:
        return _torch.LOSS_FUNCTIONS[s.last]
    key = _key(s.last)
    if root in _torch.MODULE_ROOTS:
        return _torch.LOSS_KEYS.get(key, "unknown")
    if key in _keras.AMBIGUOUS_LOSSES and not s.called:
        return AMBIGUOUS_LOSS
    return _keras.LOSSES.get(key) or _torch.LOSS_KEYS.get(key, "unknown")


def normalize_loss(
    spelled: object,
    *,
    from_logits: bool | None = None,
    reduction: str | None = None,
    location: Location | None = None,
    label_smoothing: float | None = None,
    **_: object,
) -> LossSpec:
    """A LossSpec from a loss spelling or object: Keras strings, classes, functions and objects,
    PyTorch classes, modules and functionals. Unknown spellings give name 'unknown' (the spelling
    is kept); the Keras 3 string 'crossentropy' / 'ce' gives 'crossentropy' until resolved.

    Literal keyword arguments written in the spelling (`BinaryCrossentropy(from_logits=True)`) and
    the attributes of a live object are read; explicit keyword arguments win.

    >>> spec = normalize_loss('keras.losses.BinaryCrossentropy', from_logits=True)
    >>> spec.name, spec.from_logits, spec.spelling
    ('binary_crossentropy', True, 'keras.losses.BinaryCrossentropy')
    >>> normalize_loss('nn.CrossEntropyLoss(label_smoothing=0.1)').label_smoothing
    0.1
    """
    if isinstance(spelled, LossSpec):
        return spelled
    if spelled is None:
        return LossSpec(name="unknown", spelling="", location=location)
    inner = _wrapped(spelled)
    s = spelling(spelled)
    name = loss_name(spelling(inner)) if inner is not None else loss_name(s)
    kw = s.kwargs
    if from_logits is None and isinstance(kw.get("from_logits"), bool):
        from_logits = kw["from_logits"]
    if reduction is None and isinstance(kw.get("reduction"), str):
        reduction = kw["reduction"]
    if label_smoothing is None and isinstance(kw.get("label_smoothing"), (int, float)) \
            and not isinstance(kw.get("label_smoothing"), bool):
        label_smoothing = float(kw["label_smoothing"])
    ignore = kw.get("ignore_index")
    return LossSpec(
        name=name, from_logits=from_logits, reduction=reduction,
        spelling=spelled if isinstance(spelled, str) else s.text, location=location,
        label_smoothing=label_smoothing,
        weighted=_given(kw, "weight"), pos_weighted=_given(kw, "pos_weight"),
        ignore_index=ignore if isinstance(ignore, int) and not isinstance(ignore, bool) else None,
    )


def _given(kwargs: dict[str, Any], key: str) -> bool | None:
    if key not in kwargs:
        return None
    value = kwargs[key]
    return bool(value) if isinstance(value, bool) else value is not None


def resolve_loss(loss: LossSpec | None, framework: str | None, version: str | None, *,
                 output_units: int | None, label_encoding: str | None) -> LossSpec | None:
    """The loss with an ambiguous name ('crossentropy') replaced by the one the framework picks,
    when the framework, its version and the shapes decide it; `resolution` says how. A framework
    version without the string makes it 'unknown' (HC111 reports it). Any other loss is returned
    as it is.

    >>> spec = resolve_loss(normalize_loss('crossentropy'), 'keras', '3.6', output_units=1,
    ...                     label_encoding=None)
    >>> spec.name, spec.spelling
    ('binary_crossentropy', 'crossentropy')
    """
    if loss is None or not loss.is_ambiguous:
        return loss
    if framework in TORCH_FAMILY:  # no loss at all: the rules that read the loss stay silent
        return replace(loss, name="unknown", resolution="PyTorch has no loss strings: 'crossentropy' names no loss there")
    res = _keras.resolve_crossentropy(framework, version, output_units=output_units,
                                      label_encoding=label_encoding)
    name = "unknown" if res.accepted is False else (res.loss or loss.name)
    return replace(loss, name=name, resolution=res.explanation)


# ---------------------------------------------------------------------------------------------
# Metrics

def normalize_metric(spelled: object, *, location: Location | None = None, **params: object) -> MetricSpec:
    """A MetricSpec from a metric spelling or object (Keras strings / classes / functions / objects,
    torchmetrics classes and objects, scikit-learn functions). `params` are the keyword arguments
    that matter (threshold, task, average, top_k, num_classes, num_labels); literal ones written in
    the spelling and the attributes of a live object are read too.

    The bare string 'accuracy' (also 'acc', 'Accuracy') is the ambiguous one: name 'accuracy'.
    `keras.metrics.Accuracy` (exact equality of values) is 'keras.Accuracy'; torchmetrics'
    `Accuracy` is 'torchmetrics.Accuracy' (recognised by its module or by a `task=` argument).

    >>> normalize_metric('acc').name, normalize_metric('keras.metrics.BinaryAccuracy()').name
    ('accuracy', 'binary_accuracy')
    >>> normalize_metric('MulticlassAccuracy', num_classes=3).param('num_classes')
    3
    """
    if isinstance(spelled, MetricSpec):
        return spelled
    inner = _wrapped(spelled)
    s = spelling(spelled)
    named = spelling(inner) if inner is not None else s
    merged = {**s.kwargs, **params}
    name = _metric_name(named.prefix, named.last, called=named.called or inner is not None, params=merged)
    text = spelled if isinstance(spelled, str) else s.text
    return MetricSpec(name=name, spelling=text, params=tuple(sorted(merged.items())), location=location)


def _metric_name(prefix: str, last: str, *, called: bool, params: dict[str, object]) -> str:
    key = _key(last)
    low_prefix = prefix.lower()
    if "torchmetrics" in low_prefix or (key in _tm.SHARED and "task" in params):
        return _tm.SHARED.get(key) or _tm.METRICS.get(key) or _OTHER_METRICS.get(key, "unknown")
    if key in _tm.METRICS:
        return _tm.METRICS[key]
    if "sklearn" in low_prefix or key in _sklearn.METRICS:
        return _sklearn.METRICS.get(key) or _OTHER_METRICS.get(key, "unknown")
    if key in _keras.AMBIGUOUS_METRICS:
        # A bare string is Keras's ambiguous 'accuracy'; a class (qualified or called) is
        # keras.metrics.Accuracy, which compares values for equality.
        if prefix or (called and last[:1].isupper()):
            return "keras.Accuracy"
        return "accuracy"
    if key in _keras.METRICS:
        return _keras.METRICS[key]
    return _OTHER_METRICS.get(key, "unknown")


def is_balanced_metric(metric: MetricSpec) -> bool:
    """Whether a metric stays informative on imbalanced data (AUC, F1, balanced accuracy, ...)."""
    if metric.name in _BALANCED_METRICS:
        return True
    if metric.name in _tm.DEFAULT_AVERAGE:
        return _tm.is_balanced(metric.name, metric.param("average"))
    return False


# ---------------------------------------------------------------------------------------------
# Frameworks

_FRAMEWORKS = {
    "keras": "keras",
    "tf.keras": "tf.keras",
    "tf-keras": "tf.keras",
    "tf_keras": "tf.keras",
    "tensorflow": "tf.keras",
    "tf": "tf.keras",
    "tensorflow.keras": "tf.keras",
    "torch": "pytorch",
    "pytorch": "pytorch",
    "lightning": "lightning",
    "pytorch_lightning": "lightning",
    "pytorch-lightning": "lightning",
}


def parse_framework(spec: str | None) -> tuple[str | None, str | None]:
    """'keras==2.2.4' -> ('keras', '2.2.4'); 'tf.keras==2.1' -> ('tf.keras', '2.1');
    'torch' -> ('pytorch', None); 'lightning' -> ('lightning', None); None -> (None, None).

    >>> parse_framework('tensorflow==2.1.0')
    ('tf.keras', '2.1.0')
    """
    if spec is None or not str(spec).strip():
        return None, None
    name, _, version = str(spec).strip().partition("==")
    if not version:
        name, _, version = name.partition("@")
    framework = _FRAMEWORKS.get(name.strip().lower())
    if framework is None:
        raise InputError(
            f"unknown framework {spec!r}: expected one of keras, tf.keras, tensorflow, torch, "
            "lightning, optionally with a version (e.g. 'keras==2.2.4', 'tf.keras==2.1', 'torch'). "
            "Pass --framework keras==3.6 or leave it out when the version is unknown."
        )
    version = version.strip() or None
    if version is not None and not re.match(r"^\d+(\.\d+)*", version):
        raise InputError(
            f"framework version {version!r} of {spec!r} is not a version number: write it as "
            "'keras==2.2.4' (digits and dots)."
        )
    return framework, version


def framework_of(obj: object) -> str | None:
    """The framework a live object (or class) belongs to, from the modules of its class and base
    classes (a user's `class Net(nn.Module)` lives in `__main__`): 'keras', 'tf.keras', 'pytorch',
    'lightning'; None for anything else (torchmetrics and scikit-learn objects say nothing about
    the framework of the model)."""
    cls = type(obj) if not isinstance(obj, type) else obj
    for klass in getattr(cls, "__mro__", (cls,)):
        root = (getattr(klass, "__module__", None) or "").split(".")[0]
        if root == "keras":
            return "keras"
        if root in ("tf_keras", "tensorflow"):
            return "tf.keras"
        if root in _torch.LIGHTNING_ROOTS:
            return "lightning"
        if root in _torch.MODULE_ROOTS:
            return "pytorch"
    return None


_TORCH_PREFIXES = ("nn.", "F.", "torch.", "torchvision.", "torchmetrics.")


def implied_framework(activation: object, loss: LossSpec | None, metrics: Iterable[object]) -> str | None:
    """'pytorch' when the spellings can only be PyTorch ones (nn.Softmax, F.cross_entropy,
    torchmetrics ...), else None: a Keras spelling does not say Keras vs tf.keras."""
    if loss is not None and loss.is_torch:
        return "pytorch"
    spellings = [activation] + [m.spelling if isinstance(m, MetricSpec) else m for m in metrics]
    if any(isinstance(x, str) and x.strip().startswith(_TORCH_PREFIXES) for x in spellings):
        return "pytorch"
    return None


# ---------------------------------------------------------------------------------------------
# A head declared with plain spellings (check, HeadSpec.declared)

_LABELS = {
    "integer": "integer", "int": "integer", "sparse": "integer", "index": "integer", "indices": "integer",
    "one-hot": "one-hot", "onehot": "one-hot", "one_hot": "one-hot", "categorical": "one-hot",
    "multi-hot": "multi-hot", "multihot": "multi-hot", "multi_hot": "multi-hot",
}
_TASKS = ("binary", "multiclass", "multilabel", "ordinal")


def declared_head(cls: type[HeadSpec], *, activation: object = None, units: int | None = None,
                  loss: object = None, from_logits: bool | None = None,
                  metrics: Iterable[object] = (), framework: str | None = None,
                  labels: str | None = None, task: str | None = None,
                  activation_axis: int | None = None, activation_axis_missing: bool = False) -> HeadSpec:
    """The body of `HeadSpec.declared` (see there): spellings validated into a HeadSpec."""
    framework_name, version = parse_framework(framework)
    act = None
    if activation is not None:
        act = normalize_activation(activation)
        if act is None:
            raise InputError(
                f"unknown activation {activation!r}: expected softmax, sigmoid, linear (no "
                "activation: logits), log_softmax, relu, tanh, softplus, or another Keras/PyTorch "
                "activation name."
            )
    loss_spec = None
    if loss is not None:
        loss_spec = normalize_loss(loss, from_logits=from_logits)
        if loss_spec.name == "unknown" and not isinstance(loss, LossSpec):
            raise InputError(
                f"unknown loss {loss!r}: expected a Keras loss (binary_crossentropy, "
                "categorical_crossentropy, sparse_categorical_crossentropy, mse, ...) or a PyTorch "
                "one (CrossEntropyLoss, BCELoss, BCEWithLogitsLoss, NLLLoss, ...)."
            )
        _check_ambiguous_loss(loss_spec, framework_name, version)
    metrics = list(metrics)
    metric_specs = tuple(normalize_metric(m) for m in metrics)
    if units is not None and (not isinstance(units, int) or isinstance(units, bool) or units < 1):
        raise InputError(f"units must be a positive whole number (the output width), got {units!r}.")
    if framework_name is None:
        framework_name = implied_framework(activation, loss_spec, metrics)
    return cls(
        framework=framework_name, framework_version=version, activation=act,
        activation_axis=activation_axis, activation_axis_missing=activation_axis_missing, units=units,
        loss=loss_spec, metrics=metric_specs,
        labels=_choice(labels, _LABELS, "label encoding"), task=_choice(task, _TASKS, "task"),
    )


def _check_ambiguous_loss(loss: LossSpec, framework: str | None, version: str | None) -> None:
    """'crossentropy' is a loss only in Keras 3: declared for another framework it is bad input."""
    if not loss.is_ambiguous:
        return
    if framework in TORCH_FAMILY:
        raise InputError(
            f"loss {loss.spelling!r} with framework {framework}: PyTorch has no loss strings, so "
            "'crossentropy' names no loss there. Name the loss: nn.CrossEntropyLoss (class indices or "
            "probabilities, on logits), nn.BCEWithLogitsLoss (independent outputs, on logits), "
            "nn.NLLLoss (after log_softmax), ..."
        )
    res = _keras.resolve_crossentropy(framework, version, output_units=None, label_encoding=None)
    if res.accepted is False:
        raise InputError(
            f"loss {loss.spelling!r}: {res.explanation}. Name the loss: binary_crossentropy, "
            "categorical_crossentropy or sparse_categorical_crossentropy (or declare keras==3.x)."
        )


def _choice(value: str | None, table: dict[str, str] | tuple[str, ...], what: str) -> str | None:
    if value is None:
        return None
    key = str(value).strip().lower()
    if isinstance(table, dict):
        if key in table:
            return table[key]
        choices = sorted(set(table.values()))
    else:
        if key in table:
            return key
        choices = list(table)
    raise InputError(f"unknown {what} {value!r}: expected one of {', '.join(choices)}.")


__all__ = [
    "ACTIVATIONS", "KERAS_LOSSES", "LOSSES", "TORCH_LOSSES", "Spelling", "activation_axis",
    "declared_head", "framework_of", "implied_framework", "is_balanced_metric", "loss_expects",
    "loss_kind", "normalize_activation", "normalize_loss", "normalize_metric", "parse_framework",
    "resolve_loss", "spelling",
]
