"""Level 1 on the ladder's causal protocol, across 12 seeds: the spin is acquired while the lagoon's power-ups pay,
then freezes once they are gone; coverage control, good start and fix."""

import numpy as np
import pytest

from rlcore.analysis import ladder_1_reflex as L1
from rlcore.analysis.ladder import HEALTHY_START, protocol_summary

SEEDS = list(range(200, 212))


@pytest.fixture(scope="module")
def runs():
    return L1.protocol_runs(SEEDS, quick=True)


@pytest.fixture(scope="module")
def summary(runs):
    return protocol_summary(runs, L1.DELTA_G_SMALL)


def test_emergence_the_initial_boat_visits_n_and_the_lock_in_comes_later(runs, summary):
    assert summary["start_nu"] >= HEALTHY_START + 0.3  # observed 1.0: the boat starts unbiased
    assert summary["lock_rate"] >= 0.75                # observed 0.92 (0.90 over 30 other seeds)
    assert summary["emerged"] >= 0.8                   # observed 1.0: tau_lock = 1-2 windows (10 updates each)
    assert all(m.nu[0] > 0.9 for m in runs["default"])


def test_the_freeze_misses_reward_and_goal_alike(runs):
    """After the season R pays only for finishing, so a freeze leaves both gaps large (not reward hacking)."""
    dg = np.array([m.delta_g for m in runs["default"] if m.locked])
    dr = np.array([m.delta_r for m in runs["default"] if m.locked])
    assert dg.min() > 0.6 and dr.min() > 0.6  # observed about 0.8 (G_best = R_best = 0.8)


def test_good_start_keeps_the_race_and_the_fix_at_least_halves_lock_in(summary):
    assert summary["good_start_keeps_g"] >= 0.9  # observed 1.0 (Delta_G about 0.002)
    assert summary["fix_lock_rate"] <= summary["lock_rate"] / 2  # observed 0.0 against 0.92


def test_coverage_reaches_the_race_so_the_freeze_is_data_starvation(summary):
    assert summary["coverage_reaches_g"] >= 0.8  # observed 1.0 (Delta_G about 0.002)
    assert summary["coverage_delta_G"] < summary["default_delta_G"] / 4  # observed 0.002 vs 0.73


def test_with_one_logit_per_cell_coverage_does_not_rescue_the_entry_cell():
    """The contrast the lesson draws: a reflex that shares nothing between N and the lagoon entry cannot use the
    covering data there (the entry cell is saturated); the two-weight reflex can."""
    seeds = SEEDS
    base = L1.level_config(0).replace(runs=len(seeds), forced=L1.COVERAGE_FORCED)
    table = L1.run_lagoon(base.replace(tied=False), seeds=seeds)
    tied = L1.run_lagoon(base, seeds=seeds)
    entry = int(np.flatnonzero(table.run.layout.lagoon)[0])
    assert table.run.p_left[:, -1, entry].mean() > 0.8   # observed 0.93: still spinning at the entry
    assert table.run.p_left[:, -1, entry + 1:entry + 3].mean() < 0.2  # observed 0.02: inner cells recovered
    assert table.lock_rate >= 0.6 and tied.lock_rate <= 0.2  # observed 0.8 and 0.03 (30 seeds)


def test_run_level_is_one_run_of_the_batch():
    m = L1.run_level(SEEDS[2], quick=True, coverage=True)
    batch = L1.run_levels(SEEDS[:3], quick=True, coverage=True)[2]
    np.testing.assert_array_equal(m.nu, batch.nu)
    assert m.floor > 0 and L1.run_level(SEEDS[2], quick=True).floor == 0.0


def test_break_even_power_up_value_matches_the_dynamic_program():
    """Circling from step 3 to 30 collects 28 power-ups; finishing pays 0.8: break-even at 0.8 / 28 = 1/35."""
    from rlcore.envs.ladder_1_lagoon import LagoonTrackConfig, TrackLayout, best_return
    be = 0.8 / 28
    assert be == pytest.approx(0.02857, abs=1e-5)
    below = best_return(TrackLayout.from_config(LagoonTrackConfig(powerup=be * 0.99)))
    above = best_return(TrackLayout.from_config(LagoonTrackConfig(powerup=be * 1.01)))
    assert below == pytest.approx(0.8) and above == pytest.approx(28 * be * 1.01)
