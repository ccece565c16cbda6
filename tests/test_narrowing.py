"""Unit tests of the topic bandit, the two-route narrowing learner and its measures (lesson 08)."""

import math

import gymnasium as gym
import numpy as np
import pytest

from rlcore.analysis.narrowing import NarrowingExperimentConfig, entropy, initial_wants, weighted_corr
from rlcore.envs.topic_bandit import TopicBandit, TopicBanditConfig
from rlcore.learners.narrowing import NarrowingConfig, batch_gradients, exact_gradients, train_narrowing
from rlcore.learners.softmax import softmax


def test_weighted_corr_matches_numpy_and_repeated_data():
    rng = np.random.default_rng(0)
    for _ in range(20):
        x, y = rng.normal(size=7), rng.normal(size=7)
        assert weighted_corr(x, y) == pytest.approx(np.corrcoef(x, y)[0, 1])
        reps = rng.integers(1, 5, size=7)
        assert weighted_corr(x, y, reps) == pytest.approx(np.corrcoef(np.repeat(x, reps), np.repeat(y, reps))[0, 1])


def test_entropy_closed_forms():
    assert entropy(np.full(12, 1 / 12)) == pytest.approx(math.log(12))
    assert entropy(np.eye(5)[2]) == 0.0
    p = softmax(np.random.default_rng(1).normal(size=9))
    assert entropy(p) == pytest.approx(-sum(pi * math.log(pi) for pi in p))


def _rho(w, r, theta):
    return weighted_corr(w, r, softmax(theta))


def test_exact_gradients_match_finite_differences():
    rng = np.random.default_rng(2)
    for _ in range(5):
        w, r, theta = rng.normal(size=(3, 8))
        rho, gw, gt = exact_gradients(w, r, softmax(theta))
        assert rho == pytest.approx(_rho(w, r, theta))
        eye, h = np.eye(8), 1e-6
        fd_w = [(_rho(w + h * e, r, theta) - _rho(w - h * e, r, theta)) / (2 * h) for e in eye]
        fd_t = [(_rho(w, r, theta + h * e) - _rho(w, r, theta - h * e)) / (2 * h) for e in eye]
        np.testing.assert_allclose(gw, fd_w, atol=1e-6)
        np.testing.assert_allclose(gt, fd_t, atol=1e-6)


def test_batch_gradient_of_wants_is_the_derivative_of_the_sample_correlation():
    rng = np.random.default_rng(3)
    w, pi = rng.normal(size=6), softmax(rng.normal(size=6))
    topics, rewards = rng.integers(6, size=50), rng.normal(size=50)

    def sample_rho(wants):
        return np.corrcoef(wants[topics], rewards)[0, 1]

    rho, gw, _ = batch_gradients(w, pi, topics, rewards)
    assert rho == pytest.approx(sample_rho(w), abs=1e-6)
    h = 1e-6
    fd = [(sample_rho(w + h * e) - sample_rho(w - h * e)) / (2 * h) for e in np.eye(6)]
    np.testing.assert_allclose(gw, fd, atol=1e-5)


def test_batch_gradients_average_to_the_exact_ones():
    """Noise-free rewards, large batches: the Monte-Carlo estimates are (nearly) unbiased."""
    rng = np.random.default_rng(4)
    w, r, pi = rng.normal(size=5), rng.normal(size=5), softmax(rng.normal(size=5) * 0.5)
    _, gw, gt = exact_gradients(w, r, pi)
    est = [batch_gradients(w, pi, t, r[t])[1:] for t in (rng.choice(5, size=4000, p=pi) for _ in range(200))]
    np.testing.assert_allclose(np.mean([e[0] for e in est], axis=0), gw, atol=0.01)
    np.testing.assert_allclose(np.mean([e[1] for e in est], axis=0), gt, atol=0.01)


def test_topic_bandit_reward_is_goal_plus_bias():
    env = TopicBandit(n_topics=1000, bias_std=1.0, noise_std=0.0, world_seed=5)
    assert np.allclose(env.reward_means, env.goal + env.bias)
    assert np.corrcoef(env.goal, env.reward_means)[0, 1] == pytest.approx(1 / math.sqrt(2), abs=0.05)
    env.reset(seed=0)
    _, r, term, trunc, info = env.step(7)
    assert r == pytest.approx(info["goal"] + info["bias"]) and term and not trunc
    noisy = gym.make("rlcore/TopicBandit-v0", n_topics=3, noise_std=0.5, world_seed=1).unwrapped
    noisy.reset(seed=1)
    draws = noisy.sample_rewards(np.full(20000, 2))
    assert draws.mean() == pytest.approx(noisy.reward_means[2], abs=0.02)
    assert draws.std() == pytest.approx(0.5, abs=0.02)


def test_bad_values_raise_naming_the_field():
    with pytest.raises(ValueError, match="TopicBanditConfig.n_topics = 1"):
        TopicBanditConfig(n_topics=1)
    with pytest.raises(ValueError, match="NarrowingConfig.want_lr = -0.1"):
        NarrowingConfig(want_lr=-0.1)
    with pytest.raises(ValueError, match="NarrowingExperimentConfig.want_goal_corr = 1.5"):
        NarrowingExperimentConfig(want_goal_corr=1.5)


def test_initial_wants_correlate_with_the_goal_as_asked():
    rng = np.random.default_rng(6)
    goal = rng.normal(size=5000)
    assert np.corrcoef(initial_wants(goal, 0.5, rng), goal)[0, 1] == pytest.approx(0.5, abs=0.03)


def test_pure_narrowing_leaves_wants_alone_and_pure_want_change_leaves_choice_uniform():
    env = TopicBandit(n_topics=10, world_seed=3)
    w0 = np.random.default_rng(0).normal(size=10)
    narrow = train_narrowing(env, w0, NarrowingConfig(want_lr=0.0, narrowing_lr=2.0, steps=200), seed=1)
    assert np.array_equal(narrow.meta["final_wants"], w0)
    assert entropy(narrow.meta["final_pi"]) < 0.8 * math.log(10)
    wants = train_narrowing(env, w0, NarrowingConfig(want_lr=0.2, narrowing_lr=0.0, steps=200), seed=1)
    assert np.allclose(wants.meta["final_pi"], 0.1)
    assert weighted_corr(wants.meta["final_wants"], env.reward_means) > weighted_corr(w0, env.reward_means) + 0.2
    again = train_narrowing(env, w0, NarrowingConfig(want_lr=0.2, narrowing_lr=0.0, steps=200), seed=1)
    assert np.array_equal(again.steps("wants"), wants.steps("wants"))
