"""Analysis of models and trajectories: equilibria and their stability, trajectory labels."""

from coley.analysis.equilibria import Equilibrium, classify, equilibria
from coley.analysis.trajectory import (
    Classification,
    Thresholds,
    classify_trajectory,
    time_under_control,
)

__all__ = ["Classification", "Equilibrium", "Thresholds", "classify", "classify_trajectory",
           "equilibria", "time_under_control"]
