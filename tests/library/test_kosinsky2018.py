"""Kosinsky et al. 2018 (radiotherapy + anti-PD-L1, CT26) against the validation note.

Source of every expected number: shared/research/models-validation.md §10 ("the note"): the
parameter table of BioModels BIOMD0000000863, the untreated trajectory [D] from TV0 = 15 mm^3,
and the paper's finding [P] (abstract): anti-PD-L1 given before or concurrently with
radiotherapy is more synergistic than radiotherapy followed by anti-PD-L1.

The BioModels file holds no dosing, so the treatment schedules are reconstructed (see
``SCHEDULES`` below) after the CT26 experiments the paper models, Dovedi et al. 2014 (Cancer Res
74:5458): 2 Gy x 5 daily fractions and anti-PD-L1 10 mg/kg on three alternate days, from the
first fraction ("schedule A") or from 7 days after the last ("schedule C"), as recalled [M],
not re-read; the start day 7 and the number of antibody doses are assumptions [A]. The ordering
the paper reports is a property of the model, so it must hold for such schedules.
"""

from __future__ import annotations

import math

import pytest

import coley
from coley.library import kosinsky2018
from tests.helpers import assert_published

# note §10 parameter table (SBML), exactly as printed.
PARAMETERS = {"r": 0.4, "TVmax": 2500.0, "d0": 0.01, "kLN": 279.0, "S_L": 8.89, "kpro": 3.0,
              "kdif": 3.2, "k_el": 0.2, "kapo": 2.0, "n_e": 1e-3, "Kpdl": 478.0, "kpdl": 1.0,
              "Ktcd": 0.2, "S_R": 30.5, "alpha": 0.146, "delta": 19.0, "tau": 0.02,
              "V_d": 0.003, "k_el_mAb": 0.15, "K_D": 30.0, "mu": 0.1725}

# note §10 "Untreated [D] from TV0 = 15 mm^3".
UNTREATED = {10.0: "256.56", 20.0: "1048.25", 30.0: "1667.46"}

# Radiation: each 2 Gy fraction is delivered as a dose rate over DELIVERY days (~1.4 min, [A]:
# a few minutes on a small-animal irradiator; the quadratic term then keeps 98% of its
# acute-dose value, G = 2(x - 1 + e^-x)/x^2 with x = DELIVERY/tau = 0.05).
DELIVERY = 1.0e-3
FRACTIONS = (7.0, 8.0, 9.0, 10.0, 11.0)  # 2 Gy x 5, days 7-11 [A]
AB_MG = kosinsky2018.antibody_dose_mg(10.0)  # 10 mg/kg for a 20 g mouse = 0.2 mg
END = 40.0


def _radiotherapy(days: tuple[float, ...], gray: float = 2.0) -> list[coley.Infusion]:
    return [coley.Infusion("R", gray / DELIVERY, d, d + DELIVERY) for d in days]


def _antibody(days: tuple[float, ...]) -> list[coley.Jump]:
    return [coley.Jump("Ab", days, AB_MG)]


SCHEDULES: dict[str, list[coley.Infusion | coley.Jump]] = {
    "untreated": [],
    "RT alone": [*_radiotherapy(FRACTIONS)],
    "anti-PD-L1 alone": [*_antibody((7.0, 9.0, 11.0))],
    # three doses ending the day before the first fraction
    "anti-PD-L1 before RT": [*_radiotherapy(FRACTIONS), *_antibody((2.0, 4.0, 6.0))],
    # from the first fraction (Dovedi 2014 schedule A)
    "concurrent": [*_radiotherapy(FRACTIONS), *_antibody((7.0, 9.0, 11.0))],
    # from 7 days after the last fraction (Dovedi 2014 schedule C)
    "RT then anti-PD-L1": [*_radiotherapy(FRACTIONS), *_antibody((18.0, 20.0, 22.0))],
}


@pytest.fixture(scope="module")
def model() -> coley.Model:
    return kosinsky2018.model()


@pytest.fixture(scope="module")
def final_volume(model: coley.Model) -> dict[str, float]:
    """TV at day 40 for each schedule (rtol 1e-8: volumes differ between arms by 100-fold)."""
    out = {}
    for name, schedule in SCHEDULES.items():
        result = coley.simulate(model, saveat=[0.0, END], schedule=schedule,
                                solver=coley.Rodas4(rtol=1e-8, atol=1e-8))
        assert result.status[0] == 0, name
        out[name] = float(result.final("TV")[0])
    return out


def test_values_are_the_sbml_ones(model: coley.Model) -> None:
    # note §10 parameter table, exactly as printed; initial TV0 = 15 mm^3, nothing else.
    values = {p.name: p.value for p in model.parameters}
    for name, published in PARAMETERS.items():
        assert values[name] == published, name
    initial = dict(zip(model.state_names, model.initial_values(), strict=True))
    assert initial == {"TV": 15.0, "TVd": 0.0, "U": 0.0, "nTeff": 0.0, "dTeff": 0.0,
                       "PDL1": 0.0, "Ab": 0.0}


def test_untreated_growth_matches_published_table(model: coley.Model) -> None:
    # note §10 untreated trajectory [D], printed to 2 decimals: each value must round to it
    # (half a unit, 0.005 mm^3, 3e-6 to 2e-5 relative); rtol = 1e-10 is far below.
    times = [0.0, *UNTREATED]
    result = coley.simulate(model, saveat=times, solver=coley.Rodas4(rtol=1e-10, atol=1e-10))
    assert result.status[0] == 0
    for t, got in zip(times[1:], result["TV"][0, 1:], strict=True):
        assert_published(got, UNTREATED[t], f"TV({t:g} d)")


def test_one_fraction_follows_the_linear_quadratic_model(model: coley.Model) -> None:
    # Derived here (module notes): with growth, death and immunity off, a fraction of D Gy
    # given at a constant rate over d days leaves TV*exp(-alpha*D - (alpha/10)*D^2*G), where
    # G = 2(x - 1 + e^-x)/x^2, x = d/tau, is the Lea-Catcheside factor of the repair U/tau
    # (G -> 1 for an acute dose); the removed volume moves to TVd (mu = 0 keeps it there).
    # This fixes the repair term: the file's tau*U would make the quadratic part 2500x larger.
    # Exact solution of a linear ODE; rtol = 1e-10 -> 1e-8 relative.
    off = {"r": 0.0, "d0": 0.0, "mu": 0.0, "kLN": 0.0, "TV": 100.0}
    gray, alpha, tau = 8.0, PARAMETERS["alpha"], PARAMETERS["tau"]
    for d in (1.0e-4, 0.02):  # near-acute (G = 0.998) and as long as tau (G = 2/e = 0.736)
        result = coley.simulate(model, off, saveat=[0.0, 1.0],
                                schedule=[coley.Infusion("R", gray / d, 0.5, 0.5 + d)],
                                solver=coley.Rodas4(rtol=1e-10, atol=1e-10))
        x = d / tau
        g = 2.0 * (x - 1.0 + math.exp(-x)) / x**2
        survival = math.exp(-alpha * gray - 0.1 * alpha * gray**2 * g)
        assert result.final("TV")[0] == pytest.approx(100.0 * survival, rel=1e-8)
        assert result.final("TV")[0] + result.final("TVd")[0] == pytest.approx(100.0, rel=1e-8)


def test_antibody_dose_conversion(model: coley.Model) -> None:
    # Derived: 10 mg/kg x 0.02 kg = 0.2 mg; 0.2e-3 g / 1.5e5 g/mol = 1.333 nmol in V_d = 3 mL
    # gives 4000/9 = 444.4 nmol/L, so mAb/K_D = 14.8 (PD-L1 suppression cut ~16-fold).
    dose = kosinsky2018.antibody_dose_mg(10.0)
    assert dose == pytest.approx(0.2, rel=1e-15)
    conc = dose * 1e6 / (model.parameter("MW").value * PARAMETERS["V_d"])
    assert conc == pytest.approx(4000.0 / 9.0, rel=1e-12)


# Day-40 tumour volumes (mm^3) of the schedules above, [D] computed here with coley (Rodas4,
# rtol 1e-8, 1e-10 and 1e-12 agree to 1e-8 relative) and printed to 5 significant figures.
DAY_40 = {"untreated": "1758.5", "RT alone": "1619.0", "anti-PD-L1 alone": "1711.9",
          "anti-PD-L1 before RT": "7.3034", "concurrent": "4.8713",
          "RT then anti-PD-L1": "1314.5"}


def test_day_40_volumes(final_volume: dict[str, float]) -> None:
    # Regression values [D] (DAY_40): each must round to the printed 5 significant figures;
    # the integration error at rtol 1e-8 (1e-8 relative, see DAY_40) is far below that.
    for name, printed in DAY_40.items():
        assert_published(final_volume[name], printed, f"TV(40 d), {name}")


def test_combinations_beat_either_treatment_alone(final_volume: dict[str, float]) -> None:
    # The paper's premise [P] (abstract: "synergistic"): at day 40 the combination given
    # before or with RT leaves a tumour over 100x smaller than either treatment alone (DAY_40:
    # ~5-7 against ~1600-1700 mm^3); each monotherapy is still below the untreated tumour.
    untreated = final_volume["untreated"]
    for alone in ("RT alone", "anti-PD-L1 alone"):
        assert final_volume[alone] < untreated
        for combo in ("anti-PD-L1 before RT", "concurrent"):
            assert final_volume[combo] < final_volume[alone] / 100.0, (combo, alone)


def test_before_or_concurrent_beats_sequential(final_volume: dict[str, float]) -> None:
    # note §10 finding [P]: anti-PD-L1 before or concurrently with RT controls the tumour
    # better than RT followed by anti-PD-L1. With numbers (DAY_40): before 7.3 mm^3 and
    # concurrent 4.9 mm^3 against 1314.5 mm^3 for the sequential arm, a margin of over 100x;
    # the sequential arm is close to RT alone (1619.0): the antibody comes too late.
    sequential = final_volume["RT then anti-PD-L1"]
    assert final_volume["anti-PD-L1 before RT"] < sequential / 100.0
    assert final_volume["concurrent"] < sequential / 100.0
    assert sequential > 0.5 * final_volume["RT alone"]
