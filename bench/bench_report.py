"""Benchmark: headcheck.report() against scikit-learn, torchmetrics and the floor, same metric lists.

One run, fixed seeds, every side computing the same list of metrics; a metric a
side cannot compute is listed as such (with the reason) instead of being dropped from the other
sides. Times are medians of --reps repetitions (--ref-reps for scikit-learn and torchmetrics,
which take minutes); ratios are within this one run, so they survive a loaded machine better than
the seconds do.

Workloads (float32 scores, generated here; nothing large is committed):
  multiclass   N x 100 softmax probabilities, int64 labels       (N = 1,000,000)
  multilabel   N x 100 independent probabilities, 0/1 labels     (N = 1,000,000)
  binary       10 N probabilities of the positive class          (10,000,000 rows)
  K=10^4       N/100 x 10,000 softmax probabilities              (10,000 rows)
  K=10^5       N/500 x 100,000 softmax probabilities             (2,000 rows)

headcheck runs as `headcheck.report(y, scores)` end to end (task inference, the pass, rules,
assembly) with the default kernel (numba when `headcheck[fast]` is installed), again with
`auc=False` (no rank metrics) and again with the numpy kernel (the reference path).

    python bench/bench_report.py            # everything (about 10 minutes on 2 cores)
    python bench/bench_report.py --quick    # N = 100,000, one repetition of the references
    python bench/bench_report.py --only multiclass --skip-torch
"""
from __future__ import annotations

import argparse
import inspect
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np

import headcheck
from headcheck.engine.kernels import get_kernel

# Above this many bytes a reference's intermediate (a K x K confusion matrix, a K^2 bincount) is
# not attempted on a shared machine: the table says why.
MEMORY_LIMIT = 4 << 30


# --- data --------------------------------------------------------------------------------------

def make_multiclass(n: int, k: int = 100, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n, dtype=np.int64)
    z = rng.standard_normal((n, k), dtype=np.float32) * np.float32(1.5)
    z[np.arange(n), y] += np.float32(2.5 + np.log(k / 100) if k > 100 else 2.5)
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return y, z


def make_multilabel(n: int, k: int = 100, seed: int = 1):
    rng = np.random.default_rng(seed)
    rate = rng.uniform(0.01, 0.3, k).astype(np.float32)
    y = (rng.random((n, k), dtype=np.float32) < rate).astype(np.uint8)
    z = rng.standard_normal((n, k), dtype=np.float32) + np.float32(2.0) * y - np.float32(1.5)
    p = 1 / (1 + np.exp(-z))
    return y, p.astype(np.float32)


def make_binary(n: int, seed: int = 2):
    rng = np.random.default_rng(seed)
    y = (rng.random(n, dtype=np.float32) < 0.3).astype(np.int64)
    z = rng.standard_normal(n, dtype=np.float32) + np.float32(1.5) * y - np.float32(0.8)
    return y, (1 / (1 + np.exp(-z))).astype(np.float32)


# --- metric lists: one entry per metric, per side --------------------------------------------

MULTICLASS = ("accuracy", "balanced_accuracy", "macro_f1", "micro_f1", "weighted_f1",
              "macro_precision", "macro_recall", "mcc", "cohen_kappa", "top_k_accuracy@5",
              "log_loss", "brier", "roc_auc", "average_precision")
MULTILABEL = ("subset_accuracy", "hamming_loss", "micro_f1", "macro_f1", "jaccard_samples",
              "roc_auc", "average_precision", "log_loss")
BINARY = ("accuracy", "balanced_accuracy", "macro_f1", "mcc", "cohen_kappa", "log_loss", "brier",
          "roc_auc", "average_precision")


@dataclass
class RefSet:
    """One reference library's way to compute a metric list: shared preparation (e.g. the argmax),
    one callable per metric it can compute, and the reason for each one it cannot."""

    name: str
    prepare: Callable[[np.ndarray, np.ndarray], dict]
    metrics: dict[str, Callable[[dict], float]] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)

    def run(self, y, s) -> dict[str, float]:
        ctx = self.prepare(y, s)
        return {m: float(fn(ctx)) for m, fn in self.metrics.items()}


def sklearn_multiclass(k: int, n: int) -> RefSet:
    from sklearn import metrics as m

    def prepare(y, p):
        present = np.unique(y)
        return {"y": y, "p": p, "pred": p.argmax(axis=1), "present": present,
                "all": len(present) == k}

    def auc(c, fn):
        if c["all"]:
            kw = {"multi_class": "ovr"} if fn is m.roc_auc_score else {}
            return fn(c["y"], c["p"], average="macro", **kw)
        # classes absent from the labels have no AUC: macro over the present ones (as headcheck)
        from sklearn.preprocessing import label_binarize
        return fn(label_binarize(c["y"], classes=c["present"]), c["p"][:, c["present"]],
                  average="macro")

    labels = np.arange(k)
    out = RefSet("scikit-learn", prepare, {
        "accuracy": lambda c: m.accuracy_score(c["y"], c["pred"]),
        "balanced_accuracy": lambda c: m.balanced_accuracy_score(c["y"], c["pred"]),
        "macro_f1": lambda c: m.f1_score(c["y"], c["pred"], average="macro", zero_division=0),
        "micro_f1": lambda c: m.f1_score(c["y"], c["pred"], average="micro", zero_division=0),
        "weighted_f1": lambda c: m.f1_score(c["y"], c["pred"], average="weighted", zero_division=0),
        "macro_precision": lambda c: m.precision_score(c["y"], c["pred"], average="macro",
                                                       zero_division=0),
        "macro_recall": lambda c: m.recall_score(c["y"], c["pred"], average="macro", zero_division=0),
        "mcc": lambda c: m.matthews_corrcoef(c["y"], c["pred"]),
        "cohen_kappa": lambda c: m.cohen_kappa_score(c["y"], c["pred"]),
        "top_k_accuracy@5": lambda c: m.top_k_accuracy_score(c["y"], c["p"], k=5, labels=labels),
        "log_loss": lambda c: m.log_loss(c["y"], c["p"], labels=labels),
        "brier": lambda c: m.brier_score_loss(c["y"], c["p"], labels=labels),
        "roc_auc": lambda c: auc(c, m.roc_auc_score),
        "average_precision": lambda c: auc(c, m.average_precision_score),
    })
    if k * k * 8 > MEMORY_LIMIT:  # sklearn builds a dense K x K confusion matrix for these
        for name in ("balanced_accuracy", "mcc", "cohen_kappa"):
            del out.metrics[name]
            out.missing[name] = f"needs a dense K x K confusion matrix ({k * k * 8 / 2**30:.0f} GB)"
    return out


def torchmetrics_multiclass(k: int, n: int) -> RefSet:
    import torch
    from torchmetrics.functional import classification as c

    def prepare(y, p):
        return {"y": torch.from_numpy(y), "p": torch.from_numpy(p)}

    def f(fn, **kw):
        return lambda ctx: fn(ctx["p"], ctx["y"], k, **kw).item()

    out = RefSet("torchmetrics", prepare, {
        "accuracy": f(c.multiclass_accuracy, average="micro"),
        "balanced_accuracy": f(c.multiclass_accuracy, average="macro"),
        "macro_f1": f(c.multiclass_f1_score, average="macro"),
        "micro_f1": f(c.multiclass_f1_score, average="micro"),
        "weighted_f1": f(c.multiclass_f1_score, average="weighted"),
        "macro_precision": f(c.multiclass_precision, average="macro"),
        "macro_recall": f(c.multiclass_recall, average="macro"),
        "mcc": f(c.multiclass_matthews_corrcoef),
        "cohen_kappa": f(c.multiclass_cohen_kappa),
        "top_k_accuracy@5": f(c.multiclass_accuracy, average="micro", top_k=5),
        "roc_auc": f(c.multiclass_auroc, average="macro", thresholds=None),
        "average_precision": f(c.multiclass_average_precision, average="macro", thresholds=None),
    }, {"log_loss": "torchmetrics has no log loss", "brier": "torchmetrics has no Brier score"})
    if k * k * 8 > MEMORY_LIMIT:  # its stat scores bincount target * K + pred into K^2 cells
        for name in list(out.metrics):
            if name not in ("roc_auc", "average_precision"):
                del out.metrics[name]
                out.missing[name] = f"its stat scores bincount K^2 cells ({k * k * 8 / 2**30:.0f} GB)"
    return out


def sklearn_multilabel(k: int, n: int) -> RefSet:
    from sklearn import metrics as m

    def prepare(y, p):
        return {"y": y, "p": p, "pred": (p > 0.5).astype(np.uint8)}

    def log_loss(c):  # headcheck's multilabel log loss: the mean of the per-label binary ones
        return np.mean([m.log_loss(c["y"][:, j], c["p"][:, j], labels=[0, 1])
                        for j in range(c["y"].shape[1])])

    return RefSet("scikit-learn", prepare, {
        "subset_accuracy": lambda c: m.accuracy_score(c["y"], c["pred"]),
        "hamming_loss": lambda c: m.hamming_loss(c["y"], c["pred"]),
        "micro_f1": lambda c: m.f1_score(c["y"], c["pred"], average="micro", zero_division=0),
        "macro_f1": lambda c: m.f1_score(c["y"], c["pred"], average="macro", zero_division=0),
        "jaccard_samples": lambda c: m.jaccard_score(c["y"], c["pred"], average="samples",
                                                     zero_division=0),
        "roc_auc": lambda c: m.roc_auc_score(c["y"], c["p"], average="macro"),
        "average_precision": lambda c: m.average_precision_score(c["y"], c["p"], average="macro"),
        "log_loss": log_loss,
    })


def torchmetrics_multilabel(k: int, n: int) -> RefSet:
    import torch
    from torchmetrics.functional import classification as c

    def prepare(y, p):
        return {"y": torch.from_numpy(y), "p": torch.from_numpy(p)}

    def f(fn, **kw):
        return lambda ctx: fn(ctx["p"], ctx["y"], k, **kw).item()

    return RefSet("torchmetrics", prepare, {
        "subset_accuracy": f(c.multilabel_exact_match),
        "hamming_loss": f(c.multilabel_hamming_distance, average="micro"),
        "micro_f1": f(c.multilabel_f1_score, average="micro"),
        "macro_f1": f(c.multilabel_f1_score, average="macro"),
        "roc_auc": f(c.multilabel_auroc, average="macro", thresholds=None),
        "average_precision": f(c.multilabel_average_precision, average="macro", thresholds=None),
    }, {"jaccard_samples": "torchmetrics' Jaccard index has no per-sample average",
        "log_loss": "torchmetrics has no log loss"})


def sklearn_binary(k: int, n: int) -> RefSet:
    from sklearn import metrics as m

    def prepare(y, p):
        return {"y": y, "p": p, "pred": (p > 0.5).astype(np.int64)}

    return RefSet("scikit-learn", prepare, {
        "accuracy": lambda c: m.accuracy_score(c["y"], c["pred"]),
        "balanced_accuracy": lambda c: m.balanced_accuracy_score(c["y"], c["pred"]),
        "macro_f1": lambda c: m.f1_score(c["y"], c["pred"], average="macro"),
        "mcc": lambda c: m.matthews_corrcoef(c["y"], c["pred"]),
        "cohen_kappa": lambda c: m.cohen_kappa_score(c["y"], c["pred"]),
        "log_loss": lambda c: m.log_loss(c["y"], c["p"]),
        "brier": lambda c: m.brier_score_loss(c["y"], c["p"]),
        "roc_auc": lambda c: m.roc_auc_score(c["y"], c["p"]),
        "average_precision": lambda c: m.average_precision_score(c["y"], c["p"]),
    })


def torchmetrics_binary(k: int, n: int) -> RefSet:
    import torch
    from torchmetrics.functional import classification as c

    def prepare(y, p):
        pred = torch.from_numpy((p > 0.5).astype(np.int64))
        return {"y": torch.from_numpy(y), "p": torch.from_numpy(p), "pred": pred}

    return RefSet("torchmetrics", prepare, {
        "accuracy": lambda x: c.binary_accuracy(x["p"], x["y"]).item(),
        "balanced_accuracy": lambda x: c.multiclass_accuracy(x["pred"], x["y"], 2,
                                                             average="macro").item(),
        "macro_f1": lambda x: c.multiclass_f1_score(x["pred"], x["y"], 2, average="macro").item(),
        "mcc": lambda x: c.binary_matthews_corrcoef(x["p"], x["y"]).item(),
        "cohen_kappa": lambda x: c.binary_cohen_kappa(x["p"], x["y"]).item(),
        "roc_auc": lambda x: c.binary_auroc(x["p"], x["y"], thresholds=None).item(),
        "average_precision": lambda x: c.binary_average_precision(x["p"], x["y"],
                                                                  thresholds=None).item(),
    }, {"log_loss": "torchmetrics has no log loss", "brier": "torchmetrics has no Brier score"})


@dataclass(frozen=True)
class Workload:
    name: str
    make: Callable
    metrics: tuple[str, ...]
    refs: tuple[Callable[[int, int], RefSet], ...]
    k: int


WORKLOADS = {
    "multiclass": Workload("multiclass", make_multiclass, MULTICLASS,
                           (sklearn_multiclass, torchmetrics_multiclass), 100),
    "multilabel": Workload("multilabel", make_multilabel, MULTILABEL,
                           (sklearn_multilabel, torchmetrics_multilabel), 100),
    "binary": Workload("binary", make_binary, BINARY, (sklearn_binary, torchmetrics_binary), 2),
    "K=10^4": Workload("K=10^4", make_multiclass, MULTICLASS,
                       (sklearn_multiclass, torchmetrics_multiclass), 10_000),
    "K=10^5": Workload("K=10^5", make_multiclass, MULTICLASS,
                       (sklearn_multiclass, torchmetrics_multiclass), 100_000),
}
ROWS = {"multiclass": 1.0, "multilabel": 1.0, "binary": 10.0, "K=10^4": 0.01, "K=10^5": 0.002}


# --- timing ------------------------------------------------------------------------------------

# process CPU seconds of the last `timed` call (median): on a loaded machine the wall clock
# counts the time other jobs hold the cores; the CPU time is the work done (all threads)
CPU: dict[str, float] = {"last": 0.0}


def timed(fn: Callable[[], object], reps: int) -> tuple[float, object]:
    times, cpu, out = [], [], None
    for _ in range(max(1, reps)):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    CPU["last"] = statistics.median(cpu)
    return statistics.median(times), out


def with_kernel(name: str | None, fn: Callable[[], object]) -> Callable[[], object]:
    def run():
        old = os.environ.get("HEADCHECK_KERNEL")
        if name is not None:
            os.environ["HEADCHECK_KERNEL"] = name
        try:
            return fn()
        finally:
            if old is None:
                os.environ.pop("HEADCHECK_KERNEL", None)
            else:
                os.environ["HEADCHECK_KERNEL"] = old
    return run


def has_auc_switch() -> bool:
    return "auc" in inspect.signature(headcheck.report).parameters


def run_workload(w: Workload, n: int, args) -> list[str]:
    y, s = w.make(n) if w.k in (2, 100) else w.make(n, w.k)
    default = get_kernel().name
    lines = [f"\n## {w.name}: {len(y):,} rows x {s.shape[1] if s.ndim == 2 else 1:,} float32 scores"]
    rows: list[tuple[str, float | None, float, str]] = []
    floor, _ = timed(lambda: s.sum(), args.reps)
    floor_cpu = CPU["last"]
    rows.append(("floor: scores.sum()", floor, floor_cpu, ""))
    ours, rep = timed(lambda: headcheck.report(y, s), args.reps)
    rows.append((f"headcheck.report() [{default} kernel]", ours, CPU["last"], ""))
    if has_auc_switch():
        t, _ = timed(lambda: headcheck.report(y, s, auc=False), args.reps)
        rows.append(("headcheck.report(auc=False)", t, CPU["last"], "no ROC AUC / AP"))
    if default != "numpy":
        t, _ = timed(with_kernel("numpy", lambda: headcheck.report(y, s)), args.reps)
        rows.append(("headcheck.report() [numpy kernel]", t, CPU["last"], "the reference path"))
    values: dict[str, dict[str, float]] = {"headcheck": dict(rep.metrics)}
    missing: dict[str, dict[str, str]] = {"headcheck": {}}
    for m in w.metrics:
        if m not in rep.metrics:
            note = next((x for x in rep.notes if m.split("@")[0] in x), "not computed")
            missing["headcheck"][m] = note[:60]
    for make_ref in w.refs:
        if args.skip_refs or args.skip_torch and make_ref.__name__.startswith("torch"):
            continue
        ref = make_ref(w.k, len(y))
        t, got = timed(lambda ref=ref: ref.run(y, s), args.ref_reps)
        values[ref.name], missing[ref.name] = got, ref.missing
        have = len(ref.metrics)
        note = (f"{have} of {len(w.metrics)} metrics" if ref.missing else
                f"all {len(w.metrics)} metrics")
        rows.append((f"{ref.name} set", t, CPU["last"], note))
    lines.append(f"{'side':<40} {'seconds':>9} {'x floor':>8} {'CPU s':>7} {'x floor':>8} "
                 f"{'headcheck is':>14}  note")
    for label, t, cpu, note in rows:
        ratio = f"{t / floor:8.1f}" if t else ""
        cpu_ratio = f"{cpu / floor_cpu:8.1f}" if floor_cpu > 0 else ""
        faster = (f"{t / ours:10.1f}x faster" if label.endswith(" set") else "")
        lines.append(f"{label:<40} {t:9.3f} {ratio} {cpu:7.3f} {cpu_ratio} {faster:>14}  {note}")
    lines.append("(CPU s: process CPU time of all threads, median; on a loaded machine the wall "
                 "clock also counts other jobs' turns on the cores, the CPU time does not)")
    lines.append("")
    sides = list(values)
    lines.append(f"{'metric':<20} " + " ".join(f"{s_:>14}" for s_ in sides)
                 + "  |headcheck - scikit-learn|")
    for m in w.metrics:
        cells = []
        for side in sides:
            if m in values[side]:
                cells.append(f"{values[side][m]:14.6f}")
            else:
                cells.append(f"{'n/a':>14}")
        diff = ""
        if m in values["headcheck"] and m in values.get("scikit-learn", {}):
            diff = f"{abs(values['headcheck'][m] - values['scikit-learn'][m]):.1e}"
        lines.append(f"{m:<20} " + " ".join(cells) + f"  {diff}")
    for side in sides:
        for m, why in missing[side].items():
            lines.append(f"  n/a in {side}: {m}: {why}")
    if "torchmetrics" in values and len(np.unique(y)) < w.k and w.k > 2:
        lines.append("  (classes absent from the labels: headcheck and scikit-learn average over the "
                     "classes present, torchmetrics over all K, so macro values differ)")
    for note in rep.notes:
        if "roc_auc" in note:
            lines.append(f"  headcheck: {note}")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="N = 100,000 and one reference run")
    ap.add_argument("-n", type=int, default=None, help="rows of the base workloads (1,000,000)")
    ap.add_argument("--reps", type=int, default=5, help="repetitions of headcheck and the floor")
    ap.add_argument("--ref-reps", type=int, default=1, help="repetitions of the references")
    ap.add_argument("--only", action="append", choices=list(WORKLOADS),
                    help="run only this workload (repeatable)")
    ap.add_argument("--skip-torch", action="store_true", help="leave torchmetrics out")
    ap.add_argument("--skip-refs", action="store_true",
                    help="headcheck and the floor only (e.g. to time another checkout's engine)")
    args = ap.parse_args(argv)
    n = args.n or (100_000 if args.quick else 1_000_000)
    if args.quick:
        args.reps = min(args.reps, 3)
    warnings.simplefilter("ignore")
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    print(f"headcheck benchmark: default kernel {get_kernel().name}; {os.cpu_count()} CPUs, "
          f"load average {load:.1f} at the start; medians of {args.reps} (references "
          f"{args.ref_reps})")
    for name in args.only or list(WORKLOADS):
        w = WORKLOADS[name]
        rows = max(100, int(n * ROWS[name]))
        for line in run_workload(w, rows, args):
            print(line, flush=True)
    try:
        print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
