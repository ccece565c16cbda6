"""Two ways to raise the correlation between what an agent wants and what it is rewarded for.

The agent has **wants** w (one number per topic: how much it cares about topic k) and a separate **topic
choice** pi = softmax(theta) (which topics it actually works on). The quantity the discussion points at is
the on-policy correlation between wants and reward, the correlation over the topics the agent produces:

    rho_pi(w, R) = Cov_pi(w, R) / (SD_pi(w) SD_pi(R)),   moments taken under k ~ pi.

It can rise in two ways, and this learner ascends it by both, each with its own step size:

* **change the wants**:  dRho/dw_k = pi_k (R~_k - rho w~_k) / SD_pi(w),
  with w~ = (w - E_pi w) / SD_pi(w), R~ likewise;
* **narrow the topics**: dRho/dtheta_k = pi_k IF_k, with IF_k = w~_k R~_k - rho (w~_k^2 + R~_k^2) / 2
  the influence function of Pearson's correlation (E_pi IF = 0, so this is also
  E_{k~pi}[IF_k grad_theta log pi_k], a REINFORCE update whose "reward" is the topic's influence on rho).

The learner only sees sampled rewards: each step it draws ``batch`` topics from pi, takes the rewards the
environment pays, and plugs batch moments into the two formulas (a Monte-Carlo estimate of both gradients).
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from ..config import Config, param
from ..logs import TrainingLog
from ..seeding import SeedLike, as_generator
from .softmax import softmax

__all__ = ["NarrowingConfig", "exact_gradients", "batch_gradients", "train_narrowing"]

_EPS = 1e-8


@dataclass(frozen=True)
class NarrowingConfig(Config):
    """Step sizes of the two routes, number of updates and topics drawn per update."""

    want_lr: float = param(0.1, low=0.0, ui=(0.0, 2.0), doc="step size of want change, >= 0")
    narrowing_lr: float = param(1.0, low=0.0, ui=(0.0, 10.0), doc="step size of topic narrowing, >= 0")
    steps: int = param(300, low=1, ui=(10, 2000), doc="updates, >= 1")
    batch: int = param(64, low=4, high=100000, ui=(8, 512), doc="topics drawn per update, >= 4")


def exact_gradients(wants: np.ndarray, reward_means: np.ndarray, pi: np.ndarray
                    ) -> tuple[float, np.ndarray, np.ndarray]:
    """(rho_pi(w, R), dRho/dw, dRho/dtheta) exactly, for pi = softmax(theta), from the formulas above."""
    w, r, pi = (np.asarray(a, dtype=np.float64) for a in (wants, reward_means, pi))
    sw = np.sqrt(pi @ (w - pi @ w) ** 2)
    ws, rs = (w - pi @ w) / sw, (r - pi @ r) / np.sqrt(pi @ (r - pi @ r) ** 2)
    rho = float(pi @ (ws * rs))
    return rho, pi * (rs - rho * ws) / sw, pi * (ws * rs - 0.5 * rho * (ws ** 2 + rs ** 2))


def batch_gradients(wants: np.ndarray, pi: np.ndarray, topics: np.ndarray, rewards: np.ndarray
                    ) -> tuple[float, np.ndarray, np.ndarray]:
    """Sample estimates of (rho, dRho/dw, dRho/dtheta) from one batch of (topic, reward) pairs.

    With x_i = w[a_i] and y_i = r_i standardized by their batch mean and (population) SD, rho = mean(x~ y~),
    dRho/dx_i = (y~_i - rho x~_i) / (B SD(x)), summed per topic for dRho/dw, and
    dRho/dtheta = mean_i IF_i (e_{a_i} - pi) with IF_i = x~_i y~_i - rho (x~_i^2 + y~_i^2) / 2.
    """
    x, y = wants[topics], np.asarray(rewards, dtype=np.float64)
    sx, sy = x.std() + _EPS, y.std() + _EPS
    xs, ys = (x - x.mean()) / sx, (y - y.mean()) / sy
    rho = float(np.mean(xs * ys))
    n_topics = len(wants)
    grad_w = np.bincount(topics, weights=(ys - rho * xs) / (len(x) * sx), minlength=n_topics)
    influence = xs * ys - 0.5 * rho * (xs ** 2 + ys ** 2)
    grad_theta = np.bincount(topics, weights=influence, minlength=n_topics) / len(x) - influence.mean() * pi
    return rho, grad_w, grad_theta


def train_narrowing(env: gym.Env, wants: np.ndarray, config: NarrowingConfig, seed: SeedLike) -> TrainingLog:
    """Run the two-route learner on a topic bandit ``env`` from initial ``wants``; return its log.

    Per-step series (before each update): ``pi`` (n_topics), ``wants`` (n_topics), ``batch_corr`` (the
    sampled on-policy correlation). The topic choice starts uniform (theta = 0). ``seed`` seeds the topic
    draws and the environment's reward noise.
    """
    rng = as_generator(seed)
    env.reset(seed=int(rng.integers(2**31)))
    sampler = env.unwrapped.sample_rewards
    w = np.array(wants, dtype=np.float64)
    theta = np.zeros_like(w)
    log = TrainingLog(meta={"config": config.to_dict()})
    for _ in range(config.steps):
        pi = softmax(theta)
        topics = np.minimum(np.searchsorted(np.cumsum(pi), rng.random(config.batch)), len(w) - 1)
        rho, grad_w, grad_theta = batch_gradients(w, pi, topics, sampler(topics))
        log.step(pi=pi, wants=w.copy(), batch_corr=rho)
        w += config.want_lr * grad_w
        theta += config.narrowing_lr * grad_theta
    log.meta["final_pi"], log.meta["final_wants"] = softmax(theta), w
    return log
