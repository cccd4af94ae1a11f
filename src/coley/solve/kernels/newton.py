"""Damped Newton iteration on rhs(y) = 0 with the exact Jacobian, for equilibria."""

import math

import numpy as np
from numba import njit

from coley.solve.kernels.common import lu_factor, lu_solve
from coley.solve.kernels.header import N_STATES, jac, rhs


# ---------------------------------------------------------------------- KERNEL SOURCE
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
            if not lu_factor(J, piv):
                break
            for i in range(n):
                dx[i] = -f[i]
            lu_solve(J, piv, dx)
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
