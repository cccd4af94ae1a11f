# Solver kernels, appended by coley.model.codegen to the generated code of one model.
#
# This file is not imported on its own: the generated module defines, above this text,
#   N_STATES (int), HAS_TIME (bool), LANES (int), METHOD (the integration method of this module),
#   rhs(t, y, p, u, dy), jac(t, y, p, u, J), dfdt(t, y, p, u, out) and their lane versions,
#   and the model events: N_MEVENTS, HAS_MEVENTS, MEV_KIND, MEV_TIMEONLY, MEV_INITIAL,
#   MEV_PERSISTENT, MEV_UVFTT, MEV_ORDER, mev_g(t, y, p, u, g), mev_true(t, y, p, u, out),
#   mev_times(p, out), mev_assign(k, t, y, p, u, out), and N_SWITCH, HAS_SWITCH, sw_g(t, p, out),
# as numba functions and constants, so that everything below is compiled and cached per model
# and method. Branches on the module constants METHOD and HAS_MEVENTS are removed by numba
# before compilation, so a module compiles only the method it integrates with, and event code
# only for models that declare events.
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
#
# Model events (declared by the model, e.g. imported from SBML) have a continuous trigger
# function g_k(t, y, p, u) and a kind: the trigger is true when g >= 0 (MEV_GE), g > 0 (MEV_GT)
# or g == 0 (MEV_EQ). An event fires when its trigger goes from false to true (for MEV_EQ: when
# g reaches or crosses 0). The transition is located by Illinois root finding on g along the
# dense output; the event's assignments are evaluated (from the values at the trigger time, or
# at execution for MEV_UVFTT false) and applied, events made true by them fire in turn
# (at most MEV_MAX_ROUNDS rounds), and integration restarts. Events triggered by time alone
# (g = t - c(p)) are not searched for: every step that would pass c stops exactly at it.
# Simultaneous events execute in MEV_ORDER (priority, then declaration). At the first output
# time an event whose trigger is true fires unless its initial value (MEV_INITIAL) is true.
# Switches of the right-hand side in time (a dose given as a pulse) are events without
# assignments at their times; conditions of time that are not linear (a pulse every 120 h,
# written with floor) are switch functions sw_g(t, p, out) (N_SWITCH, HAS_SWITCH), sampled
# ahead of each step so that the step stops at the first switch. A step stopping at a switch c
# ends at the double below c, and time continues from the double above it.
METHOD_RODAS4 = 0
METHOD_DOPRI5 = 1

ST_OK = 0
ST_STOPPED = 1
ST_MAX_STEPS = -1
ST_NONFINITE = -2
ST_STEP_TOO_SMALL = -3
ST_SINGULAR = -4
ST_EVENT_LOOP = -6

MEV_GE = 0
MEV_GT = 1
MEV_EQ = 2
MEV_MAX_ROUNDS = 1000
SW_SAMPLES = 16

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
    # In-place LU with threshold partial pivoting; returns False if singular. The diagonal
    # stays the pivot unless it is over 10 times smaller than the column's largest entry
    # (threshold 0.1, as in sparse LU codes; element growth stays bounded). The diagonal of
    # I/(h*gamma) - J is the natural pivot, and keeping it keeps a state that is exactly 0
    # with a zero right-hand side (an extinct population) exactly 0: a row swap would seed it
    # with round-off, which an unstable zero state amplifies (BioModels 746: 75/day).
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
def _lu_solve(A, piv, b):
    # Solve A x = b in place, with the factors from _lu_factor. (b is a row such as k[2]: an
    # array, not an index, so that numba compiles this once, not once per literal index.)
    n = N_STATES
    for k in range(n):
        m = piv[k]
        if m != k:
            tmp = b[k]
            b[k] = b[m]
            b[m] = tmp
    for i in range(1, n):
        s = b[i]
        for j in range(i):
            s -= A[i, j] * b[j]
        b[i] = s
    for i in range(n - 1, -1, -1):
        s = b[i]
        for j in range(i + 1, n):
            s -= A[i, j] * b[j]
        b[i] = s * A[i, i]


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
    _lu_solve(W, piv, k[0])
    # stage 2
    for i in range(n):
        ytmp[i] = y[i] + R_A21 * k[0, i]
    rhs(t + R_c2 * h, ytmp, p, u, fx)
    for i in range(n):
        k[1, i] = fx[i] + ih * (R_C21 * k[0, i]) + h * R_d2 * ft[i]
    _lu_solve(W, piv, k[1])
    # stage 3
    for i in range(n):
        ytmp[i] = y[i] + R_A31 * k[0, i] + R_A32 * k[1, i]
    rhs(t + R_c3 * h, ytmp, p, u, fx)
    for i in range(n):
        k[2, i] = fx[i] + ih * (R_C31 * k[0, i] + R_C32 * k[1, i]) + h * R_d3 * ft[i]
    _lu_solve(W, piv, k[2])
    # stage 4
    for i in range(n):
        ytmp[i] = y[i] + R_A41 * k[0, i] + R_A42 * k[1, i] + R_A43 * k[2, i]
    rhs(t + R_c4 * h, ytmp, p, u, fx)
    for i in range(n):
        k[3, i] = (fx[i] + ih * (R_C41 * k[0, i] + R_C42 * k[1, i] + R_C43 * k[2, i])
                   + h * R_d4 * ft[i])
    _lu_solve(W, piv, k[3])
    # stage 5
    for i in range(n):
        ytmp[i] = (y[i] + R_A51 * k[0, i] + R_A52 * k[1, i] + R_A53 * k[2, i]
                   + R_A54 * k[3, i])
    rhs(t + h, ytmp, p, u, fx)
    for i in range(n):
        k[4, i] = fx[i] + ih * (R_C51 * k[0, i] + R_C52 * k[1, i] + R_C53 * k[2, i]
                                + R_C54 * k[3, i])
    _lu_solve(W, piv, k[4])
    # stage 6 (its input is the embedded order-3 solution)
    for i in range(n):
        ytmp[i] = ytmp[i] + k[4, i]
    rhs(t + h, ytmp, p, u, fx)
    for i in range(n):
        k[5, i] = fx[i] + ih * (R_C61 * k[0, i] + R_C62 * k[1, i] + R_C63 * k[2, i]
                                + R_C64 * k[3, i] + R_C65 * k[4, i])
    _lu_solve(W, piv, k[5])
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
def _hmin(t):
    # The smallest step: round-off relative to t (and a tiny floor at t = 0), so that very fast
    # transients at the start (rates ~1e15/day) can be resolved.
    return max(1e-14 * abs(t), 1e-280)


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


@njit(cache=True, nogil=True, error_model='numpy')
def _mev_true(g, kind):
    # Truth of a model-event trigger from its continuous function.
    if kind == MEV_GE:
        return g >= 0.0
    if kind == MEV_GT:
        return g > 0.0
    return g == 0.0


@njit(cache=True, nogil=True, error_model='numpy')
def _mev_eval(t, y, p, u, mtimes, g, tr):
    # Trigger functions g and trigger truth tr at (t, y): tr is the condition itself (g only
    # guides the root finding), except for an equality (true where g == 0) and a time event,
    # whose g is t - (its time), exactly 0 at that time whatever the form of its expression.
    mev_g(t, y, p, u, g)
    mev_true(t, y, p, u, tr)
    for k in range(N_MEVENTS):
        if MEV_TIMEONLY[k]:
            g[k] = t - mtimes[k]
        if MEV_TIMEONLY[k] or MEV_KIND[k] == MEV_EQ:
            tr[k] = _mev_true(g[k], MEV_KIND[k])


@njit(cache=True, nogil=True, error_model='numpy')
def _mev_root(k, t, h, cont, p, u, mtimes, ga0, gb0, tmp, gt, trt):
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
        _interp(cont, c, tmp)
        _mev_eval(t + c * h, tmp, p, u, mtimes, gt, trt)
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
def _mev_detect(t, h, cont, p, u, mtimes, g0, g1, truth, tr1, theta, tmp, gt, trt):
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
            th = _mev_root(k, t, h, cont, p, u, mtimes, g0[k], g1[k], tmp, gt, trt)
        theta[k] = th
        if th < best:
            best = th
    return best


@njit(cache=True, nogil=True, error_model='numpy')
def _mev_segment(t, mtimes, seg_end):
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
def _sw_changed(ga, gb):
    # Whether any switch function has another sign (-, 0, +) in gb than in ga.
    for k in range(N_SWITCH):
        a = 1 if ga[k] > 0.0 else (-1 if ga[k] < 0.0 else 0)
        b = 1 if gb[k] > 0.0 else (-1 if gb[k] < 0.0 else 0)
        if a != b:
            return True
    return False


@njit(cache=True, nogil=True, error_model='numpy')
def _sw_next(t, te, p, ga, gb):
    # The first switch of a condition of time alone (a periodic dose, say) in (t, te]: each
    # switch function is sampled at SW_SAMPLES points, and the first interval where one
    # changes sign is bisected to a double. Returns the first time on the new side, or inf.
    sw_g(t, p, ga)
    ta = t
    for j in range(1, SW_SAMPLES + 1):
        tb = te if j == SW_SAMPLES else t + (te - t) * (j / SW_SAMPLES)
        sw_g(tb, p, gb)
        if _sw_changed(ga, gb):
            lo = ta
            hi = tb
            for _ in range(2000):
                mid = 0.5 * (lo + hi)
                if mid <= lo or mid >= hi:
                    break
                sw_g(mid, p, gb)
                if _sw_changed(ga, gb):
                    hi = mid
                else:
                    lo = mid
            return hi
        ta = tb
        for k in range(N_SWITCH):
            ga[k] = gb[k]
    return np.inf


@njit(cache=True, nogil=True, error_model='numpy')
def _mev_settle(t, y, p, u, mtimes, truth, pend, g, tr, ysnap, ycur):
    # Fire the events marked in pend and those whose trigger has become true at (t, y), then
    # those their assignments make true, until none is left; g and truth are left at the final
    # state. Returns the number of rounds that fired, or -1 after MEV_MAX_ROUNDS rounds.
    n = N_STATES
    rounds = 0
    while True:
        _mev_eval(t, y, p, u, mtimes, g, tr)
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
                _mev_eval(t, y, p, u, mtimes, g, tr)
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


@njit(cache=True, nogil=True)
def solve_one(t_out, y0, p, u0, dt_, dkind, didx, dop, dval, ev_idx, ev_thr, ev_dir, ev_act,
              ev_val, rtol, atol, h_init, hmax, max_steps, out, ev_time, info):
    """Integrate one patient with METHOD; fills out (K, S) and ev_time (E,); returns a status.

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
    idisc = 0
    while idisc < D and dt_[idisc] <= t0:
        if dkind[idisc] == DISC_STATE:
            y[didx[idisc]] = _apply_op(y[didx[idisc]], dop[idisc], dval[idisc])
        else:
            u[didx[idisc]] = _apply_op(u[didx[idisc]], dop[idisc], dval[idisc])
        idisc += 1
    if HAS_MEVENTS:
        mev_times(p, mtimes)
        for e in range(N_MEVENTS):
            mtruth[e] = MEV_INITIAL[e]
        if _mev_settle(t, y, p, u, mtimes, mtruth, mpend, mg0, mtrt, ysnap, ytmp) < 0:
            status = ST_EVENT_LOOP
    kout = 0
    while kout < K and t_out[kout] <= t:
        for i in range(n):
            out[kout, i] = y[i]
        kout += 1
    rhs(t, y, p, u, f0)
    nrhs += 1
    if status == ST_OK and (not _all_finite(y) or not _all_finite(f0)):
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
    order_q = 4.0 if METHOD == METHOD_RODAS4 else 5.0
    # (a comparison, not the literal True: numba would otherwise compile the step twice)
    need_jac = K > 0
    steps = 0
    while status == ST_OK and t < tend:
        seg_end = tend
        if idisc < D and dt_[idisc] < seg_end:
            seg_end = dt_[idisc]
        seg_switch = seg_end
        seg_time = seg_end
        if HAS_MEVENTS:
            seg_end, seg_switch, seg_time = _mev_segment(t, mtimes, seg_end)
        if HAS_SWITCH:
            c = _sw_next(t, min(t + h, seg_end), p, swa, swb)
            if c < seg_end and np.nextafter(c, -np.inf) > t:
                seg_end = np.nextafter(c, -np.inf)
                seg_switch = c
                seg_time = np.nextafter(c, np.inf)
        hmin = _hmin(t)
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
        if METHOD == METHOD_RODAS4:
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
            if _event_crossed(g0, g1, ev_dir[e]):
                th = _find_root(cont, ev_idx[e], ev_thr[e], g0, g1, tmp)
                if th < first_th:
                    first_th = th
                    first_e = e
        # model events: earliest trigger in this step
        mth = 2.0
        if HAS_MEVENTS:
            _mev_eval(t1, y1, p, u, mtimes, mg1, mtr1)
            mth = _mev_detect(t, h, cont, p, u, mtimes, mg0, mg1, mtruth, mtr1, mtheta, tmp, mgt,
                              mtrt)
        if first_e >= 0 and first_th <= mth:
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
                if _mev_settle(t, y, p, u, mtimes, mtruth, mpend, mg0, mtrt, ysnap, ytmp) < 0:
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
                _interp(cont, mth, ytmp)
                while kout < K and t_out[kout] < t_ev:
                    _interp(cont, (t_out[kout] - t) / h, tmp)
                    for i in range(n):
                        out[kout, i] = tmp[i]
                    kout += 1
                for e in range(N_MEVENTS):
                    mpend[e] = mtheta[e] == mth
                for i in range(n):
                    y[i] = ytmp[i]
                t = t_ev
                if _mev_settle(t, y, p, u, mtimes, mtruth, mpend, mg0, mtrt, ysnap, ytmp) < 0:
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
            _interp(cont, (t_out[kout] - t) / h, tmp)
            for i in range(n):
                out[kout, i] = tmp[i]
            kout += 1
        t = t1
        for i in range(n):
            y[i] = y1[i]
        if METHOD == METHOD_RODAS4:
            rhs(t, y, p, u, f0)
            nrhs += 1
        else:
            for i in range(n):
                f0[i] = f1[i]
        need_jac = True
        jumped = False
        if last and idisc < D and dt_[idisc] <= t:
            jumped = True
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
        if HAS_MEVENTS:
            if mth == 1.0 or jumped:
                # events at the end of the step (after any scheduled change at that time)
                for e in range(N_MEVENTS):
                    mpend[e] = mtheta[e] == 1.0
                fired = _mev_settle(t, y, p, u, mtimes, mtruth, mpend, mg0, mtrt, ysnap, ytmp)
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


@njit(cache=True, nogil=True)
def newton_batch(starts, p, u, tol, max_iter, roots, converged):
    """Damped Newton on rhs(y) = 0 from each start (rows of starts), exact Jacobian."""
    n = N_STATES
    J = np.empty((n, n))
    piv = np.empty(n, dtype=np.int64)
    f = np.empty(n)
    ftry = np.empty(n)
    ytry = np.empty(n)
    dx = np.empty(n)
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
                dx[i] = -f[i]
            _lu_solve(J, piv, dx)
            lam = 1.0
            ok = False
            for _ls in range(30):
                for i in range(n):
                    ytry[i] = y[i] + lam * dx[i]
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


# ---------------------------------------------------------------------------------------------
# Lane kernel (Rodas4): LANES patients advance side by side, each with its own time, step size,
# accept/reject decision, discontinuities and events. The stage arithmetic runs over lanes in
# the innermost loop, so the CPU overlaps the patients' dependency chains (and vectorises what
# it can). Lanes never exchange data: a patient's result does not depend on its lane, on the
# other patients, or on the number of threads. A finished lane takes the next patient.
# ---------------------------------------------------------------------------------------------


@njit(cache=True, nogil=True, error_model='numpy')
def _interp_lane(CONT, l, theta, out):
    th1 = 1.0 - theta
    for i in range(N_STATES):
        out[i] = CONT[0, i, l] + theta * (
            CONT[1, i, l] + th1 * (CONT[2, i, l] + theta * (CONT[3, i, l] + th1 * CONT[4, i, l]))
        )


@njit(cache=True, nogil=True, error_model='numpy')
def _find_root_lane(CONT, l, idx, thr, g0, g1, tmp):
    # Lane l's dense output copied out, then the scalar root finder (events are rare).
    cont = np.empty((5, N_STATES))
    for k in range(5):
        for i in range(N_STATES):
            cont[k, i] = CONT[k, i, l]
    return _find_root(cont, idx, thr, g0, g1, tmp)


@njit(cache=True, nogil=True, error_model='numpy')
def _lane_apply_discs(l, i, tnow, dt_, dkind, didx, dop, dval, Y, U, IDISC, inclusive):
    D = dt_.shape[1]
    while IDISC[l] < D and (dt_[i, IDISC[l]] <= tnow):
        d = IDISC[l]
        if dkind[i, d] == DISC_STATE:
            Y[didx[i, d], l] = _apply_op(Y[didx[i, d], l], dop[i, d], dval[i, d])
        else:
            U[didx[i, d], l] = _apply_op(U[didx[i, d], l], dop[i, d], dval[i, d])
        IDISC[l] += 1


@njit(cache=True, nogil=True, error_model='numpy')
def _lane_finish(l, code, t_out, Y, PAT, KOUT, TT, NACC, NREJ, NRHS, out, info, status):
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
def _lane_load(l, i, t_out, y0, p, u0, dt_, dkind, didx, dop, dval, ev_time, rtol, atol,
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
    _lane_apply_discs(l, i, t0, dt_, dkind, didx, dop, dval, Y, U, IDISC, True)
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
        if _mev_settle(t0, tmp, pv, uv, MT[l], MTR[l], mpend, MG[l], mtrt, ysnap, ycur) < 0:
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
    h = h_init
    if h <= 0.0:
        d0 = 0.0
        d1 = 0.0
        for s in range(n):
            sc = atol[s] + rtol * abs(tmp[s])
            d0 += (tmp[s] / sc) ** 2
            d1 += (ftmp[s] / sc) ** 2
        d0 = math.sqrt(d0 / n)
        d1 = math.sqrt(d1 / n)
        if d0 < 1e-5 or d1 < 1e-5:
            h = 1e-6
        else:
            h = 0.01 * d0 / d1
    H[l] = min(h, hmax, max(tend - t0, 1e-12))
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
            code = _lane_load(l, i, t_out, y0, p, u0, dt_, dkind, didx, dop, dval, ev_time,
                              rtol, atol, h_init, hmax, Y, P, U, F0, TT, H, PAT, KOUT, IDISC,
                              STEPS, NACC, NREJ, NRHS, out, tmp, ftmp, MT, MG, MTR, mpend,
                              mtrt, ysnap, ycur)
            if code == ST_OK:
                if TT[l] >= tend:
                    _lane_finish(l, ST_OK, t_out, Y, PAT, KOUT, TT, NACC, NREJ, NRHS, out,
                                 info, status)
                    continue
                active += 1
                break
            _lane_finish(l, code, t_out, Y, PAT, KOUT, TT, NACC, NREJ, NRHS, out, info, status)
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
            SNAP[l] = seg
            SWITCH[l] = seg
            if HAS_MEVENTS:
                seg, SWITCH[l], SNAP[l] = _mev_segment(t, MT[l], seg)
            if HAS_SWITCH:
                for k in range(P.shape[0]):
                    pl[k] = P[k, l]
                c = _sw_next(t, min(t + H[l], seg), pl, swa, swb)
                if c < seg and np.nextafter(c, -np.inf) > t:
                    seg = np.nextafter(c, -np.inf)
                    SWITCH[l] = c
                    SNAP[l] = np.nextafter(c, np.inf)
            SEG[l] = seg
            LAST[l] = False
            if t + H[l] >= seg - 1e-12 * max(abs(seg), 1.0) or t + H[l] >= seg:
                H[l] = seg - t
                LAST[l] = True
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
            SING[l] = not _lu_factor(W, piv)
            for a in range(n):
                PIV[a, l] = piv[a]
                for b in range(n):
                    WL[a, b, l] = W[a, b]
        # stage 1
        for s in range(n):
            for l in range(L):
                KS[0, s, l] = F0[s, l] + H[l] * R_d1 * FT[s, l]
        _lanes_solve(WL, PIV, KS[0])
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
        _lanes_solve(WL, PIV, KS[1])
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
        _lanes_solve(WL, PIV, KS[2])
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
        _lanes_solve(WL, PIV, KS[3])
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
        _lanes_solve(WL, PIV, KS[4])
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
        _lanes_solve(WL, PIV, KS[5])
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
            elif h < _hmin(t):
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
                        if _event_crossed(g0, g1, ev_dir[e]):
                            th = _find_root_lane(CONT, l, ev_idx[e], ev_thr[e], g0, g1, tmp2)
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
                        _mev_eval(t1, y1l, pl, ul, MT[l], mg1, mtr1)
                        mth = _mev_detect(t, h, contl, pl, ul, MT[l], MG[l], mg1, MTR[l], mtr1,
                                          mtheta, tmp2, mgt, mtrt)
                    if first_e >= 0 and first_th <= mth:
                        t_ev = t + first_th * h
                        _interp_lane(CONT, l, first_th, tmp)
                        while KOUT[l] < K and t_out[KOUT[l]] < t_ev:
                            _interp_lane(CONT, l, (t_out[KOUT[l]] - t) / h, tmp2)
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
                                if _mev_settle(t_ev, tmp, pl, ul, MT[l], MTR[l], mpend, MG[l],
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
                        _interp(contl, mth, tmp)
                        while KOUT[l] < K and t_out[KOUT[l]] < t_ev:
                            _interp_lane(CONT, l, (t_out[KOUT[l]] - t) / h, tmp2)
                            for s in range(n):
                                out[i, KOUT[l], s] = tmp2[s]
                            KOUT[l] += 1
                        for e in range(N_MEVENTS):
                            mpend[e] = mtheta[e] == mth
                        if _mev_settle(t_ev, tmp, pl, ul, MT[l], MTR[l], mpend, MG[l], mtrt,
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
                            _interp_lane(CONT, l, (t_out[KOUT[l]] - t) / h, tmp2)
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
                            _lane_apply_discs(l, i, t1, dt_, dkind, didx, dop, dval, Y, U,
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
                                fired = _mev_settle(t1, tmp, pl, ul, MT[l], MTR[l], mpend,
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
                _lane_finish(l, code, t_out, Y, PAT, KOUT, TT, NACC, NREJ, NRHS, out, info,
                             status)
                active -= 1
                PAT[l] = -1
                while nxt < N:
                    inew = nxt
                    nxt += 1
                    code = _lane_load(l, inew, t_out, y0, p, u0, dt_, dkind, didx, dop, dval,
                                      ev_time, rtol, atol, h_init, hmax, Y, P, U, F0, TT, H,
                                      PAT, KOUT, IDISC, STEPS, NACC, NREJ, NRHS, out, tmp, ftmp,
                                      MT, MG, MTR, mpend, mtrt, ysnap, ycur)
                    if code == ST_OK:
                        if TT[l] >= tend:
                            _lane_finish(l, ST_OK, t_out, Y, PAT, KOUT, TT, NACC, NREJ, NRHS,
                                         out, info, status)
                            PAT[l] = -1
                            continue
                        active += 1
                        break
                    _lane_finish(l, code, t_out, Y, PAT, KOUT, TT, NACC, NREJ, NRHS, out, info,
                                 status)
                    PAT[l] = -1
        # ---- f(t, y) for the next attempt, all lanes at once (unchanged lanes get the same)
        rhs_lanes(TT, Y, P, U, F0)


@njit(cache=True, nogil=True, error_model='numpy')
def _lanes_solve(WL, PIV, B):
    # Solve WL[:, :, l] x = B[:, l] in place for every lane (factors from _lu_factor); B is a
    # stage such as KS[2] (an array, not an index: numba compiles this once).
    n = N_STATES
    for l in range(LANES):
        for k in range(n):
            m = PIV[k, l]
            if m != k:
                tmpv = B[k, l]
                B[k, l] = B[m, l]
                B[m, l] = tmpv
        for a in range(1, n):
            s = B[a, l]
            for b in range(a):
                s -= WL[a, b, l] * B[b, l]
            B[a, l] = s
        for a in range(n - 1, -1, -1):
            s = B[a, l]
            for b in range(a + 1, n):
                s -= WL[a, b, l] * B[b, l]
            B[a, l] = s * WL[a, a, l]


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
