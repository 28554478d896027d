"""Choosing the labels column of a table (csv, parquet): one rule for every tabular format."""
from __future__ import annotations

from headcheck.errors import InputError


def label_index(path: str, names: tuple[str, ...] | None, width: int, label_column: str | None,
                *, one_column_why: str = "") -> int:
    """The 0-based index of the labels column: `label_column` by name or 0-based (or negative)
    index, default the first. `names` is None for a table without a header."""
    if width < 2:
        shown = f" {list(names)}" if names else ""
        raise InputError(f"{path}: has one column{shown}{one_column_why}; expected a labels column and "
                         "score column(s). Pass a scores file as a second argument.")
    if label_column is None:
        return 0
    if names and label_column in names:
        return names.index(label_column)
    if label_column.lstrip("-").isdigit() and -width <= int(label_column) < width:
        return int(label_column) % width
    raise InputError(f"{path}: no column {label_column!r}; columns: "
                     f"{list(names) if names else f'0..{width - 1} (no header)'}. "
                     "Pass --label-column with a column name or a 0-based index.")
