"""Distributions (coley.population.distributions): analytic quantiles, exact truncation, the
file form, and errors that name the argument."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coley.errors import InvalidArgumentError
from coley.population import (
    Empirical,
    Fixed,
    LogNormal,
    LogUniform,
    Normal,
    Truncated,
    Uniform,
    from_spec,
)

# Standard-normal quantile z(0.975) = 1.959963984540054 (Abramowitz & Stegun 26.2.23 table;
# any statistics text): used for the analytic quantiles below.
Z975 = 1.959963984540054


def test_lognormal_median_and_quantiles_are_analytic() -> None:
    d = LogNormal(median=2.0, sd_log=0.5)
    # log X ~ N(log 2, 0.5^2): median exp(mu) = 2, 97.5% quantile 2 exp(0.5 z)
    assert d.ppf(np.array([0.5]))[0] == pytest.approx(2.0, rel=1e-15)
    assert d.ppf(np.array([0.975]))[0] == pytest.approx(2.0 * math.exp(0.5 * Z975), rel=1e-12)
    assert d.cdf(np.array([2.0]))[0] == pytest.approx(0.5, abs=1e-15)
    assert d.cdf(np.array([-1.0, 0.0]))[0] == 0.0
    assert d.from_score(1.0) == pytest.approx(2.0 * math.exp(0.5))


def test_normal_uniform_loguniform_fixed_quantiles() -> None:
    u = np.array([0.0, 0.25, 0.5, 1.0])
    assert Normal(1.0, 2.0).ppf(np.array([0.975]))[0] == pytest.approx(1.0 + 2.0 * Z975)
    # uniform: low + u (high - low); log-uniform: geometric interpolation
    np.testing.assert_allclose(Uniform(2.0, 6.0).ppf(u), [2.0, 3.0, 4.0, 6.0])
    np.testing.assert_allclose(LogUniform(1e-2, 1e2).ppf(u), [1e-2, 1e-1, 1.0, 1e2], rtol=1e-12)
    assert np.all(Fixed(3.5).ppf(u) == 3.5)
    # a zero spread is the centre everywhere, the ends included
    assert np.all(Normal(1.0, 0.0).ppf(u) == 1.0)
    assert np.all(LogNormal(4.0, 0.0).ppf(u) == pytest.approx(4.0))


def test_truncation_renormalises_exactly() -> None:
    base = LogNormal(1.0, 1.0)
    d = Truncated(base, 0.5, 3.0)
    x = d.ppf(np.array([0.0, 1.0]))
    assert x[0] == pytest.approx(0.5, rel=1e-12) and x[1] == pytest.approx(3.0, rel=1e-12)
    # the truncated median is where the base CDF is halfway between F(0.5) and F(3)
    lo, hi = base.cdf(np.array([0.5, 3.0]))
    m = d.ppf(np.array([0.5]))[0]
    assert base.cdf(np.array([m]))[0] == pytest.approx((lo + hi) / 2, rel=1e-12)
    assert d.cdf(np.array([m]))[0] == pytest.approx(0.5, rel=1e-12)
    one_sided = Truncated(Normal(0.0, 1.0), low=0.0)  # half-normal: median z(0.75)
    assert one_sided.ppf(np.array([0.5]))[0] == pytest.approx(0.6744897501960817, rel=1e-12)


def test_empirical_is_numpy_linear_quantile() -> None:
    rng = np.random.default_rng(1)
    values = rng.lognormal(size=37)
    d = Empirical(tuple(values))
    u = np.linspace(0.0, 1.0, 1001)
    # Hyndman & Fan (1996) type 7 = numpy's method="linear"; equal up to round-off
    np.testing.assert_allclose(d.ppf(u), np.quantile(values, u, method="linear"), rtol=1e-13)
    assert d.ppf(np.array([0.0]))[0] == values.min() and d.ppf(np.array([1.0]))[0] == values.max()
    table = {"weight": [60.0, 70.0, 80.0]}
    assert Empirical.from_table(table, "weight").ppf(np.array([0.5]))[0] == 70.0
    with pytest.raises(InvalidArgumentError, match="no column 'height'"):
        Empirical.from_table(table, "height")


distributions = st.one_of(
    st.builds(LogNormal, st.floats(1e-6, 1e6), st.floats(0.0, 3.0)),
    st.builds(Normal, st.floats(-1e3, 1e3), st.floats(0.0, 10.0)),
    st.builds(lambda a, w: Uniform(a, a + w), st.floats(-1e3, 1e3), st.floats(1e-3, 1e3)),
    st.builds(lambda a, f: LogUniform(a, a * f), st.floats(1e-6, 1e3), st.floats(1.01, 1e4)),
    st.builds(lambda v: Empirical(tuple(v)),
              st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=30)),
)


@settings(max_examples=200, deadline=None)
@given(distributions, st.lists(st.floats(0.0, 1.0), min_size=2, max_size=50))
def test_ppf_is_monotone(d: object, us: list[float]) -> None:
    u = np.sort(np.asarray(us))
    x = d.ppf(u)  # type: ignore[attr-defined]
    assert np.all(np.diff(x[np.isfinite(x)]) >= 0)


@settings(max_examples=200, deadline=None)
@given(st.floats(1e-3, 1e3), st.floats(0.05, 2.0), st.floats(0.0, 1.0), st.floats(0.0, 1.0),
       st.lists(st.floats(0.0, 1.0), min_size=1, max_size=50))
def test_truncated_draws_stay_inside_the_bounds(median: float, sd: float, a: float, b: float,
                                               us: list[float]) -> None:
    base = LogNormal(median, sd)
    # bounds at base quantiles qa in [0.01, 0.49] and qb in [0.51, 0.99]: never equal, and
    # the truncated mass is never tiny
    qa, qb = 0.01 + 0.48 * a, 0.51 + 0.48 * b
    low, high = base.ppf(np.array([qa, qb]))
    x = Truncated(base, float(low), float(high)).ppf(np.asarray(us))
    assert np.all((x >= low * (1 - 1e-9)) & (x <= high * (1 + 1e-9)))


def test_from_spec_reads_the_trial_file_form() -> None:
    d = from_spec({"dist": "lognormal", "median": 80, "sd_log": 0.2, "lower": 40,
                   "upper": 160, "mean": None})
    assert isinstance(d, Truncated) and d.dist == LogNormal(80.0, 0.2)
    assert (d.low, d.high) == (40.0, 160.0)
    assert from_spec({"dist": "fixed", "value": 2}) == Fixed(2.0)
    assert from_spec({"dist": "empirical", "values": [3, 1, 2]}) == Empirical((1.0, 2.0, 3.0))


@pytest.mark.parametrize(("spec", "message"), [
    ({"dist": "gamma"}, "dist must be one of"),
    ({"dist": "lognormal", "median": 1.0}, "needs sd_log"),
    ({"dist": "lognormal", "median": -1.0, "sd_log": 1.0}, r"median must be > 0, got -1\.0"),
    ({"dist": "normal", "mean": 0.0, "sd": -1.0}, r"sd must be >= 0, got -1\.0"),
    ({"dist": "uniform", "low": 2.0, "high": 1.0}, "needs low < high"),
    ({"dist": "loguniform", "low": 0.0, "high": 1.0}, "low must be > 0"),
    ({"dist": "normal", "mean": 0.0, "sd": 1.0, "median": 2.0}, "got median: drop"),
    ({"dist": "normal", "mean": math.inf, "sd": 1.0}, "mean must be a finite number"),
    ({"dist": "empirical", "values": [1.0]}, "at least 2 finite"),
    ({"dist": "lognormal", "median": 1.0, "sd_log": 0.1, "lower": 10.0}, "has no mass"),
    ({"dist": "normal", "mean": 0.0, "sd": 1.0, "lower": 2.0, "upper": 1.0}, "low < high"),
])
def test_bad_parameters_are_refused_by_name(spec: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        from_spec(spec)
