"""Scenario files (scenarios/*.toml): arms of one experiment on a library model.

* :func:`load_scenario`: read and validate a scenario file; it names its model
  (``model = "NAME"``, a :mod:`coley.library` model) and is checked against it;
* :func:`simulate_scenario`: simulate every arm and label its burden trajectory
  (:func:`coley.analysis.classify_trajectory`);
* :func:`simulate_cohort_scenario`, :func:`simulate_cohort`: a virtual cohort with random
  events of the model's inputs (a scenario with a ``[cohort]`` table);
* :func:`run_scenario`: simulate a scenario file and write trajectories, a figure and a JSON
  summary;
* :func:`robustness`: how often each scenario's expectations (expected labels and
  ``[[claim]]`` tables) hold when the assumed parameters vary (Latin hypercube,
  per-parameter influence).
"""

from coley.scenario.claims import ClaimSpec as ClaimSpec
from coley.scenario.cohort import CohortSpec as CohortSpec
from coley.scenario.cohort import EventProcess as EventProcess
from coley.scenario.cohort import simulate_cohort as simulate_cohort
from coley.scenario.cohort import simulate_cohort_scenario as simulate_cohort_scenario
from coley.scenario.robustness import RobustnessResult as RobustnessResult
from coley.scenario.robustness import robustness as robustness
from coley.scenario.runner import run_scenario as run_scenario
from coley.scenario.scenario import ArmResult as ArmResult
from coley.scenario.scenario import ScenarioResult as ScenarioResult
from coley.scenario.scenario import ScenarioSpec as ScenarioSpec
from coley.scenario.scenario import load_scenario as load_scenario
from coley.scenario.scenario import scenario_model as scenario_model
from coley.scenario.scenario import simulate_scenario as simulate_scenario
from coley.scenario.scenario import tumour_total as tumour_total

__all__ = [
    "ArmResult", "ClaimSpec", "CohortSpec", "EventProcess", "RobustnessResult",
    "ScenarioResult", "ScenarioSpec", "load_scenario", "robustness", "run_scenario",
    "scenario_model", "simulate_cohort", "simulate_cohort_scenario", "simulate_scenario",
    "tumour_total",
]
