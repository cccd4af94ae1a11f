"""Per-lesion fits and the forecast comparison (Laleh et al. 2022 protocol).

Expected numbers are derived: noise-free lesions simulated from a form are fitted exactly and
their held-out readings forecast exactly; the last-value-carried-forward error is computed by
hand; the vectorised Levenberg-Marquardt is held to scipy's least_squares on real lesions; the
Laleh table's counts follow from the file itself (765 lesions, 4,352 readings, as its README
says).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import least_squares

import coley
from coley.fit.forecast import (
    LVCF,
    _informed_start,
    _Search,
    compare_forecasts,
    fit_lesions,
    read_laleh2022,
)
from coley.library import tumour_size as ts

LALEH = Path(__file__).resolve().parents[3] / "shared" / "data" / "laleh2022" / "lesions.csv"
TIMES = np.array([-20.0, 40.0, 80.0, 125.0, 170.0, 210.0, 250.0])

#: Parameter sets a lesion could show (normalised volume, days), one growing, one regressing.
TRUTH = {
    "exponential": [{"V0": 2e-3, "kg": 0.004}, {"V0": 5e-3, "kg": -0.006}],
    "logistic": [{"V0": 2e-3, "kg": 0.02, "K": 8e-3}, {"V0": 5e-3, "kg": 0.01, "K": 2e-3}],
    "gompertz": [{"V0": 2e-3, "kg": 0.01, "K": 9e-3}, {"V0": 5e-3, "kg": 0.012, "K": 1e-3}],
    "bertalanffy": [{"V0": 2e-3, "a": 0.002, "b": 0.03}, {"V0": 5e-3, "a": 2e-4, "b": 0.02}],
    "stein_fojo": [{"V0": 2e-3, "d": 0.02, "g": 0.006}, {"V0": 5e-3, "d": 0.01, "g": 0.002}],
}


def _lesions(form: str, params: list[dict[str, float]]) -> pd.DataFrame:
    rows = []
    for i, p in enumerate(params):
        v = ts.closed_form(form, TIMES, **p)
        rows += [{"subject": f"L{i}", "time": t, "value": x} for t, x in zip(TIMES, v, strict=True)]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("form", list(TRUTH))
def test_noise_free_lesions_are_fitted_and_forecast_exactly(form: str) -> None:
    data = _lesions(form, TRUTH[form])
    fits = fit_lesions(data, form, starts=6)
    assert (fits["status"] == "ok").all()
    scale = data.groupby("subject")["value"].max().to_numpy()
    assert np.all(np.sqrt(fits["sse"].to_numpy()) / scale < 1e-6)
    for row, truth in zip(fits.itertuples(), TRUTH[form], strict=True):
        for name, value in truth.items():
            assert getattr(row, name) == pytest.approx(value, rel=1e-3), (form, name)
    comparison = compare_forecasts(data, [form], min_readings=6, bootstrap=200)
    # the forecast of the last two readings from the first five is exact; LVCF is not
    scale_test = data.groupby("subject")["value"].max().to_numpy()
    assert np.all(comparison.errors[form].to_numpy() / scale_test < 1e-5)
    assert np.all(comparison.errors[LVCF].to_numpy() / scale_test > 1e-3)


def test_lvcf_error_by_hand_and_pairwise_verdicts() -> None:
    data = _lesions("exponential", [{"V0": 1.0, "kg": 0.01}, {"V0": 2.0, "kg": 0.005},
                                    {"V0": 1.5, "kg": 0.008}])
    c = compare_forecasts(data, ["exponential"], holdout=2, min_readings=6, bootstrap=500)
    for i, (v0, k) in enumerate([(1.0, 0.01), (2.0, 0.005), (1.5, 0.008)]):
        last = v0 * np.exp(k * TIMES[-3])
        hand = np.mean(np.abs(v0 * np.exp(k * TIMES[-2:]) - last))
        assert c.errors.loc[i, LVCF] == pytest.approx(hand, rel=1e-12)
    pair = c.pairwise().iloc[0]
    assert (pair["a"], pair["b"]) == (LVCF, "exponential")
    assert pair["verdict"] == "exponential better" and pair["low"] > 0
    table = c.table()
    assert list(table["model"]) == ["exponential", LVCF]
    assert (table["low"] <= table["mae"]).all() and (table["mae"] <= table["high"]).all()
    # same seed, same intervals
    again = compare_forecasts(data, ["exponential"], min_readings=6, bootstrap=500)
    pd.testing.assert_frame_equal(again.pairwise(), c.pairwise())


def test_a_lesion_with_one_reading_is_a_failed_row_not_dropped() -> None:
    data = pd.concat([_lesions("exponential", TRUTH["exponential"]),
                      pd.DataFrame({"subject": ["lonely"], "time": [0.0], "value": [1e-3]})])
    fits = fit_lesions(data, "exponential").set_index("subject")
    assert fits.loc["lonely", "status"] == "failed"
    assert "at least 2" in fits.loc["lonely", "message"]
    assert (fits.drop("lonely")["status"] == "ok").all()


def test_bad_input_names_the_item() -> None:
    data = _lesions("exponential", TRUTH["exponential"])
    with pytest.raises(coley.InvalidArgumentError, match=r"lacks column\(s\) \['subject'\]"):
        fit_lesions(data.rename(columns={"subject": "id"}), "exponential")
    bad = data.copy()
    bad.loc[3, "value"] = -1.0
    with pytest.raises(coley.InvalidArgumentError, match=r"row 3 \(subject 'L0'\).*negative"):
        fit_lesions(bad, "exponential")
    with pytest.raises(coley.UnknownNameError, match="Did you mean 'gompertz'"):
        fit_lesions(data, "gompers")
    with pytest.raises(coley.InvalidArgumentError, match=r"min_readings must be .* >= holdout"):
        compare_forecasts(data, ["exponential"], min_readings=3)
    with pytest.raises(coley.InvalidArgumentError, match="no lesion has at least"):
        compare_forecasts(data, ["exponential"], min_readings=20)
    with pytest.raises(coley.InvalidArgumentError, match="no file at"):
        read_laleh2022("nowhere/lesions.csv")


pytestmark_laleh = pytest.mark.skipif(not LALEH.is_file(), reason="shared data not present")


def _scaled_residuals(f: ts.GrowthForm, search: _Search, t: np.ndarray,
                      y: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    def residuals(z: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            r = (f.solution(t, *search.natural(z)) - y) / y.max()
        return np.where(np.isfinite(r), r, 1e3)
    return residuals


@pytestmark_laleh
def test_levenberg_marquardt_matches_scipy_on_real_lesions() -> None:
    # The vectorised optimiser must not be worse than scipy's trust-region least squares started
    # from the same data-informed point (the reference a Python user would reach for).
    data = read_laleh2022(LALEH)
    first = data[data["subject"].isin(data["subject"].drop_duplicates().iloc[:40])]
    for form in ("gompertz", "stein_fojo", "claret_bruno"):
        f = ts.growth_form(form)
        search = _Search(f)
        fits = fit_lesions(first, form).set_index("subject")
        for subject, g in first.groupby("subject"):
            t, y = g["time"].to_numpy(), g["value"].to_numpy()
            scale = y.max()

            residuals = _scaled_residuals(f, search, t, y)
            z0 = np.clip(search.search(_informed_start(f, t, y)), search.lower + 1e-9,
                         search.upper - 1e-9)
            ref = least_squares(residuals, z0, bounds=(search.lower, search.upper))
            sse_ref = 2 * ref.cost * scale**2
            assert fits.loc[subject, "sse"] <= sse_ref * (1 + 1e-3) + 1e-12 * scale**2, (
                form, subject)


@pytestmark_laleh
def test_laleh_comparison_protocol() -> None:
    data = read_laleh2022(LALEH)
    assert data["subject"].nunique() == 765 and len(data) == 4352  # the data README
    c = compare_forecasts(data, ["gompertz", "stein_fojo"], bootstrap=500)
    counts = data.groupby("subject").size()
    assert len(c.errors) == (counts >= 6).sum()
    # LVCF by hand with pandas: last training reading against the two held-out ones
    kept = data[data["subject"].map(counts) >= 6]
    by = kept.groupby("subject", sort=False)["value"]
    hand = by.apply(lambda v: np.mean(np.abs(v.iloc[-2:].to_numpy() - v.iloc[-3])))
    np.testing.assert_allclose(c.errors.set_index("subject")[LVCF], hand.loc[c.errors["subject"]],
                               rtol=1e-12)
    assert c.failures.empty
    assert set(c.pairwise()["verdict"]) <= {"tie", "lvcf better", "gompertz better",
                                            "stein_fojo better"}


def test_population_prior_beats_per_lesion_fits_on_sparse_data_from_the_model() -> None:
    # Theory (Bayesian individual prediction): when lesions follow the population model, the
    # forecast at the empirical Bayes estimate shrinks the noisy few-reading fits towards the
    # population and beats per-lesion least squares; and both beat LVCF on growing lesions.
    rng = np.random.default_rng(7)
    n = 120
    times = np.array([0.0, 40.0, 80.0, 120.0, 160.0, 200.0])
    v0 = 2e-3 * np.exp(0.4 * rng.standard_normal(n))
    d = 0.02 * np.exp(0.3 * rng.standard_normal(n))
    g = 0.006 * np.exp(0.3 * rng.standard_normal(n))
    f = ts.closed_form("stein_fojo", times[None, :], V0=v0[:, None], d=d[:, None], g=g[:, None])
    y = f * (1 + 0.1 * rng.standard_normal(f.shape))
    data = pd.DataFrame({"subject": np.repeat([f"L{i:03d}" for i in range(n)], times.size),
                         "time": np.tile(times, n), "value": y.ravel()})
    c = compare_forecasts(data, ["stein_fojo"], holdout=None, fit_readings=3, min_readings=4,
                          population=["stein_fojo"], bootstrap=500,
                          population_error=coley.fit.ResidualError("proportional"))
    verdicts = {(r.a, r.b): r.verdict for r in c.pairwise().itertuples()}
    assert verdicts[("stein_fojo", "population_stein_fojo")] == "population_stein_fojo better"
    assert verdicts[(LVCF, "population_stein_fojo")] == "population_stein_fojo better"
    assert c.failures.empty


def test_population_forms_must_be_log_normal() -> None:
    data = _lesions("exponential", TRUTH["exponential"])
    with pytest.raises(coley.InvalidArgumentError, match=r"'exponential'.*cannot be log-normal"):
        compare_forecasts(data, [], population=["exponential"])
    with pytest.raises(coley.InvalidArgumentError, match="exactly one of holdout"):
        compare_forecasts(data, ["exponential"], holdout=2, fit_readings=3)
