"""Read a coley model as a reaction network: every additive term of an equation is a reaction.

Rule
----
Each right-hand side is expanded *as written*, with the model's named expressions kept as
symbols, into a sum of terms ``c * m`` (``c`` a number, ``m`` a product of states, parameters,
inputs, named expressions and functions). Terms with the same ``m`` are one reaction, wherever
they appear: ``m`` (with expressions substituted) is its rate in events per day, and the numbers
``c`` in the equations of the states it appears in are its stoichiometry. So

* ``dP/dt = ... - dormancy*P`` and ``dD/dt = dormancy*P - ...`` make one reaction
  ``P -1, D +1`` at rate ``dormancy*P``: a transition moves whole cells, it does not create
  cells in one state and lose others independently in another;
* ``dX/dt = b*X - d*X`` (or ``(b - d)*X``, which expands to it) is a birth ``X +1`` at rate
  ``b*X`` and a death ``X -1`` at rate ``d*X``: demographic noise comes from both;
* a named expression is one rate: ``growth*P`` with ``growth = g*(1 - T/K)`` is one reaction
  (birth while ``growth > 0``; when a rate evaluates negative the reaction runs backwards,
  ``X -1`` at rate ``|growth*P|``). Write births and deaths as separate terms (or separate
  expressions) when they are separate processes;
* ``growth*(1 - mu)*P`` in ``dP`` and ``growth*mu*P`` in ``dV`` give a birth of ``P`` and a
  mutation ``P -1, V +1`` at rate ``growth*mu*P``: the same mean as "a division makes one
  variant daughter with probability mu", and a discrete event.

An ODE does not determine its stochastic process uniquely (Gillespie 2000, J Chem Phys
113:297, discusses the chemical case); this rule is the one coley uses, and the network it
gives can be inspected with :func:`reaction_network` (``print(network)``).

For states that will be counted in whole cells (the ``discrete`` candidates), every reaction's
changes must be whole numbers: a reaction's rate is scaled by the smallest of its changes in
candidate states, so that ``0.5*k*X`` in ``dX`` becomes ``X -1`` at rate ``0.5*k*X``; a change
that is then not a whole number is a :class:`~coley.errors.ModelDefinitionError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from coley.errors import ModelDefinitionError
from coley.model.model import Model


@dataclass(frozen=True)
class Reaction:
    """One reaction: ``rate`` (events/day; expressions substituted) and its state changes.

    ``written`` is the rate as written in the equations (named expressions kept) and
    ``changes`` the pairs (state, change per event), in state order.
    """

    rate: sp.Expr
    written: sp.Expr
    changes: tuple[tuple[str, float], ...]

    def __str__(self) -> str:
        parts = ", ".join(f"{s} {c:+g}" for s, c in self.changes)
        return f"{parts}  at rate  {self.written}"


@dataclass(frozen=True)
class ReactionNetwork:
    """The reactions of a model, and the states that may be counted in whole cells."""

    model_name: str
    state_names: tuple[str, ...]
    candidates: tuple[str, ...]
    reactions: tuple[Reaction, ...]

    def __len__(self) -> int:
        return len(self.reactions)

    def __str__(self) -> str:
        head = (f"{self.model_name}: {len(self.reactions)} reactions; whole-cell candidates: "
                f"{', '.join(self.candidates) or 'none'}")
        return "\n".join([head, *(f"  {r}" for r in self.reactions)])


def reaction_network(model: Model, candidates: Sequence[str]) -> ReactionNetwork:
    """The reactions of ``model`` (see the module docstring for the rule).

    Parameters
    ----------
    model:
        Any coley model; its equations are read as written.
    candidates:
        States that may be counted in whole cells; each reaction's changes in them must be
        whole numbers.
    """
    cands = tuple(s for s in model.state_names if s in set(candidates))
    groups: dict[sp.Expr, dict[str, float]] = {}
    for state in model.state_names:
        expanded = sp.expand(model.parsed_equations[state])
        for term in sp.Add.make_args(expanded):
            if term == 0:
                continue
            coeff, mono = term.as_coeff_Mul()
            if not coeff.is_number:  # pragma: no cover - as_coeff_Mul returns a Number
                coeff, mono = sp.Integer(1), term
            changes = groups.setdefault(mono, {})
            changes[state] = changes.get(state, 0.0) + float(coeff)
    sub = {sp.Symbol(k, real=True): v for k, v in model.expression_values.items()}
    out: list[Reaction] = []
    for mono, changes in groups.items():
        nonzero = {s: c for s, c in changes.items() if c != 0.0}
        if not nonzero:
            continue
        in_cands = [abs(c) for s, c in nonzero.items() if s in cands]
        scale = min(in_cands) if in_cands else 1.0
        scaled = {s: c / scale for s, c in nonzero.items()}
        for s in cands:
            c = scaled.get(s, 0.0)
            if abs(c - round(c)) > 1e-9 * max(1.0, abs(c)):
                raise ModelDefinitionError(
                    f"model {model.name!r}: the term {mono} changes {', '.join(nonzero)} by "
                    f"{', '.join(f'{v:g}' for v in nonzero.values())} per unit rate, which is not "
                    f"a whole number of cells of {s!r} per event. Write the equations so that "
                    "each process moves whole cells, or leave the state out of discrete=..."
                )
            if s in scaled:
                scaled[s] = float(round(c))
        rate = (sp.Float(scale) * mono if scale != 1.0 else mono)
        order = [s for s in model.state_names if s in scaled]
        out.append(Reaction(rate=rate.xreplace(sub), written=rate,
                            changes=tuple((s, scaled[s]) for s in order)))
    return ReactionNetwork(model.name, model.state_names, cands, tuple(out))
