"""Analysis of models: equilibria and their stability."""

from coley.analysis.equilibria import Equilibrium, classify, equilibria

__all__ = ["Equilibrium", "classify", "equilibria"]
