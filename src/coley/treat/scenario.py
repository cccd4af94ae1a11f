"""Regimen files (TOML or YAML): a schema, a loader, and validation that lists every problem.

Example (TOML)::

    days = 730
    [covariates]
    weight = 70

    [[regimen]]
    modality = "pembrolizumab"
    dose = { amount = 200, unit = "mg" }
    schedule = { every = 21, until = 714 }
    route = { infusion_hours = 0.5 }

    [[regimen]]
    modality = "trastuzumab"
    phases = [
      { dose = { amount = 8, unit = "mg/kg" }, schedule = { at = [0] } },
      { dose = { amount = 6, unit = "mg/kg" }, schedule = { every = 21, start = 21, count = 16 } },
    ]

A schedule is one of ``{every, start, count | until}``, ``{cycle_days, cycle_length, cycles |
until, start}`` or ``{at = [days]}``. ``route`` is ``"bolus"`` or ``{infusion_hours}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from coley.errors import CoLeyError, InvalidArgumentError
from coley.experiment.files import read_document
from coley.experiment.problems import raise_problems
from coley.experiment.schema import Strict
from coley.treat.doses import Dose
from coley.treat.regimen import (
    At,
    BolusRoute,
    Cycles,
    Every,
    InfusionRoute,
    Phase,
    Regimen,
    Route,
    Schedule,
    StopRules,
)


class DoseSpec(Strict):
    """``{amount, unit}``."""

    amount: float
    unit: str


class ScheduleSpec(Strict):
    """Every / cycles / explicit days."""

    every: float | None = None
    start: float = 0.0
    count: int | None = None
    until: float | None = None
    cycle_days: list[float] | None = None
    cycle_length: float | None = None
    cycles: int | None = None
    at: list[float] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> ScheduleSpec:
        kinds = [k for k in ("every", "cycle_days", "at") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("give exactly one of 'every', 'cycle_days' or 'at'")
        return self

    def build(self) -> Schedule:
        if self.every is not None:
            return Every(self.every, start=self.start, count=self.count, until=self.until)
        if self.cycle_days is not None:
            if self.cycle_length is None:
                raise InvalidArgumentError("cycle_days needs cycle_length (days)")
            return Cycles(tuple(self.cycle_days), self.cycle_length, cycles=self.cycles,
                          until=self.until, start=self.start)
        return At(tuple(self.at or ()))


class RouteSpec(Strict):
    """``{infusion_hours}``."""

    infusion_hours: float


class PhaseSpec(Strict):
    """One dose on one schedule."""

    dose: DoseSpec
    schedule: ScheduleSpec


class StopSpec(Strict):
    """Stop rules."""

    after_days: float | None = None
    at_progression: bool = False
    max_toxicity_grade: int | None = None


class RegimenSpec(Strict):
    """One regimen entry."""

    modality: str
    label: str = ""
    dose: DoseSpec | None = None
    schedule: ScheduleSpec | None = None
    phases: list[PhaseSpec] | None = None
    route: Literal["bolus"] | RouteSpec = "bolus"
    stop: StopSpec | None = None

    def build(self) -> Regimen:
        from coley.treat.catalogue import modality

        modality(self.modality)  # unknown names fail here, with suggestions
        route: Route = (InfusionRoute(self.route.infusion_hours)
                        if isinstance(self.route, RouteSpec) else BolusRoute())
        stop = StopRules(**self.stop.model_dump()) if self.stop else StopRules()
        phases = tuple(Phase(Dose(p.dose.amount, p.dose.unit), p.schedule.build())
                       for p in self.phases or ())
        dose = Dose(self.dose.amount, self.dose.unit) if self.dose else None
        schedule = self.schedule.build() if self.schedule else None
        return Regimen(self.modality, dose, schedule, route=route, phases=phases, stop=stop,
                       label=self.label)


class RegimenFile(Strict):
    """A regimen file: optional horizon (days), covariates and a list of regimens
    (``kind = "regimen"`` names the kind; optional)."""

    kind: Literal["regimen"] | None = None
    days: float | None = None
    covariates: dict[str, float] = Field(default_factory=dict)
    regimen: list[RegimenSpec]


def problems(path: str | Path, *, days: float | None = None) -> list[str]:
    """Every problem in a regimen file, one readable line each (empty if it is valid)."""
    path = Path(path)
    try:
        data = read_document(path, what="regimen file")
    except CoLeyError as exc:
        return [str(exc)]
    try:
        spec = RegimenFile.model_validate(data)
    except ValidationError as exc:
        return [f"{path}: {'.'.join(str(x) for x in err['loc'])}: {err['msg']}"
                for err in exc.errors()]
    out: list[str] = []
    horizon = days if days is not None else spec.days
    regimens: list[Regimen] = []
    for i, r in enumerate(spec.regimen):
        where = f"{path}: regimen[{i}] ({r.modality})"
        try:
            reg = r.build()
            from coley.treat.apply import check_units
            from coley.treat.catalogue import modality

            check_units(reg, modality(reg.modality))
            if horizon is not None:
                reg.dose_events(spec.covariates or None, 1, horizon)
            regimens.append(reg)
        except CoLeyError as exc:
            out.append(f"{where}: {exc}")
    labels = [r.label for r in regimens]
    for label in sorted({x for x in labels if labels.count(x) > 1}):
        out.append(f"{path}: two regimens are labelled {label!r}; give each a distinct label.")
    return out


def load_regimens(path: str | Path, *, days: float | None = None
                  ) -> tuple[list[Regimen], dict[str, float], float | None]:
    """Regimens, covariates and horizon from a file; raises with every problem listed."""
    found = problems(path, days=days)
    raise_problems(found, "regimen file")
    spec = RegimenFile.model_validate(read_document(path, what="regimen file"))
    return [r.build() for r in spec.regimen], dict(spec.covariates), spec.days
