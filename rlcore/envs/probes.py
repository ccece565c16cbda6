"""Probe environments with known values, for debugging actor-critic learners (in the style of ARENA's probes).

Each probe isolates one part of a learner; if the learner fails a probe, the bug is in that part.
Observations are float32 vectors of shape (1,) in [-1, 1]; with discount gamma the exact answers are:

=========  =====================================================  ===============================================
probe      what it is                                             what a correct learner converges to
=========  =====================================================  ===============================================
Probe1     one action, constant observation, reward +1, 1 step    V(0) = 1                 (the value loss works)
Probe2     one action, observation +-1 at random, reward = obs   V(obs) = obs          (V reads its input)
Probe3     one action, two steps: obs 0 then obs 1, +1 at end   V(0) = gamma, V(1) = 1   (discounting/bootstrap)
Probe4     two actions, constant obs, reward +1 / -1 for 1 / 0   pi(1) -> 1, V -> 1       (the policy loss works)
Probe5     two actions, obs +-1, reward +1 iff action = [obs>0]  pi(correct | obs) -> 1   (policy reads its input)
Probe6     one action, reward +1 every step, never terminates,   V = 1 / (1 - gamma)      (truncation bootstraps;
           truncated after ``limit`` steps                                                treating it as terminal
                                                                                          gives less)
=========  =====================================================  ===============================================
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np

from ._registry import register_env

__all__ = ["Probe1", "Probe2", "Probe3", "Probe4", "Probe5", "Probe6"]


class _Probe(gym.Env):
    metadata = {"render_modes": []}
    n_actions = 1

    def __init__(self):
        self.observation_space = gym.spaces.Box(-1.0, 1.0, shape=(1,), dtype=np.float32)
        self.action_space = gym.spaces.Discrete(self.n_actions)

    @staticmethod
    def _o(x: float) -> np.ndarray:
        return np.array([x], dtype=np.float32)

    def _check(self, action) -> int:
        if not self.action_space.contains(action):
            raise ValueError(f"action = {action!r} is outside the action space {self.action_space}")
        return int(action)


class Probe1(_Probe):
    """One action, observation 0, reward +1, then terminated. V(0) = 1."""

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return self._o(0.0), {}

    def step(self, action):
        self._check(action)
        return self._o(0.0), 1.0, True, False, {}


class Probe2(_Probe):
    """One action, observation +1 or -1 (equally likely), reward equal to it, then terminated. V(obs) = obs."""

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.sign = 1.0 if self.np_random.random() < 0.5 else -1.0
        return self._o(self.sign), {}

    def step(self, action):
        self._check(action)
        return self._o(self.sign), self.sign, True, False, {}


class Probe3(_Probe):
    """One action, two steps: observation 0 (reward 0), then observation 1 (reward +1, terminated).

    V(0) = gamma and V(1) = 1: the value of the first step comes only through bootstrapping.
    """

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.t = 0
        return self._o(0.0), {}

    def step(self, action):
        self._check(action)
        self.t += 1
        if self.t == 1:
            return self._o(1.0), 0.0, False, False, {}
        return self._o(1.0), 1.0, True, False, {}


class Probe4(_Probe):
    """Two actions, observation 0, reward +1 for action 1 and -1 for action 0, terminated. pi(1) -> 1, V -> 1."""

    n_actions = 2

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return self._o(0.0), {}

    def step(self, action):
        a = self._check(action)
        return self._o(0.0), 1.0 if a == 1 else -1.0, True, False, {}


class Probe5(_Probe):
    """Two actions, observation +-1; reward +1 if the action is 1 when obs > 0 (0 when obs < 0), else -1."""

    n_actions = 2

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.sign = 1.0 if self.np_random.random() < 0.5 else -1.0
        return self._o(self.sign), {}

    def step(self, action):
        a = self._check(action)
        correct = 1 if self.sign > 0 else 0
        return self._o(self.sign), 1.0 if a == correct else -1.0, True, False, {}


class Probe6(_Probe):
    """One action, observation 0, reward +1 every step, never terminated, truncated after ``limit`` steps.

    The time limit is not observed, so the correct value is V = sum_k gamma^k = 1 / (1 - gamma); a learner that
    treats truncation as termination learns a smaller value.
    """

    def __init__(self, limit: int = 4):
        super().__init__()
        if int(limit) < 1:
            raise ValueError(f"limit = {limit!r} is outside its allowed range [1, inf)")
        self.limit = int(limit)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.t = 0
        return self._o(0.0), {}

    def step(self, action):
        self._check(action)
        self.t += 1
        return self._o(0.0), 1.0, False, self.t >= self.limit, {}


for _name in __all__:
    register_env(_name, f"{__name__}:{_name}")
