"""Model validation (one clear error per mistake) and the exact Jacobian."""

from __future__ import annotations

import math
from typing import Any

import pytest
import sympy as sp

from coley import Citation, Model, ModelDefinitionError, Parameter, State, UnknownNameError

CITE = Citation("test")


def _model(**changes: Any) -> Model:
    """A valid one-state decay model dx/dt = -k*x, with any field replaced."""
    fields: dict[str, Any] = {
        "name": "decay", "title": "first-order decay",
        "states": (State("x", 1.0, "cell", "amount"),),
        "parameters": (Parameter("k", 0.5, "1/day", "loss rate", "test", lower=0.0),),
        "equations": {"x": "-k*x"}, "citation": CITE,
    }
    return Model(**{**fields, **changes})


def test_valid_model_builds() -> None:
    m = _model()
    assert m.state_names == ("x",)
    assert m.parameter_names == ("k",)
    # The parsed right-hand side is the written one: d/dx(-k*x) = -k.
    assert m.jacobian[0, 0] == -m.symbols["k"]


# ------------------------------------------------------------------ definition errors
def test_undefined_symbol_names_model_and_suggests() -> None:
    with pytest.raises(ModelDefinitionError) as err:
        _model(equations={"x": "-kk*x"})
    message = str(err.value)
    assert "model 'decay'" in message
    assert "equation for 'x'" in message
    assert "undefined symbol 'kk'" in message
    assert "Did you mean 'k'" in message


def test_duplicate_name() -> None:
    with pytest.raises(ModelDefinitionError, match=r"model 'decay'.*'x' is declared twice"):
        _model(parameters=(Parameter("x", 0.5, "1/day", "clash", "test"),))


def test_missing_equation_for_a_state() -> None:
    states = (State("x", 1.0, "cell", "amount"), State("y", 1.0, "cell", "other"))
    with pytest.raises(ModelDefinitionError, match=r"model 'decay'.*state 'y' has no equation"):
        _model(states=states)


def test_equation_for_a_non_state() -> None:
    with pytest.raises(ModelDefinitionError,
                       match=r"model 'decay'.*equation for 'xx', which is not a state"
                             r".*Did you mean 'x'"):
        _model(equations={"x": "-k*x", "xx": "1"})


def test_unparsable_expression() -> None:
    with pytest.raises(ModelDefinitionError,
                       match=r"model 'decay'.*equation for 'x' cannot be parsed: '-k\*\(x'"):
        _model(equations={"x": "-k*(x"})


def test_non_finite_constant_in_equation() -> None:
    with pytest.raises(ModelDefinitionError, match=r"model 'decay'.*non-finite constant"):
        _model(equations={"x": "-k*x + 1/0"})


@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_non_finite_value(value: float) -> None:
    with pytest.raises(ModelDefinitionError, match=r"model 'decay'.*parameter 'k'.*finite"):
        _model().with_values(k=value)
    with pytest.raises(ModelDefinitionError, match=r"parameter 'k'.*finite"):
        Parameter("k", value, "1/day", "loss rate", "test")


def test_value_outside_bounds() -> None:
    with pytest.raises(ModelDefinitionError,
                       match=r"model 'decay'.*parameter 'k' = -1.0 is below its lower bound 0.0"):
        _model().with_values(k=-1.0)
    # States are non-negative by default (cell counts).
    with pytest.raises(ModelDefinitionError,
                       match=r"model 'decay'.*initial value of state 'x' = -2.0 is below"):
        _model().with_values(x=-2.0)


def test_non_number_value() -> None:
    with pytest.raises(ModelDefinitionError,
                       match=r"model 'decay'.*parameter 'k' has value 'fast', which is not a "
                             r"number"):
        _model().with_values(k="fast")  # type: ignore[arg-type]


def test_reserved_name_t() -> None:
    with pytest.raises(ModelDefinitionError, match=r"parameter name 't' is reserved"):
        Parameter("t", 1.0, "day", "clashes with time", "test")
    with pytest.raises(ModelDefinitionError,
                       match=r"model 'decay'.*expression name 't' is reserved"):
        _model(expressions={"t": "k*x"})


@pytest.mark.parametrize("name", ["2k", "k-1", "k x", ""])
def test_invalid_identifier(name: str) -> None:
    with pytest.raises(ModelDefinitionError, match=r"is not a valid identifier"):
        Parameter(name, 1.0, "1/day", "bad", "test")
    with pytest.raises(ModelDefinitionError, match=r"model 'decay'.*is not a valid identifier"):
        _model(expressions={name: "k*x"})


def test_with_values_unknown_name_suggests_close_names() -> None:
    with pytest.raises(UnknownNameError,
                       match=r"unknown parameter or state 'kk' in model 'decay'\. "
                             r"Did you mean 'k'\?"):
        _model().with_values(kk=1.0)


def test_with_values_changes_defaults_only() -> None:
    m = _model()
    changed = m.with_values(k=0.25, x=3.0)
    assert changed.parameter("k").value == 0.25
    assert changed.state("x").initial == 3.0
    assert m.parameter("k").value == 0.5  # the original is immutable


def test_expressions_are_substituted() -> None:
    # dx/dt = -loss with loss = k*x is the same right-hand side as -k*x.
    m = _model(expressions={"loss": "k*x"}, equations={"x": "-loss"})
    assert sp.simplify(m.rhs[0] + m.symbols["k"] * m.symbols["x"]) == 0
