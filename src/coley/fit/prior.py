"""Priors on fit parameters: the negative log density and its derivative.

The kinds are PEtab v1's ``objectivePriorType`` values, so PEtab priors map one to one
(Schmiester et al. 2021, PLoS Comput Biol 17:e1008646, parameter table): ``uniform``,
``normal``, ``laplace``, ``logNormal``, ``logLaplace`` act on the parameter's linear value;
``parameterScaleUniform``, ``parameterScaleNormal``, ``parameterScaleLaplace`` on its value
on the estimation scale. ``a`` and ``b`` are, in that order: lower and upper bound (uniform),
mean and standard deviation (normal; for logNormal those of ``ln x``), location and scale
(Laplace; for logLaplace those of ``ln x``).

With priors the optimiser minimises the negative log posterior (unnormalised):
``nll + neg_log_prior``, each prior's density normalised, so the value is comparable with
pyPESTO's ``fval`` for the same problem.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from coley.errors import InvalidArgumentError


class PriorKind(StrEnum):
    """PEtab v1 prior types (module docstring)."""

    UNIFORM = "uniform"
    NORMAL = "normal"
    LAPLACE = "laplace"
    LOG_NORMAL = "logNormal"
    LOG_LAPLACE = "logLaplace"
    PARAMETER_SCALE_UNIFORM = "parameterScaleUniform"
    PARAMETER_SCALE_NORMAL = "parameterScaleNormal"
    PARAMETER_SCALE_LAPLACE = "parameterScaleLaplace"


@dataclass(frozen=True)
class Prior:
    """A prior of ``kind`` with parameters ``a`` and ``b`` (module docstring)."""

    kind: PriorKind | str
    a: float
    b: float

    def __post_init__(self) -> None:
        kinds = [k.value for k in PriorKind]
        if self.kind not in kinds:
            raise InvalidArgumentError(f"prior: kind must be one of {kinds}, got "
                                       f"{self.kind!r}.")
        object.__setattr__(self, "kind", PriorKind(self.kind))
        for name in ("a", "b"):
            value = getattr(self, name)
            try:
                x = float(value)
            except (TypeError, ValueError):
                raise InvalidArgumentError(f"prior {self.kind}: {name} must be a number, got "
                                           f"{value!r}.") from None
            if not math.isfinite(x):
                raise InvalidArgumentError(f"prior {self.kind}: {name} must be finite, got "
                                           f"{value!r}.")
            object.__setattr__(self, name, x)
        if self.uniform and not self.a < self.b:
            raise InvalidArgumentError(f"prior {self.kind}: the lower end a = {self.a} must be "
                                       f"below the upper end b = {self.b}.")
        if not self.uniform and not self.b > 0:
            raise InvalidArgumentError(f"prior {self.kind}: the spread b = {self.b} must be "
                                       "> 0 (a standard deviation or a Laplace scale).")

    @property
    def uniform(self) -> bool:
        return self.kind in (PriorKind.UNIFORM, PriorKind.PARAMETER_SCALE_UNIFORM)

    @property
    def on_estimation_scale(self) -> bool:
        """True for the ``parameterScale*`` kinds (the density is of the estimation-scale
        value)."""
        return str(self.kind).startswith("parameterScale")

    @property
    def needs_positive(self) -> bool:
        """True for the kinds defined for positive values only (logNormal, logLaplace)."""
        return self.kind in (PriorKind.LOG_NORMAL, PriorKind.LOG_LAPLACE)

    def neg_log_density(self, x: float) -> tuple[float, float]:
        """``-log p(x)`` and its derivative in ``x`` (``inf`` and 0 outside the support)."""
        a, b = self.a, self.b
        k = self.kind
        if self.uniform:
            if a <= x <= b:
                return math.log(b - a), 0.0
            return math.inf, 0.0
        if k in (PriorKind.NORMAL, PriorKind.PARAMETER_SCALE_NORMAL):
            r = (x - a) / b
            return 0.5 * math.log(2 * math.pi * b * b) + 0.5 * r * r, r / b
        if k in (PriorKind.LAPLACE, PriorKind.PARAMETER_SCALE_LAPLACE):
            sign = math.copysign(1.0, x - a) if x != a else 0.0
            return math.log(2 * b) + abs(x - a) / b, sign / b
        if not x > 0:
            return math.inf, 0.0
        u = math.log(x)
        if k is PriorKind.LOG_NORMAL:
            r = (u - a) / b
            return u + 0.5 * math.log(2 * math.pi * b * b) + 0.5 * r * r, (1.0 + r / b) / x
        # log-Laplace
        s = math.copysign(1.0, u - a) if u != a else 0.0
        return u + math.log(2 * b) + abs(u - a) / b, (1.0 + s / b) / x


__all__ = ["Prior", "PriorKind"]
