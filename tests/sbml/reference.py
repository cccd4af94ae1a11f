"""The SBML reference suite: every file of shared/reference-models/sbml, simulated by coley and
by libRoadRunner on the same time grid and compared.

Used by ``test_reference_suite.py`` (one test per file) and by ``make_table.py``, which writes
the outcome table of docs/sbml.md. The method (also stated in docs/sbml.md):

* Grid: 201 points from 0 to the model's horizon, in the file's own time unit: ``HORIZONS``
  where the model's schedule or the validation notes give one, else 100.
* Scale of each state: its initial value, or if that is 0 its largest value in a quick
  libRoadRunner run (rtol 1e-8); 1 if that is 0 too.
* coley: Rodas4, rtol 1e-12, atol 1e-14 x scale.
* libRoadRunner (CVODE): rtol 1e-13 and atol 1e-18 x scale (one per state); if CVODE fails at
  that tolerance, the next of ``RR_TOLERANCES`` (the table records the rtol used). Tighter than
  the comparison by 1e6 so that the reference's own error does not count; sensitive models (an
  oscillation that nearly touches zero, Dritschel 2018, Macnamara 2015) need 1e-13.
* Pass: at every output time and state, |coley - rr| <= 1e-6 |rr| + F, where the absolute floor
  F is 1e-10 x the state's largest value, and at least 1e-12 (in the state's unit): differences
  below a ten-billionth of a state's range are round-off, not model error (and a state that
  stays below 1e-12, e.g. a tumour population cleared in the first hour, is zero).
"""

from __future__ import annotations

import math
import re
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

#: The shared folder: ../shared relative to the repository root (as in CI).
SHARED = (Path(__file__).resolve().parents[2] / ".." / "shared").resolve()
SBML_DIR = SHARED / "reference-models" / "sbml"

RTOL = 1e-6            # the comparison
FLOOR = 1e-10          # absolute floor, as a fraction of the state's largest value
ZERO_FLOOR = 1e-12     # smallest absolute floor (in the state's unit)
COLEY_RTOL = 1e-12
COLEY_ATOL = 1e-14     # x scale
#: libRoadRunner's (rtol, atol x scale), tried in turn until CVODE completes.
RR_TOLERANCES = ((1e-13, 1e-18), (1e-12, 1e-18), (1e-12, 1e-14), (1e-10, 1e-14))
RR_ATOL = 1e-18        # for states outside coley's state vector
POINTS = 201
DEFAULT_HORIZON = 100.0

#: Simulated time (the file's time unit) where 100 is not the natural horizon.
HORIZONS: dict[str, float] = {
    # dormancy plateau and slow escape (models-validation.md §9a: values to t = 2000)
    "BIOMD0000000751": 2000.0,
    "BIOMD0000000752": 2000.0,
    # HDLM-2 rechallenge: CAR-T at t = 45 and tumour rechallenge at t = 250 (§6b)
    "BIOMD0000001019": 300.0,
    # BCG: the tumour-free state by t = 200 (§8)
    "BIOMD0000001034": 200.0,
    # CAR-T peak at day 5 and relapse, to day 180 (§6a)
    "BIOMD0000001041": 180.0,
    # RT + anti-PD-L1 in CT26 mice: 30 days (§10)
    "BIOMD0000000863": 30.0,
    # time in hours: five 360-h IL-2 courses from 0 to 6120 h
    "BIOMD0000000808": 7200.0,
    # chemotherapy pulses every 21 days to day 126
    "BIOMD0000000879": 150.0,
}

#: Discrepancies between the file and the literature (shared/research/models-validation.md).
NOTES: dict[str, str] = {
    "BIOMD0000000732": "IL-2 term coded p1*E*IL/g1; the paper has p1*E*IL/(g1 + IL) (§2)",
    "BIOMD0000000913": "file uses l = 2; Table 1 of the paper gives l = 2/3 (§3b)",
    "BIOMD0000001041": "populations rescaled: N, C in units of 5e8 cells, B of 1e9 (§6a)",
    "BIOMD0000001043": "curator's Fig 3A set; the note lists the initial x, y swapped (§7a)",
    "BIOMD0000001020": "Raji arm: the note reports unbounded tumour growth (§6b)",
    "MODEL2109110002": "curator: published figures not reproduced",
    "MODEL2109110005": "curator notes a simulation error",
    "MODEL2109110006": "curator: published figures not reproduced",
    "MODEL1907260001": "non-curated; human parameters unverified (§3a)",
    "MODEL1912110001": "the file removes active macrophages at DM*MPH instead of DM*ANGRY, so "
                       "ANGRY turns negative from day 1 and the tumour equation is unstable once "
                       "the tumour is below 1e-7 cells (day 30 on)",
}

#: Files no integrator can check: libRoadRunner fails and coley's two methods diverge, because
#: the model leaves its physical domain. The test accepts 'unverified' for these only.
UNVERIFIABLE = {"MODEL1912110001"}


def files() -> list[Path]:
    """The reference SBML files, sorted (empty if the shared folder is absent)."""
    return sorted(SBML_DIR.glob("*.xml")) if SBML_DIR.is_dir() else []


def model_id(path: Path) -> str:
    """The BioModels id at the start of a file name."""
    return path.name.split("_", 1)[0]


@dataclass
class Outcome:
    """How one file fared; ``status`` is 'pass', 'differs', 'rejected', 'both fail',
    'coley fails', 'coley only' (libRoadRunner fails; coley's Rodas4 and Dopri5 agree) or
    'unverified' (libRoadRunner fails; coley's two methods do not agree)."""

    model: str
    file: str
    status: str
    max_error: float = math.nan
    reason: str = ""
    horizon: float = DEFAULT_HORIZON
    rr_rtol: float = math.nan
    states: int = 0
    events: int = 0
    time_unit: str = ""
    seconds: float = 0.0
    worst: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """Whether the outcome meets the target (agreement, or a clear failure on both sides)."""
        return self.status in ("pass", "both fail", "coley only")


def _selections(model: Any, sbml_model: Any) -> list[str]:
    """libRoadRunner selections of coley's states: [id] for concentrations, id otherwise."""
    out = []
    for name in model.state_names:
        sid = model.source_ids.get(name, name)
        species = sbml_model.getSpecies(sid)
        conc = species is not None and not species.getHasOnlySubstanceUnits()
        out.append(f"[{sid}]" if conc else sid)
    return out


def _roadrunner(path: Path, selections: list[str], ids: list[str], horizon: float,
                rtol: float, atol: dict[str, float] | None) -> np.ndarray:
    import roadrunner

    rr = roadrunner.RoadRunner(str(path))
    rr.integrator.relative_tolerance = rtol
    if atol is not None:
        state_ids = []
        k = 0
        while True:
            try:
                state_ids.append(rr.model.getStateVectorId(k))
            except Exception:  # past the end of the state vector
                break
            k += 1
        rr.integrator.absolute_tolerance = [atol.get(s, RR_ATOL) for s in state_ids]
    rr.integrator.maximum_num_steps = 500_000
    rr.timeCourseSelections = ["time", *selections]
    out = np.asarray(rr.simulate(0.0, horizon, POINTS))
    return out[:, 1:]


def run(path: Path) -> Outcome:
    """Import ``path``, simulate it with coley and libRoadRunner, and compare."""
    import libsbml
    import roadrunner

    import coley
    from coley.errors import SBMLError
    from coley.sbml import read_sbml

    roadrunner.Logger.setLevel(roadrunner.Logger.LOG_FATAL)
    mid = model_id(path)
    horizon = HORIZONS.get(mid, DEFAULT_HORIZON)
    start = time.perf_counter()
    try:
        model = read_sbml(path)
    except SBMLError as exc:
        return Outcome(mid, path.name, "rejected", reason=str(exc), horizon=horizon)
    out = Outcome(mid, path.name, "pass", horizon=horizon, states=len(model.states),
                  events=len(model.events))
    found = re.search(r"Time unit declared by the file: (.*?)\. coley", model.description)
    out.time_unit = found.group(1) if found else ""
    sbml_model = libsbml.readSBMLFromFile(str(path)).getModel()
    sel = _selections(model, sbml_model)
    ids = [model.source_ids.get(s, s) for s in model.state_names]
    grid = np.linspace(0.0, horizon, POINTS)
    try:
        pre = _roadrunner(path, sel, ids, horizon, 1e-8, None)
        peak = np.nanmax(np.abs(pre), axis=0)
    except Exception:
        peak = np.ones(len(sel))
    y0 = np.abs(model.initial_values())
    scale = np.where(y0 > 0, y0, peak)
    scale = np.where(scale > 0, scale, 1.0)
    ref = None
    rr_error = ""
    for rtol, atol in RR_TOLERANCES:
        try:
            ref = _roadrunner(path, sel, ids, horizon, rtol,
                              {i: atol * s for i, s in zip(ids, scale, strict=True)})
            out.rr_rtol = rtol
            break
        except Exception as exc:
            rr_error = " ".join(str(exc).split())
    solver = coley.Rodas4(rtol=COLEY_RTOL, atol=tuple(float(COLEY_ATOL * s) for s in scale),
                          max_steps=1_000_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = coley.simulate(model, saveat=grid, solver=solver)
    out.seconds = time.perf_counter() - start
    coley_ok = result.status[0] >= 0
    if ref is None:
        short = rr_error.split(";")[0][:160]
        if not coley_ok:
            out.status = "both fail"
            out.reason = f"libRoadRunner: {short}; coley: {result.messages[0]}"
            return out
        # no reference: check coley's Rodas4 against its explicit method, Dopri5
        other = coley.Dopri5(rtol=COLEY_RTOL, atol=solver.atol, max_steps=10_000_000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            check = coley.simulate(model, saveat=grid, solver=other)
        out.seconds = time.perf_counter() - start
        if check.status[0] < 0:
            out.status = "unverified"
            out.reason = (f"libRoadRunner fails ({short}); coley's Rodas4 finishes, its Dopri5 "
                          f"does not ({check.messages[0]})")
            return out
        _compare(out, model, result.values[0], check.values[0], grid)
        out.status = "coley only" if out.max_error <= RTOL else "unverified"
        out.reason = (f"libRoadRunner fails ({short}); coley's Rodas4 and Dopri5 "
                      f"{'agree' if out.status == 'coley only' else 'differ'}")
        return out
    if not coley_ok:
        out.status = "coley fails"
        out.reason = f"coley: {result.messages[0]}"
        return out
    _compare(out, model, result.values[0], ref, grid)
    if not out.max_error <= RTOL:
        out.status = "differs"
        out.reason = f"largest difference {out.worst}"
    return out


def _compare(out: Outcome, model: Any, values: np.ndarray, ref: np.ndarray,
             grid: np.ndarray) -> None:
    """Set ``out.max_error``: the largest |values - ref| / (|ref| + F/1e-6), <= 1e-6 passes."""
    top = np.nanmax(np.abs(ref), axis=0)
    floor = np.maximum(FLOOR * top, ZERO_FLOOR)
    excess = np.abs(values - ref) / (RTOL * np.abs(ref) + floor) * RTOL
    out.max_error = float(np.nanmax(excess)) if np.all(np.isfinite(values)) else math.inf
    if np.isfinite(out.max_error):
        k, s = np.unravel_index(int(np.nanargmax(excess)), excess.shape)
        out.worst = f"{model.state_names[s]} at t = {grid[k]:g}"
