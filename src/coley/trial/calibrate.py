"""Calibrate a virtual population to observed response rates by maximum-entropy weighting.

Each virtual patient ``i`` has outcome indicators ``f_i`` (responder in arm a, progression-free
at 6 months in arm a, ...), known because every patient runs in every arm. Prevalence weights
``w_i`` (Schmidt et al. 2013, BMC Bioinformatics 14:221: weight virtual patients so the
virtual population's outcome distribution matches the clinical one) are chosen as the
distribution closest to uniform (maximum entropy, Jaynes 1957, Phys Rev 106:620; minimum
Kullback-Leibler divergence) that reproduces the targets exactly:

    w_i = exp(lambda . f_i) / Z,     sum_i w_i f_i = targets,

found by minimising the convex dual ``log Z(lambda) - lambda . targets`` (Newton). Because the
weights depend on a patient only through its outcomes, ``lambda`` fitted on one cohort weights
any other cohort drawn from the same population. The cost of the fit is reported as the
effective sample size ``(sum w)^2 / sum w^2`` (Kish 1965).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from coley.errors import InvalidArgumentError


@dataclass(frozen=True)
class Calibration:
    """Fitted weights: ``lambdas`` per target, per-patient ``weights`` (sum 1), the achieved
    values and the effective sample size."""

    names: tuple[str, ...]
    targets: np.ndarray
    lambdas: np.ndarray
    weights: np.ndarray
    achieved: np.ndarray
    unweighted: np.ndarray
    ess: float

    def table(self) -> list[dict[str, float | str]]:
        """One row per target: target, unweighted and calibrated values, residual."""
        return [{"target": n, "observed": float(t), "virtual_unweighted": float(u),
                 "virtual_calibrated": float(a), "residual": float(a - t),
                 "lambda": float(lam)}
                for n, t, u, a, lam in zip(self.names, self.targets, self.unweighted,
                                           self.achieved, self.lambdas, strict=True)]


def max_entropy_weights(features: np.ndarray, targets: np.ndarray,
                        names: tuple[str, ...] = ()) -> Calibration:
    """Weights closest to uniform with ``weights @ features == targets``.

    ``features`` is (patients, targets) of 0/1 (or real) outcomes; raises if a target lies
    outside what the virtual population can produce (every patient a responder, or none).
    """
    f = np.asarray(features, dtype=np.float64)
    t = np.asarray(targets, dtype=np.float64)
    n, k = f.shape
    names = names or tuple(f"target_{j}" for j in range(k))
    if n == 0:
        raise InvalidArgumentError("calibration needs at least one virtual patient.")
    lo, hi = f.min(axis=0), f.max(axis=0)
    for j in range(k):
        if not lo[j] < t[j] < hi[j]:
            raise InvalidArgumentError(
                f"calibration target {names[j]} = {t[j]:.3f} is outside what the virtual "
                f"population produces ({lo[j]:.3f}-{hi[j]:.3f} per patient): widen the "
                "population so some patients reach it and some do not."
            )
    fc = f - t

    def dual(lam: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        z = fc @ lam
        m = z.max()
        e = np.exp(z - m)
        s = e.sum()
        w = e / s
        grad = w @ fc
        hess = (fc * w[:, None]).T @ fc - np.outer(grad, grad)
        return float(np.log(s) + m), grad, hess

    res = optimize.minimize(lambda x: dual(x)[0], np.zeros(k), jac=lambda x: dual(x)[1],
                            hess=lambda x: dual(x)[2], method="trust-exact",
                            options={"gtol": 1e-12, "maxiter": 500})
    lam = res.x
    z = fc @ lam
    w = np.exp(z - z.max())
    w /= w.sum()
    achieved = w @ f
    if np.max(np.abs(achieved - t)) > 1e-6:
        raise InvalidArgumentError(
            f"calibration did not converge (residuals {np.round(achieved - t, 4).tolist()}); "
            "the targets may be jointly infeasible for this population (for example a "
            "response rate above the rate of progression-free patients)."
        )
    return Calibration(names, t, lam, w, achieved, f.mean(axis=0), float(1.0 / np.sum(w ** 2)))


def apply_lambdas(features: np.ndarray, lambdas: np.ndarray) -> np.ndarray:
    """Weights of another cohort from fitted ``lambdas`` (sum 1)."""
    z = np.asarray(features, dtype=np.float64) @ np.asarray(lambdas, dtype=np.float64)
    w = np.exp(z - z.max())
    return w / w.sum()


__all__ = ["Calibration", "apply_lambdas", "max_entropy_weights"]
