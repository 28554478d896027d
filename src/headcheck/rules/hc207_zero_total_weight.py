from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx
from headcheck.rules._util import pick
from headcheck.task import DataFacts


class ZeroTotalWeight(Rule):
    """Every sample weight is zero: no metric is defined.

    ## What it does
    Reads the total sample weight measured by a report (DataFacts). When there are samples but
    their weights sum to 0, every weighted metric is 0/0; the report shows them as undefined
    (null in JSON, n/a in text) and this finding says why.

    ## Why is this bad?
    Tools disagree on what 0/0 is: scikit-learn warns and returns 0.0 (or NaN), a hand-written
    `(w * correct).sum() / w.sum()` returns NaN, and a weighted Keras metric may print 0.0. None of
    these numbers says anything about the model. All-zero weights usually come from a mask that
    selected nothing, or from weights computed in an integer type that truncated to 0.

    ## Example
    ```python
    w = (y == 7).astype(int) * 0.5      # int: 0.5 truncates to 0 everywhere
    ```

    ## Use instead
    ```python
    w = (y == 7) * 0.5                  # float weights
    ```

    ## Known problems
    Only a sum of exactly 0 is flagged; weights that are merely tiny are rescaled by the report
    (a power of two) and give defined metrics.

    ## References
    - https://scikit-learn.org/stable/modules/model_evaluation.html#classification-metrics
    """

    code = "HC207"
    name = "zero-total-weight"
    severity = Severity.ERROR
    summary = "Every sample weight is zero: every metric is undefined."
    fix_title = "Check how the sample weights are computed (dtype, mask) before reporting."
    needs = frozenset({"data"})
    points_at = "labels"

    def check(self, ctx: Context) -> Iterator[Finding]:
        data = ctx.data
        if data is None or data.total_weight is None or data.total_weight != 0 or not data.n_samples:
            return
        message = (f"The sample weights of all {data.n_samples:,} samples sum to 0: every weighted "
                   "metric is 0/0, so none is defined (shown as n/a; null in JSON).")
        fix = pick(ctx, keras="check the `sample_weight` you pass to `fit`/`evaluate` (a float dtype; "
                              "a mask that selects some rows)",
                   pytorch="check the weights you multiply the per-sample loss by (a float dtype; a "
                           "mask that selects some rows)",
                   neutral="check how the weights are computed (a float dtype, a mask that selects "
                           "some rows), or leave the weights out")
        yield self.finding(message, fix)

    VALID = [
        Case(ctx(data=DataFacts(n_samples=10, class_counts=(5.0, 5.0)))),
        Case(ctx(data=DataFacts(n_samples=10, total_weight=None)), note="weights given and not zero"),
        Case(ctx(data=DataFacts(n_samples=0, total_weight=0.0)), note="no samples"),
    ]
    INVALID = [
        Case(ctx(data=DataFacts(n_samples=100, total_weight=0.0)), message="all 100 samples sum to 0"),
    ]
