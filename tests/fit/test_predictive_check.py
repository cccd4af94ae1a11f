"""RECIST endpoints of lesion series and the predictive check of a population fit.

Expected numbers: RECIST 1.1 categories worked by hand from its thresholds (Eisenhauer et al.
2009: PR at -30% from baseline, confirmed 28 days later; PD at +20% and +5 mm over the nadir;
SD at 42 days or later), and the Kaplan-Meier median of three series by hand; a population
drawn from a fit has the fitted medians and log-scale SDs (Monte-Carlo error from n); data
simulated from the model lie within the model's predictive intervals.
"""

from __future__ import annotations

import math
import runpy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import coley
from coley.fit.predictive_check import (
    diameter_mm,
    endpoint_summary,
    lesion_outcomes,
    predictive_check,
    vpc,
)
from coley.model.growth import closed_form

ROOT = Path(__file__).resolve().parents[2]
LALEH = ROOT.parent / "shared" / "data" / "laleh2022" / "lesions.csv"


def _series() -> pd.DataFrame:
    rows = [("pr", -10, 20), ("pr", 42, 13), ("pr", 84, 12),      # -35%, then confirmed
            ("sd_pd", -10, 20), ("sd_pd", 42, 19), ("sd_pd", 84, 25),  # SD, then +6 mm, +32%
            ("pd", -10, 20), ("pd", 42, 26),                          # +30% and +6 mm
            ("lonely", -10, 20)]
    return pd.DataFrame(rows, columns=["subject", "time", "diameter"]).assign(value=1.0)


def test_recist_by_hand() -> None:
    out = lesion_outcomes(_series()).set_index("subject")
    assert out.loc["pr", "bor"] == "PR" and not out.loc["pr", "progressed"]
    assert out.loc["pr", "pfs_days"] == 84  # censored at the last scan
    assert out.loc["sd_pd", "bor"] == "SD" and out.loc["sd_pd", "progressed"]
    assert out.loc["sd_pd", "pfs_days"] == 84
    assert out.loc["pd", "bor"] == "PD" and out.loc["pd", "pfs_days"] == 42
    assert out.loc["lonely", "bor"] == "NE"
    s = endpoint_summary(out.reset_index())
    # KM: S(42) = 2/3, S(84) = 2/3 * (1 - 1/2) = 1/3 (the censoring at 84 comes after the event)
    assert s == {"orr": pytest.approx(1 / 3), "pd_best": pytest.approx(1 / 3),
                 "median_pfs_days": 84.0, "evaluable": 3.0}


def test_diameter_follows_the_data_convention() -> None:
    # the Laleh table: 13 mm <-> 1142.44 mm3 (0.52 * 13^3)
    assert diameter_mm(np.array([1142.44]), 1.0)[0] == pytest.approx(13.0)


def _simulated(seed: int = 5, n: int = 120,
               omega: float = 0.5) -> tuple[pd.DataFrame, dict[str, float]]:
    rng = np.random.default_rng(seed)
    times = np.array([-14.0, 42, 84, 126, 168, 210, 252])
    truth = {"V0": 4e3, "d": 0.01, "g": 0.003}
    psi = {k: v * np.exp(omega * rng.standard_normal(n)) for k, v in truth.items()}
    f = closed_form("stein_fojo", times[None, :], **{k: v[:, None] for k, v in psi.items()})
    y = f * (1 + 0.05 * rng.standard_normal(f.shape))
    return pd.DataFrame({"subject": np.repeat(np.arange(n), times.size),
                         "time": np.tile(times, n), "value": y.ravel()}), truth


def _stein_fojo(t: np.ndarray, psi: dict[str, np.ndarray]) -> np.ndarray:
    return closed_form("stein_fojo", t, V0=psi["V0"], d=psi["d"], g=psi["g"])


@pytest.fixture(scope="module")
def fitted() -> tuple[pd.DataFrame, coley.fit.NLMEResult]:
    data, truth = _simulated()
    params = [coley.fit.PopulationParameter(k, v) for k, v in truth.items()]
    return data, coley.fit.saem(_stein_fojo, data, params, error="proportional",
                                standard_errors=False, seed=0)


def test_population_draws_have_the_fitted_medians_and_omegas(fitted) -> None:  # type: ignore[no-untyped-def]
    _, fit = fitted
    n = 20000
    draws = fit.population().draw(3, np.arange(n))
    for name, typical in fit.typical.items():
        logs = np.log(draws[name])
        omega = fit.omega[name]
        assert np.median(logs) == pytest.approx(math.log(typical), abs=4 * 1.25 * omega
                                                / math.sqrt(n))
        assert logs.std() == pytest.approx(omega, rel=4 / math.sqrt(2 * n))


def test_data_from_the_model_lie_within_its_predictive_intervals(fitted) -> None:  # type: ignore[no-untyped-def]
    data, fit = fitted
    check = predictive_check(fit, data, mm3_per_unit=1.0, replicates=100, seed=1)
    assert list(check["endpoint"]) == ["orr", "pd_best", "median_pfs_days"]
    assert check["inside"].all(), check
    with pytest.raises(coley.InvalidArgumentError, match="replicates must be an int >= 20"):
        predictive_check(fit, data, mm3_per_unit=1.0, replicates=5)
    with pytest.raises(coley.InvalidArgumentError, match="'diameter' column"):
        lesion_outcomes(data)


@pytest.mark.slow
@pytest.mark.skipif(not LALEH.is_file(), reason="shared data not present")
def test_laleh_study2_example_runs() -> None:
    example = runpy.run_path(str(ROOT / "examples" / "populations" / "laleh_study2.py"))
    checks = example["main"](LALEH)
    data = coley.fit.read_laleh2022(LALEH)
    for arm in ("Study_2_Arm_1", "Study_2_Arm_2"):
        observed = endpoint_summary(lesion_outcomes(data[data["study_arm"] == arm]))
        for residual in (True, False):
            c = checks[f"{arm}, residual={residual}"].set_index("endpoint")
            for k in ("orr", "pd_best", "median_pfs_days"):
                assert c.loc[k, "observed"] == observed[k]
                assert c.loc[k, "low"] <= c.loc[k, "median"] <= c.loc[k, "high"]


def test_vpc_passes_the_true_model_and_fails_a_population_without_variability(
        fitted) -> None:  # type: ignore[no-untyped-def]
    data, fit = fitted
    check = vpc(fit, data, bins=7, replicates=100, seed=2)
    inside = (check["low"] <= check["observed"]) & (check["observed"] <= check["high"])
    # 21 bin-quantile cells at a 90% level: the true model leaves few outside
    assert inside.mean() >= 0.8, check
    # a population fitted to lesions four times less variable (omega 0.125, not 0.5) does not
    # describe these data: their outer quantiles fall outside its intervals
    narrow_data, truth = _simulated(omega=0.125)
    params = [coley.fit.PopulationParameter(k, v) for k, v in truth.items()]
    narrow = coley.fit.saem(_stein_fojo, narrow_data, params, error="proportional",
                            standard_errors=False, seed=0)
    bad = vpc(narrow, data, bins=7, replicates=100, seed=2)
    outer = bad[bad["quantile"] != 0.5]
    outside = (outer["observed"] < outer["low"]) | (outer["observed"] > outer["high"])
    assert outside.mean() > 0.5, bad
