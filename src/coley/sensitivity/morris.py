"""Morris elementary effects: a screening of which inputs matter (Morris 1991,
Technometrics 33:161; mu* of Campolongo, Cariboni & Saltelli 2007, Environ Model Softw
22:1509).

``r = n`` random one-at-a-time trajectories on a grid of ``levels`` levels of the unit cube
(``r (d + 1)`` runs) give each input ``r`` elementary effects
``EE_i = (f(u + Δ e_i) - f(u)) / Δ``, with ``Δ = levels / (2 (levels - 1))`` in quantile units
(a uniform input's range is 1); ``mu`` is their mean, ``mu_star`` the mean of their absolute
values and ``sigma`` their standard deviation (interactions and non-linearity). SALib samples
and analyses, with a bootstrap confidence interval of ``mu_star``. Every input must be bounded:
the design visits the ends of each range.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np

from coley.errors import InvalidArgumentError
from coley.sensitivity import _salib
from coley.sensitivity.inputs import Inputs
from coley.sensitivity.method import AbstractMethod, Indices, level, whole


@dataclass(frozen=True)
class Morris(AbstractMethod):
    """Morris screening with ``n`` trajectories on a grid of ``levels`` (even) levels."""

    n: int = 100
    levels: int = 4
    resamples: int = 100
    conf_level: float = 0.95
    convergence_keys: ClassVar[tuple[str, ...]] = ("mu_star",)

    def __post_init__(self) -> None:
        whole("Morris", "n", self.n, least=4, fix="the number of trajectories, e.g. 100")
        p = whole("Morris", "levels", self.levels, least=2, fix="e.g. 4")
        if p % 2:
            raise InvalidArgumentError(f"Morris: levels must be even (so that every step "
                                       f"Δ = levels / (2 (levels - 1)) stays on the grid), got "
                                       f"{p}; use {p + 1}.")
        whole("Morris", "resamples", self.resamples, least=1, fix="e.g. 100")
        level("Morris", self.conf_level)

    def check(self, inputs: Inputs) -> None:
        inputs.check_bounded("Morris")

    def halved(self) -> Morris:
        return replace(self, n=self.n // 2)

    def rows(self, d: int) -> int:
        return self.n * (d + 1)

    def sample(self, d: int, seed: int) -> np.ndarray:
        return _salib.morris_trajectories(d, self.n, levels=self.levels, seed=seed)

    def indices(self, unit: np.ndarray, y: np.ndarray, ok: np.ndarray, *, seed: int,
                confidence: bool = True) -> Indices:
        d, m = unit.shape[1], y.shape[1]
        keys = ("mu", "mu_star", "sigma", "mu_star_conf")
        out = {k: np.full((d, m), np.nan) for k in keys}
        for j in range(m):
            got = _salib.morris(unit, y[:, j], levels=self.levels,
                                resamples=self.resamples if confidence else 2,
                                conf_level=self.conf_level, seed=seed)
            for k in keys:
                out[k][:, j] = got[k]
        return {k: (("input",), v) for k, v in out.items()}


__all__ = ["Morris"]
