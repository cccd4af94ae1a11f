"""The README's examples run as written (STYLE.md: every example runs in the test suite)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from coley.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README.read_text(), flags=re.S)


def test_python_example_runs_and_cures_some_patients(capsys: pytest.CaptureFixture[str]) -> None:
    code = _blocks("python")[0]
    namespace: dict[str, object] = {}
    exec(compile(code, str(README), "exec"), namespace)
    result = namespace["result"]
    # 1000 patients of de Pillis 2005 (patient 9) with 13 adoptive transfers: the perf anchor
    # (shared/research/perf-anchor.md) reports 24 of 64 cured for this design; the fraction
    # cured must be strictly between 0 and 1 and every patient must finish.
    cured = float((result.final("T") < 1).mean())  # type: ignore[attr-defined]
    assert 0.1 < cured < 0.9
    assert (result.status == 0).all()  # type: ignore[attr-defined]
    assert "of patients cured" in capsys.readouterr().out


def test_main_command_writes_the_trial_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    # The README's first command, without the `pip install .` part, in a scratch folder with
    # the examples beside it; 60 patients instead of 300 to keep the suite short.
    (setup, _tests) = _blocks("bash")[:2]
    command = setup.strip().split("&&", 1)[1].strip()
    argv = shlex.split(command)
    assert argv[:2] == ["coley", "trial"]
    (tmp_path / "examples").symlink_to(README.parent / "examples")
    monkeypatch.chdir(tmp_path)
    assert main([*argv[1:], "--patients", "60", "--no-progress"]) == 0
    out = tmp_path / "out" / "keynote006"
    html = (out / "report.html").read_text()
    assert "ORR (95% CI)" in html and html.count("data:image/png;base64") == 4
    numbers = json.loads((out / "report.json").read_text())
    assert set(numbers["arms"]) == {"pembrolizumab_q2w", "pembrolizumab_q3w", "ipilimumab"}
    assert (out / "figures" / "km.png").stat().st_size > 10_000


def test_cli_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "examples").symlink_to(README.parent / "examples")
    monkeypatch.chdir(tmp_path)
    commands = [line.split("#")[0].strip() for line in _blocks("bash")[2].splitlines()]
    for command in filter(None, commands):
        assert main(shlex.split(command)[1:]) == 0, command
    assert (tmp_path / "kp.png").exists()
    assert (tmp_path / "out" / "kuznetsov1994.png").stat().st_size > 10_000


def test_fit_example_recovers_the_death_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    # examples/fits/kuznetsov_tumour.csv is simulated at d = 0.0412 /day (Kuznetsov et al.
    # 1994, Table 1; tests/fit/test_examples.py): the estimate's 95% interval must hold it
    code = _blocks("python")[1]
    monkeypatch.chdir(README.parent)
    namespace: dict[str, object] = {}
    exec(compile(code, str(README), "exec"), namespace)
    table = namespace["result"].table().set_index("parameter")  # type: ignore[attr-defined]
    assert table.loc["d", "ci95_low"] <= 0.0412 <= table.loc["d", "ci95_high"]
    # and the profile likelihood's 95% interval (the README prints it)
    profile = namespace["p"]
    low, high = profile.interval  # type: ignore[attr-defined]
    assert str(profile.label) == "identifiable"  # type: ignore[attr-defined]
    assert low <= 0.0412 <= high
