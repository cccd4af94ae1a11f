"""Nonlinear mixed-effects (NLME) estimation: SAEM (Monolix-style) and the standard two-stage.

Design:

* The structural model is a vectorised callable ``predict(t, psi) -> f``: ``t`` an array (n,)
  of times (days), ``psi`` a dict name -> array (n,) of individual parameter values on the
  natural scale, one entry per observation row. The estimator never loops over subjects in
  Python in its inner iterations: every kernel of the sampler is one call of ``predict`` on all
  rows of all subjects (and chains).
* Parameters (:class:`PopulationParameter`) are log-normal: ``psi_i = typical * exp(beta . x_i
  + eta_i)``, ``eta_i ~ N(0, omega^2)`` independently per parameter (diagonal Omega). ``x_i`` are
  columns of a per-subject covariate table: a column holding only 0 and 1 is a categorical
  indicator (used as is), any other numeric column is continuous and centred by its median.
  ``random=False``: a fixed effect without between-subject variability, estimated by a direct
  numeric M-step (see below); ``fixed=True``: not estimated at all.
* Data: a DataFrame with columns ``subject``, ``time`` (days) and ``value`` (fixed names).
* Residual error (:class:`ResidualError`): ``additive`` (sd ``a``), ``proportional`` (sd
  ``b |f|``), ``combined`` (sd ``sqrt(a^2 + b^2 f^2)``), normal; ``exponential``: ``log y = log f
  + a eps`` (the reported likelihood is that of ``y``, Jacobian ``-sum log y`` included).
* :func:`saem`: SAEM (Delyon, Lavielle & Moulines 1999, Ann. Stat. 27:94; Kuhn & Lavielle 2005,
  CSDA 49:1020). Simulation: the three Monolix Metropolis-Hastings kernels (independent draw
  from the population distribution, random walk on all components, random walk component by
  component, step sizes adapted towards 40% acceptance), vectorised over subjects and
  ``n_chains`` chains. Stochastic approximation of the sufficient statistics (sum over subjects
  of the individual log-parameters and their squares, the residual sum of squares) with step 1
  for ``k1`` iterations, then ``1/(k - k1)`` for ``k2`` iterations; simulated annealing of the
  omegas (they decrease by at most 5% per iteration) during the first half of ``k1``. M-step:
  closed form for log-typical values and covariate coefficients (least squares of the
  individual log-parameters on the design matrix), omegas and the additive, proportional and
  exponential residual sd. The combined error model and the ``random=False`` parameters have a
  numeric M-step (L-BFGS-B on the conditional log-likelihood of the current sample), and the
  stochastic approximation is applied to those parameters themselves (as saemix does).
* After SAEM, at the final estimates: a further ``n_post`` iterations of the sampler give the
  conditional mean and sd of each subject's parameters; the conditional modes (EBEs) come from a
  damped Newton iteration vectorised over subjects (finite-difference derivatives; subjects are
  independent, so one perturbation of a component serves all subjects); eta-shrinkage is
  ``1 - sd(EBE eta)/omega``. The log-likelihood is by importance sampling (Monolix's method:
  proposal a Student t with 5 degrees of freedom centred on the conditional mean with the
  conditional sd), giving -2LL, AIC and BIC (BIC with log of the number of subjects).
* Standard errors: the observed Fisher information is the finite-difference Hessian of the
  importance-sampled log-likelihood, with common random numbers (the proposal draws are fixed,
  in the space of individual log-parameters, so the estimate is a smooth function of the
  population parameters), on the estimation scale (log typical values, coefficients, log
  omegas, log residual parameters); SEs on the natural scale by the delta method.
* :func:`two_stage`: per-subject weighted least squares on the log parameters, then the mean
  (regression on the covariates) and covariance of the individual log-parameters (the standard
  two-stage method, Steimer et al. 1984). A subject whose fit fails is recorded with its status.
* :func:`individual_posterior` and :func:`forecast_subject`: Bayesian prediction for a new
  subject given the population estimates (Metropolis-Hastings, parallel chains). (Not named
  ``forecast``: that would shadow the module :mod:`coley.fit.forecast` if re-exported.)
"""

from __future__ import annotations

import math
import time as _time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special

from coley.errors import InvalidArgumentError, unknown_name
from coley.population import Population
from coley.population.distributions import AbstractDistribution, Fixed, LogNormal

Predict = Callable[[np.ndarray, dict[str, np.ndarray]], np.ndarray]

ERROR_MODELS = ("additive", "proportional", "combined", "exponential")
_LOG2PI = math.log(2.0 * math.pi)
_T_DF = 5.0  # degrees of freedom of the importance-sampling proposal (Monolix's choice)


# --------------------------------------------------------------------------------------------
# Specifications
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PopulationParameter:
    """One parameter of the structural model: ``psi_i = typical * exp(beta . x_i + eta_i)``.

    ``omega`` is the initial SD of ``eta`` (log scale); ``covariates`` names columns of the
    covariate table; ``lower``/``upper`` bound the typical value (and, in :func:`two_stage`, the
    individual values). ``fixed=True`` keeps ``typical`` as given (needs ``random=False``).
    """

    name: str
    typical: float
    _: KW_ONLY
    random: bool = True
    omega: float = 0.5
    covariates: tuple[str, ...] = ()
    fixed: bool = False
    lower: float | None = None
    upper: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise InvalidArgumentError(
                f"PopulationParameter name must be an identifier string. Got {self.name!r}; "
                "use a name such as 'v0'.")
        where = f"PopulationParameter {self.name!r}"
        if not (isinstance(self.typical, int | float) and math.isfinite(self.typical)
                and self.typical > 0):
            raise InvalidArgumentError(
                f"{where}: 'typical' must be a finite number > 0 (parameters are log-normal). "
                f"Got {self.typical!r}; give a positive initial value.")
        if self.fixed and self.random:
            raise InvalidArgumentError(
                f"{where}: a fixed parameter (fixed=True) cannot have a random effect "
                "(random=True). Pass random=False to fix it, or fixed=False to estimate it "
                "with between-subject variability.")
        if self.random and not (math.isfinite(self.omega) and self.omega > 0):
            raise InvalidArgumentError(
                f"{where}: 'omega' must be a finite number > 0. Got {self.omega!r}; give an "
                "initial SD of the random effect on the log scale, such as 0.5.")
        if isinstance(self.covariates, str):
            raise InvalidArgumentError(
                f"{where}: 'covariates' must be a tuple of column names. Got "
                f"{self.covariates!r}; write covariates=({self.covariates!r},).")
        object.__setattr__(self, "covariates", tuple(self.covariates))
        if self.fixed and self.covariates:
            raise InvalidArgumentError(
                f"{where}: a fixed parameter cannot have covariates {self.covariates!r} "
                "(their coefficients would be estimated). Drop them or pass fixed=False.")
        for bound, label in ((self.lower, "lower"), (self.upper, "upper")):
            if bound is not None and not (math.isfinite(bound) and bound > 0):
                raise InvalidArgumentError(
                    f"{where}: '{label}' must be a finite number > 0 or None. Got {bound!r}.")
        lo = self.lower if self.lower is not None else 0.0
        hi = self.upper if self.upper is not None else math.inf
        if not lo <= self.typical <= hi:
            raise InvalidArgumentError(
                f"{where}: 'typical' {self.typical!r} lies outside [lower, upper] = "
                f"[{self.lower!r}, {self.upper!r}]; move the initial value inside the bounds.")


@dataclass(frozen=True)
class ResidualError:
    """The residual error model and its initial parameters.

    ``kind``: ``additive`` (sd ``a``), ``proportional`` (sd ``b |f|``), ``combined`` (sd
    ``sqrt(a^2 + b^2 f^2)``) or ``exponential`` (``log y = log f + a eps``). ``a`` defaults to
    a tenth of the median absolute observation (0.1 for ``exponential``), ``b`` to 0.1.
    ``a_min`` (unit of the observations) is a floor under ``a``: the resolution of the
    measurement. Without one, data that a subject's prediction can match exactly (lesions
    measured as 0) drive ``a`` to 0 and the likelihood to infinity.
    """

    kind: str = "proportional"
    _: KW_ONLY
    a: float | None = None
    b: float | None = None
    a_min: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in ERROR_MODELS:
            raise unknown_name("residual error model", str(self.kind), ERROR_MODELS,
                               where="ResidualError(kind=...)")
        for value, label in ((self.a, "a"), (self.b, "b")):
            if value is not None and not (math.isfinite(value) and value > 0):
                raise InvalidArgumentError(
                    f"ResidualError: '{label}' must be a finite number > 0 or None. Got "
                    f"{value!r}; give an initial residual error parameter.")
        if not (math.isfinite(self.a_min) and self.a_min >= 0):
            raise InvalidArgumentError(
                f"ResidualError: 'a_min' must be a finite number >= 0. Got {self.a_min!r}.")
        if self.a_min > 0 and not self.uses_a:
            raise InvalidArgumentError(
                f"ResidualError: 'a_min' bounds the additive part, which the {self.kind!r} "
                "model lacks; use 'combined' or drop a_min.")

    @property
    def uses_a(self) -> bool:
        return self.kind in ("additive", "combined", "exponential")

    @property
    def uses_b(self) -> bool:
        return self.kind in ("proportional", "combined")


# --------------------------------------------------------------------------------------------
# The compiled problem (private)
# --------------------------------------------------------------------------------------------


@dataclass
class _Model:
    """Everything the estimator needs, as arrays (subjects sorted, rows grouped by subject)."""

    predict: Predict
    parameters: tuple[PopulationParameter, ...]
    error: ResidualError
    subjects: np.ndarray               # (N,) subject ids
    row_subject: np.ndarray            # (n,) subject index per observation row
    t: np.ndarray                      # (n,)
    y: np.ndarray                      # (n,) observation (log y for exponential)
    log_jacobian: float                # -sum log y for exponential, else 0
    starts: np.ndarray                 # (N,) first row of each subject
    counts: np.ndarray                 # (N,)
    random: tuple[int, ...]            # indices into parameters
    nonrandom: tuple[int, ...]         # estimated without random effect
    fixed: tuple[int, ...]
    designs: dict[str, np.ndarray]     # name -> (N, 1 + n_cov) design (intercept first)
    centres: dict[str, tuple[float, bool]]  # covariate -> (centre, is_indicator)
    a0: float
    b0: float

    @property
    def n_subjects(self) -> int:
        return int(self.subjects.size)


@dataclass
class _Theta:
    """Population parameters: coefficients (log typical first) per parameter, omegas, error."""

    coef: dict[str, np.ndarray]
    omega: dict[str, float]
    a: float
    b: float

    def copy(self) -> _Theta:
        return _Theta({k: v.copy() for k, v in self.coef.items()}, dict(self.omega),
                      self.a, self.b)


def _check_data(data: Any) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise InvalidArgumentError(
            f"'data' must be a pandas DataFrame with columns subject, time, value. Got "
            f"{type(data).__name__}.")
    missing = [c for c in ("subject", "time", "value") if c not in data.columns]
    if missing:
        raise InvalidArgumentError(
            f"'data' lacks column(s) {missing}; it has {list(data.columns)}. Rename the "
            "columns to subject, time and value.")
    frame = data[["subject", "time", "value"]].copy()
    for col in ("time", "value"):
        try:
            frame[col] = frame[col].astype(float)
        except (TypeError, ValueError):
            raise InvalidArgumentError(
                f"'data' column {col!r} must be numeric; convert it (pd.to_numeric).") from None
        bad = frame.index[~np.isfinite(frame[col].to_numpy())]
        if len(bad):
            raise InvalidArgumentError(
                f"'data' column {col!r} has missing or non-finite values in rows "
                f"{list(bad[:10])}; drop those rows (data.dropna()).")
    if frame["subject"].isna().any():
        raise InvalidArgumentError("'data' column 'subject' has missing values; drop them.")
    return frame


def _covariate_columns(parameters: Sequence[PopulationParameter],
                       covariates: pd.DataFrame | None,
                       subjects: np.ndarray) -> tuple[dict[str, np.ndarray],
                                                      dict[str, tuple[float, bool]]]:
    wanted = sorted({c for p in parameters for c in p.covariates})
    if not wanted:
        return {}, {}
    if covariates is None:
        raise InvalidArgumentError(
            f"parameters use covariates {wanted} but no 'covariates' table was given; pass "
            "covariates=DataFrame with a 'subject' column and one column per covariate.")
    if not isinstance(covariates, pd.DataFrame):
        raise InvalidArgumentError(
            f"'covariates' must be a pandas DataFrame. Got {type(covariates).__name__}.")
    table = covariates.set_index("subject") if "subject" in covariates.columns else covariates
    for name in wanted:
        if name not in table.columns:
            raise unknown_name("covariate", name, [str(c) for c in table.columns],
                               where="the covariates table")
    if table.index.duplicated().any():
        dup = list(table.index[table.index.duplicated()][:5])
        raise InvalidArgumentError(
            f"'covariates' has several rows for subject(s) {dup}; give one row per subject.")
    lacking = [s for s in subjects if s not in table.index]
    if lacking:
        raise InvalidArgumentError(
            f"'covariates' has no row for subject(s) {lacking[:10]}; add them or drop those "
            "subjects from 'data'.")
    columns: dict[str, np.ndarray] = {}
    centres: dict[str, tuple[float, bool]] = {}
    for name in wanted:
        try:
            raw = table.loc[list(subjects), name].to_numpy(dtype=float)
        except (TypeError, ValueError):
            raise InvalidArgumentError(
                f"covariate {name!r} must be numeric (categorical ones as 0/1 columns); "
                "encode it, e.g. with pd.get_dummies(..., drop_first=True).") from None
        if not np.all(np.isfinite(raw)):
            raise InvalidArgumentError(
                f"covariate {name!r} has missing values; impute or drop those subjects.")
        indicator = bool(np.all(np.isin(raw, (0.0, 1.0))))
        centre = 0.0 if indicator else float(np.median(raw))
        columns[name] = raw - centre
        centres[name] = (centre, indicator)
    return columns, centres


def _compile(predict: Predict, data: pd.DataFrame, parameters: Sequence[PopulationParameter],
             error: ResidualError | str, covariates: pd.DataFrame | None, *,
             min_readings: int = 2) -> _Model:
    if not callable(predict):
        raise InvalidArgumentError(
            f"'predict' must be a callable predict(t, psi) -> array. Got {predict!r}.")
    if isinstance(error, str):
        error = ResidualError(error)
    if not isinstance(error, ResidualError):
        raise InvalidArgumentError(
            f"'error' must be a ResidualError or one of {ERROR_MODELS}. Got {error!r}.")
    parameters = tuple(parameters)
    if not parameters or not all(isinstance(p, PopulationParameter) for p in parameters):
        raise InvalidArgumentError(
            "'parameters' must be a non-empty sequence of PopulationParameter. Got "
            f"{parameters!r}.")
    names = [p.name for p in parameters]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise InvalidArgumentError(f"'parameters' repeats name(s) {dups}; give each once.")
    if not any(p.random for p in parameters):
        raise InvalidArgumentError(
            "'parameters': at least one parameter needs random=True; a model without random "
            "effects is an ordinary fit (use coley.fit).")
    frame = _check_data(data).sort_values(["subject", "time"], kind="stable")
    counts_s = frame.groupby("subject", sort=True).size()
    few = [s for s, c in counts_s.items() if c < min_readings]
    if few:
        raise InvalidArgumentError(
            f"'data': subject(s) {few[:10]}{' ...' if len(few) > 10 else ''} have fewer than "
            f"{min_readings} readings; drop them (or add readings) before fitting.")
    value = frame["value"].to_numpy(dtype=float)
    if error.kind == "exponential":
        bad = frame.index[value <= 0]
        if len(bad):
            subj = list(frame.loc[bad[:5], "subject"])
            raise InvalidArgumentError(
                f"'data': the exponential (log) error model needs values > 0, but row(s) "
                f"{list(bad[:5])} (subject(s) {subj}) are <= 0; use a non-log error model "
                "(additive, proportional or combined) or drop those rows.")
    subjects = np.asarray(counts_s.index)
    codes = pd.Categorical(frame["subject"], categories=subjects).codes.astype(np.intp)
    counts = counts_s.to_numpy(dtype=np.intp)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.intp)
    cov_cols, centres = _covariate_columns(parameters, covariates, subjects)
    designs = {p.name: np.column_stack([np.ones(subjects.size)]
                                       + [cov_cols[c] for c in p.covariates])
               for p in parameters}
    y = np.log(value) if error.kind == "exponential" else value
    scale = float(np.median(np.abs(value))) or 1.0
    a0 = error.a if error.a is not None else (0.1 if error.kind == "exponential" else 0.1 * scale)
    a0 = max(a0, error.a_min)
    b0 = error.b if error.b is not None else 0.1
    model = _Model(
        predict=predict, parameters=parameters, error=error, subjects=subjects,
        row_subject=codes, t=frame["time"].to_numpy(dtype=float), y=y,
        log_jacobian=-float(np.sum(y)) if error.kind == "exponential" else 0.0,
        starts=starts, counts=counts,
        random=tuple(i for i, p in enumerate(parameters) if p.random),
        nonrandom=tuple(i for i, p in enumerate(parameters) if not p.random and not p.fixed),
        fixed=tuple(i for i, p in enumerate(parameters) if p.fixed),
        designs=designs, centres=centres, a0=float(a0), b0=float(b0))
    _check_predict(model)
    return model


def _check_predict(model: _Model) -> None:
    psi = {p.name: np.full(model.t.size, p.typical) for p in model.parameters}
    try:
        with np.errstate(all="ignore"):
            f = np.asarray(model.predict(model.t.copy(), psi), dtype=float)
    except Exception as exc:  # the user's function: report its failure with the fix
        raise InvalidArgumentError(
            f"'predict' failed at the initial typical values: {type(exc).__name__}: {exc}. It "
            "must accept (t, psi) with arrays of one value per observation row.") from exc
    if f.shape != model.t.shape:
        raise InvalidArgumentError(
            f"'predict' must return an array of shape {model.t.shape} (one value per row, "
            f"vectorised over rows); it returned shape {f.shape}.")


def _initial_theta(model: _Model) -> _Theta:
    coef = {}
    for p in model.parameters:
        c = np.zeros(model.designs[p.name].shape[1])
        c[0] = math.log(p.typical)
        coef[p.name] = c
    omega = {model.parameters[j].name: float(model.parameters[j].omega) for j in model.random}
    return _Theta(coef, omega, model.a0, model.b0)


def _log_bounds(p: PopulationParameter) -> tuple[float, float]:
    return (math.log(p.lower) if p.lower is not None else -math.inf,
            math.log(p.upper) if p.upper is not None else math.inf)


# --------------------------------------------------------------------------------------------
# Likelihood pieces
# --------------------------------------------------------------------------------------------


def _obs_logpdf(kind: str, y: np.ndarray, f: np.ndarray, a: float, b: float) -> np.ndarray:
    """Log density of each observation (on the log scale for the exponential model)."""
    with np.errstate(all="ignore"):
        if kind == "exponential":
            f = np.log(f)
            g: np.ndarray | float = a
        elif kind == "additive":
            g = a
        elif kind == "proportional":
            g = np.maximum(b * np.abs(f), 1e-300)
        else:
            g = np.sqrt(a * a + b * b * f * f)
        r = (y - f) / g
        lp = -0.5 * _LOG2PI - np.log(g) - 0.5 * r * r
    lp = np.asarray(lp, dtype=float)
    lp[~np.isfinite(lp)] = -np.inf
    return lp


class _Rows:
    """Observation rows expanded over ``reps`` replicate copies of the subjects (chains or
    importance samples): replicate-major, then subject, so each subject-replicate is one
    contiguous block (``np.add.reduceat`` sums it)."""

    def __init__(self, model: _Model, reps: int) -> None:
        n, N = model.t.size, model.n_subjects
        self.model, self.reps = model, reps
        self.t = np.tile(model.t, reps)
        self.y = np.tile(model.y, reps)
        self.row = (np.arange(reps)[:, None] * N + model.row_subject[None, :]).ravel()
        self.starts = (np.arange(reps)[:, None] * n + model.starts[None, :]).ravel()
        self.n_rows = reps * N

    def psi(self, phi: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Per-row natural values from per-(replicate, subject) log values (R,)."""
        return {k: np.exp(v[self.row]) for k, v in phi.items()}

    def predict(self, phi: dict[str, np.ndarray]) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.asarray(self.model.predict(self.t, self.psi(phi)), dtype=float)

    def loglik(self, f: np.ndarray, theta: _Theta) -> np.ndarray:
        lp = _obs_logpdf(self.model.error.kind, self.y, f, theta.a, theta.b)
        return np.add.reduceat(lp, self.starts)


def _mean_phi(model: _Model, theta: _Theta, reps: int) -> dict[str, np.ndarray]:
    """Population mean of the log-parameters per (replicate, subject), all parameters."""
    out = {}
    for p in model.parameters:
        mu = model.designs[p.name] @ theta.coef[p.name]
        out[p.name] = np.tile(mu, reps)
    return out


# --------------------------------------------------------------------------------------------
# The Metropolis-Hastings sampler (vectorised over subjects and chains)
# --------------------------------------------------------------------------------------------


class _Sampler:
    def __init__(self, model: _Model, rows: _Rows, rng: np.random.Generator,
                 kernels: tuple[int, int, int]) -> None:
        self.model, self.rows, self.rng, self.kernels = model, rows, rng, kernels
        self.names = [model.parameters[j].name for j in model.random]
        q = len(self.names)
        self.scale2 = 0.5
        self.scale3 = np.full(q, 0.5)
        self.phi: dict[str, np.ndarray] = {}
        self.ll = np.zeros(rows.n_rows)
        self.accept = np.zeros(3)

    def start(self, theta: _Theta) -> None:
        self.mu = _mean_phi(self.model, theta, self.rows.reps)
        self.phi = {k: v.copy() for k, v in self.mu.items()}
        self.ll = self.rows.loglik(self.rows.predict(self.phi), theta)
        bad = ~np.isfinite(self.ll[: self.model.n_subjects])
        if bad.any():
            raise InvalidArgumentError(
                f"the initial typical values give a non-finite likelihood for subject(s) "
                f"{list(self.model.subjects[bad][:10])} (the prediction is not finite, or "
                "zero with a proportional or log error model); change the initial 'typical' "
                "values or the error model.")

    def set_theta(self, theta: _Theta) -> None:
        """New population parameters: the fixed-effect log values follow, the log-likelihood of
        the current state is recomputed."""
        self.mu = _mean_phi(self.model, theta, self.rows.reps)
        for j, p in enumerate(self.model.parameters):
            if j not in self.model.random:
                self.phi[p.name] = self.mu[p.name].copy()
        self.ll = self.rows.loglik(self.rows.predict(self.phi), theta)

    def _prior(self, phi: dict[str, np.ndarray], omega: dict[str, float]) -> np.ndarray:
        out = np.zeros(self.rows.n_rows)
        for k in self.names:
            out -= 0.5 * ((phi[k] - self.mu[k]) / omega[k]) ** 2
        return out

    def _mh(self, prop: dict[str, np.ndarray], theta: _Theta, log_extra: np.ndarray) -> float:
        ll_new = self.rows.loglik(self.rows.predict(prop), theta)
        with np.errstate(invalid="ignore"):
            log_r = ll_new - self.ll + log_extra
        ok = np.log(self.rng.random(self.rows.n_rows)) < log_r
        for k in self.names:
            self.phi[k] = np.where(ok, prop[k], self.phi[k])
        self.ll = np.where(ok, ll_new, self.ll)
        return float(ok.mean())

    def step(self, theta: _Theta) -> None:
        R, om = self.rows.n_rows, theta.omega
        n1, n2, n3 = self.kernels
        for _ in range(n1):  # independent draw from the population distribution
            prop = dict(self.phi)
            for k in self.names:
                prop[k] = self.mu[k] + om[k] * self.rng.standard_normal(R)
            self.accept[0] = self._mh(prop, theta, np.zeros(R))
        for _ in range(n2):  # random walk on all components
            prop = dict(self.phi)
            for k in self.names:
                prop[k] = self.phi[k] + self.scale2 * om[k] * self.rng.standard_normal(R)
            extra = self._prior(prop, om) - self._prior(self.phi, om)
            acc = self._mh(prop, theta, extra)
            self.accept[1] = acc
            self.scale2 *= 1.0 + 0.4 * (acc - 0.4)
        for _ in range(n3):  # component-wise random walk
            for j, k in enumerate(self.names):
                prop = dict(self.phi)
                prop[k] = self.phi[k] + self.scale3[j] * om[k] * self.rng.standard_normal(R)
                extra = (-0.5 * ((prop[k] - self.mu[k]) / om[k]) ** 2
                         + 0.5 * ((self.phi[k] - self.mu[k]) / om[k]) ** 2)
                acc = self._mh(prop, theta, extra)
                self.accept[2] = acc
                self.scale3[j] *= 1.0 + 0.4 * (acc - 0.4)


# --------------------------------------------------------------------------------------------
# SAEM
# --------------------------------------------------------------------------------------------


def _labels(model: _Model) -> list[str]:
    out = []
    for p in model.parameters:
        if p.fixed:
            continue
        out.append(p.name)
        out.extend(f"beta_{p.name}_{c}" for c in p.covariates)
    out.extend(f"omega_{model.parameters[j].name}" for j in model.random)
    if model.error.uses_a:
        out.append("error_a")
    if model.error.uses_b:
        out.append("error_b")
    return out


def _pack(model: _Model, theta: _Theta) -> np.ndarray:
    """The estimation-scale vector, in the order of :func:`_labels`."""
    out: list[float] = []
    for p in model.parameters:
        if not p.fixed:
            out.extend(theta.coef[p.name])
    out.extend(math.log(theta.omega[model.parameters[j].name]) for j in model.random)
    if model.error.uses_a:
        out.append(math.log(theta.a))
    if model.error.uses_b:
        out.append(math.log(theta.b))
    return np.array(out)


def _unpack(model: _Model, x: np.ndarray, base: _Theta) -> _Theta:
    theta = base.copy()
    i = 0
    for p in model.parameters:
        if not p.fixed:
            m = theta.coef[p.name].size
            theta.coef[p.name] = np.array(x[i:i + m], dtype=float)
            i += m
    for j in model.random:
        theta.omega[model.parameters[j].name] = math.exp(x[i])
        i += 1
    if model.error.uses_a:
        theta.a = math.exp(x[i])
        i += 1
    if model.error.uses_b:
        theta.b = math.exp(x[i])
    return theta


def _natural(model: _Model, theta: _Theta) -> dict[str, float]:
    """Estimates on the reporting scale, keyed by :func:`_labels`."""
    x = _pack(model, theta)
    out = {}
    i = 0
    for p in model.parameters:
        if p.fixed:
            continue
        out[p.name] = math.exp(x[i])
        for c in p.covariates:
            i += 1
            out[f"beta_{p.name}_{c}"] = float(x[i])
        i += 1
    for j in model.random:
        out[f"omega_{model.parameters[j].name}"] = math.exp(x[i])
        i += 1
    if model.error.uses_a:
        out["error_a"] = theta.a
    if model.error.uses_b:
        out["error_b"] = theta.b
    return out


def _numeric_mstep(model: _Model, rows: _Rows, phi: dict[str, np.ndarray],
                   theta: _Theta) -> _Theta:
    """Maximise the conditional log-likelihood of the current sample over the ``random=False``
    coefficients and (for the combined model) the residual error parameters."""
    nr = [model.parameters[j] for j in model.nonrandom]
    kind = model.error.kind
    numeric_error = kind == "combined" or bool(nr)
    x0: list[float] = []
    bounds: list[tuple[float | None, float | None]] = []
    for p in nr:
        x0.extend(theta.coef[p.name])
        lo, hi = _log_bounds(p)
        bounds.append((lo if math.isfinite(lo) else None, hi if math.isfinite(hi) else None))
        bounds.extend([(None, None)] * (len(p.covariates)))
    err_idx = len(x0)
    if numeric_error:
        if model.error.uses_a:
            x0.append(math.log(theta.a))
            a_min = model.error.a_min
            bounds.append((math.log(a_min) if a_min > 0 else None, None))
        if model.error.uses_b:
            x0.append(math.log(theta.b))
            bounds.append((None, None))
    if not x0:
        return theta
    reps = rows.reps

    def unpack(x: np.ndarray) -> _Theta:
        th = theta.copy()
        i = 0
        for p in nr:
            m = th.coef[p.name].size
            th.coef[p.name] = np.array(x[i:i + m])
            i += m
        if numeric_error:  # exponents clipped: BFGS may probe far in a flat direction
            if model.error.uses_a:
                th.a = math.exp(min(max(x[i], -700.0), 700.0))
                i += 1
            if model.error.uses_b:
                th.b = math.exp(min(max(x[i], -700.0), 700.0))
        return th

    cache: dict[bytes, np.ndarray] = {}

    def objective(x: np.ndarray) -> float:
        th = unpack(x)
        key = np.asarray(x[:err_idx]).tobytes()
        if key not in cache:
            ph = dict(phi)
            for p in nr:
                ph[p.name] = np.tile(model.designs[p.name] @ th.coef[p.name], reps)
            cache[key] = rows.predict(ph)
        total = float(rows.loglik(cache[key], th).sum())
        return -total / reps if math.isfinite(total) else 1e300

    # BFGS (few parameters; cheaper per step here than L-BFGS-B), then the bounds by clipping
    res = optimize.minimize(objective, np.array(x0), method="BFGS",
                            options={"maxiter": 30, "gtol": 1e-4})
    lower = np.array([-np.inf if bd[0] is None else bd[0] for bd in bounds])
    upper = np.array([np.inf if bd[1] is None else bd[1] for bd in bounds])
    return unpack(np.clip(res.x, lower, upper))


@dataclass(frozen=True)
class NLMEResult:
    """The result of :func:`saem`: population estimates with standard errors, individual
    estimates, shrinkage, the likelihood by importance sampling and the SAEM trajectory."""

    estimates: pd.Series
    se: pd.Series
    individual: pd.DataFrame
    conditional_mean: pd.DataFrame
    shrinkage: pd.Series
    log_likelihood: float
    log_likelihood_se: float
    n_estimated: int
    n_subjects: int
    n_observations: int
    trajectory: pd.DataFrame
    acceptance: tuple[float, float, float]
    se_message: str
    seed: int
    wall_s: float
    _: KW_ONLY
    model: _Model = field(repr=False)
    theta: _Theta = field(repr=False)

    @property
    def typical(self) -> dict[str, float]:
        return {p.name: (float(self.estimates[p.name]) if not p.fixed else p.typical)
                for p in self.model.parameters}

    @property
    def omega(self) -> dict[str, float]:
        return {k: float(self.estimates[f"omega_{k}"]) for k in self.theta.omega}

    @property
    def minus2ll(self) -> float:
        return -2.0 * self.log_likelihood

    def population(self) -> Population:
        """The fitted population as a coley virtual population: each random parameter
        log-normal at its typical value (median) and omega (sd of the log), the others fixed
        at their estimates; independent, as the estimated Omega is diagonal. Its draws follow
        coley's per-patient streams (``Population.draw(seed, patients)``)."""
        with_covariates = [p.name for p in self.model.parameters if p.covariates]
        if with_covariates:
            raise InvalidArgumentError(
                f"NLMEResult.population: parameter(s) {with_covariates} have covariate effects, "
                "and a virtual population needs covariate distributions too; refit without "
                "covariates, or build the Population yourself from the estimates."
            )
        typical, omega = self.typical, self.omega
        dists: dict[str, AbstractDistribution] = {
            name: LogNormal(value, omega[name]) if name in omega else Fixed(value)
            for name, value in typical.items()}
        return Population(dists)

    def simulate_readings(self, f: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Readings with residual error (the fitted error model) around predictions ``f``."""
        f = np.asarray(f, dtype=float)
        eps = rng.standard_normal(f.shape)
        kind, theta = self.model.error.kind, self.theta
        with np.errstate(over="ignore", invalid="ignore"):  # an exploding curve reads inf
            if kind == "exponential":
                return f * np.exp(theta.a * eps)
            if kind == "additive":
                return f + theta.a * eps
            if kind == "proportional":
                return f + theta.b * np.abs(f) * eps
            return f + np.sqrt(theta.a**2 + theta.b**2 * f**2) * eps

    @property
    def aic(self) -> float:
        return -2.0 * self.log_likelihood + 2.0 * self.n_estimated

    @property
    def bic(self) -> float:
        return -2.0 * self.log_likelihood + self.n_estimated * math.log(self.n_subjects)

    def table(self) -> pd.DataFrame:
        """The population table: parameter, estimate, se, rse_percent (fixed ones last)."""
        est = self.estimates
        with np.errstate(divide="ignore", invalid="ignore"):
            rse = 100.0 * self.se / est.abs()
        out = pd.DataFrame({"parameter": est.index, "estimate": est.to_numpy(),
                            "se": self.se.to_numpy(), "rse_percent": rse.to_numpy(),
                            "fixed": False})
        fixed = [p for p in self.model.parameters if p.fixed]
        if fixed:
            out = pd.concat([out, pd.DataFrame({
                "parameter": [p.name for p in fixed], "estimate": [p.typical for p in fixed],
                "se": np.nan, "rse_percent": np.nan, "fixed": True})], ignore_index=True)
        return out

    def predict_individual(self, t: Sequence[float] | np.ndarray) -> pd.DataFrame:
        """Predictions of every subject (at its EBE) at times ``t``: subject, time,
        prediction."""
        times = np.asarray(t, dtype=float).ravel()
        N = self.n_subjects
        psi = {p.name: np.repeat(self.individual[p.name].to_numpy(dtype=float), times.size)
               for p in self.model.parameters}
        f = np.asarray(self.model.predict(np.tile(times, N), psi), dtype=float)
        return pd.DataFrame({"subject": np.repeat(self.model.subjects, times.size),
                             "time": np.tile(times, N), "prediction": f})

    def predict_population(self, t: Sequence[float] | np.ndarray, *,
                           covariates: Mapping[str, float] | None = None) -> pd.DataFrame:
        """The typical prediction (eta = 0) at times ``t``, for covariate values given on
        their own scale (default: the median, or 0 for an indicator)."""
        times = np.asarray(t, dtype=float).ravel()
        phi = _subject_mean_phi(self.model, self.theta, covariates)
        psi = {k: np.full(times.size, math.exp(v)) for k, v in phi.items()}
        f = np.asarray(self.model.predict(times, psi), dtype=float)
        return pd.DataFrame({"time": times, "prediction": f})


def _subject_mean_phi(model: _Model, theta: _Theta,
                      covariates: Mapping[str, float] | None) -> dict[str, float]:
    covariates = dict(covariates or {})
    for name in covariates:
        if name not in model.centres:
            raise unknown_name("covariate", name, model.centres, where="this fit's covariates")
    out = {}
    for p in model.parameters:
        x = [1.0]
        for c in p.covariates:
            centre, indicator = model.centres[c]
            x.append(float(covariates.get(c, 0.0 if indicator else centre)) - centre)
        out[p.name] = float(np.dot(x, theta.coef[p.name]))
    return out


def _positive_int(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise InvalidArgumentError(
            f"'{name}' must be an integer >= {minimum}. Got {value!r}.")
    return int(value)


def saem(predict: Predict, data: pd.DataFrame, parameters: Sequence[PopulationParameter], *,
         error: ResidualError | str = "proportional",
         covariates: pd.DataFrame | None = None,
         k1: int = 200, k2: int = 100, n_chains: int = 1,
         kernels: tuple[int, int, int] = (2, 2, 2),
         n_post: int = 50, n_importance: int = 500,
         standard_errors: bool = True, seed: int = 0) -> NLMEResult:
    """Fit a nonlinear mixed-effects model by SAEM; see the module docstring for the method.

    ``k1`` iterations with step 1, then ``k2`` with step ``1/(k - k1)``; ``n_chains`` Markov
    chains per subject; ``kernels`` the number of passes of each of the three MH kernels per
    iteration; ``n_post`` sampler iterations at the estimates for the conditional means;
    ``n_importance`` importance samples per subject for the log-likelihood and the standard
    errors (``standard_errors=False`` skips the Hessian).
    """
    start_time = _time.perf_counter()
    k1 = _positive_int(k1, "k1")
    k2 = _positive_int(k2, "k2")
    n_chains = _positive_int(n_chains, "n_chains")
    n_post = _positive_int(n_post, "n_post")
    n_importance = _positive_int(n_importance, "n_importance", 10)
    if len(kernels) != 3 or any(_positive_int(k, "kernels", 0) < 0 for k in kernels) \
            or sum(kernels) == 0:
        raise InvalidArgumentError(
            f"'kernels' must be three integers >= 0, not all 0. Got {kernels!r}.")
    model = _compile(predict, data, parameters, error, covariates)
    rng = np.random.default_rng(seed)
    rows = _Rows(model, n_chains)
    theta = _initial_theta(model)
    sampler = _Sampler(model, rows, rng, tuple(kernels))  # type: ignore[arg-type]
    sampler.start(theta)
    N, L = model.n_subjects, n_chains
    names_r = [model.parameters[j].name for j in model.random]
    kind = model.error.kind
    closed_error = kind in ("additive", "proportional", "exponential") and not model.nonrandom
    n_obs = model.t.size
    S1 = {k: np.zeros(N) for k in names_r}
    S2 = dict.fromkeys(names_r, 0.0)
    S3 = 0.0
    labels = _labels(model)
    trajectory = np.zeros((k1 + k2, len(labels)))
    for _ in range(5):  # burn-in of the chains at the initial values
        sampler.step(theta)
    for it in range(1, k1 + k2 + 1):
        sampler.step(theta)
        gamma = 1.0 if it <= k1 else 1.0 / (it - k1)
        f = rows.predict(sampler.phi)
        for name in names_r:
            ph = sampler.phi[name].reshape(L, N)
            S1[name] += gamma * (ph.mean(axis=0) - S1[name])
            S2[name] += gamma * (float((ph**2).sum()) / L - S2[name])
        if closed_error:
            with np.errstate(all="ignore"):
                if kind == "proportional":
                    r = (rows.y - f) / f
                elif kind == "exponential":
                    r = rows.y - np.log(f)
                else:
                    r = rows.y - f
            S3 += gamma * (float(np.sum(r * r)) / L - S3)
        new = theta.copy()
        for j in model.random:
            p = model.parameters[j]
            X = model.designs[p.name]
            c = np.linalg.solve(X.T @ X, X.T @ S1[p.name])
            lo, hi = _log_bounds(p)
            c[0] = min(max(c[0], lo), hi)
            new.coef[p.name] = c
            om2 = (S2[p.name] - 2.0 * c @ (X.T @ S1[p.name]) + c @ (X.T @ X) @ c) / N
            om2 = max(om2, 1e-12)
            if it <= k1 // 2:  # simulated annealing: omega decreases at most 5% per iteration
                om2 = max(om2, (0.95 * theta.omega[p.name]) ** 2)
            new.omega[p.name] = math.sqrt(om2)
        if closed_error:
            sd = math.sqrt(max(S3 / n_obs, 1e-300))
            if kind == "proportional":
                new.b = sd
            else:
                new.a = max(sd, model.error.a_min)
        else:
            num = _numeric_mstep(model, rows, sampler.phi, new)
            for j in model.nonrandom:
                name = model.parameters[j].name
                new.coef[name] = theta.coef[name] + gamma * (num.coef[name] - theta.coef[name])
            if kind == "combined" or model.nonrandom:
                new.a = max(model.error.a_min, math.exp(
                    math.log(theta.a) + gamma * (math.log(num.a) - math.log(theta.a))))
                new.b = math.exp(math.log(theta.b) + gamma * (math.log(num.b) - math.log(theta.b)))
        theta = new
        sampler.set_theta(theta)
        trajectory[it - 1] = list(_natural(model, theta).values())
    acceptance = (float(sampler.accept[0]), float(sampler.accept[1]), float(sampler.accept[2]))

    # conditional distributions at the estimates
    sums = {k: np.zeros(N) for k in names_r}
    sq = {k: np.zeros(N) for k in names_r}
    psi_sum = {k: np.zeros(N) for k in names_r}
    for _ in range(n_post):
        sampler.step(theta)
        for k in names_r:
            ph = sampler.phi[k].reshape(L, N)
            sums[k] += ph.sum(axis=0)
            sq[k] += (ph**2).sum(axis=0)
            psi_sum[k] += np.exp(ph).sum(axis=0)
    m = n_post * L
    cmean = {k: sums[k] / m for k in names_r}
    csd = {k: np.sqrt(np.maximum(sq[k] / m - cmean[k] ** 2, 0.0)) for k in names_r}
    for k in names_r:
        csd[k] = np.maximum(csd[k], 1e-3 * theta.omega[k])

    ebe = _conditional_modes(model, theta, cmean)
    mu = _mean_phi(model, theta, 1)
    shrink = {}
    for k in names_r:
        eta = ebe[k] - mu[k]
        shrink[k] = 1.0 - float(np.std(eta, ddof=1)) / theta.omega[k]
    individual = pd.DataFrame(
        {p.name: np.exp(ebe[p.name] if p.random else mu[p.name]) for p in model.parameters},
        index=pd.Index(model.subjects, name="subject"))
    for k in names_r:
        individual[f"eta_{k}"] = ebe[k] - mu[k]
    cond = pd.DataFrame({k: psi_sum[k] / m for k in names_r},
                        index=pd.Index(model.subjects, name="subject"))
    for k in names_r:
        cond[f"sd_log_{k}"] = csd[k]

    importance = _Importance(model, theta, cmean, csd, n_importance, rng)
    x_hat = _pack(model, theta)
    ll, ll_se = importance.loglik(x_hat)
    estimates = pd.Series(_natural(model, theta), name="estimate")
    se = pd.Series(np.nan, index=estimates.index, name="se")
    message = "standard errors not requested"
    if standard_errors:
        cov, message = importance.covariance(x_hat)
        if cov is not None:
            se_x = np.sqrt(np.diag(cov))
            natural = estimates.to_numpy()
            log_scaled = np.array([not lab.startswith("beta_") for lab in labels])
            se = pd.Series(np.where(log_scaled, natural * se_x, se_x), index=estimates.index,
                           name="se")
    return NLMEResult(
        estimates=estimates, se=se, individual=individual, conditional_mean=cond,
        shrinkage=pd.Series(shrink, name="shrinkage"), log_likelihood=ll,
        log_likelihood_se=ll_se, n_estimated=len(labels), n_subjects=N,
        n_observations=n_obs,
        trajectory=pd.DataFrame(trajectory, columns=labels,
                                index=pd.RangeIndex(1, k1 + k2 + 1, name="iteration")),
        acceptance=acceptance, se_message=message, seed=seed,
        wall_s=_time.perf_counter() - start_time, model=model, theta=theta)


def _conditional_modes(model: _Model, theta: _Theta, start: dict[str, np.ndarray], *,
                       iterations: int = 40, h: float = 1e-3) -> dict[str, np.ndarray]:
    """MAP of each subject's random log-parameters: damped Newton (Levenberg-Marquardt),
    vectorised over subjects, with finite-difference gradient and Hessian."""
    rows = _Rows(model, 1)
    mu = _mean_phi(model, theta, 1)
    names = [model.parameters[j].name for j in model.random]
    q, N = len(names), model.n_subjects

    def objective(x: np.ndarray) -> np.ndarray:
        phi = dict(mu)
        prior = np.zeros(N)
        for j, k in enumerate(names):
            phi[k] = x[:, j]
            prior += 0.5 * ((x[:, j] - mu[k]) / theta.omega[k]) ** 2
        val = prior - rows.loglik(rows.predict(phi), theta)
        return np.where(np.isfinite(val), val, np.inf)

    x = np.column_stack([start[k] for k in names])
    fx = objective(x)
    lam = np.full(N, 1e-3)
    eye = np.eye(q)
    for _ in range(iterations):
        g = np.zeros((N, q))
        H = np.zeros((N, q, q))
        fp, fm = [], []
        for j in range(q):
            e = np.zeros(q)
            e[j] = h
            fp.append(objective(x + e))
            fm.append(objective(x - e))
            g[:, j] = (fp[j] - fm[j]) / (2 * h)
            H[:, j, j] = (fp[j] - 2 * fx + fm[j]) / h**2
        for j in range(q):
            for m in range(j + 1, q):
                e = np.zeros(q)
                e[j], e[m] = h, h
                d = np.zeros(q)
                d[j], d[m] = h, -h
                val = (objective(x + e) - objective(x + d) - objective(x - d)
                       + objective(x - e)) / (4 * h * h)
                H[:, j, m] = H[:, m, j] = val
        good = np.asarray(np.isfinite(g).all(axis=1) & np.isfinite(H).all(axis=(1, 2)))
        g = np.where(good[:, None], g, 0.0)
        H = np.where(good[:, None, None], H, eye)
        diag = np.abs(np.diagonal(H, axis1=1, axis2=2)) + 1e-8
        A = H + lam[:, None, None] * diag[:, :, None] * eye
        try:
            step = -np.linalg.solve(A, g[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            step = -g / diag
        xn = x + step
        fn = objective(xn)
        better = fn <= fx
        x = np.where(better[:, None], xn, x)
        fx = np.where(better, fn, fx)
        lam = np.where(better, np.maximum(lam / 3.0, 1e-9), lam * 5.0)
        if np.max(np.abs(np.where(better[:, None], step, 0.0))) < 1e-7 and np.all(lam < 1):
            break
    return {**mu, **{k: x[:, j] for j, k in enumerate(names)}}


class _Importance:
    """The log-likelihood by importance sampling with fixed draws (common random numbers)."""

    def __init__(self, model: _Model, theta: _Theta, cmean: dict[str, np.ndarray],
                 csd: dict[str, np.ndarray], n: int, rng: np.random.Generator) -> None:
        self.model, self.base, self.n = model, theta, n
        self.names = [model.parameters[j].name for j in model.random]
        N = model.n_subjects
        self.rows = _Rows(model, n)
        self.phi: dict[str, np.ndarray] = {}
        self.log_q = np.zeros(n * N)
        for k in self.names:
            z = rng.standard_t(_T_DF, size=(n, N))
            self.phi[k] = (cmean[k][None, :] + csd[k][None, :] * z).ravel()
            self.log_q += (_t_logpdf(z) - np.log(csd[k])[None, :]).ravel()
        self._f: dict[bytes, np.ndarray] = {}

    def _predict(self, theta: _Theta) -> np.ndarray:
        key = b"".join(theta.coef[self.model.parameters[j].name].tobytes()
                       for j in self.model.nonrandom)
        if key not in self._f:
            if len(self._f) > 8:
                self._f.clear()
            phi = dict(self.phi)
            mu = _mean_phi(self.model, theta, self.n)
            for j in (*self.model.nonrandom, *self.model.fixed):
                name = self.model.parameters[j].name
                phi[name] = mu[name]
            self._f[key] = self.rows.predict(phi)
        return self._f[key]

    def loglik(self, x: np.ndarray) -> tuple[float, float]:
        theta = _unpack(self.model, x, self.base)
        N = self.model.n_subjects
        lw = self.rows.loglik(self._predict(theta), theta) - self.log_q
        mu = _mean_phi(self.model, theta, self.n)
        for k in self.names:
            om = theta.omega[k]
            lw += -0.5 * _LOG2PI - math.log(om) - 0.5 * ((self.phi[k] - mu[k]) / om) ** 2
        lw = lw.reshape(self.n, N)
        per = special.logsumexp(lw, axis=0) - math.log(self.n)
        total = float(per.sum()) + self.model.log_jacobian
        with np.errstate(all="ignore"):
            w = np.exp(lw - lw.max(axis=0))
            rel_var = w.var(axis=0) / (self.n * w.mean(axis=0) ** 2)
        return total, float(math.sqrt(np.nansum(rel_var)))

    def covariance(self, x: np.ndarray, h: float = 1e-3) -> tuple[np.ndarray | None, str]:
        p = x.size

        def f(v: np.ndarray) -> float:
            return -self.loglik(v)[0]

        f0 = f(x)
        H = np.zeros((p, p))
        fp, fm = np.zeros(p), np.zeros(p)
        for i in range(p):
            e = np.zeros(p)
            e[i] = h
            fp[i], fm[i] = f(x + e), f(x - e)
            H[i, i] = (fp[i] - 2 * f0 + fm[i]) / h**2
        for i in range(p):
            for j in range(i + 1, p):
                e = np.zeros(p)
                e[i], e[j] = h, h
                d = np.zeros(p)
                d[i], d[j] = h, -h
                H[i, j] = H[j, i] = (f(x + e) - f(x + d) - f(x - d) + f(x - e)) / (4 * h * h)
        if not np.all(np.isfinite(H)):
            return None, "the observed information is not finite; standard errors unavailable"
        try:
            np.linalg.cholesky(H)
        except np.linalg.LinAlgError:
            return None, ("the observed information is not positive definite (a parameter "
                          "may be unidentifiable); standard errors unavailable")
        return np.linalg.inv(H), ("observed Fisher information: finite-difference Hessian of "
                                  "the importance-sampled log-likelihood")


def _t_logpdf(z: np.ndarray, nu: float = _T_DF) -> np.ndarray:
    return (special.gammaln((nu + 1) / 2) - special.gammaln(nu / 2)
            - 0.5 * math.log(nu * math.pi) - (nu + 1) / 2 * np.log1p(z * z / nu))


# --------------------------------------------------------------------------------------------
# Two-stage
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TwoStageResult:
    """The standard two-stage estimates: the mean (with covariate coefficients) and SD of the
    individual log-parameters, their covariance, and each subject's fit with its status."""

    estimates: pd.Series
    covariance: pd.DataFrame
    individual: pd.DataFrame
    n_failed: int

    def table(self) -> pd.DataFrame:
        """parameter, estimate."""
        return pd.DataFrame({"parameter": self.estimates.index,
                             "estimate": self.estimates.to_numpy()})


def two_stage(predict: Predict, data: pd.DataFrame, parameters: Sequence[PopulationParameter],
              *, error: ResidualError | str = "proportional",
              covariates: pd.DataFrame | None = None) -> TwoStageResult:
    """Per-subject least squares fits on the log parameters (``scipy.optimize.least_squares``),
    residuals weighted by the error model's sd at the prediction (the initial ``a``/``b`` set
    the ratio for the combined model), then the standard two-stage population estimates."""
    model = _compile(predict, data, parameters, error, covariates)
    est = [p for p in model.parameters if not p.fixed]
    kind = model.error.kind
    a0, b0 = model.a0, model.b0
    rows: list[dict[str, Any]] = []
    resid_ss, dof = 0.0, 0
    for i, subject in enumerate(model.subjects):
        sl = slice(int(model.starts[i]), int(model.starts[i] + model.counts[i]))
        t, y = model.t[sl], model.y[sl]

        def residuals(x: np.ndarray, t: np.ndarray = t, y: np.ndarray = y) -> np.ndarray:
            psi = {p.name: np.full(t.size, p.typical) for p in model.parameters}
            for p, v in zip(est, x, strict=True):
                psi[p.name] = np.full(t.size, math.exp(v))
            with np.errstate(all="ignore"):
                f = np.asarray(model.predict(t, psi), dtype=float)
                if kind == "exponential":
                    r = y - np.log(f)
                elif kind == "additive":
                    r = y - f
                elif kind == "proportional":
                    r = (y - f) / np.abs(f)
                else:
                    r = (y - f) / np.sqrt(a0 * a0 + b0 * b0 * f * f)
            return np.where(np.isfinite(r), r, 1e10)

        x0 = np.array([math.log(p.typical) for p in est])
        lo = np.array([_log_bounds(p)[0] for p in est])
        hi = np.array([_log_bounds(p)[1] for p in est])
        record: dict[str, Any] = {"subject": subject}
        try:
            fit = optimize.least_squares(residuals, x0, bounds=(lo, hi), method="trf")
            ok = bool(fit.success) and bool(np.all(np.isfinite(fit.x))) \
                and bool(np.all(np.abs(fit.fun) < 1e9))
            record.update({p.name: math.exp(v) for p, v in zip(est, fit.x, strict=True)})
            record["status"] = "ok" if ok else "failed"
            record["message"] = str(fit.message)
            if ok:
                resid_ss += float(np.sum(fit.fun**2))
                dof += t.size - len(est)
        except Exception as exc:  # a subject's failure is data, recorded with its reason
            record.update({p.name: math.nan for p in est})
            record["status"] = "failed"
            record["message"] = f"{type(exc).__name__}: {exc}"
        rows.append(record)
    individual = pd.DataFrame(rows).set_index("subject")
    ok_mask = (individual["status"] == "ok").to_numpy()
    n_failed = int((~ok_mask).sum())
    if n_failed:
        warnings.warn(f"two_stage: {n_failed} of {len(ok_mask)} subject fits failed; see "
                      "result.individual['status'] and ['message'].", stacklevel=2)
    if ok_mask.sum() < 2:
        raise InvalidArgumentError(
            "two_stage: fewer than 2 subject fits succeeded; check the initial 'typical' "
            "values and the model (result statuses are in the message of each fit).")
    values: dict[str, float] = {}
    logs = {}
    for p in est:
        z = np.log(individual[p.name].to_numpy(dtype=float)[ok_mask])
        X = model.designs[p.name][ok_mask]
        c, *_ = np.linalg.lstsq(X, z, rcond=None)
        values[p.name] = math.exp(c[0])
        for cname, v in zip(p.covariates, c[1:], strict=True):
            values[f"beta_{p.name}_{cname}"] = float(v)
        logs[p.name] = z - X @ c
        if p.random:
            values[f"omega_{p.name}"] = math.sqrt(float(np.sum(logs[p.name] ** 2))
                                                  / (z.size - X.shape[1]))
    sd = math.sqrt(resid_ss / dof) if dof > 0 else math.nan
    if model.error.uses_a and kind != "combined":
        values["error_a"] = sd
    elif model.error.uses_b and kind != "combined":
        values["error_b"] = sd
    else:
        values["error_a"], values["error_b"] = a0 * sd, b0 * sd
    resid = np.column_stack([logs[p.name] for p in est])
    cov = np.atleast_2d(np.cov(resid, rowvar=False))
    names = [p.name for p in est]
    return TwoStageResult(pd.Series(values, name="estimate"),
                          pd.DataFrame(cov, index=names, columns=names), individual, n_failed)


# --------------------------------------------------------------------------------------------
# Bayesian prediction for a new subject
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndividualPosterior:
    """Samples of one subject's parameters (natural scale) given the population estimates."""

    samples: pd.DataFrame
    acceptance: float
    seed: int


def _subject_frame(subject_data: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    if subject_data is None or len(subject_data) == 0:
        return np.zeros(0), np.zeros(0)
    if not isinstance(subject_data, pd.DataFrame):
        raise InvalidArgumentError(
            "'subject_data' must be a DataFrame with columns time and value (or None). Got "
            f"{type(subject_data).__name__}.")
    missing = [c for c in ("time", "value") if c not in subject_data.columns]
    if missing:
        raise InvalidArgumentError(
            f"'subject_data' lacks column(s) {missing}; it has {list(subject_data.columns)}.")
    t = subject_data["time"].to_numpy(dtype=float)
    v = subject_data["value"].to_numpy(dtype=float)
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(v))):
        raise InvalidArgumentError("'subject_data' has non-finite time or value; drop them.")
    return t, v


def individual_posterior(result: NLMEResult, subject_data: pd.DataFrame | None, *,
                         covariates: Mapping[str, float] | None = None,
                         n_samples: int = 1000, n_steps: int = 200,
                         seed: int = 0) -> IndividualPosterior:
    """Sample the conditional distribution of a new subject's parameters given its readings
    (``time``, ``value``; none: the population distribution) and the population estimates:
    ``n_samples`` parallel Metropolis-Hastings chains started from the population distribution,
    ``n_steps`` iterations of the three kernels each; the last states are the samples."""
    n_samples = _positive_int(n_samples, "n_samples")
    n_steps = _positive_int(n_steps, "n_steps")
    model, theta = result.model, result.theta
    t, v = _subject_frame(subject_data)
    kind = model.error.kind
    if kind == "exponential":
        if np.any(v <= 0):
            raise InvalidArgumentError(
                "'subject_data': the exponential (log) error model needs values > 0; use a "
                "non-log error model or drop the non-positive rows.")
        v = np.log(v)
    mean = _subject_mean_phi(model, theta, covariates)
    names = [model.parameters[j].name for j in model.random]
    rng = np.random.default_rng(seed)
    n_t = t.size
    tt = np.tile(t, n_samples)
    yy = np.tile(v, n_samples)
    starts = np.arange(n_samples) * n_t

    def loglik(phi: dict[str, np.ndarray]) -> np.ndarray:
        if n_t == 0:
            return np.zeros(n_samples)
        psi = {k: np.repeat(np.exp(phi[k]), n_t) for k in phi}
        with np.errstate(all="ignore"):
            f = np.asarray(model.predict(tt, psi), dtype=float)
        return np.add.reduceat(_obs_logpdf(kind, yy, f, theta.a, theta.b), starts)

    phi = {p.name: np.full(n_samples, mean[p.name]) for p in model.parameters}
    for k in names:
        phi[k] = mean[k] + theta.omega[k] * rng.standard_normal(n_samples)
    ll = loglik(phi)
    scale = np.full(len(names), 0.5)
    acc = 0.0
    for _ in range(n_steps):
        for j, k in enumerate(names):
            prop = dict(phi)
            om = theta.omega[k]
            prop[k] = phi[k] + scale[j] * om * rng.standard_normal(n_samples)
            new = loglik(prop)
            with np.errstate(invalid="ignore"):
                log_r = (new - ll - 0.5 * ((prop[k] - mean[k]) / om) ** 2
                         + 0.5 * ((phi[k] - mean[k]) / om) ** 2)
            ok = np.log(rng.random(n_samples)) < log_r
            phi[k] = np.where(ok, prop[k], phi[k])
            ll = np.where(ok, new, ll)
            acc = float(ok.mean())
            scale[j] *= 1.0 + 0.4 * (acc - 0.4)
    samples = pd.DataFrame({k: np.exp(val) for k, val in phi.items()})
    return IndividualPosterior(samples, acc, seed)


def forecast_subject(result: NLMEResult, subject_data: pd.DataFrame | None,
             times: Sequence[float] | np.ndarray, *,
             covariates: Mapping[str, float] | None = None, level: float = 0.9,
             n_samples: int = 1000, seed: int = 0) -> pd.DataFrame:
    """The posterior predictive of a new subject at ``times``: median, and the central
    ``level`` prediction interval of a new reading (residual error included)."""
    if not (isinstance(level, float | int) and 0 < level < 1):
        raise InvalidArgumentError(f"'level' must be in (0, 1). Got {level!r}; try 0.9.")
    post = individual_posterior(result, subject_data, covariates=covariates,
                                n_samples=n_samples, seed=seed)
    times = np.asarray(times, dtype=float).ravel()
    model = result.model
    S = len(post.samples)
    psi = {k: np.repeat(post.samples[k].to_numpy(), times.size) for k in post.samples.columns}
    f = np.asarray(model.predict(np.tile(times, S), psi), dtype=float).reshape(S, times.size)
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    y = result.simulate_readings(f, rng)
    lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
    return pd.DataFrame({"time": times, "median": np.median(f, axis=0),
                         "lower": np.quantile(y, lo, axis=0),
                         "upper": np.quantile(y, hi, axis=0)})


__all__ = [
    "ERROR_MODELS",
    "IndividualPosterior",
    "NLMEResult",
    "PopulationParameter",
    "ResidualError",
    "TwoStageResult",
    "forecast_subject",
    "individual_posterior",
    "saem",
    "two_stage",
]
