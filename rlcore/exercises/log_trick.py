"""Lesson 01's exercises: the REINFORCE estimator of a softmax bandit's gradient."""

from __future__ import annotations

import numpy as np

from ..analysis.log_trick import mc_gradient
from ..learners.history_refit import plugin_policy, surrogate_policy
from . import Case, Exercise, Mistake, register


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max())
    return z / z.sum()


def _cases(rng: np.random.Generator):
    for k, n in ((2, 1), (3, 7), (5, 50), (3, 400)):
        logits = rng.normal(size=k)
        actions = rng.integers(0, k, size=n)
        rewards = rng.random(n) * 2
        yield Case(dict(logits=logits, actions=actions, rewards=rewards, baseline=float(rng.random())),
                   f"{k} arms, {n} pulls, random rewards and baseline")
    logits = rng.normal(size=4)
    actions = rng.integers(0, 4, size=20)
    yield Case(dict(logits=logits, actions=actions, rewards=np.zeros(20), baseline=0.0),
               "4 arms, 20 pulls, every reward zero and no baseline (the gradient must be exactly 0)")
    yield Case(dict(logits=logits, actions=actions, rewards=np.ones(20), baseline=0.7),
               "4 arms, 20 pulls, every reward 1 and baseline 0.7")


reinforce_gradient = register(Exercise(
    name="reinforce_gradient", lesson="01_reinforce_log_trick",
    prompt="reinforce_gradient(logits, actions, rewards, baseline) -> the mean over samples of "
           "(r - b)(onehot(a) - softmax(logits)), shape (K,)",
    reference=mc_gradient,
    cases=_cases,
    mistakes=(
        Mistake("flipped sign",
                lambda logits, actions, rewards, baseline: -mc_gradient(logits, actions, rewards, baseline),
                "the sign is flipped: the gradient of log pi(a) is onehot(a) - pi, not pi - onehot(a), and "
                "REINFORCE multiplies it by +(r - b)"),
        Mistake("baseline ignored",
                lambda logits, actions, rewards, baseline: mc_gradient(logits, actions, rewards, 0.0),
                "the baseline is missing: subtract b from every reward before multiplying"),
        Mistake("baseline added",
                lambda logits, actions, rewards, baseline: mc_gradient(logits, actions, rewards, -baseline),
                "the baseline is added instead of subtracted: use (r - b)"),
        Mistake("score without -pi",
                lambda logits, actions, rewards, baseline: ((rewards - baseline)[:, None]
                                                            * np.eye(len(logits))[actions]).mean(0),
                "the score is onehot(a) - pi: you left out the '- pi' (the gradient of the log-normalizer)"),
        Mistake("sum instead of mean",
                lambda logits, actions, rewards, baseline: len(actions) * mc_gradient(logits, actions, rewards,
                                                                                       baseline),
                "average over the samples (divide by n), do not sum"),
        Mistake("gradient of pi, not of log pi",
                lambda logits, actions, rewards, baseline: ((rewards - baseline)[:, None]
                                                            * _softmax(logits)[actions][:, None]
                                                            * (np.eye(len(logits))[actions] - _softmax(logits))
                                                            ).mean(0),
                "you used the gradient of pi(a), pi(a)(onehot(a) - pi); the estimator needs the gradient of "
                "log pi(a) (divide by pi(a)), which is what makes it unbiased for samples drawn from pi"),
    ),
))


# --- the maximizer of the surrogate on the whole history (experiment 2) -------------------------------------

def surrogate_maximizer(actions: np.ndarray, rewards: np.ndarray, n_arms: int) -> np.ndarray:
    """The policy maximizing sum_s r_s log pi(a_s) over the simplex, from a history of pulls (rewards >= 0):
    pi_a = C_a / sum_b C_b with C_a the cumulative reward of arm a; uniform when no pull has paid yet
    (:func:`rlcore.learners.history_refit.surrogate_policy`)."""
    sums = np.zeros(n_arms)
    np.add.at(sums, np.asarray(actions, dtype=np.int64), np.asarray(rewards, dtype=np.float64))
    return surrogate_policy(sums)


def _history(rng: np.random.Generator, k: int, n: int, means=None):
    means = rng.random(k) if means is None else np.asarray(means)
    actions = rng.integers(0, k, size=n)
    return actions, (rng.random(n) < means[actions]).astype(np.float64)


def _maximizer_cases(rng: np.random.Generator):
    for k, n in ((2, 5), (3, 40), (5, 300)):
        actions, rewards = _history(rng, k, n)
        yield Case(dict(actions=actions, rewards=rewards, n_arms=k), f"{k} arms, {n} Bernoulli pulls")
    actions = rng.integers(0, 3, size=30)
    yield Case(dict(actions=actions, rewards=rng.random(30) * 3, n_arms=3), "3 arms, 30 pulls, real-valued rewards")
    actions, rewards = _history(rng, 4, 60, means=(0.9, 0.2, 0.6, 0.0))
    yield Case(dict(actions=actions, rewards=rewards, n_arms=4), "4 arms, one of which never pays")
    actions = np.array([0, 0, 2, 0, 2])
    yield Case(dict(actions=actions, rewards=np.array([0.0, 1.0, 1.0, 1.0, 0.0]), n_arms=4),
               "4 arms, 5 pulls, arms 1 and 3 never pulled")
    yield Case(dict(actions=np.array([1, 0, 1]), rewards=np.zeros(3), n_arms=3),
               "3 pulls, none paid (every policy ties: return the uniform one)")


def _counts(actions, n_arms):
    return np.bincount(np.asarray(actions, dtype=np.int64), minlength=n_arms).astype(np.float64)


def _reward_sums(actions, rewards, n_arms):
    sums = np.zeros(n_arms)
    np.add.at(sums, np.asarray(actions, dtype=np.int64), np.asarray(rewards, dtype=np.float64))
    return sums


def _fancy_index_sums(actions, rewards, n_arms):
    sums = np.zeros(n_arms)
    sums[np.asarray(actions, dtype=np.int64)] += np.asarray(rewards, dtype=np.float64)  # the last write wins
    return surrogate_policy(sums)


maximizer_exercise = register(Exercise(
    name="surrogate_maximizer", lesson="01_reinforce_log_trick",
    prompt="surrogate_maximizer(actions, rewards, n_arms) -> the policy (shape (n_arms,)) that maximizes "
           "sum_s r_s log pi(a_s) over all policies; uniform when no pull has paid",
    reference=surrogate_maximizer,
    cases=_maximizer_cases,
    mistakes=(
        Mistake("pull frequencies",
                lambda actions, rewards, n_arms: surrogate_policy(_counts(actions, n_arms)),
                "weight each pull by its reward: the surrogate is sum r log pi(a), so a pull that paid 0 adds "
                "nothing; you returned how often each arm was pulled"),
        Mistake("argmax of the mean reward (pi* over past data)",
                lambda actions, rewards, n_arms: plugin_policy(_reward_sums(actions, rewards, n_arms),
                                                               _counts(actions, n_arms)),
                "that is the greedy plug-in policy, the maximizer of the expected reward under the empirical "
                "means; the surrogate's maximizer is a mixed policy, pi_a = C_a / sum_b C_b (Lagrange "
                "multiplier on sum pi = 1)"),
        Mistake("softmax of the reward sums",
                lambda actions, rewards, n_arms: _softmax(_reward_sums(actions, rewards, n_arms)),
                "set the derivative of sum_a C_a log pi_a + lambda (1 - sum pi) to zero: C_a / pi_a = lambda, so "
                "pi is proportional to C itself, not to exp(C)"),
        Mistake("fancy-index += (repeated arms not added up)",
                lambda actions, rewards, n_arms: _fancy_index_sums(actions, rewards, n_arms),
                "`C[actions] += rewards` does not add up repeated indices: each arm keeps only one of its pulls' "
                "rewards. Use np.add.at(C, actions, rewards) or np.bincount(actions, weights=rewards, "
                "minlength=n_arms)"),
        Mistake("normalized mean rewards",
                lambda actions, rewards, n_arms: surrogate_policy(np.where(
                    _counts(actions, n_arms) > 0,
                    _reward_sums(actions, rewards, n_arms) / np.maximum(_counts(actions, n_arms), 1), 0.0)),
                "the surrogate sums over pulls, so an arm pulled more often weighs more: use the cumulative "
                "reward C_a, not the mean reward per pull"),
    ),
))
