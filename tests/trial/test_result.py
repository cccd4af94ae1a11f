"""TrialResult views and the endpoint registry, checked against the patient table itself.

Each view must say what the report says (same analysed population, same numbers), and a
registered endpoint must appear in every arm's report with the value computed by hand from
the table. Wilson's interval (Wilson 1927, JASA 22:209) is recomputed from its formula.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest

from coley.errors import InvalidArgumentError
from coley.trial import PatientStatus, TrialResult, run_trial
from coley.trial.endpoints import ENDPOINTS, AbstractEndpoint, arm_summary, register_endpoint

SMOKE = Path(__file__).with_name("smoke.toml")


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> TrialResult:
    return run_trial(SMOKE, tmp_path_factory.mktemp("trial") / "run")


def test_summary_is_the_report(result: TrialResult) -> None:
    table = result.summary()
    assert list(table.index) == result.spec.arm_names()
    for arm in table.index:
        a = result.report["arms"][arm]
        assert table.loc[arm, "patients"] == a["patients"]
        assert table.loc[arm, "orr"] == a["orr"]["value"]
        assert table.loc[arm, "orr_ci"] == (a["orr"]["ci_low"], a["orr"]["ci_high"])


def test_analysed_rows_are_the_allocated_ok_patients(result: TrialResult) -> None:
    p = result.patients
    for arm in result.spec.arm_names():
        df, w = result.analysed(arm)
        expect = p[(p["arm"] == arm) & (p["status"] == PatientStatus.OK) & p["allocated"]]
        assert sorted(df["patient"]) == sorted(expect["patient"])
        assert np.all(w == 1.0)  # the smoke trial is not calibrated


def test_km_median_matches_the_report(result: TrialResult) -> None:
    fits = result.km("pfs")
    for arm, km in fits.items():
        med = float(km.median_survival_time_)
        reported = result.report["arms"][arm]["pfs"]["median_months"]
        if reported is None:
            assert not math.isfinite(med)
        else:
            assert med == pytest.approx(reported, rel=1e-12)


def test_waterfall_is_sorted_best_changes(result: TrialResult) -> None:
    arm = result.spec.arm_names()[0]
    wf = result.waterfall(arm)
    df, _ = result.analysed(arm)
    assert len(wf) == df["best_change_pct"].notna().sum()
    assert np.all(np.diff(wf["best_change_pct"].to_numpy()) <= 0)


def test_load_reads_the_run_back(result: TrialResult) -> None:
    again = TrialResult.load(result.directory)
    assert again.spec == result.spec
    pd.testing.assert_frame_equal(again.patients, result.patients)
    assert again.report["arms"].keys() == result.report["arms"].keys()


def test_bad_arguments(result: TrialResult, tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match="no arm 'nope'"):
        result.waterfall("nope")
    with pytest.raises(InvalidArgumentError, match="endpoint must be"):
        result.km("ttp")
    with pytest.raises(InvalidArgumentError, match="holds no trial run"):
        TrialResult.load(tmp_path)


@dataclass(frozen=True)
class DeepResponse(AbstractEndpoint):
    """Fraction with a best decrease of at least 50% in the sum of diameters."""

    name: str = "deep_response"
    requires: ClassVar[tuple[str, ...]] = ("best_change_pct",)

    def indicator(self, df: pd.DataFrame) -> np.ndarray:
        return (df["best_change_pct"].to_numpy(float) <= -50).astype(float)

    def summarise(self, df: pd.DataFrame, w: np.ndarray, horizon: float) -> Any:
        x = self.indicator(df)
        return {"value": float(np.sum(w * x) / w.sum())}


def _wilson(p: float, n: float, z: float = 1.959964) -> tuple[float, float]:
    # z: the 97.5% normal quantile, 1.9599640 to 7 digits
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_a_registered_endpoint_is_reported_for_every_arm() -> None:
    df = pd.DataFrame({"bor": ["CR", "PR", "SD", "PD"], "best_change_pct": [-100, -60, -10, 30],
                       "pfs_days": [400.0, 300, 100, 50], "pfs_event": [0, 1, 1, 1],
                       "os_days": [400.0, 400, 300, 200], "os_event": [0, 0, 1, 1],
                       "ipfs_days": [400.0, 300, 100, 50], "ipfs_event": [0, 1, 1, 1],
                       "dor_days": [300.0, 200, np.nan, np.nan], "dor_event": [0, 1, 0, 0],
                       "pseudoprogression": [0.0, 0, 0, 0], "tox_grade": [0, 3, 1, 0],
                       "stopped_for": ["", "toxicity", "", "progression"]})
    w = np.ones(4)
    register_endpoint(DeepResponse())
    try:
        out = arm_summary(df, w, 400.0)
        assert out["deep_response"] == {"value": 0.5}  # 2 of 4 fell by >= 50%
        # the built-ins still say what the table says: ORR 2/4 with Wilson's interval
        lo, hi = _wilson(0.5, 4)
        assert out["orr"]["value"] == 0.5
        assert out["orr"]["ci_low"] == pytest.approx(lo, rel=1e-9)
        assert out["orr"]["ci_high"] == pytest.approx(hi, rel=1e-9)
        assert out["toxicity_grade3plus"]["value"] == 0.25
        assert out["stopped_for_toxicity"] == 0.25
        with pytest.raises(InvalidArgumentError, match="already registered"):
            register_endpoint(DeepResponse())
        with pytest.raises(InvalidArgumentError, match="built-in"):
            register_endpoint(DeepResponse(name="orr"))
    finally:
        ENDPOINTS.pop("deep_response", None)
