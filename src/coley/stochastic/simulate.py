"""``simulate_stochastic``: replicates of a model with small populations counted in whole cells.

The verb joins a model, a method spec (:class:`HybridTauLeaping`), a schedule or a treatment and
a seed, and returns a :class:`~coley.stochastic.result.StochasticResult`. Each replicate runs the
compiled kernel of :mod:`coley.stochastic._kernel` with its own random stream, the ``i``-th
child of ``numpy.random.SeedSequence(seed)``, so results do not depend on ``workers``.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from coley.errors import InvalidArgumentError, unknown_name
from coley.model.model import Model
from coley.solve.compile import CACHE, model_structure
from coley.solve.intervention import Intervention, Prepared, prepare
from coley.solve.schedule import Infusion, Jump
from coley.solve.simulate import discontinuities, patient_table, time_grid
from coley.stochastic.codegen import compile_network
from coley.stochastic.reactions import ReactionNetwork, reaction_network
from coley.stochastic.result import StochasticResult

#: Units of states that count cells (the candidates of ``discrete="auto"``).
CELL_UNITS = frozenset({"cell", "cells"})


def _positive(name: str, value: Any, *, integer: bool = False, allow_inf: bool = False) -> None:
    kind = int if integer else (int, float)
    ok = isinstance(value, kind) and not isinstance(value, bool) and value > 0
    ok = ok and (allow_inf or math.isfinite(value))
    if not ok:
        what = "an int > 0" if integer else "a number > 0"
        raise InvalidArgumentError(f"HybridTauLeaping: {name} must be {what}, got {value!r}.")


@dataclass(frozen=True)
class HybridTauLeaping:
    """Step control of the hybrid method (see :mod:`coley.stochastic._kernel` for the steps).

    Parameters
    ----------
    max_step:
        Largest step (days). Rates that depend on continuous states are frozen over a step for
        the exact events, so it bounds that error; 0.1 d suits rates of ~1/day or slower.
    epsilon:
        Bound on the relative change of a discrete state's propensities in one leap (Cao,
        Gillespie & Petzold 2006); smaller is more accurate and slower.
    n_critical:
        A reaction within this many events of exhausting a discrete state is simulated event
        by event (Cao, Gillespie & Petzold 2005).
    rtol, atol:
        Local error tolerance of the continuous states (midpoint rule), relative and absolute
        (in each state's unit).
    max_steps:
        Steps allowed per replicate before it is stopped and marked failed.
    """

    max_step: float = 0.1
    epsilon: float = 0.03
    n_critical: int = 10
    rtol: float = 1e-3
    atol: float = 1e-6
    max_steps: int = 10_000_000

    def __post_init__(self) -> None:
        _positive("max_step (days)", self.max_step)
        _positive("epsilon", self.epsilon)
        if self.epsilon >= 1:
            raise InvalidArgumentError(
                f"HybridTauLeaping: epsilon must be < 1 (a relative change), got {self.epsilon}."
            )
        _positive("n_critical", self.n_critical, integer=True)
        _positive("rtol", self.rtol)
        _positive("atol", self.atol)
        _positive("max_steps", self.max_steps, integer=True)


def _candidates(model: Model, discrete: str | Sequence[str]) -> tuple[str, ...]:
    if isinstance(discrete, str):
        if discrete != "auto":
            raise InvalidArgumentError(
                f"discrete must be 'auto' or a sequence of state names, got {discrete!r}; "
                f"for one state write discrete=({discrete!r},)."
            )
        found = tuple(s.name for s in model.states if s.unit.strip().lower() in CELL_UNITS)
        if not found:
            raise InvalidArgumentError(
                f"discrete='auto' counts the states in cells, but model {model.name!r} has "
                f"none (units: {sorted({s.unit for s in model.states})}); name the states to "
                "count in whole units, e.g. discrete=('T',)."
            )
        return found
    names = tuple(discrete)
    if not names:
        raise InvalidArgumentError(
            "discrete is empty; name at least one state (or use 'auto'). For a deterministic "
            "run use coley.simulate."
        )
    for name in names:
        if not isinstance(name, str) or name not in model.state_names:
            raise unknown_name("state", str(name), model.state_names,
                               where=f"discrete= for model {model.name!r}")
    return tuple(s for s in model.state_names if s in names)


def network(model: Model, discrete: str | Sequence[str] = "auto") -> ReactionNetwork:
    """The reaction network the stochastic simulator uses for ``model`` (cached per model).

    ``print(coley.stochastic.network(model))`` lists every reaction with its changes and rate.
    """
    cands = _candidates(model, discrete)
    return CACHE.per_model(
        model, ("stochastic-network", cands),
        lambda: CACHE.shared(("stochastic-network", model_structure(model), cands),
                             lambda: reaction_network(model, cands)),
    )


def _seed_sequence(seed: int | np.random.SeedSequence) -> np.random.SeedSequence:
    """A fresh root sequence (a SeedSequence given by the caller is copied, not spawned from,
    so that passing the same object twice gives the same streams)."""
    if isinstance(seed, np.random.SeedSequence):
        return np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key,
                                      pool_size=seed.pool_size)
    if isinstance(seed, int | np.integer) and not isinstance(seed, bool) and seed >= 0:
        return np.random.SeedSequence(int(seed))
    raise InvalidArgumentError(
        f"seed must be an int >= 0 or a numpy.random.SeedSequence, got {seed!r}."
    )


def simulate_stochastic(
    model: Model,
    parameters: Mapping[str, float] | None = None,
    *,
    t_end: float | None = None,
    saveat: Sequence[float] | np.ndarray | None = None,
    replicates: int = 1000,
    seed: int | np.random.SeedSequence = 0,
    discrete: str | Sequence[str] = "auto",
    threshold: float = 1e4,
    method: HybridTauLeaping | None = None,
    workers: int = 1,
    schedule: Sequence[Jump | Infusion] = (),
    treatment: Intervention | None = None,
) -> StochasticResult:
    """Simulate ``replicates`` independent stochastic realisations of one patient.

    Populations below ``threshold`` cells are counted in whole cells and change by random
    events (exact event by event when small, Poisson leaps when larger); the other states follow
    the model's equations. The equations are read as reactions by the rule of
    :mod:`coley.stochastic.reactions` (inspect with :func:`network`).

    Parameters
    ----------
    model:
        Any coley model whose ``discrete`` states are counts.
    parameters:
        ``{name: value}``: parameters or initial values (one patient; for a cohort call once
        per patient). Initial values of discrete states that are not whole are rounded
        stochastically (unbiased).
    t_end, saveat:
        Output on a daily grid ``0, 1, ..., t_end`` days, or on ``saveat`` (days, increasing).
    replicates:
        Number of independent realisations (>= 1).
    seed:
        Root of the random streams (int >= 0 or a ``SeedSequence``); replicate ``i`` uses the
        ``i``-th spawned child, so results do not depend on ``workers``.
    discrete:
        States that may be counted in whole cells: ``"auto"`` (every state whose unit is
        ``cell``) or a sequence of names.
    threshold:
        A discrete state is counted in whole cells while below this many cells and follows
        its equation above it (``math.inf``: always whole cells, pure tau-leaping).
    method:
        :class:`HybridTauLeaping` step control (default ``HybridTauLeaping()``).
    workers:
        Threads (>= 1); results are identical for any value.
    schedule, treatment:
        As for :func:`coley.simulate`. Jumps on discrete states move whole cells: a
        multiplication by a surviving fraction f <= 1 keeps each cell with probability f.

    Returns
    -------
    StochasticResult
        Values over (replicate, time, state), with :meth:`~StochasticResult.probability_extinct`
        (cure) and :meth:`~StochasticResult.probability_above` (relapse).
    """
    if not isinstance(model, Model):
        raise InvalidArgumentError(
            f"model must be a coley Model (see coley.library.get), got {type(model).__name__}."
        )
    if not (isinstance(replicates, int) and not isinstance(replicates, bool)
            and replicates >= 1):
        raise InvalidArgumentError(f"replicates must be an int >= 1, got {replicates!r}.")
    if not (isinstance(workers, int) and not isinstance(workers, bool) and workers >= 1):
        raise InvalidArgumentError(f"workers must be an int >= 1, got {workers!r}.")
    if not (isinstance(threshold, int | float) and not isinstance(threshold, bool)
            and threshold > 0 and not math.isnan(threshold)):
        raise InvalidArgumentError(
            f"threshold must be a number of cells > 0 (math.inf for always discrete), got "
            f"{threshold!r}."
        )
    method = HybridTauLeaping() if method is None else method
    if not isinstance(method, HybridTauLeaping):
        raise InvalidArgumentError(
            f"method must be a HybridTauLeaping(...) spec, got {method!r}."
        )
    root = _seed_sequence(seed)
    if parameters is not None and not isinstance(parameters, Mapping):
        raise InvalidArgumentError(
            f"parameters must be a mapping {{name: value}} for one patient, got "
            f"{type(parameters).__name__}; for a cohort, call once per patient."
        )
    grid = time_grid(t_end, saveat)
    prepared: Prepared | None = None
    if treatment is not None:
        prepared = prepare(treatment, model, n=1, t_end=float(grid[-1]))
        model = prepared.model
        schedule = [*schedule, *prepared.schedule]
    if model.events:
        raise InvalidArgumentError(
            f"model {model.name!r} declares events ({', '.join(e.name for e in model.events)}), "
            "which the stochastic simulator does not support; use schedule=[Jump(...)] for "
            "timed changes, or coley.simulate."
        )
    P, Y, notes, _ = patient_table(model, parameters)
    if P.shape[0] != 1:
        raise InvalidArgumentError(
            f"parameters describe {P.shape[0]} patients; simulate_stochastic takes one "
            "patient (scalars). Call it once per patient."
        )
    if notes[0]:
        raise InvalidArgumentError(f"model {model.name!r}: {notes[0]}.")
    net = network(model, discrete)
    module = compile_network(model, net)
    disc = discontinuities(model, schedule, 1, float(grid[0]), float(grid[-1]))
    dtime, dkind, didx, dop, dval = (np.ascontiguousarray(a[0]) for a in disc)
    cand = np.array([s in net.candidates for s in model.state_names], dtype=np.bool_)
    n_states = len(model.states)
    values = np.empty((replicates, grid.size, n_states))
    status = np.empty(replicates, dtype=np.int64)
    info = np.zeros((replicates, 3), dtype=np.int64)
    children = root.spawn(replicates)
    y0 = np.ascontiguousarray(Y[0])
    p0 = np.ascontiguousarray(P[0])
    run = module.run
    args = (grid, y0, p0, dtime, dkind, didx, dop, dval, cand, float(threshold),
            float(method.max_step), float(method.epsilon), float(method.n_critical),
            float(method.rtol), float(method.atol), int(method.max_steps))

    def chunk(lo: int, hi: int) -> None:
        for i in range(lo, hi):
            rng = np.random.Generator(np.random.PCG64(children[i]))
            status[i] = run(rng, *args, values[i], info[i])

    if workers == 1 or replicates == 1:
        chunk(0, replicates)
    else:
        bounds = np.linspace(0, replicates, min(workers, replicates) + 1).astype(int)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            jobs = [pool.submit(chunk, int(a), int(b)) for a, b in itertools.pairwise(bounds)]
            for job in jobs:
                job.result()
    n_failed = int(np.sum(status != 0))
    if n_failed:
        warnings.warn(
            f"{n_failed} of {replicates} replicate(s) failed; see result.status and "
            "result.messages.", RuntimeWarning, stacklevel=2,
        )
    return StochasticResult(
        model_name=model.name, time=grid, state_names=model.state_names, values=values,
        status=status, steps=info, discrete=net.candidates, threshold=float(threshold),
        seed=root, method=method, parameter_names=model.parameter_names, parameters=p0,
        treatment=prepared,
    )
