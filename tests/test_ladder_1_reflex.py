"""The reflex learners of ladder level 1 against an independent loop implementation and the exact gradient."""

import gymnasium as gym
import numpy as np
import pytest

from rlcore.envs.ladder_1_lagoon import LEFT, LagoonTrackConfig, TrackLayout, policy_stats
from rlcore.learners.ladder_1_reflex import ReflexConfig, steering_probs, train_reflex
from rlcore.seeding import as_generator

TRACK = LagoonTrackConfig(powerup=0.05)
LAYOUT = TrackLayout.from_config(TRACK)


def reference(config: ReflexConfig, seed: int):
    """Plain per-boat loops over the Gymnasium env: the same update rules written out, one boat at a time."""
    rng = as_generator(seed)
    n, h, boats = LAYOUT.n, TRACK.horizon, config.boats
    theta = np.zeros((n, 2))
    theta[LAYOUT.lagoon, LEFT] = config.spin_bias
    value = np.full(n, config.critic_init)
    mean_return, seen = 0.0, 0
    envs = [gym.make("rlcore/LagoonTrack-v0", track=TRACK.track, horizon=h, powerup=TRACK.powerup).unwrapped
            for _ in range(boats)]
    for _ in range(config.updates):
        pi = steering_probs(theta, config.temperature)
        noise = rng.random((h, boats))
        obs = [env.reset(seed=0)[0] for env in envs]
        alive = [True] * boats
        traj = [[] for _ in range(boats)]
        for t in range(h):
            d_value, d_theta = np.zeros(n), np.zeros((n, 2))
            for b, env in enumerate(envs):
                if not alive[b]:
                    continue
                x = obs[b]
                a = int(noise[t, b] < pi[x, LEFT])
                x2, r, term, trunc, _ = env.step(a)
                traj[b].append((x, a, r))
                if config.algorithm == "td":
                    delta = r + (0.0 if term else config.gamma * value[x2]) - value[x]
                    d_value[x] += config.critic_lr * delta / boats
                    d_theta[x] += config.learning_rate * delta / boats * (np.eye(2)[a] - pi[x])
                obs[b], alive[b] = x2, not (term or trunc)
            if config.algorithm == "td":
                value += d_value
                theta += d_theta
                pi = steering_probs(theta, config.temperature)
        if config.algorithm == "reinforce":
            mean_return = np.mean([sum(r for _, _, r in tr) for tr in traj])  # the batch baseline
            grad = np.zeros((n, 2))
            for b in range(boats):
                rewards = np.array([r for _, _, r in traj[b]])
                to_go = np.cumsum(rewards[::-1])[::-1]
                for (x, a, _), g in zip(traj[b], to_go):
                    grad[x] += (g - (mean_return if config.baseline else 0.0)) / boats * (np.eye(2)[a] - pi[x])
            theta += config.learning_rate * grad
    return theta, value


@pytest.mark.parametrize("changes", [
    dict(algorithm="reinforce", baseline=False),
    dict(algorithm="reinforce", baseline=True, temperature=1.5),
    dict(algorithm="td", critic_init=0.7),
])
def test_vectorized_learner_matches_the_loop_reference(changes):
    config = ReflexConfig(spin_bias=1.0, updates=6, boats=3, **changes)
    run = train_reflex(LAYOUT, config, [11, 12])
    for i, seed in enumerate([11, 12]):
        theta, value = reference(config, seed)
        np.testing.assert_allclose(run.logits[i], theta, atol=1e-12)
        np.testing.assert_allclose(run.values[i], value, atol=1e-12)


def test_a_run_gives_the_same_numbers_alone_or_in_a_batch():
    config = ReflexConfig(spin_bias=1.0, updates=5)
    alone = train_reflex(LAYOUT, config, [5])
    batch = train_reflex(LAYOUT, config, [4, 5, 6])
    np.testing.assert_array_equal(alone.logits[0], batch.logits[1])
    np.testing.assert_array_equal(alone.donuts[0], batch.donuts[1])


def test_reinforce_update_is_an_unbiased_estimate_of_the_exact_gradient():
    """One update from many races: (theta_left after - before) / lr ~ dJ/dtheta_left, J = E[R] by the exact DP.

    The learner moves theta_left by +lr * step and theta_straight by -lr * step with
    step = mean (G_t)(1[left] - p_left), whose expectation is dJ/dtheta_left at fixed theta_straight = 0.
    """
    lr = 1e-3
    config = ReflexConfig(spin_bias=1.0, learning_rate=lr, updates=1, boats=40_000)
    run = train_reflex(LAYOUT, config, [0])
    start = run.initial_logits[0, :, LEFT]
    estimate = (run.logits[0, :, LEFT] - start) / lr

    def J(left_logits):
        return policy_stats(LAYOUT, 1 / (1 + np.exp(-left_logits)))["R"]

    eps, eye = 1e-5, np.eye(LAYOUT.n)
    exact = np.array([(J(start + eps * eye[x]) - J(start - eps * eye[x])) / (2 * eps) for x in range(LAYOUT.n)])
    assert np.abs(exact).max() > 0.05
    np.testing.assert_allclose(estimate, exact, atol=0.1 * np.abs(exact).max())
    assert np.corrcoef(estimate, exact)[0, 1] > 0.98


def test_no_reward_means_no_update_at_all():
    config = ReflexConfig(spin_bias=8.0, updates=20, boats=5)
    for baseline in (False, True):
        run = train_reflex(LAYOUT.__class__.from_config(LagoonTrackConfig()), config.replace(baseline=baseline),
                           [1, 2, 3])
        assert run.finished.sum() == 0
        np.testing.assert_array_equal(run.logits, run.initial_logits)
    td = train_reflex(TrackLayout.from_config(LagoonTrackConfig()), config.replace(algorithm="td"), [1])
    np.testing.assert_array_equal(td.logits, td.initial_logits)
    np.testing.assert_array_equal(td.values, 0.0)


def test_steering_probs_temperature_limits():
    logits = np.array([[0.0, 2.0], [1.0, 1.0], [3.0, -1.0]])
    np.testing.assert_allclose(steering_probs(logits, 1.0)[0], [1 / (1 + np.e**2), 1 / (1 + np.e**-2)])
    np.testing.assert_allclose(steering_probs(logits, 0.0), [[0, 1], [0.5, 0.5], [1, 0]])
    np.testing.assert_allclose(steering_probs(logits, 1e-3), steering_probs(logits, 0.0), atol=1e-12)
    np.testing.assert_allclose(steering_probs(logits, 1e6), 0.5, atol=1e-5)


@pytest.mark.parametrize("field,value", [("learning_rate", 0.0), ("gamma", 1.5), ("temperature", -1.0),
                                         ("algorithm", "sarsa"), ("boats", 0)])
def test_invalid_learner_settings_name_the_field(field, value):
    with pytest.raises(ValueError, match=rf"ReflexConfig\.{field} = "):
        ReflexConfig(**{field: value})


def test_power_ups_pay_only_during_their_season():
    layout = TrackLayout.from_config(LagoonTrackConfig(powerup=0.1))
    run = train_reflex(layout, ReflexConfig(spin_bias=12.0, powerup_season=2, updates=4, boats=3), [0, 1])
    assert np.all(run.returns[:, :2] > 1.0)  # about 28 donuts x 0.1 while the season lasts
    assert np.all(run.returns[:, 2:] == 0.0) and np.all(run.donuts[:, 2:] > 20)  # still circling, unpaid


def test_forced_steps_are_not_credited_to_the_policy():
    """After the season every step is a forced coin flip (forced = 1): races finish, but the policy, which chose
    nothing itself, is not updated at all; with forced = 0.5 it is."""
    layout = TrackLayout.from_config(LagoonTrackConfig(powerup=0.1))
    base = ReflexConfig(spin_bias=0.0, powerup_season=1, updates=6, boats=5, baseline=True)
    one = train_reflex(layout, base.replace(updates=1), [3])
    full = train_reflex(layout, base.replace(forced=1.0), [3])
    np.testing.assert_array_equal(full.logits[0], one.logits[0])
    assert full.finished[0, 1:].mean() > 0.2
    half = train_reflex(layout, base.replace(forced=0.5), [3])
    assert not np.array_equal(half.logits[0], one.logits[0])


def test_the_unbiased_boat_starts_at_nu_one_and_the_good_start_finishes():
    from rlcore.analysis import ladder_1_reflex as L1
    assert L1.run_level(7, quick=True).nu[0] == pytest.approx(1.0)
    assert L1.run_level(7, quick=True, start="good").delta_g < L1.DELTA_G_SMALL
    with pytest.raises(ValueError, match="start"):
        L1.run_level(7, start="best")
