"""Fixtures of the sensitivity tests: the Ishigami function as inputs and an output."""

from __future__ import annotations

import math

import pytest

import coley.sensitivity as cs
from tests.sensitivity.ishigami import ishigami_function


@pytest.fixture(scope="session")
def ishigami() -> tuple[cs.Inputs, cs.FunctionOutput]:
    inputs = cs.Inputs.of({name: (-math.pi, math.pi) for name in ("x1", "x2", "x3")})
    return inputs, cs.FunctionOutput(ishigami_function)
