"""Posterior sampling of a fit problem with emcee, diagnostics with arviz (extra ``bayes``).

The log posterior on the estimation scale is ``-(nll + neg_log_prior)`` inside the bounds and
``-inf`` outside; a parameter without a prior has a flat prior on its estimation scale within
its bounds (pyPESTO's convention). Sampling is emcee's affine-invariant ensemble sampler
(Foreman-Mackey et al. 2013, PASP 125:306): the walkers start in a small Gaussian ball around
the best fit (scaled by its standard errors where finite), seeded, so a run is reproducible.
A walker whose simulation fails gets ``-inf`` (its proposal is rejected) and is counted. The
walkers' proposals of one step are simulated together, as lanes of one batched simulation
(:meth:`Objective.objectives`).

Diagnostics come from arviz (R-hat, bulk and tail ESS): each walker is treated as a chain, as
is usual for ensemble samplers, after discarding ``burn`` steps; the integrated
autocorrelation time per parameter comes from emcee.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from coley.errors import InvalidArgumentError
from coley.fit.objective import Objective
from coley.fit.optimize import FitResult
from coley.fit.problem import Scale


def _need(module: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise InvalidArgumentError(
            f"posterior sampling needs {module}: pip install 'coley[bayes]' (emcee and "
            "arviz).") from None


@dataclass(frozen=True)
class Posterior:
    """Samples of the estimated parameters: ``chain`` (steps, walkers, parameters) on the
    estimation scales, ``log_posterior`` (steps, walkers), after ``burn`` steps."""

    names: tuple[str, ...]
    scales: tuple[Scale, ...]
    chain: np.ndarray
    log_posterior: np.ndarray
    burn: int
    acceptance: np.ndarray
    failures: int
    evaluations: int
    wall_s: float
    seed: int

    @property
    def samples(self) -> np.ndarray:
        """Kept samples, flattened (draws, parameters), estimation scales."""
        return self.chain[self.burn:].reshape(-1, len(self.names))

    def linear(self) -> np.ndarray:
        """Kept samples on the linear scale (draws, parameters)."""
        s = self.samples
        return np.column_stack([sc.to_linear(s[:, k]) for k, sc in enumerate(self.scales)])

    def autocorrelation_time(self) -> np.ndarray:
        """emcee's integrated autocorrelation time per parameter (steps), without the
        reliability check (a short chain gives an estimate, flagged by arviz's ESS)."""
        emcee = _need("emcee")
        return np.asarray(emcee.autocorr.integrated_time(self.chain[self.burn:], quiet=True))

    def to_arviz(self) -> Any:
        """An arviz InferenceData: posterior on the linear scale, one chain per walker."""
        az = _need("arviz")
        kept = self.chain[self.burn:]  # (draws, walkers, K)
        posterior = {n: np.asarray(self.scales[k].to_linear(kept[:, :, k])).T
                     for k, n in enumerate(self.names)}
        stats = {"lp": self.log_posterior[self.burn:].T}
        return az.from_dict(posterior=posterior, sample_stats=stats)

    def summary(self) -> Any:
        """arviz's summary (mean, sd, HDI 94%, MCSE, ESS bulk and tail, R-hat) per
        parameter, linear scale."""
        az = _need("arviz")
        return az.summary(self.to_arviz(), round_to="none")

    def to_dict(self) -> dict[str, Any]:
        """Every diagnostic, for ``fit.json``."""
        table = self.summary()
        return {"walkers": int(self.chain.shape[1]), "steps": int(self.chain.shape[0]),
                "burn": self.burn, "seed": self.seed, "failures": self.failures,
                "evaluations": self.evaluations, "wall_s": round(self.wall_s, 3),
                "acceptance": float(np.mean(self.acceptance)),
                "parameters": {n: {k: (float(v) if math.isfinite(float(v)) else None)
                                   for k, v in table.loc[n].items()} for n in self.names}}


def sample(result: FitResult, *, steps: int = 2000, walkers: int | None = None,
           burn: int | None = None, seed: int = 0, objective: Objective | None = None,
           progress: Callable[[int], None] | None = None) -> Posterior:
    """Sample the posterior of ``result``'s problem around its best fit (module docstring).

    ``walkers`` defaults to max(4 K, 2 K + 2) for K estimated parameters, ``burn`` to a
    quarter of ``steps``; ``progress`` is called with the number of finished steps."""
    emcee = _need("emcee")
    names = result.names
    K = len(names)
    for name, value, low in (("steps", steps, 2), ("seed", seed, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise InvalidArgumentError(f"sample: {name} must be an int >= {low}, got "
                                       f"{value!r}.")
    W = max(4 * K, 2 * K + 2) if walkers is None else walkers
    if isinstance(W, bool) or not isinstance(W, int) or W < 2 * K:
        raise InvalidArgumentError(f"sample: walkers must be an int >= 2 x {K} parameters "
                                   f"= {2 * K} (emcee's ensemble needs it), got {walkers!r}.")
    b = steps // 4 if burn is None else burn
    if isinstance(b, bool) or not isinstance(b, int) or not 0 <= b < steps:
        raise InvalidArgumentError(f"sample: burn must be an int in [0, steps = {steps}), "
                                   f"got {burn!r}.")
    if not math.isfinite(result.nll):
        raise InvalidArgumentError("sample: the fit has no finite best objective; fix the "
                                   "fit before sampling.")
    obj = objective if objective is not None else Objective(result.problem, gradient=False)
    lo, hi = result.problem.bounds()
    count = [0, 0]

    def log_posterior(Z: np.ndarray) -> np.ndarray:
        # every walker of a step in one batched simulation (Objective.objectives)
        Z = np.atleast_2d(Z)
        inside = np.all((lo <= Z) & (hi >= Z), axis=1)
        out = np.full(Z.shape[0], -math.inf)
        if inside.any():
            values = obj.objectives(Z[inside])
            count[0] += int(inside.sum())
            count[1] += int(np.sum(~np.isfinite(values)))
            out[inside] = -values
        return out

    rng = np.random.default_rng(seed)
    se = result.standard_errors if result.standard_errors.size else np.full(K, np.nan)
    spread = np.where(np.isfinite(se) & (se > 0), 0.1 * se, 1e-3 * (hi - lo))
    start = result.best.x + spread * rng.standard_normal((W, K))
    start = np.clip(start, lo + 1e-12 * (hi - lo), hi - 1e-12 * (hi - lo))
    sampler = emcee.EnsembleSampler(W, K, log_posterior, vectorize=True)
    sampler.random_state = np.random.RandomState(seed).get_state()
    t0 = time.perf_counter()
    for i, _ in enumerate(sampler.sample(start, iterations=steps)):
        if progress is not None:
            progress(i + 1)
    return Posterior(names, result.scales, sampler.get_chain(), sampler.get_log_prob(), b,
                     np.asarray(sampler.acceptance_fraction), count[1], count[0],
                     time.perf_counter() - t0, seed)


__all__ = ["Posterior", "sample"]
