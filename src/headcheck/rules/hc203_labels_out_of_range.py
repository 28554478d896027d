from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx, profile
from headcheck.rules._util import cumulative_head, cumulative_shift, known_task, label_encoding, loss_label, pick
from headcheck.task import DataFacts


class LabelsOutOfRange(Rule):
    """Label values outside what the loss or the outputs can take.

    ## What it does
    Flags binary cross-entropy targets outside [0, 1] (e.g. -1/+1 labels), a class index at or past
    the number of outputs (1-based labels 1..K with K outputs), and negative class indices. It reads
    the label range measured on the data (DataFacts), with or without a head.

    ## Why is this bad?
    Binary cross-entropy with a target of -1 rewards pushing the probability outside [0, 1]: the
    loss is unbounded below and training "improves" forever. A class index of K with K outputs
    raises on PyTorch and on some Keras backends, and on others reads memory past the output or is
    clipped to class K-1, so every sample of one class is trained as another.

    ## Example
    ```python
    y = ratings            # 1..5
    model.add(Dense(5, activation="softmax"))
    model.compile(loss="sparse_categorical_crossentropy")
    ```

    ## Use instead
    ```python
    y = ratings - 1        # 0..4
    ```

    ## Known problems
    The report maps string and -1/+1 binary labels to classes itself; this rule then reads the
    mapped range and stays silent.

    ## References
    - https://pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html
    """

    code = "HC203"
    name = "labels-out-of-range"
    severity = Severity.ERROR
    summary = "Label values lie outside the range the loss or the outputs accept."
    fix_title = "Map the labels to 0..K-1 (class indices) or {0, 1} (binary targets)."
    needs = frozenset({"data"})
    points_at = "labels"

    def check(self, ctx: Context) -> Iterator[Finding]:
        data = ctx.data
        if data is None or data.label_min is None or data.label_max is None:
            return
        lo, hi = data.label_min, data.label_max
        head = ctx.head
        if cumulative_head(ctx) is not None:
            return  # class indices 0..K-1 for K-1 cumulative outputs: HC202 says which targets
        shift = cumulative_shift(ctx)
        if shift is not None:  # ratings 1..K for the cumulative head: an offset, not BCE targets
            yield self._cumulative(ctx, shift, lo, hi)
            return
        if head is not None and head.loss is not None and head.loss.kind == "binary" and (lo < 0 or hi > 1):
            yield self._bce(ctx, lo, hi)
            return
        if not self._indices(ctx):
            return
        width = data.n_outputs or (head.units if head is not None else None)
        if lo < 0:
            message = (f"The labels include negative class indices (smallest {lo:g}): there is no class "
                       f"{lo:g}, so the loss raises or trains those samples as another class.")
            yield self.finding(message, self._fix(ctx, lo, hi, width))
        elif width is not None and width > 1 and hi >= width:
            message = (f"The largest class index is {hi:g} but there are {width} outputs (indices 0 to "
                       f"{width - 1}): {'the labels look 1-based; ' if lo >= 1 else ''}index {hi:g} "
                       "points past the last output, so the loss raises or trains it as another class.")
            yield self.finding(message, self._fix(ctx, lo, hi, width))

    @staticmethod
    def _indices(ctx: Context) -> bool:
        """Whether the labels are class indices (not one-hot/multi-hot rows or names)."""
        if ctx.data is not None and ctx.data.label_is_integer is False:
            return False
        if ctx.task is not None:  # string labels were mapped to indices by whoever built the profile
            return ctx.task.label_encoding in ("integer", "boolean")
        enc = label_encoding(ctx)
        if enc is not None:
            return enc == "integer"
        return known_task(ctx) != "multilabel"

    def _bce(self, ctx: Context, lo: float, hi: float) -> Finding:
        spelling = loss_label(ctx.head)
        message = (f"`{spelling}` needs targets in [0, 1] but the labels range from {lo:g} to {hi:g}: "
                   "a target outside [0, 1] makes the loss unbounded below, so it 'improves' forever "
                   "while the model gets worse.")
        fix = pick(ctx, keras="map the labels to {0, 1} (for -1/+1 labels: `(y + 1) // 2`)",
                   pytorch="map the targets to {0, 1} (for -1/+1 labels: `(y + 1) / 2`) before the loss")
        return self.finding(message, fix)

    def _cumulative(self, ctx: Context, shift: int, lo: float, hi: float) -> Finding:
        units = ctx.head.units  # type: ignore[union-attr]
        message = (f"The labels run from {lo:g} to {hi:g} but `{loss_label(ctx.head)}` over {units} "
                   f"outputs is the cumulative-logit head of {units + 1} ordered classes, whose "
                   f"'class > k' targets are built from class indices 0..{units}: the labels look "
                   f"{'1-based' if shift == 1 else f'shifted by {shift}'}. Built from them, the first "
                   "target column is always 1 and the highest classes share their targets; fed to "
                   "the loss as they are, targets above 1 make it unbounded below.")
        if ctx.head.loss.is_torch:  # type: ignore[union-attr]
            target = f"`((y - {shift})[:, None] > torch.arange({units})).float()`"
        else:
            target = f"`((y - {shift})[:, None] > np.arange({units})).astype('float32')`"
        values = ",".join(str(shift + i) for i in range(min(units + 1, 8))) + (",..." if units + 1 > 8 else "")
        fix = (f"subtract {shift} from the labels (`y - {shift}`) so that they run from 0 to {units}, and "
               f"train on the cumulative targets {target}; to keep the labels as they are, tell "
               f"headcheck which label is output 0: --label-offset {shift} or --classes {values} "
               f"(label_offset={shift} / classes=[...] in Python)")
        return self.finding(message, fix)

    def _fix(self, ctx: Context, lo: float, hi: float, width: int | None) -> str:
        from headcheck.gate.labels import MAX_LABEL_CLASSES

        if lo >= 1 and width is not None and hi == width:
            return "subtract 1 from the labels (`y - 1`) so that they run from 0 to K-1"
        # more outputs only while the index is a plausible class count (10**12 is an identifier)
        wider = lo >= 0 and hi < MAX_LABEL_CLASSES
        return (f"map the labels to class indices 0..K-1 (e.g. `np.unique(y, return_inverse=True)[1]`)"
                f"{f', or give the last layer {int(hi) + 1} outputs' if wider else ''}")

    VALID = [
        Case(ctx(data=DataFacts(label_min=0, label_max=9, label_is_integer=True, n_outputs=10))),
        Case(ctx(task=profile("multiclass", 3, "one-hot"),
                 data=DataFacts(label_min=0, label_max=1, label_is_integer=True, n_outputs=1)),
             note="one-hot rows are not indices"),
        Case(ctx(activation="sigmoid", units=1, loss="binary_crossentropy",
                 data=DataFacts(label_min=0, label_max=1, label_is_integer=True))),
        Case(ctx(task=profile("multilabel", 5, "multi-hot"), data=DataFacts(label_min=0, label_max=1))),
        Case(ctx(activation="softmax", units=10), note="no data"),
        Case(ctx(data=DataFacts(label_min=1, label_max=5, label_is_integer=True)), note="width unknown"),
    ]
    INVALID = [
        Case(ctx(data=DataFacts(label_min=1, label_max=10, label_is_integer=True, n_outputs=10)),
             message="subtract 1 from the labels"),
        Case(ctx(activation="sigmoid", units=4, loss="binary_crossentropy", declared="ordinal",
                 data=DataFacts(label_min=1, label_max=5, label_is_integer=True)),
             message="--label-offset 1 or --classes 1,2,3,4,5",
             note="ratings 1..5 for the cumulative head: the ordinal offset, not 'map to {0, 1}'"),
        Case(ctx(activation="softmax", units=5, loss="sparse_categorical_crossentropy",
                 data=DataFacts(label_min=1, label_max=5, label_is_integer=True)), message="look 1-based"),
        Case(ctx(activation="sigmoid", units=1, loss="binary_crossentropy",
                 data=DataFacts(label_min=-1, label_max=1, label_is_integer=True)), message="`(y + 1) // 2`"),
        Case(ctx(activation="linear", units=1, loss="nn.BCEWithLogitsLoss",
                 data=DataFacts(label_min=-1, label_max=1, label_is_integer=True)), message="unbounded below"),
        Case(ctx(task=profile("multiclass", 3, "integer"),
                 data=DataFacts(label_min=-1, label_max=2, label_is_integer=True, n_outputs=3)),
             message="negative class indices"),
        Case(ctx(data=DataFacts(label_min=0, label_max=2.0**63, label_is_integer=True, n_outputs=3)),
             message="return_inverse=True)[1]`). See", note="identifiers: no 'give the last layer 2**63 outputs'"),
    ]
