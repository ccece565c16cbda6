"""Claims of 09_ladder_1_reflex (C6, the donut exchange, the lock-in that develops, and the season contrast).

C6: a strong spin bias stays locked in (with or without a baseline); a weak one learns to finish (finish rate
>= 0.95); power-ups worth more than finishing lock the boat into circling. Freezing and hacking differ in
Delta_R. Level 1's protocol (test_ladder_1_protocol.py across 40 seeds): an unbiased boat locks in a fraction
of its runs (not C13's 80%), the baseline at least halves it, importance-weighted coverage from the start
prevents it, the same coverage after the lock-in does not undo it within the budget. Each claim is checked on the notebook's quick-mode metrics and across 12 seeds.
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


def test_level_1_exploration_sweep_less_randomness_locks_more():
    """The exploration knob is the steering temperature: greedy steering locks most runs in (observed 0.77 over 30
    seeds), the defaults about a quarter (0.27), and doubling the temperature does not cure it (0.30)."""
    seeds = list(range(100, 124))
    greedy = L1.run_levels(seeds, exploration=0.0, quick=True)
    default = L1.run_levels(seeds, quick=True)
    assert lock_in_rate(greedy) >= lock_in_rate(default) + 0.25
    assert all(m.nu[0] > 0.9 for m in greedy + default)  # both start unbiased
    np.testing.assert_array_equal(L1.run_level(seeds[3], quick=True).nu, default[3].nu)


def test_notebook_the_lock_in_that_develops(nb):
    lv = nb["level"]
    assert lv["start_nu"] > 0.9 and lv["nu1_healthy"] >= 0.6        # observed 1.0 and 0.875 (8 seeds)
    assert lv["lock_rate"] >= 0.125 and lv["late_lock"] >= 0.5       # observed 0.375 and 1.0
    assert min(lv["locked_delta_R"]) > 0.05                          # observed 0.073-0.077: not reward hacking
    assert lv["no_powerups_lock_rate"] == 0.0                        # observed 0.0
    assert lv["fix_lock_rate"] <= lv["lock_rate"] / 2                # observed 0.0
    assert lv["good_start_keeps_g"] >= 0.75                          # observed 1.0
    # coverage from the start (credited pi/mu) prevents it; the same coverage after the lock-in does not undo it within the budget
    reach, lock = lv["reach_g"], lv["lock_rate_by_condition"]
    assert lv["coverage_lock_rate"] <= lv["lock_rate"] / 3           # observed 0.0 against 0.375
    assert reach["coverage"] >= reach["default"] + 0.125              # observed 0.875 against 0.625
    assert reach["coverage"] >= reach["coverage_uncredited"]          # observed 0.875 against 0.625
    late = lv["late_coverage"]
    assert late["saturated_at_switch"] >= 1 and late["recovered"] == 0  # observed 3 and 0
    assert lock["coverage_late"] >= lock["default"] - 0.125            # observed 0.375 and 0.375
    g = lv["entry_gradient"]                                           # exact, at entry P(left) 0.5 ... 0.999
    assert g["own policy"][-2] > 0 and max(g["coverage mixture"]) <= 0  # +0.0025 at 0.99; -0.0058 ... -0.0
    assert abs(g["coverage mixture"][-2]) < abs(g["coverage mixture"][0]) / 5
    assert lv["circling_share_of_r_best"] == pytest.approx(0.91, abs=0.01)
    sw = lv["sweep"]
    assert sw["lock_no_baseline"][-1] > sw["lock_no_baseline"][0]    # observed 0.625 at step 5, 0.0 at 0.5
    assert sw["lock_by_powerup"][0] == 0.0                           # no sure reward: no lock-in
    assert sw["lock_by_powerup"][-1] >= sw["lock_by_powerup"][-2]    # past break-even (0.035): 0.75 vs 0.375
    dr = sw["delta_R_locked_by_powerup"]                              # the reward the locked runs forgo shrinks
    assert dr[-1] < dr[-2] / 2                                        # observed 0.014 at 0.035, 0.074 at 0.026


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
