"""The modality catalogue: every treatment coley knows, with its mechanism and sources.

Source tags, as in ``shared/research``: [P] published value read from the source; [M] recalled
from the publication, to be re-checked before it becomes a hard target; [D] derived here (the
derivation is in the comment or the test); [A] an assumption of coley's, with a plausible range.
Effect sizes (emax, ec50) of the immune mechanisms are mostly [A]: published tumour-immune
models do not agree on them, and trials (coley.population) calibrate them to clinical outcomes.

Toxicity rates are [D]: calibrated so that the standard regimen reproduces the published rate
of grade >= 3 events (tests/treat/test_catalogue.py recomputes them from the regimen).
"""

from __future__ import annotations

from coley.errors import InvalidArgumentError, unknown_name
from coley.treat.effects import AbstractEffect
from coley.treat.modality import Action, Modality, Toxicity
from coley.treat.pk import (
    CellKinetics,
    OneCompartment,
    ReplicatingVirus,
    Signal,
    TwoCompartment,
)

_IGG = ("[A] generic IgG1 two-compartment values (CL 0.2 L/day, V1 3 L, Q 0.5 L/day, V2 3 L), "
        "typical of therapeutic antibodies (Dirks & Meibohm 2010, Clin Pharmacokinet 49:633)")
_PD1_EFFECT = ("[A] PD-1 blockade removes up to 90% of effector inactivation; EC50 0.5 mg/L, far "
               "below trough levels of ~20 mg/L at 200 mg q3w (full occupancy; plausible 0.1-2)")
_KN006 = ("[D] calibrated to KEYNOTE-006 grade 3-5 TRAE (Robert et al. NEJM 2015;372:2521 [M]): "
          "pembrolizumab 200 mg q3w for the mean exposure of 151 d gives 10.1% by day 365, "
          "ipilimumab 3 mg/kg x4 q3w gives 19.9% (rate = -ln(1 - p) / integral of the effect; "
          "tests/treat/test_catalogue.py recomputes both)")


def _checkpoint(name: str, kind: str, pk: TwoCompartment, hook: str, tox_rate: float,
                description: str, extra: tuple[AbstractEffect, ...] = ()) -> Modality:
    return Modality(
        name=name, kind=kind, description=description, dose_units=("mg", "mg/kg"), pk=pk,
        actions=(Action(hook, "inhibit", emax=0.9, ec50=0.5, meaning="checkpoint blockade",
                        source=_PD1_EFFECT), *extra),
        toxicity=(Toxicity("irAE", tox_rate, 0.35, _KN006),),
        source=pk.source,
    )


_CATALOGUE: tuple[Modality, ...] = (
    _checkpoint(
        "pembrolizumab", "anti-PD-1",
        TwoCompartment(0.22, 3.48, 0.795, 4.06, "mg",
                       "Ahamadi et al. 2017, CPT Pharmacometrics Syst Pharmacol 6:49, "
                       "Table 3 [P]"),
        "effector_exhaustion", 3.84e-4,
        "Anti-PD-1 antibody: blocks PD-1 on T cells, reducing their exhaustion/inactivation."),
    _checkpoint(
        "nivolumab", "anti-PD-1",
        TwoCompartment(0.2256, 3.63, 0.7704, 2.78, "mg",
                       "Bajaj et al. 2017, CPT Pharmacometrics Syst Pharmacol 6:58, Table 1 "
                       "(CL 9.4 mL/h, Q 32.1 mL/h; baseline, before time-varying CL) [P]"),
        "effector_exhaustion", 3.84e-4,
        "Anti-PD-1 antibody: blocks PD-1 on T cells, reducing their exhaustion/inactivation."),
    _checkpoint(
        "atezolizumab", "anti-PD-L1",
        TwoCompartment(0.200, 3.28, 0.546, 3.63, "mg",
                       "Tecentriq label: CL 0.200 L/day, V1 3.28 L, Vss 6.91 L [P]; Q from "
                       "Stroh et al. 2017, Clin Pharmacol Ther 102:305 [M]"),
        "effector_exhaustion", 3.84e-4,
        "Anti-PD-L1 antibody: blocks PD-L1 on tumour and myeloid cells."),
    Modality(
        name="ipilimumab", kind="anti-CTLA-4",
        description=("Anti-CTLA-4 antibody: enhances priming of new effector T cells and "
                     "depletes regulatory T cells where the model has them."),
        dose_units=("mg", "mg/kg"),
        pk=TwoCompartment(0.36, 4.15, 0.9864, 3.11, "mg",
                          "Feng et al. 2014, Br J Clin Pharmacol 78:106, Table 2 (CL 0.0150 L/h, "
                          "Vc 4.15 L, Q 0.0411 L/h, Vp 3.11 L) [P]"),
        actions=(
            Action("effector_influx", "stimulate", emax=1.0, ec50=3.0,
                   meaning="enhanced priming (CTLA-4 blockade in lymph nodes)",
                   source="[A] up to doubling of effector supply; EC50 3 mg/L (plausible 1-10)"),
            Action("regulatory_suppression", "inhibit", emax=0.5, ec50=3.0,
                   meaning="Treg depletion by ADCC",
                   source="[A] up to 50% loss of regulatory suppression", optional=True),
        ),
        toxicity=(Toxicity("irAE", 1.98e-3, 0.35, _KN006),),
        source="Feng et al. 2014",
    ),
    Modality(
        name="anti_cd200", kind="other checkpoint (CD200)",
        description="Anti-CD200 antibody (samalizumab-like): lifts CD200-CD200R suppression of "
                    "NK and myeloid cells and of T cells.",
        dose_units=("mg", "mg/kg"), pk=TwoCompartment(0.2, 3.0, 0.5, 3.0, "mg", _IGG),
        actions=(
            Action("nk_suppression", "inhibit", emax=0.7, ec50=1.0,
                   meaning="CD200R signalling blocked on NK cells",
                   source="[A] 70% maximal relief (plausible 0.3-0.9)"),
            Action("effector_exhaustion", "inhibit", emax=0.3, ec50=1.0,
                   meaning="CD200R signalling blocked on T cells", source="[A]", optional=True),
        ),
        toxicity=(Toxicity("irAE", 3.0e-4, 0.35, "[A] lower than PD-1 blockade"),),
        source=_IGG,
    ),
    Modality(
        name="car_t", kind="CAR-T cells",
        description=("Chimeric antigen receptor T cells: infused effector cells expand on "
                     "antigen, kill tumour cells by mass action, contract, and persist as "
                     "memory that re-expands on antigen (rechallenge)."),
        dose_units=("cells", "cells/kg"),
        # [D] from Stein et al. 2019 (CPT:PSP 8:285) typical tisagenlecleucel kinetics [P]:
        # net expansion ln(3900)/9.3 d = 0.889/day; fast decline 0.16/day; FB = 0.0079 to the
        # slow phase, which declines at 0.0032/day. So alpha + eps = 0.16, eps = 0.0079*0.16,
        # rho = 0.889 + 0.16 at saturating antigen, memory loss mu = 0.0032.
        pk=CellKinetics(expansion=1.04908, half_saturation=1e9, contraction=0.158736,
                        to_memory=0.001264, reactivation=0.1, memory_loss=0.0032,
                        source="[D] Stein et al. 2019 typical values; K and reactivation [A]"),
        actions=(
            Action("tumour_cells", "kill", emax=1e-9, ec50=None,
                   meaning="mass-action killing of tumour cells by effector CAR-T",
                   source="[A] 1e-9 per CAR-T cell per day (CAR-T peak ~1e9-1e10 cells)"),
        ),
        toxicity=(Toxicity("CRS", 0.01, 0.3,
                           "cytokine release syndrome driven by CAR-T killing activity; Cmax "
                           "rises with CRS grade (Mueller et al. 2018). Rate calibrated [D]: on "
                           "examples/trials/car_t_single_arm.toml (200 patients) it gives "
                           "grade >= 3 in 23% and any grade in 61%, against JULIET (Schuster "
                           "et al. NEJM 2019;380:45) 22% and 58% [M, recalled]; severe "
                           "fraction 0.3 [A]"),),
        source="Stein et al. 2019; Barros et al. 2021 (structure)",
    ),
    Modality(
        name="adoptive_t_cells", kind="adoptive cell transfer",
        description="Tumour-specific T cells (TIL, TCR-T) infused into the effector population.",
        dose_units=("cells", "cells/kg", "state"),
        actions=(Action("effector_cells", "add", meaning="infused effector T cells",
                        source="Rosenberg & Restifo 2015, Science 348:62 (concept)"),),
        source="de Pillis et al. 2005 (adoptive transfer of CD8+ cells)",
    ),
    Modality(
        name="nk_cells", kind="NK-cell infusion",
        description="Allogeneic or expanded NK cells infused into the NK population.",
        dose_units=("cells", "cells/kg", "state"),
        actions=(Action("nk_cells", "add", meaning="infused NK cells", source="concept"),),
        source="concept",
    ),
    Modality(
        name="cancer_vaccine", kind="cancer vaccine",
        description=("Tumour-antigen vaccine: an antigen depot primes antigen-specific effector "
                     "T cells (therapeutic or prophylactic)."),
        dose_units=("mg",),
        pk=Signal(3.0, "mg", "[A] antigen depot half-life 3 days (plausible 1-10)"),
        actions=(
            Action("effector_influx", "stimulate", emax=2.0, ec50=0.1,
                   meaning="antigen-specific priming",
                   source="[A] up to 3-fold effector supply while antigen persists"),
        ),
        source="[A]",
    ),
    Modality(
        name="il2", kind="cytokine (IL-2, aldesleukin)",
        description=("High-dose IL-2: drives effector T-cell and NK proliferation; capillary "
                     "leak syndrome limits the dose."),
        dose_units=("IU", "IU/kg"),
        pk=OneCompartment(74.0, 6.3, "IU",
                          "[M] Proleukin prescribing information: Vd 6.3 L, elimination t1/2 "
                          "85 min (CL = ln2*V/t1/2 = 74 L/day [D])"),
        actions=(
            Action("effector_proliferation", "stimulate", emax=1.5, ec50=2e5,
                   meaning="IL-2-driven T-cell proliferation",
                   source="[A] EC50 2e5 IU/L (peak ~7e6 IU/L after 600,000 IU/kg)"),
            Action("nk_kill", "stimulate", emax=0.5, ec50=2e5,
                   meaning="IL-2 activation of NK cells", source="[A]", optional=True),
        ),
        toxicity=(Toxicity("capillary_leak", 0.3, 0.5,
                           "[A] grade 3-4 hypotension common with high-dose IL-2 (Atkins et al. "
                           "1999, J Clin Oncol 17:2105)"),),
        source="Atkins et al. 1999",
    ),
    Modality(
        name="ifn_alpha", kind="cytokine (IFN-alpha)",
        description=("Interferon-alpha: activates NK cells, raises MHC class I on tumour cells "
                     "(effector kill) and slows tumour proliferation; flu-like toxicity."),
        dose_units=("MIU", "MIU/m2"),
        pk=Signal(0.1, "MIU", "[M] Intron A label: elimination half-life 2-3 h (0.1 day)"),
        actions=(
            Action("nk_kill", "stimulate", emax=1.0, ec50=1.0, meaning="NK activation",
                   source="[A]"),
            Action("effector_kill", "stimulate", emax=0.3, ec50=1.0,
                   meaning="MHC class I up-regulation", source="[A]", optional=True),
            Action("tumour_growth", "inhibit", emax=0.2, ec50=1.0,
                   meaning="antiproliferative effect", source="[A]"),
        ),
        toxicity=(Toxicity("flu_like", 0.2, 0.1, "[A] flu-like syndrome nearly universal, "
                           "grade >= 3 in ~10% (E1684: Kirkwood et al. 1996 [M])"),),
        source="Kirkwood et al. 1996 [M]",
    ),
    Modality(
        name="oncolytic_virus", kind="oncolytic virus",
        description=("Virus that replicates in and lyses tumour cells, and whose infection "
                     "recruits an immune response against the tumour."),
        dose_units=("vp", "pfu"),
        pk=ReplicatingVirus(1.0, 1e9, 0.5,
                            "[A] net replication 1/day in saturating tumour, clearance 0.5/day "
                            "(cf. Wodarz 2001, Cancer Res 61:3501)"),
        actions=(
            Action("tumour_cells", "kill", emax=0.5, ec50=1e9,
                   meaning="viral lysis of tumour cells", source="[A]"),
            Action("effector_influx", "stimulate", emax=1.0, ec50=1e9,
                   meaning="immune activation by infection", source="[A]", optional=True),
        ),
        toxicity=(Toxicity("flu_like", 0.02, 0.1, "[A] mostly grade 1-2 flu-like symptoms"),),
        source="Wodarz 2001 (concept)",
    ),
    Modality(
        name="bcg", kind="intravesical BCG",
        description=("Bacillus Calmette-Guerin instilled in the bladder: bacteria infect tumour "
                     "cells and recruit effector cells (Bunimovich-Mendrazitsky et al. 2007)."),
        dose_units=("mg",),
        pk=Signal(1.0, "mg", "[A] intravesical BCG cleared within about a day after voiding"),
        actions=(
            Action("tumour_cells", "kill", emax=0.3, ec50=10.0,
                   meaning="BCG-infected tumour cells killed", source="[A]"),
            Action("effector_influx", "stimulate", emax=1.5, ec50=10.0,
                   meaning="effector recruitment by BCG", source="[A]"),
        ),
        toxicity=(Toxicity("cystitis", 0.05, 0.05,
                           "[A] cystitis in ~67%, rarely severe (Shelley et al. 2001 [S])"),),
        source="Bunimovich-Mendrazitsky et al. 2007 (mechanism)",
    ),
    Modality(
        name="trastuzumab", kind="antibody acting through NK-cell ADCC (anti-HER2)",
        description=("Anti-HER2 antibody: coats tumour cells so NK cells kill them by "
                     "antibody-dependent cellular cytotoxicity; needs working NK cells."),
        dose_units=("mg", "mg/kg"),
        # Bruno 2005 fits the distribution with micro-constants: Q = K12 V1, V2 = K12 V1 / K21.
        # Terminal half-life from these: 28.5 days, as published (tests/treat/test_antibody_pk.py).
        pk=TwoCompartment(0.225, 2.95, 0.164 * 2.95, 0.164 * 2.95 / 0.101, "mg",
                          "Bruno et al. 2005, Cancer Chemother Pharmacol 56:361, Table 3 (CL 0.225 "
                          "L/day, V 2.95 L, K12 0.164/day, K21 0.101/day; reference patient 70 kg, "
                          "HER2 ECD 8.23 ng/mL, < 4 metastatic sites) [P], read in the nlmixr2lib "
                          "transcription (inst/modeldb/specificDrugs/Bruno_2005_trastuzumab.R)"),
        actions=(
            Action("nk_kill", "stimulate", emax=2.0, ec50=10.0, meaning="ADCC by NK cells",
                   source="[A] up to 3-fold NK killing at saturating antibody"),
            Action("tumour_growth", "inhibit", emax=0.2, ec50=10.0,
                   meaning="HER2 signalling blocked", source="[A]"),
        ),
        source="Bruno et al. 2005",
    ),
    Modality(
        name="rituximab", kind="antibody acting through NK-cell ADCC (anti-CD20)",
        description="Anti-CD20 antibody: NK-cell ADCC against CD20+ lymphoma cells.",
        dose_units=("mg", "mg/m2"),
        # Formerly "Ng et al. 2005, Pharm Res 22:1303 [M]" (CL 0.14 L/day, V1 2.7 L, Q [A]): no
        # such rituximab paper could be found (Ng et al.'s rituximab population PK is in rheumatoid
        # arthritis, J Clin Pharmacol 2005 [M]); CL 0.14 L/day and V1 2.7 L resemble the
        # non-specific clearance of the label's NHL analysis (MabThera SmPC [M]), not a full model.
        # Replaced by a verifiable linear two-compartment fit in lymphoma. Its terminal half-life,
        # 21.2 days, is the value tabulated for it by Br J Clin Pharmacol 2019;85:2002 (Table 3)
        # [P]; the nlmixr2lib vignette quotes 21.6 days from the paper's Results (a summary of
        # individual fits, not the typical value) (tests/treat/test_antibody_pk.py).
        pk=TwoCompartment(0.300, 3.191, 0.4464, 4.154, "mg",
                          "Candelaria et al. 2018, Cancer Chemother Pharmacol 81:515, Table 2 "
                          "(DLBCL on R-CHOP; CL 12.5 mL/h, V1 3191 mL at the median BSA 1.72 m2, "
                          "Q 18.6 mL/h, V2 4154 mL) [P], read in the nlmixr2lib transcription "
                          "(inst/modeldb/specificDrugs/Candelaria_2018_rituximab.R)"),
        actions=(
            Action("nk_kill", "stimulate", emax=2.0, ec50=10.0, meaning="ADCC by NK cells",
                   source="[A]"),
        ),
        source="Candelaria et al. 2018",
    ),
    Modality(
        name="chemotherapy", kind="cytotoxic chemotherapy",
        description=("Generic cytotoxic drug: log-kill of tumour cells and lymphodepletion of "
                     "effector and NK cells (de Pillis et al. 2008)."),
        dose_units=("mg", "mg/m2"),
        # de Pillis et al. 2008 (J Biol Syst 16:51), Table 1 [P]: drug decay gamma = 0.9/day,
        # kill K_T = 0.8 and K_L = K_N = 0.6 L/(mg day). Volume 40 L [A]: CL = 0.9*40.
        pk=OneCompartment(36.0, 40.0, "mg",
                          "de Pillis et al. 2008, Table 1 (decay 0.9/day) [P]; V = 40 L [A]"),
        actions=(
            Action("tumour_cells", "kill", emax=0.8, ec50=None, meaning="log-kill (K_T)",
                   source="de Pillis et al. 2008, Table 1: K_T = 0.8 L/(mg day) [P]"),
            Action("effector_cells", "kill", emax=0.6, ec50=None,
                   meaning="lymphodepletion (K_L)",
                   source="de Pillis et al. 2008, Table 1: K_L = 0.6 L/(mg day) [P]"),
            Action("nk_cells", "kill", emax=0.6, ec50=None, meaning="NK depletion (K_N)",
                   source="de Pillis et al. 2008, Table 1: K_N = 0.6 L/(mg day) [P]",
                   optional=True),
        ),
        toxicity=(Toxicity("cytopenia", 0.05, 0.5, "[A] neutropenia driven by exposure"),),
        source="de Pillis et al. 2008",
    ),
    Modality(
        name="radiotherapy", kind="radiotherapy",
        description=("External-beam radiotherapy: each fraction of d Gy leaves a surviving "
                     "fraction exp(-alpha d - beta d^2) of tumour cells (linear-quadratic), "
                     "kills radiosensitive lymphocytes, and releases danger signals that "
                     "recruit effector cells (immunogenic cell death)."),
        dose_units=("Gy",),
        pk=Signal(2.0, "Gy", "[A] danger-signal half-life 2 days after a fraction"),
        actions=(
            Action("tumour_cells", "fraction", alpha=0.146, beta=0.0146,
                   meaning="linear-quadratic cell kill",
                   source="Kosinsky et al. 2018 (J Immunother Cancer 6:17), alpha = 0.146/Gy "
                          "(CT26) [P]; alpha/beta = 10 Gy [A]"),
            Action("effector_cells", "fraction", alpha=0.1, beta=0.0,
                   meaning="lymphocyte radiosensitivity (in-field fraction)", source="[A]",
                   optional=True),
            Action("effector_influx", "stimulate", emax=1.0, ec50=2.0,
                   meaning="immunogenic cell death recruits effectors", source="[A]",
                   optional=True),
        ),
        source="Kosinsky et al. 2018",
    ),
    Modality(
        name="surgery", kind="surgical resection",
        description="Resection leaving a residual fraction of the tumour (the dose).",
        dose_units=("fraction",),
        actions=(Action("tumour_cells", "fraction", meaning="residual disease after resection",
                        source="concept"),),
        source="concept",
    ),
    Modality(
        name="tki", kind="tyrosine-kinase inhibitor",
        description=("Small-molecule kinase inhibitor: slows tumour proliferation and restores "
                     "NK-cell susceptibility by blocking tumour kinase signalling."),
        dose_units=("mg",),
        pk=OneCompartment(336.0, 435.0, "mg",
                          "[M] imatinib: CL 14 L/h, V 435 L (Peng et al. 2005, Clin "
                          "Pharmacokinet 44:879)"),
        actions=(
            Action("tumour_growth", "inhibit", emax=0.5, ec50=1.0,
                   meaning="proliferative signalling blocked", source="[A]"),
            Action("nk_suppression", "inhibit", emax=0.8, ec50=1.0,
                   meaning="NK susceptibility restored", source="[A]", optional=True),
        ),
        source="Peng et al. 2005 [M]",
    ),
    Modality(
        name="tgfb_inhibitor", kind="TGF-beta pathway inhibitor",
        description=("Blocks TGF-beta signalling, preventing the soft, EMT-like tumour state "
                     "that escapes mechanical killing by T and NK cells."),
        dose_units=("mg",),
        pk=OneCompartment(20.0, 50.0, "mg", "[A] small molecule, t1/2 ~1.7 days"),
        actions=(Action("tgfb_signalling", "inhibit", emax=0.9, ec50=1.0,
                        meaning="TGF-beta signalling blocked", source="[A]"),),
        source="[A]",
    ),
    Modality(
        name="actin_targeting", kind="cytoskeletal (actin) targeting",
        description=("Stiffens soft tumour cells (reverses gelsolin-driven actin remodelling) "
                     "so that the immune synapse delivers perforin and granzyme."),
        dose_units=("mg",),
        pk=OneCompartment(20.0, 50.0, "mg", "[A] small molecule, t1/2 ~1.7 days"),
        actions=(Action("tumour_softening", "inhibit", emax=0.9, ec50=1.0,
                        meaning="cell softening reversed", source="[A]"),),
        source="[A]",
    ),
)

_BY_NAME: dict[str, Modality] = {m.name: m for m in _CATALOGUE}
_BUILT_IN = frozenset(_BY_NAME)


def register(entry: Modality, *, replace: bool = False) -> Modality:
    """Add ``entry`` to the catalogue, so regimens and trial files can name it.

    A name already in the catalogue is refused unless ``replace=True``; a built-in modality
    can never be replaced (register a variant under a new name). Returns ``entry``.
    """
    if not isinstance(entry, Modality):
        raise InvalidArgumentError(
            f"register takes a coley.treat.Modality, got {type(entry).__name__}."
        )
    if entry.name in _BUILT_IN:
        raise InvalidArgumentError(
            f"modality {entry.name!r} is built in and cannot be replaced; register your variant "
            f"under another name (for example {entry.name + '_custom'!r})."
        )
    if entry.name in _BY_NAME and not replace:
        raise InvalidArgumentError(
            f"modality {entry.name!r} is already registered; pass replace=True to replace it."
        )
    _BY_NAME[entry.name] = entry
    return entry


def modality(name: str) -> Modality:
    """The catalogue entry ``name`` (clear error with the closest names if unknown)."""
    if name not in _BY_NAME:
        raise unknown_name("modality", name, _BY_NAME, where="the treatment catalogue")
    return _BY_NAME[name]


def modalities() -> list[Modality]:
    """All catalogue entries, built-in first, then registered ones in order."""
    return list(_BY_NAME.values())
