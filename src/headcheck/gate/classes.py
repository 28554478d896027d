"""Class lists and label offsets: which label value is which output (`--classes`, `--label-offset`).

Labels are read as class indices 0..K-1 unless the user says otherwise. Three ways to say it:

- `--label-offset 1` (`label_offset=1`): label value v is output v - 1 (ratings 1..5 for 5 outputs);
- `--classes 1,2,3,4,5` (`classes=[1, 2, 3, 4, 5]`): the label values in output order. Numbers
  match numeric labels by value; names match string labels (their order is the output order, not
  the sorted order);
- `--classes bad,ok,good` with integer (or one-hot) labels: display names of outputs 0, 1, 2.

A class list may come from a file, one name per line: `--classes @classes.txt`.

The mapping is stated once here (`ClassSpec`) and applied everywhere labels are read: task
inference maps the (N,) labels once, every canonical chunk maps its rows (`map_labels`), and
`check` maps the labels before profiling them, so that all commands agree. A label value the list
does not hold is an input error that names the value and its rows.

>>> spec = parse_classes("1,2,3,4,5")
>>> spec.values, spec.names[:2]
((1.0, 2.0, 3.0, 4.0, 5.0), ('1', '2'))
>>> map_labels(np.array([5, 1, 3]), spec.values, 0).tolist()
[4, 0, 2]
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from headcheck.errors import InputError
from headcheck.gate.arrays import is_str


@dataclass(frozen=True)
class ClassSpec:
    """What the user said about the classes.

    `names`: display names in output order (empty when only an offset was given); `values`: the
    label value of each output when labels are mapped by value (numbers as floats, or strings);
    empty when the names only name outputs 0..K-1; `offset`: label value of output 0 (0 when not
    given)."""

    names: tuple[str, ...] = ()
    values: tuple = ()
    offset: int = 0
    implicit: bool = False  # decided by headcheck (ordinal regression: the labels' range), not given
    said: str = ""  # the decision to state when headcheck decided the mapping (implicit)

    @property
    def maps(self) -> bool:
        """Whether label values are translated (not just named)."""
        return bool(self.values) or self.offset != 0

    def for_labels(self, y: np.ndarray) -> ClassSpec:
        """The spec as it applies to labels `y`: names of string labels are their values."""
        if not self.values and self.names and is_str(np.asarray(y[:1])):
            return ClassSpec(names=self.names, values=self.names)
        return self

    def describe(self, k: int | None = None) -> str:
        """The decision as the report's Task section states it (`k`: the number of classes)."""
        if self.said:
            return self.said
        if self.implicit and k is not None and not self.values:
            return (f"ordinal with one regression output: the classes are the integers from the "
                    f"smallest label ({self.offset}) to the largest ({self.offset + k - 1}); pass "
                    "--classes to state them")
        if self.values:
            shown = ", ".join(f"{v!r} -> {i}" for i, v in enumerate(self.names[:6]))
            more = ", ..." if len(self.names) > 6 else ""
            return f"labels mapped to outputs by the class list given: {shown}{more}"
        if self.offset:
            return (f"labels mapped to outputs by the offset given: label {self.offset} -> output 0, "
                    f"label v -> output v - {self.offset}")
        return "class names given for the outputs: " + ", ".join(self.names[:6]) + (
            ", ..." if len(self.names) > 6 else "")


def ordinal_range(y: np.ndarray) -> ClassSpec | None:
    """The classes of ordinal labels read against one regression output, which has no width to
    count classes by: the integers from the smallest label to the largest. A ClassSpec with that
    offset when the smallest label is a positive whole number (ratings 1..5); None when the labels
    already start at 0 (or are not 1-D numbers: the gate reports those)."""
    if y.ndim != 1 or y.dtype.kind not in "iuf" or y.size == 0:
        return None
    lo = float(np.min(y))
    if lo > 0 and lo == int(lo):
        return ClassSpec(offset=int(lo), implicit=True)
    return None


def parse_classes(classes: str | Sequence[object] | None = None,
                  label_offset: int | float | str | None = None) -> ClassSpec | None:
    """A ClassSpec from `--classes` ('1,2,3', '@file.txt', or a sequence) and `--label-offset`;
    None when neither was given."""
    if classes is None and label_offset is None:
        return None
    if classes is not None and label_offset is not None:
        raise InputError("classes: give either a class list (--classes) or a label offset "
                         "(--label-offset), not both; a class list of numbers already says which "
                         "label is which output.")
    if label_offset is not None:
        return ClassSpec(offset=_offset(label_offset))
    names = _names(classes)
    numeric = _numbers(names)
    return ClassSpec(names=names, values=numeric if numeric is not None else ())


def _offset(value: object) -> int:
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        f = float("nan")
    if not np.isfinite(f) or f != int(f):
        raise InputError(f"label offset: expected a whole number such as 1 (labels 1..K for K "
                         f"outputs); got {value!r}.")
    return int(f)


def _names(classes: str | Sequence[object]) -> tuple[str, ...]:
    if isinstance(classes, str):
        text = classes.strip()
        if text.startswith("@"):
            names = _read_names(text[1:])
        else:
            names = [c.strip() for c in text.split(",")]
    else:
        names = [str(c).strip() if not isinstance(c, float) or not c.is_integer() else str(int(c))
                 for c in classes]
    if any(n == "" for n in names) or len(names) < 2:
        raise InputError(f"classes: expected at least two non-empty class names or values, "
                         f"comma-separated (--classes 1,2,3,4,5) or one per line in a file "
                         f"(--classes @classes.txt); got {classes!r}.")
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise InputError(f"classes: each class must be listed once; got {dup[:5]} more than once.")
    return tuple(names)


def _read_names(path: str) -> list[str]:
    if not os.path.isfile(path):
        raise InputError(f"classes: the class list file {path!r} does not exist or is not a file. "
                         "Write one class name per line, or list them: --classes 1,2,3.")
    try:
        with open(path, encoding="utf-8-sig") as f:
            return [line.strip() for line in f.read(1 << 24).splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"classes: cannot read the class list file {path!r} ({e}). Write one class "
                         "name per line as UTF-8 text.") from e


def _numbers(names: Sequence[str]) -> tuple[float, ...] | None:
    try:
        values = tuple(float(n) for n in names)
    except ValueError:
        return None
    if not all(np.isfinite(values)):
        return None
    if len(set(values)) != len(values):
        raise InputError(f"classes: the class values {list(names)[:8]} name the same number twice.")
    return values


def class_values(spec: ClassSpec | None, n_classes: int) -> tuple[float, ...] | None:
    """The numeric label value of each output (for a regression output in label units), or None
    when the classes are names without numbers."""
    if spec is not None and spec.values:
        return spec.values if all(isinstance(v, float) for v in spec.values) else None
    offset = spec.offset if spec is not None else 0
    return tuple(float(offset + i) for i in range(n_classes))


def map_labels(y: np.ndarray, values: tuple, offset: int, *, rows_from: int = 0,
               what: str = "labels") -> np.ndarray:
    """Label values -> output indices (int64), by `values` (each output's label value) or by
    `offset`; InputError naming the first rows whose value is not a class."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if not values:
        return _by_offset(y, offset, rows_from, what)
    strings = all(isinstance(v, str) for v in values)
    if strings != is_str(y):
        if strings:
            raise InputError(f"{what}: the classes given are names ({list(values)[:5]}) but the "
                             f"{what} are numbers; list the label values (--classes 1,2,3) or leave "
                             "--classes out.")
        y = _numeric_strings(y, values, what)
    exact = y.dtype.kind in "iu" and all(type(v) is int for v in values)  # noqa: E721 (not bool)
    if exact:  # integer identifiers near 2**63 differ by less than a float64 can tell apart
        keys = np.asarray(values)
    else:
        keys = np.asarray(values, dtype=object if strings else np.float64)
    if strings:
        keys = keys.astype(str)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    probe = y if strings or exact else y.astype(np.float64, copy=False)
    pos = np.minimum(np.searchsorted(ordered, probe), len(ordered) - 1)
    bad = np.flatnonzero(ordered[pos] != probe)
    if bad.size:
        raise _not_a_class(y, bad, rows_from, values, what)
    return order[pos].astype(np.int64)


def _by_offset(y: np.ndarray, offset: int, rows_from: int, what: str) -> np.ndarray:
    if is_str(y) or y.dtype.kind not in "biuf":
        raise InputError(f"{what}: a label offset needs numeric class labels; got "
                         f"{y.dtype} values. Use --classes to name string classes in order.")
    if y.dtype.kind == "f":
        whole = np.isfinite(y) & (y == np.floor(y))
        if not whole.all():
            bad = np.flatnonzero(~whole)
            raise InputError(f"{what}: a label offset needs whole-number labels; got "
                             f"{y[bad[0]].item()!r} in row {int(bad[0]) + rows_from}.")
    # labels minus the offset are class indices in int64: a float label of 1e38 (or a uint64 one
    # past 2**63) would become a wrapped or undefined integer (numpy warns 'invalid value in cast')
    if y.size:
        lo, hi = (int(v) - offset for v in (y.min(), y.max()))
        if lo < -(2**63) or hi >= 2**63:
            row = int(np.argmax(y) if hi >= 2**63 else np.argmin(y))
            raise InputError(
                f"{what}: a label offset needs class numbers that fit in a 64-bit integer; got "
                f"{y[row].item()!r} in row {row + rows_from}, which is no class number. Pass the "
                "labels as 0..K-1 (no offset) or 1..K (--label-offset 1).")
    return y.astype(np.int64) - np.int64(offset)


def _numeric_strings(y: np.ndarray, values: tuple, what: str) -> np.ndarray:
    """String labels that spell numbers ('1', '2') against a numeric class list."""
    try:
        return y.astype(np.float64)
    except ValueError as e:
        raise InputError(f"{what}: the classes given are numbers ({list(values)[:5]}) but the "
                         f"{what} are names; list the names in order (--classes bad,ok,good).") from e


def _not_a_class(y: np.ndarray, bad: np.ndarray, rows_from: int, values: tuple, what: str) -> InputError:
    rows = ", ".join(str(int(r) + rows_from) for r in bad[:5])
    first = y[bad[0]]
    shown = [v if isinstance(v, str) else (int(v) if float(v).is_integer() else v) for v in values[:8]]
    return InputError(f"{what}: value {first.item() if hasattr(first, 'item') else first!r} is not "
                      f"one of the classes given {shown}{' ...' if len(values) > 8 else ''} "
                      f"({bad.size} row(s); first rows, 0-based: {rows}). Add it to the class list "
                      "or fix the labels.")
