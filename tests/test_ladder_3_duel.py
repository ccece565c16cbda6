"""Unit tests of the level-3 duel, the search agent and the exact values (closed forms, independent rollouts)."""

import numpy as np
import pytest

from rlcore.analysis.ladder_3_lookahead import (DuelExperimentConfig, greedy_policy, optimal_values, policy_values,
                                                run_level, uniform_visits_per_game)
from rlcore.envs.ladder_3_duel import LOSS, ONGOING, WIN, DuelConfig, MaterialDuel, duel_reward, duel_step
from rlcore.learners.ladder_3_search import SearchConfig, duel_tables, search_q


def test_rules_on_known_positions():
    d = DuelConfig()
    m2, k2, res = duel_step(d, np.array([0, -1, -3, -2]), np.array([0, 2, 0, 1]), np.array([1, 1, 1, 1]),
                            np.array([True, False, False, True]), np.array([False, False, False, True]))
    assert res.tolist() == [ONGOING, WIN, LOSS, 0]          # parried start, mate, out of material, child stops
    assert m2.tolist() == [-1, -2, -4, -3] and k2.tolist()[0] == 0 and k2.tolist()[3] == 0


def test_quiet_game_value_is_a_geometric_series():
    # the quiet policy from the start: the level bonus pays b * 4 per move for 1 / end_prob moves on average
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
    # closed form without the child stopping the game: (1-p)^2 mates on the first try; otherwise retry once more
    # at most with the pieces left; here just bound it
    assert 0.3 < win[0] < (1 - d.parry_prob) ** 2 + 0.01


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
    assert expert[0] == 1.0                                                  # sacrifice from the start
    assert greedy_policy(optimal_values(d, 1))[0] == 0.0                     # level bonus: quiet
    np.testing.assert_array_equal(greedy_policy(optimal_values(d.replace(shaping="delta"), 1)), expert)


def test_deep_search_with_zero_values_equals_value_iteration():
    d = DuelConfig()
    nxt, reward, prob, _ = duel_tables(d)
    q = search_q(np.zeros((1, d.n_positions)), nxt, reward[0][None], prob, 400)[0]
    np.testing.assert_allclose(q, optimal_values(d, 0), atol=1e-9)
    # depth 1 with V = V*: one Bellman backup of the fixed point returns Q* again
    v_star = optimal_values(d, 0).max(axis=1)
    np.testing.assert_allclose(search_q(v_star[None], nxt, reward[0][None], prob, 1)[0], optimal_values(d, 0),
                               atol=1e-9)


def test_uniform_reference_matches_simulation():
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


def test_gym_env_rewards_match_the_table():
    env = MaterialDuel(mode="novice")
    obs, _ = env.reset(seed=0)
    obs, r, term, trunc, info = env.step(1)
    assert r == pytest.approx(float(duel_reward(env.config, "novice", 0, -1, ONGOING if not term else 0)))
    assert obs[0] == 1 and not trunc


def test_invalid_settings_name_the_field():
    with pytest.raises(ValueError, match="SearchConfig.depth = 0"):
        SearchConfig(depth=0)
    with pytest.raises(ValueError, match="DuelExperimentConfig.depth = 0"):
        DuelExperimentConfig(depth=0)
    with pytest.raises(ValueError, match="epsilon"):
        SearchConfig(epsilon=1.5)
    with pytest.raises(ValueError, match="mode"):
        MaterialDuel(mode="master")
    with pytest.raises(ValueError, match="exploration"):
        run_level(0, exploration=20.0)


def test_run_level_is_deterministic_and_follows_the_protocol():
    a, b = run_level(5, quick=True), run_level(5, quick=True)
    np.testing.assert_array_equal(a.nu, b.nu)
    assert a.summary() == b.summary() and len(a.nu) == 20
