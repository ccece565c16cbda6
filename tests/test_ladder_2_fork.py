"""Level 2 of the ladder: the fork corridor, epsilon-greedy Q-learning and the analysis, against closed forms."""

import gymnasium as gym
import numpy as np
import pytest

from rlcore.analysis.ladder_2_model_free import (ForkExperimentConfig, greedy_path, optimal_values, path_return,
                                                 run_fork, run_level, uniform_visit_rate)
from rlcore.envs.ladder_2_fork import LEFT, RIGHT, ForkConfig, fork_step
from rlcore.learners.ladder_2_qlearning import QLearningConfig, epsilon_greedy, train_q_runs


def test_fork_step_by_hand():
    env = ForkConfig(left_length=3, right_length=2, left_reward=7.0, right_reward=2.0, penalty=4.0,
                     penalty_prob=0.5, step_cost=0.1)
    obs = np.array([3, 3, 4, 1, 0 + 2, 3])           # fork, fork, cell +1, cell -2, cell -1, fork
    act = np.array([LEFT, LEFT, RIGHT, LEFT, RIGHT, RIGHT])
    u = np.array([0.2, 0.7, 0.0, 0.0, 0.0, 0.0])
    nxt, r, term, in_n, intended = fork_step(env, obs, act, u)
    np.testing.assert_array_equal(nxt, [2, 2, 5, 0, 3, 4])
    np.testing.assert_allclose(r, [-4.1, -0.1, 1.9, 6.9, -0.1, -0.1])  # walking back onto the fork is free
    np.testing.assert_array_equal(term, [False, False, True, True, False, False])
    np.testing.assert_array_equal(in_n, [False, False, False, True, False, False])
    np.testing.assert_array_equal(intended, [0, 0, 0, 1, 0, 0])


def test_gym_env_follows_fork_step_and_reports_the_hidden_score():
    env = gym.make("rlcore/ForkCorridor-v0", left_length=2, right_length=1, penalty_prob=0.0)
    obs, _ = env.reset(seed=0)
    assert obs == 2
    obs, r, term, trunc, info = env.step(LEFT)
    assert (obs, r, term, info["in_neglected"]) == (1, 0.0 - 0.1, False, False)
    obs, r, term, trunc, info = env.step(LEFT)
    assert obs == 0 and term and not trunc and r == pytest.approx(9.9) and info["intended"] == 1.0
    env = gym.make("rlcore/ForkCorridor-v0", time_limit=2)
    env.reset(seed=0)
    env.step(RIGHT)
    assert env.step(LEFT)[3] is True  # truncated at the time limit


@pytest.mark.parametrize("kwargs,field", [({"left_length": 1}, "left_length"), ({"penalty_prob": 1.5}, "penalty_prob")])
def test_bad_corridor_raises_naming_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        ForkConfig(**kwargs)


@pytest.mark.parametrize("eps", [-0.1, 1.5])
def test_epsilon_outside_unit_interval_is_rejected(eps):
    with pytest.raises(ValueError, match="epsilon"):
        ForkExperimentConfig(epsilon=eps)
    with pytest.raises(ValueError, match="epsilon"):
        QLearningConfig(epsilon=eps)


def test_epsilon_greedy_frequencies():
    rng = np.random.default_rng(0)
    n = 200_000
    q = np.tile([[1.0, 3.0, 3.0, 0.0]], (n, 1))
    for eps in (0.0, 0.3, 1.0):
        a = epsilon_greedy(q, eps, rng.random(n), rng.random(n))
        freq = np.bincount(a, minlength=4) / n
        expected = eps / 4 + (1 - eps) * np.array([0, 0.5, 0.5, 0])  # uniform among the two tied maxima
        np.testing.assert_allclose(freq, expected, atol=0.005)


def test_one_q_update_matches_the_formula():
    env = ForkConfig(penalty_prob=0.0)
    cfg = QLearningConfig(q_init=2.0, learning_rate=0.3, gamma=0.9, steps=1, window=1, epsilon=0.0)
    seed = 5
    u = np.random.default_rng(seed).random((1, 3))
    runs = train_q_runs(env, cfg, [seed])
    a = RIGHT if u[0, 1] >= 0.5 else LEFT  # all entries tie at 2.0
    expected = 2.0 + 0.3 * (0.0 - env.step_cost + 0.9 * 2.0 - 2.0)
    assert runs.q[0, env.start, a] == pytest.approx(expected)
    assert runs.q[0, env.start, 1 - a] == 2.0


def test_runs_do_not_depend_on_their_batch():
    env, cfg = ForkConfig(), QLearningConfig(steps=2000, window=200)
    both = train_q_runs(env, cfg, [11, 22])
    alone = train_q_runs(env, cfg, [22])
    np.testing.assert_array_equal(both.q[1], alone.q[0])
    np.testing.assert_array_equal(both.n_visits[1], alone.n_visits[0])


def test_optimal_values_match_the_closed_form_on_random_corridors():
    rng = np.random.default_rng(1)
    for _ in range(20):
        env = ForkConfig(left_length=int(rng.integers(2, 9)), right_length=int(rng.integers(1, 6)),
                         left_reward=float(rng.uniform(1, 20)), right_reward=float(rng.uniform(0.1, 5)),
                         penalty=float(rng.uniform(0, 10)), penalty_prob=float(rng.random()), step_cost=0.0)
        gamma = float(rng.uniform(0.5, 0.99))
        straight_left = -env.penalty * env.penalty_prob + gamma ** (env.left_length - 1) * env.left_reward
        straight_right = gamma ** (env.right_length - 1) * env.right_reward
        # a detour back through the fork only discounts a positive value, so one of the straight walks is optimal
        assert optimal_values(env, gamma)[env.start].max() == pytest.approx(max(straight_left, straight_right))
        left_path = list(range(env.start, -1, -1))
        assert path_return(env, left_path, gamma) == pytest.approx(straight_left)


def test_greedy_path_ties_go_right():
    env = ForkConfig(left_length=2, right_length=1)
    assert greedy_path(env, np.zeros((env.n_cells, 2)))[-1] == env.n_cells - 1
    q = np.zeros((env.n_cells, 2))
    q[:, LEFT] = 1.0
    assert greedy_path(env, q) == [2, 1, 0]


def test_uniform_visit_rate_matches_a_random_agent():
    env = ForkConfig(left_length=4, right_length=2, time_limit=15)
    rng = np.random.default_rng(3)
    agents, horizon = 2000, 800
    obs, t, visits = np.full(agents, env.start), np.zeros(agents, dtype=int), 0
    for _ in range(horizon):
        nxt, _, term, in_n, _ = fork_step(env, obs, rng.integers(0, 2, agents), rng.random(agents))
        visits += in_n.sum()
        t += 1
        done = term | (t >= env.time_limit)
        obs, t = np.where(done, env.start, nxt), np.where(done, 0, t)
    assert visits / (agents * horizon) == pytest.approx(uniform_visit_rate(env), rel=0.02)


def test_run_level_is_one_run_of_the_batch_and_follows_the_protocol():
    m = run_level(4)
    from rlcore.analysis.ladder_2_model_free import level_config
    batch = run_fork(level_config(), seeds=[4]).metrics[0]
    np.testing.assert_array_equal(m.nu, batch.nu)
    assert m.tau_lock == batch.tau_lock and m.delta_g == batch.delta_g
    assert run_level(4, exploration=0.0).locked  # a purely greedy agent never returns to the branch
    assert not run_level(4, fix=True).locked
    with pytest.raises(ValueError, match="exploration"):
        run_level(0, exploration=5.0)


def test_a_deep_penalty_by_hand():
    env = ForkConfig(left_length=5, right_length=2, penalty=4.0, penalty_prob=1.0, penalty_cell=3, step_cost=0.0)
    obs = np.array([env.start - 2, env.start - 1, env.start - 3])  # cells -2, -1, -3
    nxt, r, _, in_n, _ = fork_step(env, obs, np.array([LEFT, LEFT, RIGHT]), np.zeros(3))
    np.testing.assert_allclose(r, [-4.0, 0.0, 0.0])  # only the step left onto cell -3 hurts
    with pytest.raises(ValueError, match="penalty_cell"):
        ForkConfig(left_length=3, penalty_cell=3)


def test_monte_carlo_update_matches_the_return_by_hand():
    """One greedy walk to the big prize (r = 0 then 10): every visit moves toward its discounted return."""
    env = ForkConfig(left_length=2, right_length=1, penalty_prob=0.0, step_cost=0.0)
    cfg = QLearningConfig(epsilon=0.0, learning_rate=0.5, gamma=0.9, steps=2, window=1, algorithm="mc")
    table = np.zeros((env.n_cells, 2))
    table[:, LEFT] = 1.0
    q = train_q_runs(env, cfg, [0], q_table=table).q[0]
    assert q[1, LEFT] == pytest.approx(1 + 0.5 * (10 - 1))        # return 10 from cell -1
    assert q[2, LEFT] == pytest.approx(1 + 0.5 * (0.9 * 10 - 1))  # return 9 from the fork
    np.testing.assert_array_equal(q[:, RIGHT], 0.0)


def test_forced_episodes_count_as_forced_visits_not_own():
    env, cfg = ForkConfig(step_cost=0.0), QLearningConfig(steps=3000, window=300, coverage=1.0)
    runs = train_q_runs(env, cfg, [1, 2])
    assert runs.n_visits.sum() == 0 and runs.forced_visits.sum() > 0
    assert runs.initial_visits.shape == (2,)


def test_policy_outcome_matches_a_simulated_epsilon_greedy_agent():
    """The exact (G, R) of an epsilon-greedy table against 20,000 simulated episodes of fork_step."""
    from rlcore.analysis.ladder_2_model_free import policy_outcome

    env = ForkConfig(left_length=4, right_length=3, penalty=6.0, penalty_prob=0.5, penalty_cell=2, step_cost=0.0,
                     time_limit=20)
    rng = np.random.default_rng(5)
    q = rng.normal(size=(env.n_cells, 2))
    q[env.start - 1] = [0.0, 0.0]  # a tie: split evenly
    eps, gamma, agents = 0.3, 0.9, 20_000
    g_exact, r_exact = policy_outcome(env, q, eps, gamma)
    obs, alive = np.full(agents, env.start), np.ones(agents, bool)
    big, ret = np.zeros(agents), np.zeros(agents)
    for t in range(env.time_limit):
        greedy = np.where(q[obs, LEFT] > q[obs, RIGHT], LEFT,
                          np.where(q[obs, LEFT] < q[obs, RIGHT], RIGHT, rng.integers(0, 2, agents)))
        action = np.where(rng.random(agents) < eps, rng.integers(0, 2, agents), greedy)
        nxt, r, term, _, intended = fork_step(env, obs, action, rng.random(agents))
        ret += alive * gamma ** t * r
        big += alive * intended
        alive &= ~term
        obs = np.where(alive, nxt, obs)
    assert big.mean() == pytest.approx(float(g_exact), abs=0.015)
    assert ret.mean() == pytest.approx(float(r_exact), abs=0.05)


def test_the_outcome_score_is_calibrated_before_it_scores_a_learner():
    """Q* scores Delta_G ~ 0; the untrained (all-zero) table and random tables score Delta_G above DELTA_G_SMALL."""
    from rlcore.analysis.ladder_2_model_free import DELTA_G_SMALL, level_config, optimum, policy_outcome

    cfg = level_config()
    env, eps, gamma = cfg.corridor(), cfg.epsilon, cfg.learner().gamma
    g_best, r_best = optimum(env, eps, gamma)
    q_star = optimal_values(env, gamma)
    assert g_best > 0.999 and float(policy_outcome(env, q_star, eps, gamma)[0]) == pytest.approx(g_best, abs=1e-6)
    assert g_best - float(policy_outcome(env, np.zeros_like(q_star), eps, gamma)[0]) > DELTA_G_SMALL  # 0.56
    random_g = policy_outcome(env, np.random.default_rng(0).normal(size=(200,) + q_star.shape), eps, gamma)[0]
    assert g_best - random_g.mean() > DELTA_G_SMALL  # observed 0.74
    assert float(policy_outcome(env, q_star, 0.0, gamma)[1]) == pytest.approx(q_star[env.start].max())
