"""SBML export and round trips.

coley -> SBML -> libRoadRunner must give coley's trajectory (rtol 1e-6, coley at rtol 1e-10,
libRoadRunner at 1e-12: at 1e-10 its CAR-T level in Barros 2021 after the crash, ~0.05 cells,
is 20% off its converged value); coley -> SBML -> coley must give back the same model (same
equations, the same numbers bit for bit); SBML -> coley -> SBML -> libRoadRunner must give the
original file's trajectory, events included.
"""

from __future__ import annotations

from pathlib import Path

import libsbml
import numpy as np
import pytest
import roadrunner

import coley
from coley.cli import main
from coley.sbml import read_sbml, read_sbml_string, to_sbml, write_sbml
from tests.sbml import reference

roadrunner.Logger.setLevel(roadrunner.Logger.LOG_FATAL)
TIMES = np.linspace(0.0, 100.0, 101)
SOLVER = coley.Rodas4(rtol=1e-10, atol=1e-10)
needs_shared = pytest.mark.skipif(not reference.files(), reason=f"{reference.SBML_DIR} is "
                                  "absent (the shared folder lies next to the repository in CI)")


def roadrunner_run(text_or_path: str, selections: list[str], times: np.ndarray) -> np.ndarray:
    rr = roadrunner.RoadRunner(text_or_path)
    rr.integrator.relative_tolerance = 1e-12
    rr.integrator.absolute_tolerance = 1e-16
    rr.timeCourseSelections = ["time", *selections]
    return np.asarray(rr.simulate(float(times[0]), float(times[-1]), len(times)))[:, 1:]


def assert_close(values: np.ndarray, ref: np.ndarray) -> None:
    # the reference suite's criterion: 1e-6 relative, floor 1e-10 of each state's largest value
    floor = np.maximum(1e-10 * np.abs(ref).max(axis=0), 1e-12)
    assert np.all(np.abs(values - ref) <= 1e-6 * np.abs(ref) + floor), \
        np.max(np.abs(values - ref) / (np.abs(ref) + floor / 1e-6))


@pytest.mark.parametrize(("name", "options"), [
    ("kuznetsov1994", {}), ("kirschner_panetta1998", {}), ("depillis2005", {}),
    ("depillis2005", {"variant": "human9"}),
])
def test_library_models_export_valid_sbml_that_roadrunner_simulates_alike(
        name: str, options: dict) -> None:
    model = coley.library.get(name, **options)
    text = to_sbml(model)
    sbml_doc = libsbml.readSBMLFromString(text)
    assert (sbml_doc.getLevel(), sbml_doc.getVersion()) == (3, 2)
    sbml_doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, False)
    assert sbml_doc.checkConsistency() == 0 or all(
        sbml_doc.getError(i).getSeverity() < libsbml.LIBSBML_SEV_ERROR
        for i in range(sbml_doc.getNumErrors()))
    ref = roadrunner_run(text, list(model.state_names), TIMES)
    result = coley.simulate(model, saveat=TIMES, solver=SOLVER)
    assert_close(result.values[0], ref)
    # and back: the same equations, so the same generated code and the same numbers
    again = read_sbml_string(text)
    assert again.state_names == model.state_names
    assert {p.name: p.value for p in again.parameters} == {p.name: p.value
                                                             for p in model.parameters}
    assert np.array_equal(coley.simulate(again, saveat=TIMES, solver=SOLVER).values,
                          result.values)


@needs_shared
@pytest.mark.parametrize("model_id", ["BIOMD0000001019", "BIOMD0000000784"])
def test_sbml_to_coley_to_sbml_keeps_ids_events_and_trajectory(model_id: str,
                                                                tmp_path: Path) -> None:
    # 1019 (Barros 2021): a CAR-T dose at t = 45 and a tumour rechallenge at t = 250 (events);
    # 784 (Lopez 2014): a parameter named 'lambda', renamed lambda_ in coley, lambda again out.
    path = next(p for p in reference.files() if p.name.startswith(model_id))
    model = read_sbml(path)
    out = write_sbml(model, tmp_path / "again.xml")
    exported = libsbml.readSBMLFromFile(str(out)).getModel()
    for name in [*model.state_names, *model.parameter_names]:
        original = model.source_ids.get(name, name)
        assert exported.getElementBySId(original) is not None, original
    assert exported.getNumEvents() == len(model.events)
    times = np.linspace(0.0, 300.0 if model_id == "BIOMD0000001019" else 100.0, 301)
    ids = [model.source_ids.get(s, s) for s in model.state_names]
    sbml_model = libsbml.readSBMLFromFile(str(path)).getModel()
    original = reference._selections(model, sbml_model)
    assert_close(roadrunner_run(str(out), ids, times), roadrunner_run(str(path), original, times))


def test_export_command_writes_sbml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "kp.xml"
    code = main(["export", "kirschner_panetta1998", "--set", "c=0.04", "--sbml", str(out)])
    assert code == 0
    assert "wrote" in capsys.readouterr().err
    model = read_sbml(out)
    assert model.parameter("c").value == 0.04
    assert model.state_names == ("E", "T", "I")


def test_export_of_a_model_with_events_round_trips() -> None:
    model = coley.Model(
        name="dosed", title="a dose at day 3",
        states=(coley.State("x", 10.0, "mg", "drug"),),
        parameters=(coley.Parameter("k", 0.2, "1/day", "elimination", "test"),),
        equations={"x": "-k*x"},
        events=(coley.ModelEvent("dose", "t >= 3", {"x": "x + 5"}, priority=1.0),),
        citation=coley.Citation("test"),
    )
    text = to_sbml(model)
    ref = roadrunner_run(text, ["x"], np.linspace(0.0, 10.0, 11))
    # closed form: 10 exp(-k t), plus 5 exp(-k (t - 3)) from t = 3 on
    t = np.linspace(0.0, 10.0, 11)
    exact = 10.0 * np.exp(-0.2 * t) + np.where(t >= 3.0, 5.0 * np.exp(-0.2 * (t - 3.0)), 0.0)
    np.testing.assert_allclose(ref[:, 0], exact, rtol=1e-8)
    (event,) = read_sbml_string(text).events
    assert (event.name, event.priority, event.initial_value) == ("dose", 1.0, True)
