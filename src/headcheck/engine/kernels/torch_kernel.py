"""The torch kernel: a state's statistics computed where the tensors live (CPU or CUDA).

`state.update(labels, scores)` with `kernel="torch"` takes torch tensors (numpy arrays are
wrapped without a copy) and computes every statistic with torch operations on the scores'
device, `BLOCK_CELLS` score cells at a time; only the increments (O(K) counts, the O(K x bins)
histograms, the rows with non-finite scores) come to the host, never the N x K scores. The
operations mirror the reference (`numpy_kernel`) step by step: comparisons in the scores' dtype,
histogram keys from float32 bit patterns, the first index of a row's maximum, calibration bins in
the confidence's dtype; so the states equal the numpy kernel's (float sums to rounding;
`testing.assert_kernels_agree`).

Covered: probability scores ('probabilities', 'independent') of every task kind. Logits and
hard scores go to the numpy reference (copied to the host): a softmax on another device rounds
differently from numpy's, which would move scores across histogram bins.

Not chosen automatically: name it (`kernel="torch"`, HEADCHECK_KERNEL=torch) where the scores
are tensors on a GPU.
"""
from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Any

import numpy as np

from headcheck.engine import _common as C
from headcheck.engine.kernels import MAX_NONFINITE_ROWS
from headcheck.engine.kernels.numpy_kernel import NumpyKernel

if TYPE_CHECKING:  # pragma: no cover
    from headcheck.engine._state import State

# Score cells per block: bounds the device memory of the temporaries (int64 keys: 8 bytes each).
BLOCK_CELLS = 1 << 22


class TorchKernel(NumpyKernel):
    """Torch tensors in, the reference's statistics out (see the module docstring).

    >>> import torch
    >>> from headcheck.engine import new_state
    >>> from headcheck.task import TaskProfile
    >>> s = new_state(TaskProfile("multiclass", 3, "integer", "probabilities"), kernel="torch")
    >>> s.update(torch.tensor([0, 2]), torch.tensor([[.7, .2, .1], [.1, .3, .6]]))
    >>> s.result().metrics["accuracy"]
    1.0
    """

    name = "torch"

    def __init__(self, block_cells: int = BLOCK_CELLS) -> None:
        super().__init__()
        self.torch_block_cells = int(block_cells)

    @classmethod
    def available(cls) -> bool:
        return importlib.util.find_spec("torch") is not None

    def update(self, state: State, y_true: Any, y_score: Any, sample_weight: Any = None,
               offset: int | None = None) -> None:
        import torch

        y, s, w = (_tensor(a) for a in (y_true, y_score, sample_weight))
        if (state.kind not in ("binary", "multiclass", "multilabel") or state.replicates is not None
                or state.profile.score_kind not in ("probabilities", "independent")
                or s.dtype not in (torch.float32, torch.float64) or s.numel() == 0):
            return super().update(state, *(_host(a) for a in (y, s, w)), offset)
        self._check_shapes(state, y, s, w)
        start = state.n_rows if offset is None else int(offset)
        state.n_rows += len(y)
        finite = torch.isfinite(s) if s.ndim == 1 else torch.isfinite(s).all(dim=1)
        if not bool(finite.all()):
            bad = torch.nonzero(~finite).flatten()
            state.n_nonfinite += int(bad.numel())
            room = MAX_NONFINITE_ROWS - len(state.nonfinite_rows)
            state.nonfinite_rows.extend(start + int(i) for i in bad[: max(room, 0)].tolist())
            y, s = y[finite], s[finite]
            w = None if w is None else w[finite]
            if len(y) == 0:
                return
        state.score_min = min(state.score_min, float(s.min()))
        state.score_max = max(state.score_max, float(s.max()))
        state.label_min = min(state.label_min, float(y.min()))
        state.label_max = max(state.label_max, float(y.max()))
        st = state.stats
        st["n"] += len(y)
        st["w_total"] += len(y) if w is None else float(w.sum())
        if w is not None:
            st["weighted"] += len(y)
            for key in ("auc_all", "auc_pos", "auc_hist"):
                if key in st:
                    st[key] = st[key].astype(np.float64, copy=False)
        step = max(1, self.torch_block_cells // max(1, s[:1].numel()))
        for a in range(0, len(y), step):
            b = a + step
            getattr(self, "_" + state.kind)(state, y[a:b], s[a:b], None if w is None else w[a:b])

    def _check_shapes(self, state: State, y, s, w) -> None:
        """The reference's validation (`state._check`) without copying the data: shapes through
        zero-stride stand-ins, label values through a few reductions on the device."""
        state._check(_standin(y), _standin(s), None if w is None else _standin(w))
        if not len(y):
            return
        if state.kind == "multilabel":
            if y.dtype != _bool() and not bool(((y == 0) | (y == 1)).all()):
                state._check(np.full((1, y.shape[1]), 0.5), np.zeros((1, y.shape[1])), None)
        else:
            lo, hi = y.min().item(), y.max().item()
            if state.kind == "binary" and not bool(((y == 0) | (y == 1)).all()):
                lo = 0.5  # not a 0/1 label: the reference's message
            state._check(np.array([lo, hi]), np.zeros((2,) + tuple(s.shape[1:])), None)

    # --- per kind ----------------------------------------------------------------------------
    def _multiclass(self, state, y, s, w) -> None:
        import torch

        st, K = state.stats, state.n_classes
        y = y.long()
        wd = None if w is None else w.double()
        pred = torch.argmax(s, dim=1)
        correct = pred == y
        s_true = s.gather(1, y[:, None])[:, 0]
        greater = (s > s_true[:, None]).sum(dim=1)
        for i, k in enumerate(state.ks):
            st["topk"][i] += _wsum(greater < k, wd)
        _add(st, "support", _bincount(y, wd, K))
        _add(st, "predicted", _bincount(pred, wd, K))
        _add(st, "tp", _bincount(y[correct], None if wd is None else wd[correct], K))
        if state.dense:
            _add(st, "cm", _bincount(y * K + pred, wd, K * K))
        else:
            from headcheck.engine.multiclass import add_confusion_pairs

            wrong = ~correct
            keys = (y[wrong] * K + pred[wrong]).cpu().numpy()
            vals = np.ones(len(keys)) if wd is None else wd[wrong].cpu().numpy()
            add_confusion_pairs(st, keys, vals)
        p_max = s.gather(1, pred[:, None])[:, 0]
        if state.profile.score_kind == "probabilities":
            above = (p_max > 0.5).double()
        else:
            above = (s > 0.5).sum(dim=1).double()
        st["above"] += _dot(above, wd)
        st["true_above"] += _wsum(s_true > 0.5, wd)
        eps = float(np.finfo(_np_dtype(s)).eps)
        nll = -torch.log(s_true.double().clamp(eps, 1 - eps))
        st["logloss"] += _dot(nll, wd)
        sumsq = (s * s).sum(dim=1).double()  # in the scores' dtype, as the reference's einsum
        st["brier"] += _dot(sumsq - 2 * s_true.double() + 1, wd)
        _calibration(st, p_max.double(), correct, wd, state.n_bins)
        if state.shift is not None:
            self._multiclass_auc(state, y, s, wd, pred, p_max, correct)

    def _multiclass_auc(self, state, y, s, wd, pred, p_max, correct) -> None:
        import torch

        st, K, shift = state.stats, state.n_classes, state.shift
        bins, lo = C.n_auc_bins(shift), C.key_floor(shift)
        mid = (bins - 1) // 2
        bits = s.float().view(torch.int32).long()
        if shift == 16:
            raw = (bits >> 16) & 0xFFFF
        else:
            raw = (bits >> shift).clamp(min=0) & 0xFFFF
        keep = raw < lo + bins
        sc, sb = state.auc_strides
        cells = (raw - lo).clamp(min=0) * sb + torch.arange(K, device=s.device) * sc
        ww = None if wd is None else wd[:, None].expand(-1, K)[keep]
        _add(st, "auc_all", _bincount(cells[keep], ww, K * bins))
        pm = p_max.double()
        over = (pm > 0.5) & (pm <= 1.0)
        kl = _low_keys(p_max, shift, lo)
        kh = 2 * mid - _low_keys(1.0 - pm[over], shift, lo)
        cls = pred[over]
        wo = None if wd is None else wd[over]
        _add(st, "auc_all", _bincount(kh * sb + cls * sc, wo, K * bins)
             - _bincount(kl[over] * sb + cls * sc, wo, K * bins))
        kp = _low_keys(s.gather(1, y[:, None])[:, 0], shift, lo).clamp(max=bins - 1)
        mirrored = over & correct
        kp[mirrored] = (2 * mid - _low_keys(1.0 - pm[mirrored], shift, lo))
        _add(st, "auc_pos", _bincount(kp * sb + y * sc, wd, K * bins))

    def _multilabel(self, state, y, s, w) -> None:
        import torch

        st, L = state.stats, state.n_labels
        yb = y != 0
        wd = None if w is None else w.double()
        ycount = yb.sum(dim=1)
        _add(st, "support", _colsum(yb, wd))
        st["no_positive"] += _wsum(ycount == 0, wd)
        cat_hit = torch.argmax(s, dim=1) == torch.argmax(yb.to(torch.uint8), dim=1)
        st["keras_cat"] += _wsum(cat_hit, wd)
        done: dict[float, dict] = {}
        honest_pred = None
        for name, t in state.thresholds.items():
            if t not in done:
                pred = s > t
                hit = pred & yb
                pc, inter = pred.sum(dim=1), hit.sum(dim=1)
                done[t] = {"pred": _colsum(pred, wd), "tp": _colsum(hit, wd),
                           "exact": _wsum(pc + ycount == 2 * inter, wd)}
                if name == "honest":
                    honest_pred = pred
                    union = (pc + ycount - inter).double()
                    ratio = torch.where(union > 0, inter.double() / union.clamp(min=1), 0.0)
                    st["jaccard"] += _dot(ratio, wd)
            st[f"pred_{name}"] += done[t]["pred"]
            st[f"tp_{name}"] += done[t]["tp"]
            st[f"exact_{name}"] += done[t]["exact"]
        pred = honest_pred
        other = 1 - s  # in the scores' dtype
        eps = float(np.finfo(_np_dtype(s)).eps)
        p_label = torch.where(yb, s, other).clamp(eps, 1 - eps)
        logp = torch.log(p_label.double())
        st["logloss"] -= _colsum(logp, wd)
        diff = s.double() - yb.double()
        st["brier"] += _colsum(diff * diff, wd)
        conf_is_max = state.profile.threshold == 0.5
        conf = torch.maximum(s, other) if conf_is_max else torch.where(pred, s, other)
        _calibration(st, conf, pred == yb, wd, state.n_bins)
        if state.shift is not None:
            shift = state.shift
            bins, lo = C.n_auc_bins(shift), C.key_floor(shift)
            mid = (bins - 1) // 2
            q = torch.minimum(s, other).clamp(min=0)
            high = pred if conf_is_max else s > other
            k = _low_keys(q, shift, lo)
            k = torch.where(high, 2 * mid - k, k)
            cells = (k + torch.arange(L, device=s.device) * bins) * 2 + yb.long()
            ww = None if wd is None else wd[:, None].expand(-1, L).flatten()
            _add(st, "auc_hist", _bincount(cells.flatten(), ww, 2 * L * bins))

    def _binary(self, state, y, s, w) -> None:
        import torch

        st = state.stats
        y = y.long()
        wd = None if w is None else w.double()
        honest = None
        for name, (t, strict) in state.thresholds.items():
            pred = s > t if strict else s >= t
            if name == "honest":
                honest = pred
            _add(st, f"cm_{name}", _bincount(2 * y + pred.long(), wd, 4))
        eps = float(np.finfo(_np_dtype(s)).eps)
        p_label = torch.where(y == 1, s, 1 - s).clamp(eps, 1 - eps)
        st["logloss"] += _dot(-torch.log(p_label.double()), wd)
        p = s.double()
        st["brier"] += _dot((p - y) ** 2, wd)
        conf = torch.where(honest, p, 1 - p)
        _calibration(st, conf, honest == (y == 1), wd, state.n_bins)
        if state.shift is not None:
            shift = state.shift
            bins, lo = C.n_auc_bins(shift), C.key_floor(shift)
            mid = (bins - 1) // 2
            keys = _low_keys(s, shift, lo)
            high = s > 0.5
            keys[high] = 2 * mid - _low_keys(1 - s[high], shift, lo)
            _add(st, "auc_all", _bincount(keys, wd, bins))
            pos = y == 1
            _add(st, "auc_pos", _bincount(keys[pos], None if wd is None else wd[pos], bins))


# --- helpers -------------------------------------------------------------------------------------

def _tensor(a: Any):
    import torch

    if a is None or isinstance(a, torch.Tensor):
        return a
    a = np.asarray(a)
    if a.dtype == np.uint16 or not a.flags.writeable:  # torch wants writeable, known dtypes
        a = a.copy() if a.dtype != np.uint16 else a.astype(np.int32)
    return torch.from_numpy(np.ascontiguousarray(a))


def _standin(t) -> np.ndarray:
    """A zero-stride numpy array of the tensor's shape and dtype (no memory, no copy)."""
    return np.broadcast_to(np.zeros((), _np_any(t.dtype)), tuple(t.shape))


def _np_any(dtype) -> type:
    import torch

    return torch.empty(0, dtype=dtype).numpy().dtype


def _bool():
    import torch

    return torch.bool


def _host(a: Any):
    return None if a is None else a.detach().cpu().numpy()


def _np_dtype(t) -> type:
    import torch

    return {torch.float32: np.float32, torch.float64: np.float64}[t.dtype]


def _bincount(idx, w, size: int) -> np.ndarray:
    """torch.bincount to the host as float64 (what `_common.wbincount` gives)."""
    import torch

    if idx.numel() == 0:
        return np.zeros(size)
    counts = torch.bincount(idx.flatten(), weights=w, minlength=size)
    return counts.cpu().numpy().astype(np.float64, copy=False)


def _add(st: dict, key: str, inc: np.ndarray) -> None:
    if st[key].dtype.kind == "f":
        st[key] += inc
    else:
        st[key] += inc.astype(st[key].dtype)


def _wsum(mask, w) -> float:
    return float(mask.sum()) if w is None else float(w[mask].sum())


def _dot(v, w) -> float:
    return float(v.sum()) if w is None else float((w * v).sum())


def _colsum(m, w) -> np.ndarray:
    m = m.double()
    out = m.sum(dim=0) if w is None else (w[:, None] * m).sum(dim=0)
    return out.cpu().numpy()


def _low_keys(p, shift: int, lo: int):
    """`_common.low_keys` on the device: float32 bits >> shift, less the floor, at least 0."""
    import torch

    bits = p.float().view(torch.int32).long()
    return ((bits >> shift) - lo).clamp(min=0)


def _calibration(st: dict, conf, correct, w, n_bins: int) -> None:
    """`_common.calibration_update` on the device, in the confidence's dtype."""
    import torch

    scale = torch.tensor(n_bins, dtype=conf.dtype, device=conf.device)
    t = torch.minimum(conf * scale, scale - 0.5)
    t = t + correct.to(conf.dtype) * scale
    keys = t.long().flatten()
    cf = conf.flatten().double()
    ww = None if w is None else (w[:, None].expand(conf.shape).flatten() if conf.ndim == 2 else w)
    counts = _bincount(keys, ww, 2 * n_bins)
    sums = _bincount(keys, cf if ww is None else cf * ww, 2 * n_bins)
    st["cal_w"] += counts[:n_bins] + counts[n_bins:]
    st["cal_acc"] += counts[n_bins:]
    st["cal_conf"] += sums[:n_bins] + sums[n_bins:]
