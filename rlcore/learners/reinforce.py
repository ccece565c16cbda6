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
from .softmax import score_function, softmax

__all__ = ["ReinforceConfig", "train_reinforce_bandit"]


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
