"""The result of :func:`~coley.stochastic.simulate_stochastic`: replicate x time x state.

Probabilities of cure and relapse are counts over replicates, returned as :class:`Probability`
with an exact (Clopper-Pearson) binomial confidence interval: Clopper & Pearson 1934,
Biometrika 26:404.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from coley.errors import InvalidArgumentError
from coley.solve.result import STATUS as SHARED_STATUS
from coley.solve.result import AbstractTrajectoryResult
from coley.solve.status import Status

if TYPE_CHECKING:
    import xarray as xr

#: The reasons shown for the status codes a replicate can end with: the labels are those of the
#: one status table (:data:`coley.solve.result.STATUS`); the fixes are the hybrid method's.
REASONS: dict[int, str] = {
    Status.OK: "finished",
    Status.MAX_STEPS: "the maximum number of steps was reached; raise HybridTauLeaping's "
                      "max_steps, or raise the threshold so that large populations are "
                      "continuous",
    Status.NONFINITE: "a state became NaN or infinite; check the parameters, or lower "
                      "HybridTauLeaping's max_step or rtol",
}

#: Each code's label (from the shared table) and this method's reason.
STATUS: dict[int, tuple[str, str]] = {code: (SHARED_STATUS[code][0], reason)
                                      for code, reason in REASONS.items()}


@dataclass(frozen=True)
class Probability:
    """An estimated probability ``count / n`` with its exact binomial confidence interval."""

    count: int
    n: int
    lower: float
    upper: float
    confidence: float

    @property
    def estimate(self) -> float:
        """``count / n`` (NaN when n is 0)."""
        return self.count / self.n if self.n else math.nan

    def __float__(self) -> float:
        return self.estimate

    def __str__(self) -> str:
        return (f"{self.estimate:.3f} ({100 * self.confidence:g}% CI {self.lower:.3f}-"
                f"{self.upper:.3f}; {self.count}/{self.n})")


def binomial_probability(count: int, n: int, confidence: float = 0.95) -> Probability:
    """``count`` successes in ``n`` trials, with the Clopper-Pearson interval at ``confidence``.

    The interval has coverage at least ``confidence`` for every true probability (Clopper &
    Pearson 1934): lower = Beta quantile(alpha/2; count, n - count + 1), upper = Beta
    quantile(1 - alpha/2; count + 1, n - count), with 0 and 1 at the ends.
    """
    from scipy.stats import beta

    if not (isinstance(confidence, float | int) and 0.0 < confidence < 1.0):
        raise InvalidArgumentError(
            f"confidence must be a number in (0, 1), got {confidence!r}; for example 0.95."
        )
    if not (0 <= count <= n):
        raise InvalidArgumentError(f"count ({count}) must lie in [0, n = {n}].")
    alpha = 1.0 - confidence
    lower = 0.0 if count == 0 else float(beta.ppf(alpha / 2, count, n - count + 1))
    upper = 1.0 if count == n else float(beta.ppf(1 - alpha / 2, count + 1, n - count))
    return Probability(int(count), int(n), lower, upper, float(confidence))


@dataclass(frozen=True)
class StochasticResult(AbstractTrajectoryResult):
    """Trajectories of independent replicates on a shared time grid (days).

    ``values[i, k, s]`` is state ``s`` of replicate ``i`` at ``time[k]``; states counted in
    whole cells (``discrete``, while below ``threshold``) hold whole numbers. ``status[i]`` is 0
    when the replicate finished and negative on failure (see :data:`STATUS`; its values after
    the failure are NaN). ``steps[i]`` holds (steps, rejected leaps, exact events). ``seed`` is
    the root ``numpy.random.SeedSequence`` (its ``entropy`` is the integer seed); replicate
    ``i`` used its ``i``-th spawned child.
    """

    model_name: str
    time: np.ndarray
    state_names: tuple[str, ...]
    values: np.ndarray
    status: np.ndarray
    steps: np.ndarray
    discrete: tuple[str, ...]
    threshold: float
    seed: np.random.SeedSequence
    method: Any
    parameter_names: tuple[str, ...] = ()
    parameters: np.ndarray | None = None
    treatment: Any = None

    # ---------------------------------------------------------------- accessors
    @property
    def n_replicates(self) -> int:
        """Number of replicates."""
        return int(self.values.shape[0])

    @property
    def ok(self) -> np.ndarray:
        """Boolean mask of the replicates that finished."""
        return np.asarray(self.status == Status.OK)

    @property
    def messages(self) -> list[str]:
        """One line per replicate saying how it ended."""
        return [": ".join(STATUS[int(c)]) for c in self.status]

    def total(self, states: str | Sequence[str]) -> np.ndarray:
        """The (replicate, time) sum of ``states`` (one name or several)."""
        names = (states,) if isinstance(states, str) else tuple(states)
        if not names:
            raise InvalidArgumentError("states is empty; name at least one state.")
        return np.asarray(sum(self[s] for s in names))

    def mean(self, state: str) -> np.ndarray:
        """Mean over the finished replicates of ``state`` at each output time."""
        return np.asarray(self[state][self.ok].mean(axis=0))

    def _until(self, by: float | None) -> int:
        """Number of output times <= ``by`` (days)."""
        if by is None:
            return int(self.time.size)
        if not (isinstance(by, int | float) and math.isfinite(by)) or by < self.time[0]:
            raise InvalidArgumentError(
                f"by must be a time in days within [{self.time[0]:g}, {self.time[-1]:g}], "
                f"got {by!r}."
            )
        if by > self.time[-1] * (1 + 1e-12):
            raise InvalidArgumentError(
                f"by = {by:g} d is after the last output time {self.time[-1]:g} d; simulate "
                "longer (t_end) or ask for an earlier time."
            )
        return int(np.searchsorted(self.time, by * (1 + 1e-12), side="right"))

    # ---------------------------------------------------------------- probabilities
    def probability_extinct(self, states: str | Sequence[str], *, by: float | None = None,
                            confidence: float = 0.95) -> Probability:
        """P(cure): the fraction of replicates in which ``states`` (summed) reached 0 cells at
        an output time <= ``by`` (days; default the last), with its confidence interval.

        Without a source of new cells extinction is permanent, so this is P(extinct at by).
        Failed replicates are left out of the count.
        """
        k = self._until(by)
        total = self.total(states)[self.ok, :k]
        count = int(np.sum(np.any(total <= 0.0, axis=1)))
        return binomial_probability(count, int(total.shape[0]), confidence)

    def probability_above(self, states: str | Sequence[str], level: float, *,
                          by: float | None = None, confidence: float = 0.95) -> Probability:
        """P(relapse): the fraction of replicates in which ``states`` (summed) exceeded
        ``level`` (cells) at an output time <= ``by`` (days; default the last), with its
        confidence interval. Failed replicates are left out of the count.
        """
        if not (isinstance(level, int | float) and math.isfinite(level)):
            raise InvalidArgumentError(f"level must be a finite number of cells, got {level!r}.")
        k = self._until(by)
        total = self.total(states)[self.ok, :k]
        count = int(np.sum(np.any(total > level, axis=1)))
        return binomial_probability(count, int(total.shape[0]), confidence)

    # ---------------------------------------------------------------- conversions
    def to_xarray(self) -> xr.Dataset:
        """An xarray Dataset: one variable per state over (replicate, time), plus status."""
        import xarray as xr

        data: dict[str, Any] = {
            s: (("replicate", "time"), self.values[:, :, j])
            for j, s in enumerate(self.state_names)
        }
        data["status"] = ("replicate", self.status)
        data["steps"] = ("replicate", self.steps[:, 0].astype(np.int64))
        return xr.Dataset(
            data,
            coords={"replicate": np.arange(self.n_replicates), "time": self.time},
            attrs={"model": self.model_name, "time_unit": "day", "seed": str(self.seed.entropy),
                   "discrete": list(self.discrete), "threshold": self.threshold,
                   "method": repr(self.method)},
        )

    def __repr__(self) -> str:
        bad = int(np.sum(self.status != 0))
        return (f"StochasticResult(model={self.model_name!r}, replicates={self.n_replicates}, "
                f"times={len(self.time)} ({self.time[0]:g}..{self.time[-1]:g} d), "
                f"discrete={list(self.discrete)}, failed={bad})")
