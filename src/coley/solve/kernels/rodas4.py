"""Rodas4: L-stable Rosenbrock method of order 4(3) with the exact Jacobian.

Hairer & Wanner, Solving ODEs II (2nd ed., 1996), Sec. VI.4, Table 4.3 ("RODAS"), with the
order-3 dense output given there; 6 stages, one LU of (I/(h*gamma) - J) per step.
"""

import math

from numba import njit

from coley.solve.kernels.common import lu_factor, lu_solve
from coley.solve.kernels.header import N_STATES, dfdt, jac, rhs

# ---------------------------------------------------------------------- KERNEL SOURCE
#: the method's order (step size control), rhs evaluations per attempt, and whether the last
#: stage's f is the next step's first (FSAL)
METHOD_ORDER = 4.0
METHOD_RHS = 5
METHOD_FSAL = False

# ---- tableau (Hairer & Wanner 1996)
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


@njit(cache=True, nogil=True, error_model='numpy')
def method_step(t, h, y, f0, p, u, J, W, piv, ft, k, ytmp, fx, y1, f1, err, cont, need_jac,
                has_time):
    # One Rodas4 attempt. Returns 0 ok, 1 singular matrix. J is (re)computed if need_jac.
    # (f1 is unused: the method is not FSAL.)
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
    if not lu_factor(W, piv):
        return 1
    ih = 1.0 / h
    # stage 1
    for i in range(n):
        k[0, i] = f0[i] + h * R_d1 * ft[i]
    lu_solve(W, piv, k[0])
    # stage 2
    for i in range(n):
        ytmp[i] = y[i] + R_A21 * k[0, i]
    rhs(t + R_c2 * h, ytmp, p, u, fx)
    for i in range(n):
        k[1, i] = fx[i] + ih * (R_C21 * k[0, i]) + h * R_d2 * ft[i]
    lu_solve(W, piv, k[1])
    # stage 3
    for i in range(n):
        ytmp[i] = y[i] + R_A31 * k[0, i] + R_A32 * k[1, i]
    rhs(t + R_c3 * h, ytmp, p, u, fx)
    for i in range(n):
        k[2, i] = fx[i] + ih * (R_C31 * k[0, i] + R_C32 * k[1, i]) + h * R_d3 * ft[i]
    lu_solve(W, piv, k[2])
    # stage 4
    for i in range(n):
        ytmp[i] = y[i] + R_A41 * k[0, i] + R_A42 * k[1, i] + R_A43 * k[2, i]
    rhs(t + R_c4 * h, ytmp, p, u, fx)
    for i in range(n):
        k[3, i] = (fx[i] + ih * (R_C41 * k[0, i] + R_C42 * k[1, i] + R_C43 * k[2, i])
                   + h * R_d4 * ft[i])
    lu_solve(W, piv, k[3])
    # stage 5
    for i in range(n):
        ytmp[i] = (y[i] + R_A51 * k[0, i] + R_A52 * k[1, i] + R_A53 * k[2, i]
                   + R_A54 * k[3, i])
    rhs(t + h, ytmp, p, u, fx)
    for i in range(n):
        k[4, i] = fx[i] + ih * (R_C51 * k[0, i] + R_C52 * k[1, i] + R_C53 * k[2, i]
                                + R_C54 * k[3, i])
    lu_solve(W, piv, k[4])
    # stage 6 (its input is the embedded order-3 solution)
    for i in range(n):
        ytmp[i] = ytmp[i] + k[4, i]
    rhs(t + h, ytmp, p, u, fx)
    for i in range(n):
        k[5, i] = fx[i] + ih * (R_C61 * k[0, i] + R_C62 * k[1, i] + R_C63 * k[2, i]
                                + R_C64 * k[3, i] + R_C65 * k[4, i])
    lu_solve(W, piv, k[5])
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
