"""How robust is each behaviour of a scenario's model to its assumptions?

A global sensitivity analysis of the scenario files (scenarios/*.toml). For one scenario,
:func:`robustness` draws ``n`` parameter sets (a seeded Latin hypercube or scrambled Sobol
sample, :mod:`scipy.stats.qmc`) in which every assumed parameter (``Parameter.tag`` is
:attr:`~coley.model.components.Provenance.ASSUMED`) that the scenario does not set is varied
log-uniformly within a band (by default a factor 2 either side of its scenario value, clipped
to its declared bounds and to its declared plausible range ``Parameter.plausible``; or that
plausible range itself), re-runs every arm of the scenario for all sets at once (one
:func:`coley.simulate` call per arm, with one row of parameters per set), and re-evaluates
what the scenario claims:

* each arm's ``expect``ed label (elimination / equilibrium / escape), and
* the scenario's ``[[claim]]`` tables, its comparative claims that are not labels
  (:mod:`coley.scenario.claims`: the TKI and trastuzumab arms of ``nk_suppression`` keep
  control, memory keeps the combination's residue small, ...).

The result says in what fraction of the sets every expectation holds, how often each arm got
each label, and which parameters drive failure: the Spearman rank correlation of each
parameter with "the behaviour holds" (positive: larger values help it hold).

What is not varied, and why:

* parameters the scenario sets in its shared ``[set]`` (its tuned overrides; pass
  ``vary_overrides=True`` to vary them too, within the same kind of band) and, in an arm, the
  parameters that arm sets (an arm's ``set`` is its intervention: ``softness = 0``, ``kEM = 0``);
* parameters whose scenario value is 0 (``mu``, ``stress``): a log-uniform band around 0 is
  empty; scenarios switch them on where they matter;
* the normalisations ``antigenicity`` and ``pd1`` (1 by definition; varying them is varying
  the [P] kill and inactivation rates of Kuznetsov et al. 1994);
* [P] and [M] parameters (Kuznetsov's effector core, the NK death rate).

The cohort scenario (spontaneous regression, a ``[cohort]`` table) is run with a smaller cohort
(``cohort_patients``, 400 by default instead of 3,000) for each parameter set, with the same
patients and random host events in every set (common random numbers), one patient at a time;
its claims are the qualitative statements of the file (remissions are rare, mostly after a
bacterial infection, mostly temporary; Coley's toxins raise them but to a minority).
"""

from __future__ import annotations

import math
import re
import time as _time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from scipy import stats as _stats

from coley.analysis.trajectory import Classification, Thresholds, classify_trajectory
from coley.errors import InvalidArgumentError
from coley.model.components import Parameter, Provenance
from coley.model.model import Model
from coley.population import AbstractDesign, LatinHypercube, LogUniform, Sobol, Uniform
from coley.scenario.claims import Condition, Metrics
from coley.scenario.cohort import simulate_cohort
from coley.scenario.scenario import (
    ScenarioSpec,
    arm_regimens,
    load_scenario,
    readout_values,
    scenario_model,
    thresholds,
    treated_arm,
)
from coley.solve.events import Extinction
from coley.solve.result import SimulationResult
from coley.solve.simulate import simulate
from coley.solve.solvers import Rodas4

Band = Literal["factor", "plausible"]
Method = Literal["lhs", "sobol"]


_NUMBER = r"\d+(?:\.\d+)?(?:e[+-]?\d+)?"
_PLAUSIBLE = re.compile(rf"plausible ({_NUMBER})-({_NUMBER})")

YEAR = 365.0


@dataclass(frozen=True)
class VariedParameter:
    """One varied parameter: its scenario value and the band it is drawn from.

    ``log`` is True for a log-uniform band, False for a uniform one (a plausible range that
    starts at 0). ``complement`` is True for a fraction close to its upper bound of 1
    (``softness`` = 0.99): then ``1 - value`` is what is varied (the killing efficiency of soft
    cells, 0.01), and ``low`` and ``high`` bound ``1 - value``.
    """

    name: str
    value: float
    low: float
    high: float
    log: bool = True
    override: bool = False
    complement: bool = False

    @property
    def distribution(self) -> LogUniform | Uniform:
        """The band as a distribution of what is varied (``1 - value`` for a complement)."""
        return LogUniform(self.low, self.high) if self.log else Uniform(self.low, self.high)

    def draw(self, u: np.ndarray) -> np.ndarray:
        """Values at the unit-interval quantiles ``u`` (increasing in ``u``)."""
        u = np.asarray(u, dtype=np.float64)
        if self.complement:
            return 1.0 - self.distribution.ppf(1.0 - u)
        return self.distribution.ppf(u)

    @property
    def range(self) -> tuple[float, float]:
        """Smallest and largest value drawn."""
        return (1.0 - self.high, 1.0 - self.low) if self.complement else (self.low, self.high)


def plausible_range(parameter: Parameter | str) -> tuple[float, float] | None:
    """A parameter's declared plausible range (``Parameter.plausible``; None if it has none).

    Given a source string instead, the ``plausible LOW-HIGH`` range written in it: to check
    that a source's prose agrees with the declared range (robustness reads only the field).
    """
    if isinstance(parameter, Parameter):
        return parameter.plausible
    match = _PLAUSIBLE.search(parameter)
    if match is None:
        return None
    return float(match.group(1)), float(match.group(2))


def _bounds(m: Model, name: str) -> tuple[float, float]:
    p = m.parameter(name)
    lower = -math.inf if p.lower is None else float(p.lower)
    upper = math.inf if p.upper is None else float(p.upper)
    return lower, upper


def varied_parameters(spec: ScenarioSpec, *, band: Band = "factor", factor: float = 2.0,
                      vary_overrides: bool = False, include: Sequence[str] = (),
                      exclude: Sequence[str] = (), model: Model | None = None
                      ) -> tuple[VariedParameter, ...]:
    """The parameters :func:`robustness` varies for ``spec``, with their bands.

    Every assumed parameter of the model (``tag`` :attr:`Provenance.ASSUMED`), except those in
    the scenario's shared ``[set]`` (unless ``vary_overrides``: then those are varied too,
    whatever their tag), those in the cohort's ``spread``, those with scenario value 0, the
    normalisations (``Parameter.normalisation``) and ``exclude``; plus ``include`` (any
    parameter). The band is
    ``[value/factor, value*factor]`` (clipped to the declared plausible range where the value
    lies in it: ``v_fitness`` = 1 is varied from 0.5 to 1, not to 2), or that plausible range
    itself (``band="plausible"``; the factor band where the parameter declares none), clipped
    to the parameter's declared bounds. A fraction above 0.5 with upper bound 1 (``softness``)
    is varied through its complement. ``model`` defaults to the one ``spec`` names.
    """
    if not (isinstance(factor, int | float) and math.isfinite(factor) and factor > 1):
        raise InvalidArgumentError(f"robustness: factor must be a number > 1, got {factor!r}.")
    if band not in ("factor", "plausible"):
        raise InvalidArgumentError(f"robustness: band must be 'factor' or 'plausible', "
                                   f"got {band!r}.")
    m = model or scenario_model(spec)
    names = set(m.parameter_names)
    unknown = sorted((set(include) | set(exclude)) - names)
    if unknown:
        raise InvalidArgumentError(f"robustness: not parameters of the model: {unknown}.")
    spread = set(spec.cohort.spread) if spec.cohort is not None else set()
    shared = {k for k in spec.set if k in names}
    chosen: list[tuple[str, bool]] = []
    for p in m.parameters:
        if p.name in exclude or p.name in spread:
            continue
        if p.name in shared:
            if vary_overrides or p.name in include:
                chosen.append((p.name, True))
            continue
        if p.name in include or (p.tag is Provenance.ASSUMED and not p.normalisation):
            chosen.append((p.name, False))
    out = []
    for name, override in chosen:
        value = float(spec.set.get(name, m.parameter(name).value))
        if not value > 0:
            continue
        lower, upper = _bounds(m, name)
        complement = upper == 1.0 and 0.5 < value < 1.0
        if complement:  # vary 1 - value, within 1 - bounds
            value, lower, upper = 1.0 - value, 1.0 - upper, 1.0 - lower
        low, high, log = value / factor, value * factor, True
        rng = m.parameter(name).plausible
        if rng is not None and not override:
            plo, phi = sorted(1.0 - x for x in rng) if complement else rng
            if band == "plausible":
                low, high, log = plo, phi, plo > 0
            elif plo <= value <= phi:  # a factor band stays within the plausible range
                low, high = max(low, plo), min(high, phi)
        low, high = max(low, lower), min(high, upper)
        if not high > low:
            continue
        out.append(VariedParameter(name, float(spec.set.get(name, m.parameter(name).value)),
                                   low, high, log, override, complement))
    return tuple(out)


def normalisations(model: Model) -> tuple[str, ...]:
    """The parameters of ``model`` that are units of measure (``Parameter.normalisation``)."""
    return tuple(p.name for p in model.parameters if p.normalisation)


def sample_unit(n: int, d: int, *, method: Method = "lhs", seed: int = 0) -> np.ndarray:
    """``n`` points of a seeded Latin hypercube or scrambled Sobol sample in ``[0, 1)^d``
    (:mod:`coley.population.designs`)."""
    if not (isinstance(n, int) and n >= 2):
        raise InvalidArgumentError(f"robustness: n must be an int >= 2, got {n!r}.")
    designs: dict[str, AbstractDesign] = {"lhs": LatinHypercube(seed), "sobol": Sobol(seed)}
    if method not in designs:
        raise InvalidArgumentError(f"robustness: method must be 'lhs' or 'sobol', "
                                   f"got {method!r}.")
    try:
        return designs[method].unit(n, d)
    except InvalidArgumentError as exc:
        raise InvalidArgumentError(f"robustness: {exc}") from None


# --- result ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Influence:
    """How one parameter bears on an outcome.

    ``rho`` is the Spearman rank correlation of the parameter with the outcome (> 0: larger
    values help it hold); ``profile`` the fraction holding in each quarter of the parameter's
    band, lowest values first, which also shows a window (the outcome holds only for middle
    values, where ``rho`` can be near 0); ``spread`` is the largest minus the smallest of them.
    """

    name: str
    rho: float
    p_value: float
    profile: tuple[float, ...]
    override: bool = False

    @property
    def spread(self) -> float:
        """Largest minus smallest quarter fraction."""
        return max(self.profile) - min(self.profile)

    @property
    def direction(self) -> str:
        """``'higher helps'``, ``'higher breaks'`` or ``'window'`` (a middle quarter is best
        and both end quarters are worse by more than a third of the spread)."""
        q = self.profile
        best = int(np.argmax(q))
        if 0 < best < len(q) - 1 and min(q[best] - q[0], q[best] - q[-1]) > self.spread / 3:
            return "window"
        return "higher helps" if q[-1] > q[0] else "higher breaks"

    @property
    def arrow(self) -> str:
        """The direction in one sign: + (higher helps), - (higher breaks), ∩ (window)."""
        return {"higher helps": "+", "higher breaks": "-", "window": "∩"}[self.direction]


@dataclass(frozen=True)
class RobustnessResult:
    """The parameter sets of one scenario and what held in each.

    ``samples[k, j]`` is the value of ``varied[j]`` in set ``k``; ``labels[arm][k]`` the label
    of ``arm`` in set ``k`` ('failed' when the integration failed); ``checks[name][k]`` whether
    claim ``name`` held in set ``k`` (the expected labels are the checks ``'ARM is LABEL'``).
    """

    scenario: str
    n: int
    band: str
    factor: float
    method: str
    seed: int
    varied: tuple[VariedParameter, ...]
    samples: np.ndarray
    labels: dict[str, np.ndarray]
    expect: dict[str, str | None]
    checks: dict[str, np.ndarray]
    seconds: float
    cohort_patients: int | None = None
    metrics: dict[str, dict[str, np.ndarray]] = field(default_factory=dict, repr=False)

    @property
    def holds(self) -> np.ndarray:
        """Per set: every check (expected labels and claims) held."""
        out = np.ones(self.n, dtype=bool)
        for ok in self.checks.values():
            out &= ok
        return out

    @property
    def labels_hold(self) -> np.ndarray:
        """Per set: every arm got its expected label."""
        out = np.ones(self.n, dtype=bool)
        for arm, want in self.expect.items():
            if want is not None:
                out &= self.labels[arm] == want
        return out

    @property
    def fraction_holding(self) -> float:
        """Fraction of the sets in which every expectation held."""
        return float(np.mean(self.holds))

    def check_fractions(self) -> dict[str, float]:
        """Fraction of the sets in which each check held."""
        return {name: float(np.mean(ok)) for name, ok in self.checks.items()}

    def label_frequencies(self) -> dict[str, dict[str, float]]:
        """Per arm: the fraction of sets that got each label."""
        return {arm: {k: v / self.n for k, v in Counter(lab.tolist()).most_common()}
                for arm, lab in self.labels.items()}

    def influence(self, outcome: str | np.ndarray | None = None, *,
                  by: Literal["spread", "rho"] = "spread") -> list[Influence]:
        """How each varied parameter bears on ``outcome`` (default: the behaviour holds; or a
        check's name, or a boolean array per set), strongest first: by the spread of the
        fraction holding over the quarters of its band (``by="spread"``, which also ranks
        windows) or by the absolute Spearman correlation (``by="rho"``). With a constant
        outcome every correlation is 0."""
        if outcome is None:
            y = self.holds
        elif isinstance(outcome, str):
            y = self.checks[outcome]
        else:
            y = np.asarray(outcome, dtype=bool)
        out = []
        for j, v in enumerate(self.varied):
            x = self.samples[:, j]
            quarter = np.minimum((_stats.rankdata(x) - 1) * 4 // len(x), 3).astype(int)
            profile = tuple(float(np.mean(y[quarter == q])) if np.any(quarter == q)
                            else float("nan") for q in range(4))
            if y.all() or not y.any() or np.ptp(x) == 0:
                rho, p = 0.0, 1.0
            else:
                res = _stats.spearmanr(x, y.astype(float))
                rho, p = float(res.statistic), float(res.pvalue)
            out.append(Influence(v.name, rho, p, profile, v.override))
        if by == "rho":
            return sorted(out, key=lambda i: (-abs(i.rho), i.name))
        return sorted(out, key=lambda i: (-i.spread, -abs(i.rho), i.name))

    def summary(self, top: int = 3) -> dict[str, Any]:
        """Plain values for JSON and the docs table."""
        return {
            "scenario": self.scenario, "n": self.n, "band": self.band, "factor": self.factor,
            "method": self.method, "seed": self.seed, "varied": len(self.varied),
            "overrides_varied": [v.name for v in self.varied if v.override],
            "cohort_patients": self.cohort_patients,
            "fraction_holding": self.fraction_holding,
            "fraction_labels_holding": float(np.mean(self.labels_hold)),
            "checks": self.check_fractions(),
            "labels": self.label_frequencies(),
            "influence": [{"name": i.name, "rho": round(i.rho, 3), "p": i.p_value,
                           "profile": [round(q, 3) for q in i.profile],
                           "direction": i.direction} for i in self.influence()[:top]],
            "seconds": round(self.seconds, 1),
        }


# --- running ---------------------------------------------------------------------------------

def arm_parameters(spec: ScenarioSpec, arm_set: Mapping[str, float],
                varied: Sequence[VariedParameter], samples: np.ndarray
                ) -> dict[str, float | np.ndarray]:
    """The parameter table of one arm (an :class:`~coley.scenario.scenario.ScenarioArm`'s
    ``set``) for all sets: the scenario's values, and the sets' draws (one per row of
    ``samples``) of every varied parameter the arm does not set itself."""
    values: dict[str, float | np.ndarray] = {**spec.set, **arm_set}
    for j, v in enumerate(varied):
        if v.name not in arm_set:
            values[v.name] = samples[:, j]
    return values


def _arm_metrics(result: SimulationResult, limits: Thresholds, n: int,
                 model: Model) -> dict[str, np.ndarray]:
    """Per set: the label, the classifier's numbers, the final burden states and the model's
    readouts (:func:`~coley.scenario.scenario.readout_values`)."""
    burden = model.burden_states
    labels = np.empty(n, dtype=object)
    keys = ("final_total", "time_under_control", "escape_time", "elimination_time",
            "total_at_year")
    out = {k: np.full(n, np.nan) for k in keys}
    time = np.asarray(result.time)
    total = np.asarray(sum(np.asarray(result[s]) for s in burden))
    year = np.flatnonzero(time == YEAR)
    for k in range(n):
        if result.status[k] < 0 or not np.all(np.isfinite(total[k])):
            labels[k] = "failed"
            continue
        c: Classification = classify_trajectory(time, total[k], limits)
        labels[k] = c.label
        out["final_total"][k] = c.final_total
        out["time_under_control"][k] = c.time_under_control
        out["escape_time"][k] = np.nan if c.escape_time is None else c.escape_time
        out["elimination_time"][k] = (np.nan if c.elimination_time is None
                                      else c.elimination_time)
        if year.size:
            out["total_at_year"][k] = total[k, year[0]]
    out.update({k: v.astype(float) for k, v in readout_values(result, model).items()})
    return {"label": labels.astype(str), **out}


def _run_arms(spec: ScenarioSpec, varied: Sequence[VariedParameter], samples: np.ndarray,
              workers: int) -> dict[str, dict[str, np.ndarray]]:
    base = scenario_model(spec)
    burden = base.burden_states
    limits = thresholds(spec)
    covariates = dict(spec.covariates) or None
    n = samples.shape[0]
    out = {}
    for arm in spec.arm:
        regimens = arm_regimens([*spec.regimen, *arm.regimen])
        model, schedule, _ = treated_arm(base, regimens, covariates, spec.days)
        schedule += [i for e in (*spec.event, *arm.event) for i in e.build_all()]
        schedule += [j.build() for j in (*spec.jump, *arm.jump)]
        values = arm_parameters(spec, arm.set, varied, samples)
        result = simulate(model, values, t_end=spec.days, solver=Rodas4(), schedule=schedule,
                          events=[Extinction(s) for s in burden], workers=workers)
        out[arm.name] = _arm_metrics(result, limits, n, model)
    return out


def _run_cohort(spec: ScenarioSpec, varied: Sequence[VariedParameter], samples: np.ndarray,
                patients: int) -> dict[str, dict[str, np.ndarray]]:
    assert spec.cohort is not None
    m = scenario_model(spec)
    table = spec.cohort.model_copy(update={"patients": patients})
    solver = Rodas4(rtol=spec.cohort.rtol)
    n = samples.shape[0]
    out: dict[str, dict[str, np.ndarray]] = {}
    for arm in spec.arm:
        arm_out: dict[str, np.ndarray] = {}
        schedule = [i for e in (*spec.event, *arm.event) for i in e.build_all()]
        for k in range(n):
            values = {**spec.set, **arm.set}
            for j, v in enumerate(varied):
                if v.name not in arm.set:
                    values[v.name] = float(samples[k, j])
            cohort_spec = table.build(days=spec.days, seed=spec.seed, values=values)
            st = simulate_cohort(cohort_spec, model=m, schedule=schedule,
                                 solver=solver).statistics()
            for key, value in st.items():  # fraction_with_INPUT for every input of the model
                column = arm_out.setdefault(key, np.full(n, np.nan))
                column[k] = np.nan if value is None else value
        remitting = arm_out["fraction_remitting"]
        arm_out["label"] = np.where(remitting > 0, "remissions", "none").astype(str)
        out[arm.name] = arm_out
    return out


def _check_metrics(spec: ScenarioSpec, text: str, conditions: Sequence[Condition],
                   metrics: Metrics) -> None:
    """Refuse a claim that reads a metric the run does not record."""
    for condition in conditions:
        for ref in condition.metrics:
            if ref.name not in metrics[ref.arm]:
                raise InvalidArgumentError(
                    f"scenario {spec.name!r}, claim {text!r}: no metric {ref.name!r} for arm "
                    f"{ref.arm!r}; a robustness run records {sorted(metrics[ref.arm])}."
                )


def robustness(scenario: str | Path | ScenarioSpec, *, n: int = 128, band: Band = "factor",
               factor: float = 2.0, method: Method = "lhs", seed: int = 0,
               vary_overrides: bool = False, include: Sequence[str] = (),
               exclude: Sequence[str] = (), arms: Sequence[str] | None = None,
               cohort_patients: int = 400, workers: int = 1) -> RobustnessResult:
    """Global sensitivity of one scenario's behaviour to the model's assumptions.

    Parameters
    ----------
    scenario:
        A scenario file (scenarios/NAME.toml) or a parsed :class:`ScenarioSpec`.
    n:
        Parameter sets (a power of 2 for ``method="sobol"``).
    band, factor:
        ``"factor"``: each parameter log-uniform in ``[value/factor, value*factor]``;
        ``"plausible"``: in its declared plausible range (log-uniform, or uniform
        where the range starts at 0). Both clipped to the declared bounds.
    method, seed:
        Latin hypercube (``"lhs"``) or scrambled Sobol (``"sobol"``) sample, seeded: the same
        arguments give the same sets and results.
    vary_overrides:
        Vary the scenario's shared ``[set]`` parameters too (its tuned values), with the same
        band; the arms' own ``set`` values stay fixed.
    include, exclude:
        Parameters to add to or remove from the varied ones (see :func:`varied_parameters`).
    arms:
        Only these arms (default: all); claims about other arms are not checked.
    cohort_patients:
        Patients per cohort and parameter set, for a cohort scenario (spontaneous regression).
    workers:
        Threads per :func:`coley.simulate` call (results do not depend on it).
    """
    spec = scenario if isinstance(scenario, ScenarioSpec) else load_scenario(scenario)
    if arms is not None:
        names = [a.name for a in spec.arm]
        unknown = sorted(set(arms) - set(names))
        if unknown or not arms:
            raise InvalidArgumentError(f"robustness: arms must name arms of {spec.name!r} "
                                       f"({names}); got {list(arms)}.")
        spec = spec.model_copy(update={"arm": [a for a in spec.arm if a.name in arms]})
    varied = varied_parameters(spec, band=band, factor=factor, vary_overrides=vary_overrides,
                               include=include, exclude=exclude)
    unit = sample_unit(n, len(varied), method=method, seed=seed)
    samples = (np.column_stack([v.draw(unit[:, j]) for j, v in enumerate(varied)])
               if varied else np.zeros((n, 0)))
    start = _time.perf_counter()
    if spec.cohort is not None:
        metrics = _run_cohort(spec, varied, samples, cohort_patients)
    else:
        metrics = _run_arms(spec, varied, samples, workers)
    seconds = _time.perf_counter() - start
    expect: dict[str, str | None] = {a.name: a.expect for a in spec.arm}
    checks = {f"{arm} is {want}": metrics[arm]["label"] == want
              for arm, want in expect.items() if want is not None}
    for claim in spec.claim:
        if all(arm in metrics for arm in claim.arms):  # else an arm that was not run
            _check_metrics(spec, claim.text, claim.conditions, metrics)
            checks[claim.text] = claim.evaluate(metrics)
    labels = {arm: m["label"] for arm, m in metrics.items()}
    return RobustnessResult(
        scenario=spec.name, n=n, band=band, factor=float(factor), method=method, seed=seed,
        varied=varied, samples=samples, labels=labels, expect=expect, checks=checks,
        seconds=seconds, cohort_patients=cohort_patients if spec.cohort is not None else None,
        metrics=metrics,
    )
