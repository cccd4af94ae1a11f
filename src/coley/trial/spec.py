"""The trial file: a strict schema, and every problem found before any simulation starts.

A trial file (TOML or YAML) names a library model, a virtual population (parameter
distributions, correlations, covariates), how a tumour is diagnosed, how it is measured, the
imaging schedule, the arms (regimens in the same form as regimen files) and optional
calibration targets. See ``examples/trials/`` and ``docs/trials.md``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    model_serializer,
    model_validator,
)

from coley.errors import CoLeyError, suggest
from coley.experiment.files import read_document
from coley.experiment.problems import raise_problems
from coley.experiment.schema import Strict
from coley.experiment.settings import out_of_bounds
from coley.population.distributions import AbstractDistribution, from_spec
from coley.treat.regimen import Regimen
from coley.treat.scenario import RegimenSpec

#: Most scans one imaging segment may hold (weekly scans for 190 years): more is a typo.
MAX_SCANS = 10_000


class DistributionSpec(Strict):
    """One parameter's distribution across patients (the file form of
    :func:`coley.population.from_spec`).

    ``lognormal`` (median, sd_log), ``normal`` (mean, sd), ``uniform`` / ``loguniform``
    (low, high), ``fixed`` (value), ``empirical`` (values: observed values, interpolated);
    ``lower``/``upper`` truncate (sampling stays exact).
    """

    dist: Literal["lognormal", "normal", "uniform", "loguniform", "fixed", "empirical"]
    median: float | None = None
    sd_log: float | None = None
    mean: float | None = None
    sd: float | None = None
    low: float | None = None
    high: float | None = None
    value: float | None = None
    values: list[float] | None = None
    lower: float | None = None
    upper: float | None = None

    @model_validator(mode="after")
    def _fields(self) -> DistributionSpec:
        self.build()  # InvalidArgumentError is a ValueError: pydantic reports it with the path
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> Any:
        # without ``values`` unless set, so that trial digests (resume manifests) of files
        # written before ``empirical`` existed are unchanged
        data = handler(self)
        if isinstance(data, dict) and data.get("values") is None:
            data.pop("values", None)
        return data

    def build(self) -> AbstractDistribution:
        """The distribution (:mod:`coley.population.distributions`)."""
        return from_spec(self.model_dump())


class PopulationSpec(Strict):
    """Fixed overrides, varied parameters, their correlations, and covariates."""

    set: dict[str, float] = Field(default_factory=dict)
    parameters: dict[str, DistributionSpec] = Field(default_factory=dict)
    correlations: dict[str, float] = Field(default_factory=dict)
    covariates: dict[str, DistributionSpec] = Field(default_factory=dict)


class DiagnosisSpec(Strict):
    """Grow each tumour untreated from ``start`` until ``state`` reaches ``cells``."""

    start: dict[str, float] = Field(default_factory=dict)
    state: str | None = None
    cells: float = Field(gt=0)
    max_days: float = Field(default=7300.0, gt=0)
    doubling_days: tuple[float, float] | None = None
    keeps_growing_days: float | None = Field(default=None, gt=0)
    max_attempts: int = Field(default=20, ge=1)


class TumourSpec(Strict):
    """Cells to lesion sizes, and the lethal burden."""

    states: list[str] | None = None
    lesions: int = Field(default=3, ge=1, le=5)
    cells_per_cm3: float = Field(default=1e9, gt=0)
    cr_diameter_mm: float = Field(default=5.0, gt=0)
    lethal_cells: float | None = Field(default=None, gt=0)


class ImagingSegment(Strict):
    """Scans every ``every`` days from ``first`` up to ``until``."""

    first: float = Field(gt=0)
    every: float = Field(gt=0)
    until: float = Field(gt=0)

    @model_validator(mode="after")
    def _bounded(self) -> ImagingSegment:
        scans = (self.until - self.first) / self.every + 1
        if scans > MAX_SCANS:
            raise ValueError(f"every {self.every:g} days from day {self.first:g} to day "
                             f"{self.until:g} is {scans:.3g} scans, more than {MAX_SCANS:,}; "
                             "check every and until (days)")
        return self


class ImagingSpec(Strict):
    """Scan days: explicit ``days`` and/or ``segments``."""

    days: list[float] = Field(default_factory=list)
    segments: list[ImagingSegment] = Field(default_factory=list)


class ResponseSpec(Strict):
    """Response criteria: ``recist`` (RECIST 1.1) or ``irecist``; confirmation of CR/PR."""

    criteria: Literal["recist", "irecist"] = "recist"
    confirm: bool = True
    confirm_days: float = Field(default=28.0, ge=0)
    sd_min_days: float = Field(default=42.0, ge=0)


class ArmSpec(Strict):
    """One arm: regimens inline or from a regimen file; ``untreated = true`` for no therapy."""

    name: str
    ratio: float = Field(default=1.0, gt=0)
    untreated: bool = False
    regimen: list[RegimenSpec] = Field(default_factory=list)
    regimen_file: str | None = None
    set: dict[str, float] = Field(default_factory=dict)


class TargetSpec(Strict):
    """Observed outcomes an arm should reproduce (fractions in [0, 1])."""

    orr: float | None = Field(default=None, ge=0, le=1)
    pfs_6mo: float | None = Field(default=None, ge=0, le=1)
    n: int | None = Field(default=None, ge=1)


class CalibrationSpec(Strict):
    """Targets per arm; patients are weighted (maximum entropy) to reproduce them."""

    targets: dict[str, TargetSpec]
    source: str = ""


class TrialSpec(Strict):
    """A whole trial file (``kind = "trial"`` names the kind; optional)."""

    kind: Literal["trial"] | None = None
    name: str
    title: str = ""
    description: str = ""
    model: str
    options: dict[str, Any] = Field(default_factory=dict)
    seed: int = 0
    patients: int = Field(default=1000)
    follow_up_days: float = Field(gt=0)
    chunk_size: int = Field(default=500, ge=1)
    rtol: float = Field(default=1e-6, ge=1e-14, lt=1)
    atol: float = Field(default=1e-6, gt=0)
    population: PopulationSpec = PopulationSpec()
    diagnosis: DiagnosisSpec
    tumour: TumourSpec = TumourSpec()
    imaging: ImagingSpec
    response: ResponseSpec = ResponseSpec()
    arm: list[ArmSpec]
    randomise: bool = True
    reference_arm: str | None = None
    calibration: CalibrationSpec | None = None
    base_dir: str = ""

    # ------------------------------------------------------------------ derived
    def scan_days(self) -> list[float]:
        """Sorted imaging days (after day 0, up to follow-up)."""
        days = set(float(d) for d in self.imaging.days)
        for seg in self.imaging.segments:
            t = seg.first
            while t <= seg.until + 1e-9:
                days.add(float(t))
                t += seg.every
        return sorted(d for d in days if 0 < d <= self.follow_up_days)

    def regimens(self, arm: ArmSpec) -> list[Regimen]:
        """The arm's regimens (inline, then those of its regimen file)."""
        regs = [r.build() for r in arm.regimen]
        if arm.regimen_file:
            from coley.treat.scenario import load_regimens

            path = Path(arm.regimen_file)
            if not path.is_absolute():
                path = Path(self.base_dir) / path
            more, _, _ = load_regimens(path)
            regs.extend(more)
        return regs

    def solver(self) -> Any:
        """The Rodas4 solver at the trial's tolerances (rtol; atol in cells)."""
        from coley.solve.solvers import Rodas4

        return Rodas4(rtol=self.rtol, atol=self.atol)

    def arm_names(self) -> list[str]:
        """Arm names in file order."""
        return [a.name for a in self.arm]

    def digest(self) -> str:
        """Content hash of the trial definition (seed, patients and chunking excluded)."""
        data = self.model_dump(exclude={"patients", "base_dir", "kind"})
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _model_names(spec: TrialSpec) -> tuple[list[str], list[str], Any]:
    from coley import library

    model = library.get(spec.model, **spec.options)
    return list(model.parameter_names), list(model.state_names), model


def problems(path: str | Path, *, patients: int | None = None) -> list[str]:
    """Every problem in a trial file, one readable line each (empty if it is valid)."""
    path = Path(path)
    try:
        data = read_document(path, what="trial file")
    except CoLeyError as exc:
        return [str(exc)]
    data = dict(data)
    data.setdefault("base_dir", str(path.parent))
    try:
        spec = TrialSpec.model_validate(data)
    except ValidationError as exc:
        return [f"{path}: {'.'.join(str(x) for x in err['loc'])}: {err['msg']}"
                for err in exc.errors()]
    return [f"{path}: {p}" for p in spec_problems(spec, patients=patients)]


def spec_problems(spec: TrialSpec, *, patients: int | None = None) -> list[str]:
    """Semantic problems of a parsed trial (names, arms, regimens, horizons)."""
    out: list[str] = []
    n = spec.patients if patients is None else patients
    if not (isinstance(n, int) and n >= 1):
        out.append(f"patients must be a whole number >= 1, got {n!r}; pass e.g. --patients 1000.")
    try:
        pnames, snames, model = _model_names(spec)
    except CoLeyError as exc:
        return [*out, f"model: {exc}"]
    known = pnames + snames

    def check_name(where: str, name: str, allowed: list[str]) -> None:
        if name not in allowed:
            out.append(f"{where}: unknown name {name!r} for model {spec.model!r}."
                       f"{suggest(name, allowed)}")

    treated_names: set[str] = set()
    for arm in spec.arm:
        treated_names |= _treated_names(spec, model, arm)
    with_treated = known + sorted(treated_names - set(known))
    for k in spec.population.set:
        check_name("population.set", k, with_treated)
    for k in spec.population.parameters:
        check_name("population.parameters", k, with_treated)
    for key, rho in spec.population.correlations.items():
        parts = [p.strip() for p in key.split(",")]
        if len(parts) != 2 or any(p not in spec.population.parameters for p in parts):
            out.append(f"population.correlations: {key!r} must be 'a,b' with both a and b in "
                       f"population.parameters ({', '.join(spec.population.parameters)}).")
        elif not -1 < rho < 1:
            out.append(f"population.correlations: {key!r} = {rho} must be in (-1, 1).")
    if not any(p.startswith("population.correlations") for p in out):
        from coley.population import GaussianCopula

        try:
            GaussianCopula.from_pairs(list(spec.population.parameters),
                                      spec.population.correlations)
        except CoLeyError as exc:
            out.append(f"population.correlations: {exc}")
    for k in spec.diagnosis.start:
        check_name("diagnosis.start", k, snames)
    for where, table in (("population.set", spec.population.set),
                         ("diagnosis.start", spec.diagnosis.start),
                         *((f"arm {a.name!r}.set", a.set) for a in spec.arm)):
        out.extend(out_of_bounds(model, table, where))
    dstate = spec.diagnosis.state or _tumour_hook(model)
    check_name("diagnosis.state", dstate, snames)
    if dstate in snames:
        start = spec.diagnosis.start.get(
            dstate, spec.population.set.get(dstate, model.state(dstate).initial))
        if not spec.diagnosis.cells > start:
            out.append(f"diagnosis.cells ({spec.diagnosis.cells:g}) must be above the starting "
                       f"{dstate} ({start:g}): every patient would start diagnosed; raise "
                       f"diagnosis.cells or lower diagnosis.start.{dstate}.")
    for s in spec.tumour.states or []:
        check_name("tumour.states", s, snames)
    if spec.diagnosis.doubling_days is not None:
        lo, hi = spec.diagnosis.doubling_days
        if not 0 < lo < hi:
            out.append(f"diagnosis.doubling_days must be [low, high] with 0 < low < high, got "
                       f"{[lo, hi]}.")
    if spec.tumour.lethal_cells is not None and spec.tumour.lethal_cells <= spec.diagnosis.cells:
        out.append(f"tumour.lethal_cells ({spec.tumour.lethal_cells:g}) must be above "
                   f"diagnosis.cells ({spec.diagnosis.cells:g}).")
    scans = spec.scan_days()
    if not scans:
        out.append("imaging: no scan days within follow-up; give imaging.days or "
                   "imaging.segments.")
    late = [d for d in spec.imaging.days if d > spec.follow_up_days or d <= 0]
    if late:
        out.append(f"imaging.days {late} are outside (0, follow_up_days = "
                   f"{spec.follow_up_days:g}].")
    if not spec.arm:
        out.append("no arms; add at least one [[arm]].")
    names = spec.arm_names()
    for dup in sorted({a for a in names if names.count(a) > 1}):
        out.append(f"two arms are named {dup!r}; give each a distinct name.")
    covariates = set(spec.population.covariates)
    for arm in spec.arm:
        where = f"arm {arm.name!r}"
        for k in arm.set:
            check_name(f"{where}.set", k, known + sorted(_treated_names(spec, model, arm)))
        if not arm.regimen and not arm.regimen_file and not arm.untreated:
            out.append(f"{where}: no regimen; add [[arm.regimen]] entries or regimen_file, or "
                       "set untreated = true for a control arm.")
            continue
        if arm.untreated and (arm.regimen or arm.regimen_file):
            out.append(f"{where}: untreated = true but regimens are given; drop one.")
            continue
        try:
            regs = spec.regimens(arm)
        except CoLeyError as exc:
            out.append(f"{where}: {exc}")
            continue
        from coley.treat.apply import check_units
        from coley.treat.catalogue import modality
        from coley.treat.doses import COVARIATES

        for reg in regs:
            try:
                mod = modality(reg.modality)
                check_units(reg, mod)
                needs = reg.phases[0].dose.covariate
                if needs and needs not in covariates:
                    out.append(f"{where}: regimen {reg.label!r} doses in "
                               f"{reg.phases[0].dose.unit} and needs covariate {needs!r}; add "
                               f"population.covariates.{needs}.")
                    continue
                cov = {c: 0.5 * sum(COVARIATES[c][1]) for c in covariates if c in COVARIATES}
                reg.dose_events(cov or None, 1, spec.follow_up_days)
                missing = [a.hook for a in mod.actions
                           if not a.optional and a.hook not in {h.name for h in model.hooks}]
                if missing:
                    out.append(f"{where}: regimen {reg.label!r} acts on hook(s) {missing} that "
                               f"model {spec.model!r} lacks; it has "
                               f"{sorted(h.name for h in model.hooks)}.")
            except CoLeyError as exc:
                out.append(f"{where}: regimen {reg.label!r}: {exc}")
    if spec.reference_arm is not None and spec.reference_arm not in names:
        out.append(f"reference_arm: unknown arm {spec.reference_arm!r}; arms are {names}."
                   f"{suggest(spec.reference_arm, names)}")
    if spec.calibration is not None:
        for arm_name in spec.calibration.targets:
            if arm_name not in names:
                out.append(f"calibration.targets: unknown arm {arm_name!r}; arms are {names}."
                           f"{suggest(arm_name, names)}")
        if spec.follow_up_days < 183 and any(
                t.pfs_6mo is not None for t in spec.calibration.targets.values()):
            out.append("calibration: a 6-month PFS target needs follow_up_days >= 183.")
    return out


def _treated_names(spec: TrialSpec, model: Any, arm: ArmSpec) -> set[str]:
    """Parameter and state names the arm's regimens add to the model (PK, effects, hazards);
    empty if the regimens cannot be applied (that problem is reported separately)."""
    from coley.treat.apply import apply_regimens
    from coley.treat.doses import COVARIATES

    try:
        regs = spec.regimens(arm)
        if not regs:
            return set()
        cov = {c: 0.5 * sum(COVARIATES[c][1]) for c in spec.population.covariates
               if c in COVARIATES}
        treated = apply_regimens(model, regs, covariates=cov or None, n=1,
                                 t_end=spec.follow_up_days)
    except CoLeyError:
        return set()
    return set(treated.model.parameter_names) | set(treated.model.state_names)


def _tumour_hook(model: Any) -> str:
    for h in model.hooks:
        if h.name == "tumour_cells":
            return str(h.target)
    return ""


def load_trial(path: str | Path, *, patients: int | None = None) -> TrialSpec:
    """Parse and check a trial file; raises with every problem listed."""
    found = problems(path, patients=patients)
    raise_problems(found, "trial file")
    data = dict(read_document(path, what="trial file"))
    data.setdefault("base_dir", str(Path(path).parent))
    spec = TrialSpec.model_validate(data)
    if patients is not None:
        spec = spec.model_copy(update={"patients": patients})
    return spec


__all__ = ["ArmSpec", "DistributionSpec", "TrialSpec", "load_trial", "problems",
           "spec_problems"]
