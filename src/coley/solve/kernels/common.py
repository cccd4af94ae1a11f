"""Shared kernel helpers: error norm, LU, dense output, state and model events, switches."""

import math

import numpy as np
from numba import njit

from coley.solve.kernels.header import (
    DISC_STATE,
    HAS_MEVENTS,
    HAS_SWITCH,
    JAC_BLOCK,
    MEV_EQ,
    MEV_GE,
    MEV_GT,
    MEV_KIND,
    MEV_ORDER,
    MEV_PERSISTENT,
    MEV_TIMEONLY,
    MEV_UVFTT,
    N_MEVENTS,
    N_STATES,
    N_SWITCH,
    OP_ADD,
    OP_SET,
    mev_assign,
    mev_g,
    mev_true,
    sw_g,
)

# ---------------------------------------------------------------------- KERNEL SOURCE
MEV_MAX_ROUNDS = 1000
SW_SAMPLES = 16


@njit(cache=True, nogil=True, error_model='numpy')
def err_norm(e, y0, y1, rtol, atol):
    s = 0.0
    for i in range(N_STATES):
        sc = atol[i] + rtol * max(abs(y0[i]), abs(y1[i]))
        r = e[i] / sc
        s += r * r
    return math.sqrt(s / N_STATES)


@njit(cache=True, nogil=True, error_model='numpy')
def lu_factor(A, piv):
    # In-place LU with threshold partial pivoting; returns False if singular. The diagonal
    # stays the pivot unless it is over 10 times smaller than the column's largest entry
    # (threshold 0.1, as in sparse LU codes; element growth stays bounded). The diagonal of
    # I/(h*gamma) - J is the natural pivot, and keeping it keeps a state that is exactly 0
    # with a zero right-hand side (an extinct population) exactly 0: a row swap would seed it
    # with round-off, which an unstable zero state amplifies (BioModels 746: 75/day).
    # With a block-structured Jacobian (JAC_BLOCK > 0) only the base block is factored: every
    # diagonal block of the matrix equals it, and lu_solve substitutes block by block.
    n = JAC_BLOCK if JAC_BLOCK > 0 else N_STATES
    for k in range(n):
        m = k
        big = abs(A[k, k])
        for i in range(k + 1, n):
            if abs(A[i, k]) > big:
                big = abs(A[i, k])
                m = i
        piv[k] = m
        if big == 0.0 or not math.isfinite(big):
            return False
        if abs(A[k, k]) >= 0.1 * big:  # threshold: keep the diagonal
            m = k
            piv[k] = k
        if m != k:
            for j in range(n):
                tmp = A[k, j]
                A[k, j] = A[m, j]
                A[m, j] = tmp
        inv = 1.0 / A[k, k]
        A[k, k] = inv  # store the reciprocal pivot: solves multiply instead of divide
        for i in range(k + 1, n):
            A[i, k] *= inv
            f = A[i, k]
            if f != 0.0:
                for j in range(k + 1, n):
                    A[i, j] -= f * A[k, j]
    return True


@njit(cache=True, nogil=True, error_model='numpy')
def lu_solve(A, piv, b):
    # Solve A x = b in place, with the factors from lu_factor. (b is a row such as k[2]: an
    # array, not an index, so that numba compiles this once, not once per literal index.)
    # Block-structured (JAC_BLOCK > 0): the base block first, then each later block with its
    # right-hand side less its first-block-column coupling, A[block, base] x_base (those
    # entries are untouched by lu_factor), all with the base block's factors.
    if JAC_BLOCK > 0:
        nb = JAC_BLOCK
        lu_solve_range(A, piv, b, 0, nb)
        for off in range(nb, N_STATES, nb):
            for i in range(nb):
                s = b[off + i]
                for j in range(nb):
                    s -= A[off + i, j] * b[j]
                b[off + i] = s
            lu_solve_range(A, piv, b, off, nb)
    else:
        lu_solve_range(A, piv, b, 0, N_STATES)


@njit(cache=True, nogil=True, error_model='numpy')
def lu_solve_range(A, piv, b, off, n):
    # b[off:off + n] <- (the factored n x n leading block of A)^-1 b[off:off + n]
    for k in range(n):
        m = piv[k]
        if m != k:
            tmp = b[off + k]
            b[off + k] = b[off + m]
            b[off + m] = tmp
    for i in range(1, n):
        s = b[off + i]
        for j in range(i):
            s -= A[i, j] * b[off + j]
        b[off + i] = s
    for i in range(n - 1, -1, -1):
        s = b[off + i]
        for j in range(i + 1, n):
            s -= A[i, j] * b[off + j]
        b[off + i] = s * A[i, i]


@njit(cache=True, nogil=True, error_model='numpy')
def interp(cont, theta, out):
    # y(t + theta*h) = c0 + theta*(c1 + (1-theta)*(c2 + theta*(c3 + (1-theta)*c4)))
    th1 = 1.0 - theta
    for i in range(N_STATES):
        out[i] = cont[0, i] + theta * (
            cont[1, i] + th1 * (cont[2, i] + theta * (cont[3, i] + th1 * cont[4, i]))
        )


@njit(cache=True, nogil=True, error_model='numpy')
def min_step(t):
    # The smallest step: round-off relative to t (and a tiny floor at t = 0), so that very fast
    # transients at the start (rates ~1e15/day) can be resolved.
    return max(1e-14 * abs(t), 1e-280)


@njit(cache=True, nogil=True, error_model='numpy')
def apply_op(x, op, v):
    if op == OP_ADD:
        return x + v
    if op == OP_SET:
        return v
    return x * v


@njit(cache=True, nogil=True, error_model='numpy')
def all_finite(y):
    for i in range(N_STATES):
        if not math.isfinite(y[i]):
            return False
    return True


@njit(cache=True, nogil=True, error_model='numpy')
def event_crossed(g0, g1, direction):
    if direction < 0:
        return g0 > 0.0 and g1 <= 0.0
    if direction > 0:
        return g0 < 0.0 and g1 >= 0.0
    return (g0 > 0.0 and g1 <= 0.0) or (g0 < 0.0 and g1 >= 0.0)


@njit(cache=True, nogil=True, error_model='numpy')
def find_root(cont, idx, thr, g0, g1, tmp):
    # Illinois (modified regula falsi) on theta in [0, 1] for y_idx(theta) - thr = 0.
    a = 0.0
    b = 1.0
    ga = g0
    gb = g1
    side = 0
    for _ in range(100):
        c = (a * gb - b * ga) / (gb - ga)
        if not (c > a and c < b):
            c = 0.5 * (a + b)
        interp(cont, c, tmp)
        gc = tmp[idx] - thr
        if gc == 0.0 or (b - a) < 1e-15:
            return c
        if (gc > 0.0) == (gb > 0.0):
            b = c
            gb = gc
            if side == -1:
                ga *= 0.5
            side = -1
        else:
            a = c
            ga = gc
            if side == 1:
                gb *= 0.5
            side = 1
        if b - a < 1e-13:
            break
    return b


@njit(cache=True, nogil=True, error_model='numpy')
def mev_kind_true(g, kind):
    # Truth of a model-event trigger from its continuous function.
    if kind == MEV_GE:
        return g >= 0.0
    if kind == MEV_GT:
        return g > 0.0
    return g == 0.0


@njit(cache=True, nogil=True, error_model='numpy')
def mev_eval(t, y, p, u, mtimes, g, tr):
    # Trigger functions g and trigger truth tr at (t, y): tr is the condition itself (g only
    # guides the root finding), except for an equality (true where g == 0) and a time event,
    # whose g is t - (its time), exactly 0 at that time whatever the form of its expression.
    mev_g(t, y, p, u, g)
    mev_true(t, y, p, u, tr)
    for k in range(N_MEVENTS):
        if MEV_TIMEONLY[k]:
            g[k] = t - mtimes[k]
        if MEV_TIMEONLY[k] or MEV_KIND[k] == MEV_EQ:
            tr[k] = mev_kind_true(g[k], MEV_KIND[k])


@njit(cache=True, nogil=True, error_model='numpy')
def mev_root(k, t, h, cont, p, u, mtimes, ga0, gb0, tmp, gt, trt):
    # Illinois on g_k along the dense output: the earliest theta in (0, 1] at which trigger k
    # is true (for MEV_EQ: at which g_k has reached or crossed 0). The returned theta always
    # lies on that side, so the trigger evaluated there agrees with the event firing.
    kind = MEV_KIND[k]
    a = 0.0
    b = 1.0
    ga = ga0
    gb = gb0
    if kind == MEV_EQ and gb == 0.0:
        return 1.0
    neg_end = gb0 < 0.0
    side = 0
    for _ in range(200):
        c = (a * gb - b * ga) / (gb - ga)
        if not (c > a and c < b):
            c = 0.5 * (a + b)
        interp(cont, c, tmp)
        mev_eval(t + c * h, tmp, p, u, mtimes, gt, trt)
        gc = gt[k]
        if kind == MEV_EQ:
            on_b = gc == 0.0 or ((gc < 0.0) == neg_end)
        else:
            on_b = trt[k]
        if on_b:
            b = c
            gb = gc
            if side == -1:
                ga *= 0.5
            side = -1
        else:
            a = c
            ga = gc
            if side == 1:
                gb *= 0.5
            side = 1
        if b - a < 1e-13:
            break
    return b


@njit(cache=True, nogil=True, error_model='numpy')
def mev_detect(t, h, cont, p, u, mtimes, g0, g1, truth, tr1, theta, tmp, gt, trt):
    # For a step from t to t + h (g0, truth at its start, g1, tr1 at its end): theta[k] in
    # [0, 1] where event k fires in the step (2 if it does not); returns the earliest.
    best = 2.0
    for k in range(N_MEVENTS):
        theta[k] = 2.0
        kind = MEV_KIND[k]
        if kind == MEV_EQ:
            fires = g0[k] != 0.0 and (g1[k] == 0.0 or ((g0[k] < 0.0) != (g1[k] < 0.0)))
        else:
            fires = (not truth[k]) and tr1[k]
        if not fires:
            continue
        if MEV_TIMEONLY[k]:
            # Steps stop exactly at event times: it fires at the end of this step, or (a strict
            # trigger 'time > c' at t = c) at its start.
            th = 1.0 if g0[k] < 0.0 else 0.0
        else:
            th = mev_root(k, t, h, cont, p, u, mtimes, g0[k], g1[k], tmp, gt, trt)
        theta[k] = th
        if th < best:
            best = th
    return best


@njit(cache=True, nogil=True, error_model='numpy')
def mev_segment(t, mtimes, seg_end):
    # End of the current segment given the next event or breakpoint time c > t: steps end at
    # the last double below c and time continues from the first double above it, so that no
    # stage evaluates the right-hand side on the wrong side of a switch at c (whether c itself
    # belongs to the piece before or after it); the state is unchanged across these two ulps.
    # Returns (where the step ends, c, the time after it); outputs before c come from the step,
    # outputs at c (right-continuous) from the state after it.
    c = seg_end
    found = False
    for e in range(N_MEVENTS):
        if MEV_TIMEONLY[e] and mtimes[e] > t and mtimes[e] <= c:
            c = mtimes[e]
            found = True
    if found:
        below = np.nextafter(c, -np.inf)
        return (below if below > t else c), c, np.nextafter(c, np.inf)
    return seg_end, seg_end, seg_end


@njit(cache=True, nogil=True, error_model='numpy')
def sw_changed(ga, gb):
    # Whether any switch function has another sign (-, 0, +) in gb than in ga.
    for k in range(N_SWITCH):
        a = 1 if ga[k] > 0.0 else (-1 if ga[k] < 0.0 else 0)
        b = 1 if gb[k] > 0.0 else (-1 if gb[k] < 0.0 else 0)
        if a != b:
            return True
    return False


@njit(cache=True, nogil=True, error_model='numpy')
def sw_next(t, te, p, ga, gb):
    # The first switch of a condition of time alone (a periodic dose, say) in (t, te]: each
    # switch function is sampled at SW_SAMPLES points, and the first interval where one
    # changes sign is bisected to a double. Returns the first time on the new side, or inf.
    sw_g(t, p, ga)
    ta = t
    for j in range(1, SW_SAMPLES + 1):
        tb = te if j == SW_SAMPLES else t + (te - t) * (j / SW_SAMPLES)
        sw_g(tb, p, gb)
        if sw_changed(ga, gb):
            lo = ta
            hi = tb
            for _ in range(2000):
                mid = 0.5 * (lo + hi)
                if mid <= lo or mid >= hi:
                    break
                sw_g(mid, p, gb)
                if sw_changed(ga, gb):
                    hi = mid
                else:
                    lo = mid
            return hi
        ta = tb
        for k in range(N_SWITCH):
            ga[k] = gb[k]
    return np.inf


@njit(cache=True, nogil=True, error_model='numpy')
def mev_settle(t, y, p, u, mtimes, truth, pend, g, tr, ysnap, ycur):
    # Fire the events marked in pend and those whose trigger has become true at (t, y), then
    # those their assignments make true, until none is left; g and truth are left at the final
    # state. Returns the number of rounds that fired, or -1 after MEV_MAX_ROUNDS rounds.
    n = N_STATES
    rounds = 0
    while True:
        mev_eval(t, y, p, u, mtimes, g, tr)
        fire = False
        for k in range(N_MEVENTS):
            now = tr[k]
            if now and not truth[k]:
                pend[k] = True
            if pend[k]:
                fire = True
            truth[k] = now
        if not fire:
            return rounds
        if rounds == MEV_MAX_ROUNDS:
            return -1
        rounds += 1
        for i in range(n):
            ysnap[i] = y[i]
        executed = False
        for j in range(N_MEVENTS):
            k = MEV_ORDER[j]
            if not pend[k]:
                continue
            pend[k] = False
            if executed and not MEV_PERSISTENT[k] and MEV_KIND[k] != MEV_EQ:
                # a non-persistent event is dropped if an earlier one made its trigger false
                mev_eval(t, y, p, u, mtimes, g, tr)
                if not tr[k]:
                    truth[k] = False
                    continue
            if MEV_UVFTT[k]:
                mev_assign(k, t, ysnap, p, u, y)
            else:
                for i in range(n):
                    ycur[i] = y[i]
                mev_assign(k, t, ycur, p, u, y)
            executed = True


@njit(cache=True, nogil=True, error_model='numpy')
def initial_step(y, f0, rtol, atol, h_init, hmax, t0, tend):
    # The first step: h_init if given (> 0), else the simplified heuristic of Hairer & Wanner I,
    # Sec. II.4, bounded by hmax and the interval.
    n = N_STATES
    h = h_init
    if h <= 0.0:
        d0 = 0.0
        d1 = 0.0
        for i in range(n):
            sc = atol[i] + rtol * abs(y[i])
            d0 += (y[i] / sc) ** 2
            d1 += (f0[i] / sc) ** 2
        d0 = math.sqrt(d0 / n)
        d1 = math.sqrt(d1 / n)
        if d0 < 1e-5 or d1 < 1e-5:
            h = 1e-6
        else:
            h = 0.01 * d0 / d1
    return min(h, hmax, max(tend - t0, 1e-12))


@njit(cache=True, nogil=True, error_model='numpy')
def apply_discs(t, idisc, dt_, dkind, didx, dop, dval, y, u):
    # Apply the scheduled changes due at or before t, from the idisc-th on; returns the index
    # of the next one.
    D = dt_.shape[0]
    while idisc < D and dt_[idisc] <= t:
        if dkind[idisc] == DISC_STATE:
            y[didx[idisc]] = apply_op(y[didx[idisc]], dop[idisc], dval[idisc])
        else:
            u[didx[idisc]] = apply_op(u[didx[idisc]], dop[idisc], dval[idisc])
        idisc += 1
    return idisc


@njit(cache=True, nogil=True, error_model='numpy')
def segment(t, h, seg_end, mtimes, p, swa, swb):
    # Where the step from t (proposed size h) must stop, given the next scheduled change or the
    # end of the integration seg_end: also at the next time event and the next switch of the
    # right-hand side. Returns (where the step ends, the switch time c there, the time after
    # it, the step size, whether the step ends the segment); see mev_segment for the two ulps
    # around c.
    seg_switch = seg_end
    seg_time = seg_end
    if HAS_MEVENTS:
        seg_end, seg_switch, seg_time = mev_segment(t, mtimes, seg_end)
    if HAS_SWITCH:
        c = sw_next(t, min(t + h, seg_end), p, swa, swb)
        if c < seg_end and np.nextafter(c, -np.inf) > t:
            seg_end = np.nextafter(c, -np.inf)
            seg_switch = c
            seg_time = np.nextafter(c, np.inf)
    last = False
    if t + h >= seg_end - 1e-12 * max(abs(seg_end), 1.0) or t + h >= seg_end:
        h = seg_end - t
        last = True
    return seg_end, seg_switch, seg_time, h, last
