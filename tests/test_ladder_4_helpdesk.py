"""Level 4 (help-desk RLHF): the environment, the reward model and the KL-regularized policy step against
closed forms and independent computations on random inputs."""

import gymnasium as gym
import numpy as np
import pytest

import rlcore  # noqa: F401  (registers the environments)
from rlcore.analysis.ladder_4_abstract_planning import (HelpDeskLessonConfig, kl_frontier, level_metrics,
                                                         run_level)
from rlcore.envs.ladder_4_helpdesk import HelpDesk, HelpDeskConfig, gold_table
from rlcore.learners.ladder_4_rlhf import (RLHFConfig, fit_reward_model, initial_policy, kl_divergence,
                                          kl_objective_gradient, kl_optimal_policy, reply_features, train_rlhf)
from rlcore.learners.softmax import softmax


def test_gold_table_matches_the_formula_on_random_worlds():
    rng = np.random.default_rng(0)
    for _ in range(20):
        qa1, qa2, qb1, qb2, kappa = rng.random(5)
        g = gold_table(HelpDeskConfig(quality_a_l1=qa1, quality_a_l2=qa2, quality_b_l1=qb1, quality_b_l2=qb2,
                                      foreign_understanding=kappa))
        # rows: user L1, L2; columns: A/L1, A/L2, B/L1, B/L2
        np.testing.assert_allclose(g, [[qa1, qa2 * kappa, qb1, qb2 * kappa], [qa1 * kappa, qa2, qb1 * kappa, qb2]])


def test_ratings_are_honest_samples_of_gold():
    env = gym.make("rlcore/HelpDesk-v0").unwrapped
    rng = np.random.default_rng(1)
    users = env.sample_users(200_000, rng)
    assert users.mean() == pytest.approx(0.3, abs=0.005)
    for u in (0, 1):
        for a in range(4):
            r = env.rate(np.full(20_000, u), np.full(20_000, a), rng)
            assert r.mean() == pytest.approx(env.gold[u, a], abs=0.015)
    # the one-session API draws from the same table: a certain world rates deterministically
    sure = HelpDesk(quality_a_l1=1.0, quality_a_l2=0.0, quality_b_l1=0.0, quality_b_l2=1.0, foreign_understanding=0.0)
    for s in range(20):
        user, _ = sure.reset(seed=s)
        _, rating, term, trunc, info = sure.step(3 if user else 0)
        assert rating == 1.0 and term and not trunc and info["gold"] == 1.0


def test_env_rejects_bad_config_and_actions():
    with pytest.raises(ValueError, match="foreign_understanding"):
        HelpDesk(foreign_understanding=1.5)
    env = HelpDesk()
    env.reset(seed=0)
    with pytest.raises(ValueError, match="action"):
        env.step(4)


def test_reward_model_fit_has_zero_penalized_gradient_on_random_data():
    rng = np.random.default_rng(2)
    for blind in (False, True):
        x = reply_features(blind)
        for _ in range(20):
            n = rng.integers(1, 400, size=4).astype(float)
            s = rng.binomial(n.astype(int), rng.random(4)).astype(float)
            ridge = rng.uniform(0.1, 5.0)
            w = fit_reward_model(x, n, s, ridge)
            p = 1 / (1 + np.exp(-(x @ w)))
            pen = np.r_[1e-6, np.full(x.shape[1] - 1, ridge)]
            np.testing.assert_allclose(x.T @ (s - n * p) - pen * w, 0.0, atol=1e-6)


def test_saturated_reward_model_without_penalty_recovers_cell_frequencies():
    rng = np.random.default_rng(3)
    x = np.eye(4)
    n = rng.integers(50, 200, size=4).astype(float)
    s = np.round(n * rng.uniform(0.2, 0.8, size=4))
    w = fit_reward_model(x, n, s, ridge=1e-9)
    np.testing.assert_allclose(1 / (1 + np.exp(-w)), s / n, atol=1e-5)


def test_initial_policy_marginals():
    pi0 = initial_policy(0.05, 0.95)
    np.testing.assert_allclose(pi0.sum(axis=1), 1.0)
    np.testing.assert_allclose(pi0[:, 2] + pi0[:, 3], 0.05)              # tool B
    np.testing.assert_allclose([pi0[0, 0] + pi0[0, 2], pi0[1, 1] + pi0[1, 3]], 0.95)  # own language


def test_kl_gradient_matches_finite_differences_on_random_inputs():
    rng = np.random.default_rng(4)
    for _ in range(20):
        theta, r, beta = rng.normal(size=4), rng.random(4), rng.uniform(0.01, 1.0)
        log_pi0 = np.log(softmax(rng.normal(size=4)))

        def objective(th):
            pi = softmax(th)
            return pi @ r - beta * np.sum(pi * (np.log(pi) - log_pi0))

        eps = 1e-6
        numeric = np.array([(objective(theta + eps * e) - objective(theta - eps * e)) / (2 * eps) for e in np.eye(4)])
        np.testing.assert_allclose(kl_objective_gradient(theta, r, log_pi0, beta), numeric, atol=1e-7)


def test_gradient_ascent_converges_to_the_closed_form_optimum():
    rng = np.random.default_rng(5)
    for _ in range(2):
        pi0, r, beta = softmax(rng.normal(size=(2, 4))), rng.random(4), rng.uniform(0.1, 0.5)
        theta = np.log(pi0)
        for _ in range(20000):
            theta = theta + 2.0 * kl_objective_gradient(theta, r, np.log(pi0), beta)
        np.testing.assert_allclose(softmax(theta), kl_optimal_policy(pi0, r, beta), atol=1e-5)
        # and nothing else does better on the objective
        best = kl_optimal_policy(pi0, r, beta)
        j = lambda pi: pi @ r - beta * kl_divergence(pi, pi0)  # noqa: E731
        for _ in range(50):
            other = softmax(rng.normal(size=(2, 4)) * 3)
            assert np.all(j(best) >= j(other) - 1e-12)


def test_kl_divergence_closed_form():
    p, q = np.array([0.5, 0.5, 0.0]), np.array([0.25, 0.25, 0.5])
    assert kl_divergence(p, q) == pytest.approx(np.log(2))
    assert kl_divergence(q, q) == pytest.approx(0.0)


def test_kl_frontier_proxy_never_falls_as_beta_shrinks():
    """d/d(beta) E_{pi_beta}[r] = -Var_{pi_beta}(r) / beta^2 <= 0: the proxy only rises with sqrt KL."""
    rng = np.random.default_rng(6)
    gold = gold_table(HelpDeskConfig())
    for _ in range(10):
        f = kl_frontier(softmax(rng.normal(size=(2, 4))), rng.random(4), gold, np.array([0.7, 0.3]))
        assert np.all(np.diff(f["proxy"]) >= -1e-12) and np.all(np.diff(f["sqrt_kl"]) >= -1e-9)


def test_training_is_deterministic_and_logs_one_step_per_round():
    env, cfg = HelpDesk(), RLHFConfig(rounds=6, sessions_per_round=100)
    a, b = train_rlhf(env, cfg, 7), train_rlhf(env, cfg, 7)
    assert len(a.steps("proxy")) == 6 and a.steps("counts").sum() == 600
    np.testing.assert_array_equal(a.steps("rm_weights"), b.steps("rm_weights"))
    np.testing.assert_array_equal(a.meta["final_policy"], b.meta["final_policy"])


def test_level_metrics_reference_is_half_of_the_l2_sessions():
    cfg = HelpDeskLessonConfig(rounds=10, sessions_per_round=200, runs=1, random_action_prob=1.0)
    env = cfg.env()
    log = train_rlhf(env, cfg.learner(), 0)
    m = level_metrics(log, env)
    # a uniformly random behaviour policy is the reference itself: nu ~ 1
    assert np.mean(m.nu) == pytest.approx(1.0, abs=0.15)
    assert m.delta_g >= 0


def test_invalid_settings_name_the_field():
    with pytest.raises(ValueError, match="kl_beta"):
        HelpDeskLessonConfig(kl_beta=0.0)
    with pytest.raises(ValueError, match="reward_model"):
        HelpDeskLessonConfig(reward_model="english-only")
    with pytest.raises(ValueError, match="exploration"):
        run_level(0, exploration=-1.0)
