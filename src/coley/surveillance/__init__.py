"""coley's own cancer-immune surveillance model, its trajectory classifier and scenario runner.

* :func:`model`: dormancy (stiff and soft), mechanosurveillance, immunoediting, NK suppression,
  memory, checkpoint ligands and host events in one ODE model with hooks for every treatment;
* :func:`classify`: label a tumour trajectory elimination / equilibrium / escape, with the time
  under control;
* :func:`run_scenario`: simulate a scenario file (scenarios/*.toml) and write trajectories, a
  figure and a JSON summary;
* :func:`robustness`: how often each scenario's expectations hold when the assumed ([A])
  parameters vary (Latin hypercube, per-parameter influence).
"""

from coley.library.surveillance import HOST_INPUTS as HOST_INPUTS
from coley.library.surveillance import TUMOUR_STATES as TUMOUR_STATES
from coley.library.surveillance import model as model
from coley.surveillance.classify import Classification as Classification
from coley.surveillance.classify import Thresholds as Thresholds
from coley.surveillance.classify import classify as classify
from coley.surveillance.classify import time_under_control as time_under_control
from coley.surveillance.cohort import CohortSpec as CohortSpec
from coley.surveillance.cohort import EventProcess as EventProcess
from coley.surveillance.cohort import simulate_cohort as simulate_cohort
from coley.surveillance.cohort import simulate_cohort_scenario as simulate_cohort_scenario
from coley.surveillance.robustness import RobustnessResult as RobustnessResult
from coley.surveillance.robustness import robustness as robustness
from coley.surveillance.runner import run_scenario as run_scenario
from coley.surveillance.scenario import ArmResult as ArmResult
from coley.surveillance.scenario import ScenarioResult as ScenarioResult
from coley.surveillance.scenario import ScenarioSpec as ScenarioSpec
from coley.surveillance.scenario import load_scenario as load_scenario
from coley.surveillance.scenario import simulate_scenario as simulate_scenario
from coley.surveillance.scenario import tumour_total as tumour_total

__all__ = [
    "HOST_INPUTS", "TUMOUR_STATES", "ArmResult", "Classification", "CohortSpec", "EventProcess",
    "RobustnessResult", "ScenarioResult", "ScenarioSpec", "Thresholds", "classify",
    "load_scenario", "model", "robustness", "run_scenario", "simulate_cohort",
    "simulate_cohort_scenario", "simulate_scenario",
    "time_under_control", "tumour_total",
]
