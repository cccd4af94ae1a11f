"""Scheduled discontinuities: state jumps (bolus doses, resection) and infusions.

A :class:`Jump` changes a state at given times (add, set or multiply); an :class:`Infusion` sets
a piecewise-constant model input (for example a cell or drug infusion rate) between a start and a
stop time. Amounts may be one number for all patients or one per patient. The integrator stops
exactly at each time, applies the change and restarts, so nothing is smeared across a step.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from coley.errors import InvalidArgumentError
from coley.solve.status import Op

Amount = float | Sequence[float] | np.ndarray

_OPS = {"add": Op.ADD, "set": Op.SET, "multiply": Op.MUL}


def _times(name: str, times: float | Sequence[float]) -> tuple[float, ...]:
    values = (times,) if isinstance(times, int | float) else tuple(times)
    if not values:
        raise InvalidArgumentError(f"{name}: 'times' is empty; give at least one time in days.")
    for t in values:
        if not (isinstance(t, int | float | np.floating | np.integer) and math.isfinite(t)):
            raise InvalidArgumentError(
                f"{name}: every time must be a finite number of days, got {t!r}."
            )
    return tuple(float(t) for t in values)


def _amounts(name: str, amount: Amount) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(amount, dtype=np.float64))
    if arr.ndim != 1 or not np.all(np.isfinite(arr)):
        raise InvalidArgumentError(
            f"{name}: amount must be a finite number or a 1-D sequence of one per patient, "
            f"got {amount!r}."
        )
    return arr


@dataclass(frozen=True)
class Jump:
    """Change ``state`` at each of ``times`` (days): ``op`` is 'add', 'set' or 'multiply'.

    ``Jump("L", [7, 35], 3e7)`` adds 3e7 cells at days 7 and 35 (a bolus);
    ``Jump("T", 30, 0.01, op="multiply")`` resects 99% of the tumour at day 30.
    """

    state: str
    times: float | Sequence[float]
    amount: Amount
    op: Literal["add", "set", "multiply"] = "add"

    def __post_init__(self) -> None:
        object.__setattr__(self, "times", _times(f"Jump({self.state!r})", self.times))
        if self.op not in _OPS:
            raise InvalidArgumentError(
                f"Jump({self.state!r}): op must be one of {list(_OPS)}, got {self.op!r}."
            )
        arr = _amounts(f"Jump({self.state!r})", self.amount)
        if self.op == "multiply" and np.any(arr < 0):
            raise InvalidArgumentError(
                f"Jump({self.state!r}): a multiplying factor must be >= 0, got {self.amount!r}."
            )
        object.__setattr__(self, "amount", arr)

    @property
    def op_code(self) -> Op:
        """Code of ``op`` used by the kernels."""
        return _OPS[self.op]


def Bolus(state: str, times: float | Sequence[float], amount: Amount) -> Jump:
    """A bolus dose: add ``amount`` (in the state's unit) to ``state`` at each time (days)."""
    return Jump(state, times, amount, op="add")


@dataclass(frozen=True)
class Infusion:
    """Set input ``input`` to ``rate`` (its unit) from ``start`` to ``stop`` (days).

    Overlapping infusions of the same input add up.
    """

    input: str
    rate: Amount
    start: float
    stop: float

    def __post_init__(self) -> None:
        name = f"Infusion({self.input!r})"
        if not (math.isfinite(self.start) and math.isfinite(self.stop)):
            raise InvalidArgumentError(f"{name}: start and stop must be finite days.")
        if self.stop <= self.start:
            raise InvalidArgumentError(
                f"{name}: stop ({self.stop}) must be after start ({self.start})."
            )
        object.__setattr__(self, "rate", _amounts(name, self.rate))
