"""Unit tests of the honest-reporter model (rlcore.analysis.honest_reporter), lesson 03 section 5.

These check the model's arithmetic, not an empirical finding: for the ``full`` learner the gate's log-odds move by
exactly lr * (share of wrong labels) per step, so the takeover time is a negative-binomial sum whose mean is
b / (lr eps f) by construction, and with eps f = 0 the gate cannot move. The ``sampled`` learner's prediction is
the ODE of its own expected update rule.
"""

import numpy as np
import pytest

from rlcore.analysis import honest_reporter as hr


@pytest.mark.parametrize("b,ef", [(1.0, 0.02), (3.0, 0.02), (3.0, 0.005)])
def test_full_learner_takeover_matches_its_expected_drift(b, ef):
    cfg = hr.ReporterConfig(eps=0.5, f=2 * ef, prior=b, lr=0.05, steps=100_000, learner="full")
    t = hr.takeover_times(cfg, 20, seed=1)
    assert np.all(np.isfinite(t))
    assert np.mean(t) == pytest.approx(hr.predicted_takeover(cfg), rel=0.05)


def test_sampled_learner_takeover_matches_the_integrated_drift():
    cfg = hr.ReporterConfig(eps=0.5, f=0.1, prior=1.0, lr=0.05, steps=50_000, learner="sampled")
    t = hr.takeover_times(cfg, 20, seed=2)
    assert np.all(np.isfinite(t))
    assert np.median(t) == pytest.approx(hr.predicted_takeover(cfg), rel=0.2)
    assert hr.predicted_takeover(cfg) > 3 * hr.predicted_takeover(cfg.replace(learner="full"))


def test_gate_does_not_drift_without_wrong_labels():
    for learner in ("full", "sampled"):
        cfg = hr.ReporterConfig(eps=0.0, f=0.5, prior=3.0, lr=0.05, steps=5000, learner=learner)
        assert np.all(np.isinf(hr.takeover_times(cfg, 20, seed=3)))
        assert hr.predicted_takeover(cfg) == float("inf")
    lost = hr.takeover_times(hr.ReporterConfig(eps=0.5, f=0.5, prior=3.0, lr=0.05, steps=5000), 20, seed=3)
    assert np.all(np.isfinite(lost))


def test_config_rejects_bad_values_naming_the_field():
    with pytest.raises(ValueError, match="ReporterConfig.eps = 1.5"):
        hr.ReporterConfig(eps=1.5)
