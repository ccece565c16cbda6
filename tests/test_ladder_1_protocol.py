"""Level 1 on the ladder's causal protocol, across 12 seeds: the spin is acquired while the lagoon's power-ups pay
(reward hacking, within about 10 updates), then freezes once they are gone; the no-season control, coverage control,
good start and fix; and the season-strength sweep that shows where the protocol holds and where it fails."""

import numpy as np
import pytest

from rlcore.analysis import ladder_1_reflex as L1
from rlcore.analysis.ladder import HEALTHY_START, protocol_summary

SEEDS = list(range(200, 212))


@pytest.fixture(scope="module")
def runs():
    return L1.protocol_runs(SEEDS, quick=True, conditions=L1.LEVEL_CONDITIONS)


@pytest.fixture(scope="module")
def summary(runs):
    return protocol_summary(runs, L1.DELTA_G_SMALL)


def test_the_season_causes_the_lock_in_the_same_boat_without_one_never_locks(runs, summary):
    """The control that could refute the construction: power-ups worth 0, everything else the same."""
    assert summary["start_nu"] >= HEALTHY_START + 0.3  # observed 1.0: the boat starts unbiased
    assert all(m.nu[0] > 0.9 for m in runs["default"])
    assert summary["lock_rate"] >= 0.75                # observed 0.92 (1.0 over 20 other seeds)
    no_season = runs["no_season"]
    assert np.mean([m.locked for m in no_season]) <= 0.1  # observed 0.0 (20/20 other seeds too)
    assert np.mean([m.delta_g for m in no_season]) < L1.DELTA_G_SMALL  # observed 0.002: it learns the race


def test_the_spin_is_learned_during_the_season_as_reward_hacking_not_late(runs, summary):
    """The honest negative: the lock-in is not a slow development. nu falls below the threshold within the first one
    or two windows, long before the season ends, while circling pays 2.8 per race against finishing's 0.8."""
    taus = [m.tau_lock for m in runs["default"] if m.locked]
    assert max(taus) * L1.WINDOW <= L1.SEASON           # observed tau_lock 1-2 windows here (1-4 over seeds 500-519)
    assert summary["late_lock"] <= 0.3 and summary["nu1_healthy"] <= 0.3  # observed 0.09 and 0.08 (0.15 over 20)
    assert 28 * L1.SEASON_POWERUP > 3 * 0.8             # during the season circling pays 2.8 vs 0.8


def test_the_freeze_is_arithmetic_on_the_season_end_policy():
    """After the season the policy's own finishes are too rare to update it: the median run expects well under one
    finish in the remaining 4,400 races (the mechanism of the thread's freeze, not an emergent finding)."""
    res = L1.run_lagoon(L1.level_config(0).replace(runs=len(SEEDS)),
                        seeds=[L1.derive_seed(s, "level1") for s in SEEDS])
    end = L1.season_end_stats(res)
    assert np.median(end["expected_finishes"]) < 1.0  # observed median 0.03 (mean 2.2: one run thawed)
    assert np.median(end["lagoon_p_left"]) > 0.95     # observed 0.99


def test_consistency_after_the_season_delta_r_equals_delta_g(runs):
    """A consistency check of the gap metrics, not a finding: after the season R = G and R* = G* = 0.8, so a frozen
    boat's Delta_R and Delta_G are the same number by construction."""
    for m in runs["default"]:
        assert m.delta_r == pytest.approx(m.delta_g, abs=1e-9)
    dg = np.array([m.delta_g for m in runs["default"] if m.locked])
    assert dg.min() > 0.6  # observed about 0.8 (G_best = 0.8)


def test_season_sweep_the_protocol_holds_in_a_band_and_fails_outside_it():
    """Too weak a season does not lock in; too strong a one pulls the good start into the lagoon and locks the fix
    too. Observed over 20 seeds: 0.03 -> lock 0.0; 0.1 -> lock 1.0, good start 1.0, fix 0.0; 0.2 -> good start
    0.05, fix lock 1.0."""
    sw = L1.season_sweep(SEEDS[:10], powerups=(0.03, 0.1, 0.2), seasons=(), quick=True)
    lock, good, fix = sw["lock_rate"], sw["good_start_keeps"], sw["fix_lock_rate"]
    assert lock[0] <= 0.2 and lock[1] >= 0.8                       # weak season: no lock-in; default: lock-in
    assert good[1] >= 0.8 and fix[1] <= lock[1] / 2                # the band: every control passes
    assert good[2] <= 0.3 and fix[2] >= 0.5                        # strong season: the controls fail


def test_good_start_keeps_the_race_and_the_fix_at_least_halves_lock_in(summary):
    assert summary["emerged"] == 1.0  # consistency only: tau_lock > 0 follows from nu[0] = 1 > LOCK_THRESHOLD
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
