"""Tabular epsilon-greedy Q-learning on the fork corridor, many independent runs side by side.

Each run keeps its own table Q[s, a], starting at ``q_init`` everywhere (``q_init`` well above any return is
*optimistic initialization*, the classic fix for lock-in). At every step it acts epsilon-greedily (a uniform
random action with probability epsilon, else argmax_a Q[s, a] with ties broken at random) and updates

    Q[s, a] <- Q[s, a] + alpha * (r + gamma * (1 - terminated) * max_a' Q[s', a'] - Q[s, a]),

bootstrapping through time-limit truncations (they are not terminal states). Runs are vectorized with numpy,
but each run draws its random numbers from its own generator (one seed per run), so a run's trajectory does
not depend on which other runs share the batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Config, param
from ..envs.ladder_2_fork import ForkConfig, fork_step

__all__ = ["QLearningConfig", "QRuns", "train_q_runs", "epsilon_greedy"]


@dataclass(frozen=True)
class QLearningConfig(Config):
    """Hyperparameters of epsilon-greedy Q-learning."""

    epsilon: float = param(0.3, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05), doc="exploration probability, in [0, 1]")
    q_init: float = param(0.0, low=-100.0, high=100.0, ui=(0.0, 30.0, 1.0),
                          doc="initial value of every Q entry (optimistic when above every return)")
    learning_rate: float = param(0.2, low=0.0, high=1.0, low_open=True, ui=(0.01, 1.0),
                                 doc="step size alpha, in (0, 1]")
    gamma: float = param(0.95, low=0.0, high=1.0, high_open=True, ui=(0.5, 0.99), doc="discount, in [0, 1)")
    steps: int = param(6000, low=1, high=1_000_000, ui=(500, 20_000, 500), doc="environment steps per run")
    window: int = param(300, low=1, high=100_000, doc="steps per window of the visit curve nu(t)")


@dataclass
class QRuns:
    """The outcome of several runs: final tables and per-window counts (first axis: run)."""

    q: np.ndarray              # (runs, n_cells, 2) final Q tables
    n_visits: np.ndarray       # (runs, windows) steps that entered the neglected region N, per window
    intended: np.ndarray       # (runs, windows) big prizes reached per window
    reward: np.ndarray         # (runs, windows) reward collected per window
    episodes: np.ndarray       # (runs, windows) episodes finished per window
    entered_branch: np.ndarray  # (runs, windows) steps from the fork into the long branch (cell 0 -> -1)
    turned_back: np.ndarray    # (runs, windows) steps from cell -1 back to the fork (the "doubling back")


def epsilon_greedy(q_rows: np.ndarray, epsilon: float, u_explore: np.ndarray, u_pick: np.ndarray) -> np.ndarray:
    """Actions for a batch of Q rows (shape (B, A)) given uniforms ``u_explore`` and ``u_pick`` (shape (B,)).

    With u_explore < epsilon the action is floor(u_pick * A) (uniform); otherwise it is the
    floor(u_pick * m)-th of the m actions tied at the maximum (uniform among ties).
    """
    n_actions = q_rows.shape[-1]
    random_action = np.minimum((u_pick * n_actions).astype(np.int64), n_actions - 1)
    ties = q_rows == q_rows.max(axis=-1, keepdims=True)
    n_ties = ties.sum(-1)
    k = np.minimum((u_pick * n_ties).astype(np.int64), n_ties - 1)
    greedy = np.argmax(np.cumsum(ties, axis=-1) > k[:, None], axis=-1)
    return np.where(u_explore < epsilon, random_action, greedy)


def train_q_runs(env: ForkConfig, config: QLearningConfig, seeds: list[int]) -> QRuns:
    """Train one Q-learner per seed in ``seeds`` on the corridor ``env`` and return their tables and counts.

    Each run uses ``numpy.random.default_rng(seed)`` for three uniforms per step (explore?, which action,
    penalty?). Windows are ``config.window`` consecutive steps (the last one may be shorter and is dropped).
    """
    seeds = list(seeds)
    runs, windows = len(seeds), max(config.steps // config.window, 1)
    steps = windows * config.window
    u = np.stack([np.random.default_rng(s).random((config.steps, 3)) for s in seeds], axis=1)  # (T, runs, 3)
    q = np.full((runs, env.n_cells, 2), config.q_init, dtype=np.float64)
    idx = np.arange(runs)
    obs = np.full(runs, env.start)
    t_in_episode = np.zeros(runs, dtype=np.int64)
    record = np.zeros((steps, 6, runs))  # per step: from, to, reward, intended, in N, episode done
    for t in range(steps):
        action = epsilon_greedy(q[idx, obs], config.epsilon, u[t, :, 0], u[t, :, 1])
        nxt, reward, term, in_n, intended = fork_step(env, obs, action, u[t, :, 2])
        target = reward + config.gamma * np.where(term, 0.0, q[idx, nxt].max(axis=-1))
        q[idx, obs, action] += config.learning_rate * (target - q[idx, obs, action])
        t_in_episode += 1
        done = term | (t_in_episode >= env.time_limit)
        record[t] = (obs, nxt, reward, intended, in_n, done)
        obs = np.where(done, env.start, nxt)
        t_in_episode[done] = 0

    def per_window(x: np.ndarray) -> np.ndarray:
        return x.reshape(windows, config.window, runs).sum(axis=1).T

    came, went, reward, intended, in_n, done = record.transpose(1, 0, 2)
    fork, branch = env.start, env.start - 1
    return QRuns(q, per_window(in_n), per_window(intended), per_window(reward), per_window(done),
                 per_window((came == fork) & (went == branch)), per_window((came == branch) & (went == fork)))
