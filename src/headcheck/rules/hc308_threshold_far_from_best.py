from __future__ import annotations

from typing import Iterator

from headcheck.findings import Finding, Severity
from headcheck.rules import Case, Context, Rule
from headcheck.rules._cases import ctx
from headcheck.rules._util import pick
from headcheck.task import DataFacts

# F1 must rise at least this much (absolute) at the best threshold for the threshold in use to
# count as far from it: re-thresholding a calibrated model for F1 routinely gains a few points
# (its F1-optimal threshold is half its best F1, Lipton et al. 2014), which is no finding.
MIN_GAIN = 0.10
# Fewer positive decisions than this in the data: a best threshold is mostly noise.
MIN_POSITIVES = 10
# ROC AUC at or above this: the scores rank the positives well, so a bad F1 at the threshold in
# use is the threshold's doing (and the accuracy / collapse findings of the same decisions fold
# into this one). Below it the ranking needs a look too, and those findings stand on their own.
GOOD_AUC = 0.75


def _t(x: float) -> str:
    return f"{x:.4g}"


class ThresholdFarFromBest(Rule):
    """The decision threshold in use is far from the one where F1 peaks.

    ## What it does
    Reads the threshold analysis of a report on binary or multi-label probabilistic scores (the
    metrics across thresholds, from the same pass) and flags a threshold in use (0.5 unless
    declared) at which F1 (micro-F1 over every label for multi-label data) is at least 0.10
    below its best value on the same data (and that best is 0.10 above what predicting every row
    positive scores), or at which nothing is predicted positive while a lower threshold finds
    positives.

    ## Why is this bad?
    Every thresholded number (accuracy, precision, recall, F1, Keras's `binary_accuracy`) is
    measured at the threshold, not of the model. 0.5 is the right cut only for calibrated
    probabilities of balanced classes under a symmetric cost. With rare labels the scores seldom
    reach 0.5: a multi-label model can predict no label at all (micro-F1 0.0) while its ranking
    is good, and the model, the loss or the data gets blamed for what the threshold does.

    ## Example
    ```text
    multi-label, 20 rare labels: at 0.5 nothing is predicted (micro-F1 0.0000);
    at 0.2 micro-F1 is 0.0850
    ```

    ## Use instead
    ```python
    # pick t on validation data, then use it everywhere the model decides
    t = best_f1_threshold(y_val, model.predict(x_val))
    model.compile(..., metrics=[keras.metrics.F1Score(average="micro", threshold=t)])
    y_pred = model.predict(x_test) > t
    ```
    Or weight the positives while training (`class_weight`, `pos_weight=` of
    `BCEWithLogitsLoss`, a focal loss) so that their scores move up.

    ## Known problems
    The best threshold is found on the data the report reads; chosen on the test data itself it
    flatters the score, so the finding asks for validation data. Silent for hard predictions, for
    multi-class data (decided by argmax) and with fewer than 10 positives.

    ## References
    - Lipton, Elkan, Naryanaswamy: Optimal Thresholding of Classifiers to Maximize F1 Measure
      (ECML PKDD 2014).
    - https://scikit-learn.org/stable/modules/classification_threshold.html
    """

    code = "HC308"
    name = "threshold-far-from-best"
    severity = Severity.WARNING
    summary = "The decision threshold in use is far from where F1 peaks on this data."
    fix_title = "Choose the threshold on validation data and use it wherever the model decides."
    needs = frozenset({"data"})
    points_at = "metric"

    def check(self, ctx: Context) -> Iterator[Finding]:
        facts = ctx.data.extra.get("thresholds") if ctx.data is not None else None
        if not facts or facts.get("best") is None or facts.get("at_current") is None:
            return
        if facts.get("positives", 0) < MIN_POSITIVES:
            return
        now, best, t_now, t_best = (facts["at_current"], facts["best"], facts["current"],
                                    facts["best_threshold"])
        nothing = facts.get("predicted_at_current", 1) <= 0 and best > 0
        everything = facts.get("all_positive", 0.0)
        if not nothing and (best - now < MIN_GAIN or best - everything < MIN_GAIN):
            return  # a small gain, or one that predicting every row positive gives as well
        metric = facts.get("metric", "f1")
        if nothing:
            what = "no positive label at all" if metric == "micro_f1" else "no positive at all"
            start = f"At threshold {_t(t_now)} the model predicts {what} ({metric} {now:.4f})"
        else:
            start = f"At threshold {_t(t_now)}, {metric} is {now:.4f}"
        message = f"{start}, while at {_t(t_best)} {metric} is {best:.4f} on the same data"
        macro = facts.get("macro_f1_at_best")
        if metric == "micro_f1" and macro is not None:
            message += (f" (with each label at its own best threshold, macro-F1 {macro:.4f}; "
                        f"{facts.get('labels_improved', 0)} labels gain 0.05 or more)")
        auc = facts.get("roc_auc")
        if best - everything < MIN_GAIN:
            rows = "every label" if metric == "micro_f1" else "every row"
            message += (f"; predicting {rows} positive would score {everything:.4f}: the "
                        "scores barely rank the positives, so the head or the training needs a "
                        "look as well as the threshold")
        elif auc is not None and auc < GOOD_AUC:
            message += (f"; ROC AUC is only {auc:.4f}: the scores rank the positives poorly, so "
                        "the head or the training needs a look as well as the threshold")
        else:
            ranking = ("the ranking may be fine" if auc is None
                       else f"the ranking is good (ROC AUC {auc:.4f})")
            message += (". Every thresholded number (accuracy, precision, recall, F1) is measured "
                        f"at the threshold: {ranking} and the threshold is the problem.")
            # the cause the decisions' findings (HC307, HC402) share: `gate.policy.fold_findings`
            yield self.finding(message, self._fix(ctx), cause="threshold")
            return
        message += (". Every thresholded number (accuracy, precision, recall, F1) is measured at "
                    "the threshold.")
        yield self.finding(message, self._fix(ctx))

    @staticmethod
    def _fix(ctx: Context) -> str:
        return pick(
            ctx,
            keras="choose the threshold on validation data (the F1-maximising one) and use it: "
            "`keras.metrics.F1Score(threshold=t)`, `keras.metrics.BinaryAccuracy(threshold=t)`, "
            "`model.predict(x) > t`; or weight the positives (`class_weight=` in `fit`, "
            "`keras.losses.BinaryFocalCrossentropy`)",
            pytorch="choose the threshold on validation data (the F1-maximising one) and use it: "
            "`torch.sigmoid(logits) > t`, torchmetrics' `threshold=t` (e.g. "
            "`MultilabelF1Score(num_labels, threshold=t)`); or weight the positives "
            "(`pos_weight=` of `nn.BCEWithLogitsLoss`, `torchvision.ops.sigmoid_focal_loss`)",
            sklearn="choose the threshold on validation data and use it: `predict_proba(X)[:, 1] "
            ">= t`, or `sklearn.model_selection.TunedThresholdClassifierCV` (scikit-learn >= 1.5)",
            neutral="choose the threshold on validation data (the F1-maximising one, as this "
            "report shows it) and apply it wherever the model decides; or weight the positives "
            "while training (class weights, a focal loss)",
        )

    VALID = [
        Case(ctx(data=DataFacts(extra={"thresholds": {
            "current": 0.5, "metric": "f1", "at_current": 0.72, "best": 0.776,
            "best_threshold": 0.30, "positives": 239, "predicted_at_current": 218}})),
            note="a calibrated model gains a few F1 points below 0.5: normal"),
        Case(ctx(data=DataFacts(extra={"thresholds": {
            "current": 0.5, "metric": "f1", "at_current": 0.0, "best": 0.4,
            "best_threshold": 0.1, "positives": 4, "predicted_at_current": 0}})),
            note="too few positives to judge"),
        Case(ctx(data=DataFacts(accuracy=0.9, majority_rate=0.5)), note="no threshold analysis"),
        Case(ctx(data=DataFacts(extra={"thresholds": {
            "current": 0.5, "metric": "f1", "at_current": 0.566, "best": 0.713,
            "best_threshold": 0.1, "positives": 1043, "predicted_at_current": 900,
            "all_positive": 0.685}})),
            note="the best F1 is hardly above predicting everything positive: a weak model"),
        Case(ctx(data=DataFacts(extra={"thresholds": {
            "current": 0.5, "metric": "f1", "at_current": 0.8, "best": None,
            "best_threshold": None, "positives": 50, "predicted_at_current": 40}})),
            note="no negatives: no best threshold"),
    ]
    INVALID = [
        Case(ctx(data=DataFacts(extra={"thresholds": {
            "current": 0.5, "metric": "micro_f1", "at_current": 0.0, "best": 0.085,
            "best_threshold": 0.2, "positives": 310, "predicted_at_current": 0,
            "macro_f1_at_best": 0.11, "labels_improved": 7}})),
            message="predicts no positive label at all (micro_f1 0.0000), while at 0.2 micro_f1 "
                    "is 0.0850"),
        Case(ctx(data=DataFacts(extra={"thresholds": {
            "current": 0.5, "metric": "micro_f1", "at_current": 0.0, "best": 0.19,
            "best_threshold": 0.05, "positives": 600, "predicted_at_current": 0,
            "all_positive": 0.18}})),
            message="predicting every label positive would score 0.1800"),
        Case(ctx(data=DataFacts(extra={"thresholds": {
            "current": 0.5, "metric": "f1", "at_current": 0.0, "best": 0.99,
            "best_threshold": 0.045, "positives": 357, "predicted_at_current": 0,
            "all_positive": 0.77, "roc_auc": 0.9975}})),
            message="the ranking is good (ROC AUC 0.9975) and the threshold is the problem",
            note="well ranked: the threshold is the cause (HC307 / HC402 fold into this)"),
        Case(ctx(data=DataFacts(extra={"thresholds": {
            "current": 0.5, "metric": "f1", "at_current": 0.05, "best": 0.30,
            "best_threshold": 0.2, "positives": 80, "predicted_at_current": 4,
            "all_positive": 0.15, "roc_auc": 0.66}})),
            message="ROC AUC is only 0.6600: the scores rank the positives poorly",
            note="a weak ranking: the head or the training needs a look too (nothing folds)"),
        Case(ctx(data=DataFacts(extra={"thresholds": {
            "current": 0.5, "metric": "f1", "at_current": 0.40, "best": 0.65,
            "best_threshold": 0.12, "positives": 80, "predicted_at_current": 30}})),
            message="At threshold 0.5, f1 is 0.4000, while at 0.12 f1 is 0.6500"),
        Case(ctx(activation="linear", units=5, loss="nn.BCEWithLogitsLoss",
                 data=DataFacts(extra={"thresholds": {
                     "current": 0.5, "metric": "micro_f1", "at_current": 0.1, "best": 0.3,
                     "best_threshold": 0.2, "positives": 100, "predicted_at_current": 5,
                     "macro_f1_at_best": 0.28, "labels_improved": 4}})),
             message="`pos_weight=` of `nn.BCEWithLogitsLoss`"),
    ]
