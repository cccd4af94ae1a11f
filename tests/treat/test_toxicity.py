"""Graded toxicity: probabilities from the hazard, seeded draws independent of batch size."""

from __future__ import annotations

import math

import numpy as np
import pytest

import coley
from coley.treat import Dose, Every, Regimen
from coley.treat.toxicity import sample_grades, toxicity_probabilities


@pytest.fixture(scope="module")
def run() -> tuple[coley.SimulationResult, list[Regimen]]:
    regs = [Regimen("ipilimumab", Dose(3, "mg/kg"), Every(21, count=4))]
    kuz = coley.library.get("kuznetsov1994")
    n = 2000
    res = coley.simulate(kuz, {"T": np.full(n, 5e6)}, t_end=365,
                         treatment=coley.Treatment(regs, covariates={"weight": 70.0}))
    return res, regs


def test_probabilities_follow_the_hazard(run: tuple[coley.SimulationResult, list[Regimen]]
                                         ) -> None:
    res, regs = run
    table = toxicity_probabilities(res, regs)
    h = res.final("ipilimumab_irAE_H")
    assert table["p_grade3plus"].to_numpy() == pytest.approx(1 - np.exp(-h))
    assert table["p_any"].to_numpy() == pytest.approx(1 - np.exp(-h / 0.35))
    # calibrated to KEYNOTE-006: 19.9% grade 3-5 with ipilimumab 3 mg/kg x4 (catalogue [D])
    assert table["p_grade3plus"].iloc[0] == pytest.approx(0.199, rel=5e-3)


def test_sampled_rates_match_probabilities_and_do_not_depend_on_batch(
        run: tuple[coley.SimulationResult, list[Regimen]]) -> None:
    res, regs = run
    grades = sample_grades(res, regs, seed=7)
    p3 = grades["p_grade3plus"].iloc[0]
    n = len(grades)
    # binomial: observed rate within 4 standard errors of p (seeded, so deterministic)
    assert abs((grades["grade"] == 3).mean() - p3) < 4 * math.sqrt(p3 * (1 - p3) / n)
    assert ((grades["grade"] >= 2).mean() - grades["p_any"].iloc[0]) < 4 * math.sqrt(0.25 / n)
    again = sample_grades(res, regs, seed=7)
    assert grades["grade"].tolist() == again["grade"].tolist()
    small = coley.simulate(coley.library.get("kuznetsov1994"), {"T": np.full(50, 5e6)},
                           t_end=365, treatment=coley.Treatment(regs, covariates={"weight": 70.0}))
    assert sample_grades(small, regs, seed=7)["grade"].tolist() == grades["grade"][:50].tolist()
