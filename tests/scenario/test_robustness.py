"""Robustness of the surveillance behaviours to the model's assumptions (robustness.py).

(a) The machinery: seeded samples, bands inside the declared bounds, scenario values untouched.
(b) The science: the claims that held in at least 88% of 256 parameter sets (every [A]
    parameter a factor 2 either way; docs/surveillance.md, "Robustness") must still hold in at
    least 80% of 64 sets. The fragile claims (escape without T cells, relapse after infection,
    the TKI, the checkpoint combination, the cohort statistics) are documented there, not
    asserted.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from coley.errors import InvalidArgumentError
from coley.library.surveillance import model as surveillance_model
from coley.scenario import ScenarioSpec, load_scenario
from coley.scenario.robustness import (
    arm_parameters,
    normalisations,
    plausible_range,
    robustness,
    sample_unit,
    varied_parameters,
)

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
# the surveillance model's units of measure (antigenicity, pd1: 1 by definition)
NORMALISATIONS = normalisations(surveillance_model())
NAMES = ("immunoediting", "mechanosurveillance", "mrd_relapse", "nk_suppression",
         "checkpoint_combination", "spontaneous_regression")


def _spec(name: str) -> ScenarioSpec:
    return load_scenario(SCENARIOS / f"{name}.toml")


# --- (a) the machinery -----------------------------------------------------------------------

def test_seeded_sets_and_results_are_reproducible() -> None:
    a = robustness(SCENARIOS / "immunoediting.toml", n=8, seed=3, arms=["absent"])
    b = robustness(SCENARIOS / "immunoediting.toml", n=8, seed=3, arms=["absent"])
    np.testing.assert_array_equal(a.samples, b.samples)
    np.testing.assert_array_equal(a.labels["absent"], b.labels["absent"])
    assert a.fraction_holding == b.fraction_holding
    other = sample_unit(8, a.samples.shape[1], seed=4)
    assert not np.allclose(other, sample_unit(8, a.samples.shape[1], seed=3))
    np.testing.assert_array_equal(sample_unit(8, 5, method="sobol", seed=1),
                                  sample_unit(8, 5, method="sobol", seed=1))


@pytest.mark.parametrize("band", ["factor", "plausible"])
@pytest.mark.parametrize("name", NAMES)
def test_bands_respect_bounds_and_scenario_values(name: str, band: str) -> None:
    m = surveillance_model()
    spec = _spec(name)
    varied = varied_parameters(spec, band="plausible" if band == "plausible" else "factor")
    unit = sample_unit(64, len(varied), seed=0)
    for j, v in enumerate(varied):
        p = m.parameter(v.name)
        lo, hi = v.range
        assert lo < hi
        assert p.lower is None or lo >= p.lower
        assert p.upper is None or hi <= p.upper
        x = v.draw(unit[:, j])
        assert np.all((x >= lo * (1 - 1e-12)) & (x <= hi * (1 + 1e-12)))
        assert p.source.startswith("[A]") and v.name not in NORMALISATIONS
        if band == "factor":  # the scenario value is inside its factor-2 band
            assert lo <= v.value <= hi


def test_softness_is_varied_through_the_killing_efficiency_of_soft_cells() -> None:
    (soft,) = [v for v in varied_parameters(_spec("immunoediting")) if v.name == "softness"]
    assert soft.complement
    lo, hi = soft.range  # 1 - softness from 0.01 (plausible at most 0.99) to 0.02
    assert math.isclose(1 - hi, 0.01) and math.isclose(1 - lo, 0.02)
    fit = [v for v in varied_parameters(_spec("immunoediting")) if v.name == "v_fitness"]
    assert all(v.range == (0.5, 1.0) for v in fit)  # factor 2 down, not above plausible 0.2-1


def test_scenario_values_are_never_varied_unless_asked() -> None:
    spec = _spec("checkpoint_combination")  # [set] fixes xE; arms fix kEM = 0, mu = 1e-7
    names = {v.name for v in varied_parameters(spec)}
    assert "xE" not in names
    assert {"mu", "stress", "antigenicity", "pd1", "sE", "kE"}.isdisjoint(names)  # 0, 1, [P]
    assert "kEM" in names  # set by one arm only: varied in the others
    assert "xE" in {v.name for v in varied_parameters(spec, vary_overrides=True)}
    # an arm's own values stay fixed: kEM = 0 in combination_no_memory, drawn in combination
    varied = varied_parameters(spec)
    samples = np.column_stack([v.draw(sample_unit(16, len(varied), seed=0)[:, j])
                               for j, v in enumerate(varied)])
    arm = {a.name: a for a in spec.arm}
    no_memory = arm_parameters(spec, arm["combination_no_memory"].set, varied, samples)
    combo = arm_parameters(spec, arm["combination"].set, varied, samples)
    assert no_memory["kEM"] == 0 and no_memory["xE"] == 1.25e-9 and no_memory["P"] == 1e9
    assert np.ptp(np.asarray(combo["kEM"])) > 0 and combo["xE"] == 1.25e-9
    # the cohort's spread parameters are the cohort's, not varied again
    cohort = {v.name for v in varied_parameters(_spec("spontaneous_regression"))}
    assert {"P", "g", "nk_act", "sE"}.isdisjoint(cohort)


def test_plausible_ranges_are_read_from_the_sources() -> None:
    assert plausible_range("[A] assumption; plausible 1e-4-1e-2") == (1e-4, 1e-2)
    assert plausible_range("[A] assumption; plausible 0-0.5") == (0.0, 0.5)
    assert plausible_range("Kuznetsov et al. 1994 [P]") is None
    (q0,) = [v for v in varied_parameters(_spec("immunoediting"), band="plausible")
             if v.name == "q0"]
    assert (q0.low, q0.high, q0.log) == (1e-4, 1e-2, True)


def test_bad_arguments_are_refused() -> None:
    spec = _spec("immunoediting")
    with pytest.raises(InvalidArgumentError):
        varied_parameters(spec, factor=1.0)
    with pytest.raises(InvalidArgumentError):
        varied_parameters(spec, include=["not_a_parameter"])
    with pytest.raises(InvalidArgumentError):
        sample_unit(12, 3, method="sobol")
    with pytest.raises(InvalidArgumentError):
        robustness(spec, n=4, arms=["no_such_arm"])


# --- (b) the science: what is robust ---------------------------------------------------------

# Each measured at N = 256 (docs/surveillance.md): every listed claim held in >= 88% of the sets
# (the weakest, gelsolin knockout clearing soft cells, in 88%); at N = 64 the four scenarios'
# lists held together in 89%, 98%, 97% and 97%. A binomial
# fraction of 64 near 0.9 has a standard error of about 0.04, so 0.8 leaves 2.5 standard errors
# for model changes before the test calls a robust behaviour fragile.
ROBUST = {
    "immunoediting": ["strong", "intermediate"],
    "mechanosurveillance": ["wild_type", "gelsolin_knockout",
                            "induce_dormancy_keep_surveillance"],
    "mrd_relapse": ["no_stimulus", "infection_anti_pd1"],
    "nk_suppression": ["no_kinase_signalling", "trastuzumab_nk_depleted"],
}


@pytest.mark.parametrize("name", sorted(ROBUST))
def test_structural_behaviours_hold_across_the_assumptions(name: str) -> None:
    run = robustness(SCENARIOS / f"{name}.toml", n=64, seed=0, arms=ROBUST[name])
    assert len(run.checks) >= len(ROBUST[name])
    assert run.fraction_holding >= 0.8, run.check_fractions()
