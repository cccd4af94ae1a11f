"""``coley simulate FILE.xml``, ``coley info FILE.xml`` and the errors of bad files (exit 2)."""

from __future__ import annotations

import io
import math
from pathlib import Path

import pandas as pd
import pytest

from coley.cli import main
from tests.sbml.sbml_text import compartments, doc, parameters, reaction, species

# 't' (coley's time) and 'lambda' (a Python keyword) are SBML ids coley renames internally.
DECAY = doc(compartments(c=1.0), parameters(**{"lambda": 0.1}),
            f"<listOfSpecies>{species('t', amount=50.0)}{species('S', amount=2.0)}"
            "</listOfSpecies>",
            f"<listOfReactions>{reaction('R', 'lambda*t', {'t': 1}, {'S': 1})}</listOfReactions>")


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_simulate_sbml_file_columns_are_sbml_ids(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "decay.xml"
    path.write_text(DECAY)
    code, out, _ = _run(capsys, "simulate", str(path), "--days", "10", "--set", "lambda=0.2")
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame.columns) == ["time", "t", "S"]
    # t(d) = 50 exp(-0.2 d) and S = 2 + 50 - t (closed form of the one reaction)
    for _, row in frame.iterrows():
        exact = 50.0 * math.exp(-0.2 * row["time"])
        assert row["t"] == pytest.approx(exact, rel=1e-7)
        assert row["S"] == pytest.approx(52.0 - exact, rel=1e-7)


def test_info_sbml_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "decay.xml"
    path.write_text(DECAY)
    code, out, _ = _run(capsys, "info", str(path))
    assert code == 0
    assert "dt_/dt = -lambda_*t_/c" in out  # a concentration: rate / compartment size
    assert "Renamed SBML ids: t -> t_, lambda -> lambda_" in out
    assert "Imported from the SBML file decay.xml (Level 3 Version 2)" in out


@pytest.mark.parametrize(("text", "message"), [
    (None, "does not exist"),
    ("not xml <<", "is not well-formed XML"),
    (DECAY.replace("<kineticLaw>", "<notes/><!--").replace("</kineticLaw>", "-->"),
     "reaction 'R' has no kinetic law"),
])
def test_bad_sbml_files_exit_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            text: str | None, message: str) -> None:
    path = tmp_path / "model.xml"
    if text is not None:
        path.write_text(text)
    code, _, err = _run(capsys, "simulate", str(path))
    assert code == 2
    assert err.startswith("error: ") and message in err
    assert len(err.strip().splitlines()) == 1


def test_variant_is_refused_for_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "decay.xml"
    path.write_text(DECAY)
    code, _, err = _run(capsys, "info", str(path), "--variant", "nn")
    assert code == 2 and "drop --variant" in err
