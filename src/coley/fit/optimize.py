"""Multi-start optimisation of a fit problem, with results as data.

Starts are a seeded Latin hypercube over the bounds on the estimation scale (the nominal vector
first, if asked). Each start runs scipy's trust-region reflective least squares (``trf``,
Gauss-Newton on the weighted residuals; used by default when every noise model is normal with
a noise level that is not estimated) or L-BFGS-B on the negative log-likelihood, both with the
exact gradient. A start whose simulation fails or whose objective is not finite is recorded
with the reason; nothing is dropped. Standard errors come from the inverse Hessian of the
negative log-likelihood at the best point (central differences of the exact gradient).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coley.errors import InvalidArgumentError
from coley.fit.objective import Objective, Prediction
from coley.fit.problem import FitProblem, NoiseDistribution, Scale
from coley.population.designs import LatinHypercube

#: Starts within this much of the best negative log-likelihood count as reaching it
#: (half the 95% chi-square(1) quantile, 3.84 / 2).
WATERFALL_TOLERANCE = 1.92


@dataclass(frozen=True)
class StartResult:
    """One optimiser start: where it began and ended (estimation scales), its objective
    (``nll``: the negative log-likelihood, plus the negative log prior where the problem has
    priors), whether the optimiser reports convergence, and why it stopped."""

    index: int
    start: np.ndarray
    x: np.ndarray
    nll: float
    converged: bool
    message: str
    evaluations: int
    wall_s: float

    @classmethod
    def from_dict(cls, data: dict[str, Any], names: tuple[str, ...]) -> StartResult:
        """The start written by :meth:`to_dict`."""
        nll = data["nll"]
        return cls(int(data["index"]), np.array([data["start"][n] for n in names]),
                   np.array([data["x"][n] for n in names]),
                   math.inf if nll is None else float(nll), bool(data["converged"]),
                   str(data["message"]), int(data["evaluations"]), float(data["wall_s"]))

    def to_dict(self, names: tuple[str, ...]) -> dict[str, Any]:
        return {"index": self.index, "nll": self.nll if math.isfinite(self.nll) else None,
                "converged": self.converged, "message": self.message,
                "evaluations": self.evaluations, "wall_s": round(self.wall_s, 4),
                "start": dict(zip(names, map(float, self.start), strict=True)),  # exact
                "x": dict(zip(names, map(float, self.x), strict=True))}


@dataclass(frozen=True)
class FitResult:
    """Every start of a fit, best first, and the best point's parameters and standard errors."""

    problem: FitProblem
    starts: tuple[StartResult, ...]
    names: tuple[str, ...]
    scales: tuple[Scale, ...]
    standard_errors: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Standard errors on the estimation scales (NaN where the Hessian is singular)."""

    @property
    def best(self) -> StartResult:
        """The start with the lowest negative log-likelihood."""
        return self.starts[0]

    @property
    def nll(self) -> float:
        """The best negative log-likelihood."""
        return self.best.nll

    @property
    def parameters(self) -> dict[str, float]:
        """Best estimates, on the linear scale."""
        return {n: float(s.to_linear(v)) for n, s, v in
                zip(self.names, self.scales, self.best.x, strict=True)}

    def fraction_at_best(self, tolerance: float = WATERFALL_TOLERANCE) -> float:
        """Fraction of starts ending within ``tolerance`` of the best objective."""
        ok = [s.nll <= self.nll + tolerance for s in self.starts]
        return sum(ok) / len(ok)

    def table(self) -> Any:
        """One row per estimated parameter: estimate (linear), scale, estimate and standard
        error on the estimation scale, and a 95% Wald interval on the linear scale."""
        import pandas as pd

        rows = []
        for k, (n, s) in enumerate(zip(self.names, self.scales, strict=True)):
            z = float(self.best.x[k])
            se = float(self.standard_errors[k]) if self.standard_errors.size else math.nan
            lo, hi = (float(s.to_linear(z - 1.959964 * se)), float(s.to_linear(z + 1.959964 * se)))
            rows.append({"parameter": n, "estimate": float(s.to_linear(z)), "scale": s.value,
                         "scaled_estimate": z, "scaled_se": se, "ci95_low": lo, "ci95_high": hi})
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """Every number, for ``fit.json``."""
        return {"problem": self.problem.name, "nll": self.nll,
                "parameters": self.parameters,
                "standard_errors": {n: (float(v) if math.isfinite(v) else None) for n, v in
                                    zip(self.names, self.standard_errors, strict=True)},
                "fraction_at_best": self.fraction_at_best(),
                "starts": [s.to_dict(self.names) for s in self.starts]}


def _least_squares_ok(problem: FitProblem, objective: Objective) -> bool:
    """True when nll = 0.5 * sum(residual^2) + constant: every noise model normal, no noise
    level estimated, no censored reading, no prior."""
    if objective.priors or np.any(objective.censor != 0):
        return False
    if any(o.distribution is not NoiseDistribution.NORMAL for o in problem.observables):
        return False
    est = set(objective.estimated_names)
    for _, f_noise in objective._formulas.values():
        if f_noise.d_x or f_noise.d_p or any(objective.q_names[i] in est for i, _ in f_noise.d_q):
            return False
        if f_noise.d_h and "noise_parameters" in problem.measurements.columns:
            from coley.fit.problem import split_overrides
            for v in problem.measurements["noise_parameters"]:
                if any(isinstance(i, str) and i in est for i in split_overrides(v)):
                    return False
    return True


METHODS = ("auto", "trf", "lbfgsb")


def check_method(method: str) -> None:
    """Raise unless ``method`` is one of :data:`METHODS`."""
    if method not in METHODS:
        raise InvalidArgumentError(f"fit: method must be 'auto', 'trf' or 'lbfgsb', got "
                                   f"{method!r}.")


def choose_method(problem: FitProblem, objective: Objective, method: str) -> str:
    """The optimiser for ``method``: ``"trf"`` or ``"lbfgsb"`` (``"auto"``: least squares
    where the negative log-likelihood is a sum of squares, else L-BFGS-B)."""
    check_method(method)
    ls_ok = _least_squares_ok(problem, objective)
    if method == "trf" and not ls_ok:
        raise InvalidArgumentError(
            "fit: method 'trf' (least squares) needs normal noise with noise levels that are "
            "not estimated; use method 'lbfgsb' or 'auto'.")
    return "trf" if (method == "auto" and ls_ok) or method == "trf" else "lbfgsb"


def run_start(objective: Objective, z0: np.ndarray, lo: np.ndarray, hi: np.ndarray,
               method: str, max_iterations: int, index: int,
               free: np.ndarray | None = None) -> StartResult:
    """Optimise from ``z0``; with ``free`` (a boolean mask) only those components move, the
    others stay at their ``z0`` values (a profile likelihood point)."""
    from scipy import optimize as sopt  # here, not at import coley (CLI start-up)

    t0 = time.perf_counter()
    count = [0]
    reasons: list[str] = []
    cache: dict[bytes, Prediction] = {}
    base = np.asarray(z0, dtype=np.float64)
    mask = np.ones(base.size, dtype=bool) if free is None else np.asarray(free, dtype=bool)

    def full(y: np.ndarray) -> np.ndarray:
        z = base.copy()
        z[mask] = y
        return z

    def ev(y: np.ndarray) -> Prediction:
        key = np.asarray(y, dtype=np.float64).tobytes()
        if key not in cache:
            count[0] += 1
            cache.clear()
            cache[key] = objective.evaluate(full(np.asarray(y, dtype=np.float64)),
                                            gradient=True)
            if not cache[key].ok:
                reasons.append(cache[key].message)
        return cache[key]

    try:
        if not mask.any():  # a one-parameter profile: nothing to optimise
            x, converged, message = base, True, "no free parameter"
        elif method == "trf":
            def fun(z: np.ndarray) -> np.ndarray:
                p = ev(z)
                r = p.residual
                return np.where(np.isfinite(r), r, 1e150) if not p.ok else r

            def jac(z: np.ndarray) -> np.ndarray:
                p = ev(z)
                if p.residual_jacobian is None:
                    return np.zeros((objective.time.size, z.size))
                return p.residual_jacobian[:, mask]

            res = sopt.least_squares(fun, base[mask], jac=jac, bounds=(lo[mask], hi[mask]),
                                     method="trf", max_nfev=max_iterations, x_scale="jac")
            x = full(res.x)
            converged = bool(res.status > 0)
            message = str(res.message)
        else:
            good: list[tuple[np.ndarray, float]] = []
            width = np.where(hi[mask] > lo[mask], hi[mask] - lo[mask], 1.0)

            def f_and_g(z: np.ndarray) -> tuple[float, np.ndarray]:
                p = ev(z)
                if p.ok and p.gradient is not None and math.isfinite(p.objective):
                    good[:] = [(np.array(z, dtype=np.float64), p.objective)]
                    return p.objective, p.gradient[mask]
                if not good:
                    return math.inf, np.zeros_like(z)
                # a failed point: a steep finite wall around the last good one, so that the
                # line search backtracks (scipy's L-BFGS-B stops on an infinite value)
                zg, fg = good[0]
                d = (np.asarray(z) - zg) / width
                wall = 1e3 * (1.0 + abs(fg))
                return fg + wall * (1.0 + float(d @ d)), 2.0 * wall * d / width

            res = sopt.minimize(f_and_g, base[mask], jac=True, method="L-BFGS-B",
                                bounds=list(zip(lo[mask], hi[mask], strict=True)),
                                options={"maxiter": max_iterations})
            x = full(res.x)
            converged = bool(res.success)
            message = str(res.message)
        final = objective.evaluate(x, gradient=False)
        nll = final.objective if final.ok else math.inf
        if not final.ok:
            converged = False
            message = f"ended where the objective is not finite: {final.message}"
        elif reasons and not converged:
            message += f" (non-finite objective on the way: {reasons[0]})"
    except Exception as exc:  # a failing start is data, never a crash of the fit
        x, nll, converged = base, math.inf, False
        message = f"{type(exc).__name__}: {exc}"
    return StartResult(index, base, np.asarray(x), float(nll),
                       converged, message, count[0], time.perf_counter() - t0)


def hessian(objective: Objective, z: np.ndarray, step: float = 1e-5) -> np.ndarray:
    """The Hessian of the negative log-likelihood at ``z``: central differences of the exact
    gradient (relative step ``step``), symmetrised."""
    k = z.size
    H = np.zeros((k, k))
    for j in range(k):
        h = step * max(1.0, abs(z[j]))
        zp, zm = z.copy(), z.copy()
        zp[j] += h
        zm[j] -= h
        gp = objective.evaluate(zp, gradient=True).gradient
        gm = objective.evaluate(zm, gradient=True).gradient
        if gp is None or gm is None:
            return np.full((k, k), np.nan)
        H[:, j] = (gp - gm) / (2 * h)
    return 0.5 * (H + H.T)


def standard_errors(objective: Objective, z: np.ndarray) -> np.ndarray:
    """Standard errors on the estimation scales from the inverse Hessian (NaN if singular)."""
    H = hessian(objective, z)
    if not np.all(np.isfinite(H)):
        return np.full(z.size, np.nan)
    w, V = np.linalg.eigh(H)
    if w.min() <= 1e-12 * max(abs(w.max()), 1e-300):
        return np.full(z.size, np.nan)
    cov = (V / w) @ V.T
    return np.sqrt(np.clip(np.diag(cov), 0.0, None))


def start_points(problem: FitProblem, n: int, seed: int, *, nominal_first: bool = True
                 ) -> np.ndarray:
    """``n`` start vectors: the nominal vector first (if asked), then a Latin hypercube over the
    bounds on the estimation scales."""
    lo, hi = problem.bounds()
    rows = [problem.nominal_vector()] if nominal_first else []
    m = n - len(rows)
    if m > 0:
        u = LatinHypercube(seed=seed).unit(max(m, 2), lo.size)[:m]
        rows += list(lo + u * (hi - lo))
    return np.array(rows[:n])


#: The objective and settings a forked start process inherits (see :func:`fit`).
_FORKED: dict[str, Any] = {}


def _forked_start(item: tuple[int, np.ndarray]) -> StartResult:
    i, z0 = item
    f = _FORKED
    return run_start(f["objective"], z0, f["lo"], f["hi"], f["method"], f["max_iterations"], i)


def _run_parallel(obj: Objective, todo: list[tuple[int, np.ndarray]], lo: np.ndarray,
                  hi: np.ndarray, method: str, max_iterations: int, processes: int
                  ) -> Iterator[StartResult]:
    """Starts in ``processes`` forked processes (they inherit the compiled objective), in the
    order they finish."""
    import multiprocessing

    _FORKED.update(objective=obj, lo=lo, hi=hi, method=method, max_iterations=max_iterations)
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            yield from pool.imap_unordered(_forked_start, todo)
    finally:
        _FORKED.clear()


def fit(problem: FitProblem, *, starts: int = 10, seed: int = 0, method: str = "auto",
        max_iterations: int = 1000, nominal_first: bool = True, workers: int = 1,
        processes: int = 1, objective: Objective | None = None,
        progress: Callable[[StartResult], None] | None = None,
        completed: Sequence[StartResult] = ()) -> FitResult:
    """Fit ``problem`` from ``starts`` starting points (see the module docstring).

    ``method``: ``"auto"``, ``"trf"`` (least squares; normal noise with fixed noise levels only)
    or ``"lbfgsb"``. ``workers``: threads per simulation; ``processes``: starts run in that
    many forked processes at once (Linux and macOS; each start's result depends only on its
    start point, so the fit is the same for any number). ``progress`` is called with each
    finished start; ``completed`` holds starts already run (a resumed fit: the start points
    depend only on ``seed`` and ``starts``, so those indices are not run again).
    """
    if isinstance(starts, bool) or not isinstance(starts, int) or starts < 1:
        raise InvalidArgumentError(f"fit: starts must be an int >= 1, got {starts!r}.")
    if isinstance(processes, bool) or not isinstance(processes, int) or processes < 1:
        raise InvalidArgumentError(f"fit: processes must be an int >= 1, got {processes!r}.")
    check_method(method)
    obj = objective if objective is not None else Objective(problem, workers=workers)
    chosen = choose_method(problem, obj, method)
    lo, hi = problem.bounds()
    done = {r.index: r for r in completed}
    results = []
    todo: list[tuple[int, np.ndarray]] = []
    for i, z0 in enumerate(start_points(problem, starts, seed, nominal_first=nominal_first)):
        if i in done:
            if not np.array_equal(done[i].start, z0):
                raise InvalidArgumentError(
                    f"fit: completed start {i} began at {done[i].start.tolist()}, not at "
                    f"{z0.tolist()}; it belongs to another problem, seed or start count.")
            results.append(done[i])
        else:
            todo.append((i, z0))
    import multiprocessing

    forking = (processes > 1 and len(todo) > 1
               and "fork" in multiprocessing.get_all_start_methods())
    runs: Iterable[StartResult] = (
        _run_parallel(obj, todo, lo, hi, chosen, max_iterations, min(processes, len(todo)))
        if forking else (run_start(obj, z0, lo, hi, chosen, max_iterations, i)
                         for i, z0 in todo))
    for r in runs:
        results.append(r)
        if progress is not None:
            progress(r)
    ordered = tuple(sorted(results, key=lambda s: (s.nll, s.index)))
    se = (standard_errors(obj, ordered[0].x) if math.isfinite(ordered[0].nll)
          else np.full(len(obj.estimated_names), np.nan))
    return FitResult(problem, ordered, obj.estimated_names, obj.scales, se)


__all__ = [
    "METHODS",
    "WATERFALL_TOLERANCE",
    "FitResult",
    "StartResult",
    "check_method",
    "choose_method",
    "fit",
    "hessian",
    "run_start",
    "standard_errors",
    "start_points",
]
