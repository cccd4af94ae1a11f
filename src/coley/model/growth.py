"""Empirical tumour-size growth forms: equations, closed forms and fit ranges.

The growth and growth-inhibition laws pharmacometricians fit to lesion and sum-of-longest-
diameter data, as data: each :class:`GrowthForm` has its parameters (with units, defaults and
the range a fit searches) and a numpy closed form, vectorised over times and parameter arrays.
:mod:`coley.library.tumour_size` builds coley models (ODEs) from them; :mod:`coley.fit.forecast`
fits them to lesions. The equations and sources are in :mod:`coley.library.tumour_size`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from coley.errors import unknown_name

Array = np.ndarray


@dataclass(frozen=True)
class GrowthParameter:
    """A parameter of a growth form: default, unit, meaning and the range a fit searches.

    The ranges are wide but clinical: growth rates up to 0.1/day (doubling in a week) and
    regression rates up to 0.5/day (halving in 1.4 days)."""

    name: str
    default: float
    unit: str
    meaning: str
    lower: float
    upper: float
    #: True where the range is the parameter's domain (a fraction, an exponent below 1), not
    #: only where a fit searches: such a parameter cannot have log-normal between-subject
    #: variability.
    bounded: bool = False


def _exponential(t: Array, V0: Array, kg: Array) -> Array:
    return V0 * np.exp(kg * t)


def _logistic(t: Array, V0: Array, kg: Array, K: Array) -> Array:
    return K * V0 / (V0 + (K - V0) * np.exp(-kg * t))


def _gompertz(t: Array, V0: Array, kg: Array, K: Array) -> Array:
    return K * np.exp(np.log(V0 / K) * np.exp(-kg * t))


def _general_bertalanffy(t: Array, V0: Array, a: Array, b: Array, lam: Array) -> Array:
    # u = V^(1 - lam) solves the linear ODE u' = (1 - lam)*(a - b*u); u stays > 0 for u0 > 0
    ratio = a / b
    u = ratio + (V0 ** (1.0 - lam) - ratio) * np.exp(-(1.0 - lam) * b * t)
    return u ** (1.0 / (1.0 - lam))


def _bertalanffy(t: Array, V0: Array, a: Array, b: Array) -> Array:
    return _general_bertalanffy(t, V0, a, b, np.asarray(2.0 / 3.0))


def _stein_fojo(t: Array, V0: Array, d: Array, g: Array) -> Array:
    return V0 * (np.exp(-d * t) + np.expm1(g * t))


def _general_stein_fojo(t: Array, V0: Array, d: Array, g: Array, phi: Array) -> Array:
    return V0 * (phi * np.exp(g * t) + (1.0 - phi) * np.exp(-d * t))


def _claret_bruno(t: Array, V0: Array, KL: Array, KD: Array, lam: Array,
                  E: Array | float = 1.0) -> Array:
    return V0 * np.exp(KL * t + KD * E * np.expm1(-lam * t) / lam)


@dataclass(frozen=True)
class GrowthForm:
    """One tumour-size model: its parameters (V0 first), closed form and summary."""

    name: str
    title: str
    parameters: tuple[GrowthParameter, ...]
    solution: Callable[..., Array]
    regression: bool  # True: a treatment-driven shrinkage term (d, phi or KD)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    def defaults(self) -> dict[str, float]:
        return {p.name: p.default for p in self.parameters}

    @property
    def log_normal(self) -> bool:
        """Whether every parameter is positive and unbounded above, so that a population may
        give each a log-normal distribution (not so for exponential growth, whose rate may be
        negative, nor for forms with a fraction or an exponent below 1)."""
        return all(p.lower > 0 and not p.bounded for p in self.parameters)


def _p(name: str, default: float, unit: str, meaning: str, lower: float,
       upper: float, bounded: bool = False) -> GrowthParameter:
    return GrowthParameter(name, default, unit, meaning, lower, upper, bounded)


_V0 = _p("V0", 1000.0, "mm3", "volume at t = 0", 1e-12, 1e12)
_KG = _p("kg", 0.01, "1/day", "growth rate", 1e-6, 0.1)
_K = _p("K", 1e5, "mm3", "carrying capacity", 1e-12, 1e12)
_A = _p("a", 1.0, "mm3^(1-lam)/day", "growth coefficient (V^lam)", 1e-8, 1e3)
_B = _p("b", 0.01, "1/day", "loss rate", 1e-6, 0.5)
_D = _p("d", 0.02, "1/day", "regression rate of treatment-sensitive tissue", 1e-6, 0.5)
_G = _p("g", 0.005, "1/day", "growth rate of treatment-resistant tissue", 1e-6, 0.1)

FORMS: dict[str, GrowthForm] = {f.name: f for f in (
    GrowthForm("exponential", "exponential growth (kg < 0: regression)",
               (_V0, _p("kg", 0.01, "1/day", "growth rate (negative: regression)", -0.5, 0.1)),
               _exponential, False),
    GrowthForm("logistic", "logistic (Verhulst) growth", (_V0, _KG, _K), _logistic, False),
    GrowthForm("gompertz", "Gompertz growth", (_V0, _KG, _K), _gompertz, False),
    GrowthForm("bertalanffy", "classical von Bertalanffy growth (V^(2/3) surface growth)",
               (_V0, _A, _B), _bertalanffy, False),
    GrowthForm("general_bertalanffy", "general von Bertalanffy growth (V^lam)",
               (_V0, _A, _B, _p("lam", 0.5, "1", "growth exponent", 1e-3, 0.999, True)),
               _general_bertalanffy, False),
    GrowthForm("stein_fojo", "Stein-Fojo bi-exponential regression and growth",
               (_V0, _D, _G), _stein_fojo, True),
    GrowthForm("general_stein_fojo", "Stein-Fojo with a resistant fraction phi",
               (_V0, _D, _G, _p("phi", 0.3, "1", "resistant fraction at t = 0", 1e-6, 1.0, True)),
               _general_stein_fojo, True),
    GrowthForm("claret_bruno", "Claret-Bruno growth inhibition with resistance",
               (_V0, _p("KL", 0.005, "1/day", "growth rate", 1e-6, 0.1),
                _p("KD", 0.03, "1/day", "drug-driven shrinkage rate at E = 1", 1e-6, 0.5),
                _p("lam", 0.02, "1/day", "rate of resistance appearance", 1e-5, 0.5)),
               _claret_bruno, True),
)}


def growth_form(name: str) -> GrowthForm:
    """The growth form ``name`` (clear error with the closest names if unknown)."""
    if name not in FORMS:
        raise unknown_name("tumour growth form", name, FORMS)
    return FORMS[name]


def closed_form(name: str, t: Array | float, **values: Array | float) -> Array:
    """Volume V(t) (the unit of V0) of growth form ``name``, broadcast over ``t`` (days) and
    the parameter arrays; parameters not given take their defaults."""
    f = growth_form(name)
    unknown = set(values) - set(f.parameter_names) - ({"E"} if name == "claret_bruno" else set())
    if unknown:
        bad = sorted(unknown)[0]
        raise unknown_name(f"parameter of growth form {name!r}", bad, f.parameter_names)
    args = {**f.defaults(), **values}
    return np.asarray(f.solution(np.asarray(t, dtype=np.float64),
                                 **{k: np.asarray(v, dtype=np.float64) for k, v in args.items()}))



__all__ = ["FORMS", "GrowthForm", "GrowthParameter", "closed_form", "growth_form"]
