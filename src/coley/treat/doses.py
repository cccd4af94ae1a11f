"""Doses with units, resolved against patient covariates (body weight, body surface area).

A :class:`Dose` is an amount with a unit. Per-weight and per-area units need a covariate:
``Dose(2, "mg/kg")`` for a 70 kg patient is 140 mg; a missing covariate is an error, never a
silent default. Units are never converted across kinds (mg to cells is an error).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from coley.errors import InvalidArgumentError

#: unit -> (absolute unit after resolution, covariate it is scaled by or None)
UNITS: dict[str, tuple[str, str | None]] = {
    "mg": ("mg", None),
    "mg/kg": ("mg", "weight"),
    "mg/m2": ("mg", "bsa"),
    "IU": ("IU", None),
    "IU/kg": ("IU", "weight"),
    "MIU": ("MIU", None),
    "MIU/m2": ("MIU", "bsa"),
    "cells": ("cells", None),
    "cells/kg": ("cells", "weight"),
    "vp": ("vp", None),
    "pfu": ("pfu", None),
    "Gy": ("Gy", None),
    "fraction": ("fraction", None),
    "state": ("state", None),
}

#: covariate -> (unit, plausible range) used to check the values patients carry
COVARIATES: dict[str, tuple[str, tuple[float, float]]] = {
    "weight": ("kg", (1.0, 400.0)),
    "bsa": ("m2", (0.1, 4.0)),
}


@dataclass(frozen=True)
class Dose:
    """An amount in ``unit`` (one of :data:`UNITS`); e.g. ``Dose(200, "mg")``.

    ``"state"`` means the amount is already in the unit of the state it is added to (for models
    written per unit volume); ``"fraction"`` is a surviving fraction (surgery).
    """

    amount: float
    unit: str

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise InvalidArgumentError(
                f"Dose: unknown unit {self.unit!r}; use one of {', '.join(UNITS)}."
            )
        if not (isinstance(self.amount, int | float) and math.isfinite(self.amount)):
            raise InvalidArgumentError(
                f"Dose: amount must be a finite number, got {self.amount!r}."
            )
        if self.amount < 0:
            raise InvalidArgumentError(
                f"Dose: amount must be >= 0, got {self.amount} {self.unit}; a negative dose is "
                "not a dose."
            )
        if self.unit == "fraction" and self.amount > 1:
            raise InvalidArgumentError(
                f"Dose: a surviving fraction must be in [0, 1], got {self.amount}."
            )

    @property
    def base_unit(self) -> str:
        """The unit after covariates are applied (mg, IU, cells, ...)."""
        return UNITS[self.unit][0]

    @property
    def covariate(self) -> str | None:
        """The covariate this dose scales with, if any."""
        return UNITS[self.unit][1]

    def resolve(self, covariates: Mapping[str, float | np.ndarray] | None, n: int = 1
                ) -> np.ndarray:
        """Absolute amount per patient (length ``n``), in :attr:`base_unit`."""
        cov = self.covariate
        if cov is None:
            return np.full(n, float(self.amount))
        if not covariates or cov not in covariates:
            raise InvalidArgumentError(
                f"Dose {self.amount} {self.unit} needs the covariate {cov!r} "
                f"({COVARIATES[cov][0]}) for every patient; pass covariates={{'{cov}': ...}}."
            )
        values = np.broadcast_to(np.asarray(covariates[cov], dtype=np.float64), (n,))
        lo, hi = COVARIATES[cov][1]
        bad = ~np.isfinite(values) | (values < lo) | (values > hi)
        if np.any(bad):
            i = int(np.flatnonzero(bad)[0])
            raise InvalidArgumentError(
                f"covariate {cov!r} = {values[i]} {COVARIATES[cov][0]} for patient {i} is outside "
                f"the plausible range [{lo}, {hi}]."
            )
        with np.errstate(over="ignore"):
            out = float(self.amount) * values
        if not np.all(np.isfinite(out)):
            i = int(np.flatnonzero(~np.isfinite(out))[0])
            raise InvalidArgumentError(
                f"Dose {self.amount} {self.unit} for patient {i} ({cov} = {values[i]}) is "
                "not a finite amount; give a dose of a plausible size."
            )
        return out

    def __str__(self) -> str:
        return f"{self.amount:g} {self.unit}"


def check_covariates(covariates: Mapping[str, object] | None) -> None:
    """Reject unknown covariate names with the list of known ones."""
    for name in covariates or {}:
        if name not in COVARIATES:
            from coley.errors import unknown_name

            raise unknown_name("covariate", name, COVARIATES)
