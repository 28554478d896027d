"""One pass over the same labels and several models' scores: every model's state, their
bootstrap replicates and the joint statistics of paired tests, in a single read of the data.

- **PairedPlan** folds a chunk by canonicalising the labels once and each model's scores, then
  updating one state per model (each with bootstrap replicates of the same seed, so replicate b
  is the same resample for every model: differences are paired, `engine.bootstrap`), and counting
  how many rows each pattern of right / wrong decisions has (McNemar's table for every pair).
  It has the shape an executor expects of a plan (`new_state`, `fold_part`), and `PairedState`
  merges like a state, so the ThreadExecutor (or a Dask executor) runs it unchanged.
- **run_paired_pass** is `run_pass` for several models: verify each, re-run with a corrected
  profile when a model's scores contradict the kind inferred from its first rows.
- **delong_pass**: DeLong's test of binary ROC AUCs needs each row's placement among the other
  class's scores, known only once the histograms are complete: a second pass over the (binary,
  one column per model) scores, with placements read from the first pass's histograms (ties
  inside a bin count 1/2, as in the histogram AUC, which the placements average to exactly).

>>> import numpy as np
>>> from headcheck.gate import infer_task
>>> y = np.array([0, 1, 1, 0, 1, 0] * 50)
>>> a, b = np.where(y == 1, .8, .3), np.where(y == 1, .6, .45)
>>> done = run_paired_pass([infer_task(y, a), infer_task(y, b)], paired_parts(y, [a, b]))
>>> [s.result().metrics["accuracy"] for s in done.states], float(done.state.joint_n[3])
([1.0, 1.0], 300.0)
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from headcheck.engine import _common as C
from headcheck.engine.pipeline import (
    MAX_ATTEMPTS, Plan, RawChunk, fold_parts, verify_pass,
)
from headcheck.errors import InputError
from headcheck.gate import (
    ScoreKindMismatch, canonical_labels, canonical_scores, correct_score_kind,
)
from headcheck.io import default_chunk_rows, release_rows

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.engine._state import State
    from headcheck.engine.bootstrap import Replicates
    from headcheck.engine.executors import Executor
    from headcheck.engine.kernels import Kernel
    from headcheck.engine.pipeline import ProgressFactory
    from headcheck.task import TaskProfile

MAX_MODELS = 8  # the joint table has 2**models cells


class ModelScoreKindMismatch(Exception):
    """Model `index`'s scores contradict the kind inferred from its first rows."""

    def __init__(self, index: int, corrected: str) -> None:
        super().__init__(index, corrected)
        self.index, self.corrected = index, corrected


# --- parts ---------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class PairedPart:
    """Rows [start, stop) of the labels, every model's scores and the weights."""

    y_true: Any
    scores: tuple[Any, ...]
    sample_weight: Any
    start: int
    stop: int

    def chunks(self) -> Iterator[RawChunk]:
        a, b = self.start, self.stop
        w = None if self.sample_weight is None else self.sample_weight[a:b]
        yield RawChunk(self.y_true[a:b], tuple(s[a:b] for s in self.scores), w, a)

    def release(self) -> None:
        for arr in (self.y_true, *self.scores, self.sample_weight):
            if arr is not None:
                release_rows(arr, self.start, self.stop)


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class PairedParts:
    """Labels and several models' scores cut into parts; iterable again for each attempt."""

    y_true: Any
    scores: tuple[Any, ...]
    sample_weight: Any
    chunk_rows: int

    @property
    def n_rows(self) -> int:
        return len(self.y_true)

    def __iter__(self) -> Iterator[PairedPart]:
        for start in range(0, self.n_rows, self.chunk_rows):
            yield PairedPart(self.y_true, self.scores, self.sample_weight, start,
                             min(self.n_rows, start + self.chunk_rows))


def paired_parts(y_true: Any, scores: Sequence[Any], sample_weight: Any = None,
                 chunk_rows: int | None = None) -> PairedParts:
    """Parts of in-process arrays (default chunk: about 32 MiB of all the models' scores)."""
    rows = int(chunk_rows) if chunk_rows else max(
        1, default_chunk_rows(np.asarray(scores[0][:1])) // len(scores))
    return PairedParts(y_true, tuple(scores), sample_weight, max(1, rows))


# --- the state and the plan ----------------------------------------------------------------------
class PairedState:
    """One state per model and `joint_n` / `joint_w`: rows (count, weight) per pattern of right
    and wrong decisions, pattern = sum of 2**m over the models m that are right. Right means the
    honest decision: the class (binary, multi-class) or every label (multi-label, exact match)."""

    def __init__(self, states: list[State]) -> None:
        self.states = states
        self.joint_n = np.zeros(2 ** len(states))
        self.joint_w = np.zeros(2 ** len(states))

    def merge(self, other: PairedState) -> PairedState:
        out = PairedState([a.merge(b) for a, b in zip(self.states, other.states)])
        out.joint_n = self.joint_n + other.joint_n
        out.joint_w = self.joint_w + other.joint_w
        return out

    def absorb(self, other: PairedState) -> PairedState:
        """`merge` into this state, in place where each model's state can (`State.absorb`)."""
        if len(other.states) != len(self.states):
            return self.merge(other)
        self.states = [a.absorb(b) for a, b in zip(self.states, other.states)]
        self.joint_n += other.joint_n
        self.joint_w += other.joint_w
        return self

    def to_dict(self) -> dict[str, Any]:
        return {"states": [s.to_dict() for s in self.states], "joint_n": self.joint_n.tolist(),
                "joint_w": self.joint_w.tolist()}

    @staticmethod
    def from_dict(d: dict) -> PairedState:
        from headcheck.engine._run import state_from_dict

        out = PairedState([state_from_dict(s) for s in d["states"]])
        out.joint_n, out.joint_w = np.asarray(d["joint_n"]), np.asarray(d["joint_w"])
        return out

    def table(self, a: int, b: int, weighted: bool = False) -> tuple[float, float, float, float]:
        """McNemar's 2x2 table of models a and b: (both right, only a, only b, both wrong)."""
        joint = self.joint_w if weighted else self.joint_n
        pattern = np.arange(len(joint))
        ra, rb = (pattern >> a) & 1 == 1, (pattern >> b) & 1 == 1
        return (float(joint[ra & rb].sum()), float(joint[ra & ~rb].sum()),
                float(joint[~ra & rb].sum()), float(joint[~ra & ~rb].sum()))


def _right(kind: str, y: np.ndarray, rows: dict[str, np.ndarray]) -> np.ndarray:
    if kind == "multilabel":
        return rows["exact"]
    return rows["pred"].astype(np.intp) == y


@dataclass(frozen=True)
class PairedPlan:
    """What a worker needs to fold raw chunks of labels + every model's scores: one `Plan` per
    model (their replicates must share the seed)."""

    plans: tuple[Plan, ...]

    def new_state(self) -> PairedState:
        return PairedState([p.new_state() for p in self.plans])

    def fold(self, state: PairedState, chunk: RawChunk) -> None:
        first = self.plans[0].profile
        y = canonical_labels(first, chunk.y_true, chunk.start)
        right = []
        for m, (plan, s) in enumerate(zip(self.plans, chunk.y_score)):
            try:
                scores = canonical_scores(plan.profile, s, chunk.start)
            except ScoreKindMismatch as e:
                raise ModelScoreKindMismatch(m, e.corrected) from None
            rows = state.states[m].update(y, scores, chunk.sample_weight, offset=chunk.start)
            if rows is not None:
                right.append(_right(first.kind, np.asarray(y), rows))
        if len(right) == len(self.plans) and len({len(r) for r in right}) == 1:
            # (rows with non-finite scores are dropped per model; such a pass fails verification)
            pattern = sum(r.astype(np.intp) << m for m, r in enumerate(right))
            size = 2 ** len(right)
            state.joint_n += np.bincount(pattern, minlength=size)
            w = chunk.sample_weight
            state.joint_w += np.bincount(pattern, weights=None if w is None else w, minlength=size)

    def fold_part(self, part: Any, state: PairedState | None = None,
                  counted: Callable[[int], None] | None = None) -> PairedState:
        return fold_parts(self, part, state, counted)


@dataclass(frozen=True, eq=False)  # holds states: compared by identity
class PairedResult:
    """A finished paired pass: the merged states and each model's (possibly corrected) profile."""

    state: PairedState
    profiles: tuple[TaskProfile, ...]

    @property
    def states(self) -> list[State]:
        return self.state.states


def run_paired_pass(profiles: Sequence[TaskProfile], parts: Any, *, names: Sequence[str] = (),
                    top_k: Sequence[tuple[int, ...]] | tuple[int, ...] = (5,), n_bins: int = 15,
                    executor: Executor | None = None, kernel: str | Kernel | None = None,
                    progress: ProgressFactory | None = None,
                    replicates: Replicates | None = None) -> PairedResult:
    """One pass over labels and every model's scores (`paired_parts`): per model, the state of
    `run_pass` (and its bootstrap replicates), plus the joint right / wrong counts. Each model is
    verified as `run_pass` verifies one; NaN/inf scores raise InputError naming the model."""
    from headcheck.engine.bootstrap import Replicates
    from headcheck.engine.executors import ThreadExecutor

    profiles = list(profiles)
    if not 2 <= len(profiles) <= MAX_MODELS:
        raise InputError(f"compare: expected 2 to {MAX_MODELS} models; got {len(profiles)}.")
    names = list(names) or [f"model {i + 1}" for i in range(len(profiles))]
    executor = executor or ThreadExecutor()
    replicates = replicates or Replicates()
    top_ks = [tuple(top_k)] * len(profiles) if top_k and isinstance(top_k[0], int) else list(top_k)
    for _ in range(MAX_ATTEMPTS * len(profiles)):
        plan = PairedPlan(tuple(Plan(p, tuple(k), n_bins, kernel, replicates=replicates)
                                for p, k in zip(profiles, top_ks)))
        advance = progress(getattr(parts, "n_rows", None)) if progress is not None else None
        try:
            state = executor.run(plan, parts, advance)  # type: ignore[arg-type]
        except ModelScoreKindMismatch as m:
            profiles[m.index] = correct_score_kind(profiles[m.index], m.corrected)  # type: ignore[arg-type]
            continue
        changed = False
        for i, st in enumerate(state.states):
            try:
                corrected = verify_pass(profiles[i], st)
            except InputError as e:
                raise InputError(f"{names[i]}: {e}") from None
            if corrected is not None:
                profiles[i], changed = corrected, True
        if not changed:
            return PairedResult(state, tuple(profiles))
    raise AssertionError("score kinds did not settle")  # pragma: no cover


# --- DeLong's test of binary ROC AUCs --------------------------------------------------------------
class PlacementState:
    """Sums of placements: `pos[m, l]` = sum over positives of V10_m * V10_l, `neg[m, l]` =
    sum over negatives of V01_m * V01_l (DeLong et al. 1988: V10 is the share of negatives a
    positive outscores, ties 1/2; V01 the share of positives a negative is outscored by)."""

    def __init__(self, m: int) -> None:
        self.pos = np.zeros((m, m))
        self.neg = np.zeros((m, m))

    def merge(self, other: PlacementState) -> PlacementState:
        out = PlacementState(len(self.pos))
        out.pos, out.neg = self.pos + other.pos, self.neg + other.neg
        return out


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class PlacementPlan:
    """The second pass of DeLong's test: per model, the placement of each row looked up in its
    first-pass histograms (`tables`: per model, (key -> V10 for positives, key -> V01 for
    negatives))."""

    profiles: tuple[TaskProfile, ...]
    shifts: tuple[int, ...]
    tables: tuple[tuple[np.ndarray, np.ndarray], ...]

    def new_state(self) -> PlacementState:
        return PlacementState(len(self.profiles))

    def fold(self, state: PlacementState, chunk: RawChunk) -> None:
        y = np.asarray(canonical_labels(self.profiles[0], chunk.y_true, chunk.start))
        pos = y == 1
        v10, v01 = [], []
        for profile, shift, (t10, t01), s in zip(self.profiles, self.shifts, self.tables,
                                                 chunk.y_score):
            s = np.asarray(canonical_scores(profile, s, chunk.start))
            if profile.score_kind == "logits":
                keys = C.logit_keys(s.astype(np.float64), shift)
            else:
                keys = C.prob_keys(s if s.dtype.kind == "f" else s.astype(np.float64), shift)
            v10.append(t10[keys[pos]])
            v01.append(t01[keys[~pos]])
        a, b = np.array(v10), np.array(v01)  # (models, rows)
        state.pos += a @ a.T
        state.neg += b @ b.T

    def fold_part(self, part: Any, state: PlacementState | None = None,
                  counted: Callable[[int], None] | None = None) -> PlacementState:
        return fold_parts(self, part, state, counted)


def placement_tables(state: State) -> tuple[np.ndarray, np.ndarray]:
    """Per histogram key of a binary state: V10 of a positive there, V01 of a negative there."""
    pos = state.stats["auc_pos"].astype(np.float64)
    neg = state.stats["auc_all"].astype(np.float64) - pos
    P, N = pos.sum(), neg.sum()
    below = np.cumsum(neg) - neg
    above = pos.sum() - np.cumsum(pos)
    return (below + 0.5 * neg) / N, (above + 0.5 * pos) / P


@dataclass(frozen=True)
class DeLong:
    """The AUCs (from the histograms) and DeLong's covariance matrix of their estimates."""

    auc: np.ndarray
    cov: np.ndarray

    def difference(self, a: int, b: int, level: float) -> tuple[float, float, float, float]:
        """(AUC_a - AUC_b, CI low, CI high, two-sided p) of the paired difference."""
        from statistics import NormalDist

        d = float(self.auc[a] - self.auc[b])
        var = float(self.cov[a, a] + self.cov[b, b] - 2 * self.cov[a, b])
        if not var > 0:
            return d, d, d, 1.0 if d == 0 else 0.0
        se = math.sqrt(var)
        z = NormalDist().inv_cdf(0.5 + level / 2)
        return d, d - z * se, d + z * se, math.erfc(abs(d) / se / math.sqrt(2))


def delong_pass(done: PairedResult, parts: Any, executor: Executor | None = None) -> DeLong | None:
    """DeLong's covariance of the models' ROC AUCs (binary, probabilistic scores, histograms
    kept), from a second pass over `parts`; None when it does not apply."""
    from headcheck.engine.executors import ThreadExecutor

    states = done.states
    if states[0].kind != "binary" or not all(s.profile.is_probabilistic for s in states):
        return None
    st = states[0].stats
    P, N = float(st["auc_pos"].sum()), float((st["auc_all"] - st["auc_pos"]).sum())
    if P < 2 or N < 2:
        return None
    plan = PlacementPlan(tuple(done.profiles), tuple(s.shift for s in states),
                         tuple(placement_tables(s) for s in states))
    sums = (executor or ThreadExecutor()).run(plan, parts)  # type: ignore[arg-type]
    auc = np.array([float((s.stats["auc_pos"] * placement_tables(s)[0]).sum() / P)
                    for s in states])
    s10 = (sums.pos - P * np.outer(auc, auc)) / (P - 1)
    s01 = (sums.neg - N * np.outer(auc, auc)) / (N - 1)
    return DeLong(auc, s10 / P + s01 / N)


__all__ = ["DeLong", "MAX_MODELS", "PairedPlan", "PairedResult", "PairedState", "delong_pass",
           "paired_parts", "run_paired_pass"]
