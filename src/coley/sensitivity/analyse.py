"""``analyse``: the one verb of global sensitivity analysis.

It joins the :class:`~coley.sensitivity.inputs.Inputs`, an output
(:class:`~coley.sensitivity.outputs.FunctionOutput` or
:class:`~coley.sensitivity.outputs.ModelOutput`) and a method
(:class:`~coley.sensitivity.sobol.SobolIndices`, :class:`~coley.sensitivity.morris.Morris`,
:class:`~coley.sensitivity.efast.EFAST`, :class:`~coley.sensitivity.prcc.PRCC`): the method's
seeded design over the unit cube is mapped through the inputs' distributions, every run is
evaluated at once (one batched :func:`coley.simulate` call for a model), and the indices come
back as labelled data with confidence intervals and a convergence check.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import xarray as xr

from coley.errors import InvalidArgumentError, SimulationError
from coley.sensitivity.inputs import Inputs
from coley.sensitivity.method import AbstractMethod, Indices
from coley.sensitivity.outputs import AbstractOutput, Evaluation
from coley.sensitivity.result import SensitivityResult
from coley.solve.status import Status


def _run(inputs: Inputs, output: AbstractOutput, method: AbstractMethod, unit: np.ndarray
         ) -> tuple[Evaluation, np.ndarray]:
    """Evaluate the design ``unit``; refuse failed runs where the method needs every run."""
    values = inputs.values(unit)
    ev = output.evaluate(inputs, values)
    ok = ev.ok
    n_failed = int(np.sum(~ok))
    if n_failed and method.complete:
        i = int(np.flatnonzero(~ok)[0])
        reason = ev.reasons[i] or "a non-finite output"
        point = ", ".join(f"{k} = {v:g}" for k, v in zip(inputs.names, values[i], strict=True))
        raise SimulationError(
            f"{type(method).__name__}: {n_failed} of {ok.size} runs failed or gave non-finite "
            f"outputs (run {i}, at {point}: {reason}); its indices need every run, so none "
            "were computed. Narrow the input ranges, change the solver's settings, or use "
            "PRCC, which leaves failed runs out and records them."
        )
    if n_failed:
        warnings.warn(f"{n_failed} of {ok.size} runs failed and were left out of the "
                      f"{type(method).__name__} analysis; see result.failed and result.reasons.",
                      RuntimeWarning, stacklevel=3)
    return ev, ok


def _dataset(indices: Indices, inputs: Inputs, ev: Evaluation) -> xr.Dataset:
    shape = ev.values.shape[1:]
    data = {}
    for key, (lead, values) in indices.items():
        data[key] = (lead + ev.dims, values.reshape(values.shape[:len(lead)] + shape))
    coords: dict[str, Any] = {"input": list(inputs.names), **ev.coords}
    if any("input_2" in lead for lead, _ in indices.values()):
        coords["input_2"] = list(inputs.names)
    return xr.Dataset(data, coords=coords)


def analyse(inputs: Inputs, output: AbstractOutput, method: AbstractMethod, *, seed: int = 0,
            convergence: bool = True) -> SensitivityResult:
    """Global sensitivity of ``output`` to ``inputs`` by ``method``.

    Parameters
    ----------
    inputs:
        The varied inputs and their distributions (:class:`Inputs`, or
        :func:`~coley.sensitivity.inputs.assumed_inputs` for a model's assumed parameters).
    output:
        A :class:`FunctionOutput` or a :class:`ModelOutput` (states at chosen times).
    method:
        :class:`SobolIndices`, :class:`Morris`, :class:`EFAST` or :class:`PRCC`, with its
        sample size ``n``.
    seed:
        Seeds the design and the bootstrap; the same seed gives the same result whatever
        ``workers`` the output uses.
    convergence:
        Also estimate the indices from ``n // 2`` base samples (the first half of the design,
        or for eFAST a second design) and report the largest absolute change of each index.

    Returns
    -------
    SensitivityResult
        Raises :class:`~coley.errors.SimulationError` if a run fails under a method that needs
        every run (Sobol, Morris, eFAST); PRCC leaves failed runs out, records them in
        ``status`` and warns once with their number.
    """
    if not isinstance(inputs, Inputs):
        raise InvalidArgumentError(f"analyse: inputs must be coley.sensitivity.Inputs (e.g. "
                                   f"Inputs.of({{'a': (0.1, 1.0)}})), got {inputs!r}.")
    if not isinstance(output, AbstractOutput):
        raise InvalidArgumentError(f"analyse: output must be a FunctionOutput or ModelOutput, "
                                   f"got {output!r}.")
    if not isinstance(method, AbstractMethod):
        raise InvalidArgumentError(f"analyse: method must be SobolIndices, Morris, EFAST or "
                                   f"PRCC, got {method!r}.")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InvalidArgumentError(f"analyse: seed must be an int >= 0, got {seed!r}.")
    seed = int(seed)
    output.check(inputs)
    method.check(inputs)
    half: AbstractMethod | None = None
    if convergence:
        try:
            half = method.halved()
        except InvalidArgumentError as e:
            raise InvalidArgumentError(f"analyse: the convergence check estimates the indices "
                                       f"at n // 2 too, and {e} Give a larger n, or "
                                       "convergence=False.") from None
    d = len(inputs)
    unit = method.sample(d, seed)
    ev, ok = _run(inputs, output, method, unit)
    y = ev.values.reshape(unit.shape[0], -1)
    indices = method.indices(unit, y, ok, seed=seed)
    changes: dict[str, float] = {}
    if half is not None:
        if method.nested:
            r = half.rows(d)
            coarse = half.indices(unit[:r], y[:r], ok[:r], seed=seed, confidence=False)
        else:
            unit2 = half.sample(d, seed)
            ev2, ok2 = _run(inputs, output, method, unit2)
            coarse = half.indices(unit2, ev2.values.reshape(unit2.shape[0], -1), ok2,
                                  seed=seed, confidence=False)
        for key in method.convergence_keys:
            diff = np.abs(indices[key][1] - coarse[key][1])
            changes[key] = float(np.nanmax(diff)) if np.any(np.isfinite(diff)) else float("nan")
    dataset = _dataset(indices, inputs, ev)
    dataset.attrs.update({
        "method": repr(method), "seed": seed, "runs": int(unit.shape[0]),
        "failed": int(np.sum(~ok)),
        **{f"convergence_{k}": v for k, v in changes.items()},
    })
    samples = xr.DataArray(inputs.values(unit), dims=("run", "input"),
                           coords={"input": list(inputs.names)}, name="samples")
    outputs = xr.DataArray(ev.values, dims=("run", *ev.dims), coords=ev.coords, name="outputs")
    status = np.where(ok, ev.status, np.minimum(ev.status, int(Status.NONFINITE))).astype(np.int64)
    return SensitivityResult(method=method, inputs=inputs, indices=dataset, samples=samples,
                             outputs=outputs, status=status, reasons=ev.reasons, seed=seed,
                             convergence=changes)


__all__ = ["analyse"]
