"""Jumps (bolus, resection, set) and infusions against exact piecewise solutions.

The test model (conftest ``linear``) with its defaults is dx/dt = u - k*x with k = -a11 = 0.3/day
and x(0) = 1 (y stays 0).
Every expected value is derived analytically in the test from that equation.
"""

from __future__ import annotations

import numpy as np
import pytest

import coley

K = 0.3  # loss rate -a11 of the conftest ``linear`` model (1/day)
SOLVER = coley.Rodas4(rtol=1e-10, atol=1e-12)
# rtol = 1e-10 on linear decay: the global error stays within a few rtol, so 1e-8 relative.
RTOL = 1e-8


def _decay(x0: float | np.ndarray, t: np.ndarray | float) -> np.ndarray:
    return np.asarray(x0) * np.exp(-K * np.asarray(t))


@pytest.fixture(scope="module")
def times() -> np.ndarray:
    # includes the dose time 5 itself and points just before and after it
    return np.array([0.0, 2.0, 4.999, 5.0, 5.001, 8.0, 12.0])


@pytest.mark.parametrize(("op", "amount", "after_dose"), [
    ("add", 2.0, lambda x: x + 2.0),        # bolus of 2 cells
    ("multiply", 0.01, lambda x: 0.01 * x),  # resection of 99%
    ("set", 3.0, lambda x: 3.0),            # reset to 3 cells
])
def test_jump_at_t5_matches_piecewise_solution(linear: coley.Model, times: np.ndarray,
                                               op: str, amount: float, after_dose) -> None:
    # Derived: x = exp(-k t) for t < 5, x = x+ exp(-k (t - 5)) for t >= 5 with x+ the post-jump
    # value; the output at exactly t = 5 is the post-jump value (right-continuous).
    result = coley.simulate(linear, saveat=times, solver=SOLVER,
                            schedule=[coley.Jump("x", 5.0, amount, op=op)])
    x_plus = after_dose(float(_decay(1.0, 5.0)))
    expected = np.where(times < 5.0, _decay(1.0, times), _decay(x_plus, times - 5.0))
    np.testing.assert_allclose(result["x"][0], expected, rtol=RTOL)
    assert result["x"][0, 3] == pytest.approx(x_plus, rel=RTOL)  # t = 5 shows the dose


def test_bolus_is_an_add_jump() -> None:
    jump = coley.Bolus("x", [1.0, 2.0], 5.0)
    assert (jump.op, jump.times, list(jump.amount)) == ("add", (1.0, 2.0), [5.0])


def test_repeated_bolus_with_per_patient_amounts(linear: coley.Model) -> None:
    # Two patients, doses at days 2 and 4 of 1 and 3 cells: superposition of decays,
    # x(t) = exp(-k t) + A exp(-k (t - 2)) [t >= 2] + A exp(-k (t - 4)) [t >= 4].
    times = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 6.0])
    amounts = np.array([1.0, 3.0])
    result = coley.simulate(linear, {"a11": [-K, -K]}, saveat=times, solver=SOLVER,
                            schedule=[coley.Bolus("x", [2.0, 4.0], amounts)])
    for i, a in enumerate(amounts):
        expected = (_decay(1.0, times) + a * (times >= 2) * _decay(1.0, times - 2)
                    + a * (times >= 4) * _decay(1.0, times - 4))
        np.testing.assert_allclose(result["x"][i], expected, rtol=RTOL)


def test_infusion_matches_exact_solution(linear: coley.Model) -> None:
    # u = R on [2, 6), else 0. Derived: x = exp(-k t) up to 2; then
    # x = x(2) exp(-k (t-2)) + R/k (1 - exp(-k (t-2))) up to 6; then x(6) exp(-k (t-6)).
    rate = 4.0
    times = np.linspace(0.0, 10.0, 21)
    result = coley.simulate(linear, saveat=times, solver=SOLVER,
                            schedule=[coley.Infusion("u", rate, start=2.0, stop=6.0)])
    x2 = float(_decay(1.0, 2.0))
    x6 = x2 * np.exp(-K * 4.0) + rate / K * (1 - np.exp(-K * 4.0))
    during = x2 * np.exp(-K * (times - 2)) + rate / K * (1 - np.exp(-K * (times - 2)))
    expected = np.select([times < 2.0, times < 6.0], [_decay(1.0, times), during],
                         _decay(x6, times - 6.0))
    np.testing.assert_allclose(result["x"][0], expected, rtol=RTOL)


def test_overlapping_infusions_add(linear: coley.Model) -> None:
    # Infusion docstring: overlapping infusions of the same input add up, so rates 1 and 3 on
    # the same window equal one infusion of 4 (same operations, so to round-off).
    times = np.linspace(0.0, 8.0, 9)
    both = coley.simulate(linear, saveat=times, solver=SOLVER, schedule=[
        coley.Infusion("u", 1.0, 2.0, 6.0), coley.Infusion("u", 3.0, 2.0, 6.0)])
    single = coley.simulate(linear, saveat=times, solver=SOLVER,
                            schedule=[coley.Infusion("u", 4.0, 2.0, 6.0)])
    np.testing.assert_allclose(both["x"], single["x"], rtol=1e-12)


# ------------------------------------------------------------------ bad schedules
def test_jump_on_unknown_state_suggests(linear: coley.Model) -> None:
    with pytest.raises(coley.UnknownNameError,
                       match=r"unknown state 'xx' in Jump for model 'test_linear'\. "
                             r"Did you mean 'x'\?"):
        coley.simulate(linear, t_end=10, schedule=[coley.Bolus("xx", 5.0, 1.0)])


def test_jump_outside_interval(linear: coley.Model) -> None:
    with pytest.raises(coley.InvalidArgumentError,
                       match=r"Jump\('x'\) at t = 20.0 d is outside the simulated interval"):
        coley.simulate(linear, t_end=10, schedule=[coley.Bolus("x", 20.0, 1.0)])


def test_infusion_on_unknown_input(linear: coley.Model) -> None:
    with pytest.raises(coley.UnknownNameError, match=r"unknown input 'v'.*Valid names: u\."):
        coley.simulate(linear, t_end=10, schedule=[coley.Infusion("v", 1.0, 2.0, 6.0)])


@pytest.mark.parametrize(("make", "message"), [
    (lambda: coley.Jump("x", 1.0, 1.0, op="divide"), r"op must be one of"),
    (lambda: coley.Jump("x", 1.0, -0.5, op="multiply"), r"multiplying factor must be >= 0"),
    (lambda: coley.Jump("x", [], 1.0), r"'times' is empty"),
    (lambda: coley.Jump("x", float("nan"), 1.0), r"finite number of days"),
    (lambda: coley.Infusion("u", 1.0, 6.0, 2.0), r"stop \(2.0\) must be after start \(6.0\)"),
])
def test_invalid_schedule_items(make, message: str) -> None:
    with pytest.raises(coley.InvalidArgumentError, match=message):
        make()
