"""de Pillis, Radunskaya & Wiseman 2005: NK cells, CD8+ T cells and tumour.

Cancer Res 65:7950-7958 (doi:10.1158/0008-5472.CAN-05-0564), BioModels MODEL1907260001.
Fitted to Diefenbach et al. 2001 mouse data (NKG2D-ligand transduced or not) and to Dudley
et al. 2002 patient data.

    dT/dt = a*T*(1 - b*T) - c*N*T - D*T
    dN/dt = sigma - f*N + g*T^2/(h + T^2)*N - p*N*T
    dL/dt = -m*L + j*(D*T)^2/(k + (D*T)^2)*L - q*L*T + r*N*T
    D = d*(L/T)^lam / (s + (L/T)^lam)

coley writes the CD8 kill term D*T as ``d*T/(1 + s*(|T|/|L|)^lam)``, and exactly 0 when T = 0:
identical for T, L > 0; zero after a cure (where the paper's form divides by zero), at L = 0 and
at the tumour-free state T = L = 0 (where any form is 0/0); one power instead of two.

Variants (first letter: priming cells, second: challenge; n = non-ligand, l = NKG2D-ligand
transduced): ``nn`` (default, the BioModels file), ``nl``, ``ln``, ``ll`` from the paper's mouse
fits; ``human9``: the Dudley 2002 patient-9 fit as used by the coley performance anchor
(d = 5.80, lam = 1.36, s = 0.25, k = 2e7). The human values were cross-checked against two
public re-implementations only, not re-read from the paper's Table 2; treat them as provisional.
"""

from __future__ import annotations

from coley.errors import unknown_name
from coley.model.components import Citation, Hook, Parameter, State
from coley.model.model import Model

_MOUSE = "de Pillis et al. 2005, Table 1 (mouse fits; nn values = BioModels MODEL1907260001)"
_HUMAN = ("de Pillis et al. 2005, patient 9 (Dudley 2002) as in shared/research/perf-anchor.md; "
          "provisional, not re-read from the paper")

#: Variant-specific values: (c, g, d, lam, s, j, k).
VARIANTS: dict[str, dict[str, float]] = {
    "nn": {"c": 3.23e-7, "g": 0.025, "d": 1.43, "lam": 0.58, "s": 2.73, "j": 0.0375, "k": 2.02e7},
    "nl": {"c": 3.23e-7, "g": 0.025, "d": 3.6, "lam": 0.46, "s": 1.61, "j": 0.0375, "k": 2.02e7},
    "ln": {"c": 3.5e-6, "g": 0.2, "d": 3.51, "lam": 0.90, "s": 5.07, "j": 0.113, "k": 2.02e7},
    "ll": {"c": 3.5e-6, "g": 0.2, "d": 7.17, "lam": 0.75, "s": 0.40, "j": 0.30, "k": 2.02e7},
    "human9": {"c": 3.23e-7, "g": 0.025, "d": 5.80, "lam": 1.36, "s": 0.25, "j": 0.0375,
               "k": 2.0e7},
}


def model(variant: str = "nn") -> Model:
    """The de Pillis 2005 model for one of :data:`VARIANTS` (initial state of the SBML file)."""
    if variant not in VARIANTS:
        raise unknown_name("variant", variant, VARIANTS, where="model 'depillis2005'")
    v = VARIANTS[variant]
    src = _HUMAN if variant == "human9" else _MOUSE
    shared = _MOUSE + " (shared by all variants)"
    return Model(
        name="depillis2005",
        title=f"de Pillis, Radunskaya & Wiseman 2005: NK, CD8+ T and tumour ({variant} fit)",
        states=(
            State("T", 100.0, "cell", "tumour cells", "BioModels MODEL1907260001 initial value"),
            State("N", 1.0e3, "cell", "NK cells", "BioModels MODEL1907260001 initial value"),
            State("L", 0.0, "cell", "tumour-specific CD8+ T cells",
                  "BioModels MODEL1907260001 initial value"),
        ),
        parameters=(
            Parameter("a", 0.514, "1/day", "tumour growth rate", shared, lower=0),
            Parameter("b", 1.02e-9, "1/cell", "inverse carrying capacity", shared, lower=0),
            Parameter("c", v["c"], "1/(cell*day)", "NK kill rate of tumour cells", src, lower=0),
            Parameter("d", v["d"], "1/day", "saturation level of CD8+ kill", src, lower=0),
            Parameter("lam", v["lam"], "1", "exponent of the CD8+ kill fraction (lambda)", src,
                      lower=0),
            Parameter("s", v["s"], "1", "steepness of the CD8+ kill fraction", src, lower=0),
            Parameter("sigma", 1.3e4, "cell/day", "constant NK influx", shared, lower=0),
            Parameter("f", 0.0412, "1/day", "NK death rate", shared, lower=0),
            Parameter("g", v["g"], "1/day", "maximum NK recruitment by tumour", src, lower=0),
            Parameter("h", 2.02e7, "cell^2", "NK recruitment steepness", shared, lower=0),
            Parameter("j", v["j"], "1/day", "maximum CD8+ recruitment by killed tumour", src,
                      lower=0),
            Parameter("k", v["k"], "cell^2", "CD8+ recruitment steepness", src, lower=0),
            Parameter("m", 0.02, "1/day", "CD8+ death rate", shared, lower=0),
            Parameter("q", 3.42e-10, "1/(cell*day)", "CD8+ inactivation by tumour", shared,
                      lower=0),
            Parameter("p", 1.0e-7, "1/(cell*day)", "NK inactivation by tumour", shared, lower=0),
            Parameter("r", 1.1e-7, "1/(cell*day)", "CD8+ stimulation by NK-tumour encounters",
                      shared, lower=0),
        ),
        expressions={"kill": "Piecewise((0, Eq(T, 0)), (d*T/(1 + s*(abs(T)/abs(L))**lam), True))"},
        equations={
            "T": "a*T*(1 - b*T) - c*N*T - kill",
            "N": "sigma - f*N + g*T**2/(h + T**2)*N - p*N*T",
            "L": "-m*L + j*kill**2/(k + kill**2)*L - q*L*T + r*N*T",
        },
        hooks=(
            Hook("effector_kill", "rate", "d", "saturation level of CD8+ T-cell kill"),
            Hook("effector_exhaustion", "rate", "q", "CD8+ T-cell inactivation by tumour"),
            Hook("effector_recruitment", "rate", "j", "CD8+ recruitment by killed tumour"),
            Hook("nk_kill", "rate", "c", "tumour kill by NK cells"),
            Hook("nk_suppression", "rate", "p", "NK inactivation by tumour"),
            Hook("nk_influx", "rate", "sigma", "constant NK supply"),
            Hook("tumour_growth", "rate", "a", "tumour growth rate"),
            Hook("effector_cells", "state", "L", "CD8+ T cells (adoptive transfer)"),
            Hook("nk_cells", "state", "N", "NK cells (NK infusion)"),
            Hook("tumour_cells", "state", "T", "tumour cells (resection, log-kill)"),
        ),
        citation=Citation(
            "de Pillis LG, Radunskaya AE, Wiseman CL (2005). A validated mathematical model of "
            "cell-mediated immune response to tumor growth. Cancer Res 65:7950-7958",
            doi="10.1158/0008-5472.CAN-05-0564", biomodels_id="MODEL1907260001",
        ),
        description=f"Parameter variant {variant!r}. Tumour-free NK level N* = sigma/f.",
    )
