"""Scenario files for the surveillance model: arms of one experiment, simulated and classified.

A scenario (TOML) holds what is shared by all arms and a list of arms that differ from it::

    name = "immunoediting"
    behaviour = 1
    title = "Elimination, equilibrium and escape as immune strength varies"
    days = 3650
    seed = 0

    [set]                       # parameters or initial states of the model, for every arm
    g = 0.05

    [classify]                  # thresholds of coley.surveillance.classify (optional)
    escape_cells = 1e9

    [[event]]                   # host event: an input held at `rate` (1/day) for `days`
    input = "bacterial"         # bacterial, viral, transfusion or wound
    start = 60
    days = 7
    rate = 1.0

    [[jump]]                    # a state change: surgery on every tumour state, say
    state = "S"
    at = [0]
    op = "multiply"             # add, set or multiply
    amount = 0.01

    [[regimen]]                 # a treatment, in the coley.treat.scenario format
    modality = "pembrolizumab"
    dose = { amount = 200, unit = "mg" }
    schedule = { every = 21, until = 360 }

    [[arm]]
    name = "strong"
    set = { sE = 3e4 }          # merged over the shared [set]
    expect = "elimination"      # optional: the label the arm should get
    # an arm may add its own `event`, `jump` and `regimen` lists; an event repeats with
    # `every` (days) and `times` (Coley's toxins: every = 2, times = 28)

A scenario with a ``[cohort]`` table (:class:`~coley.surveillance.cohort.CohortTable`) is a
virtual cohort with random host events, simulated per arm by
:func:`~coley.surveillance.cohort.simulate_cohort_scenario` (behaviour 3).

Arms are simulated with :func:`coley.simulate` (Rodas4), one after the other, with extinction
events on every tumour state (a compartment below one cell is set to 0). The model is
deterministic; ``seed`` is recorded for provenance and will drive the stochastic mode.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from coley.errors import InvalidArgumentError
from coley.library.surveillance import HOST_INPUTS, TUMOUR_STATES
from coley.library.surveillance import model as surveillance_model
from coley.model.model import Model
from coley.solve.events import Extinction
from coley.solve.result import SimulationResult
from coley.solve.schedule import Infusion, Jump
from coley.solve.simulate import simulate
from coley.solve.solvers import Rodas4
from coley.surveillance.arm_lookup import ArmLookup
from coley.surveillance.classify import Classification, Thresholds, classify
from coley.surveillance.cohort_spec import CohortTable
from coley.treat.apply import apply_regimens
from coley.treat.regimen import Regimen
from coley.treat.scenario import RegimenSpec


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EventSpec(_Strict):
    """A host event: input ``input`` held at ``rate`` (1/day) from ``start`` for ``days``;
    repeated ``times`` times, ``every`` days apart (Coley's toxins: an injection every 2 days)."""

    input: str
    start: float = Field(ge=0)
    days: float = Field(gt=0)
    rate: float = Field(default=1.0, gt=0)
    every: float | None = Field(default=None, gt=0)
    times: int = Field(default=1, ge=1)
    note: str = ""

    @model_validator(mode="after")
    def _known_input(self) -> EventSpec:
        if self.input not in HOST_INPUTS:
            raise ValueError(f"input must be one of {list(HOST_INPUTS)}, got {self.input!r}")
        if self.times > 1 and self.every is None:
            raise ValueError(f"times = {self.times} needs `every` (days between repeats)")
        return self

    def build(self) -> Infusion:
        return Infusion(self.input, self.rate, self.start, self.start + self.days)

    def build_all(self) -> list[Infusion]:
        """Every repeat of the event."""
        step = self.every or 0.0
        return [Infusion(self.input, self.rate, self.start + k * step,
                         self.start + k * step + self.days) for k in range(self.times)]


class JumpSpec(_Strict):
    """A scheduled change of a state (surgery on each tumour state, a bolus)."""

    state: str
    at: list[float]
    amount: float
    op: Literal["add", "set", "multiply"] = "add"

    def build(self) -> Jump:
        return Jump(self.state, self.at, self.amount, op=self.op)


class ArmSpec(_Strict):
    """One arm: overrides and additions to the shared settings."""

    name: str
    note: str = ""
    set: dict[str, float] = {}
    event: list[EventSpec] = []
    jump: list[JumpSpec] = []
    regimen: list[RegimenSpec] = []
    expect: Literal["elimination", "equilibrium", "escape"] | None = None


class ClassifySpec(_Strict):
    """Thresholds of the classifier (see :class:`~coley.surveillance.classify.Thresholds`)."""

    extinct_cells: float = 1.0
    detect_cells: float = 1e9
    escape_cells: float = 1e9
    min_equilibrium_days: float = 365.0
    window_days: float = 365.0
    growth_fold: float = 10.0


class ScenarioSpec(_Strict):
    """A scenario file."""

    name: str
    title: str
    behaviour: int | None = None
    description: str = ""
    model: Literal["surveillance"] = "surveillance"
    days: float = Field(gt=0)
    seed: int = 0
    covariates: dict[str, float] = {}
    set: dict[str, float] = {}
    classify: ClassifySpec = ClassifySpec()
    event: list[EventSpec] = []
    jump: list[JumpSpec] = []
    regimen: list[RegimenSpec] = []
    cohort: CohortTable | None = None
    arm: list[ArmSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_arms(self) -> ScenarioSpec:
        names = [a.name for a in self.arm]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"arm names must be unique; repeated: {dupes}")
        return self


@dataclass(frozen=True)
class ArmResult:
    """One simulated arm: its trajectory, label and key numbers."""

    name: str
    result: SimulationResult
    classification: Classification
    expect: str | None
    regimens: tuple[str, ...]
    metrics: dict[str, float]

    @property
    def total(self) -> np.ndarray:
        """Total tumour burden (cells) over time."""
        return tumour_total(self.result)


@dataclass(frozen=True)
class ScenarioResult(ArmLookup):
    """Every arm of a scenario, with the resolved specification."""

    spec: ScenarioSpec
    arms: tuple[ArmResult, ...]
    model: Model


def tumour_total(result: SimulationResult, patient: int = 0) -> np.ndarray:
    """Sum of the tumour states (P + D + S + V) of one patient, over time."""
    return np.asarray(sum(result[s][patient] for s in TUMOUR_STATES))


def load_scenario(path: str | Path) -> ScenarioSpec:
    """Read and validate a scenario file, listing every problem in one error."""
    path = Path(path)
    if not path.exists():
        raise InvalidArgumentError(f"scenario file {str(path)!r} does not exist.")
    if path.suffix.lower() != ".toml":
        raise InvalidArgumentError(f"{path}: scenario files are TOML; got {path.suffix!r}.")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise InvalidArgumentError(f"{path}: not valid TOML: {exc}") from None
    return parse_scenario(data, where=str(path))


def parse_scenario(data: Mapping[str, Any], *, where: str = "scenario") -> ScenarioSpec:
    """Validate a scenario given as a mapping (the parsed TOML)."""
    try:
        spec = ScenarioSpec.model_validate(dict(data))
    except ValidationError as exc:
        lines = [f"{where}: {'.'.join(str(x) for x in err['loc'])}: {err['msg']}"
                 for err in exc.errors()]
        raise InvalidArgumentError("invalid scenario:\n  " + "\n  ".join(lines)) from None
    m = surveillance_model()
    known = {*m.parameter_names, *m.state_names}
    problems = []
    cohort = [("cohort spread", spec.cohort.spread)] if spec.cohort else []
    for owner, values in [("set", spec.set), *cohort, *[(f"arm {a.name!r} set", a.set)
                                                         for a in spec.arm]]:
        for key, value in values.items():
            if key not in known:
                from coley.errors import suggest

                problems.append(f"{where}: {owner}: unknown parameter or state {key!r}."
                                f"{suggest(key, known)}")
            elif not math.isfinite(value):
                problems.append(f"{where}: {owner}: {key} = {value} is not finite.")
    if spec.cohort is not None:
        problems += [f"{where}: arm {a.name!r}: a cohort scenario takes events and set values "
                     "per arm; jumps and regimens are not supported there yet."
                     for a in spec.arm if a.jump or a.regimen]
        if spec.jump or spec.regimen:
            problems.append(f"{where}: a cohort scenario takes no shared jump or regimen.")
    if problems:
        raise InvalidArgumentError("invalid scenario:\n  " + "\n  ".join(problems))
    return spec


def _thresholds(spec: ScenarioSpec) -> Thresholds:
    return Thresholds(**spec.classify.model_dump())


def _regimens(specs: list[RegimenSpec]) -> list[Regimen]:
    return [r.build() for r in specs]


def _metrics(result: SimulationResult, hazards: tuple[str, ...] = ()) -> dict[str, float]:
    """Key numbers of one arm (cells, days, probabilities)."""
    out: dict[str, float] = {}
    for s in (*TUMOUR_STATES, "E", "M", "N"):
        out[f"final_{s}"] = float(result.final(s)[0])
    for s in ("E", "L", "V"):
        out[f"max_{s}"] = float(np.max(result[s][0]))
    # the model's own activation-driven hazard H plus each regimen's irAE hazard
    hazard = sum(float(result.final(s)[0]) for s in ("H", *hazards) if s in result.state_names)
    out["irae_hazard"] = hazard
    out["p_irae_grade3"] = 1.0 - math.exp(-hazard)
    dormant = result["D"][0] + result["S"][0]
    out["max_dormant"] = float(np.max(dormant))
    out["final_dormant"] = float(dormant[-1])
    return out


#: Treated models by (modality, label) of their regimens. A treated model's equations depend
#: only on which regimens are applied, not on their doses or times, so arms and scenarios that
#: share a combination reuse one compiled model instead of regenerating its code (seconds each).
_TREATED: dict[tuple[tuple[str, str], ...], Model] = {}


def _treated(base: Model, regimens: list[Regimen], covariates: dict[str, float] | None,
             t_end: float) -> tuple[Model, list[Jump | Infusion], tuple[str, ...]]:
    """Treated model, schedule and the irAE hazard states of the regimens."""
    if not regimens:
        return base, [], ()
    treated = apply_regimens(base, regimens, covariates=covariates, n=1, t_end=t_end)
    key = tuple((r.modality, r.label) for r in regimens)
    model = _TREATED.setdefault(key, treated.model)
    hazards = tuple(t.state for t in treated.toxicities if t.name == "irAE")
    return model, list(treated.schedule), hazards


def simulate_scenario(spec: ScenarioSpec) -> ScenarioResult:
    """Simulate every arm of ``spec`` and classify its tumour trajectory."""
    if spec.cohort is not None:
        raise InvalidArgumentError(
            f"scenario {spec.name!r} is a cohort scenario; simulate it with "
            "coley.surveillance.cohort.simulate_cohort_scenario (coley run does)."
        )
    base = surveillance_model()
    thresholds = _thresholds(spec)
    covariates = dict(spec.covariates) or None
    arms = []
    for arm in spec.arm:
        values = {**spec.set, **arm.set}
        regimens = _regimens([*spec.regimen, *arm.regimen])
        model, schedule, hazards = _treated(base, regimens, covariates, spec.days)
        schedule += [i for e in (*spec.event, *arm.event) for i in e.build_all()]
        schedule += [j.build() for j in (*spec.jump, *arm.jump)]
        result = simulate(
            model, values or None, t_end=spec.days, solver=Rodas4(), schedule=schedule,
            events=[Extinction(s) for s in TUMOUR_STATES],
        )
        if result.status[0] < 0:
            raise InvalidArgumentError(
                f"scenario {spec.name!r}, arm {arm.name!r}: the integration failed "
                f"({result.messages[0]}); check the arm's parameter values."
            )
        label = classify(result.time, tumour_total(result), thresholds)
        arms.append(ArmResult(arm.name, result, label, arm.expect,
                              tuple(r.label for r in regimens), _metrics(result, hazards)))
    return ScenarioResult(spec, tuple(arms), base)
