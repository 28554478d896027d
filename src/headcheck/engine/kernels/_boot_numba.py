"""The compiled group sums of the bootstrap (`headcheck.engine.bootstrap._Sums`; imported only
for states of the numba kernel). Each loop adds a chunk's per-row values to the rows of `boot`
named by the rows' random groups `g`, with the GIL released (the executor's two worker threads
sum two chunks at once). `_Sums` computes the same sums with numpy; float sums agree to
rounding. Values come in their own dtype (booleans as bytes): no float64 copies.

`group_rows` / `group_keys` add one statistic per call (any task kind); `multiclass` and
`binary` add every statistic of a row in one loop (one visit of the row's group per row: `boot`
is megabytes, and each visit may miss the cache). Their column offsets `at` come from
`bootstrap.columns`, in the order `bootstrap.FUSED_COLUMNS` lists them (-1: not kept).
"""
from __future__ import annotations

from numba import njit

_OPTS = {"nogil": True, "cache": True}


@njit(**_OPTS)
def group_rows(boot, g, v, w, weighted, at):
    """boot[g[i], at + j] += w[i] * v[i, j] (w[i] = 1 unweighted)."""
    n, c = v.shape
    for i in range(n):
        r = boot[g[i]]
        if weighted:
            wi = w[i]
            for j in range(c):
                r[at + j] += wi * v[i, j]
        else:
            for j in range(c):
                r[at + j] += v[i, j]


@njit(**_OPTS)
def group_keys(boot, g, keys, v, has_values, w, weighted, at):
    """boot[g[i], at + keys[i, j]] += w[i] (times v[i, j]) for every cell j of row i."""
    n, c = keys.shape
    for i in range(n):
        r = boot[g[i]]
        wi = w[i] if weighted else 1.0
        if has_values:
            for j in range(c):
                r[at + keys[i, j]] += wi * v[i, j]
        else:
            for j in range(c):
                r[at + keys[i, j]] += wi


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
