"""Lesson 07: selection on relative payoff need not raise the mean payoff; on a fixed reward it does.

Self-play REINFORCE in Hawk-Dove (:mod:`rlcore.learners.selfplay`) from a mostly-dove start, against:

* the **expected dynamics** of the same learner (its expected update iterated, no sampling):
  theta_{t+1} = theta_t + lr * p_t (1 - p_t) (f_H(q_t) - f_D(q_t)), q_t = the opponent's hawk share;
* the **replicator dynamics** dp/ds = p (1 - p) (f_H(p) - f_D(p)), solved to numerical precision (RK4 with
  fine steps) and read at the learner's own clock s_t = sum_{k<t} lr p_k (1 - p_k): softmax REINFORCE is the
  replicator equation run at a state-dependent speed (same orbit, same rest point p* = min(1, V/C));
* the **controls**: a frozen opponent (a stationary bandit: the policy gradient theorem says expected reward
  rises) and a shared reward (each seat paid the pair's mean: now the learner climbs J(p) itself);
* **one agent against its own past** (each action's payoff depends on how often the agent chose it lately):
  the competition moved inside one agent, where REINFORCE equalizes the payoffs of its actions (Herrnstein's
  melioration) instead of maximizing their total; and its control, the same agent crediting each action with
  the rewards of the following rounds (:func:`credit_horizon_sweep`), which does not meliorate.

The quantity every claim is about is the population's expected mean payoff J(p) = V/2 - C p^2 / 2 (self-play
and shared reward) or the learner's expected reward against the frozen opponent.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from ..config import Config, param
from ..envs.hawk_dove import hawk_dove_fitness, mean_payoff
from ..learners.selfplay import SelfPlayConfig, train_against_own_past, train_selfplay
from ..seeding import derive_seed

__all__ = ["RelativeFitnessConfig", "RelativeFitnessResult", "run_relative_fitness", "expected_dynamics",
           "replicator_path", "selfplay_logit_gradient", "rest_point", "cost_sweep",
           "run_relative_fitness_cached", "credit_horizon_sweep"]

CONDITIONS = ("self", "frozen", "team", "past")


@dataclass(frozen=True)
class RelativeFitnessConfig(Config):
    """Lesson 07's experiment: the game, the start, the learner and how many runs."""

    value: float = param(2.0, low=0.0, low_open=True, ui=(0.5, 4.0, 0.1), doc="V, value of the resource, > 0")
    cost: float = param(4.0, low=0.0, low_open=True, ui=(0.5, 12.0, 0.5), doc="C, cost of losing a fight, > 0")
    initial_hawk: float = param(0.05, low=0.0, high=1.0, low_open=True, high_open=True, ui=(0.01, 0.99, 0.01),
                                doc="hawk probability at the start, in (0, 1)")
    learning_rate: float = param(0.5, low=0.0, low_open=True, ui=(0.05, 2.0, 0.05), doc="step size, > 0")
    steps: int = param(300, low=1, ui=(50, 600, 50), doc="updates per run, >= 1")
    games: int = param(32, low=1, ui=(1, 64), doc="rounds per update, >= 1")
    runs: int = param(20, low=1, ui=(1, 30), doc="independent runs (seeds) per condition, >= 1")
    seed: int = param(0, low=0, ui=(0, 20), doc="first seed; run i of condition c uses a seed derived from it")


def rest_point(value: float, cost: float) -> float:
    """The evolutionarily stable hawk share: V/C when C > V, else 1 (all hawks)."""
    return float(min(1.0, value / cost))


def selfplay_logit_gradient(p, value, cost):
    """Expected self-play REINFORCE update of the hawk logit per unit step: p (1 - p) (f_H(p) - f_D(p))."""
    p = np.asarray(p, dtype=np.float64)
    f = hawk_dove_fitness(p, value, cost)
    return p * (1 - p) * (f[..., 0] - f[..., 1])


def expected_dynamics(config: RelativeFitnessConfig, opponent: str = "self") -> np.ndarray:
    """The learner's expected update iterated from the start (no sampling); hawk share, shape (steps + 1,)."""
    v, c, p0 = config.value, config.cost, config.initial_hawk
    theta = math.log(p0 / (1 - p0))
    out = np.empty(config.steps + 1)
    for t in range(config.steps + 1):
        p = 1 / (1 + math.exp(-theta))
        out[t] = p
        q = p0 if opponent == "frozen" else p
        if opponent == "team":  # d/dp of J(p) = V/2 - C p^2/2, split over the two seats
            drift = p * (1 - p) * (-c * p / 2)
        else:  # f_H(q) - f_D(q) = (V - C q)/2
            drift = p * (1 - p) * (v - c * q) / 2
        theta += config.learning_rate * drift
    return out


def replicator_path(p0: float, value: float, cost: float, times: np.ndarray, substeps: int = 8) -> np.ndarray:
    """Solve dp/ds = p (1 - p) (f_H - f_D) = p (1 - p)(V - C p)/2 from p(0) = p0 and return p at the
    increasing ``times`` (classic RK4, ``substeps`` steps per interval)."""
    def field(p):
        return p * (1 - p) * (value - cost * p) / 2

    out, p, s = np.empty(len(times)), float(p0), 0.0
    for i, target in enumerate(np.asarray(times, dtype=float).tolist()):
        h = (target - s) / substeps
        for _ in range(substeps):
            k1 = field(p)
            k2 = field(p + h * k1 / 2)
            k3 = field(p + h * k2 / 2)
            k4 = field(p + h * k3)
            p += h * (k1 + 2 * k2 + 2 * k3 + k4) / 6
        s = target
        out[i] = p
    return out


@dataclass(frozen=True)
class RelativeFitnessResult:
    """Hawk shares per condition (``hawk[c]`` of shape (steps + 1, runs)) and the exact references."""

    config: RelativeFitnessConfig
    hawk: dict
    expected: dict
    replicator: np.ndarray
    opponent: dict

    def payoff(self, condition: str) -> np.ndarray:
        """The expected reward of each run at each step: J(p) for self-play and team, f(p; frozen start) for
        the frozen opponent."""
        c, p = self.config, self.hawk[condition]
        if condition in ("frozen", "past"):  # the learner's expected reward against its opponent
            f = hawk_dove_fitness(self.opponent[condition], c.value, c.cost)
            return p * f[..., 0] + (1 - p) * f[..., 1]
        return mean_payoff(p, c.value, c.cost)

    def summary(self) -> dict:
        c = self.config
        out = {"rest_point": rest_point(c.value, c.cost), "all_dove_payoff": c.value / 2,
               "rest_point_payoff": float(mean_payoff(rest_point(c.value, c.cost), c.value, c.cost))}
        for cond in CONDITIONS:
            pay, hawk = self.payoff(cond), self.hawk[cond]
            out[cond] = {"initial_payoff": float(pay[0].mean()), "final_payoff": float(pay[-1].mean()),
                         "final_payoff_max": float(pay[-1].max()), "final_payoff_min": float(pay[-1].min()),
                         "final_hawk": float(hawk[-1].mean()), "final_hawk_min": float(hawk[-1].min()),
                         "final_hawk_max": float(hawk[-1].max()),
                         "share_of_runs_payoff_fell": float(np.mean(pay[-1] < pay[0] - 0.05)),
                         "share_of_runs_payoff_rose": float(np.mean(pay[-1] > pay[0] + 0.05))}
        runs_mean = self.hawk["self"].mean(1)
        out["self"]["max_gap_to_expected_dynamics"] = float(np.abs(runs_mean - self.expected["self"]).max())
        out["self"]["max_gap_expected_to_replicator"] = float(np.abs(self.expected["self"] - self.replicator).max())
        out["frozen"]["max_gap_to_expected_dynamics"] = float(np.abs(self.hawk["frozen"].mean(1)
                                                                     - self.expected["frozen"]).max())
        return out


def run_relative_fitness(config: RelativeFitnessConfig, progress=None) -> RelativeFitnessResult:
    """All three conditions from the same start, ``config.runs`` runs each, plus the exact references."""
    hawk, expected, opponent = {}, {}, {}
    for i, cond in enumerate(CONDITIONS):
        learner = SelfPlayConfig(learning_rate=config.learning_rate, steps=config.steps, games=config.games,
                                 opponent=cond)
        hawk[cond], opponent[cond] = train_selfplay(learner, config.runs, config.initial_hawk, config.value,
                                                    config.cost, seed=derive_seed(config.seed, cond),
                                                    return_opponent=True)
        if cond != "past":
            expected[cond] = expected_dynamics(config, cond)
        if progress is not None:
            progress((i + 1) / len(CONDITIONS))
    p = expected["self"]
    clock = np.concatenate([[0.0], np.cumsum(config.learning_rate * p[:-1] * (1 - p[:-1]))])
    replicator = replicator_path(config.initial_hawk, config.value, config.cost, clock)
    return RelativeFitnessResult(config, hawk, expected, replicator, opponent)


def cost_sweep(config: RelativeFitnessConfig, costs=(1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0)) -> dict:
    """Self-play at each cost C (everything else from ``config``): the measured fall of the mean payoff from
    its start, beside the replicator prediction J(p0) - J(p*)."""
    measured, predicted, hawk = [], [], []
    for cost in costs:
        cfg = config.replace(cost=float(cost))
        learner = SelfPlayConfig(learning_rate=cfg.learning_rate, steps=cfg.steps, games=cfg.games)
        p = train_selfplay(learner, cfg.runs, cfg.initial_hawk, cfg.value, cfg.cost,
                           seed=derive_seed(cfg.seed, "sweep", int(cost * 100)))
        pay = mean_payoff(p, cfg.value, cfg.cost)
        measured.append(float((pay[0] - pay[-1]).mean()))
        hawk.append(float(p[-1].mean()))
        p_star = rest_point(cfg.value, cfg.cost)
        predicted.append(float(mean_payoff(cfg.initial_hawk, cfg.value, cfg.cost)
                               - mean_payoff(p_star, cfg.value, cfg.cost)))
    return {"value": config.value, "costs": [float(c) for c in costs], "measured_fall": measured,
            "predicted_fall": predicted, "final_hawk": hawk}


@functools.lru_cache(maxsize=64)
def run_relative_fitness_cached(config: RelativeFitnessConfig) -> RelativeFitnessResult:
    """:func:`run_relative_fitness`, remembered per config (a widget moved back answers at once)."""
    return run_relative_fitness(config)


def credit_horizon_sweep(config: RelativeFitnessConfig, horizons=(1, 2, 5, 10, 20, 40),
                         far_sighted: bool = True) -> dict:
    """One agent against its own recent past, in episodes of ``horizon`` rounds whose memory follows every
    round, crediting each action with the rewards of the rest of its episode (``far_sighted``) or with its own
    round's reward only (the myopic control; :func:`rlcore.learners.selfplay.train_against_own_past`;
    horizon 1 = each round on its own either way). Per horizon: the final hawk share and the agent's final
    expected reward against its recent past (mean, min and max over ``config.runs`` runs)."""
    out = {"horizons": [int(h) for h in horizons], "far_sighted": bool(far_sighted), "initial_payoff": None}
    for key in ("final_hawk", "final_hawk_min", "final_hawk_max", "final_payoff", "final_payoff_min",
                "final_payoff_max"):
        out[key] = []
    for h in horizons:
        learner = SelfPlayConfig(learning_rate=config.learning_rate, steps=config.steps, games=config.games,
                                 opponent="past")
        p, q = train_against_own_past(learner, config.runs, config.initial_hawk, config.value, config.cost,
                                      seed=derive_seed(config.seed, "horizon", int(h)), horizon=int(h),
                                      far_sighted=far_sighted)
        f = hawk_dove_fitness(q, config.value, config.cost)
        pay = p * f[..., 0] + (1 - p) * f[..., 1]
        out["initial_payoff"] = float(pay[0].mean())
        for key, arr in (("final_hawk", p[-1]), ("final_payoff", pay[-1])):
            out[key].append(float(arr.mean()))
            out[key + "_min"].append(float(arr.min()))
            out[key + "_max"].append(float(arr.max()))
    return out
