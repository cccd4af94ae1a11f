"""Rodas4 lane kernel: LANES patients advance side by side.

Each lane has its own time, step size, accept/reject decision, discontinuities and events. The
stage arithmetic runs over lanes in the innermost loop, so the CPU overlaps the patients'
dependency chains (and vectorises what it can). Lanes never exchange data: a patient's result
does not depend on its lane, on the other patients, or on the number of threads. A finished
lane takes the next patient.
"""

import math

import numpy as np
from numba import njit, prange

from coley.solve.kernels.common import (
    apply_op,
    event_crossed,
    find_root,
    initial_step,
    interp,
    lu_factor,
    mev_detect,
    mev_eval,
    mev_settle,
    min_step,
    segment,
)
from coley.solve.kernels.header import (
    ACT_SET,
    ACT_STOP,
    DISC_STATE,
    HAS_MEVENTS,
    HAS_SWITCH,
    HAS_TIME,
    JAC_BLOCK,
    LANES,
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
    dfdt_lanes,
    jac_lanes,
    mev_times,
    rhs,
    rhs_lanes,
)
from coley.solve.kernels.rodas4 import (
    R_A21,
    R_A31,
    R_A32,
    R_A41,
    R_A42,
    R_A43,
    R_A51,
    R_A52,
    R_A53,
    R_A54,
    R_C21,
    R_C31,
    R_C32,
    R_C41,
    R_C42,
    R_C43,
    R_C51,
    R_C52,
    R_C53,
    R_C54,
    R_C61,
    R_C62,
    R_C63,
    R_C64,
    R_C65,
    R_GAMMA,
    R_H21,
    R_H22,
    R_H23,
    R_H24,
    R_H25,
    R_H31,
    R_H32,
    R_H33,
    R_H34,
    R_H35,
    R_c2,
    R_c3,
    R_c4,
    R_d1,
    R_d2,
    R_d3,
    R_d4,
)

# ---------------------------------------------------------------------- KERNEL SOURCE


@njit(cache=True, nogil=True, error_model='numpy')
def interp_lane(CONT, l, theta, out):
    th1 = 1.0 - theta
    for i in range(N_STATES):
        out[i] = CONT[0, i, l] + theta * (
            CONT[1, i, l] + th1 * (CONT[2, i, l] + theta * (CONT[3, i, l] + th1 * CONT[4, i, l]))
        )


@njit(cache=True, nogil=True, error_model='numpy')
def find_root_lane(CONT, l, idx, thr, g0, g1, tmp):
    # Lane l's dense output copied out, then the scalar root finder (events are rare).
    cont = np.empty((5, N_STATES))
    for k in range(5):
        for i in range(N_STATES):
            cont[k, i] = CONT[k, i, l]
    return find_root(cont, idx, thr, g0, g1, tmp)


@njit(cache=True, nogil=True, error_model='numpy')
def lane_apply_discs(l, i, tnow, dt_, dkind, didx, dop, dval, Y, U, IDISC, inclusive):
    D = dt_.shape[1]
    while IDISC[l] < D and (dt_[i, IDISC[l]] <= tnow):
        d = IDISC[l]
        if dkind[i, d] == DISC_STATE:
            Y[didx[i, d], l] = apply_op(Y[didx[i, d], l], dop[i, d], dval[i, d])
        else:
            U[didx[i, d], l] = apply_op(U[didx[i, d], l], dop[i, d], dval[i, d])
        IDISC[l] += 1


@njit(cache=True, nogil=True, error_model='numpy')
def lane_finish(l, code, t_out, Y, PAT, KOUT, TT, NACC, NREJ, NRHS, out, info, status):
    i = PAT[l]
    K = t_out.shape[0]
    while KOUT[l] < K:
        for s in range(N_STATES):
            out[i, KOUT[l], s] = Y[s, l] if code == ST_OK else np.nan
        KOUT[l] += 1
    info[i, 0] = NACC[l]
    info[i, 1] = NREJ[l]
    info[i, 2] = NRHS[l]
    info[i, 3] = TT[l]
    for s in range(min(N_STATES, info.shape[1] - 4)):
        info[i, 4 + s] = Y[s, l]
    status[i] = code


@njit(cache=True, nogil=True, error_model='numpy')
def lane_load(l, i, t_out, y0, p, u0, dt_, dkind, didx, dop, dval, ev_time, rtol, atol,
               h_init, hmax, Y, P, U, F0, TT, H, PAT, KOUT, IDISC, STEPS, NACC, NREJ, NRHS,
               out, tmp, ftmp, MT, MG, MTR, mpend, mtrt, ysnap, ycur):
    # Put patient i in lane l at the first output time; returns ST_OK, or the status of a
    # patient whose start is invalid (non-finite) or whose events never settle.
    n = N_STATES
    K = t_out.shape[0]
    t0 = t_out[0]
    tend = t_out[K - 1]
    PAT[l] = i
    TT[l] = t0
    for s in range(n):
        Y[s, l] = y0[i, s]
    for k in range(p.shape[1]):
        P[k, l] = p[i, k]
    for k in range(u0.shape[1]):
        U[k, l] = u0[i, k]
    KOUT[l] = 0
    IDISC[l] = 0
    STEPS[l] = 0
    NACC[l] = 0
    NREJ[l] = 0
    NRHS[l] = 1
    for e in range(ev_time.shape[1]):
        ev_time[i, e] = np.nan
    lane_apply_discs(l, i, t0, dt_, dkind, didx, dop, dval, Y, U, IDISC, True)
    pv = np.empty(P.shape[0])
    for k in range(P.shape[0]):
        pv[k] = P[k, l]
    uv = np.empty(U.shape[0])
    for k in range(U.shape[0]):
        uv[k] = U[k, l]
    code = ST_OK
    if HAS_MEVENTS:
        mev_times(pv, MT[l])
        for e in range(N_MEVENTS):
            MTR[l, e] = MEV_INITIAL[e]
        for s in range(n):
            tmp[s] = Y[s, l]
        if mev_settle(t0, tmp, pv, uv, MT[l], MTR[l], mpend, MG[l], mtrt, ysnap, ycur) < 0:
            code = ST_EVENT_LOOP
        for s in range(n):
            Y[s, l] = tmp[s]
    while KOUT[l] < K and t_out[KOUT[l]] <= t0:
        for s in range(n):
            out[i, KOUT[l], s] = Y[s, l]
        KOUT[l] += 1
    # f0 and the initial step for this lane (scalar evaluation of the lane's column)
    for s in range(n):
        tmp[s] = Y[s, l]
    rhs(t0, tmp, pv, uv, ftmp)
    for s in range(n):
        F0[s, l] = ftmp[s]
        if code == ST_OK and not (math.isfinite(tmp[s]) and math.isfinite(ftmp[s])):
            code = ST_NONFINITE
    H[l] = initial_step(tmp, ftmp, rtol, atol, h_init, hmax, t0, tend)
    return code


@njit(cache=True, nogil=True, error_model='numpy')
def solve_lanes(t_out, y0, p, u0, dt_, dkind, didx, dop, dval, ev_idx, ev_thr, ev_dir, ev_act,
                ev_val, rtol, atol, h_init, hmax, max_steps, out, ev_time, info, status):
    """Rodas4 over all patients (rows of y0), LANES at a time; same contract as solve_serial."""
    n = N_STATES
    L = LANES
    N = y0.shape[0]
    K = t_out.shape[0]
    D = dt_.shape[1]
    E = ev_idx.shape[0]
    tend = t_out[K - 1]
    Y = np.ones((n, L))
    F0 = np.zeros((n, L))
    P = np.ones((max(p.shape[1], 1), L))
    U = np.zeros((max(u0.shape[1], 1), L))
    TT = np.zeros(L)
    TS = np.zeros(L)
    H = np.ones(L)
    IH = np.ones(L)
    SEG = np.zeros(L)
    SNAP = np.zeros(L)
    SWITCH = np.zeros(L)
    LAST = np.zeros(L, dtype=np.bool_)
    PAT = np.full(L, -1, dtype=np.int64)
    KOUT = np.zeros(L, dtype=np.int64)
    IDISC = np.zeros(L, dtype=np.int64)
    STEPS = np.zeros(L, dtype=np.int64)
    NACC = np.zeros(L, dtype=np.int64)
    NREJ = np.zeros(L, dtype=np.int64)
    NRHS = np.zeros(L, dtype=np.int64)
    SING = np.zeros(L, dtype=np.bool_)
    J = np.zeros((n, n, L))
    W = np.zeros((n, n))
    WL = np.zeros((n, n, L))
    PIV = np.zeros((n, L), dtype=np.int64)
    piv = np.zeros(n, dtype=np.int64)
    FT = np.zeros((n, L))
    KS = np.zeros((6, n, L))
    YT = np.zeros((n, L))
    FX = np.zeros((n, L))
    Y1 = np.zeros((n, L))
    CONT = np.zeros((5, n, L))
    tmp = np.zeros(n)
    tmp2 = np.zeros(n)
    ftmp = np.zeros(n)
    # model events: per lane (rows) their times, trigger values and truth; scalar scratch
    MT = np.full((L, N_MEVENTS), np.nan)
    MG = np.zeros((L, N_MEVENTS))
    MTR = np.zeros((L, N_MEVENTS), dtype=np.bool_)
    mg1 = np.zeros(N_MEVENTS)
    mgt = np.zeros(N_MEVENTS)
    mtheta = np.zeros(N_MEVENTS)
    mpend = np.zeros(N_MEVENTS, dtype=np.bool_)
    mtr1 = np.zeros(N_MEVENTS, dtype=np.bool_)
    mtrt = np.zeros(N_MEVENTS, dtype=np.bool_)
    ysnap = np.zeros(n)
    ycur = np.zeros(n)
    y1l = np.zeros(n)
    contl = np.zeros((5, n))
    pl = np.zeros(P.shape[0])
    ul = np.zeros(U.shape[0])
    swa = np.zeros(N_SWITCH)
    swb = np.zeros(N_SWITCH)
    nxt = 0
    active = 0
    for l in range(L):
        while nxt < N:
            i = nxt
            nxt += 1
            code = lane_load(l, i, t_out, y0, p, u0, dt_, dkind, didx, dop, dval, ev_time,
                              rtol, atol, h_init, hmax, Y, P, U, F0, TT, H, PAT, KOUT, IDISC,
                              STEPS, NACC, NREJ, NRHS, out, tmp, ftmp, MT, MG, MTR, mpend,
                              mtrt, ysnap, ycur)
            if code == ST_OK:
                if TT[l] >= tend:
                    lane_finish(l, ST_OK, t_out, Y, PAT, KOUT, TT, NACC, NREJ, NRHS, out,
                                 info, status)
                    continue
                active += 1
                break
            lane_finish(l, code, t_out, Y, PAT, KOUT, TT, NACC, NREJ, NRHS, out, info, status)
        else:
            PAT[l] = -1
    while active > 0:
        # ---- per-lane step size, segment end and limits
        for l in range(L):
            if PAT[l] < 0:
                H[l] = 1.0
                for s in range(n):
                    Y[s, l] = 1.0
                    F0[s, l] = 0.0
                continue
            i = PAT[l]
            t = TT[l]
            seg = tend
            if IDISC[l] < D and dt_[i, IDISC[l]] < seg:
                seg = dt_[i, IDISC[l]]
            if HAS_SWITCH:
                for k in range(P.shape[0]):
                    pl[k] = P[k, l]
            SEG[l], SWITCH[l], SNAP[l], H[l], LAST[l] = segment(t, H[l], seg, MT[l], pl, swa,
                                                                swb)
        # ---- Rodas4 attempt for every lane
        for l in range(L):
            IH[l] = 1.0 / H[l]
        jac_lanes(TT, Y, P, U, J)
        if HAS_TIME:
            dfdt_lanes(TT, Y, P, U, FT)
        for l in range(L):
            fac = 1.0 / (H[l] * R_GAMMA)
            for a in range(n):
                for b in range(n):
                    v = J[a, b, l]
                    if not math.isfinite(v):
                        v = 0.0
                    W[a, b] = -v
                W[a, a] += fac
            SING[l] = not lu_factor(W, piv)
            for a in range(n):
                PIV[a, l] = piv[a]
                for b in range(n):
                    WL[a, b, l] = W[a, b]
        # stage 1
        for s in range(n):
            for l in range(L):
                KS[0, s, l] = F0[s, l] + H[l] * R_d1 * FT[s, l]
        lanes_solve(WL, PIV, KS[0])
        # stage 2
        for s in range(n):
            for l in range(L):
                YT[s, l] = Y[s, l] + R_A21 * KS[0, s, l]
        for l in range(L):
            TS[l] = TT[l] + R_c2 * H[l]
        rhs_lanes(TS, YT, P, U, FX)
        for s in range(n):
            for l in range(L):
                KS[1, s, l] = (FX[s, l] + (R_C21 * KS[0, s, l]) * IH[l]
                               + H[l] * R_d2 * FT[s, l])
        lanes_solve(WL, PIV, KS[1])
        # stage 3
        for s in range(n):
            for l in range(L):
                YT[s, l] = Y[s, l] + R_A31 * KS[0, s, l] + R_A32 * KS[1, s, l]
        for l in range(L):
            TS[l] = TT[l] + R_c3 * H[l]
        rhs_lanes(TS, YT, P, U, FX)
        for s in range(n):
            for l in range(L):
                KS[2, s, l] = (FX[s, l] + (R_C31 * KS[0, s, l] + R_C32 * KS[1, s, l]) * IH[l]
                               + H[l] * R_d3 * FT[s, l])
        lanes_solve(WL, PIV, KS[2])
        # stage 4
        for s in range(n):
            for l in range(L):
                YT[s, l] = (Y[s, l] + R_A41 * KS[0, s, l] + R_A42 * KS[1, s, l]
                            + R_A43 * KS[2, s, l])
        for l in range(L):
            TS[l] = TT[l] + R_c4 * H[l]
        rhs_lanes(TS, YT, P, U, FX)
        for s in range(n):
            for l in range(L):
                KS[3, s, l] = (FX[s, l] + (R_C41 * KS[0, s, l] + R_C42 * KS[1, s, l]
                                           + R_C43 * KS[2, s, l]) * IH[l]
                               + H[l] * R_d4 * FT[s, l])
        lanes_solve(WL, PIV, KS[3])
        # stage 5
        for s in range(n):
            for l in range(L):
                YT[s, l] = (Y[s, l] + R_A51 * KS[0, s, l] + R_A52 * KS[1, s, l]
                            + R_A53 * KS[2, s, l] + R_A54 * KS[3, s, l])
        for l in range(L):
            TS[l] = TT[l] + H[l]
        rhs_lanes(TS, YT, P, U, FX)
        for s in range(n):
            for l in range(L):
                KS[4, s, l] = FX[s, l] + (R_C51 * KS[0, s, l] + R_C52 * KS[1, s, l]
                                          + R_C53 * KS[2, s, l] + R_C54 * KS[3, s, l]) * IH[l]
        lanes_solve(WL, PIV, KS[4])
        # stage 6
        for s in range(n):
            for l in range(L):
                YT[s, l] = YT[s, l] + KS[4, s, l]
        rhs_lanes(TS, YT, P, U, FX)
        for s in range(n):
            for l in range(L):
                KS[5, s, l] = FX[s, l] + (R_C61 * KS[0, s, l] + R_C62 * KS[1, s, l]
                                          + R_C63 * KS[2, s, l] + R_C64 * KS[3, s, l]
                                          + R_C65 * KS[4, s, l]) * IH[l]
        lanes_solve(WL, PIV, KS[5])
        for s in range(n):
            for l in range(L):
                Y1[s, l] = YT[s, l] + KS[5, s, l]
                CONT[0, s, l] = Y[s, l]
                CONT[1, s, l] = Y1[s, l] - Y[s, l]
                CONT[2, s, l] = (R_H21 * KS[0, s, l] + R_H22 * KS[1, s, l] + R_H23 * KS[2, s, l]
                                 + R_H24 * KS[3, s, l] + R_H25 * KS[4, s, l])
                CONT[3, s, l] = (R_H31 * KS[0, s, l] + R_H32 * KS[1, s, l] + R_H33 * KS[2, s, l]
                                 + R_H34 * KS[3, s, l] + R_H35 * KS[4, s, l])
        # ---- per-lane decision
        for l in range(L):
            i = PAT[l]
            if i < 0:
                continue
            t = TT[l]
            h = H[l]
            STEPS[l] += 1
            NRHS[l] += 5
            code = ST_OK
            done = False
            if STEPS[l] > max_steps:
                code = ST_MAX_STEPS
                done = True
            elif h < min_step(t):
                code = ST_STEP_TOO_SMALL
                done = True
            elif SING[l]:
                NREJ[l] += 1
                H[l] = h * 0.25
            else:
                s2 = 0.0
                fin = True
                for s in range(n):
                    y1 = Y1[s, l]
                    if not math.isfinite(y1):
                        fin = False
                    sc = atol[s] + rtol * max(abs(Y[s, l]), abs(y1))
                    r = KS[5, s, l] / sc
                    s2 += r * r
                enorm = math.sqrt(s2 / n)
                if not fin or not math.isfinite(enorm):
                    NREJ[l] += 1
                    H[l] = h * 0.25
                elif enorm > 1.0:
                    NREJ[l] += 1
                    H[l] = h * max(0.2, 0.9 * enorm ** (-0.25))
                else:
                    NACC[l] += 1
                    t1 = SNAP[l] if LAST[l] else t + h
                    if enorm == 0.0:
                        fac = 5.0
                    else:
                        fac = min(5.0, max(0.2, 0.9 * enorm ** (-0.25)))
                    h_next = min(h * fac, hmax)
                    first_e = -1
                    first_th = 2.0
                    for e in range(E):
                        g0 = Y[ev_idx[e], l] - ev_thr[e]
                        g1 = Y1[ev_idx[e], l] - ev_thr[e]
                        if event_crossed(g0, g1, ev_dir[e]):
                            th = find_root_lane(CONT, l, ev_idx[e], ev_thr[e], g0, g1, tmp2)
                            if th < first_th:
                                first_th = th
                                first_e = e
                    mth = 2.0
                    if HAS_MEVENTS:
                        # model events on a scalar copy of the lane (the scalar kernel's code)
                        for s in range(n):
                            y1l[s] = Y1[s, l]
                            for r in range(5):
                                contl[r, s] = CONT[r, s, l]
                        for k in range(P.shape[0]):
                            pl[k] = P[k, l]
                        for k in range(U.shape[0]):
                            ul[k] = U[k, l]
                        mev_eval(t1, y1l, pl, ul, MT[l], mg1, mtr1)
                        mth = mev_detect(t, h, contl, pl, ul, MT[l], MG[l], mg1, MTR[l], mtr1,
                                          mtheta, tmp2, mgt, mtrt)
                    if first_e >= 0 and first_th <= mth:
                        t_ev = t + first_th * h
                        interp_lane(CONT, l, first_th, tmp)
                        while KOUT[l] < K and t_out[KOUT[l]] < t_ev:
                            interp_lane(CONT, l, (t_out[KOUT[l]] - t) / h, tmp2)
                            for s in range(n):
                                out[i, KOUT[l], s] = tmp2[s]
                            KOUT[l] += 1
                        if math.isnan(ev_time[i, first_e]):
                            ev_time[i, first_e] = t_ev
                        if ev_act[first_e] == ACT_STOP:
                            while KOUT[l] < K and t_out[KOUT[l]] <= t_ev:
                                for s in range(n):
                                    out[i, KOUT[l], s] = tmp[s]
                                KOUT[l] += 1
                            for s in range(n):
                                Y[s, l] = tmp[s]
                            TT[l] = t_ev
                            code = ST_STOPPED
                            done = True
                        else:
                            if ev_act[first_e] == ACT_SET:
                                tmp[ev_idx[first_e]] = ev_val[first_e]
                            if HAS_MEVENTS:
                                if mev_settle(t_ev, tmp, pl, ul, MT[l], MTR[l], mpend, MG[l],
                                               mtrt, ysnap, ycur) < 0:
                                    code = ST_EVENT_LOOP
                                    done = True
                            for s in range(n):
                                Y[s, l] = tmp[s]
                            TT[l] = t_ev
                            NRHS[l] += 1
                            H[l] = max(h_next, 1e-6)
                    elif HAS_MEVENTS and mth < 1.0:
                        # a model event inside the step: output up to it, fire, restart there
                        t_ev = t + mth * h
                        interp(contl, mth, tmp)
                        while KOUT[l] < K and t_out[KOUT[l]] < t_ev:
                            interp_lane(CONT, l, (t_out[KOUT[l]] - t) / h, tmp2)
                            for s in range(n):
                                out[i, KOUT[l], s] = tmp2[s]
                            KOUT[l] += 1
                        for e in range(N_MEVENTS):
                            mpend[e] = mtheta[e] == mth
                        if mev_settle(t_ev, tmp, pl, ul, MT[l], MTR[l], mpend, MG[l], mtrt,
                                       ysnap, ycur) < 0:
                            code = ST_EVENT_LOOP
                            done = True
                        for s in range(n):
                            Y[s, l] = tmp[s]
                        TT[l] = t_ev
                        NRHS[l] += 1
                        H[l] = max(h_next, 1e-6)
                    else:
                        out_end = SWITCH[l] if LAST[l] else t1
                        while KOUT[l] < K and t_out[KOUT[l]] < out_end:
                            interp_lane(CONT, l, (t_out[KOUT[l]] - t) / h, tmp2)
                            for s in range(n):
                                out[i, KOUT[l], s] = tmp2[s]
                            KOUT[l] += 1
                        TT[l] = t1
                        for s in range(n):
                            Y[s, l] = Y1[s, l]
                        NRHS[l] += 1
                        jumped = False
                        if LAST[l] and IDISC[l] < D and dt_[i, IDISC[l]] <= t1:
                            jumped = True
                            lane_apply_discs(l, i, t1, dt_, dkind, didx, dop, dval, Y, U,
                                              IDISC, True)
                            for s in range(n):
                                if not math.isfinite(Y[s, l]):
                                    code = ST_NONFINITE
                                    done = True
                        if HAS_MEVENTS and not done:
                            if mth == 1.0 or jumped:
                                # events at the end of the step (after scheduled changes)
                                for s in range(n):
                                    tmp[s] = Y[s, l]
                                for k in range(U.shape[0]):
                                    ul[k] = U[k, l]
                                for e in range(N_MEVENTS):
                                    mpend[e] = mtheta[e] == 1.0
                                fired = mev_settle(t1, tmp, pl, ul, MT[l], MTR[l], mpend,
                                                    MG[l], mtrt, ysnap, ycur)
                                if fired < 0:
                                    code = ST_EVENT_LOOP
                                    done = True
                                elif fired > 0:
                                    NRHS[l] += 1
                                for s in range(n):
                                    Y[s, l] = tmp[s]
                            else:
                                for e in range(N_MEVENTS):
                                    MG[l, e] = mg1[e]
                                    MTR[l, e] = mtr1[e]
                        H[l] = h_next
                        if not done and TT[l] >= tend:
                            done = True
            if done:
                lane_finish(l, code, t_out, Y, PAT, KOUT, TT, NACC, NREJ, NRHS, out, info,
                             status)
                active -= 1
                PAT[l] = -1
                while nxt < N:
                    inew = nxt
                    nxt += 1
                    code = lane_load(l, inew, t_out, y0, p, u0, dt_, dkind, didx, dop, dval,
                                      ev_time, rtol, atol, h_init, hmax, Y, P, U, F0, TT, H,
                                      PAT, KOUT, IDISC, STEPS, NACC, NREJ, NRHS, out, tmp, ftmp,
                                      MT, MG, MTR, mpend, mtrt, ysnap, ycur)
                    if code == ST_OK:
                        if TT[l] >= tend:
                            lane_finish(l, ST_OK, t_out, Y, PAT, KOUT, TT, NACC, NREJ, NRHS,
                                         out, info, status)
                            PAT[l] = -1
                            continue
                        active += 1
                        break
                    lane_finish(l, code, t_out, Y, PAT, KOUT, TT, NACC, NREJ, NRHS, out, info,
                                 status)
                    PAT[l] = -1
        # ---- f(t, y) for the next attempt, all lanes at once (unchanged lanes get the same)
        rhs_lanes(TT, Y, P, U, F0)


@njit(cache=True, nogil=True, error_model='numpy')
def lanes_solve(WL, PIV, B):
    # Solve WL[:, :, l] x = B[:, l] in place for every lane (factors from lu_factor); B is a
    # stage such as KS[2] (an array, not an index: numba compiles this once). With a
    # block-structured Jacobian (JAC_BLOCK > 0) block by block, as lu_solve does.
    for l in range(LANES):
        if JAC_BLOCK > 0:
            nb = JAC_BLOCK
            lanes_solve_range(WL, PIV, B, l, 0, nb)
            for off in range(nb, N_STATES, nb):
                for a in range(nb):
                    s = B[off + a, l]
                    for b in range(nb):
                        s -= WL[off + a, b, l] * B[b, l]
                    B[off + a, l] = s
                lanes_solve_range(WL, PIV, B, l, off, nb)
        else:
            lanes_solve_range(WL, PIV, B, l, 0, N_STATES)


@njit(cache=True, nogil=True, error_model='numpy')
def lanes_solve_range(WL, PIV, B, l, off, n):
    # B[off:off + n, l] <- (lane l's factored n x n leading block)^-1 B[off:off + n, l]
    for k in range(n):
        m = PIV[k, l]
        if m != k:
            tmpv = B[off + k, l]
            B[off + k, l] = B[off + m, l]
            B[off + m, l] = tmpv
    for a in range(1, n):
        s = B[off + a, l]
        for b in range(a):
            s -= WL[a, b, l] * B[off + b, l]
        B[off + a, l] = s
    for a in range(n - 1, -1, -1):
        s = B[off + a, l]
        for b in range(a + 1, n):
            s -= WL[a, b, l] * B[off + b, l]
        B[off + a, l] = s * WL[a, a, l]


@njit(cache=True, nogil=True, parallel=True)
def solve_lanes_parallel(t_out, y0, p, u0, dt_, dkind, didx, dop, dval, ev_idx, ev_thr, ev_dir,
                         ev_act, ev_val, rtol, atol, h_init, hmax, max_steps, out, ev_time,
                         info, status, chunk):
    N = y0.shape[0]
    nchunks = (N + chunk - 1) // chunk
    for c in prange(nchunks):
        a = c * chunk
        b = min(N, a + chunk)
        solve_lanes(t_out, y0[a:b], p[a:b], u0[a:b], dt_[a:b], dkind[a:b], didx[a:b],
                    dop[a:b], dval[a:b], ev_idx, ev_thr, ev_dir, ev_act, ev_val, rtol, atol,
                    h_init, hmax, max_steps, out[a:b], ev_time[a:b], info[a:b], status[a:b])
