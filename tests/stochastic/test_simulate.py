"""simulate_stochastic against exact results of birth-death processes; seeds; errors.

Sources of the analytic numbers:

* Kendall DG (1948), "On the generalized 'birth-and-death' process", Ann Math Stat 19:1-15
  (also Bailey NTJ 1964, The Elements of Stochastic Processes, sec. 8.6): a linear
  birth-death process with per-cell birth rate b and death rate d, started from n0 cells, is
  extinct by time t with probability
  P0(t) = [d (e^{(b-d)t} - 1) / (b e^{(b-d)t} - d)]^n0, which tends to (d/b)^n0 when b > d.
* Pure death (b = 0): cells die independently, so X(t) ~ Binomial(n0, e^{-dt}): mean
  n0 e^{-dt}, variance n0 e^{-dt}(1 - e^{-dt}), P(extinct by t) = (1 - e^{-dt})^n0.
* Binomial thinning: keeping each of n cells with probability f gives Binomial(n, f).

Probabilities are compared with the exact (Clopper-Pearson) 99% interval of the simulated
frequency; means and variances with bounds stated at each test. Every test is seeded.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from coley import Citation, Jump, Model, ModelEvent, Parameter, State
from coley.errors import InvalidArgumentError, UnknownNameError
from coley.stochastic import HybridTauLeaping, simulate_stochastic


def kendall_extinct(t: float, n0: int, b: float, d: float) -> float:
    """Kendall 1948: P(a linear birth-death process from n0 cells is extinct by t)."""
    e = math.exp((b - d) * t)
    return (d * (e - 1.0) / (b * e - d)) ** n0


@pytest.mark.parametrize("n0", [1, 5])
def test_birth_death_extinction_matches_kendall(birth_death: Model, n0: int) -> None:
    """b = 1, d = 0.5 /day: P(extinct) -> (d/b)^n0 = 0.5 (n0 = 1), 0.03125 (n0 = 5)."""
    times = (2.0, 5.0, 20.0)
    result = simulate_stochastic(birth_death, {"X": n0}, saveat=[0.0, *times],
                                 replicates=10_000, seed=0)
    for t in times:
        p = result.probability_extinct("X", by=t, confidence=0.99)
        assert p.lower <= kendall_extinct(t, n0, 1.0, 0.5) <= p.upper, (t, str(p))
    assert kendall_extinct(20.0, n0, 1.0, 0.5) == pytest.approx(0.5**n0, rel=1e-3)


def test_pure_death_extinction_and_mean(birth_death: Model) -> None:
    """20 cells dying at 0.1/day: P(extinct by t) = (1 - e^{-t/10})^20, mean 20 e^{-t/10}."""
    times = (10.0, 20.0, 40.0)
    n = 10_000
    result = simulate_stochastic(birth_death, {"X": 20, "b": 0.0, "d": 0.1},
                                 saveat=[0.0, *times], replicates=n, seed=0)
    for k, t in enumerate(times, start=1):
        q = math.exp(-0.1 * t)
        p = result.probability_extinct("X", by=t, confidence=0.99)
        assert p.lower <= (1.0 - q) ** 20 <= p.upper, (t, str(p))
        # mean within 4 standard errors of the binomial mean (sd sqrt(20 q (1 - q) / n))
        se = math.sqrt(20 * q * (1 - q) / n)
        assert abs(result.mean("X")[k] - 20 * q) < 4 * se
    assert np.all(result["X"] == np.round(result["X"]))  # whole cells


def test_leaping_keeps_the_binomial_mean_and_variance(birth_death: Model) -> None:
    """1e5 cells dying at 0.1/day for 10 days are simulated by Poisson leaps (about 30 steps,
    not 63,000 events); X(10) must still be Binomial(1e5, e^-1): mean 36,788, variance 23,254.
    Mean within 4 standard errors; sample variance within 4 of its standard errors
    (var * sqrt(2/(n-1)), 3.2% for n = 2000)."""
    n = 2000
    result = simulate_stochastic(birth_death, {"X": 1e5, "b": 0.0, "d": 0.1},
                                 saveat=[0.0, 10.0], replicates=n, seed=0,
                                 threshold=math.inf)
    x = result["X"][:, -1]
    q = math.exp(-1.0)
    mean, var = 1e5 * q, 1e5 * q * (1 - q)
    assert abs(x.mean() - mean) < 4 * math.sqrt(var / n)
    assert abs(x.var(ddof=1) / var - 1) < 4 * math.sqrt(2 / (n - 1))
    assert result.steps[:, 0].max() < 200  # leaps, not single events
    assert result.steps[:, 2].max() == 0  # no exact events: no population near zero


def test_surviving_fraction_thins_whole_cells(birth_death: Model) -> None:
    """A Jump multiplying 1000 cells by 0.3 (no birth, no death) keeps each cell with
    probability 0.3: Binomial(1000, 0.3), mean 300, variance 210."""
    n = 10_000
    result = simulate_stochastic(birth_death, {"X": 1000, "b": 0.0, "d": 0.0},
                                 saveat=[0.0, 1.0, 2.0], replicates=n, seed=0,
                                 schedule=[Jump("X", 1.0, 0.3, op="multiply")])
    x = result["X"][:, 1]  # outputs are right-continuous: day 1 is after the jump
    assert abs(x.mean() - 300) < 4 * math.sqrt(210 / n)
    assert abs(x.var(ddof=1) / 210 - 1) < 4 * math.sqrt(2 / (n - 1))
    assert np.array_equal(result["X"][:, 2], x)


def test_seeded_and_independent_of_workers(birth_death: Model) -> None:
    """Replicate i uses child i of SeedSequence(seed): same seed, same values, whatever the
    number of threads; another seed gives other values."""
    kwargs = {"saveat": [0.0, 5.0, 10.0], "replicates": 64}
    one = simulate_stochastic(birth_death, {"X": 5}, seed=7, workers=1, **kwargs)
    two = simulate_stochastic(birth_death, {"X": 5}, seed=7, workers=2, **kwargs)
    again = simulate_stochastic(birth_death, {"X": 5}, seed=np.random.SeedSequence(7),
                                **kwargs)
    other = simulate_stochastic(birth_death, {"X": 5}, seed=8, **kwargs)
    assert np.array_equal(one.values, two.values)
    assert np.array_equal(one.values, again.values)
    assert not np.array_equal(one.values, other.values)
    # the first replicates do not depend on how many follow
    few = simulate_stochastic(birth_death, {"X": 5}, seed=7, saveat=[0.0, 5.0, 10.0],
                              replicates=8)
    assert np.array_equal(few.values, one.values[:8])
    assert one.seed.entropy == 7


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"replicates": 0}, "replicates must be an int >= 1, got 0"),
        ({"workers": 0}, "workers must be an int >= 1, got 0"),
        ({"threshold": -1.0}, "threshold must be a number of cells > 0"),
        ({"seed": -3}, "seed must be an int >= 0"),
        ({"discrete": "X"}, r"discrete=\('X',\)"),
        ({"discrete": ()}, "discrete is empty"),
        ({"method": "tau"}, "method must be a HybridTauLeaping"),
        ({"parameters": {"X": [1.0, 2.0]}}, "takes one patient"),
        ({"parameters": {"d": -1.0}}, "'d' = -1.0"),
        ({"t_end": None}, "give t_end"),
    ],
)
def test_bad_arguments_say_what_to_do(birth_death: Model, kwargs: dict, match: str) -> None:
    call = {"t_end": 5.0, **kwargs}
    with pytest.raises(InvalidArgumentError, match=match):
        simulate_stochastic(birth_death, **call)


def test_bad_names_and_models(birth_death: Model) -> None:
    with pytest.raises(UnknownNameError, match="Did you mean 'X'"):
        simulate_stochastic(birth_death, t_end=5.0, discrete=("x",))
    with pytest.raises(InvalidArgumentError, match="must be a coley Model"):
        simulate_stochastic("birth_death", t_end=5.0)  # type: ignore[arg-type]
    unitless = Model(name="test_unitless", title="u", citation=Citation("test"),
                     states=(State("x", 1.0, "mm^3", "volume"),),
                     parameters=(Parameter("k", 0.1, "1/day", "k", "test"),),
                     equations={"x": "-k*x"})
    with pytest.raises(InvalidArgumentError, match="has none"):
        simulate_stochastic(unitless, t_end=5.0)
    with_event = Model(name="test_event", title="e", citation=Citation("test"),
                       states=(State("x", 1.0, "cell", "cells"),),
                       parameters=(Parameter("k", 0.1, "1/day", "k", "test"),),
                       equations={"x": "-k*x"},
                       events=(ModelEvent("reset", "t >= 2", {"x": "5"}),))
    with pytest.raises(InvalidArgumentError, match="does not support"):
        simulate_stochastic(with_event, t_end=5.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_step": 0.0}, "max_step"),
        ({"epsilon": 1.5}, "epsilon must be < 1"),
        ({"n_critical": 2.5}, "n_critical must be an int > 0"),
        ({"rtol": math.nan}, "rtol must be a number > 0"),
    ],
)
def test_method_spec_is_validated(kwargs: dict, match: str) -> None:
    with pytest.raises(InvalidArgumentError, match=match):
        HybridTauLeaping(**kwargs)
