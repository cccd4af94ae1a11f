"""The negative log-likelihood of a fit problem and its exact gradient.

For estimated parameters z (on their estimation scales, linear values theta(z)) the objective is

    nll(z) = sum over measurements m of  -log p(y_m | h_m(theta), sigma_m(theta))

with the PEtab conventions (normalisation constants included): for a normal noise model on the
transformed scale ~ (lin, log, log10), ``0.5 log(2 pi sigma^2) + 0.5 ((y~ - h~) / sigma)^2``, for
Laplace ``log(2 sigma) + |y~ - h~| / sigma``, plus the Jacobian of the transformation (``log y``
for log, ``log(y ln 10)`` for log10). ``chi2`` is the sum of squared weighted residuals.

A censored measurement (column ``censoring``) contributes the probability of the reading lying
beyond its limit ``L`` (Beal's M3 method): ``-log F((L~ - h~) / sigma)`` below a lower limit,
``-log F((h~ - L~) / sigma)`` above an upper one, ``F`` the standard normal or Laplace CDF (no
Jacobian term: a probability, not a density); ``chi2`` leaves those rows out. Parameters with
priors add ``neg_log_prior`` (:mod:`coley.fit.prior`); the gradient is that of
``nll + neg_log_prior``, the quantity the optimiser minimises.

The gradient comes from forward sensitivities (:mod:`coley.fit.sensitivity`): every experiment is
one subject (lane) of one batched simulation of the augmented model; the sensitivities along
model parameters and initial values are chained with each experiment's map from problem
parameters to model parameters, then with the scale derivatives.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import sympy as sp

from coley.errors import InvalidArgumentError
from coley.fit.problem import (
    FitProblem,
    NoiseDistribution,
    Observable,
    Scale,
    Transform,
    censoring_kind,
    placeholders,
    split_overrides,
)
from coley.fit.sensitivity import SensitivityModel, sensitivity_model
from coley.model.model import TIME, Model
from coley.solve.schedule import Infusion, Jump
from coley.solve.simulate import simulate
from coley.solve.solvers import AbstractSolver, Rodas4

_LN10 = math.log(10.0)


@dataclass(frozen=True)
class Prediction:
    """Simulated observables at the measurements: ``simulation`` (h, untransformed),
    ``sigma`` and ``residual`` ((y~ - h~) / sigma) per measurement row (and :attr:`table`,
    the measurement table with those columns), the total ``nll``, ``chi2``, and ``gradient``
    (d objective / d z, estimation scales) when asked."""

    measurements: pd.DataFrame
    simulation: np.ndarray
    sigma: np.ndarray
    residual: np.ndarray
    nll: float
    chi2: float
    gradient: np.ndarray | None
    ok: bool
    message: str = ""
    residual_jacobian: np.ndarray | None = None
    """d residual / d z (measurements x estimated parameters), with the gradient."""
    neg_log_prior: float = 0.0
    """Minus the log prior density of the estimated parameters (0 without priors)."""

    @cached_property
    def table(self) -> pd.DataFrame:
        """The measurement table with columns ``simulation``, ``sigma`` and ``residual``
        (built on first use: an optimiser's evaluations do not pay for it)."""
        return self.measurements.assign(simulation=self.simulation, sigma=self.sigma,
                                        residual=self.residual)

    @property
    def llh(self) -> float:
        """The log-likelihood (minus ``nll``)."""
        return -self.nll

    @property
    def objective(self) -> float:
        """What the optimiser minimises: ``nll + neg_log_prior`` (the negative log posterior,
        unnormalised, where priors are given; else ``nll``)."""
        return self.nll + self.neg_log_prior


@dataclass
class _Formula:
    """An observable's (or noise model's) value and partial derivatives, as numpy functions
    of the state matrix X (R, n), model parameters P (R, np), problem values Q (R, nq),
    placeholder values H (R, nh) and time t (R,)."""

    value: Callable[..., Any]
    d_x: list[tuple[int, Callable[..., Any]]]
    d_p: list[tuple[int, Callable[..., Any]]]
    d_q: list[tuple[int, Callable[..., Any]]]
    d_h: list[tuple[int, Callable[..., Any]]]
    holders: list[str]


class Objective:
    """``problem``'s negative log-likelihood; call :meth:`evaluate` (value and gradient) or the
    object itself (value only).

    ``solver`` defaults to Rodas4 at rtol = atol = 1e-8 (fitting needs tight tolerances: the
    finite-difference check of the gradient and the optimiser see integration error).
    """

    def __init__(self, problem: FitProblem, *, solver: AbstractSolver | None = None,
                 gradient: bool = True, workers: int = 1) -> None:
        problem.check()
        self.problem = problem
        self.solver = solver if solver is not None else Rodas4(rtol=1e-8, atol=1e-8)
        self.workers = workers
        m = problem.model
        self.model = m
        est = problem.estimated
        self.estimated_names = tuple(p.name for p in est)
        self.scales = tuple(Scale(p.scale) for p in est)
        self._k = {p.name: k for k, p in enumerate(est)}
        # problem values vector Q: every problem parameter (estimated or fixed), linear scale
        self.q_names = problem.parameter_names
        exps = problem.experiments
        self.experiments = exps
        pn, sn = m.parameter_names, m.state_names
        # per experiment: source of each model parameter / initial state (number or name)
        param_src: list[dict[str, float | str]] = []
        state_src: list[dict[str, float | str]] = []
        for e in exps:
            ps: dict[str, float | str] = {n: n for n in pn if n in self.q_names}
            ss: dict[str, float | str] = {}
            for key, value in e.settings.items():
                (ps if key in pn else ss)[key] = value
            param_src.append(ps)
            state_src.append(ss)
        self._param_src, self._state_src = param_src, state_src
        est_set = set(self.estimated_names)
        directions_p = sorted({k for ps in param_src for k, v in ps.items()
                               if isinstance(v, str) and v in est_set}, key=pn.index)
        directions_x = sorted({k for ss in state_src for k, v in ss.items()
                               if isinstance(v, str) and v in est_set}, key=sn.index)
        self.gradient = gradient and bool(directions_p or directions_x or est)
        self.sens: SensitivityModel | None = None
        if gradient and (directions_p or directions_x):
            self.sens = sensitivity_model(m, directions_p, directions_x)
        self._chain = self._chain_matrices(directions_p, directions_x)
        self._holder_cache: dict[tuple[int, str, bytes], tuple[np.ndarray, np.ndarray]] = {}
        self._prepare_measurements()
        self._prepare_preequilibration()
        self._formulas = {o.name: (self._compile(o, o.formula, "observable"),
                                   self._compile(o, o.noise, "noise"))
                          for o in problem.observables}

    # ------------------------------------------------------------------ set-up
    def _chain_matrices(self, dp: list[str], dx: list[str]) -> np.ndarray:
        """M[e, j, k] = d(direction j of experiment e) / d(theta_k) (linear scale)."""
        M = np.zeros((len(self.experiments), len(dp) + len(dx), len(self.estimated_names)))
        for e in range(len(self.experiments)):
            for j, name in enumerate(dp):
                v = self._param_src[e].get(name)
                if isinstance(v, str) and v in self._k:
                    M[e, j, self._k[v]] = 1.0
            for j, name in enumerate(dx):
                v = self._state_src[e].get(name)
                if isinstance(v, str) and v in self._k:
                    M[e, len(dp) + j, self._k[v]] = 1.0
        return M

    def _prepare_preequilibration(self) -> None:
        """Which experiments start from another's steady state, and, for the gradient, which
        sensitivity direction carries each estimated parameter into the second phase."""
        names = [e.name for e in self.experiments]
        self.pre_of = {i: names.index(e.preequilibration)
                       for i, e in enumerate(self.experiments) if e.preequilibration is not None}
        self._carrier: dict[int, np.ndarray] = {}
        if self.sens is None:
            return
        for e, pe in self.pre_of.items():
            C_pre, C_e = self._chain[pe], self._chain[e]
            carrier = np.full(C_e.shape[1], -1, dtype=np.int64)
            for j in range(C_e.shape[1]):
                hits = np.flatnonzero(C_e[:, j])
                if hits.size:
                    carrier[j] = hits[0]
            lost = [self.estimated_names[j] for j in range(C_e.shape[1])
                    if C_pre[:, j].any() and carrier[j] < 0]
            if lost:
                raise InvalidArgumentError(
                    f"experiment {names[e]!r}: its pre-equilibration ({names[pe]!r}) depends "
                    f"on estimated parameters {lost} that the experiment itself does not use; "
                    "the gradient cannot carry them across (not supported). Let the "
                    "experiment use them too, or fix them.")
            self._carrier[e] = carrier

    def _steady_states(self, q: np.ndarray, use_sens: bool
                       ) -> tuple[dict[int, tuple[np.ndarray, np.ndarray | None]], list[str]]:
        """The steady state (and its sensitivities along the estimated parameters, states x
        estimated) of every pre-equilibration experiment: simulated until the augmented state
        changes by less than 1e-6 relative (+ 1e-9) between t = 10^k and 10^(k+1)."""
        out: dict[int, tuple[np.ndarray, np.ndarray | None]] = {}
        failed: list[str] = []
        pres = sorted(set(self.pre_of.values()))
        if not pres:
            return out, failed
        m = self.model
        n = len(m.states)
        P, X0, follows = self._subjects(q, pres)
        target: Model = self.sens.model if (use_sens and self.sens) else m
        S0 = (self.sens.initial_sensitivities(P, follows)
              if use_sens and self.sens is not None else None)
        settings = self._settings(P, X0, S0)
        grid = np.r_[0.0, 10.0 ** np.arange(0, 9)]
        res = simulate(target, settings, saveat=grid, solver=self.solver,
                       workers=self.workers)
        for r, pe in enumerate(pres):
            name = self.experiments[pe].name
            if res.status[r] < 0:
                failed.append(f"pre-equilibration {name!r}: {res.messages[r]}")
                continue
            V = res.values[r]
            step = np.abs(np.diff(V, axis=0)) <= 1e-6 * np.abs(V[1:]) + 1e-9
            done = np.flatnonzero(step.all(axis=1))
            if done.size == 0:
                failed.append(f"pre-equilibration {name!r}: no steady state by t = "
                              f"{grid[-1]:g} (the states still change); the condition must "
                              "have a stable steady state")
                continue
            end = V[done[0] + 1]
            sens = None
            if use_sens and self.sens is not None:
                sens = end[self.sens.index] @ self._chain[pe]  # (n, K): d x_ss / d theta
            out[pe] = (end[:n], sens)
        return out, failed

    def _prepare_measurements(self) -> None:
        df = self.problem.measurements.reset_index(drop=True)
        self.table = df
        names = [e.name for e in self.experiments]
        self.row_exp = np.array([names.index(str(x)) for x in df["experiment"]], dtype=np.int64)
        self.time = df["time"].to_numpy(dtype=np.float64)
        self.value = df["value"].to_numpy(dtype=np.float64)
        self.obs_of_row = df["observable"].astype(str).to_numpy()
        # per measurement row: its observable's transformation and whether its noise is Laplace
        by_obs = {o.name: o for o in self.problem.observables}
        self.row_transform = np.array([Transform(by_obs[o].transform).value
                                       for o in self.obs_of_row])
        self.row_laplace = np.array([by_obs[o].distribution is NoiseDistribution.LAPLACE
                                     for o in self.obs_of_row], dtype=bool)
        kinds = (df["censoring"].map(censoring_kind).to_numpy() if "censoring" in df.columns
                 else np.full(len(df), ""))
        # +1 below a lower limit, -1 above an upper limit, 0 an ordinary reading
        self.censor = np.where(kinds == "left", 1.0, np.where(kinds == "right", -1.0, 0.0))
        self.priors = [(k, p.prior) for k, p in enumerate(self.problem.estimated)
                       if p.prior is not None]
        # groups of experiments simulated together: same schedule
        groups: dict[str, list[int]] = {}
        for i, e in enumerate(self.experiments):
            groups.setdefault(_schedule_key(e.schedule), []).append(i)
        self.groups = list(groups.values())
        self.grids = []
        for g in self.groups:
            t = self.time[np.isin(self.row_exp, g)]
            self.grids.append(np.unique(np.concatenate([[0.0], t])))

    def _compile(self, o: Observable, text: str | float, kind: str) -> _Formula:
        problem, m = self.problem, self.model
        expr = problem.parse(text, f"observable {o.name!r} {kind}")
        holders = placeholders(kind, o.name, expr)
        xs = [sp.Symbol(s, real=True) for s in m.state_names]
        ps = [sp.Symbol(p, real=True) for p in m.parameter_names]
        qs_only = [q for q in self.q_names if q not in m.parameter_names]
        qs = [sp.Symbol(q, real=True) for q in qs_only]
        hs = [sp.Symbol(h, real=True) for h in holders]
        X, P, Q, H = (sp.MatrixSymbol(n, 1, k) for n, k in (
            ("X", len(xs)), ("P", len(ps)), ("Q", len(qs)), ("H", len(hs))))
        args = [*xs, *ps, *qs, *hs, TIME]
        if expr.free_symbols & {sp.Symbol(u, real=True) for u in m.input_names}:
            raise InvalidArgumentError(f"observable {o.name!r}: {kind} uses a model input; "
                                       "observables may use states and parameters only.")
        del X, P, Q, H

        def fn(e: sp.Expr) -> Callable[..., Any]:
            return sp.lambdify(args, e, modules="numpy")

        q_index = [self.q_names.index(q) for q in qs_only]

        def partials(symbols: list[sp.Symbol], index: list[int] | None = None
                     ) -> list[tuple[int, Callable[..., Any]]]:
            out = []
            for j, s in enumerate(symbols):
                if s in expr.free_symbols:
                    d = sp.diff(expr, s)
                    if d != 0:
                        out.append((index[j] if index else j, fn(d)))
            return out

        return _Formula(fn(expr), partials(xs), partials(ps), partials(qs, q_index),
                        partials(hs), holders)

    # ------------------------------------------------------------------ parameters
    def linear(self, z: np.ndarray) -> np.ndarray:
        """Problem values (all problem parameters, linear scale) at estimation vector ``z``."""
        z = np.asarray(z, dtype=np.float64)
        if z.shape != (len(self.estimated_names),):
            raise InvalidArgumentError(
                f"the estimation vector has {z.size} values; this problem estimates "
                f"{len(self.estimated_names)}: {list(self.estimated_names)}.")
        q = np.array([p.nominal for p in self.problem.parameters], dtype=np.float64)
        for k, (name, scale) in enumerate(zip(self.estimated_names, self.scales, strict=True)):
            q[self.q_names.index(name)] = float(scale.to_linear(z[k]))
        return q

    def _resolve(self, src: float | str, q: np.ndarray) -> float:
        return float(q[self.q_names.index(src)]) if isinstance(src, str) else float(src)

    def _subjects(self, q: np.ndarray, rows: list[int]) -> tuple[np.ndarray, np.ndarray,
                                                                 dict[str, np.ndarray]]:
        """Model parameters (R, P), initial states (R, S) of experiments ``rows`` and, per
        state, whether it follows its initial assignment."""
        m = self.model
        P = np.tile(m.parameter_values(), (len(rows), 1))
        for r, e in enumerate(rows):
            for name, src in self._param_src[e].items():
                P[r, m.parameter_names.index(name)] = self._resolve(src, q)
        X0 = np.tile(m.initial_values(), (len(rows), 1))
        assigned = m.assigned_initial_values(P) if m.initial_assignments else {}
        follows: dict[str, np.ndarray] = {}
        for name, col in assigned.items():
            X0[:, m.state_names.index(name)] = col
            follows[name] = np.ones(len(rows), dtype=bool)
        for r, e in enumerate(rows):
            for name, src in self._state_src[e].items():
                X0[r, m.state_names.index(name)] = self._resolve(src, q)
                if name in follows:
                    follows[name][r] = False
        return P, X0, follows

    # ------------------------------------------------------------------ evaluation
    def __call__(self, z: np.ndarray) -> float:
        """The negative log-likelihood at ``z`` (inf where a simulation fails)."""
        return self.evaluate(z, gradient=False).nll

    def evaluate(self, z: np.ndarray, *, gradient: bool | None = None) -> Prediction:
        """Simulate every experiment at ``z`` and compare with the measurements."""
        want = self.gradient if gradient is None else (gradient and self.gradient)
        q = self.linear(z)
        ((X, DX, Pm, failed),) = self._simulate([q], want)
        return self._predict(z, q, X, DX, Pm, failed, want)

    def objectives(self, Z: np.ndarray) -> np.ndarray:
        """``nll + neg_log_prior`` at every row of ``Z`` (estimation vectors), inf where a
        simulation fails: all rows' experiments in one batched simulation per schedule
        (lanes), no gradient. For samplers and screens that evaluate many points at once."""
        Z = np.atleast_2d(np.asarray(Z, dtype=np.float64))
        qs = [self.linear(z) for z in Z]
        out = np.full(len(qs), math.inf)
        for w, (X, DX, Pm, failed) in enumerate(self._simulate(qs, False)):
            p = self._predict(Z[w], qs[w], X, DX, Pm, failed, False)
            if p.ok and math.isfinite(p.objective):
                out[w] = p.objective
        return out

    def _simulate(self, qs: list[np.ndarray], want: bool
                  ) -> list[tuple[np.ndarray, np.ndarray | None, np.ndarray, list[str]]]:
        """States (and, with ``want``, d x / d theta) at the measurement rows for each
        problem-value vector of ``qs``, and the failures; every vector's experiments of one
        schedule share one batched simulation."""
        m = self.model
        n_rows = self.time.size
        K = len(self.estimated_names)
        n = len(m.states)
        W = len(qs)
        Xs = [np.full((n_rows, n), np.nan) for _ in range(W)]
        DXs = [np.zeros((n_rows, n, K)) if want else None for _ in range(W)]
        Pms = [np.zeros((n_rows, len(m.parameters))) for _ in range(W)]
        use_sens = want and self.sens is not None
        pre = [self._steady_states(q, use_sens) for q in qs]
        fails = [list(f) for _, f in pre]
        target: Model = self.sens.model if (use_sens and self.sens) else m
        for g_all, grid in zip(self.groups, self.grids, strict=True):
            blocks = []  # per vector: (w, experiments, P, X0, S0)
            for w, q in enumerate(qs):
                steady = pre[w][0]
                g = [e for e in g_all if e not in self.pre_of or self.pre_of[e] in steady]
                if not g:
                    continue
                P, X0, follows = self._subjects(q, g)
                # experiments after a pre-equilibration start from its steady state, except
                # the states their own settings give
                kept = {r: [i for i, s in enumerate(m.state_names)
                            if s not in self._state_src[e]]
                        for r, e in enumerate(g) if e in self.pre_of}
                for r, rows_kept in kept.items():
                    X0[r, rows_kept] = steady[self.pre_of[g[r]]][0][rows_kept]
                S0 = None
                if use_sens and self.sens is not None:
                    S0 = self.sens.initial_sensitivities(P, follows)
                    for r, rows_kept in kept.items():
                        S_theta = steady[self.pre_of[g[r]]][1]
                        carrier = self._carrier[g[r]]
                        S0[r, rows_kept, :] = 0.0
                        if S_theta is None:
                            continue
                        for j, d in enumerate(carrier):
                            if d >= 0:
                                S0[r, rows_kept, d] = S_theta[rows_kept, j]
                blocks.append((w, g, P, X0, S0))
            if not blocks:
                continue
            P = np.vstack([b[2] for b in blocks])
            X0 = np.vstack([b[3] for b in blocks])
            S0 = (np.concatenate([b[4] for b in blocks if b[4] is not None])
                  if use_sens else None)
            settings = self._settings(P, X0, S0)
            schedule: list[Jump | Infusion] = list(self.experiments[g_all[0]].schedule)
            if use_sens and self.sens is not None:
                schedule = self.sens.schedule(schedule)
            res = simulate(target, settings, saveat=grid, solver=self.solver,
                           schedule=schedule, workers=self.workers)
            r = 0
            for w, g, Pw, _, _ in blocks:
                X, DX, Pm = Xs[w], DXs[w], Pms[w]
                for k_e, e in enumerate(g):
                    rows = np.flatnonzero(self.row_exp == e)
                    if res.status[r] < 0:
                        fails[w].append(f"experiment {self.experiments[e].name!r}: "
                                        f"{res.messages[r]}")
                        r += 1
                        continue
                    k = np.searchsorted(grid, self.time[rows])
                    X[rows] = res.values[r, k, :n]
                    Pm[rows] = Pw[k_e]
                    if DX is not None and self.sens is not None:
                        S = res.values[r][:, self.sens.index]  # (K_t, n, D)
                        DX[rows] = np.einsum("tid,dk->tik", S[k], self._chain[e])
                    r += 1
        return list(zip(Xs, DXs, Pms, fails, strict=True))

    def _settings(self, P: np.ndarray, X0: np.ndarray, S0: np.ndarray | None
                  ) -> dict[str, Any]:
        """``simulate``'s settings: model parameters P (R, np), initial states X0 (R, n) and,
        for the sensitivity model, initial sensitivities S0 (R, n, directions)."""
        m = self.model
        settings: dict[str, Any] = {name: P[:, j] for j, name in enumerate(m.parameter_names)}
        settings |= {name: X0[:, j] for j, name in enumerate(m.state_names)}
        if S0 is not None and self.sens is not None:
            idx = self.sens.index
            names = self.sens.model.state_names
            for i in range(idx.shape[0]):
                for j in range(idx.shape[1]):
                    settings[names[idx[i, j]]] = S0[:, i, j]
        return settings

    def _predict(self, z: np.ndarray, q: np.ndarray, X: np.ndarray, DX: np.ndarray | None,
                 Pm: np.ndarray, failed: list[str], want: bool) -> Prediction:
        """The likelihood (and prior) of one vector's simulated states."""
        if failed:
            nan = np.full(self.time.size, np.nan)
            return Prediction(self.table, nan, nan, nan, math.inf, math.inf, None, False,
                              "; ".join(failed))
        pred = self._likelihood(z, q, X, DX, Pm, want)
        if not self.priors:
            return pred
        value, grad = self.prior(z)
        if not math.isfinite(value):
            return replace(pred, neg_log_prior=value, gradient=None, ok=False,
                           message="the parameters lie outside a uniform prior's support")
        return replace(pred, neg_log_prior=value,
                       gradient=None if pred.gradient is None else pred.gradient + grad)

    def prior(self, z: np.ndarray) -> tuple[float, np.ndarray]:
        """Minus the log prior density at ``z`` and its gradient (estimation scales)."""
        z = np.asarray(z, dtype=np.float64)
        grad = np.zeros(z.size)
        total = 0.0
        for k, pr in self.priors:
            if pr.on_estimation_scale:
                v, d = pr.neg_log_density(float(z[k]))
            else:
                v, d = pr.neg_log_density(float(self.scales[k].to_linear(z[k])))
                d *= float(self.scales[k].derivative(z[k]))
            total += v
            grad[k] = d
        return total, grad

    def curves(self, z: np.ndarray, points: int = 200) -> pd.DataFrame:
        """Each (experiment, observable) of the measurements simulated at ``z`` on ``points``
        times from 0 to its last measurement: columns experiment, observable, time,
        simulation (placeholders take the values of the pair's first measurement)."""
        parts = []
        for (exp, obs), rows in self.table.groupby(["experiment", "observable"], sort=True):
            t = np.linspace(0.0, float(rows["time"].max()), points)
            part = pd.DataFrame({"experiment": exp, "observable": obs, "time": t,
                                 "value": 1.0})
            for col in ("observable_parameters", "noise_parameters"):
                if col in rows.columns:
                    part[col] = rows[col].iloc[0]
            parts.append(part)
        dense = replace(self.problem, measurements=pd.concat(parts, ignore_index=True))
        p = Objective(dense, solver=self.solver, gradient=False,
                      workers=self.workers).evaluate(z, gradient=False)
        return p.table[["experiment", "observable", "time", "simulation"]]

    def _likelihood(self, z: np.ndarray, q: np.ndarray, X: np.ndarray, DX: np.ndarray | None,
                    Pm: np.ndarray, want: bool) -> Prediction:
        n_rows = self.time.size
        K = len(self.estimated_names)
        h = np.zeros(n_rows)
        sigma = np.zeros(n_rows)
        dh = np.zeros((n_rows, K)) if want else None
        ds = np.zeros((n_rows, K)) if want else None
        by_obs = {o.name: o for o in self.problem.observables}
        q_only = np.array([q[i] for i, n in enumerate(self.q_names)
                           if n not in self.model.parameter_names])
        for name, (f_obs, f_noise) in self._formulas.items():
            rows = np.flatnonzero(self.obs_of_row == name)
            if rows.size == 0:
                continue
            for f, out, dout, col in ((f_obs, h, dh, "observable_parameters"),
                                      (f_noise, sigma, ds, "noise_parameters")):
                Hv, Hd = self._holder_values(f, rows, col, q)
                args = [*X[rows].T, *Pm[rows].T, *np.broadcast_to(
                    q_only[:, None], (q_only.size, rows.size)), *Hv.T, self.time[rows]]
                out[rows] = np.broadcast_to(f.value(*args), rows.shape)
                if dout is None or DX is None:
                    continue
                g = np.zeros((rows.size, K))
                for i, d in f.d_x:
                    g += np.broadcast_to(d(*args), rows.shape)[:, None] * DX[rows, i, :]
                for j, d in f.d_p:
                    g += np.broadcast_to(d(*args), rows.shape)[:, None] * \
                        self._dparam(rows, j)
                for qi, d in f.d_q:
                    k = self._k.get(self.q_names[qi])
                    if k is not None:
                        g[:, k] += np.broadcast_to(d(*args), rows.shape)
                for hi, d in f.d_h:
                    g += np.broadcast_to(d(*args), rows.shape)[:, None] * Hd[:, hi, :]
                dout[rows] = g
        return self._assemble(z, h, sigma, dh, ds, by_obs)

    def _dparam(self, rows: np.ndarray, j: int) -> np.ndarray:
        """d(model parameter j)/d(theta) for measurement rows (R, K)."""
        name = self.model.parameter_names[j]
        out = np.zeros((rows.size, len(self.estimated_names)))
        for r, e in enumerate(self.row_exp[rows]):
            src = self._param_src[e].get(name)
            if isinstance(src, str) and src in self._k:
                out[r, self._k[src]] = 1.0
        return out

    def _holder_values(self, f: _Formula, rows: np.ndarray, col: str, q: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
        """Placeholder values (R, nh) of ``rows`` and their derivatives (R, nh, K)."""
        K = len(self.estimated_names)
        if not f.holders:
            return np.zeros((rows.size, 0)), np.zeros((rows.size, 0, K))
        base, named = self._holder_layout(f, rows, col)
        Hv = base.copy()
        Hd = np.zeros((rows.size, len(f.holders), K))
        if named.size:
            Hv[named[:, 0], named[:, 1]] = q[named[:, 2]]
            est = named[named[:, 3] >= 0]
            Hd[est[:, 0], est[:, 1], est[:, 3]] = 1.0
        return Hv, Hd

    def _holder_layout(self, f: _Formula, rows: np.ndarray, col: str
                       ) -> tuple[np.ndarray, np.ndarray]:
        """The measurement rows' placeholder items, parsed once: numbers (R, nh) and, for
        items naming a problem parameter, rows of (row, placeholder, q index, estimated
        index or -1)."""
        key = (id(f), col, rows.tobytes())
        cache = self._holder_cache
        if key in cache:
            return cache[key]
        base = np.zeros((rows.size, len(f.holders)))
        named: list[tuple[int, int, int, int]] = []
        values = self.table[col] if col in self.table.columns else None
        for r, i in enumerate(rows):
            items = split_overrides(values.iloc[i]) if values is not None else []
            if len(items) == 1 and len(f.holders) > 1:
                items = items * len(f.holders)
            if len(items) != len(f.holders):
                raise InvalidArgumentError(
                    f"measurements: row {i} ({self.obs_of_row[i]}) gives {len(items)} "
                    f"{col} values; its formula has {len(f.holders)} placeholders "
                    f"{f.holders}. Give one value per placeholder, ';'-separated.")
            for k, item in enumerate(items):
                if isinstance(item, str):
                    named.append((r, k, self.q_names.index(item), self._k.get(item, -1)))
                else:
                    base[r, k] = item
        layout = (base, np.array(named, dtype=np.int64).reshape(-1, 4))
        cache[key] = layout
        return layout

    def _assemble(self, z: np.ndarray, h: np.ndarray, sigma: np.ndarray,
                  dh: np.ndarray | None, ds: np.ndarray | None,
                  by_obs: dict[str, Observable]) -> Prediction:
        y = self.value
        transform, laplace = self.row_transform, self.row_laplace
        with np.errstate(all="ignore"):
            yt = np.where(transform == "log", np.log(y),
                          np.where(transform == "log10", np.log10(y), y))
            ht = np.where(transform == "log", np.log(h),
                          np.where(transform == "log10", np.log10(h), h))
            jac = np.where(transform == "log", np.log(y),
                           np.where(transform == "log10", np.log(y * _LN10), 0.0))
            r = (yt - ht) / sigma
            nll_rows = np.where(laplace, np.log(2 * sigma) + np.abs(r),
                                0.5 * np.log(2 * np.pi * sigma**2) + 0.5 * r**2) + jac
        cens = self.censor != 0
        if cens.any():
            log_cdf, hazard = _censored(self.censor[cens] * r[cens], laplace[cens])
            nll_rows[cens] = -log_cdf
        nll = float(np.sum(nll_rows))
        chi2 = float(np.sum(r[~cens] ** 2))
        arrays = (self.table, h, sigma, r)
        bad = ~np.isfinite(nll_rows) | ~(sigma > 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            msg = (f"measurement row {i} ({self.obs_of_row[i]} at t = {self.time[i]}): "
                   f"simulation {h[i]!r}, noise {sigma[i]!r} give a non-finite likelihood"
                   + (" (noise must be > 0)" if not sigma[i] > 0 else
                      " (a log-scale observable must stay > 0)" if transform[i] != "lin"
                      else ""))
            return Prediction(*arrays, math.inf, chi2, None, False, msg)
        grad = None
        if dh is not None and ds is not None:
            with np.errstate(all="ignore"):
                dht = np.where(transform == "log", 1.0 / h,
                               np.where(transform == "log10", 1.0 / (h * _LN10), 1.0))
                d_ht = np.where(laplace, -np.sign(r) / sigma, -r / sigma)  # d nll / d h~
                d_sig = np.where(laplace, 1.0 / sigma - np.abs(r) / sigma,
                                 1.0 / sigma - r**2 / sigma)
                if cens.any():  # nll = -log F(c r), c = +-1: d/dh~ = c f/F / sigma
                    c = self.censor[cens]
                    d_ht[cens] = c * hazard / sigma[cens]
                    d_sig[cens] = c * hazard * r[cens] / sigma[cens]
            g_lin = (d_ht * dht) @ dh + d_sig @ ds
            scale = np.array([float(s.derivative(zk)) for s, zk in
                              zip(self.scales, z, strict=True)])
            grad = g_lin * scale
            rjac = (-(dht / sigma)[:, None] * dh - (r / sigma)[:, None] * ds) * scale[None, :]
            return Prediction(*arrays, nll, chi2, grad, True, residual_jacobian=rjac)
        return Prediction(*arrays, nll, chi2, grad, True)


def _censored(x: np.ndarray, laplace: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log F(x) and f(x) / F(x) of the standard normal (or, where ``laplace``, the standard
    Laplace) distribution, stable far in the tails."""
    from scipy.special import log_ndtr

    with np.errstate(all="ignore"):
        log_f_normal = log_ndtr(x)
        hazard_normal = np.exp(-0.5 * x**2 - 0.5 * math.log(2 * math.pi) - log_f_normal)
        e = np.exp(-np.abs(x))
        log_f_laplace = np.where(x < 0, x - math.log(2.0), np.log1p(-0.5 * e))
        hazard_laplace = np.where(x < 0, 1.0, 0.5 * e / (1.0 - 0.5 * e))
    return (np.where(laplace, log_f_laplace, log_f_normal),
            np.where(laplace, hazard_laplace, hazard_normal))


def _schedule_key(items: tuple[Jump | Infusion, ...]) -> str:
    """Experiments with equal schedules share a simulation."""
    parts = []
    for it in items:
        if isinstance(it, Jump):
            parts.append(f"J:{it.state}:{it.times}:{np.asarray(it.amount).tolist()}:{it.op}")
        else:
            parts.append(repr(it))
    return "|".join(parts)


__all__ = ["Objective", "Prediction"]
