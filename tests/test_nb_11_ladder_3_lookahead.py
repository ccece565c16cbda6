"""Claims of 11_ladder_3_lookahead (item 19, level 3, on the ladder's causal protocol).

A search agent whose policy prior is shared by novice games (per-turn bonus on the material level) and expert
games (win only) stops playing the sharp line in expert games: the habit forms in training within a few games
(and never forms without novice games or with change-shaping), the coverage control (sharp-line games forced)
and the good start reach / keep expert wins, the fix (a prior that sees the mode) at least halves the lock-in;
the model-free control (Q-learning, no search) locks in with one table for both modes and not with one per mode
(lookahead is not the cause); depth 1 locks, depth 3 escapes; the lock-in holds only at a small prior floor
(the sweep; a point of it recomputed); the two novice-reward controls come out differently. Each claim is asserted from the notebook's quick run and across
>= 10 seeds straight from rlcore, with margin."""

import numpy as np
import pytest

from rlcore.analysis.ladder import HEALTHY_START, protocol_summary
from rlcore.analysis.ladder_3_lookahead import (MODEL_FREE, QUICK_EPISODES, SETTINGS, DuelExperimentConfig,
                                                habit_onset, run_duel, run_levels)
from rlcore.seeding import derive_seed

NOTEBOOK = "11_ladder_3_lookahead"
SEEDS = [derive_seed(3000 + s, 0) % 2**31 for s in range(12)]  # twelve seeds, one run each
BEST_G = 0.466  # exact expert-optimal win probability at the defaults (checked in test_notebook_metrics)


@pytest.fixture(scope="module")
def protocol():
    conditions = {"default": {}, "coverage": {"coverage": True}, "good_start": {"start": "good"}, "fix": {"fix": True}}
    runs = {name: run_levels(SEEDS, quick=True, **kw) for name, kw in conditions.items()}
    return runs, protocol_summary(runs, delta_g_small=0.5 * BEST_G)


def test_notebook_metrics(notebook_runs):
    m = notebook_runs.quick(NOTEBOOK)
    p, s, abl, em = m["protocol"], m["settings"], m["ablation"], m["emergence"]
    assert m["expert_optimal_win"] == pytest.approx(BEST_G, abs=1e-3) and m["level_novice_optimal_win"] < 0.01
    assert m["delta_keeps_optimal_policy"] is True
    q = m["q_star_start"]
    assert q["expert (win only)"][1] > q["expert (win only)"][0]                # 0.466 > 0.396: attack
    assert q["novice, bonus on level"][0] > q["novice, bonus on level"][1]      # 4.0 > 3.33: quiet
    assert m["calibration"]["random player"]["G"] < 0.5 * BEST_G                # 0.205: the metric separates
    assert p["start_nu"] >= HEALTHY_START                                      # observed 0.73 (exact)
    assert em["onset_within_10"] >= 0.8 and em["first_window_nu"] <= 0.3       # observed 1.0, 0.08
    assert max(em["control_onset_within_10"].values()) <= 0.2                  # observed 0.0, 0.0
    assert p["lock_rate"] >= 0.6 and s["default"]["failed_rate"] >= 0.6         # observed 1.0, 1.0 (6 runs)
    assert p["fix_lock_rate"] <= 0.5 * p["lock_rate"]                           # observed 0.0
    assert p["coverage_reaches_g"] >= 0.6 and p["good_start_keeps_g"] >= 0.6    # observed 1.0, 1.0
    assert p["default_delta_G"] >= 0.35                                         # observed 0.46
    # Delta_R is the expert share of Delta_G (novice play optimal): (1 - 0.7) * Delta_G, a few % of R_best
    assert s["default"]["mean_delta_R"] == pytest.approx(0.3 * s["default"]["mean_delta_G"], rel=0.25)
    assert s["default"]["relative_delta_R"] <= 0.1
    shared, per_mode = abl["no search, one Q table"], abl["no search, Q table per mode"]
    assert shared["failed_rate"] >= 0.5 and per_mode["failed_rate"] <= 0.2      # observed 1.0, 0.0 (6 runs)
    assert per_mode["expert_win_rate"] - shared["expert_win_rate"] >= 0.25      # observed 0.45 vs 0.00
    assert abl["depth 1"]["lock_in_rate"] >= 0.6 and abl["depth 3"]["lock_in_rate"] <= 0.4  # observed 1.0, 0.0
    assert s["change-shaping"]["lock_in_rate"] <= 0.2 and s["no novice games"]["lock_in_rate"] <= 0.2  # 0.0, 0.0
    sweep = m["sweep"]["results"]   # the precomputed sweep the lesson shows (10 runs x 1500 games per point)
    assert sweep["prior_clip"]["0.005"]["lock_in_rate"] >= 0.8 and sweep["prior_clip"]["0.2"]["lock_in_rate"] <= 0.2
    assert sweep["prior_clip"]["0.2"]["expert_win_rate"] >= 0.3


@pytest.fixture(scope="module")
def defaults():
    return run_duel(DuelExperimentConfig(episodes=QUICK_EPISODES), seeds=SEEDS[:10])


def test_habit_forms_in_training_only_with_level_novice_games(defaults):
    # measured in training (the start prior's trajectory), not from the exact nu[0]
    onset = habit_onset(defaults)
    assert np.mean((onset >= 0) & (onset <= 10)) >= 0.8   # observed 10 of 10 (1-4 games)
    assert np.median(defaults.nu[:, 1]) <= 0.3            # observed 0.09 (median) in the first window of 60 games
    for name in ("no novice games", "change-shaping"):    # the control: the habit never forms
        res = run_duel(DuelExperimentConfig(episodes=QUICK_EPISODES, **SETTINGS[name]), seeds=SEEDS[:10])
        assert np.mean(habit_onset(res) >= 0) <= 0.2      # observed 0 of 10
        assert res.lock_rate <= 0.2 and res.g_final.mean() >= 0.35   # observed 0.0 and 0.466


def test_protocol_lock_in_across_seeds(protocol):
    _, s = protocol
    assert s["start_nu"] >= HEALTHY_START + 0.1   # observed 0.73: the untrained agent plays the sharp line
    assert s["lock_rate"] >= 0.8                  # observed 1.0 (12 of 12 seeds); C13 asks >= 0.8
    assert s["default_delta_G"] >= 0.35           # observed 0.46


def test_protocol_controls_across_seeds(protocol):
    runs, s = protocol
    assert s["coverage_reaches_g"] >= 0.8          # observed 1.0: forced sharp-line games teach the same learner
    assert s["good_start_keeps_g"] >= 0.75         # observed 0.92: expert play is representable and kept
    assert s["fix_lock_rate"] <= 0.5 * s["lock_rate"] and s["fix_lock_rate"] <= 0.1   # observed 0.0
    assert s["default_delta_G"] - s["coverage_delta_G"] >= 0.2   # observed 0.46 vs 0.14
    assert np.mean([m.floor for m in runs["coverage"]]) >= 0.3   # observed 0.49: forced visits reported as floor


@pytest.mark.parametrize("depth, low, high", [(1, 0.7, 1.0), (3, 0.0, 0.3)])
def test_depth_decides_whether_the_expert_search_sees_past_the_table(depth, low, high):
    res = run_duel(DuelExperimentConfig(episodes=QUICK_EPISODES, depth=depth), seeds=SEEDS[:10])
    assert low <= res.lock_rate <= high            # observed 1.0, 0.0 (10 seeds; G 0.00, 0.38)


def test_model_free_control_locks_in_without_lookahead():
    shared, per_mode = (run_duel(DuelExperimentConfig(episodes=QUICK_EPISODES, **kw), seeds=SEEDS[:10])
                        for kw in MODEL_FREE.values())
    assert shared.failed_rate >= 0.6 and shared.g_final.mean() <= 0.15      # observed 0.8, 0.08
    assert per_mode.failed_rate <= 0.1 and per_mode.g_final.mean() >= 0.4   # observed 0.0, 0.45
    assert shared.nu[0, 0] == 1.0                                           # untrained: a random player


def test_the_lock_in_needs_a_small_prior_floor(defaults):
    wide = run_duel(DuelExperimentConfig(episodes=QUICK_EPISODES, prior_clip=0.05), seeds=SEEDS[:10])
    assert defaults.lock_rate >= 0.8 and wide.lock_rate <= 0.2              # observed 1.0 vs 0.0
    assert wide.g_final.mean() - defaults.g_final.mean() >= 0.1             # observed 0.21 vs 0.00


def test_invalid_depth_fails_the_papermill_run_naming_the_field(notebook_runs):
    run = notebook_runs.run(NOTEBOOK, "bad_depth", quick=True, depth=-5, metrics_path="")
    assert not run.ok
    assert "DuelExperimentConfig.depth = -5" in run.stderr


def test_good_start_is_kept_through_the_value_table_not_the_prior():
    from rlcore.analysis.ladder_3_lookahead import agent_policy, good_start_tables, policy_values
    from rlcore.learners.ladder_3_search import train_search_runs
    cfg = DuelExperimentConfig(episodes=QUICK_EPISODES)
    duel, learner = cfg.duel(), cfg.learner()
    v_star, p_good = good_start_tables(duel)
    s_count = duel.n_positions

    def mean_g(v0, p0):
        runs = train_search_runs(duel, learner, SEEDS[:10], v0, p0)
        return np.mean([policy_values(duel, p, 0)[1][0] for p in agent_policy(duel, learner, runs.v, runs.prior, 0)])

    assert mean_g(v_star, np.full(s_count, 0.005)) >= 0.3    # expert values, prior against the attack: 0.37
    assert mean_g(np.zeros(s_count), p_good) <= 0.05          # good prior, untrained values: 0.003
