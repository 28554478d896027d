from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx, profile
from headcheck.rules._util import pick, class_counts, class_name, known_task
from headcheck.task import DataFacts

_SHOWN = 5


class DegenerateLabels(Rule):
    """A single class present, or classes with no examples in the evaluation data.

    ## What it does
    Reads the class counts of the data. Single-label data: flags data where only one class occurs,
    and classes (of the outputs) with no example. Multi-label data: flags labels that are never
    positive or always positive.

    ## Why is this bad?
    With one class present, accuracy is the fraction of predictions of that class, and AUC, F1 and
    balanced accuracy are undefined. A class with no example has no recall: macro averages either
    drop it (torchmetrics) or count it as 0 (scikit-learn, with a warning), so the same predictions
    give different macro numbers in different tools.

    ## Example
    ```python
    y_val = y[:500]        # sorted by class: only class 0 in the validation split
    ```

    ## Use instead
    ```python
    X_tr, X_val, y_tr, y_val = train_test_split(X, y, stratify=y)
    ```

    ## Known problems
    An evaluation split of a many-class problem can miss rare classes honestly; the finding is then
    a reminder of how the macro averages treat them.

    ## References
    - https://scikit-learn.org/stable/modules/generated/sklearn.model_selection.train_test_split.html
    """

    code = "HC204"
    name = "degenerate-labels"
    severity = Severity.WARNING
    summary = "Only one class is present, or some classes have no examples."
    fix_title = "Evaluate on a stratified split that contains every class."
    needs = frozenset({"data"})
    points_at = "labels"

    def check(self, ctx: Context) -> Iterator[Finding]:
        counts = class_counts(ctx)
        if not counts or len(counts) < 2:
            return
        if known_task(ctx) == "multilabel":
            yield from self._multilabel(ctx, counts)
        elif known_task(ctx) is not None or ctx.data is None or ctx.data.n_samples is None \
                or abs(sum(counts) - ctx.data.n_samples) < 1e-6:
            yield from self._single_label(ctx, counts)

    def _single_label(self, ctx: Context, counts: tuple[float, ...]) -> Iterator[Finding]:
        present = [i for i, c in enumerate(counts) if c > 0]
        fix = "evaluate on a stratified split (`train_test_split(..., stratify=y)`) that contains every class"
        if len(present) == 1:
            name = class_name(ctx, present[0])
            message = (f"Only class {name} occurs in the labels: accuracy is just the fraction of "
                       f"predictions of class {name}, and AUC, F1 and balanced accuracy are undefined.")
            yield self.finding(message, fix)
        elif len(present) < len(counts):
            missing = [class_name(ctx, i) for i, c in enumerate(counts) if c <= 0]
            shown = ", ".join(missing[:_SHOWN]) + (f" and {len(missing) - _SHOWN} more" if len(missing) > _SHOWN else "")
            message = (f"{len(missing)} of {len(counts)} classes have no example in the data ({shown}): "
                       f"their recall is undefined, and {_macro(ctx)}.")
            yield self.finding(message, fix, cause="label-count")

    def _multilabel(self, ctx: Context, counts: tuple[float, ...]) -> Iterator[Finding]:
        n = ctx.data.n_samples if ctx.data is not None and ctx.data.n_samples else None
        never = [class_name(ctx, i) for i, c in enumerate(counts) if c <= 0]
        always = [class_name(ctx, i) for i, c in enumerate(counts) if n is not None and c >= n]
        if not never and not always:
            return
        parts = []
        if never:
            parts.append(f"never positive: {', '.join(never[:_SHOWN])}{' ...' if len(never) > _SHOWN else ''}")
        if always:
            parts.append(f"always positive: {', '.join(always[:_SHOWN])}{' ...' if len(always) > _SHOWN else ''}")
        message = (f"Some labels do not vary in the data ({'; '.join(parts)}): their AUC and F1 are "
                   "undefined and their per-label accuracy is trivially high.")
        yield self.finding(message, "evaluate on data where every label occurs both as positive and negative, "
                           "or drop the constant labels")

    VALID = [
        Case(ctx(data=DataFacts(n_samples=30, class_counts=(10, 10, 10)))),
        Case(ctx(task=profile("multiclass", 3, "integer", (5, 3, 2)))),
        Case(ctx(task=profile("multilabel", 3, "multi-hot", (4, 2, 1)), data=DataFacts(n_samples=10,
                 class_counts=(4, 2, 1)))),
        Case(ctx(activation="softmax", units=3), note="no data"),
    ]
    INVALID = [
        Case(ctx(data=DataFacts(n_samples=20, class_counts=(20, 0))), message="Only class 0 occurs"),
        Case(ctx(task=profile("multiclass", 4, "integer", (5, 0, 3, 0))), message="2 of 4 classes"),
        Case(ctx(task=profile("multilabel", 3, "multi-hot"), data=DataFacts(n_samples=10,
                 class_counts=(4, 0, 10))), message="never positive: 1; always positive: 2"),
    ]


def _macro(ctx: Context) -> str:
    """What macro averages do with an empty class, in the user's tools."""
    return pick(
        ctx,
        keras="a macro average over the classes counts them as 0 or drops them depending on the tool, "
        "so numbers disagree",
        pytorch="torchmetrics' macro averages drop them while scikit-learn counts them as 0, so tools "
        "disagree",
        sklearn="scikit-learn's macro averages count them as 0 (with a warning) while other tools drop "
        "them, so numbers disagree",
        neutral="macro averages drop them in some tools and count them as 0 in others, so numbers "
        "disagree",
    )
