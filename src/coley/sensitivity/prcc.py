"""Latin hypercube sampling with partial rank correlation coefficients (LHS-PRCC).

Marino, Hogue, Ray & Kirschner 2008 (J Theor Biol 254:178, "A methodology for performing
global uncertainty and sensitivity analysis in systems biology"), section 3.2: rank-transform
every input and output; for input ``i``, regress the ranks of ``x_i`` and of the output on the
ranks of the other ``k - 1`` inputs (least squares with an intercept); the PRCC is the Pearson
correlation of the two residuals. It measures a monotone association of ``x_i`` with the output
once the others are discounted, in [-1, 1]. Its significance: ``t = r sqrt((N - 2 - p) /
(1 - r²))`` with ``p = k - 1`` discounted inputs follows Student's t with ``N - 2 - p`` degrees
of freedom under no association (their Eq. 8; two-sided p-values).

For a model output with times, the PRCC is computed at every output time (the time-resolved
PRCC of their section 4.3 and Fig. 6). Confidence intervals are bootstrap percentiles: the runs
are resampled with replacement and the PRCC recomputed. Failed runs are left out of the
correlations and recorded in the result (the analysis warns with their number).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np
from scipy import stats

from coley.errors import InvalidArgumentError
from coley.population.designs import LatinHypercube
from coley.sensitivity.method import AbstractMethod, Indices, level, whole


def _residuals(rank_x: np.ndarray, rank_y: np.ndarray, i: int) -> tuple[np.ndarray, np.ndarray]:
    n = rank_x.shape[0]
    basis = np.column_stack([np.ones(n), np.delete(rank_x, i, axis=1)])
    q, _ = np.linalg.qr(basis)
    xi = rank_x[:, i]
    return xi - q @ (q.T @ xi), rank_y - q @ (q.T @ rank_y)


def prcc(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The PRCC of each input column of ``x`` (runs x k) with each output column of ``y``
    (runs x m), and its two-sided p-value: two arrays of shape (k, m).

    An output that is constant over the runs has no ranking: its PRCC and p-value are NaN.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 1:
        y = y[:, None]
    if x.ndim != 2 or y.ndim != 2 or x.shape[0] != y.shape[0]:
        raise InvalidArgumentError(f"prcc: x must be (runs, inputs) and y (runs, outputs) with "
                                   f"the same runs; got {x.shape} and {y.shape}.")
    n, k = x.shape
    dof = n - 2 - (k - 1)
    if dof < 1:
        raise InvalidArgumentError(f"prcc: {n} runs for {k} inputs leave {dof} degrees of "
                                   f"freedom; give at least {k + 2} runs (many more in practice).")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise InvalidArgumentError("prcc: x and y must be finite; leave failed runs out.")
    rank_x = stats.rankdata(x, axis=0)
    rank_y = stats.rankdata(y, axis=0)
    constant = np.ptp(y, axis=0) == 0
    r = np.full((k, y.shape[1]), np.nan)
    for i in range(k):
        rx, ry = _residuals(rank_x, rank_y, i)
        sx = float(rx @ rx)
        sy = np.sum(ry * ry, axis=0)
        if sx == 0:
            continue
        good = ~constant & (sy > 0)
        r[i, good] = (rx @ ry[:, good]) / np.sqrt(sx * sy[good])
    r = np.clip(r, -1.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = r * np.sqrt(dof / (1.0 - r * r))
    p = 2.0 * stats.t.sf(np.abs(t), dof)
    return r, np.where(np.isnan(r), np.nan, p)


def bootstrap(x: np.ndarray, y: np.ndarray, *, resamples: int, conf_level: float,
              seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval (low, high) of each PRCC: rows resampled with
    replacement ``resamples`` times (``numpy.random.default_rng(seed)``)."""
    rng = np.random.default_rng(seed)
    n = x.shape[0]
    draws = np.empty((resamples, x.shape[1], y.shape[1]))
    for b in range(resamples):
        pick = rng.integers(0, n, n)
        draws[b] = prcc(x[pick], y[pick])[0]
    tail = 50.0 * (1.0 - conf_level)
    low = np.full(draws.shape[1:], np.nan)
    high = np.full(draws.shape[1:], np.nan)
    some = np.any(np.isfinite(draws), axis=0)  # constant outputs have no PRCC at all
    if np.any(some):
        low[some], high[some] = np.nanpercentile(draws[:, some], [tail, 100.0 - tail], axis=0)
    return np.asarray(low), np.asarray(high)


@dataclass(frozen=True)
class PRCC(AbstractMethod):
    """LHS-PRCC over a seeded Latin hypercube of ``n`` runs; ``resamples`` bootstrap
    resamples give the interval ``prcc_low``..``prcc_high`` at ``conf_level``."""

    n: int = 256
    resamples: int = 200
    conf_level: float = 0.95
    complete: ClassVar[bool] = False
    convergence_keys: ClassVar[tuple[str, ...]] = ("prcc",)

    def __post_init__(self) -> None:
        whole("PRCC", "n", self.n, least=8, fix="the number of Latin hypercube runs, e.g. 256")
        whole("PRCC", "resamples", self.resamples, least=1, fix="e.g. 200")
        level("PRCC", self.conf_level)

    def halved(self) -> PRCC:
        return replace(self, n=self.n // 2)

    def rows(self, d: int) -> int:
        return self.n

    def sample(self, d: int, seed: int) -> np.ndarray:
        return LatinHypercube(seed=seed).unit(self.n, d)

    def indices(self, unit: np.ndarray, y: np.ndarray, ok: np.ndarray, *, seed: int,
                confidence: bool = True) -> Indices:
        x, y = unit[ok], y[ok]
        d = unit.shape[1]
        if x.shape[0] < d + 2:
            raise InvalidArgumentError(
                f"PRCC: only {x.shape[0]} of {unit.shape[0]} runs succeeded, too few for {d} "
                f"inputs (at least {d + 2}); give a larger n or narrower ranges."
            )
        r, p = prcc(x, y)
        out: Indices = {"prcc": (("input",), r), "p_value": (("input",), p)}
        if confidence:
            low, high = bootstrap(x, y, resamples=self.resamples, conf_level=self.conf_level,
                                  seed=seed)
            out |= {"prcc_low": (("input",), low), "prcc_high": (("input",), high)}
        return out


__all__ = ["PRCC", "bootstrap", "prcc"]
