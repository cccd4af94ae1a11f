"""A model: states, parameters, inputs and symbolic equations, validated once when built.

Design
------
Equations are written as strings (or sympy expressions) over the declared names, one right-hand
side per state. Named ``expressions`` are intermediate quantities (a kill term, a fraction) that
the equations may use; they are substituted before differentiation, so the Jacobian is exact.
The symbolic form is the single source for everything downstream: generated numba code
(:mod:`coley.solve.codegen`), the exact Jacobian used by stiff solvers and equilibrium analysis,
rendered equations for ``coley info`` and the docs, and (later) SBML export.

A model never imports a solver; :func:`coley.simulate` joins the two.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import sympy as sp
from sympy.parsing.sympy_parser import parse_expr, standard_transformations

from coley.errors import ModelDefinitionError, suggest, unknown_name
from coley.model.components import (
    Citation,
    Hook,
    Input,
    ModelEvent,
    Parameter,
    Readout,
    State,
    check_name,
)

#: The symbol for time (days) that equations may use.
TIME = sp.Symbol("t", real=True)

#: Kinds of model-event trigger function g: the trigger is true when g >= 0, g > 0 or g == 0
#: (the kernel constants MEV_GE, MEV_GT and MEV_EQ of coley.solve.kernels).
TRIGGER_GE, TRIGGER_GT, TRIGGER_EQ = 0, 1, 2

# Functions an equation may call, by the names users write.
_FUNCTIONS: dict[str, Any] = {
    "exp": sp.exp, "log": sp.log, "ln": sp.log, "sqrt": sp.sqrt, "abs": sp.Abs, "Abs": sp.Abs,
    "min": sp.Min, "max": sp.Max, "Min": sp.Min, "Max": sp.Max, "tanh": sp.tanh, "sin": sp.sin,
    "cos": sp.cos, "Piecewise": sp.Piecewise, "Heaviside": sp.Heaviside, "sign": sp.sign,
    "pi": sp.pi, "Eq": sp.Eq, "Ne": sp.Ne, "Lt": sp.Lt, "Le": sp.Le, "Gt": sp.Gt, "Ge": sp.Ge,
}


@dataclass(frozen=True)
class Model:
    """A deterministic ODE model of the tumour-immune system.

    Parameters
    ----------
    name:
        Short identifier (``kuznetsov1994``), used by the CLI and in outputs.
    title:
        One line saying what the model is.
    states, parameters:
        Declarations with values, units, meanings and sources.
    equations:
        ``{state: right-hand side}``, d(state)/dt in the state's unit per day.
    citation:
        The published source of the model.
    inputs:
        Piecewise-constant external inputs (infusion rates), zero unless scheduled.
    expressions:
        Ordered named intermediates ``{name: expression}`` that equations may use.
    hooks:
        Named mechanisms treatments can act on (see :class:`~coley.model.components.Hook`).
    description:
        Longer notes: assumptions, deviations from the paper, variants.
    events:
        Discontinuities the model declares (:class:`~coley.model.components.ModelEvent`):
        when a trigger becomes true, states are set (a dose at day 45, a reset when a state
        crosses a level). Imported SBML events become these.
    tumour_states:
        States whose sum is the tumour burden (cells), read by diagnosis, response and death
        rules. Empty: the target of the ``tumour_cells`` hook, if the model has one.
    source_ids:
        ``{name: original id}`` for names that differ from the identifier in the model's source
        file (an SBML id such as ``lambda`` or ``t`` that coley cannot use as a name); output
        tables of the command line use the original ids.
    readouts:
        Quantities worth reporting (:class:`~coley.model.components.Readout`: a state or a sum
        of states, its final value or maximum), read by scenario summaries and figures.
    hazard_states:
        States that are cumulative hazards (dimensionless) of a grade >= 3 immune-related
        adverse event the model itself computes; runners add them to the regimens' hazards.
    initial_assignments:
        ``{state: expression}``: initial values computed from parameters (an SBML initial
        assignment, ``A0 * V``); a patient given other parameter values starts from the
        expression evaluated at them, unless the state's initial value is given too. The
        state's declared ``initial`` should be the expression at the default parameters.
    """

    name: str
    title: str
    states: tuple[State, ...]
    parameters: tuple[Parameter, ...]
    equations: Mapping[str, str | sp.Expr]
    citation: Citation
    inputs: tuple[Input, ...] = ()
    expressions: Mapping[str, str | sp.Expr] = field(default_factory=dict)
    hooks: tuple[Hook, ...] = ()
    description: str = ""
    events: tuple[ModelEvent, ...] = ()
    source_ids: Mapping[str, str] = field(default_factory=dict)
    tumour_states: tuple[str, ...] = ()
    readouts: tuple[Readout, ...] = ()
    hazard_states: tuple[str, ...] = ()
    initial_assignments: Mapping[str, str | sp.Expr] = field(default_factory=dict)
    jacobian_block: int = 0
    """When > 0: the states are a base block of this many states followed by blocks of the
    same size whose Jacobian is block lower-triangular with the base block's Jacobian on every
    diagonal block (a forward-sensitivity system); solvers may use the structure."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "states", tuple(self.states))
        object.__setattr__(self, "parameters", tuple(self.parameters))
        object.__setattr__(self, "inputs", tuple(self.inputs))
        object.__setattr__(self, "hooks", tuple(self.hooks))
        object.__setattr__(self, "equations", dict(self.equations))
        object.__setattr__(self, "expressions", dict(self.expressions))
        object.__setattr__(self, "events", tuple(self.events))
        object.__setattr__(self, "source_ids", dict(self.source_ids))
        object.__setattr__(self, "tumour_states", tuple(self.tumour_states))
        object.__setattr__(self, "readouts", tuple(self.readouts))
        object.__setattr__(self, "hazard_states", tuple(self.hazard_states))
        object.__setattr__(self, "initial_assignments", dict(self.initial_assignments))
        self._validate()

    # ------------------------------------------------------------------ validation
    def _fail(self, message: str) -> ModelDefinitionError:
        return ModelDefinitionError(f"model {self.name!r}: {message}")

    def _validate(self) -> None:
        check_name("model", self.name)
        if not self.states:
            raise self._fail("declares no states; a model needs at least one state.")
        block = self.jacobian_block
        if (isinstance(block, bool) or not isinstance(block, int) or block < 0
                or (block and len(self.states) % block)):
            raise self._fail(f"jacobian_block = {block!r} must be 0 or a divisor of the "
                             f"{len(self.states)} states.")
        kinds: dict[str, str] = {}
        groups: list[tuple[str, Iterable[State | Parameter | Input]]] = [
            ("state", self.states), ("parameter", self.parameters), ("input", self.inputs),
        ]
        for kind, items in groups:
            for item in items:
                expected = {"state": State, "parameter": Parameter, "input": Input}[kind]
                if not isinstance(item, expected):
                    raise self._fail(
                        f"{kind}s must be {expected.__name__} objects, got {item!r}."
                    )
                if item.name in kinds:
                    raise self._fail(
                        f"name {item.name!r} is declared twice (as {kinds[item.name]} and as "
                        f"{kind}); give each a unique name."
                    )
                kinds[item.name] = kind
        for name in self.expressions:
            check_name("expression", name, self.name)
            if name in kinds:
                raise self._fail(
                    f"expression name {name!r} is already declared as a {kinds[name]}; rename it."
                )
            kinds[name] = "expression"
        state_names = [s.name for s in self.states]
        for name in self.equations:
            if name not in state_names:
                raise self._fail(
                    f"there is an equation for {name!r}, which is not a state."
                    f"{suggest(name, state_names)} Declare it as a State or remove the equation."
                )
        for name in state_names:
            if name not in self.equations:
                raise self._fail(
                    f"state {name!r} has no equation; add equations[{name!r}] = 'd{name}/dt'."
                )
        seen_hooks: set[str] = set()
        for hook in self.hooks:
            if not isinstance(hook, Hook):
                raise self._fail(f"hooks must be Hook objects, got {hook!r}.")
            if hook.name in seen_hooks:
                raise self._fail(f"hook {hook.name!r} is declared twice; give each a unique name.")
            seen_hooks.add(hook.name)
            wanted = "parameter" if hook.kind == "rate" else "state"
            if kinds.get(hook.target) != wanted:
                names = [n for n, k in kinds.items() if k == wanted]
                raise self._fail(
                    f"hook {hook.name!r} of kind {hook.kind!r} targets {hook.target!r}, which is "
                    f"not a {wanted}.{suggest(hook.target, names)}"
                )
        seen_events: set[str] = set()
        for event in self.events:
            if not isinstance(event, ModelEvent):
                raise self._fail(f"events must be ModelEvent objects, got {event!r}.")
            if event.name in seen_events:
                raise self._fail(
                    f"event {event.name!r} is declared twice; give each a unique name."
                )
            seen_events.add(event.name)
            for target in event.assignments:
                if kinds.get(target) != "state":
                    what = f"a {kinds[target]}" if target in kinds else "not declared"
                    raise self._fail(
                        f"event {event.name!r} assigns {target!r}, which is {what}; events can "
                        f"only set states.{suggest(target, state_names)} (A quantity an event "
                        "changes is a state, with equation 0 if nothing else changes it.)"
                    )
        for name, original in self.source_ids.items():
            if name not in kinds or not isinstance(original, str):
                raise self._fail(
                    f"source_ids maps {name!r} to {original!r}; keys must be declared names "
                    "and values strings."
                )
        state_names = [s.name for s in self.states]
        for name in self.tumour_states:
            if name not in state_names:
                raise self._fail(
                    f"tumour_states names {name!r}, which is not a state."
                    f"{suggest(name, state_names)} List the states summed into the tumour "
                    "burden."
                )
        for r in self.readouts:
            if not isinstance(r, Readout):
                raise self._fail(f"readouts must be Readout objects, got {r!r}.")
            for name in r.states:
                if name not in state_names:
                    raise self._fail(
                        f"readout {r.name!r} names {name!r}, which is not a state."
                        f"{suggest(name, state_names)}"
                    )
        if len({r.name for r in self.readouts}) != len(self.readouts):
            raise self._fail("two readouts share a name; give each a unique name.")
        for name in self.hazard_states:
            if name not in state_names:
                raise self._fail(f"hazard_states names {name!r}, which is not a state."
                                 f"{suggest(name, state_names)}")
        for name in self.initial_assignments:
            if name not in state_names:
                raise self._fail(
                    f"initial_assignments sets {name!r}, which is not a state."
                    f"{suggest(name, state_names)} Initial assignments give states' initial "
                    "values from parameters."
                )
        # Parsing checks every symbol and every expression once.
        _ = self.initial_expressions
        _ = self.rhs
        _ = self.event_code

    # ------------------------------------------------------------------ names and values
    @property
    def state_names(self) -> tuple[str, ...]:
        """State names, in the order of the state vector."""
        return tuple(s.name for s in self.states)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Parameter names, in the order of the parameter vector."""
        return tuple(p.name for p in self.parameters)

    @property
    def input_names(self) -> tuple[str, ...]:
        """Input names, in the order of the input vector."""
        return tuple(u.name for u in self.inputs)

    @property
    def burden_states(self) -> tuple[str, ...]:
        """States summed into the tumour burden (cells): ``tumour_states``, else the target of
        the ``tumour_cells`` hook; empty when the model declares neither."""
        if self.tumour_states:
            return self.tumour_states
        return tuple(h.target for h in self.hooks if h.name == "tumour_cells")

    def hook(self, name: str) -> Hook:
        """The declared hook ``name`` (the error lists the hooks the model has)."""
        for h in self.hooks:
            if h.name == name:
                return h
        raise unknown_name("hook", name, [h.name for h in self.hooks],
                           where=f"model {self.name!r}")

    def parameter(self, name: str) -> Parameter:
        """The declared parameter ``name``."""
        for p in self.parameters:
            if p.name == name:
                return p
        raise unknown_name("parameter", name, self.parameter_names, where=f"model {self.name!r}")

    def state(self, name: str) -> State:
        """The declared state ``name``."""
        for s in self.states:
            if s.name == name:
                return s
        raise unknown_name("state", name, self.state_names, where=f"model {self.name!r}")

    def parameter_values(self) -> np.ndarray:
        """Default parameter vector (float64)."""
        return np.array([p.value for p in self.parameters], dtype=np.float64)

    def initial_values(self) -> np.ndarray:
        """Default initial state vector (float64)."""
        return np.array([s.initial for s in self.states], dtype=np.float64)

    def with_values(self, values: Mapping[str, float] | None = None, /, **kwargs: float) -> Model:
        """A copy whose defaults are changed: each name is a parameter or a state's initial value.

        ``model.with_values(c=0.04, T=1e6)`` sets parameter ``c`` and the initial ``T``.
        Values are checked against the declared bounds.
        """
        changes = {**(values or {}), **kwargs}
        params = {p.name: p for p in self.parameters}
        states = {s.name: s for s in self.states}
        for key, value in changes.items():
            if key in params:
                params[key] = params[key].with_value(value, model=self.name)
            elif key in states:
                states[key] = states[key].with_initial(value, model=self.name)
            else:
                raise unknown_name(
                    "parameter or state", key, [*params, *states], where=f"model {self.name!r}"
                )
        # a state given a value no longer follows its initial assignment; the others follow
        # the new parameter values
        assigned = {k: v for k, v in self.initial_assignments.items() if k not in changes}
        updated = replace(self, parameters=tuple(params.values()), initial_assignments=assigned)
        follow = updated.assigned_initial_values(updated.parameter_values())
        for key, column in follow.items():
            states[key] = states[key].with_initial(float(column[0]), model=self.name)
        return replace(updated, states=tuple(states.values()))

    # ------------------------------------------------------------------ symbolic form
    @cached_property
    def symbols(self) -> dict[str, sp.Symbol]:
        """The sympy symbol of every state, parameter and input (all real)."""
        names = [*self.state_names, *self.parameter_names, *self.input_names]
        return {n: sp.Symbol(n, real=True) for n in names}

    def _parse(self, text: str | sp.Expr, where: str, known: Mapping[str, Any]) -> sp.Expr:
        if isinstance(text, sp.Expr):
            expr = text
        elif isinstance(text, int | float) and not isinstance(text, bool):
            if not math.isfinite(text):
                raise self._fail(f"{where} is {text}; give a finite expression.")
            expr = sp.Float(text)
        elif isinstance(text, str):
            local = {**_FUNCTIONS, **known, "t": TIME}
            try:
                expr = parse_expr(text, local_dict=local, transformations=standard_transformations,
                                  evaluate=True)
            except Exception as exc:  # sympy raises many kinds; re-raise as one clear error
                raise self._fail(
                    f"{where} cannot be parsed: {text!r} ({type(exc).__name__}: {exc}). "
                    "Write a Python arithmetic expression over the declared names."
                ) from None
        else:
            raise self._fail(f"{where} must be a string or sympy expression, got {text!r}.")
        if not isinstance(expr, sp.Expr):
            raise self._fail(f"{where} is not an arithmetic expression: {text!r}.")
        if expr.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            raise self._fail(f"{where} evaluates to a non-finite constant: {text!r}.")
        return self._bind_symbols(expr, where, known)

    def _bind_symbols(self, obj: Any, where: str, known: Mapping[str, Any]) -> Any:
        """``obj`` with every free symbol checked against the declared names (and ``t``) and
        replaced by the model's real-valued symbol."""
        allowed = {*known, "t"}
        for sym in sorted(obj.free_symbols, key=str):
            if str(sym) not in allowed:
                raise self._fail(
                    f"{where} uses undefined symbol {str(sym)!r}.{suggest(str(sym), allowed)} "
                    "Declare it as a parameter, state, input or expression."
                )
        return obj.xreplace({s: known[str(s)] for s in obj.free_symbols if str(s) in known
                             and isinstance(known[str(s)], sp.Symbol)})

    def _parse_condition(self, text: Any, where: str, known: Mapping[str, Any]) -> Any:
        """A trigger condition (sympy Boolean) over the declared names and ``t``."""
        if isinstance(text, str):
            local = {**_FUNCTIONS, **known, "t": TIME}
            try:
                cond = parse_expr(text, local_dict=local,
                                  transformations=standard_transformations, evaluate=True)
            except Exception as exc:  # sympy raises many kinds; re-raise as one clear error
                raise self._fail(
                    f"{where} cannot be parsed: {text!r} ({type(exc).__name__}: {exc}). Write "
                    "a comparison such as 't >= 45' or 'T < 1', combined with & | ~ (not "
                    "'and', 'or', 'not')."
                ) from None
        elif isinstance(text, bool):
            cond = sp.true if text else sp.false
        else:
            cond = text
        if not isinstance(cond, sp.logic.boolalg.Boolean):
            raise self._fail(f"{where} is not a condition (a comparison): {text!r}.")
        return self._bind_symbols(cond, where, known)

    @cached_property
    def parsed_expressions(self) -> dict[str, sp.Expr]:
        """Each named expression as written, over states, parameters, inputs, earlier ones."""
        known: dict[str, Any] = dict(self.symbols)
        out: dict[str, sp.Expr] = {}
        for name, text in self.expressions.items():
            out[name] = self._parse(text, f"expression {name!r}", {**known, **{
                k: sp.Symbol(k, real=True) for k in out}})
        return out

    @cached_property
    def expression_values(self) -> dict[str, sp.Expr]:
        """Each named expression, fully expanded in states, parameters and inputs."""
        out: dict[str, sp.Expr] = {}
        for name, expr in self.parsed_expressions.items():
            out[name] = expr.xreplace({sp.Symbol(k, real=True): v for k, v in out.items()})
        return out

    @cached_property
    def parsed_equations(self) -> dict[str, sp.Expr]:
        """Each right-hand side as written (named expressions kept as symbols), by state."""
        known: dict[str, Any] = {**self.symbols,
                                 **{k: sp.Symbol(k, real=True) for k in self.expressions}}
        return {s: self._parse(self.equations[s], f"equation for {s!r}", known)
                for s in self.state_names}

    @cached_property
    def initial_expressions(self) -> dict[str, sp.Expr]:
        """Each initial assignment as an expression of parameters only (by state)."""
        known = {n: self.symbols[n] for n in self.parameter_names}
        out = {}
        for name, text in self.initial_assignments.items():
            expr = self._parse(text, f"initial assignment to {name!r}", known)
            out[name] = expr
        return out

    @cached_property
    def _initial_functions(self) -> dict[str, Any]:
        symbols = [self.symbols[n] for n in self.parameter_names]
        return {name: sp.lambdify(symbols, expr, modules="numpy")
                for name, expr in self.initial_expressions.items()}

    def assigned_initial_values(self, parameters: np.ndarray) -> dict[str, np.ndarray]:
        """Initial values of the states with initial assignments, for each row of
        ``parameters`` (N, P): ``{state: (N,) values}``."""
        P = np.atleast_2d(np.asarray(parameters, dtype=np.float64))
        cols = [P[:, j] for j in range(P.shape[1])]
        with np.errstate(all="ignore"):
            return {name: np.broadcast_to(np.asarray(f(*cols), dtype=np.float64),
                                          (P.shape[0],)).copy()
                    for name, f in self._initial_functions.items()}

    @cached_property
    def rhs(self) -> tuple[sp.Expr, ...]:
        """Right-hand sides d(state)/dt in state order, with expressions substituted."""
        sub = {sp.Symbol(k, real=True): v for k, v in self.expression_values.items()}
        return tuple(self.parsed_equations[s].xreplace(sub) for s in self.state_names)

    @cached_property
    def parsed_events(self) -> list[tuple[Any, dict[str, sp.Expr]]]:
        """Each event's trigger and assignments as written (named expressions kept)."""
        known: dict[str, Any] = {**self.symbols,
                                 **{k: sp.Symbol(k, real=True) for k in self.expressions}}
        out = []
        for ev in self.events:
            where = f"event {ev.name!r}"
            cond = self._parse_condition(ev.trigger, f"trigger of {where}", known)
            values = {target: self._parse(text, f"assignment to {target!r} in {where}", known)
                      for target, text in ev.assignments.items()}
            out.append((cond, values))
        return out

    @cached_property
    def event_code(self) -> list[EventCode]:
        """Each event as the kernels see it: trigger function, kind, time, assignments."""
        sub = {sp.Symbol(k, real=True): v for k, v in self.expression_values.items()}
        params = {self.symbols[n] for n in self.parameter_names}
        out = []
        for ev, (cond, values) in zip(self.events, self.parsed_events, strict=True):
            cond = cond.xreplace(sub)
            g, kind = _trigger_function(cond, f"model {self.name!r}: event {ev.name!r}")
            time = None
            slope = sp.diff(g, TIME)
            if g.has(TIME) and g.free_symbols <= params | {TIME} and slope.is_number \
                    and float(slope) == 1.0:
                # g = t - c: kernels stop at c instead of searching for the crossing
                c = sp.expand(TIME - g)
                time = None if c.has(TIME) else c
            assign = [(self.state_names.index(target), expr.xreplace(sub))
                      for target, expr in values.items()]
            out.append(EventCode(ev.name, g, kind, time, assign, cond))
        return out

    @cached_property
    def jacobian(self) -> sp.Matrix:
        """The exact Jacobian d(rhs_i)/d(state_j)."""
        ys = [self.symbols[s] for s in self.state_names]
        return sp.Matrix(self.rhs).jacobian(ys)

    @cached_property
    def block_jacobian(self) -> sp.Matrix:
        """d(rhs_i)/d(state_j) for the base block's states j only (:attr:`jacobian_block`
        columns): with the block structure, the rest of the Jacobian is zero or a copy of its
        first rows."""
        ys = [self.symbols[s] for s in self.state_names[:self.jacobian_block]]
        return sp.Matrix(self.rhs).jacobian(ys)

    @cached_property
    def _time_switches(self) -> tuple[list[sp.Expr], list[sp.Expr]]:
        """Conditions of the equations that depend on time and parameters only: the switch
        times c of linear ones (t >= c, t < c, Eq(t, c), Heaviside(t - c), ...) and the
        functions g(t) of the others (periodic doses written with floor or rem)."""
        params = {self.symbols[n] for n in self.parameter_names} | {TIME}
        times: list[sp.Expr] = []
        functions: list[sp.Expr] = []
        seen: set[sp.Expr] = set()
        for expr in self.rhs:
            if not expr.has(TIME):
                continue
            args = [r.lhs - r.rhs for r in expr.atoms(sp.core.relational.Relational)]
            args += [h.args[0] for h in expr.atoms(sp.Heaviside)]
            for g in args:
                if not (g.has(TIME) and g.free_symbols <= params) or g in seen:
                    continue
                seen.add(g)
                slope = sp.diff(g, TIME)
                if slope.has(TIME) or slope.has(sp.Derivative) or not slope.free_symbols \
                        <= params or g.has(sp.floor, sp.ceiling, sp.Piecewise):
                    functions.append(g)
                    continue
                if slope.is_number and float(slope) == 0.0:
                    continue
                c = sp.expand(TIME - g / slope)
                if not c.has(TIME) and c not in times:
                    times.append(c)
        return times, functions

    @property
    def breakpoints(self) -> list[sp.Expr]:
        """Times at which the right-hand side switches: ``c`` for every condition ``t >= c``,
        ``t < c``, ``Eq(t, c)``, ... (and Heaviside(t - c)) in the equations, where c depends on
        parameters only. The integrator stops exactly at each, so that no step straddles a
        switch (a dose given as a short pulse cannot be stepped over)."""
        return self._time_switches[0]

    @property
    def switch_functions(self) -> list[sp.Expr]:
        """Other conditions of time (and parameters) in the equations, as functions g(t) whose
        sign change is a switch (e.g. rem(t, 120) - 10 for a 10-h dose every 120 h). Before
        each step the integrator samples them and stops at the first sign change ahead."""
        return self._time_switches[1]

    @property
    def uses_time(self) -> bool:
        """Whether an equation depends explicitly on time ``t``."""
        return any(e.has(TIME) for e in self.rhs)

    # ------------------------------------------------------------------ rendering
    def equations_text(self) -> list[str]:
        """One line per state, ``dX/dt = ...``, as written (expressions kept by name)."""
        lines = [f"{name} = {self.expressions[name]}" for name in self.expressions]
        lines += [f"d{s}/dt = {self.equations[s]}" for s in self.state_names]
        return lines

    def equations_latex(self) -> list[str]:
        """LaTeX of each ``dX/dt`` with expressions substituted."""
        return [
            rf"\frac{{d{sp.latex(self.symbols[s])}}}{{dt}} = {sp.latex(e)}"
            for s, e in zip(self.state_names, self.rhs, strict=True)
        ]

    def __repr__(self) -> str:
        return (f"Model({self.name!r}, states={list(self.state_names)}, "
                f"parameters={len(self.parameters)}, citation={self.citation.reference!r})")


@dataclass(frozen=True)
class EventCode:
    """A model event as the kernels see it.

    ``condition`` is the trigger; ``g`` a continuous function whose sign change locates it in
    time (``kind``: an approximation of the trigger by g >= 0, g > 0, or for an equality
    g == 0); ``time`` the firing time c(parameters) when g = t - c (else None), and
    ``assignments`` pairs of (state index, new value), all with expressions substituted.
    """

    name: str
    g: sp.Expr
    kind: int
    time: sp.Expr | None
    assignments: list[tuple[int, sp.Expr]]
    condition: Any = None


def _trigger_function(cond: Any, where: str) -> tuple[sp.Expr, int]:
    """A continuous function g and kind whose sign gives the truth of the condition."""
    if cond is sp.true:
        return sp.Integer(1), TRIGGER_GE
    if cond is sp.false:
        return sp.Integer(-1), TRIGGER_GE
    if isinstance(cond, sp.StrictGreaterThan):
        return cond.lhs - cond.rhs, TRIGGER_GT
    if isinstance(cond, sp.GreaterThan):
        return cond.lhs - cond.rhs, TRIGGER_GE
    if isinstance(cond, sp.StrictLessThan):
        return cond.rhs - cond.lhs, TRIGGER_GT
    if isinstance(cond, sp.LessThan):
        return cond.rhs - cond.lhs, TRIGGER_GE
    if isinstance(cond, sp.Equality):
        return cond.lhs - cond.rhs, TRIGGER_EQ
    if isinstance(cond, sp.And | sp.Or):
        parts = [_trigger_function(a, where) for a in cond.args]
        if any(kind == TRIGGER_EQ for _, kind in parts):
            raise ModelDefinitionError(
                f"{where}: the trigger {cond} combines an equality with & or |, which coley "
                "cannot locate in time; write the equality as its own event."
            )
        gs = [g for g, _ in parts]
        g = sp.Min(*gs) if isinstance(cond, sp.And) else sp.Max(*gs)
        strict = any(kind == TRIGGER_GT for _, kind in parts)
        return g, TRIGGER_GT if strict else TRIGGER_GE
    if isinstance(cond, sp.Not):
        g, kind = _trigger_function(cond.args[0], where)
        if kind == TRIGGER_EQ:
            raise ModelDefinitionError(
                f"{where}: the trigger {cond} (not equal) is true almost always and cannot "
                "become true at a located time; rewrite it as a comparison."
            )
        return -g, TRIGGER_GE if kind == TRIGGER_GT else TRIGGER_GT
    raise ModelDefinitionError(
        f"{where}: the trigger {cond} ({type(cond).__name__}) is not supported; use "
        "comparisons (<, <=, >, >=, Eq) combined with &, | and ~."
    )
