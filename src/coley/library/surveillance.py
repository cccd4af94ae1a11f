"""The coley cancer-immune surveillance model: dormancy, mechanosurveillance, editing, relapse.

coley's own model (not a published one). It joins, in one deterministic ODE system, the
mechanisms that published work describes separately:

* tumour cells in four states: proliferating ``P``; dormant, stiff ``D`` (quiescent, e.g.
  interferon-induced cytostasis); dormant, soft ``S`` (TGF-beta-induced atypical EMT: gelsolin-
  driven actin remodelling lowers cell stiffness, so cytotoxic T and NK cells, whose immune
  synapse needs a stiff target to deliver perforin and granzyme, kill them with efficiency
  ``1 - softness``); and an immune-evasive proliferating variant ``V`` (antigen loss, so CD8 T
  cells cannot see it; constitutively high PD-L1 and CD200);
* immunity: NK cells ``N`` (their killing suppressed by tumour kinase signalling and by CD200),
  effector CD8 T cells ``E`` (Kuznetsov 1994 core: supply, tumour-driven proliferation,
  PD-1-mediated inactivation), memory T cells ``M`` (formed while antigen is present, long-lived,
  re-activated by antigen), regulatory suppression ``R`` (relative to baseline);
* signals as quasi-steady-state expressions (cytokine half-lives are hours, cell dynamics days):
  IL-2, IFN, TNF-alpha (wakes dormant cells), IL-6, TGF-beta (drives P -> S);
* checkpoint ligand expression ``L`` (PD-L1 and CD200 on antigen-bearing tumour cells, induced by
  IFN and TNF: adaptive resistance);
* host activation ``A`` (infection and fever, Coley's toxins, viral infection, transfusion,
  wounds) driven by the inputs ``bacterial``, ``viral``, ``transfusion`` and ``wound``, each a
  time-limited rate set by an input schedule;
* ``H``: a cumulative immune-related (autoimmune) toxicity hazard that grows with effector
  activation; P(grade >= 3 irAE by t) = 1 - exp(-H(t)).

Sources are tagged as in the treatment catalogue: [P] published value, [M] recalled, to be
re-checked, [D] derived, [A] coley's assumption with a plausible range. The model is a
hypothesis-generating composite: its immune core takes Kuznetsov et al. 1994's BCL1 fit; the
dormancy, softness, NK-suppression and host-event terms are assumptions sized to reproduce the
qualitative behaviours of the literature (see docs/surveillance.md).
"""

from __future__ import annotations

from coley.model.components import (
    Citation,
    Hook,
    Input,
    Parameter,
    Provenance,
    Readout,
    State,
)
from coley.model.model import Model

PUBLISHED, RECALLED, DERIVED, ASSUMED = (
    Provenance.PUBLISHED, Provenance.RECALLED, Provenance.DERIVED, Provenance.ASSUMED)

_K94 = "Kuznetsov et al. 1994 (Bull Math Biol 56:295), BCL1 fit [P]"


def _a(note: str) -> str:
    return f"[A] assumption; {note}"


def _parameters() -> tuple[Parameter, ...]:
    P = Parameter
    return (
        # --- tumour
        P("g", 0.05, "1/day", "maximal proliferation rate of P and V cells",
          _a("doubling ~14 days without immunity (Kuznetsov 1994 BCL1: 0.18); plausible "
             "0.005-0.3"), lower=0, tag=ASSUMED, plausible=(0.005, 0.3)),
        P("K", 1e12, "cell", "tumour carrying capacity (all states)",
          _a("~1 kg of tumour; plausible 1e11-1e13"), lower=1,
          tag=ASSUMED, plausible=(100000000000.0, 10000000000000.0)),
        P("g_il6", 0.2, "1", "relative boost of proliferation per unit IL-6 (STAT3)",
          _a("plausible 0-1"), lower=0, tag=ASSUMED, plausible=(0.0, 1.0)),
        P("q0", 1e-3, "1/day", "basal entry of P cells into stiff dormancy D",
          _a("plausible 1e-4-1e-2"), lower=0, tag=ASSUMED, plausible=(0.0001, 0.01)),
        P("q_ifn", 0.02, "1/day", "interferon-induced cytostatic dormancy (P -> D) per unit IFN",
          _a("IFN-gamma-induced senescence/dormancy; plausible 0-0.1"), lower=0,
          tag=ASSUMED, plausible=(0.0, 0.1)),
        P("k_emt", 0.01, "1/day", "TGF-beta-driven atypical EMT P -> S per unit TGF-beta",
          _a("gelsolin-driven softening programme; plausible 1e-3-0.1"), lower=0,
          tag=ASSUMED, plausible=(0.001, 0.1)),
        P("w0", 1e-4, "1/day", "basal awakening of dormant cells (D, S -> P)",
          _a("dormancy lasting years; plausible 1e-5-1e-3"), lower=0,
          tag=ASSUMED, plausible=(1e-05, 0.001)),
        P("w_tnf", 0.2, "1/day", "maximal TNF-alpha-driven awakening of dormant cells",
          _a("inflammation wakes residual cells within days; plausible 0.02-1"), lower=0,
          tag=ASSUMED, plausible=(0.02, 1.0)),
        P("mu", 0.0, "1", "antigen-loss (evasive) variants per P-cell division",
          _a("loss of MHC-I/antigen; plausible 1e-9-1e-5; 0 by default because a "
             "deterministic model grows fractional variant cells (see docs)"), lower=0, upper=1,
          tag=ASSUMED, plausible=(1e-09, 1e-05)),
        P("v_fitness", 1.0, "1", "proliferation of antigen-loss variants V relative to P",
          _a("a fitness cost of losing antigen presentation (B2M/JAK loss) would put it "
             "below 1; plausible 0.2-1; 1 by default"), lower=0, tag=ASSUMED, plausible=(0.2, 1.0)),
        P("softness", 0.99, "1", "reduction of T/NK killing of soft cells: 1 - phi_soft",
          _a("soft EMT-like cells largely escape perforin delivery; plausible 0.7-0.99; "
             "gelsolin knockout sets it to 0"), lower=0, upper=1,
          tag=ASSUMED, plausible=(0.7, 0.99)),
        P("tgf0", 0.1, "1", "TGF-beta level without tumour (relative)", _a("plausible 0-0.5"),
          lower=0, tag=ASSUMED, plausible=(0.0, 0.5)),
        P("tgf_T", 1.0, "1", "maximal tumour-derived TGF-beta (relative)", _a("plausible 0-5"),
          lower=0, tag=ASSUMED, plausible=(0.0, 5.0)),
        P("h_tgf", 1e8, "cell", "tumour burden giving half-maximal tumour TGF-beta",
          _a("plausible 1e6-1e10"), lower=0, tag=ASSUMED, plausible=(1000000.0, 10000000000.0)),
        # --- effector CD8 T cells (Kuznetsov core)
        P("sE", 1.3e4, "cell/day", "supply of tumour-specific effector T cells (priming)",
          _K94 + " (s); the 'immune strength' of the immunoediting scenario", lower=0),
        P("pE", 0.1245, "1/day", "maximal antigen- and IL-2-driven effector proliferation",
          _K94 + " (p)", lower=0),
        P("hE", 2.019e7, "cell", "antigen-bearing cells for half-maximal proliferation",
          _K94 + " (g)", lower=0),
        P("xE", 3.422e-10, "1/(cell*day)", "PD-1-mediated effector inactivation by tumour",
          _K94 + " (m)", lower=0),
        P("dE", 0.0412, "1/day", "effector death rate", _K94 + " (d)", lower=0),
        P("kE", 1.101e-7, "1/(cell*day)", "kill rate of stiff antigen-bearing cells per effector",
          _K94 + " (n)", lower=0),
        P("antigenicity", 1.0, "1", "relative antigen presentation (scales recognition)",
          _a("1 by definition; vaccines and IFN-alpha raise it; plausible 0-3"), lower=0,
          tag=ASSUMED, plausible=(0.0, 3.0), normalisation=True),
        P("pd1", 1.0, "1", "strength of PD-1 signalling in effector T cells",
          _a("1 by definition (plausible 0.1-1 under blockade); anti-PD-1/PD-L1 "
             "antibodies inhibit it"), lower=0, tag=ASSUMED, plausible=(0.1, 1.0),
          normalisation=True),
        P("pd_gain", 2.0, "1", "extra inactivation at full PD-L1 expression (L = 1)",
          _a("plausible 0.5-10"), lower=0, tag=ASSUMED, plausible=(0.5, 10.0)),
        P("pd_kill", 3.0, "1", "PD-L1 protection of targets from CTL lysis at L = 1",
          _a("kill divided by 1 + pd1*pd_kill*L; plausible 0-10"), lower=0,
          tag=ASSUMED, plausible=(0.0, 10.0)),
        P("rs", 0.25, "1", "regulatory suppression of effector killing per unit R",
          _a("Treg suppression; plausible 0-1"), lower=0, tag=ASSUMED, plausible=(0.0, 1.0)),
        # --- memory
        P("kEM", 0.01, "1/day", "effector-to-memory conversion while antigen is present",
          _a("a few % of effectors become memory; plausible 1e-3-0.05"), lower=0,
          tag=ASSUMED, plausible=(0.001, 0.05)),
        P("rM", 0.1, "1/day", "effectors produced per memory cell per day at saturating antigen",
          _a("recall within days; memory self-renews; plausible 0.02-0.5"), lower=0,
          tag=ASSUMED, plausible=(0.02, 0.5)),
        P("hM", 1e5, "cell", "antigen-bearing cells for half-maximal memory recall",
          _a("memory responds to smaller antigen loads than naive cells; plausible 1e3-1e7"),
          lower=0, tag=ASSUMED, plausible=(1000.0, 10000000.0)),
        P("dM", 1e-3, "1/day", "memory T-cell loss rate",
          _a("half-life ~2 years; plausible 1e-4-5e-3"), lower=0,
          tag=ASSUMED, plausible=(0.0001, 0.005)),
        # --- regulatory suppression
        P("dR", 0.1, "1/day", "relaxation rate of regulatory suppression",
          _a("plausible 0.02-0.5"), lower=0, tag=ASSUMED, plausible=(0.02, 0.5)),
        P("rT", 1.0, "1", "maximal tumour-driven rise of regulatory suppression (R - 1)",
          _a("Treg expansion in large tumours; plausible 0-5"), lower=0,
          tag=ASSUMED, plausible=(0.0, 5.0)),
        P("hR", 1e9, "cell", "tumour burden for half-maximal regulatory rise",
          _a("plausible 1e7-1e11"), lower=0, tag=ASSUMED, plausible=(10000000.0, 100000000000.0)),
        # --- NK cells
        P("sN", 7e7, "cell/day", "NK-cell supply", _a("N0 = sN/dN = 1e9 circulating NK cells; "
          "plausible 1e8-1e10 at steady state"), lower=0,
          tag=ASSUMED, plausible=(7e6, 7e8)),  # N0 range 1e8-1e10 times dN = 0.07/day
        P("dN", 0.07, "1/day", "NK-cell death rate", "[M] NK half-life ~10 days "
          "(Zhang et al. 2007, Blood 110:2359)", lower=0, tag=RECALLED),
        P("kN", 3e-11, "1/(cell*day)", "NK kill rate per NK cell on an unprotected stiff target",
          _a("0.03/day per target at 1e9 NK cells; plausible 1e-12-1e-9"), lower=0,
          tag=ASSUMED, plausible=(1e-12, 1e-09)),
        P("nk_suppression", 0.5, "1", "tumour kinase-signalling suppression of NK killing",
          _a("NK kill divided by 1 + nk_suppression*(1 + cd200*ligand); kinase inhibitors "
             "relieve it; plausible 0-10"), lower=0, tag=ASSUMED, plausible=(0.0, 10.0)),
        P("cd200", 1.0, "1", "extra NK suppression at full CD200 expression",
          _a("CD200-CD200R; plausible 0-5"), lower=0, tag=ASSUMED, plausible=(0.0, 5.0)),
        P("nk_missing_self", 2.5, "1", "relative NK sensitivity of antigen/MHC-I-loss variants V",
          _a("'missing self' recognition; plausible 1-5"), lower=0,
          tag=ASSUMED, plausible=(1.0, 5.0)),
        P("nk_act", 1.0, "1", "NK-killing boost per unit host activation A",
          _a("fever and infection activate NK cells; plausible 0-3"), lower=0,
          tag=ASSUMED, plausible=(0.0, 3.0)),
        P("nk_ifn", 0.5, "1", "NK-killing boost per unit IFN", _a("plausible 0-2"), lower=0,
          tag=ASSUMED, plausible=(0.0, 2.0)),
        P("stress", 0.0, "1", "chronic stress level (0 none, 1 severe)",
          "[A] HYPOTHESIS (beta-adrenergic signalling lowers NK activity); plausible 0-1; 0 "
          "unless a scenario sets it; supportive care lowers it", lower=0, upper=1,
          tag=ASSUMED, plausible=(0.0, 1.0)),
        P("stress_nk", 0.5, "1", "fractional loss of NK killing at stress = 1",
          "[A] HYPOTHESIS; plausible 0-0.8", lower=0, upper=1, tag=ASSUMED, plausible=(0.0, 0.8)),
        # --- checkpoint ligands
        P("l_ifn", 0.2, "1", "weight of IFN relative to TNF-alpha in PD-L1/CD200 induction",
          _a("plausible 0-1"), lower=0, tag=ASSUMED, plausible=(0.0, 1.0)),
        P("kL", 0.1, "1/day", "induction of PD-L1/CD200 per unit TNF-alpha",
          _a("adaptive resistance; plausible 0.01-1"), lower=0, tag=ASSUMED, plausible=(0.01, 1.0)),
        P("dL", 0.1, "1/day", "loss of PD-L1/CD200 expression", _a("plausible 0.02-0.5"),
          lower=0, tag=ASSUMED, plausible=(0.02, 0.5)),
        # --- signals and host activation
        P("dA", 0.5, "1/day", "decay of host activation", _a("fever subsides over days; "
          "plausible 0.2-2"), lower=0, tag=ASSUMED, plausible=(0.2, 2.0)),
        P("il2_A", 0.5, "1", "IL-2 rise per unit host activation (CD4 help)",
          _a("plausible 0-2"), lower=0, tag=ASSUMED, plausible=(0.0, 2.0)),
        P("e_A", 1.0, "1", "effector priming boost per unit host activation",
          _a("adjuvant effect of infection; plausible 0-5"), lower=0,
          tag=ASSUMED, plausible=(0.0, 5.0)),
        P("ifn_E", 1.0, "1", "IFN-gamma from antigen-engaged effectors at saturation",
          _a("plausible 0-2"), lower=0, tag=ASSUMED, plausible=(0.0, 2.0)),
        P("h_ifn", 1e6, "cell", "antigen-engaged effectors (E*stim) for half-maximal IFN-gamma",
          _a("plausible 1e4-1e8"), lower=0, tag=ASSUMED, plausible=(10000.0, 100000000.0)),
        P("ifn_A", 0.5, "1", "type I IFN per unit host activation", _a("plausible 0-2"),
          lower=0, tag=ASSUMED, plausible=(0.0, 2.0)),
        P("ifn_v", 2.0, "day", "extra IFN per unit viral input", _a("viral infection is "
          "IFN-dominated; plausible 0-5"), lower=0, tag=ASSUMED, plausible=(0.0, 5.0)),
        P("tnf_A", 0.5, "1", "TNF-alpha from myeloid cells per unit host activation",
          _a("plausible 0-2"), lower=0, tag=ASSUMED, plausible=(0.0, 2.0)),
        P("tnf_N", 0.5, "1", "TNF-alpha from activated NK cells per unit A at N = N_ref",
          _a("plausible 0-2"), lower=0, tag=ASSUMED, plausible=(0.0, 2.0)),
        P("N_ref", 1e9, "cell", "reference NK-cell number (the default steady state sN/dN)",
          _a("plausible 1e8-1e10"), lower=1, tag=ASSUMED, plausible=(100000000.0, 10000000000.0)),
        P("il6_A", 1.0, "1", "IL-6 per unit host activation", _a("plausible 0-3"), lower=0,
          tag=ASSUMED, plausible=(0.0, 3.0)),
        # --- toxicity
        P("h_irae", 2e-5, "1/day", "immune-related toxicity hazard at E = E_ref",
          _a("grows with the square of effector activation; plausible 1e-5-1e-3"), lower=0,
          tag=ASSUMED, plausible=(1e-05, 0.001)),
        P("E_ref", 1e7, "cell", "effector level of the reference toxicity hazard",
          _a("plausible 1e6-1e8"), lower=0, tag=ASSUMED, plausible=(1000000.0, 100000000.0)),
    )


def _states() -> tuple[State, ...]:
    S = State
    return (
        S("P", 1e6, "cell", "proliferating, stiff, antigen-bearing tumour cells",
          "[A] a small established tumour"),
        S("D", 0.0, "cell", "dormant, stiff tumour cells (quiescent)", "[A]"),
        S("S", 0.0, "cell", "dormant, soft tumour cells (TGF-beta atypical EMT, gelsolin)", "[A]"),
        S("V", 0.0, "cell", "evasive proliferating variant (antigen loss, PD-L1/CD200 high)",
          "[A]"),
        S("N", 1e9, "cell", "NK cells", "[A] N0 = sN/dN"),
        S("E", 3.2e5, "cell", "tumour-specific effector CD8 T cells",
          "Kuznetsov et al. 1994 initial effectors [P]"),
        S("M", 0.0, "cell", "tumour-specific memory T cells", "[A] naive host"),
        S("R", 1.0, "1", "regulatory suppression relative to a tumour-free host", "[A]"),
        S("L", 0.0, "1", "PD-L1/CD200 expression on antigen-bearing tumour cells (0-1)", "[A]"),
        S("A", 0.0, "1", "host immune activation (infection, fever, toxins, transfusion)",
          "[A]"),
        S("H", 0.0, "1", "cumulative immune-related toxicity hazard", "[A]"),
    )


_EXPRESSIONS = {
    "T_total": "P + D + S + V",
    "T_vis": "P + D + S",
    "stim": "T_vis/(hE + T_vis)",
    "IL2": "1 + il2_A*A",
    "IFN": "ifn_E*E*stim/(E*stim + h_ifn) + ifn_A*A + ifn_v*viral",
    "TNF": "A*(tnf_A + tnf_N*N/N_ref)",
    "IL6": "il6_A*A",
    "TGFb": "tgf0 + tgf_T*T_total/(T_total + h_tgf)",
    "wake": "w0 + w_tnf*TNF/(1 + TNF)",
    "dormancy": "q0 + q_ifn*IFN",
    "emt": "k_emt*TGFb",
    "growth": "g*(1 + g_il6*IL6)*(1 - T_total/K)",
    "ctl": "kE*antigenicity*E/((1 + rs*R)*(1 + pd1*pd_kill*L))",
    "nk": "kN*N*(1 + nk_act*A + nk_ifn*IFN)*(1 - stress_nk*stress)",
    "nk_f": "1/(1 + nk_suppression*(1 + cd200*L))",
    "nk_fV": "1/(1 + nk_suppression*(1 + cd200))",
    "kill": "ctl + nk*nk_f",
    "phi": "1 - softness",
    "recall": "rM*M*T_vis/(hM + T_vis)",
}

_EQUATIONS = {
    "P": "growth*(1 - mu)*P - (dormancy + emt)*P + wake*(D + S) - kill*P",
    "D": "dormancy*P - wake*D - kill*D",
    "S": "emt*P - wake*S - phi*kill*S",
    "V": "v_fitness*growth*V + growth*mu*P - nk_missing_self*nk*nk_fV*V",
    "N": "sN - dN*N",
    "E": "sE*(1 + e_A*A) + pE*IL2*E*stim - xE*pd1*(1 + pd_gain*L)*E*T_vis - dE*E - kEM*E*stim"
         " + recall",
    "M": "kEM*E*stim - dM*M",
    "R": "dR*(1 + rT*T_total/(T_total + hR) - R)",
    "L": "kL*(TNF + l_ifn*IFN)*(1 - L) - dL*L",
    "A": "bacterial + viral + transfusion + wound - dA*A",
    "H": "h_irae*(E/E_ref)**2",
}

#: Tumour states, in the order they are summed for the total burden.
TUMOUR_STATES = ("P", "D", "S", "V")

#: Host-event inputs (activation per day while the event lasts).
HOST_INPUTS = ("bacterial", "viral", "transfusion", "wound")

#: What scenario summaries and robustness runs report besides the burden states (each
#: ``f"{reduction}_{name}"``: ``final_E``, ``max_dormant``), and the panels of a scenario's
#: figure (after the total burden): dormant cells, effectors, checkpoint ligands.
READOUTS = (
    Readout("dormant", ("D", "S"), "dormant cells (D + S)", reduce=("final", "max"),
            panel=True),
    Readout("E", ("E",), "effector CD8 T cells E", reduce=("final", "max"), panel=True),
    Readout("L", ("L",), "PD-L1/CD200 expression L", reduce=("max",), panel=True,
            log_scale=False),
    Readout("M", ("M",), "memory T cells M"),
    Readout("N", ("N",), "NK cells N"),
    Readout("V", ("V",), "antigen-loss variants V", reduce=("final", "max")),
    Readout("S", ("S",), "soft dormant cells S"),
    Readout("P", ("P",), "proliferating tumour cells P", reduce=("final", "max")),
)

_DESCRIPTION = """\
Assumptions (see docs/surveillance.md for the full list):
* Cytokines are in quasi-steady state and dimensionless (1 = a typical inflamed level).
* Effector T cells follow Kuznetsov et al. 1994 (supply sE, saturating tumour-driven
  proliferation, mass-action inactivation and killing), extended with IL-2, PD-L1 and
  regulatory suppression; CD8 T cells cannot see antigen-loss variants V.
* Soft dormant cells S are killed with efficiency phi = 1 - softness by T and NK cells;
  gelsolin knockout is softness = 0, actin-targeting drugs inhibit the tumour_softening hook.
* Dormant cells (D, S) do not divide and are not touched by chemotherapy (the tumour_cells
  hook targets P only); TNF-alpha wakes them.
* Host events (bacterial infection/fever, Coley's toxins, viral infection, transfusion, wound)
  are inputs (1/day) that raise host activation A for as long as they last.
* Chronic stress (parameter stress) lowering NK killing is a HYPOTHESIS, off by default.
"""


def model() -> Model:
    """coley's cancer-immune surveillance model with its default (assumed) parameters."""
    return Model(
        name="surveillance",
        title="coley cancer-immune surveillance: dormancy, mechanosurveillance, editing, relapse",
        states=_states(),
        parameters=_parameters(),
        inputs=tuple(Input(name, "1/day", f"host activation from {name.replace('_', ' ')}")
                     for name in HOST_INPUTS),
        expressions=dict(_EXPRESSIONS),
        equations=dict(_EQUATIONS),
        hooks=(
            Hook("effector_kill", "rate", "kE", "CD8 T-cell killing"),
            Hook("effector_exhaustion", "rate", "pd1",
                 "PD-1 signalling: effector inactivation and PD-L1 protection of targets"),
            Hook("effector_influx", "rate", "sE", "supply (priming) of effector T cells"),
            Hook("effector_proliferation", "rate", "pE", "IL-2-driven effector proliferation"),
            Hook("regulatory_suppression", "rate", "rs", "regulatory suppression of effectors"),
            Hook("tumour_growth", "rate", "g", "proliferation of P and V cells"),
            Hook("antigenicity", "rate", "antigenicity", "antigen presentation"),
            Hook("nk_kill", "rate", "kN", "NK-cell killing (and ADCC)"),
            Hook("nk_suppression", "rate", "nk_suppression",
                 "tumour kinase-signalling (and CD200) suppression of NK killing"),
            Hook("tgfb_signalling", "rate", "k_emt", "TGF-beta-driven soft-state (EMT) entry"),
            Hook("tumour_softening", "rate", "softness",
                 "gelsolin/actin softening that protects S cells (1 - phi_soft)"),
            Hook("nk_cells", "state", "N", "NK cells (infusion, depletion)"),
            Hook("effector_cells", "state", "E", "effector T cells (adoptive transfer)"),
            Hook("tumour_cells", "state", "P",
                 "proliferating tumour cells (chemotherapy, radiotherapy, resection)"),
        ),
        citation=Citation(
            "coley surveillance model (this package), immune core from Kuznetsov VA, Makalkin IA, "
            "Taylor MA, Perelson AS (1994), Bull Math Biol 56:295-321",
            doi="10.1007/BF02460644",
            note="A composite, hypothesis-generating model: most parameters are [A] "
                 "assumptions with plausible ranges.",
        ),
        description=_DESCRIPTION,
        tumour_states=TUMOUR_STATES,
        readouts=READOUTS,
        hazard_states=("H",),
    )
