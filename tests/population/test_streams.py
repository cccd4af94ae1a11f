"""Per-patient streams (coley.population.streams) and the population drawn from them: patient
i is the same person whatever the cohort size or chunking."""

from __future__ import annotations

import numpy as np
import pytest

from coley.errors import InvalidArgumentError
from coley.population import GaussianCopula, LogNormal, Normal, Population, Stream, patient_rng


def test_streams_are_the_seed_sequence_scheme() -> None:
    # the trial scheme: SeedSequence(seed, spawn_key=(patient, stream)), numbers 0, 1, 2
    assert [int(s) for s in Stream] == [0, 1, 2]
    ref = np.random.default_rng(np.random.SeedSequence(7, spawn_key=(5, 2))).random(4)
    np.testing.assert_array_equal(patient_rng(7, 5, Stream.ALLOCATION).random(4), ref)
    # a patient's single stream is the patient-th child of SeedSequence(seed).spawn(n)
    child = np.random.SeedSequence(7).spawn(10)[5]
    np.testing.assert_array_equal(patient_rng(7, 5).random(4),
                                  np.random.default_rng(child).random(4))
    assert patient_rng(7, 5, 0).random() != patient_rng(7, 5, 1).random()
    with pytest.raises(InvalidArgumentError, match="patient must be a whole number"):
        patient_rng(7, -1)


def _population() -> Population:
    return Population({"a": LogNormal(0.18, 0.3), "n": LogNormal(1e-7, 0.3)},
                      GaussianCopula.from_pairs(["a", "n"], {"a,n": -0.3}),
                      {"w": Normal(70.0, 10.0)})


def test_a_patient_does_not_depend_on_cohort_size_or_chunks() -> None:
    pop = _population()
    whole = pop.draw(3, np.arange(100))
    chunks = [pop.draw(3, np.arange(a, a + 25)) for a in range(0, 100, 25)]
    for name in ("a", "n", "w"):
        np.testing.assert_array_equal(whole[name], np.concatenate([c[name] for c in chunks]))
    alone = pop.draw(3, np.array([42]))
    assert alone["a"][0] == whole["a"][42] and alone["w"][0] == whole["w"][42]
    # a redraw is the next row of the same stream, and differs
    again = pop.draw(3, np.array([42]), np.array([1]))
    assert again["a"][0] != whole["a"][42]
    assert pop.scores(3, np.array([42]), np.array([1]))[0, 0] == \
        patient_rng(3, 42, Stream.PARAMETERS).standard_normal((2, 3))[1, 0]


def test_population_margins_and_correlation() -> None:
    n = 4000
    d = _population().draw(0, np.arange(n))
    # median 0.18 (standard error of a log-normal median ~ 1.25 sd/sqrt(n) in log units: 0.006)
    assert np.median(d["a"]) == pytest.approx(0.18, rel=0.03)
    # corr(log a, log n) = -0.3 with standard error (1 - 0.09)/sqrt(4000) = 0.014
    assert np.corrcoef(np.log(d["a"]), np.log(d["n"]))[0, 1] == pytest.approx(-0.3, abs=0.06)
    assert abs(np.corrcoef(np.log(d["a"]), d["w"])[0, 1]) < 0.06  # covariates independent


def test_population_refuses_inconsistent_input() -> None:
    with pytest.raises(InvalidArgumentError, match="must be a distribution"):
        Population({"a": 1.0})  # type: ignore[dict-item]
    with pytest.raises(InvalidArgumentError, match="dimension"):
        Population({"a": LogNormal(1, 1)}, GaussianCopula(np.eye(2)))
