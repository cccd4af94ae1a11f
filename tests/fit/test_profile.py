"""Profile likelihoods against analytically derived profiles, and their identifiability labels.

Exponential growth T(t) = T0 exp(r t) observed on the log scale with normal noise of known sd
is a linear least-squares problem in (r, log10 T0): ln T = r t + ln(10) log10(T0). Its profile
is then exactly the quadratic (c - c_hat)^2 / (2 se^2), with se^2 the diagonal of
sd^2 (X'X)^-1 (X the design matrix [t, ln 10]), and the 95% likelihood-ratio interval is the
Wald interval c_hat +- sqrt(chi2_1(0.95)) se = c_hat +- 1.959964 se.

A scale factor s on the observable, s * T, estimated with T0 is structurally
non-identifiable (only s * T0 enters); logistic growth observed far below its capacity K has a
profile in K that rises for small K and flattens towards the exponential model's fit as
K -> infinity: practically non-identifiable (Raue et al. 2009, Bioinformatics 25:1923).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import coley
from coley.errors import InvalidArgumentError
from coley.fit import Experiment, FitParameter, FitProblem, Observable, fit
from coley.fit.profile import Identifiability, SideEnd, profile, threshold
from coley.fit.runner import PROFILES_FILE, run_fit

DAYS = np.array([1.0, 3, 5, 8, 11, 14, 17, 20])
SD = 0.1
LN10 = math.log(10.0)
Z95 = 1.959963984540054  # sqrt(chi2_1(0.95))


def _growth(equation: str, extra: tuple[coley.Parameter, ...] = ()) -> coley.Model:
    return coley.Model(
        name="growth_" + str(abs(hash(equation)) % 10_000),
        title="test growth model",
        states=(coley.State("T", 1e6, "cells", "tumour cells", "test value"),),
        parameters=(coley.Parameter("r", 0.2, "1/day", "growth rate", "test value"), *extra),
        equations={"T": equation},
        citation=coley.Citation("analytic test model"),
    )


def _data(values: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"experiment": "e", "observable": "tumour", "time": DAYS,
                         "value": values})


def _noisy(seed: int) -> np.ndarray:
    return 1e6 * np.exp(0.2 * DAYS + SD * np.random.default_rng(seed).standard_normal(DAYS.size))


def test_threshold_is_half_the_chi2_quantile() -> None:
    assert threshold() == pytest.approx(3.841458820694124 / 2, rel=1e-12)
    with pytest.raises(InvalidArgumentError, match="level must be in"):
        threshold(95)


def test_linear_problem_profiles_are_the_analytic_quadratics() -> None:
    y = _noisy(7)
    problem = FitProblem(
        _growth("r*T"), experiments=(Experiment("e", {"T": "T0"}),),
        observables=(Observable("tumour", "T", noise=SD, transform="log"),),
        measurements=_data(y),
        parameters=(FitParameter("r", 0.01, 0.5, 0.1),
                    FitParameter("T0", 1e4, 1e8, 1e5, scale="log10")))
    X = np.column_stack([DAYS, np.full(DAYS.size, LN10)])
    beta, *_ = np.linalg.lstsq(X, np.log(y), rcond=None)
    se = SD * np.sqrt(np.diag(np.linalg.inv(X.T @ X)))
    result = fit(problem, starts=2, seed=0)
    np.testing.assert_allclose(result.best.x, beta, rtol=0, atol=1e-6)
    profiles = profile(result)
    for k, p in enumerate(profiles):
        assert p.label is Identifiability.IDENTIFIABLE, p
        assert p.end_low is SideEnd.CROSSED and p.end_high is SideEnd.CROSSED
        quadratic = (p.values - beta[k]) ** 2 / (2 * se[k] ** 2)
        np.testing.assert_allclose(p.nll - result.nll, quadratic, rtol=0, atol=1e-5)
        # interval ends refined to 1e-3 in nll: 1e-3 / (1.96 / se) ~ 5e-4 se in the value
        assert p.lower == pytest.approx(beta[k] - Z95 * se[k], abs=2e-3 * se[k])
        assert p.upper == pytest.approx(beta[k] + Z95 * se[k], abs=2e-3 * se[k])
        # the Wald interval of the fit agrees (the Hessian of a quadratic is exact)
        assert result.standard_errors[k] == pytest.approx(se[k], rel=1e-4)
    low, high = profiles[1].interval
    assert low == pytest.approx(10 ** (beta[1] - Z95 * se[1]), rel=1e-2 * se[1])
    assert high == pytest.approx(10 ** (beta[1] + Z95 * se[1]), rel=1e-2 * se[1])


def test_scale_factor_and_initial_value_are_structurally_non_identifiable() -> None:
    model = _growth("r*T", (coley.Parameter("s", 1.0, "1", "scale factor", "test value"),))
    clean = 1e6 * np.exp(0.2 * DAYS)  # noise-free: the best fit is exact at s * T0 = 1e6
    problem = FitProblem(
        model, experiments=(Experiment("e", {"T": "T0"}),),
        observables=(Observable("tumour", "s*T", noise=SD, transform="log"),),
        measurements=_data(clean),
        parameters=(FitParameter("r", 0.01, 0.5, 0.1),
                    FitParameter("s", 0.01, 100.0, 0.3, scale="log10"),
                    FitParameter("T0", 1e4, 1e8, 1e5, scale="log10")))
    result = fit(problem, starts=2, seed=0)
    profiles = {p.name: p for p in profile(result)}
    for name in ("s", "T0"):
        p = profiles[name]
        assert p.label is Identifiability.STRUCTURAL, (name, p.nll - result.nll)
        assert p.interval == (None, None)
        # the compensation s * T0 = 1e6 holds along the whole profile
        k_s, k_t = result.names.index("s"), result.names.index("T0")
        np.testing.assert_allclose(p.points[:, k_s] + p.points[:, k_t], 6.0, atol=1e-5)
    # r alone is identifiable; its interval is the linear problem's, around the true 0.2
    X = np.column_stack([DAYS, np.full(DAYS.size, LN10)])
    se_r = SD * math.sqrt(np.linalg.inv(X.T @ X)[0, 0])
    r = profiles["r"]
    assert r.label is Identifiability.IDENTIFIABLE
    assert r.lower == pytest.approx(0.2 - Z95 * se_r, abs=2e-3 * se_r)
    assert r.upper == pytest.approx(0.2 + Z95 * se_r, abs=2e-3 * se_r)


def test_capacity_far_above_the_data_is_practically_non_identifiable() -> None:
    y = _noisy(3)
    model = _growth("r*T*(1 - T/K)", (coley.Parameter("K", 1e9, "cells", "capacity", "test"),))
    problem = FitProblem(
        model, experiments=(Experiment("e", {}),),
        observables=(Observable("tumour", "T", noise=SD, transform="log"),),
        measurements=_data(y),
        parameters=(FitParameter("r", 0.01, 0.5, 0.1),
                    FitParameter("K", 1e6, 1e14, 1e10, scale="log10")))
    result = fit(problem, starts=3, seed=0)
    (p,) = profile(result, parameters=["K"])
    assert p.label is Identifiability.PRACTICAL, p
    assert p.end_low is SideEnd.CROSSED and p.end_high is SideEnd.BOUND
    assert p.upper is None and p.lower is not None
    # the lower end is where the profile meets the threshold
    k = int(np.argmin(np.abs(p.values - p.lower)))
    assert p.nll[k] - result.nll == pytest.approx(threshold(), abs=1e-3)
    # at K = 1e14 (T/K < 1e-6) the profile is the exponential model's least-squares fit of r:
    # nll = sum(0.5 ln(2 pi sd^2) + ln y) + 0.5 sum(res^2) (PEtab log-normal), T0 = 1e6 fixed
    w = np.log(y) - math.log(1e6)
    r_hat = float(DAYS @ w / (DAYS @ DAYS))
    nll_exp = float(np.sum(0.5 * np.log(2 * np.pi * SD**2) + np.log(y))
                    + 0.5 * np.sum(((w - r_hat * DAYS) / SD) ** 2))
    assert p.values[-1] == pytest.approx(14.0)
    assert p.nll[-1] == pytest.approx(nll_exp, abs=1e-4)
    assert p.points[-1, result.names.index("r")] == pytest.approx(r_hat, abs=1e-5)


def test_profiles_resume_and_are_written(tmp_path: Path) -> None:
    problem = FitProblem(
        _growth("r*T"), experiments=(Experiment("e", {"T": "T0"}),),
        observables=(Observable("tumour", "T", noise=SD, transform="log"),),
        measurements=_data(_noisy(11)),
        parameters=(FitParameter("r", 0.01, 0.5, 0.1),
                    FitParameter("T0", 1e4, 1e8, 1e5, scale="log10")))
    result = run_fit(problem, tmp_path, starts=2, profile=True)
    data = json.loads((tmp_path / "fit.json").read_text())
    assert set(data["profiles"]) == {"r", "T0"}
    assert data["profiles"]["r"]["label"] == "identifiable"
    table = pd.read_csv(tmp_path / "parameters.csv").set_index("parameter")
    assert table.loc["r", "profile_low"] < result.parameters["r"] < table.loc["r", "profile_high"]
    points = pd.read_csv(tmp_path / "profiles.csv")
    assert set(points["parameter"]) == {"r", "T0"} and (points["delta_nll"] >= -1e-6).all()
    assert (tmp_path / "profiles.png").stat().st_size > 10_000
    # an interruption after the first profile: resuming keeps it and computes the second
    lines = (tmp_path / PROFILES_FILE).read_text().splitlines()
    assert len(lines) == 3
    (tmp_path / PROFILES_FILE).write_text(lines[0] + "\n" + lines[1] + "\n" + lines[2][:30])
    again = run_fit(problem, tmp_path, starts=2, profile=True, resume=True)
    assert again.nll == result.nll
    resumed = json.loads((tmp_path / "fit.json").read_text())["profiles"]
    for name in ("r", "T0"):  # the same numbers (the recomputed one took its own wall time)
        resumed[name].pop("wall_s"), data["profiles"][name].pop("wall_s")
    assert resumed == data["profiles"]


def test_bad_profile_arguments_name_the_fix() -> None:
    problem = FitProblem(
        _growth("r*T"), experiments=(Experiment("e", {}),),
        observables=(Observable("tumour", "T", noise=SD, transform="log"),),
        measurements=_data(_noisy(5)),
        parameters=(FitParameter("r", 0.01, 0.5, 0.1),))
    result = fit(problem, starts=1)
    with pytest.raises(InvalidArgumentError, match=r"\['k'\] are not estimated parameters"):
        profile(result, parameters=["k"])
    with pytest.raises(InvalidArgumentError, match="max_steps must be an int >= 1"):
        profile(result, max_steps=0)
    # one estimated parameter: every profile point is a plain evaluation
    (p,) = profile(result)
    assert p.label is Identifiability.IDENTIFIABLE


def test_cli_fit_with_profiles_and_posterior_writes_the_report(tmp_path: Path) -> None:
    pytest.importorskip("emcee")
    from coley.cli import main

    model = coley.library.get("kuznetsov1994")
    clean = coley.simulate(model, saveat=np.r_[0.0, DAYS])["T"][0, 1:]
    noisy = clean * np.exp(SD * np.random.default_rng(1).standard_normal(DAYS.size))
    pd.DataFrame({"experiment": "untreated", "observable": "tumour", "time": DAYS,
                  "value": noisy}).to_csv(tmp_path / "tumour.csv", index=False)
    (tmp_path / "fit.toml").write_text('''
kind = "fit"
name = "kuznetsov_small"
model = "kuznetsov1994"
measurements = "tumour.csv"
starts = 2
[[experiment]]
name = "untreated"
set = { T = "T0" }
[[observable]]
name = "tumour"
formula = "T"
noise = 0.1
transform = "log"
[[parameter]]
name = "d"
lower = 0.004
upper = 0.4
nominal = 0.04
scale = "log10"
[[parameter]]
name = "T0"
lower = 1e5
upper = 1e8
nominal = 1e6
scale = "log10"
''')
    out = tmp_path / "out"
    assert main(["fit", str(tmp_path / "fit.toml"), "-o", str(out), "--profile",
                 "--sample", "40"]) == 0
    data = json.loads((out / "fit.json").read_text())
    assert {p["label"] for p in data["profiles"].values()} <= {
        "identifiable", "practically non-identifiable", "structurally non-identifiable"}
    assert data["posterior"]["steps"] == 40 and data["posterior"]["walkers"] == 8
    assert len(pd.read_csv(out / "posterior.csv")) == 8 * 30  # 40 steps, 10 burned
    page = (out / "report.html").read_text()
    for fragment in ("Fit: kuznetsov_small", "Profile likelihoods", "identifiability",
                     "r_hat", "data:image/png;base64"):
        assert fragment in page, fragment
