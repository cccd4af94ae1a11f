"""Pieces of an arm's analysis checked against closed forms."""

import numpy as np
import pytest

from coley.trial.arms import _crossing


def test_death_time_of_an_exponentially_growing_burden_is_exact() -> None:
    # burden e^(r t) on a weekly grid reaches L at t = ln(L)/r exactly under log-linear
    # interpolation, whatever the grid
    grid = np.arange(0.0, 400.0, 7.0)
    r = np.array([0.05, 0.08])
    burden = np.exp(r[:, None] * grid[None, :]) * 1e9
    t = _crossing(grid, burden, 1e12)
    assert t == pytest.approx(np.log(1e3) / r, rel=1e-12)
    # never reached: NaN; already above at the start: the first output time
    assert np.isnan(_crossing(grid, burden, 1e30)).all()
    assert (_crossing(grid, burden, 1.0) == 0.0).all()
