"""A depth-d search agent with a learned result value and a learned policy prior, many runs side by side.

The agent knows the duel's rules and the current mode's scoring (:mod:`rlcore.envs.ladder_3_duel`). It carries
two learned tables, as a tree-search player carries a value network and a policy network:

* a value table V(s), trained to predict the game's RESULT (+1 win, -1 loss, 0 draw: the expert-mode reward),
  one table for both modes (the result means the same thing in both);
* a policy prior p(s) = P(sacrifice | s), distilled from the search's own choices, one table for both modes
  unless ``mode_feature`` is on (then one per mode: the lesson's fix).

To move it looks ``depth`` moves ahead by expectimax over the child's replies, adding up the rewards of the
current mode that it can see (in novice mode the per-turn material bonus) and scoring the frontier with V:

    Q_1(s, a) = E_{s'}[ r(s, a, s') + [s' running] V(s') ],
    Q_j(s, a) = E_{s'}[ r(s, a, s') + [s' running] max_a' Q_{j-1}(s', a') ],

and plays sacrifice with the search's probability

    pi(s) = sigmoid( (Q_d(s, sacrifice) - Q_d(s, quiet)) / temperature + logit p(s) ),

i.e. the prior re-weighted by the search (as in AlphaZero-style players). With probability ``epsilon`` a move is
instead forced uniformly at random, and in a share ``coverage`` of the games the trainer forces the sharp line
(every move a sacrifice): forced moves are flagged so the visit curve can leave them out. After every move::

    V(s) <- V(s) + alpha * (result + [s' running] V(s') - V(s))        (TD(0) on the result, no discount)
    p(s) <- p(s) + beta * (pi(s) - p(s))                                (the prior follows the search)

The bonus the search sees is the bonus within its horizon: V predicts the result only, so a deeper search
weighs more turns of the novice material bonus. Under change-shaping (``DuelConfig.shaping="delta"``) what the
rest of a novice game will still pay is known exactly, -bonus * Phi(leaf) whatever the play, and the search adds
it at the frontier (without it a truncated search would see a one-turn level bonus). Every run draws its random
numbers from its own generator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Config, choice, param
from ..envs.ladder_3_duel import ONGOING, DuelConfig, duel_reward, duel_step
from ..seeding import as_generator

MAX_MOVES = 60  #: a training game is cut after this many moves (probability (1 - end_prob)^60 <= 0.2%)
PRIOR_CLIP = 1e-3  #: the prior stays in [PRIOR_CLIP, 1 - PRIOR_CLIP] so its logit is finite

__all__ = ["MAX_MOVES", "SearchConfig", "SearchRuns", "QTableRuns", "duel_tables", "search_q", "search_policy",
           "train_search_runs", "train_qtable_runs"]


@dataclass(frozen=True)
class SearchConfig(Config):
    """Hyperparameters of the search agent and its training schedule."""

    depth: int = param(2, low=0, high=6, ui=(0, 4), doc="search depth d in moves (0: no search, play the prior)")
    epsilon: float = param(0.01, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                           doc="probability of a forced random move, in [0, 1]")
    temperature: float = param(0.02, low=0.0, low_open=True, ui=(0.01, 1.0),
                               doc="how strongly the search re-weights the prior, > 0")
    learning_rate: float = param(0.01, low=0.0, high=1.0, low_open=True, ui=(0.005, 0.5),
                                 doc="TD step size alpha of the result value, in (0, 1]")
    prior_rate: float = param(0.5, low=0.0, high=1.0, ui=(0.0, 1.0), doc="step size beta of the prior, in [0, 1]")
    prior_clip: float = param(0.005, low=0.0, high=0.5, low_open=True, high_open=True, ui=(0.01, 0.2),
                              doc="the prior stays in [c, 1 - c], so it can tilt the search but not overrule it")
    novice_share: float = param(0.7, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                                doc="probability that a training game is scored in novice mode")
    mode_feature: bool = param(False, doc="the policy prior sees the mode (the fix)")
    coverage: float = param(0.0, low=0.0, high=1.0, ui=(0.0, 1.0, 0.1),
                            doc="share of games in which the trainer forces the sharp line, in [0, 1]")
    start: str = choice("default", ["default", "good"], doc="start from scratch or from the expert-optimal play")
    episodes: int = param(1500, low=1, high=200_000, ui=(200, 4000, 200), doc="training games per run")
    window: int = param(75, low=1, high=100_000, doc="games per window of the visit curve nu(t)")


@dataclass
class SearchRuns:
    """The outcome of several runs (first axis: run); per-window counts have shape (runs, windows)."""

    v: np.ndarray            # (runs, S) final result values
    prior: np.ndarray        # (runs, heads, S) final priors P(sacrifice) (heads: 1, or 2 = expert, novice)
    own_expert: np.ndarray   # moves into N chosen by the agent in expert games
    forced_expert: np.ndarray  # moves into N forced (epsilon or coverage) in expert games
    own_novice: np.ndarray   # moves into N chosen by the agent in novice games
    expert_games: np.ndarray
    novice_games: np.ndarray
    expert_wins: np.ndarray
    reward: np.ndarray       # training reward collected
    start_prior: np.ndarray | None = None  # (runs, episodes) the expert (or shared) prior at the start position
                                           # before each game: the habit's trajectory


def _reply_probs(duel: DuelConfig) -> np.ndarray:
    """Probabilities of the child's 8 replies o = 4 * countered + 2 * parried + ended (independent events)."""
    return np.array([(duel.counter_prob if o >> 2 & 1 else 1 - duel.counter_prob)
                     * (duel.parry_prob if o >> 1 & 1 else 1 - duel.parry_prob)
                     * (duel.end_prob if o & 1 else 1 - duel.end_prob) for o in range(8)])


_COUNT_KEYS = ("own_expert", "forced_expert", "own_novice", "expert_games", "novice_games", "expert_wins", "reward")


def _new_counts(n: int, config: SearchConfig) -> dict:
    """Zeroed per-window counts, {key: (runs, windows)}, for the keys SearchRuns and QTableRuns share."""
    windows = -(-config.episodes // config.window)
    return {key: np.zeros((n, windows)) for key in _COUNT_KEYS}


def _start_game(rngs: list, config: SearchConfig, reward: np.ndarray, counts: dict, w: int):
    """Start one game per run and count it in window ``w`` by its mode. Each run draws its game's uniforms from its
    own generator: u[:, 0] the mode, u[:, 1] a forced sharp-line game?, then five per move (explore?, move,
    parried?, ended?, countered?). Returns ``(u, novice, head, reward of the run's mode, start positions, live)``."""
    u = np.stack([g.random(2 + 5 * MAX_MOVES) for g in rngs])
    novice = u[:, 0] < config.novice_share
    counts["expert_games"][:, w] += ~novice
    counts["novice_games"][:, w] += novice
    n = len(rngs)
    return (u, novice, (novice & config.mode_feature).astype(np.int64), reward[novice.astype(np.int64)],
            np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool))


def _count_move(counts: dict, w: int, live: np.ndarray, entered: np.ndarray, forced: np.ndarray,
                novice: np.ndarray, reward: np.ndarray, win: np.ndarray) -> None:
    """Count one move per run in window ``w``: moves into N (the agent's own or forced, by mode), the reward
    collected, and expert wins; runs whose game is over (``~live``) add nothing."""
    counts["own_expert"][:, w] += entered & ~forced & ~novice
    counts["forced_expert"][:, w] += entered & forced & ~novice
    counts["own_novice"][:, w] += entered & ~forced & novice
    counts["reward"][:, w] += np.where(live, reward, 0.0)
    counts["expert_wins"][:, w] += live & win & ~novice


def _reply(duel: DuelConfig, o_index: np.ndarray, up: np.ndarray, ur: np.ndarray, uc: np.ndarray) -> np.ndarray:
    """The column of the child's reply (countered, parried, ended) drawn from the uniforms uc, up, ur."""
    return o_index[4 * (uc < duel.counter_prob) + 2 * (up < duel.parry_prob) + (ur < duel.end_prob)]


def duel_tables(duel: DuelConfig):
    """The duel as tables over its running positions, indexed s = (-m) * mate_length + k.

    Returns ``(nxt, reward, prob, positions)``: nxt[s, a, o] is the next position's index, or S (a sentinel
    whose value is always 0) when the game ended; reward[mode, s, a, o] with mode 0 = expert, 1 = novice;
    o = 4 * countered + 2 * parried + ended indexes the child's eight replies, prob[o] their probabilities; positions = (m, k).
    """
    mneg, k = np.meshgrid(np.arange(duel.material), np.arange(duel.mate_length), indexing="ij")
    m, k = -mneg.ravel(), k.ravel()
    s_count = m.size
    nxt = np.empty((s_count, 2, 8), dtype=np.int64)
    reward = np.empty((2, s_count, 2, 8))
    bits = [(o >> 2 & 1, o >> 1 & 1, o & 1) for o in range(8)]  # (countered, parried, ended)
    prob = _reply_probs(duel)
    for a in (0, 1):
        for o, (c, p, e) in enumerate(bits):
            m2, k2, result = duel_step(duel, m, k, np.full_like(m, a), np.full(m.shape, bool(p)),
                                       np.full(m.shape, bool(e)), np.full(m.shape, bool(c)))
            nxt[:, a, o] = np.where(result == ONGOING, np.minimum(-m2, duel.material - 1) * duel.mate_length
                                    + np.minimum(k2, duel.mate_length - 1), s_count)
            for mode in (0, 1):
                reward[mode, :, a, o] = duel_reward(duel, np.full(m.shape, bool(mode)), m, m2, result)
    keep = prob > 0  # replies that cannot happen (e.g. no counter-mate by default) are dropped: less to search
    return nxt[..., keep], reward[..., keep], prob[keep], (m, k)


def _training_tables(duel: DuelConfig):
    """:func:`duel_tables` plus what a training loop needs: ``(nxt, reward, prob, pos_k, o_index, in_n)`` with
    o_index mapping reply bits to the column of the kept replies and in_n[s] whether s lies in N (the sentinel,
    game over, does not)."""
    nxt, reward, prob, (_, pos_k) = duel_tables(duel)
    o_index = np.cumsum(_reply_probs(duel) > 0) - 1
    in_n = np.append(pos_k >= duel.sharp_depth, False)
    return nxt, reward, prob, pos_k, o_index, in_n


def search_q(v: np.ndarray, nxt: np.ndarray, reward: np.ndarray, prob: np.ndarray, depth: int) -> np.ndarray:
    """Q_depth(s, a) at every position for a batch of frontier value tables, shape (B, S, 2), by expectimax.

    ``v`` is (B, S) (one table per run), ``reward`` is (B, S, 2, O) (each run's mode); the recursion is the one
    in the module docstring, computed bottom-up over all positions at once (the game has only S of them).
    Depth 0 is no search: Q = 0, and the agent plays its prior.
    """
    if depth == 0:
        return np.zeros(v.shape + (2,))
    w = np.concatenate([v, np.zeros((len(v), 1))], axis=1)
    for _ in range(depth):
        q = (reward + w[:, nxt]) @ prob
        w = np.concatenate([q.max(axis=-1), np.zeros((len(v), 1))], axis=1)
    return q


def search_policy(q: np.ndarray, prior: np.ndarray, temperature: float) -> np.ndarray:
    """pi = P(sacrifice) = sigmoid((Q(s, 1) - Q(s, 0)) / temperature + logit prior), elementwise."""
    p = np.minimum(np.maximum(prior, PRIOR_CLIP), 1 - PRIOR_CLIP)  # np.clip, without its per-call overhead
    z = (q[..., 1] - q[..., 0]) / temperature + np.log(p) - np.log1p(-p)
    return 1.0 / (1.0 + np.exp(-np.minimum(np.maximum(z, -50), 50)))


def train_search_runs(duel: DuelConfig, config: SearchConfig, seeds: list[int],
                      v0: np.ndarray | None = None, prior0: np.ndarray | None = None) -> SearchRuns:
    """Train one agent per seed from the result values ``v0`` (S,) and prior ``p0`` (S,) (default 0 and 1/2)."""
    n, heads = len(seeds), 2 if config.mode_feature else 1
    nxt, reward, prob, pos_k, o_index, in_n = _training_tables(duel)
    s_count = len(pos_k)
    result_reward = reward[0]                            # the expert reward is the game's result
    # frontier value per mode: V, plus in novice games under change-shaping the potential's certain remainder
    # -bonus * Phi(leaf) (a change-shaped game pays exactly that from any position on, whatever the play)
    phi = duel.material + duel_tables(duel)[3][0]
    leaf_shift = np.stack([np.zeros(s_count), -duel.bonus * phi if duel.shaping == "delta" else np.zeros(s_count)])
    rngs = [as_generator(s) for s in seeds]
    v = np.zeros((n, s_count)) if v0 is None else np.tile(np.asarray(v0, float), (n, 1))
    prior = np.full((n, heads, s_count), 0.5) if prior0 is None else np.tile(np.asarray(prior0, float), (n, heads, 1))
    counts = _new_counts(n, config)
    start_prior = np.zeros((n, config.episodes))
    rows = np.arange(n)
    for ep in range(config.episodes):
        w = ep // config.window
        start_prior[:, ep] = prior[:, 0, 0]
        u, novice, head, r_run, s, live = _start_game(rngs, config, reward, counts, w)
        forced_game = u[:, 1] < config.coverage
        for step in range(MAX_MOVES):
            ue, ua, up, ur, uc = (u[:, 2 + 5 * step + j] for j in range(5))
            q = search_q(v + leaf_shift[novice.astype(np.int64)], nxt, r_run, prob, config.depth)[rows, s]
            pi = search_policy(q, prior[rows, head, s], config.temperature)
            explore = ue < config.epsilon
            forced = forced_game | explore
            action = np.where(forced_game, 1, np.where(explore, (ua < 0.5), (ua < pi))).astype(np.int64)
            o = _reply(duel, o_index, up, ur, uc)
            s2 = nxt[s, action, o]
            target = result_reward[s, action, o] + np.where(s2 < s_count, v[rows, np.minimum(s2, s_count - 1)], 0.0)
            old_v, old_p = v[rows, s], prior[rows, head, s]
            v[rows, s] = np.where(live, old_v + config.learning_rate * (target - old_v), old_v)
            new_p = np.minimum(np.maximum(old_p + config.prior_rate * (pi - old_p), config.prior_clip),
                               1 - config.prior_clip)
            prior[rows, head, s] = np.where(live, new_p, old_p)
            _count_move(counts, w, live, live & in_n[s2], forced, novice, r_run[rows, s, action, o],
                        pos_k[s] + action >= duel.mate_length)
            live &= s2 < s_count
            s = np.where(live, s2, s)
            if not live.any():
                break
    return SearchRuns(v=v, prior=prior, start_prior=start_prior, **counts)


@dataclass
class QTableRuns:
    """Model-free runs: final action values q (runs, heads, S, 2) and the same per-window counts as SearchRuns."""

    q: np.ndarray
    own_expert: np.ndarray
    forced_expert: np.ndarray
    own_novice: np.ndarray
    expert_games: np.ndarray
    novice_games: np.ndarray
    expert_wins: np.ndarray
    reward: np.ndarray


def train_qtable_runs(duel: DuelConfig, config: SearchConfig, seeds: list[int], learning_rate: float = 0.05
                      ) -> QTableRuns:
    """The model-free control: tabular Q-learning on the current mode's reward, NO search and no prior.

    One table Q(s, a) for both modes (``config.mode_feature`` False) or one per mode (True). The agent plays
    greedily (ties broken at random, so the untrained agent is a uniform random player), with a forced random
    move with probability ``config.epsilon``; forced moves are flagged as in :func:`train_search_runs`. After
    every move (no discount; the game ends with probability >= end_prob per move)::

        Q(s, a) <- Q(s, a) + lr * (r + [s' running] max_a' Q(s', a') - Q(s, a))
    """
    n, heads = len(seeds), 2 if config.mode_feature else 1
    nxt, reward, prob, pos_k, o_index, in_n = _training_tables(duel)
    s_count = len(pos_k)
    rngs = [as_generator(s) for s in seeds]
    q = np.zeros((n, heads, s_count + 1, 2))   # the sentinel row (game over) stays 0
    counts = _new_counts(n, config)
    rows = np.arange(n)
    for ep in range(config.episodes):
        w = ep // config.window
        u, novice, head, r_run, s, live = _start_game(rngs, config, reward, counts, w)
        for step in range(MAX_MOVES):
            ue, ua, up, ur, uc = (u[:, 2 + 5 * step + j] for j in range(5))
            qs = q[rows, head, s]
            explore = ue < config.epsilon
            greedy = np.where(qs[:, 1] == qs[:, 0], ua < 0.5, qs[:, 1] > qs[:, 0])
            action = np.where(explore, ua < 0.5, greedy).astype(np.int64)
            o = _reply(duel, o_index, up, ur, uc)
            s2 = nxt[s, action, o]
            target = r_run[rows, s, action, o] + q[rows, head, s2].max(axis=1)
            old = q[rows, head, s, action]
            q[rows, head, s, action] = np.where(live, old + learning_rate * (target - old), old)
            _count_move(counts, w, live, live & in_n[s2], explore, novice, r_run[rows, s, action, o],
                        pos_k[s] + action >= duel.mate_length)
            live &= s2 < s_count
            s = np.where(live, s2, s)
            if not live.any():
                break
    return QTableRuns(q=q[:, :, :s_count], **counts)
