"""Pre-equilibration: an experiment that starts from another condition's steady state.

Analytic case: dx/dt = k1 - k2 x has the steady state k1 / k2; after the switch to k1' it
relaxes as x(t) = k1'/k2 + (k1/k2 - k1'/k2) exp(-k2 t). (The PEtab test suite's cases 0009,
0010, 0017 and 0018 check the same against their solution files: tests/fit/test_petab_suite.py.)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import coley
from coley.errors import InvalidArgumentError
from coley.fit import Experiment, FitParameter, FitProblem, Objective, Observable
from coley.solve.schedule import Jump

TIMES = np.array([0.0, 0.5, 2.0, 6.0])


def _model() -> coley.Model:
    return coley.Model(
        name="relaxation", title="production and first-order loss",
        citation=coley.Citation("analytic test model"),
        states=(coley.State("x", 0.0, "1", "amount", "test value"),),
        parameters=(coley.Parameter("k1", 1.0, "1/day", "production", "test value"),
                    coley.Parameter("k2", 0.5, "1/day", "loss", "test value")),
        equations={"x": "k1 - k2*x"})


def _problem(pre: Experiment, main: Experiment, params: tuple[FitParameter, ...]
             ) -> FitProblem:
    data = pd.DataFrame({"experiment": main.name, "observable": "amount", "time": TIMES,
                         "value": 1.0})
    return FitProblem(_model(), (pre, main),
                      (Observable("amount", "x", noise=0.1),), data, params)


def test_main_phase_starts_from_the_steady_state() -> None:
    problem = _problem(Experiment("basal", {"k1": 0.3}),
                       Experiment("stimulated", {"k1": 0.8}, preequilibration="basal"),
                       (FitParameter("k2", 0.1, 2.0, 0.6),))
    objective = Objective(problem)
    p = objective.evaluate(np.array([0.6]))
    assert p.ok, p.message
    expected = 0.8 / 0.6 + (0.3 / 0.6 - 0.8 / 0.6) * np.exp(-0.6 * TIMES)
    np.testing.assert_allclose(p.table["simulation"], expected, rtol=1e-6)
    # d nll / d k2 against central differences (both phases depend on k2)
    assert p.gradient is not None
    h = 1e-6
    fd = (objective(np.array([0.6 + h])) - objective(np.array([0.6 - h]))) / (2 * h)
    assert p.gradient[0] == pytest.approx(fd, rel=1e-5)


def test_states_set_by_the_experiment_are_reset() -> None:
    problem = _problem(Experiment("basal", {"k1": 0.3}),
                       Experiment("stimulated", {"k1": 0.8, "x": "x0"},
                                  preequilibration="basal"),
                       (FitParameter("k2", 0.1, 2.0, 0.6), FitParameter("x0", 0.0, 5.0, 2.0)))
    p = Objective(problem).evaluate(np.array([0.6, 2.0]))
    expected = 0.8 / 0.6 + (2.0 - 0.8 / 0.6) * np.exp(-0.6 * TIMES)
    np.testing.assert_allclose(p.table["simulation"], expected, rtol=1e-6)


def test_no_steady_state_is_a_failure_with_its_reason() -> None:
    problem = _problem(Experiment("basal", {"k2": 0.0}),
                       Experiment("stimulated", {}, preequilibration="basal"),
                       (FitParameter("k1", 0.1, 2.0, 0.6),))
    p = Objective(problem).evaluate(np.array([0.6]))
    assert not p.ok and math.isinf(p.nll)
    assert "pre-equilibration 'basal'" in p.message and "no steady state" in p.message


def test_bad_pre_equilibrations_are_listed() -> None:
    k2 = (FitParameter("k2", 0.1, 2.0, 0.6),)
    missing = _problem(Experiment("basal", {}),
                       Experiment("stimulated", {}, preequilibration="basl"), k2)
    assert any("'basl' names no experiment" in f and "basal" in f
               for f in missing.problems()), missing.problems()
    dosed = _problem(Experiment("basal", {}, schedule=(Jump("x", [1.0], 1.0),)),
                     Experiment("stimulated", {}, preequilibration="basal"), k2)
    assert any("must have no schedule" in f for f in dosed.problems()), dosed.problems()
    # the steady state depends on k1b, which the main phase does not use
    lost = _problem(Experiment("basal", {"k1": "k1b"}),
                    Experiment("stimulated", {"k1": 0.8}, preequilibration="basal"),
                    (*k2, FitParameter("k1b", 0.1, 2.0, 0.3)))
    with pytest.raises(InvalidArgumentError, match=r"depends on estimated parameters \['k1b'\]"):
        Objective(lost)
