"""A fit problem: model, experiments, observables, measurements and the problem parameters.

The vocabulary follows PEtab v1 (Schmiester et al. 2021, PLoS Comput Biol 17:e1008646), so that
PEtab problems map onto it one to one:

* problem **parameters** (:class:`FitParameter`) have a scale (``lin``, ``log``, ``log10``: the
  optimiser works on that scale), bounds and a nominal value (on the linear scale), and are
  estimated or fixed. A problem parameter with a model parameter's name sets that parameter in
  every experiment; others are used by experiments, observables and noise formulas.
* an **experiment** (:class:`Experiment`) is a condition of the model: settings of model
  parameters or initial states (a number, or the name of a problem parameter) and schedule
  items (doses, resections, infusions), simulated from ``t = 0``.
* an **observable** (:class:`Observable`) is an expression of states, model parameters,
  problem parameters and the model's named expressions, with a transformation (``lin``, ``log``,
  ``log10``) and a noise model: a standard deviation (normal) or scale (Laplace) written as a
  number or an expression. Per-measurement placeholders ``observableParameter{k}_{obs}`` and
  ``noiseParameter{k}_{obs}`` are replaced by the measurement row's values (numbers or problem
  parameter names, ``;``-separated).
* the **measurements** (a table): ``experiment``, ``observable``, ``time`` (model time units),
  ``value``; optional ``observable_parameters``, ``noise_parameters`` and ``censoring``:
  ``left`` where the reading is below a limit of quantification (``value`` is the limit; the
  likelihood is the probability of a reading below it, Beal's M3 method, J Pharmacokinet
  Pharmacodyn 2001, 28:481), ``right`` where it is above an upper limit, empty otherwise.
* a parameter may carry a :class:`~coley.fit.prior.Prior` (PEtab's prior types); the optimiser
  then minimises the negative log posterior.

:meth:`FitProblem.problems` lists every problem (unknown names, negative noise, bounds that
exclude the nominal value, measurements for missing experiments); :meth:`FitProblem.check`
raises them together before any simulation.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import sympy as sp
from sympy.parsing.sympy_parser import parse_expr, standard_transformations

from coley.errors import InvalidArgumentError, suggest
from coley.experiment.problems import raise_problems
from coley.fit.prior import Prior
from coley.model.model import Model
from coley.solve.schedule import Infusion, Jump


class Scale(StrEnum):
    """The scale a parameter is estimated on (bounds and nominal values stay linear)."""

    LIN = "lin"
    LOG = "log"
    LOG10 = "log10"

    def to_internal(self, x: np.ndarray | float) -> np.ndarray:
        """Linear values ``x`` on this scale."""
        x = np.asarray(x, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self is Scale.LOG:
                return np.log(x)
            if self is Scale.LOG10:
                return np.log10(x)
        return x

    def to_linear(self, z: np.ndarray | float) -> np.ndarray:
        """Values ``z`` on this scale, on the linear scale."""
        z = np.asarray(z, dtype=np.float64)
        if self is Scale.LOG:
            return np.exp(z)
        if self is Scale.LOG10:
            return np.power(10.0, z)
        return z

    def derivative(self, z: np.ndarray | float) -> np.ndarray:
        """d(linear value)/d(value on this scale) at ``z``."""
        if self is Scale.LOG:
            return np.exp(z)
        if self is Scale.LOG10:
            return np.power(10.0, z) * math.log(10.0)
        return np.ones_like(np.asarray(z, dtype=np.float64))


class Transform(StrEnum):
    """How an observable and its measurements are transformed before the noise model."""

    LIN = "lin"
    LOG = "log"
    LOG10 = "log10"


class NoiseDistribution(StrEnum):
    """The distribution of a (transformed) measurement around its (transformed) observable."""

    NORMAL = "normal"
    """``noise`` is the standard deviation."""
    LAPLACE = "laplace"
    """``noise`` is the scale ``b`` (the standard deviation is ``sqrt(2) b``)."""


def _finite(name: str, what: str, value: Any) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"{name}: {what} must be a number, got {value!r}.") from None
    if not math.isfinite(x):
        raise InvalidArgumentError(f"{name}: {what} must be finite, got {value!r}.")
    return x


@dataclass(frozen=True)
class FitParameter:
    """A problem parameter: ``nominal`` within ``[lower, upper]`` (linear scale), estimated on
    ``scale`` if ``estimate``, else fixed at ``nominal``."""

    name: str
    lower: float
    upper: float
    nominal: float
    scale: Scale | str = Scale.LIN
    estimate: bool = True
    unit: str = ""
    prior: Prior | None = None

    def __post_init__(self) -> None:
        where = f"fit parameter {self.name!r}"
        if self.prior is not None and not isinstance(self.prior, Prior):
            raise InvalidArgumentError(f"{where}: prior must be a coley.fit.prior.Prior, got "
                                       f"{type(self.prior).__name__}.")
        if not isinstance(self.name, str) or not re.match(r"^[A-Za-z_]\w*$", self.name):
            raise InvalidArgumentError(f"fit parameter name {self.name!r} is not an identifier; "
                                       "use letters, digits and underscores.")
        scales = [s.value for s in Scale]
        if self.scale not in scales:
            raise InvalidArgumentError(f"{where}: scale must be one of {scales}, "
                                       f"got {self.scale!r}.")
        object.__setattr__(self, "scale", Scale(self.scale))
        nominal = _finite(where, "nominal", self.nominal)
        object.__setattr__(self, "nominal", nominal)
        if not self.estimate:
            object.__setattr__(self, "lower", float(self.lower))
            object.__setattr__(self, "upper", float(self.upper))
            return
        lo = _finite(where, "lower", self.lower)
        hi = _finite(where, "upper", self.upper)
        if not lo < hi:
            raise InvalidArgumentError(f"{where}: lower = {lo} must be below upper = {hi}.")
        if self.scale is not Scale.LIN and lo <= 0:
            raise InvalidArgumentError(
                f"{where}: a {Scale(self.scale).value}-scale parameter needs lower > 0, got {lo}; "
                "use scale = 'lin' or a positive lower bound.")
        if not lo <= nominal <= hi:
            raise InvalidArgumentError(
                f"{where}: nominal = {nominal} is outside the bounds [{lo}, {hi}]; move the "
                "nominal value (the default start) inside them or widen the bounds.")
        if self.prior is not None and self.prior.needs_positive and lo <= 0:
            raise InvalidArgumentError(
                f"{where}: a {self.prior.kind} prior needs positive values; the lower bound "
                f"is {lo}. Use a positive lower bound or a normal or Laplace prior.")
        object.__setattr__(self, "lower", lo)
        object.__setattr__(self, "upper", hi)

    @property
    def scaled_bounds(self) -> tuple[float, float]:
        """The bounds on the estimation scale."""
        s = Scale(self.scale)
        return float(s.to_internal(self.lower)), float(s.to_internal(self.upper))


@dataclass(frozen=True)
class Observable:
    """What is measured: ``formula`` over states, parameters and named expressions, compared
    on ``transform`` scale with noise ``noise`` (a number or an expression) of
    ``distribution``."""

    name: str
    formula: str | float
    noise: str | float = 1.0
    transform: Transform | str = Transform.LIN
    distribution: NoiseDistribution | str = NoiseDistribution.NORMAL

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not re.match(r"^[A-Za-z_]\w*$", self.name):
            raise InvalidArgumentError(f"observable name {self.name!r} is not an identifier.")
        for attr, enum in (("transform", Transform), ("distribution", NoiseDistribution)):
            value = getattr(self, attr)
            names = [e.value for e in enum]
            if value not in names:
                raise InvalidArgumentError(f"observable {self.name!r}: {attr} must be one of "
                                           f"{names}, got {value!r}.")
            object.__setattr__(self, attr, enum(value))


@dataclass(frozen=True)
class Experiment:
    """One experimental condition: ``settings`` ({model parameter or state: number or problem
    parameter name}) and ``schedule`` items, simulated from t = 0. ``preequilibration`` names
    an experiment (no schedule) run to its steady state first: this one then starts from that
    state, except for the states its own settings give (PEtab's pre-equilibration)."""

    name: str
    settings: Mapping[str, float | str] = field(default_factory=dict)
    schedule: tuple[Jump | Infusion, ...] = ()
    preequilibration: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "settings", dict(self.settings))
        object.__setattr__(self, "schedule", tuple(self.schedule))


#: Measurement table columns: required, then optional.
REQUIRED_COLUMNS = ("experiment", "observable", "time", "value")
OPTIONAL_COLUMNS = ("observable_parameters", "noise_parameters", "censoring")
#: Values of the ``censoring`` column (empty or NaN: not censored).
CENSORING = ("left", "right")

_FUNCTIONS: dict[str, Any] = {
    "exp": sp.exp, "log": sp.log, "ln": sp.log, "log10": lambda x: sp.log(x, 10),
    "log2": lambda x: sp.log(x, 2), "sqrt": sp.sqrt, "abs": sp.Abs, "pow": sp.Pow,
    "min": sp.Min, "max": sp.Max, "tanh": sp.tanh, "sin": sp.sin, "cos": sp.cos, "pi": sp.pi,
}


def placeholders(kind: str, observable: str, expr: sp.Expr) -> list[str]:
    """The ``{kind}Parameter{k}_{observable}`` symbols of ``expr``, by k."""
    pattern = re.compile(rf"^{kind}Parameter(\d+)_{re.escape(observable)}$")
    found = sorted(((int(m.group(1)), str(s)) for s in expr.free_symbols
                    if (m := pattern.match(str(s)))), key=lambda x: x[0])
    return [name for _, name in found]


def split_overrides(value: Any) -> list[float | str]:
    """A measurement row's placeholder values: ``"1.5;k_obs"`` -> [1.5, "k_obs"]; empty or
    NaN -> []."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, int | float | np.floating | np.integer):
        return [float(value)]
    out: list[float | str] = []
    for part in str(value).split(";"):
        part = part.strip()
        if not part:
            continue
        try:
            out.append(float(part))
        except ValueError:
            out.append(part)
    return out


@dataclass(frozen=True)
class FitProblem:
    """A model and the data it is fitted to (see the module docstring)."""

    model: Model
    experiments: tuple[Experiment, ...]
    observables: tuple[Observable, ...]
    measurements: pd.DataFrame
    parameters: tuple[FitParameter, ...]
    name: str = "fit"

    def __post_init__(self) -> None:
        object.__setattr__(self, "experiments", tuple(self.experiments))
        object.__setattr__(self, "observables", tuple(self.observables))
        object.__setattr__(self, "parameters", tuple(self.parameters))
        if not isinstance(self.measurements, pd.DataFrame):
            raise InvalidArgumentError("measurements must be a pandas DataFrame with columns "
                                       f"{list(REQUIRED_COLUMNS)}, got "
                                       f"{type(self.measurements).__name__}.")

    # ------------------------------------------------------------------ names
    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Problem parameter names, in declaration order."""
        return tuple(p.name for p in self.parameters)

    @property
    def estimated(self) -> tuple[FitParameter, ...]:
        """The estimated parameters, in the order of the estimation vector."""
        return tuple(p for p in self.parameters if p.estimate)

    def parameter(self, name: str) -> FitParameter:
        """The problem parameter ``name``."""
        for p in self.parameters:
            if p.name == name:
                return p
        raise InvalidArgumentError(f"fit problem {self.name!r} has no parameter {name!r}."
                                   f"{suggest(name, self.parameter_names)}")

    def experiment(self, name: str) -> Experiment:
        """The experiment ``name``."""
        for e in self.experiments:
            if e.name == name:
                return e
        raise InvalidArgumentError(f"fit problem {self.name!r} has no experiment {name!r}."
                                   f"{suggest(name, [e.name for e in self.experiments])}")

    def nominal_vector(self) -> np.ndarray:
        """The nominal values of the estimated parameters, on their estimation scales."""
        return np.array([float(Scale(p.scale).to_internal(p.nominal)) for p in self.estimated])

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds of the estimation vector (estimation scales)."""
        b = [p.scaled_bounds for p in self.estimated]
        return np.array([x[0] for x in b]), np.array([x[1] for x in b])

    # ------------------------------------------------------------------ symbols
    @cached_property
    def symbols(self) -> dict[str, sp.Symbol]:
        """Real symbols of every name a formula may use (placeholders are created on use)."""
        names = [*self.model.state_names, *self.model.parameter_names, *self.model.input_names,
                 *self.model.expressions, *self.parameter_names]
        return {n: sp.Symbol(n, real=True) for n in names}

    def parse(self, text: str | float, where: str) -> sp.Expr:
        """``text`` as a sympy expression over the problem's names, with the model's named
        expressions expanded; unknown names other than placeholders are an error."""
        if isinstance(text, int | float | np.floating | np.integer):
            return sp.Float(float(text))
        local = {**_FUNCTIONS, **self.symbols}
        try:
            expr = parse_expr(str(text), local_dict=local,
                              transformations=standard_transformations, evaluate=True)
        except Exception as exc:  # sympy raises many kinds
            raise InvalidArgumentError(f"{where}: cannot parse {text!r} ({exc}).") from None
        if not isinstance(expr, sp.Expr):
            raise InvalidArgumentError(f"{where}: {text!r} is not an arithmetic expression.")
        real = {s: sp.Symbol(str(s), real=True) for s in expr.free_symbols}
        expr = expr.xreplace(real)
        sub = {sp.Symbol(k, real=True): v for k, v in self.model.expression_values.items()}
        return expr.xreplace(sub)

    # ------------------------------------------------------------------ checks
    def problems(self) -> list[str]:
        """Every problem of the fit problem, one line each (empty: none)."""
        out: list[str] = []
        m = self.model
        names = set(self.parameter_names)
        if len(names) != len(self.parameters):
            dup = sorted({n for n in self.parameter_names
                          if self.parameter_names.count(n) > 1})
            out.append(f"parameters: {dup} are declared twice; give each once.")
        clash = sorted(names & set(m.state_names))
        if clash:
            out.append(f"parameters: {clash} are states of model {m.name!r}; set initial "
                       "values through an experiment's settings instead.")
        if not self.estimated:
            out.append("parameters: none is estimated; mark at least one with estimate = true.")
        exp_names = [e.name for e in self.experiments]
        if len(set(exp_names)) != len(exp_names):
            twice = sorted({n for n in exp_names if exp_names.count(n) > 1})
            out.append(f"experiments: names {twice} are used twice.")
        settable = [*m.parameter_names, *m.state_names]
        for e in self.experiments:
            for key, value in e.settings.items():
                if key not in settable:
                    out.append(f"experiment {e.name!r}: setting {key!r} is not a parameter or "
                               f"state of model {m.name!r}.{suggest(key, settable)}")
                if isinstance(value, str) and value not in names:
                    out.append(f"experiment {e.name!r}: setting {key} = {value!r} names no "
                               f"problem parameter.{suggest(value, sorted(names))}")
                elif not isinstance(value, str) and not (
                        isinstance(value, int | float) and math.isfinite(float(value))):
                    out.append(f"experiment {e.name!r}: setting {key} = {value!r} must be a "
                               "finite number or a problem parameter name.")
            if e.preequilibration is not None:
                pre = next((x for x in self.experiments if x.name == e.preequilibration), None)
                if pre is None:
                    out.append(f"experiment {e.name!r}: pre-equilibration "
                               f"{e.preequilibration!r} names no experiment."
                               f"{suggest(e.preequilibration, exp_names)}")
                elif pre.preequilibration is not None or pre.schedule:
                    out.append(f"experiment {e.name!r}: its pre-equilibration "
                               f"{pre.name!r} must have no schedule and no pre-equilibration "
                               "of its own (it is run to a steady state).")
        obs_names = [o.name for o in self.observables]
        if len(set(obs_names)) != len(obs_names):
            out.append("observables: a name is used twice.")
        known = {*self.symbols}
        for o in self.observables:
            for what, text, kind in (("formula", o.formula, "observable"),
                                     ("noise", o.noise, "noise")):
                try:
                    expr = self.parse(text, f"observable {o.name!r} {what}")
                except InvalidArgumentError as exc:
                    out.append(str(exc))
                    continue
                allowed = known | set(placeholders(kind, o.name, expr)) | {"t"}
                unknown = sorted(str(s) for s in expr.free_symbols if str(s) not in allowed)
                if unknown:
                    out.append(f"observable {o.name!r}: {what} {text!r} uses {unknown}, which "
                               "are not states, parameters, expressions or placeholders."
                               f"{suggest(unknown[0], sorted(known))}")
                if what == "noise" and expr.is_Number and not float(expr) > 0:
                    out.append(f"observable {o.name!r}: noise = {text!r} must be > 0.")
        out += self._measurement_problems(set(exp_names), set(obs_names), names)
        return out

    def _measurement_problems(self, experiments: set[str], observables: set[str],
                              names: set[str]) -> list[str]:
        df = self.measurements
        missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
        if missing:
            return [f"measurements: missing columns {missing}; the table needs "
                    f"{list(REQUIRED_COLUMNS)} (optional {list(OPTIONAL_COLUMNS)})."]
        out: list[str] = []
        if df.empty:
            out.append("measurements: the table has no rows.")
        for col, valid, what in (("experiment", experiments, "experiment"),
                                 ("observable", observables, "observable")):
            bad = sorted(set(map(str, df[col])) - valid)
            if bad:
                out.append(f"measurements: {col} {bad[:5]} names no {what}."
                           f"{suggest(bad[0], sorted(valid))}")
        for col in ("time", "value"):
            x = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
            bad_rows = np.flatnonzero(~np.isfinite(x))
            if bad_rows.size:
                out.append(f"measurements: {col} is not a finite number in rows "
                           f"{bad_rows[:5].tolist()} (first of {bad_rows.size}).")
        t = pd.to_numeric(df["time"], errors="coerce").to_numpy(dtype=float)
        if np.any(t < 0):
            out.append(f"measurements: times must be >= 0 (simulations start at 0); rows "
                       f"{np.flatnonzero(t < 0)[:5].tolist()} are negative.")
        transforms = {o.name: o.transform for o in self.observables}
        v = pd.to_numeric(df["value"], errors="coerce").to_numpy(dtype=float)
        logged = np.array([transforms.get(str(o)) in (Transform.LOG, Transform.LOG10)
                           for o in df["observable"]], dtype=bool)
        bad_log = np.flatnonzero(logged & ~(v > 0))
        if bad_log.size:
            out.append(f"measurements: rows {bad_log[:5].tolist()} have values <= 0 for an "
                       "observable on a log scale; remove them or use transform = 'lin'.")
        if "censoring" in df.columns:
            for i, value in enumerate(df["censoring"]):
                if censoring_kind(value) not in ("", *CENSORING):
                    out.append(f"measurements: row {i} censoring = {value!r}; use 'left' "
                               "(below a limit of quantification, value = the limit), 'right' "
                               "(above an upper limit) or leave it empty.")
                    break
        # a noise placeholder value is the noise level itself where the noise formula is
        # that placeholder alone; in a longer formula (sd_a + 0 * h) it may be 0 or negative,
        # and the noise level is checked when it is evaluated
        alone = {o.name for o in self.observables
                 if re.fullmatch(rf"noiseParameter\d+_{re.escape(o.name)}", str(o.noise).strip())}
        observed = df["observable"].astype(str).to_numpy()
        for col in ("observable_parameters", "noise_parameters"):
            if col not in df.columns:
                continue
            for i, value in enumerate(df[col]):
                for item in split_overrides(value):
                    if isinstance(item, str) and item not in names:
                        out.append(f"measurements: row {i} {col} names {item!r}, which is no "
                                   f"problem parameter.{suggest(item, sorted(names))}")
                    elif (col == "noise_parameters" and isinstance(item, float)
                          and observed[i] in alone and not item > 0):
                        out.append(f"measurements: row {i} noise_parameters value {item} "
                                   "must be > 0.")
        return out

    def check(self) -> FitProblem:
        """Raise every problem at once (:class:`InvalidArgumentError`); return self."""
        found = self.problems()
        if found:
            raise_problems(found, f"fit problem {self.name!r}")
        return self


def censoring_kind(value: Any) -> str:
    """A ``censoring`` cell as ``""``, ``"left"`` or ``"right"`` (anything else as given)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value).strip().lower()
    return "" if text in ("", "none", "nan") else text


def measurement_table(rows: Sequence[Mapping[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """A measurement table from rows ``{experiment, observable, time, value, ...}``."""
    return rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))


__all__ = ["CENSORING", "REQUIRED_COLUMNS", "Experiment", "FitParameter", "FitProblem",
           "NoiseDistribution", "Observable", "Scale", "Transform", "censoring_kind",
           "measurement_table", "placeholders", "split_overrides"]
