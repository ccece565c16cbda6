"""Ladder level 3 (lookahead): a search agent whose shared policy prior learns, from novice games, to avoid
the sharp line, so its expert games stop producing the data that would teach it to win.

Experiment: the search agent of :mod:`rlcore.learners.ladder_3_search` trained on the material duel
(:mod:`rlcore.envs.ladder_3_duel`), each game scored in novice mode with probability ``novice_share``. Every
score is exact (the duel has only material * mate_length running positions), by linear solves:

* ``policy_values``: for a fixed policy pi, V^pi = r_pi + P_pi V^pi, and the same with r = [win] for the win
  probability; ``optimal_values``: Q*(s, a) by value iteration, per mode and shaping;
* G = the expert-mode win probability of the trained agent's own policy (its search and prior, no forced
  moves), G_best that of the expert-optimal policy; R = novice_share * V_novice + (1 - novice_share) * V_expert
  from the start, R_best the same for the mode-aware optimum;
* nu(t) = the agent's own moves into the sharp region N in expert games per window / the exact expected moves
  of a uniformly random player in as many games; nu[0] is the initial policy's, computed exactly; moves forced
  by epsilon or by the coverage control are left out and reported as ``floor``.

The causal protocol (:mod:`rlcore.analysis.ladder`): ``coverage=True`` forces the sharp line (every move a
sacrifice) in :data:`COVERAGE_SHARE` of the games, everything else unchanged; ``start="good"`` starts the
result values at the expert-optimal ones and the prior at the expert-optimal moves; the fix gives the policy
prior the mode (:data:`FIX_NAME`).

Lookahead's role is tested with a model-free control (:data:`MODEL_FREE`, :func:`run_model_free`): tabular
Q-learning on the same games without search, one table for both modes or one per mode. It locks in with one
shared table and learns to win with one per mode, so in this duel the shared mode-blind table plus the level
bonus produces the lock-in; the search depth decides whether the expert search sees past the starved value table.
Emergence is measured in training: :func:`habit_onset` (games until the start prior falls to 0.05) and the first
window's nu. The lock-in holds only in part of the parameter space: :func:`calibration_sweep`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Config, choice, param
from ..envs.ladder_3_duel import DuelConfig
from ..learners.ladder_3_search import (SearchConfig, SearchRuns, duel_tables, search_policy, search_q,
                                       train_qtable_runs, train_search_runs)
from ..seeding import derive_seed
from .ladder import LOCK_THRESHOLD, LadderMetrics, LadderRuns, ladder_metrics

__all__ = ["DuelExperimentConfig", "DuelResult", "policy_values", "optimal_values", "greedy_policy",
           "visits_per_game", "uniform_visits_per_game", "good_start_tables", "agent_policy", "run_duel",
           "run_level", "run_levels", "novice_quiet_margin", "LOCK_THRESHOLD", "QUICK_EPISODES", "FIX_NAME",
           "COVERAGE_SHARE", "SETTINGS", "DEPTHS", "PANEL_CELLS", "PanelView", "run_cells", "run_model_free",
           "qtable_policy", "SWEEP", "calibration_sweep", "habit_onset", "MODEL_FREE"]

QUICK_EPISODES = 600  #: training games per run in quick mode
COVERAGE_SHARE = 0.5  #: share of games in which the coverage control forces the sharp line
FIX_NAME = "a mode feature for the policy prior"
GOOD_PRIOR = 0.9      #: the good start's prior on the expert-optimal move
#: The settings the lesson (and its panel) compares: name -> changes to DuelExperimentConfig.
SETTINGS = {"default": {}, "coverage": {"coverage": COVERAGE_SHARE}, "good start": {"start": "good"},
            "fix (mode feature)": {"mode_feature": True}, "change-shaping": {"shaping": "delta"},
            "no novice games": {"novice_share": 0.0}}
DEPTHS = (1, 2, 3)  #: the depth ablation (the model-free control stands in for "no search")
#: The model-free control: tabular Q-learning, no search, one table for both modes or one per mode.
MODEL_FREE = {"no search, one Q table": {"learner_kind": "model-free"},
              "no search, Q table per mode": {"learner_kind": "model-free", "mode_feature": True}}


@dataclass(frozen=True)
class DuelExperimentConfig(Config):
    """The level-3 experiment: the duel, the search agent, the protocol condition and the seeds."""

    novice_share: float = param(0.7, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                                doc="probability that a training game is scored in novice mode")
    depth: int = param(2, low=0, high=6, ui=(0, 4), doc="search depth d in moves (0: no search)")
    mode_feature: bool = param(False, doc="the policy prior sees the mode (the fix)")
    shaping: str = choice("level", ["level", "delta"],
                          doc="novice reward on the material level (per turn) or on its change (potential)")
    bonus: float = param(0.1, low=0.0, high=5.0, ui=(0.0, 0.3, 0.01), doc="strength of the novice material reward")
    epsilon: float = param(0.01, low=0.0, high=1.0, ui=(0.0, 0.2, 0.01), doc="forced random moves, in [0, 1]")
    prior_clip: float = param(0.005, low=0.0, high=0.5, low_open=True, high_open=True, ui=(0.002, 0.2),
                              doc="the prior stays in [c, 1 - c]: the agent's own floor on each move, in (0, 0.5)")
    learning_rate: float = param(0.01, low=0.0, high=1.0, low_open=True, ui=(0.003, 0.1),
                                 doc="step size alpha of the result value (search) or of Q (model-free), in (0, 1]")
    learner_kind: str = choice("search", ["search", "model-free"],
                               doc="the depth-d search agent, or tabular Q-learning without search (the control)")
    coverage: float = param(0.0, low=0.0, high=1.0, ui=(0.0, 1.0, 0.1),
                            doc="share of games in which the sharp line is forced (coverage control)")
    start: str = choice("default", ["default", "good"], doc="learner starts from scratch or from expert-optimal play")
    episodes: int = param(1500, low=20, high=100_000, ui=(100, 3000, 100), doc="training games per run")
    runs: int = param(20, low=1, high=2000, ui=(5, 100, 5), doc="independent runs (seeds)")
    seed: int = param(0, low=0, high=2**31 - 1, ui=(0, 20), doc="first seed; run i uses derive_seed(seed, i)")

    def duel(self) -> DuelConfig:
        return DuelConfig(bonus=self.bonus, shaping=self.shaping)

    def learner(self) -> SearchConfig:
        return SearchConfig(depth=self.depth, epsilon=self.epsilon, novice_share=self.novice_share,
                            prior_clip=self.prior_clip, learning_rate=self.learning_rate,
                            mode_feature=self.mode_feature, coverage=self.coverage, start=self.start,
                            episodes=self.episodes, window=max(self.episodes // 20, min(60, self.episodes)))


def _transitions(duel: DuelConfig, policy) -> np.ndarray:
    nxt, _, prob, (_, k) = duel_tables(duel)
    n = len(k)
    pi = np.stack([1.0 - np.asarray(policy, float), np.asarray(policy, float)], axis=1)  # (S, 2)
    trans = np.zeros((n, n + 1))
    for a in (0, 1):
        for o in range(nxt.shape[2]):
            np.add.at(trans, (np.arange(n), nxt[:, a, o]), pi[:, a] * prob[o])
    return trans


def policy_values(duel: DuelConfig, policy: np.ndarray, mode: int) -> tuple[np.ndarray, np.ndarray]:
    """(V^pi, P^pi(win)) at every running position for a policy given as P(sacrifice) per position.

    Solves V = r_pi + P_pi V exactly, with r_pi(s) = sum_a pi(a|s) sum_o p(o) r(s, a, o) in ``mode``
    (0 expert, 1 novice) and P_pi(s, s') the probability of moving to running position s'; the win
    probability solves the same system with r = [the move wins].
    """
    _, reward, prob, (_, k) = duel_tables(duel)
    n = len(k)
    pol = np.asarray(policy, float)
    pi = np.stack([1.0 - pol, pol], axis=1)
    r = (pi[:, :, None] * prob * reward[mode]).sum(axis=(1, 2))
    win = pol * (k + 1 >= duel.mate_length)
    a_mat = np.eye(n) - _transitions(duel, pol)[:, :n]
    return np.linalg.solve(a_mat, r), np.linalg.solve(a_mat, win)


def optimal_values(duel: DuelConfig, mode: int, iters: int = 3000) -> np.ndarray:
    """Q*(s, a) at every running position in ``mode`` by value iteration (the game ends with probability
    >= end_prob per move, so the iteration contracts)."""
    nxt, reward, prob, _ = duel_tables(duel)
    return search_q(np.zeros((1, nxt.shape[0])), nxt, reward[mode][None], prob, iters)[0]


def greedy_policy(q: np.ndarray) -> np.ndarray:
    """P(sacrifice) of the greedy policy: 1 where Q(s, sacrifice) > Q(s, quiet) (ties go to quiet)."""
    return (q[..., 1] > q[..., 0]).astype(np.float64)


def visits_per_game(duel: DuelConfig, policy) -> float:
    """Expected moves into the sharp region N per game from the start under ``policy`` (P(sacrifice) per
    position, or a scalar), by an exact linear solve."""
    _, _, _, (_, k) = duel_tables(duel)
    n = len(k)
    trans = _transitions(duel, np.broadcast_to(np.asarray(policy, float), (n,)))
    visits = trans @ np.append(k >= duel.sharp_depth, False).astype(float)
    return float(np.linalg.solve(np.eye(n) - trans[:, :n], visits)[0])


def uniform_visits_per_game(duel: DuelConfig) -> float:
    """Expected moves into N per game of a uniformly random player (the reference of nu)."""
    return visits_per_game(duel, 0.5)


def good_start_tables(duel: DuelConfig) -> tuple[np.ndarray, np.ndarray]:
    """The good start: result values V* of expert-optimal play and a prior of GOOD_PRIOR on its moves."""
    q = optimal_values(duel.replace(shaping="level"), 0)
    return q.max(axis=1), np.where(greedy_policy(q) > 0, GOOD_PRIOR, 1 - GOOD_PRIOR)


def agent_policy(duel: DuelConfig, learner: SearchConfig, v: np.ndarray, prior: np.ndarray, mode: int) -> np.ndarray:
    """The agent's own P(sacrifice) per position in ``mode`` (no forced moves), for a batch: v (B, S), prior
    (B, heads, S)."""
    nxt, reward, prob, (m, _) = duel_tables(duel)
    shift = -duel.bonus * (duel.material + m) if (mode == 1 and duel.shaping == "delta") else 0.0
    q = search_q(v + shift, nxt, np.broadcast_to(reward[mode], (len(v),) + reward[mode].shape), prob, learner.depth)
    head = min(mode, prior.shape[1] - 1)
    return search_policy(q, prior[:, head], learner.temperature)


@dataclass
class DuelResult(LadderRuns):
    """Several runs of one setting: raw counts, each run's exact scores and the ladder metrics."""

    config: DuelExperimentConfig
    runs: SearchRuns
    g_final: np.ndarray     # (runs,) expert-mode win probability of the agent's own policy
    g_best: float
    novice_nu: np.ndarray   # (runs, windows) the same visit ratio in novice games
    metrics: list[LadderMetrics]
    r_best: float = 1.0     # the exact best training reward (Delta_R is reported relative to it too)

    @property
    def window(self) -> int:
        return self.config.learner().window

    @property
    def failed_rate(self) -> float:
        """The share of runs whose expert win probability stayed below half the best (Delta_G > G_best / 2): a
        lock-in measured on the goal, beside nu's lock-in rate (nu also counts quiet moves inside N after a
        forced entry, so the two can disagree)."""
        return float(np.mean([m.delta_g > 0.5 * self.g_best for m in self.metrics]))

    def summary(self) -> dict:
        return {"expert_win_rate": float(self.g_final.mean()), "best_expert_win_rate": self.g_best,
                "lock_in_rate": self.lock_rate,
                "mean_delta_G": float(np.mean([m.delta_g for m in self.metrics])),
                "mean_delta_R": float(np.mean([m.delta_r for m in self.metrics])),
                "relative_delta_R": float(np.mean([m.delta_r for m in self.metrics]) / self.r_best),
                "best_reward": self.r_best,
                "failed_rate": self.failed_rate,
                "start_nu": float(np.mean(self.nu[:, 0])),
                "first_window_nu": float(np.median(self.nu[:, 1])),
                "final_nu_median": float(np.median(self.nu[:, -4:].mean(axis=1))),
                "novice_final_nu": float(self.novice_nu[:, -4:].mean()),
                "floor": float(np.mean([m.floor for m in self.metrics]))}


def _score(config: DuelExperimentConfig, runs, pi_exp: np.ndarray, pi_nov: np.ndarray, nu0: float) -> DuelResult:
    """Exact scores and ladder metrics of trained runs whose own policies (P(sacrifice) per position, no
    forced moves) are ``pi_exp`` / ``pi_nov`` (runs, S); ``nu0`` is the initial policy's nu."""
    duel = config.duel()
    best = {mode: optimal_values(duel, mode) for mode in (0, 1)}
    v_exp_best, g_best = policy_values(duel, greedy_policy(best[0]), 0)
    v_nov_best, _ = policy_values(duel, greedy_policy(best[1]), 1)
    rho = config.novice_share
    r_best = rho * v_nov_best[0] + (1 - rho) * v_exp_best[0]
    ref = uniform_visits_per_game(duel)
    n = len(pi_exp)
    g_final, metrics = np.zeros(n), []
    for i in range(n):
        v_exp, win = policy_values(duel, pi_exp[i], 0)
        v_nov, _ = policy_values(duel, pi_nov[i], 1)
        g_final[i] = win[0]
        games = np.maximum(runs.expert_games[i], 1)
        visits = np.concatenate([[nu0 * ref], runs.own_expert[i] / games])  # own moves into N per expert game
        floor = runs.forced_expert[i].sum() / (ref * max(runs.expert_games[i].sum(), 1))
        metrics.append(ladder_metrics(visits, ref, g_final=win[0], g_best=g_best[0],
                                      r_final=rho * v_nov[0] + (1 - rho) * v_exp[0], r_best=r_best,
                                      threshold=LOCK_THRESHOLD, floor=floor))
    novice_nu = runs.own_novice / (ref * np.maximum(runs.novice_games, 1))
    return DuelResult(config, runs, g_final, float(g_best[0]), novice_nu, metrics, float(r_best))


def _seeds(config: DuelExperimentConfig, seeds) -> list[int]:
    return [derive_seed(config.seed, i) % 2**63 for i in range(config.runs)] if seeds is None else list(seeds)


def run_duel(config: DuelExperimentConfig, seeds: list[int] | None = None, progress=None) -> DuelResult:
    """Train ``config.runs`` agents (seeds ``derive_seed(config.seed, i)`` unless ``seeds`` is given) and
    score them exactly (see the module docstring). ``config.learner_kind="model-free"`` runs
    :func:`run_model_free` instead."""
    if config.learner_kind == "model-free":
        return run_model_free(config, seeds)
    duel, learner = config.duel(), config.learner()
    seeds = _seeds(config, seeds)
    s_count = duel.n_positions
    v0, p0 = good_start_tables(duel) if config.start == "good" else (np.zeros(s_count), np.full(s_count, 0.5))
    runs = train_search_runs(duel, learner, seeds, v0, p0)
    if progress is not None:
        progress(1.0)
    heads = runs.prior.shape[1]
    start_policy = agent_policy(duel, learner, v0[None], np.tile(p0, (1, heads, 1)), 0)[0]
    nu0 = visits_per_game(duel, start_policy) / uniform_visits_per_game(duel)
    return _score(config, runs, agent_policy(duel, learner, runs.v, runs.prior, 0),
                  agent_policy(duel, learner, runs.v, runs.prior, 1), nu0)


def qtable_policy(q: np.ndarray, mode: int) -> np.ndarray:
    """The model-free agent's own P(sacrifice) per position from Q (runs, heads, S, 2): greedy, ties at 1/2."""
    qm = q[:, min(mode, q.shape[1] - 1)]
    return np.where(qm[..., 1] > qm[..., 0], 1.0, np.where(qm[..., 1] == qm[..., 0], 0.5, 0.0))


def run_model_free(config: DuelExperimentConfig, seeds: list[int] | None = None) -> DuelResult:
    """The model-free control: tabular Q-learning (no search, no prior) on the same duel, modes and budget;
    one Q table for both modes, or one per mode with ``config.mode_feature``. Scored exactly like
    :func:`run_duel`; the untrained agent (all ties) is a uniform random player, so nu[0] = 1."""
    duel, learner = config.duel(), config.learner()
    if config.coverage or config.start != "default":
        raise ValueError("run_model_free runs the default condition only (coverage = 0, start = 'default')")
    runs = train_qtable_runs(duel, learner, _seeds(config, seeds), learning_rate=config.learning_rate)
    return _score(config, runs, qtable_policy(runs.q, 0), qtable_policy(runs.q, 1), 1.0)


def _protocol_config(exploration: float, fix: bool, quick: bool, start: str, coverage: bool) -> DuelExperimentConfig:
    base = DuelExperimentConfig(runs=1)
    if not 0.0 <= exploration * base.epsilon <= 1.0:
        raise ValueError(f"exploration = {exploration!r} is outside its allowed range [0, {1 / base.epsilon:g}]: "
                         f"it multiplies epsilon = {base.epsilon}")
    if start not in ("default", "good"):
        raise ValueError(f"start = {start!r} is not allowed: one of 'default', 'good'")
    return base.replace(epsilon=exploration * base.epsilon, mode_feature=fix, start=start,
                        coverage=COVERAGE_SHARE if coverage else 0.0,
                        episodes=QUICK_EPISODES if quick else base.episodes)


def run_levels(seeds, *, exploration: float = 1.0, fix: bool = False, quick: bool = False, start: str = "default",
               coverage: bool = False) -> list[LadderMetrics]:
    """:func:`run_level` for many seeds in one vectorized batch (the same numbers, run by run)."""
    config = _protocol_config(exploration, fix, quick, start, coverage)
    return run_duel(config.replace(runs=len(seeds)), seeds=[int(s) for s in seeds]).metrics


def run_level(seed: int, *, exploration: float = 1.0, fix: bool = False, quick: bool = False,
              start: str = "default", coverage: bool = False) -> LadderMetrics:
    """The ladder protocol for level 3: one search agent on the duel at the lesson's defaults.

    ``exploration`` multiplies epsilon (0.01 at 1.0); ``fix`` gives the policy prior the mode; ``quick`` trains
    for QUICK_EPISODES games instead of 1500; ``start="good"`` starts from expert-optimal values and moves;
    ``coverage`` forces the sharp line in COVERAGE_SHARE of the games.
    """
    return run_levels([seed], exploration=exploration, fix=fix, quick=quick, start=start, coverage=coverage)[0]


def novice_quiet_margin(duel: DuelConfig, depth: int) -> float:
    """Q_d(start, quiet) - Q_d(start, sacrifice) in novice mode with an untrained result value (V = 0): how
    much the search itself, through the material bonus it can see, prefers keeping material."""
    nxt, reward, prob, (m, _) = duel_tables(duel)
    shift = -duel.bonus * (duel.material + m) if duel.shaping == "delta" else 0.0
    q = search_q(np.zeros((1, len(m))) + shift, nxt, reward[1][None], prob, depth)[0]
    return float(q[0, 0] - q[0, 1])


#: The cells the lesson computes (and its panel looks up): name -> changes to the lesson's config.
PANEL_CELLS = {**SETTINGS, **{f"depth {d}": {"depth": d} for d in DEPTHS if d != 2}, **MODEL_FREE}


def habit_onset(result: DuelResult, level: float = 0.05) -> np.ndarray:
    """Per run, the first training game before which the expert (shared) prior at the start position had
    fallen to ``level`` or below (the quiet habit formed), or -1 when it never did."""
    sp = result.runs.start_prior
    hit = sp <= level
    return np.where(hit.any(axis=1), np.argmax(hit, axis=1), -1)


@dataclass(frozen=True)
class PanelView(Config):
    """What the level-3 panel shows: one of the lesson's precomputed cells (no training on a redraw)."""

    cell: str = choice("default", list(PANEL_CELLS),
                       doc="setting (at depth 2), depth (default setting) or the model-free control")


def run_cells(config: DuelExperimentConfig, progress=None) -> dict[str, DuelResult]:
    """Every cell of :data:`PANEL_CELLS` for the lesson's ``config`` (the depth-2 default is ``config``)."""
    out = {}
    for i, (name, changes) in enumerate(PANEL_CELLS.items()):
        out[name] = run_duel(config.replace(**changes))
        if progress is not None:
            progress((i + 1) / len(PANEL_CELLS))
    return out


#: The calibration sweep: knob of DuelExperimentConfig -> values tried, one knob at a time from the defaults.
SWEEP = {"prior_clip": (0.002, 0.005, 0.01, 0.02, 0.05, 0.2),
         "learning_rate": (0.003, 0.01, 0.03, 0.1),
         "novice_share": (0.3, 0.5, 0.6, 0.7, 0.9),
         "epsilon": (0.01, 0.02, 0.05)}


def calibration_sweep(runs: int = 10, episodes: int = 1500, seed: int = 0, progress=None) -> dict:
    """Lock-in rate (on nu), failed rate (Delta_G > G_best / 2) and mean expert G at every point of
    :data:`SWEEP`, one knob moved at a time from the lesson's defaults (``runs`` seeds of ``episodes`` games
    each). The lesson shows a precomputed copy (:mod:`rlcore.analysis.ladder_3_sweep`, written by
    ``python -m rlcore.analysis.ladder_3_lookahead``); the tests recompute points of it."""
    out, points = {}, [(k, v) for k, vals in SWEEP.items() for v in vals]
    default = None
    for i, (knob, value) in enumerate(points):
        config = DuelExperimentConfig(runs=runs, episodes=episodes, seed=seed)
        if value == getattr(config, knob) and default is not None:
            res = default
        else:
            res = run_duel(config.replace(**{knob: value}))
            if value == getattr(config, knob):
                default = res
        out.setdefault(knob, {})[str(value)] = {"lock_in_rate": res.lock_rate, "failed_rate": res.failed_rate,
                                                "expert_win_rate": round(float(res.g_final.mean()), 4)}
        if progress is not None:
            progress((i + 1) / len(points))
    return {"runs": runs, "episodes": episodes, "seed": seed, "results": out}


if __name__ == "__main__":  # regenerate the precomputed sweep the lesson shows
    import pathlib
    import pprint
    sweep = calibration_sweep()
    path = pathlib.Path(__file__).with_name("ladder_3_sweep.py")
    path.write_text('"""The level-3 calibration sweep, precomputed by ``python -m rlcore.analysis.ladder_3_lookahead``\n'
                    '(:func:`rlcore.analysis.ladder_3_lookahead.calibration_sweep` at its defaults)."""\n\n'
                    f"SWEEP_RESULTS = {pprint.pformat(sweep, width=110, sort_dicts=False)}\n")
    print(path)
