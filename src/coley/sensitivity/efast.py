"""Extended Fourier amplitude sensitivity test (eFAST): first-order and total indices from
search curves (Saltelli, Tarantola & Chan 1999, Technometrics 41:39).

Each input in turn is explored at a high frequency ``ω_max`` along a curve through the unit
cube while the others oscillate at low frequencies; the output's Fourier spectrum at the
harmonics ``p ω_max`` (``p <= harmonics``, M) gives S1, and everything outside the others'
frequencies gives ST. ``n`` points per curve (``n d`` runs), ``n > 4 M²``. SALib samples and
analyses, with bootstrap confidence intervals. The design is not nested, so the convergence
check runs a second design of ``n // 2`` points per curve.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np

from coley.errors import InvalidArgumentError
from coley.sensitivity import _salib
from coley.sensitivity.method import AbstractMethod, Indices, level, whole


@dataclass(frozen=True)
class EFAST(AbstractMethod):
    """eFAST with ``n`` points per search curve and ``harmonics`` (M) harmonics.

    The ``*_conf`` half-widths are SALib's bootstrap, which its authors call unreliable for
    eFAST (SALib issue 649): treat them as indicative, and use :class:`SobolIndices` for
    intervals to rely on.
    """

    n: int = 1000
    harmonics: int = 4
    resamples: int = 100
    conf_level: float = 0.95
    nested: ClassVar[bool] = False
    convergence_keys: ClassVar[tuple[str, ...]] = ("S1", "ST")

    def __post_init__(self) -> None:
        m = whole("EFAST", "harmonics", self.harmonics, least=1, fix="e.g. 4")
        least = 4 * m * m + 1
        whole("EFAST", "n", self.n, least=least,
              fix=f"eFAST with {m} harmonics needs n > 4 M² = {least - 1} points per curve")
        whole("EFAST", "resamples", self.resamples, least=1, fix="e.g. 100")
        level("EFAST", self.conf_level)

    def halved(self) -> EFAST:
        half = self.n // 2
        if half <= 4 * self.harmonics ** 2:
            raise InvalidArgumentError(
                f"EFAST: the convergence check runs n // 2 = {half} points per curve, which "
                f"must exceed 4 M² = {4 * self.harmonics ** 2}; give n >= "
                f"{2 * (4 * self.harmonics ** 2 + 1)} or analyse(..., convergence=False)."
            )
        return replace(self, n=half)

    def rows(self, d: int) -> int:
        return self.n * d

    def sample(self, d: int, seed: int) -> np.ndarray:
        return _salib.fast_curves(d, self.n, harmonics=self.harmonics, seed=seed)

    def indices(self, unit: np.ndarray, y: np.ndarray, ok: np.ndarray, *, seed: int,
                confidence: bool = True) -> Indices:
        d, m = unit.shape[1], y.shape[1]
        keys = ("S1", "S1_conf", "ST", "ST_conf")
        out = {k: np.full((d, m), np.nan) for k in keys}
        for j in range(m):
            if np.ptp(y[:, j]) == 0:
                continue
            got = _salib.fast(y[:, j], d, harmonics=self.harmonics,
                              resamples=self.resamples if confidence else 2,
                              conf_level=self.conf_level, seed=seed)
            for k in keys:
                out[k][:, j] = got[k]
        return {k: (("input",), v) for k, v in out.items()}


__all__ = ["EFAST"]
