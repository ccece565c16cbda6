"""Lesson 09's exercises: tau_lock from a nu series, and one race's REINFORCE update with and without a baseline."""

from __future__ import annotations

import numpy as np

from ..analysis.ladder import lock_in_time
from . import Case, Exercise, Mistake, register


def lock_in_window(nu: np.ndarray, threshold: float, min_tail: int) -> int:
    """tau_lock: the first window t with nu[s] < threshold for every s >= t; -1 when there is none or when that
    final stretch below the threshold is shorter than ``min_tail`` windows."""
    tau = lock_in_time(np.asarray(nu, dtype=np.float64), threshold, min_tail)
    return -1 if tau is None else tau


def _first_dip(nu, threshold, min_tail):
    below = np.flatnonzero(np.asarray(nu) < threshold)
    return int(below[0]) if below.size else -1


def _last_above(nu, threshold, min_tail):
    tau = lock_in_window(nu, threshold, min_tail)
    return tau - 1 if tau > 0 else tau


def _lock_cases(rng: np.random.Generator):
    yield Case(dict(nu=np.array([1.0, 0.9, 0.6, 0.15, 0.3, 0.1, 0.05, 0.0, 0.0, 0.0]), threshold=0.2, min_tail=2),
               "a dip below 0.2 at window 3, a recovery, then a lock-in from window 5")
    yield Case(dict(nu=np.array([1.0, 0.8, 0.7, 0.9, 0.6, 0.5]), threshold=0.2, min_tail=1), "a run that never locks")
    yield Case(dict(nu=np.array([1.0, 0.9, 0.8, 0.7, 0.6, 0.1]), threshold=0.2, min_tail=2),
               "a dip in the last window only (shorter than min_tail)")
    yield Case(dict(nu=np.array([1.0, 0.5, 0.2, 0.2, 0.1, 0.1]), threshold=0.2, min_tail=1),
               "nu exactly at the threshold (0.2 is not below 0.2)")
    yield Case(dict(nu=np.array([0.1, 0.05, 0.0, 0.0]), threshold=0.2, min_tail=1),
               "a run locked from the initial policy on (tau_lock 0)")
    for k in range(4):
        nu = np.r_[rng.uniform(0.0, 1.5, size=rng.integers(2, 8)), rng.uniform(0.0, 0.19, size=rng.integers(1, 8))]
        yield Case(dict(nu=nu, threshold=0.2, min_tail=int(rng.integers(1, 4))), f"random series {k}")


lock_window = register(Exercise(
    name="lock_in_window", lesson="09_ladder_1_reflex",
    prompt="lock_in_window(nu, threshold, min_tail) -> tau_lock, the first window after which nu stays below the "
           "threshold (-1: none)",
    reference=lock_in_window,
    cases=_lock_cases,
    mistakes=(
        Mistake("no minimum tail", lambda nu, threshold, min_tail: lock_in_window(nu, threshold, 1),
                "a stretch below the threshold shorter than min_tail windows (a dip at the end of training) is "
                "not a lock-in: return -1 for it"),
        Mistake("first dip", _first_dip,
                "a lock-in is the window after which nu STAYS below the threshold, not the first window below it: "
                "look for the last window at or above the threshold"),
        Mistake("last window above", _last_above,
                "tau_lock is the window after the last one at or above the threshold, not that window itself"),
        Mistake("at the threshold counts as below",
                lambda nu, threshold, min_tail: lock_in_window(np.where(np.asarray(nu) == threshold,
                                                                        threshold - 1e-9, nu), threshold, min_tail),
                "below means nu < threshold: a window exactly at the threshold is not below it"),
    ),
))


def reinforce_race_update(logits: np.ndarray, positions: np.ndarray, actions: np.ndarray, rewards: np.ndarray,
                          learning_rate: float, baseline: float) -> np.ndarray:
    """One race's REINFORCE update of per-cell steering logits (shape (cells, 2)); returns the updated copy:

        theta[x_t] += lr * (U_t - b) * (e_{a_t} - pi(. | x_t)),   U_t = sum_{s >= t} r_s,

    with pi = softmax(theta) taken from the logits *before* the update and b the baseline (0: none).
    """
    theta = np.array(logits, dtype=np.float64, copy=True)
    z = theta - theta.max(axis=1, keepdims=True)
    pi = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    to_go = np.cumsum(np.asarray(rewards, dtype=np.float64)[::-1])[::-1]
    grad = np.zeros_like(theta)
    for x, a, u in zip(positions, actions, to_go):
        grad[x] += (u - baseline) * (np.eye(2)[a] - pi[x])
    return theta + learning_rate * grad


def _race_cases(rng: np.random.Generator):
    for cells, steps in ((3, 4), (7, 12), (7, 30)):
        for baseline in (0.0, float(rng.uniform(0.1, 0.6))):
            r = np.where(rng.random(steps) < 0.4, 0.026, 0.0)
            r[-1] += rng.uniform(0.3, 0.9)
            yield Case(dict(logits=rng.normal(size=(cells, 2)), positions=rng.integers(0, cells, size=steps),
                            actions=rng.integers(0, 2, size=steps), rewards=r,
                            learning_rate=float(rng.uniform(0.2, 2.0)), baseline=baseline),
                       f"{cells} cells, a race of {steps} steps, baseline {baseline:.2f}")
    yield Case(dict(logits=np.zeros((2, 2)), positions=np.array([0, 0, 1]), actions=np.array([1, 1, 0]),
                    rewards=np.zeros(3), learning_rate=1.0, baseline=0.0),
               "a race without any reward and no baseline (the update is exactly zero)")


def _no_baseline(logits, positions, actions, rewards, learning_rate, baseline):
    return reinforce_race_update(logits, positions, actions, rewards, learning_rate, 0.0)


def _total_return(logits, positions, actions, rewards, learning_rate, baseline):
    rewards = np.asarray(rewards, dtype=np.float64)
    total = np.full_like(rewards, rewards.sum())
    theta = np.array(logits, dtype=np.float64, copy=True)
    z = theta - theta.max(axis=1, keepdims=True)
    pi = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    grad = np.zeros_like(theta)
    for x, a, u in zip(positions, actions, total):
        grad[x] += (u - baseline) * (np.eye(2)[a] - pi[x])
    return theta + learning_rate * grad


def _no_pi(logits, positions, actions, rewards, learning_rate, baseline):
    theta = np.array(logits, dtype=np.float64, copy=True)
    to_go = np.cumsum(np.asarray(rewards, dtype=np.float64)[::-1])[::-1]
    for x, a, u in zip(positions, actions, to_go):
        theta[x] += learning_rate * (u - baseline) * np.eye(2)[a]
    return theta


race_update = register(Exercise(
    name="reinforce_race_update", lesson="09_ladder_1_reflex",
    prompt="reinforce_race_update(logits, positions, actions, rewards, learning_rate, baseline) -> the logits "
           "after one race's REINFORCE update (a copy)",
    reference=reinforce_race_update,
    cases=_race_cases,
    mistakes=(
        Mistake("baseline ignored", _no_baseline,
                "subtract the baseline from every reward-to-go: (U_t - b), not U_t"),
        Mistake("whole return instead of reward-to-go", _total_return,
                "credit each step with the reward from that step on (U_t = sum of r_s for s >= t), not the whole "
                "race's return: a step cannot cause rewards that came before it"),
        Mistake("score without pi", _no_pi,
                "the score of a softmax policy is e_a - pi(. | x): without subtracting pi every sampled action "
                "only ever goes up"),
        Mistake("baseline added", lambda **kw: reinforce_race_update(**{**kw, "baseline": -kw["baseline"]}),
                "the baseline is subtracted (U_t - b), not added"),
    ),
))
