"""The ``coley`` command line, driven through ``coley.cli.main``.

Exit codes (cli/__init__.py): 0 ok, 2 bad input with one line on stderr, 1 failure.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import coley
from coley.cli import main
from tests.helpers import assert_published

LIBRARY = set(coley.library.names())


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_models_lists_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "models")
    assert code == 0
    assert {line.split()[0] for line in out.strip().splitlines()} == LIBRARY


def test_models_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "models", "--json")
    assert code == 0
    rows = json.loads(out)
    assert {r["name"] for r in rows} == LIBRARY
    by_name = {r["name"]: r for r in rows}
    assert by_name["kuznetsov1994"]["states"] == ["E", "T"]
    assert by_name["depillis2005"]["options"]["variant"][:4] == ["nn", "nl", "ln", "ll"]
    assert "BIOMD0000000762" in by_name["kuznetsov1994"]["citation"]


def test_info_shows_equations_units_and_citation(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "info", "kuznetsov1994")
    assert code == 0
    # equations as in the note §1 (dimensional form)
    assert "dE/dt = s + p*E*T/(g + T) - m*E*T - d*E" in out
    assert "dT/dt = a*T*(1 - b*T) - n*E*T" in out
    # units from the note §1 parameter table
    assert "cell/day" in out and "1/(cell*day)" in out
    assert "Bull Math Biol 56:295-321" in out and "BIOMD0000000762" in out


def test_simulate_kuznetsov_csv(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "simulate", "kuznetsov1994", "--days", "200")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0] == "time,E,T"
    frame = pd.read_csv(io.StringIO(out))
    assert len(frame) == 201  # days 0..200
    np.testing.assert_array_equal(frame["time"], np.arange(201.0))
    last = frame.iloc[-1]
    # note §1 trajectory table [D] at t = 200 d, printed to 6 significant figures; the CLI's
    # default tolerances (rtol = atol = 1e-8) keep the error ~1e-7 relative, inside the
    # half unit of the 6th digit (>= 1.6e-6 relative for these two values).
    assert_published(last["E"], "1.58937e6", "E(200 d)")
    assert_published(last["T"], "2.97294e6", "T(200 d)")


def test_simulate_set_parameter(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "simulate", "kirschner_panetta1998", "--set", "c=0.04",
                        "--days", "100")
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    # The CLI is a thin wrapper: its CSV is the Python result with c = 0.04 at the CLI's
    # tolerances, to the 10 significant digits it prints.
    m = coley.library.get("kirschner_panetta1998").with_values(c=0.04)
    expected = coley.simulate(m, t_end=100, solver=coley.Rodas4(rtol=1e-8, atol=1e-8))
    for state in ("E", "T", "I"):
        np.testing.assert_allclose(frame[state], expected[state][0], rtol=1e-9)
    default = coley.simulate(m.with_values(c=0.035), t_end=100,
                             solver=coley.Rodas4(rtol=1e-8, atol=1e-8))
    assert not np.allclose(frame["E"], default["E"][0], rtol=1e-3)  # c really changed


def test_simulate_writes_csv_and_png(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    csv, png = tmp_path / "out" / "run.csv", tmp_path / "fig.png"
    code, _, err = _run(capsys, "simulate", "kuznetsov1994", "--days", "30",
                        "--output", str(csv), "--plot", str(png))
    assert code == 0
    assert pd.read_csv(csv).shape == (31, 3)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert str(png) in err


def test_simulate_variant(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "simulate", "depillis2005", "--variant", "ll", "--days", "5")
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame.columns) == ["time", "T", "N", "L"]
    # The CSV is the Python result for the ll fit (to the 10 digits printed) ...
    ll = coley.simulate(coley.library.get("depillis2005", variant="ll"), t_end=5,
                        solver=coley.Rodas4(rtol=1e-8, atol=1e-8))
    for state in ("T", "N", "L"):
        np.testing.assert_allclose(frame[state], ll[state][0], rtol=1e-9)
    # ... and not the default nn fit: ll's NK kill rate c is 10x nn's (note §3a table).
    nn = coley.simulate(coley.library.get("depillis2005"), t_end=5,
                        solver=coley.Rodas4(rtol=1e-8, atol=1e-8))
    assert frame["T"].iloc[-1] < 0.9 * nn["T"][0, -1]


@pytest.mark.parametrize(("args", "message"), [
    (["info", "kuznetsov"], r"unknown model 'kuznetsov'.*Did you mean 'kuznetsov1994'"),
    (["simulate", "kuznetsov"], r"Did you mean 'kuznetsov1994'"),
    (["simulate", "kuznetsov1994", "--set", "ss=1"], r"unknown parameter or state 'ss'"),
    (["simulate", "kuznetsov1994", "--set", "s0.1"], r"--set 's0.1': write NAME=VALUE"),
    (["simulate", "kuznetsov1994", "--set", "s=fast"], r"'fast' is not a number"),
    (["simulate", "kuznetsov1994", "--set", "s=-1"], r"parameter 's' = -1.0 is below"),
    (["simulate", "kuznetsov1994", "--days", "0"], r"--days must be > 0"),
    (["simulate", "kuznetsov1994", "--solver", "euler"], r"--solver must be one of"),
    (["simulate", "depillis2005", "--variant", "xx"], r"must be one of \['nn', 'nl'"),
    (["simulate", "kuznetsov1994", "--variant", "nn"], r"has no variants"),
])
def test_bad_input_exits_2_with_one_line(capsys: pytest.CaptureFixture[str], args: list[str],
                                         message: str) -> None:
    code, out, err = _run(capsys, *args)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1
    assert re.search(message, err), err
