"""Population fit files: `coley validate` and `coley fit` on the example, and bad input.

The example's estimates must equal those of coley.fit.saem called directly on the same rows
(the file adds nothing but reading); bad files name the offending item.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import coley
from coley.cli import main
from coley.fit.population_file import problems

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "populations" / "laleh_study2_arm1.toml"
LALEH = ROOT.parent / "shared" / "data" / "laleh2022" / "lesions.csv"
needs_data = pytest.mark.skipif(not LALEH.is_file(), reason="shared data not present")


@needs_data
def test_example_validates_and_fits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(EXAMPLE)]) == 0
    assert "ok (population fit file)" in capsys.readouterr().out
    assert main(["fit", str(EXAMPLE), "-o", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "fit.json").read_text())
    assert result["subjects"] == 75 and result["form"] == "stein_fojo"
    table = pd.read_csv(tmp_path / "population.csv")
    assert {"parameter", "estimate", "se", "rse_percent"} <= set(table.columns)
    assert "Population parameters" in (tmp_path / "report.html").read_text()
    assert (tmp_path / "fit.png").stat().st_size > 10_000
    assert (tmp_path / "individuals.png").stat().st_size > 10_000
    # the same fit through the Python API
    data = coley.fit.read_laleh2022(LALEH)
    rows = data[data["study_arm"] == "Study_2_Arm_1"][["subject", "time", "value"]]

    def predict(t: np.ndarray, psi: dict[str, np.ndarray]) -> np.ndarray:
        return psi["V0"] * (np.exp(-psi["d"] * t) + np.expm1(psi["g"] * t))

    params = [coley.fit.PopulationParameter(k, v, omega=1.0)
              for k, v in (("V0", 3e-3), ("d", 5e-3), ("g", 1e-3))]
    direct = coley.fit.saem(predict, rows, params, seed=0, standard_errors=False,
                            error=coley.fit.ResidualError("combined", a_min=1.0546e-5))
    for k, v in direct.estimates.items():
        assert result["estimates"][k] == pytest.approx(v, rel=1e-9), k


def test_bad_files_name_the_item(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("subject,time,value\na,0,1\na,10,2\nb,0,1\nb,10,3\n")
    base = ('kind = "population_fit"\nname = "x"\nform = "{form}"\nmeasurements = "d.csv"\n'
            '{extra}\n[[parameter]]\nname = "V0"\ntypical = 1\n'
            '[[parameter]]\nname = "kg"\ntypical = 0.01\n[[parameter]]\nname = "K"\n'
            'typical = 5\n')
    cases = {
        "gompertz|select = { arm = 'x' }": "select: 'arm' is not a column",
        "exponential|": "cannot be log-normal",
        "gompertzz|": "Did you mean 'gompertz'",
        "logistic|": "",
    }
    for key, message in cases.items():
        form, extra = key.split("|")
        f = tmp_path / f"{form}.toml"
        f.write_text(base.format(form=form, extra=extra))
        found = problems(f)
        if message:
            assert any(message in line for line in found), (key, found)
        else:
            assert found == [], found
    f = tmp_path / "missing.toml"
    f.write_text(base.format(form="stein_fojo", extra=""))
    assert any("missing ['d', 'g']" in line and "unknown ['kg', 'K']" in line
               for line in problems(f))
