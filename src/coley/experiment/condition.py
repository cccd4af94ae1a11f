"""One experimental condition: what is simulated for one arm, scenario arm or fitted experiment.

A :class:`Condition` is a model, the parameter and state settings of its subjects (a value, or
one per subject), an optional treatment (an :class:`~coley.solve.intervention.Intervention`,
such as :class:`coley.Treatment`), schedule items (doses, host events, resections) and events
(extinction, thresholds). Trial arms (:mod:`coley.trial.arms`) and scenario arms
(:mod:`coley.scenario.scenario`) are built as conditions, and so are the experiments of a fit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from coley.errors import InvalidArgumentError
from coley.model.model import Model
from coley.solve.events import Event
from coley.solve.intervention import Intervention
from coley.solve.result import SimulationResult
from coley.solve.schedule import Infusion, Jump
from coley.solve.simulate import simulate
from coley.solve.solvers import AbstractSolver


@dataclass(frozen=True)
class Condition:
    """``model`` with ``settings`` ({name: value or one value per subject}), ``treatment``,
    ``schedule`` items and ``events``; :meth:`simulate` integrates it."""

    name: str
    model: Model
    settings: Mapping[str, float | np.ndarray] = field(default_factory=dict)
    treatment: Intervention | None = None
    schedule: tuple[Jump | Infusion, ...] = ()
    events: tuple[Event, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.model, Model):
            raise InvalidArgumentError(f"Condition {self.name!r}: model must be a coley Model, "
                                       f"got {type(self.model).__name__}.")
        object.__setattr__(self, "settings", dict(self.settings))
        object.__setattr__(self, "schedule", tuple(self.schedule))
        object.__setattr__(self, "events", tuple(self.events))

    def with_schedule(self, schedule: Sequence[Jump | Infusion]) -> Condition:
        """The same condition with other schedule items (a stop rule's reduced doses)."""
        return replace(self, schedule=tuple(schedule))

    def with_settings(self, settings: Mapping[str, float | np.ndarray]) -> Condition:
        """The same condition for other subjects (a subset of the rows, say)."""
        return replace(self, settings=dict(settings))

    def simulate(self, *, t_end: float | None = None, saveat: Any = None,
                 solver: AbstractSolver | None = None, workers: int = 1,
                 progress: bool = False) -> SimulationResult:
        """Integrate the condition (see :func:`coley.simulate` for the arguments)."""
        return simulate(self.model, dict(self.settings) or None, t_end=t_end, saveat=saveat,
                        solver=solver, schedule=self.schedule, events=self.events,
                        workers=workers, progress=progress, treatment=self.treatment)


__all__ = ["Condition"]
