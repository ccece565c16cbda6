"""Donut race: a lagoon with donut loops, then a race; only the race pays (lesson 05, item 13).

An episode is ``donut_loops`` loops in the lagoon followed by ``race_segments`` race segments. At every step the
agent's action is the quality it tries for (its current skill); the environment adds execution noise and shows
the achieved quality in the observation, which is all the feedback an in-episode learner gets. Nothing is paid
until the finish, where the reward is the race score

    R = sum_m q_race[m] - practice_cost * (q_donut[last] - q_donut[first]),

the sum of the achieved race qualities (a faster finish pays more) minus, when ``practice_cost`` > 0, the race
time the donut practice cost (proportional to how much the donuts improved in this episode; < 0 means donut
practice helps the race). Donut quality enters only through that term: at ``practice_cost = 0`` the reward does
not depend on the donuts at all.

:func:`race_scores` computes the same reward for a whole population of in-episode learners at once (skill at
step k of a phase = start skill + rate * k); the Gymnasium class is the same episode one step at a time.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np

from ._registry import register_env

__all__ = ["DonutRace", "race_scores", "GENES"]

#: The genome of an in-episode learner: start skill and in-episode learning rate for the race and the donut.
GENES = ("race skill", "race rate", "donut skill", "donut rate")


def race_scores(genomes: np.ndarray, race_segments: int, donut_loops: int, practice_cost: float,
                shared_rate: bool, execution_noise: float, rng: np.random.Generator,
                coupling: float = 0.0) -> np.ndarray:
    """The finish reward of every genome ``[..., 4]`` (race skill, race rate, donut skill, donut rate): one episode
    each, achieved quality = skill + rate * step + noise. With ``shared_rate`` the race rate drives the donuts too
    (the donut-rate gene is ignored); otherwise the donut's in-episode rate is ``coupling * race rate + (1 -
    coupling) * donut rate`` (partial sharing; 0 = separate rates)."""
    g = np.asarray(genomes, dtype=np.float64)
    donut_rate = g[..., 1] if shared_rate else coupling * g[..., 1] + (1 - coupling) * g[..., 3]
    m, k = np.arange(race_segments), np.arange(donut_loops)
    race = g[..., 0, None] + g[..., 1, None] * m + execution_noise * rng.standard_normal(g.shape[:-1] + (len(m),))
    donut = g[..., 2, None] + donut_rate[..., None] * k + execution_noise * rng.standard_normal(
        g.shape[:-1] + (len(k),))
    return race.sum(-1) - practice_cost * (donut[..., -1] - donut[..., 0])


class DonutRace(gym.Env):
    """One episode, step by step. Observation ``[phase (0 lagoon, 1 race), step in phase, last achieved
    quality]``; action: the quality tried for, in [-50, 50] (outside raises). Reward 0 until the last race segment."""

    metadata = {"render_modes": []}

    def __init__(self, race_segments: int = 10, donut_loops: int = 5, practice_cost: float = 0.0,
                 execution_noise: float = 0.1):
        if race_segments < 1 or donut_loops < 2:
            raise ValueError(f"race_segments = {race_segments} must be >= 1 and donut_loops = {donut_loops} >= 2")
        if execution_noise < 0:
            raise ValueError(f"execution_noise = {execution_noise} must be >= 0")
        self.race_segments, self.donut_loops = int(race_segments), int(donut_loops)
        self.practice_cost, self.execution_noise = float(practice_cost), float(execution_noise)
        self.action_space = gym.spaces.Box(-50.0, 50.0, shape=(), dtype=np.float64)
        steps = float(max(self.race_segments, self.donut_loops))
        self.observation_space = gym.spaces.Box(np.array([0.0, 0.0, -100.0]), np.array([1.0, steps, 100.0]),
                                                dtype=np.float64)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self.t, self.donuts, self.race = 0, [], []
        return np.array([0.0, 0.0, 0.0]), {}

    def step(self, action):
        if not self.action_space.contains(np.asarray(action, dtype=np.float64).reshape(())):
            raise ValueError(f"action = {action!r} is outside the action space {self.action_space}")
        achieved = float(np.asarray(action)) + self.execution_noise * float(self.np_random.standard_normal())
        in_lagoon = self.t < self.donut_loops
        (self.donuts if in_lagoon else self.race).append(achieved)
        self.t += 1
        done = self.t == self.donut_loops + self.race_segments
        reward = 0.0
        if done:
            reward = sum(self.race) - self.practice_cost * (self.donuts[-1] - self.donuts[0])
        phase = 0.0 if self.t < self.donut_loops else 1.0
        index = self.t if self.t < self.donut_loops else self.t - self.donut_loops
        shown = float(np.clip(achieved, -100.0, 100.0))  # the observation's range; the reward uses the true value
        return np.array([phase, float(index), shown]), reward, done, False, {"donut_quality": list(self.donuts)}


register_env("DonutRace", f"{__name__}:DonutRace")
