"""``simulate``: time grids, batches of patients, failures as data, and argument errors.

The test model (conftest ``logistic``) is dT/dt = r*T*(1 - T/K) with the closed form
T(t) = K / (1 + (K/T0 - 1) exp(-r t)), derived analytically; with r < 0 and T0 > K it blows up
at the finite time t* = ln(T0/(T0 - K))/(-r).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import coley

SOLVER = coley.Rodas4(rtol=1e-10, atol=1e-12)
# rtol = 1e-10 on logistic growth: 1e-8 relative bounds the global error (see test_solvers).
RTOL = 1e-8
TIMES = np.linspace(0.0, 30.0, 31)


def logistic_exact(t: np.ndarray, r: float, K: float, T0: float) -> np.ndarray:
    return K / (1.0 + (K / T0 - 1.0) * np.exp(-r * t))


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    return pd.DataFrame({"r": [0.5, 0.2, 1.0, 0.35, 0.8],
                         "K": [1e6, 5e5, 2e7, 1e3, 1e8],
                         "T": [10.0, 1.0, 100.0, 2000.0, 1.0]})


# ------------------------------------------------------------------ time grid
def test_daily_grid_from_t_end(logistic: coley.Model) -> None:
    assert list(coley.simulate(logistic, t_end=3).time) == [0.0, 1.0, 2.0, 3.0]
    assert list(coley.simulate(logistic, t_end=2.5).time) == [0.0, 1.0, 2.0, 2.5]


def test_integration_starts_at_first_saveat(logistic: coley.Model) -> None:
    # The state given is the state at saveat[0]; T(t) then follows the closed form from there.
    result = coley.simulate(logistic, saveat=[5.0, 10.0, 15.0], solver=SOLVER)
    assert result["T"][0, 0] == 10.0
    np.testing.assert_allclose(result["T"][0], logistic_exact(np.array([0.0, 5.0, 10.0]),
                                                              0.5, 1e6, 10.0), rtol=RTOL)


# ------------------------------------------------------------------ batches
def test_dataframe_batch_matches_closed_form_and_single_runs(
        logistic: coley.Model, cohort: pd.DataFrame) -> None:
    batch = coley.simulate(logistic, cohort, saveat=TIMES, solver=SOLVER)
    assert batch.n_patients == len(cohort)
    assert np.all(batch.status == 0)
    for i, row in cohort.iterrows():
        np.testing.assert_allclose(batch["T"][i], logistic_exact(TIMES, row.r, row.K, row["T"]),
                                   rtol=RTOL)
        single = coley.simulate(logistic, dict(row), saveat=TIMES, solver=SOLVER)
        # Each patient is integrated independently by the same code: bitwise identical.
        assert np.array_equal(single.values[0], batch.values[i])
    np.testing.assert_array_equal(batch.parameters[:, 0], cohort["r"])


def test_dict_of_arrays_equals_dataframe(logistic: coley.Model, cohort: pd.DataFrame) -> None:
    frame = coley.simulate(logistic, cohort, saveat=TIMES, solver=SOLVER)
    columns = coley.simulate(logistic, {k: cohort[k].to_numpy() for k in cohort},
                             saveat=TIMES, solver=SOLVER)
    assert np.array_equal(frame.values, columns.values)


def test_scalars_broadcast_over_patients(logistic: coley.Model) -> None:
    # K given once applies to both patients (r differs).
    result = coley.simulate(logistic, {"r": [0.5, 0.25], "K": 1e4}, saveat=TIMES, solver=SOLVER)
    for i, r in enumerate((0.5, 0.25)):
        np.testing.assert_allclose(result["T"][i], logistic_exact(TIMES, r, 1e4, 10.0), rtol=RTOL)


def test_results_do_not_depend_on_workers(logistic: coley.Model, cohort: pd.DataFrame) -> None:
    one = coley.simulate(logistic, cohort, saveat=TIMES, solver=SOLVER, workers=1)
    two = coley.simulate(logistic, cohort, saveat=TIMES, solver=SOLVER, workers=2)
    assert np.array_equal(one.values, two.values)
    assert np.array_equal(one.steps, two.steps)
    assert np.array_equal(one.status, two.status)


# ------------------------------------------------------------------ failures are data
def test_blow_up_patient_is_marked_and_others_complete(logistic: coley.Model) -> None:
    # Patient 1 has r = -1, K = 1, T0 = 2: derived blow-up at t* = ln(2/(2 - 1))/1 = 0.693 d.
    params = {"r": [0.5, -1.0, 0.3], "K": [1e6, 1.0, 1e6], "T": [10.0, 2.0, 10.0]}
    times = np.array([0.0, 0.5, 1.0, 2.0, 10.0])
    with pytest.warns(RuntimeWarning, match=r"^1 of 3 patient\(s\) failed"):
        result = coley.simulate(logistic, params, saveat=times, solver=SOLVER)
    assert list(result.failed) == [1]
    assert list(result.ok) == [True, False, True]
    assert result.status[1] < 0
    assert result.status_label(1) in {"step_too_small", "nonfinite", "max_steps"}
    assert result.messages[1].startswith(result.status_label(1))
    # The step size collapses at the singularity, whose numerical location differs from the
    # exact t* only by the global error (~rtol * t*): 1e-8 days is safe.
    assert result.stop_time[1] == pytest.approx(math.log(2.0), abs=1e-8)
    for i in (0, 2):
        assert result.messages[i] == "ok: finished"
        np.testing.assert_allclose(result["T"][i],
                                   logistic_exact(times, params["r"][i], 1e6, 10.0), rtol=RTOL)
    # before the failure the bad patient is still exact; after it, NaN
    assert result["T"][1, 1] == pytest.approx(logistic_exact(np.array(0.5), -1.0, 1.0, 2.0),
                                              rel=RTOL)
    assert np.all(np.isnan(result["T"][1, 2:]))


def test_max_steps_failure_message(logistic: coley.Model) -> None:
    with pytest.warns(RuntimeWarning, match="1 of 1 patient"):
        result = coley.simulate(logistic, t_end=30, solver=coley.Rodas4(max_steps=3))
    assert result.status_label(0) == "max_steps"
    assert "increase the solver's max_steps" in result.messages[0]


def test_nan_parameter_row_is_invalid_input(logistic: coley.Model) -> None:
    table = pd.DataFrame({"r": [0.5, np.nan, 0.3], "K": [1e6, 1e6, -5.0]})
    with pytest.warns(RuntimeWarning, match=r"2 of 3 patient\(s\) failed"):
        result = coley.simulate(logistic, table, saveat=TIMES, solver=SOLVER)
    assert list(result.ok) == [True, False, False]
    assert result.status_label(1) == "invalid_input"
    assert "parameter 'r' = nan" in result.messages[1]
    assert "parameter 'K' = -5.0" in result.messages[2]  # K has lower bound 0
    assert np.all(np.isnan(result.values[1:]))
    np.testing.assert_allclose(result["T"][0], logistic_exact(TIMES, 0.5, 1e6, 10.0), rtol=RTOL)


def test_invalid_single_patient_raises(logistic: coley.Model) -> None:
    # One patient given as scalars: a bad value is an argument error, not a data row.
    with pytest.raises(coley.InvalidArgumentError, match=r"model 'test_logistic'.*parameter 'r'"):
        coley.simulate(logistic, {"r": math.nan}, t_end=5)


# ------------------------------------------------------------------ argument errors
def test_unknown_parameter_column(logistic: coley.Model) -> None:
    with pytest.raises(coley.UnknownNameError,
                       match=r"unknown parameter or state 'rr' in model 'test_logistic'\. "
                             r"Did you mean 'r'\?"):
        coley.simulate(logistic, {"rr": [0.1, 0.2]}, t_end=5)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"saveat": [0.0, 5.0, 3.0]}, r"saveat must be strictly increasing"),
    ({"saveat": [1.0]}, r"saveat must hold at least two times"),
    ({"saveat": [0.0, math.nan]}, r"saveat contains a non-finite time"),
    ({"saveat": [0.0, 5.0], "t_end": 6.0}, r"t_end \(6.0\) and the last saveat time"),
    ({}, r"give t_end \(days\)"),
    ({"t_end": -1.0}, r"t_end must be a positive number of days"),
    ({"t_end": 5.0, "workers": 0}, r"workers must be an int >= 1, got 0"),
    ({"t_end": 5.0, "solver": "rodas4"}, r"solver must be a solver object"),
])
def test_invalid_arguments(logistic: coley.Model, kwargs: dict, message: str) -> None:
    with pytest.raises(coley.InvalidArgumentError, match=message):
        coley.simulate(logistic, **kwargs)


def test_negative_rtol_rejected_when_building_the_solver() -> None:
    with pytest.raises(coley.InvalidArgumentError, match=r"'rtol' parameter of Rodas4.*-1"):
        coley.Rodas4(rtol=-1.0)


def test_mismatched_column_lengths(logistic: coley.Model) -> None:
    with pytest.raises(coley.InvalidArgumentError, match=r"different lengths"):
        coley.simulate(logistic, {"r": [0.1, 0.2], "K": [1e6, 1e6, 1e6]}, t_end=5)


def test_model_must_be_a_model() -> None:
    with pytest.raises(coley.InvalidArgumentError, match=r"model must be a coley Model"):
        coley.simulate("kuznetsov1994", t_end=5)  # type: ignore[arg-type]
