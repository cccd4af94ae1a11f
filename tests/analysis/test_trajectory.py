"""The elimination / equilibrium / escape classifier on trajectories with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from coley.analysis.trajectory import Thresholds, classify_trajectory, time_under_control
from coley.errors import InvalidArgumentError

T = np.arange(0.0, 3651.0)


def test_exponential_decay_is_elimination() -> None:
    # below 1 cell after ln(1e6)/0.01 = 1381.6 d
    c = classify_trajectory(T, 1e6 * np.exp(-0.01 * T))
    assert c.label == "elimination"
    assert c.elimination_time == 1382.0
    assert c.time_under_control == 3650.0


def test_plateau_is_equilibrium() -> None:
    c = classify_trajectory(T, 1e7 + 1e6 * np.sin(T / 50))
    assert c.label == "equilibrium"
    assert c.escape_time is None and c.elimination_time is None


def test_crossing_the_escape_burden_is_escape_with_its_onset() -> None:
    total = 1e6 * np.exp(0.01 * np.maximum(T - 1000, 0))  # 1e9 at 1000 + 690.8 d
    c = classify_trajectory(T, total)
    assert c.label == "escape"
    assert c.escape_time == 1691.0
    assert c.time_under_control == 1691.0


def test_sustained_growth_below_detection_is_escape() -> None:
    total = 1e3 * np.exp(0.01 * T)[:1000]  # 10-fold in 230 d; 2.2e7 at the end, below 1e9
    c = classify_trajectory(T[:1000], total)
    assert c.label == "escape" and c.escape_time is None


def test_short_stretch_after_a_change_is_undetermined() -> None:
    total = np.where(T < 3500, 1e10, 1e7)
    assert classify_trajectory(T, total).label == "undetermined"
    longer = Thresholds(min_equilibrium_days=100)
    assert classify_trajectory(T, total, longer).label == "equilibrium"


def test_time_under_control_counts_days_below_detection() -> None:
    total = np.where((T >= 100) & (T < 400), 1e10, 1e8)
    assert time_under_control(T, total) == 3350.0
    assert time_under_control(T, total, detect_cells=1e11) == 3650.0


def test_bad_input_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="matching"):
        classify_trajectory(T, T[:-1])
    with pytest.raises(InvalidArgumentError, match="NaN"):
        classify_trajectory(T, np.full_like(T, np.nan))
    with pytest.raises(InvalidArgumentError, match="escape_cells"):
        Thresholds(escape_cells=0.5)
