"""Cohort machinery for spontaneous regression (behaviour 3 is calibrated in the next slice)."""

from __future__ import annotations

import numpy as np
import pytest

from coley.errors import InvalidArgumentError
from coley.library.surveillance import model as surveillance_model
from coley.scenario.cohort import (
    CohortSpec,
    EventProcess,
    remission_outcome,
    simulate_cohort,
)
from coley.solve.schedule import Infusion


def test_event_process_draws_poisson_counts_within_the_horizon() -> None:
    proc = EventProcess("bacterial", per_year=2.0, days=(5, 10), rate=(1, 3))
    rng = np.random.default_rng(0)
    draws = [proc.draw(rng, 3650.0) for _ in range(400)]
    mean = np.mean([len(d) for d in draws])
    assert mean == pytest.approx(20.0, rel=0.05)  # 2/year for 10 years, minus edge losses
    for events in draws:
        for e in events:
            assert 5 <= e.stop - e.start <= 10 and 1 <= float(e.rate[0]) <= 3
            assert e.stop < 3650.0
    with pytest.raises(InvalidArgumentError, match="input must be one of"):
        simulate_cohort(CohortSpec(n=1, days=10, processes=(EventProcess("fever", 1.0),)),
                        model=surveillance_model())


def test_remission_is_detected_and_attributed_to_preceding_events() -> None:
    time = np.arange(0.0, 400.0)
    total = np.where(time < 100, 2e10, np.where(time < 300, 1e8, 2e10))
    spec = CohortSpec(n=1, days=399)
    events = [Infusion("bacterial", 2.0, 60.0, 70.0), Infusion("transfusion", 1.0, 10.0, 11.0)]
    out = remission_outcome(time, total, events, spec)
    assert out.remission_time == 100.0
    assert out.preceded_by == ("bacterial",)  # the transfusion was 90 days before
    assert out.temporary


def test_cohort_is_seeded_and_reports_statistics() -> None:
    spec = CohortSpec(n=12, days=365, seed=3, values={"P": 1e10, "sE": 3e3, "g": 0.04},
                      spread={"sE": 0.3},
                      processes=(EventProcess("bacterial", 2.0, (5, 14), (2, 12)),))
    a = simulate_cohort(spec, model=surveillance_model())
    b = simulate_cohort(spec, model=surveillance_model())
    assert a.outcomes == b.outcomes
    stats = a.statistics()
    assert stats["patients"] == 12
    assert 0.0 <= stats["fraction_remitting"] <= 1.0
    with pytest.raises(InvalidArgumentError, match="not a parameter or state"):
        simulate_cohort(CohortSpec(n=1, days=10, values={"nope": 1.0}),
                        model=surveillance_model())
