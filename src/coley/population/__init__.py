"""Virtual patients: distributions, correlations, random streams, designs and diagnosis.

One concept per module:

* :mod:`~coley.population.distributions`: typed distributions (:class:`LogNormal`,
  :class:`Normal`, :class:`Uniform`, :class:`LogUniform`, :class:`Fixed`, :class:`Empirical`,
  :class:`Truncated`), each an inverse CDF ``ppf(u)``; :func:`from_spec` reads the file form;
* :mod:`~coley.population.copula`: the :class:`GaussianCopula` that correlates them;
* :mod:`~coley.population.streams`: per-patient random streams
  (``SeedSequence(seed, spawn_key=(patient, stream))``);
* :mod:`~coley.population.sampler`: a :class:`Population` drawn patient by patient;
* :mod:`~coley.population.designs`: Latin hypercube and Sobol designs for sensitivity work;
* :mod:`~coley.population.diagnosis`: growing each tumour to a detection size.

See ``docs/population.md``.
"""

from coley.population.copula import GaussianCopula as GaussianCopula
from coley.population.designs import AbstractDesign as AbstractDesign
from coley.population.designs import LatinHypercube as LatinHypercube
from coley.population.designs import Sobol as Sobol
from coley.population.designs import design as design
from coley.population.diagnosis import Baseline as Baseline
from coley.population.diagnosis import Diagnosis as Diagnosis
from coley.population.diagnosis import burden_states as burden_states
from coley.population.diagnosis import detection_state as detection_state
from coley.population.diagnosis import diagnose as diagnose
from coley.population.distributions import AbstractDistribution as AbstractDistribution
from coley.population.distributions import Empirical as Empirical
from coley.population.distributions import Fixed as Fixed
from coley.population.distributions import LogNormal as LogNormal
from coley.population.distributions import LogUniform as LogUniform
from coley.population.distributions import Normal as Normal
from coley.population.distributions import Truncated as Truncated
from coley.population.distributions import Uniform as Uniform
from coley.population.distributions import from_spec as from_spec
from coley.population.sampler import Population as Population
from coley.population.streams import Stream as Stream
from coley.population.streams import patient_rng as patient_rng
from coley.population.streams import patient_seed as patient_seed

__all__ = [
    "AbstractDesign", "AbstractDistribution", "Baseline", "Diagnosis", "Empirical", "Fixed",
    "GaussianCopula", "LatinHypercube", "LogNormal", "LogUniform", "Normal", "Population",
    "Sobol", "Stream", "Truncated", "Uniform", "burden_states", "design", "detection_state",
    "diagnose", "from_spec", "patient_rng", "patient_seed",
]
