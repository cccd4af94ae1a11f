"""SimulationResult: labelled conversions (xarray, pandas) and plotting.

Runs three logistic patients (conftest ``logistic``), one of which reaches a terminal threshold,
so that labels, status and event columns are all exercised.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from matplotlib.figure import Figure

import coley

TIMES = np.linspace(0.0, 20.0, 11)


@pytest.fixture(scope="module")
def result(logistic: coley.Model) -> coley.SimulationResult:
    # Patient 1 grows fastest (r = 1) and hits the terminal threshold of 1e5 cells.
    return coley.simulate(logistic, {"r": [0.4, 1.0, 0.2]}, saveat=TIMES,
                          events=[coley.Threshold("T", 1e5, terminal=True, name="big")],
                          solver=coley.Rodas4(rtol=1e-8))


def test_indexing_and_status(result: coley.SimulationResult) -> None:
    # Logistic closed form T = K/(1 + (K/T0 - 1) e^{-rt}) reaches 1e5 = K/10 at
    # t = ln((K/T0 - 1)/9)/r (derived): 9.3 d for r = 1; 23.3 d (r = 0.4) and 46.6 d (r = 0.2)
    # lie beyond day 20. The dense-output root at rtol = 1e-8 is good to ~1e-8 relative.
    assert result["T"].shape == (3, len(TIMES))
    assert list(result.status) == [0, 1, 0]
    t_hit = math.log((1e6 / 10.0 - 1) / 9) / 1.0
    assert result.stop_time[1] == pytest.approx(t_hit, rel=1e-6)
    assert np.isnan(result.event_time("big")[[0, 2]]).all()
    with pytest.raises(coley.UnknownNameError, match=r"unknown state 'X'.*Valid names: T"):
        result["X"]


def test_to_xarray(result: coley.SimulationResult) -> None:
    ds = result.to_xarray()
    assert isinstance(ds, xr.Dataset)
    assert dict(ds.sizes) == {"patient": 3, "time": len(TIMES), "parameter": 3}
    assert ds["T"].dims == ("patient", "time")
    np.testing.assert_array_equal(ds["time"], TIMES)
    assert list(ds["parameter"].values) == ["r", "K", "H"]
    assert list(ds["status_label"].values) == ["ok", "stopped", "ok"]
    np.testing.assert_array_equal(ds["parameter_value"].sel(parameter="r"), [0.4, 1.0, 0.2])
    assert "event_big" in ds
    assert ds.attrs == {"model": "test_logistic", "time_unit": "day"}
    np.testing.assert_array_equal(ds["T"].values, result["T"])


def test_to_pandas_long_table(result: coley.SimulationResult) -> None:
    frame = result.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["patient", "time", "T"]
    assert len(frame) == 3 * len(TIMES)
    patient1 = frame[frame["patient"] == 1]
    np.testing.assert_array_equal(patient1["time"], TIMES)
    np.testing.assert_array_equal(patient1["T"], result["T"][1])


def test_patient_frame(result: coley.SimulationResult) -> None:
    frame = result.patient_frame(2)
    assert list(frame.columns) == ["time", "T"]
    assert frame.shape == (len(TIMES), 2)
    np.testing.assert_array_equal(frame["T"], result["T"][2])


def test_plot_returns_figure(result: coley.SimulationResult) -> None:
    fig = result.plot()
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert ax.get_ylabel() == "T"
    assert ax.get_yscale() == "log"
    assert len(ax.lines) == 3  # one line per patient
    with pytest.raises(coley.UnknownNameError):
        result.plot(["X"])


def test_repr_summarises(result: coley.SimulationResult) -> None:
    text = repr(result)
    assert "patients=3" in text and "failed=0" in text
