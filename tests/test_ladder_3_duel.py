"""Unit tests of the level-3 duel, the search agent and the exact values (closed forms, independent rollouts)."""

import numpy as np
import pytest

from rlcore.analysis.ladder_3_lookahead import (DuelExperimentConfig, greedy_policy, novice_quiet_margin,
                                                optimal_values, policy_values, run_level, run_levels,
                                                uniform_visits_per_game, visits_per_game)
from rlcore.envs.ladder_3_duel import LOSS, ONGOING, WIN, DuelConfig, MaterialDuel, duel_reward, duel_step
from rlcore.learners.ladder_3_search import SearchConfig, duel_tables, search_policy, search_q, train_search_runs


def test_rules_on_known_positions():
    d = DuelConfig()  # mate in 4, 6 pieces
    m2, k2, res = duel_step(d, np.array([0, -2, -5, -3, -1]), np.array([0, 3, 0, 1, 1]), np.array([1, 1, 1, 1, 0]),
                            np.array([True, False, False, True, False]), np.array([False, False, False, True, False]),
                            np.array([False, False, False, False, True]))
    assert res.tolist() == [ONGOING, WIN, LOSS, 0, LOSS]   # parried start, mate, out of material, stop, counter-mate
    assert m2.tolist() == [-1, -3, -6, -4, -1] and k2.tolist()[0] == 0 and k2.tolist()[3] == 0


def test_quiet_game_value_is_a_geometric_series():
    # the quiet policy from the start: the level bonus pays b * 6 per move for 1 / end_prob moves on average
    d = DuelConfig()
    v, win = policy_values(d, np.zeros(d.n_positions), 1)
    assert v[0] == pytest.approx(d.bonus * d.material / d.end_prob)
    assert win[0] == 0.0 and policy_values(d, np.zeros(d.n_positions), 0)[0][0] == 0.0


def test_always_sacrifice_win_probability_matches_monte_carlo():
    d = DuelConfig()
    _, win = policy_values(d, np.ones(d.n_positions), 0)
    rng = np.random.default_rng(0)
    n, wins = 20000, 0
    m, k, live = np.zeros(n, int), np.zeros(n, int), np.ones(n, bool)
    for _ in range(60):
        m2, k2, res = duel_step(d, m, k, np.ones(n, int), rng.random(n) < d.parry_prob, rng.random(n) < d.end_prob)
        wins += np.sum(live & (res == WIN))
        live &= res == ONGOING
        m, k = m2, k2
    assert wins / n == pytest.approx(win[0], abs=0.015)
    # the first attack alone mates with probability ((1 - parry)(1 - stop))^3: a lower bound
    assert ((1 - d.parry_prob) * (1 - d.end_prob)) ** 3 < win[0] < 1


@pytest.mark.parametrize("seed", range(5))
def test_delta_shaping_shifts_every_policy_value_by_minus_b_phi(seed):
    rng = np.random.default_rng(seed)
    d = DuelConfig(shaping="delta", bonus=float(rng.uniform(0.01, 1.0)))
    pol = rng.random(d.n_positions)
    v_exp, _ = policy_values(d, pol, 0)
    v_nov, _ = policy_values(d, pol, 1)
    phi = d.material + duel_tables(d)[3][0]
    np.testing.assert_allclose(v_nov, v_exp - d.bonus * phi, atol=1e-9)


def test_level_bonus_changes_the_optimal_policy_and_delta_does_not():
    d = DuelConfig()
    expert = greedy_policy(optimal_values(d, 0))
    assert expert[0] == 1.0                                                  # attack from the start
    assert greedy_policy(optimal_values(d, 1))[0] == 0.0                     # level bonus: quiet
    np.testing.assert_array_equal(greedy_policy(optimal_values(d.replace(shaping="delta"), 1)), expert)


def test_deep_search_with_zero_values_equals_value_iteration():
    d = DuelConfig()
    nxt, reward, prob, _ = duel_tables(d)
    q = search_q(np.zeros((1, d.n_positions)), nxt, reward[0][None], prob, 400)[0]
    np.testing.assert_allclose(q, optimal_values(d, 0), atol=1e-9)
    v_star = optimal_values(d, 0).max(axis=1)  # one backup of the fixed point returns Q* again
    np.testing.assert_allclose(search_q(v_star[None], nxt, reward[0][None], prob, 1)[0], optimal_values(d, 0),
                               atol=1e-9)
    assert np.all(search_q(v_star[None], nxt, reward[0][None], prob, 0) == 0)  # depth 0: no search


def test_search_policy_is_the_prior_reweighted_by_the_search():
    q = np.array([[0.3, 0.3], [0.0, 0.02], [0.1, 0.0]])
    pi = search_policy(q, np.array([0.5, 0.5, 0.9]), 0.02)
    assert pi[0] == pytest.approx(0.5)
    assert pi[1] == pytest.approx(1 / (1 + np.exp(-1.0)))
    assert pi[2] == pytest.approx(1 / (1 + np.exp(5.0 - np.log(9.0))))


def test_novice_margin_is_the_bonus_the_search_can_see():
    d = DuelConfig()
    assert novice_quiet_margin(d, 0) == 0.0
    assert novice_quiet_margin(d, 1) == pytest.approx(d.bonus)      # one turn of one piece
    assert novice_quiet_margin(d, 2) > novice_quiet_margin(d, 1)
    for depth in (1, 2, 3):  # change-shaping with the potential counted at the frontier: as indifferent as expert
        assert novice_quiet_margin(d.replace(shaping="delta"), depth) == pytest.approx(0.0, abs=1e-12)


def test_uniform_reference_matches_simulation_and_quiet_visits_nothing():
    d = DuelConfig()
    rng = np.random.default_rng(1)
    n = 20000
    m, k, live, visits = np.zeros(n, int), np.zeros(n, int), np.ones(n, bool), 0
    for _ in range(80):
        m, k, res = duel_step(d, m, k, (rng.random(n) < 0.5).astype(int), rng.random(n) < d.parry_prob,
                              rng.random(n) < d.end_prob)
        visits += np.sum(live & (k >= d.sharp_depth) & (res == ONGOING))  # moves into N (game still running)
        live &= res == ONGOING
    assert visits / n == pytest.approx(uniform_visits_per_game(d), rel=0.05)
    assert visits_per_game(d, 0.0) == 0.0


def test_forced_moves_are_counted_apart_and_depth_zero_keeps_the_prior():
    d = DuelConfig()
    runs = train_search_runs(d, SearchConfig(episodes=40, coverage=1.0, novice_share=0.0), [0, 1])
    assert runs.own_expert.sum() == 0 and runs.forced_expert.sum() > 0   # every move forced: nothing is "own"
    runs = train_search_runs(d, SearchConfig(episodes=40, depth=0), [0])
    np.testing.assert_allclose(runs.prior, 0.5)                          # no search: the prior has no target


def test_gym_env_rewards_match_the_table():
    env = MaterialDuel(mode="novice")
    obs, _ = env.reset(seed=0)
    obs, r, term, trunc, info = env.step(1)
    assert r == pytest.approx(float(duel_reward(env.config, "novice", 0, -1, ONGOING if not term else 0)))
    assert obs[0] == 1 and not trunc


def test_invalid_settings_name_the_field():
    with pytest.raises(ValueError, match="SearchConfig.depth = -1"):
        SearchConfig(depth=-1)
    with pytest.raises(ValueError, match="DuelExperimentConfig.depth = -5"):
        DuelExperimentConfig(depth=-5)
    with pytest.raises(ValueError, match="epsilon"):
        SearchConfig(epsilon=1.5)
    with pytest.raises(ValueError, match="mode"):
        MaterialDuel(mode="master")
    with pytest.raises(ValueError, match="exploration"):
        run_level(0, exploration=200.0)
    with pytest.raises(ValueError, match="start"):
        run_level(0, start="best")


def test_run_level_is_deterministic_and_matches_the_batch():
    a, b = run_level(5, quick=True), run_level(5, quick=True)
    np.testing.assert_array_equal(a.nu, b.nu)
    assert a.summary() == b.summary() and len(a.nu) == 11        # nu[0] plus 10 windows of 60 games
    batch = run_levels([7, 5], quick=True)
    np.testing.assert_array_equal(batch[1].nu, a.nu)              # a run does not depend on its batch


def test_qtable_learner_counts_forced_moves_apart_and_breaks_ties_at_random():
    from rlcore.analysis.ladder_3_lookahead import qtable_policy
    from rlcore.learners.ladder_3_search import train_qtable_runs
    d = DuelConfig()
    runs = train_qtable_runs(d, SearchConfig(episodes=30, epsilon=1.0), [0, 1])
    assert runs.own_expert.sum() == 0 and runs.own_novice.sum() == 0 and runs.forced_expert.sum() > 0
    q = np.zeros((1, 1, 3, 2))
    q[0, 0, 1] = [0.0, 1.0]
    q[0, 0, 2] = [1.0, 0.0]
    np.testing.assert_array_equal(qtable_policy(q, 0)[0], [0.5, 1.0, 0.0])


def test_qtable_learner_on_expert_games_only_reaches_q_star_at_the_start():
    # one table, expert games only, many games: the start's values approach Q*(start) of win-only scoring
    from rlcore.learners.ladder_3_search import train_qtable_runs
    d = DuelConfig()
    runs = train_qtable_runs(d, SearchConfig(episodes=3000, epsilon=0.3, novice_share=0.0), [3], learning_rate=0.02)
    np.testing.assert_allclose(runs.q[0, 0, 0], optimal_values(d, 0)[0], atol=0.12)
