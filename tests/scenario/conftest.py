"""Every scenario file is run once per session (into a temporary folder) and shared by tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from coley.scenario import ScenarioResult, run_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SCENARIO_FILES = sorted(SCENARIOS.glob("*.toml"))


@pytest.fixture(scope="session")
def scenario_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder that holds the outputs of every scenario."""
    return tmp_path_factory.mktemp("scenarios")


@pytest.fixture(scope="session")
def runs(scenario_dir: Path) -> dict[str, ScenarioResult]:
    """Every scenario in scenarios/, simulated and written to ``scenario_dir``, by name."""
    out = {}
    for path in SCENARIO_FILES:
        run = run_scenario(path, scenario_dir)
        out[run.spec.name] = run
    return out
