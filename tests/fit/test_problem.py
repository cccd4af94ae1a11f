"""Bad fit problems get one clear error per problem, before anything is simulated."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import coley
from coley.errors import InvalidArgumentError
from coley.fit import Experiment, FitParameter, FitProblem, Observable
from coley.fit.problem import Scale, split_overrides


def _problem(**changes: object) -> FitProblem:
    model = coley.library.get("kuznetsov1994")
    data = pd.DataFrame({"experiment": "e", "observable": "tumour", "time": [1.0, 2.0],
                         "value": [5e6, 6e6]})
    parts: dict[str, object] = {
        "experiments": (Experiment("e", {"T": "T0"}),),
        "observables": (Observable("tumour", "T", noise=0.1, transform="log"),),
        "measurements": data,
        "parameters": (FitParameter("d", 0.01, 1.0, 0.04, scale="log10"),
                       FitParameter("T0", 1e4, 1e8, 5e6, scale="log10")),
    }
    parts.update(changes)
    return FitProblem(model, **parts)  # type: ignore[arg-type]


def test_valid_problem_has_no_problems() -> None:
    assert _problem().problems() == []


def test_every_problem_listed_at_once() -> None:
    data = pd.DataFrame({"experiment": ["e", "missing"], "observable": ["tumour", "nope"],
                         "time": [1.0, -1.0], "value": [-2.0, 5e6]})
    p = _problem(measurements=data,
                 experiments=(Experiment("e", {"T": "T00", "dd": 1.0}),),
                 observables=(Observable("tumour", "T + Tx", noise=-1, transform="log"),))
    found = p.problems()
    text = "\n".join(found)
    for fragment in ("'T00'", "'dd'", "'Tx'", "noise = -1", "['missing']", "['nope']",
                     "times must be >= 0", "values <= 0"):
        assert fragment in text, (fragment, found)
    with pytest.raises(InvalidArgumentError, match=r"\d+ problems"):
        p.check()


def test_parameter_errors_name_the_value_and_fix() -> None:
    with pytest.raises(InvalidArgumentError, match=r"nominal = 5\.0 is outside the bounds"):
        FitParameter("k", 0.1, 1.0, 5.0)
    with pytest.raises(InvalidArgumentError, match="needs lower > 0"):
        FitParameter("k", 0.0, 1.0, 0.5, scale="log10")
    with pytest.raises(InvalidArgumentError, match="scale must be one of"):
        FitParameter("k", 0.1, 1.0, 0.5, scale="ln")
    with pytest.raises(InvalidArgumentError, match=r"lower = 1\.0 must be below upper"):
        FitParameter("k", 1.0, 1.0, 1.0)


def test_measurement_table_needs_columns() -> None:
    p = _problem(measurements=pd.DataFrame({"time": [1.0]}))
    assert "missing columns" in p.problems()[0]


def test_unknown_placeholder_override() -> None:
    data = pd.DataFrame({"experiment": "e", "observable": "tumour", "time": [1.0],
                         "value": [5e6], "noise_parameters": ["sigma_x"]})
    p = _problem(measurements=data,
                 observables=(Observable("tumour", "T", noise="noiseParameter1_tumour"),))
    assert any("'sigma_x'" in line for line in p.problems())


def test_scales_round_trip_and_derivative() -> None:
    for scale in Scale:
        x = np.array([0.3, 2.0, 7.5])
        z = scale.to_internal(x)
        np.testing.assert_allclose(scale.to_linear(z), x, rtol=1e-15)
        h = 1e-6
        fd = (scale.to_linear(z + h) - scale.to_linear(z - h)) / (2 * h)
        np.testing.assert_allclose(scale.derivative(z), fd, rtol=1e-8)


def test_split_overrides() -> None:
    assert split_overrides("1.5; k_obs") == [1.5, "k_obs"]
    assert split_overrides(float("nan")) == []
    assert split_overrides(2) == [2.0]


def test_noise_placeholder_values_must_be_positive_only_where_they_are_the_noise_level() -> None:
    """PEtab's Bachmann_MSB2011 gives "sd;0" to noiseParameter1 + noiseParameter2: the 0 is
    a term of the noise level, not the level itself."""
    base = _problem()
    data = base.measurements.assign(noise_parameters=["0.2;0", "0.2;0"])
    summed = _problem(measurements=data, observables=(Observable(
        "tumour", "T", noise="noiseParameter1_tumour + noiseParameter2_tumour",
        transform="log"),))
    assert summed.problems() == []
    lone = _problem(measurements=base.measurements.assign(noise_parameters=[0.0, 0.1]),
                    observables=(Observable("tumour", "T", noise="noiseParameter1_tumour",
                                            transform="log"),))
    assert any("noise_parameters value 0.0 must be > 0" in f for f in lone.problems())
