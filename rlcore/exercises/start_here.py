"""Lesson 00's exercises: one REINFORCE update on a bandit, and the lock-in counts of many runs."""

from __future__ import annotations

import numpy as np

from ..learners.softmax import score_function, softmax
from . import Case, Exercise, Mistake, register


def reinforce_step(logits: np.ndarray, action: int, reward: float, baseline: float,
                   learning_rate: float) -> np.ndarray:
    """One bandit REINFORCE update, as in :func:`rlcore.learners.reinforce.train_reinforce_bandit`:
    theta + learning_rate * (reward - baseline) * (onehot(action) - softmax(theta)); returns a new array."""
    logits = np.asarray(logits, dtype=np.float64)
    return logits + learning_rate * (reward - baseline) * score_function(logits, action)


def _step_cases(rng: np.random.Generator):
    for k in (2, 3, 5):
        for reward in (1.0, 0.0):
            yield Case(dict(logits=rng.normal(size=k), action=int(rng.integers(k)), reward=reward,
                            baseline=float(rng.uniform(0.1, 0.9)), learning_rate=float(rng.uniform(0.1, 2.0))),
                       f"{k} arms, reward {reward:g}, random logits, baseline and step size")
    yield Case(dict(logits=np.zeros(2), action=1, reward=1.0, baseline=0.0, learning_rate=0.5),
               "the lesson's start: uniform policy over 2 arms, reward 1, no baseline, step size 0.5")
    yield Case(dict(logits=np.array([0.3, -0.2]), action=0, reward=0.0, baseline=0.0, learning_rate=5.0),
               "reward 0 and no baseline (the update must change nothing)")


def _step_variant(logits, action, reward, baseline, learning_rate, *, sign=1.0, lr=True, use_baseline=True,
                  minus_pi=True):
    logits = np.asarray(logits, dtype=np.float64)
    score = np.eye(len(logits))[action] - (softmax(logits) if minus_pi else 0.0)
    weight = (reward - (baseline if use_baseline else 0.0)) * (learning_rate if lr else 1.0)
    return logits + sign * weight * score


step_exercise = register(Exercise(
    name="reinforce_step", lesson="00_start_here",
    prompt="reinforce_step(logits, action, reward, baseline, learning_rate) -> the logits after one REINFORCE "
           "update, theta + lr (r - b)(onehot(a) - softmax(theta)), as a new array",
    reference=reinforce_step,
    cases=_step_cases,
    mistakes=(
        Mistake("flipped sign", lambda **kw: _step_variant(**kw, sign=-1.0),
                "the update climbs: add lr * (r - b) * (onehot(a) - pi); a paid pull must raise its arm's logit"),
        Mistake("learning rate missing", lambda **kw: _step_variant(**kw, lr=False),
                "scale the step by the learning rate"),
        Mistake("baseline ignored", lambda **kw: _step_variant(**kw, use_baseline=False),
                "subtract the baseline from the reward: the weight is (r - b), so with a baseline a zero reward "
                "pushes the pulled arm down"),
        Mistake("only the pulled arm moves", lambda **kw: _step_variant(**kw, minus_pi=False),
                "the score is onehot(a) - pi: every logit moves, the other arms' down by lr (r - b) pi_b"),
        Mistake("only the pulled arm moves, by 1 - pi_a",
                lambda logits, action, reward, baseline, learning_rate: np.asarray(logits, float)
                + learning_rate * (reward - baseline) * np.eye(len(logits))[action]
                * (1.0 - softmax(np.asarray(logits, float))[action]),
                "(1 - pi_a) is the pulled arm's entry of onehot(a) - pi, but the other entries are -pi_b, not 0: "
                "every other logit moves down by lr (r - b) pi_b"),
        Mistake("gradient of pi, not of log pi",
                lambda logits, action, reward, baseline, learning_rate: np.asarray(logits, float)
                + learning_rate * (reward - baseline) * softmax(np.asarray(logits, float))[action]
                * score_function(np.asarray(logits, float), action),
                "you used the gradient of pi(a), pi(a)(onehot(a) - pi); REINFORCE follows the gradient of "
                "log pi(a), which is onehot(a) - pi without the factor pi(a)"),
        Mistake("new logits not returned", lambda logits, action, reward, baseline, learning_rate:
                learning_rate * (reward - baseline) * score_function(np.asarray(logits, float), action),
                "return the updated logits theta + step, not the step alone"),
    ),
))


def lock_in_shares(final_probs: np.ndarray, means: np.ndarray, threshold: float) -> np.ndarray:
    """[share of runs locked onto the worse arm, share locked onto the better arm] from the runs' final policies
    (shape (runs, 2)): a run is locked onto an arm when its final probability of that arm is >= ``threshold``,
    as in :func:`rlcore.analysis.start_here.lock_in_rates`."""
    final_probs = np.asarray(final_probs, dtype=np.float64)
    best = int(np.argmax(means))
    return np.array([np.mean(final_probs[:, 1 - best] >= threshold), np.mean(final_probs[:, best] >= threshold)])


def _final_probs(rng: np.random.Generator, runs: int) -> np.ndarray:
    """Final two-arm policies as REINFORCE leaves them: many near 0 or 1, some undecided."""
    p = np.where(rng.random(runs) < 0.6, rng.beta(0.3, 0.3, runs), rng.random(runs))
    return np.stack([1 - p, p], axis=1)


def _share_cases(rng: np.random.Generator):
    for runs, means in ((10, (0.3, 0.7)), (400, (0.3, 0.7)), (57, (0.8, 0.2)), (200, (0.45, 0.55))):
        yield Case(dict(final_probs=_final_probs(rng, runs), means=np.array(means), threshold=0.9),
                   f"{runs} runs, arm means {means}, threshold 0.9")
    # exactly at the threshold: 0.75 and 0.25 are exact in floating point, so 1 - 0.25 >= 0.75 holds as well
    yield Case(dict(final_probs=np.array([[0.25, 0.75], [0.75, 0.25], [0.5, 0.5], [0.05, 0.95], [0.92, 0.08]]),
                    means=np.array([0.3, 0.7]), threshold=0.75),
               "5 runs, two of them exactly at the threshold 0.75 (at the threshold counts as locked)")
    yield Case(dict(final_probs=_final_probs(rng, 300), means=np.array([0.3, 0.7]), threshold=0.75),
               "300 runs, a lower threshold 0.75")


share_exercise = register(Exercise(
    name="lock_in_shares", lesson="00_start_here",
    prompt="lock_in_shares(final_probs, means, threshold) -> [share of runs locked onto the worse arm, share "
           "locked onto the better arm]; locked on an arm = final probability of it >= threshold",
    reference=lock_in_shares,
    cases=_share_cases,
    mistakes=(
        Mistake("strict inequality",
                lambda final_probs, means, threshold: lock_in_shares(final_probs, means, np.nextafter(threshold, 2)),
                "a run at exactly the threshold counts as locked: use >=, not >"),
        Mistake("arms swapped",
                lambda final_probs, means, threshold: lock_in_shares(final_probs, means, threshold)[::-1],
                "the worse arm is the one with the SMALLER mean (argmin of means), and it comes first"),
        Mistake("counts, not shares",
                lambda final_probs, means, threshold: len(final_probs) * lock_in_shares(final_probs, means,
                                                                                        threshold),
                "divide by the number of runs: the answer is a share of runs, between 0 and 1"),
        Mistake("not better = worse",
                lambda final_probs, means, threshold: np.array([
                    1 - lock_in_shares(final_probs, means, threshold)[1],
                    lock_in_shares(final_probs, means, threshold)[1]]),
                "a run that has not locked onto the better arm may be undecided: count as worse-locked only runs "
                "whose probability of the worse arm reaches the threshold"),
    ),
))
