from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx, profile
from headcheck.rules._util import (cumulative_head, cumulative_shift, keras_api, known_task, label_encoding, loss_label,
                                   loss_name)
from headcheck.task import DataFacts

_KERAS_ONE_HOT_LOSSES = frozenset({"categorical_crossentropy", "categorical_focal_crossentropy"})


class LabelEncodingMismatch(Rule):
    """The label encoding is not the one the loss expects.

    ## What it does
    Flags integer class labels given to `categorical_crossentropy` (which expects one-hot rows),
    one-hot labels given to `sparse_categorical_crossentropy` or to PyTorch's `NLLLoss` (which
    expect class indices), and class indices given to a per-output binary loss over K > 1 outputs.

    ## Why is this bad?
    Depending on the version and the shapes, the framework either raises a shape error far from the
    cause, or broadcasts silently: an (N, 1) integer label against (N, K) outputs is read as a
    "probability" of the class index, the loss is nonsense and training still runs.

    ## Example
    ```python
    y = np.array([3, 0, 7, ...])                      # integer labels
    model.compile(loss="categorical_crossentropy")
    ```

    ## Use instead
    ```python
    model.compile(loss="sparse_categorical_crossentropy",
                  metrics=["sparse_categorical_accuracy"])
    # or: y = keras.utils.to_categorical(y, 10)
    ```

    ## Known problems
    Needs the labels (data, or `to_categorical` / `one_hot` visible in the source).

    ## References
    - https://keras.io/api/losses/probabilistic_losses/#sparsecategoricalcrossentropy-class
    - https://pytorch.org/docs/stable/generated/torch.nn.NLLLoss.html
    """

    code = "HC202"
    name = "label-encoding-mismatch"
    severity = Severity.ERROR
    summary = "The labels are encoded differently from what the loss expects."
    fix_title = "Match the loss to the labels: sparse losses for class indices, categorical for one-hot."
    needs = frozenset({"head", "task"})
    points_at = "loss"

    def check(self, ctx: Context) -> Iterator[Finding]:
        head = ctx.head
        name, enc = loss_name(head), label_encoding(ctx)
        if head is None or name is None or enc is None:
            return
        spelling = loss_label(head)
        k = cumulative_head(ctx)
        if k is not None and enc == "integer":
            yield self._cumulative(ctx, spelling, k)
            return
        if cumulative_shift(ctx) is not None:
            return  # shifted ratings for the cumulative head: one cause, one finding (HC203)
        if enc == "integer" and name in _KERAS_ONE_HOT_LOSSES:
            message = (f"The labels are class indices but `{spelling}` expects one-hot rows: Keras "
                       "raises a shape error or broadcasts the index against every output, and the "
                       "loss is then nonsense.")
            fix = ("use `loss='sparse_categorical_crossentropy'` and `metrics=['sparse_categorical_accuracy']`, "
                   f"or one-hot the labels with `{keras_api(ctx)}.utils.to_categorical(y, num_classes)`")
        elif enc == "one-hot" and name == "sparse_categorical_crossentropy":
            message = (f"The labels are one-hot rows but `{spelling}` expects one class index per "
                       "sample: Keras raises a shape error or reads the 0/1 columns as class indices.")
            fix = "use `loss='categorical_crossentropy'`, or pass `y.argmax(axis=1)` as labels"
        elif enc == "one-hot" and name == "torch.NLLLoss":
            message = (f"The labels are one-hot rows but `{spelling}` expects class indices (a long "
                       "tensor of shape (N,)): it raises, or indexes with the 0/1 values.")
            fix = "pass `y.argmax(dim=1)` as the target, or use `nn.CrossEntropyLoss`, which accepts class probabilities"
        elif (enc == "integer" and head.loss.kind == "binary" and (head.units or 0) > 1
              and known_task(ctx) != "multilabel"):
            message = (f"The labels are class indices but `{spelling}` compares each of the "
                       f"{head.units} outputs with its own 0/1 target: the indices are broadcast "
                       "against every output, so the loss is nonsense.")
            if head.loss.is_torch:
                fix = "use `nn.CrossEntropyLoss` with the class indices, or `F.one_hot(y, num_classes).float()` as target"
            else:
                fix = ("use `loss='sparse_categorical_crossentropy'` with a softmax output, or one-hot the "
                       f"labels with `{keras_api(ctx)}.utils.to_categorical(y, num_classes)`")
        else:
            return
        yield self.finding(message, fix)

    def _cumulative(self, ctx: Context, spelling: str, k: int) -> Finding:
        """The cumulative-logit head HC205 recommends for ordered classes: right, given the right
        targets; the class indices check was given are not those targets."""
        units = k - 1
        message = (f"`{spelling}` over {units} outputs on {k} ordered classes is the cumulative-logit "
                   f"(CORAL-style) head: output j is P(class > j), trained on the 0/1 targets "
                   f"'class > j', one column per output. The class indices given here are not those "
                   "targets: trained on them, the indices would be broadcast against every output.")
        if ctx.head is not None and ctx.head.loss is not None and ctx.head.loss.is_torch:
            target = f"`(y[:, None] > torch.arange({units})).float()`"
        else:
            target = f"`(y[:, None] > np.arange({units})).astype('float32')`"
        fix = (f"train on the cumulative targets {target} (y: class indices 0..{k - 1}), predict "
               "the number of outputs above 0.5, and report with `headcheck report --task ordinal` "
               f"(it reads {units} columns as cumulative probabilities)")
        return self.finding(message, fix, severity=Severity.INFO)

    VALID = [
        Case(ctx(activation="softmax", units=10, loss="sparse_categorical_crossentropy",
                 task=profile("multiclass", 10, "integer"))),
        Case(ctx(activation="softmax", units=10, loss="categorical_crossentropy", labels="one-hot")),
        Case(ctx(activation="linear", units=10, loss="nn.CrossEntropyLoss", labels="one-hot")),
        Case(ctx(activation="softmax", units=10, loss="categorical_crossentropy"), note="labels unknown"),
        Case(ctx(activation="sigmoid", units=1, loss="binary_crossentropy", task=profile("binary", 2, "integer"))),
    ]
    INVALID = [
        Case(ctx(activation="sigmoid", units=4, loss="binary_crossentropy", declared="ordinal",
                 task=profile("multiclass", 5, "integer"),
                 data=DataFacts(label_min=0, label_max=4, label_is_integer=True)),
             message="is the cumulative-logit (CORAL-style) head",
             note="the ordinal head HC205 recommends: info, with the targets it trains on"),
        Case(ctx(activation="linear", units=5, loss="nn.BCEWithLogitsLoss", declared="ordinal",
                 task=profile("multiclass", 5, "integer")),
             message="`nn.CrossEntropyLoss` with the class indices",
             note="ordinal, but K outputs: not the cumulative head"),
        Case(ctx(activation="softmax", units=10, loss="categorical_crossentropy",
                 task=profile("multiclass", 10, "integer")), message="`keras.utils.to_categorical"),
        Case(ctx(activation="softmax", units=10, loss="sparse_categorical_crossentropy", labels="one-hot"),
             message="`y.argmax(axis=1)`"),
        Case(ctx(activation="log_softmax", units=10, loss="nn.NLLLoss", labels="one-hot"),
             message="`y.argmax(dim=1)`"),
        Case(ctx(activation="linear", units=10, loss="nn.BCEWithLogitsLoss",
                 task=profile("multiclass", 10, "integer")), message="`nn.CrossEntropyLoss` with the class indices"),
    ]
