"""Fitting models to data: a fit problem, its likelihood with an exact gradient, multi-start.

Design (see docs/fit.md):

* :mod:`~coley.fit.problem`: a :class:`FitProblem` is a model, experiments (conditions whose
  settings may name problem parameters), observables (expressions of states and parameters,
  with a transformation and a noise model), a measurement table and the problem parameters
  (scale, bounds, nominal value, estimated or fixed). ``problems()`` lists every problem.
* :mod:`~coley.fit.sensitivity`: the forward sensitivity system, generated symbolically: a
  coley model whose states are the model's states and their derivatives along chosen
  directions (model parameters and initial values), with the jumps of the sensitivities at
  doses and model events. It runs through the ordinary compiled kernels (lanes too).
* :mod:`~coley.fit.objective`: the negative log-likelihood and its gradient, every experiment
  one lane of one batched simulation.
* :mod:`~coley.fit.optimize`: multi-start optimisation with scipy, results as data.
* :mod:`~coley.fit.profile`: profile likelihoods and identifiability labels.
* :mod:`~coley.fit.prior`: priors (PEtab's types); :mod:`~coley.fit.bayes`: posterior
  sampling with emcee (extra ``bayes``).
* :mod:`~coley.fit.petab`: PEtab v1 problems read into fit problems.
* :mod:`~coley.fit.runner` and :mod:`~coley.fit.report`: a fit run into a folder, its report.
* :mod:`~coley.fit.forecast`: per-lesion fits of the tumour-size models and the forecast
  comparison protocol (Laleh et al. 2022) with the last-value-carried-forward baseline.
* :mod:`~coley.fit.nlme`: population (nonlinear mixed-effects) fits: SAEM, two-stage, and
  Bayesian forecasts of a new subject under the population; :mod:`~coley.fit.predictive_check`:
  RECIST endpoints of lesion series, observed and simulated from a fitted population.
"""

from coley.fit.bayes import Posterior, sample
from coley.fit.forecast import ForecastComparison, compare_forecasts, fit_lesions, read_laleh2022
from coley.fit.nlme import (
    NLMEResult,
    PopulationParameter,
    ResidualError,
    TwoStageResult,
    forecast_subject,
    individual_posterior,
    saem,
    two_stage,
)
from coley.fit.objective import Objective, Prediction
from coley.fit.optimize import FitResult, StartResult, fit
from coley.fit.predictive_check import endpoint_summary, lesion_outcomes, predictive_check
from coley.fit.prior import Prior, PriorKind
from coley.fit.problem import (
    Experiment,
    FitParameter,
    FitProblem,
    NoiseDistribution,
    Observable,
    Scale,
    Transform,
)
from coley.fit.profile import Identifiability, Profile, profile
from coley.fit.sensitivity import SensitivityModel, sensitivity_model

__all__ = [
    "Experiment",
    "FitParameter",
    "FitProblem",
    "FitResult",
    "ForecastComparison",
    "Identifiability",
    "NLMEResult",
    "NoiseDistribution",
    "Objective",
    "Observable",
    "PopulationParameter",
    "Posterior",
    "Prediction",
    "Prior",
    "PriorKind",
    "Profile",
    "ResidualError",
    "Scale",
    "SensitivityModel",
    "StartResult",
    "Transform",
    "TwoStageResult",
    "compare_forecasts",
    "endpoint_summary",
    "fit",
    "fit_lesions",
    "forecast_subject",
    "individual_posterior",
    "lesion_outcomes",
    "predictive_check",
    "profile",
    "read_laleh2022",
    "saem",
    "sample",
    "sensitivity_model",
    "two_stage",
]
