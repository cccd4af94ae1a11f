"""Scenario files: arms of one experiment on a library model, simulated and classified.

A scenario (TOML) names its model and holds what is shared by all arms and a list of arms
that differ from it::

    name = "immunoediting"
    model = "surveillance"      # a coley.library model (coley.library.names())
    behaviour = 1
    title = "Elimination, equilibrium and escape as immune strength varies"
    days = 3650
    seed = 0

    [set]                       # parameters or initial states of the model, for every arm
    g = 0.05

    [classify]                  # thresholds of coley.analysis.classify_trajectory (optional)
    escape_cells = 1e9

    [[event]]                   # host event: an input held at `rate` (1/day) for `days`
    input = "bacterial"         # one of the model's inputs (model.input_names)
    start = 60
    days = 7
    rate = 1.0

    [[jump]]                    # a state change: surgery on every burden state, say
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

    [[claim]]                   # what the scenario claims beyond the labels (optional)
    text = "strong immunity leaves less than one cell"
    holds = ["strong.final_total < 1"]                    # see coley.scenario.claims

A scenario with a ``[cohort]`` table (:class:`~coley.scenario.cohort.CohortTable`) is a
virtual cohort with random host events, simulated per arm by
:func:`~coley.scenario.cohort.simulate_cohort_scenario` (behaviour 3).

Arms are simulated with :func:`coley.simulate` (Rodas4), one after the other, with extinction
events on every burden state of the model (``model.burden_states``: a compartment below one
cell is set to 0). The model is deterministic; ``seed`` is recorded for provenance and will
drive the stochastic mode.

An arm's metrics are what the model declares (:func:`readout_values`): the final value of
each burden state (``final_P``), each of ``model.readouts`` reduced as declared
(``final_E``, ``max_dormant``), and the grade >= 3 irAE hazard: the model's own
``hazard_states`` plus the regimens' (``irae_hazard``, ``p_irae_grade3``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, ValidationError, model_validator

from coley.analysis.trajectory import Classification, Thresholds, classify_trajectory
from coley.errors import InvalidArgumentError, UnknownNameError, suggest
from coley.experiment.condition import Condition
from coley.experiment.files import read_document
from coley.experiment.problems import problems_error, raise_problems
from coley.experiment.schema import Strict
from coley.experiment.settings import out_of_bounds
from coley.library import get as get_model
from coley.library import names as model_names
from coley.model.components import Reduction
from coley.model.model import Model
from coley.scenario.arm_lookup import ArmLookup
from coley.scenario.claims import ClaimSpec
from coley.scenario.cohort_spec import CohortTable, ProcessTable
from coley.solve.events import Extinction
from coley.solve.result import SimulationResult
from coley.solve.schedule import Infusion, Jump
from coley.solve.solvers import Rodas4
from coley.treat.apply import apply_regimens
from coley.treat.regimen import Regimen
from coley.treat.scenario import RegimenSpec

#: The behaviours of docs/surveillance.md ("what each scenario shows"), by number.
BEHAVIOURS = {1: "immunoediting", 2: "mechanosurveillance", 3: "spontaneous regression",
              4: "relapse from MRD", 5: "NK suppression", 6: "immunotherapy"}

#: Longest scenario (days): each arm's trajectory is saved daily, so 1e9 days would be 1e9 rows
#: (82 GiB for the surveillance model's 11 states); 100,000 days is 274 years.
MAX_DAYS = 100_000.0


class EventSpec(Strict):
    """A host event: input ``input`` held at ``rate`` (1/day) from ``start`` for ``days``;
    repeated ``times`` times, ``every`` days apart (Coley's toxins: an injection every 2 days).

    ``input`` must be one of the scenario model's inputs; :func:`parse_scenario` checks it."""

    input: str
    start: float = Field(ge=0)
    days: float = Field(gt=0)
    rate: float = Field(default=1.0, gt=0)
    every: float | None = Field(default=None, gt=0)
    times: int = Field(default=1, ge=1)
    note: str = ""

    @model_validator(mode="after")
    def _repeats(self) -> EventSpec:
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


class JumpSpec(Strict):
    """A scheduled change of a state (surgery on each tumour state, a bolus)."""

    state: str
    at: list[float]
    amount: float
    op: Literal["add", "set", "multiply"] = "add"

    def build(self) -> Jump:
        return Jump(self.state, self.at, self.amount, op=self.op)


class ScenarioArm(Strict):
    """One arm: overrides and additions to the shared settings."""

    name: str
    note: str = ""
    set: dict[str, float] = Field(default_factory=dict)
    event: list[EventSpec] = Field(default_factory=list)
    jump: list[JumpSpec] = Field(default_factory=list)
    regimen: list[RegimenSpec] = Field(default_factory=list)
    expect: Literal["elimination", "equilibrium", "escape"] | None = None


class ClassifySpec(Strict):
    """Thresholds of the classifier (see :class:`~coley.analysis.trajectory.Thresholds`)."""

    extinct_cells: float = 1.0
    detect_cells: float = 1e9
    escape_cells: float = 1e9
    min_equilibrium_days: float = 365.0
    window_days: float = 365.0
    growth_fold: float = 10.0


class ScenarioSpec(Strict):
    """A scenario file. ``model`` names a :mod:`coley.library` model; ``claim`` lists what the
    scenario claims beyond its arms' expected labels (:mod:`coley.scenario.claims`);
    ``kind = "scenario"`` names the kind (optional)."""

    kind: Literal["scenario"] | None = None
    name: str
    title: str
    behaviour: int | None = Field(default=None, ge=min(BEHAVIOURS), le=max(BEHAVIOURS))
    description: str = ""
    model: str
    days: float = Field(gt=0, le=MAX_DAYS)
    seed: int = 0
    covariates: dict[str, float] = Field(default_factory=dict)
    set: dict[str, float] = Field(default_factory=dict)
    classify: ClassifySpec = ClassifySpec()
    event: list[EventSpec] = Field(default_factory=list)
    jump: list[JumpSpec] = Field(default_factory=list)
    regimen: list[RegimenSpec] = Field(default_factory=list)
    cohort: CohortTable | None = None
    arm: list[ScenarioArm] = Field(min_length=1)
    claim: list[ClaimSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_arms(self) -> ScenarioSpec:
        names = [a.name for a in self.arm]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"arm names must be unique; repeated: {dupes}")
        for claim in self.claim:
            unknown = [a for a in claim.arms if a not in names]
            if unknown:
                raise ValueError(f"claim {claim.text!r} reads arms {unknown}, which the "
                                 f"scenario does not have; its arms are {names}")
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
    burden_states: tuple[str, ...]

    @property
    def total(self) -> np.ndarray:
        """Total tumour burden (cells) over time: the sum of the model's burden states."""
        return tumour_total(self.result, self.burden_states)


@dataclass(frozen=True)
class ScenarioResult(ArmLookup):
    """Every arm of a scenario, with the resolved specification."""

    spec: ScenarioSpec
    arms: tuple[ArmResult, ...]
    model: Model


def tumour_total(result: SimulationResult, states: Sequence[str], patient: int = 0
                 ) -> np.ndarray:
    """Sum of ``states`` (a model's ``burden_states``) of one patient, over time."""
    return np.asarray(sum(result[s][patient] for s in states))


def summary_header(spec: ScenarioSpec, model_name: str, source: str) -> dict[str, Any]:
    """The first keys of every scenario summary (NAME.json): what ran, from which file."""
    return {"scenario": spec.name, "title": spec.title, "behaviour": spec.behaviour,
            "source_file": source, "model": model_name, "seed": spec.seed}


def scenario_model(spec: ScenarioSpec) -> Model:
    """The library model that ``spec`` names (:func:`coley.library.get`)."""
    return get_model(spec.model)


def load_scenario(path: str | Path) -> ScenarioSpec:
    """Read and validate a scenario file, listing every problem in one error."""
    path = Path(path)
    data = read_document(path, what="scenario file")
    return parse_scenario(data, where=str(path))


def parse_scenario(data: Mapping[str, Any], *, where: str = "scenario") -> ScenarioSpec:
    """Validate a scenario given as a mapping (the parsed TOML): its schema, then its names
    (parameters, states and inputs) against the model it names."""
    if "model" not in data:
        raise InvalidArgumentError(
            f"invalid scenario: {where}: no model: name the library model the scenario "
            f"runs, as in model = \"NAME\" at the top of the file, with NAME one of "
            f"{model_names()}."
        )
    try:
        spec = ScenarioSpec.model_validate(dict(data))
    except ValidationError as exc:
        lines = [f"{where}: {'.'.join(str(x) for x in err['loc'])}: {err['msg']}"
                 for err in exc.errors()]
        raise problems_error(lines, "scenario") from None
    try:
        m = scenario_model(spec)
    except UnknownNameError as exc:
        raise InvalidArgumentError(f"invalid scenario: {where}: model: {exc}") from None
    known = {*m.parameter_names, *m.state_names}
    problems = []
    events: list[tuple[str, EventSpec | ProcessTable]] = [("event", e) for e in spec.event]
    events += [(f"arm {a.name!r} event", e) for a in spec.arm for e in a.event]
    events += [("cohort process", e) for e in (spec.cohort.process if spec.cohort else [])]
    for owner, event in events:
        if event.input not in m.input_names:
            problems.append(f"{where}: {owner}: input must be one of {list(m.input_names)} "
                            f"(the inputs of model {m.name!r}), got {event.input!r}."
                            f"{suggest(event.input, m.input_names)}")
    published = spec.cohort.published if spec.cohort else None
    for key, value in (published.fraction_with if published else {}).items():
        if key not in m.input_names:
            problems.append(f"{where}: cohort.published.fraction_with: {key} = {value}: input "
                            f"must be one of {list(m.input_names)} (the inputs of model "
                            f"{m.name!r}), got {key!r}.{suggest(key, m.input_names)}")
    jumps = [("jump", j) for j in spec.jump]
    jumps += [(f"arm {a.name!r} jump", j) for a in spec.arm for j in a.jump]
    for owner, jump in jumps:
        if jump.state not in m.state_names:
            problems.append(f"{where}: {owner}: state must be one of {list(m.state_names)} "
                            f"(the states of model {m.name!r}), got {jump.state!r}."
                            f"{suggest(jump.state, m.state_names)}")
    cohort = [("cohort spread", spec.cohort.spread)] if spec.cohort else []
    for owner, values in [("set", spec.set), *cohort, *[(f"arm {a.name!r} set", a.set)
                                                         for a in spec.arm]]:
        for key, value in values.items():
            if key not in known:
                problems.append(f"{where}: {owner}: unknown parameter or state {key!r}."
                                f"{suggest(key, known)}")
            elif not math.isfinite(value):
                problems.append(f"{where}: {owner}: {key} = {value} is not finite.")
        if not owner.startswith("cohort"):
            problems += [f"{where}: {p}" for p in out_of_bounds(m, values, owner)]
    if spec.cohort is not None:
        problems += [f"{where}: arm {a.name!r}: a cohort scenario takes events and set values "
                     "per arm; jumps and regimens are not supported there yet."
                     for a in spec.arm if a.jump or a.regimen]
        if spec.jump or spec.regimen:
            problems.append(f"{where}: a cohort scenario takes no shared jump or regimen.")
    if problems:
        raise_problems(problems, "scenario")
    return spec


def thresholds(spec: ScenarioSpec) -> Thresholds:
    """The classifier thresholds of ``spec`` (its ``[classify]`` table)."""
    return Thresholds(**spec.classify.model_dump())


def arm_regimens(specs: Sequence[RegimenSpec]) -> list[Regimen]:
    """The regimens of ``specs`` (an arm's shared and own ``[[regimen]]`` tables), built."""
    return [r.build() for r in specs]


def readout_values(result: SimulationResult, model: Model) -> dict[str, np.ndarray]:
    """Per row of ``result``: the final value of each burden state of ``model``
    (``final_P``) and each of its readouts, reduced as it declares (``final_E``,
    ``max_dormant``: :class:`~coley.model.components.Readout`)."""
    out = {f"final_{s}": result.final(s) for s in model.burden_states}
    for readout in model.readouts:
        parts = [result[s] for s in readout.states]
        y = parts[0] if len(parts) == 1 else np.asarray(sum(parts))
        for reduction in map(Reduction, readout.reduce):
            value = y[:, -1] if reduction is Reduction.FINAL else np.max(y, axis=1)
            out[f"{reduction.value}_{readout.name}"] = np.asarray(value, dtype=np.float64)
    return out


def _metrics(result: SimulationResult, model: Model,
             hazards: tuple[str, ...] = ()) -> dict[str, float]:
    """Key numbers of one arm (cells, days, probabilities): the model's readouts and the grade
    >= 3 irAE hazard, the model's own (``model.hazard_states``) plus each regimen's."""
    out = {k: float(v[0]) for k, v in readout_values(result, model).items()}
    hazard = float(sum(float(result.final(s)[0]) for s in (*model.hazard_states, *hazards)))
    out["irae_hazard"] = hazard
    out["p_irae_grade3"] = 1.0 - math.exp(-hazard)
    return out


def treated_arm(base: Model, regimens: list[Regimen], covariates: dict[str, float] | None,
                t_end: float) -> tuple[Model, list[Jump | Infusion], tuple[str, ...]]:
    """An arm's treated model, its schedule and the irAE hazard states of its regimens (the
    model ``base`` itself, an empty schedule and no hazards without regimens).

    Arms that share a combination of regimens get treated models of the same structure, so
    they share one compiled module (:mod:`coley.solve.compile` caches by model structure)."""
    if not regimens:
        return base, [], ()
    treated = apply_regimens(base, regimens, covariates=covariates, n=1, t_end=t_end)
    hazards = tuple(t.state for t in treated.toxicities if t.name == "irAE")
    return treated.model, list(treated.schedule), hazards


def simulate_scenario(spec: ScenarioSpec) -> ScenarioResult:
    """Simulate every arm of ``spec`` and classify its tumour trajectory."""
    if spec.cohort is not None:
        raise InvalidArgumentError(
            f"scenario {spec.name!r} is a cohort scenario; simulate it with "
            "coley.scenario.cohort.simulate_cohort_scenario (coley run does)."
        )
    base = scenario_model(spec)
    burden = base.burden_states
    limits = thresholds(spec)
    covariates = dict(spec.covariates) or None
    arms = []
    for arm in spec.arm:
        values = {**spec.set, **arm.set}
        regimens = arm_regimens([*spec.regimen, *arm.regimen])
        model, schedule, hazards = treated_arm(base, regimens, covariates, spec.days)
        schedule += [i for e in (*spec.event, *arm.event) for i in e.build_all()]
        schedule += [j.build() for j in (*spec.jump, *arm.jump)]
        condition = Condition(arm.name, model, values, schedule=tuple(schedule),
                              events=tuple(Extinction(s) for s in burden))
        result = condition.simulate(t_end=spec.days, solver=Rodas4())
        if result.status[0] < 0:
            raise InvalidArgumentError(
                f"scenario {spec.name!r}, arm {arm.name!r}: the integration failed "
                f"({result.messages[0]}); check the arm's parameter values."
            )
        label = classify_trajectory(result.time, tumour_total(result, burden), limits)
        arms.append(ArmResult(arm.name, result, label, arm.expect,
                              tuple(r.label for r in regimens),
                              _metrics(result, model, hazards), burden))
    return ScenarioResult(spec, tuple(arms), base)
