"""SBML import and export: published models in, coley models out.

``read_sbml(path)`` returns a normal :class:`~coley.model.model.Model` (simulate it, find its
equilibria, show it with ``coley info``); ``write_sbml(model, path)`` writes SBML Level 3
Version 2 that COPASI, tellurium and libRoadRunner open. Both need python-libsbml
(``pip install 'coley[sbml]'``). See ``docs/sbml.md`` for what is supported.
"""

from coley.sbml._export import to_sbml as to_sbml
from coley.sbml._export import write_sbml as write_sbml
from coley.sbml._import import read_sbml as read_sbml
from coley.sbml._import import read_sbml_string as read_sbml_string

__all__ = ["read_sbml", "read_sbml_string", "to_sbml", "write_sbml"]
