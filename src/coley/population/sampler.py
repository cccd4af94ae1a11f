"""A virtual population: parameter distributions joined by a copula, drawn patient by patient.

Patient ``i``'s draw at attempt ``k`` (``k`` = 0 first, then one per redraw of an implausible
patient) is row ``k`` of the standard normals of its parameter stream
(:func:`~coley.population.streams.patient_rng` with :attr:`Stream.PARAMETERS`): one column per
correlated parameter, then one per independent covariate. Correlated columns go through the
:class:`~coley.population.copula.GaussianCopula`, covariates through the normal CDF, and then
each through its distribution's inverse CDF.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from coley.errors import InvalidArgumentError
from coley.population.copula import GaussianCopula
from coley.population.distributions import AbstractDistribution
from coley.population.streams import Stream, patient_rng


@dataclass(frozen=True, eq=False)
class Population:
    """Correlated ``parameters`` (``copula`` over them, independent if None) and independent
    ``covariates`` (body weight, say), each name with its distribution."""

    parameters: Mapping[str, AbstractDistribution] = field(default_factory=dict)
    copula: GaussianCopula | None = None
    covariates: Mapping[str, AbstractDistribution] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for where, table in (("parameters", self.parameters), ("covariates", self.covariates)):
            for name, dist in table.items():
                if not isinstance(dist, AbstractDistribution):
                    raise InvalidArgumentError(
                        f"Population: {where}[{name!r}] must be a distribution (LogNormal, "
                        f"Normal, ...), got {dist!r}.")
        both = sorted(set(self.parameters) & set(self.covariates))
        if both:
            raise InvalidArgumentError(f"Population: {both} are both parameters and "
                                       "covariates; give each name once.")
        d = len(self.parameters)
        copula = self.copula if self.copula is not None else GaussianCopula(np.eye(d))
        if copula.dimension != d:
            raise InvalidArgumentError(f"Population: the copula has dimension "
                                       f"{copula.dimension} for {d} parameters.")
        object.__setattr__(self, "parameters", dict(self.parameters))
        object.__setattr__(self, "covariates", dict(self.covariates))
        object.__setattr__(self, "copula", copula)

    @property
    def names(self) -> list[str]:
        """Parameter names, then covariate names (the column order of the normals)."""
        return [*self.parameters, *self.covariates]

    def scores(self, seed: int, patients: np.ndarray, attempt: np.ndarray | None = None
               ) -> np.ndarray:
        """Standard normals of ``patients`` (global indices) at ``attempt`` each (default 0):
        one row per patient, one column per name of :attr:`names`."""
        patients = np.asarray(patients)
        attempt = (np.zeros(patients.size, dtype=np.int64) if attempt is None
                   else np.asarray(attempt))
        if attempt.shape != patients.shape:
            raise InvalidArgumentError(f"Population: attempt has shape {attempt.shape} for "
                                       f"patients of shape {patients.shape}.")
        width = len(self.names)
        z = np.empty((patients.size, width))
        for r, (i, k) in enumerate(zip(patients, attempt, strict=True)):
            rng = patient_rng(seed, int(i), Stream.PARAMETERS)
            z[r] = rng.standard_normal((int(k) + 1, width))[-1]
        return z

    def values(self, z: np.ndarray) -> dict[str, np.ndarray]:
        """Parameter and covariate values at standard normals ``z`` (see :meth:`scores`)."""
        d = len(self.parameters)
        out: dict[str, np.ndarray] = {}
        if d:
            assert self.copula is not None
            u = self.copula.uniforms(z[:, :d])
            for j, (name, dist) in enumerate(self.parameters.items()):
                out[name] = dist.ppf(u[:, j])
        for j, (name, dist) in enumerate(self.covariates.items()):
            out[name] = dist.ppf(special.ndtr(z[:, d + j]))
        return out

    def draw(self, seed: int, patients: np.ndarray, attempt: np.ndarray | None = None
             ) -> dict[str, np.ndarray]:
        """Values of ``patients`` (global indices) at ``attempt`` each: patient ``i`` gets the
        same values whatever else is drawn with it."""
        return self.values(self.scores(seed, patients, attempt))


__all__ = ["Population"]
