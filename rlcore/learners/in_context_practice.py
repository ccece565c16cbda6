"""Lesson 05's three learners: selection over genomes, a heuristics generator trained by REINFORCE, and
evolution over capability and goal distance. Each is vectorized over independent runs (first axis).

* :func:`evolve_practice` - evolution strategies (antithetic Gaussian perturbations, mean baseline) over the
  genome (race skill, race rate, donut skill, donut rate) of an in-episode learner, fitness = the race reward of
  :func:`rlcore.envs.donut_race.race_scores`. Update: theta += lr * mean_i[(R_i - mean R) eps_i] / sigma, an
  unbiased estimate of grad E[R] (exact in expectation for this linear fitness). ``shuffle`` deals each antithetic
  pair's reward difference to another pair before the update: no selection, same noise (the calibration control).
* :func:`train_generator` - a generator of heuristics with one quality per query kind, q_k = theta_k +
  shared * theta_shared. Each query's heuristic is q_k + exploration * eps; the episode's reward is the sum of
  the heuristics asked for subgoals (kinds >= 1); donut heuristics (kind 0) never pay. REINFORCE for the mean of
  a Gaussian: theta_k += lr * mean over episodes[(R - b) * sum_{j of kind k} eps_j] / exploration (b: the previous
  batch's mean reward), and
  theta_shared the same summed over all of the episode's queries, times ``shared``.
* :func:`evolve_power_goal` - a population around (log capability, goal distance) with mutation sizes
  (sigma_c, sigma_d), fitness R = c (1 - d) - beta c^2 d, and selection that moves the mean by
  lr * mean_i[z_i * mutation_i] (z = standardized fitness): the response to selection is proportional to the
  variation present (no mutation in d, no movement in d). With ``lock_scale`` > 0 the goal mutations shrink as
  capability grows: sigma_d(c) = sigma_d * exp(-c / lock_scale); with ``lock_time`` > 0 they shrink with the
  generation instead: sigma_d(t) = sigma_d * exp(-t / lock_time).
"""

from __future__ import annotations

import numpy as np

from ..envs.donut_race import race_scores
from ..seeding import as_generator

__all__ = ["evolve_practice", "train_generator", "evolve_power_goal", "power_goal_reward", "deal_elsewhere"]


def deal_elsewhere(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each row of ``x`` rotated by its own random offset in 1..n-1: every entry lands on another member (a random
    permutation would leave about one member its own reward and keep a tenth of the selection at n = 10)."""
    n = x.shape[1]
    if n < 2:
        return x
    shift = rng.integers(1, n, size=x.shape[0])
    cols = (np.arange(n)[None, :] - shift[:, None]) % n
    return np.take_along_axis(x, cols, axis=1)


def evolve_practice(init, *, race_segments: int, donut_loops: int, practice_cost: float, shared_rate: bool,
                    execution_noise: float, population: int, generations: int, es_sigma: float,
                    learning_rate: float, runs: int, shuffle: bool, seed, coupling: float = 0.0) -> np.ndarray:
    """Genome of each run's mean after every generation: shape (generations + 1, runs, 4). ``coupling``: the
    share of the race rate in the donut's in-episode rate when the rates are not fully shared."""
    rng = as_generator(seed)
    theta = np.tile(np.asarray(init, dtype=np.float64), (runs, 1))
    history = np.empty((generations + 1, runs, 4))
    history[0] = theta
    half = max(1, population // 2)
    for g in range(generations):
        eps = rng.standard_normal((runs, half, 4))
        eps = np.concatenate([eps, -eps], axis=1)  # antithetic pairs
        if shared_rate:
            eps[..., 3] = 0.0  # the donut-rate gene is not used: the race rate drives both phases
        reward = race_scores(theta[:, None, :] + es_sigma * eps, race_segments, donut_loops, practice_cost,
                             shared_rate, execution_noise, rng, coupling=coupling)
        # with antithetic pairs, sum_i (R_i - mean R) eps_i = sum over pairs of (R_+ - R_-) eps_pair
        difference = reward[:, :half] - reward[:, half:]
        if shuffle:  # pair differences dealt to the wrong pairs: the same noise, no selection
            difference = deal_elsewhere(difference, rng)
        theta = theta + learning_rate * np.einsum("rn,rng->rg", difference, eps[:, :half]) / (2 * half * es_sigma)
        history[g + 1] = theta
    return history


def train_generator(*, kinds: int, use: str, queries: int, donut_queries: int, shared: float, exploration: float,
                    learning_rate: float, batch: int, updates: int, runs: int, shuffle: bool, seed,
                    linked_queries: int = 0) -> dict:
    """Quality per kind after every update, shape (updates + 1, runs, kinds), and per-kind use counts per episode:
    ``asked`` (all queries), ``asked_rewarded`` (queries in episodes with reward above the baseline) and
    ``helped`` (queries whose heuristic entered the reward), each of shape (runs, kinds). ``linked_queries`` > 0:
    donut queries come only in half the episodes (drawn at random), and those episodes also ask this many extra
    subgoal queries, so donut presence covaries with a higher reward (the presence control)."""
    rng = as_generator(seed)
    theta, theta_shared = np.zeros((runs, kinds)), np.zeros(runs)
    quality = np.empty((updates + 1, runs, kinds))
    quality[0] = theta
    asked, asked_rewarded, helped = (np.zeros((runs, kinds)) for _ in range(3))
    index = np.arange(kinds)
    baseline = np.zeros(runs)  # expected reward of the untrained generator
    for u in range(updates):
        n_sub = queries + linked_queries
        if use == "narrow":
            sub = np.ones((runs, batch, n_sub), dtype=np.int64)  # always "win the race"
        else:
            sub = rng.integers(1, kinds, size=(runs, batch, n_sub))  # whatever subgoal this episode needs
        ks = np.concatenate([sub, np.zeros((runs, batch, donut_queries), dtype=np.int64)], axis=2)
        active = np.ones(ks.shape)
        if linked_queries > 0:  # half the episodes: donut queries plus extra subgoal queries; the rest: neither
            linked = rng.random((runs, batch)) < 0.5
            active[..., queries:] = linked[..., None]
        onehot = (ks[..., None] == index).astype(np.float64) * active[..., None]  # (runs, batch, q, kinds)
        pays = (ks > 0).astype(np.float64) * active
        mean_q = np.take_along_axis(theta, ks.reshape(runs, -1), axis=1).reshape(ks.shape) + shared * theta_shared[
            :, None, None]
        eps = rng.standard_normal(ks.shape)
        reward = ((mean_q + exploration * eps) * pays).sum(-1)
        advantage = reward - baseline[:, None]  # the previous batch's mean: never contains this episode
        baseline = reward.mean(axis=1)
        if shuffle:
            advantage = deal_elsewhere(advantage, rng)
        theta = theta + learning_rate * np.einsum("rb,rbq,rbqk->rk", advantage, eps, onehot) / (batch * exploration)
        theta_shared = theta_shared + learning_rate * shared * np.einsum("rb,rbq->r", advantage, eps * active) / (
            batch * exploration)
        quality[u + 1] = theta + shared * theta_shared[:, None]
        counts = onehot.sum(2)  # (runs, batch, kinds)
        asked += counts.mean(1)
        asked_rewarded += (counts * (advantage > 0)[..., None]).mean(1)
        helped += (counts * (index > 0)).mean(1)
    n = max(updates, 1)
    return {"quality": quality, "asked": asked / n, "asked_rewarded": asked_rewarded / n, "helped": helped / n}


def power_goal_reward(c, d, beta):
    """R = c (1 - d) - beta c^2 d: capability pays in proportion to goal closeness, and costs where the goal
    misses (the tails come apart faster the more capable the agent)."""
    c, d = np.asarray(c, dtype=np.float64), np.asarray(d, dtype=np.float64)
    return c * (1 - d) - beta * c ** 2 * d


def evolve_power_goal(*, beta: float, c0: float, d0: float, sigma_c: float, sigma_d: float, lock_scale: float,
                      population: int, generations: int, learning_rate: float, runs: int, seed,
                      lock_time: float = 0.0, capability_drift: float = 0.0) -> np.ndarray:
    """(capability, goal distance) of each run's mean after every generation: shape (generations + 1, runs, 2).
    Capability mutates on a log scale (log c + sigma_c eps); goal distance mutates by sigma_d eps and stays in
    [0, 1]. ``lock_time`` > 0: goal mutations shrink with training time instead, sigma_d exp(-generation /
    lock_time) (the variant with no tie to capability). ``capability_drift``: log capability also grows by this
    much every generation whatever R says (machinery trained by other goals: a channel not gated by R)."""
    rng = as_generator(seed)
    log_c, d = np.full(runs, np.log(c0)), np.full(runs, float(d0))
    out = np.empty((generations + 1, runs, 2))
    out[0, :, 0], out[0, :, 1] = c0, d0
    half = max(1, population // 2)
    for g in range(generations):
        sd = sigma_d * np.exp(-np.exp(log_c) / lock_scale) if lock_scale > 0 else np.full(runs, sigma_d)
        if lock_time > 0:
            sd = sd * np.exp(-g / lock_time)
        e = rng.standard_normal((runs, half, 2))
        e = np.concatenate([e, -e], axis=1)
        dl, dd = sigma_c * e[..., 0], sd[:, None] * e[..., 1]
        dd = np.clip(d[:, None] + dd, 0.0, 1.0) - d[:, None]  # a goal cannot be nearer than G or past 1
        reward = power_goal_reward(np.exp(log_c[:, None] + dl), d[:, None] + dd, beta)
        spread = reward.std(axis=1, keepdims=True)
        z = np.where(spread > 0, (reward - reward.mean(axis=1, keepdims=True)) / np.where(spread > 0, spread, 1), 0)
        log_c = log_c + learning_rate * (z * dl).mean(1) + capability_drift
        d = np.clip(d + learning_rate * (z * dd).mean(1), 0.0, 1.0)
        out[g + 1, :, 0], out[g + 1, :, 1] = np.exp(log_c), d
    return out
