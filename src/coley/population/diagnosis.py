"""Diagnosis: grow each virtual patient's tumour untreated to a detection size.

Each patient's tumour grows from ``start`` until ``state`` reaches ``cells``; the full state at
that moment is the baseline every arm of a trial starts from (computed once per patient). The
volume doubling time at diagnosis is the time the tumour took from half the diagnosis size to
the diagnosis size (what two scans would measure). A patient never diagnosed within
``max_days`` (the immune system controls the tumour: elimination or dormancy), with a doubling
time outside ``doubling_days``, or (``keeps_growing_days``) whose untreated tumour is smaller
that many days after diagnosis, is not a plausible patient and draws again from its own stream
(the next row of its normals, :meth:`~coley.population.sampler.Population.scores`), up to
``max_attempts`` times.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from coley.errors import InvalidArgumentError
from coley.model.model import Model
from coley.population.sampler import Population
from coley.solve.events import Threshold
from coley.solve.simulate import simulate
from coley.solve.solvers import AbstractSolver


@dataclass(frozen=True)
class Diagnosis:
    """When a tumour is diagnosed (``state`` reaches ``cells``) and which patients are
    plausible. ``state`` None: the target of the model's ``tumour_cells`` hook."""

    cells: float
    state: str | None = None
    start: Mapping[str, float] = field(default_factory=dict)
    max_days: float = 7300.0
    doubling_days: tuple[float, float] | None = None
    keeps_growing_days: float | None = None
    max_attempts: int = 20

    def __post_init__(self) -> None:
        for name in ("cells", "max_days"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
                raise InvalidArgumentError(f"Diagnosis: {name} must be a number > 0, got "
                                           f"{v!r}.")
        if self.keeps_growing_days is not None and not self.keeps_growing_days > 0:
            raise InvalidArgumentError(f"Diagnosis: keeps_growing_days must be > 0 or None, "
                                       f"got {self.keeps_growing_days!r}.")
        if self.doubling_days is not None:
            lo, hi = self.doubling_days
            if not 0 < lo < hi:
                raise InvalidArgumentError(f"Diagnosis: doubling_days must be (low, high) with "
                                           f"0 < low < high, got {self.doubling_days!r}.")
        if isinstance(self.max_attempts, bool) or not (isinstance(self.max_attempts, int)
                                                       and self.max_attempts >= 1):
            raise InvalidArgumentError(f"Diagnosis: max_attempts must be an int >= 1, got "
                                       f"{self.max_attempts!r}.")
        object.__setattr__(self, "start", dict(self.start))


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


def detection_state(model: Model) -> str:
    """The state diagnosis watches by default: the target of the ``tumour_cells`` hook."""
    for h in model.hooks:
        if h.name == "tumour_cells":
            return h.target
    raise InvalidArgumentError(
        f"model {model.name!r} declares no tumour_cells hook; set diagnosis.state and "
        "tumour.states in the trial file."
    )


def burden_states(model: Model, states: Sequence[str] | None = None) -> list[str]:
    """States summed into the tumour burden: ``states`` if given, else the model's own
    (:attr:`Model.burden_states`), else the :func:`detection_state`."""
    if states:
        return list(states)
    if model.burden_states:
        return list(model.burden_states)
    return [detection_state(model)]


def diagnose(model: Model, population: Population, patients: np.ndarray, *,
             diagnosis: Diagnosis, seed: int, fixed: Mapping[str, float] | None = None,
             solver: AbstractSolver | None = None,
             states: Sequence[str] | None = None) -> Baseline:
    """Draw ``patients`` (global indices) from ``population`` with ``seed``, grow each to
    ``diagnosis`` and redraw implausible ones.

    ``fixed`` values are shared by every patient (a trial's ``population.set``); ``states``
    are the tumour-burden states (see :func:`burden_states`) for ``keeps_growing_days``.
    """
    dx = diagnosis
    state = dx.state or detection_state(model)
    fixed = dict(fixed or {})
    cov_names = list(population.covariates)
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
        drawn = population.draw(seed, patients[pending], attempt[pending])
        table = {k: np.full(pending.size, v) for k, v in fixed.items()}
        table.update({k: np.full(pending.size, v) for k, v in dx.start.items()})
        table.update({k: v for k, v in drawn.items() if k not in cov_names})
        # parameters that only a treated model has (a regimen's PK or effect) wait for the arms
        known = set(model.parameter_names) | set(state_names)
        growth = {k: v for k, v in table.items() if k in known}
        res = simulate(model, growth, saveat=[0.0, dx.max_days], solver=solver, events=[
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
            grows = _keeps_growing(model, growth, end_state, rows, days=dx.keeps_growing_days,
                                   solver=solver, states=burden_states(model, states))
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


def _keeps_growing(model: Model, table: dict[str, np.ndarray], end_state: np.ndarray,
                   rows: np.ndarray, *, days: float, solver: AbstractSolver | None,
                   states: list[str]) -> np.ndarray:
    """For diagnosed candidates ``rows``: is the untreated tumour burden larger ``days`` after
    diagnosis than at diagnosis?"""
    sub = {k: np.asarray(v)[rows] for k, v in table.items()}
    for j, name in enumerate(model.state_names):
        sub[name] = end_state[rows, j]
    res = simulate(model, sub, saveat=[0.0, float(days)], solver=solver)
    idx = [list(model.state_names).index(s) for s in states]
    burden = res.values[:, :, idx].sum(axis=2)
    return np.asarray((res.status >= 0) & (burden[:, -1] > burden[:, 0]))


__all__ = ["Baseline", "Diagnosis", "burden_states", "detection_state", "diagnose"]
