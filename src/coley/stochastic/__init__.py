"""Stochastic simulation of small populations: probabilities of cure and relapse.

:func:`simulate_stochastic` runs replicates of any coley model with the populations below a
threshold counted in whole cells (hybrid tau-leaping, exact event by event when small) and the
rest following the model's equations; :class:`StochasticResult` gives P(cure) and P(relapse)
with confidence intervals. See docs/stochastic.md.
"""

from coley.stochastic.reactions import Reaction as Reaction
from coley.stochastic.reactions import ReactionNetwork as ReactionNetwork
from coley.stochastic.result import Probability as Probability
from coley.stochastic.result import StochasticResult as StochasticResult
from coley.stochastic.result import binomial_probability as binomial_probability
from coley.stochastic.simulate import HybridTauLeaping as HybridTauLeaping
from coley.stochastic.simulate import network as network
from coley.stochastic.simulate import simulate_stochastic as simulate_stochastic

__all__ = [
    "HybridTauLeaping", "Probability", "Reaction", "ReactionNetwork", "StochasticResult",
    "binomial_probability", "network", "simulate_stochastic",
]
