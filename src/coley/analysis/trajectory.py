"""Label a tumour trajectory elimination, equilibrium or escape (the three Es of immunoediting).

:func:`classify_trajectory` works on any burden trajectory (cells over days), whatever model
produced it; a model's burden is the sum of its ``burden_states``. Rules, applied to the total
burden on the output grid:

* **elimination**: the final burden is below ``extinct_cells`` (default 1 cell);
* **escape**: the final burden is at or above ``escape_cells`` (default 1e9 cells, about 1 cm3,
  the clinical detection limit), or it is growing without check: it rose at least
  ``growth_fold``-fold (default 10) over the last ``window_days`` (default 365) and its final
  value is the largest of that window;
* **equilibrium**: otherwise, when the tumour has persisted between the two thresholds without
  sustained growth for at least ``min_equilibrium_days`` (default 365) at the end;
* **undetermined**: the horizon is too short after the last change to tell (a tumour that
  only just fell below ``escape_cells``, say).

Endpoints reported with the label: ``time_under_control`` (days with burden below
``detect_cells``, default 1e9; coexistence counts, not only cure), ``escape_time`` (onset of the
final stretch at or above ``escape_cells``), ``elimination_time`` (onset of the final stretch
below ``extinct_cells``), and the final, maximal and minimal burdens.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from coley.errors import InvalidArgumentError

Label = Literal["elimination", "equilibrium", "escape", "undetermined"]


@dataclass(frozen=True)
class Thresholds:
    """Numeric thresholds of :func:`classify_trajectory` (cells and days)."""

    extinct_cells: float = 1.0
    detect_cells: float = 1e9
    escape_cells: float = 1e9
    min_equilibrium_days: float = 365.0
    window_days: float = 365.0
    growth_fold: float = 10.0

    def __post_init__(self) -> None:
        for name in ("extinct_cells", "detect_cells", "escape_cells", "min_equilibrium_days",
                     "window_days", "growth_fold"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise InvalidArgumentError(
                    f"Thresholds: {name} must be a positive number, got {value!r}."
                )
        if self.escape_cells <= self.extinct_cells:
            raise InvalidArgumentError(
                f"Thresholds: escape_cells ({self.escape_cells:g}) must exceed extinct_cells "
                f"({self.extinct_cells:g})."
            )
        if self.growth_fold <= 1:
            raise InvalidArgumentError(
                f"Thresholds: growth_fold must be > 1, got {self.growth_fold!r}."
            )


@dataclass(frozen=True)
class Classification:
    """The label of one trajectory and its endpoints (days, cells)."""

    label: Label
    time_under_control: float
    escape_time: float | None
    elimination_time: float | None
    final_total: float
    max_total: float
    min_total: float
    horizon: float

    def to_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        return asdict(self)


def _onset_of_final_stretch(time: np.ndarray, mask: np.ndarray) -> float | None:
    """First time of the last run of True values that reaches the end, else None."""
    if not mask[-1]:
        return None
    false = np.flatnonzero(~mask)
    return float(time[0] if false.size == 0 else time[false[-1] + 1])


def time_under_control(time: np.ndarray, total: np.ndarray, detect_cells: float = 1e9) -> float:
    """Days with the burden below ``detect_cells`` (each output interval counted by its start)."""
    time = np.asarray(time, dtype=np.float64)
    total = np.asarray(total, dtype=np.float64)
    dt = np.diff(time)
    return float(np.sum(dt[total[:-1] < detect_cells]))


def classify_trajectory(time: np.ndarray, total: np.ndarray,
                        thresholds: Thresholds | None = None) -> Classification:
    """Label the trajectory ``total(time)`` (cells over days); see the module docstring."""
    th = thresholds or Thresholds()
    time = np.asarray(time, dtype=np.float64).ravel()
    total = np.asarray(total, dtype=np.float64).ravel()
    if time.size < 2 or time.size != total.size:
        raise InvalidArgumentError(
            f"classify_trajectory: give matching time and total arrays with at least two "
            f"points (got {time.size} and {total.size})."
        )
    if not np.all(np.isfinite(total)):
        raise InvalidArgumentError(
            "classify_trajectory: the burden contains NaN or infinite values (a failed "
            "integration?); check the simulation status first."
        )
    total = np.maximum(total, 0.0)
    final = float(total[-1])
    horizon = float(time[-1] - time[0])
    in_window = time >= time[-1] - th.window_days
    start = float(total[in_window][0])
    growing = (final >= th.growth_fold * max(start, th.extinct_cells)
               and final >= float(np.max(total[in_window])))
    persisting = _onset_of_final_stretch(
        time, (total >= th.extinct_cells) & (total < th.escape_cells))
    label: Label
    if final < th.extinct_cells:
        label = "elimination"
    elif final >= th.escape_cells or growing:
        label = "escape"
    elif persisting is not None and time[-1] - persisting >= th.min_equilibrium_days:
        label = "equilibrium"
    else:
        label = "undetermined"
    return Classification(
        label=label,
        time_under_control=time_under_control(time, total, th.detect_cells),
        escape_time=_onset_of_final_stretch(time, total >= th.escape_cells),
        elimination_time=_onset_of_final_stretch(time, total < th.extinct_cells),
        final_total=final, max_total=float(np.max(total)), min_total=float(np.min(total)),
        horizon=horizon,
    )


__all__ = ["Classification", "Label", "Thresholds", "classify_trajectory", "time_under_control"]
