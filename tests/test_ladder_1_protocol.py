"""Level 1 on the ladder's causal protocol, across 40 seeds.

The defaults: an unbiased boat (nu[0] = 1), one logit per cell, power-ups worth LEVEL_POWERUP per donut for the
whole run (circling pays at most 0.73 per race, the perfect race 0.8: finishing is better under R as well as G),
REINFORCE without a baseline at LEVEL_LR. A fraction of runs lock in (about 0.3-0.5), most of them after the first
window; the controls: no power-ups (never locks), the baseline (the fix), the good start, the learning-rate sweep,
and coverage: forced coin flips on half the steps, credited with the importance weight pi/mu, switched on from the
start (prevents the lock-in) or after it has formed (does not undo it within the budget: a local optimum whose gradient
is tiny; a reviewer saw most runs recover over about ten times the budget).
Then the power-up season, kept as the reward-hacking contrast.

Thresholds calibrated on seed sets 0-39, 100-139, 1000-1039 and 7000-7039 (observed ranges in the comments)."""

import numpy as np
import pytest

from rlcore.analysis import ladder_1_reflex as L1
from rlcore.analysis.ladder import HEALTHY_START, LATE_LOCK, protocol_summary

SEEDS = list(range(100, 140))
LATE_SWITCH = 250  # the late coverage condition: forcing from this update on (of 500)


@pytest.fixture(scope="module")
def results():
    """Each condition's trained batch (the same runs as protocol_runs / run_level, seed by seed)."""
    kw = {"default": {}, "coverage": {"coverage": True}, "good_start": {"start": "good"}, "fix": {"fix": True},
          "no_powerups": {"powerup": 0.0}, "coverage_uncredited": {"coverage": True, "coverage_credit": "none"},
          "coverage_late": {"coverage": True, "coverage_from": LATE_SWITCH}}
    return {name: L1.level_run(SEEDS, quick=True, **k) for name, k in kw.items()}


@pytest.fixture(scope="module")
def runs(results):
    return {name: res.metrics for name, res in results.items()}


@pytest.fixture(scope="module")
def summary(runs):
    return protocol_summary({k: runs[k] for k in ("default", "coverage", "good_start", "fix", "no_powerups")},
                            L1.DELTA_G_SMALL)


def reach(metrics):
    return float(np.mean([m.delta_g <= L1.DELTA_G_SMALL for m in metrics]))


def lock(metrics):
    return float(np.mean([m.locked for m in metrics]))


def test_finishing_is_better_under_r_throughout_so_a_locked_boat_is_not_reward_hacking(runs):
    from rlcore.envs.ladder_1_lagoon import LagoonTrackConfig, TrackLayout, best_return
    layout = TrackLayout.from_config(LagoonTrackConfig(powerup=L1.LEVEL_POWERUP))
    assert best_return(layout) == pytest.approx(layout.best_g)      # R* = G* = 0.8: the perfect race
    assert 28 * L1.LEVEL_POWERUP < 0.8 - 0.05                        # pure circling pays 0.73
    dr = [m.delta_r for m in runs["default"] if m.locked]
    assert min(dr) > 0.05  # observed 0.072-0.074: the locked boats forgo reward they could have had


def test_the_lock_in_develops_from_a_healthy_start(runs, summary):
    assert summary["start_nu"] >= HEALTHY_START + 0.4   # 1.0: every boat starts unbiased
    assert summary["nu1_healthy"] >= 0.55                # observed 0.675-0.825 over four seed sets of 40
    assert summary["late_lock"] >= 0.35                  # observed 0.5-0.8: most lock-ins come after window 1
    taus = [m.tau_lock for m in runs["default"] if m.locked]
    assert max(taus) >= 3 * LATE_LOCK                    # some take hundreds of races (observed 12-27 windows)


def test_the_sure_small_reward_is_the_cause_and_the_baseline_the_fix(runs, summary):
    assert summary["lock_rate"] >= 0.2                   # observed 0.325-0.5 (four seed sets of 40)
    assert lock(runs["no_powerups"]) <= 0.05             # observed 0.0: no sure reward, no lock-in
    assert summary["fix_lock_rate"] <= summary["lock_rate"] / 2      # observed 0.05-0.1 against 0.325-0.5


def test_good_start_keeps_the_race(summary):
    assert summary["good_start_keeps_g"] >= 0.75         # observed 0.85-0.95


def test_coverage_from_the_start_prevents_the_lock_in(results, runs, summary):
    """Forced coin flips on half the steps, credited with the importance weight pi/mu (the same learner fed covering
    data, correctly). Positive assertions, so a forcing that silently did nothing would fail: the sampled races visit
    N about twice as often, the lock-in rate falls to a third of the defaults' or less, more runs reach the race."""
    vis = {k: results[k].run.visits_n[:, -100:].mean() for k in ("default", "coverage")}
    assert vis["coverage"] >= 1.6 * vis["default"]                    # observed 2.65-2.67 against 1.03-1.33
    assert summary["coverage_reaches_g"] >= 0.75                       # observed 0.85-0.925
    assert summary["coverage_reaches_g"] >= reach(runs["default"]) + 0.15   # default 0.5-0.65
    assert lock(runs["coverage"]) <= summary["lock_rate"] / 3          # observed 0.0-0.05 against 0.325-0.5
    assert all(m.floor > 0 for m in runs["coverage"])


def test_uncredited_coverage_is_a_weaker_variant(runs, summary):
    """The variant that drops the forced steps from the update: the data reach N, but the learner discards them."""
    unc = runs["coverage_uncredited"]
    assert lock(unc) <= summary["lock_rate"]                           # observed 0.175-0.25 against 0.325-0.5
    assert reach(unc) <= summary["coverage_reaches_g"] - 0.05          # observed 0.625-0.7 against 0.85-0.925


def test_coverage_after_the_lock_in_does_not_undo_it_within_the_budget(results):
    """The same coverage switched on at update LATE_SWITCH: no run whose entry cell was saturated by then recovers;
    the runs are bit for bit the defaults' until the switch."""
    late, default = results["coverage_late"], results["default"]
    np.testing.assert_array_equal(late.run.p_left[:, :LATE_SWITCH + 1], default.run.p_left[:, :LATE_SWITCH + 1])
    entry = int(np.flatnonzero(late.run.layout.lagoon)[0])
    saturated = late.run.p_left[:, LATE_SWITCH, entry] > 0.9
    assert saturated.sum() >= 6                                        # observed 14-19 of 40
    recovered = [late.metrics[i].delta_g <= L1.DELTA_G_SMALL for i in np.flatnonzero(saturated)]
    assert sum(recovered) == 0                                         # observed 0 on every seed set
    assert late.run.p_left[saturated, -1, entry].min() > 0.8           # observed min 0.954-0.996


def test_the_locked_policy_is_a_local_optimum_with_a_vanishing_gradient():
    """Exact: along the entry cell's P(left) (inner cells straight), E[R] has a circling optimum worth ~91% of R*;
    its slope in the logit there is positive (toward more circling) under the own policy and, under the coverage
    mixture, negative (toward the race) but vanishing as the cell saturates (the softmax factor pi (1 - pi))."""
    own = L1.entry_landscape([0.5, 0.9, 0.99, 0.999])
    mix = L1.entry_landscape([0.5, 0.9, 0.99, 0.999], forced=L1.COVERAGE_FORCED)
    assert own["R"][-1] / 0.8 == pytest.approx(0.91, abs=0.01)
    assert own["dR_dlogit"][1] < -0.02 and own["dR_dlogit"][2] > 0    # -0.031 at 0.9, +0.0025 at 0.99
    assert np.all(mix["dR_dlogit"] < 0)                               # no circling optimum under the mixture
    assert abs(mix["dR_dlogit"][2]) < abs(mix["dR_dlogit"][0]) / 10    # -0.0005 at 0.99 against -0.006 at 0.5


def test_lock_in_rises_with_the_learning_rate_and_the_baseline_cuts_it():
    sw = L1.level_sweep(SEEDS[:24], learning_rates=(0.5, 5.0), powerups=(0.02,), quick=True)
    lo, hi = sw["lock_no_baseline"]
    assert lo <= 0.2 and hi >= lo + 0.2                       # observed 0.04-0.08 and 0.42-0.58 (24 seeds, 4 sets)
    assert sw["lock_baseline"][0] <= 0.1                      # observed 0.0
    assert sw["lock_baseline"][1] <= 0.75 * hi                # observed 0.125-0.25 against 0.42-0.58
    assert sw["lock_by_powerup"][0] <= 0.15                   # a smaller sure reward (0.02): observed 0.0-0.04


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
