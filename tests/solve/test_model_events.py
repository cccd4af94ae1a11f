"""Events declared by a model (ModelEvent): timing and values against closed forms, SBML event
semantics, and bitwise agreement of the per-patient and lane kernels.

Model ``dosed`` (derived closed forms in each test):
    dx/dt = -k x              a dose of size D at t = td (a time event)
    dn/dt = r n               n is reset to 1 whenever it reaches cap (a state event)
    dq/dt = pulse(t) - k q    pulse = P on 5 <= t <= 5.1, else 0 (a breakpoint pair)
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import coley
from coley import Citation, Model, ModelEvent, Parameter, State

SOLVER = coley.Rodas4(rtol=1e-10, atol=1e-12)
_TEST = Citation("coley test model (closed forms derived in the tests)")


@pytest.fixture(scope="module")
def dosed() -> Model:
    return Model(
        name="test_dosed",
        title="decay with a dose, growth with resets, a short pulse",
        states=(State("x", 10.0, "mg", "drug"), State("n", 1.0, "cell", "cells"),
                State("q", 0.0, "mg", "pulsed drug")),
        parameters=tuple(Parameter(n, v, "1", n, "test") for n, v in
                         {"k": 0.3, "r": 0.5, "td": 2.5, "D": 4.0, "cap": 100.0,
                          "P": 20.0}.items()),
        equations={"x": "-k*x", "n": "r*n",
                   "q": "Piecewise((P, (t >= 5) & (t <= 5.1)), (0, True)) - k*q"},
        events=(ModelEvent("dose", "t >= td", {"x": "x + D"}),
                ModelEvent("reset", "n >= cap", {"n": "1"})),
        citation=_TEST,
    )


def x_exact(t: np.ndarray, k: float = 0.3, x0: float = 10.0, td: float = 2.5,
            dose: float = 4.0) -> np.ndarray:
    before = x0 * np.exp(-k * t)
    after = (x0 * math.exp(-k * td) + dose) * np.exp(-k * (t - td))
    return np.where(t < td, before, after)


def n_exact(t: np.ndarray, r: float = 0.5, cap: float = 100.0) -> np.ndarray:
    period = math.log(cap) / r  # from 1 to cap at rate r, then reset to 1
    return np.exp(r * np.mod(t, period))


def q_exact(t: np.ndarray, k: float = 0.3, pulse: float = 20.0) -> np.ndarray:
    during = pulse / k * (1.0 - np.exp(-k * (np.clip(t, 5.0, 5.1) - 5.0)))
    return np.where(t < 5.0, 0.0, during * np.exp(-k * np.maximum(t - 5.1, 0.0)))


def test_time_event_state_event_and_pulse_follow_closed_forms(dosed: Model) -> None:
    # Right-continuous output: at t = td = 2.5 the dose has been given. The reset times are
    # k*ln(100)/0.5 (9.21 d apart); the output grid avoids them by more than 1e-3 d, and the
    # reset is located to ~1e-10 d (dense-output error / slope), so 1e-7 relative holds.
    times = np.array([0.0, 1.0, 2.5, 3.0, 5.05, 6.0, 9.0, 9.5, 15.0, 20.0])
    result = coley.simulate(dosed, saveat=times, solver=SOLVER)
    assert result.status[0] == 0
    np.testing.assert_allclose(result["x"][0], x_exact(times), rtol=1e-8)
    np.testing.assert_allclose(result["n"][0], n_exact(times), rtol=1e-7)
    np.testing.assert_allclose(result["q"][0], q_exact(times), rtol=1e-8, atol=1e-12)


def test_pulse_switch_times_are_breakpoints(dosed: Model) -> None:
    assert sorted(float(c) for c in dosed.breakpoints) == [5.0, 5.1]
    assert [e.name for e in dosed.event_code] == ["dose", "reset"]
    assert dosed.event_code[0].time == dosed.symbols["td"]  # 't >= td' stops at td
    assert dosed.event_code[1].time is None  # a state event is searched for


def test_dopri5_gives_the_same_trajectory(dosed: Model) -> None:
    times = np.linspace(0.0, 20.0, 41)
    result = coley.simulate(dosed, saveat=times, solver=coley.Dopri5(rtol=1e-10, atol=1e-12))
    np.testing.assert_allclose(result["x"][0], x_exact(times), rtol=1e-8)
    np.testing.assert_allclose(result["q"][0], q_exact(times), rtol=1e-8, atol=1e-12)


def test_lanes_serial_and_workers_are_bitwise_identical(dosed: Model) -> None:
    rng = np.random.default_rng(3)
    cohort = {"k": 0.3 * np.exp(0.2 * rng.standard_normal(11)),
              "r": 0.5 * np.exp(0.2 * rng.standard_normal(11)),
              "td": rng.uniform(1.0, 4.0, 11)}
    times = np.linspace(0.0, 20.0, 81)
    lanes = coley.simulate(dosed, cohort, saveat=times, solver=SOLVER)            # 11 >= 8
    threads = coley.simulate(dosed, cohort, saveat=times, solver=SOLVER, workers=2)
    assert np.array_equal(lanes.values, threads.values)
    for i in (0, 5, 10):
        one = coley.simulate(dosed, {k: v[i] for k, v in cohort.items()}, saveat=times,
                             solver=SOLVER)
        assert np.array_equal(one.values[0], lanes.values[i])
        np.testing.assert_allclose(one["x"][0], x_exact(times, k=cohort["k"][i],
                                                        td=cohort["td"][i]), rtol=1e-8)


# ------------------------------------------------------------------ SBML event semantics
@pytest.fixture(scope="module")
def logic() -> Model:
    """Pure event logic over a clock c (dc/dt = 1); the other states change only by events."""
    zero = {s: "0" for s in ("a", "b", "u", "w", "z", "loop_x")}
    return Model(
        name="test_event_logic",
        title="event semantics",
        states=(State("c", 0.0, "d", "clock"),
                *(State(s, 0.0, "1", s, lower=None) for s in zero)),
        parameters=(Parameter("looping", 0.0, "1", "enable the event loop", "test"),),
        equations={"c": "1", **zero},
        events=(
            # true at the start: fires there only if its initial value is false
            ModelEvent("at_start", "c >= 0", {"a": "a + 1"}, initial_value=False),
            ModelEvent("not_at_start", "c >= 0", {"b": "b + 1"}),
            # cascade: 'first' makes 'second' true at the same time
            ModelEvent("first", "t >= 1", {"u": "1"}),
            ModelEvent("second", "u > 0.5", {"z": "z + 7"}),
            # simultaneous at t = 2, higher priority first, sequential values
            ModelEvent("double", Eq_t(2), {"w": "2*w"}, priority=1,
                       use_values_from_trigger_time=False),
            ModelEvent("add", Eq_t(2), {"w": "w + 1"}, priority=2,
                       use_values_from_trigger_time=False),
            # two events that keep re-enabling each other at one time
            ModelEvent("up", "(loop_x >= 0) & (looping > 0.5) & (t > 3)", {"loop_x": "-1"}),
            ModelEvent("down", "(loop_x < 0) & (looping > 0.5)", {"loop_x": "1"}),
        ),
        citation=_TEST,
    )


def Eq_t(value: float) -> object:
    import sympy as sp

    return sp.Eq(sp.Symbol("t", real=True), value)


def test_sbml_event_semantics(logic: Model) -> None:
    result = coley.simulate(logic, saveat=[0.0, 0.5, 1.5, 2.5, 4.0], solver=SOLVER)
    assert result.status[0] == 0
    final = {s: result[s][0] for s in logic.state_names}
    assert list(final["a"]) == [1, 1, 1, 1, 1]      # fired at t0 (initial value false)
    assert list(final["b"]) == [0, 0, 0, 0, 0]      # trigger already true: never fires
    assert list(final["z"]) == [0, 0, 7, 7, 7]      # the cascade at t = 1
    assert list(final["w"]) == [0, 0, 0, 2, 2]      # (0 + 1) * 2 at t = 2, 'add' first
    assert result["c"][0, -1] == pytest.approx(4.0, rel=1e-12)


def test_events_that_never_settle_are_a_failure(logic: Model) -> None:
    with pytest.warns(RuntimeWarning, match="1 of 1 patient"):
        result = coley.simulate(logic, {"looping": 1.0}, saveat=[0.0, 5.0], solver=SOLVER)
    assert result.status_label(0) == "event_loop"
    assert "kept triggering each other" in result.messages[0]
    assert result.stop_time[0] == pytest.approx(3.0, abs=1e-9)


# ------------------------------------------------------------------ declaration errors
def _model(**events: object) -> Model:
    return Model(name="bad", title="t", states=(State("x", 1.0, "1", "x"),),
                 parameters=(Parameter("k", 1.0, "1", "k", "test"),),
                 equations={"x": "-k*x"}, citation=_TEST,
                 events=tuple(ModelEvent(n, *v) for n, v in events.items()))  # type: ignore


@pytest.mark.parametrize(("events", "message"), [
    ({"e": ("t > 1", {"k": "2"})}, r"event 'e' assigns 'k', which is a parameter"),
    ({"e": ("t > 1", {"y": "2"})}, r"event 'e' assigns 'y', which is not declared"),
    ({"e": ("x > 1 and t > 2", {})}, r"trigger of event 'e' cannot be parsed.*& \| ~"),
    ({"e": ("x > kk", {})}, r"undefined symbol 'kk'.*Did you mean 'k'"),
    ({"e": ("x + 1", {})}, r"trigger of event 'e' is not a condition"),
    ({"e": ("Ne(x, 1)", {})}, r"Unequality.*not supported"),
])
def test_invalid_events(events: dict, message: str) -> None:
    with pytest.raises(coley.ModelDefinitionError, match=message):
        _model(**events)


def test_duplicate_event_names() -> None:
    with pytest.raises(coley.ModelDefinitionError, match=r"event 'e' is declared twice"):
        Model(name="bad", title="t", states=(State("x", 1.0, "1", "x"),), parameters=(),
              equations={"x": "-x"}, citation=_TEST,
              events=(ModelEvent("e", "t > 1", {}), ModelEvent("e", "t > 2", {})))
