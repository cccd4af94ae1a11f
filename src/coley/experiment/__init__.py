"""The experiment vocabulary shared by every file a user writes (regimens, trials, scenarios).

* :mod:`~coley.experiment.condition`: a :class:`Condition` (model, settings, treatment,
  schedule, events), what trial arms and scenario arms are built from;
* :mod:`~coley.experiment.files`: the one path by which coley reads an input file (existence,
  a file not a folder, size, encoding, TOML/YAML) and checks an output path before any work;
  every failure is one :class:`~coley.errors.InvalidArgumentError` line naming the path, what is
  wrong and what to do (the command line exits 2).
* :mod:`~coley.experiment.schema`: the strict pydantic base of every file schema;
* :mod:`~coley.experiment.problems`: the ``problems()`` contract (every problem, one line each,
  before any simulation) and how a loader raises them;
* :mod:`~coley.experiment.provenance`: the provenance block (resolved spec, seed, versions,
  citations) every runner writes.
"""

from coley.experiment.condition import Condition as Condition
from coley.experiment.files import MAX_FILE_BYTES as MAX_FILE_BYTES
from coley.experiment.files import output_file as output_file
from coley.experiment.files import output_folder as output_folder
from coley.experiment.files import read_document as read_document
from coley.experiment.files import read_text as read_text
from coley.experiment.problems import raise_problems as raise_problems
from coley.experiment.provenance import provenance as provenance
from coley.experiment.schema import Strict as Strict

__all__ = ["MAX_FILE_BYTES", "Condition", "Strict", "output_file", "output_folder", "provenance",
           "raise_problems", "read_document", "read_text"]
