"""coley: simulate the cancer-immune system and immunotherapy.

Published models with units and sources, a fast batched stiff ODE engine for virtual patients,
and analysis. Start with ``coley.library.get("kuznetsov1994")`` and ``coley.simulate``.
"""

from coley import experiment as experiment
from coley import fit as fit
from coley import library as library
from coley import population as population
from coley import sbml as sbml
from coley import scenario as scenario
from coley import sensitivity as sensitivity
from coley import treat as treat
from coley import trial as trial
from coley._version import __version__ as __version__
from coley.analysis.equilibria import Equilibrium as Equilibrium
from coley.analysis.equilibria import equilibria as equilibria
from coley.errors import CoLeyError as CoLeyError
from coley.errors import InvalidArgumentError as InvalidArgumentError
from coley.errors import ModelDefinitionError as ModelDefinitionError
from coley.errors import SBMLError as SBMLError
from coley.errors import SimulationError as SimulationError
from coley.errors import UnknownNameError as UnknownNameError
from coley.model.components import Citation as Citation
from coley.model.components import Hook as Hook
from coley.model.components import Input as Input
from coley.model.components import ModelEvent as ModelEvent
from coley.model.components import Parameter as Parameter
from coley.model.components import Provenance as Provenance
from coley.model.components import Readout as Readout
from coley.model.components import Reduction as Reduction
from coley.model.components import State as State
from coley.model.model import Model as Model
from coley.solve.events import Extinction as Extinction
from coley.solve.events import Threshold as Threshold
from coley.solve.intervention import Intervention as Intervention
from coley.solve.result import SimulationResult as SimulationResult
from coley.solve.schedule import Bolus as Bolus
from coley.solve.schedule import Infusion as Infusion
from coley.solve.schedule import Jump as Jump
from coley.solve.simulate import simulate as simulate
from coley.solve.solvers import Dopri5 as Dopri5
from coley.solve.solvers import Rodas4 as Rodas4
from coley.stochastic import HybridTauLeaping as HybridTauLeaping
from coley.stochastic import StochasticResult as StochasticResult
from coley.stochastic import simulate_stochastic as simulate_stochastic
from coley.treat.apply import Treatment as Treatment

__all__ = [
    "Bolus", "Citation", "CoLeyError", "Dopri5", "Equilibrium", "Extinction", "Hook",
    "HybridTauLeaping", "Infusion", "Input", "Intervention", "InvalidArgumentError", "Jump",
    "Model", "ModelDefinitionError", "ModelEvent", "Parameter", "Provenance", "Readout",
    "Reduction", "Rodas4", "SBMLError",
    "SimulationError", "SimulationResult", "State", "StochasticResult", "Threshold", "Treatment",
    "UnknownNameError", "__version__", "equilibria", "experiment", "fit", "library", "population",
    "sbml", "scenario", "sensitivity", "simulate", "simulate_stochastic", "treat", "trial",
]
