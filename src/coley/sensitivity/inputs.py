"""The inputs a sensitivity analysis varies: names, each with its distribution.

Every method samples the unit cube ``[0, 1)^d`` (SALib's samplers, or a
:class:`~coley.population.designs.LatinHypercube`) and maps column ``j`` through the inverse CDF
``ppf`` of input ``j``'s distribution (:mod:`coley.population.distributions`), so any of those
distributions can be an input; a ``(low, high)`` range is a :class:`~coley.population.Uniform`.

:func:`assumed_inputs` builds the inputs from a model's own declarations: every parameter tagged
:attr:`~coley.model.components.Provenance.ASSUMED` with a declared ``Parameter.plausible`` range
``(low, high)``, drawn **log-uniformly** when ``low > 0`` and the range spans more than a factor
10 (``high / low > 10``), where orders of magnitude are what is uncertain, and **uniformly**
otherwise (ranges that start at 0 or are narrow).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from coley.errors import InvalidArgumentError, suggest
from coley.model.components import Provenance, check_name
from coley.model.model import Model
from coley.population.distributions import AbstractDistribution, LogUniform, Uniform

#: A plausible range wider than this factor is drawn log-uniformly (see :func:`assumed_inputs`).
LOG_SPAN = 10.0

RangeOrDistribution = AbstractDistribution | tuple[float, float] | Sequence[float]


def _range(name: str, value: Any) -> Uniform:
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise InvalidArgumentError(
            f"inputs: {name!r} = {value!r} is neither a distribution nor a (low, high) range; "
            "give two numbers, e.g. (0.1, 1.0), or a coley.population distribution."
        ) from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise InvalidArgumentError(f"inputs: the range of {name!r} is {value!r}; give finite "
                                   "numbers (a distribution such as Normal for unbounded ones).")
    if low == high:
        raise InvalidArgumentError(
            f"inputs: the range of {name!r} is empty ({low!r}, {high!r}); widen it, or leave "
            f"{name!r} out of the inputs to keep it fixed at {low!r}."
        )
    if low > high:
        raise InvalidArgumentError(
            f"inputs: the range of {name!r} is inverted ({low!r}, {high!r}); give (low, high) "
            f"= ({high!r}, {low!r})."
        )
    return Uniform(low, high)


@dataclass(frozen=True)
class Inputs:
    """The varied inputs, in order: ``names[j]`` is drawn from ``distributions[j]``.

    Build it with :meth:`of` (a mapping of names to ranges or distributions) or
    :func:`assumed_inputs` (a model's assumed parameters).
    """

    names: tuple[str, ...]
    distributions: tuple[AbstractDistribution, ...]

    def __post_init__(self) -> None:
        names = tuple(self.names)
        dists = tuple(self.distributions)
        if not names:
            raise InvalidArgumentError("inputs: no inputs given; name at least one parameter "
                                       "with its range, e.g. Inputs.of({'a': (0.1, 1.0)}).")
        if len(names) != len(dists):
            raise InvalidArgumentError(f"inputs: {len(names)} names but {len(dists)} "
                                       "distributions; give one distribution per name.")
        seen: set[str] = set()
        for name, dist in zip(names, dists, strict=True):
            try:
                check_name("input", name)
            except ValueError as e:
                raise InvalidArgumentError(f"inputs: {e}") from None
            if name in seen:
                raise InvalidArgumentError(f"inputs: {name!r} is given twice; give each input "
                                           "once.")
            seen.add(name)
            if not isinstance(dist, AbstractDistribution):
                raise InvalidArgumentError(
                    f"inputs: {name!r} has {dist!r}, not a distribution; use a "
                    "coley.population distribution (Uniform, LogUniform, Normal, ...)."
                )
            low, high = dist.ppf(np.array([0.01, 0.99]))
            if not low < high:
                raise InvalidArgumentError(
                    f"inputs: {name!r} has a single value ({dist!r}); nothing varies, so leave "
                    "it out of the inputs (set it on the model with Model.with_values)."
                )
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "distributions", dists)

    @classmethod
    def of(cls, spec: Mapping[str, RangeOrDistribution]) -> Inputs:
        """Inputs from ``{name: (low, high)}`` (uniform) or ``{name: distribution}``."""
        if not isinstance(spec, Mapping):
            raise InvalidArgumentError(f"inputs: give a mapping {{name: (low, high) or "
                                       f"distribution}}, got {type(spec).__name__}.")
        dists = [d if isinstance(d, AbstractDistribution) else _range(str(k), d)
                 for k, d in spec.items()]
        return cls(tuple(str(k) for k in spec), tuple(dists))

    def __len__(self) -> int:
        return len(self.names)

    def values(self, unit: np.ndarray) -> np.ndarray:
        """The unit-cube points ``unit`` (rows) mapped through each input's ``ppf``."""
        u = np.asarray(unit, dtype=np.float64)
        if u.ndim != 2 or u.shape[1] != len(self):
            raise InvalidArgumentError(f"inputs: expected unit points of shape (n, {len(self)}), "
                                       f"got {u.shape}.")
        x = np.column_stack([d.ppf(u[:, j]) for j, d in enumerate(self.distributions)])
        bad = ~np.isfinite(x)
        if bad.any():
            j = int(np.flatnonzero(bad.any(axis=0))[0])
            raise InvalidArgumentError(
                f"inputs: {self.names[j]!r} ({self.distributions[j]!r}) has no finite value at "
                "some sample points (an unbounded distribution at a corner of the design); "
                "truncate it (coley.population.Truncated) or give a range."
            )
        return x

    def check_bounded(self, method: str) -> None:
        """Refuse inputs whose support is unbounded (``ppf(0)`` or ``ppf(1)`` infinite)."""
        for name, d in zip(self.names, self.distributions, strict=True):
            ends = d.ppf(np.array([0.0, 1.0]))
            if not np.all(np.isfinite(ends)):
                raise InvalidArgumentError(
                    f"{method}: input {name!r} ({d!r}) is unbounded, but {method} samples the "
                    "ends of every range; truncate it (coley.population.Truncated) or give a "
                    "(low, high) range."
                )

    def check_names(self, valid: Iterable[str], where: str) -> None:
        """Raise if an input is not one of ``valid`` (with the closest valid names)."""
        options = sorted(set(valid))
        for name in self.names:
            if name not in options:
                raise InvalidArgumentError(
                    f"inputs: unknown parameter {name!r} for {where}.{suggest(name, options)} "
                    f"Give one of: {', '.join(options)}."
                )


def assumed_inputs(model: Model, *, names: Sequence[str] | None = None) -> Inputs:
    """The model's assumed parameters (tag ``A``) over their declared plausible ranges.

    Each is log-uniform on ``Parameter.plausible = (low, high)`` when ``low > 0`` and
    ``high / low > LOG_SPAN`` (10), uniform otherwise. ``names`` restricts the inputs to those
    parameters (each must be assumed and have a plausible range); by default every assumed
    parameter with a non-empty plausible range is used except units of measure
    (``Parameter.normalisation``), and those without one are left fixed.
    """
    if not isinstance(model, Model):
        raise InvalidArgumentError(f"assumed_inputs: model must be a coley Model, got "
                                   f"{type(model).__name__}.")
    usable = {p.name: p for p in model.parameters if p.tag == Provenance.ASSUMED
              and p.plausible is not None and p.plausible[0] < p.plausible[1]}
    if names is None:
        chosen = [name for name, p in usable.items() if not p.normalisation]
    else:
        chosen = list(names)
        for name in chosen:
            if name in usable:
                continue
            if name not in model.parameter_names:
                raise InvalidArgumentError(
                    f"assumed_inputs: unknown parameter {name!r} of model {model.name!r}."
                    f"{suggest(name, model.parameter_names)}")
            raise InvalidArgumentError(
                f"assumed_inputs: parameter {name!r} of model {model.name!r} is not assumed "
                "(tag 'A') with a non-empty plausible range; give its range yourself with "
                "Inputs.of."
            )
    if not chosen:
        raise InvalidArgumentError(
            f"assumed_inputs: model {model.name!r} has no assumed parameter with a plausible "
            "range; give the inputs yourself with Inputs.of({name: (low, high)})."
        )
    dists: list[AbstractDistribution] = []
    for name in chosen:
        low, high = usable[name].plausible  # type: ignore[misc]
        log = low > 0 and high / low > LOG_SPAN
        dists.append(LogUniform(low, high) if log else Uniform(low, high))
    return Inputs(tuple(chosen), tuple(dists))


__all__ = ["LOG_SPAN", "Inputs", "assumed_inputs"]
