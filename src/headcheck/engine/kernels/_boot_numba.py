"""The compiled group sums of the bootstrap for the numba kernel's binary and multiclass states
(`headcheck.engine.bootstrap.add`; imported only for those states). One loop per kind adds every
statistic of a row to the row of `boot` named by its random group `g` (one visit of the row's
group per row: `boot` is megabytes, and each visit may miss the cache), with the GIL released
(the executor's two worker threads sum two chunks at once). The column offsets `at` come from
`bootstrap.columns`, in the order `bootstrap.FUSED_COLUMNS` lists them (-1: not kept).
`bootstrap._Sums` computes the same sums with numpy; float sums agree to rounding.
`add_calibration` is also the numba multi-label loop's (`_numba_impl`).
"""
from __future__ import annotations

from numba import njit

_OPTS = {"nogil": True, "cache": True}


@njit(**_OPTS)
def add_calibration(r, a_w, a_conf, a_acc, cell, n_bins, wi, conf):
    """One decision's calibration cell (bin + n_bins when correct) added to a group's row `r`:
    weight, confidence and (when correct) correct weight of its bin."""
    ok = cell >= n_bins
    b = cell - n_bins if ok else cell
    r[a_w + b] += wi
    r[a_conf + b] += wi * conf
    if ok:
        r[a_acc + b] += wi


@njit(**_OPTS)
def multiclass(boot, g, y, pred, greater, ks, nll, brier, conf, cal, n_bins, w, weighted, at):
    """Every group sum of multiclass rows. `at`: w_total, correct, topk, support, predicted, tp,
    logloss, brier, cal_w, cal_conf, cal_acc (-1: not kept)."""
    n = y.shape[0]
    nk = ks.shape[0]
    for i in range(n):
        r = boot[g[i]]
        wi = w[i] if weighted else 1.0
        yi = y[i]
        pi = pred[i]
        right = pi == yi
        r[at[0]] += wi
        if right:
            r[at[1]] += wi
        if at[2] >= 0:
            gi = greater[i]
            for t in range(nk):
                if gi < ks[t]:
                    r[at[2] + t] += wi
        if at[3] >= 0:
            r[at[3] + yi] += wi
            r[at[4] + pi] += wi
            if right:
                r[at[5] + yi] += wi
        if at[6] >= 0:
            r[at[6]] += wi * nll[i]
            r[at[7]] += wi * brier[i]
            add_calibration(r, at[8], at[9], at[10], cal[i], n_bins, wi, conf[i])


@njit(**_OPTS)
def binary(boot, g, y, pred, nll, sq, conf, cal, key, coarse, n_bins, w, weighted, at):
    """Every group sum of binary rows. `at`: w_total, cm_honest, logloss, brier, cal_w,
    cal_conf, cal_acc, auc_pos, auc_all (-1: not kept); `key >> coarse`: the AUC bin."""
    n = y.shape[0]
    for i in range(n):
        r = boot[g[i]]
        wi = w[i] if weighted else 1.0
        yi = y[i]
        r[at[0]] += wi
        r[at[1] + 2 * yi + (1 if pred[i] else 0)] += wi
        if at[2] >= 0:
            r[at[2]] += wi * nll[i]
            r[at[3]] += wi * sq[i]
            add_calibration(r, at[4], at[5], at[6], cal[i], n_bins, wi, conf[i])
        if at[7] >= 0:
            k = key[i] >> coarse
            r[at[8] + k] += wi
            if yi == 1:
                r[at[7] + k] += wi
