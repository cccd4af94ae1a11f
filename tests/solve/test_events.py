"""State events located by root finding, against analytic crossing times.

The test model (conftest ``linear``) with its defaults reduces to dx/dt = a11*x (u = 0): exponential
decay (a11 < 0) or growth (a11 > 0), whose crossing times are derived exactly in each test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import coley

SOLVER = coley.Rodas4(rtol=1e-10, atol=1e-12)


def test_extinction_time_and_state_after(linear: coley.Model) -> None:
    # dT/dt = -r T from T0 = 100 crosses 1 cell at t = ln(100)/r (derived). The root is found
    # on the dense output, whose error at rtol = 1e-10 is ~1e-10 cells; divided by the slope
    # |dT/dt| = r = 0.5 cells/day at the crossing that is ~2e-10 days, so 1e-8 days is safe.
    r = 0.5
    times = np.array([0.0, 5.0, 9.0, 9.5, 15.0])
    result = coley.simulate(linear, {"a11": -r, "x": 100.0}, saveat=times, solver=SOLVER,
                            events=[coley.Extinction("x")])
    assert result.status[0] == 0  # extinction is not a failure and does not stop the run
    assert result.event_names == ("x_extinct",)
    assert result.event_time("x_extinct")[0] == pytest.approx(math.log(100.0) / r, abs=1e-8)
    before = times < math.log(100.0) / r
    np.testing.assert_allclose(result["x"][0, before], 100.0 * np.exp(-r * times[before]),
                               rtol=1e-8)
    assert np.all(result["x"][0, ~before] == 0.0)


def test_extinction_with_custom_threshold_and_name(linear: coley.Model) -> None:
    # Crossing of 10 cells from 100 at rate 0.5: t = ln(10)/0.5 (derived).
    result = coley.simulate(linear, {"a11": -0.5, "x": 100.0}, saveat=[0.0, 10.0], solver=SOLVER,
                            events=[coley.Extinction("x", threshold=10.0, name="cleared")])
    assert result.event_time("cleared")[0] == pytest.approx(math.log(10.0) / 0.5, abs=1e-8)


def test_event_that_never_fires_is_nan(linear: coley.Model) -> None:
    # From 100 at rate 0.5 the state is 100 exp(-5) = 0.67 > 0.5 at day 10, not yet extinct.
    result = coley.simulate(linear, {"a11": -0.5, "x": 100.0}, saveat=[0.0, 10.0], solver=SOLVER,
                            events=[coley.Extinction("x", threshold=0.5)])
    assert np.isnan(result.event_time("x_extinct")[0])


def test_terminal_threshold_stops_at_analytic_time(linear: coley.Model) -> None:
    # dT/dt = r T from T0 = 1 reaches 1e6 at t = ln(1e6)/r (derived). At the crossing the
    # slope is r*1e6 cells/day and the dense-output error ~rtol*1e6 cells, so the time is
    # accurate to ~1e-10 days; 1e-8 is safe. After the stop the outputs are NaN.
    r = 0.5
    t_hit = math.log(1e6) / r  # 27.63 days
    times = np.arange(0.0, 41.0, 5.0)
    result = coley.simulate(linear, {"a11": r, "x": 1.0}, saveat=times, solver=SOLVER,
                            events=[coley.Threshold("x", 1e6, terminal=True, name="lethal")])
    assert result.status[0] == 1
    assert result.status_label(0) == "stopped"
    assert result.ok[0]  # a terminal event is not a failure
    assert result.event_time("lethal")[0] == pytest.approx(t_hit, abs=1e-8)
    assert result.stop_time[0] == pytest.approx(t_hit, abs=1e-8)
    before = times < t_hit
    np.testing.assert_allclose(result["x"][0, before], np.exp(r * times[before]), rtol=1e-8)
    assert np.all(np.isnan(result["x"][0, ~before]))
    assert "stopped" in result.messages[0]


def test_non_terminal_threshold_records_and_continues(linear: coley.Model) -> None:
    # Same crossing, but recorded only: the run finishes and follows exp(r t) to the end.
    r = 0.5
    result = coley.simulate(linear, {"a11": r, "x": 1.0}, saveat=[0.0, 30.0], solver=SOLVER,
                            events=[coley.Threshold("x", 1e6)])
    assert result.status[0] == 0
    assert result.event_time("x_up_1e+06")[0] == pytest.approx(math.log(1e6) / r, abs=1e-8)
    assert result.final("x")[0] == pytest.approx(math.exp(r * 30.0), rel=1e-8)


def test_downward_threshold_ignores_upward_crossing(linear: coley.Model) -> None:
    # Growth from 1 crosses 10 upwards only: a 'down' threshold never fires.
    result = coley.simulate(linear, {"a11": 0.5, "x": 1.0}, saveat=[0.0, 10.0], solver=SOLVER,
                            events=[coley.Threshold("x", 10.0, direction="down")])
    assert np.isnan(result.event_times[0, 0])


@pytest.mark.parametrize(("make", "message"), [
    (lambda: coley.Extinction("x", threshold=0.0), r"threshold must be > 0"),
    (lambda: coley.Threshold("x", math.inf), r"value must be finite"),
    (lambda: coley.Threshold("x", 1.0, direction="sideways"), r"direction must be one of"),
])
def test_invalid_events(make, message: str) -> None:
    with pytest.raises(coley.InvalidArgumentError, match=message):
        make()


def test_event_on_unknown_state_and_duplicate_names(linear: coley.Model) -> None:
    with pytest.raises(coley.UnknownNameError, match=r"unknown state 'z' in event"):
        coley.simulate(linear, t_end=5, events=[coley.Extinction("z")])
    with pytest.raises(coley.InvalidArgumentError, match=r"two events are named 'x_extinct'"):
        coley.simulate(linear, t_end=5, events=[coley.Extinction("x"), coley.Extinction("x")])


def test_end_state_is_the_state_at_a_terminal_event() -> None:
    """``end_state`` holds the state where a terminal threshold stopped the patient (the
    baseline of a diagnosed tumour), in both the scalar and the lane kernel."""
    import numpy as np

    import coley

    m = coley.library.get("kuznetsov1994")
    stop = [coley.Threshold("T", 1e7, direction="up", terminal=True)]
    one = coley.simulate(m, {"T": 1e4}, t_end=400, events=stop)
    many = coley.simulate(m, {"T": np.array([1e4, 2e4, 5e4] * 4)}, t_end=400, events=stop)
    t = list(m.state_names).index("T")
    assert one.status[0] == 1 and abs(one.end_state[0, t] / 1e7 - 1) < 1e-12
    assert np.all(np.abs(many.end_state[:, t] / 1e7 - 1) < 1e-12)
    # the lane kernel gives the scalar kernel's numbers for the same patient
    assert np.array_equal(many.end_state[0], one.end_state[0])
    # a patient that runs to the end: end_state is the last output
    free = coley.simulate(m, {"T": 1e4}, t_end=5)
    assert np.array_equal(free.end_state[0], free.values[0, -1])
