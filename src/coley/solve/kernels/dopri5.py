"""Dormand & Prince 5(4) (J Comput Appl Math 6:19, 1980), FSAL, with Shampine's 4th-order
dense output (Math Comp 46:135, 1986)."""

from numba import njit

from coley.solve.kernels.header import N_STATES, rhs

# ---------------------------------------------------------------------- KERNEL SOURCE
#: the method's order (step size control), rhs evaluations per attempt, and whether the last
#: stage's f is the next step's first (FSAL)
METHOD_ORDER = 5.0
METHOD_RHS = 6
METHOD_FSAL = True

# ---- tableau
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
def method_step(t, h, y, f0, p, u, J, W, piv, ft, k, ytmp, fx, y1, f1, err, cont, need_jac,
                has_time):
    # One Dopri5 attempt (J, W, piv, ft, fx, need_jac and has_time are unused); returns 0.
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
    return 0
