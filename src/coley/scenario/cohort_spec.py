"""A virtual cohort's definition: host-event processes, the cohort spec and its file form.

:class:`CohortSpec` and :class:`EventProcess` define a cohort for
:func:`~coley.scenario.cohort.simulate_cohort`; :class:`CohortTable` is the ``[cohort]``
table of a scenario file (:class:`~coley.scenario.scenario.ScenarioSpec` holds one). They
live apart from the simulation so that the scenario schema and the cohort simulation do not
import each other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Annotated

import numpy as np
from pydantic import Field, model_validator

from coley.errors import InvalidArgumentError
from coley.experiment.schema import Strict
from coley.solve.schedule import Infusion


@dataclass(frozen=True)
class EventProcess:
    """Random host events of one kind: ``per_year`` (Poisson), duration and rate ranges.

    Durations (days) and rates (activation per day) are uniform on their ranges. Several
    processes may share an input (minor and severe bacterial infections, say). ``input`` must
    be an input of the cohort's model: :func:`~coley.scenario.cohort.simulate_cohort` checks
    it against ``model.input_names``.
    """

    input: str
    per_year: float
    days: tuple[float, float] = (5.0, 14.0)
    rate: tuple[float, float] = (1.0, 5.0)

    def __post_init__(self) -> None:
        if not (isinstance(self.input, str) and self.input):
            raise InvalidArgumentError(
                f"EventProcess: input must name an input of the model, got {self.input!r}."
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
    """A virtual cohort: size, seed, parameter spread, host events, remission definition.

    ``values`` are the centre values (parameters or initial states) shared by every patient;
    ``spread`` gives the log-normal standard deviation of each varied one (0.5: a factor 1.65
    either way for one standard deviation). Remissions are counted over ``days``; patients are
    then followed for ``follow_up_days`` more (host events continue) to see whether they
    relapse.
    """

    n: int
    days: float
    seed: int = 0
    values: dict[str, float] = field(default_factory=dict)
    spread: dict[str, float] = field(default_factory=dict)
    processes: tuple[EventProcess, ...] = ()
    diagnosis_cells: float = 1e10
    remission_cells: float = 1e9
    window_days: float = 60.0
    follow_up_days: float = 0.0

    def __post_init__(self) -> None:
        if not (isinstance(self.n, int) and self.n >= 1):
            raise InvalidArgumentError(f"CohortSpec: n must be an int >= 1, got {self.n!r}.")
        if not (math.isfinite(self.days) and self.days > 0):
            raise InvalidArgumentError(f"CohortSpec: days must be > 0, got {self.days!r}.")
        if not self.remission_cells < self.diagnosis_cells:
            raise InvalidArgumentError(
                "CohortSpec: remission_cells must be below diagnosis_cells."
            )
        if not (math.isfinite(self.follow_up_days) and self.follow_up_days >= 0):
            raise InvalidArgumentError(
                f"CohortSpec: follow_up_days must be >= 0, got {self.follow_up_days!r}."
            )
        if not (math.isfinite(self.window_days) and self.window_days >= 0):
            raise InvalidArgumentError(
                f"CohortSpec: window_days must be >= 0, got {self.window_days!r}."
            )
        bad = {k: v for k, v in self.spread.items() if not (math.isfinite(v) and v >= 0)}
        if bad:
            raise InvalidArgumentError(
                f"CohortSpec: spread values are log-normal standard deviations >= 0; got {bad}."
            )

    @property
    def horizon(self) -> float:
        """Days simulated: the remission period ``days`` and the ``follow_up_days`` after it."""
        return self.days + self.follow_up_days


# ---------------------------------------------------------------------------- scenario files
class ProcessTable(Strict):
    """``[[cohort.process]]``: random host events of one kind (see :class:`EventProcess`)."""

    input: str
    per_year: float = Field(ge=0)
    days: tuple[float, float]
    rate: tuple[float, float]
    note: str = ""

    @model_validator(mode="after")
    def _valid(self) -> ProcessTable:
        self.build()  # InvalidArgumentError is a ValueError: pydantic reports it with the path
        return self

    def build(self) -> EventProcess:
        return EventProcess(self.input, self.per_year, self.days, self.rate)


class PublishedTable(Strict):
    """``[cohort.published]``: the published series the cohort is compared with.

    ``fraction_with`` maps inputs of the scenario's model to the published fraction of
    remissions that followed an event of that input (``[cohort.published.fraction_with]``,
    ``bacterial = 0.76``); each is compared with the cohort statistic ``fraction_with_INPUT``.
    :func:`~coley.scenario.scenario.parse_scenario` checks the names against the model's
    inputs.
    """

    source: str
    arm: str
    remissions: int = Field(ge=1)
    fraction_with: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(default_factory=dict)
    median_days: float = Field(gt=0)
    note: str = ""


class CohortTable(Strict):
    """``[cohort]``: a virtual cohort simulated for every arm (see :class:`CohortSpec`).

    The scenario's ``[set]`` (merged with each arm's ``set``) gives the centre values; ``days``
    is the period over which remissions count, ``follow_up_days`` the extra follow-up.
    """

    patients: int = Field(ge=1)
    follow_up_days: float = Field(default=0.0, ge=0)
    spread: dict[str, float] = Field(default_factory=dict)
    process: list[ProcessTable] = Field(default_factory=list)
    diagnosis_cells: float = Field(default=1e10, gt=0)
    remission_cells: float = Field(default=1e9, gt=0)
    window_days: float = Field(default=60.0, ge=0)
    rtol: float = Field(default=1e-6, gt=0, lt=1)
    examples: int = Field(default=8, ge=1)
    published: PublishedTable | None = None

    @model_validator(mode="after")
    def _valid(self) -> CohortTable:
        if not self.remission_cells < self.diagnosis_cells:
            raise ValueError("remission_cells must be below diagnosis_cells")
        bad = sorted(k for k, v in self.spread.items() if not (math.isfinite(v) and v >= 0))
        if bad:
            raise ValueError(f"spread values are log-normal standard deviations >= 0: {bad}")
        return self

    def build(self, *, days: float, seed: int, values: dict[str, float]) -> CohortSpec:
        return CohortSpec(
            n=self.patients, days=days, seed=seed, values=values, spread=dict(self.spread),
            processes=tuple(p.build() for p in self.process),
            diagnosis_cells=self.diagnosis_cells, remission_cells=self.remission_cells,
            window_days=self.window_days, follow_up_days=self.follow_up_days,
        )


__all__ = ["CohortSpec", "CohortTable", "EventProcess", "ProcessTable", "PublishedTable"]
