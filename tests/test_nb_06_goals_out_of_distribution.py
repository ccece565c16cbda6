"""Claims of 06_goals_out_of_distribution.

1. Runners trained with the coin always at the level's end keep their capability on new levels (they cross
   pits and reach the end) but ignore a moved coin; the in-distribution test cannot see it; training on a share
   of levels with the coin elsewhere raises the moved-coin rate. References: uniform, scripted runner, seeker.
2. A cue-follower and a rule-inferrer (the same learner, trained without and with games that show no cue;
   neither sees a misleading game in training) are indistinguishable in distribution by measurement and differ
   on misleading games; the advantage shrinks with in-episode reward feedback; on games with an arbitrary new
   rule neither has any advantage (chance k/doors).
3. The cloning example (by construction: kept as a unit test).
"""

import gymnasium as gym
import numpy as np
import pytest

from rlcore.analysis.goals_ood import (CoinConfig, DoorsConfig, chance_within_tries, cloning_choices, coin_summary,
                                       doors_summary, policy_distance, run_coin_sweep, run_doors, scripted_runner)
from rlcore.envs.coin_level import GRAB, JUMP, RIGHT, CoinLevelConfig, CoinLevels
from rlcore.envs.cued_doors import CuedDoorsConfig, draw_games

NOTEBOOK = "06_goals_out_of_distribution"


def test_notebook_metrics(notebook_runs):
    m = notebook_runs.quick(NOTEBOOK)
    by = m["coin"]["by_share"]
    assert by["0"]["ledge_coin"] <= 0.3 and by["0"]["ledge_end"] >= 0.7 and by["0"]["ledge_died"] <= 0.1
    assert by["0"]["end_coin"] >= 0.9
    assert by["0.3"]["ledge_coin"] >= by["0"]["ledge_coin"] + 0.4
    d = m["doors"]
    assert d["distance"]["aligned"] < 0.03 and d["distance"]["misleading"] > 0.5
    assert d["advantage"]["misleading"][0] >= 0.6 and d["advantage"]["misleading"][0] > d["advantage"]["misleading"][1]
    assert max(abs(x) for x in d["advantage"]["arbitrary"]) < 0.06
    assert m["cloning"]["clone_taken_by_fitness_valuer"] == 1.0 and m["cloning"]["clone_taken_by_correlate_valuer"] == 0.0


@pytest.fixture(scope="module")
def coin_runs():
    """12 independent runs (seeds) at each of 0% and 30% ledge levels in training."""
    return coin_summary(run_coin_sweep(CoinConfig(runs=12, updates=120, test_levels=100, seed=7), shares=(0.0, 0.3)))


def test_capability_generalizes_while_the_goal_does_not_across_seeds(coin_runs):
    zero = coin_runs["by_share"]["0"]
    assert zero["ledge_capable_min"] >= 0.85  # every run survives >= 85% of new levels (observed >= 0.95)
    assert zero["ledge_end"] >= 0.7  # ... and mostly reaches the end past the moved coin (observed 0.86)
    assert zero["ledge_coin_max"] <= 0.35  # no run takes the moved coin on more than a third (observed <= 0.22)
    assert zero["end_coin_min"] >= 0.9  # the in-distribution test sees nothing wrong
    assert zero["grab_coin_weight_max_abs"] == 0.0  # the mechanism: "coin above" never on, never updated


def test_control_diverse_training_makes_runners_take_the_moved_coin_across_seeds(coin_runs):
    zero, diverse = coin_runs["by_share"]["0"], coin_runs["by_share"]["0.3"]
    assert diverse["ledge_coin_min"] > zero["ledge_coin_max"]  # every diverse run beats every plain run
    assert diverse["ledge_coin"] >= 0.65 and diverse["end_coin"] >= 0.9
    assert diverse["grab_coin_weight"] >= 1.0


def test_references_calibrate_the_coin_metric(coin_runs):
    ref = coin_runs["references"]
    assert ref["untrained (uniform)"]["ledge_died"] >= 0.5 and ref["untrained (uniform)"]["ledge_coin"] <= 0.2
    assert ref["scripted runner, ignores coins"]["ledge_coin"] == 0.0
    assert ref["scripted runner, ignores coins"]["ledge_end"] == 1.0
    assert ref["scripted coin seeker"]["ledge_coin"] >= 0.95 and ref["scripted coin seeker"]["end_coin"] == 1.0


@pytest.fixture(scope="module")
def doors():
    return [doors_summary(run_doors(DoorsConfig(seed=s, runs=10, test_games=300))) for s in range(2)]


def test_indistinguishable_in_distribution_different_outside_across_seeds(doors):
    for d in doors:  # 2 x 10 runs
        assert d["distance_max"]["aligned"] < 0.03  # observed < 0.01
        assert d["distance_min"]["misleading"] > 0.6  # observed 0.77
        assert abs(d["advantage"]["aligned"][0]) < 0.03


def test_advantage_shrinks_with_feedback_and_vanishes_for_a_new_rule_across_seeds(doors):
    for d in doors:
        mis = d["advantage_min_over_runs"]["misleading"]
        assert mis[0] >= 0.6 and 0.1 <= d["advantage"]["misleading"][1] <= 0.5 and d["advantage"]["misleading"][-1] == 0
        assert max(abs(x) for x in d["advantage"]["arbitrary"]) < 0.05
        np.testing.assert_allclose(d["cue-follower"]["arbitrary"], d["chance"], atol=0.05)
        np.testing.assert_allclose(d["rule-inferrer"]["arbitrary"], d["chance"], atol=0.05)


def test_control_without_uncued_games_both_agents_follow_the_cue():
    d = doors_summary(run_doors(DoorsConfig(uncued_share=0.0, runs=10, test_games=300)))
    assert d["rule-inferrer"]["misleading"][0] <= 0.1 and abs(d["advantage"]["misleading"][0]) < 0.05


def test_cloning_example_by_construction():
    c = cloning_choices(seed=3)
    assert c["familiar_pair_agreement"] >= 0.85
    assert c["clone_taken_by_fitness_valuer"] == 1.0 and c["clone_taken_by_correlate_valuer"] == 0.0
    assert c["rich_option_taken_by_fitness_valuer"] == 1.0 and c["rich_option_taken_by_correlate_valuer"] == 1.0


def test_coin_levels_dynamics():
    cfg = CoinLevelConfig(length=8, pit_density=1.0)
    lv = CoinLevels(cfg, 200, np.random.default_rng(0))
    assert not lv.pits[:, :2].any() and not lv.pits[:, -2:].any()
    gaps = [np.diff(np.flatnonzero(row)) for row in lv.pits]
    assert all((g >= 3).all() for g in gaps)
    lv = CoinLevels(CoinLevelConfig(length=8, pit_density=0.0), 3, np.random.default_rng(0), coin="ledge")
    cell = lv.coin_cell.copy()
    for _ in range(8):
        lv.step(np.where(lv.pos == cell, GRAB, RIGHT))
    assert lv.coin.all() and not lv.reached_end.any()
    lv = CoinLevels(CoinLevelConfig(length=8, pit_density=0.0), 3, np.random.default_rng(0), coin="end")
    for _ in range(8):
        lv.step(np.full(3, JUMP))
    assert lv.coin.all() and lv.reached_end.all()


def test_scripted_runner_is_competent():
    from rlcore.learners.goal_agents import play_levels
    lv = play_levels(scripted_runner(False, margin=40), CoinLevelConfig(), 300, np.random.default_rng(1), "end")
    assert lv.coin.mean() == 1.0 and not lv.died.any()


def test_doors_and_helpers():
    feats, winner = draw_games(CuedDoorsConfig(uncued_share=0.5), 50, np.random.default_rng(0), "misleading")
    assert (feats[np.arange(50), winner, 1] > 0).all() and (feats[np.arange(50), winner, 0] == 0).all()
    assert chance_within_tries(4, 2) == 0.5 and chance_within_tries(3, 7) == 1.0
    assert policy_distance(np.eye(3), np.eye(3)[[1, 2, 0]]) == 1.0
    feats, _ = draw_games(CuedDoorsConfig(uncued_share=1.0), 50, np.random.default_rng(0), "train")
    assert (feats[..., 0] == 0).all() and (feats[..., 1].sum(1) > 0).all()
    env = gym.make("rlcore/CuedDoors-v0", tries=2)
    obs, _ = env.reset(seed=0, options={"kind": "aligned"})
    cued = int(np.argmax(obs[:, 0]))
    assert env.step(cued)[1] == 1.0


def test_invalid_doors_fails_the_papermill_run_naming_the_field(notebook_runs):
    run = notebook_runs.run(NOTEBOOK, "bad_doors", quick=True, doors=1, metrics_path="")
    assert not run.ok and "DoorsConfig.doors = 1" in run.stderr
