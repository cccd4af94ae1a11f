"""Treatment effects as typed strategies: what one action of a modality does to a model.

Every effect names a model hook and implements one signature, used by
:func:`~coley.treat.apply.apply_regimens` for every regimen:

* :meth:`AbstractEffect.act` changes the model's equations while the drug is present (continuous
  effects; returns the name of the effect expression E that toxicities may be driven by);
* :meth:`AbstractEffect.administer` turns one dose into schedule items (discrete effects).

The built-in effects (the ``mode`` each is written as in the catalogue and in files):

* :class:`Stimulate` / :class:`Inhibit` (``stimulate`` / ``inhibit``, rate hooks): the hooked
  parameter p becomes p*(1 + E) or p*(1 - E), with E = emax * X^h / (ec50^h + X^h) of the
  exposure X (Emax/Hill occupancy; ``ec50=None``: linear, E = emax * X);
* :class:`Kill` (``kill``, state hooks): adds -E * target to the target's equation (log-kill;
  ``ec50=None`` is mass action, e.g. CAR-T killing);
* :class:`Add` (``add``, state hooks): the dose itself is added to the target state (adoptive
  cells), as a jump or, for an infusion, an input over its duration;
* :class:`SurvivingFraction` (``fraction``, state hooks): each dose multiplies the target by a
  surviving fraction: the dose itself for surgery (unit "fraction"), or exp(-alpha d - beta d^2)
  for d Gy of radiation (linear-quadratic model).

A new effect is one subclass (``docs/extending.md``): a ``mode`` name, the hook kind it needs,
and ``act`` and/or ``administer``.
"""

from __future__ import annotations

import math
from abc import ABC
from dataclasses import KW_ONLY, dataclass, field
from typing import ClassVar

import numpy as np
import sympy as sp

from coley.errors import InvalidArgumentError
from coley.model.components import HookKind, Parameter
from coley.model.model import Model
from coley.solve.schedule import Infusion as InputInfusion
from coley.solve.schedule import Jump
from coley.treat.regimen import DoseEvent

_CELL_UNITS = {"cell", "cells"}


@dataclass
class Treating:
    """The treated model being built for one regimen: what effects read and extend.

    ``equations`` and ``symbols`` are the model's (shared by every regimen applied together);
    ``parameters``, ``expressions`` and ``infusion_targets`` collect what effects add;
    ``exposure`` is the PK's exposure expression (None without PK).
    """

    model: Model
    modality: str
    label: str
    prefix: str
    base_unit: str
    exposure: str | None
    equations: dict[str, sp.Expr | str]
    symbols: dict[str, sp.Symbol]
    parameters: list[Parameter]
    expressions: dict[str, str]
    infusion_targets: list[str] = field(default_factory=list)

    def target(self, hook: str) -> str:
        """The state or parameter the model's hook ``hook`` points at."""
        return self.model.hook(hook).target

    def define(self, name: str, text: str) -> sp.Symbol:
        """Add the named expression ``name = text`` (in model names) and return its symbol,
        for use in equations."""
        self.expressions[name] = text
        return sp.Symbol(name, real=True)

    def add_term(self, state: str, term: sp.Expr) -> None:
        """Add ``term`` to the right-hand side of ``state``'s equation."""
        self.equations[state] = sp.sympify(self.equations[state]) + term


@dataclass(frozen=True)
class AbstractEffect(ABC):
    """One effect of a modality on model hook ``hook``; ``optional`` ones are skipped (and
    noted) on a model without the hook, required ones are an error listing the model's hooks."""

    hook: str
    _: KW_ONLY
    meaning: str = ""
    source: str = ""
    optional: bool = False

    #: The name this effect is written as (catalogue ``Action(hook, mode)``, listings).
    mode: ClassVar[str]
    #: The kind of hook it acts on: a rate parameter or a state.
    hook_kind: ClassVar[HookKind] = HookKind.STATE
    #: Schedule items of effects with a lower ``order`` come first for a dose.
    order: ClassVar[int] = 0

    def act(self, t: Treating, index: int) -> str | None:
        """Change ``t``'s equations while the treatment is present; the name of the effect
        expression (a toxicity driver), or None for a purely discrete effect."""
        return None

    def administer(self, t: Treating, dose: DoseEvent) -> list[Jump | InputInfusion]:
        """Schedule items for one ``dose`` (none for a purely continuous effect)."""
        return []


def _check_nonneg(owner: AbstractEffect, names: tuple[str, ...]) -> None:
    for name in names:
        v = getattr(owner, name)
        if not (math.isfinite(v) and v >= 0):
            raise InvalidArgumentError(f"{type(owner).__name__} on {owner.hook!r}: {name} must "
                                       f"be >= 0, got {v!r}.")


@dataclass(frozen=True)
class AbstractExposureResponse(AbstractEffect):
    """An effect E of the exposure X: emax * X^hill / (ec50^hill + X^hill) (linear emax * X with
    ``ec50=None``)."""

    _: KW_ONLY
    emax: float = 1.0
    ec50: float | None = 1.0
    hill: float = 1.0

    #: Unit of ``emax``.
    emax_unit: ClassVar[str] = "1"

    def __post_init__(self) -> None:
        _check_nonneg(self, ("emax", "hill"))
        if self.ec50 is not None and not (math.isfinite(self.ec50) and self.ec50 > 0):
            raise InvalidArgumentError(f"{type(self).__name__} on {self.hook!r}: ec50 must be "
                                       f"> 0 or None, got {self.ec50!r}.")

    @property
    def emax_upper(self) -> float | None:
        """Upper bound of ``emax`` (None: unbounded)."""
        return None

    def expression(self, t: Treating, index: int) -> str:
        """Add this effect's parameters to ``t`` and return E as an expression of X."""
        if t.exposure is None:
            raise InvalidArgumentError(
                f"modality {t.modality!r}: action {self.mode} on {self.hook!r} needs an "
                "exposure, but the modality has no PK.")
        emax = f"{t.prefix}_emax{index}"
        t.parameters.append(Parameter(emax, self.emax, self.emax_unit,
                                      f"{t.prefix}: maximal effect on {self.hook}", self.source,
                                      lower=0, upper=self.emax_upper))
        x = t.exposure
        if self.ec50 is None:
            return f"{emax}*({x})"
        ec50 = f"{t.prefix}_ec50_{index}"
        t.parameters.append(Parameter(ec50, self.ec50, "exposure",
                                      f"{t.prefix}: half-maximal exposure", self.source, lower=0))
        if self.hill == 1.0:
            return f"{emax}*({x})/({ec50} + ({x}))"
        hill = f"{t.prefix}_hill{index}"
        t.parameters.append(Parameter(hill, self.hill, "1", f"{t.prefix}: Hill coefficient",
                                      self.source, lower=0))
        ax = f"abs({x})"
        return f"{emax}*{ax}**{hill}/({ec50}**{hill} + {ax}**{hill})"

    def _named(self, t: Treating, index: int) -> sp.Symbol:
        return t.define(f"{t.prefix}_E{index}", self.expression(t, index))


@dataclass(frozen=True)
class AbstractRateScaling(AbstractExposureResponse):
    """A rate parameter p scaled by ``factor(E)`` wherever it appears."""

    hook_kind: ClassVar[HookKind] = HookKind.RATE

    def factor(self, e: sp.Expr) -> sp.Expr:
        raise NotImplementedError

    def act(self, t: Treating, index: int) -> str | None:
        e = self._named(t, index)
        p = t.symbols[t.target(self.hook)]
        scaled = p * self.factor(e)
        for name, rhs in t.equations.items():
            t.equations[name] = sp.sympify(rhs).xreplace({p: scaled})
        return str(e)


@dataclass(frozen=True)
class Stimulate(AbstractRateScaling):
    """The hooked rate p becomes p*(1 + E)."""

    mode: ClassVar[str] = "stimulate"

    def factor(self, e: sp.Expr) -> sp.Expr:
        return 1 + e


@dataclass(frozen=True)
class Inhibit(AbstractRateScaling):
    """The hooked rate p becomes p*(1 - E); ``emax`` is a fraction (<= 1)."""

    mode: ClassVar[str] = "inhibit"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.emax > 1:
            raise InvalidArgumentError(f"Inhibit on {self.hook!r}: an inhibition's emax is a "
                                       f"fraction (<= 1), got {self.emax}.")

    @property
    def emax_upper(self) -> float | None:
        return 1.0

    def factor(self, e: sp.Expr) -> sp.Expr:
        return 1 - e


@dataclass(frozen=True)
class Kill(AbstractExposureResponse):
    """Log-kill: -E * target added to the hooked state's equation (``emax`` per day)."""

    mode: ClassVar[str] = "kill"
    emax_unit: ClassVar[str] = "1/day"

    def act(self, t: Treating, index: int) -> str | None:
        e = self._named(t, index)
        target = t.target(self.hook)
        t.equations[target] = sp.sympify(t.equations[target]) - e * t.symbols[target]
        return str(e)


@dataclass(frozen=True)
class Add(AbstractEffect):
    """Each dose is added to the hooked state: a jump, or an input over an infusion."""

    mode: ClassVar[str] = "add"

    def administer(self, t: Treating, dose: DoseEvent) -> list[Jump | InputInfusion]:
        target = t.target(self.hook)
        unit = t.model.state(target).unit
        if t.base_unit == "cells" and unit not in _CELL_UNITS:
            raise InvalidArgumentError(
                f"Regimen({t.label!r}) adds cells to state {target!r} of model "
                f"{t.model.name!r}, whose unit is {unit!r}; give the dose in the state's own "
                "unit with Dose(amount, 'state')."
            )
        if dose.duration > 0:
            if target not in t.infusion_targets:
                t.infusion_targets.append(target)
            return [InputInfusion(f"{t.prefix}_{target}_in", dose.amount / dose.duration,
                                  dose.time, dose.time + dose.duration)]
        return [Jump(target, dose.time, dose.amount)]


@dataclass(frozen=True)
class SurvivingFraction(AbstractEffect):
    """Each dose multiplies the hooked state by a surviving fraction: the dose itself (unit
    "fraction", surgery) or exp(-alpha d - beta d^2) for d Gy (linear-quadratic radiation)."""

    _: KW_ONLY
    alpha: float = 0.0
    beta: float = 0.0

    mode: ClassVar[str] = "fraction"
    order: ClassVar[int] = 1

    def __post_init__(self) -> None:
        _check_nonneg(self, ("alpha", "beta"))

    def administer(self, t: Treating, dose: DoseEvent) -> list[Jump | InputInfusion]:
        if t.base_unit == "Gy":
            factor = np.exp(-self.alpha * dose.amount - self.beta * dose.amount ** 2)
        elif t.base_unit == "fraction":
            factor = dose.amount
        else:
            raise InvalidArgumentError(
                f"Regimen({t.label!r}): a surviving-fraction action needs a dose in Gy or "
                f"'fraction', got {t.base_unit!r}.")
        return [Jump(t.target(self.hook), dose.time, factor, op="multiply")]


#: The built-in effects by ``mode``.
EFFECTS: dict[str, type[AbstractEffect]] = {
    cls.mode: cls for cls in (Stimulate, Inhibit, Kill, Add, SurvivingFraction)
}

__all__ = [
    "EFFECTS",
    "AbstractEffect",
    "AbstractExposureResponse",
    "AbstractRateScaling",
    "Add",
    "Inhibit",
    "Kill",
    "Stimulate",
    "SurvivingFraction",
    "Treating",
]
