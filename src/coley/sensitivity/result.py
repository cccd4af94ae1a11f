"""The labelled result of :func:`coley.sensitivity.analyse`.

``indices`` is an :class:`xarray.Dataset` over ``input`` x ``output`` (x ``time`` for a model
output; ``input_2`` for Sobol second order), one variable per index and its confidence
interval; ``samples`` and ``outputs`` hold every run, and ``status`` each run's status
(negative: failed, with its reason in ``reasons``). ``convergence`` is, for each index, the
largest absolute change between the estimate from the first half of the base samples and from
all of them (``n // 2`` and ``n``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from coley.errors import InvalidArgumentError
from coley.sensitivity.inputs import Inputs
from coley.sensitivity.method import AbstractMethod

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr


@dataclass(frozen=True)
class SensitivityResult:
    """Indices of every input for every output (and time), with the runs they came from."""

    method: AbstractMethod
    inputs: Inputs
    indices: xr.Dataset
    samples: xr.DataArray
    outputs: xr.DataArray
    status: np.ndarray
    reasons: tuple[str, ...]
    seed: int
    convergence: Mapping[str, float] = field(default_factory=dict)

    @property
    def n_runs(self) -> int:
        """Number of model or function evaluations."""
        return int(self.status.size)

    @property
    def failed(self) -> np.ndarray:
        """Indices of the runs that failed (left out of PRCC; refused by the others)."""
        return np.flatnonzero(self.status < 0)

    def ranking(self, index: str, **where: Any) -> tuple[str, ...]:
        """Input names by decreasing absolute ``index`` (NaN last), at ``where``
        (e.g. ``output="T", time=100.0``: every non-input dimension must be fixed)."""
        if index not in self.indices:
            raise InvalidArgumentError(f"ranking: no index {index!r}; this result has "
                                       f"{sorted(map(str, self.indices.data_vars))}.")
        values = self.indices[index].sel(where)
        extra = [d for d in values.dims if d != "input"]
        if extra:
            raise InvalidArgumentError(f"ranking: fix {extra} (e.g. ranking({index!r}, "
                                       f"{extra[0]}=...)) to rank the inputs by one number each.")
        score = np.abs(np.asarray(values, dtype=np.float64))
        order = np.argsort(np.where(np.isnan(score), -np.inf, -score), kind="stable")
        return tuple(str(values["input"].values[i]) for i in order)

    def to_pandas(self) -> pd.DataFrame:
        """The indices as a long table (one row per input, output and time)."""
        return self.indices.to_dataframe()


__all__ = ["SensitivityResult"]
