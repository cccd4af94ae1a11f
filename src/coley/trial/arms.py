"""One chunk of a trial: diagnose its patients once, run every arm from the same baseline.

Every patient is simulated in every arm (in-silico twins); ``allocated`` marks the arm the
randomisation gave it, which is what the randomised analysis uses. Per arm:

1. the arm's regimens are applied to the model (doses resolved with each patient's covariates)
   and the patients are integrated from their baseline on a weekly grid plus the scan days,
   with death when the tumour state reaches ``tumour.lethal_cells``;
2. the sum of longest diameters at each scan gives RECIST 1.1 and iRECIST responses;
3. each toxicity's onset comes from its cumulative hazard H(t) and the patient's own
   exponential draw X: grade >= 3 when H(t) >= X, any grade when H(t)/severe_fraction >= X
   (so P(grade >= 3 by t) = 1 - exp(-H(t)), as :mod:`coley.treat.toxicity` defines);
4. stop rules are executed: a regimen with ``at_progression`` stops at RECIST progression
   (iRECIST: at confirmed progression, i.e. treatment beyond iUPD), one with
   ``max_toxicity_grade`` at the onset of that grade; patients whose doses stop early are
   integrated again with the later doses removed (their course up to the stop is unchanged);
5. the per-patient outcome columns are those of the outcomes in
   :data:`coley.trial.outcomes.OUTCOMES` (or the ones given), each computed from the arm's
   :class:`~coley.trial.outcomes.OutcomeContext` (burden, sizes, assessment, death and
   toxicity days, worked out once here); the stop columns follow them.

A patient whose integration fails keeps a row with ``status`` saying why; it never stops the
chunk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from coley import library
from coley.errors import CoLeyError
from coley.experiment.condition import Condition
from coley.model.model import Model
from coley.solve.events import Threshold
from coley.solve.result import SimulationResult
from coley.solve.schedule import Infusion, Jump
from coley.treat.apply import TreatedModel, apply_regimens
from coley.trial import recist
from coley.trial.outcomes import OUTCOMES, AbstractOutcome, OutcomeContext, patient_columns
from coley.trial.population import (
    STREAM_ALLOCATION,
    STREAM_TOXICITY,
    Baseline,
    diagnose,
    patient_rng,
    tumour_states,
)
from coley.trial.spec import ArmSpec, TrialSpec
from coley.trial.status import PatientStatus, StopReason

_MODELS: dict[str, Model] = {}


def _model(spec: TrialSpec) -> Model:
    key = repr((spec.model, sorted(spec.options.items())))
    if key not in _MODELS:
        _MODELS[key] = library.get(spec.model, **spec.options)
    return _MODELS[key]


def allocation(spec: TrialSpec, patients: np.ndarray) -> np.ndarray:
    """Arm index each patient is randomised to (by the arms' ratios; own stream)."""
    ratio = np.array([a.ratio for a in spec.arm], dtype=np.float64)
    edges = np.cumsum(ratio) / ratio.sum()
    u = np.array([patient_rng(spec.seed, int(i), STREAM_ALLOCATION).random() for i in patients])
    return np.minimum(np.searchsorted(edges, u, side="right"), len(spec.arm) - 1)


def toxicity_draws(spec: TrialSpec, patients: np.ndarray, k: int = 8) -> np.ndarray:
    """Exponential(1) thresholds, ``k`` per patient (own stream)."""
    return np.array([patient_rng(spec.seed, int(i), STREAM_TOXICITY).standard_exponential(k)
                     for i in patients]).reshape(patients.size, k)


def output_grid(spec: TrialSpec) -> np.ndarray:
    """Weekly grid, scan days and the end of follow-up (days)."""
    end = spec.follow_up_days
    return np.unique(np.concatenate([np.arange(0.0, end, 7.0), spec.scan_days(), [end]]))


def _masked(item: Jump | Infusion, keep: np.ndarray, rows: np.ndarray, n: int
            ) -> Jump | Infusion:
    """``item`` for patients ``rows`` (of ``n``) with the administration removed where
    ``keep`` is False."""
    if isinstance(item, Infusion):
        rate = np.broadcast_to(np.asarray(item.rate, dtype=np.float64), (n,))[rows]
        return replace(item, rate=np.where(keep, rate, 0.0))
    amount = np.broadcast_to(np.asarray(item.amount, dtype=np.float64), (n,))[rows]
    neutral = 1.0 if item.op == "multiply" else 0.0
    return replace(item, amount=np.where(keep, amount, neutral))


def _start(item: Jump | Infusion) -> float:
    if isinstance(item, Infusion):
        return float(item.start)
    times = item.times if isinstance(item.times, tuple | list) else (item.times,)
    return float(times[0])


def run_arm(spec: TrialSpec, arm: ArmSpec, base: Baseline, tox_draw: np.ndarray, *,
            outcomes: Sequence[AbstractOutcome] | None = None
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate ``arm`` for the diagnosed patients ``base``; per-patient rows (the columns of
    ``outcomes``, default every registered one) and scans."""
    outcomes = tuple(OUTCOMES.values()) if outcomes is None else tuple(outcomes)
    model = _model(spec)
    n = base.patients.size
    grid = output_grid(spec)
    scans = np.asarray(spec.scan_days())
    scan_idx = np.searchsorted(grid, scans)
    regs = spec.regimens(arm)
    covariates = base.covariates or None
    if regs:
        treated = apply_regimens(model, regs, covariates=covariates, n=n,
                                 t_end=spec.follow_up_days)
    else:
        treated = TreatedModel(model, (), (), ())
    # population values of parameters another arm's regimens add do not apply here
    known = set(treated.model.parameter_names) | set(treated.model.state_names)
    table = {k: v.copy() for k, v in base.values.items() if k in known}
    for k, v in arm.set.items():
        table[k] = np.full(n, v)
    dstate = spec.diagnosis.state or tumour_states(spec, model)[0]
    events = [Threshold(dstate, spec.tumour.lethal_cells, direction="up", terminal=True)] \
        if spec.tumour.lethal_cells else []
    condition = Condition(arm.name, treated.model, table, schedule=treated.schedule,
                          events=tuple(events))
    res = condition.simulate(saveat=grid, solver=spec.solver())
    values = np.array(res.values)
    status = np.array(res.status)
    stop_time = np.array(res.stop_time)
    messages = res.messages
    ctx = _context(spec, treated, model, values, status, stop_time, grid, scans, scan_idx,
                   tox_draw, res.state_names)
    # ---- stop rules: rerun patients whose doses stop early
    stops = _stop_days(spec, regs, ctx)
    if stops:
        redo = np.zeros(n, dtype=bool)
        last: dict[str, float] = {}
        for label, day in stops.items():
            own = [it for it, o in zip(treated.schedule, treated.owners, strict=True)
                   if o == label]
            last[label] = max((_start(it) for it in own), default=-np.inf)
            redo |= day < last[label]
        rows = np.flatnonzero(redo & (status >= 0))
        if rows.size:
            sched = []
            for it, owner in zip(treated.schedule, treated.owners, strict=True):
                keep = np.ones(rows.size, dtype=bool)
                if owner in stops:
                    keep = _start(it) < stops[owner][rows]
                sched.append(_masked(it, keep, rows, n))
            sub = {k: np.asarray(v)[rows] for k, v in table.items()}
            res2 = condition.with_settings(sub).with_schedule(sched).simulate(
                saveat=grid, solver=spec.solver())
            values[rows] = res2.values
            status[rows] = res2.status
            stop_time[rows] = res2.stop_time
            for r, m in zip(rows, _messages(res2), strict=True):
                if m:
                    messages[r] = m
            ctx = _context(spec, treated, model, values, status, stop_time, grid, scans,
                           scan_idx, tox_draw, res.state_names)
    outcome = patient_columns(ctx, outcomes)
    if stops:
        end = np.full(n, np.nan)
        why = np.array([StopReason.NONE.value] * n, dtype=object)
        for label, day in stops.items():
            stopped = day < last[label]
            end = np.where(stopped, np.fmin(end, day), end)
        outcome["treatment_stopped_day"] = end
        outcome["stopped_for"] = np.where(
            np.isfinite(end),
            np.where(np.isclose(end, _progression_stop(spec, ctx)),
                     StopReason.PROGRESSION.value, StopReason.TOXICITY.value), why)
    else:
        outcome["treatment_stopped_day"] = np.full(n, np.nan)
        outcome["stopped_for"] = np.array([StopReason.NONE.value] * n, dtype=object)
    scans_frame = pd.DataFrame({
        "day": np.tile(scans, n), "sld_mm": ctx.sld.ravel(),
        "change_pct": (100.0 * (ctx.sld / ctx.baseline_sld[:, None] - 1.0)).ravel(),
        "response": ctx.assessment.labels("response").ravel(),
    })
    frame = pd.DataFrame(outcome)
    frame.insert(0, "patient", base.patients)
    frame.insert(1, "arm", arm.name)
    frame.insert(2, "status", np.where(status >= 0, PatientStatus.OK.value,
                                       PatientStatus.FAILED.value))
    frame.insert(3, "status_reason", np.where(status >= 0, "", np.asarray(messages, dtype=object)))
    frame["diagnosis_day"] = base.diagnosis_day
    frame["doubling_days"] = base.doubling_days
    frame["attempts"] = base.attempts
    for k in spec.population.parameters:
        frame[f"param_{k}"] = base.values[k]
    for k, values_k in base.covariates.items():
        frame[f"cov_{k}"] = values_k
    bad = status < 0
    if bad.any():
        cols = [c for c in frame.columns if c not in ("patient", "arm", "status", "status_reason")
                and not c.startswith(("param_", "cov_")) and c not in
                ("diagnosis_day", "doubling_days", "attempts")]
        for c in cols:
            if frame[c].dtype.kind == "f":
                frame.loc[bad, c] = np.nan
    scans_frame.insert(0, "patient", np.repeat(base.patients, scans.size))
    scans_frame.insert(1, "arm", arm.name)
    scans_frame = scans_frame[~scans_frame["sld_mm"].isna()].reset_index(drop=True)
    return frame, scans_frame


def _messages(res: SimulationResult) -> list[str]:
    msgs = res.messages
    return [m if s < 0 else "" for m, s in zip(msgs, res.status, strict=True)]


def _context(spec: TrialSpec, treated: TreatedModel, model: Model, values: np.ndarray,
             status: np.ndarray, stop_time: np.ndarray, grid: np.ndarray, scans: np.ndarray,
             scan_idx: np.ndarray, tox_draw: np.ndarray, state_names: tuple[str, ...]
             ) -> OutcomeContext:
    """What every outcome and the stop rules share: burden, sizes at the scans, RECIST and
    iRECIST, death, the last scan and the toxicity onset days."""
    n = values.shape[0]
    tumour = sum(values[:, :, state_names.index(s)] for s in tumour_states(spec, model))
    tumour = np.asarray(tumour)
    death = np.where((status == 1) & (stop_time < spec.follow_up_days), stop_time, np.nan)
    if spec.tumour.lethal_cells:
        death = np.fmin(death, _crossing(grid, tumour, spec.tumour.lethal_cells))
    t = spec.tumour
    base_cells = tumour[:, 0]
    base_sld = recist.sld_mm(base_cells, lesions=t.lesions, cells_per_cm3=t.cells_per_cm3)
    sld = recist.sld_mm(tumour[:, scan_idx], lesions=t.lesions, cells_per_cm3=t.cells_per_cm3)
    alive = ~(scans[None, :] >= np.where(np.isnan(death), np.inf, death)[:, None])
    sld = np.where(alive & (status >= 0)[:, None], sld, np.nan)
    r = spec.response
    a = recist.assess(scans, base_sld, sld, lesions=t.lesions, cr_diameter_mm=t.cr_diameter_mm,
                      confirm=r.confirm, confirm_days=r.confirm_days,
                      sd_min_days=r.sd_min_days, death_day=death)
    last_scan = np.array([scans[row][-1] if row.any() else 0.0 for row in ~np.isnan(sld)])
    dead = np.isfinite(death)
    # ---- toxicity
    g3_day = np.full(n, np.inf)
    any_day = np.full(n, np.inf)
    for j, tox in enumerate(treated.toxicities):
        h = values[:, :, state_names.index(tox.state)]
        x = tox_draw[:, j % tox_draw.shape[1]]
        hit3 = h >= x[:, None]
        hit_any = h / tox.severe_fraction >= x[:, None]
        d3 = np.where(hit3.any(1), grid[hit3.argmax(1)], np.inf)
        da = np.where(hit_any.any(1), grid[hit_any.argmax(1)], np.inf)
        # events after death do not happen
        d3 = np.where(dead & (d3 > death), np.inf, d3)
        da = np.where(dead & (da > death), np.inf, da)
        g3_day = np.fmin(g3_day, d3)
        any_day = np.fmin(any_day, da)
    return OutcomeContext(
        spec=spec, grid=grid, values=values, state_names=state_names, burden=tumour,
        scans=scans, scan_index=scan_idx, baseline_sld=base_sld, sld=sld, assessment=a,
        death_day=death, last_scan_day=last_scan, toxicity_any_day=any_day,
        toxicity_g3_day=g3_day, solver_status=status)


def _progression_stop(spec: TrialSpec, ctx: OutcomeContext) -> np.ndarray:
    """The day treatment stops at progression: confirmed progression (iCPD) under iRECIST,
    RECIST progression otherwise (inf: none)."""
    a = ctx.assessment
    return a.icpd_scan_day if spec.response.criteria == "irecist" else a.pd_day


def _crossing(grid: np.ndarray, burden: np.ndarray, level: float) -> np.ndarray:
    """First time (days) each row of ``burden`` (N, K) on ``grid`` reaches ``level``,
    interpolated log-linearly between output times; NaN if never (the terminal event acts on
    one state, this on the sum of the tumour states)."""
    with np.errstate(invalid="ignore"):
        above = burden >= level
    hit = above.any(axis=1)
    k = np.where(hit, above.argmax(axis=1), 0)
    out = np.full(burden.shape[0], np.nan)
    rows = np.flatnonzero(hit & (k > 0))
    if rows.size:
        a = np.log(np.maximum(burden[rows, k[rows] - 1], 1e-300))
        b = np.log(burden[rows, k[rows]])
        frac = np.clip((np.log(level) - a) / np.where(b > a, b - a, 1.0), 0.0, 1.0)
        out[rows] = grid[k[rows] - 1] + frac * (grid[k[rows]] - grid[k[rows] - 1])
    out[hit & (k == 0)] = grid[0]
    return out


def _stop_days(spec: TrialSpec, regs: list, ctx: OutcomeContext) -> dict[str, np.ndarray]:
    """Per regimen with an executable stop rule: the day its doses stop, per patient."""
    out: dict[str, np.ndarray] = {}
    g3 = ctx.toxicity_g3_day
    anyg = ctx.toxicity_any_day
    for reg in regs:
        rule = reg.stop
        day = np.full(g3.shape, np.inf)
        if rule.at_progression:
            day = np.fmin(day, _progression_stop(spec, ctx))
        if rule.max_toxicity_grade is not None:
            day = np.fmin(day, g3 if rule.max_toxicity_grade >= 3 else anyg)
        if rule.at_progression or rule.max_toxicity_grade is not None:
            out[reg.label] = day
    return out


def run_chunk(spec: TrialSpec, chunk: int, *,
              outcomes: Sequence[AbstractOutcome] | None = None
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Patients ``[chunk*chunk_size, ...)``: diagnose once, then every arm (per-patient columns
    of ``outcomes``, default every registered one). Never raises for a patient's failure; a
    chunk-wide error (a bug, a bad model) is raised."""
    lo = chunk * spec.chunk_size
    hi = min(lo + spec.chunk_size, spec.patients)
    patients = np.arange(lo, hi)
    model = _model(spec)
    base = diagnose(spec, model, patients)
    alloc_all = dict(zip(patients.tolist(), allocation(spec, patients).tolist(), strict=True))
    alloc = np.array([alloc_all[int(i)] for i in base.patients], dtype=np.int64)
    draws = toxicity_draws(spec, base.patients)
    frames, scan_frames = [], []
    for k, arm in enumerate(spec.arm):
        if base.patients.size:
            try:
                f, s = run_arm(spec, arm, base, draws, outcomes=outcomes)
            except CoLeyError as exc:
                f = pd.DataFrame({"patient": base.patients, "arm": arm.name,
                                  "status": PatientStatus.FAILED.value,
                                  "status_reason": str(exc)})
                s = pd.DataFrame(columns=["patient", "arm", "day", "sld_mm", "change_pct",
                                          "response"])
            f.insert(4, "allocated", alloc == k)
            frames.append(f)
            scan_frames.append(s)
        if base.failed:
            frames.append(pd.DataFrame({
                "patient": list(base.failed), "arm": arm.name,
                "status": PatientStatus.NOT_PLAUSIBLE.value,
                "status_reason": list(base.failed.values()),
                "allocated": [alloc_all[i] == k for i in base.failed],
            }))
    patients_frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    scans_frame = pd.concat(scan_frames, ignore_index=True) if scan_frames else \
        pd.DataFrame({"patient": pd.Series(dtype=np.int64), "arm": pd.Series(dtype=object),
                      "day": pd.Series(dtype=float), "sld_mm": pd.Series(dtype=float),
                      "change_pct": pd.Series(dtype=float), "response": pd.Series(dtype=object)})
    return patients_frame.sort_values(["arm", "patient"], kind="stable").reset_index(drop=True), \
        scans_frame


__all__ = ["allocation", "output_grid", "run_arm", "run_chunk", "toxicity_draws"]
