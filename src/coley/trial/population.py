"""A trial file's virtual population, drawn and diagnosed through :mod:`coley.population`.

The trial's ``[population]`` (distributions, correlations, covariates) becomes a
:class:`~coley.population.Population` (a Gaussian copula over the varied parameters, Nelsen
2006, ch. 5; for log-normal parameters exactly a multivariate log-normal with the given
correlations of the logs), and its ``[diagnosis]`` a :class:`~coley.population.Diagnosis`.
Patient ``i`` uses ``SeedSequence(seed, spawn_key=(i, stream))``
(:mod:`coley.population.streams`): its draws do not depend on how many patients, chunks or
workers there are. Implausible patients (never diagnosed within ``max_days``, a doubling time
outside ``doubling_days``, a tumour that regresses on its own) redraw from their own stream.
"""

from __future__ import annotations

import numpy as np

from coley.errors import InvalidArgumentError
from coley.model.model import Model
from coley.population import (
    Baseline,
    Diagnosis,
    GaussianCopula,
    Population,
    Stream,
    burden_states,
    patient_rng,
)
from coley.population import diagnose as _diagnose
from coley.trial.spec import DistributionSpec, TrialSpec

STREAM_PARAMETERS = Stream.PARAMETERS
STREAM_TOXICITY = Stream.TOXICITY
STREAM_ALLOCATION = Stream.ALLOCATION


def ppf(spec: DistributionSpec, u: np.ndarray) -> np.ndarray:
    """Inverse CDF of ``spec`` (truncated to [lower, upper]) at uniforms ``u``."""
    return spec.build().ppf(u)


def population(spec: TrialSpec) -> Population:
    """The trial's population: varied parameters under their copula, and covariates."""
    pop = spec.population
    names = list(pop.parameters)
    try:
        copula = GaussianCopula.from_pairs(names, pop.correlations)
    except InvalidArgumentError as exc:
        raise InvalidArgumentError(f"population.correlations: {exc}") from None
    return Population({k: d.build() for k, d in pop.parameters.items()}, copula,
                      {k: d.build() for k, d in pop.covariates.items()})


def diagnosis(spec: TrialSpec) -> Diagnosis:
    """The trial's diagnosis rule (``[diagnosis]``)."""
    dx = spec.diagnosis
    return Diagnosis(cells=dx.cells, state=dx.state, start=dx.start, max_days=dx.max_days,
                     doubling_days=dx.doubling_days, keeps_growing_days=dx.keeps_growing_days,
                     max_attempts=dx.max_attempts)


def draw(spec: TrialSpec, patients: np.ndarray, attempt: np.ndarray) -> dict[str, np.ndarray]:
    """Parameter and covariate values of ``patients`` (global indices) at ``attempt`` each."""
    return population(spec).draw(spec.seed, patients, attempt)


def diagnose(spec: TrialSpec, model: Model, patients: np.ndarray) -> Baseline:
    """Draw, grow to diagnosis and filter ``patients``; redraw implausible ones."""
    return _diagnose(model, population(spec), patients, diagnosis=diagnosis(spec),
                     seed=spec.seed, fixed=spec.population.set, solver=spec.solver(),
                     states=spec.tumour.states)


def tumour_states(spec: TrialSpec, model: Model) -> list[str]:
    """States summed into the tumour burden (``tumour.states``, else the model's own)."""
    return burden_states(model, spec.tumour.states)


__all__ = ["STREAM_ALLOCATION", "STREAM_PARAMETERS", "STREAM_TOXICITY", "Baseline", "diagnose",
           "diagnosis", "draw", "patient_rng", "population", "ppf", "tumour_states"]
