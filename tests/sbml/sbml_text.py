"""Small SBML documents written in the tests: a model body in, SBML text out.

``doc(...)`` wraps listOf sections into an SBML Level 3 Version 2 (or Level 2 Version 4)
document; ``math("k*S")`` turns an infix formula (libSBML's L3 syntax) into MathML.
"""

from __future__ import annotations

import libsbml

NAMESPACES = {
    (3, 2): "http://www.sbml.org/sbml/level3/version2/core",
    (3, 1): "http://www.sbml.org/sbml/level3/version1/core",
    (2, 4): "http://www.sbml.org/sbml/level2/version4",
}


def math(formula: str) -> str:
    """MathML of an infix formula."""
    ast = libsbml.parseL3Formula(formula)
    assert ast is not None, libsbml.getLastParseL3Error()
    text = libsbml.writeMathMLToString(ast)
    return text.split("?>", 1)[1].strip()


def doc(*sections: str, level: int = 3, version: int = 2, model_id: str = "m") -> str:
    """An SBML document whose model holds ``sections`` (listOf... elements)."""
    ns = NAMESPACES[(level, version)]
    body = "\n".join(sections)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<sbml xmlns="{ns}" level="{level}" '
            f'version="{version}">\n<model id="{model_id}">\n{body}\n</model>\n</sbml>\n')


def compartments(**sizes: float) -> str:
    items = "".join(f'<compartment id="{c}" size="{v}" constant="true" '
                    f'spatialDimensions="3"/>' for c, v in sizes.items())
    return f"<listOfCompartments>{items}</listOfCompartments>"


def parameters(constant: bool = True, **values: float) -> str:
    flag = "true" if constant else "false"
    items = "".join(f'<parameter id="{p}" value="{v}" constant="{flag}"/>'
                    for p, v in values.items())
    return f"<listOfParameters>{items}</listOfParameters>"


def species(sid: str, compartment: str = "c", *, amount: float | None = None,
            concentration: float | None = None, hosu: bool = False, boundary: bool = False,
            constant: bool = False) -> str:
    init = (f'initialAmount="{amount}"' if amount is not None
            else f'initialConcentration="{concentration}"' if concentration is not None else "")
    return (f'<species id="{sid}" compartment="{compartment}" {init} '
            f'hasOnlySubstanceUnits="{str(hosu).lower()}" '
            f'boundaryCondition="{str(boundary).lower()}" constant="{str(constant).lower()}"/>')


def reaction(rid: str, rate: str, reactants: dict[str, float] | None = None,
             products: dict[str, float] | None = None, local: dict[str, float] | None = None
             ) -> str:
    def refs(tag: str, items: dict[str, float] | None) -> str:
        if not items:
            return ""
        inner = "".join(f'<speciesReference species="{s}" stoichiometry="{n}" '
                        f'constant="true"/>' for s, n in items.items())
        return f"<{tag}>{inner}</{tag}>"

    params = ""
    if local:
        params = "<listOfLocalParameters>" + "".join(
            f'<localParameter id="{p}" value="{v}"/>' for p, v in local.items()
        ) + "</listOfLocalParameters>"
    return (f'<reaction id="{rid}" reversible="false">'
            f'{refs("listOfReactants", reactants)}{refs("listOfProducts", products)}'
            f"<kineticLaw>{math(rate)}{params}</kineticLaw></reaction>")
