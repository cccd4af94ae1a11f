"""StochasticResult: probabilities with exact binomial intervals, accessors, conversions.

Clopper-Pearson (1934, Biometrika 26:404) limits in closed form at the ends: with 0 successes
in n the upper limit is 1 - (alpha/2)^(1/n); with n successes the lower limit is
(alpha/2)^(1/n). The interval for 5 of 10 at 95% is 0.187-0.813 (e.g. Agresti & Coull 1998,
Am Stat 52:119, who use it as their example of a conservative interval).
"""

from __future__ import annotations

import numpy as np
import pytest

from coley.errors import InvalidArgumentError, UnknownNameError
from coley.stochastic import HybridTauLeaping, StochasticResult, binomial_probability


def test_clopper_pearson_limits() -> None:
    p = binomial_probability(0, 20, 0.95)
    assert (p.lower, p.estimate) == (0.0, 0.0)
    assert p.upper == pytest.approx(1 - 0.025 ** (1 / 20), rel=1e-10)
    p = binomial_probability(20, 20, 0.95)
    assert p.lower == pytest.approx(0.025 ** (1 / 20), rel=1e-10) and p.upper == 1.0
    p = binomial_probability(5, 10, 0.95)
    assert (round(p.lower, 3), round(p.upper, 3)) == (0.187, 0.813)
    assert str(p) == "0.500 (95% CI 0.187-0.813; 5/10)"
    assert float(p) == 0.5
    with pytest.raises(InvalidArgumentError, match="confidence must be a number in"):
        binomial_probability(1, 2, 95)
    with pytest.raises(InvalidArgumentError, match="must lie in"):
        binomial_probability(3, 2)


def _result() -> StochasticResult:
    """4 replicates, times 0, 1, 2 d, states A and B (A + B is the 'tumour')."""
    a = np.array([[5, 2, 0], [5, 6, 9], [5, 0, 3], [5, 4, 1]], dtype=float)
    b = np.array([[1, 0, 0], [1, 1, 1], [1, 0, 0], [1, 1, 1]], dtype=float)
    return StochasticResult(
        model_name="toy", time=np.array([0.0, 1.0, 2.0]), state_names=("A", "B"),
        values=np.stack([a, b], axis=-1), status=np.zeros(4, dtype=np.int64),
        steps=np.zeros((4, 3), dtype=np.int64), discrete=("A", "B"), threshold=1e4,
        seed=np.random.SeedSequence(0), method=HybridTauLeaping(),
    )


def test_probabilities_count_replicates_up_to_a_time() -> None:
    r = _result()
    # A + B reaches 0 in replicate 0 (day 2) and replicate 2 (day 1, then regrows: first
    # passage still counts)
    assert r.probability_extinct(("A", "B"), by=1.0).count == 1
    assert r.probability_extinct(("A", "B")).count == 2
    assert r.probability_extinct("A", by=0.5).count == 0  # only day 0 is <= 0.5
    assert r.probability_above(("A", "B"), 6.5).count == 1  # replicate 1: 7 at day 1
    assert r.probability_above("A", 6.5, by=1.0).count == 0
    assert r.probability_above("A", 4.0, by=0.0).count == 4
    assert r.mean("A").tolist() == [5.0, 3.0, 3.25]
    assert r.total(("A", "B"))[1].tolist() == [6.0, 7.0, 10.0]


def test_result_accessors_and_errors() -> None:
    r = _result()
    assert r.n_replicates == 4 and r.ok.all()
    assert r.messages[0] == "ok: finished"
    ds = r.to_xarray()
    assert ds["A"].dims == ("replicate", "time") and ds.attrs["seed"] == "0"
    assert "replicates=4" in repr(r)
    with pytest.raises(UnknownNameError, match="unknown state 'C'"):
        r["C"]
    with pytest.raises(InvalidArgumentError, match="after the last output time"):
        r.probability_extinct("A", by=3.0)
    with pytest.raises(InvalidArgumentError, match="by must be a time in days"):
        r.probability_extinct("A", by=-1.0)
    with pytest.raises(InvalidArgumentError, match="level must be a finite number"):
        r.probability_above("A", float("nan"))
    with pytest.raises(InvalidArgumentError, match="states is empty"):
        r.total(())
