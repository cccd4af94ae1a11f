"""Virtual cohorts with random host events: spontaneous regression and what precedes it.

Each patient draws its own parameters (log-normal around the model's values) and its own host
events: Poisson processes of the model's inputs (bacterial infection, viral infection and
transfusion, say), each event a time-limited input with a random duration and strength.
Patients are integrated one by one with the same compiled model; patient ``i`` draws from its
own stream, ``SeedSequence(seed, spawn_key=(i,))`` (:mod:`coley.population.streams`), so
results do not depend on the order or the number of workers, and any one patient can be
simulated again on its own (:func:`simulate_patient`).

A patient is **diagnosed** when the total burden first reaches ``diagnosis_cells``. A
**remission** is the first time after diagnosis, up to day ``days``, that the burden falls below
``remission_cells``; it is **associated** with an event type when such an event started within
``window_days`` before the remission. A remission is **temporary** when the burden later returns
to ``diagnosis_cells`` (a relapse) before the end of the follow-up (``days +
follow_up_days``); it lasted from the remission to the relapse.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from coley.analysis.stats import wilson_interval as wilson_interval
from coley.analysis.trajectory import Classification, classify_trajectory
from coley.errors import InvalidArgumentError
from coley.model.model import Model
from coley.population import LogNormal, patient_rng
from coley.scenario.arm_lookup import ArmLookup
from coley.scenario.cohort_spec import CohortSpec as CohortSpec
from coley.scenario.cohort_spec import CohortTable as CohortTable
from coley.scenario.cohort_spec import EventProcess as EventProcess
from coley.scenario.cohort_spec import ProcessTable as ProcessTable
from coley.scenario.cohort_spec import PublishedTable as PublishedTable
from coley.scenario.scenario import ScenarioSpec, scenario_model, summary_header, thresholds
from coley.serialize import json_safe
from coley.solve.events import Extinction
from coley.solve.result import SimulationResult
from coley.solve.schedule import Infusion
from coley.solve.simulate import simulate
from coley.solve.solvers import AbstractSolver, Rodas4


@dataclass(frozen=True)
class PatientOutcome:
    """One patient's remission, its timing and the events that preceded it (days)."""

    remission_time: float | None
    temporary: bool
    preceded_by: tuple[str, ...]
    events: tuple[tuple[str, float, float], ...]
    diagnosis_time: float | None = None
    relapse_time: float | None = None

    @property
    def days_to_remission(self) -> float | None:
        """Days from diagnosis to remission (None without a remission)."""
        if self.remission_time is None or self.diagnosis_time is None:
            return None
        return self.remission_time - self.diagnosis_time

    @property
    def days_in_remission(self) -> float | None:
        """Days from remission to relapse (None unless the remission was temporary)."""
        if self.remission_time is None or self.relapse_time is None:
            return None
        return self.relapse_time - self.remission_time


@dataclass(frozen=True)
class CohortResult:
    """Per-patient outcomes, total burdens and the cohort statistics of spontaneous regression.

    ``total[i, k]`` is patient ``i``'s total tumour burden (cells) at ``time[k]`` (days);
    ``inputs`` are the model's inputs, whose events :meth:`statistics` counts (default: those
    of the spec's event processes).
    """

    spec: CohortSpec
    outcomes: tuple[PatientOutcome, ...]
    time: np.ndarray = field(default_factory=lambda: np.zeros(0), compare=False, repr=False)
    total: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), compare=False,
                              repr=False)
    inputs: tuple[str, ...] = ()

    @property
    def event_inputs(self) -> tuple[str, ...]:
        """The inputs counted in the statistics: ``inputs``, else the processes' inputs."""
        return self.inputs or process_inputs(self.spec)

    @property
    def remitted(self) -> list[int]:
        """Indices of the patients who remitted."""
        return [i for i, o in enumerate(self.outcomes) if o.remission_time is not None]

    def statistics(self) -> dict[str, Any]:
        """Fraction remitting; among remissions, fractions associated with each event type (and
        with none), fraction temporary, median days from diagnosis to remission and median days
        in remission of the temporary ones."""
        rem = [self.outcomes[i] for i in self.remitted]
        n = len(rem)

        def median(values: list[float | None]) -> float | None:
            kept = [v for v in values if v is not None]
            return float(np.median(kept)) if kept else None

        stats: dict[str, Any] = {
            "patients": len(self.outcomes),
            "diagnosed": sum(o.diagnosis_time is not None for o in self.outcomes),
            "remissions": n,
            "fraction_remitting": n / len(self.outcomes),
            "median_days_to_remission": median([o.days_to_remission for o in rem]),
            "fraction_temporary": (sum(o.temporary for o in rem) / n) if n else None,
            "median_days_in_remission": median([o.days_in_remission for o in rem]),
        }
        for kind in self.event_inputs:
            stats[f"fraction_with_{kind}"] = (sum(kind in o.preceded_by for o in rem) / n
                                              if n else None)
        stats["fraction_with_no_event"] = (sum(not o.preceded_by for o in rem) / n
                                           if n else None)
        return stats

    def remitted_by(self, days: np.ndarray) -> np.ndarray:
        """Cumulative fraction of the cohort remitted by each of ``days`` after diagnosis."""
        times = np.array([o.days_to_remission for o in self.outcomes
                          if o.days_to_remission is not None])
        return np.array([np.sum(times <= d) for d in np.asarray(days)]) / len(self.outcomes)


def remission_outcome(time: np.ndarray, total: np.ndarray, events: list[Infusion],
                      spec: CohortSpec) -> PatientOutcome:
    """The remission (if any) of one trajectory ``total(time)`` and the events before it."""
    diagnosed = np.flatnonzero(total >= spec.diagnosis_cells)
    listed = tuple((e.input, e.start, e.stop) for e in events)
    if diagnosed.size == 0:
        return PatientOutcome(None, False, (), listed)
    t_diag = float(time[diagnosed[0]])
    below = np.flatnonzero((total < spec.remission_cells) & (time <= spec.days)
                           & (np.arange(total.size) > diagnosed[0]))
    if below.size == 0:
        return PatientOutcome(None, False, (), listed, diagnosis_time=t_diag)
    k = int(below[0])
    t_rem = float(time[k])
    back = np.flatnonzero(total[k:] >= spec.diagnosis_cells)
    relapse = float(time[k + back[0]]) if back.size else None
    preceded = tuple(sorted({e.input for e in events
                             if t_rem - spec.window_days <= e.start <= t_rem}))
    return PatientOutcome(t_rem, relapse is not None, preceded, listed,
                          diagnosis_time=t_diag, relapse_time=relapse)


def process_inputs(spec: CohortSpec) -> tuple[str, ...]:
    """The inputs of the cohort's random event processes, in order of first appearance."""
    return tuple(dict.fromkeys(p.input for p in spec.processes))


def _check_names(m: Model, spec: CohortSpec) -> None:
    names = set(m.parameter_names) | set(m.state_names)
    for key in sorted({*spec.values, *spec.spread}):
        if key not in names:
            raise InvalidArgumentError(
                f"CohortSpec: {key!r} is not a parameter or state of model {m.name!r}."
            )
    for p in spec.processes:
        if p.input not in m.input_names:
            raise InvalidArgumentError(
                f"EventProcess({p.input!r}): input must be one of {list(m.input_names)} (the "
                f"inputs of model {m.name!r}), got {p.input!r}."
            )


def _patient(m: Model, spec: CohortSpec, index: int
             ) -> tuple[dict[str, float], list[Infusion]]:
    """Patient ``index``'s parameter values and random host events, all from its one stream
    (:func:`coley.population.patient_rng` without a named stream): a standard normal per
    spread parameter (in name order) for its log-normal value, then the host events."""
    rng = patient_rng(spec.seed, index)
    values = {k: float(v) for k, v in spec.values.items()}
    for key, sd in sorted(spec.spread.items()):
        centre = values.get(key, _default(m, key))
        if not centre > 0:
            raise InvalidArgumentError(
                f"CohortSpec: spread on {key!r} needs a centre value > 0 (log-normal), got "
                f"{centre!r}; set {key} in values, or drop it from spread.")
        values[key] = float(LogNormal(centre, sd).from_score(rng.standard_normal()))
    events = [e for p in spec.processes for e in p.draw(rng, spec.horizon)]
    return values, events


def _simulate_one(m: Model, spec: CohortSpec, values: dict[str, float],
                  schedule: list[Infusion], solver: AbstractSolver | None) -> SimulationResult:
    return simulate(m, values, t_end=spec.horizon, schedule=schedule, solver=solver,
                    events=[Extinction(s) for s in m.burden_states])


def _burden(m: Model, result: SimulationResult) -> np.ndarray:
    return np.asarray(sum(result[s][0] for s in m.burden_states))


def simulate_patient(spec: CohortSpec, index: int, *, model: Model,
                     schedule: list[Infusion] | None = None,
                     without: tuple[str, ...] = (),
                     solver: AbstractSolver | None = None) -> SimulationResult:
    """Patient ``index`` of the cohort ``spec`` on its own: the same parameters, events and
    trajectory as in :func:`simulate_cohort`; ``without`` drops the patient's random events
    of those inputs (what would have happened without its infections, say)."""
    if not (isinstance(index, int) and 0 <= index < spec.n):
        raise InvalidArgumentError(
            f"simulate_patient: index must be an int in [0, {spec.n}), got {index!r}."
        )
    m = model
    unknown = sorted(set(without) - set(m.input_names))
    if unknown:
        raise InvalidArgumentError(
            f"simulate_patient: without takes inputs among {list(m.input_names)} (the inputs "
            f"of model {m.name!r}), got {unknown}."
        )
    _check_names(m, spec)
    values, events = _patient(m, spec, index)
    kept = [e for e in events if e.input not in without]
    return _simulate_one(m, spec, values, [*kept, *(schedule or [])], solver)


def remissions_lost_without(cohort: CohortResult, kinds: tuple[str, ...] | None = None, *,
                            model: Model,
                            schedule: list[Infusion] | None = None,
                            solver: AbstractSolver | None = None) -> dict[str, float | None]:
    """For each input in ``kinds`` (default: the inputs of the cohort's random event
    processes): the fraction of the cohort's remissions that do not happen when the patient's
    random events of that input are removed (all else equal). It says how many remissions an
    event type caused, where the association only says how many it preceded.
    """
    m = model
    spec = cohort.spec
    if kinds is None:
        kinds = process_inputs(spec)
    remitted = cohort.remitted
    out: dict[str, float | None] = {}
    for kind in kinds:
        lost = 0
        for i in remitted:
            result = simulate_patient(spec, i, model=m, schedule=schedule, without=(kind,),
                                      solver=solver)
            total = _burden(m, result)
            if remission_outcome(result.time, total, [], spec).remission_time is None:
                lost += 1
        out[kind] = lost / len(remitted) if remitted else None
    return out


def simulate_cohort(spec: CohortSpec, *, model: Model,
                    schedule: list[Infusion] | None = None,
                    solver: AbstractSolver | None = None) -> CohortResult:
    """Simulate every patient of ``spec`` (seeded) on ``model`` and record remissions.

    The burden is the sum of the model's ``burden_states``; the spec's values, spread and
    event inputs must be the model's (checked first). ``schedule`` adds the same deliberate
    events to every patient (Coley's toxins: repeated ``bacterial`` inputs); they count as
    preceding events like the random ones. ``solver`` defaults to
    :class:`~coley.solve.solvers.Rodas4` at its default tolerances.
    """
    m = model
    _check_names(m, spec)
    outcomes = []
    totals = []
    time = np.zeros(0)
    failed = 0
    for index in range(spec.n):
        values, events = _patient(m, spec, index)
        every = [*events, *(schedule or [])]
        result = _simulate_one(m, spec, values, every, solver)
        if result.status[0] < 0:
            failed += 1
        total = _burden(m, result)
        time = result.time
        totals.append(total)
        outcomes.append(remission_outcome(result.time, total, every, spec))
    if failed:
        warnings.warn(f"simulate_cohort: the integration failed for {failed} of {spec.n} "
                      "patients; their burdens after the failure are NaN.", stacklevel=2)
    return CohortResult(spec, tuple(outcomes), time, np.vstack(totals), inputs=m.input_names)


def _default(m: Model, name: str) -> float:
    if name in m.parameter_names:
        return m.parameter(name).value
    return m.state(name).initial


@dataclass(frozen=True)
class CohortArmResult:
    """One arm of a cohort scenario: the cohort, example patients and the median burden.

    ``result`` holds the example patients' trajectories (remitting ones first);
    ``classification`` labels the cohort's median burden over time (a typical patient);
    ``lost_without`` (for the arm compared with the published series) is
    :func:`remissions_lost_without`.
    """

    name: str
    note: str
    cohort: CohortResult
    examples: tuple[int, ...]
    result: SimulationResult
    classification: Classification
    expect: str | None = None
    lost_without: dict[str, float | None] | None = None

    @property
    def statistics(self) -> dict[str, Any]:
        """The cohort statistics of this arm (see :meth:`CohortResult.statistics`)."""
        return self.cohort.statistics()


@dataclass(frozen=True)
class CohortScenarioResult(ArmLookup):
    """Every arm of a cohort scenario, with the resolved specification."""

    spec: ScenarioSpec
    arms: tuple[CohortArmResult, ...]
    model: Model

    def comparison(self) -> list[dict[str, Any]]:
        """The published statistics, their 95% intervals, and the compared arm's values: a row
        ``fraction_with_INPUT`` per input of ``[cohort.published.fraction_with]``, then
        ``median_days_to_remission``."""
        pub = self.spec.cohort.published if self.spec.cohort else None
        if pub is None:
            return []
        stats = self.arm(pub.arm).statistics
        rows: list[dict[str, Any]] = []
        for kind, value in pub.fraction_with.items():
            key = f"fraction_with_{kind}"
            lo, hi = wilson_interval(value, pub.remissions)
            rows.append({"statistic": key, "published": value, "interval_95": [lo, hi],
                         "interval_method": f"Wilson score, n = {pub.remissions}"})
        lo, hi = median_interval(pub.median_days, pub.remissions)
        rows.append({"statistic": "median_days_to_remission", "published": pub.median_days,
                     "interval_95": [lo, hi],
                     "interval_method": f"order statistics of the median, n = "
                                        f"{pub.remissions}, exponential times assumed"})
        for row in rows:
            ours = stats[row["statistic"]]
            row["cohort"] = ours
            lo, hi = row["interval_95"]
            row["within"] = ours is not None and lo <= ours <= hi
        return rows


def median_interval(median: float, n: int, z: float = 1.959964) -> tuple[float, float]:
    """95% interval of a median of ``n`` times, from the order statistics (ranks
    n/2 -+ z sqrt(n)/2), converted to days assuming exponentially distributed times."""
    lo_q = max((n / 2 - z * math.sqrt(n) / 2) / n, 1e-9)
    hi_q = min((n / 2 + z * math.sqrt(n) / 2 + 1) / n, 1 - 1e-9)
    scale = median / math.log(2)
    return -scale * math.log(1 - lo_q), -scale * math.log(1 - hi_q)


def association_by_chance(table: CohortTable, inputs: tuple[str, ...]) -> dict[str, float]:
    """Per input of ``inputs`` (a model's ``input_names``), the probability that at least one
    of its random events starts in a window of ``window_days``: the association a remission
    would show with no causal link at all."""
    out = {}
    for kind in inputs:
        rate = sum(p.per_year for p in table.process if p.input == kind)
        out[kind] = 1.0 - math.exp(-rate * table.window_days / 365.0)
    return out


def simulate_cohort_scenario(spec: ScenarioSpec) -> CohortScenarioResult:
    """Simulate the cohort of a scenario file with a ``[cohort]`` table, once per arm.

    Every arm has the same patients (the same seed, so the same parameters and random host
    events); an arm adds its ``set`` values and its deterministic ``event`` list (Coley's
    toxins, say) to every patient.
    """
    if spec.cohort is None:
        raise InvalidArgumentError(
            f"scenario {spec.name!r} has no [cohort] table; simulate it with "
            "coley.scenario.simulate_scenario."
        )
    m = scenario_model(spec)
    th = thresholds(spec)
    arms = []
    for arm in spec.arm:
        cohort_spec = spec.cohort.build(days=spec.days, seed=spec.seed,
                                        values={**spec.set, **arm.set})
        schedule = [i for e in (*spec.event, *arm.event) for i in e.build_all()]
        solver = Rodas4(rtol=spec.cohort.rtol)
        cohort = simulate_cohort(cohort_spec, model=m, schedule=schedule, solver=solver)
        remitted = cohort.remitted
        others = [i for i in range(cohort_spec.n) if i not in set(remitted)]
        k = spec.cohort.examples
        examples = (*remitted[:k], *others[:max(2, k // 2)])
        result = _stack([simulate_patient(cohort_spec, i, model=m, schedule=schedule,
                                          solver=solver) for i in examples])
        median = np.nanmedian(cohort.total, axis=0)
        published = spec.cohort.published
        lost = (remissions_lost_without(cohort, model=m, schedule=schedule, solver=solver)
                if published is not None and published.arm == arm.name else None)
        arms.append(CohortArmResult(arm.name, arm.note, cohort, tuple(examples), result,
                                    classify_trajectory(cohort.time, median, th),
                                    lost_without=lost))
    return CohortScenarioResult(spec, tuple(arms), m)


def _stack(results: list[SimulationResult]) -> SimulationResult:
    """Single-patient results of one model on one grid as one N-patient result."""
    first = results[0]

    def cat(name: str) -> np.ndarray:
        return np.concatenate([getattr(r, name) for r in results], axis=0)

    return replace(
        first, values=cat("values"), parameters=cat("parameters"), status=cat("status"),
        stop_time=cat("stop_time"), event_times=cat("event_times"), steps=cat("steps"),
        notes=tuple(n for r in results for n in (r.notes or ("",))),
        end_state=None if first.end_state is None else cat("end_state"),
    )


# ---------------------------------------------------------------------------- outputs
def cohort_trajectories(run: CohortScenarioResult) -> Any:
    """Long pandas table of the example patients: arm, patient, remitted, time, every state and
    the total burden."""
    import pandas as pd

    frames = []
    for a in run.arms:
        table = a.result.to_pandas()
        table["patient"] = np.asarray(a.examples)[table["patient"].to_numpy()]
        table.insert(0, "arm", a.name)
        rem = set(a.cohort.remitted)
        table.insert(2, "remitted", table["patient"].isin(rem))
        table["T_total"] = table[list(run.model.burden_states)].sum(axis=1)
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


def cohort_patients(run: CohortScenarioResult) -> Any:
    """One row per patient and arm: diagnosis, remission and relapse days, preceding events,
    event counts and the patient's drawn parameter values."""
    import pandas as pd

    rows = []
    for a in run.arms:
        spec = a.cohort.spec
        for i, o in enumerate(a.cohort.outcomes):
            values, _ = _patient(run.model, spec, i)
            row: dict[str, Any] = {
                "arm": a.name, "patient": i, "diagnosis_day": o.diagnosis_time,
                "remission_day": o.remission_time, "relapse_day": o.relapse_time,
                "temporary": o.temporary if o.remission_time is not None else None,
                "preceded_by": " ".join(o.preceded_by),
            }
            for kind in run.model.input_names:
                row[f"n_{kind}"] = sum(e[0] == kind for e in o.events)
            row.update({k: values[k] for k in sorted(spec.spread)})
            rows.append(row)
    return pd.DataFrame(rows)


def cohort_summary(run: CohortScenarioResult, *, source: str = "",
                   versions: dict[str, str] | None = None) -> dict[str, Any]:
    """The summary of a cohort scenario, as written to ``NAME.json``."""
    spec = run.spec
    assert spec.cohort is not None
    comparison = run.comparison()
    published_arm = spec.cohort.published.arm if spec.cohort.published else None
    arms = []
    for a in run.arms:
        ok = all(r["within"] for r in comparison) if a.name == published_arm else None
        arms.append({
            "arm": a.name, "note": a.note,
            "classification": a.classification.label,
            "classification_of": "median burden of the cohort",
            "expected": "published statistics within their 95% intervals" if ok is not None
                        else None,
            "as_expected": ok,
            **a.statistics,
            "remissions_lost_without": a.lost_without,
            "example_patients": list(a.examples),
        })
    chance = association_by_chance(spec.cohort, run.model.input_names)
    return json_safe({
        **summary_header(spec, run.model.name, source),
        "arms": arms,
        "published": spec.cohort.published.model_dump() if spec.cohort.published else None,
        "comparison": comparison,
        "association_by_chance": {
            "note": "probability that at least one event of each kind starts in a "
                    f"{spec.cohort.window_days:g}-day window, from the event rates alone",
            **chance,
        },
        "resolved_scenario": spec.model_dump(mode="json"),
        "versions": versions or {},
        "citations": [str(run.model.citation)]
                     + ([spec.cohort.published.source] if spec.cohort.published else []),
    })


def cohort_figure(run: CohortScenarioResult) -> Any:
    """Four panels: example burdens, cumulative remission, published comparison, and the
    fraction remitting (temporary or not) per arm."""
    from matplotlib.figure import Figure

    spec = run.spec
    assert spec.cohort is not None
    fig = Figure(figsize=(12, 8), layout="constrained")
    ax = fig.subplots(2, 2).ravel()
    for k, a in enumerate(run.arms):
        t = a.result.time
        rem = set(a.cohort.remitted)
        for j, i in enumerate(a.examples):
            total = sum(a.result[s][j] for s in run.model.burden_states)
            ax[0].plot(t, np.where(total > 0, total, np.nan), lw=1.0,
                       color=f"C{k % 10}" if i in rem else "0.6", alpha=0.8 if i in rem else 0.5,
                       label=f"{a.name}: remitting" if j == 0 else None)
    ax[0].axhline(spec.cohort.diagnosis_cells, color="k", ls="--", lw=0.8)
    ax[0].axhline(spec.cohort.remission_cells, color="k", ls=":", lw=0.8)
    ax[0].axvline(spec.days, color="k", lw=0.6, alpha=0.4)
    ax[0].set(yscale="log", xlabel="time (days)", ylabel="tumour cells (burden)",
              title="example patients (grey: no remission); -- diagnosis, : remission")
    ax[0].legend(fontsize=8)
    days = np.arange(0.0, spec.days + 1.0)
    for k, a in enumerate(run.arms):
        ax[1].step(days, 100 * a.cohort.remitted_by(days), where="post", color=f"C{k % 10}",
                   label=f"{a.name} ({100 * a.statistics['fraction_remitting']:.1f}%)")
    ax[1].set(xlabel="days from diagnosis", ylabel="% of patients remitted",
              title="cumulative remission")
    ax[1].legend(fontsize=8)
    rows = run.comparison()
    published = spec.cohort.published
    if rows and published is not None:
        kinds = list(published.fraction_with)
        labels = [*(f"after\n{kind.replace('_', ' ')} (%)" for kind in kinds),
                  "median days to\nremission / 3"]
        scale = [*(100.0 for _ in kinds), 1 / 3]
        x = np.arange(len(rows))
        pub = [r["published"] * s for r, s in zip(rows, scale, strict=True)]
        err = [[(r["published"] - r["interval_95"][0]) * s for r, s in
                zip(rows, scale, strict=True)],
               [(r["interval_95"][1] - r["published"]) * s for r, s in
                zip(rows, scale, strict=True)]]
        ours = [(r["cohort"] or 0.0) * s for r, s in zip(rows, scale, strict=True)]
        ax[2].bar(x - 0.2, pub, 0.4, yerr=err, capsize=4, color="0.7",
                  label="published (95% interval)")
        ax[2].bar(x + 0.2, ours, 0.4, color="C0", label=f"cohort, arm {published.arm}")
        chance = association_by_chance(spec.cohort, run.model.input_names)
        ax[2].plot(range(len(kinds)), [100 * chance[kind] for kind in kinds], "kx",
                   ms=9, label="by chance (event rates alone)")
        ax[2].set_xticks(x, labels, fontsize=8)
        ax[2].set_title("remissions: cohort versus the published series", fontsize=10)
        ax[2].legend(fontsize=8)
    names = [a.name for a in run.arms]
    frac = [100 * a.statistics["fraction_remitting"] for a in run.arms]
    temp = [100 * a.statistics["fraction_remitting"] * (a.statistics["fraction_temporary"] or 0)
            for a in run.arms]
    ax[3].bar(names, frac, color="C2", label="remitted, no relapse in follow-up")
    ax[3].bar(names, temp, color="C3", label="remitted, then relapsed")
    ax[3].set(ylabel="% of patients", title="remission by arm")
    ax[3].legend(fontsize=8)
    for a_ in ax:
        a_.grid(alpha=0.3)
        a_.title.set_fontsize(10)
    fig.suptitle(f"{spec.name}: {spec.title}", fontsize=11)
    return fig


def write_cohort_outputs(run: CohortScenarioResult, out_dir: str | Path, *, source: str = "",
                         versions: dict[str, str] | None = None) -> None:
    """Write NAME.csv (example trajectories), NAME_patients.csv (one row per patient and arm),
    NAME.png and NAME.json to ``out_dir``."""
    import json

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    name = run.spec.name
    cohort_trajectories(run).to_csv(out / f"{name}.csv", index=False, float_format="%.8g")
    cohort_patients(run).to_csv(out / f"{name}_patients.csv", index=False, float_format="%.6g")
    cohort_figure(run).savefig(out / f"{name}.png", dpi=110)
    summary = cohort_summary(run, source=source, versions=versions)
    (out / f"{name}.json").write_text(json.dumps(summary, indent=2) + "\n")
