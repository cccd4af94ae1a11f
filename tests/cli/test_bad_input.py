"""Bad input is one clear line and exit 2, through every command (issue 16).

Each case below is one of the leaks an adversarial pass found (binary and non-UTF-8 files,
folders where files belong, unwritable outputs, NaN/inf, unbounded schedules and grids, files
of junk, settings that make no sense): the command must exit 2 with a single ``error:`` line
that names the offending path or argument, never a traceback, and must not have started work
(no output written). The README's exit-code line ("0 ok, 2 bad input, 1 failure") is the
contract checked here.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from coley.cli import main

ROOT = Path(__file__).resolve().parents[2]
REGIMEN = ROOT / "examples" / "regimens" / "pembrolizumab_q3w.toml"
TRIAL = ROOT / "examples" / "trials" / "keynote006.toml"
SCENARIO = ROOT / "scenarios" / "immunoediting.toml"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], float]:
    """Exit code, non-empty stderr lines and seconds of ``coley ARGV``."""
    start = time.perf_counter()
    code = main(argv)
    seconds = time.perf_counter() - start
    err = capsys.readouterr().err
    return code, [line for line in err.splitlines() if line.strip()], seconds


def assert_bad_input(argv: list[str], capsys: pytest.CaptureFixture[str], *names: str) -> str:
    """``coley ARGV`` exits 2 with one ``error:`` line naming each of ``names``."""
    code, lines, _ = run(argv, capsys)
    assert code == 2, (code, lines)
    assert len(lines) == 1, lines
    line = lines[0]
    assert line.startswith("error: ") and "Traceback" not in line, line
    for name in names:
        assert name in line, (name, line)
    return line


# ------------------------------------------------------------------------- unreadable files
def _binary(p: Path) -> None:
    p.write_bytes(bytes(range(256)) * 4)


def _utf16(p: Path) -> None:
    p.write_bytes(REGIMEN.read_text().encode("utf-16"))


def _latin1(p: Path) -> None:
    p.write_bytes(("# café\n" + REGIMEN.read_text()).encode("latin-1"))


def _folder(p: Path) -> None:
    p.mkdir()


def _junk(p: Path) -> None:  # 50 MB of padding after a valid file
    p.write_text(REGIMEN.read_text() + "\n#" + "x" * 50_000_000 + "\n")


MAKERS: dict[str, Callable[[Path], None]] = {
    "binary": _binary, "utf-16": _utf16, "latin-1": _latin1, "folder": _folder, "junk": _junk,
}
WHAT = {"binary": "binary", "utf-16": "UTF-8", "latin-1": "UTF-8", "folder": "folder",
        "junk": "MB"}


def _commands(path: Path, out: Path) -> dict[str, list[str]]:
    return {
        "validate": ["validate", str(path)],
        "trial": ["trial", str(path), "--check"],
        "run": ["run", str(path), "-o", str(out)],
        "simulate --regimen": ["simulate", "kuznetsov1994", "--days", "10", "--regimen",
                               str(path)],
    }


@pytest.mark.parametrize("kind", list(MAKERS))
@pytest.mark.parametrize("command", ["validate", "trial", "run", "simulate --regimen"])
def test_unreadable_file_is_one_line(kind: str, command: str, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    if kind == "junk" and command != "validate":
        pytest.skip("one 50 MB file is enough: the size check is shared by every reader")
    path = tmp_path / "input.toml"
    MAKERS[kind](path)
    out = tmp_path / "out"
    line = assert_bad_input(_commands(path, out)[command], capsys, str(path))
    assert WHAT[kind] in line
    assert not out.exists()


def test_model_file_that_is_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "model.xml"
    folder.mkdir()
    assert_bad_input(["simulate", str(folder)], capsys, str(folder))


def test_binary_model_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "model.xml"
    path.write_bytes(b"\xff\xfe\x00<sbml>")
    assert_bad_input(["simulate", str(path)], capsys, "model.xml")


# ------------------------------------------------------------------------------ output paths
def _bad_outputs(tmp_path: Path) -> dict[str, Path]:
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    folder = tmp_path / "a_folder"
    folder.mkdir()
    return {"is a folder": folder, "under a file": a_file / "x.csv",
            "not creatable": Path("/proc/coley-no-such/x.csv"), "is a file": a_file}


@pytest.mark.parametrize("problem", ["is a folder", "under a file", "not creatable"])
def test_simulate_output_checked_before_work(problem: str, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = _bad_outputs(tmp_path)[problem]
    assert_bad_input(["simulate", "kuznetsov1994", "--days", "5", "-o", str(out)], capsys,
                     "--output")


@pytest.mark.parametrize("problem", ["is a folder", "under a file"])
def test_export_output_checked(problem: str, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    out = _bad_outputs(tmp_path)[problem]
    assert_bad_input(["export", "kuznetsov1994", "--sbml", str(out)], capsys, "SBML file")


@pytest.mark.parametrize("problem", ["is a file", "under a file", "not creatable"])
def test_trial_output_folder_checked(problem: str, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = _bad_outputs(tmp_path)[problem]
    assert_bad_input(["trial", str(TRIAL), "-n", "2", "--no-progress", "-o", str(out)], capsys,
                     "output folder")


@pytest.mark.parametrize("problem", ["is a file", "under a file"])
def test_scenario_output_folder_checked(problem: str, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = _bad_outputs(tmp_path)[problem]
    assert_bad_input(["run", str(SCENARIO), "-o", str(out)], capsys, "output folder")


def test_plot_format_checked_before_the_csv_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "o.csv"
    assert_bad_input(["simulate", "kuznetsov1994", "--days", "5", "-o", str(csv), "--plot",
                      str(tmp_path / "o.jpgx")], capsys, ".jpgx", ".png")
    assert not csv.exists()


# --------------------------------------------------------------------------- bad arguments
def test_negative_seed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert_bad_input(["trial", str(TRIAL), "-n", "2", "--seed", "-1", "--no-progress", "-o",
                      str(tmp_path / "t")], capsys, "seed", "-1")


@pytest.mark.parametrize("address", ["not a url", "http://host", "tcp://127.0.0.1"])
def test_scheduler_address_form(address: str, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "t"
    assert_bad_input(["trial", str(TRIAL), "-n", "2", "--no-progress", "-o", str(out),
                      "--scheduler", address], capsys, "--scheduler", address)
    assert not out.exists()


def test_scheduler_that_does_not_answer(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("distributed")
    code, lines, seconds = run(["trial", str(TRIAL), "-n", "2", "--no-progress", "-o",
                                str(tmp_path / "t"), "--scheduler", "tcp://127.0.0.1:1"],
                               capsys)
    assert code == 2 and len(lines) == 1 and "tcp://127.0.0.1:1" in lines[0], lines
    assert seconds < 30  # 5 s connect timeout; was a 30 s wait then a raw OSError


def test_simulate_days_that_would_exhaust_memory(capsys: pytest.CaptureFixture[str]) -> None:
    # 1e9 days on a daily grid is 1e9 rows x 4 states: 15 GiB before this check
    line = assert_bad_input(["simulate", "kuznetsov1994", "--days", "1e9"], capsys, "--days",
                            "--max-rows")
    assert "1,000,000,001" in line


@pytest.mark.parametrize("days", ["inf", "nan", "-5"])
def test_simulate_days_not_finite(days: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert_bad_input(["simulate", "kuznetsov1994", "--days", days], capsys, "--days")


def test_scenario_days_that_would_exhaust_memory(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    text = SCENARIO.read_text()
    assert "\ndays = " in text
    path = tmp_path / "long.toml"
    path.write_text(text.replace("\ndays = ", "\ndays = 1e9\n# was: ", 1))
    assert_bad_input(["validate", str(path)], capsys, "days")


# ----------------------------------------------------------------------------- bad contents
def _edit(source: Path, tmp_path: Path, old: str, new: str, name: str = "edited.toml") -> Path:
    text = source.read_text()
    assert old in text, old
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1))
    return path


def test_infinite_follow_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _edit(TRIAL, tmp_path, "follow_up_days = 730", "follow_up_days = inf")
    line = assert_bad_input(["validate", str(path)], capsys, "follow_up_days")
    assert "ValidationError" not in line


def test_regimen_with_a_huge_until_returns_at_once(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = _edit(REGIMEN, tmp_path, "until = 714", "until = 1e12")
    code, lines, seconds = run(["validate", str(path)], capsys)
    assert code == 2 and any("doses" in line for line in lines), lines
    assert seconds < 10  # expanded 5e10 dose days before: did not return within 60 s


def test_imaging_segment_with_a_huge_until(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    text = TRIAL.read_text()
    assert "until = " in text.split("[imaging]", 1)[1]
    head, tail = text.split("[imaging]", 1)
    path = tmp_path / "scans.toml"
    path.write_text(head + "[imaging]" + tail.replace("until = ", "until = 1e12 #", 1))
    code, lines, seconds = run(["validate", str(path)], capsys)
    assert code == 2 and any("scans" in line for line in lines), lines
    assert seconds < 10


def test_correlations_that_contradict_each_other(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    # a~b = 0.9, b~c = 0.9, a~c = -0.9 is not a correlation matrix (eigenvalue -0.8)
    text = (
        'name = "bad_corr"\nmodel = "kuznetsov1994"\nfollow_up_days = 100\n'
        "[population.parameters]\n"
        'a = { dist = "lognormal", median = 0.18, sd_log = 0.2 }\n'
        'b = { dist = "lognormal", median = 2e-9, sd_log = 0.2 }\n'
        'sigma = { dist = "lognormal", median = 1.3e4, sd_log = 0.2 }\n'
        '[population.correlations]\n"a,b" = 0.9\n"b,sigma" = 0.9\n"a,sigma" = -0.9\n'
        "[diagnosis]\ncells = 1e8\n[imaging]\ndays = [50, 100]\n"
        '[[arm]]\nname = "control"\nuntreated = true\n'
    )
    path = tmp_path / "corr.toml"
    path.write_text(text)
    code, lines, _ = run(["validate", str(path)], capsys)
    assert code == 2, lines
    assert any("correlations" in line and "positive semi-definite" in line
               for line in lines), lines


def test_diagnosis_below_the_starting_size(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        'name = "small_dx"\nmodel = "kuznetsov1994"\nfollow_up_days = 100\n'
        "[diagnosis]\ncells = 1e3\nstart = { T = 1e6 }\n[imaging]\ndays = [50, 100]\n"
        '[[arm]]\nname = "control"\nuntreated = true\n'
    )
    path = tmp_path / "dx.toml"
    path.write_text(text)
    code, lines, _ = run(["validate", str(path)], capsys)
    assert code == 2 and any("diagnosis.cells" in line for line in lines), lines


def test_negative_state_value_in_a_trial(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        'name = "neg"\nmodel = "kuznetsov1994"\nfollow_up_days = 100\n'
        "[population.set]\nE = -5\n"
        "[diagnosis]\ncells = 1e8\n[imaging]\ndays = [50, 100]\n"
        '[[arm]]\nname = "control"\nuntreated = true\n'
    )
    path = tmp_path / "neg.toml"
    path.write_text(text)
    code, lines, _ = run(["validate", str(path)], capsys)
    assert code == 2 and any("population.set.E" in line for line in lines), lines


def test_verbose_still_shows_the_traceback(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bin.toml"
    _binary(path)
    assert main(["trial", str(path), "--check", "-v"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "binary" in err


def test_a_good_file_still_validates(capsys: pytest.CaptureFixture[str]) -> None:
    for path in (REGIMEN, TRIAL, SCENARIO):
        code, _, seconds = run(["validate", str(path)], capsys)
        assert code == 0
        assert math.isfinite(seconds)


def test_scenario_with_an_unknown_behaviour(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    # behaviours are numbered 1-6 in docs/surveillance.md
    path = _edit(SCENARIO, tmp_path, "behaviour = 1", "behaviour = 99")
    assert_bad_input(["validate", str(path)], capsys, "behaviour")


def test_negative_state_value_in_a_scenario(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = _edit(SCENARIO, tmp_path, "P = 1e6", "P = -5")
    assert_bad_input(["validate", str(path)], capsys, "set.P = -5", "bounds")


def test_a_large_trial_says_what_it_will_take(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    # 10^9 patients x 3 arms of 4 kB chunk rows is 12 TB: refused before any work
    out = tmp_path / "big"
    line = assert_bad_input(["trial", str(TRIAL), "-n", "1000000000", "--no-progress", "-o",
                             str(out)], capsys, "1,000,000,000 patients", "GB")
    assert "free" in line
    assert not (out / "chunks").exists()


def test_the_python_api_refuses_an_output_that_would_exhaust_memory() -> None:
    import numpy as np

    import coley

    model = coley.library.get("kuznetsov1994")
    with pytest.raises(coley.InvalidArgumentError, match="GiB"):
        coley.simulate(model, t_end=1e9)  # a daily grid of 1e9 rows: 15 GiB
    # 10^6 patients x 2,000 output times x 2 states = 29.8 GiB, refused before allocating
    with pytest.raises(coley.InvalidArgumentError, match="1,000,000 patients x 2,000 times"):
        coley.simulate(model, {"T": np.full(1_000_000, 1e6)}, saveat=np.linspace(0, 100, 2000))
