"""Variance-based (Sobol) indices: first order S1, total ST, and second order S2 on request.

``S1_i = Var(E[Y | X_i]) / Var(Y)`` is the share of the output variance due to input ``i``
alone; ``ST_i = E[Var(Y | X_~i)] / Var(Y)`` adds all its interactions (Sobol' 1993, 2001;
Homma & Saltelli 1996). They are estimated from Saltelli's scheme over a scrambled Sobol
sequence (Saltelli 2002, Comput Phys Commun 145:280; Saltelli et al. 2010, Comput Phys Commun
181:259) with SALib, which also gives bootstrap confidence intervals: ``n (d + 2)`` runs, or
``n (2d + 2)`` with second order, ``n`` a power of 2 (the balance of the Sobol sequence).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np

from coley.errors import InvalidArgumentError
from coley.sensitivity import _salib
from coley.sensitivity.method import AbstractMethod, Indices, level, whole


@dataclass(frozen=True)
class SobolIndices(AbstractMethod):
    """Sobol indices from ``n`` base samples (a power of 2); ``second_order`` adds S2.

    ``resamples`` bootstrap resamples give the ``*_conf`` half-widths at ``conf_level``.
    """

    n: int = 1024
    second_order: bool = False
    resamples: int = 100
    conf_level: float = 0.95
    convergence_keys: ClassVar[tuple[str, ...]] = ("S1", "ST")

    def __post_init__(self) -> None:
        n = whole("SobolIndices", "n", self.n, least=4, fix="give a power of 2 such as 1024")
        if n & (n - 1):
            raise InvalidArgumentError(
                f"SobolIndices: n must be a power of 2 (the balance of the Sobol sequence), got "
                f"n = {n}; use n = {1 << (n - 1).bit_length()} or {1 << (n.bit_length() - 1)}."
            )
        whole("SobolIndices", "resamples", self.resamples, least=1, fix="e.g. 100")
        level("SobolIndices", self.conf_level)
        if not isinstance(self.second_order, bool):
            raise InvalidArgumentError(f"SobolIndices: second_order must be True or False, got "
                                       f"{self.second_order!r}.")

    def halved(self) -> SobolIndices:
        return replace(self, n=self.n // 2)

    def rows(self, d: int) -> int:
        return self.n * ((2 * d if self.second_order else d) + 2)

    def sample(self, d: int, seed: int) -> np.ndarray:
        return _salib.saltelli(d, self.n, second_order=self.second_order, seed=seed)

    def indices(self, unit: np.ndarray, y: np.ndarray, ok: np.ndarray, *, seed: int,
                confidence: bool = True) -> Indices:
        d, m = unit.shape[1], y.shape[1]
        keys = ["S1", "S1_conf", "ST", "ST_conf"]
        out = {k: np.full((d, m), np.nan) for k in keys}
        if self.second_order:
            out |= {k: np.full((d, d, m), np.nan) for k in ("S2", "S2_conf")}
        for j in range(m):
            if np.ptp(y[:, j]) == 0:  # a constant output has no variance to share out
                continue
            got = _salib.sobol(y[:, j], d, second_order=self.second_order,
                               resamples=self.resamples if confidence else 2,
                               conf_level=self.conf_level, seed=seed)
            for k, v in out.items():
                v[..., j] = got[k]
        return {k: (("input", "input_2") if k.startswith("S2") else ("input",), v)
                for k, v in out.items()}


__all__ = ["SobolIndices"]
