"""Each behaviour of issue 5 (scenarios/*.toml) checked with numbers, not by eye.

The surveillance model is coley's own composite (most parameters are [A] assumptions), so the
numbers here are the model's regression targets for the behaviours the literature describes;
the biological sources are in docs/surveillance.md.
"""

from __future__ import annotations

import numpy as np

from coley.scenario import ScenarioResult

YEAR = 365.0


def _after(run: ScenarioResult, arm: str, state: str, day: float) -> np.ndarray:
    a = run.arm(arm)
    return np.asarray(a.result[state][0][a.result.time >= day])


def test_1_immunoediting_three_es_and_editing_by_antigen_loss(
        runs: dict[str, ScenarioResult]) -> None:
    run = runs["immunoediting"]
    assert run.labels == {"strong": "elimination", "intermediate": "equilibrium",
                          "absent": "escape", "intermediate_antigen_loss": "escape"}
    strong = run.arm("strong").classification
    assert strong.elimination_time is not None and strong.elimination_time < 5 * YEAR
    # a long equilibrium: between 1e5 and 1e8 cells from year 1 to year 10, never detected
    mid = run.arm("intermediate")
    held = mid.total[mid.result.time >= YEAR]
    assert held.min() > 1e5 and held.max() < 1e8
    assert mid.classification.time_under_control == 10 * YEAR
    # soft dormant cells are part of the equilibrium
    assert mid.result.final("S")[0] / mid.total[-1] > 0.2
    # without T cells the same tumour is detected within a year
    assert run.arm("absent").classification.escape_time < YEAR
    # editing: the same equilibrium lasts over 4 years, then the antigen-loss variant escapes
    edited = run.arm("intermediate_antigen_loss")
    assert 4 * YEAR < edited.classification.escape_time < 5 * YEAR
    assert edited.result.final("V")[0] / edited.total[-1] > 0.99


def test_2_mechanosurveillance_soft_dormant_cells(runs: dict[str, ScenarioResult]) -> None:
    run = runs["mechanosurveillance"]
    assert run.labels == {
        "wild_type": "equilibrium", "gelsolin_knockout": "elimination",
        "actin_targeting": "elimination", "induce_dormancy_keep_surveillance": "equilibrium",
        "induce_dormancy_lose_surveillance": "escape"}
    # soft dormant cells persist for 10 years under surveillance that clears stiff cells
    assert run.arm("wild_type").result.final("S")[0] > 100
    # knocking out softening (or an actin drug) clears them within a year ...
    assert run.arm("gelsolin_knockout").classification.elimination_time <= 120
    assert run.arm("actin_targeting").classification.elimination_time <= 180
    # ... while they stay dormant: no arm wakes more than a few dozen proliferating cells
    for arm in ("wild_type", "gelsolin_knockout", "actin_targeting"):
        assert run.arm(arm).result["P"][0].max() < 30
    # induce dormancy, keep surveillance: a detected tumour is held below detection for
    # 10 years (coexistence: the residue is soft dormant cells, not cure)
    kept = run.arm("induce_dormancy_keep_surveillance")
    assert kept.classification.time_under_control >= 3640
    assert kept.result.final("S")[0] / kept.total[-1] > 0.95
    lost = run.arm("induce_dormancy_lose_surveillance").classification
    assert lost.time_under_control < 1.5 * YEAR


def test_4_relapse_from_minimal_residual_disease(runs: dict[str, ScenarioResult]) -> None:
    run = runs["mrd_relapse"]
    assert run.labels == {
        "no_stimulus": "equilibrium", "infection": "escape", "wound_inflammation": "escape",
        "infection_anti_pd1": "equilibrium", "infection_anti_pd1_anti_cd200": "equilibrium"}
    # without a stimulus the 1,000 residual cells stay dormant (none proliferate)
    quiet = run.arm("no_stimulus")
    assert quiet.total.max() <= 1000.0 and quiet.result["P"][0].max() < 1
    # an infection on day 60 wakes them: relapse detected within a year of surgery
    relapse = run.arm("infection")
    assert relapse.classification.escape_time < YEAR
    assert run.arm("wound_inflammation").classification.escape_time < YEAR
    # the recurring cells raise PD-L1/CD200 (L), which a quiet residue does not
    assert relapse.result["L"][0].max() > 0.5 > 50 * quiet.result["L"][0].max()
    # anti-PD-1 at MRD prevents the relapse: woken cells (< 300) are killed, disease stays
    # below the initial residue for two years
    for arm in ("infection_anti_pd1", "infection_anti_pd1_anti_cd200"):
        a = run.arm(arm)
        assert a.result["P"][0].max() < 300
        assert _after(run, arm, "S", 60).max() <= 1000
        assert a.classification.time_under_control == 2 * YEAR
    # adding anti-CD200 (NK cells freed from CD200) kills woken cells at least as well
    assert (run.arm("infection_anti_pd1_anti_cd200").result["P"][0].max()
            <= run.arm("infection_anti_pd1").result["P"][0].max())


def test_5_nk_suppression_tki_and_adcc(runs: dict[str, ScenarioResult]) -> None:
    run = runs["nk_suppression"]
    final_p = {a.name: a.result.final("P")[0] for a in run.arms}
    # kinase-driven suppression lets the tumour escape NK cells; without it they control it
    assert run.arm("untreated").classification.label == "escape"
    assert final_p["no_kinase_signalling"] < 1e-5 * final_p["untreated"]
    # the kinase inhibitor restores control: proliferating cells 1,000-fold below untreated
    assert run.arm("tki").classification.label == "equilibrium"
    assert final_p["tki"] < 1e-3 * final_p["untreated"]
    # ADCC: trastuzumab controls the tumour with NK cells, and not without them
    assert run.arm("trastuzumab").classification.label == "equilibrium"
    assert final_p["trastuzumab"] < 1e5
    assert run.arm("trastuzumab_nk_depleted").classification.label == "escape"
    assert final_p["trastuzumab_nk_depleted"] > 1e6 * final_p["trastuzumab"]


def test_6_checkpoint_combination_memory_resistance_toxicity(
        runs: dict[str, ScenarioResult]) -> None:
    run = runs["checkpoint_combination"]
    labels = run.labels
    assert labels["untreated"] == labels["pembrolizumab"] == labels["ipilimumab"] == "escape"
    assert labels["combination"] == "equilibrium"
    combo = run.arm("combination")
    assert combo.classification.time_under_control >= 1820
    # the combination beats either alone at one year by over 1e6-fold
    at_year = {a.name: a.total[a.result.time == YEAR][0] for a in run.arms}
    assert at_year["combination"] < 1e-6 * min(at_year["pembrolizumab"],
                                                at_year["ipilimumab"])
    # after therapy stops (day 360) the response persists: four more years without regrowth
    after = combo.total[combo.result.time >= 400]
    assert after.max() <= after[0] and combo.total[-1] < 1e3
    # through memory: without memory formation the residue is over 100-fold larger
    no_memory = run.arm("combination_no_memory")
    assert no_memory.result.final("M")[0] == 0 and combo.result.final("M")[0] > 1e6
    assert no_memory.total[-1] > 100 * combo.total[-1]
    # resistance: with antigen-loss variants the response ends in escape of the variant
    resist = run.arm("combination_antigen_loss")
    assert resist.classification.label == "escape"
    assert resist.result.final("V")[0] / resist.total[-1] > 0.99
    # toxicity grows with immune activation: the combination has the highest grade >= 3
    # irAE probability (drug hazards plus the activation-driven hazard H)
    p = {a.name: a.metrics["p_irae_grade3"] for a in run.arms}
    assert p["untreated"] < 0.01
    assert p["combination"] > p["pembrolizumab"] + p["ipilimumab"] - 0.05
    assert p["combination"] > max(p["pembrolizumab"], p["ipilimumab"]) + 0.2
    assert combo.result.final("H")[0] > 1e4 * run.arm("untreated").result.final("H")[0]
