"""The verb: seeding, workers, argument checks."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import coley.sensitivity as cs
from coley import InvalidArgumentError, Model


def test_same_seed_same_result_any_workers(linear: Model) -> None:
    inputs = cs.Inputs.of({"a11": (-0.5, -0.1), "x": (0.5, 2.0)})
    results = [cs.analyse(inputs, cs.ModelOutput(linear, ("x",), (1.0, 3.0), workers=w),
                          cs.SobolIndices(n=64), seed=7) for w in (1, 2, 1)]
    for other in results[1:]:
        xr.testing.assert_identical(results[0].indices, other.indices)
        assert results[0].convergence == other.convergence
    different = cs.analyse(inputs, cs.ModelOutput(linear, ("x",), (1.0, 3.0)),
                           cs.SobolIndices(n=64), seed=8)
    assert not np.array_equal(different.samples.values, results[0].samples.values)


def test_result_is_labelled(ishigami: tuple) -> None:
    inputs, output = ishigami
    res = cs.analyse(inputs, output, cs.PRCC(n=64, resamples=20), seed=0)
    assert res.samples.dims == ("run", "input") and res.samples.shape == (64, 3)
    assert res.outputs.dims == ("run", "output")
    assert res.indices.attrs["runs"] == 64 and res.indices.attrs["seed"] == 0
    table = res.to_pandas()
    assert list(table.index.names) == ["input", "output"] and "prcc" in table
    with pytest.raises(InvalidArgumentError, match=r"no index 'S1'.*'prcc'"):
        res.ranking("S1")


def test_ranking_needs_one_number_per_input(linear: Model) -> None:
    res = cs.analyse(cs.Inputs.of({"a11": (-0.5, -0.1), "x": (0.5, 2.0)}),
                     cs.ModelOutput(linear, ("x",), (1.0, 3.0)), cs.PRCC(n=16, resamples=5))
    with pytest.raises(InvalidArgumentError, match=r"fix \['output', 'time'\]"):
        res.ranking("prcc")
    # x(3) = x0 exp(3 a11) rises with both inputs
    assert set(res.ranking("prcc", output="x", time=3.0)) == {"x", "a11"}
    assert np.all(res.indices["prcc"].sel(output="x", time=3.0).values > 0.5)


@pytest.mark.parametrize(("args", "message"), [
    ({"inputs": {"a": (0, 1)}}, "inputs must be coley.sensitivity.Inputs"),
    ({"method": "sobol"}, "method must be SobolIndices, Morris, EFAST or PRCC"),
    ({"output": len}, "output must be a FunctionOutput or ModelOutput"),
    ({"seed": -1}, "seed must be an int >= 0"),
    ({"method": cs.SobolIndices(n=4)}, r"convergence check.*n must be an int >= 4, got 2"),
])
def test_bad_arguments(args: dict, message: str) -> None:
    base = {"inputs": cs.Inputs.of({"a": (0.0, 1.0)}),
            "output": cs.FunctionOutput(lambda x: x[:, 0]), "method": cs.PRCC(n=16)}
    kwargs = {k: v for k, v in args.items() if k == "seed"}
    base |= {k: v for k, v in args.items() if k != "seed"}
    with pytest.raises(InvalidArgumentError, match=message):
        cs.analyse(base["inputs"], base["output"], base["method"], **kwargs)
