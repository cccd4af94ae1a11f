"""RECIST 1.1 and iRECIST rules, checked on hand-built size series (Eisenhauer et al. 2009,
Eur J Cancer 45:228; Seymour et al. 2017, Lancet Oncol 18:e143)."""

import math

import numpy as np
import pytest

from coley.trial import recist
from coley.trial.recist import CR, PD, PR, SD, assess, sld_mm

DAYS = np.array([42.0, 84.0, 126.0, 168.0, 210.0])


def test_sld_of_a_sphere() -> None:
    # 1e9 cells = 1 cm^3; a sphere of 1 cm^3 has diameter (6/pi)^(1/3) cm = 12.407 mm.
    assert sld_mm(np.array(1e9), lesions=1) == pytest.approx(10 * (6 / math.pi) ** (1 / 3))
    # three equal lesions: 3 x the diameter of one third of the volume
    assert sld_mm(np.array(3e9), lesions=3) == pytest.approx(3 * 10 * (6 / math.pi) ** (1 / 3))
    # a 30% fall in SLD is a fall of the volume to 0.7^3 = 34.3%
    assert sld_mm(np.array(0.343e9), lesions=1) == pytest.approx(0.7 * sld_mm(np.array(1e9),
                                                                             lesions=1))


def one(series: list[float], base: float = 100.0, **kw: object) -> dict:
    out = assess(DAYS[: len(series)], np.array([base]), np.array([series]), **kw)  # type: ignore[arg-type]
    return {k: v[0] for k, v in out.items()}


def test_partial_response_threshold_and_confirmation() -> None:
    r = one([70.0, 69.0, 69.0])
    assert list(r["response"]) == [PR, PR, PR]
    assert r["bor"] == PR and r["response_day"] == 42.0
    # 29% shrinkage is stable disease
    assert one([71.0, 71.0, 71.0])["bor"] == SD
    # a PR never confirmed 4 weeks later (the next scan shows SD) is not a response
    r = one([60.0, 80.0, 80.0])
    assert r["bor"] == SD and math.isnan(r["response_day"])
    # without confirmation it counts
    assert one([60.0, 80.0, 80.0], confirm=False)["bor"] == PR


def test_progression_from_the_nadir_needs_20_percent_and_5_mm() -> None:
    # nadir 50, then 60: +20% and +10 mm: PD at day 84
    r = one([50.0, 60.0])
    assert list(r["response"]) == [PR, PD] and r["pd_day"] == 84.0
    # nadir 20, then 24: +20% but only +4 mm: not PD
    r = one([20.0, 24.0], base=30.0)
    assert r["response"][1] != PD and math.isinf(r["pd_day"])
    # baseline 100 then 119: +19%: SD; 120: PD
    assert one([119.0])["response"][0] == SD
    assert one([120.0])["response"][0] == PD


def test_complete_response_and_reappearance() -> None:
    # three lesions below 5 mm each: sum below 15 mm
    r = one([10.0, 0.0, 0.0, 6.0], lesions=3)
    assert list(r["response"][:3]) == [CR, CR, CR]
    assert r["bor"] == CR
    # from a nadir of 0 the reappearance of 6 mm is >= 5 mm: PD
    assert r["response"][3] == PD and r["pd_day"] == 168.0


def test_death_before_the_first_scan_is_progression() -> None:
    r = one([math.nan, math.nan], death_day=np.array([20.0]))
    assert r["bor"] == PD


def test_irecist_pseudoprogression_and_confirmation() -> None:
    # iUPD at 84 (60 from a nadir of 50), back to 45 at 126: pseudoprogression, no progression
    r = one([50.0, 60.0, 45.0, 44.0])
    assert r["pd_day"] == 84.0                  # RECIST 1.1 calls it progression
    assert r["iupd_day"] == 84.0 and bool(r["pseudoprogression"])
    assert math.isinf(r["iprogression_day"])
    # iUPD at 84 confirmed at 126 by a further >= 5 mm: progression dated 84, confirmed 126
    r = one([50.0, 60.0, 66.0])
    assert r["iprogression_day"] == 84.0 and r["icpd_scan_day"] == 126.0
    assert not bool(r["pseudoprogression"])
    # iUPD at 84, +3 mm at 126 (still iUPD), +5 mm over the iUPD at 168: confirmed then
    r = one([50.0, 60.0, 63.0, 65.0])
    assert r["iprogression_day"] == 84.0 and r["icpd_scan_day"] == 168.0
    # an iUPD left open at the last scan counts as progression on its date
    r = one([50.0, 60.0])
    assert r["iprogression_day"] == 84.0 and math.isinf(r["icpd_scan_day"])


def test_vectorised_over_patients() -> None:
    sld = np.array([[70.0, 69.0], [120.0, 130.0], [90.0, 90.0]])
    out = assess(DAYS[:2], np.full(3, 100.0), sld)
    assert [recist.LABELS[int(b)] for b in out["bor"]] == ["PR", "PD", "SD"]
