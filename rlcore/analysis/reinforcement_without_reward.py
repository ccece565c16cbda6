"""Lesson 04: reinforcement without reward. The quantities its claims are about.

1. The donut habit (item 10): the exact expected gradient of the race reward with respect to the habit's logit,
   by dynamic programming over the loops of a lagoon visit; the habit's half-life under exact gradient ascent
   and under sampled REINFORCE, swept over learning rate, the donut's cost in time and the training budget.
2. Learning from intention (item 11): reach error of a motor map trained by a delta rule with zero reward,
   against no updates and reward-gated updates, swept over how crooked the arm is.
3. Bootstrapping and relabelling (item 12): success on the rewarded goal and on never-rewarded goals of a
   goal-conditioned grid for five learners, the reward events each used, and episodes needed; swept over size.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..config import Config, choice, param
from ..envs.reinforcement_without_reward import arm_matrix
from ..learners.reinforcement_without_reward import (GRID_LEARNERS, donut_reinforce, train_goal_grid,
                                                     train_reach)

__all__ = ["DonutConfig", "ReachConfig", "GridConfig", "DONUT_LRS", "DONUT_COSTS", "DONUT_NOISES",
           "DONUT_SWEEP_LRS", "DONUT_SWEEP_COSTS", "DONUT_THETA0S", "REACH_ANGLES", "REACH_TOLERANCES",
           "REACH_MODES",           "GRID_SIZES", "GRID_LEARNERS", "expected_loops", "donut_exact", "exact_trajectory", "half_life",
           "run_donut", "run_reach", "run_grid", "expected_reach_error", "untrained_hit_rate"]

DONUT_LRS = (0.01, 0.03, 0.1, 0.3)
DONUT_COSTS = (0.0, 0.005, 0.02, 0.05)
DONUT_NOISES = (0.1, 0.5, 1.0)          # race noise (std of the rest of the race) in the robustness sweep
DONUT_SWEEP_LRS = (0.1, 0.3)            # learning rates in the robustness sweep
DONUT_SWEEP_COSTS = (0.0, 0.005, 0.02)  # costs in the robustness sweep (0: the control)
DONUT_THETA0S = (0.0, 1.5, 3.0, 5.0)    # initial logits for the exact half-life (how entrenched the habit is)
REACH_ANGLES = (10, 20, 30, 50, 70, 100, 130)
REACH_TOLERANCES = (0.3, 0.35, 0.4, 0.45, 0.5)  # reward-gated tolerance sweep, at REACH_GATED_ANGLE
REACH_GATED_ANGLE = 30
REACH_MODES = ("delta", "none", "reward-gated")
GRID_SIZES = (4, 5, 6)
LATE_EVALS = 5  # evaluations at the end of training averaged for "late" success on g*


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


# ------------------------------------------------------------------------------------------------- the donut
@dataclass(frozen=True)
class DonutConfig(Config):
    """The race with a donut habit and its REINFORCE training (the lr x cost grid is always trained)."""

    lr: float = choice(0.1, DONUT_LRS, doc="learning rate of the marked setting")
    cost: float = choice(0.02, DONUT_COSTS, doc="race time one donut costs, as a share of the race")
    theta0: float = param(1.5, low=-5.0, high=5.0, ui=(-2.0, 4.0, 0.5), doc="initial habit logit")
    n_visits: int = param(3, low=1, high=20, ui=(1, 10), doc="lagoon visits per race, >= 1")
    max_loops: int = param(8, low=1, high=50, ui=(1, 20), doc="most loops per visit, >= 1")
    noise_std: float = param(0.1, low=0.0, ui=(0.0, 0.5, 0.05), doc="std of the rest of the race's time, >= 0")
    baseline: bool = param(True, doc="subtract a running mean of the reward")
    batch: int = param(1, low=1, high=256, ui=(1, 64), doc="races per update, >= 1")
    updates: int = param(2000, low=1, high=100000, ui=(100, 5000, 100), doc="training budget in updates, >= 1")
    runs: int = param(20, low=1, high=500, ui=(1, 50), doc="runs (seeds) per setting, >= 1")
    seed: int = param(0, low=0, widget="none", doc="seed of the runs")


def expected_loops(p, max_loops: int):
    """Closed form of the expected loops per visit: ``sum_{k=1}^{M} p^k``."""
    p = np.asarray(p, dtype=float)
    return sum(p ** k for k in range(1, max_loops + 1))


def donut_exact(theta, cost, n_visits: int, max_loops: int):
    """Expected race reward J and its exact gradient dJ/dtheta, by dynamic programming over the loops.

    ``V_k`` = expected loops still to come after k loops of a visit: ``V_M = 0``, ``V_k = p (1 + V_{k+1})``;
    differentiating the recursion, ``V'_k = p (1 - p)(1 + V_{k+1}) + p V'_{k+1}``. Then
    ``J = 1 - cost * n_visits * V_0`` and ``dJ/dtheta = -cost * n_visits * V'_0``. Arrays broadcast."""
    p = _sigmoid(theta)
    v, dv = np.zeros_like(p), np.zeros_like(p)
    for _ in range(max_loops):
        v, dv = p * (1 + v), p * (1 - p) * (1 + v) + p * dv
    cost = np.asarray(cost, dtype=float)
    return 1.0 - cost * n_visits * v, -cost * n_visits * dv


def exact_trajectory(theta0: float, lr, cost, updates: int, n_visits: int, max_loops: int) -> np.ndarray:
    """``theta`` under exact expected-gradient ascent, ``theta <- theta + lr dJ/dtheta``: (updates + 1, ...)."""
    lr, cost = np.broadcast_arrays(np.asarray(lr, dtype=float), np.asarray(cost, dtype=float))
    theta = np.full(lr.shape, float(theta0))
    out = [theta]
    for _ in range(updates):
        theta = theta + lr * donut_exact(theta, cost, n_visits, max_loops)[1]
        out.append(theta)
    return np.array(out)


def half_life(theta: np.ndarray, max_loops: int) -> np.ndarray:
    """Updates until the habit's size (expected loops per visit) first falls to half its initial value;
    ``inf`` where it never does within the trajectory. ``theta`` is (updates + 1, ...)."""
    size = expected_loops(_sigmoid(theta), max_loops)
    below = size <= size[0] / 2
    return np.where(below.any(0), np.argmax(below, axis=0), np.inf).astype(float)


@dataclass(frozen=True)
class DonutResult:
    config: DonutConfig
    theta: np.ndarray          # (updates + 1, lrs, costs, runs) sampled REINFORCE at the config's noise/baseline
    exact: np.ndarray          # (updates + 1, lrs, costs) exact expected-gradient ascent
    sweep_final: np.ndarray    # (2 baselines [on, off], noises, sweep lrs, sweep costs, runs): size at the end
    sweep_half: np.ndarray     # same shape: first-passage half-life (inf: never within the budget)
    theta0_half: np.ndarray    # (theta0s, lrs, costs): exact half-life from each initial logit

    def cell(self, lr=None, cost=None):
        return DONUT_LRS.index(self.config.lr if lr is None else lr), \
            DONUT_COSTS.index(self.config.cost if cost is None else cost)

    def size(self, theta):
        return expected_loops(_sigmoid(theta), self.config.max_loops)

    @property
    def size0(self) -> float:
        """The habit's initial size (expected donuts per visit)."""
        return float(self.size(self.config.theta0))

    @functools.cached_property
    def half_lives(self) -> np.ndarray:
        return half_life(self.theta, self.config.max_loops)          # (lrs, costs, runs)

    @functools.cached_property
    def exact_half_lives(self) -> np.ndarray:
        return half_life(self.exact, self.config.max_loops)          # (lrs, costs)

    def halved_at_end(self) -> np.ndarray:
        """Per run: is the habit at most half its initial size when the budget ends? (lrs, costs, runs)"""
        return self.size(self.theta[-1]) <= self.size0 / 2

    def grown(self) -> np.ndarray:
        """Per run: is the habit larger at the end than at the start? (lrs, costs, runs)"""
        return self.size(self.theta[-1]) > self.size0

    def sweep_cell(self, baseline: bool, noise: float, lr: float, cost: float):
        return (0 if baseline else 1, DONUT_NOISES.index(noise), DONUT_SWEEP_LRS.index(lr),
                DONUT_SWEEP_COSTS.index(cost))

    def sweep_exact_half_life(self, lr, cost) -> float:
        return float(self.exact_half_lives[DONUT_LRS.index(lr), DONUT_COSTS.index(cost)])

    def summary(self) -> dict:
        out = {}
        halved, grown = self.halved_at_end(), self.grown()
        for i, lr in enumerate(DONUT_LRS):
            for j, cost in enumerate(DONUT_COSTS):
                key = f"lr={lr:g},cost={cost:g}"
                h = self.half_lives[i, j]
                out[f"exact_half_life[{key}]"] = float(self.exact_half_lives[i, j])
                out[f"median_half_life[{key}]"] = float(np.median(h))
                out[f"share_passed_half[{key}]"] = float(np.mean(np.isfinite(h)))
                out[f"share_halved_at_end[{key}]"] = float(np.mean(halved[i, j]))
                out[f"share_grown[{key}]"] = float(np.mean(grown[i, j]))
                out[f"mean_theta_change[{key}]"] = float(np.mean(self.theta[-1, i, j] - self.theta[0, i, j]))
                out[f"se_theta_change[{key}]"] = float(np.std(self.theta[-1, i, j]) / np.sqrt(self.config.runs))
        for b, base in enumerate((True, False)):
            for k, noise in enumerate(DONUT_NOISES):
                for i, lr in enumerate(DONUT_SWEEP_LRS):
                    for j, cost in enumerate(DONUT_SWEEP_COSTS):
                        key = f"baseline={int(base)},noise={noise:g},lr={lr:g},cost={cost:g}"
                        final, h = self.sweep_final[b, k, i, j], self.sweep_half[b, k, i, j]
                        out[f"sweep_share_halved_at_end[{key}]"] = float(np.mean(final <= self.size0 / 2))
                        out[f"sweep_share_grown[{key}]"] = float(np.mean(final > self.size0))
                        out[f"sweep_share_passed_half[{key}]"] = float(np.mean(np.isfinite(h)))
                        out[f"sweep_median_half_life[{key}]"] = float(np.median(h))
        for t, theta0 in enumerate(DONUT_THETA0S):
            for i, lr in enumerate(DONUT_LRS):
                for j, cost in enumerate(DONUT_COSTS):
                    out[f"exact_half_life[theta0={theta0:g},lr={lr:g},cost={cost:g}]"] = \
                        float(self.theta0_half[t, i, j])
        return out


@functools.lru_cache(maxsize=8)
def _train_donut(config: DonutConfig) -> DonutResult:
    """One vectorized REINFORCE call trains the marked grid (lr x cost at the config's noise and baseline) and
    the robustness sweep (baseline on/off x race noise x sweep lrs x sweep costs) side by side."""
    rng = np.random.default_rng(config.seed)
    runs = config.runs
    grid = [a.ravel() for a in np.broadcast_arrays(np.array(DONUT_LRS)[:, None, None],
                                                   np.array(DONUT_COSTS)[None, :, None], config.noise_std,
                                                   bool(config.baseline), np.zeros(runs))[:4]]
    sweep_shape = (2, len(DONUT_NOISES), len(DONUT_SWEEP_LRS), len(DONUT_SWEEP_COSTS), runs)
    sweep = [a.ravel() for a in np.broadcast_arrays(
        np.array(DONUT_SWEEP_LRS)[None, None, :, None, None], np.array(DONUT_SWEEP_COSTS)[None, None, None, :, None],
        np.array(DONUT_NOISES)[None, :, None, None, None], np.array([True, False])[:, None, None, None, None],
        np.zeros(sweep_shape))[:4]]
    lr, cost, noise, base = (np.concatenate([g, s]) for g, s in zip(grid, sweep))
    theta = donut_reinforce(config.theta0, lr, cost, n_visits=config.n_visits, max_loops=config.max_loops,
                            noise_std=noise, updates=config.updates, batch=config.batch, baseline=base, rng=rng)
    n_grid = grid[0].size
    main = theta[:, :n_grid].reshape(-1, len(DONUT_LRS), len(DONUT_COSTS), runs)
    swept = theta[:, n_grid:].reshape((-1,) + sweep_shape)
    exact = exact_trajectory(config.theta0, np.array(DONUT_LRS)[:, None], np.array(DONUT_COSTS)[None, :],
                             config.updates, config.n_visits, config.max_loops)
    theta0_half = np.array([half_life(exact_trajectory(t0, np.array(DONUT_LRS)[:, None],
                                                       np.array(DONUT_COSTS)[None, :], config.updates,
                                                       config.n_visits, config.max_loops), config.max_loops)
                            for t0 in DONUT_THETA0S])
    return DonutResult(config, main, exact, expected_loops(_sigmoid(swept[-1]), config.max_loops),
                       half_life(swept, config.max_loops), theta0_half)


def run_donut(config: DonutConfig) -> DonutResult:
    """Train the whole lr x cost grid and the noise/baseline sweep (cached; ``lr`` and ``cost`` only mark the
    setting shown)."""
    base = _train_donut(config.replace(lr=DONUT_LRS[0], cost=DONUT_COSTS[0]))
    result = DonutResult(config, base.theta, base.exact, base.sweep_final, base.sweep_half, base.theta0_half)
    result.__dict__.update(half_lives=base.half_lives, exact_half_lives=base.exact_half_lives)  # reuse the cache
    return result


# ------------------------------------------------------------------------------------------------- the bottle
@dataclass(frozen=True)
class ReachConfig(Config):
    """Reaching for the bottle with a crooked arm (every angle of REACH_ANGLES is always trained)."""

    angle: int = choice(50, REACH_ANGLES, doc="how crooked the arm is: its rotation in degrees (marked)")
    gain: float = param(0.8, low=0.0, low_open=True, ui=(0.2, 2.0, 0.1), doc="the arm's gain, > 0")
    lr: float = param(0.1, low=0.0, low_open=True, high=2.0, ui=(0.01, 1.0, 0.01), doc="delta-rule step, (0, 2]")
    noise_std: float = param(0.05, low=0.0, ui=(0.0, 0.3, 0.01), doc="motor noise std, >= 0")
    tolerance: float = param(0.3, low=0.0, low_open=True, ui=(0.05, 1.0, 0.05),
                             doc="reach counts as a success (reward 1) within this distance, > 0")
    reaches: int = param(300, low=1, high=100000, ui=(10, 2000, 10), doc="reaches per infant, >= 1")
    runs: int = param(20, low=1, high=1000, ui=(1, 100), doc="infants (seeds) per setting, >= 1")
    seed: int = param(0, low=0, widget="none", doc="seed of the runs")


def expected_reach_error(angle_deg: float, gain: float, lr: float, reaches: int) -> np.ndarray:
    """Closed form of the expected error matrix's RMS under the delta rule: ``E_n = (I - lr A / 2)^n (I - A)``
    (the expectation of ``u u^T`` over uniform unit directions is ``I / 2``; motor noise has mean zero).
    Returns ``||E_n||_F / sqrt(2)`` for n = 0 .. reaches (this is the error of the mean map, a lower bound on
    the mean error)."""
    A = arm_matrix(angle_deg, gain)
    step, E = np.eye(2) - lr * A / 2, np.eye(2) - A
    out = []
    for _ in range(reaches + 1):
        out.append(np.linalg.norm(E) / np.sqrt(2))
        E = step @ E
    return np.array(out)


@functools.lru_cache(maxsize=256)
def untrained_hit_rate(angle_deg: float, gain: float, noise_std: float, tolerance: float,
                       samples: int = 200_000) -> float:
    """Chance that the untrained arm (``W = I``) hits the bottle on one reach: ``(A - I) u`` has the same length
    ``|gain e^{i angle} - 1|`` for every unit ``u``, so this is P(|d + noise| < tolerance) for a fixed offset
    ``d``; estimated from ``samples`` noise draws of a fixed generator (exact 0 or 1 without noise)."""
    d = abs(gain * np.exp(1j * np.deg2rad(angle_deg)) - 1)
    noise = noise_std * np.random.default_rng(12345).normal(size=(samples, 2))
    return float(np.mean(np.hypot(d + noise[:, 0], noise[:, 1]) < tolerance))


@dataclass(frozen=True)
class ReachResult:
    config: ReachConfig
    errors: dict   # (angle, mode) -> (reaches + 1, runs)
    rewards: dict  # (angle, mode) -> (reaches, runs)
    gated: dict    # tolerance -> (errors, rewards) of the reward-gated learner at REACH_GATED_ANGLE

    def summary(self) -> dict:
        out = {}
        for tol, (e, r) in self.gated.items():
            key = f"{REACH_GATED_ANGLE} deg, tolerance {tol:g}"
            out[f"untrained_hit_rate[{key}]"] = untrained_hit_rate(REACH_GATED_ANGLE, self.config.gain,
                                                                   self.config.noise_std, tol)
            out[f"gated_share_improved_90[{key}]"] = float(np.mean(e[-1] < 0.1 * e[0]))
            out[f"gated_final_over_initial[{key}]"] = float(np.median(e[-1] / e[0]))
        for (angle, mode), e in self.errors.items():
            out[f"initial_error[{angle}]"] = float(e[0].mean())
            out[f"final_error[{mode} @ {angle}]"] = float(np.mean(e[-1]))
            out[f"share_improved_90[{mode} @ {angle}]"] = float(np.mean(e[-1] < 0.1 * e[0]))
            out[f"reward_rate[{mode} @ {angle}]"] = float(self.rewards[angle, mode].mean())
            out[f"first_reward_rate[{mode} @ {angle}]"] = float(self.rewards[angle, mode][:20].mean())
            out[f"untrained_hit_rate[{angle}]"] = untrained_hit_rate(angle, self.config.gain, self.config.noise_std,
                                                                     self.config.tolerance)
            out[f"final_over_initial[{mode} @ {angle}]"] = float(np.median(e[-1] / e[0]))
        return out


@functools.lru_cache(maxsize=8)
def _train_reach(config: ReachConfig) -> ReachResult:
    errors, rewards = {}, {}
    for k, angle in enumerate(REACH_ANGLES):
        for m, mode in enumerate(REACH_MODES):
            rng = np.random.default_rng([config.seed, k, m])
            errors[angle, mode], rewards[angle, mode] = train_reach(
                arm_matrix(angle, config.gain), reaches=config.reaches, lr=config.lr, noise_std=config.noise_std,
                tolerance=config.tolerance, mode=mode, runs=config.runs, rng=rng)
    gated = {}
    for k, tol in enumerate(REACH_TOLERANCES):
        rng = np.random.default_rng([config.seed, 99, k])
        gated[tol] = train_reach(arm_matrix(REACH_GATED_ANGLE, config.gain), reaches=config.reaches, lr=config.lr,
                                 noise_std=config.noise_std, tolerance=tol, mode="reward-gated", runs=config.runs,
                                 rng=rng)
    return ReachResult(config, errors, rewards, gated)


def run_reach(config: ReachConfig) -> ReachResult:
    """Train every angle and mode, and the reward-gated learner over REACH_TOLERANCES at REACH_GATED_ANGLE
    (cached; ``angle`` only marks the setting shown)."""
    base = _train_reach(config.replace(angle=REACH_ANGLES[0]))
    return ReachResult(config, base.errors, base.rewards, base.gated)


# ------------------------------------------------------------------------------------------------- the grid
@dataclass(frozen=True)
class GridConfig(Config):
    """The goal-conditioned grid where only g* (the last cell) is rewarded (every size of GRID_SIZES trained)."""

    n: int = choice(5, GRID_SIZES, doc="grid side (marked setting); goals = cells")
    episodes: int = param(2000, low=8, high=200000, ui=(200, 8000, 200), doc="training episodes per run, >= 8")
    runs: int = param(10, low=1, high=200, ui=(1, 30), doc="runs (seeds) per learner and size, >= 1")
    envs: int = param(8, low=1, high=64, ui=(1, 32), doc="episodes run side by side per run, >= 1")
    gamma: float = param(0.9, low=0.0, high=1.0, high_open=True, ui=(0.5, 0.99, 0.01), doc="discount, [0, 1)")
    alpha: float = param(0.5, low=0.0, high=1.0, low_open=True, ui=(0.05, 1.0, 0.05), doc="step size, (0, 1]")
    epsilon: float = param(0.2, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05), doc="exploration rate, [0, 1]")
    relabels: int = param(4, low=1, high=16, ui=(1, 8), doc="hindsight goals per step, >= 1")
    eval_every: int = param(80, low=8, high=100000, ui=(8, 800, 8), doc="episodes between evaluations, >= 8")
    solved: float = param(0.9, low=0.0, high=1.0, low_open=True, ui=(0.5, 1.0, 0.05),
                          doc="a goal counts as solved when greedy success over starts reaches this")
    all_sizes: bool = param(True, doc="train every size of GRID_SIZES (False: only n, e.g. in quick mode)")
    seed: int = param(0, low=0, widget="none", doc="seed of the runs")

    def check(self) -> None:
        if self.eval_every % self.envs:
            raise self.invalid("eval_every", f"a multiple of envs = {self.envs}")


def horizon(n: int) -> int:
    """Steps per episode on an n x n grid: twice the longest shortest path."""
    return 4 * (n - 1)


@dataclass(frozen=True)
class GridResult:
    config: GridConfig
    runs: dict  # (n, learner) -> dict(curve (evals, runs, goals), episodes_at, reward_events (runs,))

    def curve(self, n, learner):
        return self.runs[n, learner]["curve"]

    def rewarded(self, n, learner):
        """Greedy success on g* at each evaluation: (evals, runs)."""
        return self.curve(n, learner)[:, :, -1]

    def others_solved(self, n, learner):
        """Share of never-rewarded goals solved at each evaluation: (evals, runs)."""
        return (self.curve(n, learner)[:, :, :-1] >= self.config.solved).mean(-1)

    def others_success(self, n, learner):
        return self.curve(n, learner)[:, :, :-1].mean(-1)

    def episodes_needed(self, values, n, learner, level):
        """Episodes until ``values`` (evals, runs) first reach ``level``, per run (inf if never)."""
        at = self.runs[n, learner]["episodes_at"]
        ok = values >= level
        return np.where(ok.any(0), at[np.argmax(ok, axis=0)], np.inf)

    def summary(self) -> dict:
        out = {}
        for (n, learner), r in self.runs.items():
            key = f"{learner} @ {n}"
            out[f"rewarded_success[{key}]"] = float(self.rewarded(n, learner)[-1].mean())
            late = self.rewarded(n, learner)[-LATE_EVALS:].mean(0)               # per run
            out[f"rewarded_late[{key}]"] = float(late.mean())
            out[f"share_reliable[{key}]"] = float(np.mean(late >= 0.98))
            out[f"others_solved[{key}]"] = float(self.others_solved(n, learner)[-1].mean())
            out[f"others_success[{key}]"] = float(self.others_success(n, learner)[-1].mean())
            out[f"reward_events[{key}]"] = float(r["reward_events"].mean())
            need = self.episodes_needed(self.rewarded(n, learner), n, learner, self.config.solved)
            out[f"episodes_to_rewarded[{key}]"] = float(np.median(need))
            need = self.episodes_needed(self.others_solved(n, learner), n, learner, 0.5)
            out[f"episodes_to_half_others[{key}]"] = float(np.median(need))
            need = self.episodes_needed(self.others_solved(n, learner), n, learner, 0.9)
            out[f"episodes_to_most_others[{key}]"] = float(np.median(need))
        return out


def random_walk_success(n: int) -> float:
    """Exact success rate of a uniform random walk within the horizon, averaged over starts and goals
    (the reference for a goal nothing was learned about)."""
    from ..envs.reinforcement_without_reward import grid_step
    cells = n * n
    total = 0.0
    for goal in range(cells):
        dist = np.full(cells, 1.0 / cells)  # start uniform; mass absorbed at the goal
        reached = dist[goal]
        dist[goal] = 0.0
        for _ in range(horizon(n)):
            new = np.zeros(cells)
            for a in range(4):
                np.add.at(new, grid_step(np.arange(cells), np.full(cells, a), n), dist / 4)
            reached += new[goal]
            new[goal] = 0.0
            dist = new
        total += reached
    return total / cells


@functools.lru_cache(maxsize=8)
def _train_grid(config: GridConfig) -> GridResult:
    runs = {}
    for n in (GRID_SIZES if config.all_sizes else (config.n,)):
        for k, learner in enumerate(GRID_LEARNERS):
            rng = np.random.default_rng([config.seed, n, k])
            runs[n, learner] = train_goal_grid(
                learner, n=n, episodes=config.episodes, envs=config.envs, runs=config.runs, horizon=horizon(n),
                gamma=config.gamma, alpha=config.alpha, epsilon=config.epsilon, relabels=config.relabels, rng=rng,
                eval_every=config.eval_every)
            runs[n, learner].pop("Q")
    return GridResult(config, runs)


def run_grid(config: GridConfig) -> GridResult:
    """Train every learner at every size (cached; ``n`` only marks the size shown), or at ``n`` only. The
    ``solved`` level only scores the cached curves (changing it never retrains)."""
    key = config.replace(solved=GridConfig.solved)
    return GridResult(config, _train_grid(key.replace(n=GRID_SIZES[0]) if config.all_sizes else key).runs)
