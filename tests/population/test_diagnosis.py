"""Diagnosis (coley.population.diagnosis) against the closed form of exponential growth.

Model ``grow``: dT/dt = r T from T(0) = T0. T reaches C at t = ln(C/T0)/r and the volume
doubling time is ln(2)/r (derived here; no other source needed).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import coley
from coley import Citation, Model, Parameter, State
from coley.errors import InvalidArgumentError
from coley.model.components import Hook
from coley.population import Diagnosis, LogNormal, Population, burden_states, diagnose

SOLVER = coley.Rodas4(rtol=1e-10, atol=1e-6)


@pytest.fixture(scope="module")
def grow() -> Model:
    return Model(name="test_grow", title="exponential growth",
                 states=(State("T", 1e6, "cell", "tumour cells"),),
                 parameters=(Parameter("r", 0.05, "1/day", "growth rate", "test"),),
                 equations={"T": "r*T"},
                 hooks=(Hook("tumour_cells", "state", "T", "tumour"),),
                 citation=Citation("coley test model (closed form in the test)"))


def test_diagnosis_day_and_doubling_time_are_the_closed_form(grow: Model) -> None:
    pop = Population({"r": LogNormal(0.05, 0.4)})
    dx = Diagnosis(cells=1e8, start={"T": 1e6}, max_days=2000.0, doubling_days=(10.0, 20.0))
    base = diagnose(grow, pop, np.arange(30), diagnosis=dx, seed=1, solver=SOLVER)
    r = base.values["r"]
    assert base.failed == {} and base.patients.size == 30
    np.testing.assert_allclose(base.diagnosis_day, math.log(100.0) / r, rtol=1e-6)
    np.testing.assert_allclose(base.doubling_days, math.log(2.0) / r, rtol=1e-6)
    np.testing.assert_allclose(base.values["T"], 1e8, rtol=1e-6)
    # implausible doubling times were redrawn from the patients' own streams
    assert np.all((base.doubling_days >= 10) & (base.doubling_days <= 20))
    assert base.attempts.max() > 1
    first = pop.draw(1, np.arange(30))["r"]
    kept = base.attempts == 1
    np.testing.assert_array_equal(r[kept], first[kept])


def test_a_patient_without_a_plausible_draw_is_reported(grow: Model) -> None:
    pop = Population({"r": LogNormal(1e-4, 0.01)})  # T0 -> 1e8 would take 46,000 days
    dx = Diagnosis(cells=1e8, start={"T": 1e6}, max_days=100.0, max_attempts=2)
    base = diagnose(grow, pop, np.array([3, 4]), diagnosis=dx, seed=0, solver=SOLVER)
    assert base.patients.size == 0
    assert set(base.failed) == {3, 4}
    assert "not diagnosed within 100 days" in base.failed[3]


def test_burden_states_and_bad_rules(grow: Model) -> None:
    assert burden_states(grow) == ["T"]
    assert burden_states(grow, ["T", "E"]) == ["T", "E"]
    with pytest.raises(InvalidArgumentError, match="doubling_days"):
        Diagnosis(cells=1e8, doubling_days=(20.0, 10.0))
    with pytest.raises(InvalidArgumentError, match="cells must be a number > 0"):
        Diagnosis(cells=-1.0)
