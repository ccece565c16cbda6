"""Bandit environment, softmax score function, exact gradient and the REINFORCE learner."""

import gymnasium as gym
import numpy as np
import pytest

from rlcore.analysis.bandits import exact_gradient, expected_reward, regret_curve
from rlcore.learners.reinforce import ReinforceConfig, train_reinforce_bandit
from rlcore.learners.softmax import score_function, softmax


def numerical_gradient(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in range(len(x)):
        d = np.zeros_like(x)
        d[i] = eps
        g[i] = (f(x + d) - f(x - d)) / (2 * eps)
    return g


@pytest.mark.parametrize("seed", range(5))
def test_score_function_matches_finite_differences(seed):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=4)
    for a in range(4):
        fd = numerical_gradient(lambda th: np.log(softmax(th)[a]), logits)
        np.testing.assert_allclose(score_function(logits, a), fd, atol=1e-7)


@pytest.mark.parametrize("seed", range(5))
def test_exact_gradient_matches_finite_differences_of_J(seed):
    rng = np.random.default_rng(seed)
    logits, means = rng.normal(size=3), rng.random(3)
    fd = numerical_gradient(lambda th: expected_reward(softmax(th), means), logits)
    np.testing.assert_allclose(exact_gradient(logits, means), fd, atol=1e-8)


def test_bandit_rewards_have_the_declared_means():
    env = gym.make("rlcore/BernoulliBandit-v0", means=(0.2, 0.9))
    env.reset(seed=3)
    rewards = np.array([[env.step(a)[1] for _ in range(20000)] for a in (0, 1)])
    np.testing.assert_allclose(rewards.mean(axis=1), [0.2, 0.9], atol=0.015)
    g = gym.make("rlcore/GaussianBandit-v0", means=(0.0, 2.0), noise_std=0.5)
    g.reset(seed=1)
    samples = np.array([g.step(1)[1] for _ in range(20000)])
    assert abs(samples.mean() - 2.0) < 0.02 and abs(samples.std() - 0.5) < 0.02


def test_env_is_reproducible_and_rejects_bad_actions():
    a, b = (gym.make("rlcore/BernoulliBandit-v0") for _ in range(2))
    a.reset(seed=5), b.reset(seed=5)
    assert [a.step(1)[1] for _ in range(50)] == [b.step(1)[1] for _ in range(50)]
    with pytest.raises(ValueError, match="means"):
        gym.make("rlcore/BernoulliBandit-v0", means=(0.5, 1.2))


def test_reinforce_same_seed_same_log_and_climbs():
    env = gym.make("rlcore/BernoulliBandit-v0", means=(0.1, 0.9))
    cfg = ReinforceConfig(learning_rate=0.5, steps=400)
    log1, log2 = (train_reinforce_bandit(env, cfg, seed=7) for _ in range(2))
    np.testing.assert_array_equal(log1.steps("probs"), log2.steps("probs"))
    assert log1.steps("probs")[-1, 1] > 0.95
    regret = regret_curve(log1.steps("probs"), (0.1, 0.9))
    assert regret[-1] < 0.4 * len(regret) and np.all(np.diff(regret) >= 0)


def test_reinforce_mean_update_is_the_exact_gradient():
    """Over many one-pull runs from the uniform policy, the mean update / learning rate is grad J (no bias)."""
    means = (0.3, 0.8)
    env = gym.make("rlcore/BernoulliBandit-v0", means=means)
    cfg = ReinforceConfig(learning_rate=1e-3, steps=1)
    updates = np.array([train_reinforce_bandit(env, cfg, seed=s).meta["final_logits"] / cfg.learning_rate
                        for s in range(20000)])
    exact = exact_gradient(np.zeros(2), means)  # (-0.125, 0.125)
    np.testing.assert_allclose(updates.mean(axis=0), exact, atol=0.01)


def test_vectorized_bernoulli_reinforce_matches_the_env_learner_in_distribution():
    """train_reinforce_bernoulli (rewards drawn directly) against train_reinforce_bandit_batch (gym envs)."""
    from rlcore.learners.reinforce import train_reinforce_bandit_batch, train_reinforce_bernoulli

    means, runs = (0.3, 0.7), 600
    for lr, baseline in ((5.0, False), (5.0, True)):
        fast = train_reinforce_bernoulli(means, np.full(runs, lr), 200, baseline, seed=1)
        envs = [gym.make("rlcore/BernoulliBandit-v0", means=means).unwrapped for _ in range(runs)]
        slow = train_reinforce_bandit_batch(envs, ReinforceConfig(learning_rate=lr, steps=200, baseline=baseline), 2)
        a, b = fast[-1, :, 1] <= 0.1, slow["probs"][-1, :, 1] <= 0.1  # worse-arm lock-ins
        se = np.sqrt(a.mean() * (1 - a.mean()) / runs + b.mean() * (1 - b.mean()) / runs)
        assert abs(a.mean() - b.mean()) < 4 * se + 0.01, (lr, baseline, a.mean(), b.mean())
        np.testing.assert_allclose(fast.mean(1), slow["probs"].mean(1), atol=0.06)
    again = train_reinforce_bernoulli(means, np.full(runs, 5.0), 200, True, seed=1)
    np.testing.assert_array_equal(again, fast)
    with pytest.raises(ValueError, match="learning_rates"):
        train_reinforce_bernoulli(means, np.array([0.5, -1.0]), 10, False, seed=0)
