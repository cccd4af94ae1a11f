"""``coley run SCENARIO -o DIR``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coley.cli import main
from tests.scenario.conftest import SCENARIOS


def test_run_writes_trajectories_figure_and_summary(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", str(SCENARIOS / "immunoediting.toml"), "-o", str(tmp_path)])
    _, err = capsys.readouterr()
    assert code == 0
    assert {p.name for p in tmp_path.iterdir()} == {
        "immunoediting.csv", "immunoediting.png", "immunoediting.json"}
    summary = json.loads((tmp_path / "immunoediting.json").read_text())
    assert [a["classification"] for a in summary["arms"]] == [
        "elimination", "equilibrium", "escape", "escape"]
    assert "immunoediting/strong: elimination (as expected)" in err


def test_run_reports_bad_input_with_exit_code_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(tmp_path / "missing.toml"), "-o", str(tmp_path)]) == 2
    assert "does not exist" in capsys.readouterr().err
