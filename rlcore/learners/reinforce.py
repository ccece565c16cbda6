"""REINFORCE on a bandit, one update per pull.

At step t the policy pi_theta samples arm a_t, receives r_t and updates

    theta <- theta + learning_rate * (r_t - b_t) * grad_theta log pi_theta(a_t),

where b_t = 0 without a baseline, or the running mean of past rewards with one. In expectation the update
is the exact gradient of J(theta) = sum_a pi_a mu_a (the baseline does not change that expectation).
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from ..config import Config, param
from ..logs import TrainingLog
from ..seeding import SeedLike, as_generator
from .softmax import sample_actions, score_function, softmax

__all__ = ["ReinforceConfig", "train_reinforce_bandit", "train_reinforce_bandit_batch", "train_reinforce_bernoulli",
           "step_envs"]


@dataclass(frozen=True)
class ReinforceConfig(Config):
    """Hyperparameters of bandit REINFORCE."""

    learning_rate: float = param(0.1, low=0.0, low_open=True, ui=(0.01, 2.0), widget="text",
                                 doc="step size of each update, > 0")
    steps: int = param(300, low=1, ui=(10, 3000), doc="number of pulls (one update each), >= 1")
    baseline: bool = param(False, doc="subtract the running mean reward from each reward")


def train_reinforce_bandit(env: gym.Env, config: ReinforceConfig, seed: SeedLike) -> TrainingLog:
    """Train a softmax policy on ``env`` (a one-step-episode bandit) and return its log.

    The log's per-step series: ``action``, ``reward``, ``probs`` (the policy before the pull, shape K);
    ``log.meta["final_logits"]`` holds the logits after the last update.
    Logits start at zero (the uniform policy). ``seed`` seeds both the policy's sampling and the env.
    """
    rng = as_generator(seed)
    env.reset(seed=int(rng.integers(2**31)))
    n_arms = env.action_space.n
    logits = np.zeros(n_arms)
    mean_reward, log = 0.0, TrainingLog(meta={"config": config.to_dict()})
    for t in range(config.steps):
        probs = softmax(logits)
        action = int(rng.choice(n_arms, p=probs))
        _, reward, terminated, truncated, _ = env.step(action)
        baseline = mean_reward if config.baseline else 0.0
        logits += config.learning_rate * (reward - baseline) * score_function(logits, action)
        mean_reward += (reward - mean_reward) / (t + 1)
        log.step(action=action, reward=reward, probs=probs)
        if terminated or truncated:
            env.reset()
    log.meta["final_logits"] = logits
    return log


def step_envs(envs: list, actions: np.ndarray) -> np.ndarray:
    """Step each one-step-episode bandit ``envs[i]`` with ``actions[i]``; return the rewards (shape (runs,)).

    Each env is reset after its episode ends, so the list can be stepped again.
    """
    rewards = np.empty(len(envs))
    for i, (env, a) in enumerate(zip(envs, actions)):
        _, rewards[i], terminated, truncated, _ = env.step(int(a))
        if terminated or truncated:
            env.reset()
    return rewards


def train_reinforce_bandit_batch(envs: list, config: ReinforceConfig, seed: SeedLike) -> dict:
    """Bandit REINFORCE on ``len(envs)`` independent runs at once (one env per run), vectorized over runs.

    The same update as :func:`train_reinforce_bandit`, row by row:
    theta_i <- theta_i + lr * (r_i - b_i) * (onehot(a_i) - pi_i), b_i = the run's running mean reward
    (when ``config.baseline``) or 0. Returns arrays ``probs`` (steps, runs, K) (the policy before each pull),
    ``actions`` and ``rewards`` (steps, runs), and ``logits`` (runs, K) after the last update.
    """
    rng = as_generator(seed)
    for env in envs:
        env.reset(seed=int(rng.integers(2**31)))
    runs, n_arms = len(envs), envs[0].action_space.n
    logits, mean_reward = np.zeros((runs, n_arms)), np.zeros(runs)
    probs_log = np.empty((config.steps, runs, n_arms))
    actions_log, rewards_log = np.empty((config.steps, runs), dtype=int), np.empty((config.steps, runs))
    for t in range(config.steps):
        probs = softmax(logits)
        actions = sample_actions(probs, rng)
        rewards = step_envs(envs, actions)
        baseline = mean_reward if config.baseline else 0.0
        logits += config.learning_rate * (rewards - baseline)[:, None] * score_function(logits, actions)
        mean_reward += (rewards - mean_reward) / (t + 1)
        probs_log[t], actions_log[t], rewards_log[t] = probs, actions, rewards
    return {"probs": probs_log, "actions": actions_log, "rewards": rewards_log, "logits": logits}


def train_reinforce_bernoulli(means, learning_rates: np.ndarray, steps: int, baseline: bool, seed: SeedLike
                              ) -> np.ndarray:
    """Many independent bandit REINFORCE runs on one Bernoulli bandit, one run per entry of ``learning_rates``.

    The update of :func:`train_reinforce_bandit_batch` (theta_i <- theta_i + lr_i (r_i - b_i)(onehot(a_i) - pi_i),
    b_i the run's running mean reward or 0), with rewards drawn directly as r = 1[u < means[a]] instead of by
    stepping one environment per run: thousands of runs in milliseconds, for sweeps over the step size.
    Returns the policy before each pull, shape (steps, runs, K).
    """
    rng = as_generator(seed)
    means = np.asarray(means, dtype=np.float64)
    lrs = np.asarray(learning_rates, dtype=np.float64)
    if np.any(lrs <= 0):
        raise ValueError(f"learning_rates must be > 0, got min {lrs.min():g}")
    runs, k = len(lrs), len(means)
    logits, mean_reward = np.zeros((runs, k)), np.zeros(runs)
    probs_log = np.empty((steps, runs, k))
    rows = np.arange(runs)
    for t in range(steps):
        probs = softmax(logits)
        actions = sample_actions(probs, rng)
        rewards = (rng.random(runs) < means[actions]).astype(np.float64)
        b = mean_reward if baseline else 0.0
        score = -probs
        score[rows, actions] += 1.0
        logits += (lrs * (rewards - b))[:, None] * score
        mean_reward += (rewards - mean_reward) / (t + 1)
        probs_log[t] = probs
    return probs_log
