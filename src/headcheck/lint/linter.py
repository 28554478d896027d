"""One file -> findings: extract the heads, run the rule catalogue on each, point every finding at
its line, honour `# noqa`.

Where a finding points is declared by its rule (`Rule.points_at`), the same policy for every
front-end and framework:

| points_at | location |
|---|---|
| loss (output x loss, labels x loss: HC101 HC102 HC104 HC105 HC106 HC109 HC201 HC202 HC205 ...) | the `loss=` value of `compile`, the `nn.*Loss(...)` construction or the `F.*` call (a loss bound to a variable first is reported where it is built) |
| activation (the last layer alone: HC103 HC107 HC108) | the `activation=` argument, the `Activation`/`Softmax` layer, `nn.Softmax(...)` or `F.softmax(...)` |
| units (HC110) | the units argument of the last `Dense` / `nn.Linear` |
| metric (HC3xx) | the metric the finding is about (the rule passes it: `'accuracy'` in `metrics=[...]`, the torchmetrics object), else the first metric written |
| labels | where the labels are built (`to_categorical(...)`, ...) |

When that place is unknown the next one that is known is used (in the order of `_FALLBACK`). Suppress a finding with `# noqa: HC101` (exact codes, as ruff) or a bare `# noqa` on the
reported line.
"""
from __future__ import annotations

import gc
import os
import re
from dataclasses import dataclass, replace
from typing import Iterable

from headcheck.findings import Finding, Location
from headcheck.head import HeadSpec
from headcheck.lint.extract import SkippedHead
from headcheck.lint.project import ProjectPins
from headcheck.lint.source import SourceText, Skip, read_source

# Where to look when the place a rule points at is unknown, in order.
_FALLBACK = {
    "activation": ("activation", "units", "loss", "metric", "model"),
    "units": ("units", "activation", "loss", "metric", "model"),
    "metric": ("metric", "loss", "activation", "units", "model"),
    "loss": ("loss", "activation", "units", "metric", "model"),
    "labels": ("labels", "loss", "activation", "units", "metric", "model"),
}

# Every head the extractor reads is anchored on one of these: a Keras `compile` call or a model
# built with `Sequential(` / `Model(` / a class deriving from `...Model`; in a file that mentions
# torch, also a class deriving from `...Module`, a torch loss object or functional. A file with none
# is not parsed at all, which is most of the files of a large tree.
_KERAS_ANCHORS = re.compile(r"(?<!\bre)(?<!regex)(?<!torch)\.compile\s*\(|Sequential\s*\(|Model\s*[(),]")
_TORCH_ANCHORS = re.compile(
    r"Sequential\s*\(|Module\s*[),]|Loss\s*\(|"
    r"(?:cross_entropy|nll_loss|kl_div|mse_loss|l1_loss|margin_loss|focal_loss|with_logits|criterion|loss_fn)\s*\("
)
# plain substring tests (fast C searches) that the anchors contain: the regexes run only on files
# that have one of them
_KERAS_WORDS = ("compile", "Sequential", "Model")
_TORCH_WORDS = ("Sequential", "Module", "Loss", "entropy", "nll_loss", "kl_div", "mse_loss", "l1_loss",
                "margin_loss", "focal_loss", "with_logits", "criterion", "loss_fn")
# raw TensorFlow: a loss of tf.nn / tf.losses, a functional dense layer, a log or a softmax by hand
_TF_WORDS = ("entropy", "log_loss", "softmax", "sigmoid", "dense", "fully_connected", "log(")
_TF_ANCHORS = re.compile(r"(?:cross_entropy\w*|log_loss|softmax|sigmoid|dense|fully_connected|\blog)\s*\(")
_NOQA = re.compile(r"#\s*noqa(?::\s?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)


@dataclass(frozen=True)
class FileResult:
    """What linting one file gave: findings and the heads it could not decide, or the reason the
    whole file was skipped."""

    path: str
    findings: tuple[Finding, ...] = ()
    skipped: str | None = None
    unreadable: bool = False  # the file could not be opened at all (exit code 2)
    skipped_heads: tuple[SkippedHead, ...] = ()
    internal_error: bool = False  # a bug of headcheck met in this file: `skipped` says what (exit 2)


@dataclass(frozen=True)
class SourceResult:
    """Findings of one text, and the heads found but not decided (with the reason)."""

    findings: list[Finding]
    skipped_heads: list[SkippedHead]


def lint_file(path: str, *, select: Iterable[str] | None = None, ignore: Iterable[str] | None = None,
              display: str | None = None) -> FileResult:
    """Lint one `.py` or `.ipynb` file. Problems reading it are reported as `skipped`, never raised.

    `display` is the path written into the findings (defaults to `path`).
    """
    shown = display or path
    try:
        source = read_source(path)
    except Skip as e:
        return FileResult(shown, skipped=str(e), unreadable=str(e).startswith("cannot read"))
    except Exception as e:  # a bug of the reader: this file only, said, and the run goes on
        return internal_error(shown, e)
    try:
        from headcheck.lint.project import project_pins

        project = project_pins(os.path.dirname(os.path.abspath(path)))
        result = check_source(source, shown, select=select, ignore=ignore, project=project)
    except SyntaxError as e:
        where = _syntax_where(e, source)
        return FileResult(shown, skipped=f"syntax error{where}: {e.msg}")
    except (RecursionError, MemoryError, ValueError) as e:  # deeply nested or odd code: never crash the run
        return FileResult(shown, skipped=f"cannot analyse: {type(e).__name__}")
    except Exception as e:  # a bug of the linter must not stop the run over the other files
        return internal_error(shown, e)
    return FileResult(shown, findings=tuple(result.findings), skipped_heads=tuple(result.skipped_heads))


def internal_error(shown: str, error: BaseException) -> FileResult:
    """The result of a file whose linting met a bug of headcheck: one line for it, and exit 2."""
    text = str(error).splitlines()[0][:200] if str(error) else ""
    return FileResult(shown, skipped=f"{type(error).__name__}: {text}" if text else type(error).__name__,
                      internal_error=True)


def _syntax_where(e: SyntaxError, source: SourceText) -> str:
    if not e.lineno:
        return ""
    cell, row = source.to_cell(e.lineno)
    return f" at cell {cell}, line {row}" if cell is not None else f" at line {row}"


def lint_source(source: SourceText | str, filename: str = "<source>", *, select: Iterable[str] | None = None,
                ignore: Iterable[str] | None = None, project: ProjectPins | None = None) -> list[Finding]:
    """Findings for one Python text (or notebook text), located and filtered by `# noqa`.

    Raises SyntaxError when the text does not parse.

    >>> src = "from keras.layers import Dense\\nfrom keras.models import Sequential\\n" \\
    ...       "m = Sequential([Dense(10, activation='softmax')])\\n" \\
    ...       "m.compile(loss='binary_crossentropy')\\n"
    >>> [(f.code, f.location.row, f.location.column) for f in lint_source(src, "train.py")]
    [('HC101', 4, 16)]
    """
    return check_source(source, filename, select=select, ignore=ignore, project=project).findings


def check_source(source: SourceText | str, filename: str = "<source>", *, select: Iterable[str] | None = None,
                 ignore: Iterable[str] | None = None, project: ProjectPins | None = None) -> SourceResult:
    """Findings for one text and the heads that could not be decided (`--show-skipped`).

    `project` holds the versions pinned by the project's files (`headcheck.lint.project`).

    >>> src = ("import keras\\ndef train(loss):\\n"
    ...        "    m = keras.Sequential([keras.layers.Dense(3, activation='softmax')])\\n"
    ...        "    m.compile(loss=loss)\\n")
    >>> result = check_source(src, "t.py")
    >>> result.findings, [(s.location.row, s.reason) for s in result.skipped_heads]
    ([], [(4, 'the loss: parameter `loss` of `train()`, which is not called in this file')])
    """
    from headcheck.lint.extract import analyse
    from headcheck.rules import Context, run_rules

    if isinstance(source, str):
        source = SourceText(text=source)
    if not has_anchor(source.text):
        return SourceResult([], [])
    select = list(select) if select is not None else None
    ignore = list(ignore) if ignore is not None else None
    lines = source.text.split("\n")
    seen: dict[tuple[str, int, int], Finding] = {}
    # A syntax tree has no reference cycles, but building one allocates enough objects to run the
    # cyclic collector over and over: ~20 % of the parse time. Refcounting frees the tree anyway.
    collecting = gc.isenabled()
    gc.disable()
    try:
        analysis = analyse(source.text, filename, raw=source.raw, project=project)
    finally:
        if collecting:
            gc.enable()
    for head in analysis.heads:
        context = Context(head=head.spec, task=head.task, data=head.data)
        for finding in run_rules(context, select=select, ignore=ignore):
            where = anchor(finding, head.spec) or Location(filename, 1, 1)
            if _suppressed(finding.code, lines, where.row):
                continue
            key = (finding.code, where.row, where.column)
            if key not in seen:
                seen[key] = replace(finding, location=_to_cell(where, source))
    findings = sorted(seen.values(), key=lambda f: (f.location.cell or 0, f.location.row, f.location.column, f.code))
    skipped = [replace(s, location=_to_cell(s.location, source)) for s in analysis.skipped]
    return SourceResult(findings, skipped)


def has_anchor(text: str) -> bool:
    """Whether the text can hold a head the extractor reads (else it is not parsed).

    >>> has_anchor("PATTERN = re.compile('x')"), has_anchor("model.compile(loss='mse')")
    (False, True)
    """
    if any(w in text for w in _KERAS_WORDS) and _KERAS_ANCHORS.search(text):
        return True
    if "torch" in text and any(w in text for w in _TORCH_WORDS) and _TORCH_ANCHORS.search(text) is not None:
        return True
    return "tensorflow" in text and any(w in text for w in _TF_WORDS) and _TF_ANCHORS.search(text) is not None


def anchor(finding: Finding, head: HeadSpec) -> Location | None:
    """The place a finding of this head points at: where its rule says (`Rule.points_at`), else
    the next known place (see the module docstring). A metric rule has already located its
    finding at the metric it is about."""
    from headcheck.rules import get_rule

    if finding.location is not None:
        return finding.location
    places = {
        "loss": head.loss.location if head.loss is not None else None,
        "activation": head.activation_location,
        "units": head.units_location,
        "metric": next((m.location for m in head.metrics if m.location is not None), None),
        "labels": head.locations.get("labels"),
        "model": head.locations.get("model"),
    }
    order = _FALLBACK[get_rule(finding.code).points_at]
    return next((places[p] for p in order if places[p] is not None), None)


def _suppressed(code: str, lines: list[str], row: int) -> bool:
    line = lines[row - 1] if 0 < row <= len(lines) else ""
    if "#" not in line:
        return False
    for match in _NOQA.finditer(line):
        codes = match.group("codes")
        if codes is None:
            return True
        if code in {c.upper() for c in re.split(r"[,\s]+", codes) if c}:
            return True
    return False


def _to_cell(loc: Location, source: SourceText) -> Location:
    if not source.cell_starts:
        return loc
    cell, row = source.to_cell(loc.row)
    end_row = None
    if loc.end_row is not None:
        end_cell, end_row = source.to_cell(loc.end_row)
        if end_cell != cell:
            end_row = None
    return replace(loc, row=row, end_row=end_row, end_column=loc.end_column if end_row else None, cell=cell)
