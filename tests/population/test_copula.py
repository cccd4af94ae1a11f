"""The Gaussian copula (coley.population.copula): correlations reproduced, bad matrices
refused."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

from coley.errors import InvalidArgumentError
from coley.population import GaussianCopula


def test_normal_scores_have_the_requested_correlation() -> None:
    rho, n = 0.6, 20_000
    cop = GaussianCopula.from_pairs(["a", "b", "c"], {"a,b": rho, ("b", "c"): -0.3})
    z = np.random.default_rng(0).standard_normal((n, 3))
    u = cop.uniforms(z)
    assert u.min() > 0 and u.max() < 1
    s = special.ndtri(u)  # the normal scores are L z, with correlation R (Nelsen 2006, ch. 5)
    r = np.corrcoef(s.T)
    # the sample correlation has standard error (1 - rho^2)/sqrt(n) (Fisher 1915): 0.0045
    # for rho = 0.6 at n = 20,000; allow 4 standard errors
    assert r[0, 1] == pytest.approx(rho, abs=4 * (1 - rho**2) / np.sqrt(n))
    assert r[1, 2] == pytest.approx(-0.3, abs=4 * (1 - 0.09) / np.sqrt(n))
    assert r[0, 2] == pytest.approx(0.0, abs=4 / np.sqrt(n))
    # Spearman's rho of a bivariate normal: (6/pi) asin(rho/2) (Kruskal 1958)
    spearman = stats.spearmanr(u[:, 0], u[:, 1]).statistic
    assert spearman == pytest.approx(6 / np.pi * np.arcsin(rho / 2), abs=4 / np.sqrt(n))


def test_identity_copula_is_the_normal_cdf() -> None:
    z = np.array([[0.0, 1.0], [-2.0, 0.5]])
    np.testing.assert_array_equal(GaussianCopula(np.eye(2)).uniforms(z), special.ndtr(z))


def test_singular_but_valid_matrix_is_accepted() -> None:
    cop = GaussianCopula(np.array([[1.0, 1.0], [1.0, 1.0]]))  # rho = 1: one variable twice
    u = cop.uniforms(np.random.default_rng(0).standard_normal((100, 2)))
    np.testing.assert_allclose(u[:, 0], u[:, 1], rtol=1e-12)
    np.testing.assert_allclose(cop.factor @ cop.factor.T, cop.correlation, atol=1e-12)


@pytest.mark.parametrize(("matrix", "message"), [
    ([[1.0, 0.5], [0.4, 1.0]], "must be symmetric"),
    ([[2.0, 0.0], [0.0, 1.0]], "diagonal"),
    ([[1.0, 0.0, 0.0]], "square"),
    ([[1.0, 0.9, 0.9], [0.9, 1.0, -0.9], [0.9, -0.9, 1.0]], "positive semi-definite"),
])
def test_bad_matrices_are_refused(matrix: list[list[float]], message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        GaussianCopula(np.array(matrix))


def test_pairs_must_name_the_parameters() -> None:
    with pytest.raises(InvalidArgumentError, match="names 'x'"):
        GaussianCopula.from_pairs(["a", "b"], {"a,x": 0.2})
