"""Unit tests of the topic bandit, the softmax topic learner and its measures (lesson 08)."""

import math

import gymnasium as gym
import numpy as np
import pytest

from rlcore.analysis.narrowing import (NarrowingExperimentConfig, entropy, initial_wants, run_narrowing,
                                       topic_coverage, weighted_corr)
from rlcore.envs.topic_bandit import TopicBandit, TopicBanditConfig
from rlcore.learners.narrowing import NarrowingConfig, policy, train_narrowing
from rlcore.learners.softmax import softmax


def test_weighted_corr_matches_numpy_and_repeated_data():
    rng = np.random.default_rng(0)
    for _ in range(20):
        x, y = rng.normal(size=7), rng.normal(size=7)
        assert weighted_corr(x, y) == pytest.approx(np.corrcoef(x, y)[0, 1])
        reps = rng.integers(1, 5, size=7)
        assert weighted_corr(x, y, reps) == pytest.approx(np.corrcoef(np.repeat(x, reps), np.repeat(y, reps))[0, 1])


def test_entropy_and_topic_coverage_closed_forms():
    assert entropy(np.full(12, 1 / 12)) == pytest.approx(math.log(12))
    assert entropy(np.eye(5)[2]) == 0.0
    p = softmax(np.random.default_rng(1).normal(size=9))
    assert entropy(p) == pytest.approx(-sum(pi * math.log(pi) for pi in p))
    assert topic_coverage(np.full(10, 0.1)) == 1.0 and topic_coverage(np.eye(10)[3]) == 0.1
    assert topic_coverage(np.array([0.5, 0.49, 0.01, 0.0])) == 0.5  # 0.01 < 0.1 / 4


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
    with pytest.raises(ValueError, match="NarrowingConfig.want_lr = 1.5"):
        NarrowingConfig(want_lr=1.5)
    with pytest.raises(ValueError, match="NarrowingConfig.inv_temp = -1"):
        NarrowingConfig(inv_temp=-1.0)
    with pytest.raises(ValueError, match="NarrowingExperimentConfig.want_goal_corr = 1.5"):
        NarrowingExperimentConfig(want_goal_corr=1.5)


def test_initial_wants_correlate_with_the_goal_as_asked():
    rng = np.random.default_rng(6)
    goal = rng.normal(size=5000)
    assert np.corrcoef(initial_wants(goal, 0.5, rng), goal)[0, 1] == pytest.approx(0.5, abs=0.03)


def test_policy_is_a_softmax_over_wants_or_uniform_in_the_control():
    w = np.array([0.0, 1.0, -1.0])
    np.testing.assert_allclose(policy(w, NarrowingConfig(inv_temp=2.0)), softmax(2.0 * w))
    np.testing.assert_allclose(policy(w, NarrowingConfig(inv_temp=2.0, forced_uniform=True)), 1 / 3)
    np.testing.assert_allclose(policy(w, NarrowingConfig(inv_temp=0.0)), 1 / 3)


def test_wants_move_only_on_visited_topics_toward_their_rewards():
    """One update by hand: with batch 1 the single visited topic moves by alpha (r - w); nothing else moves."""
    env = TopicBandit(n_topics=6, noise_std=0.0, world_seed=2)
    w0 = np.zeros(6)
    log = train_narrowing(env, w0, NarrowingConfig(want_lr=0.25, steps=2, batch=1), seed=4)
    before, after = log.steps("wants")[0], log.steps("wants")[1]
    moved = np.flatnonzero(after != before)
    assert len(moved) == 1
    k = moved[0]
    assert after[k] == pytest.approx(0.25 * env.reward_means[k])
    frozen = train_narrowing(env, w0, NarrowingConfig(want_lr=0.0, steps=50), seed=4)
    assert np.array_equal(frozen.meta["final_wants"], w0)  # alpha = 0: wants never move, choice never narrows
    assert np.allclose(frozen.steps("pi"), 1 / 6)


def test_with_forced_uniform_topics_every_want_converges_to_its_reward():
    env = TopicBandit(n_topics=8, noise_std=0.0, world_seed=9)
    log = train_narrowing(env, np.zeros(8), NarrowingConfig(want_lr=0.5, steps=300, forced_uniform=True), seed=1)
    np.testing.assert_allclose(log.meta["final_wants"], env.reward_means, atol=1e-6)
    again = train_narrowing(env, np.zeros(8), NarrowingConfig(want_lr=0.5, steps=300, forced_uniform=True), seed=1)
    assert np.array_equal(again.steps("wants"), log.steps("wants"))


def test_run_narrowing_pairs_the_arms_on_the_same_worlds_and_wants():
    a = run_narrowing(NarrowingExperimentConfig(runs=3, steps=5, seed=2))
    b = run_narrowing(NarrowingExperimentConfig(runs=3, steps=5, seed=2, forced_uniform=True))
    np.testing.assert_allclose(a.corr_G[:, 0], b.corr_G[:, 0])  # same initial wants, same goals
    assert a.pi.shape == (3, 5, 24)


def test_exploration_floor_and_learn_every_topic_controls():
    w = np.array([0.0, 3.0, -3.0, 1.0])
    pi = policy(w, NarrowingConfig(inv_temp=4.0, explore=0.2))
    np.testing.assert_allclose(pi, 0.8 * softmax(4.0 * w) + 0.2 / 4)
    assert pi.min() >= 0.2 / 4 and pi.sum() == pytest.approx(1.0)
    # learn_all: one step with alpha = 1 and no noise sets every want to its reward, whatever was chosen
    env = TopicBandit(n_topics=6, noise_std=0.0, world_seed=2)
    log = train_narrowing(env, np.zeros(6), NarrowingConfig(want_lr=1.0, steps=2, batch=1, learn_all=True), seed=4)
    np.testing.assert_allclose(log.steps("wants")[1], env.reward_means)
    # ... while the choice still follows the wants (softmax of the corrected wants)
    np.testing.assert_allclose(log.steps("pi")[1], softmax(2.0 * env.reward_means))
    with pytest.raises(ValueError, match="explore"):
        NarrowingConfig(explore=1.5)


def test_forced_uniform_arm_has_no_gap_and_full_entropy_by_definition():
    """Identities, not findings: with pi uniform the on-policy correlation *is* the all-topics one and the
    entropy *is* log(topics), whatever the learner does (lesson 08 shows this arm only as a reference line)."""
    res = run_narrowing(NarrowingExperimentConfig(runs=3, steps=30, seed=5, forced_uniform=True))
    np.testing.assert_allclose(res.onpolicy_corr_R, res.corr_R)
    np.testing.assert_allclose(res.entropy, math.log(24))
    assert np.abs(res.final_gap()).max() < 1e-9
