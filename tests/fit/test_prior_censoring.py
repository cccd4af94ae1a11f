"""Priors (PEtab's types) and censored readings (Beal's M3 method) in the objective.

Expected numbers: prior densities from scipy.stats (an independent implementation of the same
distributions); the maximum a posteriori estimate of a linear Gaussian problem with a normal
prior is the conjugate posterior mean, m = (X'X / sd^2 + P)^-1 (X'y / sd^2 + P mu), with
posterior covariance (X'X / sd^2 + P)^-1 (e.g. Gelman et al., Bayesian Data Analysis, 3rd ed.,
section 14.8); a censored reading contributes -log Phi((ln L - ln h) / sd) (Beal 2001, J
Pharmacokinet Pharmacodyn 28:481, method M3).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import coley
from coley.errors import InvalidArgumentError
from coley.fit import Experiment, FitParameter, FitProblem, Objective, Observable, fit
from coley.fit.prior import Prior, PriorKind

DAYS = np.array([1.0, 3, 5, 8, 11, 14, 17, 20, 24, 28])
SD = 0.3
LN10 = math.log(10.0)


def _model(rate: str) -> coley.Model:
    return coley.Model(
        name="exp_" + rate.replace("*", "_").replace("-", "m"),
        title="test model", citation=coley.Citation("analytic test model"),
        states=(coley.State("T", 1e6, "cells", "tumour cells", "test value"),),
        parameters=(coley.Parameter("k", 0.2, "1/day", "rate", "test value"),),
        equations={"T": rate})


@pytest.mark.parametrize(("kind", "a", "b", "x", "reference"), [
    ("normal", 0.3, 0.2, 0.45, stats.norm(0.3, 0.2)),
    ("laplace", 0.3, 0.2, 0.15, stats.laplace(0.3, 0.2)),
    ("logNormal", -1.0, 0.5, 0.4, stats.lognorm(s=0.5, scale=math.exp(-1.0))),
    ("logLaplace", -1.0, 0.5, 0.25, stats.loglaplace(c=2.0, scale=math.exp(-1.0))),
    ("uniform", 0.1, 0.6, 0.35, stats.uniform(0.1, 0.5)),
    ("parameterScaleNormal", 0.3, 0.2, 0.1, stats.norm(0.3, 0.2)),
])
def test_prior_density_is_scipys(kind: str, a: float, b: float, x: float,
                                 reference: stats.rv_continuous) -> None:
    prior = Prior(kind, a, b)
    value, slope = prior.neg_log_density(x)
    assert value == pytest.approx(-reference.logpdf(x), rel=1e-12, abs=1e-12)
    h = 1e-6
    numeric = -(reference.logpdf(x + h) - reference.logpdf(x - h)) / (2 * h)
    assert slope == pytest.approx(numeric, rel=1e-6, abs=1e-9)


def test_bad_priors_name_the_fix() -> None:
    with pytest.raises(InvalidArgumentError, match="kind must be one of"):
        Prior("gaussian", 0, 1)
    with pytest.raises(InvalidArgumentError, match=r"spread b = -1\.0 must be > 0"):
        Prior("normal", 0, -1)
    with pytest.raises(InvalidArgumentError, match=r"lower end a = 2\.0 must be below"):
        Prior(PriorKind.UNIFORM, 2, 1)
    with pytest.raises(InvalidArgumentError, match="logNormal prior needs positive values"):
        FitParameter("k", -1.0, 1.0, 0.5, prior=Prior("logNormal", 0, 1))


def test_map_estimate_is_the_conjugate_posterior() -> None:
    rng = np.random.default_rng(4)
    y = 1e6 * np.exp(0.2 * DAYS + SD * rng.standard_normal(DAYS.size))
    data = pd.DataFrame({"experiment": "e", "observable": "tumour", "time": DAYS, "value": y})
    mu = np.array([0.15, 6.5])  # prior means of k (linear) and log10 T0 (estimation scale)
    tau = np.array([0.02, 0.3])
    problem = FitProblem(
        _model("k*T"), experiments=(Experiment("e", {"T": "T0"}),),
        observables=(Observable("tumour", "T", noise=SD, transform="log"),),
        measurements=data,
        parameters=(FitParameter("k", 0.01, 0.5, 0.1, prior=Prior("normal", mu[0], tau[0])),
                    FitParameter("T0", 1e4, 1e8, 1e5, scale="log10",
                                 prior=Prior("parameterScaleNormal", mu[1], tau[1]))))
    X = np.column_stack([DAYS, np.full(DAYS.size, LN10)])
    precision = X.T @ X / SD**2 + np.diag(1 / tau**2)
    cov = np.linalg.inv(precision)
    mean = cov @ (X.T @ np.log(y) / SD**2 + mu / tau**2)
    result = fit(problem, starts=3, seed=1)
    np.testing.assert_allclose(result.best.x, mean, rtol=0, atol=1e-6)
    np.testing.assert_allclose(result.standard_errors, np.sqrt(np.diag(cov)), rtol=1e-4)
    # the value minimised: the likelihood plus both normalised prior densities
    obj = Objective(problem)
    p = obj.evaluate(result.best.x, gradient=False)  # as the fit evaluates its end point
    x = result.best.x
    expected_prior = float(-stats.norm(mu[0], tau[0]).logpdf(x[0])
                           - stats.norm(mu[1], tau[1]).logpdf(x[1]))
    assert p.neg_log_prior == pytest.approx(expected_prior, rel=1e-12)
    assert result.nll == pytest.approx(p.nll + expected_prior, rel=1e-12)


def _decay_problem(y: np.ndarray, limit: float, laplace: bool = False) -> FitProblem:
    censored = y < limit
    data = pd.DataFrame({"experiment": "e", "observable": "tumour", "time": DAYS,
                         "value": np.where(censored, limit, y),
                         "censoring": np.where(censored, "left", "")})
    return FitProblem(
        _model("-k*T"), experiments=(Experiment("e", {}),),
        observables=(Observable("tumour", "T", noise="sd", transform="log",
                                distribution="laplace" if laplace else "normal"),),
        measurements=data,
        parameters=(FitParameter("k", 0.02, 2.0, 0.1, scale="log10"),
                    FitParameter("sd", 0.05, 2.0, 0.5, scale="log10")))


def test_censored_readings_contribute_their_probability() -> None:
    rng = np.random.default_rng(8)
    y = 1e6 * np.exp(-0.2 * DAYS + SD * rng.standard_normal(DAYS.size))
    limit = 1e4  # ln(100) / 0.2 = 23 days: the last readings fall below it
    problem = _decay_problem(y, limit)
    censored = y < limit
    assert 1 <= censored.sum() <= 4
    z = np.log10([0.18, 0.35])
    pred = Objective(problem).evaluate(z)
    h = 1e6 * np.exp(-0.18 * DAYS)
    r = (np.log(y) - np.log(h)) / 0.35
    observed = 0.5 * np.log(2 * np.pi * 0.35**2) + 0.5 * r**2 + np.log(y)
    below = -stats.norm.logcdf((math.log(limit) - np.log(h)) / 0.35)
    expected = float(np.sum(np.where(censored, below, observed)))
    assert pred.nll == pytest.approx(expected, rel=1e-7)
    assert pred.chi2 == pytest.approx(float(np.sum(r[~censored] ** 2)), rel=1e-6)
    # a reading above an upper limit is the mirror image: P(Y > U) = Phi((ln h - ln U) / sd)
    upper = problem.measurements.assign(censoring=np.where(censored, "right", ""))
    pred_up = Objective(FitProblem(problem.model, problem.experiments, problem.observables,
                                   upper, problem.parameters)).evaluate(z)
    above = -stats.norm.logcdf((np.log(h) - math.log(limit)) / 0.35)
    assert pred_up.nll == pytest.approx(float(np.sum(np.where(censored, above, observed))),
                                        rel=1e-7)


@pytest.mark.parametrize("laplace", [False, True])
def test_gradient_with_censoring_and_priors_is_finite_differences(laplace: bool) -> None:
    rng = np.random.default_rng(9)
    y = 1e6 * np.exp(-0.2 * DAYS + SD * rng.standard_normal(DAYS.size))
    base = _decay_problem(y, 1e4, laplace)
    params = (FitParameter("k", 0.02, 2.0, 0.1, scale="log10",
                           prior=Prior("logNormal", math.log(0.2), 0.5)),
              FitParameter("sd", 0.05, 2.0, 0.5, scale="log10",
                           prior=Prior("laplace", 0.3, 0.1)))
    problem = FitProblem(base.model, base.experiments, base.observables, base.measurements,
                         params)
    obj = Objective(problem)
    z = np.log10([0.17, 0.4])
    g = obj.evaluate(z).gradient
    assert g is not None
    for k in range(2):
        e = np.zeros(2)
        e[k] = 1e-6
        numeric = (obj.evaluate(z + e).objective - obj.evaluate(z - e).objective) / 2e-6
        assert g[k] == pytest.approx(numeric, rel=1e-5, abs=1e-7)


def test_censored_fit_recovers_the_rate_within_its_standard_errors() -> None:
    """Coverage of the M3 fit over 20 data sets: the 95% Wald interval of k holds the true
    rate in at least 16 (P(X < 16) = 1.6% for Binomial(20, 0.95))."""
    covered = 0
    for seed in range(20):
        rng = np.random.default_rng(100 + seed)
        y = 1e6 * np.exp(-0.2 * DAYS + SD * rng.standard_normal(DAYS.size))
        result = fit(_decay_problem(y, 1e4), starts=2, seed=seed)
        assert result.best.converged, result.best.message
        se = result.standard_errors[0]
        covered += int(abs(result.best.x[0] - math.log10(0.2)) <= 1.959964 * se)
    assert covered >= 16, covered


def test_bad_censoring_values_are_listed() -> None:
    y = 1e6 * np.exp(-0.2 * DAYS)
    problem = _decay_problem(y, 1e4)
    bad = problem.measurements.assign(censoring=["below"] + [""] * (DAYS.size - 1))
    found = FitProblem(problem.model, problem.experiments, problem.observables, bad,
                       problem.parameters).problems()
    assert any("censoring = 'below'" in f and "'left'" in f for f in found), found


def test_fit_steps_back_from_points_where_the_simulation_fails() -> None:
    """From the nominal start the first L-BFGS-B step reaches k = 2 /day, where T(28) ~ 1e-19
    and the log-scale observable is not finite; the optimiser must back off and converge, not
    stop at the start (scipy's line search gives up on an infinite value)."""
    rng = np.random.default_rng(101)
    y = 1e6 * np.exp(-0.2 * DAYS + SD * rng.standard_normal(DAYS.size))
    problem = _decay_problem(y, 1e-3)
    obj = Objective(problem)
    assert not obj.evaluate(np.log10([2.0, 2.0])).ok
    result = fit(problem, starts=1, objective=obj)
    assert result.best.converged and result.best.evaluations > 3
    assert abs(10 ** result.best.x[0] - 0.2) < 3 * 0.2 * LN10 * result.standard_errors[0]


def test_fit_file_with_prior_and_censored_readings(tmp_path: Path) -> None:
    from coley.fit.spec import load_fit

    y = 1e6 * np.exp(-0.2 * DAYS)
    pd.DataFrame({"experiment": "e", "observable": "tumour", "time": DAYS,
                  "value": np.maximum(y, 1e4),
                  "censoring": np.where(y < 1e4, "left", "")}).to_csv(tmp_path / "d.csv",
                                                                         index=False)
    (tmp_path / "fit.toml").write_text('''
kind = "fit"
name = "censored"
model = "kuznetsov1994"
measurements = "d.csv"
[[experiment]]
name = "e"
[[observable]]
name = "tumour"
formula = "T"
noise = 0.3
transform = "log"
[[parameter]]
name = "d"
lower = 0.004
upper = 0.4
nominal = 0.04
scale = "log10"
prior = { kind = "logNormal", a = -3.2, b = 0.5 }
''')
    problem = load_fit(tmp_path / "fit.toml").problem
    assert problem.parameter("d").prior == Prior("logNormal", -3.2, 0.5)
    obj = Objective(problem)
    assert obj.priors and int(np.sum(obj.censor != 0)) == int(np.sum(y < 1e4)) > 0
