"""The compiled loops of the numba kernel (imported only when that kernel runs: it imports numba).

One function per task kind makes one pass over a chunk's rows: non-finite rows, score and label
ranges and every statistic of the state's layout (see the states' docstrings) together, with the
GIL released so that two worker threads fold two chunks at once. They mirror the reference
(`numpy_kernel`) operation by operation wherever a result is compared exactly: comparisons and
calibration bins in the scores' own dtype (numpy compares float32 scores with a float32
threshold), histogram keys from float32 bit patterns, the first index of a row's maximum. Float
sums (log loss, Brier, confidence sums) are accumulated in float64 in another order than numpy's,
so they agree to rounding (`testing.assert_states_match`'s rtol).

Scalars that must keep the scores' dtype (`one`, thresholds, clip bounds, calibration scale) are
passed in already cast: numba promotes `1 - float32` to float64, numpy does not.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from headcheck.engine.kernels._boot_numba import add_calibration

_OPTS = {"nogil": True, "cache": True}


@njit(nogil=True, cache=True)
def _scan(row, rb, st, sh, msk):
    """Smallest and largest score of a row as sortable integers (the float bits `rb`, flipped
    below zero: integer min/max vectorise, float ones do not without giving up NaN semantics),
    and how many scores exceed `st` (the top-k rank of the true class)."""
    kmax = rb[0] ^ ((rb[0] >> sh) & msk)
    kmin = kmax
    g = 0
    for j in range(rb.shape[0]):
        b = rb[j]
        k = b ^ ((b >> sh) & msk)
        kmax = max(kmax, k)
        kmin = min(kmin, k)
        g += row[j] > st
    return kmin, kmax, g


@njit(nogil=True, cache=True)
def _count_above(row, t):
    c = 0
    for j in range(row.shape[0]):
        c += row[j] > t
    return c


@njit(nogil=True, cache=True, fastmath={"reassoc", "nsz"})
def _sumsq(row):
    """Sum of squares in the scores' dtype, reassociated (vectorised); numpy's float32 einsum
    also sums float32 terms in float32."""
    sq = row[0] - row[0]  # zero in the row's dtype (the row is finite)
    for j in range(row.shape[0]):
        sq += row[j] * row[j]
    return sq


@njit(**_OPTS)
def _first_index(row, v):
    """The first index of `v` in `row` (-0.0 == 0.0, as numpy's argmax compares): a min over
    the whole row, which vectorises, rather than a loop that stops early and does not."""
    n = row.shape[0]
    first = n
    for j in range(n):
        first = min(first, j if row[j] == v else n)
    return first


@njit(**_OPTS)
def _unflip(k, sh, msk, tmpf, tmpi):
    """The score whose sortable integer is `k` (see `_scan`)."""
    tmpi[0] = k ^ ((k >> sh) & msk)
    return tmpf[0]


@njit(**_OPTS)
def _cal_bin(conf, correct, scale, top):
    """The calibration cell of one confidence, as `_common.calibration_update` computes it in the
    confidence's dtype: bin + n_bins when correct."""
    t = conf * scale
    t = min(t, top)
    if correct:
        t = t + scale
    return int(t)


@njit(**_OPTS)
def _raw_key(bits, shift, shift16):
    """The uint16 key the numpy kernel stores for a float32 bit pattern (see `_stash_auc_block`):
    the high half for shift 16, else the arithmetic shift floored at 0, both kept to 16 bits."""
    if shift16:
        return (bits >> 16) & 0xFFFF
    r = bits >> shift
    r = max(r, 0)
    return r & 0xFFFF


@njit(**_OPTS)
def _row_keys(rb, idx, shift, shift16, lo, width, sc, sb):
    """Histogram cells of one row's scores (class j, bin b: j * sc + b * sb), -1 where the key
    falls past the histogram (scores above 1: dropped, as the numpy kernel's bincounts do).
    Branch-free per element so that it vectorises; the scatter is a separate loop."""
    K = rb.shape[0]
    if shift16:
        for j in range(K):
            r = np.int64((rb[j] >> 16) & 0xFFFF)
            k = max(r - lo, 0)
            idx[j] = j * sc + k * sb if r < width else -1
    else:
        for j in range(K):
            r = np.int64(max(rb[j] >> shift, 0) & 0xFFFF)
            k = max(r - lo, 0)
            idx[j] = j * sc + k * sb if r < width else -1


@njit(**_OPTS)
def _scatter_row(rb, idx, shift, shift16, lo, width, sc, sb, hist, wi, weighted):
    """Count one row's scores into their classes' histograms (`_row_keys`, then the scatter)."""
    _row_keys(rb, idx, shift, shift16, lo, width, sc, sb)
    if weighted:
        for j in range(rb.shape[0]):
            if idx[j] >= 0:
                hist[idx[j]] += wi
    else:
        for j in range(rb.shape[0]):
            if idx[j] >= 0:
                hist[idx[j]] += 1


@njit(**_OPTS)
def _counts_buffer(hist, do_auc, weighted, n, width):
    """Where an unweighted chunk counts its histogram cells: int32 cells (half the cache
    footprint of the state's int64 ones: the scatter misses less), added to the state once by
    `_add_counts`. A chunk with fewer scores (n * width) than cells (a training callback's epoch
    of a few thousand rows) writes the state's cells directly: there the pass over every cell
    would cost more than it saves; so does a weighted chunk (float cells) or one of 2^31 rows."""
    if do_auc and not weighted and n < 2**31 and n * width >= hist.shape[0]:
        return np.zeros(hist.shape[0], np.int32), True
    return np.zeros(1, np.int32), False


@njit(**_OPTS)
def _add_counts(hist, counts):
    for t in range(counts.shape[0]):
        hist[t] += counts[t]


@njit(**_OPTS)
def _low_key(bits, shift, lo):
    """`_common.low_keys` of one float32 bit pattern."""
    k = (bits >> shift) - lo
    return max(0, k)


@njit(**_OPTS)
def _f32_bits(x, tmp32, tmpi):
    tmp32[0] = x
    return tmpi[0]


# --- multiclass ----------------------------------------------------------------------------------

@njit(**_OPTS)
def multiclass(y, s, bits, sh, msk, k_pinf, k_ninf, tmpf, tmpn, prob, nll, logits, b32, w,
               weighted, probabilities, ks, eps, n_bins, scale, top, dense, cm,
               support, predicted, tp, topk, sums, cal_w, cal_conf, cal_acc,
               do_auc, shift, shift16, lo, width, bins, sc, sb, auc_all, auc_pos,
               bad, wrong_keys, wrong_vals, ranges, keep, r_pred, r_greater, r_nll, r_brier,
               r_conf, r_cal):
    """Multiclass probabilities ('probabilities' rows sum to 1; else 'independent') or logits.
    The decisions (argmax, top-k rank, scores above 0.5, ranges) read the scores `s`; Brier,
    calibration and the histograms read `prob` (`s` itself, or the logits' softmax as the
    numpy kernel computes it, with their log loss per row in `nll` when `logits`; `b32`: the
    bits of `prob` as float32). `sums`: n, w_total, above, true_above, logloss, brier. `ranges`
    (out): score min/max, label min/max of the finite rows. With `keep`, each finite row's
    quantities for the bootstrap (`r_*`: prediction, classes scored above the true one, log
    loss, Brier, confidence, calibration cell), as the numpy kernel hands them over. Returns
    (rows with non-finite scores, wrong pairs written)."""
    n, K = s.shape
    mid = (bins - 1) // 2
    tmp32 = np.empty(1, np.float32)
    tmpi = tmp32.view(np.int32)
    idx = np.empty(K, np.int64)
    # the cells a row adds outside its scatter (its true class's positive cell, its mirrored
    # maximum) land anywhere in the histograms: collected and added after the loop, where their
    # cache misses overlap instead of stalling each row
    pcell = np.empty(n if do_auc else 0, np.int64)
    pval = np.empty(n if do_auc else 0)
    mcell = np.empty(2 * n if do_auc else 0, np.int64)
    mval = np.empty(2 * n if do_auc else 0)
    n_m = 0
    n_p = 0
    counts, private = _counts_buffer(auc_all, do_auc, weighted, n, K)
    n_bad = 0
    n_wrong = 0
    n_ok = 0.0
    w_tot = 0.0
    above = 0.0
    true_above = 0.0
    logloss = 0.0
    brier = 0.0
    smin = np.inf
    smax = -np.inf
    ymin = np.inf
    ymax = -np.inf
    for i in range(n):
        row = s[i]
        yi = y[i]
        st = row[yi]
        kmin, kmax, g = _scan(row, bits[i], st, sh, msk)
        if kmax >= k_pinf or kmin <= k_ninf:  # a NaN or an infinity
            bad[n_bad] = i
            n_bad += 1
            continue
        lo_v = _unflip(kmin, sh, msk, tmpf, tmpn)
        hi_v = _unflip(kmax, sh, msk, tmpf, tmpn)
        arg = _first_index(row, hi_v)
        cnt_half = 0 if probabilities else _count_above(row, 0.5)
        prow = prob[i]
        p_true = prow[yi]
        p_hi = prow[arg]  # the largest probability (softmax keeps the order of the logits)
        sq = np.float64(_sumsq(prow))
        wi = w[i] if weighted else 1.0
        n_ok += 1
        w_tot += wi
        smin = min(smin, lo_v)
        smax = max(smax, hi_v)
        ymin = min(ymin, yi)
        ymax = max(ymax, yi)
        for t in range(ks.shape[0]):
            if g < ks[t]:
                topk[t] += wi
        support[yi] += wi
        predicted[arg] += wi
        correct = arg == yi
        if correct:
            tp[yi] += wi
        elif not dense:
            wrong_keys[n_wrong] = np.int64(yi) * K + arg
            wrong_vals[n_wrong] = wi
            n_wrong += 1
        if dense:
            cm[yi * K + arg] += wi
        if probabilities:
            if hi_v > 0.5:
                above += wi
        else:
            above += wi * cnt_half
        if st > 0.5:
            true_above += wi
        if logits:
            term = nll[i]
        else:
            pt = np.float64(st)
            if pt < eps:
                pt = eps
            elif pt > 1.0 - eps:
                pt = 1.0 - eps
            term = -np.log(pt)
        logloss += wi * term
        bt = sq - 2.0 * np.float64(p_true) + 1.0
        brier += wi * bt
        conf = np.float64(p_hi)
        c = _cal_bin(conf, correct, scale, top)
        if keep:
            r = i - n_bad
            r_pred[r] = arg
            r_greater[r] = g
            r_nll[r] = term
            r_brier[r] = bt
            r_conf[r] = conf
            r_cal[r] = c
        if c >= n_bins:
            c -= n_bins
            cal_acc[c] += wi
        cal_w[c] += wi
        cal_conf[c] += wi * conf
        if do_auc:
            rb = b32[i]
            if private:
                _scatter_row(rb, idx, shift, shift16, lo, width, sc, sb, counts, 1, False)
            else:
                _scatter_row(rb, idx, shift, shift16, lo, width, sc, sb, auc_all, wi, weighted)
            kp = _low_key(rb[yi], shift, lo)
            kp = min(kp, bins - 1)
            pm = np.float64(p_hi)
            if pm > 0.5 and pm <= 1.0:  # the row's largest probability: its mirrored key
                kl = _low_key(rb[arg], shift, lo)
                kh = 2 * mid - _low_key(_f32_bits(np.float32(1.0 - pm), tmp32, tmpi), shift, lo)
                mcell[n_m] = arg * sc + kl * sb
                mval[n_m] = -wi
                mcell[n_m + 1] = arg * sc + kh * sb
                mval[n_m + 1] = wi
                n_m += 2
                if correct:
                    kp = kh
            pcell[n_p] = yi * sc + kp * sb
            pval[n_p] = wi
            n_p += 1
    if private:
        _add_counts(auc_all, counts)
    for t in range(n_m):
        auc_all[mcell[t]] += mval[t]
    for t in range(n_p):
        auc_pos[pcell[t]] += pval[t]
    sums[0] += n_ok
    sums[1] += w_tot
    sums[2] += above
    sums[3] += true_above
    sums[4] += logloss
    sums[5] += brier
    ranges[0] = smin
    ranges[1] = smax
    ranges[2] = ymin
    ranges[3] = ymax
    return n_bad, n_wrong


# --- multilabel ----------------------------------------------------------------------------------

@njit(**_OPTS)
def multilabel(y, s, bits, sh, msk, k_pinf, k_ninf, tmpf, tmpn, w, weighted, one, t_h, t_k,
               eps_lo, eps_hi, conf_is_max, n_bins, scale, top, support, pred_h, tp_h, pred_k,
               tp_k, sums, logloss, brier, cal_w, cal_conf, cal_acc, do_auc, shift, lo, bins,
               auc_hist, bad, ranges, keep, g, boot, at, r_exact):
    """Multi-label independent probabilities at the honest threshold `t_h` and Keras's `t_k`
    (both computed: integer work that vectorises, cheaper than a branch). `y`: 0/1 bytes. `sums`: n, w_total, no_positive,
    keras_cat, jaccard, exact_h, exact_k. Returns the rows with non-finite scores.

    Per row, branch-free loops over the labels (they vectorise) fill the per-label sums and
    compute each cell's calibration and histogram cell; one scatter loop then counts them. The
    calibration table has one block per label (no two cells of a row meet), summed at the end.
    Unweighted chunks count the per-label decisions in integers (exact, and integer adds
    vectorise), added to the float statistics once.

    With `keep` (bootstrap replicates), each finite row also adds to the row `g[i]` of the group
    sums `boot` (columns `at`: w_total, exact_honest, jaccard, logloss, brier, cal_w, cal_conf,
    cal_acc, support, tp_honest, pred_honest; -1: not kept) and writes its exact match to
    `r_exact` (packed): the same sums as `bootstrap.add` of the reference's per-row quantities.
    """
    n, L = s.shape
    mid = (bins - 1) // 2
    nc = 2 * n_bins
    cal = np.zeros(L * nc * 2)  # per (label, bin + n_bins * correct): weight, confidence sum
    cidx = np.empty(L, np.int64)
    conf = np.empty(L)
    aidx = np.empty(L, np.int64)
    qbuf = np.empty(L, np.float32)
    qbits = qbuf.view(np.int32)
    prod = np.ones(L)
    nbuf = np.empty(L)  # bootstrap: a row's clipped probabilities (`_ml_row_nll`)
    cnt = np.zeros((5, L), np.int64)  # unweighted: support, pred_h, tp_h, pred_k, tp_k
    counts, private = _counts_buffer(auc_hist, do_auc, weighted, n, L)
    n_prod = 0
    n_bad = 0
    n_ok = 0.0
    w_tot = 0.0
    no_pos = 0.0
    kcat = 0.0
    jac = 0.0
    ex_h = 0.0
    ex_k = 0.0
    smin = np.inf
    smax = -np.inf
    ymin = np.inf
    ymax = -np.inf
    for i in range(n):
        row = s[i]
        kmin, kmax, _ = _scan(row, bits[i], row[0], sh, msk)
        if kmax >= k_pinf or kmin <= k_ninf:  # a NaN or an infinity
            bad[n_bad] = i
            n_bad += 1
            continue
        lo_v = _unflip(kmin, sh, msk, tmpf, tmpn)
        hi_v = _unflip(kmax, sh, msk, tmpf, tmpn)
        arg = _first_index(row, hi_v)
        yr = y[i]
        wi = w[i] if weighted else 1.0
        n_ok += 1
        w_tot += wi
        smin = min(smin, lo_v)
        smax = max(smax, hi_v)
        if weighted:
            ycount, pc_h, in_h, pc_k, in_k = _ml_counts_w(row, yr, t_h, t_k, wi, support, pred_h,
                                                          tp_h, pred_k, tp_k)
        else:
            ycount, pc_h, in_h, pc_k, in_k = _ml_counts(row, yr, t_h, t_k, cnt)
        if weighted:
            _ml_losses_w(row, yr, one, eps_lo, eps_hi, wi, logloss, brier)
        else:
            _ml_losses(row, yr, one, eps_lo, eps_hi, prod, brier)
        _ml_cells(row, yr, one, t_h, conf_is_max, scale, top, L, conf, cidx, do_auc, qbuf,
                  qbits, shift, lo, mid, bins, aidx)
        for j in range(L):
            c = (j * nc + cidx[j]) * 2
            cal[c] += wi
            cal[c + 1] += wi * conf[j]
        if private:
            for j in range(L):
                counts[aidx[j]] += 1
        elif do_auc:
            for j in range(L):
                auc_hist[aidx[j]] += wi
        if not weighted:
            n_prod += 1
            if n_prod == 32:  # products of 32 probabilities >= float32 eps cannot underflow
                for j in range(L):
                    logloss[j] -= np.log(prod[j])
                    prod[j] = 1.0
                n_prod = 0
        if keep:
            _ml_group_sums(boot[g[i]], at, row, yr, t_h, one, eps_lo, eps_hi, wi, ycount, pc_h,
                           in_h, n_bins, cidx, conf, L, nbuf)
            r_exact[i - n_bad] = pc_h + ycount == 2 * in_h
        if ycount == 0:
            no_pos += wi
        if arg == _first_positive(yr):  # Keras: the first positive label (0 when none)
            kcat += wi
        if pc_h + ycount == 2 * in_h:
            ex_h += wi
        if pc_k + ycount == 2 * in_k:
            ex_k += wi
        union = pc_h + ycount - in_h
        if union > 0:
            jac += wi * in_h / union
        ymin = min(ymin, 1.0 if ycount == L else 0.0)
        ymax = max(ymax, 0.0 if ycount == 0 else 1.0)
    if private:
        _add_counts(auc_hist, counts)
    if n_prod:
        for j in range(L):
            logloss[j] -= np.log(prod[j])
    if not weighted:
        for j in range(L):
            support[j] += cnt[0, j]
            pred_h[j] += cnt[1, j]
            tp_h[j] += cnt[2, j]
            pred_k[j] += cnt[3, j]
            tp_k[j] += cnt[4, j]
    for b in range(n_bins):
        for j in range(L):
            c = (j * nc + b) * 2
            d = (j * nc + b + n_bins) * 2
            cal_w[b] += cal[c] + cal[d]
            cal_acc[b] += cal[d]
            cal_conf[b] += cal[c + 1] + cal[d + 1]
    sums[0] += n_ok
    sums[1] += w_tot
    sums[2] += no_pos
    sums[3] += kcat
    sums[4] += jac
    sums[5] += ex_h
    sums[6] += ex_k
    ranges[0] = smin
    ranges[1] = smax
    ranges[2] = ymin
    ranges[3] = ymax
    return n_bad


_LOG_1E150 = float(np.log(1e150))


@njit(**_OPTS)
def _ml_group_sums(r, at, row, yr, t_h, one, eps_lo, eps_hi, wi, ycount, pc_h, in_h, n_bins,
                   cidx, conf, L, buf):
    """One multi-label row's bootstrap group sums, added to its group's row `r` of `boot`:
    exact match, Jaccard ratio, the row's log loss and squared error summed over its labels (as
    `numpy_kernel` hands them over), calibration cells, and per-label positives, hits and
    predictions when kept. `buf`: scratch of L float64."""
    r[at[0]] += wi
    if pc_h + ycount == 2 * in_h:
        r[at[1]] += wi
    union = pc_h + ycount - in_h
    if union > 0:
        r[at[2]] += wi * (in_h / union)
    r[at[3]] += wi * _ml_row_nll(row, yr, one, eps_lo, eps_hi, buf)
    r[at[4]] += wi * _ml_row_sq(row, yr)
    for j in range(L):
        add_calibration(r, at[5], at[6], at[7], cidx[j], n_bins, wi, conf[j])
    if at[8] >= 0:  # branch-free over the labels (vectorises)
        _ml_label_sums(r[at[8]:at[8] + L], r[at[9]:at[9] + L], r[at[10]:at[10] + L], row, yr,
                       t_h, wi)


@njit(nogil=True, cache=True, fastmath={"reassoc", "nsz"})
def _ml_row_nll(row, yr, one, eps_lo, eps_hi, buf):
    """The row's log loss summed over its labels with one logarithm: the clipped probabilities
    of the true values (one vectorised loop into `buf`), multiplied in blocks of 16 (a block is
    >= eps**16, 1e-111 for float32, in any order), the running product scaled back up by 1e150
    whenever it falls below 1e-150."""
    L = row.shape[0]
    for j in range(L):
        v = row[j]
        pl = v if yr[j] != 0 else one - v
        pl = eps_lo if pl < eps_lo else pl
        pl = eps_hi if pl > eps_hi else pl
        buf[j] = np.float64(pl)
    prod = 1.0
    scaled = 0
    for a in range(0, L, 16):
        block = 1.0
        for j in range(a, min(a + 16, L)):
            block *= buf[j]
        prod *= block
        if prod < 1e-150:
            prod *= 1e150
            scaled += 1
    return scaled * _LOG_1E150 - np.log(prod)


@njit(nogil=True, cache=True, fastmath={"reassoc", "nsz"})
def _ml_row_sq(row, yr):
    """The row's squared error summed over its labels (float64)."""
    sq = 0.0
    for j in range(row.shape[0]):
        d = np.float64(row[j]) - np.float64(yr[j])
        sq += d * d
    return sq


@njit(**_OPTS)
def _ml_label_sums(support, tp, pred, row, yr, t_h, wi):
    """Per label: positives, hits and predictions of one row, times its weight."""
    for j in range(row.shape[0]):  # `yr`: 0/1 bytes
        yv = wi * np.float64(yr[j])
        ph = np.float64(1.0) if row[j] > t_h else np.float64(0.0)
        support[j] += yv
        tp[j] += yv * ph
        pred[j] += wi * ph


@njit(**_OPTS)
def _first_positive(yr):
    """The first index of a nonzero byte in `yr` (0 when none), vectorised as `_first_index`."""
    n = yr.shape[0]
    first = n
    for j in range(n):
        first = min(first, j if yr[j] != 0 else n)
    return first if first < n else 0


@njit(**_OPTS)
def _ml_counts(row, yr, t_h, t_k, cnt):
    """One unweighted row's decisions at both thresholds, counted per label in integers;
    (positives, predicted_h, both_h, predicted_k, both_k) of the row."""
    ycount = 0
    pc_h = 0
    in_h = 0
    pc_k = 0
    in_k = 0
    for j in range(row.shape[0]):
        yv = np.int64(yr[j])  # 0/1 bytes
        ph = np.int64(row[j] > t_h)
        pk = np.int64(row[j] > t_k)
        ycount += yv
        pc_h += ph
        in_h += yv & ph
        pc_k += pk
        in_k += yv & pk
        cnt[0, j] += yv
        cnt[1, j] += ph
        cnt[2, j] += yv & ph
        cnt[3, j] += pk
        cnt[4, j] += yv & pk
    return ycount, pc_h, in_h, pc_k, in_k


@njit(**_OPTS)
def _ml_counts_w(row, yr, t_h, t_k, wi, support, pred_h, tp_h, pred_k, tp_k):
    """`_ml_counts` of a weighted row, into the float per-label sums."""
    ycount = 0
    pc_h = 0
    in_h = 0
    pc_k = 0
    in_k = 0
    for j in range(row.shape[0]):
        yv = np.int64(yr[j])
        ph = np.int64(row[j] > t_h)
        pk = np.int64(row[j] > t_k)
        ycount += yv
        pc_h += ph
        in_h += yv & ph
        pc_k += pk
        in_k += yv & pk
        support[j] += wi * yv
        pred_h[j] += wi * ph
        tp_h[j] += wi * (yv & ph)
        pred_k[j] += wi * pk
        tp_k[j] += wi * (yv & pk)
    return ycount, pc_h, in_h, pc_k, in_k


@njit(nogil=True, cache=True, fastmath={"reassoc", "nsz"})
def _ml_losses(row, yr, one, eps_lo, eps_hi, prod, brier):
    """An unweighted row's log loss (into the products of each label's probabilities, whose
    logarithms are taken every 32 rows) and Brier. Apart from the weighted loop: a logarithm
    in a branch of this loop kept it from vectorising."""
    for j in range(row.shape[0]):
        v = row[j]
        yb = yr[j]  # 0/1
        pl = v if yb != 0 else one - v
        pl = min(max(pl, eps_lo), eps_hi)
        prod[j] *= np.float64(pl)
        d = np.float64(v) - np.float64(yb)
        brier[j] += d * d


@njit(nogil=True, cache=True, fastmath={"reassoc", "nsz"})
def _ml_losses_w(row, yr, one, eps_lo, eps_hi, wi, logloss, brier):
    """`_ml_losses` of a weighted row: weighted logarithms."""
    for j in range(row.shape[0]):
        v = row[j]
        yb = yr[j]
        pl = v if yb != 0 else one - v
        pl = min(max(pl, eps_lo), eps_hi)
        logloss[j] -= wi * np.log(np.float64(pl))
        d = np.float64(v) - np.float64(yb)
        brier[j] += wi * d * d


@njit(**_OPTS)
def _ml_cells(row, yr, one, t_h, conf_is_max, scale, top, L, conf, cidx, do_auc, qbuf, qbits,
              shift, lo, mid, bins, aidx):
    """Each cell's calibration cell (bin + n_bins * correct) and confidence, and its
    histogram cell (2 * (label * bins + key) + y), as the numpy kernel computes them."""
    for j in range(L):
        v = row[j]
        yv = yr[j] != 0
        ph = v > t_h
        other = one - v
        if conf_is_max:
            c = max(other, v)
        else:
            c = v if ph else other
        conf[j] = c
        cidx[j] = _cal_bin(c, ph == yv, scale, top)
    if do_auc:
        for j in range(L):
            v = row[j]
            other = one - v
            q = min(other, v)
            qbuf[j] = max(0, q)  # scores outside [0, 1]: in range (the pass re-runs)
        for j in range(L):
            v = row[j]
            ph = v > t_h
            high = ph if conf_is_max else v > one - v
            k = (qbits[j] >> shift) - lo
            k = max(0, k)
            k = 2 * mid - k if high else k
            aidx[j] = (j * bins + k) * 2 + (yr[j] != 0)


# --- binary --------------------------------------------------------------------------------------

@njit(**_OPTS)
def binary(y, s, w, weighted, thr, strict, honest, one, eps_lo, eps_hi, n_bins, scale, top, cms,
           sums, cal_w, cal_conf, cal_acc, do_auc, shift, lo, bins, auc_all, auc_pos, bad, ranges,
           keep, r_pred, r_nll, r_sq, r_conf, r_cal, r_key):
    """Binary probabilities of the positive class. `cms` (thresholds x 4): tn, fp, fn, tp at each
    (thr, strict); `honest`: the row of the honest decision. `sums`: n, w_total, logloss, brier.
    With `keep`, each finite row's quantities for the bootstrap (`r_*`: honest decision, log
    loss, squared error, confidence, calibration cell, histogram key). Returns the rows with
    non-finite scores."""
    n = s.shape[0]
    mid = (bins - 1) // 2
    tmp32 = np.empty(1, np.float32)
    tmpi = tmp32.view(np.int32)
    n_bad = 0
    n_ok = 0.0
    w_tot = 0.0
    logloss = 0.0
    brier = 0.0
    smin = np.inf
    smax = -np.inf
    ymin = np.inf
    ymax = -np.inf
    n_thr = thr.shape[0]
    for i in range(n):
        v = s[i]
        if v - v != 0:  # NaN or an infinity
            bad[n_bad] = i
            n_bad += 1
            continue
        yi = y[i]
        wi = w[i] if weighted else 1.0
        n_ok += 1
        w_tot += wi
        smin = min(smin, v)
        smax = max(smax, v)
        ymin = min(ymin, yi)
        ymax = max(ymax, yi)
        ph = False
        for t in range(n_thr):
            pred = v > thr[t] if strict[t] else v >= thr[t]
            cms[t, 2 * yi + (1 if pred else 0)] += wi
            if t == honest:
                ph = pred
        pl = v if yi == 1 else one - v
        if pl < eps_lo:
            pl = eps_lo
        elif pl > eps_hi:
            pl = eps_hi
        term = -np.log(np.float64(pl))
        logloss += wi * term
        p = np.float64(v)
        sq = (p - yi) * (p - yi)
        brier += wi * sq
        conf = p if ph else 1.0 - p
        c = _cal_bin(conf, ph == (yi == 1), scale, top)
        if keep:
            r = i - n_bad
            r_pred[r] = ph
            r_nll[r] = term
            r_sq[r] = sq
            r_conf[r] = conf
            r_cal[r] = c
        if c >= n_bins:
            c -= n_bins
            cal_acc[c] += wi
        cal_w[c] += wi
        cal_conf[c] += wi * conf
        if do_auc:
            k = _low_key(_f32_bits(np.float32(v), tmp32, tmpi), shift, lo)
            if v > 0.5:
                k = 2 * mid - _low_key(_f32_bits(np.float32(one - v), tmp32, tmpi), shift, lo)
            auc_all[k] += wi
            if yi == 1:
                auc_pos[k] += wi
            if keep:
                r_key[i - n_bad] = k
    sums[0] += n_ok
    sums[1] += w_tot
    sums[2] += logloss
    sums[3] += brier
    ranges[0] = smin
    ranges[1] = smax
    ranges[2] = ymin
    ranges[3] = ymax
    return n_bad
