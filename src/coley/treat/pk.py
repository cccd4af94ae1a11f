"""Pharmacokinetics: how a dose becomes an exposure over time.

Each PK model contributes states, parameters and equations to the treated model, under a prefix
(the regimen's label), and an exposure expression that effects are functions of:

* :class:`OneCompartment` and :class:`TwoCompartment`: linear PK in amounts (mg or IU); the
  exposure is the central concentration ``A1/V1``. Bolus doses add to ``A1``; infusions add a
  constant rate for their duration.
* :class:`Signal`: a first-order decaying depot (vaccine antigen, BCG, radiation danger signal)
  in the dose's own unit; the exposure is the depot amount.
* :class:`CellKinetics`: infused effector cells that expand on antigen (the tumour), contract,
  and persist as memory (CAR-T); the exposure is the effector CAR-T count.
* :class:`ReplicatingVirus`: an oncolytic virus that replicates in tumour cells and is cleared.

Motifs used by several models (Emax occupancy) live in :mod:`coley.treat.effects`.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass

from coley.errors import InvalidArgumentError
from coley.model.components import Parameter, State
from coley.model.model import Model


def _check(kind: str, **values: float) -> None:
    for name, v in values.items():
        if not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
            raise InvalidArgumentError(f"{kind}: {name} must be a positive number, got {v!r}.")


@dataclass(frozen=True)
class PKParts:
    """What a PK model adds to a treated model."""

    states: tuple[State, ...]
    parameters: tuple[Parameter, ...]
    equations: dict[str, str]
    exposure: str
    dose_state: str
    exposure_unit: str


class AbstractPK(ABC):
    """A PK model: :meth:`parts` adds its states, parameters, equations and exposure to a
    treated model (one signature for every kind; a kind that needs the tumour reads the model's
    ``tumour_cells`` hook)."""

    source: str

    @abstractmethod
    def parts(self, prefix: str, infusion_input: str, model: Model) -> PKParts:
        """What this PK adds under ``prefix``, with ``infusion_input`` the infusion-rate input."""

    @property
    def amount_unit_of_dose(self) -> str | None:
        """The unit doses must be given in (None: the dose's own unit)."""
        return getattr(self, "amount_unit", None)


def _tumour(model: Model) -> str:
    return model.hook("tumour_cells").target


@dataclass(frozen=True)
class OneCompartment(AbstractPK):
    """Linear one-compartment PK: clearance (L/day) and volume (L); t1/2 = ln2*V/CL."""

    clearance: float
    volume: float
    amount_unit: str
    source: str

    def __post_init__(self) -> None:
        _check("OneCompartment", clearance=self.clearance, volume=self.volume)

    @property
    def half_life(self) -> float:
        """Elimination half-life (days)."""
        return math.log(2) * self.volume / self.clearance

    def parts(self, prefix: str, infusion_input: str, model: Model) -> PKParts:
        a = f"{prefix}_A1"
        return PKParts(
            states=(State(a, 0.0, self.amount_unit,
                          f"{prefix}: amount in the central compartment"),),
            parameters=(
                Parameter(f"{prefix}_CL", self.clearance, "L/day", f"{prefix}: clearance",
                          self.source, lower=0),
                Parameter(f"{prefix}_V1", self.volume, "L", f"{prefix}: central volume",
                          self.source, lower=0),
            ),
            equations={a: f"{infusion_input} - {prefix}_CL/{prefix}_V1*{a}"},
            exposure=f"{a}/{prefix}_V1",
            dose_state=a,
            exposure_unit=f"{self.amount_unit}/L",
        )


@dataclass(frozen=True)
class TwoCompartment(AbstractPK):
    """Linear two-compartment PK: CL, V1, Q (L/day), V2 (L)."""

    clearance: float
    volume_central: float
    intercompartmental: float
    volume_peripheral: float
    amount_unit: str
    source: str

    def __post_init__(self) -> None:
        _check("TwoCompartment", clearance=self.clearance, volume_central=self.volume_central,
               intercompartmental=self.intercompartmental,
               volume_peripheral=self.volume_peripheral)

    @property
    def half_lives(self) -> tuple[float, float]:
        """Distribution and terminal half-lives (days), from the micro-constants."""
        k10 = self.clearance / self.volume_central
        k12 = self.intercompartmental / self.volume_central
        k21 = self.intercompartmental / self.volume_peripheral
        s = k10 + k12 + k21
        disc = math.sqrt(s * s - 4 * k10 * k21)
        alpha, beta = (s + disc) / 2, (s - disc) / 2
        return math.log(2) / alpha, math.log(2) / beta

    def parts(self, prefix: str, infusion_input: str, model: Model) -> PKParts:
        a1, a2 = f"{prefix}_A1", f"{prefix}_A2"
        cl, v1, q, v2 = (f"{prefix}_{x}" for x in ("CL", "V1", "Q", "V2"))
        return PKParts(
            states=(
                State(a1, 0.0, self.amount_unit, f"{prefix}: amount in the central compartment"),
                State(a2, 0.0, self.amount_unit, f"{prefix}: amount in the peripheral compartment"),
            ),
            parameters=(
                Parameter(cl, self.clearance, "L/day", f"{prefix}: clearance", self.source,
                          lower=0),
                Parameter(v1, self.volume_central, "L", f"{prefix}: central volume", self.source,
                          lower=0),
                Parameter(q, self.intercompartmental, "L/day",
                          f"{prefix}: intercompartmental clearance", self.source, lower=0),
                Parameter(v2, self.volume_peripheral, "L", f"{prefix}: peripheral volume",
                          self.source, lower=0),
            ),
            equations={
                a1: f"{infusion_input} - ({cl} + {q})/{v1}*{a1} + {q}/{v2}*{a2}",
                a2: f"{q}/{v1}*{a1} - {q}/{v2}*{a2}",
            },
            exposure=f"{a1}/{v1}",
            dose_state=a1,
            exposure_unit=f"{self.amount_unit}/L",
        )


@dataclass(frozen=True)
class Signal(AbstractPK):
    """A first-order decaying depot with the given half-life (days), in the dose's unit."""

    half_life: float
    amount_unit: str
    source: str

    def __post_init__(self) -> None:
        _check("Signal", half_life=self.half_life)

    def parts(self, prefix: str, infusion_input: str, model: Model) -> PKParts:
        s = f"{prefix}_S"
        k = f"{prefix}_kdecay"
        return PKParts(
            states=(State(s, 0.0, self.amount_unit, f"{prefix}: signal / depot amount"),),
            parameters=(Parameter(k, math.log(2) / self.half_life, "1/day",
                                  f"{prefix}: decay rate (ln2 / half-life)", self.source,
                                  lower=0),),
            equations={s: f"{infusion_input} - {k}*{s}"},
            exposure=s,
            dose_state=s,
            exposure_unit=self.amount_unit,
        )


@dataclass(frozen=True)
class CellKinetics(AbstractPK):
    """Infused effector cells: antigen-driven expansion, contraction, memory (CAR-T).

    dCe/dt = rho*T/(K+T)*Ce - (alpha + eps)*Ce + theta*T/(K+T)*Cm
    dCm/dt = eps*Ce - theta*T/(K+T)*Cm - mu*Cm
    with T the tumour (the model's ``tumour_cells`` hook). Structure after Barros et al. 2021
    (CARTmath, Cancers 13:2941): effector CAR-T become memory cells, which re-activate on antigen.
    """

    expansion: float
    half_saturation: float
    contraction: float
    to_memory: float
    reactivation: float
    memory_loss: float
    source: str

    def __post_init__(self) -> None:
        _check("CellKinetics", expansion=self.expansion, half_saturation=self.half_saturation,
               contraction=self.contraction, to_memory=self.to_memory,
               reactivation=self.reactivation, memory_loss=self.memory_loss)

    def parts(self, prefix: str, infusion_input: str, model: Model) -> PKParts:
        tumour = _tumour(model)
        ce, cm = f"{prefix}_Ce", f"{prefix}_Cm"
        p = {k: f"{prefix}_{k}" for k in ("rho", "K", "alpha", "eps", "theta", "mu")}
        stim = f"{tumour}/({p['K']} + {tumour})"
        return PKParts(
            states=(State(ce, 0.0, "cells", f"{prefix}: effector CAR-T cells"),
                    State(cm, 0.0, "cells", f"{prefix}: memory CAR-T cells")),
            parameters=(
                Parameter(p["rho"], self.expansion, "1/day", f"{prefix}: antigen-driven expansion",
                          self.source, lower=0),
                Parameter(p["K"], self.half_saturation, "cells",
                          f"{prefix}: tumour level for half-maximal expansion", self.source,
                          lower=0),
                Parameter(p["alpha"], self.contraction, "1/day", f"{prefix}: effector contraction",
                          self.source, lower=0),
                Parameter(p["eps"], self.to_memory, "1/day", f"{prefix}: effector to memory",
                          self.source, lower=0),
                Parameter(p["theta"], self.reactivation, "1/day",
                          f"{prefix}: memory re-activation on antigen", self.source, lower=0),
                Parameter(p["mu"], self.memory_loss, "1/day", f"{prefix}: memory loss",
                          self.source, lower=0),
            ),
            equations={
                ce: (f"{infusion_input} + {p['rho']}*{stim}*{ce} - ({p['alpha']} + {p['eps']})*{ce}"
                     f" + {p['theta']}*{stim}*{cm}"),
                cm: f"{p['eps']}*{ce} - {p['theta']}*{stim}*{cm} - {p['mu']}*{cm}",
            },
            exposure=ce,
            dose_state=ce,
            exposure_unit="cells",
        )


@dataclass(frozen=True)
class ReplicatingVirus(AbstractPK):
    """Oncolytic virus: dV/dt = (replication*T/(K+T) - clearance)*V, V in viral particles.

    The virus grows while there are tumour cells to infect (T is the model's ``tumour_cells``
    hook) and is cleared otherwise.
    """

    replication: float
    half_saturation: float
    clearance: float
    source: str

    def __post_init__(self) -> None:
        _check("ReplicatingVirus", replication=self.replication,
               half_saturation=self.half_saturation, clearance=self.clearance)

    def parts(self, prefix: str, infusion_input: str, model: Model) -> PKParts:
        tumour = _tumour(model)
        v = f"{prefix}_V"
        rep, k, cv = f"{prefix}_rep", f"{prefix}_K", f"{prefix}_cV"
        return PKParts(
            states=(State(v, 0.0, "vp", f"{prefix}: free virus"),),
            parameters=(
                Parameter(rep, self.replication, "1/day",
                          f"{prefix}: net replication rate in saturating tumour", self.source,
                          lower=0),
                Parameter(k, self.half_saturation, "cells",
                          f"{prefix}: tumour level for half-maximal replication", self.source,
                          lower=0),
                Parameter(cv, self.clearance, "1/day", f"{prefix}: virus clearance",
                          self.source, lower=0),
            ),
            equations={v: f"{infusion_input} + ({rep}*{tumour}/({k} + {tumour}) - {cv})*{v}"},
            exposure=v,
            dose_state=v,
            exposure_unit="vp",
        )


#: Any PK model (kept as the name modalities are typed with).
PK = AbstractPK
