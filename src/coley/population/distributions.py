"""Distributions of one parameter across patients, each an inverse CDF on the unit interval.

A distribution is a frozen object with ``ppf(u)`` (the inverse cumulative distribution
function, vectorised over an array of uniforms ``u``) and ``cdf(x)``; truncation
(:class:`Truncated`) renormalises any of them exactly: ``Truncated(d, low, high).ppf(u)`` is
``d.ppf(F(low) + u (F(high) - F(low)))``, so ``ppf(0) = low`` and ``ppf(1) = high``. Sampling
is always through ``ppf`` (a copula or a design supplies the uniforms), never through a
distribution's own random generator.

:func:`from_spec` builds one from the form used in trial files::

    a = { dist = "lognormal", median = 0.18, sd_log = 0.3, lower = 0.05 }
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import special

from coley.errors import InvalidArgumentError


class AbstractDistribution(ABC):
    """A parameter's distribution: the inverse CDF ``ppf`` and the CDF ``cdf``."""

    @abstractmethod
    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Values at the quantiles ``u`` in [0, 1] (non-decreasing in ``u``)."""

    @abstractmethod
    def cdf(self, x: np.ndarray) -> np.ndarray:
        """Probability of a value <= ``x``."""


def _number(owner: str, name: str, value: Any, *, fix: str) -> float:
    """``value`` as a finite float, or an error naming ``owner.name``, the value and the fix."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = math.nan
    if not math.isfinite(x):
        raise InvalidArgumentError(f"{owner}: {name} must be a finite number, got {value!r}; "
                                   f"{fix}.")
    return x


def _array(u: np.ndarray) -> np.ndarray:
    return np.asarray(u, dtype=np.float64)


@dataclass(frozen=True)
class LogNormal(AbstractDistribution):
    """Log-normal: ``log X`` is normal with mean ``log(median)`` and standard deviation
    ``sd_log``."""

    median: float
    sd_log: float

    def __post_init__(self) -> None:
        m = _number("LogNormal", "median", self.median, fix="give the median value (> 0)")
        s = _number("LogNormal", "sd_log", self.sd_log,
                    fix="give the standard deviation of log values (>= 0)")
        if m <= 0:
            raise InvalidArgumentError(f"LogNormal: median must be > 0, got {self.median!r}; "
                                       "a log-normal value is positive (use Normal otherwise).")
        if s < 0:
            raise InvalidArgumentError(f"LogNormal: sd_log must be >= 0, got {self.sd_log!r}; "
                                       "0 makes every patient the median.")
        object.__setattr__(self, "median", m)
        object.__setattr__(self, "sd_log", s)

    @property
    def mu(self) -> float:
        """Mean of ``log X``."""
        return float(np.log(self.median))

    def ppf(self, u: np.ndarray) -> np.ndarray:
        u = _array(u)
        if self.sd_log == 0:  # exp(mu), as the general formula gives inside (0, 1)
            return np.full_like(u, np.exp(self.mu))
        return np.asarray(np.exp(self.mu + self.sd_log * special.ndtri(u)))

    def cdf(self, x: np.ndarray) -> np.ndarray:
        x = _array(x)
        with np.errstate(divide="ignore"):
            lx = np.log(np.where(x > 0, x, 1.0))
        if self.sd_log > 0:
            inside = special.ndtr((lx - self.mu) / self.sd_log)
        else:
            inside = (lx >= self.mu).astype(np.float64)
        return np.asarray(np.where(x > 0, inside, 0.0))

    def from_score(self, z: np.ndarray | float) -> np.ndarray:
        """Values at standard-normal scores ``z``: ``median * exp(sd_log * z)``."""
        return np.asarray(self.median * np.exp(self.sd_log * np.asarray(z, dtype=np.float64)))


@dataclass(frozen=True)
class Normal(AbstractDistribution):
    """Normal with ``mean`` and standard deviation ``sd``."""

    mean: float
    sd: float

    def __post_init__(self) -> None:
        m = _number("Normal", "mean", self.mean, fix="give the mean value")
        s = _number("Normal", "sd", self.sd, fix="give the standard deviation (>= 0)")
        if s < 0:
            raise InvalidArgumentError(f"Normal: sd must be >= 0, got {self.sd!r}; 0 makes "
                                       "every patient the mean.")
        object.__setattr__(self, "mean", m)
        object.__setattr__(self, "sd", s)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        u = _array(u)
        if self.sd == 0:
            return np.full_like(u, self.mean)
        return np.asarray(self.mean + self.sd * special.ndtri(u))

    def cdf(self, x: np.ndarray) -> np.ndarray:
        x = _array(x)
        if self.sd > 0:
            return np.asarray(special.ndtr((x - self.mean) / self.sd))
        return (x >= self.mean).astype(np.float64)

    def from_score(self, z: np.ndarray | float) -> np.ndarray:
        """Values at standard-normal scores ``z``: ``mean + sd * z``."""
        return np.asarray(self.mean + self.sd * np.asarray(z, dtype=np.float64))


def _interval(owner: str, low: Any, high: Any) -> tuple[float, float]:
    a = _number(owner, "low", low, fix="give the smallest value")
    b = _number(owner, "high", high, fix="give the largest value")
    if not a < b:
        raise InvalidArgumentError(f"{owner}: needs low < high, got low = {low!r}, high = "
                                   f"{high!r}; swap them, or use Fixed for a single value.")
    return a, b


@dataclass(frozen=True)
class Uniform(AbstractDistribution):
    """Uniform on [``low``, ``high``]."""

    low: float
    high: float

    def __post_init__(self) -> None:
        a, b = _interval("Uniform", self.low, self.high)
        object.__setattr__(self, "low", a)
        object.__setattr__(self, "high", b)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return np.asarray(self.low + _array(u) * (self.high - self.low))

    def cdf(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(np.clip((_array(x) - self.low) / (self.high - self.low), 0.0, 1.0))


@dataclass(frozen=True)
class LogUniform(AbstractDistribution):
    """Log-uniform on [``low``, ``high``] (``log X`` uniform), ``0 < low < high``."""

    low: float
    high: float

    def __post_init__(self) -> None:
        a, b = _interval("LogUniform", self.low, self.high)
        if a <= 0:
            raise InvalidArgumentError(f"LogUniform: low must be > 0, got {self.low!r}; use "
                                       "Uniform for a range that starts at 0.")
        object.__setattr__(self, "low", a)
        object.__setattr__(self, "high", b)

    def _logs(self) -> tuple[float, float]:
        # math.log, as the robustness bands have always used (numpy's log may differ in the
        # last bit for some values)
        return math.log(self.low), math.log(self.high)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        a, b = self._logs()
        return np.asarray(np.exp(a + _array(u) * (b - a)))

    def cdf(self, x: np.ndarray) -> np.ndarray:
        a, b = self._logs()
        x = _array(x)
        lx = np.log(np.where(x > 0, x, 1.0))
        return np.asarray(np.where(x > 0, np.clip((lx - a) / (b - a), 0.0, 1.0), 0.0))


@dataclass(frozen=True)
class Fixed(AbstractDistribution):
    """Every patient has ``value``."""

    value: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _number("Fixed", "value", self.value,
                                                  fix="give the value every patient has"))

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return np.full_like(_array(u), self.value)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        return (_array(x) >= self.value).astype(np.float64)


@dataclass(frozen=True)
class Empirical(AbstractDistribution):
    """The distribution of observed ``values`` (a column of a table, say), interpolated
    linearly between order statistics.

    ``ppf(u)`` is the sample quantile of Hyndman & Fan (1996, *Am. Stat.* 50:361) type 7,
    numpy's ``quantile(values, u, method="linear")``: with the ``n`` sorted values ``x``,
    ``h = (n - 1) u`` and ``x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h])``, so
    ``ppf(0)`` is the smallest value and ``ppf(1)`` the largest.
    """

    values: tuple[float, ...]
    _sorted: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            x = np.sort(np.asarray(self.values, dtype=np.float64).ravel())
        except (TypeError, ValueError):
            raise InvalidArgumentError(
                f"Empirical: values must be numbers, got {self.values!r}; pass a column of "
                "observed values.") from None
        if x.size < 2 or not np.all(np.isfinite(x)):
            raise InvalidArgumentError(
                f"Empirical: values must hold at least 2 finite numbers, got {x.size} "
                f"({int(np.sum(~np.isfinite(x)))} not finite); drop missing entries.")
        object.__setattr__(self, "values", tuple(float(v) for v in x))
        object.__setattr__(self, "_sorted", x)

    @classmethod
    def from_table(cls, table: Mapping[str, Sequence[float]] | Any, column: str) -> Empirical:
        """The values of ``column`` of ``table`` (a pandas DataFrame or a mapping)."""
        try:
            values = table[column]
        except (KeyError, IndexError):
            raise InvalidArgumentError(f"Empirical.from_table: no column {column!r}; the "
                                       f"table has {list(table)}.") from None
        return cls(tuple(np.asarray(values, dtype=np.float64)))

    def ppf(self, u: np.ndarray) -> np.ndarray:
        x = self._sorted
        return np.asarray(np.interp(_array(u) * (x.size - 1), np.arange(x.size), x))

    def cdf(self, x: np.ndarray) -> np.ndarray:
        s = self._sorted
        return np.asarray(np.interp(_array(x), s, np.linspace(0.0, 1.0, s.size)))


@dataclass(frozen=True)
class Truncated(AbstractDistribution):
    """``dist`` restricted to [``low``, ``high``] (either may be None: no bound), renormalised:
    values keep their relative probabilities and sampling stays exact (no rejection)."""

    dist: AbstractDistribution
    low: float | None = None
    high: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.dist, AbstractDistribution):
            raise InvalidArgumentError(f"Truncated: dist must be a distribution (LogNormal, "
                                       f"Normal, ...), got {self.dist!r}.")
        for name in ("low", "high"):
            v = getattr(self, name)
            if v is not None:
                object.__setattr__(self, name, _number("Truncated", name, v,
                                                       fix="give a bound, or None for none"))
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise InvalidArgumentError(f"Truncated: needs low < high, got low = {self.low!r}, "
                                       f"high = {self.high!r}; swap them.")
        lo, hi = self.mass
        if not hi > lo:
            raise InvalidArgumentError(
                f"Truncated: {self.dist!r} truncated to [{self.low}, {self.high}] has no "
                "mass; widen the bounds so that they hold some of the distribution.")

    @property
    def mass(self) -> tuple[float, float]:
        """CDF of ``dist`` at ``low`` and ``high`` (0 and 1 where unbounded)."""
        lo = 0.0 if self.low is None else float(self.dist.cdf(np.asarray(self.low)))
        hi = 1.0 if self.high is None else float(self.dist.cdf(np.asarray(self.high)))
        return lo, hi

    def ppf(self, u: np.ndarray) -> np.ndarray:
        lo, hi = self.mass
        return self.dist.ppf(lo + _array(u) * (hi - lo))

    def cdf(self, x: np.ndarray) -> np.ndarray:
        lo, hi = self.mass
        return np.asarray(np.clip((self.dist.cdf(x) - lo) / (hi - lo), 0.0, 1.0))


#: The file form: ``dist`` names and the fields each needs (``lower``/``upper`` truncate any).
SPEC_FIELDS: dict[str, tuple[str, ...]] = {
    "lognormal": ("median", "sd_log"),
    "normal": ("mean", "sd"),
    "uniform": ("low", "high"),
    "loguniform": ("low", "high"),
    "fixed": ("value",),
    "empirical": ("values",),
}

_BUILD: dict[str, type[AbstractDistribution]] = {
    "lognormal": LogNormal, "normal": Normal, "uniform": Uniform, "loguniform": LogUniform,
    "fixed": Fixed, "empirical": Empirical,
}


def from_spec(spec: Mapping[str, Any]) -> AbstractDistribution:
    """The distribution of the file form ``{dist = "lognormal", median = ..., sd_log = ...,
    lower = ..., upper = ...}`` (fields set to None count as absent)."""
    data = {k: v for k, v in spec.items() if v is not None}
    dist = data.pop("dist", None)
    if dist not in SPEC_FIELDS:
        raise InvalidArgumentError(f"dist must be one of {list(SPEC_FIELDS)}, got {dist!r}.")
    need = SPEC_FIELDS[dist]
    missing = [k for k in need if k not in data]
    if missing:
        raise InvalidArgumentError(f"dist = {dist!r} needs {', '.join(missing)}; add "
                                   f"{' and '.join(f'{k} = ...' for k in missing)}.")
    lower, upper = data.pop("lower", None), data.pop("upper", None)
    extra = sorted(set(data) - set(need))
    if extra:
        raise InvalidArgumentError(f"dist = {dist!r} takes {', '.join(need)} (and lower, "
                                   f"upper); got {', '.join(extra)}: drop them.")
    kwargs = {k: data[k] for k in need}
    if dist == "empirical":
        kwargs["values"] = tuple(kwargs["values"])
    d = _BUILD[dist](**kwargs)
    if lower is None and upper is None:
        return d
    return Truncated(d, lower, upper)


__all__ = ["SPEC_FIELDS", "AbstractDistribution", "Empirical", "Fixed", "LogNormal",
           "LogUniform", "Normal", "Truncated", "Uniform", "from_spec"]
