"""Kosinsky et al. 2018: radiotherapy and anti-PD-L1 in CT26 tumours (a QSP model).

J Immunother Cancer 6:17 (doi:10.1186/s40425-018-0327-9), BioModels BIOMD0000000863. Equations
transcribed by hand from the curated BioModels file; values from the file and the paper's
Table 1. Tumour volume TV (mm^3) grows logistically; radiation moves cells into a damaged
compartment TVd through a linear-quadratic effect of the dose rate R and of DNA double-strand
breaks U; damaged cells die at mu and their death, with effector kill, makes antigen that draws
non-differentiated effectors nTeff into the tumour; they proliferate and differentiate into
killing effectors dTeff unless suppressed by PD-L1 (induced by dTeff) or by the antigen load:

    TCD  = mu*TVd/(TV + TVd) + n_e*dTeff + d0          (tumour cell death rate)
    Ag   = TCD^2/(TCD^2 + Ktcd^2)*(TV + TVd)           (antigen from mature dendritic cells)
    act  = (1 - s_pdl1*PDL1/(1 + mAb/K_D))*(1 - Ag/(Ag + S_R))
    kill = alpha*R + 0.2*alpha/(tau*delta^2)*U^2        (radiation damage rate per tumour cell)
    dTV/dt    = r*TV*(1 - TV/TVmax) - kill*TV - (n_e*dTeff + d0)*TV
    dTVd/dt   = kill*TV - mu*TVd
    dU/dt     = delta*R - U/tau
    dnTeff/dt = kLN*Ag/(Ag + S_L) + act*(kpro - kdif)*nTeff - k_el*nTeff
    ddTeff/dt = act*kdif*nTeff - kapo*dTeff
    dPDL1/dt  = kpdl*dTeff/(Kpdl + dTeff) - kpdl*PDL1
    dAb/dt    = -k_el_mAb*Ab,   mAb = Ab*1e6/(MW*V_d)   (antibody, mg -> nmol/L)

Differences from the BioModels file, all without effect on the untreated model (R = 0, no
antibody, where the file and this module agree):

* The file repairs double-strand breaks at ``tau*U`` with tau = 0.02 day; that is dimensionally
  wrong (tau is a time) and makes the quadratic term 2500 times too large. coley uses ``U/tau``:
  after an acute dose D, U = delta*D*exp(-t/tau), and the quadratic term then removes
  0.2*alpha/(tau*delta^2) * integral(U^2) dt = 0.1*alpha*D^2, the linear-quadratic beta with
  alpha/beta = 10 Gy that the factor 0.2 encodes.
* The file has no dosing: its radiation dose rate is fixed at 0 and its antibody concentration
  is a constant 0. Here R is an input (give a fraction of D Gy as an ``Infusion`` of D/duration
  Gy/day over a short delivery time) and the antibody is a one-compartment state Ab (mg) dosed
  with a ``Jump``; V_d, k_el_mAb and K_D are the file's, the molar mass is an assumption.
* ``s_pdl1`` (default 1, the paper) scales PD-L1 suppression so that checkpoint treatments of
  the catalogue can act on it through the ``effector_exhaustion`` hook.

Not part of the ODE (statistical model of the paper): random effect on T-cell influx
Omega_SL = 0.696, and the file's a = 21.2 and b = 0.176, most likely the additive (mm^3) and
proportional parts of the residual error; the file's absorption rate k_a = 0 is unused.
"""

from __future__ import annotations

from coley.model.components import Citation, Hook, Input, Parameter, State
from coley.model.model import Model

_T1 = "Kosinsky et al. 2018, Table 1 (= BioModels BIOMD0000000863)"
_SBML = ("BioModels BIOMD0000000863 (the paper's Table 1 was seen only up to alpha; value not "
         "re-read there)")
_INIT = "BioModels BIOMD0000000863 initial value"

#: Statistical-model values of the paper, not used by the ODE: random effect on the T-cell
#: influx (Table 1, Omega_SL), and a, b of the BioModels file (probably the residual error).
OMEGA_SL = 0.696
RESIDUAL_A, RESIDUAL_B = 21.2, 0.176

#: Mouse body weight (kg) assumed to convert mg/kg antibody doses to mg; not from the paper.
MOUSE_WEIGHT_KG = 0.02


def antibody_dose_mg(mg_per_kg: float, weight_kg: float = MOUSE_WEIGHT_KG) -> float:
    """Antibody amount (mg) of a per-weight dose for a mouse of ``weight_kg`` (default 20 g)."""
    return mg_per_kg * weight_kg


def model() -> Model:
    """The Kosinsky 2018 model, untreated (TV0 = 15 mm^3 and no immune cells, as in the file)."""
    return Model(
        name="kosinsky2018",
        title="Kosinsky et al. 2018: radiotherapy and anti-PD-L1 in CT26 tumours (QSP)",
        states=(
            State("TV", 15.0, "mm^3", "viable tumour volume", _INIT),
            State("TVd", 0.0, "mm^3", "radiation-damaged (dying) tumour volume", _INIT),
            State("U", 0.0, "1", "DNA double-strand breaks (relative units)", _INIT),
            State("nTeff", 0.0, "cell", "non-differentiated effector T cells in the tumour",
                  _INIT),
            State("dTeff", 0.0, "cell", "differentiated (killing) effector T cells", _INIT),
            State("PDL1", 0.0, "1", "relative PD-L1 expression (0 to 1)", _INIT),
            State("Ab", 0.0, "mg", "anti-PD-L1 antibody in the body",
                  "no antibody (the file's mAb = 0)"),
        ),
        parameters=(
            Parameter("r", 0.4, "1/day", "tumour growth rate", _T1, lower=0),
            Parameter("TVmax", 2500.0, "mm^3", "maximal tumour volume", _T1, lower=0),
            Parameter("d0", 0.01, "1/day", "spontaneous death rate of tumour cells", _T1,
                      lower=0),
            Parameter("kLN", 279.0, "cell/day", "maximal influx rate of nTeff cells", _T1,
                      lower=0),
            Parameter("S_L", 8.89, "mm^3",
                      "T-cell ability to infiltrate tumour tissue under systemic antigen", _T1,
                      lower=0),
            Parameter("kpro", 3.0, "1/day", "nTeff proliferation rate constant", _T1, lower=0),
            Parameter("kdif", 3.2, "1/day", "nTeff differentiation rate constant", _T1,
                      lower=0),
            Parameter("k_el", 0.2, "1/day", "nTeff elimination rate constant", _T1, lower=0),
            Parameter("kapo", 2.0, "1/day", "dTeff apoptosis rate constant", _T1, lower=0),
            Parameter("n_e", 1.0e-3, "1/(cell*day)", "rate of tumour cell kill by dTeff",
                      _T1 + " (e)", lower=0),
            Parameter("Kpdl", 478.0, "cell", "dTeff count for half-maximal PD-L1 up-regulation",
                      _T1, lower=0),
            Parameter("kpdl", 1.0, "1/day", "PD-L1 up-regulation rate constant", _T1, lower=0),
            Parameter("Ktcd", 0.2, "1/day", "sensitivity of dendritic-cell maturation to TCD",
                      _T1, lower=0),
            Parameter("S_R", 30.5, "mm^3",
                      "sensitivity of immunosuppression to systemic antigen", _T1, lower=0),
            Parameter("alpha", 0.146, "1/Gy", "linear component of the radiation effect", _T1,
                      lower=0),
            Parameter("delta", 19.0, "1/Gy", "double-strand breaks made per Gy", _SBML,
                      lower=0),
            Parameter("tau", 0.02, "day", "double-strand-break repair time (repair rate 1/tau)",
                      _SBML + "; used as U/tau (the file writes tau*U, see the module notes)",
                      lower=0),
            Parameter("mu", 0.1725, "1/day", "death rate of damaged tumour cells", _SBML,
                      lower=0),
            Parameter("K_D", 30.0, "nmol/L", "anti-PD-L1 affinity (dissociation constant)",
                      _SBML, lower=0),
            Parameter("k_el_mAb", 0.15, "1/day", "anti-PD-L1 elimination rate constant", _SBML,
                      lower=0),
            Parameter("V_d", 0.003, "L", "anti-PD-L1 volume of distribution (mouse)", _SBML,
                      lower=0),
            Parameter("MW", 1.5e5, "g/mol", "antibody molar mass",
                      "[A] typical IgG (~150 kDa); not in the paper or the file", lower=0),
            Parameter("s_pdl1", 1.0, "1", "strength of PD-L1 suppression of T-cell activation",
                      "[coley] handle for checkpoint hooks; 1 reproduces the paper", lower=0),
        ),
        inputs=(Input("R", "Gy/day", "radiation dose rate (a fraction: an Infusion)"),),
        expressions={
            "mAb": "Ab*1e6/(MW*V_d)",
            "TCD": "mu*TVd/(TV + TVd) + n_e*dTeff + d0",
            "Ag": "TCD**2/(TCD**2 + Ktcd**2)*(TV + TVd)",
            "act": "(1 - s_pdl1*PDL1/(1 + mAb/K_D))*(1 - Ag/(Ag + S_R))",
            "kill": "alpha*R + 0.2*alpha/(tau*delta**2)*U**2",
        },
        equations={
            "TV": "r*TV*(1 - TV/TVmax) - kill*TV - (n_e*dTeff + d0)*TV",
            "TVd": "kill*TV - mu*TVd",
            "U": "delta*R - U/tau",
            "nTeff": "kLN*Ag/(Ag + S_L) + act*(kpro - kdif)*nTeff - k_el*nTeff",
            "dTeff": "act*kdif*nTeff - kapo*dTeff",
            "PDL1": "kpdl*dTeff/(Kpdl + dTeff) - kpdl*PDL1",
            "Ab": "-k_el_mAb*Ab",
        },
        hooks=(
            Hook("effector_kill", "rate", "n_e", "tumour cell kill by differentiated effectors"),
            Hook("effector_exhaustion", "rate", "s_pdl1",
                 "PD-L1 suppression of effector activation (checkpoint blockade)"),
            Hook("effector_influx", "rate", "kLN", "effector T-cell influx into the tumour"),
            Hook("effector_proliferation", "rate", "kpro", "effector T-cell proliferation"),
            Hook("tumour_growth", "rate", "r", "tumour growth rate"),
            Hook("effector_cells", "state", "dTeff", "differentiated effector T cells"),
            Hook("tumour_cells", "state", "TV", "viable tumour volume (resection, log-kill)"),
            Hook("anti_pdl1", "state", "Ab", "the model's own anti-PD-L1 antibody (mg)"),
        ),
        citation=Citation(
            "Kosinsky Y, Dovedi SJ, Peskov K, Voronova V, Chu L, et al. (2018). Radiation and "
            "PD-(L)1 treatment combinations: "
            "immune response and dose optimization via a predictive systems model. "
            "J Immunother Cancer 6:17",
            doi="10.1186/s40425-018-0327-9", biomodels_id="BIOMD0000000863",
            note="DSB repair as U/tau (the BioModels file's tau*U is dimensionally wrong); "
                 "dosing added (the file has none).",
        ),
        description=(
            "Time in days, tumour volume in mm^3, T cells as counts. Untreated from the "
            "file's initial state (TV = 15 mm^3). Radiation: a fraction of D Gy is an "
            "Infusion('R', D/d, t, t + d) over a short delivery time d (a few minutes); "
            "anti-PD-L1: Jump('Ab', t, dose_mg) (10 mg/kg = 0.2 mg for a 20 g mouse). "
            "Double-strand breaks are repaired at U/tau, so that an acute dose D removes the "
            "linear-quadratic fraction with beta = alpha/10 (the file's tau*U is a units "
            "error). Not in the ODE: Omega_SL = 0.696 (random effect on T-cell influx) and "
            "the file's a = 21.2, b = 0.176 (probably the residual error model)."
        ),
    )
