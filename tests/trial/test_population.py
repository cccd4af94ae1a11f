"""Virtual-population sampling: copula correlations, truncation, per-patient streams."""

from pathlib import Path

import numpy as np
import pytest

from coley.trial.population import draw, ppf
from coley.trial.spec import DistributionSpec, load_trial

SMOKE = Path(__file__).with_name("smoke.toml")


def test_lognormal_copula_has_the_requested_log_correlation() -> None:
    spec = load_trial(SMOKE)
    n = 4000
    d = draw(spec, np.arange(n), np.zeros(n, dtype=np.int64))
    la, ln = np.log(d["a"]), np.log(d["n"])
    # median and log-sd as specified (standard errors ~ 0.3/sqrt(4000) = 0.005)
    assert np.median(d["a"]) == pytest.approx(0.18, rel=0.03)
    assert np.std(la) == pytest.approx(0.3, rel=0.05)
    # correlation of the logs -0.3; SE (1 - rho^2)/sqrt(n) = 0.014
    assert np.corrcoef(la, ln)[0, 1] == pytest.approx(-0.3, abs=0.05)
    # s is uncorrelated with a
    assert abs(np.corrcoef(la, np.log(d["s"]))[0, 1]) < 0.05


def test_a_patient_is_the_same_whatever_the_cohort() -> None:
    spec = load_trial(SMOKE)
    a = draw(spec, np.array([5, 6, 7]), np.zeros(3, dtype=np.int64))
    b = draw(spec, np.array([7]), np.zeros(1, dtype=np.int64))
    assert a["a"][2] == b["a"][0] and a["s"][2] == b["s"][0]
    # a redraw (attempt 1) differs from the first draw
    c = draw(spec, np.array([7]), np.ones(1, dtype=np.int64))
    assert c["a"][0] != b["a"][0]


def test_truncation_is_exact() -> None:
    spec = DistributionSpec(dist="lognormal", median=1.0, sd_log=1.0, lower=0.5, upper=3.0)
    x = ppf(spec, np.linspace(0, 1, 1001))
    assert x.min() == pytest.approx(0.5) and x.max() == pytest.approx(3.0)
    assert np.all(np.diff(x) >= 0)
