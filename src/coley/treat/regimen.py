"""Regimens as data: what is given (a catalogue modality), how much, when, and how.

* Schedules: :class:`Every` ("every 21 days for two years"), :class:`Cycles` ("days 1, 8, 15
  every 28 days, 6 cycles"), :class:`At` (explicit days). Days count from the start of treatment
  (day 0); within a cycle, day 1 is the first day of the cycle, as in protocols.
* Routes: :class:`BolusRoute` (``"bolus"``) or :class:`InfusionRoute` with a duration in hours.
* :class:`Phase` pairs a dose with a schedule, so loading then maintenance is two phases.
* :class:`StopRules`: stop after a number of days; progression- and toxicity-driven stops are
  evaluated by trials, which observe tumour size and toxicity (see ``coley.trial``).

Everything is validated when built; :meth:`Regimen.dose_events` checks the horizon and
overlapping infusions when the regimen is applied.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from coley.errors import InvalidArgumentError
from coley.treat.doses import Dose

#: Most doses one schedule may give (a daily dose for 270 years): a larger count is a typo, and
#: expanding it would exhaust memory. Checked from the schedule's numbers, before expanding.
MAX_DOSES = 100_000


def _check_count(n: float, what: str, fix: str) -> None:
    if n > MAX_DOSES:
        raise InvalidArgumentError(f"{what}: gives {n:.3g} doses, more than the {MAX_DOSES:,} "
                                   f"a schedule may hold; {fix}.")


def _positive(name: str, value: float, what: str) -> float:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise InvalidArgumentError(f"{what}: {name} must be a positive number, got {value!r}.")
    return float(value)


def _nonneg(name: str, value: float, what: str) -> float:
    if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
        raise InvalidArgumentError(f"{what}: {name} must be a number >= 0, got {value!r}.")
    return float(value)


def _floor(x: float) -> float:
    """``floor(x)``, infinite for a quotient too large for an int (a tiny interval)."""
    return float(math.floor(x)) if math.isfinite(x) else math.inf


@dataclass(frozen=True)
class Every:
    """A dose every ``interval`` days from ``start``; ``count`` doses or until day ``until``."""

    interval: float
    start: float = 0.0
    count: int | None = None
    until: float | None = None

    def __post_init__(self) -> None:
        _positive("interval", self.interval, "Every")
        _nonneg("start", self.start, "Every")
        if self.count is None and self.until is None:
            raise InvalidArgumentError(
                "Every: give count (number of doses) or until (last day), e.g. "
                "Every(21, until=730) for two years."
            )
        if self.count is not None and not (isinstance(self.count, int) and self.count >= 1):
            raise InvalidArgumentError(f"Every: count must be an int >= 1, got {self.count!r}.")
        if self.until is not None and _nonneg("until", self.until, "Every") < self.start:
            raise InvalidArgumentError(
                f"Every: until ({self.until}) is before start ({self.start})."
            )
        _check_count(self.dose_count, "Every", "check count, until (a day) and interval (days), "
                     "e.g. Every(21, until=730) for two years")

    @property
    def dose_count(self) -> float:
        """Number of doses (from the numbers, without listing them)."""
        by_until = (math.inf if self.until is None
                    else _floor((self.until - self.start + 1e-9) / self.interval) + 1)
        return float(min(by_until, math.inf if self.count is None else self.count))

    def times(self) -> list[float]:
        """Dose days."""
        n = self.count if self.count is not None else 10**9
        out = []
        k = 0
        while k < n:
            t = self.start + k * self.interval
            if self.until is not None and t > self.until + 1e-9:
                break
            out.append(t)
            k += 1
        return out


@dataclass(frozen=True)
class Cycles:
    """Doses on ``days`` (1-based) of each cycle of ``length`` days; ``cycles`` or ``until``."""

    days: tuple[float, ...]
    length: float
    cycles: int | None = None
    until: float | None = None
    start: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "days", tuple(self.days))
        _positive("length", self.length, "Cycles")
        _nonneg("start", self.start, "Cycles")
        if not self.days:
            raise InvalidArgumentError(
                "Cycles: days is empty; give the dosing days, e.g. (1, 8, 15)."
            )
        for d in self.days:
            if not (isinstance(d, int | float) and 1 <= d <= self.length):
                raise InvalidArgumentError(
                    f"Cycles: day {d!r} is outside the cycle 1..{self.length:g}; days are "
                    "1-based (day 1 is the first day of a cycle)."
                )
        if list(self.days) != sorted(set(self.days)):
            raise InvalidArgumentError(f"Cycles: days must be increasing and distinct, got "
                                       f"{self.days}.")
        if self.cycles is None and self.until is None:
            raise InvalidArgumentError("Cycles: give cycles (a number) or until (last day).")
        if self.cycles is not None and not (isinstance(self.cycles, int) and self.cycles >= 1):
            raise InvalidArgumentError(f"Cycles: cycles must be an int >= 1, got {self.cycles!r}.")
        if self.until is not None:
            _nonneg("until", self.until, "Cycles")
        _check_count(self.dose_count, "Cycles", "check cycles, until (a day) and length (days)")

    @property
    def dose_count(self) -> float:
        """Number of doses at most (from the numbers, without listing them)."""
        by_until = (math.inf if self.until is None
                    else max(_floor((self.until - self.start + 1e-9) / self.length) + 1, 0))
        cycles = min(by_until, math.inf if self.cycles is None else self.cycles)
        return float(cycles * len(self.days))

    def times(self) -> list[float]:
        """Dose days."""
        out: list[float] = []
        c = 0
        while self.cycles is None or c < self.cycles:
            base = self.start + c * self.length
            if self.until is not None and base > self.until + 1e-9:
                break
            for d in self.days:
                t = base + d - 1
                if self.until is None or t <= self.until + 1e-9:
                    out.append(t)
            c += 1
        return out


@dataclass(frozen=True)
class At:
    """Doses on explicit days."""

    days: tuple[float, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "days", tuple(float(d) for d in self.days))
        if not self.days:
            raise InvalidArgumentError("At: days is empty.")
        for d in self.days:
            _nonneg("day", d, "At")

    def times(self) -> list[float]:
        """Dose days, sorted."""
        return sorted(self.days)


Schedule = Every | Cycles | At


@dataclass(frozen=True)
class BolusRoute:
    """A bolus: the whole dose at once (``route="bolus"`` in files and in :class:`Regimen`)."""

    @property
    def days(self) -> float:
        """Duration in days (0)."""
        return 0.0

    def describe(self) -> str:
        """How the route reads in messages."""
        return "a bolus"


@dataclass(frozen=True)
class InfusionRoute:
    """An intravenous infusion lasting ``hours``."""

    hours: float

    def __post_init__(self) -> None:
        _positive("hours", self.hours, "InfusionRoute")

    @property
    def days(self) -> float:
        """Duration in days."""
        return self.hours / 24.0

    def describe(self) -> str:
        """How the route reads in messages."""
        return f"a {self.hours:g} h infusion"


#: How a dose is given: every route has ``days`` (its duration; 0 for a bolus).
Route = BolusRoute | InfusionRoute


@dataclass(frozen=True)
class Phase:
    """One dose on one schedule (a regimen with loading and maintenance has two phases)."""

    dose: Dose
    schedule: Schedule

    def __post_init__(self) -> None:
        if not isinstance(self.dose, Dose):
            raise InvalidArgumentError(f"Phase: dose must be a Dose, got {self.dose!r}.")
        if not isinstance(self.schedule, Every | Cycles | At):
            raise InvalidArgumentError(
                f"Phase: schedule must be Every, Cycles or At, got {self.schedule!r}."
            )


@dataclass(frozen=True)
class StopRules:
    """When to stop: ``after_days`` of treatment; ``at_progression`` and
    ``max_toxicity_grade`` are applied by trials, which observe response and toxicity."""

    after_days: float | None = None
    at_progression: bool = False
    max_toxicity_grade: int | None = None

    def __post_init__(self) -> None:
        if self.after_days is not None:
            _positive("after_days", self.after_days, "StopRules")
        if self.max_toxicity_grade is not None and self.max_toxicity_grade not in (1, 2, 3, 4):
            raise InvalidArgumentError(
                f"StopRules: max_toxicity_grade must be 1-4 (CTCAE), got "
                f"{self.max_toxicity_grade!r}."
            )


@dataclass(frozen=True)
class DoseEvent:
    """One administration: start day, duration (0 for a bolus) and amount per patient."""

    time: float
    duration: float
    amount: np.ndarray


@dataclass(frozen=True)
class Regimen:
    """A modality from the catalogue given by ``phases`` (or one ``dose`` + ``schedule``).

    ``Regimen("pembrolizumab", Dose(200, "mg"), Every(21, until=730))`` is pembrolizumab 200 mg
    every 3 weeks for two years.
    """

    modality: str
    dose: Dose | None = None
    schedule: Schedule | None = None
    route: Route = field(default_factory=BolusRoute)
    """:class:`BolusRoute` (the default; the string ``"bolus"`` is accepted) or
    :class:`InfusionRoute`."""
    phases: tuple[Phase, ...] = ()
    stop: StopRules = field(default_factory=StopRules)
    label: str = ""

    def __post_init__(self) -> None:
        what = f"Regimen({self.modality!r})"
        phases = tuple(self.phases)
        if self.dose is not None or self.schedule is not None:
            if self.dose is None or self.schedule is None:
                raise InvalidArgumentError(f"{what}: give both dose and schedule, or phases.")
            if phases:
                raise InvalidArgumentError(f"{what}: give dose + schedule or phases, not both.")
            phases = (Phase(self.dose, self.schedule),)
        if not phases:
            raise InvalidArgumentError(f"{what}: no dose; give dose and schedule, or phases.")
        object.__setattr__(self, "phases", phases)
        if self.route == "bolus":
            object.__setattr__(self, "route", BolusRoute())
        if not isinstance(self.route, BolusRoute | InfusionRoute):
            raise InvalidArgumentError(
                f"{what}: route must be 'bolus' or InfusionRoute(hours=...), got {self.route!r}."
            )
        units = {p.dose.base_unit for p in phases}
        if len(units) > 1:
            raise InvalidArgumentError(
                f"{what}: phases mix dose units {sorted(units)}; use one kind of amount."
            )
        if not self.label:
            object.__setattr__(self, "label", self.modality)

    @property
    def base_unit(self) -> str:
        """Unit of the resolved amounts."""
        return self.phases[0].dose.base_unit

    def dose_events(self, covariates: Mapping[str, float | np.ndarray] | None, n: int,
                    horizon: float,
                    offset: float = 0.0) -> list[DoseEvent]:
        """All administrations, in days from the start of the simulation.

        Raises for a dose after ``horizon`` and for infusions that overlap.
        """
        what = f"Regimen({self.label!r})"
        duration = self.route.days
        events: list[DoseEvent] = []
        for phase in self.phases:
            amount = phase.dose.resolve(covariates, n)
            for t in phase.schedule.times():
                if self.stop.after_days is not None and t > self.stop.after_days + 1e-9:
                    continue
                time = offset + t
                if time > horizon + 1e-9:
                    raise InvalidArgumentError(
                        f"{what}: a dose on day {time:g} is after the end of the simulation "
                        f"({horizon:g} d); shorten the schedule (until=...) or extend the "
                        "horizon."
                    )
                events.append(DoseEvent(time, duration, amount))
        events.sort(key=lambda e: e.time)
        for a, b in itertools.pairwise(events):
            if b.time == a.time:
                raise InvalidArgumentError(
                    f"{what}: two doses on day {a.time:g}; phases overlap."
                )
            if duration and b.time < a.time + duration - 1e-12:
                raise InvalidArgumentError(
                    f"{what}: infusions overlap: the one starting on day {a.time:g} lasts "
                    f"{24 * duration:g} h (until day {a.time + duration:g}) but the next "
                    f"starts on day {b.time:g}."
                )
        return events


__all__ = ["At", "BolusRoute", "Cycles", "DoseEvent", "Every", "InfusionRoute", "Phase",
           "Regimen", "Route", "Schedule", "StopRules"]

