"""The exact gradient (forward sensitivities) equals central finite differences.

Checked on every library model (its first two positive parameters, one for the large ones,
log10 scale, with a 50% resection of a burden state at day 7: a scheduled multiplying jump;
stein2019's second parameter is the switch time of its growth phase), and on models whose
events fire at a state-dependent time and at a parameter-dependent time, where the
sensitivities jump by the event-time correction (coley/fit/sensitivity.py). Both sides are
integrated at rtol = 1e-10, atol = 1e-12, where central differences of step 1e-5 (log10
scale) converge: on bunimovich2007 they agree with the exact gradient to 5e-9 relative (at
the default rtol = atol = 1e-8 the finite differences, not the sensitivities, were off by
4e-5). The tolerance is 1e-5.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import coley
from coley.fit import Experiment, FitParameter, FitProblem, Objective, Observable
from coley.model import Citation, Parameter, State
from coley.model.components import ModelEvent
from coley.solve.schedule import Jump
from coley.solve.solvers import Rodas4

STEP = 1e-5
RTOL = 1e-5
SOLVER = Rodas4(rtol=1e-10, atol=1e-12)


def _finite_differences(objective: Objective, z: np.ndarray) -> np.ndarray:
    out = np.zeros_like(z)
    for k in range(z.size):
        zp, zm = z.copy(), z.copy()
        zp[k] += STEP
        zm[k] -= STEP
        out[k] = (objective(zp) - objective(zm)) / (2 * STEP)
    return out


def _check(problem: FitProblem) -> None:
    objective = Objective(problem, solver=SOLVER)
    z = problem.nominal_vector() + 0.01  # off the nominal point: no zero residuals
    p = objective.evaluate(z)
    assert p.ok, p.message
    assert p.gradient is not None
    fd = _finite_differences(objective, z)
    np.testing.assert_allclose(p.gradient, fd, rtol=RTOL, atol=RTOL * np.abs(fd).max())


@pytest.mark.slow
@pytest.mark.parametrize("name", coley.library.names())
def test_library_model_gradient(name: str) -> None:
    model = coley.library.get(name)
    burden = model.burden_states[0] if model.burden_states else model.state_names[0]
    days = np.array([5.0, 10, 20, 40])
    resection = (Jump(burden, [7.0], 0.5, op="multiply"),)
    truth = coley.simulate(model, saveat=np.r_[0.0, days], schedule=resection)
    values = np.maximum(truth[burden][0, 1:], 1e-3) * 1.1
    data = pd.DataFrame({"experiment": "e", "observable": "burden", "time": days,
                         "value": values})
    # two directions; one for the large models (kosinsky2018: 7 states, surveillance: 11),
    # whose augmented kernels take minutes to compile on two cores
    chosen = [p for p in model.parameters if p.value > 0][:2 if len(model.states) <= 5 else 1]
    problem = FitProblem(
        model, experiments=(Experiment("e", {}, resection),),
        observables=(Observable("burden", burden, noise=0.1, transform="log"),),
        measurements=data,
        parameters=tuple(FitParameter(p.name, p.value / 10, p.value * 10, p.value,
                                      scale="log10") for p in chosen),
    )
    _check(problem)


def _logistic(events: tuple[ModelEvent, ...]) -> coley.Model:
    return coley.Model(
        "logistic_events", "logistic growth with events",
        states=(State("x", 1.0, "cell", "cells"),),
        parameters=(Parameter("r", 0.3, "1/day", "growth rate", "test"),
                    Parameter("K", 100.0, "cell", "capacity", "test"),
                    Parameter("f", 0.4, "1", "fraction kept", "test"),
                    Parameter("t_cut", 12.0, "day", "cut time", "test"),
                    Parameter("level", 30.0, "cell", "cut level", "test")),
        equations={"x": "r*x*(1 - x/K)"}, citation=Citation("test model"), events=events,
    )


@pytest.mark.parametrize("trigger", ["x >= level", "t >= t_cut"])
def test_event_time_correction(trigger: str) -> None:
    """x is cut to the fraction f when it reaches ``level`` (a time that depends on r, K and
    the initial value) or at ``t_cut`` (a parameter): the sensitivities jump at the event and
    the jump depends on how the event time moves."""
    model = _logistic((ModelEvent("cut", trigger, {"x": "f*x"}),))
    days = np.array([4.0, 8, 14, 20, 30])
    truth = coley.simulate(model, saveat=np.r_[0.0, days])
    data = pd.DataFrame({"experiment": "e", "observable": "x", "time": days,
                         "value": truth["x"][0, 1:] * 1.05})
    problem = FitProblem(
        model, experiments=(Experiment("e", {"x": "x0"}),),
        observables=(Observable("x", "x", noise=0.5),),
        measurements=data,
        parameters=(FitParameter("r", 0.03, 3, 0.3, scale="log10"),
                    FitParameter("K", 10, 1000, 100, scale="log10"),
                    FitParameter("f", 0.01, 1, 0.4, scale="log10"),
                    FitParameter("t_cut", 1, 30, 12, scale="lin"),
                    FitParameter("level", 5, 90, 30, scale="lin"),
                    FitParameter("x0", 0.1, 10, 1.0, scale="log10")),
    )
    _check(problem)


def test_initial_assignment_follows_parameters() -> None:
    """A state whose initial value is an initial assignment (x = 2 * x_half) has the
    sensitivity 2 to x_half at t = 0, and the gradient chains through it."""
    model = coley.Model(
        "decay", "decay", states=(State("x", 3.0, "mM", "x"),),
        parameters=(Parameter("k", 0.2, "1/day", "rate", "test"),
                    Parameter("x_half", 1.5, "mM", "half the initial value", "test")),
        equations={"x": "-k*x"}, citation=Citation("test"),
        initial_assignments={"x": "2*x_half"},
    )
    days = np.array([0.0, 1, 3, 6])
    # x(t) = 2 x_half exp(-k t): exact values at x_half = 1.5, k = 0.2
    exact = 3.0 * np.exp(-0.2 * days)
    data = pd.DataFrame({"experiment": "e", "observable": "x", "time": days,
                         "value": exact * 1.1})
    problem = FitProblem(model, (Experiment("e"),), (Observable("x", "x", noise=0.1),), data,
                         (FitParameter("k", 0.01, 1, 0.2), FitParameter("x_half", 0.1, 5, 1.5)))
    p = Objective(problem).evaluate(problem.nominal_vector())
    np.testing.assert_allclose(p.table["simulation"], exact, rtol=1e-7)
    # d nll / d x_half = sum((h - y)/sigma^2 * dh/dx_half), dh/dx_half = 2 exp(-k t)
    r = (exact - exact * 1.1) / 0.1**2
    np.testing.assert_allclose(p.gradient[1], np.sum(r * 2 * np.exp(-0.2 * days)), rtol=1e-6)
    _check(problem)
