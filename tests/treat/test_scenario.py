"""Regimen files: the examples validate; every problem in a bad file is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from coley.cli import main
from coley.treat.scenario import load_regimens, problems

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "regimens"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.*")), ids=lambda p: p.name)
def test_examples_are_valid(path: Path) -> None:
    assert problems(path) == []
    regimens, _, days = load_regimens(path)
    assert regimens and days


BAD = """
days = 100
[[regimen]]
modality = "pembrolizumabb"
dose = { amount = 200, unit = "mg" }
schedule = { every = 21, until = 90 }
[[regimen]]
modality = "nivolumab"
dose = { amount = -3, unit = "mg" }
schedule = { every = 14, count = 3 }
[[regimen]]
modality = "nivolumab"
dose = { amount = 3, unit = "mg/kg" }
schedule = { every = 14, count = 3 }
[[regimen]]
modality = "pembrolizumab"
dose = { amount = 200, unit = "mg" }
schedule = { every = 21, until = 200 }
[[regimen]]
modality = "ipilimumab"
dose = { amount = 3, unit = "mg/kgg" }
schedule = { every = 21, count = 4 }
"""


def test_every_problem_is_listed(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(BAD)
    found = problems(path)
    expected = ["Did you mean 'pembrolizumab'", "negative dose", "needs the covariate 'weight'",
                "after the end of the simulation", "unknown unit 'mg/kgg'"]
    assert len(found) == len(expected)
    for line, text in zip(found, expected, strict=True):
        assert text in line


def test_schema_errors_name_the_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("regimen:\n  - modality: il2\n    dose: {amount: 1, unit: IU}\n"
                    "    schedule: {every: 1, at: [0]}\n    colour: red\n")
    found = problems(path)
    assert any("colour" in f and "Extra inputs" in f for f in found)
    assert any("exactly one of" in f for f in found)


def test_validate_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD)
    assert main(["validate", str(bad)]) == 2
    assert "pembrolizumabb" in capsys.readouterr().err
    assert main(["validate", str(EXAMPLES / "pembrolizumab_q3w.toml")]) == 0
    assert main(["validate", str(tmp_path / "missing.toml")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_simulate_with_a_regimen_file(tmp_path: Path) -> None:
    out = tmp_path / "dp.csv"
    argv = ["simulate", "depillis2005", "--variant", "human9", "--set", "T=1e8", "--set",
            "N=3e5", "--set", "L=100", "--days", "365", "--regimen",
            str(EXAMPLES / "adoptive_transfer.yaml"), "-o", str(out)]
    assert main(argv) == 0
    header = out.read_text().splitlines()[0]
    assert header == "time,T,N,L"


def test_modalities_cli_lists_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert main(["modalities", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    by_name = {r["name"]: r for r in rows}
    assert by_name["trastuzumab"]["hooks"][0]["hook"] == "nk_kill"
    assert all(h["source"] for r in rows for h in r["hooks"])
