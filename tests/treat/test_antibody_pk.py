"""The ADCC antibodies' two-compartment PK against their published population models.

Trastuzumab: Bruno et al. 2005 (Cancer Chemother Pharmacol 56:361), Table 3 and Results.
Rituximab: Candelaria et al. 2018 (Cancer Chemother Pharmacol 81:515), Table 2.
Both were read in the nlmixr2lib transcriptions (github.com/nlmixr2/nlmixr2lib,
inst/modeldb/specificDrugs/Bruno_2005_trastuzumab.R and Candelaria_2018_rituximab.R, with their
vignettes), which give each value with its table. The derived quantities below (terminal
half-life, steady-state profile) are computed here from the catalogue's CL, V1, Q, V2, and
compared with what the sources publish, to the rounding of the published numbers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import coley
from coley.treat import Dose, Every, Regimen, modality
from coley.treat.pk import TwoCompartment

TIGHT = coley.Rodas4(rtol=1e-10, atol=1e-10)


def _pk(name: str) -> TwoCompartment:
    pk = modality(name).pk
    assert isinstance(pk, TwoCompartment)
    return pk


def _rate_matrix(pk: TwoCompartment) -> np.ndarray:
    """d(A1, A2)/dt = M (A1, A2), per day."""
    k10 = pk.clearance / pk.volume_central
    k12 = pk.intercompartmental / pk.volume_central
    k21 = pk.intercompartmental / pk.volume_peripheral
    return np.array([[-(k10 + k12), k21], [k12, -k21]])


def test_trastuzumab_is_bruno_2005_table_3() -> None:
    # Bruno 2005 Table 3 (reference patient: 70 kg, HER2 ECD 8.23 ng/mL, < 4 metastatic sites):
    # CL 0.225 L/day, V 2.95 L, K12 0.164/day, K21 0.101/day. Units are already L and days.
    pk = _pk("trastuzumab")
    assert pk.clearance == 0.225
    assert pk.volume_central == 2.95
    assert pk.intercompartmental / pk.volume_central == pytest.approx(0.164, rel=1e-12)
    assert pk.intercompartmental / pk.volume_peripheral == pytest.approx(0.101, rel=1e-12)
    # the nlmixr2lib file's Q = K12 V1 = 0.4838 L/day and Vp = K12 V1 / K21 = 4.7901 L
    assert pk.intercompartmental == pytest.approx(0.4838, abs=5e-5)
    assert pk.volume_peripheral == pytest.approx(4.7901, abs=5e-5)
    assert pk.amount_unit == "mg"


def test_rituximab_is_candelaria_2018_table_2() -> None:
    # Candelaria 2018 Table 2 (DLBCL, R-CHOP; V1 at the median BSA 1.72 m2): CL 12.5 mL/h,
    # V1 3191 mL, Q 18.6 mL/h, V2 4154 mL. mL/h -> L/day: x 24 / 1000; mL -> L: / 1000.
    pk = _pk("rituximab")
    assert pk.clearance == pytest.approx(12.5 * 24 / 1000, rel=1e-12)
    assert pk.volume_central == pytest.approx(3191 / 1000, rel=1e-12)
    assert pk.intercompartmental == pytest.approx(18.6 * 24 / 1000, rel=1e-12)
    assert pk.volume_peripheral == pytest.approx(4154 / 1000, rel=1e-12)
    assert pk.amount_unit == "mg"


@pytest.mark.parametrize(("name", "published", "half_width"), [
    # Bruno 2005 Results / Table 3: terminal half-life 28.5 days (typical patient).
    ("trastuzumab", 28.5, 0.05),
    # Candelaria 2018 typical values give 21.2 days, as tabulated for this model in the review
    # Br J Clin Pharmacol 2019;85:2002, Table 3 (doi:10.1111/bcp.13991). (The paper's Results
    # quote 21.6 days, per the nlmixr2lib vignette: not reproducible from Table 2, whose
    # rounding moves the typical value by < 0.1 day; it summarises individual fits.)
    ("rituximab", 21.2, 0.05),
])
def test_terminal_half_life_from_the_micro_constants(name: str, published: float,
                                                     half_width: float) -> None:
    # The terminal rate b is the smaller root of s^2 - (k10 + k12 + k21) s + k10 k21, i.e. minus
    # the eigenvalue of the rate matrix closest to 0; t1/2 = ln 2 / b.
    pk = _pk(name)
    eig = np.linalg.eigvals(_rate_matrix(pk))
    assert np.all(eig.real < 0) and np.all(eig.imag == 0)
    terminal = math.log(2) / -eig.real.max()
    assert abs(terminal - published) <= half_width
    assert pk.half_lives[1] == pytest.approx(terminal, rel=1e-10)


def test_trastuzumab_weekly_steady_state_matches_bruno_2005() -> None:
    # Bruno 2005 Results (quoted in the nlmixr2lib vignette): the typical patient on weekly
    # dosing reaches AUCss 578 mg day/L, Cmax,ss 110 mg/L and Cmin,ss 66 mg/L. AUC over one
    # dosing interval at steady state is D/CL, so the dose behind these numbers is
    # D = 578 * 0.225 = 130 mg (2 mg/kg at 65 kg). With that dose, weekly IV bolus at steady
    # state (superposition of the biexponential, Gibaldi & Perrier ch. 2):
    #   C(t) = D/V1 [(a - k21) e^{-a t}/(1 - e^{-a tau}) + (k21 - b) e^{-b t}/(1 - e^{-b tau})]
    #          / (a - b)
    # at t = 0 (peak) and t = tau (trough) must give 110 and 66 to the published rounding
    # (a bolus peak is at most ~1% above that of the 30-90 min infusions of the trials).
    pk = _pk("trastuzumab")
    tau, dose = 7.0, 578 * pk.clearance
    k21 = pk.intercompartmental / pk.volume_peripheral
    b, a = sorted(-np.linalg.eigvals(_rate_matrix(pk)).real)

    def c_ss(t: float) -> float:
        fast = (a - k21) * math.exp(-a * t) / (1 - math.exp(-a * tau))
        slow = (k21 - b) * math.exp(-b * t) / (1 - math.exp(-b * tau))
        return float(dose / pk.volume_central * (fast + slow) / (a - b))

    assert c_ss(0.0) == pytest.approx(110, abs=0.5)
    assert c_ss(tau) == pytest.approx(66, abs=0.5)

    # the simulator reaches the same trough: 40 weekly doses (273 days, 9.6 terminal
    # half-lives) leave the trough within 0.2% of steady state
    model = coley.library.get("depillis2005")  # has the nk_kill hook
    reg = Regimen("trastuzumab", Dose(dose, "mg"), Every(tau, count=40))
    res = coley.simulate(model, saveat=np.array([0.0, 40 * tau]),
                         treatment=coley.Treatment([reg]), solver=TIGHT)
    trough = res["trastuzumab_A1"][0][-1] / pk.volume_central
    assert trough == pytest.approx(c_ss(tau), rel=2e-3)
    assert trough < c_ss(tau)
