"""Ladder level 3 (lookahead): a search agent whose shared value function learns to avoid the sharp lines.

Experiment: the depth-d search agent of :mod:`rlcore.learners.ladder_3_search` trained on the material duel
(:mod:`rlcore.envs.ladder_3_duel`), each game scored in novice mode with probability ``novice_share``. Every
quantity is exact (the duel has only material * mate_length running positions), by linear solves:

* ``policy_values``: for a fixed policy pi, V^pi = r_pi + P_pi V^pi, and the same with r = [win] for the win
  probability;
* ``optimal_values``: Q*(s, a) = sum_o p(o) (r(s, a, o) + V*(s'_o)) by value iteration, per mode and shaping;
* G = the expert-mode win probability of the trained agent's greedy search policy (G_best: of the expert-optimal
  policy); R = the training reward, novice_share * V_novice + (1 - novice_share) * V_expert at the start;
* nu(t) = visits to the sharp region N per window / the exact expected visits of a uniformly random player.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Config, choice, param
from ..envs.ladder_3_duel import DuelConfig
from ..learners.ladder_3_search import SearchConfig, SearchRuns, duel_tables, search_q, train_search_runs
from ..seeding import derive_seed
from .ladder import LadderMetrics, LadderRuns, ladder_metrics

__all__ = ["DuelExperimentConfig", "DuelResult", "policy_values", "optimal_values", "greedy_policy",
           "uniform_visits_per_game", "run_duel", "run_level", "LOCK_THRESHOLD", "QUICK_EPISODES"]

LOCK_THRESHOLD = 0.4  #: nu below this for the last fifth of training counts as locked in
QUICK_EPISODES = 600  #: training games per run in quick mode


@dataclass(frozen=True)
class DuelExperimentConfig(Config):
    """The level-3 experiment: the duel, the search agent, and how many seeds to run."""

    novice_share: float = param(0.5, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                                doc="probability that a training game is scored in novice mode")
    depth: int = param(2, low=1, high=6, ui=(1, 4), doc="search depth d in moves, >= 1")
    mode_feature: bool = param(False, doc="the value function sees the mode (the fix)")
    shaping: str = choice("level", ["level", "delta"],
                          doc="novice reward on the material level (per turn) or on its change (potential)")
    bonus: float = param(0.1, low=0.0, high=5.0, ui=(0.0, 0.3, 0.01), doc="strength of the novice material reward")
    epsilon: float = param(0.1, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05), doc="exploration probability, in [0, 1]")
    episodes: int = param(1500, low=10, high=100_000, ui=(100, 3000, 100), doc="training games per run")
    runs: int = param(100, low=1, high=2000, ui=(5, 100, 5), doc="independent runs (seeds)")
    seed: int = param(0, low=0, high=2**31 - 1, ui=(0, 20), doc="first seed; run i uses derive_seed(seed, i)")

    def duel(self) -> DuelConfig:
        return DuelConfig(bonus=self.bonus, shaping=self.shaping)

    def learner(self) -> SearchConfig:
        return SearchConfig(depth=self.depth, epsilon=self.epsilon, novice_share=self.novice_share,
                            mode_feature=self.mode_feature, episodes=self.episodes,
                            window=max(self.episodes // 20, 1))


def policy_values(duel: DuelConfig, policy: np.ndarray, mode: int) -> tuple[np.ndarray, np.ndarray]:
    """(V^pi, P^pi(win)) at every running position for a policy given as P(sacrifice) per position.

    Solves V = r_pi + P_pi V exactly, with r_pi(s) = sum_a pi(a|s) sum_o p(o) r(s, a, o) in ``mode``
    (0 expert, 1 novice) and P_pi(s, s') the probability of moving to running position s'; the win
    probability solves the same system with r = [the move wins].
    """
    nxt, reward, prob, (_, k) = duel_tables(duel)
    n = len(k)
    pi = np.stack([1.0 - np.asarray(policy, float), np.asarray(policy, float)], axis=1)  # (S, 2)
    trans = np.zeros((n, n + 1))
    for a in (0, 1):
        for o in range(4):
            np.add.at(trans, (np.arange(n), nxt[:, a, o]), pi[:, a] * prob[o])
    r = (pi[:, :, None] * prob * reward[mode]).sum(axis=(1, 2))
    win = pi[:, 1] * (k + 1 >= duel.mate_length)
    a_mat = np.eye(n) - trans[:, :n]
    return np.linalg.solve(a_mat, r), np.linalg.solve(a_mat, win)


def optimal_values(duel: DuelConfig, mode: int, iters: int = 3000) -> np.ndarray:
    """Q*(s, a) at every running position in ``mode`` by value iteration (the game ends with probability
    >= end_prob per move, so the iteration contracts)."""
    nxt, reward, prob, _ = duel_tables(duel)
    return search_q(np.zeros((1, nxt.shape[0])), nxt, reward[mode][None], prob, iters)[0]


def greedy_policy(q: np.ndarray) -> np.ndarray:
    """P(sacrifice) of the greedy policy: 1 where Q(s, sacrifice) > Q(s, quiet) (ties go to quiet)."""
    return (q[..., 1] > q[..., 0]).astype(np.float64)


def uniform_visits_per_game(duel: DuelConfig) -> float:
    """Expected moves into the sharp region N per game of a uniformly random player (exact linear solve)."""
    nxt, _, prob, (_, k) = duel_tables(duel)
    n = len(k)
    in_n = np.append(k >= duel.sharp_depth, False)
    trans = np.zeros((n, n + 1))
    for a in (0, 1):
        for o in range(4):
            np.add.at(trans, (np.arange(n), nxt[:, a, o]), 0.5 * prob[o])
    visits = trans @ in_n.astype(float)  # expected N entries on the next move
    return float(np.linalg.solve(np.eye(n) - trans[:, :n], visits)[0])


@dataclass
class DuelResult(LadderRuns):
    """Several runs of one setting: raw counts, each run's greedy expert policy and the ladder metrics."""

    config: DuelExperimentConfig
    runs: SearchRuns
    g_final: np.ndarray     # (runs,) expert-mode win probability of the greedy search policy
    g_best: float
    metrics: list[LadderMetrics]

    @property
    def window(self) -> int:
        return self.config.learner().window

    def summary(self) -> dict:
        return {"expert_win_rate": float(self.g_final.mean()), "best_expert_win_rate": self.g_best,
                "lock_in_rate": self.lock_rate,
                "mean_delta_G": float(np.mean([m.delta_g for m in self.metrics])),
                "mean_delta_R": float(np.mean([m.delta_r for m in self.metrics])),
                "final_nu_median": float(np.median(self.nu[:, -4:].mean(axis=1)))}


def run_duel(config: DuelExperimentConfig, seeds: list[int] | None = None, progress=None) -> DuelResult:
    """Train ``config.runs`` agents (seeds ``derive_seed(config.seed, i)`` unless ``seeds`` is given).

    The lock-in threshold is nu = 0.4 (not the shared 0.1): an agent that has given up the sharp line still
    enters it on exploration moves (epsilon = 0.1), at nu of about 0.15-0.2 with windows up to about 0.35,
    while an agent that plays the sharp line in expert games sits at about 0.5-0.9.
    """
    duel, learner = config.duel(), config.learner()
    seeds = [derive_seed(config.seed, i) for i in range(config.runs)] if seeds is None else list(seeds)
    runs = train_search_runs(duel, learner, seeds)
    if progress is not None:
        progress(1.0)
    nxt, reward, prob, _ = duel_tables(duel)
    n = len(seeds)
    q_exp = search_q(runs.v[:, 0], nxt, np.broadcast_to(reward[0], (n,) + reward[0].shape), prob, learner.depth)
    q_nov = search_q(runs.v[:, -1], nxt, np.broadcast_to(reward[1], (n,) + reward[1].shape), prob, learner.depth)
    best = {mode: optimal_values(duel, mode) for mode in (0, 1)}
    v_exp_best, g_best = policy_values(duel, greedy_policy(best[0]), 0)
    v_nov_best, _ = policy_values(duel, greedy_policy(best[1]), 1)
    rho = config.novice_share
    r_best = rho * v_nov_best[0] + (1 - rho) * v_exp_best[0]
    reference = uniform_visits_per_game(duel) * learner.window
    g_final, metrics = np.zeros(n), []
    for i in range(n):
        v_exp, win = policy_values(duel, greedy_policy(q_exp[i]), 0)
        v_nov, _ = policy_values(duel, greedy_policy(q_nov[i]), 1)
        g_final[i] = win[0]
        metrics.append(ladder_metrics(runs.n_visits[i], reference, g_final=win[0], g_best=g_best[0],
                                      r_final=rho * v_nov[0] + (1 - rho) * v_exp[0], r_best=r_best,
                                      threshold=LOCK_THRESHOLD))
    return DuelResult(config, runs, g_final, float(g_best[0]), metrics)


def run_level(seed: int, *, exploration: float = 1.0, fix: bool = False, quick: bool = False) -> LadderMetrics:
    """The ladder protocol for level 3: one search agent on the duel at the lesson's defaults.

    ``exploration`` multiplies epsilon (0.1 at 1.0; the product must stay in [0, 1]); ``fix`` gives the value
    function the mode feature; ``quick`` trains for QUICK_EPISODES games instead of the default 1500.
    """
    base = DuelExperimentConfig(runs=1, seed=seed)
    if not 0.0 <= exploration * base.epsilon <= 1.0:
        raise ValueError(f"exploration = {exploration!r} is outside its allowed range [0, {1 / base.epsilon:g}]: "
                         f"it multiplies epsilon = {base.epsilon}")
    config = base.replace(epsilon=exploration * base.epsilon, mode_feature=fix,
                          episodes=QUICK_EPISODES if quick else base.episodes)
    return run_duel(config, seeds=[seed]).metrics[0]
