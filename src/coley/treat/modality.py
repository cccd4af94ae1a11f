"""What a treatment modality is: its PK, the effects it has on model hooks, and its toxicity.

Each effect is a typed strategy of :mod:`coley.treat.effects` (:class:`~coley.treat.effects.
Stimulate`, :class:`~coley.treat.effects.Inhibit`, :class:`~coley.treat.effects.Kill`,
:class:`~coley.treat.effects.Add`, :class:`~coley.treat.effects.SurvivingFraction`, or one of
your own); :func:`Action` builds one from its ``mode`` name, as the catalogue writes them.

A :class:`Toxicity` is a cumulative hazard H(t) driven by the effect of one action
(immune activation by the treatment): dH/dt = rate * E(t). The probability of an event of
grade >= 3 by time t is 1 - exp(-H(t)), and of any grade 1 - exp(-H(t)/severe_fraction).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from coley.errors import InvalidArgumentError
from coley.treat.effects import EFFECTS, AbstractEffect
from coley.treat.pk import PK


def Action(hook: str, mode: str, **options: Any) -> AbstractEffect:
    """The effect ``mode`` (``stimulate``, ``inhibit``, ``kill``, ``add``, ``fraction``) on
    ``hook`` with its ``options`` (emax, ec50, hill; alpha, beta; meaning, source, optional)."""
    if mode not in EFFECTS:
        raise InvalidArgumentError(
            f"Action on {hook!r}: mode must be one of {list(EFFECTS)}, got {mode!r}."
        )
    cls = EFFECTS[mode]
    try:
        return cls(hook, **options)
    except TypeError:
        known = sorted(f.name for f in cls.__dataclass_fields__.values()
                       if f.name not in ("hook", "_"))
        extra = sorted(set(options) - set(known))
        raise InvalidArgumentError(
            f"Action on {hook!r}: a {mode} effect takes {', '.join(known)}; got "
            f"{', '.join(extra) or 'arguments it does not take'}: drop them.") from None


@dataclass(frozen=True)
class Toxicity:
    """A graded adverse-event hazard driven by the effect of action ``driver`` (an index)."""

    name: str
    rate: float
    severe_fraction: float
    source: str
    driver: int = 0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.rate) and self.rate >= 0):
            raise InvalidArgumentError(f"Toxicity {self.name!r}: rate must be >= 0.")
        if not 0 < self.severe_fraction <= 1:
            raise InvalidArgumentError(
                f"Toxicity {self.name!r}: severe_fraction must be in (0, 1]."
            )


@dataclass(frozen=True)
class Modality:
    """A treatment in the catalogue: class, PK, actions on hooks, toxicity, sources."""

    name: str
    kind: str
    description: str
    dose_units: tuple[str, ...]
    actions: tuple[AbstractEffect, ...]
    pk: PK | None = None
    toxicity: tuple[Toxicity, ...] = ()
    source: str = ""

    def __post_init__(self) -> None:
        if not self.actions:
            raise InvalidArgumentError(f"modality {self.name!r} has no actions.")
        for tox in self.toxicity:
            if not 0 <= tox.driver < len(self.actions):
                raise InvalidArgumentError(
                    f"modality {self.name!r}: toxicity {tox.name!r} driver index out of range."
                )

    @property
    def hooks(self) -> tuple[str, ...]:
        """The hooks this modality needs."""
        return tuple(a.hook for a in self.actions)
