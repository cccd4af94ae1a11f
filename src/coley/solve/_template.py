# Solver kernels, appended by coley.model.codegen to the generated code of one model.
#
# This file is not imported on its own: the generated module defines, above this text,
#   N_STATES (int), rhs(t, y, p, u, dy), jac(t, y, p, u, J), dfdt(t, y, p, u, out)
# as numba functions, so that everything below is compiled and cached per model.
#
# Methods (per patient, adaptive step, error-controlled, dense output):
#   METHOD_RODAS4 = 0: Rodas4, L-stable stiffly accurate Rosenbrock method of order 4(3),
#     6 stages, one LU of (I/(h*gamma) - J) per step with the exact Jacobian.
#     Coefficients: Hairer & Wanner, Solving ODEs II (2nd ed., 1996), Sec. VI.4, Table 4.3
#     ("RODAS"), with the order-3 dense output given there.
#   METHOD_DOPRI5 = 1: Dormand & Prince 5(4) (J Comput Appl Math 6:19, 1980), FSAL, with
#     Shampine's 4th-order dense output (Math Comp 46:135, 1986).
#
# Discontinuities (bolus doses, resections, infusion switches) are scheduled: the integrator
# stops exactly at each, applies it, and restarts. State events (a threshold crossed) are found
# by Illinois root finding on the dense output. Outputs are right-continuous: an output time
# equal to a discontinuity time reports the state after it.

METHOD_RODAS4 = 0
METHOD_DOPRI5 = 1

ST_OK = 0
ST_STOPPED = 1
ST_MAX_STEPS = -1
ST_NONFINITE = -2
ST_STEP_TOO_SMALL = -3
ST_SINGULAR = -4

DISC_STATE = 0
DISC_INPUT = 1
OP_ADD = 0
OP_SET = 1
OP_MUL = 2

ACT_RECORD = 0
ACT_SET = 1
ACT_STOP = 2

# ---- Rodas4 tableau (Hairer & Wanner 1996) ----
R_GAMMA = 0.25
R_A21 = 1.544
R_A31 = 0.9466785280815826
R_A32 = 0.2557011698983284
R_A41 = 3.314825187068521
R_A42 = 2.896124015972201
R_A43 = 0.9986419139977817
R_A51 = 1.221224509226641
R_A52 = 6.019134481288629
R_A53 = 12.53708332932087
R_A54 = -0.6878860361058950
R_C21 = -5.6688
R_C31 = -2.430093356833875
R_C32 = -0.2063599157091915
R_C41 = -0.1073529058151375
R_C42 = -9.594562251023355
R_C43 = -20.47028614809616
R_C51 = 7.496443313967647
R_C52 = -10.24680431464352
R_C53 = -33.99990352819905
R_C54 = 11.70890893206160
R_C61 = 8.083246795921522
R_C62 = -7.981132988064893
R_C63 = -31.52159432874371
R_C64 = 16.31930543123136
R_C65 = -6.058818238834054
R_c2 = 0.386
R_c3 = 0.21
R_c4 = 0.63
R_d1 = 0.25
R_d2 = -0.1043
R_d3 = 0.1035
R_d4 = -0.0362
R_H21 = 10.12623508344586
R_H22 = -7.487995877610167
R_H23 = -34.80091861555747
R_H24 = -7.992771707568823
R_H25 = 1.025137723295662
R_H31 = -0.6762803392801253
R_H32 = 6.087714651680015
R_H33 = 16.43084320892478
R_H34 = 24.76722511418386
R_H35 = -6.594389125716872

# ---- Dormand-Prince 5(4) tableau ----
D_C2 = 0.2
D_C3 = 0.3
D_C4 = 0.8
D_C5 = 8.0 / 9.0
D_A21 = 0.2
D_A31 = 3.0 / 40.0
D_A32 = 9.0 / 40.0
D_A41 = 44.0 / 45.0
D_A42 = -56.0 / 15.0
D_A43 = 32.0 / 9.0
D_A51 = 19372.0 / 6561.0
D_A52 = -25360.0 / 2187.0
D_A53 = 64448.0 / 6561.0
D_A54 = -212.0 / 729.0
D_A61 = 9017.0 / 3168.0
D_A62 = -355.0 / 33.0
D_A63 = 46732.0 / 5247.0
D_A64 = 49.0 / 176.0
D_A65 = -5103.0 / 18656.0
D_A71 = 35.0 / 384.0
D_A73 = 500.0 / 1113.0
D_A74 = 125.0 / 192.0
D_A75 = -2187.0 / 6784.0
D_A76 = 11.0 / 84.0
D_E1 = 71.0 / 57600.0
D_E3 = -71.0 / 16695.0
D_E4 = 71.0 / 1920.0
D_E5 = -17253.0 / 339200.0
D_E6 = 22.0 / 525.0
D_E7 = -1.0 / 40.0
D_D1 = -12715105075.0 / 11282082432.0
D_D3 = 87487479700.0 / 32700410799.0
D_D4 = -10690763975.0 / 1880347072.0
D_D5 = 701980252875.0 / 199316789632.0
D_D6 = -1453857185.0 / 822651844.0
D_D7 = 69997945.0 / 29380423.0


@njit(cache=True, nogil=True, error_model='numpy')
def _err_norm(e, y0, y1, rtol, atol):
    s = 0.0
    for i in range(N_STATES):
        sc = atol[i] + rtol * max(abs(y0[i]), abs(y1[i]))
        r = e[i] / sc
        s += r * r
    return math.sqrt(s / N_STATES)


@njit(cache=True, nogil=True, error_model='numpy')
def _lu_factor(A, piv):
    # In-place LU with partial pivoting; returns False if singular.
    n = N_STATES
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
        if m != k:
            for j in range(n):
                tmp = A[k, j]
                A[k, j] = A[m, j]
                A[m, j] = tmp
        inv = 1.0 / A[k, k]
        for i in range(k + 1, n):
            A[i, k] *= inv
            f = A[i, k]
            if f != 0.0:
                for j in range(k + 1, n):
                    A[i, j] -= f * A[k, j]
    return True


@njit(cache=True, nogil=True, error_model='numpy')
def _lu_solve(A, piv, B, r):
    # Solve A x = B[r] in place (row r of B), with the factors from _lu_factor.
    n = N_STATES
    for k in range(n):
        m = piv[k]
        if m != k:
            tmp = B[r, k]
            B[r, k] = B[r, m]
            B[r, m] = tmp
    for i in range(1, n):
        s = B[r, i]
        for j in range(i):
            s -= A[i, j] * B[r, j]
        B[r, i] = s
    for i in range(n - 1, -1, -1):
        s = B[r, i]
        for j in range(i + 1, n):
            s -= A[i, j] * B[r, j]
        B[r, i] = s / A[i, i]


@njit(cache=True, nogil=True, error_model='numpy')
def _interp(cont, theta, out):
    # y(t + theta*h) = c0 + theta*(c1 + (1-theta)*(c2 + theta*(c3 + (1-theta)*c4)))
    th1 = 1.0 - theta
    for i in range(N_STATES):
        out[i] = cont[0, i] + theta * (
            cont[1, i] + th1 * (cont[2, i] + theta * (cont[3, i] + th1 * cont[4, i]))
        )


@njit(cache=True, nogil=True, error_model='numpy')
def _rodas4_step(t, h, y, f0, p, u, J, W, piv, ft, k, ytmp, fx, rhsv, y1, err, cont,
                 need_jac, has_time):
    # One Rodas4 attempt. Returns 0 ok, 1 singular matrix. J is (re)computed if need_jac.
    n = N_STATES
    if need_jac:
        jac(t, y, p, u, J)
        # A non-finite entry (|x|**a with a < 1 at x = 0, say) is dropped: the step is then a
        # W-method step with an approximate Jacobian, still error-controlled.
        for i in range(n):
            for j in range(n):
                if not math.isfinite(J[i, j]):
                    J[i, j] = 0.0
        if has_time:
            dfdt(t, y, p, u, ft)
    fac = 1.0 / (h * R_GAMMA)
    for i in range(n):
        for j in range(n):
            W[i, j] = -J[i, j]
        W[i, i] += fac
    if not _lu_factor(W, piv):
        return 1
    ih = 1.0 / h
    # stage 1
    for i in range(n):
        k[0, i] = f0[i] + h * R_d1 * ft[i]
    _lu_solve(W, piv, k, 0)
    # stage 2
    for i in range(n):
        ytmp[i] = y[i] + R_A21 * k[0, i]
    rhs(t + R_c2 * h, ytmp, p, u, fx)
    for i in range(n):
        k[1, i] = fx[i] + ih * (R_C21 * k[0, i]) + h * R_d2 * ft[i]
    _lu_solve(W, piv, k, 1)
    # stage 3
    for i in range(n):
        ytmp[i] = y[i] + R_A31 * k[0, i] + R_A32 * k[1, i]
    rhs(t + R_c3 * h, ytmp, p, u, fx)
    for i in range(n):
        k[2, i] = fx[i] + ih * (R_C31 * k[0, i] + R_C32 * k[1, i]) + h * R_d3 * ft[i]
    _lu_solve(W, piv, k, 2)
    # stage 4
    for i in range(n):
        ytmp[i] = y[i] + R_A41 * k[0, i] + R_A42 * k[1, i] + R_A43 * k[2, i]
    rhs(t + R_c4 * h, ytmp, p, u, fx)
    for i in range(n):
        k[3, i] = (fx[i] + ih * (R_C41 * k[0, i] + R_C42 * k[1, i] + R_C43 * k[2, i])
                   + h * R_d4 * ft[i])
    _lu_solve(W, piv, k, 3)
    # stage 5
    for i in range(n):
        ytmp[i] = (y[i] + R_A51 * k[0, i] + R_A52 * k[1, i] + R_A53 * k[2, i]
                   + R_A54 * k[3, i])
    rhs(t + h, ytmp, p, u, fx)
    for i in range(n):
        k[4, i] = fx[i] + ih * (R_C51 * k[0, i] + R_C52 * k[1, i] + R_C53 * k[2, i]
                                + R_C54 * k[3, i])
    _lu_solve(W, piv, k, 4)
    # stage 6 (its input is the embedded order-3 solution)
    for i in range(n):
        ytmp[i] = ytmp[i] + k[4, i]
    rhs(t + h, ytmp, p, u, fx)
    for i in range(n):
        k[5, i] = fx[i] + ih * (R_C61 * k[0, i] + R_C62 * k[1, i] + R_C63 * k[2, i]
                                + R_C64 * k[3, i] + R_C65 * k[4, i])
    _lu_solve(W, piv, k, 5)
    for i in range(n):
        y1[i] = ytmp[i] + k[5, i]
        err[i] = k[5, i]
        cont[0, i] = y[i]
        cont[1, i] = y1[i] - y[i]
        cont[2, i] = (R_H21 * k[0, i] + R_H22 * k[1, i] + R_H23 * k[2, i] + R_H24 * k[3, i]
                      + R_H25 * k[4, i])
        cont[3, i] = (R_H31 * k[0, i] + R_H32 * k[1, i] + R_H33 * k[2, i] + R_H34 * k[3, i]
                      + R_H35 * k[4, i])
        cont[4, i] = 0.0
    return 0


@njit(cache=True, nogil=True, error_model='numpy')
def _dopri5_step(t, h, y, f0, p, u, k, ytmp, y1, f1, err, cont):
    n = N_STATES
    for i in range(n):
        ytmp[i] = y[i] + h * D_A21 * f0[i]
    rhs(t + D_C2 * h, ytmp, p, u, k[1])
    for i in range(n):
        ytmp[i] = y[i] + h * (D_A31 * f0[i] + D_A32 * k[1, i])
    rhs(t + D_C3 * h, ytmp, p, u, k[2])
    for i in range(n):
        ytmp[i] = y[i] + h * (D_A41 * f0[i] + D_A42 * k[1, i] + D_A43 * k[2, i])
    rhs(t + D_C4 * h, ytmp, p, u, k[3])
    for i in range(n):
        ytmp[i] = y[i] + h * (D_A51 * f0[i] + D_A52 * k[1, i] + D_A53 * k[2, i]
                              + D_A54 * k[3, i])
    rhs(t + D_C5 * h, ytmp, p, u, k[4])
    for i in range(n):
        ytmp[i] = y[i] + h * (D_A61 * f0[i] + D_A62 * k[1, i] + D_A63 * k[2, i]
                              + D_A64 * k[3, i] + D_A65 * k[4, i])
    rhs(t + h, ytmp, p, u, k[5])
    for i in range(n):
        y1[i] = y[i] + h * (D_A71 * f0[i] + D_A73 * k[2, i] + D_A74 * k[3, i]
                            + D_A75 * k[4, i] + D_A76 * k[5, i])
    rhs(t + h, y1, p, u, f1)
    for i in range(n):
        err[i] = h * (D_E1 * f0[i] + D_E3 * k[2, i] + D_E4 * k[3, i] + D_E5 * k[4, i]
                      + D_E6 * k[5, i] + D_E7 * f1[i])
        dy = y1[i] - y[i]
        bspl = h * f0[i] - dy
        cont[0, i] = y[i]
        cont[1, i] = dy
        cont[2, i] = bspl
        cont[3, i] = dy - h * f1[i] - bspl
        cont[4, i] = h * (D_D1 * f0[i] + D_D3 * k[2, i] + D_D4 * k[3, i] + D_D5 * k[4, i]
                          + D_D6 * k[5, i] + D_D7 * f1[i])


@njit(cache=True, nogil=True, error_model='numpy')
def _apply_op(x, op, v):
    if op == OP_ADD:
        return x + v
    if op == OP_SET:
        return v
    return x * v


@njit(cache=True, nogil=True, error_model='numpy')
def _all_finite(y):
    for i in range(N_STATES):
        if not math.isfinite(y[i]):
            return False
    return True


@njit(cache=True, nogil=True, error_model='numpy')
def _event_crossed(g0, g1, direction):
    if direction < 0:
        return g0 > 0.0 and g1 <= 0.0
    if direction > 0:
        return g0 < 0.0 and g1 >= 0.0
    return (g0 > 0.0 and g1 <= 0.0) or (g0 < 0.0 and g1 >= 0.0)


@njit(cache=True, nogil=True, error_model='numpy')
def _find_root(cont, idx, thr, g0, g1, tmp):
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
        _interp(cont, c, tmp)
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


@njit(cache=True, nogil=True)
def solve_one(method, t_out, y0, p, u0, dt_, dkind, didx, dop, dval, ev_idx, ev_thr, ev_dir,
              ev_act, ev_val, rtol, atol, h_init, hmax, max_steps, out, ev_time, info):
    """Integrate one patient; fills out (K, S) and ev_time (E,); returns a status code.

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
    rhsv = np.empty(n)
    tmp = np.empty(n)
    ft = np.zeros(n)
    k = np.empty((7, n))
    cont = np.zeros((5, n))
    J = np.empty((n, n))
    W = np.empty((n, n))
    piv = np.empty(n, dtype=np.int64)
    for e in range(E):
        ev_time[e] = np.nan
    naccept = 0
    nreject = 0
    nrhs = 0
    status = ST_OK
    t = t0
    idisc = 0
    while idisc < D and dt_[idisc] <= t0:
        if dkind[idisc] == DISC_STATE:
            y[didx[idisc]] = _apply_op(y[didx[idisc]], dop[idisc], dval[idisc])
        else:
            u[didx[idisc]] = _apply_op(u[didx[idisc]], dop[idisc], dval[idisc])
        idisc += 1
    kout = 0
    while kout < K and t_out[kout] <= t:
        for i in range(n):
            out[kout, i] = y[i]
        kout += 1
    rhs(t, y, p, u, f0)
    nrhs += 1
    if not _all_finite(y) or not _all_finite(f0):
        status = ST_NONFINITE
    # initial step (Hairer & Wanner I, Sec. II.4, simplified)
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
    h = min(h, hmax, max(tend - t0, 1e-12))
    order_q = 4.0 if method == METHOD_RODAS4 else 5.0
    need_jac = True
    steps = 0
    while status == ST_OK and t < tend:
        seg_end = tend
        if idisc < D and dt_[idisc] < seg_end:
            seg_end = dt_[idisc]
        hmin = 1e-14 * max(abs(t), 1.0)
        last = False
        if t + h >= seg_end - 1e-12 * max(abs(seg_end), 1.0) or t + h >= seg_end:
            h = seg_end - t
            last = True
        if h < hmin:
            status = ST_STEP_TOO_SMALL
            break
        steps += 1
        if steps > max_steps:
            status = ST_MAX_STEPS
            break
        if method == METHOD_RODAS4:
            code = _rodas4_step(t, h, y, f0, p, u, J, W, piv, ft, k, ytmp, fx, rhsv, y1, err,
                                cont, need_jac, has_time)
            nrhs += 5
            need_jac = False
            if code != 0:
                nreject += 1
                h *= 0.25
                continue
        else:
            _dopri5_step(t, h, y, f0, p, u, k, ytmp, y1, f1, err, cont)
            nrhs += 6
        enorm = _err_norm(err, y, y1, rtol, atol)
        if not math.isfinite(enorm) or not _all_finite(y1):
            nreject += 1
            h *= 0.25
            continue
        if enorm > 1.0:
            nreject += 1
            h *= max(0.2, 0.9 * enorm ** (-1.0 / order_q))
            continue
        # accepted
        naccept += 1
        t1 = seg_end if last else t + h
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
            if _event_crossed(g0, g1, ev_dir[e]):
                th = _find_root(cont, ev_idx[e], ev_thr[e], g0, g1, tmp)
                if th < first_th:
                    first_th = th
                    first_e = e
        if first_e >= 0:
            t_ev = t + first_th * h
            _interp(cont, first_th, ytmp)
            while kout < K and t_out[kout] < t_ev:
                _interp(cont, (t_out[kout] - t) / h, tmp)
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
                t = t_ev
                status = ST_STOPPED
                break
            if act == ACT_SET:
                ytmp[ev_idx[first_e]] = ev_val[first_e]
            for i in range(n):
                y[i] = ytmp[i]
            t = t_ev
            rhs(t, y, p, u, f0)
            nrhs += 1
            need_jac = True
            h = max(h_next, 1e-6)
            continue
        # dense output up to (excluding) t1
        while kout < K and t_out[kout] < t1:
            _interp(cont, (t_out[kout] - t) / h, tmp)
            for i in range(n):
                out[kout, i] = tmp[i]
            kout += 1
        t = t1
        for i in range(n):
            y[i] = y1[i]
        if method == METHOD_RODAS4:
            rhs(t, y, p, u, f0)
            nrhs += 1
        else:
            for i in range(n):
                f0[i] = f1[i]
        need_jac = True
        if last and idisc < D and dt_[idisc] <= t:
            while idisc < D and dt_[idisc] <= t:
                if dkind[idisc] == DISC_STATE:
                    y[didx[idisc]] = _apply_op(y[didx[idisc]], dop[idisc], dval[idisc])
                else:
                    u[didx[idisc]] = _apply_op(u[didx[idisc]], dop[idisc], dval[idisc])
                idisc += 1
            rhs(t, y, p, u, f0)
            nrhs += 1
            if not _all_finite(y):
                status = ST_NONFINITE
                break
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
    return status


@njit(cache=True, nogil=True)
def solve_serial(method, t_out, y0, p, u0, dt_, dkind, didx, dop, dval, ev_idx, ev_thr, ev_dir,
                 ev_act, ev_val, rtol, atol, h_init, hmax, max_steps, out, ev_time, info, status):
    for i in range(y0.shape[0]):
        status[i] = solve_one(method, t_out, y0[i], p[i], u0[i], dt_[i], dkind[i], didx[i],
                              dop[i], dval[i], ev_idx, ev_thr, ev_dir, ev_act, ev_val, rtol,
                              atol, h_init, hmax, max_steps, out[i], ev_time[i], info[i])


@njit(cache=True, nogil=True, parallel=True)
def solve_parallel(method, t_out, y0, p, u0, dt_, dkind, didx, dop, dval, ev_idx, ev_thr,
                   ev_dir, ev_act, ev_val, rtol, atol, h_init, hmax, max_steps, out, ev_time,
                   info, status):
    for i in prange(y0.shape[0]):
        status[i] = solve_one(method, t_out, y0[i], p[i], u0[i], dt_[i], dkind[i], didx[i],
                              dop[i], dval[i], ev_idx, ev_thr, ev_dir, ev_act, ev_val, rtol,
                              atol, h_init, hmax, max_steps, out[i], ev_time[i], info[i])


@njit(cache=True, nogil=True)
def newton_batch(starts, p, u, tol, max_iter, roots, converged):
    """Damped Newton on rhs(y) = 0 from each start (rows of starts), exact Jacobian."""
    n = N_STATES
    J = np.empty((n, n))
    piv = np.empty(n, dtype=np.int64)
    f = np.empty(n)
    ftry = np.empty(n)
    ytry = np.empty(n)
    dx = np.empty((1, n))
    for s in range(starts.shape[0]):
        y = starts[s].copy()
        converged[s] = False
        rhs(0.0, y, p, u, f)
        fn = 0.0
        for i in range(n):
            fn += f[i] * f[i]
        for _ in range(max_iter):
            jac(0.0, y, p, u, J)
            if not _lu_factor(J, piv):
                break
            for i in range(n):
                dx[0, i] = -f[i]
            _lu_solve(J, piv, dx, 0)
            lam = 1.0
            ok = False
            for _ls in range(30):
                for i in range(n):
                    ytry[i] = y[i] + lam * dx[0, i]
                rhs(0.0, ytry, p, u, ftry)
                fnt = 0.0
                for i in range(n):
                    fnt += ftry[i] * ftry[i]
                if math.isfinite(fnt) and fnt < fn:
                    ok = True
                    break
                lam *= 0.5
            if not ok:
                break
            small = True
            for i in range(n):
                if abs(ytry[i] - y[i]) > tol * (abs(ytry[i]) + 1e-8):
                    small = False
                y[i] = ytry[i]
                f[i] = ftry[i]
            fn = fnt
            if small:
                converged[s] = True
                break
        for i in range(n):
            roots[s, i] = y[i]
