"""Fit files (TOML or YAML, ``kind = "fit"``): a fit problem written down.

::

    kind = "fit"
    name = "kuznetsov_tumour"
    model = "kuznetsov1994"            # a library model, or an SBML file beside this one
    measurements = "tumour.csv"        # experiment, observable, time, value[, ...] columns
    starts = 10
    seed = 0

    [[experiment]]
    name = "untreated"
    set = { T = "T0" }                 # numbers, or names of problem parameters
    jump = [{ state = "T", times = [30], amount = 0.1, op = "multiply" }]

    [[observable]]
    name = "tumour"
    formula = "T"
    noise = "sd"                       # a number or an expression (normal: sd; laplace: b)
    transform = "log"

    [[parameter]]
    name = "d"
    lower = 0.004
    upper = 0.4
    nominal = 0.04
    scale = "log10"
    prior = { kind = "logNormal", a = -3.2, b = 0.5 }   # optional (coley.fit.prior)

A ``censoring`` column in the measurement table marks readings below (``left``) or above
(``right``) a limit of quantification, the value being the limit.

:func:`problems` lists every problem of a file (schema, then the fit problem's own checks);
:func:`load_fit` returns the :class:`FitFile` or raises them together.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import Field, ValidationError

from coley.errors import CoLeyError, InvalidArgumentError
from coley.experiment.files import check_input_file, read_document
from coley.experiment.problems import raise_problems
from coley.experiment.schema import Strict
from coley.fit.prior import Prior
from coley.fit.problem import Experiment, FitParameter, FitProblem, Observable
from coley.model.model import Model
from coley.solve.schedule import Jump


class JumpTable(Strict):
    """``[[experiment.jump]]``: a state changed at given times (a dose, a resection)."""

    state: str
    times: list[float]
    amount: float
    op: Literal["add", "set", "multiply"] = "add"


class ExperimentTable(Strict):
    name: str
    set: dict[str, float | str] = Field(default_factory=dict)
    jump: list[JumpTable] = Field(default_factory=list)


class ObservableTable(Strict):
    name: str
    formula: str
    noise: float | str = 1.0
    transform: Literal["lin", "log", "log10"] = "lin"
    distribution: Literal["normal", "laplace"] = "normal"


class PriorTable(Strict):
    """``prior = { kind, a, b }``: PEtab's prior types (:mod:`coley.fit.prior`)."""

    kind: Literal["uniform", "normal", "laplace", "logNormal", "logLaplace",
                  "parameterScaleUniform", "parameterScaleNormal", "parameterScaleLaplace"]
    a: float
    b: float


class ParameterTable(Strict):
    name: str
    lower: float
    upper: float
    nominal: float
    scale: Literal["lin", "log", "log10"] = "lin"
    estimate: bool = True
    unit: str = ""
    prior: PriorTable | None = None


class FitSpec(Strict):
    """A fit file's top level."""

    kind: Literal["fit"] = "fit"
    name: str
    title: str = ""
    description: str = ""
    model: str
    measurements: str
    starts: int = Field(default=10, ge=1)
    seed: int = Field(default=0, ge=0)
    experiment: list[ExperimentTable] = Field(min_length=1)
    observable: list[ObservableTable] = Field(min_length=1)
    parameter: list[ParameterTable] = Field(min_length=1)


@dataclass(frozen=True)
class FitFile:
    """A parsed fit file: the problem, the requested starts and seed, and where it came from."""

    problem: FitProblem
    spec: FitSpec
    path: Path

    @property
    def starts(self) -> int:
        return self.spec.starts

    @property
    def seed(self) -> int:
        return self.spec.seed


def _model(spec: FitSpec, base: Path) -> Model:
    from coley.library import get, names

    if spec.model in names():
        return get(spec.model)
    path = base / spec.model
    if path.suffix.lower() in (".xml", ".sbml"):
        from coley.sbml import read_sbml

        return read_sbml(path)
    raise InvalidArgumentError(f"model = {spec.model!r} is neither a library model "
                               f"({', '.join(names())}) nor an SBML file (.xml) beside the "
                               "fit file.")


def _build(spec: FitSpec, path: Path) -> FitProblem:
    problem, _ = _build_all(spec, path)
    return problem


def _build_all(spec: FitSpec, path: Path) -> tuple[FitProblem, list[str]]:
    """The fit problem and the problems of its parts (each part checked on its own, so
    that every problem is listed; a bad parameter is kept as a fixed stand-in so the names
    that use it still resolve)."""
    model = _model(spec, path.parent)
    table = path.parent / spec.measurements
    check_input_file(table, what="measurement table")
    try:
        data = (pd.read_csv(table, sep="\t") if table.suffix.lower() in (".tsv", ".tab")
                else pd.read_csv(table))
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InvalidArgumentError(f"{table}: not a readable CSV table ({exc}).") from None
    experiments = tuple(
        Experiment(e.name, dict(e.set),
                   tuple(Jump(j.state, j.times, j.amount, op=j.op) for j in e.jump))
        for e in spec.experiment)
    observables = tuple(Observable(o.name, o.formula, o.noise, o.transform, o.distribution)
                        for o in spec.observable)
    found: list[str] = []
    parameters = []
    for p in spec.parameter:
        try:
            prior = None if p.prior is None else Prior(p.prior.kind, p.prior.a, p.prior.b)
            parameters.append(FitParameter(p.name, p.lower, p.upper, p.nominal, p.scale,
                                           p.estimate, p.unit, prior))
        except InvalidArgumentError as exc:
            found.append(str(exc))
            parameters.append(FitParameter(p.name, p.lower, p.upper, p.nominal, p.scale,
                                           False, p.unit))
    problem = FitProblem(model, experiments, observables, data, tuple(parameters),
                         name=spec.name)
    return problem, found


def problems(path: str | Path) -> list[str]:
    """Every problem of the fit file ``path``, one line each (empty: valid)."""
    path = Path(path)
    try:
        data = read_document(path, what="fit file")
    except CoLeyError as exc:
        return [str(exc)]
    try:
        spec = FitSpec.model_validate(data)
    except ValidationError as exc:
        return [f"{path}: {'.'.join(str(x) for x in err['loc'])}: {err['msg']}"
                for err in exc.errors()]
    try:
        problem, found = _build_all(spec, path)
    except CoLeyError as exc:
        return [f"{path}: {exc}"]
    return [f"{path}: {p}" for p in (*found, *problem.problems())]


def load_fit(path: str | Path) -> FitFile:
    """The fit file ``path``, checked (every problem raised together)."""
    path = Path(path)
    found = problems(path)
    raise_problems(found, "fit file")
    spec = FitSpec.model_validate(read_document(path, what="fit file"))
    return FitFile(_build(spec, path), spec, path)


__all__ = ["FitFile", "FitSpec", "load_fit", "problems"]
