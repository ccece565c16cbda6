"""Ladder level 2: a corridor with a fork, the model-free agent's trap.

The agent starts at the fork (cell 0) of a straight corridor and steps left (action 0) or right (action 1)::

    [-L] ... [-2] [-1] [0 = fork] [1] ... [+K]
     big          pen.    start          small

* Reaching the left end ``-L`` pays ``left_reward`` (the big prize, the intended goal G) and ends the episode.
* Reaching the right end ``+K`` pays ``right_reward`` (small, but close) and ends the episode.
* Stepping left onto cell ``-penalty_cell`` (default -1, the branch's first cell; deeper with a larger
  ``penalty_cell``) costs ``-penalty`` with probability ``penalty_prob``: the bad luck on the left path that
  the discussion's model-free agent backs up.
* Every step costs ``step_cost``; an episode is cut (truncated) after ``time_limit`` steps.

The neglected region N is the long branch beyond the penalty cell (cells -2 .. -L). ``info`` reports
``in_neglected`` (the new cell is in N) and ``intended`` (1.0 when the step reached the big prize, else 0.0),
the hidden score beside the observed reward, as every ladder environment does.

The dynamics live in one vectorized function, :func:`fork_step`, used by the Gymnasium environment and by the
learner alike, so both run the same rules. Observations are cell indices shifted to ``0 .. L + K``.
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from ..config import Config, param
from ._registry import register_env

__all__ = ["ForkConfig", "ForkCorridor", "fork_step", "LEFT", "RIGHT"]

LEFT, RIGHT = 0, 1


@dataclass(frozen=True)
class ForkConfig(Config):
    """The corridor's layout and payoffs."""

    left_length: int = param(8, low=2, high=30, doc="cells from the fork to the big prize (>= 2)")
    right_length: int = param(3, low=1, high=30, doc="cells from the fork to the small prize (>= 1)")
    left_reward: float = param(10.0, low=0.0, low_open=True, ui=(1.0, 30.0), doc="the big prize, > 0")
    right_reward: float = param(1.0, low=0.0, low_open=True, ui=(0.1, 10.0), doc="the small prize, > 0")
    penalty: float = param(10.0, low=0.0, ui=(0.0, 30.0), doc="size of the early penalty on cell -1, >= 0")
    penalty_prob: float = param(0.3, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                                doc="probability that stepping onto cell -1 costs the penalty")
    penalty_cell: int = param(1, low=1, high=29, doc="the penalty sits on cell -penalty_cell, in [1, left_length)")
    step_cost: float = param(0.1, low=0.0, high=10.0, ui=(0.0, 1.0), doc="cost paid on every step, >= 0")
    time_limit: int = param(60, low=1, high=10_000, doc="steps after which an episode is truncated")

    def check(self) -> None:
        if self.penalty_cell >= self.left_length:
            raise self.invalid("penalty_cell", f"below left_length = {self.left_length} (the prize cell)")

    @property
    def n_cells(self) -> int:
        return self.left_length + self.right_length + 1

    @property
    def start(self) -> int:
        """The observation (shifted index) of the fork."""
        return self.left_length


def fork_step(config: ForkConfig, obs: np.ndarray, action: np.ndarray, u: np.ndarray):
    """One step for a batch of agents: returns ``(next_obs, reward, terminated, in_neglected, intended)``.

    ``obs`` and ``action`` are integer arrays of one shape; ``u`` holds uniform [0, 1) numbers of that shape
    that decide the penalty (``u < penalty_prob``). Cell x = obs - left_length moves to x - 1 (action 0) or
    x + 1 (action 1); reward = left_reward at x' = -L, right_reward at x' = +K, -penalty * [x' = -penalty_cell, a = 0, u < p],
    minus step_cost on every step.
    """
    obs, action = np.asarray(obs), np.asarray(action)
    nxt = obs + np.where(action == LEFT, -1, 1)
    cell = nxt - config.left_length
    at_left, at_right = cell == -config.left_length, cell == config.right_length
    hurt = (cell == -config.penalty_cell) & (action == LEFT) & (np.asarray(u) < config.penalty_prob)
    reward = (at_left * config.left_reward + at_right * config.right_reward - hurt * config.penalty
              - config.step_cost)
    return nxt, reward.astype(np.float64), at_left | at_right, cell <= -2, at_left.astype(np.float64)


class ForkCorridor(gym.Env):
    """``gymnasium.make("rlcore/ForkCorridor-v0", penalty_prob=0.3)``; keyword arguments are ForkConfig's."""

    metadata = {"render_modes": []}

    def __init__(self, **kwargs):
        self.config = ForkConfig(**kwargs)
        self.action_space = gym.spaces.Discrete(2)
        self.observation_space = gym.spaces.Discrete(self.config.n_cells)
        self._obs, self._t = self.config.start, 0

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self._obs, self._t = self.config.start, 0
        return self._obs, {}

    def step(self, action):
        if not self.action_space.contains(action):
            raise ValueError(f"action = {action!r} is outside the action space {self.action_space}")
        nxt, reward, term, in_n, intended = fork_step(self.config, np.array([self._obs]), np.array([int(action)]),
                                                      self.np_random.random(1))
        self._obs, self._t = int(nxt[0]), self._t + 1
        truncated = bool(self._t >= self.config.time_limit and not term[0])
        return self._obs, float(reward[0]), bool(term[0]), truncated, {
            "in_neglected": bool(in_n[0]), "intended": float(intended[0])}


register_env("ForkCorridor", f"{__name__}:ForkCorridor")
