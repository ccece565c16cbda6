"""Unit tests of lesson 04's math against closed forms and independent computations, and the results that hold
by construction (kept here, not counted as findings)."""

import gymnasium as gym
import numpy as np
import pytest

from rlcore.analysis.reinforcement_without_reward import (DonutConfig, GridConfig, donut_exact, expected_loops,
                                                          expected_reach_error, half_life, horizon,
                                                          random_walk_success)
from rlcore.envs.reinforcement_without_reward import arm_matrix, donut_loops, grid_step
from rlcore.learners.reinforcement_without_reward import (delta_rule_update, donut_reinforce, grid_success,
                                                          train_goal_grid, train_reach)


def test_donut_dp_matches_closed_form_and_finite_differences():
    theta = np.linspace(-3, 4, 15)
    for m in (1, 3, 8):
        p = 1 / (1 + np.exp(-theta))
        J, dJ = donut_exact(theta, 0.02, 3, m)
        np.testing.assert_allclose(J, 1 - 0.02 * 3 * expected_loops(p, m), rtol=1e-12)
        closed = -0.02 * 3 * sum(k * p ** k * (1 - p) for k in range(1, m + 1))
        np.testing.assert_allclose(dJ, closed, rtol=1e-10)
        h = 1e-6
        fd = (donut_exact(theta + h, 0.02, 3, m)[0] - donut_exact(theta - h, 0.02, 3, m)[0]) / (2 * h)
        np.testing.assert_allclose(dJ, fd, rtol=1e-5, atol=1e-12)
    assert (donut_exact(theta, 0.0, 3, 8)[1] == 0).all()


def test_donut_env_and_sampler_match_the_dp():
    rng = np.random.default_rng(0)
    p, m = 0.7, 5
    loops = donut_loops(np.array(p), m, rng, (200_000,))
    assert loops.max() == m
    assert loops.mean() == pytest.approx(expected_loops(p, m), rel=0.01)
    env = gym.make("rlcore/DonutHabit-v0", n_visits=3, max_loops=m, cost=0.05, noise_std=0.0).unwrapped
    erng = np.random.default_rng(1)
    rewards = []
    for episode in range(3000):
        env.reset(seed=episode)
        done = False
        while not done:
            _, r, done, _, _ = env.step(int(erng.random() < p))
        rewards.append(r)
    J = donut_exact(np.log(p / (1 - p)), 0.05, 3, m)[0]
    assert np.mean(rewards) == pytest.approx(J, abs=0.01)


def test_reinforce_gradient_is_unbiased_for_the_dp_gradient():
    """One REINFORCE step from theta0 without a baseline, averaged over many races: the exact gradient."""
    lr = np.full(100_000, 1.0)
    theta = donut_reinforce(0.5, lr, 0.05, n_visits=3, max_loops=6, noise_std=0.0, updates=1, batch=1,
                            baseline=False, rng=np.random.default_rng(2))
    step = theta[1] - theta[0]
    exact = donut_exact(0.5, 0.05, 3, 6)[1]
    assert step.mean() == pytest.approx(exact, abs=4 * step.std() / np.sqrt(len(step)))


def test_half_life():
    theta = np.array([[2.0], [1.0], [0.0], [-1.0]])
    size = expected_loops(1 / (1 + np.exp(-theta[:, 0])), 4)
    want = int(np.argmax(size <= size[0] / 2))
    assert half_life(theta, 4)[0] == want
    assert half_life(np.full((5, 1), 1.0), 4)[0] == np.inf


def test_delta_rule_mean_error_follows_closed_form():
    """E[E_{n+1}] = (I - lr A / 2) E[E_n]: the average error map of many noisy infants against the closed form."""
    angle, gain, lr, n = 40, 0.8, 0.2, 30
    A = arm_matrix(angle, gain)
    rng = np.random.default_rng(3)
    runs = 20000
    W = np.broadcast_to(np.eye(2), (runs, 2, 2)).copy()
    for _ in range(n):
        a = rng.uniform(0, 2 * np.pi, runs)
        u = np.stack([np.cos(a), np.sin(a)], -1)
        y = np.einsum("ij,rjk,rk->ri", A, W, u) + 0.05 * rng.normal(size=(runs, 2))
        W = delta_rule_update(W, u, y, lr)
    mean_E = np.eye(2) - A @ W.mean(0)
    assert np.linalg.norm(mean_E) / np.sqrt(2) == pytest.approx(expected_reach_error(angle, gain, lr, n)[-1],
                                                                rel=0.03)


def test_reach_contracts_iff_rotation_below_90_degrees():
    for angle in (10, 60, 85, 95, 150):
        A = arm_matrix(angle, 0.8)
        radius = max(abs(np.linalg.eigvals(np.eye(2) - 0.1 * A / 2)))
        assert (radius < 1) == (angle < 90)


def test_reward_gated_never_rewarded_never_updates():
    """By construction: at 30-70 degrees (tolerance 0.3) the untrained arm (almost) never hits, so nothing moves."""
    errors, rewards = train_reach(arm_matrix(60, 0.8), reaches=50, lr=0.1, noise_std=0.05, tolerance=0.3,
                                  mode="reward-gated", runs=5, rng=np.random.default_rng(0))
    assert rewards.sum() == 0
    np.testing.assert_array_equal(errors[-1], errors[0])


def test_grid_step_and_env_reward_only_at_g_star():
    n = 4
    cells = np.arange(n * n)
    assert (grid_step(cells[:n], np.zeros(n, int), n) == cells[:n]).all()          # top wall
    assert (grid_step(np.array([5]), np.array([3]), n) == 6).all()
    env = gym.make("rlcore/GoalGrid-v0", n=n).unwrapped
    env.reset(options={"start": 14, "goal": 15})
    assert env.step(3)[1:3] == (1.0, True)
    env.reset(options={"start": 13, "goal": 14})
    assert env.step(3)[1:3] == (0.0, True)                                           # reached, never rewarded


def test_random_walk_reference_matches_simulation():
    n = 4
    rng = np.random.default_rng(4)
    Q = np.zeros((200, n * n, n * n, 4))                                             # untrained: ties everywhere
    assert grid_success(Q, n, horizon(n), rng).mean() == pytest.approx(random_walk_success(n), abs=0.01)


@pytest.mark.parametrize("learner", ["TD", "Monte Carlo", "reward-gated"])
def test_without_relabelling_never_rewarded_goals_stay_at_zero(learner):
    """By construction, not a finding: no reward event for a goal, so its table never leaves zero, even with TD."""
    out = train_goal_grid(learner, n=4, episodes=400, envs=8, runs=3, horizon=12, gamma=0.9, alpha=0.5,
                          epsilon=0.2, relabels=4, rng=np.random.default_rng(5))
    assert (out["Q"][:, :-1] == 0).all()
    assert (out["Q"][:, -1] > 0).any()


def test_relabelled_mc_return_is_discounted_hit_time():
    """With step size 1 a relabelled MC value is its last target: gamma^(k-1) for a goal first reached k steps on."""
    out = train_goal_grid("MC + relabelling", n=4, episodes=800, envs=8, runs=2, horizon=12, gamma=0.5,
                          alpha=1.0, epsilon=1.0, relabels=8, rng=np.random.default_rng(6))
    Q = out["Q"]
    values = np.unique(Q[Q > 0])
    powers = 0.5 ** np.arange(12)
    assert Q.max() == 1.0 and np.isclose(values[:, None], powers[None, :]).any(1).all()


def test_configs_validate():
    with pytest.raises(ValueError, match="-5"):
        DonutConfig(updates=-5)
    with pytest.raises(ValueError, match="eval_every"):
        GridConfig(envs=8, eval_every=20)
    with pytest.raises(ValueError):
        DonutConfig(lr=0.2)


def test_exact_half_life_scales_like_one_over_lr_times_cost():
    """An identity of exact ascent, not a finding: lr and cost enter only as their product, so half-life x lr x cost
    is the same wherever the half-life is long enough for rounding to whole updates not to matter."""
    from rlcore.analysis.reinforcement_without_reward import exact_trajectory
    pairs = [(0.1, 0.02), (0.3, 0.005), (0.1, 0.005), (0.03, 0.02), (0.01, 0.05)]
    products = [half_life(exact_trajectory(1.5, lr, cost, 3000, 3, 8)[:, None], 8)[0] * lr * cost
                for lr, cost in pairs]
    np.testing.assert_allclose(products, products[0], rtol=0.05)


def test_donut_baseline_and_noise_broadcast_like_separate_calls():
    """Baseline on/off and noise as arrays give the same statistics as one setting at a time (no cross-talk)."""
    kw = dict(n_visits=3, max_loops=8, updates=300, batch=1)
    joint = donut_reinforce(1.5, np.full((2, 400), 0.3), 0.02, noise_std=np.array([0.1, 1.0])[:, None],
                            baseline=np.array([True, False])[:, None], rng=np.random.default_rng(7), **kw)
    alone = donut_reinforce(1.5, np.full(400, 0.3), 0.02, noise_std=1.0, baseline=False,
                            rng=np.random.default_rng(8), **kw)
    a, b = joint[-1, 1], alone[-1]
    assert abs(a.mean() - b.mean()) < 4 * np.sqrt(a.var() / len(a) + b.var() / len(b))
    assert joint[-1, 0].std() < 0.5 * joint[-1, 1].std()                        # the two rows did differ


def test_untrained_hit_rate_matches_simulation():
    from rlcore.analysis.reinforcement_without_reward import untrained_hit_rate
    for angle, tol in ((20, 0.3), (30, 0.4), (30, 0.5)):
        _, rewards = train_reach(arm_matrix(angle, 0.8), reaches=1, lr=0.1, noise_std=0.05, tolerance=tol,
                                 mode="none", runs=40000, rng=np.random.default_rng(9))
        assert rewards.mean() == pytest.approx(untrained_hit_rate(angle, 0.8, 0.05, tol), abs=0.006)
    assert untrained_hit_rate(50, 0.8, 0.05, 0.3) == 0.0


def test_c9_relabelling_solves_never_rewarded_goals_by_construction():
    """C9 holds by construction (who gets reward events), so it is a unit test: with relabelling TD solves >= 50%
    of the never-rewarded goals; without, no learner solves any (their tables stay at zero)."""
    solved = {}
    for k, learner in enumerate(("TD + relabelling", "TD", "Monte Carlo", "reward-gated")):
        out = train_goal_grid(learner, n=4, episodes=480, envs=8, runs=3, horizon=horizon(4), gamma=0.9, alpha=0.5,
                              epsilon=0.2, relabels=4, rng=np.random.default_rng([10, k]), eval_every=480)
        solved[learner] = (out["curve"][-1, :, :-1] >= 0.9).mean(-1)
    assert solved["TD + relabelling"].min() >= 0.5
    for learner in ("TD", "Monte Carlo", "reward-gated"):
        assert solved[learner].max() <= 0.05, learner


def test_grid_solved_level_rescores_without_retraining():
    from rlcore.analysis.reinforcement_without_reward import run_grid
    cfg = GridConfig(n=4, episodes=64, runs=1, envs=8, eval_every=32, all_sizes=False, seed=3)
    a, b = run_grid(cfg), run_grid(cfg.replace(solved=0.5))
    assert a.runs is b.runs
