"""Hawk-Dove: a symmetric two-player game whose payoff depends on what the other player does.

Two animals contest a resource of value V. A hawk fights, a dove shares or retreats; a fight costs the loser
C. Payoff to the row player (action 0 = dove, 1 = hawk):

    dove vs dove: V/2      dove vs hawk: 0
    hawk vs dove: V        hawk vs hawk: (V - C)/2

Against a population (or an opponent policy) with hawk share q the expected payoffs are
f_H(q) = q (V - C)/2 + (1 - q) V and f_D(q) = (1 - q) V/2, so f_H - f_D = (V - C q)/2: hawks do better while
q < V/C. The mean payoff of a population with hawk share p playing itself is J(p) = V/2 - C p^2 / 2, highest
at p = 0 (all doves).

:class:`HawkDove` is one round against an opponent who plays hawk with probability ``opponent_hawk``
(a reset option can change it, so a learner can make the opponent a copy of itself).
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from ..config import Config, param
from ._registry import register_env

__all__ = ["HawkDoveConfig", "HawkDove", "payoff_matrix", "hawk_dove_fitness", "mean_payoff", "play"]


@dataclass(frozen=True)
class HawkDoveConfig(Config):
    """The game's value of the resource, cost of a fight and the opponent's hawk probability."""

    value: float = param(2.0, low=0.0, low_open=True, ui=(0.5, 4.0, 0.1), doc="V, value of the resource, > 0")
    cost: float = param(4.0, low=0.0, low_open=True, ui=(0.5, 12.0, 0.5), doc="C, cost of losing a fight, > 0")
    opponent_hawk: float = param(0.05, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                                 doc="probability that the opponent plays hawk")


def payoff_matrix(value: float, cost: float) -> np.ndarray:
    """The row player's payoff, indexed [my action, opponent's action] with 0 = dove, 1 = hawk."""
    return np.array([[value / 2, 0.0], [value, (value - cost) / 2]])


def hawk_dove_fitness(p, value, cost) -> np.ndarray:
    """Expected payoffs ``[f_H, f_D]`` of a hawk and of a dove against hawk share ``p`` (arrays broadcast)."""
    p = np.asarray(p, dtype=np.float64)
    f_hawk = p * (value - cost) / 2 + (1 - p) * value
    f_dove = (1 - p) * value / 2
    return np.stack([f_hawk, f_dove], axis=-1)


def mean_payoff(p, value, cost) -> np.ndarray:
    """Mean payoff of a population with hawk share ``p`` playing itself: ``V/2 - C p^2 / 2``."""
    p = np.asarray(p, dtype=np.float64)
    return value / 2 - cost * p ** 2 / 2


def play(actions: np.ndarray, opponent_actions: np.ndarray, value: float, cost: float) -> np.ndarray:
    """Vectorized rounds: the payoff of ``actions`` against ``opponent_actions`` (0 = dove, 1 = hawk)."""
    return payoff_matrix(value, cost)[np.asarray(actions), np.asarray(opponent_actions)]


class HawkDove(gym.Env):
    """One round of Hawk-Dove as a one-step episode; observation 0; action 0 = dove, 1 = hawk.

    ``reset(options={"opponent_hawk": q})`` sets the opponent's hawk probability for the following rounds.
    ``info`` holds the opponent's action and the expected reward of the action taken.
    """

    metadata = {"render_modes": []}

    def __init__(self, value: float = 2.0, cost: float = 4.0, opponent_hawk: float = 0.05):
        self.config = HawkDoveConfig(value=value, cost=cost, opponent_hawk=opponent_hawk)
        self.opponent_hawk = self.config.opponent_hawk
        self.action_space = gym.spaces.Discrete(2)
        self.observation_space = gym.spaces.Discrete(1)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        if options and "opponent_hawk" in options:
            self.opponent_hawk = self.config.replace(opponent_hawk=float(options["opponent_hawk"])).opponent_hawk
        return 0, {}

    def step(self, action):
        if not self.action_space.contains(action):
            raise ValueError(f"action = {action!r} is outside the action space {self.action_space}")
        opponent = int(self.np_random.random() < self.opponent_hawk)
        reward = float(play(int(action), opponent, self.config.value, self.config.cost))
        expected = hawk_dove_fitness(self.opponent_hawk, self.config.value, self.config.cost)[1 - int(action)]
        return 0, reward, True, False, {"opponent_action": opponent, "expected_reward": float(expected)}


register_env("HawkDove", f"{__name__}:HawkDove")
