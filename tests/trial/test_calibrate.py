"""Maximum-entropy prevalence weights (Schmidt et al. 2013; Jaynes 1957), against closed forms."""

import numpy as np
import pytest

from coley.errors import InvalidArgumentError
from coley.trial.calibrate import apply_lambdas, max_entropy_weights


def test_one_binary_target_has_the_closed_form() -> None:
    # With one 0/1 feature, the max-entropy weights are uniform within each group:
    # t/n1 for the n1 responders and (1-t)/n0 for the others; lambda = logit(t) - logit(n1/n).
    f = np.array([1.0] * 30 + [0.0] * 70)[:, None]
    c = max_entropy_weights(f, np.array([0.5]))
    assert np.allclose(c.weights[:30], 0.5 / 30) and np.allclose(c.weights[30:], 0.5 / 70)
    logit = lambda p: np.log(p / (1 - p))  # noqa: E731
    assert c.lambdas[0] == pytest.approx(logit(0.5) - logit(0.3))
    # Kish effective sample size 1/sum(w^2) = 1/(30 (1/60)^2 + 70 (1/140)^2) = 84
    assert c.ess == pytest.approx(1 / (30 * (0.5 / 30) ** 2 + 70 * (0.5 / 70) ** 2))
    assert c.unweighted[0] == pytest.approx(0.3)


def test_several_targets_are_reproduced_and_lambdas_transfer() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=4000)
    f = np.column_stack([(x + rng.normal(size=x.size) > 0.5), (x > -0.2)]).astype(float)
    c = max_entropy_weights(f, np.array([0.337, 0.473]))
    assert np.allclose(c.achieved, [0.337, 0.473], atol=1e-9)
    # the same lambdas weight a fresh cohort from the same population close to the targets
    y = rng.normal(size=40000)
    g = np.column_stack([(y + rng.normal(size=y.size) > 0.5), (y > -0.2)]).astype(float)
    w = apply_lambdas(g, c.lambdas)
    assert np.allclose(w @ g, [0.337, 0.473], atol=0.02)


def test_unreachable_target_is_a_clear_error() -> None:
    f = np.zeros((50, 1))
    with pytest.raises(InvalidArgumentError, match="outside what the virtual population"):
        max_entropy_weights(f, np.array([0.3]), ("arm: ORR",))
