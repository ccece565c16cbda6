"""A depth-d search agent with a TD-trained value table, many independent runs side by side.

The agent knows the duel's rules and the current mode's reward (:mod:`rlcore.envs.ladder_3_duel`). To move it
looks ``depth`` moves ahead by expectimax over the child's parry chance and scores the frontier with its
learned value V:

    Q_1(s, a) = E_{s'}[ r(s, a, s') + [s' running] V(s') ],
    Q_j(s, a) = E_{s'}[ r(s, a, s') + [s' running] max_a' Q_{j-1}(s', a') ],

and plays argmax_a Q_depth(s, a) (ties go to the quiet move), or, with probability epsilon, a uniformly random
move. After every move V is trained by TD(0) on the reward of the episode's mode (no discount: the game is
short and always ends)::

    V(s) <- V(s) + alpha * (r + [s' running] V(s') - V(s)).

The value table is SHARED across the two modes unless ``mode_feature`` is on, in which case V sees the mode
(one table per mode): the lesson's fix. Every run draws its random numbers from its own generator, so a run
does not depend on which other runs share the batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Config, param
from ..envs.ladder_3_duel import ONGOING, DuelConfig, duel_reward, duel_step
from ..seeding import as_generator

MAX_MOVES = 60  #: a training game is cut after this many moves (probability (1 - end_prob)^60 <= 0.2%)

__all__ = ["MAX_MOVES", "SearchConfig", "SearchRuns", "duel_tables", "search_q", "train_search_runs"]


@dataclass(frozen=True)
class SearchConfig(Config):
    """Hyperparameters of the search agent and its training schedule."""

    depth: int = param(2, low=1, high=6, ui=(1, 4), doc="search depth d in moves, >= 1")
    epsilon: float = param(0.1, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05), doc="exploration probability, in [0, 1]")
    learning_rate: float = param(0.1, low=0.0, high=1.0, low_open=True, ui=(0.01, 1.0),
                                 doc="TD step size alpha, in (0, 1]")
    novice_share: float = param(0.5, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                                doc="probability that a training game is scored in novice mode")
    mode_feature: bool = param(False, doc="the value function sees the mode (the fix)")
    episodes: int = param(2000, low=1, high=200_000, ui=(200, 4000, 200), doc="training games per run")
    window: int = param(100, low=1, high=100_000, doc="games per window of the visit curve nu(t)")


@dataclass
class SearchRuns:
    """The outcome of several runs (first axis: run)."""

    v: np.ndarray          # (runs, heads, S) final value tables over positions (heads: 1, or 2 with the mode)
    n_visits: np.ndarray   # (runs, windows) moves that entered the sharp region N, per window
    wins: np.ndarray       # (runs, windows) games won, per window
    expert_games: np.ndarray  # (runs, windows) expert-mode games, per window
    expert_wins: np.ndarray   # (runs, windows) expert-mode games won, per window
    reward: np.ndarray     # (runs, windows) training reward collected, per window


def duel_tables(duel: DuelConfig):
    """The duel as tables over its running positions, indexed s = (-m) * mate_length + k.

    Returns ``(nxt, reward, prob, positions)``: nxt[s, a, o] is the next position's index, or S (a sentinel
    whose value is always 0) when the game ended; reward[mode, s, a, o] with mode 0 = expert, 1 = novice;
    o = 2 * parried + ended indexes the child's four replies, prob[o] their probabilities; positions = (m, k).
    """
    mneg, k = np.meshgrid(np.arange(duel.material), np.arange(duel.mate_length), indexing="ij")
    m, k = -mneg.ravel(), k.ravel()
    s_count = m.size
    nxt = np.empty((s_count, 2, 4), dtype=np.int64)
    reward = np.empty((2, s_count, 2, 4))
    prob = np.array([(1 - duel.parry_prob) * (1 - duel.end_prob), (1 - duel.parry_prob) * duel.end_prob,
                     duel.parry_prob * (1 - duel.end_prob), duel.parry_prob * duel.end_prob])
    for a in (0, 1):
        for o in range(4):
            m2, k2, result = duel_step(duel, m, k, np.full_like(m, a), np.full(m.shape, o >= 2),
                                       np.full(m.shape, o % 2 == 1))
            nxt[:, a, o] = np.where(result == ONGOING, np.minimum(-m2, duel.material - 1) * duel.mate_length
                                    + np.minimum(k2, duel.mate_length - 1), s_count)
            for mode in (0, 1):
                reward[mode, :, a, o] = duel_reward(duel, np.full(m.shape, bool(mode)), m, m2, result)
    return nxt, reward, prob, (m, k)


def search_q(v: np.ndarray, nxt: np.ndarray, reward: np.ndarray, prob: np.ndarray, depth: int) -> np.ndarray:
    """Q_depth(s, a) at every position for a batch of value tables, shape (B, S, 2), by expectimax.

    ``v`` is (B, S) (one table per run), ``reward`` is (B, S, 2, 4) (each run's mode); the recursion is the one
    in the module docstring, computed bottom-up over all positions at once (the game has only S of them).
    """
    w = np.concatenate([v, np.zeros((len(v), 1))], axis=1)
    for _ in range(depth):
        q = ((reward + w[:, nxt]) * prob).sum(axis=-1)
        w = np.concatenate([q.max(axis=-1), np.zeros((len(v), 1))], axis=1)
    return q


def train_search_runs(duel: DuelConfig, config: SearchConfig, seeds: list[int]) -> SearchRuns:
    """Train one search agent per seed; returns final tables and per-window counts (see :class:`SearchRuns`)."""
    n, heads = len(seeds), 2 if config.mode_feature else 1
    nxt, reward, prob, (_, pos_k) = duel_tables(duel)
    s_count = len(pos_k)
    in_n = np.append((pos_k >= duel.sharp_depth), False)  # the sentinel (game over) is not in N
    rngs = [as_generator(s) for s in seeds]
    v = np.zeros((n, heads, s_count))
    windows = -(-config.episodes // config.window)
    counts = {key: np.zeros((n, windows)) for key in ("n_visits", "wins", "expert_games", "expert_wins", "reward")}
    rows = np.arange(n)
    for ep in range(config.episodes):
        w = ep // config.window
        # per run: the mode, then per move (explore?, random move, parried?) -- drawn from the run's own stream
        u = np.stack([g.random(1 + 4 * MAX_MOVES) for g in rngs])
        novice = u[:, 0] < config.novice_share
        head = (novice & config.mode_feature).astype(np.int64)
        r_run = reward[novice.astype(np.int64)]
        s = np.zeros(n, dtype=np.int64)
        live = np.ones(n, dtype=bool)
        counts["expert_games"][:, w] += ~novice
        for step in range(MAX_MOVES):
            ue, ua, up, ur = (u[:, 1 + 4 * step + j] for j in range(4))
            vb = v[rows, head]
            greedy = search_q(vb, nxt, r_run, prob, config.depth)[rows, s].argmax(axis=1)  # ties -> quiet (0)
            action = np.where(ue < config.epsilon, (ua < 0.5).astype(np.int64), greedy)
            o = 2 * (up < duel.parry_prob) + (ur < duel.end_prob)
            s2, r = nxt[s, action, o], r_run[rows, s, action, o]
            target = r + np.where(s2 < s_count, vb[rows, np.minimum(s2, s_count - 1)], 0.0)
            old = vb[rows, s]
            v[rows, head, s] = np.where(live, old + config.learning_rate * (target - old), old)
            counts["n_visits"][:, w] += live & in_n[s2]
            counts["reward"][:, w] += np.where(live, r, 0.0)
            counts["wins"][:, w] += live & (pos_k[s] + action >= duel.mate_length)
            counts["expert_wins"][:, w] += live & (pos_k[s] + action >= duel.mate_length) & ~novice
            live &= s2 < s_count
            s = np.where(live, s2, s)
            if not live.any():
                break
    return SearchRuns(v=v, **counts)
