"""Unit tests of lesson 02's pieces against independent computations (Monte Carlo through the Gymnasium envs,
closed forms, least squares)."""

import gymnasium as gym
import numpy as np
import pytest

import rlcore  # noqa: F401  (registers the environments)
from rlcore.analysis.reward_selects import (BUTTON_AGENTS, ButtonConfig, faking_is_best, press_probability,
                                            press_thresholds, probe_r2, rater_values, run_button)
from rlcore.envs.reward_selects import (ButtonCorridorConfig, ContextBanditConfig, CoinCorridorConfig,
                                        context_value)
from rlcore.learners.reward_selects import coin_view, fit_reward_model, plan_corridor, softmax, train_button_pg


def test_press_probability_matches_episodes_in_the_env():
    rng = np.random.default_rng(0)
    pi_right = rng.uniform(0.3, 0.9, 9)
    pi = np.stack([1 - pi_right, pi_right], -1)[None]
    exact = press_probability(pi, 9)[0]
    env = gym.make("rlcore/ButtonCorridor-v0")
    pressed, n = 0, 3000
    for i in range(n):
        env.reset(seed=i)
        pos, done = 1, False
        while not done:
            _, _, term, trunc, info = env.step(int(rng.random() < pi_right[pos]))
            pos, done = info["position"], term or trunc
        pressed += info["pressed"]
    assert pressed / n == pytest.approx(exact, abs=3.5 * np.sqrt(exact * (1 - exact) / n))


def test_button_env_pays_the_button_and_the_goal_and_not_without_the_button():
    env = gym.make("rlcore/ButtonCorridor-v0", config=ButtonCorridorConfig(button=False))
    env.reset(seed=0)
    _, r, term, _, info = env.step(0)
    assert r == 0.0 and not term and info["position"] == 0
    env = gym.make("rlcore/ButtonCorridor-v0")
    obs, _ = env.reset(seed=0)
    _, r, term, _, info = env.step(0)
    assert r == 1.0 and term and info["pressed"] and not info["task_done"]
    assert obs[-1] == 0.0 and env.unwrapped.features[0, -1] == pytest.approx(0.5)


def test_planner_on_the_true_reward_matches_the_discounted_returns():
    n, gamma = 9, 0.8
    reward, terminal = np.zeros(n), np.zeros(n, dtype=bool)
    reward[[0, n - 1]], terminal[[0, n - 1]] = 1.0, True
    q = plan_corridor(reward, terminal, gamma)
    assert q[1, 0] == pytest.approx(1.0) and q[1, 1] == pytest.approx(gamma ** 2)  # right, then back left
    reward[0], terminal[0] = 0.0, False  # no button: only the goal, 7 moves from cell 1
    q = plan_corridor(reward, terminal, gamma)
    assert q[1, 1] == pytest.approx(gamma ** 6) and q[1, 0] == pytest.approx(gamma ** 8)


def test_rater_values_match_sampled_approvals_and_the_boundary_formula():
    rng = np.random.default_rng(1)
    for detect, penalty, cost_do, cost_fake in ((0.3, 1.0, 0.9, 0.05), (0.7, 0.5, 0.2, 0.1)):
        env = gym.make("rlcore/RaterBandit-v0", detect=detect, penalty=penalty, cost_do=cost_do,
                       cost_fake=cost_fake)
        env.reset(seed=2)
        sampled = [np.mean([env.step(a)[1] for _ in range(4000)]) for a in range(3)]
        assert sampled == pytest.approx(rater_values(detect, penalty, cost_do, cost_fake), abs=0.06)
    d, c = rng.random(500), rng.random(500) * 1.5
    formula = (c > d * 2 + 0.05) & (d < 0.95 / 2)
    assert np.array_equal(faking_is_best(d, 1.0, c, 0.05), formula)


def test_fit_reward_model_is_least_squares_on_the_augmented_system():
    rng = np.random.default_rng(3)
    x, r, lam = rng.normal(size=(40, 5)), rng.normal(size=40), 0.7
    augmented = np.r_[x, np.sqrt(lam) * np.eye(5)], np.r_[r, np.zeros(5)]
    assert fit_reward_model(x, r, lam) == pytest.approx(np.linalg.lstsq(*augmented, rcond=None)[0])


def test_coin_env_sends_the_agent_back_and_pays_only_at_the_coin():
    env = gym.make("rlcore/CoinCorridor-v0", config=CoinCorridorConfig(length=5, trips=4))
    obs, info = env.reset(seed=0, options={"coin": "left"})
    assert list(obs) == [2, 0, 0] and info["coin_left"]
    env.step(1)
    obs, r, *_ = env.step(1)      # right end: no coin, back to the middle, register (right, no score)
    assert r == 0.0 and list(obs) == [2, 2, 0]
    env.step(0)
    obs, r, *_ = env.step(0)      # left end: the coin
    assert r == 1.0 and list(obs) == [2, 1, 1]
    assert list(coin_view(np.array([0, 1, 2]), np.array([2, 2, 2]), np.array([0, 0, 0]))) == [0, 2, 3]
    with pytest.raises(ValueError, match="length"):
        CoinCorridorConfig(length=6)


def test_context_value_matches_sampled_rewards_and_probe_r2_is_calibrated():
    env = gym.make("rlcore/ContextBandit-v0")
    obs, _ = env.reset(seed=4)
    rewards = [env.step(int(obs[0] > 0))[1] for _ in range(3000)]  # the right action, same context each step
    c = ContextBanditConfig()
    assert np.mean(rewards) == pytest.approx(context_value(obs, 1.0, c.bonus_scale), abs=0.05)
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(400, 3)), rng.normal(size=400)
    assert probe_r2(x[:200], x[200:], 2 * x[:200, 0], 2 * x[200:, 0]) > 0.99
    assert probe_r2(x[:200], x[200:], y[:200], y[200:]) < 0.1


# ----------------------------------------------------------------------------- the button's arithmetic rows
@pytest.mark.parametrize("gamma,length", [(0.8, 9), (0.9, 9), (0.8, 12)])
def test_planner_and_value_agent_switch_at_the_closed_form(gamma, length):
    result = run_button(ButtonConfig(runs=3, gamma=gamma, length=length, seed=1))
    assert result.model_w[:, -1] == pytest.approx(0.5, abs=0.01) and result.value_w[:, -1] == pytest.approx(0.5)
    planner, value = press_thresholds(gamma, length)
    for agent, threshold in ((BUTTON_AGENTS[5], planner), (BUTTON_AGENTS[6], value)):
        below, above = result.press_rates(max(threshold - 0.03, 0.0)), result.press_rates(min(threshold + 0.03, 1.0))
        assert below[agent].max() == 0.0, agent
        assert above[agent].min() == (1.0 if threshold + 0.03 <= 1.0 else 0.0), agent   # > 1: never presses


def test_press_thresholds_formula():
    planner, value = press_thresholds(0.8, 9)
    assert planner == pytest.approx(2 * 0.8 ** 6) and value == pytest.approx(2 * (0.8 ** 6 - 0.8 ** 8))
    assert press_thresholds(0.9, 9)[0] > 1 > press_thresholds(0.8, 12)[0]


def test_tabular_pg_cannot_see_the_button():
    """Its press rate is the same at every similarity: its rate of stepping into the dead end it trained with."""
    result = run_button(ButtonConfig(runs=4, episodes=50, seed=2))
    at0, at1 = result.press_rates(0.0), result.press_rates(1.0)
    assert np.array_equal(at0[BUTTON_AGENTS[2]], at1[BUTTON_AGENTS[2]])
    assert np.array_equal(at0[BUTTON_AGENTS[2]], press_probability(softmax(result.pg_theta), 9))


def test_button_reward_enters_training():
    rng = np.random.default_rng(0)
    theta0, _ = train_button_pg(3, 40, 9, True, False, 0.0, 0.5, 0.8, rng, button_reward=0.0)
    theta1, _ = train_button_pg(3, 40, 9, True, False, 0.0, 0.5, 0.8, rng, button_reward=1.0)
    assert (press_probability(softmax(theta1), 9) > press_probability(softmax(theta0), 9)).all()


def test_probe_r2_cross_validates_the_ridge():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(120, 100))                     # more features than is healthy for 60 fitting points
    y = x[:, 0] + 0.5 * rng.normal(size=120)
    assert probe_r2(x[:60], x[60:], y[:60], y[60:]) > probe_r2(x[:60], x[60:], y[:60], y[60:], ridge=1e-4) + 0.1
