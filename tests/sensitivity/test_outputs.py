"""Outputs: a function's values, a model's states at chosen times, and the errors."""

from __future__ import annotations

import numpy as np
import pytest

import coley.sensitivity as cs
from coley import InvalidArgumentError, Model


def test_model_output_is_the_simulated_state(linear: Model) -> None:
    """dx/dt = -0.3 x (the defaults of tests/conftest.py): x(t) = x0 exp(-0.3 t)."""
    output = cs.ModelOutput(linear, ("x", "y"), (1.0, 5.0))
    inputs = cs.Inputs.of({"x": (1.0, 2.0), "a12": (0.0, 0.1)})
    values = np.array([[1.0, 0.0], [2.0, 0.0]])
    ev = output.evaluate(inputs, values)
    assert ev.dims == ("output", "time") and ev.values.shape == (2, 2, 2)
    np.testing.assert_allclose(ev.values[:, 0], values[:, :1] * np.exp(-0.3 * np.array([1, 5])),
                               rtol=1e-5)
    np.testing.assert_array_equal(ev.status, [0, 0])


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"states": ("z",)}, r"output 'z' is not produced by a run of model 'test_linear'.*x, y"),
    ({"states": ()}, "at least one state"),
    ({"times": (5.0, 1.0)}, "strictly increasing"),
    ({"times": (-1.0, 1.0)}, "finite days >= 0"),
    ({"times": (0.0,)}, "at least one time > 0"),
    ({"workers": 0}, "workers must be an int >= 1"),
])
def test_bad_model_outputs(linear: Model, kwargs: dict, message: str) -> None:
    args = {"model": linear, "states": ("x",), "times": (1.0,)} | kwargs
    with pytest.raises(InvalidArgumentError, match=message):
        cs.ModelOutput(**args)


def test_unknown_parameter_and_out_of_bounds(linear: Model) -> None:
    output = cs.ModelOutput(linear, ("x",), (1.0,))
    method = cs.PRCC(n=16)
    with pytest.raises(InvalidArgumentError, match=r"unknown parameter 'a13'.*'a12'"):
        cs.analyse(cs.Inputs.of({"a13": (0.0, 1.0)}), output, method)
    with pytest.raises(InvalidArgumentError, match=r"'x' ranges over \[-1, 1\].*bounds it to "
                                                   r"\[0.0, None\]"):
        cs.analyse(cs.Inputs.of({"x": (-1.0, 1.0)}), output, method)


def test_function_output_shape_is_checked() -> None:
    inputs = cs.Inputs.of({"a": (0.0, 1.0)})
    output = cs.FunctionOutput(lambda x: x, names=("u", "v"))
    with pytest.raises(InvalidArgumentError, match=r"returned shape \(16, 1\).*\['u', 'v'\]"):
        cs.analyse(inputs, output, cs.PRCC(n=16))
