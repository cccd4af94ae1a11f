"""A Condition simulates exactly what coley.simulate does with the same pieces.

Logistic growth dT/dt = r T (1 - T/K) has the closed form T(t) = K / (1 + (K/T0 - 1) e^(-r t))
(Verhulst 1838); a bolus adds to T and the closed form restarts from the new value.
"""

from __future__ import annotations

import numpy as np
import pytest

import coley
from coley.experiment import Condition


def test_a_condition_is_its_simulation(logistic: coley.Model) -> None:
    settings = {"T": np.array([10.0, 20.0]), "K": 1e4, "H": 0.0}
    dose = coley.Jump("T", 5.0, 100.0)
    cond = Condition("arm", logistic, settings, schedule=(dose,))
    a = cond.simulate(t_end=10, solver=coley.Rodas4(rtol=1e-10, atol=1e-10))
    b = coley.simulate(logistic, settings, t_end=10, schedule=[dose],
                       solver=coley.Rodas4(rtol=1e-10, atol=1e-10))
    np.testing.assert_array_equal(a.values, b.values)
    r, k = logistic.parameter("r").value, 1e4
    t5 = k / (1 + (k / 10.0 - 1) * np.exp(-r * 5)) + 100.0
    exact = k / (1 + (k / t5 - 1) * np.exp(-r * 5))
    assert a.final("T")[0] == pytest.approx(exact, rel=1e-7)


def test_with_schedule_and_settings_replace_only_that(logistic: coley.Model) -> None:
    cond = Condition("arm", logistic, {"T": 10.0}, schedule=(coley.Jump("T", 1.0, 5.0),))
    bare = cond.with_schedule(())
    assert bare.schedule == () and bare.settings == cond.settings
    other = cond.with_settings({"T": 30.0})
    assert other.settings == {"T": 30.0} and other.schedule == cond.schedule


def test_a_condition_needs_a_model() -> None:
    with pytest.raises(coley.InvalidArgumentError, match="model must be a coley Model"):
        Condition("arm", "kuznetsov1994")  # type: ignore[arg-type]
