"""Claims of 11_ladder_3_lookahead (item 19, level 3, on the ladder's causal protocol).

A search agent whose policy prior is shared by novice games (per-turn bonus on the material level) and expert
games (win only) stops playing the sharp line in expert games: the lock-in develops from a healthy start,
the coverage control (sharp-line games forced) and the good start reach / keep expert wins, the fix (a prior
that sees the mode) at least halves the lock-in; the depth ablation (no search vs 1 vs 3 moves) and the two
novice-reward controls come out differently. Each claim is asserted from the notebook's quick run and across
>= 10 seeds straight from rlcore, with margin."""

import numpy as np
import pytest

from rlcore.analysis.ladder import HEALTHY_START, protocol_summary
from rlcore.analysis.ladder_3_lookahead import QUICK_EPISODES, SETTINGS, DuelExperimentConfig, run_duel, run_levels
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
    p, s, depth = m["protocol"], m["settings"], m["depth"]
    assert m["expert_optimal_win"] == pytest.approx(BEST_G, abs=1e-3) and m["level_novice_optimal_win"] < 0.01
    assert m["delta_keeps_optimal_policy"] is True
    q = m["q_star_start"]
    assert q["expert (win only)"][1] > q["expert (win only)"][0]                # 0.466 > 0.396: attack
    assert q["novice, bonus on level"][0] > q["novice, bonus on level"][1]      # 4.0 > 3.33: quiet
    assert m["calibration"]["random player"]["G"] < 0.5 * BEST_G                # 0.205: the metric separates
    assert p["start_nu"] >= HEALTHY_START                                      # observed 0.62
    assert p["lock_rate"] >= 0.6 and p["emerged"] >= 0.8                        # observed 1.0, 1.0 (6 runs)
    assert p["fix_lock_rate"] <= 0.5 * p["lock_rate"]                           # observed 0.0
    assert p["coverage_reaches_g"] >= 0.6 and p["good_start_keeps_g"] >= 0.6    # observed 1.0, 1.0
    assert p["default_delta_G"] >= 0.35 and p["default_delta_R"] >= 0.08        # observed 0.46, 0.14
    assert depth["0"]["lock_in_rate"] <= 0.2 and depth["1"]["lock_in_rate"] >= 0.6  # observed 0.0, 1.0
    assert depth["3"]["lock_in_rate"] <= 0.4                                    # observed 0.0
    assert s["change-shaping"]["lock_in_rate"] <= 0.2 and s["no novice games"]["lock_in_rate"] <= 0.2  # 0.0, 0.0


def test_protocol_emergence_and_lock_in_across_seeds(protocol):
    _, s = protocol
    assert s["start_nu"] >= HEALTHY_START + 0.05   # observed 0.62: the untrained agent plays the sharp line
    assert s["emerged"] >= 0.8                     # observed 1.0: tau_lock > 0 in every locked run
    assert s["lock_rate"] >= 0.8                   # observed 1.0 (12 of 12 seeds); C13 asks >= 0.8
    assert s["default_delta_R"] >= 0.1             # observed 0.14: not a misspecified reward (Delta_R ~ 0)


def test_protocol_controls_across_seeds(protocol):
    runs, s = protocol
    assert s["coverage_reaches_g"] >= 0.8          # observed 1.0: forced sharp-line games teach the same learner
    assert s["good_start_keeps_g"] >= 0.75         # observed 0.92: expert play is representable and kept
    assert s["fix_lock_rate"] <= 0.5 * s["lock_rate"] and s["fix_lock_rate"] <= 0.1   # observed 0.0
    assert s["default_delta_G"] - s["coverage_delta_G"] >= 0.2   # observed 0.46 vs 0.14
    assert np.mean([m.floor for m in runs["coverage"]]) >= 0.3   # observed 0.49: forced visits reported as floor


@pytest.mark.parametrize("depth, low, high", [(0, 0.0, 0.2), (1, 0.7, 1.0), (3, 0.0, 0.3)])
def test_depth_ablation_across_seeds(depth, low, high):
    res = run_duel(DuelExperimentConfig(episodes=QUICK_EPISODES, depth=depth), seeds=SEEDS[:10])
    assert low <= res.lock_rate <= high            # observed 0.0, 1.0, 0.0 (10 seeds; G 0.20, 0.00, 0.38)


@pytest.mark.parametrize("name", ["change-shaping", "no novice games"])
def test_novice_reward_controls_do_not_lock_in(name):
    res = run_duel(DuelExperimentConfig(episodes=QUICK_EPISODES, **SETTINGS[name]), seeds=SEEDS[:10])
    assert res.lock_rate <= 0.2 and res.g_final.mean() >= 0.35   # observed 0.0 and 0.466


def test_invalid_depth_fails_the_papermill_run_naming_the_field(notebook_runs):
    run = notebook_runs.run(NOTEBOOK, "bad_depth", quick=True, depth=-5, metrics_path="")
    assert not run.ok
    assert "DuelExperimentConfig.depth = -5" in run.stderr
