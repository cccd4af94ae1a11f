"""PK against closed-form solutions (linear compartment models, Gibaldi & Perrier,
Pharmacokinetics, 2nd ed., ch. 1-2)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import coley
from coley.treat import Dose, Every, InfusionRoute, Regimen, modality

TIGHT = coley.Rodas4(rtol=1e-10, atol=1e-10)


@pytest.fixture(scope="module")
def kuz() -> coley.Model:
    return coley.library.get("kuznetsov1994")


def test_two_compartment_bolus_matches_the_biexponential(kuz: coley.Model) -> None:
    # Pembrolizumab 200 mg IV bolus: A1(t) = D[(a - k21) e^{-a t} + (k21 - b) e^{-b t}]/(a - b)
    # with a, b the roots of s^2 - (k10 + k12 + k21) s + k10 k21 (derived analytically).
    pk = modality("pembrolizumab").pk
    k10 = pk.clearance / pk.volume_central  # type: ignore[union-attr]
    k12 = pk.intercompartmental / pk.volume_central  # type: ignore[union-attr]
    k21 = pk.intercompartmental / pk.volume_peripheral  # type: ignore[union-attr]
    s = k10 + k12 + k21
    a = (s + math.sqrt(s * s - 4 * k10 * k21)) / 2
    b = (s - math.sqrt(s * s - 4 * k10 * k21)) / 2
    t = np.array([0.0, 1.0, 7.0, 21.0, 60.0])
    reg = Regimen("pembrolizumab", Dose(200, "mg"), Every(21, count=1))
    res = coley.simulate(kuz, saveat=t, treatment=coley.Treatment([reg]), solver=TIGHT)
    exact = 200 * ((a - k21) * np.exp(-a * t) + (k21 - b) * np.exp(-b * t)) / (a - b)
    assert res["pembrolizumab_A1"][0] == pytest.approx(exact, rel=1e-8)
    # terminal half-life ln2/b of about 3-4 weeks, as for IgG4 antibodies
    assert 20 < pk.half_lives[1] < 30  # type: ignore[union-attr]


def test_one_compartment_infusion_rises_and_decays(kuz: coley.Model) -> None:
    # Chemotherapy, 1000 mg over 12 h: during the infusion A = (R/k)(1 - e^{-k t}); after it,
    # A decays as e^{-k (t - 0.5)}; k = CL/V = 0.9/day (de Pillis 2008 decay rate).
    reg = Regimen("chemotherapy", Dose(1000, "mg"), Every(7, count=1), route=InfusionRoute(12))
    t = np.array([0.0, 0.25, 0.5, 1.5, 3.0])
    res = coley.simulate(kuz, saveat=t, treatment=coley.Treatment([reg]), solver=TIGHT)
    k, rate = 0.9, 1000 / 0.5
    peak = rate / k * (1 - math.exp(-k * 0.5))
    exact = np.where(t <= 0.5, rate / k * (1 - np.exp(-k * t)), peak * np.exp(-k * (t - 0.5)))
    assert res["chemotherapy_A1"][0] == pytest.approx(exact, rel=1e-8, abs=1e-9)
