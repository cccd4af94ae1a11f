"""The example fit file: `coley validate` and `coley fit` on it, recovery of the parameters it
was simulated with, and a run interrupted and resumed giving the same result.

examples/fits/kuznetsov_tumour.csv was simulated from kuznetsov1994 at its published values
(d = 0.0412 /day, a = 0.18 /day, T(0) = 5e6 cells; Kuznetsov et al. 1994, Bull Math Biol
56:295, Table 1) with log-normal noise of sd 0.15 (the file's header says how).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from coley.cli import main
from coley.fit.runner import STARTS_FILE
from coley.fit.spec import load_fit, problems

EXAMPLE = Path(__file__).parents[2] / "examples" / "fits" / "kuznetsov_tumour.toml"
TRUE = {"d": 0.0412, "a": 0.18, "T0": 5e6}


def test_example_validates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(EXAMPLE)]) == 0
    assert "ok (fit file)" in capsys.readouterr().out


@pytest.mark.slow
def test_fit_recovers_the_simulating_parameters(tmp_path: Path) -> None:
    assert main(["fit", str(EXAMPLE), "-o", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "fit.json").read_text())
    assert {"nll", "parameters", "starts", "standard_errors"} <= set(result)
    assert len(result["starts"]) == 8
    table = pd.read_csv(tmp_path / "parameters.csv").set_index("parameter")
    for name, value in TRUE.items():
        assert table.loc[name, "ci95_low"] <= value <= table.loc[name, "ci95_high"], name
    # the maximum-likelihood noise level: sd_hat^2 ~ sd^2 chi2(16) / 16 for 16 readings
    # (ignoring the 4 fitted parameters), so sd_hat / sd lies in sqrt([6.91, 28.85] / 16)
    # = [0.657, 1.343] with 95% probability
    ratio = result["parameters"]["sd"] / 0.15
    assert 0.657 <= ratio <= 1.343, ratio
    sims = pd.read_csv(tmp_path / "simulations.csv")
    assert len(sims) == 16 and sims["simulation"].notna().all()
    assert (tmp_path / "fit.png").stat().st_size > 10_000


@pytest.mark.slow
def test_interrupted_fit_resumes_to_the_same_result(tmp_path: Path) -> None:
    full, cut = tmp_path / "full", tmp_path / "cut"
    assert main(["fit", str(EXAMPLE), "-o", str(full), "--starts", "4"]) == 0
    lines = (full / STARTS_FILE).read_text().splitlines()
    assert len(lines) == 5  # header and four starts
    cut.mkdir()
    # an interruption after two starts, in the middle of writing the third
    (cut / STARTS_FILE).write_text("\n".join(lines[:3]) + "\n" + lines[3][:40])
    assert main(["fit", str(EXAMPLE), "-o", str(cut), "--starts", "4", "--resume"]) == 0
    a = json.loads((full / "fit.json").read_text())
    b = json.loads((cut / "fit.json").read_text())
    assert a["nll"] == b["nll"] and a["parameters"] == b["parameters"]
    assert [s["x"] for s in a["starts"]] == [s["x"] for s in b["starts"]]
    # a resume with another seed is refused: its starts are other points
    code = main(["fit", str(EXAMPLE), "-o", str(cut), "--starts", "4", "--seed", "3",
                 "--resume"])
    assert code == 2


def test_bad_fit_file_names_each_problem(tmp_path: Path) -> None:
    text = EXAMPLE.read_text()
    bad = tmp_path / "bad.toml"
    (tmp_path / "kuznetsov_tumour.csv").write_text(
        (EXAMPLE.parent / "kuznetsov_tumour.csv").read_text())
    bad.write_text(text.replace('formula = "T"', 'formula = "T + Tq"')
                   .replace("nominal = 0.02", "nominal = 5.0"))
    found = problems(bad)
    assert any("'Tq'" in p for p in found), found
    assert any("nominal = 5.0" in p for p in found), found
    assert main(["validate", str(bad)]) == 2
    assert load_fit(EXAMPLE).problem.check().name == "kuznetsov_tumour"
    assert math.isfinite(load_fit(EXAMPLE).problem.nominal_vector().sum())
