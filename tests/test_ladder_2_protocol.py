"""Level 2 on the ladder's causal protocol across 12 seeds, with the factorial (penalty x small-prize position)
and the bootstrapping ablation (Monte-Carlo returns)."""

import numpy as np
import pytest

from rlcore.analysis import ladder_2_model_free as L2
from rlcore.analysis.ladder import HEALTHY_START, lock_in_rate, protocol_summary

SEEDS = list(range(300, 312))


@pytest.fixture(scope="module")
def runs():
    return L2.protocol_runs(SEEDS)


def test_protocol_emergence_coverage_good_start_fix(runs):
    s = protocol_summary(runs, L2.DELTA_G_SMALL)
    assert s["start_nu"] >= HEALTHY_START + 0.1   # observed 0.63: the untrained table, own (greedy) steps only
    assert s["lock_rate"] >= 0.75                 # observed 1.0 (0.90 over 30 seeds)
    assert s["emerged"] >= 0.9                    # observed 1.0: tau_lock 2-4 windows
    assert s["coverage_reaches_g"] >= 0.75        # observed 0.92 (0.93 over 30 seeds)
    assert s["good_start_keeps_g"] >= 0.75        # observed 1.0 (0.93 over 30 seeds)
    assert s["fix_lock_rate"] <= s["lock_rate"] / 2  # observed 0.0


def test_the_no_penalty_control_locks_far_less(runs):
    assert lock_in_rate(runs["no_penalty"]) <= lock_in_rate(runs["default"]) - 0.5  # observed 0.0 vs 1.0


def test_factorial_the_near_small_prize_locks_in_without_any_penalty():
    near = L2.protocol_runs(SEEDS, conditions={"near_no_penalty": {"penalty_prob": 0.0, "right_length": 3}})
    assert lock_in_rate(near["near_no_penalty"]) >= 0.5  # observed 0.85 over 60 seeds: the prize alone traps


def test_locked_runs_walk_back_with_the_penalty_and_not_without():
    seeds = SEEDS
    base = L2.level_config().replace(runs=len(seeds))
    pen, free = L2.run_fork(base, seeds=seeds), L2.run_fork(base.replace(penalty_prob=0.0), seeds=seeds)
    assert pen.turn_back_rate() >= 0.6 and free.turn_back_rate() <= 0.35  # observed 0.81 and 0.18 (60 seeds)


def test_ablating_bootstrapping_changes_the_lock_in(runs):
    mc, q = lock_in_rate(runs["monte_carlo"]), lock_in_rate(runs["default"])
    assert mc <= q / 2  # observed 0.17 vs 1.0: Monte-Carlo returns carry the prize past the penalty


def test_run_level_is_one_run_of_the_batch(runs):
    m = L2.run_level(SEEDS[1], coverage=True)
    np.testing.assert_array_equal(m.nu, runs["coverage"][1].nu)
    assert m.floor > 0
