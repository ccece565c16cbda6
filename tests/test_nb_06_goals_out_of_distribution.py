"""Claims of 06_goals_out_of_distribution.

1. Runners trained with the coin always at the level's end keep their capability on new levels (they cross
   pits and reach the end); whether they take a moved coin is decided by the representation: with a feature
   that is never on in training ("coin on the ledge above") they ignore it (that weight is never updated: an
   identity, kept as a unit test); with a feature shared between the training coin and the moved coin ("coin
   in my cell") the same learner takes it. Training on a share of levels with the coin elsewhere raises the
   moved-coin rate of the first representation. References: uniform, scripted runner, seeker.
2. A cue-follower and a rule-inferrer (the same learner, trained without and with games that show no cue;
   neither sees a misleading game in training) are indistinguishable on aligned games (not on games without a
   cue) and differ on misleading games, where the rule-inferrer needs about half the picks to win, more saved
   with more doors; the same learner on the same data from two starting weights matches on aligned games and
   differs on misleading ones. Arbitrary-rule games put every policy at k/doors: an identity (unit test).
3. The cloning example (by construction: kept as a unit test).
"""

import gymnasium as gym
import numpy as np
import pytest

from rlcore.analysis.goals_ood import (CoinConfig, DoorsConfig, chance_within_tries, cloning_choices, coin_summary,
                                       doors_summary, doors_sweep, policy_distance, run_coin_sweep, run_doors,
                                       same_data_different_start, scripted_runner)
from rlcore.learners.goal_agents import (RunnerConfig, pick_with_feedback, picks_to_win, play_levels,
                                         train_level_runner)
from rlcore.envs.coin_level import GRAB, JUMP, RIGHT, CoinLevelConfig, CoinLevels
from rlcore.envs.cued_doors import CuedDoorsConfig, draw_games

NOTEBOOK = "06_goals_out_of_distribution"


def test_notebook_metrics(notebook_runs):
    m = notebook_runs.quick(NOTEBOOK)
    by = m["coin"]["by_share"]
    assert by["0"]["ledge_coin"] <= 0.3 and by["0"]["ledge_end"] >= 0.7 and by["0"]["ledge_died"] <= 0.1
    assert by["0"]["end_coin"] >= 0.9
    assert by["0.3"]["ledge_coin"] >= by["0"]["ledge_coin"] + 0.4
    shared = m["coin_shared"]["by_share"]["0"]
    assert shared["ledge_coin"] >= by["0"]["ledge_coin"] + 0.4 and shared["ledge_died"] <= 0.1
    d = m["doors"]
    assert d["distance"]["aligned"] < 0.03 and d["distance"]["misleading"] > 0.5 and d["distance"]["uncued"] > 0.2
    assert d["advantage"]["misleading"][0] >= 0.6
    assert d["picks_saved"]["misleading"] >= 0.8 and abs(d["picks_saved"]["aligned"]) < 0.03
    sweep = m["doors_sweep"]
    assert sweep["picks_saved_min"][-1] > sweep["picks_saved_min"][0] > 0.3
    start = m["same_data"]
    assert start["aligned"]["distance"] < 0.01 and start["misleading"]["distance"] > 0.25
    assert m["cloning"]["clone_taken_by_fitness_valuer"] == 1.0 and m["cloning"]["clone_taken_by_correlate_valuer"] == 0.0


@pytest.fixture(scope="module")
def coin_runs():
    """12 independent runs (seeds) at each of 0% and 30% ledge levels in training."""
    return coin_summary(run_coin_sweep(CoinConfig(runs=12, updates=120, test_levels=100, seed=7), shares=(0.0, 0.3)))


@pytest.fixture(scope="module")
def shared_runs():
    """12 independent runs at 0% with the shared feature 'coin in my cell' (every coin taken by grab)."""
    return coin_summary(run_coin_sweep(CoinConfig(runs=12, updates=120, test_levels=100, seed=7,
                                                  coin_feature="shared"), shares=(0.0,)))


def test_capability_generalizes_while_the_goal_does_not_across_seeds(coin_runs):
    zero = coin_runs["by_share"]["0"]
    assert zero["ledge_capable_min"] >= 0.85  # every run survives >= 85% of new levels (observed >= 0.95)
    assert zero["ledge_end"] >= 0.7  # ... and mostly reaches the end past the moved coin (observed 0.86)
    assert zero["ledge_coin_max"] <= 0.35  # no run takes the moved coin on more than a third (observed <= 0.22)
    assert zero["end_coin_min"] >= 0.9  # the in-distribution test sees nothing wrong


def test_the_representation_decides_whether_the_goal_generalizes_across_seeds(coin_runs, shared_runs):
    """Same learner, same 0% training, same test: only the coin feature differs. The shared feature makes
    the runner take the moved coin; capability is kept under both."""
    sep, shared = coin_runs["by_share"]["0"], shared_runs["by_share"]["0"]
    assert shared["ledge_coin_min"] > sep["ledge_coin_max"] + 0.2  # every shared run beats every separate run
    assert shared["ledge_coin"] >= 0.55  # observed about 0.72
    assert shared["ledge_capable_min"] >= 0.85 and shared["end_coin_min"] >= 0.9


def test_identity_a_feature_never_on_in_training_keeps_its_initial_weight():
    """Unit test of the identity behind the 0% result (not evidence for it): with every coin at the end,
    'coin above' is 0 in every training state, so its weights get zero gradient and stay at their start, and
    'coin ahead' is 1 in every state, so its column moves exactly like the constant's. What the runner does
    under a moved coin is then set by the initial weights: start the column leaning to grab and it grabs."""
    w = train_level_runner(RunnerConfig(updates=20), CoinLevelConfig(coin_elsewhere=0.0), 4, seed=0)
    assert np.all(w[:, :, 3] == 0.0)
    np.testing.assert_allclose(w[:, :, 4], w[:, :, 0], atol=1e-12)
    w[:, 2, 3] = 8.0  # a start that already leans to grab under "coin above"
    lv = play_levels(w, CoinLevelConfig(), 100, np.random.default_rng(0), coin="ledge")
    assert lv.coin.mean() >= 0.6


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


def test_indistinguishable_on_aligned_games_different_outside_across_seeds(doors):
    for d in doors:  # 2 x 10 runs
        assert d["distance_max"]["aligned"] < 0.03  # observed < 0.01
        assert d["distance_min"]["misleading"] > 0.6  # observed 0.77
        assert abs(d["advantage"]["aligned"][0]) < 0.03
        assert d["distance_min"]["uncued"] > 0.3  # scope: on games without a cue they differ (observed 0.39)


def test_feedback_rule_inferrer_needs_fewer_picks_to_win_misleading_games_across_seeds(doors):
    for d in doors:
        assert d["advantage_min_over_runs"]["misleading"][0] >= 0.6
        assert d["picks_saved_min"]["misleading"] >= 0.8  # observed 1.09-1.19 of 2.4 picks
        assert d["picks"]["rule-inferrer"]["misleading"] <= 0.6 * d["picks"]["cue-follower"]["misleading"]
        assert abs(d["picks_saved"]["aligned"]) < 0.03  # control: nothing to save in distribution


def test_doors_sweep_picks_saved_grow_with_the_number_of_doors():
    s = doors_sweep(DoorsConfig(runs=10, test_games=200, seed=3), doors=(2, 4, 8))
    saved = np.array(s["picks_saved_min"])  # the worst run's saving, per number of doors
    assert saved[0] >= 0.3 and np.all(np.diff(saved) > 0.2)  # observed 0.62, 1.12, 1.65
    assert np.all(np.array(s["rule-inferrer"]["picks"]) < 1.4)


def test_same_data_different_start_matches_in_distribution_and_differs_outside_across_seeds():
    for seed in (0, 1):  # 2 x 10 runs
        s = same_data_different_start(DoorsConfig(runs=10, test_games=500, seed=seed))
        assert s["aligned"]["distance_max"] < 0.01  # observed < 0.002
        assert s["misleading"]["distance_min"] > 0.25  # observed 0.36-0.46
        assert s["misleading"]["marker-leaning start"] >= s["misleading"]["zero start"] + 0.25  # 0.40 vs 0.01


def test_identity_an_arbitrary_winner_puts_every_policy_at_k_over_doors():
    """Unit test of an identity (not a finding): when the winner is drawn independently of every feature,
    any policy that never repeats a door wins within k picks with probability k / doors."""
    rng = np.random.default_rng(0)
    feats, winner = draw_games(CuedDoorsConfig(doors=4, marker_salience=0.5), 20000, rng, "arbitrary")
    for w in ([0, 0], [6, 0], [0, 12], [-5, -5], [50, -50]):
        picks = picks_to_win(np.tile(np.array(w, float), (20000, 1)), feats, winner, rng)
        np.testing.assert_allclose([(picks <= k).mean() for k in (1, 2, 3, 4)], [0.25, 0.5, 0.75, 1.0], atol=0.015)


def test_picks_to_win_agrees_with_pick_with_feedback():
    rng = np.random.default_rng(1)
    feats, winner = draw_games(CuedDoorsConfig(doors=5, marker_salience=0.5), 20000, rng, "misleading")
    w = np.tile([3.0, 2.0], (20000, 1))
    picks = picks_to_win(w, feats, winner, rng)
    for k in (1, 2, 3):
        assert (picks <= k).mean() == pytest.approx(pick_with_feedback(w, feats, winner, k, rng).mean(), abs=0.015)
    assert picks.min() >= 1 and picks.max() <= 5


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


def test_shared_coin_levels_take_every_coin_by_grab():
    shared = CoinLevelConfig(length=8, pit_density=0.0, coin_feature="shared")
    lv = CoinLevels(shared, 2, np.random.default_rng(0), coin="end")
    for _ in range(7):  # walk to the end cell
        lv.step(np.full(2, RIGHT))
    assert lv.reached_end.all() and not lv.done.any() and not lv.coin.any()
    assert np.all(lv.observe()[:, 2] == 1.0)  # "coin in my cell" is on at the end coin
    lv.step(np.array([GRAB, RIGHT]))  # one grabs it; the other lets its one chance pass
    assert lv.coin.tolist() == [True, False] and lv.done.all()
    lv = CoinLevels(shared, 3, np.random.default_rng(0), coin="ledge")
    cell = lv.coin_cell.copy()
    for _ in range(8):
        lv.step(np.where(lv.pos == cell, GRAB, RIGHT))
    assert lv.coin.all()
    sep = CoinLevels(CoinLevelConfig(length=8, pit_density=0.0), 2, np.random.default_rng(0), coin="end")
    for _ in range(6):
        sep.step(np.full(2, RIGHT))
    assert np.all(sep.observe()[:, 2] == 0.0)  # 'separate': "coin above" is off next to the end coin


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
