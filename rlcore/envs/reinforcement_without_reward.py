"""Lesson 04's worlds: a race with a donut habit, an arm reaching for a bottle, a goal-conditioned grid.

* ``DonutHabit`` (item 10; lesson 05 has its own DonutRace). A race passes ``n_visits`` lagoons. In a lagoon the policy's donut habit fires with
  probability ``p``: the boat loops (a donut, costing ``cost`` of the race's time) and is back in the lagoon,
  where the habit can fire again (the feedback loop), up to ``max_loops`` times; with probability ``1 - p`` it
  leaves. Reward comes once, at the finish: ``1 - cost * (donuts) - noise_std * xi`` (xi ~ N(0, 1), the rest of
  the race's variability): a faster finish pays more, a donut pays nothing by itself.
* ``ReachArm`` (item 11). The infant intends a unit direction ``u`` toward the bottle, sends the motor command
  ``W u``, and the arm moves ``y = A W u + noise`` with ``A = gain * rotation(angle)`` (a crooked arm the infant
  does not know). The reward is 1 when the hand lands within ``tolerance`` of the bottle (``|y - u|``), else 0.
* ``GoalGrid`` (item 12). An ``n x n`` grid, four moves (walls keep the agent in place); each episode has a
  start and a commanded goal (both part of the observation). The designer's reward ``R`` pays 1 on reaching
  the commanded goal *only when that goal is* ``g*`` (the last cell); every other goal is never rewarded.

Array forms (:func:`donut_loops`, :func:`grid_step`) are shared by the envs and the vectorized learners.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np

from ._registry import register_env

__all__ = ["DonutHabit", "ReachArm", "GoalGrid", "donut_loops", "grid_step", "arm_matrix", "MOVES"]

MOVES = np.array([[-1, 0], [1, 0], [0, -1], [0, 1]])  # up, down, left, right (row, column)


def donut_loops(p: np.ndarray, max_loops: int, rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Loops per lagoon visit: the number of consecutive ``p``-events before the first exit, capped at
    ``max_loops``; ``p`` broadcasts against ``shape``. Returns ints of ``shape``."""
    fires = rng.random(shape + (max_loops,)) < np.asarray(p)[..., None]
    return np.cumprod(fires, axis=-1).sum(-1)


def arm_matrix(angle_deg: float, gain: float) -> np.ndarray:
    """``A = gain * [[cos, -sin], [sin, cos]]``: the arm's unknown map from motor command to motion."""
    a = np.deg2rad(angle_deg)
    return gain * np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])


def grid_step(cell: np.ndarray, action: np.ndarray, n: int) -> np.ndarray:
    """One move on the ``n x n`` grid for arrays of cells (``row * n + col``) and actions; walls stop moves."""
    row, col = np.divmod(np.asarray(cell), n)
    row = np.clip(row + MOVES[action, 0], 0, n - 1)
    col = np.clip(col + MOVES[action, 1], 0, n - 1)
    return row * n + col


class DonutHabit(gym.Env):
    """One race per episode. Observation: the lagoon's index (``n_visits`` means the finish). Action 1 loops
    (a donut), 0 leaves the lagoon; after ``max_loops`` loops the boat leaves anyway. Reward at the finish."""

    def __init__(self, n_visits: int = 3, max_loops: int = 8, cost: float = 0.02, noise_std: float = 0.1):
        self.n_visits, self.max_loops, self.cost, self.noise_std = n_visits, max_loops, cost, noise_std
        self.observation_space = gym.spaces.Discrete(n_visits + 1)
        self.action_space = gym.spaces.Discrete(2)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.visit, self.loops_here, self.donuts = 0, 0, 0
        return self.visit, {}

    def step(self, action):
        if action == 1 and self.loops_here < self.max_loops:
            self.loops_here += 1
            self.donuts += 1
        else:
            self.visit, self.loops_here = self.visit + 1, 0
        if self.visit == self.n_visits:
            reward = 1.0 - self.cost * self.donuts - self.noise_std * self.np_random.normal()
            return self.visit, float(reward), True, False, {"donuts": self.donuts}
        return self.visit, 0.0, False, False, {"donuts": self.donuts}


class ReachArm(gym.Env):
    """One reach per episode: observation the intended unit direction, action the 2-D motor command."""

    def __init__(self, angle_deg: float = 50.0, gain: float = 0.8, noise_std: float = 0.05, tolerance: float = 0.3):
        self.arm = arm_matrix(angle_deg, gain)
        self.noise_std, self.tolerance = noise_std, tolerance
        self.observation_space = gym.spaces.Box(-1.0, 1.0, (2,), np.float64)
        self.action_space = gym.spaces.Box(-1.0, 1.0, (2,), np.float64)  # commands; see step

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        angle = self.np_random.uniform(0, 2 * np.pi)
        self.intended = np.array([np.cos(angle), np.sin(angle)])
        return self.intended.copy(), {}

    def step(self, action):
        """The command is used as given (the space's bounds only describe typical commands: the learners'
        maps send unit intentions to commands of norm near 1 / gain)."""
        motion = self.arm @ np.asarray(action, dtype=float) + self.noise_std * self.np_random.normal(size=2)
        reached = float(np.linalg.norm(motion - self.intended) < self.tolerance)
        return self.intended.copy(), reached, True, False, {"motion": motion}


class GoalGrid(gym.Env):
    """Observation ``(cell, goal)``; R pays 1 on reaching the commanded goal only if it is ``g*`` (the last
    cell). Reaching the commanded goal ends the episode; ``horizon`` steps truncate it."""

    def __init__(self, n: int = 5, horizon: int | None = None):
        self.n, self.horizon = n, horizon or 4 * (n - 1)
        self.rewarded_goal = n * n - 1
        self.observation_space = gym.spaces.MultiDiscrete([n * n, n * n])
        self.action_space = gym.spaces.Discrete(4)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        options = options or {}
        self.cell = int(options.get("start", self.np_random.integers(self.n * self.n)))
        self.goal = int(options.get("goal", self.np_random.integers(self.n * self.n)))
        self.t = 0
        return np.array([self.cell, self.goal]), {}

    def step(self, action):
        self.cell, self.t = int(grid_step(self.cell, int(action), self.n)), self.t + 1
        reached = self.cell == self.goal
        reward = float(reached and self.goal == self.rewarded_goal)
        return np.array([self.cell, self.goal]), reward, reached, self.t >= self.horizon, {"reached": reached}


register_env("DonutHabit", "rlcore.envs.reinforcement_without_reward:DonutHabit")
register_env("ReachArm", "rlcore.envs.reinforcement_without_reward:ReachArm")
register_env("GoalGrid", "rlcore.envs.reinforcement_without_reward:GoalGrid")
