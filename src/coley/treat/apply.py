"""Apply regimens to any model through its hooks: build the treated model and its dose schedule.

For each regimen (with a label used as prefix of everything it adds):

1. its modality's PK (if any) adds states, parameters and an exposure X;
2. each action adds an effect E_i (Emax/Hill of X, or linear) as a named expression and acts on
   its hook: a rate parameter p becomes p*(1 + E_i) or p*(1 - E_i); a state gets -E_i*state;
3. each administration becomes a :class:`~coley.solve.schedule.Jump` (bolus into the PK depot or
   the hooked state, or a surviving fraction) or an :class:`~coley.solve.schedule.Infusion`;
4. each toxicity adds a cumulative-hazard state dH/dt = rate*E_driver.

The result is an ordinary :class:`~coley.model.model.Model`, so everything downstream (simulate,
equilibria, the CLI, SBML export) works on treated models unchanged.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from coley.errors import InvalidArgumentError
from coley.model.components import Citation, Input, Parameter, State
from coley.model.model import Model
from coley.solve.schedule import Infusion as InputInfusion
from coley.solve.schedule import Jump
from coley.treat.catalogue import modality as get_modality
from coley.treat.doses import check_covariates
from coley.treat.effects import AbstractEffect, Treating
from coley.treat.modality import Modality
from coley.treat.pk import PKParts
from coley.treat.regimen import Regimen


@dataclass(frozen=True)
class ToxicityOutput:
    """A toxicity hazard state of a treated model and how to read grades from it."""

    state: str
    regimen: str
    name: str
    severe_fraction: float


@dataclass(frozen=True)
class TreatedModel:
    """A model with regimens applied: the augmented model, its schedule, notes and toxicities."""

    model: Model
    schedule: tuple[Jump | InputInfusion, ...]
    toxicities: tuple[ToxicityOutput, ...]
    notes: tuple[str, ...]
    owners: tuple[str, ...] = ()
    """Label of the regimen each ``schedule`` item comes from (same order)."""


@dataclass(frozen=True, init=False)
class Treatment:
    """Regimens given together to every patient, with the covariates their doses need.

    An :class:`~coley.solve.intervention.Intervention`:
    ``coley.simulate(model, cohort, t_end=365, treatment=Treatment([pembro], covariates=...))``
    applies the regimens with :func:`apply_regimens` (the one way a model is treated) and keeps
    the :class:`TreatedModel`, with its toxicity outputs, as ``result.treatment``.
    """

    regimens: tuple[Regimen, ...]
    covariates: Mapping[str, float | np.ndarray] | None

    def __init__(self, regimens: Regimen | Sequence[Regimen], *,
                 covariates: Mapping[str, float | np.ndarray] | None = None) -> None:
        regs = (regimens,) if isinstance(regimens, Regimen) else tuple(regimens)
        for reg in regs:
            if not isinstance(reg, Regimen):
                raise InvalidArgumentError(
                    f"Treatment: regimens must be Regimen objects, got {reg!r}; build one with "
                    "coley.treat.Regimen(...) or coley.treat.load_regimen(path)."
                )
        check_covariates(covariates)
        object.__setattr__(self, "regimens", regs)
        object.__setattr__(self, "covariates", dict(covariates) if covariates else None)

    def prepare(self, model: Model, *, n: int, t_end: float) -> TreatedModel:
        """The treated model and schedule for ``n`` patients up to day ``t_end``."""
        return apply_regimens(model, self.regimens, covariates=self.covariates, n=n, t_end=t_end)


def _prefix(label: str) -> str:
    p = re.sub(r"\W", "_", label).strip("_") or "rx"
    return p if not p[0].isdigit() else "rx_" + p


def check_units(reg: Regimen, mod: Modality) -> None:
    """Refuse a regimen dosed in a unit its modality does not accept."""
    for phase in reg.phases:
        if phase.dose.unit not in mod.dose_units:
            raise InvalidArgumentError(
                f"Regimen({reg.label!r}): {mod.name} is dosed in "
                f"{' or '.join(mod.dose_units)}, not {phase.dose.unit!r}."
            )


def apply_regimens(model: Model, regimens: Sequence[Regimen], *,
                   covariates: Mapping[str, float | np.ndarray] | None = None, n: int = 1,
                   t_end: float) -> TreatedModel:
    """Apply ``regimens`` to ``model`` for ``n`` patients up to day ``t_end``."""
    if not regimens:
        return TreatedModel(model, (), (), ())
    check_covariates(covariates)
    cov = {k: np.asarray(v, dtype=np.float64) for k, v in (covariates or {}).items()}
    states = list(model.states)
    params = list(model.parameters)
    inputs = list(model.inputs)
    sym = dict(model.symbols)
    eqs: dict[str, sp.Expr | str] = dict(zip(model.state_names, model.rhs, strict=True))
    extra_eqs: dict[str, str] = {}
    expressions: dict[str, str] = {}
    schedule: list[Jump | InputInfusion] = []
    owners: list[str] = []
    toxicities: list[ToxicityOutput] = []
    notes: list[str] = []
    labels: set[str] = set()
    for reg in regimens:
        if not isinstance(reg, Regimen):
            raise InvalidArgumentError(f"regimens must be Regimen objects, got {reg!r}.")
        mod = get_modality(reg.modality)
        check_units(reg, mod)
        prefix = _prefix(reg.label)
        if prefix in labels:
            raise InvalidArgumentError(
                f"two regimens are labelled {reg.label!r}; give each a distinct label=..."
            )
        labels.add(prefix)
        actions: list[tuple[int, AbstractEffect]] = []
        infusion_targets: list[str] = []
        for i, action in enumerate(mod.actions):
            if action.hook not in [h.name for h in model.hooks]:
                if action.optional:
                    notes.append(f"{reg.label}: model {model.name!r} has no hook "
                                 f"{action.hook!r}; that effect ({action.meaning}) is skipped.")
                    continue
                have = ", ".join(h.name for h in model.hooks) or "none"
                raise InvalidArgumentError(
                    f"{mod.name} acts on hook {action.hook!r}, which model {model.name!r} does "
                    f"not expose. Its hooks are: {have}."
                )
            hook = model.hook(action.hook)
            if hook.kind != action.hook_kind:
                raise InvalidArgumentError(
                    f"{mod.name}: hook {action.hook!r} of model {model.name!r} is a {hook.kind} "
                    f"hook, but the action needs a {action.hook_kind} hook."
                )
            actions.append((i, action))
        # --- PK and exposure
        rate_input = f"{prefix}_rate"
        parts: PKParts | None = None
        if mod.pk is not None:
            parts = mod.pk.parts(prefix, rate_input, model)
            pk_unit = mod.pk.amount_unit_of_dose
            if pk_unit is not None and reg.base_unit != pk_unit:
                raise InvalidArgumentError(
                    f"Regimen({reg.label!r}): dose unit {reg.base_unit!r} does not match "
                    f"{mod.name}'s PK amount unit {pk_unit!r}."
                )
            states.extend(parts.states)
            params.extend(parts.parameters)
            extra_eqs.update(parts.equations)
            inputs.append(Input(rate_input, f"{reg.base_unit}/day", f"{reg.label}: infusion rate"))
        # --- effects
        treating = Treating(model, mod.name, reg.label, prefix, reg.base_unit,
                            parts.exposure if parts is not None else None, eqs, sym, params,
                            expressions, infusion_targets)
        effect_names: dict[int, str] = {}
        for i, action in actions:
            name = action.act(treating, i)
            if name is not None:
                effect_names[i] = name
        # --- toxicity
        for tox in mod.toxicity:
            if tox.driver not in effect_names:
                notes.append(f"{reg.label}: toxicity {tox.name} has no driving effect on this "
                             "model; not tracked.")
                continue
            h = f"{prefix}_{tox.name}_H"
            states.append(State(h, 0.0, "1", f"{reg.label}: cumulative {tox.name} hazard"))
            rate = f"{prefix}_{tox.name}_rate"
            params.append(Parameter(rate, tox.rate, "1/day", f"{reg.label}: {tox.name} hazard "
                                    "per unit effect", tox.source, lower=0))
            extra_eqs[h] = f"{rate}*{effect_names[tox.driver]}"
            toxicities.append(ToxicityOutput(h, reg.label, tox.name, tox.severe_fraction))
        # --- administrations (per dose: the PK's, then each effect's in effect order)
        discrete = sorted((a for _, a in actions), key=lambda a: a.order)
        for ev in reg.dose_events(cov or None, n, t_end):
            if parts is not None:
                if ev.duration > 0:
                    schedule.append(InputInfusion(rate_input, ev.amount / ev.duration, ev.time,
                                                  ev.time + ev.duration))
                else:
                    schedule.append(Jump(parts.dose_state, ev.time, ev.amount))
            for a in discrete:
                schedule.extend(a.administer(treating, ev))
        owners.extend([reg.label] * (len(schedule) - len(owners)))
        for target in infusion_targets:
            u = f"{prefix}_{target}_in"
            inputs.append(Input(u, f"{model.state(target).unit}/day",
                                f"{reg.label}: infusion into {target}"))
            eqs[target] = sp.sympify(eqs[target]) + sp.Symbol(u, real=True)
    if not math.isfinite(t_end):
        raise InvalidArgumentError("t_end must be finite.")
    all_eqs: dict[str, sp.Expr | str] = {**eqs, **extra_eqs}
    treated = Model(
        name=model.name, title=model.title + " + " + ", ".join(r.label for r in regimens),
        states=tuple(states), parameters=tuple(params), equations=all_eqs,
        citation=Citation(model.citation.reference, model.citation.doi,
                          model.citation.biomodels_id, model.citation.note),
        inputs=tuple(inputs), expressions=expressions, hooks=model.hooks,
        description=model.description, events=model.events, source_ids=model.source_ids,
        tumour_states=model.tumour_states, readouts=model.readouts,
        hazard_states=model.hazard_states, initial_assignments=model.initial_assignments,
    )
    return TreatedModel(treated, tuple(schedule), tuple(toxicities), tuple(notes),
                        tuple(owners))
