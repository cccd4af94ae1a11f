"""The Gaussian copula: correlated uniforms from independent standard normals.

Nelsen (2006), *An Introduction to Copulas*, 2nd ed., ch. 5 (p. 163): with ``R`` a correlation
matrix and ``L`` a factor with ``L L^T = R`` (the Cholesky factor where ``R`` is positive
definite), ``u = Phi(L z)`` for independent standard normals ``z`` has uniform margins and the
dependence of a multivariate normal with correlation ``R``. Mapped through log-normal inverse
CDFs this is exactly a multivariate log-normal with correlation ``R`` of the logs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from coley.errors import InvalidArgumentError

#: Smallest eigenvalue accepted as 0 (round-off) for a positive semi-definite matrix.
PSD_TOLERANCE = 1e-10


@dataclass(frozen=True, eq=False)
class GaussianCopula:
    """A Gaussian copula with correlation matrix ``correlation`` (d x d).

    The matrix must be symmetric with unit diagonal, entries in [-1, 1], and positive
    semi-definite (a singular one, such as a correlation of 1, is factored through its
    eigenvectors; a positive definite one through Cholesky).
    """

    correlation: np.ndarray
    factor: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        c = np.array(self.correlation, dtype=np.float64)
        if c.ndim != 2 or c.shape[0] != c.shape[1]:
            raise InvalidArgumentError(f"GaussianCopula: correlation must be a square matrix, "
                                       f"got shape {c.shape}.")
        if not np.all(np.isfinite(c)):
            raise InvalidArgumentError("GaussianCopula: correlation has entries that are not "
                                       "finite numbers; give every correlation in [-1, 1].")
        if not np.array_equal(c, c.T):
            i, j = np.argwhere(c != c.T)[0]
            raise InvalidArgumentError(
                f"GaussianCopula: correlation must be symmetric; entry [{i}, {j}] = {c[i, j]} "
                f"but [{j}, {i}] = {c[j, i]}. Give each pair once, the same both ways.")
        if not np.all(np.diag(c) == 1.0):
            raise InvalidArgumentError(f"GaussianCopula: the diagonal of correlation must be "
                                       f"1, got {np.diag(c).tolist()}.")
        if np.any(np.abs(c) > 1):
            raise InvalidArgumentError("GaussianCopula: correlations must be in [-1, 1], got "
                                       f"{c[np.abs(c) > 1].tolist()}.")
        c.setflags(write=False)
        object.__setattr__(self, "correlation", c)
        object.__setattr__(self, "factor", _factor(c))

    @classmethod
    def from_pairs(cls, names: Sequence[str],
                   pairs: Mapping[str, float] | Mapping[tuple[str, str], float]
                   | Mapping[str | tuple[str, str], float]) -> GaussianCopula:
        """The copula over ``names`` with the correlations of ``pairs`` (keys ``("a", "b")`` or
        the file form ``"a,b"``), 0 between the pairs not given."""
        index = {n: k for k, n in enumerate(names)}
        c = np.eye(len(names))
        for key, rho in pairs.items():
            a, b = (p.strip() for p in key.split(",")) if isinstance(key, str) else key
            for p in (a, b):
                if p not in index:
                    raise InvalidArgumentError(
                        f"GaussianCopula: correlation {key!r} names {p!r}, which is not one "
                        f"of the correlated parameters {list(names)}.")
            i, j = index[a], index[b]
            c[i, j] = c[j, i] = rho
        return cls(c)

    @property
    def dimension(self) -> int:
        """Number of correlated variables."""
        return int(self.correlation.shape[0])

    def uniforms(self, z: np.ndarray) -> np.ndarray:
        """Correlated uniforms ``Phi(L z)`` from independent standard normals ``z`` (one row
        per draw, one column per variable)."""
        z = np.asarray(z, dtype=np.float64)
        if z.ndim != 2 or z.shape[1] != self.dimension:
            raise InvalidArgumentError(f"GaussianCopula.uniforms: z must have shape (n, "
                                       f"{self.dimension}), got {z.shape}.")
        return np.asarray(special.ndtr(z @ self.factor.T))


def _factor(c: np.ndarray) -> np.ndarray:
    if c.shape[0] == 0:
        return np.zeros((0, 0))
    try:
        return np.asarray(np.linalg.cholesky(c))
    except np.linalg.LinAlgError:
        pass
    w, v = np.linalg.eigh(c)
    if w.min() < -PSD_TOLERANCE:
        raise InvalidArgumentError(
            "GaussianCopula: the correlations do not form a valid correlation matrix (not "
            f"positive semi-definite: smallest eigenvalue {w.min():.3g}); they contradict "
            "each other (a ~ b and b ~ c strongly, a and c not): weaken some correlations.")
    return np.asarray(v * np.sqrt(np.clip(w, 0.0, None)))


__all__ = ["GaussianCopula"]
