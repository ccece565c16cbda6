"""The sparse-reward chain: a combination-lock corridor that pays only at its far end.

Cells ``0 .. length-1``; the goal is the last cell. In every cell one of the two actions is *correct* (a
fixed pattern drawn once from ``layout_seed``): it moves one cell right; the other action moves ``setback``
cells left (default 1; never past cell 0, a wall; ``setback >= length`` sends the agent back to the start). Entering the goal ends the episode (``terminated``) and pays
``goal_reward`` with probability ``reward_prob`` (the sparsity knob: lower means rarer reward events).
An episode that has not reached the goal after ``ceil(horizon * length)`` steps is ``truncated``: time ran
out, the state is not terminal, so a learner must bootstrap from its value of the last observation.

Because the correct action changes from cell to cell, no single "always go right" bias solves the chain: a
learner has to learn every cell, which is what makes it a test of how reward reaches early cells.

Options:
* ``start_spread`` in [0, 1]: episodes start uniformly in cells ``0 .. floor(start_spread * (length - 2))``
  ("exploring starts"; 0 always starts at cell 0). ``reset(options={"start": k})`` forces cell ``k``.
* ``distractor_reward`` > 0: the wrong action in cell 0 leaves through a side exit that pays this much and
  ends the episode (a small, near reward competing with the far goal); 0 means no side exit.

The observation is the one-hot vector of the current cell (float32). :func:`chain_step` is the transition
on arrays, shared by ``step`` and by vectorized evaluation in :mod:`rlcore.analysis.ppo_advantage`.
:class:`SparseChainBatch` (``SparseChain.batched(envs)``) steps many copies at once on arrays, each copy's
reward draws and resets taken from its own generator, so every copy matches stepping it alone exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from ..config import Config, param
from ._registry import register_env

__all__ = ["SparseChainConfig", "SparseChain", "SparseChainBatch", "chain_pattern", "chain_step"]


@dataclass(frozen=True)
class SparseChainConfig(Config):
    """The chain's layout and reward."""

    length: int = param(40, low=3, high=500, ui=(5, 100, 5), doc="number of cells, goal included, >= 3")
    reward_prob: float = param(1.0, low=0.0, high=1.0, low_open=True, ui=(0.05, 1.0, 0.05),
                               doc="probability that entering the goal pays (sparsity), in (0, 1]")
    goal_reward: float = param(1.0, low=0.0, low_open=True, ui=(0.1, 10.0), doc="reward at the goal, > 0")
    distractor_reward: float = param(0.0, low=0.0, ui=(0.0, 1.0, 0.05),
                                     doc="reward of the side exit in cell 0 (0: no side exit), >= 0")
    start_spread: float = param(1.0, low=0.0, high=1.0, ui=(0.0, 1.0, 0.1),
                                doc="episodes start uniformly in the first start_spread of the chain")
    horizon: float = param(3.0, low=0.0, low_open=True, ui=(1.0, 10.0, 0.5),
                           doc="time limit in multiples of length (then truncated), > 0")
    layout_seed: int = param(0, low=0, ui=(0, 20), doc="seed of the pattern of correct actions")
    setback: int = param(1, low=1, ui=(1, 100), doc="cells a wrong action moves back (>= length: to the start)")

    @property
    def max_steps(self) -> int:
        return int(math.ceil(self.horizon * self.length))

    @property
    def max_start(self) -> int:
        return int(math.floor(self.start_spread * (self.length - 2)))


def chain_pattern(length: int, layout_seed: int) -> np.ndarray:
    """The correct action (0 or 1) of each cell, shape (length,), drawn from ``layout_seed``."""
    return np.random.default_rng(int(layout_seed)).integers(0, 2, size=int(length))


def chain_step(position: np.ndarray, action: np.ndarray, pattern: np.ndarray, side_exit: bool, setback: int = 1):
    """One transition on arrays: returns ``(new_position, at_goal, exited)``.

    ``new_position = position + 1`` if ``action == pattern[position]`` else ``max(position - setback, 0)``;
    ``at_goal`` marks arrival in the last cell; ``exited`` marks the wrong action in cell 0 when the side
    exit is open (the position then stays 0 and the episode ends).
    """
    position, action = np.asarray(position), np.asarray(action)
    correct = action == pattern[position]
    exited = (~correct) & (position == 0) & side_exit
    new = np.where(correct, position + 1, np.maximum(position - setback, 0))
    return new, new == len(pattern) - 1, exited


class SparseChain(gym.Env):
    """``gymnasium.make("rlcore/SparseChain-v0", length=40, reward_prob=1.0, ...)``; see the module doc."""

    metadata = {"render_modes": []}

    def __init__(self, length: int = 40, reward_prob: float = 1.0, goal_reward: float = 1.0,
                 distractor_reward: float = 0.0, start_spread: float = 1.0, horizon: float = 3.0,
                 layout_seed: int = 0, setback: int = 1):
        self.config = SparseChainConfig(length=length, reward_prob=reward_prob, goal_reward=goal_reward,
                                        distractor_reward=distractor_reward, start_spread=start_spread,
                                        horizon=horizon, layout_seed=layout_seed, setback=setback)
        self.pattern = chain_pattern(self.config.length, self.config.layout_seed)
        self._pattern = self.pattern.tolist()
        self.action_space = gym.spaces.Discrete(2)
        self.observation_space = gym.spaces.Box(0.0, 1.0, shape=(self.config.length,), dtype=np.float32)
        self.position, self.t, self._max_steps = 0, 0, self.config.max_steps

    def _obs(self) -> np.ndarray:
        obs = np.zeros(self.config.length, dtype=np.float32)
        obs[self.position] = 1.0
        return obs

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        start = (options or {}).get("start")
        if start is None:
            start = int(self.np_random.integers(0, self.config.max_start + 1))
        if not 0 <= int(start) <= self.config.length - 2:
            raise ValueError(f"start = {start!r} is outside its allowed range [0, {self.config.length - 2}]")
        self.position, self.t = int(start), 0
        return self._obs(), {"position": self.position}

    def step(self, action):
        if action not in (0, 1):  # the Discrete(2) check, without the cost of Space.contains
            raise ValueError(f"action = {action!r} is outside the action space {self.action_space}")
        cfg = self.config  # the scalar form of chain_step (kept in plain Python: it runs once per env step)
        if int(action) == self._pattern[self.position]:
            self.position += 1
            exited = False
        else:
            exited = self.position == 0 and cfg.distractor_reward > 0
            self.position = max(self.position - cfg.setback, 0)
        self.t += 1
        at_goal = self.position == cfg.length - 1
        reward = 0.0
        if at_goal and self.np_random.random() < cfg.reward_prob:
            reward = float(cfg.goal_reward)
        if exited:
            reward = float(cfg.distractor_reward)
        terminated = bool(at_goal or exited)
        truncated = bool(not terminated and self.t >= self._max_steps)
        return self._obs(), reward, terminated, truncated, {"position": self.position}

    @classmethod
    def batched(cls, envs) -> "SparseChainBatch | None":
        """The copies ``envs`` stepped on arrays (None if their configs differ)."""
        return SparseChainBatch(envs) if all(e.config == envs[0].config for e in envs) else None


class SparseChainBatch:
    """Copies of one :class:`SparseChain` stepped on arrays (the interface of :class:`rlcore.envs.vector.EnvBatch`).

    Positions and clocks live in arrays and move by :func:`chain_step`; the random draws (does the goal pay,
    where does the next episode start) come from each copy's own generator, in the copy's own order (reward
    before reset), so copy i's numbers equal those of ``envs[i]`` stepped alone.
    """

    def __init__(self, envs):
        self.envs = list(envs)
        self.config = envs[0].config
        self.pattern = envs[0].pattern
        self.position = np.zeros(len(envs), dtype=np.int64)
        self.t = np.zeros(len(envs), dtype=np.int64)
        self._eye = np.eye(self.config.length, dtype=np.float32)

    def __len__(self) -> int:
        return len(self.envs)

    def reset(self, seeds) -> np.ndarray:
        for i, (env, s) in enumerate(zip(self.envs, seeds)):
            env.reset(seed=int(s))
            self.position[i], self.t[i] = env.position, 0
        return self._eye[self.position]

    def step(self, actions):
        """Returns ``(next_obs, rewards, terminated, truncated, obs)`` as :meth:`rlcore.envs.vector.EnvBatch.step`."""
        actions = np.asarray(actions)
        if ((actions != 0) & (actions != 1)).any():
            raise ValueError(f"actions = {actions!r} are outside the action space Discrete(2)")
        cfg = self.config
        new, at_goal, exited = chain_step(self.position, actions, self.pattern, cfg.distractor_reward > 0,
                                          cfg.setback)
        self.position, self.t = new, self.t + 1
        rewards = np.zeros(len(self.envs))
        for i in np.flatnonzero(at_goal):  # each copy's own draw, as in step
            if self.envs[i].np_random.random() < cfg.reward_prob:
                rewards[i] = float(cfg.goal_reward)
        rewards[exited] = float(cfg.distractor_reward)
        terminated = at_goal | exited
        truncated = ~terminated & (self.t >= cfg.max_steps)
        next_obs = self._eye[self.position]
        for i in np.flatnonzero(terminated | truncated):  # SparseChain.reset's draw, from the copy's generator
            self.position[i] = self.envs[i].np_random.integers(0, cfg.max_start + 1)
        self.t[terminated | truncated] = 0
        return next_obs, rewards, terminated, truncated, self._eye[self.position]

    def close(self) -> None:
        for env in self.envs:
            env.close()

register_env("SparseChain", f"{__name__}:SparseChain")
