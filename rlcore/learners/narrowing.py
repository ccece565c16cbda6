"""An ordinary topic-choosing learner: it picks topics by a softmax over its wants and learns wants from reward.

The agent has **wants** w (one number per topic: how much it likes working on topic k). Each step it draws
``batch`` topics from

    pi = (1 - eps) * softmax(beta * w) + eps / n      (eps = ``explore``, 0 by default; uniform in the
                                                      forced-uniform control),

receives the rewards the environment pays, and moves the want of every topic it visited toward the mean
reward it saw there (an exponential moving average, step size alpha):

    w_k <- w_k + alpha * (mean of this step's rewards on k - w_k)     for each visited k; others unchanged.

(``learn_all``, a control: every step it sees one reward from *every* topic and updates every want, while
it still chooses, and is measured, by pi.) That is all. Nothing in the update mentions a correlation: the lesson *measures* the on-policy correlation
between wants and R afterwards, and any rise in it emerges from the two facts that the agent chooses what it
is graded on (pi follows w) and that only what it chooses gets corrected (unvisited wants stay as they were).
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from ..config import Config, param
from ..logs import TrainingLog
from ..seeding import SeedLike, as_generator
from .softmax import softmax

__all__ = ["NarrowingConfig", "policy", "train_narrowing"]


@dataclass(frozen=True)
class NarrowingConfig(Config):
    """The learner's step size, how sharply its choice follows its wants, budget, and the uniform control."""

    want_lr: float = param(0.2, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                           doc="alpha: step of a visited topic's want toward its observed reward, in [0, 1]")
    inv_temp: float = param(2.0, low=0.0, ui=(0.0, 6.0, 0.25),
                            doc="beta: how sharply topic choice follows wants (0 = uniform), >= 0")
    steps: int = param(400, low=1, ui=(10, 2000), doc="updates, >= 1")
    batch: int = param(8, low=1, high=100000, ui=(1, 64), doc="topics drawn per update, >= 1")
    forced_uniform: bool = param(False, doc="control: draw topics uniformly whatever the wants")
    explore: float = param(0.0, low=0.0, high=1.0, ui=(0.0, 0.5, 0.05),
                           doc="exploration floor eps: pi = (1 - eps) softmax + eps / topics, in [0, 1]")
    learn_all: bool = param(False, doc="control: learn every topic's want each step (choice still by pi)")


def policy(wants: np.ndarray, config: NarrowingConfig) -> np.ndarray:
    """The topic-choice distribution: (1 - eps) softmax(beta * w) + eps / n, or uniform in the forced-uniform
    control."""
    n = len(wants)
    if config.forced_uniform:
        return np.full(n, 1.0 / n)
    return (1.0 - config.explore) * softmax(config.inv_temp * np.asarray(wants, dtype=np.float64)) + config.explore / n


def train_narrowing(env: gym.Env, wants: np.ndarray, config: NarrowingConfig, seed: SeedLike) -> TrainingLog:
    """Run the learner on a topic bandit ``env`` from initial ``wants``; return its log.

    Per-step series (before each update): ``pi`` (the choice distribution), ``wants``. ``seed`` seeds the
    topic draws and the environment's reward noise.
    """
    rng = as_generator(seed)
    env.reset(seed=int(rng.integers(2**31)))
    sampler = env.unwrapped.sample_rewards
    w = np.array(wants, dtype=np.float64)
    n = len(w)
    log = TrainingLog(meta={"config": config.to_dict()})
    for _ in range(config.steps):
        pi = policy(w, config)
        topics = np.minimum(np.searchsorted(np.cumsum(pi), rng.random(config.batch)), n - 1)
        rewards = sampler(topics)
        log.step(pi=pi, wants=w.copy())
        if config.learn_all:  # the control: one reward from every topic, every want corrected
            topics = np.arange(n)
            rewards = sampler(topics)
        visits = np.bincount(topics, minlength=n)
        seen = visits > 0
        mean_reward = np.bincount(topics, weights=rewards, minlength=n)[seen] / visits[seen]
        w[seen] += config.want_lr * (mean_reward - w[seen])
    log.meta["final_pi"], log.meta["final_wants"] = policy(w, config), w
    return log
