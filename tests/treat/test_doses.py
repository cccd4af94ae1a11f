"""Doses: units, covariates and the errors issue 4 names (negative dose, unknown unit, missing
covariate for mg/kg)."""

from __future__ import annotations

import numpy as np
import pytest

import coley
from coley.treat import Dose


def test_per_weight_and_per_area_doses_resolve_per_patient() -> None:
    # 2 mg/kg for 50 and 100 kg patients is 100 and 200 mg; 1.5 mg/m2 for 1.8 m2 is 2.7 mg.
    assert Dose(2, "mg/kg").resolve({"weight": np.array([50.0, 100.0])}, 2) == pytest.approx(
        [100.0, 200.0])
    assert Dose(1.5, "mg/m2").resolve({"bsa": 1.8}, 1) == pytest.approx([2.7])
    assert Dose(200, "mg").resolve(None, 3) == pytest.approx([200.0] * 3)


@pytest.mark.parametrize(("amount", "unit", "message"), [
    (-1, "mg", "negative dose"),
    (10, "mg/kgg", "unknown unit 'mg/kgg'"),
    (float("nan"), "mg", "finite number"),
    (1.5, "fraction", r"surviving fraction must be in \[0, 1\]"),
])
def test_bad_doses_are_rejected_with_the_fix(amount: float, unit: str, message: str) -> None:
    with pytest.raises(coley.InvalidArgumentError, match=message):
        Dose(amount, unit)


def test_missing_and_implausible_covariates() -> None:
    with pytest.raises(coley.InvalidArgumentError, match=r"needs the covariate 'weight' \(kg\)"):
        Dose(3, "mg/kg").resolve(None, 1)
    with pytest.raises(coley.InvalidArgumentError, match=r"'weight' = 700.0 kg for patient 1"):
        Dose(3, "mg/kg").resolve({"weight": np.array([70.0, 700.0])}, 2)
