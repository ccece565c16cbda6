"""Lesson 01's exercises: the REINFORCE estimator of a softmax bandit's gradient."""

from __future__ import annotations

import numpy as np

from ..analysis.log_trick import mc_gradient
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
