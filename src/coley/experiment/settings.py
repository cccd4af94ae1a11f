"""Checks of parameter and state settings a file gives for a model (before any simulation)."""

from __future__ import annotations

from collections.abc import Mapping

from coley.model.components import Parameter, State
from coley.model.model import Model


def out_of_bounds(model: Model, values: Mapping[str, float], where: str) -> list[str]:
    """One line per value of ``values`` outside its parameter's or state's bounds (a negative
    cell count, an inhibition above 1); names ``model`` does not have are left to the caller."""
    out = []
    states, parameters = set(model.state_names), set(model.parameter_names)
    for name, value in values.items():
        item: State | Parameter
        if name in states:
            item, kind = model.state(name), "state"
        elif name in parameters:
            item, kind = model.parameter(name), "parameter"
        else:
            continue
        lo, hi = item.lower, item.upper
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            out.append(f"{where}.{name} = {value:g} is outside the {kind}'s bounds "
                       f"[{lo}, {hi}] ({item.unit}); give a value inside them.")
    return out


__all__ = ["out_of_bounds"]
