"""Ladder level 2 (model-free): bad luck deep in the long branch is backed up and the branch is never re-explored.

Experiment: epsilon-greedy Q-learning (:mod:`rlcore.learners.ladder_2_qlearning`) on the fork corridor
(:mod:`rlcore.envs.ladder_2_fork`), many seeds at once. What we compute, all from the known rules of the corridor:

* G and R of the *behaviour* the table produces: G_final = P(an episode of the epsilon-greedy policy of the table
  reaches the big prize within the time limit) and R_final = its expected discounted return, both exact (a
  forward dynamic program over cells, :func:`policy_outcome`), averaged over the tables at the end of the last
  SCORE_WINDOWS windows. G_best and R_best are the same quantities for the best epsilon-greedy agent (from the
  epsilon-soft optimal values, :func:`soft_optimal_values`), so a perfect learner scores Delta_G = Delta_R = 0.
  Why not the final table's greedy path: near cell -3 Q*(left) - Q*(right) is only 0.59 while alpha = 0.05 and the
  +-6 penalty keep the learned gap's spread about as large, so the greedy path of a single snapshot misses the
  big prize in about a sixth of the runs started from Q* itself (it turns once inside the branch and bounces); the
  epsilon-greedy agent walks through such a wobble. A run "ends greedy-left" when G_final > 1/2.
* nu(t) = the agent's own (greedy, unforced) steps into the long branch N per window / the expected visits of a
  uniformly random agent in as many steps (an exact renewal computation); nu[0] is the untrained table's over one
  window without updates; tau_lock with the ladder's one threshold (:mod:`rlcore.analysis.ladder`); steps into N
  by epsilon's random moves or forced episodes give the ``floor``;
* how often the agent, once it stepped into the long branch, walked back to the fork (the "doubling back"),
  and :func:`branch_preference`, Q(s, left) - Q(s, right) per cell over the locked runs.

The protocol (:func:`run_level`, :func:`protocol_runs`): the corridor of :data:`LEVEL_DEFAULTS` (penalty 6 with
probability 0.5 on the step onto cell -4 of a 6-cell branch, small prize at cell +10); ``coverage`` drives half
of the episodes by a uniform random behaviour; ``start="good"`` starts from Q*; the fix is optimistic
initialization (:data:`OPTIMISTIC_Q`); the ablation of the level's capability (bootstrapping) uses Monte-Carlo
returns (``algorithm="mc"``); the factorial crosses the penalty with the small prize's distance
(:func:`factorial_config`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Config, choice, param
from ..envs.ladder_2_fork import LEFT, RIGHT, ForkConfig
from ..learners.ladder_2_qlearning import QLearningConfig, QRuns, train_q_runs
from ..seeding import derive_seed
from .ladder import LOCK_THRESHOLD, LadderMetrics, LadderRuns, ladder_metrics  # the one shared threshold

__all__ = ["ForkExperimentConfig", "ForkResult", "optimal_values", "greedy_path", "path_return",
           "uniform_visit_rate", "run_fork", "run_level", "level_config", "LEVEL_DEFAULTS", "OPTIMISTIC_Q",
           "COVERAGE", "DELTA_G_SMALL", "FIX_NAME", "LEVEL_CONDITIONS", "protocol_runs", "PRIZE_DISTANCE",
           "PANEL_LEARNERS", "factorial_config", "SCORE_WINDOWS", "policy_outcome", "soft_optimal_values", "optimum", "ForkPanelConfig", "panel_grid", "branch_preference", "LOCK_THRESHOLD", "QUICK_STEPS"]

QUICK_STEPS = 10_000  #: steps per run in quick mode (the lock-in needs the whole run; runs are cheap)
#: the protocol's corridor: the bad luck sits deep in the long branch (cell -PENALTY_CELL), the small prize far
LEVEL_DEFAULTS = dict(left_length=6, penalty_cell=4, penalty=6.0, penalty_prob=0.5, right_length=10)
OPTIMISTIC_Q = 12.0  #: the fix's initial Q value: just above the largest return (10), so the budget can wash it out
COVERAGE = 0.5  #: the coverage control's share of forced (uniformly random) episodes
DELTA_G_SMALL = 0.5  #: Delta_G <= 0.5: the agent's episodes reach the big prize at least half as often as the best's
SCORE_WINDOWS = 5  #: G and R are scored on the tables at the end of the last this-many windows (of 20)
FIX_NAME = "optimistic initialization"


@dataclass(frozen=True)
class ForkExperimentConfig(Config):
    """The level-2 experiment: the corridor, the learner, and how many seeds to run."""

    penalty_prob: float = param(0.3, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                                doc="probability that stepping into the long branch costs the penalty")
    epsilon: float = param(0.3, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05), doc="exploration probability, in [0, 1]")
    q_init: float = param(0.0, low=-100.0, high=100.0, ui=(0.0, 20.0, 1.0),
                          doc="initial Q value (optimistic when above every return, e.g. 20)")
    penalty: float = param(5.0, low=0.0, ui=(0.0, 20.0, 0.5), doc="size of the early penalty, >= 0")
    left_length: int = param(5, low=2, high=30, ui=(2, 10), doc="cells from the fork to the big prize")
    penalty_cell: int = param(1, low=1, high=29, ui=(1, 9), doc="the penalty sits on cell -penalty_cell")
    algorithm: str = choice("q", ("q", "mc"), doc="Q-learning (bootstrapping) or Monte-Carlo returns (ablation)")
    coverage: float = param(0.0, low=0.0, high=1.0, ui=(0.0, 1.0, 0.1),
                            doc="share of episodes driven by a uniform random behaviour (coverage control)")
    good_start: bool = param(False, doc="start from the optimal table Q* (good-start control)")
    right_length: int = param(3, low=1, high=30, ui=(1, 10), doc="cells from the fork to the small prize")
    learning_rate: float = param(0.05, low=0.0, high=1.0, low_open=True, ui=(0.01, 0.5),
                                 doc="Q-learning step size alpha, in (0, 1]")
    steps: int = param(10_000, low=100, high=200_000, ui=(1000, 20_000, 1000), doc="environment steps per run")
    runs: int = param(100, low=1, high=2000, ui=(10, 200, 10), doc="independent runs (seeds)")
    seed: int = param(0, low=0, high=2**31 - 1, ui=(0, 20), doc="first seed; run i uses derive_seed(seed, i)")

    def corridor(self) -> ForkConfig:
        return ForkConfig(left_length=self.left_length, right_length=self.right_length, penalty=self.penalty,
                          penalty_prob=self.penalty_prob, penalty_cell=self.penalty_cell, step_cost=0.0)

    def learner(self) -> QLearningConfig:
        return QLearningConfig(epsilon=self.epsilon, q_init=self.q_init, learning_rate=self.learning_rate,
                               steps=self.steps, window=max(self.steps // 20, 1), algorithm=self.algorithm,
                               coverage=self.coverage)


def optimal_values(env: ForkConfig, gamma: float, iters: int = 2000) -> np.ndarray:
    """Q*(s, a) of the corridor by value iteration (expected penalty), shape (n_cells, 2).

    Q*(s, a) = E[r(s, a)] + gamma * [s' not terminal] * max_a' Q*(s', a'); the step cost is paid every step.
    """
    n = env.n_cells
    s = np.arange(n)
    nxt = np.stack([s - 1, s + 1], axis=1).clip(0, n - 1)
    cell = nxt - env.left_length
    reward = (np.where(cell == -env.left_length, env.left_reward, 0.0)
              + np.where(cell == env.right_length, env.right_reward, 0.0) - env.step_cost)
    reward[:, LEFT] -= np.where(cell[:, LEFT] == -env.penalty_cell, env.penalty * env.penalty_prob, 0.0)
    terminal = (cell == -env.left_length) | (cell == env.right_length)
    q = np.zeros((n, 2))
    for _ in range(iters):
        q = reward + gamma * np.where(terminal, 0.0, q.max(axis=1)[nxt])
    return q


def greedy_path(env: ForkConfig, q: np.ndarray) -> list[int]:
    """The observations visited by the greedy policy from the fork (ties go right), until a prize or the limit."""
    obs, path = env.start, [env.start]
    for _ in range(env.time_limit):
        obs = obs - 1 if q[obs, LEFT] > q[obs, RIGHT] else obs + 1
        path.append(obs)
        if obs in (0, env.n_cells - 1):
            break
    return path


def path_return(env: ForkConfig, path: list[int], gamma: float) -> float:
    """Expected discounted return of a deterministic path: sum_t gamma^t E[r_t] (the penalty in expectation)."""
    total = 0.0
    for t, (a, b) in enumerate(zip(path[:-1], path[1:])):
        cell = b - env.left_length
        r = -env.step_cost + (env.left_reward if cell == -env.left_length else 0.0) \
            + (env.right_reward if cell == env.right_length else 0.0) \
            - (env.penalty * env.penalty_prob if (cell == -env.penalty_cell and b < a) else 0.0)
        total += gamma ** t * r
    return total


def uniform_visit_rate(env: ForkConfig) -> float:
    """Expected visits to N per step of a uniformly random agent that restarts at the fork after each episode.

    By the renewal-reward theorem: E[N-visits per episode] / E[episode length], both computed exactly by
    propagating the distribution over cells for ``time_limit`` steps (the prize cells absorb).
    """
    n, p = env.n_cells, np.zeros(env.n_cells)
    p[env.start] = 1.0
    visits = length = 0.0
    cells = np.arange(n) - env.left_length
    for _ in range(env.time_limit):
        alive = p.copy()
        alive[0] = alive[-1] = 0.0
        length += alive.sum()
        p = np.zeros(n)
        p[:-1] += 0.5 * alive[1:]
        p[1:] += 0.5 * alive[:-1]
        visits += p[cells <= -2].sum()
    return visits / length


def soft_optimal_values(env: ForkConfig, gamma: float, epsilon: float, iters: int = 2000) -> np.ndarray:
    """The optimal values among epsilon-greedy agents: Q(s, a) = E[r(s, a)] + gamma [s' not terminal]
    ((1 - epsilon) max_a' Q(s', a') + epsilon mean_a' Q(s', a')); epsilon = 0 gives Q*."""
    n = env.n_cells
    s = np.arange(n)
    nxt = np.stack([s - 1, s + 1], axis=1).clip(0, n - 1)
    reward, terminal = _expected_rewards(env)
    q = np.zeros((n, 2))
    for _ in range(iters):
        v = (1 - epsilon) * q.max(axis=1) + epsilon * q.mean(axis=1)
        q = reward + gamma * np.where(terminal, 0.0, v[nxt])
    return q


def _expected_rewards(env: ForkConfig):
    """E[r(s, a)] (penalty in expectation) and whether (s, a) ends the episode, both shape (n_cells, 2)."""
    n = env.n_cells
    nxt = np.stack([np.arange(n) - 1, np.arange(n) + 1], axis=1).clip(0, n - 1)
    cell = nxt - env.left_length
    reward = (np.where(cell == -env.left_length, env.left_reward, 0.0)
              + np.where(cell == env.right_length, env.right_reward, 0.0) - env.step_cost)
    reward[:, LEFT] -= np.where(cell[:, LEFT] == -env.penalty_cell, env.penalty * env.penalty_prob, 0.0)
    return reward, (cell == -env.left_length) | (cell == env.right_length)


def policy_outcome(env: ForkConfig, q: np.ndarray, epsilon: float, gamma: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact (G, R) of the epsilon-greedy policy of tables ``q`` (shape (..., n_cells, 2)), one episode from the fork.

    G = P(the episode reaches the big prize within ``time_limit`` steps), R = E[sum_t gamma^t r_t]; the greedy
    action gets 1 - epsilon / 2 (ties split evenly, as the learner breaks them at random). A forward dynamic
    program over the distribution of the cell, absorbed at the two prizes."""
    q = np.asarray(q, dtype=np.float64)
    n = env.n_cells
    reward, _ = _expected_rewards(env)
    diff = q[..., LEFT] - q[..., RIGHT]
    p_left = np.where(diff > 0, 1 - epsilon / 2, np.where(diff < 0, epsilon / 2, 0.5))
    d = np.zeros(q.shape[:-1])
    d[..., env.start] = 1.0
    g, r = np.zeros(q.shape[:-2]), np.zeros(q.shape[:-2])
    for t in range(env.time_limit):
        go_left, go_right = d * p_left, d * (1 - p_left)
        r += gamma ** t * (go_left * reward[:, LEFT] + go_right * reward[:, RIGHT]).sum(-1)
        d = np.zeros_like(d)
        d[..., :-1] += go_left[..., 1:]
        d[..., 1:] += go_right[..., :-1]
        g += d[..., 0]
        d[..., 0] = d[..., -1] = 0.0
    return g, r


@dataclass
class ForkResult(LadderRuns):
    """Several runs of one setting: the learner's raw counts plus the ladder metrics per run."""

    config: ForkExperimentConfig
    runs: QRuns
    greedy_left: np.ndarray    # (runs,) bool: most of the last SCORE_WINDOWS tables' greedy paths reach the big prize
    metrics: list[LadderMetrics]
    r_best: float

    @property
    def window(self) -> int:
        return self.config.learner().window

    @property
    def left_rate(self) -> float:
        return float(self.greedy_left.mean())

    @property
    def final_snapshot_left(self) -> np.ndarray:
        """(runs,) bool: the greedy path of the final table alone reaches the big prize (the noisier score)."""
        env = self.config.corridor()
        return np.array([greedy_path(env, q)[-1] == 0 for q in self.runs.q])

    def turn_back_rate(self, last_windows: int = 4) -> float:
        """Share of entries into the long branch, in the last windows, that ended back at the fork."""
        entered = self.runs.entered_branch[:, -last_windows:].sum()
        return float(self.runs.turned_back[:, -last_windows:].sum() / entered) if entered else float("nan")

    def summary(self) -> dict:
        return {"greedy_left_rate": self.left_rate, "lock_in_rate": self.lock_rate,
                "turn_back_rate": self.turn_back_rate(),
                "mean_delta_G": float(np.mean([m.delta_g for m in self.metrics])),
                "mean_delta_R": float(np.mean([m.delta_r for m in self.metrics])), "R_best": self.r_best}


def optimum(env: ForkConfig, epsilon: float, gamma: float) -> tuple[float, float]:
    """(G_best, R_best): the outcome of the best epsilon-greedy agent (:func:`soft_optimal_values`)."""
    g, r = policy_outcome(env, soft_optimal_values(env, gamma, epsilon), epsilon, gamma)
    return float(g), float(r)


def _metrics(env: ForkConfig, learner: QLearningConfig, runs: QRuns, i: int, rate: float, best: tuple):
    g, r = policy_outcome(env, runs.q_windows[i, -SCORE_WINDOWS:], learner.epsilon, learner.gamma)
    g_final, r_final = float(g.mean()), float(r.mean())
    g_best, r_best = best
    left = g_final > 0.5
    own = np.r_[runs.initial_visits[i], runs.n_visits[i]]  # nu[0]: the untrained table, no updates
    floor = float(runs.forced_visits[i].mean() / (rate * learner.window))
    return left, ladder_metrics(own, rate * learner.window, g_final=g_final, g_best=g_best,
                                r_final=float(r_final), r_best=r_best,
                                threshold=LOCK_THRESHOLD, floor=floor)


def run_fork(config: ForkExperimentConfig, seeds: list[int] | None = None, progress=None) -> ForkResult:
    """Train ``config.runs`` Q-learners (seeds ``derive_seed(config.seed, i)`` unless ``seeds`` is given).

    nu counts the agent's own (greedy, unforced) steps into N, with nu[0] from the untrained table; the lock-in
    threshold is the ladder's shared :data:`rlcore.analysis.ladder.LOCK_THRESHOLD`.
    """
    env, learner = config.corridor(), config.learner()
    seeds = [derive_seed(config.seed, i) for i in range(config.runs)] if seeds is None else list(seeds)
    q_table = optimal_values(env, learner.gamma) if config.good_start else None
    runs = train_q_runs(env, learner, seeds, q_table=q_table)
    if progress is not None:
        progress(1.0)
    rate, best = uniform_visit_rate(env), optimum(env, learner.epsilon, learner.gamma)
    pairs = [_metrics(env, learner, runs, i, rate, best) for i in range(len(seeds))]
    return ForkResult(config, runs, np.array([p[0] for p in pairs]), [p[1] for p in pairs], best[1])


def level_config(seed: int = 0, *, exploration: float = 1.0, fix: bool = False, quick: bool = False,
                 start: str = "default", coverage: bool = False) -> ForkExperimentConfig:
    """The config :func:`run_level` trains (one run); see :data:`LEVEL_DEFAULTS`."""
    if start not in ("default", "good"):
        raise ValueError(f"start = {start!r} is not one of 'default', 'good'")
    base = ForkExperimentConfig(runs=1, seed=seed, steps=QUICK_STEPS, **LEVEL_DEFAULTS)
    if not 0.0 <= exploration * base.epsilon <= 1.0:
        raise ValueError(f"exploration = {exploration!r} is outside its allowed range [0, {1 / base.epsilon:g}]: "
                         f"it multiplies epsilon = {base.epsilon}")
    return base.replace(epsilon=exploration * base.epsilon, q_init=OPTIMISTIC_Q if fix else 0.0,
                        good_start=start == "good", coverage=COVERAGE if coverage else 0.0)


def run_level(seed: int, *, exploration: float = 1.0, fix: bool = False, quick: bool = False,
              start: str = "default", coverage: bool = False) -> LadderMetrics:
    """The ladder protocol for level 2: one Q-learning run on the fork corridor at the protocol's defaults.

    ``exploration`` multiplies epsilon (the product must stay in [0, 1]); ``fix`` switches on optimistic
    initialization (q_init = OPTIMISTIC_Q, above every return); ``start="good"`` starts from Q*;
    ``coverage=True`` drives a share COVERAGE of the episodes by a uniform random behaviour; ``quick`` is
    accepted for the protocol (a run takes well under a second, so quick and full runs are the same size).
    """
    config = level_config(seed, exploration=exploration, fix=fix, quick=quick, start=start, coverage=coverage)
    return run_fork(config, seeds=[seed]).metrics[0]


#: the protocol's conditions at level 2, beyond the shared four: the no-penalty control and the ablation
LEVEL_CONDITIONS = {"default": {}, "coverage": {"coverage": True}, "good_start": {"start": "good"},
                    "fix": {"fix": True}, "no_penalty": {"penalty_prob": 0.0},
                    "monte_carlo": {"algorithm": "mc"}}


def protocol_runs(seeds, *, quick: bool = False, conditions: dict | None = None) -> dict[str, list[LadderMetrics]]:
    """:func:`rlcore.analysis.ladder.run_protocol` for level 2, one vectorized batch per condition.

    Gives the same metrics as ``run_level(s, **condition)`` for every seed (runs do not depend on their batch);
    the extra conditions ``no_penalty`` and ``monte_carlo`` (bootstrapping ablated) change config fields.
    """
    seeds = [int(s) for s in seeds]
    out = {}
    for name, kw in (LEVEL_CONDITIONS if conditions is None else conditions).items():
        proto = {k: v for k, v in kw.items() if k in ("coverage", "start", "fix", "exploration")}
        config = level_config(0, quick=quick, **proto).replace(runs=len(seeds),
                                                               **{k: v for k, v in kw.items() if k not in proto})
        out[name] = run_fork(config, seeds=seeds).metrics
    return out


#: the factorial's two factors: penalty (on: the level's defaults, off: p = 0) x the small prize's distance
PRIZE_DISTANCE = {"near": 3, "far": 10}
#: the learners the panel offers: label -> config changes
PANEL_LEARNERS = {"Q-learning": {}, "Q-learning, optimistic": {"q_init": OPTIMISTIC_Q},
                  "Monte-Carlo returns": {"algorithm": "mc"}}


def factorial_config(base: ForkExperimentConfig, penalty: bool, prize: str, learner: str = "Q-learning"
                     ) -> ForkExperimentConfig:
    """``base`` with the penalty on (as in ``base``) or off, the small prize ``near`` or ``far``, and a learner
    of :data:`PANEL_LEARNERS`."""
    return base.replace(penalty_prob=base.penalty_prob if penalty else 0.0, right_length=PRIZE_DISTANCE[prize],
                        **PANEL_LEARNERS[learner])


@dataclass(frozen=True)
class ForkPanelConfig(Config):
    """The panel's selection from the precomputed grid (:func:`panel_grid`): nothing is trained on a click."""

    penalty: str = choice("on", ("on", "off"), doc="the bad luck deep in the long branch")
    small_prize: str = choice("far", ("far", "near"), doc="where the small prize is")
    learner: str = choice("Q-learning", tuple(PANEL_LEARNERS), doc="the learner")


def panel_grid(base: ForkExperimentConfig, known: list[ForkResult] = (), progress=None) -> dict[tuple, ForkResult]:
    """Every panel setting at the lesson's budget: {(penalty, small_prize, learner): ForkResult}.

    Results in ``known`` whose config equals a grid setting's are reused instead of trained again."""
    keys = [(p, s, lrn) for p in ("on", "off") for s in ("far", "near") for lrn in PANEL_LEARNERS]
    done = {res.config: res for res in known}
    out = {}
    for i, (p, s, lrn) in enumerate(keys):
        cfg = factorial_config(base, p == "on", s, lrn)
        out[(p, s, lrn)] = done[cfg] if cfg in done else run_fork(cfg)
        if progress is not None:
            progress((i + 1) / len(keys))
    return out


def branch_preference(result: ForkResult, locked_only: bool = True) -> np.ndarray:
    """Mean Q(s, left) - Q(s, right) per observation over (locked) runs: where the agent would turn back."""
    pick = np.array([m.locked for m in result.metrics]) if locked_only else np.ones(len(result.metrics), bool)
    if not pick.any():
        return np.full(result.runs.q.shape[1], np.nan)
    q = result.runs.q[pick]
    return (q[:, :, LEFT] - q[:, :, RIGHT]).mean(0)
