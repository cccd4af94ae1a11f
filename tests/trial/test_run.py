"""The trial runner end to end on a small fast trial: endpoints, stop rules, chunks, resume,
worker-count independence, and errors before any simulation."""

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coley.cli import main
from coley.errors import InvalidArgumentError
from coley.trial import load_trial, problems, run_trial
from coley.trial.runner import CHUNK_BYTES_PER_PATIENT_ARM, check_run
from coley.trial.store import read_chunks

SMOKE = Path(__file__).with_name("smoke.toml")


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("trial") / "run"
    return run_trial(SMOKE, out)


def test_report_files_and_endpoints(first) -> None:
    d = first.directory
    for f in ("report.html", "report.json", "trial.json", "figures/km.png",
              "figures/waterfall.png", "figures/spider.png", "figures/swimmer.png"):
        assert (d / f).exists(), f
    html = (d / "report.html").read_text()
    assert "ORR (95% CI)" in html and "data:image/png;base64" in html
    numbers = json.loads((d / "report.json").read_text())
    chemo = numbers["arms"]["chemotherapy"]
    control = numbers["arms"]["control"]
    # every patient is analysed in its allocated arm: the arms partition the cohort
    assert chemo["patients"] + control["patients"] + numbers["not_plausible"] == 48
    # the report's numbers are those of the patient table
    p = first.patients
    alloc = p[(p["arm"] == "chemotherapy") & p["allocated"] & (p["status"] == "ok")]
    assert chemo["orr"]["value"] == pytest.approx(alloc["bor"].isin(["CR", "PR"]).mean())
    assert chemo["orr"]["ci_low"] <= chemo["orr"]["value"] <= chemo["orr"]["ci_high"]
    c = numbers["comparisons"]["chemotherapy"]["pfs"]
    assert c["ci_low"] < c["hazard_ratio"] < c["ci_high"] and 0 < c["logrank_p"] <= 1
    # in-silico twins: escaping tumours (growing >= 20% untreated) all do better on log-kill
    # chemotherapy; immune-controlled ones can do worse (lymphodepletion of the effectors)
    ok = p[p["status"] == "ok"].pivot(index="patient", columns="arm", values="best_change_pct")
    escaping = ok["control"] >= 20
    assert escaping.sum() >= 10
    assert np.all(ok.loc[escaping, "chemotherapy"] < ok.loc[escaping, "control"])


def test_patient_table_is_consistent(first) -> None:
    p = first.patients
    ok = p[p["status"] == "ok"]
    # PFS is the first of progression and death; a responder's response precedes progression
    assert np.all(ok["pfs_days"] <= ok["os_days"] + 1e-9)
    resp = ok[ok["bor"].isin(["CR", "PR"])]
    assert np.all(resp["response_day"] < resp["pd_day"])
    # each patient appears once per arm, and is allocated to exactly one arm
    counts = p.groupby("patient")["allocated"].agg(["count", "sum"])
    assert set(counts["count"]) == {2} and set(counts["sum"]) == {1}


def test_stop_at_progression_removes_later_doses(first, tmp_path: Path) -> None:
    p = first.patients
    chemo = p[(p["arm"] == "chemotherapy") & (p["status"] == "ok")]
    stopped = chemo[chemo["stopped_for"] == "progression"]
    assert len(stopped) > 0
    assert np.allclose(stopped["treatment_stopped_day"], stopped["pd_day"])
    # the same trial without the stop rule: identical scans up to the stop, different after
    text = SMOKE.read_text().replace("stop = { at_progression = true }", "")
    f = tmp_path / "nostop.toml"
    f.write_text(text)
    other = run_trial(f, tmp_path / "nostop", report=False)
    s1 = first.scans[first.scans["arm"] == "chemotherapy"].set_index(["patient", "day"])
    s2 = other.scans[other.scans["arm"] == "chemotherapy"].set_index(["patient", "day"])
    row = stopped.iloc[0]
    a = s1.loc[int(row["patient"])]["sld_mm"]
    b = s2.loc[int(row["patient"])]["sld_mm"]
    upto = a.index <= row["pd_day"]
    assert np.allclose(a[upto], b.loc[a.index[upto]], rtol=1e-9)
    common = a.index[~upto].intersection(b.index)
    assert len(common) and not np.allclose(a[common], b[common])


def test_workers_and_resume_give_identical_results(first, tmp_path: Path) -> None:
    two = run_trial(SMOKE, tmp_path / "two", workers=2, report=False)
    pd.testing.assert_frame_equal(first.patients, two.patients)
    # interrupt: remove a finished chunk, then resume; nothing else is recomputed
    chunk = tmp_path / "two" / "chunks" / "patients-000001.parquet"
    keep = (tmp_path / "two" / "chunks" / "patients-000000.parquet").stat().st_mtime_ns
    chunk.unlink()
    with pytest.raises(InvalidArgumentError, match="--resume"):
        run_trial(SMOKE, tmp_path / "two", report=False)
    again = run_trial(SMOKE, tmp_path / "two", resume=True, report=False)
    pd.testing.assert_frame_equal(first.patients, again.patients)
    assert (tmp_path / "two" / "chunks" / "patients-000000.parquet").stat().st_mtime_ns == keep
    # resuming with other settings is refused
    with pytest.raises(InvalidArgumentError, match=r"differs in.*seed"):
        run_trial(SMOKE, tmp_path / "two", resume=True, seed=99, report=False)
    p, _ = read_chunks(tmp_path / "two")
    assert len(p) == len(first.patients)


def test_more_patients_keep_the_first_ones(first, tmp_path: Path) -> None:
    # patient i is the same person in a larger trial (per-patient random streams)
    small = run_trial(SMOKE, tmp_path / "small", patients=20, report=False).patients
    big = first.patients
    cols = ["patient", "arm", "bor", "pfs_days", "os_days", "param_a"]
    a = small[cols].reset_index(drop=True)
    b = big[big["patient"] < 20][cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_every_check_comes_before_any_output(tmp_path: Path) -> None:
    # the checks the command line makes before its first line are run_trial's own
    out = tmp_path / "seed"
    with pytest.raises(InvalidArgumentError, match="seed must be a whole number >= 0, got -1"):
        run_trial(SMOKE, out, seed=-1)
    assert not out.exists()
    with pytest.raises(InvalidArgumentError, match="workers must be"):
        run_trial(SMOKE, out, workers=0)
    with pytest.raises(InvalidArgumentError, match="--scheduler"):
        run_trial(SMOKE, out, scheduler="http://host")
    assert not out.exists()
    planned = check_run(load_trial(SMOKE), out)
    assert planned.directory == out and out.is_dir() and not any(out.iterdir())
    assert planned.estimated_bytes == 48 * 2 * CHUNK_BYTES_PER_PATIENT_ARM


BAD = {
    "unknown arm reference": ('reference_arm = "control"', 'reference_arm = "contrl"',
                              "unknown arm 'contrl'"),
    "negative patients": ("patients = 48", "patients = -5", "patients must be"),
    "missing regimen": ('name = "control"\nuntreated = true', 'name = "control"',
                        "no regimen"),
    "unknown parameter": ("a = { dist", "aa = { dist", "unknown name 'aa'"),
    "unknown modality": ('modality = "chemotherapy"', 'modality = "chemo"', "chemo"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_trial_files_are_refused_before_simulating(case: str, tmp_path: Path) -> None:
    old, new, message = BAD[case]
    text = SMOKE.read_text()
    assert old in text
    f = tmp_path / "bad.toml"
    f.write_text(text.replace(old, new, 1))
    found = problems(f)
    assert any(message in p for p in found), found
    with pytest.raises(InvalidArgumentError, match="invalid trial file"):
        load_trial(f)
    assert main(["trial", str(f), "-o", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()


def test_cli_runs_and_resumes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli"
    args = ["trial", str(SMOKE), "-o", str(out), "--patients", "16", "--no-progress"]
    assert main(args) == 0
    assert (out / "report.html").exists()
    assert "ORR" in capsys.readouterr().err
    assert main(args) == 2                      # the folder holds a run: needs --resume
    assert main([*args, "--resume"]) == 0
    assert main(["trial", str(SMOKE), "--check"]) == 0
    shutil.rmtree(out)


def test_calibration_reproduces_targets_or_says_why(tmp_path: Path) -> None:
    # reachable: weighted over the twins, the chemotherapy ORR is the target exactly
    f = tmp_path / "calibrated.toml"
    f.write_text(SMOKE.read_text() + '\n[calibration]\nsource = "test"\n'
                 "[calibration.targets.chemotherapy]\norr = 0.25\n")
    run = run_trial(f, tmp_path / "cal")
    (row,) = run.report["calibration"]["targets"]
    assert row["virtual_calibrated"] == pytest.approx(0.25, abs=1e-9)
    assert 0 < run.report["calibration"]["effective_sample_size"] <= 48
    # unreachable (a 100% response rate): the run is kept and reported unweighted
    g = tmp_path / "impossible.toml"
    g.write_text(SMOKE.read_text() + '\n[calibration]\n[calibration.targets.chemotherapy]\n'
                 "orr = 1.0\n")
    run = run_trial(g, tmp_path / "impossible")
    assert "outside what the virtual population" in run.report["calibration"]["error"]
    assert "Not calibrated" in (tmp_path / "impossible" / "report.html").read_text()


def test_stop_at_a_toxicity_grade(tmp_path: Path) -> None:
    # chemotherapy's cytopenia hazard (severe fraction 0.5): stopping at any grade (<= 2)
    # stops the doses on the day the patient's hazard crosses its own exponential draw
    f = tmp_path / "tox.toml"
    f.write_text(SMOKE.read_text().replace(
        "stop = { at_progression = true }", "stop = { max_toxicity_grade = 2 }"))
    p = run_trial(f, tmp_path / "tox", report=False).patients
    chemo = p[(p["arm"] == "chemotherapy") & (p["status"] == "ok")]
    tox = chemo[chemo["stopped_for"] == "toxicity"]
    assert len(tox) > 0
    assert np.allclose(tox["treatment_stopped_day"], tox["tox_any_day"])
    # nobody stops for toxicity before having any: grade >= 1 for every stopped patient
    assert (tox["tox_grade"] >= 2).all()


def test_population_can_vary_a_treatment_parameter(tmp_path: Path) -> None:
    # the chemotherapy kill rate (a parameter only the treated model has) varies per patient;
    # the control arm ignores it, and faster log-kill goes with deeper shrinkage
    f = tmp_path / "pk.toml"
    f.write_text(SMOKE.read_text().replace(
        "[population.correlations]",
        'chemotherapy_emax0 = { dist = "lognormal", median = 0.8, sd_log = 0.5 }\n'
        "[population.correlations]"))
    assert problems(f) == []
    p = run_trial(f, tmp_path / "pk", report=False).patients
    chemo = p[(p["arm"] == "chemotherapy") & (p["status"] == "ok")]
    assert chemo["param_chemotherapy_emax0"].std() > 0.1
    rho = chemo[["param_chemotherapy_emax0", "best_change_pct"]].corr(method="spearman")
    assert rho.iloc[0, 1] < -0.3
    # a name no arm's model has is still refused
    g = tmp_path / "bad.toml"
    g.write_text(f.read_text().replace("chemotherapy_emax0", "chemotherapy_emax9"))
    assert any("unknown name 'chemotherapy_emax9'" in x for x in problems(g))


def test_irecist_treats_beyond_unconfirmed_progression(tmp_path: Path) -> None:
    # with iRECIST, treatment continues past a first progression (iUPD) and stops only at the
    # scan that confirms it (iCPD: a further 5 mm); RECIST 1.1's PFS still counts the first
    # progression. A carrying capacity 4x the smoke trial's lets progressing tumours keep
    # growing, so most iUPDs are confirmed; those that are not stay on treatment.
    f = tmp_path / "irecist.toml"
    f.write_text(SMOKE.read_text().replace("lethal_cells = 4.5e8", "lethal_cells = 1.9e9")
                 + '\n[population]\nset = { b = 5e-10 }\n[response]\ncriteria = "irecist"\n')
    p = run_trial(f, tmp_path / "ir", report=False).patients
    chemo = p[(p["arm"] == "chemotherapy") & (p["status"] == "ok")]
    last_dose = 189.0                                   # every 7 days until day 190
    progressed = chemo[np.isfinite(chemo["pd_day"]) & (chemo["pd_day"] < last_dose)]
    assert len(progressed) > 0
    confirmed = progressed["icpd_day"] < last_dose
    stopped = progressed["stopped_for"] == "progression"
    assert (confirmed == stopped).all()
    assert np.allclose(progressed.loc[stopped, "treatment_stopped_day"],
                       progressed.loc[stopped, "icpd_day"])
    assert confirmed.sum() >= 5 and (~confirmed).any()
    assert progressed["treatment_stopped_day"][~confirmed].isna().all()
    assert (progressed["iupd_day"] == progressed["pd_day"]).all()


def test_plausibility_rule_untreated_tumours_keep_growing(tmp_path: Path) -> None:
    # Kuznetsov 1994 tumours can shrink on their own (damped oscillation to the dormant focus;
    # without the rule about a third of the control arm "responds"). Metastatic disease does
    # not: requiring the untreated burden to be larger 84 days after diagnosis removes them.
    f = tmp_path / "grow.toml"
    f.write_text(SMOKE.read_text().replace("doubling_days = [2, 60]",
                                           "doubling_days = [2, 60]\nkeeps_growing_days = 84"))
    p = run_trial(f, tmp_path / "grow", report=False).patients
    control = p[(p["arm"] == "control") & (p["status"] == "ok")]
    assert len(control) >= 40
    assert (control["best_change_pct"] > -30).all()
    assert control["attempts"].mean() > 1.5            # candidates were redrawn


def test_validate_recognises_trial_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    assert main(["validate", str(SMOKE)]) == 0
    assert "trial file" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text(SMOKE.read_text().replace('reference_arm = "control"',
                                             'reference_arm = "contrl"'))
    assert main(["validate", str(bad)]) == 2
    assert "unknown arm 'contrl'" in capsys.readouterr().err
