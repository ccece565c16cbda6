"""Claims of 00_start_here: REINFORCE on a two-armed bandit finds the better arm at a moderate step size,
and a large step size makes a sizeable share of runs lock onto the worse arm."""

import numpy as np
import pytest

from rlcore.analysis.start_here import StartHereConfig, run_start_here

NOTEBOOK = "00_start_here"
SEEDS = range(10)


def test_notebook_metrics(notebook_runs):
    m = notebook_runs.quick(NOTEBOOK)["start_here"]
    assert m["initial_expected_reward"] == pytest.approx(0.5)
    assert m["final_expected_reward"] > 0.65
    assert m["found_fraction"] >= 0.8


def test_moderate_step_size_finds_the_better_arm_across_seeds():
    found = [run_start_here(StartHereConfig(seed=100 * s)).found_fraction for s in SEEDS]
    assert min(found) >= 0.85  # observed minimum 0.95 over these seeds
    assert np.mean(found) >= 0.95


def test_large_step_size_locks_some_runs_onto_the_worse_arm():
    found = [run_start_here(StartHereConfig(seed=100 * s, learning_rate=5.0)).found_fraction for s in SEEDS]
    assert np.mean(found) <= 0.85  # observed 0.70: about three runs in ten lock in
    assert min(found) < 1.0


def test_invalid_learning_rate_fails_the_papermill_run_naming_the_field(notebook_runs):
    run = notebook_runs.run(NOTEBOOK, "bad_lr", quick=True, learning_rate=-0.1, metrics_path="")
    assert not run.ok
    assert "StartHereConfig.learning_rate = -0.1" in run.stderr
