"""Empirical tumour-size models: growth, and growth with treatment-driven regression.

The models pharmacometricians fit to lesion or sum-of-longest-diameter (SLD) data, each written
as the ODE coley solves and as its closed form (``closed_form``, numpy, vectorised over times
and parameter arrays), so fits over thousands of lesions need no integration. Time in days,
volume in mm3 (any size unit works: the equations are homogeneous in V except where a capacity
K sets the scale).

    exponential          dV/dt = kg*V;  V = V0*exp(kg*t)
    logistic             dV/dt = kg*V*(1 - V/K);  V = K*V0/(V0 + (K - V0)*exp(-kg*t))
    gompertz             dV/dt = kg*V*log(K/V);  V = K*exp(log(V0/K)*exp(-kg*t))
    bertalanffy          dV/dt = a*V^(2/3) - b*V;
                         V^(1/3) = a/b + (V0^(1/3) - a/b)*exp(-b*t/3)
    general_bertalanffy  dV/dt = a*V^lam - b*V;
                         u = V^(1-lam) = a/b + (V0^(1-lam) - a/b)*exp(-(1-lam)*b*t)
    stein_fojo           V = V0*(exp(-d*t) + exp(g*t) - 1);  as an ODE: S' = -d*S, S(0) = V0,
                         G' = g*(G + V0), G(0) = 0, V = S + G
    general_stein_fojo   V = V0*(phi*exp(g*t) + (1 - phi)*exp(-d*t))  (a resistant fraction
                         phi grows at g, the rest regresses at d)
    claret_bruno         dV/dt = KL*V - KD*E*R*V, dR/dt = -lam*R, R(0) = 1;
                         V = V0*exp(KL*t - KD*E*(1 - exp(-lam*t))/lam)

Sources: exponential, logistic, Gompertz and von Bertalanffy as compared by Benzekry et al.
2014 (PLoS Comput Biol 10:e1003800) and Laleh et al. 2022 (PLoS Comput Biol 18:e1009822);
Stein-Fojo: Stein et al. 2008 (Oncologist 13:1046); the resistant-fraction form: Wilkerson et
al. 2017 (Lancet Oncol 18:143, model "gdphi"); Claret-Bruno: Claret et al. 2009 (J Clin Oncol
27:4103), with constant exposure E (1 = on treatment; a regimen may change it). The defaults
are illustrative, not fitted values: fit them to data (``coley.fit.forecast``).
"""

from __future__ import annotations

from collections.abc import Mapping

from coley.model.components import Citation, Hook, Parameter, Readout, State
from coley.model.growth import FORMS, GrowthForm, GrowthParameter, closed_form, growth_form
from coley.model.model import Model

_ILLUSTRATIVE = "illustrative default (coley); fit to data"
_V0 = FORMS["stein_fojo"].parameters[0]

_CITATIONS: Mapping[str, Citation] = {
    "classical": Citation(
        "Benzekry S, Lamont C, Beheshti A, et al. (2014). Classical mathematical models for "
        "description and prediction of experimental tumor growth. PLoS Comput Biol "
        "10:e1003800", doi="10.1371/journal.pcbi.1003800",
        note="Compared on clinical lesions by Laleh et al. 2022, PLoS Comput Biol 18:e1009822."),
    "stein_fojo": Citation(
        "Stein WD, Figg WD, Dahut W, et al. (2008). Tumor growth rates derived from data for "
        "patients in a clinical trial correlate strongly with patient survival. Oncologist "
        "13:1046-1054", doi="10.1634/theoncologist.2008-0075"),
    "general_stein_fojo": Citation(
        "Wilkerson J, Abdallah K, Hugh-Jones C, et al. (2017). Estimation of tumour regression "
        "and growth rates during treatment in patients with advanced prostate cancer. Lancet "
        "Oncol 18:143-154", doi="10.1016/S1470-2045(16)30633-7", note="model 'gdphi'."),
    "claret_bruno": Citation(
        "Claret L, Girard P, Hoff PM, et al. (2009). Model-based prediction of phase III "
        "overall survival in colorectal cancer on the basis of phase II randomized data. "
        "J Clin Oncol 27:4103-4108", doi="10.1200/JCO.2008.21.0807",
        note="Constant exposure E (1 = on treatment)."),
}


def _parameter(p: GrowthParameter) -> Parameter:
    upper = 1.0 if p.name == "phi" else None
    lower = 0.0 if p.lower >= 0 else None
    return Parameter(p.name, p.default, p.unit, p.meaning, _ILLUSTRATIVE, lower=lower,
                     upper=upper)


def model(form: str = "gompertz") -> Model:
    """The tumour-size model of growth form ``form`` (see the module docstring) as an ODE."""
    f = growth_form(form)
    v0 = f.defaults()["V0"]
    volume = State("V", v0, "mm3", "tumour volume", "V0")
    params = [_parameter(p) for p in f.parameters if p.name != "V0"]
    initial: dict[str, str] = {}
    states: tuple[State, ...]
    tumour: tuple[str, ...]
    hooks = [Hook("tumour_growth", "rate", {"bertalanffy": "a", "general_bertalanffy": "a",
                                            "stein_fojo": "g", "general_stein_fojo": "g",
                                            "claret_bruno": "KL"}.get(f.name, "kg"),
                  "tumour growth rate")]
    if f.name in ("stein_fojo", "general_stein_fojo"):
        params.insert(0, _parameter(_V0))
        s0 = v0 if f.name == "stein_fojo" else (1 - f.defaults()["phi"]) * v0
        states = (State("S", s0, "mm3", "treatment-sensitive volume (regresses at d)", "V0"),
                  State("G", 0.0 if f.name == "stein_fojo" else v0 - s0, "mm3",
                        "treatment-resistant volume (grows at g)", "V0"))
        if f.name == "stein_fojo":
            equations = {"S": "-d*S", "G": "g*(G + V0)"}
            initial = {"S": "V0"}
        else:
            equations = {"S": "-d*S", "G": "g*G"}
            initial = {"S": "(1 - phi)*V0", "G": "phi*V0"}
        tumour = ("S", "G")
        hooks += [Hook("tumour_regression", "rate", "d", "regression of sensitive tissue"),
                  Hook("tumour_cells", "state", "S", "treatment-sensitive volume")]
    elif f.name == "claret_bruno":
        params.append(Parameter("E", 1.0, "1", "drug exposure (1 = on treatment, 0 = off)",
                                "Claret et al. 2009, constant exposure", lower=0))
        states = (volume, State("R", 1.0, "1", "remaining drug sensitivity (resistance "
                                "appears at lam)", "Claret et al. 2009: R(0) = 1"))
        equations = {"V": "KL*V - KD*E*R*V", "R": "-lam*R"}
        tumour = ("V",)
        hooks += [Hook("tumour_regression", "rate", "KD", "drug-driven shrinkage"),
                  Hook("tumour_cells", "state", "V", "tumour volume")]
    else:
        states = (volume,)
        equations = {"V": {
            "exponential": "kg*V", "logistic": "kg*V*(1 - V/K)", "gompertz": "kg*V*log(K/V)",
            "bertalanffy": "a*V**(2/3) - b*V", "general_bertalanffy": "a*V**lam - b*V",
        }[f.name]}
        tumour = ("V",)
        hooks.append(Hook("tumour_cells", "state", "V", "tumour volume"))
    citation = _CITATIONS.get(f.name, _CITATIONS["classical"])
    return Model(
        name=f"tumour_size_{f.name}" if f.name != "gompertz" else "tumour_size",
        title=f"Tumour-size model: {f.title}",
        states=states,
        parameters=tuple(params),
        equations=equations,
        initial_assignments=initial,
        hooks=tuple(hooks),
        tumour_states=tumour,
        readouts=(Readout("volume", tumour, "tumour volume (mm3)", panel=True),),
        citation=citation,
        description=f"Empirical tumour-size model ({f.title}); closed form in "
                    "coley.library.tumour_size.closed_form. No immune cells: treatments act "
                    "on the growth and regression rates. Defaults are illustrative. Forms: "
                    + ", ".join(FORMS) + " (coley.library.get('tumour_size', form=...)).",
    )


__all__ = ["FORMS", "GrowthForm", "GrowthParameter", "closed_form", "growth_form", "model"]
