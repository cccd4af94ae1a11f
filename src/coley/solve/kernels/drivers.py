"""Drivers: integrate one patient with the module's method (``solve_one``), or many in turn
(``solve_serial``) or on threads (``solve_parallel``)."""

import math

import numpy as np
from numba import njit, prange

from coley.solve.kernels.common import (
    all_finite,
    apply_discs,
    err_norm,
    event_crossed,
    find_root,
    initial_step,
    interp,
    mev_detect,
    mev_eval,
    mev_settle,
    min_step,
    segment,
)
from coley.solve.kernels.header import (
    ACT_SET,
    ACT_STOP,
    HAS_MEVENTS,
    HAS_TIME,
    METHOD_FSAL,
    METHOD_ORDER,
    METHOD_RHS,
    MEV_INITIAL,
    N_MEVENTS,
    N_STATES,
    N_SWITCH,
    ST_EVENT_LOOP,
    ST_MAX_STEPS,
    ST_NONFINITE,
    ST_OK,
    ST_STEP_TOO_SMALL,
    ST_STOPPED,
    method_step,
    mev_times,
    rhs,
)


# ---------------------------------------------------------------------- KERNEL SOURCE
@njit(cache=True, nogil=True)
def solve_one(t_out, y0, p, u0, dt_, dkind, didx, dop, dval, ev_idx, ev_thr, ev_dir, ev_act,
              ev_val, rtol, atol, h_init, hmax, max_steps, out, ev_time, info):
    """Integrate one patient with the method of this module; fills out (K, S) and ev_time (E,)
    and returns a status.

    info receives [accepted steps, rejected steps, rhs evaluations, stop/fail time].
    """
    n = N_STATES
    K = t_out.shape[0]
    D = dt_.shape[0]
    E = ev_idx.shape[0]
    has_time = HAS_TIME
    t0 = t_out[0]
    tend = t_out[K - 1]
    y = y0.copy()
    u = u0.copy()
    f0 = np.empty(n)
    f1 = np.empty(n)
    y1 = np.empty(n)
    err = np.empty(n)
    ytmp = np.empty(n)
    fx = np.empty(n)
    tmp = np.empty(n)
    ft = np.zeros(n)
    k = np.empty((7, n))
    cont = np.zeros((5, n))
    J = np.zeros((n, n))  # zeroed: a block-structured jac writes only its nonzero blocks
    W = np.empty((n, n))
    piv = np.empty(n, dtype=np.int64)
    mtimes = np.full(N_MEVENTS, np.nan)
    mg0 = np.zeros(N_MEVENTS)
    mg1 = np.zeros(N_MEVENTS)
    mgt = np.zeros(N_MEVENTS)
    mtheta = np.zeros(N_MEVENTS)
    mtruth = np.zeros(N_MEVENTS, dtype=np.bool_)
    mtr1 = np.zeros(N_MEVENTS, dtype=np.bool_)
    mtrt = np.zeros(N_MEVENTS, dtype=np.bool_)
    mpend = np.zeros(N_MEVENTS, dtype=np.bool_)
    ysnap = np.empty(n)
    swa = np.zeros(N_SWITCH)
    swb = np.zeros(N_SWITCH)
    for e in range(E):
        ev_time[e] = np.nan
    naccept = 0
    nreject = 0
    nrhs = 0
    status = ST_OK
    t = t0
    idisc = apply_discs(t0, 0, dt_, dkind, didx, dop, dval, y, u)
    if HAS_MEVENTS:
        mev_times(p, mtimes)
        for e in range(N_MEVENTS):
            mtruth[e] = MEV_INITIAL[e]
        if mev_settle(t, y, p, u, mtimes, mtruth, mpend, mg0, mtrt, ysnap, ytmp) < 0:
            status = ST_EVENT_LOOP
    kout = 0
    while kout < K and t_out[kout] <= t:
        for i in range(n):
            out[kout, i] = y[i]
        kout += 1
    rhs(t, y, p, u, f0)
    nrhs += 1
    if status == ST_OK and (not all_finite(y) or not all_finite(f0)):
        status = ST_NONFINITE
    h = initial_step(y, f0, rtol, atol, h_init, hmax, t0, tend)
    order_q = METHOD_ORDER
    # (a comparison, not the literal True: numba would otherwise compile the step twice)
    need_jac = K > 0
    steps = 0
    while status == ST_OK and t < tend:
        seg_end = tend
        if idisc < D and dt_[idisc] < seg_end:
            seg_end = dt_[idisc]
        seg_end, seg_switch, seg_time, h, last = segment(t, h, seg_end, mtimes, p, swa, swb)
        hmin = min_step(t)
        if h < hmin:
            status = ST_STEP_TOO_SMALL
            break
        steps += 1
        if steps > max_steps:
            status = ST_MAX_STEPS
            break
        code = method_step(t, h, y, f0, p, u, J, W, piv, ft, k, ytmp, fx, y1, f1, err, cont,
                           need_jac, has_time)
        nrhs += METHOD_RHS
        need_jac = False
        if code != 0:
            nreject += 1
            h *= 0.25
            continue
        enorm = err_norm(err, y, y1, rtol, atol)
        if not math.isfinite(enorm) or not all_finite(y1):
            nreject += 1
            h *= 0.25
            continue
        if enorm > 1.0:
            nreject += 1
            h *= max(0.2, 0.9 * enorm ** (-1.0 / order_q))
            continue
        # accepted
        naccept += 1
        t1 = seg_time if last else t + h
        if enorm == 0.0:
            fac = 5.0
        else:
            fac = min(5.0, max(0.2, 0.9 * enorm ** (-1.0 / order_q)))
        h_next = min(h * fac, hmax)
        # state events: earliest crossing in this step
        first_e = -1
        first_th = 2.0
        for e in range(E):
            g0 = y[ev_idx[e]] - ev_thr[e]
            g1 = y1[ev_idx[e]] - ev_thr[e]
            if event_crossed(g0, g1, ev_dir[e]):
                th = find_root(cont, ev_idx[e], ev_thr[e], g0, g1, tmp)
                if th < first_th:
                    first_th = th
                    first_e = e
        # model events: earliest trigger in this step
        mth = 2.0
        if HAS_MEVENTS:
            mev_eval(t1, y1, p, u, mtimes, mg1, mtr1)
            mth = mev_detect(t, h, cont, p, u, mtimes, mg0, mg1, mtruth, mtr1, mtheta, tmp, mgt,
                              mtrt)
        if first_e >= 0 and first_th <= mth:
            t_ev = t + first_th * h
            interp(cont, first_th, ytmp)
            while kout < K and t_out[kout] < t_ev:
                interp(cont, (t_out[kout] - t) / h, tmp)
                for i in range(n):
                    out[kout, i] = tmp[i]
                kout += 1
            if math.isnan(ev_time[first_e]):
                ev_time[first_e] = t_ev
            act = ev_act[first_e]
            if act == ACT_STOP:
                while kout < K and t_out[kout] <= t_ev:
                    for i in range(n):
                        out[kout, i] = ytmp[i]
                    kout += 1
                for i in range(n):
                    y[i] = ytmp[i]
                t = t_ev
                status = ST_STOPPED
                break
            if act == ACT_SET:
                ytmp[ev_idx[first_e]] = ev_val[first_e]
            for i in range(n):
                y[i] = ytmp[i]
            t = t_ev
            if HAS_MEVENTS:
                if mev_settle(t, y, p, u, mtimes, mtruth, mpend, mg0, mtrt, ysnap, ytmp) < 0:
                    status = ST_EVENT_LOOP
                    break
            rhs(t, y, p, u, f0)
            nrhs += 1
            need_jac = True
            h = max(h_next, 1e-6)
            continue
        if HAS_MEVENTS:
            if mth < 1.0:
                # a model event inside the step: output up to it, fire, restart there
                t_ev = t + mth * h
                interp(cont, mth, ytmp)
                while kout < K and t_out[kout] < t_ev:
                    interp(cont, (t_out[kout] - t) / h, tmp)
                    for i in range(n):
                        out[kout, i] = tmp[i]
                    kout += 1
                for e in range(N_MEVENTS):
                    mpend[e] = mtheta[e] == mth
                for i in range(n):
                    y[i] = ytmp[i]
                t = t_ev
                if mev_settle(t, y, p, u, mtimes, mtruth, mpend, mg0, mtrt, ysnap, ytmp) < 0:
                    status = ST_EVENT_LOOP
                    break
                rhs(t, y, p, u, f0)
                nrhs += 1
                need_jac = True
                h = max(h_next, 1e-6)
                continue
        # dense output up to (excluding) t1, or the switch time the step stopped at
        out_end = seg_switch if last else t1
        while kout < K and t_out[kout] < out_end:
            interp(cont, (t_out[kout] - t) / h, tmp)
            for i in range(n):
                out[kout, i] = tmp[i]
            kout += 1
        t = t1
        for i in range(n):
            y[i] = y1[i]
        if METHOD_FSAL:
            for i in range(n):
                f0[i] = f1[i]
        else:
            rhs(t, y, p, u, f0)
            nrhs += 1
        need_jac = True
        jumped = False
        if last and idisc < D and dt_[idisc] <= t:
            jumped = True
            idisc = apply_discs(t, idisc, dt_, dkind, didx, dop, dval, y, u)
            rhs(t, y, p, u, f0)
            nrhs += 1
            if not all_finite(y):
                status = ST_NONFINITE
                break
        if HAS_MEVENTS:
            if mth == 1.0 or jumped:
                # events at the end of the step (after any scheduled change at that time)
                for e in range(N_MEVENTS):
                    mpend[e] = mtheta[e] == 1.0
                fired = mev_settle(t, y, p, u, mtimes, mtruth, mpend, mg0, mtrt, ysnap, ytmp)
                if fired < 0:
                    status = ST_EVENT_LOOP
                    break
                if fired > 0:
                    rhs(t, y, p, u, f0)
                    nrhs += 1
            else:
                for e in range(N_MEVENTS):
                    mg0[e] = mg1[e]
                    mtruth[e] = mtr1[e]
        h = h_next
    if status == ST_OK:
        while kout < K:
            for i in range(n):
                out[kout, i] = y[i]
            kout += 1
    else:
        while kout < K:
            for i in range(n):
                out[kout, i] = np.nan
            kout += 1
    info[0] = naccept
    info[1] = nreject
    info[2] = nrhs
    info[3] = t
    for i in range(min(n, info.shape[0] - 4)):
        info[4 + i] = y[i]
    return status


@njit(cache=True, nogil=True)
def solve_serial(t_out, y0, p, u0, dt_, dkind, didx, dop, dval, ev_idx, ev_thr, ev_dir, ev_act,
                 ev_val, rtol, atol, h_init, hmax, max_steps, out, ev_time, info, status):
    for i in range(y0.shape[0]):
        status[i] = solve_one(t_out, y0[i], p[i], u0[i], dt_[i], dkind[i], didx[i], dop[i],
                              dval[i], ev_idx, ev_thr, ev_dir, ev_act, ev_val, rtol, atol,
                              h_init, hmax, max_steps, out[i], ev_time[i], info[i])


@njit(cache=True, nogil=True, parallel=True)
def solve_parallel(t_out, y0, p, u0, dt_, dkind, didx, dop, dval, ev_idx, ev_thr, ev_dir,
                   ev_act, ev_val, rtol, atol, h_init, hmax, max_steps, out, ev_time, info,
                   status):
    for i in prange(y0.shape[0]):
        status[i] = solve_one(t_out, y0[i], p[i], u0[i], dt_[i], dkind[i], didx[i], dop[i],
                              dval[i], ev_idx, ev_thr, ev_dir, ev_act, ev_val, rtol, atol,
                              h_init, hmax, max_steps, out[i], ev_time[i], info[i])
