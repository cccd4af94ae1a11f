"""A model: states, parameters, inputs and symbolic equations, validated once when built.

Design
------
Equations are written as strings (or sympy expressions) over the declared names, one right-hand
side per state. Named ``expressions`` are intermediate quantities (a kill term, a fraction) that
the equations may use; they are substituted before differentiation, so the Jacobian is exact.
The symbolic form is the single source for everything downstream: generated numba code
(:mod:`coley.model.codegen`), the exact Jacobian used by stiff solvers and equilibrium analysis,
rendered equations for ``coley info`` and the docs, and (later) SBML export.

A model never imports a solver; :func:`coley.simulate` joins the two.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import sympy as sp
from sympy.parsing.sympy_parser import parse_expr, standard_transformations

from coley.errors import ModelDefinitionError, suggest, unknown_name
from coley.model.components import Citation, Hook, Input, Parameter, State, check_name

#: The symbol for time (days) that equations may use.
TIME = sp.Symbol("t", real=True)

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

    def __post_init__(self) -> None:
        object.__setattr__(self, "states", tuple(self.states))
        object.__setattr__(self, "parameters", tuple(self.parameters))
        object.__setattr__(self, "inputs", tuple(self.inputs))
        object.__setattr__(self, "hooks", tuple(self.hooks))
        object.__setattr__(self, "equations", dict(self.equations))
        object.__setattr__(self, "expressions", dict(self.expressions))
        self._validate()

    # ------------------------------------------------------------------ validation
    def _fail(self, message: str) -> ModelDefinitionError:
        return ModelDefinitionError(f"model {self.name!r}: {message}")

    def _validate(self) -> None:
        check_name("model", self.name)
        if not self.states:
            raise self._fail("declares no states; a model needs at least one state.")
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
        # Parsing checks every symbol and every expression once.
        _ = self.rhs

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
        return Model(
            name=self.name, title=self.title, states=tuple(states.values()),
            parameters=tuple(params.values()), equations=self.equations, citation=self.citation,
            inputs=self.inputs, expressions=self.expressions, hooks=self.hooks,
            description=self.description,
        )

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
        allowed = {*known, "t"}
        for sym in sorted(expr.free_symbols, key=str):
            if str(sym) not in allowed:
                raise self._fail(
                    f"{where} uses undefined symbol {str(sym)!r}.{suggest(str(sym), allowed)} "
                    "Declare it as a parameter, state, input or expression."
                )
        if expr.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            raise self._fail(f"{where} evaluates to a non-finite constant: {text!r}.")
        # Replace user symbols by the model's real-valued symbols.
        return expr.xreplace({s: known[str(s)] for s in expr.free_symbols if str(s) in known
                              and isinstance(known[str(s)], sp.Symbol)})

    @cached_property
    def expression_values(self) -> dict[str, sp.Expr]:
        """Each named expression, fully expanded in states, parameters and inputs."""
        known: dict[str, Any] = dict(self.symbols)
        out: dict[str, sp.Expr] = {}
        for name, text in self.expressions.items():
            expr = self._parse(text, f"expression {name!r}", {**known, **{
                k: sp.Symbol(k, real=True) for k in out}})
            expr = expr.xreplace({sp.Symbol(k, real=True): v for k, v in out.items()})
            out[name] = expr
        return out

    @cached_property
    def rhs(self) -> tuple[sp.Expr, ...]:
        """Right-hand sides d(state)/dt in state order, with expressions substituted."""
        inter = self.expression_values
        known: dict[str, Any] = {**self.symbols, **{k: sp.Symbol(k, real=True) for k in inter}}
        sub = {sp.Symbol(k, real=True): v for k, v in inter.items()}
        return tuple(
            self._parse(self.equations[s], f"equation for {s!r}", known).xreplace(sub)
            for s in self.state_names
        )

    @cached_property
    def jacobian(self) -> sp.Matrix:
        """The exact Jacobian d(rhs_i)/d(state_j)."""
        ys = [self.symbols[s] for s in self.state_names]
        return sp.Matrix(self.rhs).jacobian(ys)

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

    def compile(self) -> Any:
        """Generate and JIT-compile fast code for this model (cached on disk and per model)."""
        cached = self.__dict__.get("_compiled")
        if cached is None:
            from coley.model.codegen import compile_model

            cached = compile_model(self)
            self.__dict__["_compiled"] = cached
        return cached

    def __repr__(self) -> str:
        return (f"Model({self.name!r}, states={list(self.state_names)}, "
                f"parameters={len(self.parameters)}, citation={self.citation.reference!r})")


def parameter_table(model: Model) -> list[dict[str, Any]]:
    """Rows (name, value, unit, bounds, meaning, source) for display and export."""
    return [
        {"name": p.name, "value": p.value, "unit": p.unit, "lower": p.lower, "upper": p.upper,
         "meaning": p.meaning, "source": p.source}
        for p in model.parameters
    ]


def state_table(model: Model) -> list[dict[str, Any]]:
    """Rows (name, initial, unit, meaning, source) for display and export."""
    return [
        {"name": s.name, "initial": s.initial, "unit": s.unit, "meaning": s.meaning,
         "source": s.source}
        for s in model.states
    ]


def names_of(items: Sequence[State | Parameter | Input]) -> list[str]:
    """The names of declarations, in order."""
    return [i.name for i in items]
