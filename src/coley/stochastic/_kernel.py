# mypy: ignore-errors
"""Kernel of the hybrid stochastic simulator (template; see coley.stochastic.codegen).

The generated module is the model's header (constants, ``rates`` and ``breaks``) followed by the
text of this file after the ``END OF PLACEHOLDERS`` line; the placeholders above it only let
this file be imported and linted on its own.

One call of :func:`run` simulates one replicate with its own ``numpy.random.Generator``. A step
(from t, state y, inputs u):

1. partition: a candidate state is discrete (whole cells) while y < threshold; a state that
   becomes discrete is rounded stochastically (floor + Bernoulli(fraction), unbiased);
2. rates a0 = rates(t, y); a reaction is stochastic if it changes a discrete state, else
   deterministic. A stochastic reaction runs forwards (rate > 0) or backwards (rate < 0) with
   propensity |a|; it is disabled while a discrete state it lowers has fewer cells than one
   event removes; it is critical while such a state has fewer than n_crit events' worth of
   cells (Cao, Gillespie & Petzold 2005, J Chem Phys 123:054104);
3. leap size tau1 over the non-critical reactions by the bound on the relative change of each
   discrete state (Cao, Gillespie & Petzold 2006, J Chem Phys 124:044109, eqs. 32-33, with
   g_i = 1): tau1 = min_i min(max(eps*x_i, 1)/|mu_i|, max(eps*x_i, 1)^2/sigma_i^2). If tau1
   times the total stochastic propensity is below N_SSA = 10 (a leap would hold few events),
   every stochastic reaction is treated as critical for this step (ibid., sec. IV), so that
   small populations are simulated exactly;
4. step h = min(tau1, max_step, next output/schedule/breakpoint time, the deterministic step
   h_prop) and the explicit midpoint: y_mid = y + h/2 * F(y), a_mid = rates(t + h/2, y_mid),
   where F is the drift of all reactions. The continuous states' local error (midpoint minus
   Euler, relative to atol + rtol*|y|) must be <= 1, else h shrinks (a deterministic choice,
   made before any random number is drawn);
5. the time to the next critical event tau2 ~ Exp(sum of critical propensities at t); if
   tau2 < h the step is tau2 and one critical reaction fires (chosen in proportion to its
   propensity): with only critical reactions this is Gillespie's direct method (Gillespie
   1977, J Phys Chem 81:2340), exact while the rates of the step are constant;
6. non-critical stochastic reactions fire Poisson(|a_mid| * dt) times (midpoint tau-leaping,
   weakly second order: Anderson & Mattingly 2011, Commun Math Sci 9:301); if a discrete state
   would go negative the leap is rejected and tau1 halved (Cao et al. 2005);
7. continuous states advance by the midpoint rule, dt * F_det(y_mid), plus the changes of the
   stochastic reactions that touch them (a transfer from a discrete to a continuous state moves
   whole cells).

Schedule items: jumps on candidate states add and set whole cells (stochastic rounding) and a
multiplication by a fraction f <= 1 keeps each cell with probability f (binomial thinning);
other states change exactly. Outputs are right-continuous (a jump at an output time is seen).
"""

import math

import numpy as np
from numba import njit

N_STATES = 1
N_INPUTS = 0
N_REACT = 1
N_BREAKS = 0
R_PTR = np.array([0, 1], dtype=np.int64)
R_IDX = np.array([0], dtype=np.int64)
R_VAL = np.array([-1.0], dtype=np.float64)


@njit(cache=True, nogil=True, error_model='numpy')
def rates(t, y, p, u, a):
    a[0] = p[0] * y[0]


@njit(cache=True, nogil=True, error_model='numpy')
def breaks(p, out):
    return


# status codes (coley.solve.status.Status) and kinds; the generated header defines them
from coley.solve.kernels.header import (  # noqa: E402
    DISC_STATE,
    OP_ADD,
    OP_SET,
    ST_MAX_STEPS,
    ST_NONFINITE,
    ST_OK,
)

# ----------------------------------------------------------------- END OF PLACEHOLDERS
#: a leap expected to hold fewer events than this is replaced by exact (SSA) steps
N_SSA = 10.0


@njit(cache=True, nogil=True, error_model='numpy')
def _round(rng, x):
    """Stochastic rounding: floor(x) + Bernoulli(x - floor(x)), so E[result] = x (x >= 0)."""
    if x <= 0.0:
        return 0.0
    f = math.floor(x)
    frac = x - f
    if frac > 0.0 and rng.random() < frac:
        f += 1.0
    return f


@njit(cache=True, nogil=True, error_model='numpy')
def _jump(rng, y, u, kind, idx, op, val, cand):
    if kind != DISC_STATE:
        if op == OP_ADD:
            u[idx] += val
        elif op == OP_SET:
            u[idx] = val
        else:
            u[idx] *= val
        return
    x = y[idx]
    if not cand[idx]:
        if op == OP_ADD:
            y[idx] = x + val
        elif op == OP_SET:
            y[idx] = val
        else:
            y[idx] = x * val
        return
    if op == OP_ADD:
        y[idx] = max(0.0, x + _round(rng, abs(val)) * (1.0 if val >= 0.0 else -1.0))
    elif op == OP_SET:
        y[idx] = _round(rng, val)
    elif val <= 1.0:
        n = _round(rng, x)
        y[idx] = float(rng.binomial(np.int64(n), val)) if n > 0.0 and val > 0.0 else 0.0
    else:
        y[idx] = _round(rng, x * val)


@njit(cache=True, nogil=True, error_model='numpy')
def _partition(rng, y, cand, threshold, disc):
    for s in range(N_STATES):
        if cand[s]:
            want = y[s] < threshold
            if want and not disc[s]:
                y[s] = _round(rng, y[s])
            disc[s] = want


@njit(cache=True, nogil=True, error_model='numpy')
def _drift(a, out):
    """out = sum over reactions of change * rate (all states)."""
    for s in range(N_STATES):
        out[s] = 0.0
    for r in range(N_REACT):
        ar = a[r]
        if ar != 0.0:
            for j in range(R_PTR[r], R_PTR[r + 1]):
                out[R_IDX[j]] += R_VAL[j] * ar


@njit(cache=True, nogil=True, error_model='numpy')
def _drift_det(a, stoch, out):
    """out = drift of the deterministic reactions (they change continuous states only)."""
    for s in range(N_STATES):
        out[s] = 0.0
    for r in range(N_REACT):
        if not stoch[r]:
            ar = a[r]
            for j in range(R_PTR[r], R_PTR[r + 1]):
                out[R_IDX[j]] += R_VAL[j] * ar


@njit(cache=True, nogil=True, error_model='numpy')
def _midpoint(t, h, y, p, u, stoch, disc, F0, ymid, am, Fm):
    for s in range(N_STATES):
        v = y[s] + 0.5 * h * F0[s]
        if disc[s] and v < 0.0:
            v = 0.0
        ymid[s] = v
    rates(t + 0.5 * h, ymid, p, u, am)
    _drift_det(am, stoch, Fm)


@njit(cache=True, nogil=True, error_model='numpy')
def run(rng, grid, y0, p, dtime, dkind, didx, dop, dval, cand, threshold, max_step, eps,
        n_crit, rtol, atol, max_steps, out, info):
    """Simulate one replicate on ``grid``; fill ``out[k, s]`` and ``info`` (steps, rejected
    leaps, exact critical events); return the status (0 ok, -1 max steps, -2 non-finite)."""
    K = grid.shape[0]
    D = dtime.shape[0]
    y = y0.copy()
    u = np.zeros(max(N_INPUTS, 1))
    disc = np.zeros(N_STATES, dtype=np.bool_)
    a0 = np.empty(N_REACT)
    am = np.empty(N_REACT)
    sgn = np.empty(N_REACT)
    stoch = np.zeros(N_REACT, dtype=np.bool_)
    crit = np.zeros(N_REACT, dtype=np.bool_)
    F0 = np.empty(N_STATES)
    F0d = np.empty(N_STATES)
    Fm = np.empty(N_STATES)
    ymid = np.empty(N_STATES)
    delta = np.empty(N_STATES)
    mu = np.empty(N_STATES)
    sig = np.empty(N_STATES)
    bp = np.empty(N_BREAKS)
    breaks(p, bp)
    t = grid[0]
    idisc = 0
    while idisc < D and dtime[idisc] <= t:
        _jump(rng, y, u, dkind[idisc], didx[idisc], dop[idisc], dval[idisc], cand)
        idisc += 1
    _partition(rng, y, cand, threshold, disc)
    for s in range(N_STATES):
        out[0, s] = y[s]
    k = 1
    steps = 0
    rejected = 0
    exact = 0
    h_prop = max_step
    status = ST_OK
    while k < K:
        t_stop = grid[k]
        if idisc < D and dtime[idisc] < t_stop:
            t_stop = dtime[idisc]
        for b in range(N_BREAKS):
            if t < bp[b] < t_stop:
                t_stop = bp[b]
        if steps >= max_steps:
            status = ST_MAX_STEPS
            break
        steps += 1
        _partition(rng, y, cand, threshold, disc)
        rates(t, y, p, u, a0)
        # -- classify the reactions
        a0c = 0.0
        for r in range(N_REACT):
            st = False
            for j in range(R_PTR[r], R_PTR[r + 1]):
                if disc[R_IDX[j]]:
                    st = True
                    break
            stoch[r] = st
            sg = 1.0 if a0[r] >= 0.0 else -1.0
            sgn[r] = sg
            crit[r] = False
            if st and a0[r] != 0.0:
                for j in range(R_PTR[r], R_PTR[r + 1]):
                    s = R_IDX[j]
                    v = sg * R_VAL[j]
                    if disc[s] and v < 0.0:
                        if y[s] < -v:
                            a0[r] = 0.0
                            crit[r] = False
                            break
                        if y[s] < -v * n_crit:
                            crit[r] = True
                if crit[r]:
                    a0c += abs(a0[r])
        # -- leap size over non-critical stochastic reactions (Cao et al. 2006)
        for s in range(N_STATES):
            mu[s] = 0.0
            sig[s] = 0.0
        for r in range(N_REACT):
            if stoch[r] and not crit[r] and a0[r] != 0.0:
                ar = a0[r]
                aa = abs(ar)
                for j in range(R_PTR[r], R_PTR[r + 1]):
                    s = R_IDX[j]
                    if disc[s]:
                        mu[s] += R_VAL[j] * ar
                        sig[s] += R_VAL[j] * R_VAL[j] * aa
        tau1 = math.inf
        for s in range(N_STATES):
            if disc[s] and sig[s] > 0.0:
                bound = max(eps * y[s], 1.0)
                if mu[s] != 0.0:
                    tau1 = min(tau1, bound / abs(mu[s]))
                tau1 = min(tau1, bound * bound / sig[s])
        # few events expected in a leap: exact steps instead (Cao et al. 2006, sec. IV)
        a0s = 0.0
        for r in range(N_REACT):
            if stoch[r]:
                a0s += abs(a0[r])
        if a0s > 0.0 and tau1 * a0s < N_SSA:
            for r in range(N_REACT):
                crit[r] = stoch[r] and a0[r] != 0.0
            a0c = a0s
            tau1 = math.inf
        _drift(a0, F0)
        _drift_det(a0, stoch, F0d)
        span = t_stop - t
        # -- one step; repeated (tau1 halved) if a leap would make a discrete state negative
        while True:
            h = min(h_prop, tau1, max_step, span)
            shrunk = False
            err = 0.0
            while True:
                _midpoint(t, h, y, p, u, stoch, disc, F0, ymid, am, Fm)
                err = 0.0
                for s in range(N_STATES):
                    if not disc[s]:
                        e = h * abs(Fm[s] - F0d[s]) / (atol + rtol * abs(y[s]))
                        if not e <= err:  # catches NaN
                            err = e
                if err <= 1.0 or h <= 1e-10 * max_step:
                    break
                h *= max(0.2, 0.9 / math.sqrt(err))
                shrunk = True
            fac = 5.0 if err < 1e-6 else min(5.0, 0.9 / math.sqrt(err))
            h_prop = h * fac if shrunk else min(max_step, max(h_prop, h * fac))
            fire = False
            dt = h
            if a0c > 0.0:
                tau2 = rng.exponential(1.0 / a0c)
                if tau2 < h:
                    fire = True
                    dt = tau2
                    _midpoint(t, dt, y, p, u, stoch, disc, F0, ymid, am, Fm)
            for s in range(N_STATES):
                delta[s] = 0.0
            for r in range(N_REACT):
                if stoch[r] and not crit[r] and a0[r] != 0.0:
                    lam = abs(am[r]) * dt
                    if lam > 0.0:
                        n = float(rng.poisson(lam))
                        if n > 0.0:
                            sg = 1.0 if am[r] >= 0.0 else -1.0
                            for j in range(R_PTR[r], R_PTR[r + 1]):
                                delta[R_IDX[j]] += sg * R_VAL[j] * n
            if fire:
                x = rng.random() * a0c
                chosen = -1
                for r in range(N_REACT):
                    if crit[r]:
                        chosen = r
                        x -= abs(a0[r])
                        if x < 0.0:
                            break
                for j in range(R_PTR[chosen], R_PTR[chosen + 1]):
                    delta[R_IDX[j]] += sgn[chosen] * R_VAL[j]
            negative = False
            for s in range(N_STATES):
                if disc[s] and y[s] + delta[s] < 0.0:
                    negative = True
            if not negative:
                break
            rejected += 1
            tau1 = 0.5 * dt
        # -- advance
        for s in range(N_STATES):
            if disc[s]:
                y[s] += delta[s]
            else:
                y[s] += dt * Fm[s] + delta[s]
        if fire:
            exact += 1
        finite = True
        for s in range(N_STATES):
            if not math.isfinite(y[s]):
                finite = False
        if not finite:
            status = ST_NONFINITE
            break
        if not fire and h == span:
            t = t_stop
            while idisc < D and dtime[idisc] <= t:
                _jump(rng, y, u, dkind[idisc], didx[idisc], dop[idisc], dval[idisc], cand)
                idisc += 1
            if t == grid[k]:
                for s in range(N_STATES):
                    out[k, s] = y[s]
                k += 1
        else:
            t += dt
    for kk in range(k, K):
        for s in range(N_STATES):
            out[kk, s] = math.nan
    info[0] = steps
    info[1] = rejected
    info[2] = exact
    return status
