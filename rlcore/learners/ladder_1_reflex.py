"""Reflex learners for the lagoon track: REINFORCE with end-of-race updates, and a TD actor-critic.

The policy is a reflex: per-position steering logits theta[x] = (theta_straight, theta_left), no memory.
The boat steers with pi(. | x) = softmax(theta[x] / temperature) (temperature 0 is the greedy limit:
uniform over the largest logits). The "spin bias" is the initial left logit in every lagoon cell (the
lagoon detector); all other logits start at 0 (or at ``initial_left``, the initial left logit of every
cell, which the good-start control uses).

Two training conditions of the ladder's protocol live here:

* the power-up *season*: the lagoon's power-ups pay only during the first ``powerup_season`` updates
  (0: during all of training), so a spin can be acquired while they pay and outlive them;
* ``forced``: the probability that a step's steering is a forced coin flip instead of the policy's choice
  (forced exploration: the coverage control), from the end of the power-up season on (while power-ups pay,
  circling is what R asks for; the question is whether the spin outlives them for lack of data). Forced
  steps shape the races (and so every return) and the critic learns from them. ``forced_credit`` says how the
  policy's score term treats the steps: ``"none"`` applies it only to the steps the policy chose itself (forced
  steps are not credited at all); ``"is"`` credits every step, weighted by the per-step importance weight
  pi(a | x) / mu(a | x), mu = (1 - f) pi + f / 2 the forced mixture that actually steered (the usual off-policy
  REINFORCE correction for the action taken; identical to the plain update at f = 0). Crediting forced steps
  with weight 1 is biased towards the coin flip and breaks learning. ``forced_from``: the update from which the
  forcing starts (0: from the start; later: coverage switched on after a lock-in has had time to form).

Both learners race ``boats`` boats per update with the current policy and update the logits with
``grad = (e_a - pi(. | x))`` (the score function of softmax(theta / temperature) times the temperature):

* ``"reinforce"`` updates only when the races are over, from reward alone:
  theta[x_t] += lr * mean_boats (U_t - b) (e_{a_t} - pi(. | x_t)), with U_t the reward-to-go and b = 0 or,
  with ``baseline``, the mean return of the same update's races (each run's own batch; a leave-none-out
  batch baseline). A batch of races with no reward changes nothing, with or without the baseline.
* ``"td"`` is the one-step actor-critic (Sutton & Barto, section 13.5) with a learned value table V:
  delta_t = r_t + gamma V(x_{t+1}) - V(x_t) (V = 0 past the finish; a cut-off race bootstraps),
  V(x_t) += critic_lr * delta_t and theta[x_t] += lr * delta_t (e_{a_t} - pi(. | x_t)) at every step.
  V starts at ``critic_init`` everywhere; a value above every return reachable is optimism.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..config import Config, choice, param
from ..envs.ladder_1_lagoon import LEFT, TrackLayout, lagoon_step
from ..seeding import SeedLike, as_generator

__all__ = ["ReflexConfig", "ReflexRun", "steering_probs", "train_reflex"]


@dataclass(frozen=True)
class ReflexConfig(Config):
    """Hyperparameters of the reflex learners."""

    algorithm: str = choice("reinforce", ("reinforce", "td"),
                            doc="reward-only end-of-race REINFORCE, or a TD actor-critic")
    spin_bias: float = param(4.0, low=-20.0, high=20.0, ui=(0.0, 6.0, 0.25),
                             doc="initial left logit in the lagoon (the lagoon detector's bias)")
    learning_rate: float = param(0.5, low=0.0, low_open=True, high=100.0, ui=(0.05, 3.0, 0.05),
                                 doc="policy step size, > 0")
    baseline: bool = param(False, doc="REINFORCE: subtract the mean return of the update's races")
    temperature: float = param(1.0, low=0.0, high=100.0, ui=(0.0, 3.0, 0.1),
                               doc="exploration: logits are divided by it (0: greedy)")
    updates: int = param(200, low=1, high=100_000, ui=(10, 400, 10), doc="policy updates per run")
    boats: int = param(10, low=1, high=100_000, ui=(1, 50), doc="races per update")
    critic_lr: float = param(0.2, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05), doc="TD: value step size in [0, 1]")
    gamma: float = param(0.95, low=0.0, high=1.0, ui=(0.5, 1.0, 0.01), doc="TD: discount in [0, 1]")
    critic_init: float = param(0.0, low=-10.0, high=10.0, ui=(0.0, 2.0, 0.1),
                               doc="TD: initial value of every position (above 1 is optimism)")
    powerup_season: int = param(0, low=0, high=100_000, ui=(0, 200, 10),
                                doc="updates during which the power-ups pay (0: all of training)")
    forced: float = param(0.0, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                          doc="probability that a step's steering is a forced coin flip (coverage)")
    forced_credit: str = choice("none", ("none", "is"),
                                doc="forced steps: not credited to the policy, or credited with weight pi/mu")
    forced_from: int = param(0, low=0, high=100_000, ui=(0, 400, 10), doc="update from which the forcing starts")
    initial_left: float = param(0.0, low=-20.0, high=20.0, ui=(-6.0, 6.0, 0.25),
                                doc="initial left logit of every cell outside the lagoon")
    tied: bool = param(False, doc="two shared weights (steering bias, lagoon detector) instead of one logit per cell")


def steering_probs(logits: np.ndarray, temperature: float) -> np.ndarray:
    """pi = softmax(logits / temperature) over the last axis; for temperature 0, uniform over the argmax."""
    z = np.asarray(logits, dtype=np.float64)
    if temperature == 0:
        top = z == z.max(axis=-1, keepdims=True)
        return top / top.sum(axis=-1, keepdims=True)
    z = z / temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@dataclass
class ReflexRun:
    """Per-update records of ``runs`` independent runs (arrays with leading axes (runs, updates)).

    ``finished``, ``returns``, ``g``, ``donuts`` and ``visits_n`` are means over the update's races
    (``visits_n``: steps started in region N per race); ``p_left`` holds the policy's left probability per
    position before every update and after the last, shape (runs, updates + 1, n).
    """

    config: ReflexConfig
    layout: TrackLayout
    finished: np.ndarray
    returns: np.ndarray
    g: np.ndarray
    donuts: np.ndarray
    visits_n: np.ndarray
    p_left: np.ndarray
    initial_logits: np.ndarray
    logits: np.ndarray
    values: np.ndarray


def train_reflex(layout: TrackLayout, config: ReflexConfig, seeds: Sequence[SeedLike],
                 spin_biases: np.ndarray | None = None, powerups: np.ndarray | None = None,
                 seasons: np.ndarray | None = None) -> ReflexRun:
    """Train one reflex policy per seed in ``seeds`` on ``layout``, all at once.

    Run i draws its steering noise only from ``seeds[i]`` (a block of uniforms per update), so a run gives the
    same numbers whether it is trained alone or in a batch.

    ``spin_biases`` (shape (runs,)) gives each run its own initial lagoon bias instead of
    ``config.spin_bias`` (a sweep over biases in one vectorized call); ``powerups`` and ``seasons`` (shape
    (runs,)) likewise override ``layout.powerup`` and ``config.powerup_season`` run by run (a season sweep).

    Races are simulated for all runs x boats at once with :func:`rlcore.envs.ladder_1_lagoon.lagoon_step`,
    the dynamics of the Gymnasium environment. See the module docstring for the two update rules.
    """
    rngs = [as_generator(s) for s in seeds]
    runs = len(rngs)
    n, horizon, boats, cfg = layout.n, layout.horizon, config.boats, config
    theta = np.zeros((runs, n, 2))
    bias = np.full(runs, cfg.spin_bias) if spin_biases is None else np.asarray(spin_biases, dtype=np.float64)
    if bias.shape != (runs,):
        raise ValueError(f"spin_biases must have shape ({runs},), got {bias.shape}")
    theta[:, :, LEFT] = cfg.initial_left
    theta[:, layout.lagoon, LEFT] = bias[:, None]
    initial = theta.copy()
    powerups = np.full(runs, layout.powerup) if powerups is None else np.asarray(powerups, dtype=np.float64)
    seasons = np.full(runs, cfg.powerup_season) if seasons is None else np.asarray(seasons, dtype=np.int64)
    if powerups.shape != (runs,) or seasons.shape != (runs,):
        raise ValueError(f"powerups and seasons must have shape ({runs},), got {powerups.shape}, {seasons.shape}")
    value = np.full(runs * n, cfg.critic_init)  # flat (run, position) table
    size = runs * boats
    base_idx = np.repeat(np.arange(runs), boats) * n  # flat index of (run, position 0) per boat
    rec = {k: np.zeros((runs, cfg.updates)) for k in ("finished", "returns", "g", "donuts", "visits_n")}
    p_left = np.zeros((runs, cfg.updates + 1, n))
    td = cfg.algorithm == "td"
    lagoon = layout.lagoon.astype(np.float64)

    def move(step: np.ndarray) -> None:
        """theta_left += lr * step, theta_straight -= lr * step per cell; with ``tied`` logits the cells share
        two weights, a steering bias b and a lagoon detector w (theta_left[x] = b + w [x in lagoon]), which
        move by the sums of their cells' steps (the chain rule)."""
        if cfg.tied:
            step = step.sum(1, keepdims=True) + lagoon * (step * lagoon).sum(1, keepdims=True)
        theta[..., LEFT] += cfg.learning_rate * step
        theta[..., 1 - LEFT] -= cfg.learning_rate * step

    for u in range(cfg.updates):
        in_season = (seasons == 0) | (u < seasons)  # per run
        env = dataclasses.replace(layout, powerup=np.repeat(np.where(in_season, powerups, 0.0), boats))
        forcing_run = np.where(((seasons == 0) | ~in_season) & (u >= cfg.forced_from), cfg.forced, 0.0)
        forcing = float(forcing_run.max())
        pl = steering_probs(theta, cfg.temperature)[..., LEFT].reshape(-1)  # flat P(left | run, position)
        p_left[:, u] = pl.reshape(runs, n)
        pos = np.zeros(size, dtype=np.int64)
        alive = np.ones(size, dtype=bool)
        idx_steps, act_steps, r_steps, alive_steps = [], [], [], []
        ret, g_sum, donuts, visits = (np.zeros(size) for _ in range(4))
        noise = np.stack([g.random((horizon, boats)) for g in rngs], axis=1).reshape(horizon, size)
        if forcing > 0:  # a second block of uniforms per update: is the step forced, and which way
            # drawn only by the runs that force this update, so a run's numbers do not depend on its batch
            extra = np.stack([g.random((2, horizon, boats)) if f > 0 else np.ones((2, horizon, boats))
                              for g, f in zip(rngs, forcing_run)], axis=2).reshape(2, horizon, size)
        for t in range(1, horizon + 1):
            idx = base_idx + np.minimum(pos, n - 1)
            left = noise[t - 1] < pl[idx]
            own = alive
            if forcing > 0:
                forced = extra[0, t - 1] < np.repeat(forcing_run, boats)
                left = np.where(forced, extra[1, t - 1] < 0.5, left)
                if cfg.forced_credit == "is":  # per-step importance weight pi(a|x) / mu(a|x)
                    f = np.repeat(forcing_run, boats)
                    pa = np.where(left, pl[idx], 1 - pl[idx])
                    own = alive * np.where(f > 0, pa / np.maximum((1 - f) * pa + f / 2, 1e-300), 1.0)
                else:
                    own = alive & ~forced
            visits += alive & layout.region_n[idx - base_idx]
            new, r, g, fin, donut = lagoon_step(env, pos, left.astype(np.int64), t)
            r, g, fin = r * alive, g * alive, fin & alive
            ret += r
            g_sum += g
            donuts += donut & alive
            if td:
                # delta_t = r + gamma V(x') - V(x); V(x) += critic_lr delta; theta += lr delta (e_a - pi)
                nxt = np.where(fin, 0.0, value[base_idx + np.minimum(new, n - 1)])
                delta = (r + cfg.gamma * nxt - value[idx]) * alive / boats
                value += cfg.critic_lr * np.bincount(idx, delta, minlength=runs * n)
                step = np.bincount(idx, delta * own * (left - pl[idx]), minlength=runs * n).reshape(runs, n)
                move(step)
                pl = steering_probs(theta, cfg.temperature)[..., LEFT].reshape(-1)
            else:
                idx_steps.append(idx)
                act_steps.append(left)
                r_steps.append(r)
                alive_steps.append(own)
            pos = np.where(alive, new, pos)
            alive = alive & ~fin
            if not alive.any():
                break
        if not td:
            # theta[x_t] += lr * mean_boats (U_t - b) (e_{a_t} - pi(. | x_t)), U_t = reward-to-go
            to_go = np.cumsum(np.array(r_steps)[::-1], axis=0)[::-1]
            base = np.repeat(ret.reshape(runs, boats).mean(1), boats) if cfg.baseline else 0.0
            adv = (to_go - base) * np.array(alive_steps) / boats
            idx = np.array(idx_steps)
            step = np.bincount(idx.ravel(), (adv * (np.array(act_steps) - pl[idx])).ravel(),
                               minlength=runs * n).reshape(runs, n)
            move(step)
        per_run = ret.reshape(runs, boats)
        for key, arr in (("finished", g_sum > 0), ("returns", ret), ("g", g_sum), ("donuts", donuts),
                         ("visits_n", visits)):
            rec[key][:, u] = np.asarray(arr, dtype=np.float64).reshape(runs, boats).mean(1)
    p_left[:, -1] = steering_probs(theta, cfg.temperature)[..., LEFT]
    return ReflexRun(config, layout, initial_logits=initial, logits=theta, values=value.reshape(runs, n), p_left=p_left, **rec)
