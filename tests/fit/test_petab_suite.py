"""The PEtab test suite, format v1.0.0, SBML models (shared/test-suites/petab/cases/v1.0.0/sbml;
PEtab-dev/petab_test_suite).

Each case is a PEtab problem and ``_NNNN_solution.yaml``: chi2, log-likelihood and the
simulation of every measurement at the nominal parameters, with absolute tolerances
``tol_chi2``, ``tol_llh`` and ``tol_simulations``. Every case either matches its solution, with
an exact gradient that agrees with central differences, or is in :data:`REJECTED` with the
reason, and :func:`coley.fit.petab.read_petab` refuses it naming that feature.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from coley.errors import InvalidArgumentError
from coley.fit import Objective
from coley.fit.petab import read_petab
from coley.fit.prior import Prior

#: The shared folder: ../shared relative to the repository root (as in CI).
SHARED = (Path(__file__).resolve().parents[2] / ".." / "shared").resolve()
CASES = SHARED / "test-suites" / "petab" / "cases" / "v1.0.0" / "sbml"

pytestmark = pytest.mark.skipif(not CASES.is_dir(), reason=f"{CASES} is absent (the shared "
                                "folder lies next to the repository in CI)")

#: Cases coley refuses, with the feature (a phrase of the error message). None at present:
#: the pre-equilibration cases (0009, 0010, 0017, 0018) pass since pre-equilibration landed.
REJECTED: dict[str, str] = {}


def case_ids() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if p.is_dir()) if CASES.is_dir() else []


def problem_path(case: str) -> Path:
    return CASES / case / f"_{case}.yaml"


def solution(case: str) -> dict:
    return yaml.safe_load((CASES / case / f"_{case}_solution.yaml").read_text())


def test_every_case_is_known() -> None:
    """A new case of the suite is noticed: it must be listed or pass."""
    assert set(REJECTED) <= set(case_ids())
    assert len(case_ids()) >= 20


@pytest.mark.parametrize("case", sorted(REJECTED))
def test_rejected_cases_name_the_feature(case: str) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        read_petab(problem_path(case))
    message = str(info.value)
    assert REJECTED[case] in message
    assert f"_{case}.yaml" in message
    assert "\n" not in message


@pytest.mark.parametrize("case", [c for c in case_ids() if c not in REJECTED])
def test_case_matches_its_solution(case: str) -> None:
    """chi2, llh and every simulation at the nominal parameters, within the case's absolute
    tolerances; then the exact gradient against central differences."""
    expected = solution(case)
    problem = read_petab(problem_path(case))
    objective = Objective(problem)
    z = problem.nominal_vector()
    prediction = objective.evaluate(z)
    assert prediction.ok, prediction.message
    assert abs(prediction.chi2 - expected["chi2"]) < expected["tol_chi2"]
    assert abs(prediction.llh - expected["llh"]) < expected["tol_llh"]
    sims = pd.concat([pd.read_csv(CASES / case / f, sep="\t")
                      for f in expected["simulation_files"]], ignore_index=True)
    table = prediction.table
    assert len(sims) == len(table)
    assert list(sims["simulationConditionId"].astype(str)) == list(table["experiment"])
    assert list(sims["observableId"].astype(str)) == list(table["observable"])
    np.testing.assert_allclose(table["time"], sims["time"])
    np.testing.assert_allclose(table["simulation"], sims["simulation"], rtol=0,
                               atol=expected["tol_simulations"])

    # d nll / d z against central differences (the integration is at rtol = atol = 1e-8)
    gradient = prediction.gradient
    assert gradient is not None
    h = 1e-5
    fd = np.array([(objective(z + h * e) - objective(z - h * e)) / (2 * h)
                   for e in np.eye(z.size)])
    np.testing.assert_allclose(gradient, fd, rtol=1e-4, atol=1e-6)


# ---------------------------------------------------------------------------------- variants
def variant(case: str, folder: Path, **replace: tuple[str, str]) -> Path:
    """A copy of ``case`` in ``folder`` with text replaced in its files: ``replace[stem] =
    (old, new)`` for the file ``_{stem}.tsv`` (or ``_model.xml``, ``_{case}.yaml``)."""
    for f in (CASES / case).iterdir():
        text = f.read_text()
        key = f.stem.lstrip("_")
        key = "yaml" if key == case else key
        if key in replace:
            old, new = replace[key]
            assert old in text, (f.name, old)
            text = text.replace(old, new)
        (folder / f.name).write_text(text)
    return folder / f"_{case}.yaml"


def expected_nll(case: str, sigma: np.ndarray) -> float:
    """The normal negative log-likelihood of ``case``'s measurements around its solution's
    simulations with noise ``sigma`` (linear observables)."""
    y = pd.read_csv(CASES / case / "_measurements.tsv", sep="\t")["measurement"].to_numpy()
    h = pd.read_csv(CASES / case / "_simulations.tsv", sep="\t")["simulation"].to_numpy()
    return float(np.sum(0.5 * np.log(2 * np.pi * sigma**2) + 0.5 * ((y - h) / sigma) ** 2))


def test_renamed_sbml_ids_are_followed(tmp_path: Path) -> None:
    """An SBML id coley renames (``lambda`` -> ``lambda_``) is renamed in the tables too."""
    path = variant("0001", tmp_path, model=("k1", "lambda"), parameters=("k1", "lambda"))
    problem = read_petab(path)
    assert "lambda_" in problem.parameter_names
    prediction = Objective(problem).evaluate(problem.nominal_vector(), gradient=False)
    assert abs(prediction.chi2 - solution("0001")["chi2"]) < 1e-3


@pytest.mark.parametrize(("noise", "sigma"), [
    # an observable placeholder in the noise formula (0003: observableParameters "0.5;2")
    ("0.5 * observableParameter1_obs_a", lambda h: np.full_like(h, 0.25)),
    # the observable's id in the noise formula: its formula, placeholders included
    ("0.1 * obs_a", lambda h: 0.1 * h),
])
def test_noise_formulas_with_observable_terms(tmp_path: Path, noise: str, sigma) -> None:
    path = variant("0003", tmp_path, observables=("\t0.5\n", f"\t{noise}\n"))
    problem = read_petab(path)
    prediction = Objective(problem).evaluate(problem.nominal_vector(), gradient=False)
    h = pd.read_csv(CASES / "0003" / "_simulations.tsv", sep="\t")["simulation"].to_numpy()
    assert prediction.nll == pytest.approx(expected_nll("0003", sigma(h)), abs=1e-6)


def _assign(target: str, formula: str) -> str:
    """An SBML initial assignment ``target = formula`` (a product of names), opening the
    list of initial assignments."""
    names = "".join(f"<ci> {n.strip()} </ci>" for n in formula.split("*"))
    math = f"<apply><times/>{names}</apply>" if "*" in formula else names
    return ('<listOfInitialAssignments>\n<initialAssignment symbol="' + target + '"><math '
            'xmlns="http://www.w3.org/1998/Math/MathML">' + math + "</math></initialAssignment>")


def test_parameter_initial_assignments_follow_the_problem(tmp_path: Path) -> None:
    """b0 = k1 by an initial assignment (and B(0) = b0): B(0) follows the problem's k1.
    A(t) = T k2/(k1 + k2) + (a0 - T k2/(k1 + k2)) exp(-(k1 + k2) t) with T = a0 + k1."""
    path = variant("0001", tmp_path, model=("<listOfInitialAssignments>", _assign("b0", "k1")),
                   parameters=("b0\tlin\t0\t10\t0.0\t1\n", ""))
    problem = read_petab(path)
    objective = Objective(problem)
    z = problem.nominal_vector()
    prediction = objective.evaluate(z)
    a0, k1, k2 = 1.0, 0.8, 0.6
    t = prediction.table["time"].to_numpy()
    steady = (a0 + k1) * k2 / (k1 + k2)
    np.testing.assert_allclose(prediction.table["simulation"],
                               steady + (a0 - steady) * np.exp(-(k1 + k2) * t), rtol=1e-6)
    k = [p.name for p in problem.estimated].index("k1")
    h = 1e-5
    e = np.eye(z.size)[k]
    fd = (objective(z + h * e) - objective(z - h * e)) / (2 * h)
    assert prediction.gradient is not None
    assert prediction.gradient[k] == pytest.approx(fd, rel=1e-4)


def test_placeholders_keep_their_petab_numbers(tmp_path: Path) -> None:
    """observableParameter2 takes the second value of "0.5;2" even when the formula does not
    use observableParameter1 (0003: A(0) = 1, A(10) = 0.428572)."""
    path = variant("0003", tmp_path, observables=(
        "observableParameter1_obs_a * A + observableParameter2_obs_a",
        "observableParameter2_obs_a * A"))
    problem = read_petab(path)
    prediction = Objective(problem).evaluate(problem.nominal_vector(), gradient=False)
    a = pd.read_csv(CASES / "0001" / "_simulations.tsv", sep="\t")["simulation"].to_numpy()
    np.testing.assert_allclose(prediction.table["simulation"], 2 * a, rtol=1e-6)


_PRIOR = ("estimate\n", "estimate\tobjectivePriorType\tobjectivePriorParameters\n")

#: Variants coley refuses: (case, replacements, phrase of the message).
UNSUPPORTED = {
    "steady state": ("0001", {"measurements": ("c0\t10\t", "c0\tinf\t")}, "time = inf"),
    "output parameter": ("0004", {"conditions": ("conditionId\nc0", "conditionId\toffset_A\n"
                                                 "c0\t2.0"),
                                  "parameters": ("offset_A\tlin\t0\t10\t2.0\t1\n", "")},
                         "output parameter 'offset_A'"),
    "version 2": ("0001", {"yaml": ("format_version: 1", "format_version: 2.0.0")},
                  "PEtab v1 problems only"),
    "mapping": ("0001", {"yaml": ("  measurement_files:", "  mapping_files: [m.tsv]\n"
                                  "  measurement_files:")}, "mapping tables"),
    "parameter initial assignment": (
        "0001", {"model": ("<listOfInitialAssignments>", _assign("b0", "k1 * A")),
                 "parameters": ("b0\tlin\t0\t10\t0.0\t1\n", "")},
        "not constant parameters"),
}


@pytest.mark.parametrize("feature", sorted(UNSUPPORTED))
def test_unsupported_features_are_named(tmp_path: Path, feature: str) -> None:
    case, replace, phrase = UNSUPPORTED[feature]
    path = variant(case, tmp_path, **replace)
    with pytest.raises(InvalidArgumentError) as info:
        read_petab(path)
    assert phrase in str(info.value)
    assert path.name in str(info.value)


def _with_prior(folder: Path, prior: str) -> Path:
    """Case 0001 with an objective prior on k1 (the other rows have none)."""
    folder.mkdir(exist_ok=True)
    path = variant("0001", folder, parameters=_PRIOR)
    table = folder / "_parameters.tsv"
    table.write_text(table.read_text().replace("k1\tlin\t0\t10\t0.8\t1",
                                               "k1\tlin\t0\t10\t0.8\t1\t" + prior))
    return path


def test_objective_priors_are_read(tmp_path: Path) -> None:
    # PEtab v1: a normal prior acts on the linear value; at its mean -log p = log(2 pi s^2)/2
    path = _with_prior(tmp_path, "normal\t0.8;0.1")
    problem = read_petab(path)
    assert problem.parameter("k1").prior == Prior("normal", 0.8, 0.1)
    p = Objective(problem).evaluate(problem.nominal_vector(), gradient=False)
    assert p.neg_log_prior == pytest.approx(0.5 * math.log(2 * math.pi * 0.01), rel=1e-12)
    assert read_petab(path, ignore_priors=True).parameter("k1").prior is None
    with pytest.raises(InvalidArgumentError, match=r"objectivePriorParameters must be two "
                       r"numbers 'a;b' for the 'normal' prior, got 0.8"):
        read_petab(_with_prior(tmp_path / "bad", "normal\t0.8"))
