"""The modality catalogue: every modality of issue 4 exists, has sources, and its toxicity
calibration reproduces the published rates it cites."""

from __future__ import annotations

import math

import pytest

import coley
from coley.treat import Dose, Every, Regimen, modalities, modality

REQUIRED = ["pembrolizumab", "nivolumab", "atezolizumab", "ipilimumab", "anti_cd200", "car_t",
            "adoptive_t_cells", "cancer_vaccine", "il2", "ifn_alpha", "oncolytic_virus", "bcg",
            "trastuzumab", "rituximab", "chemotherapy", "radiotherapy", "surgery", "tki",
            "tgfb_inhibitor", "actin_targeting"]


def test_every_modality_of_the_issue_exists_with_sources() -> None:
    names = {m.name for m in modalities()}
    assert set(REQUIRED) <= names
    for m in modalities():
        assert m.description and m.dose_units
        for a in m.actions:
            assert a.source, (m.name, a.hook)


@pytest.mark.parametrize(("reg", "cov", "published"), [
    # KEYNOTE-006 grade 3-5 TRAE (Robert et al. NEJM 2015, clinical-calibration.md §1a [M]):
    # pembrolizumab q3w 10.1% (mean exposure 151 d), ipilimumab 3 mg/kg x4 19.9%.
    (Regimen("pembrolizumab", Dose(200, "mg"), Every(21, until=150)), None, 0.101),
    (Regimen("ipilimumab", Dose(3, "mg/kg"), Every(21, count=4)), {"weight": 70.0}, 0.199),
])
def test_irae_calibration_reproduces_keynote006(reg: Regimen, cov: dict[str, float] | None,
                                               published: float) -> None:
    kuz = coley.library.get("kuznetsov1994")
    res = coley.simulate(kuz, t_end=365, treatment=coley.Treatment([reg], covariates=cov),
                         solver=coley.Rodas4(rtol=1e-10, atol=1e-10))
    hazard = res.final(f"{reg.modality}_irAE_H")[0]
    # rates are given to 3 significant figures, so the rate reproduces to ~0.2% relative
    assert 1 - math.exp(-hazard) == pytest.approx(published, rel=5e-3)


def test_car_t_kinetics_derive_from_stein_2019() -> None:
    # Stein et al. 2019 typical values [P]: FOLDX 3900 over Tmax 9.3 d, alpha 0.16/d,
    # FB 0.0079, beta 0.0032/d (models-validation.md §6c). Net expansion = ln(3900)/9.3.
    pk = modality("car_t").pk
    net = pk.expansion - pk.contraction - pk.to_memory  # type: ignore[union-attr]
    assert net == pytest.approx(math.log(3900) / 9.3, rel=2e-3)
    assert pk.contraction + pk.to_memory == pytest.approx(0.16, rel=1e-3)  # type: ignore[union-attr]
    assert pk.to_memory / 0.16 == pytest.approx(0.0079, rel=3e-3)  # type: ignore[union-attr]
    assert pk.memory_loss == 0.0032  # type: ignore[union-attr]


def test_schedule_with_a_vanishing_interval_is_refused() -> None:
    """A fuzzed trial file had ``every = 1e-308``: the dose count overflows to infinity and
    must be refused as bad input (it raised OverflowError)."""
    from coley.errors import InvalidArgumentError
    from coley.treat.regimen import Every

    with pytest.raises(InvalidArgumentError, match="more than the 100,000"):
        Every(1e-308, until=714)
