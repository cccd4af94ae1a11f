"""What a treatment modality is: its PK, the hooks it acts on and how, and its toxicity.

An :class:`Action` names a model hook and a mode:

* ``stimulate`` / ``inhibit`` (rate hooks): the hooked parameter p becomes p*(1 + E) or
  p*(1 - E), with E = emax * X^h / (ec50^h + X^h) of the exposure X (Emax/Hill occupancy);
* ``kill`` (state hooks): adds -E * target to the target's equation (log-kill); with ``ec50``
  None the effect is linear, E = emax * X (mass action, e.g. CAR-T killing);
* ``add`` (state hooks): the dose itself is added to the target state (adoptive cells);
An ``optional`` action is skipped (and noted) on a model without its hook; a required one is an
error listing the hooks the model has.

* ``fraction`` (state hooks): each dose multiplies the target by a surviving fraction: the dose
  itself for surgery (unit "fraction"), or exp(-alpha*d - beta*d^2) for d Gy of radiation
  (linear-quadratic model).

A :class:`Toxicity` is a cumulative hazard H(t) driven by the effect of one action
(immune activation by the treatment): dH/dt = rate * E(t). The probability of an event of
grade >= 3 by time t is 1 - exp(-H(t)), and of any grade 1 - exp(-H(t)/severe_fraction).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from coley.errors import InvalidArgumentError
from coley.treat.pk import PK

Mode = Literal["stimulate", "inhibit", "kill", "add", "fraction"]
_MODES = ("stimulate", "inhibit", "kill", "add", "fraction")


@dataclass(frozen=True)
class Action:
    """One effect of a modality on a model hook (see the module docstring for the modes)."""

    hook: str
    mode: Mode
    emax: float = 1.0
    ec50: float | None = 1.0
    hill: float = 1.0
    alpha: float = 0.0
    beta: float = 0.0
    meaning: str = ""
    source: str = ""
    optional: bool = False

    def __post_init__(self) -> None:
        if self.mode not in _MODES:
            raise InvalidArgumentError(
                f"Action on {self.hook!r}: mode must be one of {list(_MODES)}, got {self.mode!r}."
            )
        for name in ("emax", "hill", "alpha", "beta"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0):
                raise InvalidArgumentError(f"Action on {self.hook!r}: {name} must be >= 0.")
        if self.ec50 is not None and not (math.isfinite(self.ec50) and self.ec50 > 0):
            raise InvalidArgumentError(f"Action on {self.hook!r}: ec50 must be > 0 or None.")
        if self.mode == "inhibit" and self.emax > 1:
            raise InvalidArgumentError(
                f"Action on {self.hook!r}: an inhibition's emax is a fraction (<= 1), "
                f"got {self.emax}."
            )

    @property
    def hook_kind(self) -> str:
        """'rate' for stimulate/inhibit, 'state' otherwise."""
        return "rate" if self.mode in ("stimulate", "inhibit") else "state"


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
    actions: tuple[Action, ...]
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
