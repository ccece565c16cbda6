"""Tabular epsilon-greedy Q-learning on the fork corridor, many independent runs side by side.

Each run keeps its own table Q[s, a], starting at ``q_init`` everywhere (``q_init`` well above any return is
*optimistic initialization*, the classic fix for lock-in). At every step it acts epsilon-greedily (a uniform
random action with probability epsilon, else argmax_a Q[s, a] with ties broken at random) and updates

    Q[s, a] <- Q[s, a] + alpha * (r + gamma * (1 - terminated) * max_a' Q[s', a'] - Q[s, a]),

bootstrapping through time-limit truncations (they are not terminal states).

Two variants serve the ladder's protocol. ``algorithm="mc"`` removes bootstrapping (the ablation): at the end
of each episode every visited pair moves toward its Monte-Carlo return,
Q[s_t, a_t] <- Q[s_t, a_t] + alpha * (sum_{k >= t} gamma^(k - t) r_k - Q[s_t, a_t]) (every visit, from the last step back).
``coverage`` is the share of episodes driven by a uniformly random behaviour (forced exploration: the data
cover the whole corridor; Q-learning is off-policy, so the same update learns from them). ``q_table`` starts
from a given table instead of ``q_init`` (the good-start control).

Visits to the neglected region N are counted twice: ``n_visits`` are the agent's *own* (the step into N was
the greedy action of an unforced step) and ``forced_visits`` those of exploration (epsilon's random actions
and forced episodes). ``initial_visits`` are the own visits of the untrained table over ``window`` steps
without any update (its own random stream), so nu[0] describes the initial policy. Runs are vectorized with numpy,
but each run draws its random numbers from its own generator (one seed per run), so a run's trajectory does
not depend on which other runs share the batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Config, choice, param
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
    algorithm: str = choice("q", ("q", "mc"), doc="Q-learning (bootstrapping) or Monte-Carlo returns")
    coverage: float = param(0.0, low=0.0, high=1.0, doc="share of episodes driven by a uniform random behaviour")


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
    forced_visits: np.ndarray = None  # (runs, windows) steps into N taken by exploration (random or forced)
    initial_visits: np.ndarray = None  # (runs,) own visits to N of the untrained table in one window
    q_windows: np.ndarray = None  # (runs, windows, n_cells, 2) the table at the end of every window


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


def _own_visits(env: ForkConfig, config: QLearningConfig, q: np.ndarray, seeds: list[int]) -> np.ndarray:
    """Own (greedy, unforced) steps into N of fixed tables ``q`` over ``config.window`` steps, no updates."""
    runs = len(seeds)
    u = np.stack([np.random.default_rng([s, 1]).random((config.window, 3)) for s in seeds], axis=1)
    idx, obs, t_ep = np.arange(runs), np.full(runs, env.start), np.zeros(runs, dtype=np.int64)
    visits = np.zeros(runs)
    for t in range(config.window):
        action = epsilon_greedy(q[idx, obs], config.epsilon, u[t, :, 0], u[t, :, 1])
        nxt, _, term, in_n, _ = fork_step(env, obs, action, u[t, :, 2])
        visits += in_n & (u[t, :, 0] >= config.epsilon)
        t_ep += 1
        done = term | (t_ep >= env.time_limit)
        obs, t_ep = np.where(done, env.start, nxt), np.where(done, 0, t_ep)
    return visits


def train_q_runs(env: ForkConfig, config: QLearningConfig, seeds: list[int], q_table: np.ndarray | None = None
                 ) -> QRuns:
    """Train one learner per seed in ``seeds`` on the corridor ``env`` and return their tables and counts.

    Each run uses ``numpy.random.default_rng(seed)`` for three uniforms per step (explore?, which action,
    penalty?); forced episodes (``config.coverage``) draw from ``default_rng([seed, 2])``. Windows are
    ``config.window`` consecutive steps (the last one may be shorter and is dropped).
    """
    seeds = list(seeds)
    runs, windows = len(seeds), max(config.steps // config.window, 1)
    steps = windows * config.window
    u = np.stack([np.random.default_rng(s).random((config.steps, 3)) for s in seeds], axis=1)  # (T, runs, 3)
    q = np.full((runs, env.n_cells, 2), config.q_init, dtype=np.float64)
    if q_table is not None:
        q[:] = q_table
    initial = _own_visits(env, config, q, seeds)
    cover = (np.stack([np.random.default_rng([s, 2]).random(config.steps) for s in seeds], axis=1)
             if config.coverage > 0 else None)
    forced_ep = np.zeros(runs, dtype=bool) if cover is None else cover[0] < config.coverage
    mc = config.algorithm == "mc"
    buffers = [[] for _ in range(runs)]  # MC: (obs, action, reward) of the current episode, per run
    idx = np.arange(runs)
    obs = np.full(runs, env.start)
    t_in_episode = np.zeros(runs, dtype=np.int64)
    q_windows = np.zeros((runs, windows, env.n_cells, 2))
    record = np.zeros((steps, 8, runs))  # per step: from, to, reward, intended, own N, episode done, forced N
    for t in range(steps):
        action = epsilon_greedy(q[idx, obs], config.epsilon, u[t, :, 0], u[t, :, 1])
        forced = forced_ep | (u[t, :, 0] < config.epsilon)
        action = np.where(forced_ep, (u[t, :, 1] < 0.5).astype(np.int64), action)
        nxt, reward, term, in_n, intended = fork_step(env, obs, action, u[t, :, 2])
        if mc:
            for i in range(runs):
                buffers[i].append((obs[i], action[i], reward[i]))
        else:
            target = reward + config.gamma * np.where(term, 0.0, q[idx, nxt].max(axis=-1))
            q[idx, obs, action] += config.learning_rate * (target - q[idx, obs, action])
        t_in_episode += 1
        done = term | (t_in_episode >= env.time_limit)
        record[t, :7] = (obs, nxt, reward, intended, in_n & ~forced, done, in_n & forced)
        if mc:
            for i in np.flatnonzero(done):
                g = 0.0
                for s_, a_, r_ in reversed(buffers[i]):  # every visit, from the end: g = r + gamma g
                    g = r_ + config.gamma * g
                    q[i, s_, a_] += config.learning_rate * (g - q[i, s_, a_])
                buffers[i] = []
        obs = np.where(done, env.start, nxt)
        t_in_episode[done] = 0
        if (t + 1) % config.window == 0:
            q_windows[:, (t + 1) // config.window - 1] = q
        if cover is not None and t + 1 < steps:
            forced_ep = np.where(done, cover[t + 1] < config.coverage, forced_ep)

    def per_window(x: np.ndarray) -> np.ndarray:
        return x.reshape(windows, config.window, runs).sum(axis=1).T

    came, went, reward, intended, in_n, done, forced_n, _ = record.transpose(1, 0, 2)
    fork, branch = env.start, env.start - 1
    return QRuns(q, per_window(in_n), per_window(intended), per_window(reward), per_window(done),
                 per_window((came == fork) & (went == branch)), per_window((came == branch) & (went == fork)),
                 forced_visits=per_window(forced_n), initial_visits=initial, q_windows=q_windows)
