"""Benchmark: how well `headcheck lint` finds head bugs, and how often it speaks on correct code.

Two measurements, printed as tables:

1. Recall and precision on the evaluation set `bench/lint_eval` (programs written for this purpose
   in the shapes people post, labelled in `manifest.json` before the linter ran on them; the tests
   do not use them). A labelled bug counts as found when a finding of that code (warning or
   error) is reported anywhere in the program; a reported finding is a false alarm when its code
   is neither a labelled bug nor listed as `also` true of the program. Info findings are not
   counted either way. Heads lint skipped (with the reason) are counted too.

2. Findings per 1,000 files of real code that is not a training script with a head bug: every .py
   file of the installed keras, torch, torchvision, lightning, scikit-learn and torchmetrics (located,
   never imported; those not installed are left out), plus directories given with `--extra`.
   Each finding is printed so that it can be reviewed.

    python bench/bench_lint_eval.py [--extra DIR ...] [--no-negative] [--verbose]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
EVAL = ROOT / "bench" / "lint_eval"
NEGATIVE_PACKAGES = ("keras", "torch", "torchvision", "lightning", "pytorch_lightning", "lightning_fabric",
                     "sklearn", "torchmetrics")


def _counted(finding) -> bool:  # noqa: ANN001
    return finding.severity.value in ("warning", "error")


def evaluate(entries: list[dict], folder: Path, title: str, verbose: bool) -> dict:
    from headcheck.lint import lint_file

    rows = []
    tp = fn = fp = 0
    skipped_heads = 0
    for entry in entries:
        path = folder / entry["path"]
        result = lint_file(str(path))
        reported = {f.code for f in result.findings if _counted(f)}
        bugs, also = set(entry["bugs"]), set(entry["also"])
        found, missed, false = bugs & reported, bugs - reported, reported - bugs - also
        tp, fn, fp = tp + len(found), fn + len(missed), fp + len(false)
        skipped_heads += len(result.skipped_heads)
        rows.append((entry["path"], entry["style"], sorted(bugs), sorted(found), sorted(missed), sorted(false),
                     [s.reason for s in result.skipped_heads], result.skipped))
    recall = tp / (tp + fn) if tp + fn else float("nan")
    precision = tp / (tp + fp) if tp + fp else float("nan")
    clean = [r for r in rows if not r[2]]
    clean_silent = sum(1 for r in clean if not r[5])
    print(f"\n{title}: {len(rows)} programs ({len(rows) - len(clean)} with head bugs, {len(clean)} correct), "
          f"{tp + fn} labelled bugs")
    print(f"{'program':<54}{'labelled':<18}{'missed':<16}{'false alarms':<16}")
    for path, _, bugs, _, missed, false, skips, file_skip in rows:
        if verbose or missed or false or file_skip:
            print(f"{path:<54}{','.join(bugs) or '-':<18}{','.join(missed) or '-':<16}{','.join(false) or '-':<16}"
                  f"{' (file skipped: ' + file_skip + ')' if file_skip else ''}")
            for reason in skips if verbose else ():
                print(f"{'':<54}skipped head: {reason}")
    print(f"recall {recall:.2f} ({tp}/{tp + fn}), precision {precision:.2f} ({tp}/{tp + fp}); "
          f"correct programs silent: {clean_silent}/{len(clean)}; heads skipped with a reason: {skipped_heads}")
    return {"recall": recall, "precision": precision, "tp": tp, "fn": fn, "fp": fp}


def negative(extra: list[str]) -> None:
    from headcheck.lint import lint_paths

    roots = []
    for name in NEGATIVE_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            roots.append((name, Path(list(spec.submodule_search_locations)[0])))
    roots += [(Path(d).name, Path(d)) for d in extra]
    if not roots:
        print("negative corpus: none of the packages is installed")
        return
    print(f"\nnegative corpus: {', '.join(name for name, _ in roots)}")
    print(f"{'package':<20}{'files':>7}{'findings':>10}{'per 1,000':>11}{'skipped heads':>15}{'seconds':>9}")
    total_files = total_findings = 0
    codes: Counter = Counter()
    listing = []
    for name, root in roots:
        start = time.perf_counter()
        results = lint_paths([str(root)], jobs=2)
        elapsed = time.perf_counter() - start
        findings = [(r.path, f) for r in results for f in r.findings if _counted(f)]
        skipped = sum(len(r.skipped_heads) for r in results)
        total_files += len(results)
        total_findings += len(findings)
        codes.update(f.code for _, f in findings)
        listing += findings
        per = 1000 * len(findings) / len(results) if results else 0.0
        print(f"{name:<20}{len(results):>7}{len(findings):>10}{per:>11.1f}{skipped:>15}{elapsed:>9.1f}")
    per = 1000 * total_findings / total_files if total_files else 0.0
    tests = sum(1 for path, _ in listing if "test" in Path(path).name or "/tests/" in path or "testing" in path)
    print(f"{'all':<20}{total_files:>7}{total_findings:>10}{per:>11.1f}")
    print(f"by code: {dict(sorted(codes.items()))}; in test files: {tests} of {total_findings}")
    for path, f in listing:
        print(f"  {path}:{f.location.row}: {f.code} {f.message[:110]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--extra", action="append", default=[], help="more directories of correct code")
    ap.add_argument("--no-negative", action="store_true", help="only the evaluation set")
    ap.add_argument("--verbose", action="store_true", help="every program, with its skipped heads")
    args = ap.parse_args()
    manifest = json.loads((EVAL / "manifest.json").read_text())
    print(manifest["description"])
    first = evaluate(manifest["programs"], EVAL / "programs", "evaluation set (bench/lint_eval/programs)", args.verbose)
    held = evaluate(manifest["heldout"]["programs"], EVAL / "heldout",
                    "held-out set (bench/lint_eval/heldout, written after the rules were frozen)", args.verbose)
    tp, fn, fp = (first[k] + held[k] for k in ("tp", "fn", "fp"))
    print(f"\nboth sets: recall {tp / (tp + fn):.2f} ({tp}/{tp + fn}), precision {tp / (tp + fp):.2f} ({tp}/{tp + fp})")
    if not args.no_negative:
        negative(args.extra)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
