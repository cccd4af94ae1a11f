"""Kirschner & Panetta 1998: effector cells, tumour and IL-2, with adoptive transfer and IL-2.

J Math Biol 37:235-252 (doi:10.1007/s002850050127), BioModels BIOMD0000000732.

    dE/dt = c*T - mu2*E + p1*E*I/(g1 + I) + s1
    dT/dt = r2*T*(1 - b*T) - a*E*T/(g2 + T)
    dI/dt = p2*E*T/(g3 + T) - mu3*I + s2

c is the tumour's antigenicity, s1 adoptive cellular immunotherapy (ACI) and s2 IL-2 infusion.
Variables are per unit volume (Caravagna et al. 2010 use a blood volume of 3.2 ml).

The BioModels file writes the IL-2 proliferation term as p1*E*I/g1 (no saturation); the
``il2_form="biomodels"`` variant reproduces that file exactly, the default is the paper's form.
They differ by about 1e-3 relative while I << g1 (untreated), and diverge under IL-2 therapy.
"""

from __future__ import annotations

from typing import Literal

from coley.errors import InvalidArgumentError
from coley.model.components import Citation, Hook, Parameter, State
from coley.model.model import Model

_SRC = "Kirschner & Panetta 1998, Table 1 (as tabulated by Caravagna et al. 2010, JTB 265:336)"


def model(il2_form: Literal["paper", "biomodels"] = "paper") -> Model:
    """The Kirschner-Panetta model (c = 0.035, no therapy; initial state of BIOMD0000000732)."""
    if il2_form == "paper":
        prolif = "p1*E*I/(g1 + I)"
    elif il2_form == "biomodels":
        prolif = "p1*E*I/g1"
    else:
        raise InvalidArgumentError(
            f"il2_form must be 'paper' or 'biomodels', got {il2_form!r}."
        )
    return Model(
        name="kirschner_panetta1998",
        title="Kirschner & Panetta 1998: effector cells, tumour and IL-2 with immunotherapy",
        states=(
            State("E", 0.0, "cell/vol", "activated effector cells",
                  "BioModels BIOMD0000000732 initial value"),
            State("T", 1.0, "cell/vol", "tumour cells", "BioModels BIOMD0000000732 initial value"),
            State("I", 0.0, "IU/vol", "IL-2 concentration",
                  "BioModels BIOMD0000000732 initial value"),
        ),
        parameters=(
            Parameter("c", 0.035, "1/day", "tumour antigenicity (varied 0 ... 0.05 in the paper)",
                      "BioModels BIOMD0000000732; paper range " + _SRC, lower=0),
            Parameter("mu2", 0.03, "1/day", "effector death rate", _SRC, lower=0),
            Parameter("p1", 0.1245, "1/day", "maximum IL-2-driven effector proliferation", _SRC,
                      lower=0),
            Parameter("g1", 2.0e7, "IU/vol", "half-saturation of IL-2-driven proliferation",
                      _SRC, lower=0),
            Parameter("r2", 0.18, "1/day", "tumour growth rate", _SRC, lower=0),
            Parameter("b", 1.0e-9, "vol/cell", "inverse carrying capacity", _SRC, lower=0),
            Parameter("a", 1.0, "1/day", "maximum tumour kill rate by effectors", _SRC, lower=0),
            Parameter("g2", 1.0e5, "cell/vol", "half-saturation of tumour kill", _SRC, lower=0),
            Parameter("p2", 5.0, "IU/(cell*day)", "IL-2 production by stimulated effectors",
                      _SRC, lower=0),
            Parameter("g3", 1.0e3, "cell/vol", "half-saturation of IL-2 production", _SRC,
                      lower=0),
            Parameter("mu3", 10.0, "1/day", "IL-2 loss rate", _SRC, lower=0),
            Parameter("s1", 0.0, "cell/(vol*day)", "adoptive cellular immunotherapy (ACI) influx",
                      _SRC + "; 0 = untreated", lower=0),
            Parameter("s2", 0.0, "IU/(vol*day)", "IL-2 infusion rate", _SRC + "; 0 = untreated",
                      lower=0),
        ),
        equations={
            "E": f"c*T - mu2*E + {prolif} + s1",
            "T": "r2*T*(1 - b*T) - a*E*T/(g2 + T)",
            "I": "p2*E*T/(g3 + T) - mu3*I + s2",
        },
        hooks=(
            Hook("effector_kill", "rate", "a", "tumour kill by effector cells"),
            Hook("antigenicity", "rate", "c", "effector stimulation by the tumour"),
            Hook("effector_proliferation", "rate", "p1", "IL-2-driven effector proliferation"),
            Hook("il2_production", "rate", "p2", "IL-2 production by effectors"),
            Hook("tumour_growth", "rate", "r2", "tumour growth rate"),
            Hook("effector_cells", "state", "E", "effector cells (adoptive transfer)"),
            Hook("tumour_cells", "state", "T", "tumour cells (resection, log-kill)"),
            Hook("il2", "state", "I", "IL-2 (cytokine therapy)"),
        ),
        citation=Citation(
            "Kirschner D, Panetta JC (1998). Modeling immunotherapy of the tumor-immune "
            "interaction. J Math Biol 37:235-252",
            doi="10.1007/s002850050127", biomodels_id="BIOMD0000000732",
            note="IL-2 term: paper form p1*E*I/(g1+I); BioModels file uses p1*E*I/g1.",
        ),
        description=(
            f"IL-2 proliferation term in the {il2_form!r} form. Tumour-free equilibrium is "
            "locally stable iff s1 > r2*g2*mu2/a (= 540 with these parameters, any c)."
        ),
    )


def aci_cure_threshold(m: Model | None = None) -> float:
    """The ACI dose s1 above which the tumour-free state is locally stable: r2*g2*mu2/a.

    From the linearisation at (E, T, I) = (s1/mu2, 0, 0): dT/dt ~ (r2 - a*s1/(mu2*g2))*T.
    """
    v = {p.name: p.value for p in (m or model()).parameters}
    return v["r2"] * v["g2"] * v["mu2"] / v["a"]
