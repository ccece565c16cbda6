"""Claims of 09_ladder_1_reflex (C6 and C13 for level 1, and the donut exchange).

C6: a strong spin bias stays locked in (with or without a baseline); a weak one learns to finish (finish rate
>= 0.95); power-ups worth more than finishing lock the boat into circling. Freezing and hacking differ in
Delta_R. C13 (level 1): the defaults lock in >= 80% of seeds; the fix (an optimistic TD critic) at least
halves the lock-in rate. Each claim is checked on the notebook's quick-mode metrics and across 12 seeds.
"""

import numpy as np
import pytest

from rlcore.analysis import ladder_1_reflex as L1
from rlcore.analysis.ladder import lock_in_rate

NOTEBOOK = "09_ladder_1_reflex"
SEEDS = list(range(100, 112))


def per_seed(config: L1.LagoonConfig) -> L1.LagoonResult:
    """One run per seed in SEEDS, each exactly the run of ``config.replace(seed=s, runs=1)``, in one batch."""
    seeds = [L1.run_seeds(config.replace(seed=s, runs=1))[0] for s in SEEDS]
    return L1.run_lagoon(config.replace(runs=len(SEEDS)), seeds=seeds)


@pytest.fixture(scope="module")
def nb(notebook_runs):
    return notebook_runs.quick(NOTEBOOK)


# ---- the notebook's own numbers (quick mode, seed 0) -------------------------------------------------------
def test_notebook_freeze_and_decay(nb):
    assert nb["freeze"]["lock_rate"] >= 0.875 and nb["freeze_baseline"]["lock_rate"] >= 0.875  # observed 1.0
    assert nb["freeze"]["finish_rate_mean"] < 0.01  # observed 1.2e-4
    assert nb["freeze"]["untouched_share"] >= 0.5  # observed 0.875: most runs never got a nonzero update
    assert nb["decay"]["finish_rate_min"] >= 0.95 and nb["decay"]["lock_rate"] == 0.0  # observed 0.99999, 0
    assert nb["decay"]["final_lagoon_p_left_mean"] < 0.3  # observed 0.12, from 0.73


def test_notebook_hacking_is_not_freezing(nb):
    hack, freeze = nb["hacking"], nb["freeze"]
    assert hack["lock_rate"] >= 0.875 and hack["finish_rate_mean"] < 0.05  # observed 1.0, 0.005
    assert hack["delta_R_mean"] < 0.1 and hack["delta_G_mean"] > 0.7  # observed 0.025, 0.798
    assert freeze["delta_R_mean"] > 0.7 and freeze["delta_G_mean"] > 0.7  # observed 0.80, 0.80
    ref = nb["reference"]
    assert ref["R_best_hacking"] / ref["G_best"] == pytest.approx(1.225)  # circling pays ~20% more than racing


def test_notebook_phase_edge(nb):
    curve = np.array(nb["finish_by_bias"]["no power-ups"])
    biases = np.array(nb["biases"])
    assert curve[biases <= 2.0].min() >= 0.9 and curve[biases >= 3.5].max() <= 0.05  # observed 1.0 and ~1e-4


def test_notebook_c13_and_exchange(nb):
    assert nb["c13"]["lock_rate_default"] >= 0.8  # observed 1.0
    assert nb["c13"]["lock_rate_fix"] <= nb["c13"]["lock_rate_default"] / 2  # observed 0.0
    strong = nb["exchange"]["strong"]
    assert strong["TD actor-critic, V from 0"]["lock_rate"] >= 0.875  # observed 1.0
    assert strong["TD actor-critic, optimistic V"]["finish_rate_mean"] >= 0.9  # observed 0.99


# ---- across seeds, directly from rlcore --------------------------------------------------------------------
@pytest.fixture(scope="module")
def runs():
    base = L1.LagoonConfig()
    configs = {"strong": base, "strong_baseline": base.replace(baseline=True),
               "weak": base.replace(spin_bias=L1.WEAK_BIAS),
               "weak_baseline": base.replace(spin_bias=L1.WEAK_BIAS, baseline=True),
               "hacking": base.replace(spin_bias=L1.WEAK_BIAS, powerup=L1.HACKING_POWERUP),
               "td_zero": base.replace(algorithm="td")}
    return {name: per_seed(cfg) for name, cfg in configs.items()}


def test_c6_strong_bias_stays_locked_with_or_without_baseline(runs):
    for name in ("strong", "strong_baseline"):
        res = runs[name]
        assert res.lock_rate >= 0.9  # observed 1.0 over 12 seeds
        assert res.final["finish"].max() < 0.01  # observed 1.2e-4
        assert res.untouched_share >= 0.5  # observed 0.83: no update at all in most runs


def test_c6_weak_bias_learns_to_finish(runs):
    for name in ("weak", "weak_baseline"):
        res = runs[name]
        assert res.final["finish"].min() >= 0.95  # observed 0.9999 (every seed)
        assert res.lock_rate == 0.0  # observed 0.0


def test_the_weak_habit_decays_but_not_to_zero(runs):
    """The donut exchange, weak bias: rewarded races with fewer donuts shrink the habit, slowly."""
    res = runs["weak"]
    lagoon = res.run.p_left[:, :, res.run.layout.lagoon].mean(-1)  # (runs, updates + 1)
    assert np.all(lagoon[:, 0] > 0.7)  # sigma(1) = 0.73 at the start
    assert lagoon[:, -1].max() < 0.25  # observed max 0.10
    assert lagoon[:, -1].min() > 0.005  # observed min 0.03: not gone after 2,000 races
    halfway = lagoon[:, lagoon.shape[1] // 2]
    # the decline slows: the second half of training removes less of the habit than the first
    assert np.mean(halfway - lagoon[:, -1]) < np.mean(lagoon[:, 0] - halfway) / 3  # observed ~0.03 vs ~0.65


def test_c6_powerups_worth_more_than_finishing_lock_in_as_reward_hacking(runs):
    hack, freeze = runs["hacking"], runs["strong"]
    assert hack.r_best > hack.g_best * 1.2  # circling pays 0.98 against 0.80
    assert hack.lock_rate >= 0.9  # observed 1.0
    dr_hack = np.array([m.delta_r for m in hack.metrics])
    dg_hack = np.array([m.delta_g for m in hack.metrics])
    dr_freeze = np.array([m.delta_r for m in freeze.metrics])
    assert dr_hack.max() < 0.15 and dg_hack.min() > 0.7  # observed max 0.062, min 0.798
    assert dr_freeze.min() > 0.7  # observed 0.80: the freeze misses the reward too


def test_td_with_a_zero_critic_is_as_frozen_as_reinforce(runs):
    assert runs["td_zero"].lock_rate >= 0.9  # observed 1.0
    assert runs["td_zero"].untouched_share >= 0.5  # observed 0.83


def test_c13_level_1_the_acquired_spin_locks_in_and_the_fix_halves_it():
    default = L1.run_levels(SEEDS, quick=True)
    fixed = L1.run_levels(SEEDS, fix=True, quick=True)
    assert lock_in_rate(default) >= 0.75  # observed 0.92 over 12 seeds
    assert lock_in_rate(fixed) <= lock_in_rate(default) / 2  # observed 0.0
    assert all(m.nu[0] > 0.9 for m in default)  # the boat starts unbiased: nu[0] = 1
    # acquired during the season (reward hacking), not set at initialization: locked within the season
    assert all(0 < m.tau_lock * L1.WINDOW <= L1.SEASON for m in default if m.locked)  # observed tau 1-2 windows
    np.testing.assert_array_equal(L1.run_level(SEEDS[3], quick=True).nu, default[3].nu)


def test_exploration_is_the_temperature_and_does_not_undo_the_acquired_spin():
    """Temperature divides every weight, the learned ones included; at 0 (greedy) and at 2 the acquired spin
    still locks most runs in (observed 0.92 and 1.0): more random steering also collects more power-ups."""
    greedy = L1.run_levels(SEEDS, exploration=0.0, quick=True)
    hot = L1.run_levels(SEEDS, exploration=2.0, quick=True)
    assert lock_in_rate(greedy) >= 0.75 and lock_in_rate(hot) >= 0.75
    assert not np.array_equal(greedy[0].nu, hot[0].nu)


def test_notebook_protocol_and_the_acquired_spin(nb):
    p = nb["protocol"]
    assert p["start_nu"] > 0.9 and p["lock_rate"] >= 0.6  # observed 1.0, 1.0 (6 seeds)
    assert p["no_season_lock_rate"] <= 0.2  # observed 0.0: without the season the boat never locks in
    assert p["late_lock"] <= 0.5  # the honest negative: the spin is learned within the season's first windows
    end = nb["season_end"]
    # median run of 6 (quick: 1.7, two runs thaw; full mode, 12 runs: 0.03) -- across 12 seeds in test_ladder_1_protocol
    assert end["expected_finishes"] < 5 and end["lagoon_p_left"] > 0.8
    sw = nb["season_sweep"]  # quick: 0.03, 0.1, 0.2 per donut at 60 updates, then 0.1 for 10 updates
    assert sw["lock_rate"][0] <= 0.5 <= sw["lock_rate"][1] and sw["good_start_keeps"][2] <= 0.5
    assert p["coverage_reaches_g"] >= 0.8 and p["good_start_keeps_g"] >= 0.8  # observed 1.0, 1.0
    assert p["fix_lock_rate"] <= p["lock_rate"] / 2  # observed 0.0
    lock = nb["season_lock"]
    assert lock["two weights, coverage"] <= 0.2 < 0.5 <= lock["two weights, defaults"]
    assert lock["one logit per cell, coverage"] >= 0.5  # the contrast: no generalization from N to the entry cell
    table = nb["season_final_p_left"]["one logit per cell, coverage"]
    assert table[0] > 0.5 and max(table[1:]) < 0.3  # the entry cell lags (0.85 quick, 0.72 full), the inner recover
    assert nb["break_even_powerup"] == pytest.approx(0.8 / 28)


def test_invalid_settings_fail_naming_the_field(notebook_runs):
    run = notebook_runs.run(NOTEBOOK, "bad_bias", quick=True, spin_bias=25.0, metrics_path="")
    assert not run.ok and "LagoonConfig.spin_bias = 25.0" in run.stderr
    with pytest.raises(ValueError, match=r"LagoonConfig\.track = 'S\.LLL\.\.\.'"):
        L1.LagoonConfig(track="S.LLL...")
    with pytest.raises(ValueError, match=r"LagoonConfig\.horizon = 5"):
        L1.LagoonConfig(horizon=5)
