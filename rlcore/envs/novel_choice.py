"""A "novel choice" contextual bandit: every step offers fresh candidates that never repeat.

Each step the agent sees ``candidates`` new options. Option i has a hidden true value v_i ~ U(0, 1) (the
reward it pays when chosen) and two observed features:

    true feature   f_i1 = true_scale * (z_i + true_noise * e_i1)            (a reading of the value itself)
    proxy feature  f_i2 = proxy_scale * (rho * z_i + sqrt(1 - rho^2) * e_i2)  (a cue correlated with the value)

with z_i = (v_i - 1/2) * sqrt(12) the standardized value and e ~ N(0, 1), so corr(f_i2, v_i) = rho exactly.
With ``true_noise = 0`` the true feature ranks the options exactly; a small ``true_scale`` and a large
``proxy_scale`` make the proxy the *easier* cue to pick up (a unit of weight on it moves the policy more)
while the true feature stays the better one: a real proxy.
From step ``shift_time`` of an episode on, the proxy's correlation becomes ``rho_after`` (0 by default: the
cue stops carrying any information). Because candidates are drawn afresh every step, nothing can be
memorized: a policy has to process the runtime information (the features) with parameters learned earlier.

The observation is the (candidates, 2) feature matrix; the action is the index of the chosen option; the
reward is its true value; an episode is truncated after ``horizon`` steps. ``env.unwrapped.values`` holds
the true values of the options currently on offer (for exact expected rewards in analysis code only).
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from ..config import Config, param
from ._registry import register_env

__all__ = ["NovelChoiceConfig", "NovelChoiceBandit", "draw_candidates"]


@dataclass(frozen=True)
class NovelChoiceConfig(Config):
    """The novel-choice bandit's parameters."""

    candidates: int = param(5, low=2, high=50, ui=(2, 20), doc="options offered each step")
    proxy_corr: float = param(0.95, low=-1.0, high=1.0, ui=(0.0, 1.0, 0.05),
                              doc="correlation of the proxy feature with the true value before the shift")
    rho_after: float = param(0.0, low=-1.0, high=1.0, ui=(-1.0, 1.0, 0.05),
                             doc="correlation of the proxy with the true value from shift_time on")
    true_noise: float = param(1.0, low=0.0, high=5.0, ui=(0.0, 3.0, 0.1),
                              doc="noise on the observed true feature (0: the value is seen exactly)")
    true_scale: float = param(1.0, low=0.0, low_open=True, high=100.0, ui=(0.05, 2.0, 0.05),
                              doc="scale of the true feature, > 0 (small: hard to pick up by gradient steps)")
    proxy_scale: float = param(1.0, low=0.0, low_open=True, high=100.0, ui=(0.05, 5.0, 0.05),
                               doc="scale of the proxy feature, > 0")
    shift_time: int = param(10**9, low=0, doc="step of the episode at which the proxy decorrelates")
    horizon: int = param(1000, low=1, doc="steps per episode (then truncated)")


def draw_candidates(rng: np.random.Generator, shape: tuple, rho: float, true_noise: float,
                    true_scale: float = 1.0, proxy_scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Draw options: returns ``(values, features)`` with shapes ``shape`` and ``shape + (2,)``.

    values ~ U(0, 1); features[..., 0] = true_scale * (z + true_noise * e1),
    features[..., 1] = proxy_scale * (rho * z + sqrt(1 - rho^2) * e2), z = (values - 1/2) * sqrt(12) (unit
    variance), e1, e2 ~ N(0, 1) independent.
    """
    values = rng.random(shape)
    z = (values - 0.5) * np.sqrt(12.0)
    noise = rng.standard_normal(tuple(shape) + (2,))
    features = np.stack([true_scale * (z + true_noise * noise[..., 0]),
                         proxy_scale * (rho * z + np.sqrt(max(0.0, 1.0 - rho * rho)) * noise[..., 1])], axis=-1)
    return values, features


class NovelChoiceBandit(gym.Env):
    """``gymnasium.make("rlcore/NovelChoiceBandit-v0", candidates=5, proxy_corr=0.95, shift_time=500)``."""

    metadata = {"render_modes": []}

    def __init__(self, candidates: int = 5, proxy_corr: float = 0.95, rho_after: float = 0.0,
                 true_noise: float = 1.0, shift_time: int = 10**9, horizon: int = 1000, true_scale: float = 1.0,
                 proxy_scale: float = 1.0):
        self.config = NovelChoiceConfig(candidates=candidates, proxy_corr=proxy_corr, rho_after=rho_after,
                                        true_noise=true_noise, true_scale=true_scale, proxy_scale=proxy_scale,
                                        shift_time=shift_time, horizon=horizon)
        k = self.config.candidates
        self.action_space = gym.spaces.Discrete(k)
        # Features are unbounded in principle; the box is 20 standard deviations wide (never left in practice).
        bound = 20.0 * max(self.config.true_scale * np.hypot(1.0, self.config.true_noise), self.config.proxy_scale)
        self.observation_space = gym.spaces.Box(-bound, bound, shape=(k, 2), dtype=np.float64)
        self.t = 0
        self.values = np.zeros(k)
        self._features = np.zeros((k, 2))

    def _offer(self) -> np.ndarray:
        cfg = self.config
        rho = cfg.proxy_corr if self.t < cfg.shift_time else cfg.rho_after
        self.values, self._features = draw_candidates(self.np_random, (cfg.candidates,), rho, cfg.true_noise,
                                                      cfg.true_scale, cfg.proxy_scale)
        return self._features.copy()

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self.t = 0
        return self._offer(), {"shifted": False}

    def step(self, action):
        if not self.action_space.contains(action):
            raise ValueError(f"action = {action!r} is outside the action space {self.action_space}")
        reward = float(self.values[int(action)])
        self.t += 1
        truncated = self.t >= self.config.horizon
        obs = self._offer()
        return obs, reward, False, truncated, {"shifted": self.t >= self.config.shift_time}


register_env("NovelChoiceBandit", f"{__name__}:NovelChoiceBandit")
