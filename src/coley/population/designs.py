"""Space-filling designs for sensitivity analysis: seeded points in the unit cube, mapped
through distributions.

:class:`LatinHypercube` (McKay, Beckman & Conover 1979, *Technometrics* 21:239): each of the
``n`` equal strata of every dimension holds exactly one point. :class:`Sobol` (Sobol' 1967;
Owen-scrambled, :class:`scipy.stats.qmc.Sobol`): a low-discrepancy sequence, balanced for ``n``
a power of 2. :func:`design` maps a unit design through each column's inverse CDF.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc

from coley.errors import InvalidArgumentError
from coley.population.distributions import AbstractDistribution


def _check(n: int, d: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise InvalidArgumentError(f"design: n must be an int >= 2, got {n!r}.")
    if isinstance(d, bool) or not isinstance(d, int) or d < 0:
        raise InvalidArgumentError(f"design: the dimension must be an int >= 0, got {d!r}.")


class AbstractDesign(ABC):
    """A seeded design of ``n`` points in ``[0, 1)^d``."""

    @abstractmethod
    def unit(self, n: int, d: int) -> np.ndarray:
        """``n`` points (rows) in ``d`` dimensions (columns)."""


@dataclass(frozen=True)
class LatinHypercube(AbstractDesign):
    """A Latin hypercube sample (:class:`scipy.stats.qmc.LatinHypercube`), seeded."""

    seed: int = 0

    def unit(self, n: int, d: int) -> np.ndarray:
        _check(n, d)
        if d == 0:
            return np.zeros((n, 0))
        return np.asarray(qmc.LatinHypercube(d, seed=self.seed).random(n))


@dataclass(frozen=True)
class Sobol(AbstractDesign):
    """A scrambled Sobol sample (:class:`scipy.stats.qmc.Sobol`), seeded; ``n`` a power of 2."""

    seed: int = 0

    def unit(self, n: int, d: int) -> np.ndarray:
        _check(n, d)
        if n & (n - 1):
            raise InvalidArgumentError(f"Sobol: a Sobol sample needs n a power of 2 (its "
                                       f"balance properties), got {n}; use e.g. "
                                       f"{1 << (n - 1).bit_length()}.")
        if d == 0:
            return np.zeros((n, 0))
        return np.asarray(qmc.Sobol(d, scramble=True, seed=self.seed).random(n))


def design(distributions: Sequence[AbstractDistribution], n: int, *,
           method: AbstractDesign | None = None) -> np.ndarray:
    """``n`` points of ``method`` (default ``LatinHypercube(seed=0)``), column ``j`` mapped
    through ``distributions[j]``: one row per point."""
    method = LatinHypercube() if method is None else method
    u = method.unit(n, len(distributions))
    if not distributions:
        return u
    return np.column_stack([d.ppf(u[:, j]) for j, d in enumerate(distributions)])


__all__ = ["AbstractDesign", "LatinHypercube", "Sobol", "design"]
