"""Inputs: ranges, distributions, a model's assumed parameters, and the errors for bad ones."""

from __future__ import annotations

import numpy as np
import pytest

import coley.sensitivity as cs
from coley import Citation, InvalidArgumentError, Model, Parameter, Provenance, State
from coley.population import LogNormal, LogUniform, Uniform


def test_ranges_are_uniform_and_distributions_are_kept() -> None:
    inputs = cs.Inputs.of({"a": (1.0, 3.0), "b": LogNormal(2.0, 0.5)})
    assert inputs.names == ("a", "b")
    assert inputs.distributions == (Uniform(1.0, 3.0), LogNormal(2.0, 0.5))
    x = inputs.values(np.array([[0.0, 0.5], [1.0, 0.5]]))
    np.testing.assert_allclose(x, [[1.0, 2.0], [3.0, 2.0]])


@pytest.mark.parametrize(("spec", "message"), [
    ({"a": (2.0, 2.0)}, r"range of 'a' is empty \(2.0, 2.0\); widen it, or leave 'a' out"),
    ({"a": (3.0, 1.0)}, r"range of 'a' is inverted \(3.0, 1.0\); give \(low, high\) = "
                        r"\(1.0, 3.0\)"),
    ({"a": (1.0,)}, r"'a' = \(1.0,\) is neither a distribution nor a \(low, high\) range"),
    ({"a": (0.0, float("inf"))}, "give finite numbers"),
    ({}, "no inputs given"),
    ({"2a": (0.0, 1.0)}, "not a valid identifier"),
])
def test_bad_ranges(spec: dict, message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        cs.Inputs.of(spec)


def test_a_fixed_input_is_refused() -> None:
    from coley.population import Fixed

    with pytest.raises(InvalidArgumentError, match=r"'a' has a single value.*leave it out"):
        cs.Inputs.of({"a": Fixed(1.0)})
    with pytest.raises(InvalidArgumentError, match=r"'b' has .*, not a distribution"):
        cs.Inputs(("b",), ("uniform",))  # type: ignore[arg-type]


def _model() -> Model:
    def assumed(name: str, value: float, plausible: tuple[float, float] | None) -> Parameter:
        return Parameter(name, value, "1/day", "test rate", "[A] test", lower=0,
                         tag=Provenance.ASSUMED, plausible=plausible)

    return Model(
        name="test_sensitivity_assumed", title="assumed parameters",
        states=(State("x", 1.0, "cell", "cells"),),
        parameters=(
            assumed("wide", 0.1, (0.01, 1.0)),      # 100x: log-uniform
            assumed("narrow", 0.5, (0.2, 1.0)),     # 5x: uniform
            assumed("zero", 0.5, (0.0, 1.0)),       # starts at 0: uniform
            assumed("fixed", 0.5, (0.5, 0.5)),      # empty range: left fixed
            assumed("none", 0.5, None),             # no range: left fixed
            Parameter("published", 0.3, "1/day", "a published rate", "a paper", lower=0,
                      tag=Provenance.PUBLISHED, plausible=(0.1, 1.0)),
        ),
        equations={"x": "(wide + narrow + zero + fixed + none - published)*x"},
        citation=Citation("coley test model"),
    )


def test_assumed_inputs_follow_the_rule() -> None:
    """Log-uniform when low > 0 and high / low > 10, else uniform; only tag-A parameters with
    a non-empty plausible range."""
    inputs = cs.assumed_inputs(_model())
    assert inputs.names == ("wide", "narrow", "zero")
    assert inputs.distributions == (LogUniform(0.01, 1.0), Uniform(0.2, 1.0), Uniform(0.0, 1.0))
    assert cs.LOG_SPAN == 10.0
    assert cs.assumed_inputs(_model(), names=["zero"]).names == ("zero",)


@pytest.mark.parametrize(("names", "message"), [
    (["wdie"], r"unknown parameter 'wdie'.*Did you mean 'wide'"),
    (["published"], r"'published'.*is not assumed"),
    (["fixed"], r"'fixed'.*is not assumed \(tag 'A'\) with a non-empty plausible range"),
])
def test_assumed_inputs_bad_names(names: list[str], message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        cs.assumed_inputs(_model(), names=names)


def test_a_model_without_assumed_parameters(kuznetsov: Model) -> None:
    with pytest.raises(InvalidArgumentError, match=r"has no assumed parameter.*Inputs.of"):
        cs.assumed_inputs(kuznetsov)
