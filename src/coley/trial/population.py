"""Virtual patients: correlated parameter draws, per-patient streams, diagnosis and plausibility.

Sampling is a Gaussian copula (Nelsen 2006, *An Introduction to Copulas*, ch. 5): each patient
draws standard normals ``z`` from its own stream, ``L z`` (``L`` the Cholesky factor of the
correlation matrix) is mapped to uniforms by the normal CDF and then to each parameter through
its (truncated) inverse CDF. For log-normal parameters this is exactly a multivariate
log-normal with the given correlations of the logs. Patient ``i`` uses
``SeedSequence(seed, spawn_key=(i, STREAM))``: its draws do not depend on how many patients,
chunks or workers there are.

Diagnosis: each patient's tumour grows untreated from ``diagnosis.start`` until
``diagnosis.state`` reaches ``diagnosis.cells``; the full state at that moment is the baseline
every arm starts from (computed once per patient). The volume doubling time at diagnosis is
the time the tumour took from half the diagnosis size to the diagnosis size (what two scans
would measure). A patient never diagnosed within ``max_days`` (the immune system controls the
tumour: elimination or dormancy) or with a doubling time outside ``doubling_days`` is not a
plausible trial patient and draws again from its own stream, up to ``max_attempts`` times.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from coley.errors import InvalidArgumentError
from coley.model.model import Model
from coley.solve.events import Threshold
from coley.solve.simulate import simulate
from coley.trial.spec import DistributionSpec, TrialSpec

STREAM_PARAMETERS = 0
STREAM_TOXICITY = 1
STREAM_ALLOCATION = 2


def patient_rng(seed: int, patient: int, stream: int) -> np.random.Generator:
    """The random stream ``stream`` of global patient ``patient``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(patient, stream)))


def ppf(spec: DistributionSpec, u: np.ndarray) -> np.ndarray:
    """Inverse CDF of ``spec`` (truncated to [lower, upper]) at uniforms ``u``."""
    u = np.asarray(u, dtype=np.float64)
    d = spec.dist
    if d == "fixed":
        return np.full_like(u, float(spec.value))  # type: ignore[arg-type]
    log = d in ("lognormal", "loguniform")
    if d in ("lognormal", "normal"):
        loc = float(np.log(spec.median)) if d == "lognormal" else float(spec.mean)  # type: ignore[arg-type]
        scale = float(spec.sd_log if d == "lognormal" else spec.sd)  # type: ignore[arg-type]

        def cdf(x: float) -> float:
            return float(special.ndtr((x - loc) / scale)) if scale > 0 else float(x >= loc)

        def inv(q: np.ndarray) -> np.ndarray:
            return loc + scale * special.ndtri(q)
    else:
        a = float(np.log(spec.low)) if log else float(spec.low)  # type: ignore[arg-type]
        b = float(np.log(spec.high)) if log else float(spec.high)  # type: ignore[arg-type]

        def cdf(x: float) -> float:
            return float(np.clip((x - a) / (b - a), 0.0, 1.0))

        def inv(q: np.ndarray) -> np.ndarray:
            return a + q * (b - a)

    def bound(x: float | None, default: float) -> float:
        if x is None:
            return default
        if log:
            return 0.0 if x <= 0 else cdf(float(np.log(x)))
        return cdf(x)

    lo, hi = bound(spec.lower, 0.0), bound(spec.upper, 1.0)
    if not hi > lo:
        raise InvalidArgumentError(
            f"distribution {spec.dist} truncated to [{spec.lower}, {spec.upper}] has no mass; "
            "widen lower/upper."
        )
    x = inv(lo + u * (hi - lo))
    return np.exp(x) if log else np.asarray(x, dtype=np.float64)


def correlation_factor(spec: TrialSpec) -> tuple[list[str], np.ndarray]:
    """Varied parameter names and the Cholesky factor of their correlation matrix."""
    names = list(spec.population.parameters)
    c = np.eye(len(names))
    for key, rho in spec.population.correlations.items():
        a, b = (p.strip() for p in key.split(","))
        i, j = names.index(a), names.index(b)
        c[i, j] = c[j, i] = rho
    try:
        chol = np.linalg.cholesky(c) if names else np.zeros((0, 0))
    except np.linalg.LinAlgError:
        raise InvalidArgumentError(
            "population.correlations do not form a valid (positive definite) correlation "
            "matrix; weaken some correlations."
        ) from None
    return names, chol


def draw(spec: TrialSpec, patients: np.ndarray, attempt: np.ndarray) -> dict[str, np.ndarray]:
    """Parameter and covariate values of ``patients`` (global indices) at ``attempt`` each."""
    names, chol = correlation_factor(spec)
    cov_names = list(spec.population.covariates)
    d, c = len(names), len(cov_names)
    z = np.empty((patients.size, d + c))
    for r, (i, k) in enumerate(zip(patients, attempt, strict=True)):
        rng = patient_rng(spec.seed, int(i), STREAM_PARAMETERS)
        block = rng.standard_normal((int(k) + 1, d + c))
        z[r] = block[-1]
    out: dict[str, np.ndarray] = {}
    if d:
        u = special.ndtr(z[:, :d] @ chol.T)
        for j, name in enumerate(names):
            out[name] = ppf(spec.population.parameters[name], u[:, j])
    for j, name in enumerate(cov_names):
        out[name] = ppf(spec.population.covariates[name], special.ndtr(z[:, d + j]))
    return out


@dataclass
class Baseline:
    """Diagnosed patients: their parameters, baseline states and covariates (one row each)."""

    patients: np.ndarray            # global indices
    values: dict[str, np.ndarray]   # parameters (varied and fixed overrides) and states
    covariates: dict[str, np.ndarray]
    diagnosis_day: np.ndarray       # days from the seed tumour to diagnosis
    doubling_days: np.ndarray       # volume doubling time at diagnosis
    attempts: np.ndarray            # draws needed (1 = first)
    failed: dict[int, str]          # global index -> reason (no plausible draw)


def diagnose(spec: TrialSpec, model: Model, patients: np.ndarray) -> Baseline:
    """Draw, grow to diagnosis and filter ``patients``; redraw implausible ones."""
    dx = spec.diagnosis
    state = dx.state or _tumour_state(model)
    cov_names = list(spec.population.covariates)
    n = patients.size
    attempt = np.zeros(n, dtype=np.int64)
    pending = np.arange(n)
    values: dict[str, np.ndarray] = {}
    cov = {c: np.full(n, np.nan) for c in cov_names}
    dday = np.full(n, np.nan)
    dbl = np.full(n, np.nan)
    failed: dict[int, str] = {}
    last_reason = np.array([""] * n, dtype=object)
    state_names = list(model.state_names)
    while pending.size:
        drawn = draw(spec, patients[pending], attempt[pending])
        table = {k: np.full(pending.size, v) for k, v in spec.population.set.items()}
        table.update({k: np.full(pending.size, v) for k, v in dx.start.items()})
        table.update({k: v for k, v in drawn.items() if k not in cov_names})
        # parameters that only a treated model has (a regimen's PK or effect) wait for the arms
        known = set(model.parameter_names) | set(state_names)
        growth = {k: v for k, v in table.items() if k in known}
        res = simulate(model, growth, saveat=[0.0, dx.max_days], solver=spec.solver(), events=[
            Threshold(state, dx.cells / 2, direction="up"),
            Threshold(state, dx.cells, direction="up", terminal=True)])
        t_half = res.event_times[:, 0]
        t_dx = res.event_times[:, 1]
        reached = (res.status == 1) & np.isfinite(t_dx)
        doubling = t_dx - t_half
        ok = reached.copy()
        if dx.doubling_days is not None:
            lo, hi = dx.doubling_days
            ok &= (doubling >= lo) & (doubling <= hi)
        reason = np.where(~reached, f"not diagnosed within {dx.max_days:g} days",
                          "doubling time at diagnosis outside "
                          f"{list(dx.doubling_days or ())} days")
        # round-off can leave a state that stays at its bound a hair outside it (-3e-12 cells);
        # the baseline must satisfy the model's bounds, so clip to them
        end_state = np.array(res.end_state)
        for j, st in enumerate(model.states):
            lo = -np.inf if st.lower is None else st.lower
            hi = np.inf if st.upper is None else st.upper
            end_state[:, j] = np.clip(end_state[:, j], lo, hi)
        if dx.keeps_growing_days is not None and ok.any():
            rows = np.flatnonzero(ok)
            grows = _keeps_growing(spec, model, growth, end_state, rows)
            reason = np.where(ok & ~np.isin(np.arange(ok.size), rows[grows]),
                              f"untreated tumour smaller {dx.keeps_growing_days:g} days after "
                              "diagnosis (regresses on its own)", reason)
            ok[rows[~grows]] = False
        for r in np.flatnonzero(ok):
            i = pending[r]
            for k, v in table.items():
                values.setdefault(k, np.full(n, np.nan))[i] = v[r]
            for j, s in enumerate(state_names):
                values.setdefault(s, np.full(n, np.nan))[i] = end_state[r, j]
            for c in cov_names:
                cov[c][i] = drawn[c][r]
            dday[i] = t_dx[r]
            dbl[i] = doubling[r]
        last_reason[pending[~ok]] = reason[~ok]
        retry = pending[~ok]
        attempt[retry] += 1
        give_up = attempt[retry] >= dx.max_attempts
        for i in retry[give_up]:
            failed[int(patients[i])] = (f"no plausible draw in {dx.max_attempts} attempts "
                                        f"(last: {last_reason[i]})")
        pending = retry[~give_up]
    keep = np.array([int(p) not in failed for p in patients], dtype=bool)
    return Baseline(
        patients=patients[keep],
        values={k: v[keep] for k, v in values.items()},
        covariates={c: v[keep] for c, v in cov.items()},
        diagnosis_day=dday[keep], doubling_days=dbl[keep], attempts=attempt[keep] + 1,
        failed=failed,
    )


def _keeps_growing(spec: TrialSpec, model: Model, table: dict[str, np.ndarray],
                   end_state: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For diagnosed candidates ``rows``: is the untreated tumour burden larger
    ``keeps_growing_days`` after diagnosis than at diagnosis?"""
    days = float(spec.diagnosis.keeps_growing_days)  # type: ignore[arg-type]
    sub = {k: np.asarray(v)[rows] for k, v in table.items()}
    for j, name in enumerate(model.state_names):
        sub[name] = end_state[rows, j]
    res = simulate(model, sub, saveat=[0.0, days], solver=spec.solver())
    idx = [list(model.state_names).index(s) for s in tumour_states(spec, model)]
    burden = res.values[:, :, idx].sum(axis=2)
    return np.asarray((res.status >= 0) & (burden[:, -1] > burden[:, 0]))


def _tumour_state(model: Model) -> str:
    for h in model.hooks:
        if h.name == "tumour_cells":
            return h.target
    raise InvalidArgumentError(
        f"model {model.name!r} declares no tumour_cells hook; set diagnosis.state and "
        "tumour.states in the trial file."
    )


def tumour_states(spec: TrialSpec, model: Model) -> list[str]:
    """States summed into the tumour burden (``tumour.states``, else the model's own)."""
    if spec.tumour.states:
        return list(spec.tumour.states)
    if model.burden_states:
        return list(model.burden_states)
    return [_tumour_state(model)]


__all__ = ["Baseline", "diagnose", "draw", "patient_rng", "ppf", "tumour_states"]
