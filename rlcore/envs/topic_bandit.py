"""A topic bandit whose reward is the designers' goal plus a topic-dependent bias: R = G + b.

Each of ``n_topics`` topics k has a goal value G_k (what the designers intend: how good it is to work on k)
and a bias b_k (what the reward signal adds on top, for reasons unrelated to the goal). Both are drawn once
from ``world_seed``: G_k ~ N(0, 1), b_k ~ N(0, bias_std^2). A step picks a topic and pays

    r = R_k + noise_std * N(0, 1),   R_k = G_k + b_k,

as a one-step episode (``terminated=True``), so corr(G, R) over topics is about 1 / sqrt(1 + bias_std^2).
``env.unwrapped.goal``, ``.bias`` and ``.reward_means`` are public for analysis; a learner only sees rewards.
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from ..config import Config, param
from ._registry import register_env

__all__ = ["TopicBanditConfig", "TopicBandit", "topic_world"]


@dataclass(frozen=True)
class TopicBanditConfig(Config):
    """The topic world: how many topics, how large the reward's bias is, how noisy a reward is."""

    n_topics: int = param(12, low=2, high=1000, ui=(2, 40), doc="number of topics, >= 2")
    bias_std: float = param(1.0, low=0.0, ui=(0.0, 3.0), doc="std of the topic bias b_k in R = G + b, >= 0")
    noise_std: float = param(0.5, low=0.0, ui=(0.0, 3.0), doc="std of the noise on each reward, >= 0")
    world_seed: int = param(0, low=0, ui=(0, 20), doc="seed that draws G and b")


def topic_world(config: TopicBanditConfig) -> tuple[np.ndarray, np.ndarray]:
    """The goal values G (n_topics,) and biases b (n_topics,) drawn from ``config.world_seed``."""
    rng = np.random.default_rng(config.world_seed)
    goal = rng.standard_normal(config.n_topics)
    bias = config.bias_std * rng.standard_normal(config.n_topics)
    return goal, bias


class TopicBandit(gym.Env):
    """``gymnasium.make("rlcore/TopicBandit-v0", n_topics=12, bias_std=1.0, noise_std=0.5, world_seed=0)``."""

    metadata = {"render_modes": []}

    def __init__(self, n_topics: int = 12, bias_std: float = 1.0, noise_std: float = 0.5, world_seed: int = 0):
        self.config = TopicBanditConfig(n_topics=n_topics, bias_std=bias_std, noise_std=noise_std,
                                        world_seed=world_seed)
        self.goal, self.bias = topic_world(self.config)
        self.reward_means = self.goal + self.bias
        self.action_space = gym.spaces.Discrete(self.config.n_topics)
        self.observation_space = gym.spaces.Discrete(1)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        return 0, {}

    def step(self, action):
        if not self.action_space.contains(action):
            raise ValueError(f"action = {action!r} is outside the action space {self.action_space}")
        a = int(action)
        reward = float(self.sample_rewards(np.array([a]))[0])
        return 0, reward, True, False, {"goal": float(self.goal[a]), "bias": float(self.bias[a])}

    def sample_rewards(self, topics: np.ndarray) -> np.ndarray:
        """Rewards for a batch of topic choices at once (the same distribution as calling ``step`` on each)."""
        topics = np.asarray(topics, dtype=np.int64)
        if topics.size and (topics.min() < 0 or topics.max() >= self.config.n_topics):
            raise ValueError(f"topics outside 0..{self.config.n_topics - 1}: {topics!r}")
        return self.reward_means[topics] + self.config.noise_std * self.np_random.standard_normal(topics.shape)


register_env("TopicBandit", f"{__name__}:TopicBandit")
