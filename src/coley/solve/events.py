"""State events: a state crossing a threshold, located by root finding on the dense output.

* :class:`Extinction`: the state falls below ``threshold`` (default 1 cell): it is set to 0 and
  the time recorded (a tumour below one cell is gone).
* :class:`Threshold`: the state crosses ``value``; the time is recorded and, with
  ``terminal=True``, the patient's integration stops there (a lethal burden means death).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from coley.errors import InvalidArgumentError
from coley.solve.status import Direction

_DIRECTIONS = {"down": Direction.DOWN, "up": Direction.UP, "both": Direction.BOTH}


@dataclass(frozen=True)
class Extinction:
    """``state`` below ``threshold`` is extinct: set it to 0 and record the time (days)."""

    state: str
    threshold: float = 1.0
    name: str = ""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.threshold) and self.threshold > 0):
            raise InvalidArgumentError(
                f"Extinction({self.state!r}): threshold must be > 0, got {self.threshold!r}."
            )
        if not self.name:
            object.__setattr__(self, "name", f"{self.state}_extinct")


@dataclass(frozen=True)
class Threshold:
    """Record when ``state`` crosses ``value`` in ``direction``; stop if ``terminal``."""

    state: str
    value: float
    direction: Literal["up", "down", "both"] = "up"
    terminal: bool = False
    name: str = ""

    def __post_init__(self) -> None:
        if not math.isfinite(self.value):
            raise InvalidArgumentError(
                f"Threshold({self.state!r}): value must be finite, got {self.value!r}."
            )
        if self.direction not in _DIRECTIONS:
            raise InvalidArgumentError(
                f"Threshold({self.state!r}): direction must be one of {list(_DIRECTIONS)}, "
                f"got {self.direction!r}."
            )
        if not self.name:
            object.__setattr__(self, "name", f"{self.state}_{self.direction}_{self.value:g}")

    @property
    def direction_code(self) -> Direction:
        """-1 down, +1 up, 0 both."""
        return _DIRECTIONS[self.direction]


Event = Extinction | Threshold
