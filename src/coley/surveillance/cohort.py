"""Virtual cohorts with random host events: spontaneous regression and what precedes it.

Each patient draws its own parameters (log-normal around the model's values) and its own host
events: Poisson processes of bacterial infection, viral infection and transfusion, each event a
time-limited input with a random duration and strength. Patients are integrated one by one with
the same compiled model; their random streams are spawned from one ``numpy.random.SeedSequence``,
so results do not depend on the order or the number of workers.

A **remission** is the first time the total burden falls below ``remission_cells`` after it
has been at or above ``diagnosis_cells``; it is **associated** with an event type when such an
event started within ``window_days`` before the remission. A remission is **temporary** when the
burden later returns to ``diagnosis_cells``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coley.errors import InvalidArgumentError
from coley.model.model import Model
from coley.solve.events import Extinction
from coley.solve.schedule import Infusion
from coley.solve.simulate import simulate
from coley.surveillance.model import HOST_INPUTS, TUMOUR_STATES
from coley.surveillance.model import model as surveillance_model


@dataclass(frozen=True)
class EventProcess:
    """Random host events of one kind: ``per_year`` (Poisson), duration and rate ranges."""

    input: str
    per_year: float
    days: tuple[float, float] = (5.0, 14.0)
    rate: tuple[float, float] = (1.0, 5.0)

    def __post_init__(self) -> None:
        if self.input not in HOST_INPUTS:
            raise InvalidArgumentError(
                f"EventProcess: input must be one of {list(HOST_INPUTS)}, got {self.input!r}."
            )
        if not (math.isfinite(self.per_year) and self.per_year >= 0):
            raise InvalidArgumentError(
                f"EventProcess({self.input!r}): per_year must be >= 0, got {self.per_year!r}."
            )
        for name in ("days", "rate"):
            lo, hi = getattr(self, name)
            if not (0 < lo <= hi and math.isfinite(hi)):
                raise InvalidArgumentError(
                    f"EventProcess({self.input!r}): {name} must be (low, high) with "
                    f"0 < low <= high, got {(lo, hi)!r}."
                )

    def draw(self, rng: np.random.Generator, t_end: float) -> list[Infusion]:
        """This patient's events of this kind over [0, t_end) days."""
        n = int(rng.poisson(self.per_year * t_end / 365.0))
        starts = np.sort(rng.uniform(0.0, t_end, n))
        out = []
        for s in starts:
            d = float(rng.uniform(*self.days))
            r = float(rng.uniform(*self.rate))
            if s + d < t_end:
                out.append(Infusion(self.input, r, float(s), float(s) + d))
        return out


@dataclass(frozen=True)
class CohortSpec:
    """A virtual cohort: size, seed, parameter spread, host events, remission definition."""

    n: int
    days: float
    seed: int = 0
    values: dict[str, float] = field(default_factory=dict)
    spread: dict[str, float] = field(default_factory=dict)
    processes: tuple[EventProcess, ...] = ()
    diagnosis_cells: float = 1e10
    remission_cells: float = 1e9
    window_days: float = 60.0

    def __post_init__(self) -> None:
        if not (isinstance(self.n, int) and self.n >= 1):
            raise InvalidArgumentError(f"CohortSpec: n must be an int >= 1, got {self.n!r}.")
        if not (math.isfinite(self.days) and self.days > 0):
            raise InvalidArgumentError(f"CohortSpec: days must be > 0, got {self.days!r}.")
        if not self.remission_cells < self.diagnosis_cells:
            raise InvalidArgumentError(
                "CohortSpec: remission_cells must be below diagnosis_cells."
            )


@dataclass(frozen=True)
class PatientOutcome:
    """One patient's remission, its timing and the events that preceded it."""

    remission_time: float | None
    temporary: bool
    preceded_by: tuple[str, ...]
    events: tuple[tuple[str, float, float], ...]


@dataclass(frozen=True)
class CohortResult:
    """Per-patient outcomes and the cohort statistics of spontaneous regression."""

    spec: CohortSpec
    outcomes: tuple[PatientOutcome, ...]

    def statistics(self) -> dict[str, Any]:
        """Fraction remitting; among remissions, fractions associated with each event type,
        fraction temporary, and the median time to remission (days)."""
        rem = [o for o in self.outcomes if o.remission_time is not None]
        n = len(rem)
        stats: dict[str, Any] = {
            "patients": len(self.outcomes),
            "remissions": n,
            "fraction_remitting": n / len(self.outcomes),
            "median_days_to_remission": (float(np.median([o.remission_time for o in rem]))
                                         if n else None),
            "fraction_temporary": (sum(o.temporary for o in rem) / n) if n else None,
        }
        for kind in HOST_INPUTS:
            stats[f"fraction_with_{kind}"] = (sum(kind in o.preceded_by for o in rem) / n
                                              if n else None)
        return stats


def remission_outcome(time: np.ndarray, total: np.ndarray, events: list[Infusion],
             spec: CohortSpec) -> PatientOutcome:
    """The remission (if any) of one trajectory ``total(time)`` and the events before it."""
    diagnosed = np.flatnonzero(total >= spec.diagnosis_cells)
    listed = tuple((e.input, e.start, e.stop) for e in events)
    if diagnosed.size == 0:
        return PatientOutcome(None, False, (), listed)
    below = np.flatnonzero((total < spec.remission_cells) & (np.arange(total.size) > diagnosed[0]))
    if below.size == 0:
        return PatientOutcome(None, False, (), listed)
    k = int(below[0])
    t_rem = float(time[k])
    temporary = bool(np.any(total[k:] >= spec.diagnosis_cells))
    preceded = tuple(sorted({e.input for e in events
                             if t_rem - spec.window_days <= e.start <= t_rem}))
    return PatientOutcome(t_rem, temporary, preceded, listed)


def simulate_cohort(spec: CohortSpec, *, model: Model | None = None,
                    schedule: list[Infusion] | None = None) -> CohortResult:
    """Simulate every patient of ``spec`` (seeded) and record remissions.

    ``schedule`` adds the same deliberate events to every patient (Coley's toxins: repeated
    ``bacterial`` inputs).
    """
    m = model or surveillance_model()
    children = np.random.SeedSequence(spec.seed).spawn(spec.n)
    names = set(m.parameter_names) | set(m.state_names)
    for key in {*spec.values, *spec.spread}:
        if key not in names:
            raise InvalidArgumentError(
                f"CohortSpec: {key!r} is not a parameter or state of model {m.name!r}."
            )
    extinction = [Extinction(s) for s in TUMOUR_STATES]
    outcomes = []
    for child in children:
        rng = np.random.default_rng(child)
        values = {k: float(v) for k, v in spec.values.items()}
        for key, sd in sorted(spec.spread.items()):
            centre = values.get(key, _default(m, key))
            values[key] = centre * float(np.exp(sd * rng.standard_normal()))
        events = [e for p in spec.processes for e in p.draw(rng, spec.days)]
        result = simulate(m, values, t_end=spec.days, schedule=[*events, *(schedule or [])],
                          events=extinction)
        total = np.asarray(sum(result[s][0] for s in TUMOUR_STATES))
        outcomes.append(remission_outcome(result.time, total, [*events, *(schedule or [])], spec))
    return CohortResult(spec, tuple(outcomes))


def _default(m: Model, name: str) -> float:
    if name in m.parameter_names:
        return m.parameter(name).value
    return m.state(name).initial
