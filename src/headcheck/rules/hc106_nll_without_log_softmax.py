from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx
from headcheck.rules._util import loss_label, loss_name

_WHY = {
    "linear": "on raw logits it just raises the true class's logit without bound, with no "
    "normalisation across classes",
    "softmax": "on probabilities it minimises -p instead of -log p: the gradients are weak and vanish "
    "as p approaches 1, and the loss value is not a cross-entropy",
    "sigmoid": "on sigmoid outputs it minimises -p of independent outputs, which is neither a "
    "likelihood nor normalised across classes",
}


class NllWithoutLogSoftmax(Rule):
    """PyTorch `NLLLoss` on something other than `log_softmax` output.

    ## What it does
    Flags `nn.NLLLoss` / `F.nll_loss` whose input comes from a last layer that is not a
    `log_softmax`: raw logits, softmax probabilities, sigmoid outputs or another activation.

    ## Why is this bad?
    `NLLLoss` only picks `-input[target]`; it is a cross-entropy only when the input holds
    log-probabilities. On probabilities it minimises -p (weak, vanishing gradients), on logits it
    maximises the raw logit without bound. Training runs and the loss goes down, which hides it.

    ## Example
    ```python
    model = nn.Sequential(nn.Linear(64, 10), nn.Softmax(dim=1))
    loss_fn = nn.NLLLoss()
    ```

    ## Use instead
    ```python
    model = nn.Sequential(nn.Linear(64, 10), nn.LogSoftmax(dim=1))
    loss_fn = nn.NLLLoss()
    # or: nn.Sequential(nn.Linear(64, 10)) with nn.CrossEntropyLoss()
    ```

    ## Known problems
    A `torch.log(softmax(x))` written by hand is seen as a softmax by the linter (it is numerically
    worse than `log_softmax` anyway).

    ## References
    - https://pytorch.org/docs/stable/generated/torch.nn.NLLLoss.html
    """

    code = "HC106"
    name = "nll-without-log-softmax"
    severity = Severity.ERROR
    summary = "NLLLoss is applied to outputs that are not log-probabilities."
    fix_title = "Put log_softmax before NLLLoss, or drop the activation and use CrossEntropyLoss."
    needs = frozenset({"head"})
    points_at = "loss"

    def check(self, ctx: Context) -> Iterator[Finding]:
        head = ctx.head
        if head is None or loss_name(head) != "torch.NLLLoss":
            return
        act = head.activation
        if act is None or act == "log_softmax":
            return
        why = _WHY.get(act, f"on {act} outputs it is not a likelihood at all")
        message = (f"`{loss_label(head)}` expects log-probabilities (the output of `log_softmax`) "
                   f"but gets {act if act != 'linear' else 'logits'} outputs: {why}.")
        fix = ("use `nn.LogSoftmax(dim=1)` (or `F.log_softmax(x, dim=1)`) before `NLLLoss`, or drop "
               "the activation and use `nn.CrossEntropyLoss`")
        yield self.finding(message, fix)

    VALID = [
        Case(ctx(activation="nn.LogSoftmax(dim=1)", units=10, loss="nn.NLLLoss")),
        Case(ctx(activation="F.log_softmax", units=10, loss="F.nll_loss")),
        Case(ctx(activation="linear", units=10, loss="nn.CrossEntropyLoss")),
        Case(ctx(units=10, loss="nn.NLLLoss"), note="activation unknown"),
    ]
    INVALID = [
        Case(ctx(activation="nn.Softmax(dim=1)", units=10, loss="nn.NLLLoss()"), message="minimises -p"),
        Case(ctx(activation="linear", units=10, loss="F.nll_loss"), message="gets logits outputs"),
        Case(ctx(activation="sigmoid", units=3, loss="nn.NLLLoss"), message="`nn.LogSoftmax(dim=1)`"),
        Case(ctx(activation="relu", units=3, loss="nn.NLLLoss"), message="not a likelihood"),
    ]
