"""Multi-armed bandits as one-step Gymnasium episodes.

A bandit episode is a single pull: ``reset`` returns the constant observation 0, ``step(a)`` returns the
arm's sampled reward and ``terminated=True``. The arm means are public (``env.unwrapped.means``) so that
analysis code can compute exact expectations; learners only ever see sampled rewards.
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from ..config import Config, param
from ._registry import register_env

__all__ = ["BernoulliBanditConfig", "GaussianBanditConfig", "BernoulliBandit", "GaussianBandit",
           "bernoulli_rewards"]


@dataclass(frozen=True)
class BernoulliBanditConfig(Config):
    """Arms pay 1 with probability ``means[a]`` and 0 otherwise."""

    means: tuple = param((0.3, 0.7), low=0.0, high=1.0, min_len=2, widget="none",
                         doc="success probability of each arm")


@dataclass(frozen=True)
class GaussianBanditConfig(Config):
    """Arms pay ``means[a] + noise_std * N(0, 1)``."""

    means: tuple = param((0.0, 1.0), min_len=2, widget="none", doc="mean reward of each arm")
    noise_std: float = param(1.0, low=0.0, ui=(0.0, 3.0), doc="standard deviation of the reward noise")


class _Bandit(gym.Env):
    metadata = {"render_modes": []}

    def __init__(self, config):
        self.config = config
        self.means = np.asarray(config.means, dtype=np.float64)
        self.action_space = gym.spaces.Discrete(len(self.means))
        self.observation_space = gym.spaces.Discrete(1)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        return 0, {}

    def step(self, action):
        if not self.action_space.contains(action):
            raise ValueError(f"action = {action!r} is outside the action space {self.action_space}")
        reward = self._sample(int(action))
        return 0, reward, True, False, {"expected_reward": float(self.means[int(action)])}

    @property
    def best_mean(self) -> float:
        """The largest arm mean: the expected reward of the optimal policy."""
        return float(self.means.max())


class BernoulliBandit(_Bandit):
    """K-armed Bernoulli bandit; ``gymnasium.make("rlcore/BernoulliBandit-v0", means=(0.3, 0.7))``."""

    def __init__(self, means=(0.3, 0.7)):
        super().__init__(BernoulliBanditConfig(means=means))

    def _sample(self, arm: int) -> float:
        return float(self.np_random.random() < self.means[arm])


class GaussianBandit(_Bandit):
    """K-armed Gaussian bandit; ``gymnasium.make("rlcore/GaussianBandit-v0", means=(0, 1), noise_std=1)``."""

    def __init__(self, means=(0.0, 1.0), noise_std: float = 1.0):
        super().__init__(GaussianBanditConfig(means=means, noise_std=noise_std))

    def _sample(self, arm: int) -> float:
        return float(self.means[arm] + self.config.noise_std * self.np_random.standard_normal())


register_env("BernoulliBandit", f"{__name__}:BernoulliBandit")
register_env("GaussianBandit", f"{__name__}:GaussianBandit")


def bernoulli_rewards(means, actions, rng: np.random.Generator) -> np.ndarray:
    """Vectorized Bernoulli bandit pulls: ``r = 1[u < means[a]]`` for each entry of ``actions`` (u ~ U(0, 1)).

    For Monte-Carlo estimates with 10^5+ pulls, where stepping an environment per pull would be slow.
    ``means`` is validated like :class:`BernoulliBanditConfig` (ValueError naming ``means`` outside [0, 1]).
    """
    means = np.asarray(BernoulliBanditConfig(means=tuple(np.ravel(means))).means)
    actions = np.asarray(actions)
    return (rng.random(actions.shape) < means[actions]).astype(np.float64)
