"""Scenario files: schema errors, outputs of the runner, and every file's expected labels."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from coley.errors import InvalidArgumentError
from coley.scenario import ScenarioResult, load_scenario
from coley.scenario.runner import figure
from coley.scenario.scenario import parse_scenario, simulate_scenario
from tests.scenario.conftest import SCENARIO_FILES

BEHAVIOURS = {1, 2, 4, 5, 6}


def test_one_scenario_file_per_behaviour_of_this_slice() -> None:
    found = {load_scenario(p).behaviour for p in SCENARIO_FILES}
    assert found >= BEHAVIOURS


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_every_scenario_runs_and_meets_its_expectations(
        path: Path, runs: dict[str, ScenarioResult], scenario_dir: Path) -> None:
    name = load_scenario(path).name
    run = runs[name]
    for arm in run.arms:
        if arm.expect is not None:
            assert arm.classification.label == arm.expect, arm.name
        assert arm.result.status[0] == 0, arm.name
    summary = json.loads((scenario_dir / f"{name}.json").read_text())
    assert all(a["as_expected"] in (True, None) for a in summary["arms"])
    assert summary["seed"] == 0 and summary["versions"]["coley"]
    assert summary["citations"][0].startswith("coley surveillance model")
    assert summary["resolved_scenario"]["name"] == name
    table = pd.read_csv(scenario_dir / f"{name}.csv")
    assert set(table["arm"]) == {a.name for a in run.arms}
    assert {"time", "P", "D", "S", "V", "E", "T_total"} <= set(table.columns)
    assert (scenario_dir / f"{name}.png").stat().st_size > 10_000


def _minimal() -> dict[str, object]:
    return {"name": "x", "model": "surveillance", "title": "t", "days": 10,
            "arm": [{"name": "a"}]}


def test_schema_errors_name_the_problem() -> None:
    with pytest.raises(InvalidArgumentError, match="unknown parameter or state 'sEE'"):
        parse_scenario({**_minimal(), "set": {"sEE": 1.0}})
    with pytest.raises(InvalidArgumentError, match="input must be one of"):
        parse_scenario({**_minimal(), "event": [{"input": "flu", "start": 0, "days": 1}]})
    with pytest.raises(InvalidArgumentError, match="arm names must be unique"):
        parse_scenario({**_minimal(), "arm": [{"name": "a"}, {"name": "a"}]})
    with pytest.raises(InvalidArgumentError, match="days"):
        parse_scenario({**_minimal(), "days": -1})
    with pytest.raises(InvalidArgumentError, match="does not exist"):
        load_scenario("no/such/file.toml")


def test_scenario_files_are_plain_toml_with_documented_keys() -> None:
    for path in SCENARIO_FILES:
        data = tomllib.loads(path.read_text())
        assert data["description"].strip(), path
        assert all(a.get("name") for a in data["arm"]), path


def test_arm_metrics_are_the_models_readouts(runs: dict[str, ScenarioResult]) -> None:
    run = runs["immunoediting"]  # no regimens: the irAE hazard is the model's own, H
    for arm in run.arms:
        r, m = arm.result, arm.metrics
        assert {f"final_{s}" for s in run.model.burden_states} <= set(m)
        dormant = r["D"][0] + r["S"][0]
        assert m["max_dormant"] == dormant.max() and m["final_dormant"] == dormant[-1]
        assert m["final_E"] == r.final("E")[0] and m["max_L"] == r["L"][0].max()
        assert m["irae_hazard"] == r.final("H")[0]
    # the figure: the total burden, then one panel per readout the model plots
    titles = [ax.get_title() for ax in figure(run).axes]
    assert titles == ["total tumour cells", "dormant cells (D + S)", "effector CD8 T cells E",
                      "PD-L1/CD200 expression L"]
    assert [ax.get_yscale() for ax in figure(run).axes] == ["log", "log", "log", "linear"]


def test_a_model_without_readouts_plots_the_burden_only() -> None:
    run = simulate_scenario(parse_scenario({"name": "k", "model": "kuznetsov1994", "title": "t",
                                            "days": 50, "arm": [{"name": "a"}]}))
    axes = [ax for ax in figure(run).axes if ax.axison]
    assert [ax.get_title() for ax in axes] == ["total tumour cells"]
