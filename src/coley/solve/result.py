"""The labelled result of :func:`coley.simulate`: patient x time x state, with per-patient status.

A patient whose integration failed keeps its status code and a readable reason; its values after
the failure are NaN. Everything converts to xarray (``to_xarray``) and pandas (``to_pandas``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from coley.errors import unknown_name
from coley.solve.status import Status

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr
    from matplotlib.figure import Figure

#: Each status (:class:`~coley.solve.status.Status`, shared with the kernels): its label and
#: the reason shown to users.
STATUS: dict[int, tuple[str, str]] = {
    Status.OK: ("ok", "finished"),
    Status.STOPPED: ("stopped", "stopped by a terminal event (see event times)"),
    Status.MAX_STEPS: ("max_steps", "the maximum number of solver steps was reached; increase "
                                    "the solver's max_steps or loosen rtol"),
    Status.NONFINITE: ("nonfinite", "the solution became NaN or infinite; check the parameters "
                                    "(and for stiff dynamics use Rodas4)"),
    Status.STEP_TOO_SMALL: ("step_too_small", "the step size fell below round-off; the model "
                                              "may blow up in finite time or be discontinuous"),
    Status.SINGULAR: ("singular", "the Newton matrix was singular"),
    Status.INVALID_INPUT: ("invalid_input", "a parameter or initial value of this patient was "
                                            "not finite or outside its bounds"),
    Status.EVENT_LOOP: ("event_loop", "the model's events kept triggering each other at one "
                                      "time (over 1000 rounds); check the event triggers and "
                                      "assignments"),
}


class AbstractTrajectoryResult:
    """What every trajectory result shares (deterministic patients, stochastic replicates):
    ``values[i, k, s]`` is state ``s`` of row ``i`` at ``time[k]``; ``status[i]`` is a
    :class:`~coley.solve.status.Status` code whose label is in :data:`STATUS`, the one table."""

    model_name: str
    time: np.ndarray
    state_names: tuple[str, ...]
    values: np.ndarray
    status: np.ndarray

    @property
    def ok(self) -> np.ndarray:
        """Boolean mask of rows that did not fail (finished or stopped by an event)."""
        return np.asarray(self.status >= 0)

    def status_label(self, row: int) -> str:
        """Short label of a row's status ('ok', 'stopped', 'max_steps', ...)."""
        return STATUS[int(self.status[row])][0]

    def __getitem__(self, state: str) -> np.ndarray:
        """``result["T"]``: the (row, time) array of one state."""
        if state not in self.state_names:
            raise unknown_name("state", state, self.state_names, where=f"model {self.model_name!r}")
        return np.asarray(self.values[:, :, self.state_names.index(state)])

    def final(self, state: str) -> np.ndarray:
        """Value of ``state`` at the last output time, per row."""
        return self[state][:, -1]


@dataclass(frozen=True)
class SimulationResult(AbstractTrajectoryResult):
    """Trajectories of N patients on a shared time grid (days).

    ``values[i, k, s]`` is state ``s`` of patient ``i`` at ``time[k]``. ``status[i]`` is 0 when
    the patient finished, 1 when a terminal event stopped it (``stop_time``), negative on failure
    (``messages`` gives the reason). ``event_times[i, e]`` is the first time event ``e`` fired
    (NaN if never). ``end_state[i, s]`` is the state where integration ended: at the last output
    time, at ``stop_time`` for a patient a terminal event stopped (for example the state at
    diagnosis when growing a tumour to a detection threshold), or the last accepted state of a
    failed patient. ``treatment`` is what the simulation's treatment prepared (for regimens a
    :class:`~coley.treat.apply.TreatedModel`, with its toxicity outputs), or None.
    """

    model_name: str
    time: np.ndarray
    state_names: tuple[str, ...]
    values: np.ndarray
    parameter_names: tuple[str, ...]
    parameters: np.ndarray
    status: np.ndarray
    stop_time: np.ndarray
    event_names: tuple[str, ...]
    event_times: np.ndarray
    steps: np.ndarray
    notes: tuple[str, ...] = ()
    end_state: np.ndarray | None = None
    treatment: Any = None

    # ---------------------------------------------------------------- basic accessors
    @property
    def n_patients(self) -> int:
        """Number of patients (rows)."""
        return int(self.values.shape[0])

    @property
    def failed(self) -> np.ndarray:
        """Indices of patients whose integration failed."""
        return np.flatnonzero(self.status < 0)

    @property
    def messages(self) -> list[str]:
        """One readable line per patient saying how its integration ended."""
        out = []
        for i, code in enumerate(self.status):
            label, reason = STATUS[int(code)]
            extra = f" at t = {self.stop_time[i]:g} d" if code != 0 else ""
            note = f" ({self.notes[i]})" if self.notes and self.notes[i] else ""
            out.append(f"{label}: {reason}{extra}{note}")
        return out

    def event_time(self, name: str) -> np.ndarray:
        """First firing time (days) of the event ``name`` per patient, NaN if it never fired."""
        if name not in self.event_names:
            raise unknown_name("event", name, self.event_names)
        return np.asarray(self.event_times[:, self.event_names.index(name)])

    # ---------------------------------------------------------------- conversions
    def to_xarray(self) -> xr.Dataset:
        """An xarray Dataset: one variable per state over (patient, time), plus status etc."""
        import xarray as xr

        patient = np.arange(self.n_patients)
        data: dict[str, Any] = {
            s: (("patient", "time"), self.values[:, :, j]) for j, s in enumerate(self.state_names)
        }
        data["status"] = ("patient", self.status)
        data["status_label"] = ("patient", np.array([STATUS[int(c)][0] for c in self.status]))
        data["stop_time"] = ("patient", self.stop_time)
        data["parameter_value"] = (("patient", "parameter"), self.parameters)
        data["steps"] = ("patient", self.steps[:, 0].astype(np.int64))
        for e, name in enumerate(self.event_names):
            data[f"event_{name}"] = ("patient", self.event_times[:, e])
        ds = xr.Dataset(
            data,
            coords={"patient": patient, "time": self.time, "parameter": list(self.parameter_names)},
            attrs={"model": self.model_name, "time_unit": "day"},
        )
        return ds

    def to_pandas(self) -> pd.DataFrame:
        """Long table with columns patient, time and one per state."""
        import pandas as pd

        n, k, _ = self.values.shape
        frame = pd.DataFrame(
            self.values.reshape(n * k, -1), columns=list(self.state_names)
        )
        frame.insert(0, "time", np.tile(self.time, n))
        frame.insert(0, "patient", np.repeat(np.arange(n), k))
        return frame

    def patient_frame(self, patient: int = 0) -> pd.DataFrame:
        """Wide table for one patient: a time column, then one column per state."""
        import pandas as pd

        frame = pd.DataFrame(self.values[patient], columns=list(self.state_names))
        frame.insert(0, "time", self.time)
        return frame

    # ---------------------------------------------------------------- plotting
    def plot(self, states: list[str] | None = None, *, patients: int = 50, log: bool = True,
             title: str | None = None) -> Figure:
        """A figure with one panel per state; up to ``patients`` trajectories each."""
        from matplotlib.figure import Figure

        names = states or list(self.state_names)
        for s in names:
            if s not in self.state_names:
                raise unknown_name("state", s, self.state_names)
        fig = Figure(figsize=(4.2 * len(names), 3.4), layout="constrained")
        axes = fig.subplots(1, len(names), squeeze=False)[0]
        shown = min(self.n_patients, patients)
        alpha = 1.0 if shown == 1 else max(0.15, 1.0 / np.sqrt(shown))
        for ax, s in zip(axes, names, strict=True):
            y = self[s][:shown]
            for i in range(shown):
                yi = np.where(y[i] > 0, y[i], np.nan) if log else y[i]
                ax.plot(self.time, yi, lw=1.2, alpha=alpha, color="C0")
            if log:
                ax.set_yscale("log")
            ax.set_xlabel("time (days)")
            ax.set_ylabel(s)
            ax.grid(alpha=0.3)
        fig.suptitle(title or f"{self.model_name}: {shown} of {self.n_patients} patient(s)")
        return fig

    def __repr__(self) -> str:
        bad = int(np.sum(self.status < 0))
        return (f"SimulationResult(model={self.model_name!r}, patients={self.n_patients}, "
                f"times={len(self.time)} ({self.time[0]:g}..{self.time[-1]:g} d), "
                f"states={list(self.state_names)}, failed={bad})")
