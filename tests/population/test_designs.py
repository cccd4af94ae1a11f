"""Designs (coley.population.designs): Latin hypercube strata, Sobol balance, seeding."""

from __future__ import annotations

import numpy as np
import pytest

from coley.errors import InvalidArgumentError
from coley.population import LatinHypercube, LogUniform, Sobol, Uniform, design


def test_latin_hypercube_puts_one_point_in_each_stratum() -> None:
    n, d = 50, 4
    u = LatinHypercube(seed=3).unit(n, d)
    assert u.shape == (n, d)
    # McKay et al. 1979: the n strata [k/n, (k+1)/n) of every dimension hold one point each
    for j in range(d):
        np.testing.assert_array_equal(np.sort(np.floor(u[:, j] * n)), np.arange(n))
    np.testing.assert_array_equal(u, LatinHypercube(seed=3).unit(n, d))
    assert not np.allclose(u, LatinHypercube(seed=4).unit(n, d))


def test_sobol_is_balanced_and_needs_a_power_of_two() -> None:
    u = Sobol(seed=1).unit(64, 3)
    # a (t, m, s)-net in base 2: each half of every dimension holds exactly n/2 points
    assert np.all(np.sum(u < 0.5, axis=0) == 32)
    with pytest.raises(InvalidArgumentError, match="power of 2"):
        Sobol().unit(12, 3)


def test_design_maps_columns_through_their_distributions() -> None:
    x = design([Uniform(0.0, 10.0), LogUniform(1e-3, 1e3)], 20, method=LatinHypercube(seed=0))
    u = LatinHypercube(seed=0).unit(20, 2)
    np.testing.assert_array_equal(x[:, 0], 10.0 * u[:, 0])
    np.testing.assert_allclose(x[:, 1], 10.0 ** (-3 + 6 * u[:, 1]), rtol=1e-12)
    assert design([], 4).shape == (4, 0)
    with pytest.raises(InvalidArgumentError, match="n must be an int >= 2"):
        design([Uniform(0, 1)], 1)
