"""Rodas4 and Dopri5 against exact solutions: order, accuracy, tolerance response, stiffness."""

from __future__ import annotations

import math

import numpy as np
import pytest

import coley

SOLVERS = [(coley.Rodas4, 4), (coley.Dopri5, 5)]
# conftest ``linear`` as x' = -x, y' = 1e4 (x - y), from x = 1, y = 0
STIFF = {"a11": -1.0, "a12": 0.0, "a21": 1.0e4, "a22": -1.0e4, "x": 1.0, "y": 0.0}


def logistic_exact(t: np.ndarray | float, r: float = 0.5, K: float = 1e6, T0: float = 10.0
                   ) -> np.ndarray:
    """Derived analytically: T(t) = K / (1 + (K/T0 - 1) exp(-r t)) solves dT/dt = rT(1 - T/K)."""
    return K / (1.0 + (K / T0 - 1.0) * np.exp(-r * np.asarray(t)))


@pytest.mark.parametrize(("solver", "order"), SOLVERS, ids=["Rodas4", "Dopri5"])
def test_empirical_order(logistic: coley.Model, solver: type, order: int) -> None:
    # As diffrax's test_ode_order: fix the step (first_step = max_step = h, with tolerances so
    # loose that no step is rejected) and halve it. The global error of a method of order p
    # falls by 2^p per halving; the measured exponent at the finest pair must be within 0.3 of
    # p (Rodas4 is order 4, Hairer & Wanner II §VI.4; Dopri5 order 5, Dormand & Prince 1980),
    # which separates p from p - 1 and p + 1.
    t_end = 20.0
    errors = []
    for n_steps in (20, 40, 80, 160, 320):
        h = t_end / n_steps
        spec = solver(rtol=0.5, atol=1e12, first_step=h, max_step=h)
        result = coley.simulate(logistic, saveat=[0.0, t_end], solver=spec)
        assert result.steps[0, 0] == n_steps and result.steps[0, 1] == 0  # truly fixed steps
        errors.append(abs(result.final("T")[0] / logistic_exact(t_end) - 1.0))
    rates = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert rates[-1] == pytest.approx(order, abs=0.3), rates
    assert np.all(np.diff(errors) < 0)


@pytest.mark.parametrize("solver", [coley.Rodas4, coley.Dopri5], ids=["Rodas4", "Dopri5"])
def test_accuracy_against_logistic_closed_form(logistic: coley.Model, solver: type) -> None:
    # At rtol = 1e-10 the global error may accumulate to a few times rtol per e-folding of
    # growth (here 5 decades): 1e-8 relative leaves a factor ~10 over that estimate.
    times = np.linspace(0.0, 40.0, 81)
    result = coley.simulate(logistic, saveat=times, solver=solver(rtol=1e-10, atol=1e-12))
    assert result.status[0] == 0
    np.testing.assert_allclose(result["T"][0], logistic_exact(times), rtol=1e-8)


@pytest.mark.parametrize("solver", [coley.Rodas4, coley.Dopri5], ids=["Rodas4", "Dopri5"])
def test_error_follows_tolerance(logistic: coley.Model, solver: type) -> None:
    # Tolerance proportionality: for an error-per-step controller the global error scales about
    # like rtol (exponent p/(p+1) ~ 0.8 to 1), so each 100-fold tightening must cut the error
    # by more than 10 (100^0.5) and it must fall monotonically.
    times = np.linspace(0.0, 40.0, 81)
    exact = logistic_exact(times)
    errors = []
    for rtol in (1e-4, 1e-6, 1e-8, 1e-10):
        result = coley.simulate(logistic, saveat=times, solver=solver(rtol=rtol, atol=1e-12))
        errors.append(np.max(np.abs(result["T"][0] / exact - 1.0)))
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    assert np.all(ratios > 10.0), errors
    assert errors[0] < 1e-2  # loosest tolerance still tracks the solution


def test_stiff_system_rodas4_needs_far_fewer_steps(linear: coley.Model) -> None:
    # x' = -x, y' = 1e4 (x - y): eigenvalues -1 and -1e4. Derived exactly:
    # x = exp(-t), y = c exp(-t) - c exp(-1e4 t) with c = 1e4/(1e4 - 1) from y(0) = 0.
    # Dopri5's stability region reaches about -3.3 on the real axis (Hairer & Wanner I,
    # §IV.2), so it needs h <= 3.3e-4 days: >= 3.0e4 steps over 10 days whatever rtol says.
    # L-stable Rodas4 is limited by accuracy only; 1e3 steps is a generous bound.
    times = np.linspace(0.0, 10.0, 11)
    c = 1e4 / (1e4 - 1.0)
    x_exact = np.exp(-times)
    y_exact = c * np.exp(-times) - c * np.exp(-1e4 * times)
    steps = {}
    for solver in (coley.Rodas4, coley.Dopri5):
        result = coley.simulate(linear, STIFF, saveat=times, solver=solver(rtol=1e-8, atol=1e-12))
        assert result.status[0] == 0
        steps[solver.__name__] = result.steps[0, 0]
        # rtol = 1e-8: 1e-6 relative bounds the global error of either method by 100x.
        np.testing.assert_allclose(result["x"][0], x_exact, rtol=1e-6)
        np.testing.assert_allclose(result["y"][0, 1:], y_exact[1:], rtol=1e-6)
    assert steps["Dopri5"] >= 10.0 / (3.4 / 1e4)
    assert steps["Rodas4"] < 1e3
    assert steps["Rodas4"] * 20 < steps["Dopri5"]


@pytest.mark.parametrize("solver", [coley.Rodas4, coley.Dopri5])
@pytest.mark.parametrize(("field", "value"), [
    ("rtol", -1e-6), ("rtol", 1.5), ("atol", 0.0), ("atol", math.nan), ("max_steps", 0),
    ("first_step", -1.0), ("max_step", 0.0),
])
def test_invalid_solver_settings(solver: type, field: str, value: float) -> None:
    message = f"'{field}' parameter of {solver.__name__}"
    with pytest.raises(coley.InvalidArgumentError, match=message):
        solver(**{field: value})
