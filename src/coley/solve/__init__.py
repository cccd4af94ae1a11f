"""Integrators, schedules, events, the batched ``simulate`` verb and its result."""

from coley.solve.events import Extinction, Threshold
from coley.solve.result import SimulationResult
from coley.solve.schedule import Bolus, Infusion, Jump
from coley.solve.simulate import simulate
from coley.solve.solvers import AbstractSolver, Dopri5, Rodas4
from coley.solve.status import Status

__all__ = ["AbstractSolver", "Bolus", "Dopri5", "Extinction", "Infusion", "Jump", "Rodas4",
           "SimulationResult", "Status", "Threshold", "simulate"]
