"""A coley fit problem written as PEtab v1 reads back (coley's importer) to the same
likelihood, passes the petab library's linter, and what PEtab v1 cannot hold is refused."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from coley.errors import InvalidArgumentError
from coley.fit import Objective, Prior
from coley.fit.petab import read_petab
from coley.fit.petab_export import write_petab
from coley.fit.spec import load_fit

EXAMPLE = Path(__file__).parents[2] / "examples" / "fits" / "kuznetsov_tumour.toml"


def _untreated():  # type: ignore[no-untyped-def]
    problem = load_fit(EXAMPLE).problem
    data = problem.measurements
    return replace(problem, experiments=tuple(e for e in problem.experiments
                                              if e.name == "untreated"),
                   measurements=data[data["experiment"] == "untreated"].reset_index(drop=True))


def test_round_trip_keeps_the_likelihood(tmp_path: Path) -> None:
    problem = _untreated()
    path = write_petab(problem, tmp_path)
    back = read_petab(path)
    assert back.parameter_names == problem.parameter_names
    z = problem.nominal_vector() + np.array([0.1, -0.05, 0.2, 0.1])
    a = Objective(problem, gradient=False).evaluate(z)
    b = Objective(back, gradient=False).evaluate(z)
    assert a.ok and b.ok
    assert b.nll == pytest.approx(a.nll, rel=1e-9)


def test_written_problem_passes_the_petab_linter(tmp_path: Path) -> None:
    petab = pytest.importorskip("petab.v1")
    problem = _untreated()
    with_prior = replace(problem, parameters=tuple(
        replace(p, prior=Prior("logNormal", -3.2, 0.5)) if p.name == "d" else p
        for p in problem.parameters))
    path = write_petab(with_prior, tmp_path)
    assert not petab.lint_problem(petab.Problem.from_yaml(str(path)))
    table = petab.get_parameter_df(str(tmp_path / "parameters_kuznetsov_tumour.tsv"))
    assert table.loc["d", "objectivePriorType"] == "logNormal"
    assert table.loc["d", "objectivePriorParameters"] == "-3.2;0.5"


def test_what_petab_v1_cannot_hold_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match=r"experiments \['resected'\] have schedules"):
        write_petab(load_fit(EXAMPLE).problem, tmp_path)
    problem = _untreated()
    censored = problem.measurements.assign(censoring=["left"] + [""] * (len(
        problem.measurements) - 1))
    with pytest.raises(InvalidArgumentError, match="censored readings"):
        write_petab(replace(problem, measurements=censored), tmp_path)
