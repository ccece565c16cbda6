"""The first live experiment of the collection: REINFORCE on a two-armed Bernoulli bandit, over many seeds.

Each run starts from the uniform policy and makes ``steps`` pulls, one REINFORCE update each (see
:mod:`rlcore.learners.reinforce`). The quantities a reader watches, and the 00 notebook's claims are about:

* p_best(t): the probability the policy gives the better arm before pull t, per run;
* J(t) = sum_a pi_a(t) mu_a: the expected reward of the policy before pull t;
* the fraction of runs whose final p_best is at least ``success_prob`` (they found the better arm).

**Lock-in.** A run is *locked in* on an arm when its final probability of that arm is at least the lock-in
threshold ``success_prob`` = 0.9; a worse-arm lock-in is a run whose final probability of the worse arm is
>= 0.9 (with two arms: p_best <= 0.1). :func:`lock_in_rates` measures the rates over many runs and a grid of
learning rates at once (with and without the baseline), for the lesson's "try this" predictions.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import gymnasium as gym
import numpy as np

from ..config import Config, param
from ..learners.reinforce import ReinforceConfig, train_reinforce_bandit, train_reinforce_bernoulli
from ..seeding import derive_seed
from .bandits import expected_reward

__all__ = ["StartHereConfig", "StartHereResult", "run_start_here", "lock_in_rates", "lock_in_rates_cached",
           "lock_in_recovery", "LEARNING_RATES", "RECOVERY_RATES"]

#: The learning rates of the lock-in sweep (log-spaced, around the lesson's 0.5 and the "try this" 5).
LEARNING_RATES = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)
#: The learning rates at which worse-arm lock-ins are common enough to ask whether they last.
RECOVERY_RATES = (2.0, 5.0, 10.0)


@dataclass(frozen=True)
class StartHereConfig(Config):
    """The 00 experiment: arm success probabilities, learner settings and how many seeds to run."""

    p_left: float = param(0.3, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05), doc="success probability of arm 0")
    p_right: float = param(0.7, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05), doc="success probability of arm 1")
    learning_rate: float = param(0.5, low=0.0, low_open=True, widget="text",
                                 doc="REINFORCE step size, > 0 (type a value)")
    steps: int = param(300, low=1, ui=(20, 1000, 20), doc="pulls per run, >= 1")
    baseline: bool = param(False, doc="subtract the running mean reward (cuts variance, keeps the mean)")
    runs: int = param(20, low=1, ui=(1, 50), doc="independent runs (seeds) drawn, >= 1")
    seed: int = param(0, low=0, ui=(0, 20), doc="first seed; run i uses a seed derived from (seed, i)")
    success_prob: float = param(0.9, low=0.5, high=1.0, widget="none",
                                doc="lock-in threshold: a run is locked in on an arm when its final "
                                    "probability of that arm is at least this")


@dataclass(frozen=True)
class StartHereResult:
    """Per-run curves of the experiment (arrays of shape (runs, steps))."""

    config: StartHereConfig
    p_best: np.ndarray
    expected_reward: np.ndarray

    @property
    def best_mean(self) -> float:
        return max(self.config.p_left, self.config.p_right)

    @property
    def found_fraction(self) -> float:
        """Fraction of runs whose final p_best >= success_prob."""
        return float(np.mean(self.p_best[:, -1] >= self.config.success_prob))

    @property
    def worse_locked(self) -> np.ndarray:
        """Per run: True where the final probability of the worse arm is >= the lock-in threshold."""
        return 1.0 - self.p_best[:, -1] >= self.config.success_prob

    def summary(self) -> dict:
        """The numbers the notebook reports (and its tests check)."""
        return {
            "found_fraction": self.found_fraction,
            "worse_locked_fraction": float(self.worse_locked.mean()),
            "lock_threshold": self.config.success_prob,
            "initial_expected_reward": float(self.expected_reward[:, 0].mean()),
            "final_expected_reward": float(self.expected_reward[:, -1].mean()),
            "final_p_best_mean": float(self.p_best[:, -1].mean()),
            "best_mean": self.best_mean,
        }


def run_start_here(config: StartHereConfig, progress=None) -> StartHereResult:
    """Run ``config.runs`` independent REINFORCE runs; ``progress(fraction)`` is called after each run."""
    means = (config.p_left, config.p_right)
    best = int(np.argmax(means))
    learner = ReinforceConfig(learning_rate=config.learning_rate, steps=config.steps, baseline=config.baseline)
    p_best, value = [], []
    for i in range(config.runs):
        env = gym.make("rlcore/BernoulliBandit-v0", means=means)
        probs = train_reinforce_bandit(env, learner, seed=derive_seed(config.seed, i)).steps("probs")
        p_best.append(probs[:, best])
        value.append(expected_reward(probs, means))
        if progress is not None:
            progress((i + 1) / config.runs)
    return StartHereResult(config, np.array(p_best), np.array(value))


def lock_in_rates(config: StartHereConfig, learning_rates=LEARNING_RATES, runs: int = 200,
                  baselines=(False, True)) -> dict:
    """Lock-in rates over ``runs`` runs per learning rate, for each baseline setting, on ``config``'s arms.

    Returns ``learning_rates`` and, per baseline (key ``"baseline"`` / ``"no baseline"``), arrays over the
    learning rates: ``worse`` (fraction of runs whose final probability of the worse arm is >= the lock-in
    threshold), ``better`` (same for the better arm) and ``committed`` (either arm). With equal arms "better"
    is arm 0 (p_left). Seeds derive from (config.seed, baseline), so each rate uses fresh runs.
    """
    means = np.array([config.p_left, config.p_right])
    best = int(np.argmax(means))
    lrs = np.repeat(np.asarray(learning_rates, dtype=np.float64), runs)
    out = {"learning_rates": tuple(learning_rates), "runs": runs, "threshold": config.success_prob}
    for b in baselines:
        final = train_reinforce_bernoulli(means, lrs, config.steps, b, derive_seed(config.seed, "lock", int(b)))[-1]
        final = final.reshape(len(learning_rates), runs, 2)
        better = final[..., best] >= config.success_prob
        worse = final[..., 1 - best] >= config.success_prob
        out["baseline" if b else "no baseline"] = {"worse": worse.mean(1), "better": better.mean(1),
                                                   "committed": (better | worse).mean(1)}
    return out


def lock_in_rates_cached(config: StartHereConfig, runs: int = 100) -> dict:
    """:func:`lock_in_rates` over :data:`LEARNING_RATES` and both baseline settings, cached. The sweep does not
    depend on the config's own learning rate, baseline or run count, so a panel changing those redraws without
    re-running it."""
    return _cached_rates(config.replace(learning_rate=0.5, baseline=False, runs=1), runs)


@lru_cache(maxsize=64)
def _cached_rates(config: StartHereConfig, runs: int) -> dict:
    return lock_in_rates(config, LEARNING_RATES, runs)


def lock_in_recovery(config: StartHereConfig, learning_rates=RECOVERY_RATES, runs: int = 400, extend: int = 10,
                     baselines=(False, True)) -> dict:
    """Does a worse-arm lock-in last? Run ``runs`` runs per learning rate for ``extend`` times the budget
    (``config.steps``); among the runs locked onto the worse arm at the end of the budget (probability of the
    worse arm >= the lock-in threshold), count those still locked at ``extend * steps`` pulls.

    Returns ``learning_rates``, ``runs``, ``budget``, ``horizon`` and, per baseline key, arrays over the
    learning rates: ``locked`` (runs locked onto the worse arm at the budget), ``still_locked`` (of those, still
    locked at the horizon) and ``recovered`` (1 - still_locked / locked: the share that found the better arm
    again; nan where no run was locked).
    """
    means = np.array([config.p_left, config.p_right])
    worse_arm = 1 - int(np.argmax(means))
    lrs = np.repeat(np.asarray(learning_rates, dtype=np.float64), runs)
    horizon = extend * config.steps
    out = {"learning_rates": tuple(learning_rates), "runs": runs, "budget": config.steps, "horizon": horizon}
    for b in baselines:
        probs = train_reinforce_bernoulli(means, lrs, horizon, b, derive_seed(config.seed, "recovery", int(b)))
        at_budget = probs[config.steps - 1, :, worse_arm].reshape(len(learning_rates), runs) >= config.success_prob
        at_end = probs[-1, :, worse_arm].reshape(len(learning_rates), runs) >= config.success_prob
        locked, still = at_budget.sum(1), (at_budget & at_end).sum(1)
        out["baseline" if b else "no baseline"] = {
            "locked": locked, "still_locked": still,
            "recovered": np.where(locked > 0, 1 - still / np.maximum(locked, 1), np.nan)}
    return out
