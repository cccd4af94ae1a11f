"""Profile likelihood of each estimated parameter, with an identifiability label.

The profile of parameter k is PL_k(c) = min over the other parameters of nll(z | z_k = c), on
the estimation scale (Raue et al. 2009, Bioinformatics 25:1923, doi 10.1093/bioinformatics/
btp358). From the best fit, c steps away from the estimate in each direction; each point is a
fit of the other parameters warm-started from the previous point. The step adapts: it doubles
while PL rises by less than a tenth of the threshold per step and halves (the step is redone)
when one step rises by more than half of it. A side ends when PL - best exceeds the threshold,
Delta = chi2_1(level) / 2 (1.92 at 95%, the likelihood-ratio interval), when the bound is
reached, or after ``max_steps`` steps. Where a side crosses, the crossing is refined by
regula falsi (Illinois) to within ``crossing_tolerance`` in nll, so the interval end is a
point of the profile, not an interpolation.

Labels (Raue 2009, section 2.3):

* ``identifiable``: the profile crosses the threshold on both sides (a finite interval);
* ``structurally non-identifiable``: the profile is flat, PL - best < ``flat`` over the whole
  explored range, on both sides (a functional relation with other parameters compensates any
  change);
* ``practically non-identifiable``: otherwise, the profile rises but stays below the threshold
  on at least one side up to the bound or ``max_steps`` (the data are too few or too noisy).

A profile point below the fit's best nll (by more than ``crossing_tolerance``) means the fit
had not found the optimum; it is reported in the profile's ``message``. A point whose fit
fails is recorded with its reason and the step halves; nothing is dropped.
"""

from __future__ import annotations

import enum
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from coley.errors import InvalidArgumentError
from coley.fit.objective import Objective
from coley.fit.optimize import FitResult, StartResult, check_method, choose_method, run_start
from coley.fit.problem import Scale


class Identifiability(enum.StrEnum):
    """What a profile says about its parameter (module docstring)."""

    IDENTIFIABLE = "identifiable"
    PRACTICAL = "practically non-identifiable"
    STRUCTURAL = "structurally non-identifiable"


class SideEnd(enum.StrEnum):
    """Why one side of a profile stopped."""

    CROSSED = "crossed"
    BOUND = "bound"
    MAX_STEPS = "max_steps"
    FAILED = "failed"


def threshold(level: float = 0.95) -> float:
    """Delta nll of the likelihood-ratio interval at ``level``: chi2_1(level) / 2."""
    if not 0.0 < level < 1.0:
        raise InvalidArgumentError(f"profile: level must be in (0, 1), got {level!r}; "
                                   "0.95 gives the 95% interval.")
    from scipy.stats import chi2

    return float(chi2.ppf(level, 1)) / 2.0


@dataclass(frozen=True)
class Profile:
    """One parameter's profile: points sorted by value, all on the estimation scale."""

    name: str
    scale: Scale
    index: int
    estimate: float
    best_nll: float
    threshold: float
    values: np.ndarray
    nll: np.ndarray
    points: np.ndarray
    """The optimum of every parameter at each profile point (points x estimated)."""
    converged: np.ndarray
    lower: float | None
    upper: float | None
    """Ends of the likelihood-ratio interval (estimation scale; None where it stays open)."""
    end_low: SideEnd
    end_high: SideEnd
    label: Identifiability
    message: str
    evaluations: int
    wall_s: float

    @property
    def interval(self) -> tuple[float | None, float | None]:
        """The likelihood-ratio interval on the linear scale (None where open)."""
        return (None if self.lower is None else float(self.scale.to_linear(self.lower)),
                None if self.upper is None else float(self.scale.to_linear(self.upper)))

    def to_dict(self, names: tuple[str, ...]) -> dict[str, Any]:
        """Every number (exact floats), for ``profiles.jsonl`` and ``fit.json``."""
        low, high = self.interval
        return {"parameter": self.name, "index": self.index, "scale": self.scale.value,
                "estimate": self.estimate, "best_nll": self.best_nll,
                "threshold": self.threshold, "label": self.label.value,
                "ci_low": low, "ci_high": high, "scaled_low": self.lower,
                "scaled_high": self.upper, "end_low": self.end_low.value,
                "end_high": self.end_high.value, "message": self.message,
                "evaluations": self.evaluations, "wall_s": round(self.wall_s, 4),
                "values": [float(v) for v in self.values],
                "nll": [float(v) if math.isfinite(v) else None for v in self.nll],
                "converged": [bool(c) for c in self.converged],
                "points": [dict(zip(names, map(float, p), strict=True)) for p in self.points]}

    @classmethod
    def from_dict(cls, data: dict[str, Any], names: tuple[str, ...]) -> Profile:
        """The profile written by :meth:`to_dict`."""
        scale = Scale(data["scale"])
        low, high = data["scaled_low"], data["scaled_high"]
        return cls(str(data["parameter"]), scale, int(data["index"]), float(data["estimate"]),
                   float(data["best_nll"]), float(data["threshold"]),
                   np.array(data["values"], dtype=np.float64),
                   np.array([math.inf if v is None else v for v in data["nll"]]),
                   np.array([[p[n] for n in names] for p in data["points"]]).reshape(
                       len(data["points"]), len(names)),
                   np.array(data["converged"], dtype=bool),
                   None if low is None else float(low), None if high is None else float(high),
                   SideEnd(data["end_low"]), SideEnd(data["end_high"]),
                   Identifiability(data["label"]), str(data["message"]),
                   int(data["evaluations"]), float(data["wall_s"]))


@dataclass
class _Side:
    values: list[float]
    nll: list[float]
    points: list[np.ndarray]
    converged: list[bool]
    end: SideEnd
    crossing: float | None
    failures: list[str]
    evaluations: int


def _walk(objective: Objective, k: int, direction: int, start: StartResult, lo: np.ndarray,
          hi: np.ndarray, method: str, limit: float, h0: float, max_steps: int,
          crossing_tolerance: float, max_iterations: int) -> _Side:
    """One side of parameter ``k``'s profile (module docstring)."""
    free = np.ones(lo.size, dtype=bool)
    free[k] = False
    span = hi[k] - lo[k]
    h, h_min, h_max = h0, h0 / 64.0, span / 4.0
    side = _Side([], [], [], [], SideEnd.MAX_STEPS, None, [], 0)
    prev_c, prev_nll, prev_x = float(start.x[k]), start.nll, start.x.copy()
    bound = lo[k] if direction < 0 else hi[k]

    def point(c: float, warm: np.ndarray) -> StartResult:
        z0 = warm.copy()
        z0[k] = c
        r = run_start(objective, z0, lo, hi, method, max_iterations, 0, free=free)
        side.evaluations += r.evaluations
        return r

    def keep(c: float, r: StartResult) -> None:
        side.values.append(c)
        side.nll.append(r.nll)
        side.points.append(r.x)
        side.converged.append(r.converged)

    steps = 0
    while steps < max_steps:
        if abs(prev_c - bound) <= 1e-12 * max(1.0, abs(bound)):
            side.end = SideEnd.BOUND
            break
        steps += 1
        c = float(np.clip(prev_c + direction * h, lo[k], hi[k]))
        r = point(c, prev_x)
        if not math.isfinite(r.nll):
            side.failures.append(f"{c:.6g}: {r.message}")
            if h > h_min:
                h /= 2.0
                continue
            side.end = SideEnd.FAILED
            break
        rise = r.nll - prev_nll
        if rise > 0.5 * limit and h > h_min and r.nll < start.nll + limit:
            h /= 2.0  # too coarse below the threshold: redo the step shorter
            continue
        keep(c, r)
        if r.nll > start.nll + limit:
            side.end = SideEnd.CROSSED
            side.crossing = _refine(point, keep, prev_c, prev_nll, prev_x, c, r.nll,
                                    start.nll + limit, crossing_tolerance)
            break
        prev_c, prev_nll, prev_x = c, r.nll, r.x
        if rise < 0.1 * limit:
            h = min(2.0 * h, h_max)
    return side


def _refine(point: Callable[[float, np.ndarray], StartResult],
            keep: Callable[[float, StartResult], None], a: float, fa: float, xa: np.ndarray,
            b: float, fb: float, target: float, tolerance: float) -> float:
    """The value between ``a`` (PL below ``target``) and ``b`` (above) where PL = target:
    regula falsi with the Illinois modification, each new point kept in the profile."""
    ga, gb = fa - target, fb - target
    side = 0
    c = b
    for _ in range(30):
        c = b - gb * (b - a) / (gb - ga)
        r = point(c, xa)
        if not math.isfinite(r.nll):
            return float(c)
        keep(c, r)
        gc = r.nll - target
        if abs(gc) <= tolerance:
            return float(c)
        if gc < 0:  # below: new inner end, warm start from it
            a, ga, xa = c, gc, r.x
            if side == -1:
                gb /= 2.0
            side = -1
        else:
            b, gb = c, gc
            if side == 1:
                ga /= 2.0
            side = 1
    return float(c)


def profile_parameter(objective: Objective, result: FitResult, name: str, *,
                      level: float = 0.95, method: str = "auto", max_steps: int = 40,
                      flat: float = 0.01, crossing_tolerance: float = 1e-3,
                      max_iterations: int = 1000) -> Profile:
    """The profile of ``name`` around ``result``'s best fit (module docstring)."""
    t0 = time.perf_counter()
    names = result.names
    if name not in names:
        raise InvalidArgumentError(f"profile: {name!r} is not an estimated parameter; "
                                   f"estimated: {list(names)}.")
    best = result.best
    if not math.isfinite(best.nll):
        raise InvalidArgumentError(f"profile: the fit has no finite best objective "
                                   f"({best.message}); fix the fit before profiling.")
    check_method(method)
    chosen = choose_method(result.problem, objective, method)
    limit = threshold(level)
    k = names.index(name)
    lo, hi = result.problem.bounds()
    span = float(hi[k] - lo[k])
    se = float(result.standard_errors[k]) if result.standard_errors.size else math.nan
    h0 = 0.3 * se if math.isfinite(se) and se > 0 else span / 20.0
    h0 = float(np.clip(h0, span * 1e-4, span / 10.0))
    sides = [_walk(objective, k, d, best, lo, hi, chosen, limit, h0, max_steps,
                   crossing_tolerance, max_iterations) for d in (-1, 1)]
    values = np.array([*sides[0].values, best.x[k], *sides[1].values])
    nll = np.array([*sides[0].nll, best.nll, *sides[1].nll])
    points = np.array([*sides[0].points, best.x, *sides[1].points])
    converged = np.array([*sides[0].converged, best.converged, *sides[1].converged])
    order = np.argsort(values, kind="stable")
    values, nll, points, converged = values[order], nll[order], points[order], converged[order]
    low, high = sides[0], sides[1]
    rise = float(np.max(nll[np.isfinite(nll)]) - best.nll)
    if low.end is SideEnd.CROSSED and high.end is SideEnd.CROSSED:
        label = Identifiability.IDENTIFIABLE
    elif (low.end is not SideEnd.CROSSED and high.end is not SideEnd.CROSSED
          and rise < flat):
        label = Identifiability.STRUCTURAL
    else:
        label = Identifiability.PRACTICAL
    notes = [f"{len(s.failures)} failed point(s) on the {w} side, first at {s.failures[0]}"
             for s, w in ((low, "lower"), (high, "upper")) if s.failures]
    below = float(np.min(nll)) - best.nll
    if below < -crossing_tolerance:
        at = points[int(np.argmin(nll))]
        notes.append(f"a profile point has nll {below:.4g} below the fit's best, at "
                     f"{dict(zip(names, map(float, at), strict=True))}: the fit did not reach "
                     "the optimum; fit again with more starts")
    return Profile(name, result.scales[k], k, float(best.x[k]), best.nll, limit, values, nll,
                   points, converged, low.crossing, high.crossing, low.end, high.end, label,
                   "; ".join(notes), low.evaluations + high.evaluations,
                   time.perf_counter() - t0)


def profile(result: FitResult, *, parameters: Sequence[str] | None = None,
            level: float = 0.95, method: str = "auto", max_steps: int = 40,
            flat: float = 0.01, objective: Objective | None = None,
            progress: Callable[[Profile], None] | None = None,
            completed: Sequence[Profile] = ()) -> tuple[Profile, ...]:
    """Profiles of ``parameters`` (default: every estimated one) around ``result``'s best fit.

    ``progress`` is called with each finished profile; ``completed`` holds profiles already
    computed (a resumed run), which are kept when their estimate and best nll are this fit's.
    """
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
        raise InvalidArgumentError(f"profile: max_steps must be an int >= 1, got "
                                   f"{max_steps!r}.")
    if not flat > 0:
        raise InvalidArgumentError(f"profile: flat must be > 0 (nll units), got {flat!r}.")
    threshold(level)
    check_method(method)
    wanted = list(result.names if parameters is None else parameters)
    unknown = [p for p in wanted if p not in result.names]
    if unknown:
        raise InvalidArgumentError(f"profile: {unknown} are not estimated parameters; "
                                   f"estimated: {list(result.names)}.")
    obj = objective if objective is not None else Objective(result.problem)
    done = {p.name: p for p in completed
            if p.best_nll == result.nll and p.estimate == float(result.best.x[p.index])}
    out = []
    for name in wanted:
        if name in done:
            out.append(done[name])
            continue
        p = profile_parameter(obj, result, name, level=level, method=method,
                              max_steps=max_steps, flat=flat)
        out.append(p)
        if progress is not None:
            progress(p)
    return tuple(out)


def profile_table(profiles: Sequence[Profile]) -> Any:
    """One row per profile point: parameter, value (linear and estimation scale), nll and
    nll - best, and whether that point's fit converged."""
    import pandas as pd

    rows = [{"parameter": p.name, "value": float(p.scale.to_linear(v)), "scaled_value": v,
             "nll": f, "delta_nll": f - p.best_nll, "converged": bool(c)}
            for p in profiles
            for v, f, c in zip(p.values, p.nll, p.converged, strict=True)]
    return pd.DataFrame(rows)


__all__ = [
    "Identifiability",
    "Profile",
    "SideEnd",
    "profile",
    "profile_parameter",
    "profile_table",
    "threshold",
]
