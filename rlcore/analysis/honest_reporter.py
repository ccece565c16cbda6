"""Mostly-correct reward: how long an honest reporter survives a slightly wrong labeller (lesson 03, item 8).

A model answers each question with one of two heads: the *honest reporter* says what it believes is true; the
*simulator* says what the labeller will say. A fraction ``f`` of the questions is hard for the labeller, who then
labels wrongly with probability ``eps``; elsewhere the labeller is right. Reward is 1 when the answer matches the
label. So the honest head earns 1 - eps f per question, the simulator 1: the simulator is the optimum of the
reward whenever eps f > 0. A gate with log-odds ``z`` (simulator vs honest) picks the head; a prior favours
honesty by ``b`` nats: training starts at z = -b. The simulator *takes over* when z first reaches 0.

Two learners of the gate, ``batch`` questions per step, step size ``lr``:

* ``"full"`` (exponential weights: both heads are scored on every question),
  z <- z + lr * mean(r_sim - r_honest). The drift is lr eps f per step, so takeover takes
  **b / (lr eps f)** steps (plus a little overshoot): the curriculum's prediction.
* ``"sampled"`` (REINFORCE on a sigmoid gate: only the head that answered is scored),
  z <- z + lr * mean(r * (1[sim] - g)), g = sigmoid(z). The expected drift is lr eps f g (1 - g), slow while
  the gate is nearly closed; integrating dz / (g (1 - g)) from -b to 0 predicts
  **(2 b + e^b - e^-b) / (lr eps f)** steps: the same 1 / (lr eps f) scaling, but exponential in b.

With eps f = 0 the two heads earn the same reward on every question and honesty stays (the control). All seeds
and settings run at once on arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Config, choice, param
from ..seeding import as_generator

__all__ = ["ReporterConfig", "predicted_takeover", "takeover_times"]


@dataclass(frozen=True)
class ReporterConfig(Config):
    """The honest-reporter race: the labeller's error, the prior, the learner and the budget."""

    eps: float = param(0.2, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05), doc="labeller's error rate on hard cases")
    f: float = param(0.1, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05), doc="fraction of hard cases, in [0, 1]")
    prior: float = param(3.0, low=0.0, ui=(0.0, 10.0), doc="b: the prior's head start for honesty, in nats")
    lr: float = param(0.05, low=0.0, low_open=True, ui=(0.001, 1.0), widget="log", doc="gate step size, > 0")
    batch: int = param(64, low=1, ui=(1, 512), doc="questions per training step")
    steps: int = param(20_000, low=1, ui=(100, 100_000), widget="text", doc="training budget in steps")
    learner: str = choice("full", ("full", "sampled"), doc="'full': both heads scored; 'sampled': REINFORCE")


def predicted_takeover(config: ReporterConfig) -> float:
    """Steps until z reaches 0 under the expected drift (inf when eps f = 0)."""
    rate = config.lr * config.eps * config.f
    if rate == 0:
        return float("inf")
    b = config.prior
    return b / rate if config.learner == "full" else (2 * b + np.exp(b) - np.exp(-b)) / rate


def takeover_times(config: ReporterConfig, seeds: int, seed=0) -> np.ndarray:
    """The first step at which z >= 0, for each of ``seeds`` runs (inf if honesty survives the budget)."""
    rng = as_generator(seed)
    z = np.full(seeds, -float(config.prior))
    out = np.full(seeds, np.inf)
    alive = np.ones(seeds, dtype=bool)
    p_wrong = config.eps * config.f
    for step in range(1, config.steps + 1):
        # per question: the label is wrong (honest head scores 0, simulator 1) with probability eps f
        wrong = rng.random((seeds, config.batch)) < p_wrong
        if config.learner == "full":
            z += config.lr * wrong.mean(1)
        else:
            g = 1.0 / (1.0 + np.exp(-z))
            use_sim = rng.random((seeds, config.batch)) < g[:, None]
            reward = np.where(use_sim, 1.0, ~wrong)
            z += config.lr * (reward * (use_sim - g[:, None])).mean(1)
        crossed = alive & (z >= 0)
        out[crossed] = step
        alive &= ~crossed
        if not alive.any():
            break
    return out
