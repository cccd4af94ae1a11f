"""A virtual population from real lesions: Stein-Fojo populations of the two arms of study 2
of the Laleh et al. 2022 data, and whether they reproduce the arms' RECIST endpoints.

For each arm: a SAEM fit (coley.fit.saem) of V = V0 (exp(-d t) + exp(g t) - 1) to every
reading (normalised volume), with log-normal variability on V0, d and g, and combined
residual error floored at the volume of a 5 mm lesion. Then a predictive check on endpoints
(coley.fit.predictive_check): 200 virtual trials with the arm's lesions and scan schedules,
read with and without the fitted residual error. The check compares ORR, PD as best response
and median PFS with the values the data give (one target lesion per series, RECIST 1.1).

Run:  python examples/populations/laleh_study2.py [path/to/lesions.csv]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

import coley
from coley.fit.predictive_check import predictive_check
from coley.model.growth import closed_form

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "laleh2022" / "lesions.csv"


def stein_fojo(t: np.ndarray, psi: dict[str, np.ndarray]) -> np.ndarray:
    return closed_form("stein_fojo", t, V0=psi["V0"], d=psi["d"], g=psi["g"])


def main(path: Path = DATA) -> dict[str, pd.DataFrame]:
    raw = pd.read_csv(path)
    mm3_per_unit = float((raw["Lesion_vol"] / raw["Lesion_normvol"]).median())
    floor = 0.52 * 5.0**3 / mm3_per_unit  # a 5 mm lesion, in normalised volume
    data = coley.fit.read_laleh2022(path)
    out = {}
    for arm in ("Study_2_Arm_1", "Study_2_Arm_2"):
        lesions = data[data["study_arm"] == arm]
        parameters = [coley.fit.PopulationParameter("V0", 3e-3, omega=1.0),
                      coley.fit.PopulationParameter("d", 5e-3, omega=1.0),
                      coley.fit.PopulationParameter("g", 1e-3, omega=1.0)]
        fit = coley.fit.saem(stein_fojo, lesions[["subject", "time", "value"]], parameters,
                             error=coley.fit.ResidualError("combined", a_min=floor), seed=0)
        print(f"\n{arm}: {lesions['subject'].nunique()} lesions, {len(lesions)} readings")
        print(fit.table().round(5).to_string(index=False))
        for residual in (True, False):
            check = predictive_check(fit, lesions, mm3_per_unit=mm3_per_unit,
                                     residual=residual, seed=0)
            check.insert(0, "residual_error", residual)
            out[f"{arm}, residual={residual}"] = check
            print(check.round(3).to_string(index=False))
    return out


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DATA)
