"""Unit tests of lesson 01's math against closed forms and independent computations on random inputs,
and probes of the novel-choice bandit with known values."""

import gymnasium as gym
import numpy as np
import pytest

from rlcore.analysis.bandits import exact_gradient
from rlcore.analysis.log_trick import (LogTrickConfig, NovelChoiceExperimentConfig, gradient_variance,
                                       mc_gradient)
from rlcore.envs.bandits import bernoulli_rewards
from rlcore.envs.novel_choice import NovelChoiceBandit, draw_candidates
from rlcore.learners.history_refit import (linear_surrogate, plugin_policy, refit_linear, surrogate_policy,
                                           train_refit_bandit_batch)
from rlcore.learners.linear_softmax import LinearSoftmaxConfig, train_linear_softmax_batch
from rlcore.learners.reinforce import ReinforceConfig, train_reinforce_bandit_batch
from rlcore.learners.softmax import sample_actions, score_function, softmax
from rlcore.learners.torch_softmax import maximize_surrogate, objective_gradient, surrogate_gradient


def test_sample_actions_follows_the_probabilities():
    rng = np.random.default_rng(0)
    probs = np.array([[0.1, 0.6, 0.3], [0.0, 0.0, 1.0]])
    a = sample_actions(np.repeat(probs[None], 50_000, axis=0), rng)
    freq = np.stack([np.bincount(a[:, i], minlength=3) / len(a) for i in range(2)])
    np.testing.assert_allclose(freq, probs, atol=0.01)


@pytest.mark.parametrize("seed", range(4))
def test_autograd_matches_the_closed_forms(seed):
    rng = np.random.default_rng(seed)
    theta, mu = rng.normal(size=4), rng.random(4)
    actions, rewards = rng.integers(0, 4, 500), rng.random(500)
    b = rng.random()
    np.testing.assert_allclose(surrogate_gradient(theta, actions, rewards, b),
                               mc_gradient(theta, actions, rewards, b), atol=1e-12)
    np.testing.assert_allclose(objective_gradient(theta, mu), exact_gradient(theta, mu), atol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_baseline_term_has_zero_mean_and_variance_formula_is_exact(seed):
    rng = np.random.default_rng(seed)
    theta, mu = rng.normal(size=3), rng.random(3)
    pi = softmax(theta)
    # E_a[onehot(a) - pi] = 0 exactly: the baseline cannot bias the estimate
    np.testing.assert_allclose(pi @ score_function(theta, np.arange(3)), 0.0, atol=1e-15)
    # empirical trace of the per-sample covariance vs. the closed form, with and without a baseline
    a = sample_actions(np.broadcast_to(pi, (200_000, 3)), rng)
    r = bernoulli_rewards(mu, a, rng)
    for b in (0.0, float(pi @ mu)):
        g = (r - b)[:, None] * score_function(theta, a)
        assert g.var(axis=0).sum() == pytest.approx(gradient_variance(theta, mu, b), rel=0.03)
        np.testing.assert_allclose(g.mean(0), exact_gradient(theta, mu), atol=4 * np.sqrt(g.var(0).max() / len(g)))


def test_bernoulli_rewards_have_the_means_and_validate_them():
    rng = np.random.default_rng(1)
    a = np.repeat(np.arange(3), 40_000)
    r = bernoulli_rewards((0.1, 0.5, 0.9), a, rng)
    np.testing.assert_allclose([r[a == k].mean() for k in range(3)], [0.1, 0.5, 0.9], atol=0.01)
    with pytest.raises(ValueError, match="means"):
        bernoulli_rewards((0.1, 1.5), [0], rng)


@pytest.mark.parametrize("seed", range(4))
def test_surrogate_closed_form_is_the_numeric_maximizer(seed):
    rng = np.random.default_rng(seed)
    actions = rng.integers(0, 4, (3, 60))
    rewards = rng.random((3, 60)) * (rng.random((3, 60)) < 0.5)
    rewards[0, actions[0] == 2] = 0.0  # an arm that never paid: its probability must go to 0
    sums = np.stack([np.bincount(actions[i], weights=rewards[i], minlength=4) for i in range(3)])
    closed = surrogate_policy(sums)
    assert closed[0, 2] == 0.0
    np.testing.assert_allclose(maximize_surrogate(actions, rewards, 4), closed, atol=1e-3)
    # and no random policy does better on the surrogate
    others = rng.dirichlet(np.ones(4), 500)
    with np.errstate(divide="ignore"):
        best = (sums * np.log(np.where(sums > 0, closed, 1))).sum(1)
        for i in range(3):
            assert np.all((sums[i] * np.log(others)).sum(1) <= best[i] + 1e-12)


def test_surrogate_policy_edge_cases_and_plugin_policy():
    np.testing.assert_allclose(surrogate_policy([0.0, 0.0, 0.0]), [1 / 3] * 3)
    np.testing.assert_allclose(surrogate_policy([3.0, 1.0, 0.0]), [0.75, 0.25, 0.0])
    with pytest.raises(ValueError):
        surrogate_policy([1.0, -1.0])
    np.testing.assert_allclose(plugin_policy([1.0, 0.0, 0.0], [2, 1, 0]), [0, 0, 1])  # untried arm first
    np.testing.assert_allclose(plugin_policy([1.0, 3.0, 1.0], [2, 4, 2]), [0, 1, 0])
    np.testing.assert_allclose(plugin_policy([1.0, 1.0, 0.0], [2, 2, 1]), [0.5, 0.5, 0])


def test_refit_urn_locks_on_its_first_success():
    envs = [gym.make("rlcore/BernoulliBandit-v0", means=(0.3, 0.6, 0.9)).unwrapped for _ in range(30)]
    out = train_refit_bandit_batch(envs, 200, seed=3)
    for run in range(30):
        first = np.argmax(out["rewards"][:, run] > 0)
        arm = out["actions"][first, run]
        assert np.all(out["actions"][first:, run] == arm)  # after the first success, only that arm


def test_batch_learners_are_reproducible_and_reinforce_climbs():
    def run():
        envs = [gym.make("rlcore/BernoulliBandit-v0", means=(0.1, 0.9)).unwrapped for _ in range(8)]
        return train_reinforce_bandit_batch(envs, ReinforceConfig(learning_rate=0.5, steps=300), seed=4)

    a, b = run(), run()
    np.testing.assert_array_equal(a["probs"], b["probs"])
    assert a["probs"][-1, :, 1].mean() > 0.9


@pytest.mark.parametrize("seed", range(3))
def test_linear_surrogate_gradient_and_hessian_match_finite_differences(seed):
    rng = np.random.default_rng(seed)
    d, k, runs, n = 2, 5, 3, 40
    feats = rng.normal(size=(d, k, runs, n))
    actions = rng.integers(0, k, (runs, n))
    chosen = np.take_along_axis(feats, actions[None, None], 1)[:, 0]
    rewards = rng.random((runs, n))
    w = rng.normal(size=(runs, d))
    # independent value: explicit loops over the history
    value = np.array([sum(rewards[r, s] * np.log(softmax(feats[:, :, r, s].T @ w[r])[actions[r, s]])
                          for s in range(n)) - 0.35 * w[r] @ w[r] for r in range(runs)])
    v, g, h = linear_surrogate(w, feats, chosen, rewards, 0.7)
    np.testing.assert_allclose(v, value, rtol=1e-10)
    eps = 1e-6
    for j in range(d):
        e = np.zeros_like(w)
        e[:, j] = eps
        up, down = linear_surrogate(w + e, feats, chosen, rewards, 0.7), linear_surrogate(w - e, feats, chosen,
                                                                                             rewards, 0.7)
        np.testing.assert_allclose((up[0] - down[0]) / (2 * eps), g[:, j], atol=1e-5)
        np.testing.assert_allclose((up[1] - down[1]) / (2 * eps), h[:, :, j], atol=1e-5)
    assert np.all(np.linalg.eigvalsh(h) < 0)  # concave
    w_star = refit_linear(np.zeros_like(w), feats, chosen, rewards, 0.7, newton_steps=15)
    assert np.abs(linear_surrogate(w_star, feats, chosen, rewards, 0.7)[1]).max() < 1e-9


def test_refit_learner_is_at_the_optimum_of_its_history():
    """Two warm-started Newton steps per timestep keep the re-fit at the surrogate's maximizer."""
    envs = [gym.make("rlcore/NovelChoiceBandit-v0", horizon=200) for _ in range(3)]
    cfg = LinearSoftmaxConfig(regime="refit", newton_steps=2)
    out = train_linear_softmax_batch(envs, cfg, 120, seed=5)
    again = train_linear_softmax_batch([gym.make("rlcore/NovelChoiceBandit-v0", horizon=200) for _ in range(3)],
                                       cfg, 120, seed=5)
    np.testing.assert_array_equal(out["weights"], again["weights"])
    # rebuild the history from the same seeds and check the gradient at the recorded w is ~0
    rng = np.random.default_rng(5)
    seeds = [int(rng.integers(2**31)) for _ in range(3)]
    feats, chosen = np.empty((2, 5, 3, 120)), np.empty((2, 3, 120))
    for r, s in enumerate(seeds):
        env = gym.make("rlcore/NovelChoiceBandit-v0", horizon=200)
        obs, _ = env.reset(seed=s)
        for t in range(120):
            feats[:, :, r, t] = obs.T
            chosen[:, r, t] = obs[out["actions"][t, r]]
            obs, *_ = env.step(int(out["actions"][t, r]))
    for t in (60, 119):
        w = out["weights"][t]
        grad = linear_surrogate(w, feats[..., :t], chosen[..., :t], out["rewards"][:t].T, cfg.ridge)[1]
        assert np.abs(grad).max() < 1e-4


def test_novel_choice_features_have_the_declared_correlations_before_and_after_the_shift():
    rng = np.random.default_rng(2)
    v, f = draw_candidates(rng, (200_000,), 0.95, 2.0)
    assert np.corrcoef(v, f[:, 1])[0, 1] == pytest.approx(0.95, abs=0.005)
    assert np.corrcoef(v, f[:, 0])[0, 1] == pytest.approx(1 / np.sqrt(5), abs=0.01)  # 1 / sqrt(1 + 2^2)
    env = NovelChoiceBandit(candidates=4, proxy_corr=0.9, shift_time=5, horizon=3000)
    obs, _ = env.reset(seed=0)
    pre, post = [], []
    for t in range(3000 - 1):
        values = env.values.copy()
        (pre if t < 5 else post).append(np.c_[values, obs[:, 1]])
        obs, r, term, trunc, info = env.step(t % 4)
        assert r == values[t % 4] and not term and info["shifted"] == (t + 1 >= 5)
    post = np.concatenate(post)
    assert abs(np.corrcoef(post[:, 0], post[:, 1])[0, 1]) < 0.03  # decorrelated after the shift


def test_configs_reject_bad_values_naming_the_field():
    for bad, field in (({"mean_a": 1.2}, "mean_a"), ({"mean_c": -0.1}, "mean_c"), ({"samples": 0}, "samples"),
                       ({"learning_rate": 0.0}, "learning_rate"), ({"learning_rate": -1.0}, "learning_rate"),
                       ({"logits": (0.0, 1.0)}, "logits")):
        with pytest.raises(ValueError, match=field):
            LogTrickConfig(**bad)
    with pytest.raises(ValueError, match="shift_time"):
        NovelChoiceExperimentConfig(shift_time=700, steps=600)
    with pytest.raises(ValueError, match="proxy_corr"):
        NovelChoiceBandit(proxy_corr=1.5)


def test_scaled_features_rank_exactly_and_the_proxy_is_worse():
    rng = np.random.default_rng(3)
    v, f = draw_candidates(rng, (100_000,), 0.9, 0.0, true_scale=0.1, proxy_scale=1.0)
    assert f[:, 0].std() == pytest.approx(0.1, rel=0.01) and f[:, 1].std() == pytest.approx(1.0, rel=0.01)
    np.testing.assert_allclose(f[:, 0], 0.1 * (v - 0.5) * np.sqrt(12))  # the true feature is the value, scaled
    assert np.corrcoef(v, f[:, 1])[0, 1] == pytest.approx(0.9, abs=0.005)


def test_proxy_reliance_is_calibrated_on_references():
    """The metric scores the ideal (true feature only) 0, a proxy-only policy 1, and ignores the scales."""
    from rlcore.analysis.log_trick import proxy_reliance, reference_rewards

    scales = np.array([0.1, 1.0])
    assert proxy_reliance(np.array([5.0, 0.0]), scales) == 0.0
    assert proxy_reliance(np.array([0.0, 0.3]), scales) == 1.0
    assert proxy_reliance(np.array([10.0, 1.0]), scales) == pytest.approx(0.5)  # equal standardized weights
    assert proxy_reliance(np.zeros(2), scales) == 0.5
    ref = reference_rewards(NovelChoiceExperimentConfig(), seed=1, n=100_000)
    k = NovelChoiceExperimentConfig().candidates
    assert ref["random"]["pre"] == pytest.approx(0.5, abs=0.003)
    assert ref["true"]["pre"] == pytest.approx(k / (k + 1), abs=0.003)  # E[max of k uniforms]
    assert ref["true"]["post"] == pytest.approx(k / (k + 1), abs=0.003)  # the true feature never fails
    assert 0.8 < ref["proxy"]["pre"] < ref["true"]["pre"] - 0.02  # the proxy is good but worse: observed 0.848
    assert ref["proxy"]["post"] == pytest.approx(0.5, abs=0.003)


def test_forgetting_refit_is_at_the_optimum_of_its_window():
    envs = [gym.make("rlcore/NovelChoiceBandit-v0", horizon=200, true_scale=0.1, true_noise=0.0)
            for _ in range(3)]
    cfg = LinearSoftmaxConfig(regime="refit", newton_steps=3, window=30)
    out = train_linear_softmax_batch(envs, cfg, 100, seed=5)
    rng = np.random.default_rng(5)
    seeds = [int(rng.integers(2**31)) for _ in range(3)]
    feats, chosen = np.empty((2, 5, 3, 100)), np.empty((2, 3, 100))
    for r, s in enumerate(seeds):
        env = gym.make("rlcore/NovelChoiceBandit-v0", horizon=200, true_scale=0.1, true_noise=0.0)
        obs, _ = env.reset(seed=s)
        for t in range(100):
            feats[:, :, r, t] = obs.T
            chosen[:, r, t] = obs[out["actions"][t, r]]
            obs, *_ = env.step(int(out["actions"][t, r]))
    rewards = out["rewards"].T
    for t in (50, 99):
        w, lo = out["weights"][t], t - 30
        grad = linear_surrogate(w, feats[..., lo:t], chosen[..., lo:t], rewards[:, lo:t], cfg.ridge)[1]
        assert np.abs(grad).max() < 1e-4
        full = linear_surrogate(w, feats[..., :t], chosen[..., :t], rewards[:, :t], cfg.ridge)[1]
        assert np.abs(full).max() > 1e-2  # and not at the optimum of the whole history: it forgot


def test_refit_with_a_small_ridge_is_still_at_its_optimum():
    """The re-fits' split by seed at ridge 0.03 (lesson 01's control) is a property of the optimum, not a
    Newton step that failed to converge."""
    T, R, ridge = 120, 3, 0.03

    def envs():
        return [gym.make("rlcore/NovelChoiceBandit-v0", candidates=8, proxy_corr=0.9, true_noise=0.0,
                         true_scale=0.1, shift_time=80, horizon=T) for _ in range(R)]

    cfg = LinearSoftmaxConfig(regime="refit", ridge=ridge, newton_steps=2)
    out = train_linear_softmax_batch(envs(), cfg, T, seed=11)
    rng = np.random.default_rng(11)
    seeds = [int(rng.integers(2**31)) for _ in range(R)]
    feats, chosen = np.empty((2, 8, R, T)), np.empty((2, R, T))
    for r, s in enumerate(seeds):
        env = envs()[0]
        obs, _ = env.reset(seed=s)
        for t in range(T):
            feats[:, :, r, t] = obs.T
            chosen[:, r, t] = obs[out["actions"][t, r]]
            obs, *_ = env.step(int(out["actions"][t, r]))
    for t in (40, 79, 119):
        grad = linear_surrogate(out["weights"][t], feats[..., :t], chosen[..., :t], out["rewards"][:t].T, ridge)[1]
        assert np.abs(grad).max() < 1e-4


def _replay(envs, out, T):
    """Rebuild the offered and chosen features of a train_linear_softmax_batch run (seeds as the learner)."""
    rng = np.random.default_rng(11)
    seeds = [int(rng.integers(2**31)) for _ in range(len(envs))]
    k = envs[0].action_space.n
    feats, chosen = np.empty((2, k, len(envs), T)), np.empty((2, len(envs), T))
    for r, (env, s) in enumerate(zip(envs, seeds)):
        obs, _ = env.reset(seed=s)
        for t in range(T):
            feats[:, :, r, t] = obs.T
            chosen[:, r, t] = obs[out["actions"][t, r]]
            obs, *_ = env.step(int(out["actions"][t, r]))
    return feats, chosen


def _novel_envs(R, T, **kw):
    return [gym.make("rlcore/NovelChoiceBandit-v0", candidates=8, proxy_corr=0.9, true_noise=0.0,
                     shift_time=80, horizon=T, **kw) for _ in range(R)]


def test_standardized_penalty_gradient_and_refit_optimum():
    """The penalty ridge/2 sum_j (s_j w_j)^2: value, gradient and Hessian against finite differences, and the
    standardized re-fit learner sits at the optimum of its data with s = the offered features' spread."""
    rng = np.random.default_rng(3)
    feats = rng.normal(size=(2, 5, 3, 30)) * np.array([0.1, 1.0])[:, None, None, None]
    actions = rng.integers(0, 5, (3, 30))
    chosen = np.take_along_axis(feats, actions[None, None], 1)[:, 0]
    rewards, w, s = rng.random((3, 30)), rng.normal(size=(3, 2)), np.array([[0.1, 1.0]] * 3)
    v, g, h = linear_surrogate(w, feats, chosen, rewards, 0.7, s)
    v0 = linear_surrogate(w, feats, chosen, rewards, 0.0)[0]
    np.testing.assert_allclose(v, v0 - 0.35 * ((s * w) ** 2).sum(-1), rtol=1e-12)
    eps = 1e-6
    for j in range(2):
        e = np.zeros_like(w)
        e[:, j] = eps
        up, down = (linear_surrogate(w + e, feats, chosen, rewards, 0.7, s),
                    linear_surrogate(w - e, feats, chosen, rewards, 0.7, s))
        np.testing.assert_allclose((up[0] - down[0]) / (2 * eps), g[:, j], atol=1e-5)
        np.testing.assert_allclose((up[1] - down[1]) / (2 * eps), h[:, :, j], atol=1e-5)
    T, R = 100, 3
    cfg = LinearSoftmaxConfig(regime="refit", newton_steps=2, standardized=True)
    out = train_linear_softmax_batch(_novel_envs(R, T, true_scale=0.1), cfg, T, seed=11)
    feats, chosen = _replay(_novel_envs(R, T, true_scale=0.1), out, T)
    for t in (40, 99):
        scales = feats[..., :t].std(axis=(1, 3)).T
        grad = linear_surrogate(out["weights"][t], feats[..., :t], chosen[..., :t], out["rewards"][:t].T, 1.0,
                                scales)[1]
        assert np.abs(grad).max() < 1e-4
    # and it does not see the units: the same policy (standardized weights) with the true feature 10x larger
    big = train_linear_softmax_batch(_novel_envs(R, T, true_scale=1.0), cfg, T, seed=11)
    np.testing.assert_array_equal(big["actions"], out["actions"])
    np.testing.assert_allclose(big["weights"][..., 0], out["weights"][..., 0] / 10, rtol=1e-6, atol=1e-9)


def test_plugin_regime_is_least_squares_then_greedy():
    """pi* over past data: the weights equal an independent least-squares fit (numpy lstsq with an intercept)
    of the rewards on the chosen options' features, and each choice is the argmax of the predicted value."""
    from rlcore.learners.linear_softmax import PLUGIN_RIDGE

    T, R = 60, 3
    out = train_linear_softmax_batch(_novel_envs(R, T, true_scale=0.1), LinearSoftmaxConfig(regime="plugin"), T,
                                     seed=11)
    feats, chosen = _replay(_novel_envs(R, T, true_scale=0.1), out, T)
    for t in (5, 30, 59):
        for r in range(R):
            # intercept removed by centring; the learner's tiny ridge as two extra rows sqrt(ridge) I
            x, y = chosen[:, r, :t].T, out["rewards"][:t, r]
            xa = np.vstack([x - x.mean(0), np.sqrt(PLUGIN_RIDGE) * np.eye(2)])
            coef = np.linalg.lstsq(xa, np.concatenate([y - y.mean(), np.zeros(2)]), rcond=None)[0]
            np.testing.assert_allclose(out["weights"][t, r], coef, rtol=1e-6, atol=1e-9)
            assert out["actions"][t, r] == int(np.argmax(feats[:, :, r, t].T @ out["weights"][t, r]))
