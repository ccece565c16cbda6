"""Level 1 on the ladder's causal protocol, across 40 seeds.

The defaults: an unbiased boat (nu[0] = 1), one logit per cell, power-ups worth LEVEL_POWERUP per donut for the
whole run (circling pays at most 0.73 per race, the perfect race 0.8: finishing is better under R as well as G),
REINFORCE without a baseline at LEVEL_LR. A fraction of runs lock in, most of them after the first window; the
controls: no power-ups (never locks), the baseline (the fix), the good start, the learning-rate sweep, and the
coverage control, which does NOT remove this lock-in (the level says so). Then the power-up season, kept as the
reward-hacking contrast."""

import numpy as np
import pytest

from rlcore.analysis import ladder_1_reflex as L1
from rlcore.analysis.ladder import HEALTHY_START, LATE_LOCK, protocol_summary

SEEDS = list(range(100, 140))


@pytest.fixture(scope="module")
def results():
    """Each condition's trained batch (the same runs as protocol_runs / run_level, seed by seed)."""
    kw = {"default": {}, "coverage": {"coverage": True}, "good_start": {"start": "good"}, "fix": {"fix": True},
          "no_powerups": {"powerup": 0.0}}
    return {name: L1.level_run(SEEDS, quick=True, **k) for name, k in kw.items()}


@pytest.fixture(scope="module")
def runs(results):
    return {name: res.metrics for name, res in results.items()}


@pytest.fixture(scope="module")
def summary(runs):
    return protocol_summary(runs, L1.DELTA_G_SMALL)


def test_finishing_is_better_under_r_throughout_so_a_locked_boat_is_not_reward_hacking(runs):
    from rlcore.envs.ladder_1_lagoon import LagoonTrackConfig, TrackLayout, best_return
    layout = TrackLayout.from_config(LagoonTrackConfig(powerup=L1.LEVEL_POWERUP))
    assert best_return(layout) == pytest.approx(layout.best_g)      # R* = G* = 0.8: the perfect race
    assert 28 * L1.LEVEL_POWERUP < 0.8 - 0.05                        # pure circling pays 0.73
    dr = [m.delta_r for m in runs["default"] if m.locked]
    assert min(dr) > 0.05  # observed 0.072-0.074: the locked boats forgo reward they could have had


def test_the_lock_in_develops_from_a_healthy_start(runs, summary):
    assert summary["start_nu"] >= HEALTHY_START + 0.4   # 1.0: every boat starts unbiased
    assert summary["nu1_healthy"] >= 0.7                 # observed 0.8-0.9 over three seed sets of 30
    assert summary["late_lock"] >= 0.5                   # observed 0.63-0.8: most lock-ins come after window 1
    taus = [m.tau_lock for m in runs["default"] if m.locked]
    assert max(taus) >= 3 * LATE_LOCK                    # some take hundreds of races (observed up to 27 windows)


def test_the_sure_small_reward_is_the_cause_and_the_baseline_the_fix(runs, summary):
    assert summary["lock_rate"] >= 0.15                  # observed 0.27-0.33 (three seed sets of 30)
    assert np.mean([m.locked for m in runs["no_powerups"]]) <= 0.05  # observed 0.0: no sure reward, no lock-in
    assert summary["fix_lock_rate"] <= summary["lock_rate"] / 2      # observed 0.07-0.1 against 0.27-0.33


def test_good_start_keeps_the_race(summary):
    assert summary["good_start_keeps_g"] >= 0.8          # observed 0.87-0.97


def test_coverage_does_not_remove_it_the_habit_sits_in_a_saturated_choice(results, runs, summary):
    """The control that came out against the thread's reading: forced coin flips on half the steps carry races into
    N, yet about as many runs stay locked, and every unreached coverage run keeps P(left) ~ 1 at the lagoon's entry
    cell (where a donut lands) while the inner cells recover: REINFORCE only learns at a cell from its own choices
    there, and a saturated cell makes none. Missing visits to N are not the cause; the saturated choice is."""
    cov = runs["coverage"]
    assert np.mean([m.locked for m in cov]) >= summary["lock_rate"] / 4   # observed 0.25 against 0.33 (0.1-0.2 vs
    #                                                                        0.27-0.33 on two other sets of 30)
    default_reach = np.mean([m.delta_g <= L1.DELTA_G_SMALL for m in runs["default"]])
    assert summary["coverage_reaches_g"] <= default_reach + 0.15          # observed 0.63 vs 0.65 (0.8/0.73, 0.7/0.67)
    assert summary["coverage_reaches_g"] <= 0.9
    res = results["coverage"]
    lag = np.flatnonzero(res.run.layout.lagoon)
    missed = np.array([m.delta_g > L1.DELTA_G_SMALL for m in res.metrics])
    p = res.run.p_left[:, -1][:, lag][missed]
    assert p[:, 0].min() > 0.9 and np.median(p[:, 1:]) < 0.05   # observed entry >= 0.95, inner median 0.008


def test_lock_in_rises_with_the_learning_rate_and_the_baseline_cuts_it():
    sw = L1.level_sweep(SEEDS[:24], learning_rates=(0.5, 5.0), powerups=(0.02,), quick=True)
    lo, hi = sw["lock_no_baseline"]
    assert lo <= 0.1 and hi >= lo + 0.2                       # observed 0.04 and 0.38 (24 seeds)
    assert np.all(sw["lock_baseline"] <= sw["lock_no_baseline"] / 2 + 0.05)
    assert sw["lock_by_powerup"][0] <= 0.1                    # a smaller sure reward (0.02): observed 0.0


def test_run_level_is_one_run_of_the_batch():
    m = L1.run_level(SEEDS[2], quick=True, coverage=True)
    batch = L1.run_levels(SEEDS[:3], quick=True, coverage=True)[2]
    np.testing.assert_array_equal(m.nu, batch.nu)
    assert m.floor > 0 and L1.run_level(SEEDS[2], quick=True).floor == 0.0


# ---- the contrast: the power-up season (reward hacking, then a freeze) ----------------------------------------
SEASON_SEEDS = list(range(200, 212))


@pytest.fixture(scope="module")
def season_runs():
    return L1.season_protocol_runs(SEASON_SEEDS, quick=True, conditions=L1.SEASON_CONDITIONS)


def test_season_spin_is_learned_while_circling_pays_then_freezes(season_runs):
    s = protocol_summary(season_runs, L1.DELTA_G_SMALL)
    assert s["lock_rate"] >= 0.75 and np.mean([m.locked for m in season_runs["no_season"]]) <= 0.1
    taus = [m.tau_lock for m in season_runs["default"] if m.locked]
    assert max(taus) * L1.WINDOW <= L1.SEASON      # locked within the season, while circling pays 2.8 vs 0.8
    assert s["late_lock"] <= 0.3                     # the contrast with the level's defaults: not a slow development
    assert s["coverage_reaches_g"] >= 0.8 and s["good_start_keeps_g"] >= 0.9
    for m in season_runs["default"]:                 # consistency only: after the season R = G, R* = G*
        assert m.delta_r == pytest.approx(m.delta_g, abs=1e-9)


def test_season_end_policy_expects_under_one_finish():
    res = L1.run_lagoon(L1.season_config(0).replace(runs=len(SEASON_SEEDS)),
                        seeds=[L1.derive_seed(s, "level1") for s in SEASON_SEEDS])
    end = L1.season_end_stats(res)
    assert np.median(end["expected_finishes"]) < 1.0 and np.median(end["lagoon_p_left"]) > 0.95


def test_break_even_power_up_value_matches_the_dynamic_program():
    """Circling from step 3 to 30 collects 28 power-ups; finishing pays 0.8: break-even at 0.8 / 28."""
    from rlcore.envs.ladder_1_lagoon import LagoonTrackConfig, TrackLayout, best_return
    be = 0.8 / 28
    below = best_return(TrackLayout.from_config(LagoonTrackConfig(powerup=be * 0.99)))
    above = best_return(TrackLayout.from_config(LagoonTrackConfig(powerup=be * 1.01)))
    assert below == pytest.approx(0.8) and above == pytest.approx(28 * be * 1.01)
