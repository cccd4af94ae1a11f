"""Forward sensitivity equations, generated symbolically as an ordinary coley model.

For the model dx/dt = f(t, x, p) and directions d (model parameters p_j, or initial values
x0_i), the sensitivities s_d = dx/dd solve

    ds_d/dt = J(t, x, p) s_d + df/dp_j      (parameter direction p_j; 0 for initial values)

with s_d(0) = dx0/dp_j (the model's initial assignments) or the unit vector e_i. The augmented
system [x, s_1, ..., s_D] is a :class:`~coley.model.model.Model`, so it is integrated by the
same compiled kernels (error control over states and sensitivities, the exact Jacobian of the
augmented system, lanes) as any model.

Discontinuities carry the sensitivities across:

* scheduled jumps (:class:`~coley.solve.schedule.Jump`) at fixed times: adding a constant
  leaves s unchanged, multiplying x_i by c multiplies s_i by c, setting x_i sets s_i to 0;
* model events with trigger g(t, x, p) and assignments x_i <- a_i(x, p) at time tau:
  dtau/dd = -(g_x s + g_d) / (g_x f^- + g_t), and
  s_i^+ = a_i,x (s^- + f^- dtau) + a_i,d - f_i^+ dtau for assigned states,
  s_i^+ = s_i^- + (f_i^- - f_i^+) dtau for the others (f^+ = f(t, a(x^-), p)); an event that
  fires at a fixed time has dtau = 0. (Rules for sensitivities at discontinuities: e.g.
  Rozenvasser 1967; Fröhlich et al. 2017, PLoS Comput Biol 13:e1005331, Sec. 2.3.)

Names: the sensitivity of state ``x`` along direction ``d`` is the state ``S__x__d``; the
direction of the initial value of ``x`` is named ``x0__x``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import sympy as sp

from coley.errors import InvalidArgumentError, suggest
from coley.model.components import ModelEvent, State
from coley.model.model import TIME, Model
from coley.solve.schedule import Infusion, Jump


def sensitivity_name(state: str, direction: str) -> str:
    """The augmented model's state holding d(state)/d(direction)."""
    return f"S__{state}__{direction}"


def initial_direction(state: str) -> str:
    """The direction name of the initial value of ``state``."""
    return f"x0__{state}"


def _no_delta(expr: sp.Expr) -> sp.Expr:
    """``expr`` without Dirac deltas (derivatives of switches in time: zero between switches)."""
    if expr.has(sp.DiracDelta):
        return expr.replace(sp.DiracDelta, lambda *args: sp.Integer(0))
    return expr


def _product(jac: sp.Expr, sens: sp.Symbol, states: list[sp.Symbol]) -> sp.Expr:
    """``jac * sens``, and exactly 0 where ``sens`` is 0 when ``jac`` is not a polynomial in
    the states: a Jacobian entry can be NaN or infinite where a state is 0 (de Pillis 2005's
    (T/L)^l at L = 0), while the sensitivity it multiplies is 0 there."""
    term = jac * sens
    if jac.is_polynomial(*states):
        return term
    return sp.Piecewise((sp.Integer(0), sp.Eq(sens, 0)), (term, True))


@dataclass(frozen=True)
class SensitivityModel:
    """The model ``base`` with forward sensitivities along ``parameters`` (model parameter
    names) and the initial values of ``initial_states``; ``model`` is the augmented model."""

    base: Model
    parameters: tuple[str, ...]
    initial_states: tuple[str, ...]
    model: Model

    @property
    def directions(self) -> tuple[str, ...]:
        """Direction names: the parameters, then ``x0__{state}`` for the initial values."""
        return (*self.parameters, *(initial_direction(s) for s in self.initial_states))

    @cached_property
    def index(self) -> np.ndarray:
        """``index[i, j]``: position in the augmented state vector of d(state i)/d(direction j)."""
        names = self.model.state_names
        return np.array([[names.index(sensitivity_name(s, d)) for d in self.directions]
                         for s in self.base.state_names], dtype=np.int64)

    @cached_property
    def _initial_derivatives(self) -> dict[tuple[str, str], object]:
        """d(initial assignment of state)/d(parameter), as numpy functions of the parameters."""
        symbols = [self.base.symbols[n] for n in self.base.parameter_names]
        out: dict[tuple[str, str], object] = {}
        for state, expr in self.base.initial_expressions.items():
            for p in self.parameters:
                d = sp.diff(expr, self.base.symbols[p])
                if d != 0:
                    out[(state, p)] = sp.lambdify(symbols, d, modules="numpy")
        return out

    def initial_sensitivities(self, parameters: np.ndarray,
                              follows: Mapping[str, np.ndarray]) -> np.ndarray:
        """Initial sensitivities (N, states, directions) for subjects with model parameter
        rows ``parameters`` (N, P); ``follows[state]`` (N,) is True where the state starts
        from its initial assignment (not set by the subject's settings)."""
        P = np.atleast_2d(np.asarray(parameters, dtype=np.float64))
        n = P.shape[0]
        S0 = np.zeros((n, len(self.base.states), len(self.directions)))
        cols = [P[:, j] for j in range(P.shape[1])]
        snames = self.base.state_names
        for (state, p), f in self._initial_derivatives.items():
            mask = np.broadcast_to(np.asarray(follows.get(state, True), dtype=bool), (n,))
            value = np.broadcast_to(np.asarray(f(*cols), dtype=np.float64), (n,))  # type: ignore[operator]
            S0[:, snames.index(state), self.parameters.index(p)] = np.where(mask, value, 0.0)
        for k, state in enumerate(self.initial_states):
            S0[:, snames.index(state), len(self.parameters) + k] = 1.0
        return S0

    def schedule(self, items: Sequence[Jump | Infusion]) -> list[Jump | Infusion]:
        """``items`` with the jumps of the sensitivities they cause (see the module notes)."""
        out: list[Jump | Infusion] = list(items)
        for item in items:
            if not isinstance(item, Jump) or item.op == "add":
                continue
            for d in self.directions:
                name = sensitivity_name(item.state, d)
                if item.op == "multiply":
                    out.append(Jump(name, item.times, item.amount, op="multiply"))
                else:
                    out.append(Jump(name, item.times, 0.0, op="set"))
        return out


def sensitivity_model(model: Model, parameters: Sequence[str] = (),
                      initial_states: Sequence[str] = ()) -> SensitivityModel:
    """``model`` with forward sensitivities along the model parameters ``parameters`` and the
    initial values of ``initial_states`` (see the module docstring)."""
    params = tuple(dict.fromkeys(parameters))
    inits = tuple(dict.fromkeys(initial_states))
    for p in params:
        if p not in model.parameter_names:
            raise InvalidArgumentError(f"sensitivity_model: {p!r} is not a parameter of model "
                                       f"{model.name!r}.{suggest(p, model.parameter_names)}")
    for s in inits:
        if s not in model.state_names:
            raise InvalidArgumentError(f"sensitivity_model: {s!r} is not a state of model "
                                       f"{model.name!r}.{suggest(s, model.state_names)}")
    directions = (*params, *(initial_direction(s) for s in inits))
    if not directions:
        raise InvalidArgumentError("sensitivity_model: give at least one parameter or state.")
    sym = model.symbols
    xs = [sym[s] for s in model.state_names]
    f = sp.Matrix(model.rhs)
    J = model.jacobian
    S = sp.Matrix([[sp.Symbol(sensitivity_name(s, d), real=True) for d in directions]
                   for s in model.state_names])
    equations: dict[str, sp.Expr] = dict(zip(model.state_names, model.rhs, strict=True))
    states: list[State] = list(model.states)
    for j, d in enumerate(directions):
        df = (f.diff(sym[d]) if j < len(params) else sp.zeros(len(xs), 1))
        for i, s in enumerate(model.state_names):
            name = sensitivity_name(s, d)
            equations[name] = _no_delta(sum((_product(J[i, k], S[k, j], xs)
                                             for k in range(len(xs)) if J[i, k] != 0),
                                            sp.Integer(0)) + df[i])
            states.append(State(name, 0.0, f"({model.state(s).unit})/({d})",
                                f"d({s})/d({d}), forward sensitivity", lower=None))
    events = _events(model, S, directions, params) + _switch_events(model, S, directions,
                                                                     params)
    augmented = replace(
        model, name=f"{model.name}_sens", title=f"{model.title} with forward sensitivities",
        states=tuple(states), equations=equations, expressions={}, events=tuple(events),
        initial_assignments=dict(model.initial_assignments), readouts=(), hooks=(),
        jacobian_block=len(model.states),
    )
    return SensitivityModel(model, params, inits, augmented)


def _events(model: Model, S: sp.Matrix, directions: tuple[str, ...],
            params: tuple[str, ...]) -> list[ModelEvent]:
    """The model's events, each also setting the sensitivities (module notes)."""
    if not model.events:
        return []
    sym = model.symbols
    xs = [sym[s] for s in model.state_names]
    f = sp.Matrix(model.rhs)
    out = []
    for ev, code in zip(model.events, model.event_code, strict=True):
        assigned = dict(code.assignments)  # state index -> value
        after = {xs[i]: v for i, v in assigned.items()}
        f_plus = f.xreplace(after) if after else f
        g = code.g
        fixed_time = not (g.free_symbols & set(xs)) and not any(
            g.has(sym[p]) for p in params)
        assignments: dict[str, sp.Expr] = {model.state_names[i]: v for i, v in assigned.items()}
        for j, d in enumerate(directions):
            s_col = S[:, j]
            if fixed_time:
                dtau: sp.Expr = sp.Integer(0)
            else:
                gx = sp.Matrix([[sp.diff(g, x) for x in xs]])
                gd = sp.diff(g, sym[d]) if j < len(params) else sp.Integer(0)
                denom = (gx * f)[0, 0] + sp.diff(g, TIME)
                dtau = -((gx * s_col)[0, 0] + gd) / denom
            for i, s in enumerate(model.state_names):
                name = sensitivity_name(s, d)
                if i in assigned:
                    a = assigned[i]
                    ax = sp.Matrix([[sp.diff(a, x) for x in xs]])
                    ad = sp.diff(a, sym[d]) if j < len(params) else sp.Integer(0)
                    value = (ax * (s_col + f * dtau))[0, 0] + ad - f_plus[i] * dtau
                elif dtau != 0:
                    value = s_col[i] + (f[i] - f_plus[i]) * dtau
                else:
                    continue
                assignments[name] = value
        out.append(ModelEvent(ev.name, code.condition, assignments, priority=ev.priority,
                              persistent=ev.persistent, initial_value=ev.initial_value,
                              use_values_from_trigger_time=ev.use_values_from_trigger_time))
    return out


def _switch_events(model: Model, S: sp.Matrix, directions: tuple[str, ...],
                   params: tuple[str, ...]) -> list[ModelEvent]:
    """Events at the right-hand side's switch times c(p) that depend on a direction: there
    s^+ = s^- + (f^- - f^+) dc/dp, with f^- and f^+ the right-hand sides just before and just
    after c (a treatment that starts at a fitted time, Stein et al.'s growth phase end)."""
    sym = model.symbols
    f = sp.Matrix(model.rhs)
    delta = sp.Symbol("coley_switch_delta", positive=True)
    out = []
    for k, c in enumerate(model.breakpoints):
        moving = [j for j, p in enumerate(params) if c.has(sym[p])]
        if not moving:
            continue
        left = f.xreplace({TIME: c - delta}).applyfunc(
            lambda e: _no_delta(e).subs(delta, 0))
        right = f.xreplace({TIME: c + delta}).applyfunc(
            lambda e: _no_delta(e).subs(delta, 0))
        if left.has(delta) or right.has(delta) or any(
                e.has(sp.Piecewise, sp.Heaviside) and e.has(TIME) for e in (*left, *right)):
            raise InvalidArgumentError(
                f"sensitivity_model: the right-hand side of model {model.name!r} switches at "
                f"t = {c}, a time that depends on {[params[j] for j in moving]}, in a way "
                "coley cannot resolve symbolically; fix those parameters or write the switch "
                "as a condition t >= c.")
        assignments: dict[str, sp.Expr] = {}
        for j in moving:
            dc = sp.diff(c, sym[params[j]])
            for i, state in enumerate(model.state_names):
                jump = sp.simplify((left[i] - right[i]) * dc)
                if jump != 0:
                    name = sensitivity_name(state, directions[j])
                    assignments[name] = S[i, j] + jump
        if assignments:
            out.append(ModelEvent(f"sensitivity_switch_{k}", sp.Ge(TIME, c), assignments))
    return out


__all__ = ["SensitivityModel", "initial_direction", "sensitivity_model", "sensitivity_name"]
