"""Data for the live Keras checks: unpacking (x, y[, sample_weight]), labels per output, and the
model's outputs on inputs, as numpy arrays (nothing the user gave is modified).

Accepted: a tuple `(x, y)` / `(x, y, sample_weight)` of arrays (numpy, or tensors of any backend;
`x` may be a list or dict for several inputs, `y` a list or dict for several outputs), or a
re-iterable source of such batches (a `tf.data.Dataset`, a `keras.utils.PyDataset`, a torch
`DataLoader`). A one-shot generator cannot be read again each epoch and is refused with a message.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

import numpy as np

from headcheck.errors import InputError

# Rows per forward pass of the callback: large batches keep the number of framework calls (the
# cost that dominates a small model) low; the memory is that of one batch of outputs.
PREDICT_ROWS = 8192


def to_numpy(value: Any) -> np.ndarray:
    """A numpy view/copy of an array or tensor of any backend (torch tensors are detached)."""
    if isinstance(value, np.ndarray):
        return value
    detach = getattr(value, "detach", None)
    if callable(detach):
        return detach().cpu().numpy()
    numpy = getattr(value, "numpy", None)
    if callable(numpy) and not isinstance(value, (list, tuple, dict)):
        return np.asarray(numpy())
    return np.asarray(value)


def rows(x: Any) -> int:
    """The number of samples in an input structure (array, list or dict of arrays)."""
    if isinstance(x, dict):
        x = next(iter(x.values()))
    elif isinstance(x, (list, tuple)):
        x = x[0]
    shape = getattr(x, "shape", None)
    return int(shape[0]) if shape is not None and len(shape) else len(x)


def take(x: Any, start: int, stop: int) -> Any:
    """Rows [start, stop) of an input structure."""
    if isinstance(x, dict):
        return {k: v[start:stop] for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(v[start:stop] for v in x)
    return x[start:stop]


def labels_per_output(y: Any, names: Sequence[str]) -> list[np.ndarray]:
    """One label array per output, in the model's output order."""
    n = len(names)
    if isinstance(y, dict):
        missing = [name for name in names if name not in y]
        if missing:
            raise InputError(
                f"labels: the dict of labels has keys {sorted(map(str, y))} but the model's outputs are "
                f"{list(names)}: give one label array per output name (missing: {missing})."
            )
        return [to_numpy(y[name]) for name in names]
    if isinstance(y, (list, tuple)) and n > 1:
        if len(y) != n:
            raise InputError(
                f"labels: the model has {n} outputs ({', '.join(names)}) but {len(y)} label arrays were "
                "given: give one label array per output, as a list in that order or a dict by output name."
            )
        return [to_numpy(v) for v in y]
    if n > 1:
        raise InputError(
            f"labels: the model has {n} outputs ({', '.join(names)}) but one label array was given: give "
            "one label array per output, as a list in that order or a dict by output name."
        )
    if isinstance(y, (list, tuple)) and len(y) == 1 and hasattr(y[0], "shape"):
        y = y[0]
    return [to_numpy(y)]


def outputs_per_output(pred: Any, names: Sequence[str]) -> list[np.ndarray]:
    """The model's outputs (array, list or dict) as one numpy array per output, in output order."""
    if isinstance(pred, dict):
        return [to_numpy(pred[name]) for name in names]
    if isinstance(pred, (list, tuple)):
        return [to_numpy(p) for p in pred]
    return [to_numpy(pred)]


def predict(model: Any, x: Any, names: Sequence[str], batch_rows: int = PREDICT_ROWS) -> Iterator[list[np.ndarray]]:
    """The model's outputs on `x`, in batches of `batch_rows` rows, with Keras's own inference
    step (`predict_on_batch`: no gradients, dropout off, compiled where the backend compiles)."""
    n = rows(x)
    for start in range(0, n, batch_rows):
        yield outputs_per_output(model.predict_on_batch(take(x, start, min(n, start + batch_rows))), names)


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Batches:
    """Validation data as the callback reads it each epoch: arrays (`arrays` = (x, y, w)) or a
    re-iterable source of (x, y[, w]) batches."""

    arrays: tuple[Any, Any, Any] | None = None
    source: Any = None

    def __iter__(self) -> Iterator[tuple[Any, Any, Any]]:
        if self.arrays is not None:
            x, y, w = self.arrays
            n = rows(x)
            for start in range(0, n, PREDICT_ROWS):
                stop = min(n, start + PREDICT_ROWS)
                yield take(x, start, stop), y if y is None else _take_labels(y, start, stop), \
                    None if w is None else w[start:stop]
            return
        for batch in _iterate(self.source):
            yield unpack(batch, "validation_data batch")


def _take_labels(y: Any, start: int, stop: int) -> Any:
    if isinstance(y, dict):
        return {k: v[start:stop] for k, v in y.items()}
    if isinstance(y, (list, tuple)):
        return type(y)(v[start:stop] for v in y)
    return y[start:stop]


def _iterate(source: Any) -> Iterator[Any]:
    if hasattr(source, "__getitem__") and hasattr(source, "__len__") and not hasattr(source, "shape"):
        for i in range(len(source)):  # keras.utils.PyDataset / Sequence
            yield source[i]
        return
    yield from iter(source)


def unpack(data: Any, what: str = "data") -> tuple[Any, Any, Any]:
    """(x, y, sample_weight) of a tuple (x, y) / (x, y, w); InputError without labels."""
    if isinstance(data, (list, tuple)) and len(data) in (2, 3) and not _is_array(data):
        x, y = data[0], data[1]
        w = data[2] if len(data) == 3 else None
        if y is None:
            raise InputError(f"{what}: the labels are None. {_HOW}")
        return x, y, w
    raise InputError(f"{what}: expected a tuple (x, y) or (x, y, sample_weight) with the labels; got "
                     f"{_describe(data)}. {_HOW}")


_HOW = ("headcheck needs labels to compute honest metrics: pass validation_data=(x_val, y_val), or a "
        "tf.data.Dataset / keras.utils.PyDataset / DataLoader that yields (x, y) batches.")


def _is_array(value: Any) -> bool:
    return hasattr(value, "shape") and hasattr(value, "dtype")


def _describe(value: Any) -> str:
    if _is_array(value):
        return f"one array of shape {tuple(value.shape)} (inputs only, no labels)"
    return type(value).__name__


def as_batches(data: Any) -> Batches:
    """Validation data given to the callback, checked at once: a tuple of arrays, or a source
    that can be read again each epoch."""
    if data is None:
        raise InputError("validation_data is None")
    if inspect.isgenerator(data) or (hasattr(data, "__next__") and iter(data) is data):
        raise InputError(
            "validation_data: a generator can be read only once, and HeadCheck reads the validation "
            "data every epoch. Pass arrays (x_val, y_val), a tf.data.Dataset, a keras.utils.PyDataset "
            "or a torch DataLoader instead."
        )
    if isinstance(data, (list, tuple)):
        x, y, w = unpack(data, "validation_data")
        if rows(x) != _label_rows(y):
            raise InputError(f"validation_data: x has {rows(x)} rows but y has {_label_rows(y)}: they must "
                             "describe the same samples.")
        return Batches(arrays=(x, y, w))
    if _is_array(data):
        raise InputError(f"validation_data: got {_describe(data)}. {_HOW}")
    if hasattr(data, "__iter__") or hasattr(data, "__getitem__"):
        return Batches(source=data)
    raise InputError(f"validation_data: expected (x, y) arrays or a dataset of (x, y) batches; got "
                     f"{type(data).__name__}. {_HOW}")


def _label_rows(y: Any) -> int:
    if isinstance(y, dict):
        y = next(iter(y.values()))
    elif isinstance(y, (list, tuple)) and y and hasattr(y[0], "shape"):
        y = y[0]
    return rows(y)
