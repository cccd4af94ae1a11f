"""Models shared by the stochastic tests (session-scoped, so each kernel is compiled once)."""

from __future__ import annotations

import pytest

from coley import Citation, Model, Parameter, State
from coley.library.surveillance import model as surveillance_model


@pytest.fixture(scope="session")
def birth_death() -> Model:
    """dX/dt = b*X - d*X: the linear birth-death process of Kendall 1948 (b = 0: pure death)."""
    return Model(
        name="test_birth_death",
        title="linear birth-death process",
        states=(State("X", 1.0, "cell", "cells"),),
        parameters=(
            Parameter("b", 1.0, "1/day", "birth rate per cell", "test", lower=0.0),
            Parameter("d", 0.5, "1/day", "death rate per cell", "test", lower=0.0),
        ),
        equations={"X": "b*X - d*X"},
        citation=Citation("Kendall DG (1948), Ann Math Stat 19:1-15",
                          doi="10.1214/aoms/1177730285"),
    )


@pytest.fixture(scope="session")
def surveillance() -> Model:
    """coley's surveillance model with its defaults."""
    return surveillance_model()
