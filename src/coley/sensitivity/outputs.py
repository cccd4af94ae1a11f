"""What a sensitivity analysis measures: a Python function of the inputs, or a model's states.

An output turns the sampled input values (one row per run) into an :class:`Evaluation`: the
values (run x output, or run x output x time) and one status per run. A run that failed keeps
its status (negative, as in :class:`~coley.solve.status.Status`) and a reason; it is never
dropped silently.

* :class:`FunctionOutput`: ``f(X)`` with ``X`` of shape (runs, inputs), for analytic checks;
* :class:`ModelOutput`: states of a model at chosen times, all runs in one batched
  :func:`coley.simulate` call (one virtual patient per run).
"""

from __future__ import annotations

import math
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coley.errors import InvalidArgumentError, suggest
from coley.model.model import Model
from coley.sensitivity.inputs import Inputs
from coley.solve.result import STATUS
from coley.solve.simulate import simulate
from coley.solve.solvers import AbstractSolver
from coley.solve.status import Status


@dataclass(frozen=True)
class Evaluation:
    """The outputs of every run: ``values[run, ...]`` over ``dims``, with ``status[run]``
    (negative: failed, with ``reasons[run]``)."""

    values: np.ndarray
    status: np.ndarray
    dims: tuple[str, ...]
    coords: dict[str, np.ndarray] = field(hash=False)
    reasons: tuple[str, ...]

    @property
    def ok(self) -> np.ndarray:
        """Runs that did not fail and whose outputs are all finite."""
        flat = self.values.reshape(self.values.shape[0], -1)
        return np.asarray((self.status >= 0) & np.all(np.isfinite(flat), axis=1))


class AbstractOutput(ABC):
    """What is measured for each sampled input vector."""

    @abstractmethod
    def check(self, inputs: Inputs) -> None:
        """Raise :class:`~coley.errors.InvalidArgumentError` if ``inputs`` cannot drive it."""

    @abstractmethod
    def evaluate(self, inputs: Inputs, values: np.ndarray) -> Evaluation:
        """The outputs for input ``values`` (runs x inputs, in the order of ``inputs``)."""


@dataclass(frozen=True)
class FunctionOutput(AbstractOutput):
    """``function(X) -> Y``: ``X`` is (runs, inputs), ``Y`` is (runs,) or (runs, outputs),
    named ``names``. Non-finite values mark a run as failed (``Status.NONFINITE``)."""

    function: Callable[[np.ndarray], Any]
    names: tuple[str, ...] = ("y",)

    def __post_init__(self) -> None:
        if not callable(self.function):
            raise InvalidArgumentError(f"FunctionOutput: function must be callable, got "
                                       f"{self.function!r}.")
        names = (self.names,) if isinstance(self.names, str) else tuple(self.names)
        if not names or len(set(names)) != len(names):
            raise InvalidArgumentError(f"FunctionOutput: names must be distinct output names "
                                       f"(at least one), got {self.names!r}.")
        object.__setattr__(self, "names", names)

    def check(self, inputs: Inputs) -> None:
        return None

    def evaluate(self, inputs: Inputs, values: np.ndarray) -> Evaluation:
        y = np.asarray(self.function(values), dtype=np.float64)
        n = values.shape[0]
        if y.ndim == 1:
            y = y[:, None]
        if y.shape != (n, len(self.names)):
            raise InvalidArgumentError(
                f"FunctionOutput: the function returned shape {y.shape} for {n} runs; expected "
                f"({n},) or ({n}, {len(self.names)}) for the outputs {list(self.names)}."
            )
        finite = np.all(np.isfinite(y), axis=1)
        status = np.where(finite, int(Status.OK), int(Status.NONFINITE)).astype(np.int64)
        reasons = tuple("" if f else "the function returned a non-finite value" for f in finite)
        return Evaluation(y, status, ("output",), {"output": np.array(self.names)}, reasons)


_FAILED = r"\d+ of \d+ patient\(s\) failed"


@dataclass(frozen=True)
class ModelOutput(AbstractOutput):
    """``states`` of ``model`` at ``times`` (days; integration starts at day 0), one
    :func:`coley.simulate` call for all runs: inputs are parameters or initial values.

    ``solver`` and ``workers`` go to :func:`coley.simulate` (results do not depend on
    ``workers``).
    """

    model: Model
    states: tuple[str, ...]
    times: tuple[float, ...]
    solver: AbstractSolver | None = None
    workers: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.model, Model):
            raise InvalidArgumentError(f"ModelOutput: model must be a coley Model (see "
                                       f"coley.library.get), got {type(self.model).__name__}.")
        states = (self.states,) if isinstance(self.states, str) else tuple(self.states)
        if not states:
            raise InvalidArgumentError("ModelOutput: give at least one state as an output, "
                                       f"one of {list(self.model.state_names)}.")
        for s in states:
            if s not in self.model.state_names:
                raise InvalidArgumentError(
                    f"ModelOutput: output {s!r} is not produced by a run of model "
                    f"{self.model.name!r}.{suggest(s, self.model.state_names)} Its states are "
                    f"{', '.join(self.model.state_names)}."
                )
        try:
            times = tuple(float(t) for t in np.atleast_1d(np.asarray(self.times, dtype=float)))
        except (TypeError, ValueError):
            raise InvalidArgumentError(f"ModelOutput: times must be numbers (days), got "
                                       f"{self.times!r}.") from None
        if not times or not all(math.isfinite(t) and t >= 0 for t in times):
            raise InvalidArgumentError(f"ModelOutput: times must be finite days >= 0 (at least "
                                       f"one), got {self.times!r}.")
        if np.any(np.diff(times) <= 0):
            raise InvalidArgumentError(f"ModelOutput: times must be strictly increasing, got "
                                       f"{self.times!r}; sort them and drop repeats.")
        if times[-1] == 0:
            raise InvalidArgumentError("ModelOutput: give at least one time > 0 (days); at day "
                                       "0 the states are their initial values.")
        if self.solver is not None and not isinstance(self.solver, AbstractSolver):
            raise InvalidArgumentError(f"ModelOutput: solver must be a solver object such as "
                                       f"coley.Rodas4(), got {self.solver!r}.")
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) \
                or self.workers < 1:
            raise InvalidArgumentError(f"ModelOutput: workers must be an int >= 1, got "
                                       f"{self.workers!r}.")
        object.__setattr__(self, "states", states)
        object.__setattr__(self, "times", times)

    @property
    def grid(self) -> np.ndarray:
        """The simulated output grid: day 0 (the start) and ``times``."""
        return np.unique(np.concatenate([[0.0], self.times]))

    def check(self, inputs: Inputs) -> None:
        m = self.model
        inputs.check_names([*m.parameter_names, *m.state_names], f"model {m.name!r}")
        for name, dist in zip(inputs.names, inputs.distributions, strict=True):
            decl: Any = (m.parameter(name) if name in m.parameter_names else m.state(name))
            low, high = (float(v) for v in dist.ppf(np.array([0.0, 1.0])))
            if (decl.lower is not None and low < decl.lower) or \
                    (decl.upper is not None and high > decl.upper):
                raise InvalidArgumentError(
                    f"inputs: {name!r} ranges over [{low:g}, {high:g}] but model {m.name!r} "
                    f"bounds it to [{decl.lower}, {decl.upper}]; narrow the range (or "
                    "truncate the distribution) to the bounds."
                )

    def evaluate(self, inputs: Inputs, values: np.ndarray) -> Evaluation:
        parameters = {name: values[:, j] for j, name in enumerate(inputs.names)}
        grid = self.grid
        with warnings.catch_warnings():  # failures are recorded below, per run
            warnings.filterwarnings("ignore", message=_FAILED, category=RuntimeWarning)
            result = simulate(self.model, parameters, saveat=grid, solver=self.solver,
                              workers=self.workers)
        missing = [s for s in self.states if s not in result.state_names]
        if missing:
            raise InvalidArgumentError(f"ModelOutput: outputs {missing} were not produced by "
                                       f"the run; it has {list(result.state_names)}.")
        rows = np.searchsorted(grid, self.times)
        cols = [result.state_names.index(s) for s in self.states]
        y = result.values[:, rows][:, :, cols].transpose(0, 2, 1)  # run, output, time
        status = np.asarray(result.status, dtype=np.int64)
        messages = result.messages if np.any(status < 0) else []
        reasons = tuple("" if code >= 0 else messages[i] or STATUS[int(code)][1]
                        for i, code in enumerate(status))
        return Evaluation(np.ascontiguousarray(y), status, ("output", "time"),
                          {"output": np.array(self.states), "time": np.array(self.times)},
                          reasons)


__all__ = ["AbstractOutput", "Evaluation", "FunctionOutput", "ModelOutput"]
